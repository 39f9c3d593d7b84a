// The README is part of the product: its two first commands, its settings
// table and its finding codes must match the code, or this fails.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config/settings.js";
import { FAMILY_OF } from "../../src/core/alert-identity.js";

const ROOT = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("README", () => {
  it("opens with the demo command and the test command, and .ci/run runs the latter", () => {
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    expect(blocks.slice(0, 2)).toEqual(["npm ci && npm run demo", "npm ci && npm test"]);
    expect(readme.indexOf("npm ci && npm run demo")).toBeLessThan(1_000);
    expect(pkg.scripts.demo).toBeTruthy();
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
    expect(ci).toContain("npm ci && npm test");
  });

  it("documents every setting the code reads, and no setting it does not", () => {
    const rows = [
      ...readme.matchAll(
        /^\| `([A-Za-z0-9_]+)`\s*\| (?:general|arm|data-plane|state|publish|dispatch|functions)\s*\|/gm,
      ),
    ].map((m) => m[1]);
    expect(rows.sort()).toEqual(Object.keys(SETTINGS).sort());
  });

  it("documents every finding code", () => {
    const codes = [...readme.matchAll(/^\| `([a-z0-9-]+)`\s*\| [a-zA-Z()]+\s*\|/gm)].map(
      (m) => m[1],
    );
    expect(codes.sort()).toEqual(Object.keys(FAMILY_OF).sort());
  });

  it("justifies every runtime dependency", () => {
    for (const name of Object.keys(pkg.dependencies))
      expect(readme, `README says why ${name} is a dependency`).toMatch(
        new RegExp(`\\| \`${name}\`\\s*\\|`),
      );
  });

  it("lists exactly package.json's dependencies and dev dependencies, each under its kind", () => {
    const section = /## Dependencies, and why\n([\s\S]*?)(?:\n## |$)/.exec(readme)?.[1] ?? "";
    const listed = { runtime: [] as string[], dev: [] as string[] };
    for (const m of section.matchAll(/^\| (.+?)\s*\| .*\|$/gm)) {
      const names = [...m[1]!.matchAll(/`([^`]+)`/g)].map((n) => n[1]!);
      listed[m[1]!.startsWith("dev:") ? "dev" : "runtime"].push(...names);
    }
    expect(listed.runtime.sort()).toEqual(Object.keys(pkg.dependencies).sort());
    expect(listed.dev.sort()).toEqual(Object.keys(pkg.devDependencies).sort());
  });
});
