// Which circuits a fleet alert's condition names, and what it last said of
// each. The fleet step reads them to know an open group's members (and to
// keep naming one this run did not read), the lifecycle to know whether a group
// grew since the receivers last heard of it. Conditions are stored JSON,
// possibly written by an older erwatch, so every entry is checked.

import type { AlertCondition } from "./lifecycle.js";
import { OWNERS, SEVERITIES, type Owner, type Severity } from "./model.js";
import { isRecord, textFields } from "./record.js";

export interface FleetMember {
  id: string;
  name: string;
  serviceKey: string | null;
  code: string | null;
  severity: Severity | null;
  owner: Owner | null;
  paths: string[];
  title: string;
  /** Named as last seen: the run that wrote it did not read it. */
  unread: boolean;
  /** Its tags as last read (routes match a fleet alert by them); empty or absent when not kept. */
  tags?: Record<string, string>;
}

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
/** Its tags that are text, when it has any. */
const tagsOf = (v: unknown): { tags?: Record<string, string> } => {
  const tags = textFields(v);
  return Object.keys(tags).length > 0 ? { tags } : {};
};
const oneOf = <T extends string>(values: readonly T[], v: unknown): T | null =>
  (values as readonly unknown[]).includes(v) ? (v as T) : null;

export function fleetMembersOf(condition: Pick<AlertCondition, "evidence"> | null): FleetMember[] {
  const circuits = condition?.evidence["circuits"];
  if (!Array.isArray(circuits)) return [];
  return circuits.flatMap((entry: unknown) => {
    if (!isRecord(entry)) return [];
    const id = text(entry["id"]);
    if (id === null) return [];
    const paths = entry["paths"];
    return [
      {
        id,
        name: text(entry["name"]) ?? id,
        serviceKey: text(entry["serviceKey"]),
        code: text(entry["code"]),
        severity: oneOf(SEVERITIES, entry["severity"]),
        owner: oneOf(OWNERS, entry["owner"]),
        paths: Array.isArray(paths) ? paths.filter((p): p is string => typeof p === "string") : [],
        title: text(entry["title"]) ?? "",
        unread: entry["unread"] === true,
        ...tagsOf(entry["tags"]),
      },
    ];
  });
}

/** Every member a fleet alert names is among `read` (lower-case ids); one naming none: false. */
export function fleetMembersAllIn(
  condition: Pick<AlertCondition, "evidence"> | null,
  read: ReadonlySet<string>,
): boolean {
  const members = fleetMembersOf(condition);
  return members.length > 0 && members.every((m) => read.has(m.id.toLowerCase()));
}
