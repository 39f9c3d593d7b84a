// Each command's `--help` lists exactly the settings the command reads. The
// command itself is run in process against a recording environment (every
// name it looks up is written down) and what it read is compared with what its
// help lists: a setting read but not listed, or listed but never read, fails.
// Every environment sets AZURE_CLOUD to no cloud, so each run stops at its
// settings (exit 2) with every read done and nothing sent anywhere.

import { describe, expect, it } from "vitest";
import type { TokenCredential } from "@azure/identity";
import { runCli } from "../../src/cli/program.js";
import { PLATFORM_NAMES, SETTINGS, type Env } from "../../src/config/settings.js";

const CIRCUIT =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-probe";

/** No sign-in: `silence add` asks who is signed in after its settings' problems. */
const noCredential: TokenCredential = {
  getToken: () => Promise.reject(new Error("no sign-in in this test")),
};

/**
 * What a command reads can depend on what is set (optional Table Storage is
 * read only when a connection is configured; the first connection form found
 * ends the search): each command is run once per environment, and what it
 * read is the union.
 */
const sampled = Object.fromEntries(
  Object.entries(SETTINGS)
    .filter(([, doc]) => doc.sample !== "")
    .map(([name, doc]) => [name, doc.sample]),
);
const ENVIRONMENTS: Env[] = [
  {},
  sampled,
  { ERWATCH_STORAGE: "UseDevelopmentStorage=true" },
  { ERWATCH_STORAGE__tableServiceUri: "https://probe.table.core.windows.net" },
  { ERWATCH_STORAGE__accountName: "probe" },
  { AzureWebJobsStorage: "UseDevelopmentStorage=true" },
  { AzureWebJobsStorage__tableServiceUri: "https://probe.table.core.windows.net" },
  { AzureWebJobsStorage__accountName: "probe" },
  { ServiceBusConnection: "Endpoint=sb://probe.servicebus.windows.net/;SharedAccessKey=k" },
  { ServiceBusConnection__fullyQualifiedNamespace: "probe.servicebus.windows.net" },
  { ERWATCH_ACTION_GROUPS: '{"receivers":[],"actionGroups":[],"routes":[]}' },
  { ERWATCH_BASELINE: "{}" },
].map((env) => ({ ...env, AZURE_CLOUD: "no-such-cloud" }));

/** Names a command reads that are no app setting: the terminal's, listed on their own line. */
const TERMINAL = ["COLUMNS", "NO_COLOR", "TERM"];

async function namesRead(argv: string[]): Promise<Set<string>> {
  const read = new Set<string>();
  for (const given of ENVIRONMENTS) {
    const env = new Proxy<Record<string, string | undefined>>(
      { ...given },
      {
        get: (target, name) => {
          if (typeof name === "string") read.add(name);
          return Reflect.get(target, name) as unknown;
        },
        has: (target, name) => {
          if (typeof name === "string") read.add(name);
          return Reflect.has(target, name);
        },
      },
    );
    let stderr = "";
    const code = await runCli(argv, {
      env,
      credential: noCredential,
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
    });
    // Stopped at its settings: nothing past them ran.
    expect(code, `${argv.join(" ")}: ${stderr}`).toBe(2);
    expect(stderr, argv.join(" ")).toMatch(/AZURE_CLOUD: expected one of/);
  }
  return read;
}

const inSettingsOrder = (names: Iterable<string>) => {
  const set = new Set(names);
  return Object.keys(SETTINGS).filter((name) => set.has(name));
};

/** The help's settings lines, label → names in the order listed. */
async function helpGroups(page: string[]): Promise<{ label: string; names: string[] }[]> {
  let stdout = "";
  const code = await runCli([...page, "--help"], {
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => true },
  });
  expect(code).toBe(0);
  const lines = stdout.split("\n");
  const start = lines.indexOf("Settings read (environment variables; see README, Settings):");
  expect(start, `${page.join(" ")} --help has its settings header`).toBeGreaterThanOrEqual(0);
  const groups: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("  Terminal:")) break;
    if (/^ {2}\S/.test(line)) groups.push(line.trim());
    else groups[groups.length - 1] += ` ${line.trim()}`;
  }
  return groups.map((g) => {
    const at = g.indexOf(": ");
    return { label: g.slice(0, at), names: g.slice(at + 2).split(", ") };
  });
}

// The help page, and the runs of the command it describes: the first run's
// settings are the first line; the others' add to it (diagnose --routes,
// sweep --state).
const PAGES: [string[], string[][]][] = [
  [
    ["diagnose"],
    [
      ["diagnose", CIRCUIT],
      ["diagnose", CIRCUIT, "--routes"],
    ],
  ],
  [["sweep"], [["sweep"], ["sweep", "--state"]]],
  [
    ["silence"],
    [
      ["silence", "list"],
      ["silence", "expire", "s-1"],
      ["silence", "add", "--circuit", "er-probe", "--reason", "test", "--duration", "1h"],
    ],
  ],
  [["silence", "add"], [["silence", "add", "--circuit", "c", "--reason", "r", "--duration", "1h"]]],
  [["silence", "list"], [["silence", "list"]]],
  [["silence", "expire"], [["silence", "expire", "s-1"]]],
  [["alerts"], [["alerts"]]],
  [["dispatch"], [["dispatch", "--once"]]],
];

describe("--help lists the settings each command reads", () => {
  it.each(PAGES)("%j", async (page, runs) => {
    const groups = await helpGroups(page);
    const name = `${page.join(" ")} --help`;
    const reads: Set<string>[] = [];
    for (const argv of runs) reads.push(await namesRead(argv));
    const all = new Set(reads.flatMap((r) => [...r]));
    expect(
      [...all].filter((n) => !(n in SETTINGS) && !PLATFORM_NAMES.includes(n)).sort(),
      `${name}: names read that are no setting`,
    ).toEqual(TERMINAL.filter((n) => all.has(n)));
    const listed = groups.flatMap((g) => g.names);
    // Settings, in the table's order on each line, each listed once.
    expect(listed, name).toEqual(groups.flatMap((g) => inSettingsOrder(g.names)));
    expect(new Set(listed).size, `${name}: each setting once`).toBe(listed.length);
    expect(inSettingsOrder(listed), `${name}: the settings its command reads`).toEqual(
      inSettingsOrder(all),
    );
    expect(groups[0]?.names, `${name}: its first line`).toEqual(inSettingsOrder(reads[0]!));
  });

  it("sweep --state and the Table Storage commands list SWEEP_SCHEDULE (hysteresis is timed by it)", async () => {
    for (const page of [["sweep"], ["alerts"], ["silence", "add"]])
      expect((await helpGroups(page)).flatMap((g) => g.names)).toContain("SWEEP_SCHEDULE");
  });

  it("dispatch lists none of the sweep's state settings: a typo in one of them no longer stops its pages", async () => {
    const names = (await helpGroups(["dispatch"])).flatMap((g) => g.names);
    for (const sweepOnly of [
      "SWEEP_SCHEDULE",
      "ERWATCH_ALERT_POLICY",
      "ERWATCH_SILENCES",
      "HISTORY_RETENTION_DAYS",
    ])
      expect(names).not.toContain(sweepOnly);
    expect(names).toEqual(expect.arrayContaining(["ERWATCH_STORAGE", "STORAGE_TIMEOUT_MS"]));
  });
});
