// erwatch runs on Node 22 in Azure, and its dependencies (@azure/arm-network
// 39) require it. The tests must run on 22 too, even on a machine whose system
// Node is older: `npm ci` installs the npm registry's `node` package, whose
// binary lands in node_modules/.bin, which npm scripts put first on PATH, so
// every `#!/usr/bin/env node` tool (vitest, tsx, eslint) runs on it.

import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const major = (range: string) => /\d+/.exec(range)?.[0];

describe("the Node erwatch runs on", () => {
  it("is Node 22 for the tests, whatever the system Node is", () => {
    expect(process.versions.node.split(".")[0]).toBe("22");
  });

  it("is the binary package.json pins, found first on PATH by npm scripts", () => {
    const pinned = realpathSync(join(ROOT, "node_modules", ".bin", "node"));
    expect(realpathSync(process.execPath)).toBe(pinned);
  });

  it("is the same major everywhere: engines, the pinned binary, its types and Azure", () => {
    expect(pkg.engines.node).toBe(">=22");
    expect(major(pkg.devDependencies.node!)).toBe("22");
    expect(major(pkg.devDependencies["@types/node"]!)).toBe("22");
    const app = readFileSync(join(ROOT, "infra", "app", "function-app.bicep"), "utf8");
    expect(app).toMatch(/name: 'node'\s+version: '22'/);
  });

  it("lets npm run the install script that fetches the binary", () => {
    // npm is moving to blocking dependency install scripts unless allowed; the
    // `node` package's preinstall is what puts the binary in place.
    expect(pkg.allowScripts?.node).toBe(true);
  });
});
