// erwatch's version, from the package.json beside src/ and dist/ (the
// deployment package ships it too).

import { readFileSync } from "node:fs";

let version: string | null = null;

export function erwatchVersion(): string {
  if (version === null) {
    try {
      const pkg = JSON.parse(
        readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
      ) as { version?: string };
      version = pkg.version ?? "unknown";
    } catch {
      version = "unknown";
    }
  }
  return version;
}
