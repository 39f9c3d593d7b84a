// The actions the deployed reader role grants, read from the Bicep: what a
// real erwatch identity may do, for estates that enforce RBAC.

import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROLE = join(import.meta.dirname, "..", "..", "infra", "app", "reader-role-definition.bicep");

export function readerRoleActions(): string[] {
  const text = readFileSync(ROLE, "utf8");
  const block = /\bactions:\s*\[([\s\S]*?)\]/.exec(text);
  if (!block) throw new Error("no actions array in the reader role");
  return [...block[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}
