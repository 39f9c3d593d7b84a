// The README's "On-call CLI" section is what an engineer copies at 2 a.m.:
// every command and flag it shows must be one the CLI takes, and its exit
// code table must be the CLI's own.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT, runCli } from "../../src/cli/program.js";

const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
const section = /## On-call CLI\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";

/** `npx erwatch …` lines of the section's first shell block: the command words and the flags. */
function examples(): { command: string[]; flags: string[]; line: string }[] {
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .filter((line) => line.startsWith("npx erwatch"))
    .map((line) => {
      const code = line.replace(/\s+#.*$/, "");
      const words = code.split(/\s+/).slice(2);
      const command: string[] = [];
      for (const w of words) {
        if (!/^[a-z]+$/.test(w)) break;
        command.push(w);
      }
      const flags = [...code.matchAll(/(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])\b/g)].map((m) => m[1]!);
      return { command, flags, line };
    });
}

async function help(command: string[]): Promise<{ code: number; text: string }> {
  let text = "";
  const stream = { write: (s: string) => ((text += s), true), isTTY: false, columns: 200 };
  const code = await runCli([...command, "--help"], {
    env: { COLUMNS: "200" },
    stdout: stream,
    stderr: stream,
  });
  return { code, text };
}

describe("README: On-call CLI", () => {
  it("shows only commands and flags the CLI takes", async () => {
    const lines = examples();
    expect(lines.length).toBeGreaterThan(8);
    for (const { command, flags, line } of lines) {
      const { code, text } = await help(command);
      expect(code, line).toBe(EXIT.ok);
      if (command.length > 0) expect(text, line).toContain(`Usage: erwatch ${command.join(" ")}`);
      for (const flag of flags) expect(text, `${line}: ${flag}`).toMatch(new RegExp(`${flag}\\b`));
    }
  });

  it("lists the exit codes the CLI uses, and no other", () => {
    const codes = [...section.matchAll(/^\| `(\d+)`\s*\|/gm)].map((m) => Number(m[1]));
    expect(codes.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});
