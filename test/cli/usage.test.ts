// A usage mistake as on-call meets it at 2 a.m., in process and without
// Azure: the cause in one line and where the help is, not the cause followed
// by the whole help (every setting name) that scrolled it off the terminal;
// help that says what the command takes and what it can exit with; and a
// refusal that comes before asking anyone to sign in, when signing in would
// not help.

import type { TokenCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { shortPeering } from "../../src/cli/terminal.js";
import { PEERING_TYPES } from "../../src/core/model.js";
import { peeringNamed } from "../../src/core/silence.js";

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  /** How often a token was asked for. */
  tokens: number;
}

async function cli(argv: string[]): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  let tokens = 0;
  const credential: TokenCredential = {
    getToken: () => {
      tokens += 1;
      return Promise.reject(new Error("Please run 'az login' to set up an account."));
    },
  };
  const code = await runCli(argv, {
    env: {},
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    credential,
  });
  return { code, stdout, stderr, tokens };
}

const lines = (text: string) => text.trimEnd().split("\n");
/** Help text with its wrapping undone, so a phrase is found across a line break. */
const unwrapped = (text: string) => text.replace(/\s+/g, " ");

describe("a usage mistake is said in one line, with where the help is", () => {
  it.each([
    [["sweep", "--bogus"], "unknown option '--bogus'", "erwatch sweep --help"],
    [["sweep", "-o"], "option '-o, --output <format>' argument missing", "erwatch sweep --help"],
    [["diagnose"], "missing required argument 'circuit'", "erwatch diagnose --help"],
    [
      ["silence", "add", "--reason", "x"],
      "required option '--circuit <name-or-id>' not specified",
      "erwatch silence add --help",
    ],
    [["bogus"], "unknown command 'bogus'", "erwatch --help"],
  ])(
    "%j: the error and a pointer to its help, not ~50 lines of help after it",
    async (argv, error, help) => {
      const ran = await cli(argv);
      expect(ran.code).toBe(2);
      expect(lines(ran.stderr)).toEqual([`error: ${error}`, `(see \`${help}\`)`]);
      expect(ran.stdout).toBe("");
    },
  );

  it("-o json keeps its usage error document on stdout", async () => {
    const ran = await cli(["sweep", "-o", "json", "--bogus"]);
    expect(ran.code).toBe(2);
    expect(JSON.parse(ran.stdout)).toEqual({ error: "unknown option '--bogus'", exitCode: 2 });
    expect(lines(ran.stderr)).toEqual([
      "error: unknown option '--bogus'",
      "(see `erwatch sweep --help`)",
    ]);
  });

  it("a flag given twice names the flag, not a value as invalid (it read \"argument '3h' is invalid. given twice\")", async () => {
    const argv = ["silence", "add", "--circuit", "a", "--duration", "3h", "--duration", "3h"];
    const ran = await cli([...argv, "--reason", "x"]);
    expect(ran.code).toBe(2);
    expect(lines(ran.stderr)).toEqual([
      "error: --duration given twice; give it once (one silence per command)",
      "(see `erwatch silence add --help`)",
    ]);
    const json = await cli([...argv, "--reason", "x", "-o", "json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      error: "--duration given twice; give it once (one silence per command)",
      exitCode: 2,
    });
  });
});

describe("silence's help says what it takes and what it can exit with", () => {
  it("--peering lists every spelling the parser takes (it left out Public / AzurePublicPeering)", async () => {
    const ran = await cli(["silence", "add", "--help"]);
    expect(ran.code).toBe(0);
    const help = unwrapped(ran.stdout);
    for (const peering of PEERING_TYPES)
      for (const spelling of [peering, shortPeering(peering)]) {
        expect(peeringNamed(spelling), spelling).toBe(peering);
        expect(help, spelling).toContain(spelling);
      }
  });

  it.each([[["silence"]], [["silence", "add"]], [["silence", "list"]], [["silence", "expire"]]])(
    "%j --help lists no exit code about dispatch or Service Bus, which silence never uses",
    async (command) => {
      const ran = await cli([...command, "--help"]);
      expect(ran.code).toBe(0);
      const exits = unwrapped(ran.stdout.slice(ran.stdout.indexOf("Exit codes:")));
      expect(exits).toMatch(/^Exit codes: 0 done 2 erwatch could not run/);
      expect(exits).not.toMatch(/dispatch|Service Bus|queue/);
    },
  );
});

describe("diagnose <name> without a scope", () => {
  it("is refused before the sign-in (it asked for `az login` first, then refused the name)", async () => {
    const ran = await cli(["diagnose", "er-ams-01"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/"er-ams-01" is a name: .*set ERWATCH_SUBSCRIPTIONS/);
    expect(ran.stderr).not.toMatch(/az login|could not get a token/);
    expect(ran.tokens).toBe(0);
  });
});
