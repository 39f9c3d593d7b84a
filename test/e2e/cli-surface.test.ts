/* eslint-disable no-control-regex -- these tests are about control characters on a terminal */
// The CLI as a person meets it, on the simulated estate through the real SDK:
// tables that fit 80 columns, sweep's header and worst-first order, `-o`,
// `--version`, NO_COLOR, help with exit codes and settings, exit 3 when a
// sweep was partly blind or read nothing, and no control character from Azure
// data reaching the terminal.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/app/report.js";
import { SETTINGS } from "../../src/config/settings.js";
import { startEstate, wholeCatalog, type SimulatedEstate } from "../support/estate/index.js";
import { circuitId, cliOn, SUB } from "../support/estate-cli.js";
import { readerRoleActions } from "../support/reader-role.js";

const withoutArp = () => readerRoleActions().filter((a) => !a.includes("arpTables"));

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(wholeCatalog());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.clearFaults();
  estate.grant(undefined);
  estate.state = wholeCatalog();
});

const ESC = "\u001b";
const cli = (argv: string[], extra: Parameters<typeof cliOn>[2] = {}) => cliOn(estate, argv, extra);
/** Lines a person copies stay whole: the resource id and the carrier ticket. */
const fitted = (text: string) => {
  const lines = text.split("\n");
  const ticket = lines.findIndex((l) => l.trim() === "Ticket for the carrier:");
  return (ticket < 0 ? lines : lines.slice(0, ticket))
    .filter((l) => !l.trim().startsWith("/subscriptions/"))
    .join("\n");
};
const widest = (text: string) =>
  Math.max(
    ...text
      .replace(/\u001b\[[0-9;]*m/g, "")
      .split("\n")
      .map((l) => Array.from(l).length),
  );

describe("output that fits the terminal", () => {
  it("diagnose fits 80 columns when piped (today every layer row wrapped)", async () => {
    const ran = await cli(["diagnose", circuitId("carrier-maintenance-secondary")]);
    expect(ran.code).toBe(1);
    expect(widest(fitted(ran.stdout))).toBeLessThanOrEqual(80);
    expect(ran.stdout).toMatch(/^ {2}provider \/ L2 +ok .+ DOWN /m);
  });

  it("diagnose uses a wider terminal's width, and a narrow one stacks the paths", async () => {
    const wide = await cli(["diagnose", circuitId("carrier-maintenance-secondary")], {
      stdout: { write: () => true, isTTY: true, columns: 160 },
    });
    expect(wide.code).toBe(1);
    const narrow = await cli(["diagnose", circuitId("carrier-maintenance-secondary")], {
      env: { ...estateEnv(), COLUMNS: "50" },
    });
    expect(widest(fitted(narrow.stdout))).toBeLessThanOrEqual(50);
    expect(narrow.stdout).toMatch(/AzurePrivatePeering primary\n/);
    expect(narrow.stdout).toMatch(/AzurePrivatePeering secondary\n/);
  });

  it("sweep prints a header and its findings worst first, within 80 columns", async () => {
    const ran = await cli(["sweep", "--subscription", SUB]);
    expect(ran.code).toBe(1);
    const lines = ran.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SEV +CIRCUIT +PEERING +PATHS +OWNER +CODE +WHAT$/);
    const severities = lines
      .slice(1)
      .filter((l) => /^Sev\d/.test(l))
      .map((l) => l.slice(0, 4));
    expect(severities.length).toBeGreaterThan(10);
    expect(severities).toEqual([...severities].sort());
    expect(severities[0]).toBe("Sev0");
    expect(widest(fitted(ran.stdout))).toBeLessThanOrEqual(80);
    // Whole names, not "zero-prefix…" for two circuits; each one's id, to diagnose it.
    expect(ran.stdout).not.toMatch(/^Sev\d +\S*…/m);
    expect(ran.stdout).toMatch(/^Sev\d +zero-prefixes-both +/m);
    expect(ran.stdout).toContain("Circuits with findings (erwatch diagnose <id>):");
    expect(ran.stdout).toContain(`  ${circuitId("zero-prefixes-both")}`);
  });

  it("-o json is --output json, the report contract unchanged", async () => {
    const short = await cli(["sweep", "--circuit", circuitId("healthy"), "-o", "json"]);
    const long = await cli(["sweep", "--circuit", circuitId("healthy"), "--output", "json"]);
    expect(short.code).toBe(0);
    expect(JSON.parse(short.stdout)).toEqual(JSON.parse(long.stdout));
    expect((JSON.parse(short.stdout) as Report).version).toBe(1);
  });
});

function estateEnv() {
  return { ARM_ENDPOINT: estate.url, ARM_MAX_RETRIES: "0" };
}

describe("finding codes in the sweep table", () => {
  it.each(["80", "100", "110", "120", "160"])(
    "are never cut, at %s columns (a contract: provider-not-provision… read at 110)",
    async (columns) => {
      const json = await cli(["sweep", "--subscription", SUB, "-o", "json"]);
      const codes = new Set(
        (JSON.parse(json.stdout) as Report).circuits.flatMap((c) => c.findings.map((f) => f.code)),
      );
      expect(codes.size).toBeGreaterThan(5);
      const ran = await cli(["sweep", "--subscription", SUB], {
        env: { ...estateEnv(), ERWATCH_SUBSCRIPTIONS: SUB, COLUMNS: columns },
      });
      for (const code of codes)
        expect(ran.stdout, code).toMatch(new RegExp(`(^| )${code}(:| |$)`, "m"));
      expect(ran.stdout).not.toMatch(/ [a-z]+(-[a-z]+)+…/);
    },
  );
});

describe("diagnose by name, as the sweep table prints it", () => {
  it("finds the one circuit of that name in ERWATCH_SUBSCRIPTIONS (it took ids alone)", async () => {
    const byName = await cli(["diagnose", "Carrier-Maintenance-Secondary", "-o", "json"], {
      env: { ERWATCH_SUBSCRIPTIONS: SUB },
    });
    const byId = await cli(["diagnose", circuitId("carrier-maintenance-secondary"), "-o", "json"]);
    expect(byName.code, byName.stderr).toBe(1);
    const named = (JSON.parse(byName.stdout) as Report).circuits[0]!;
    expect(named.id).toBe(circuitId("carrier-maintenance-secondary"));
    expect(named.findings).toEqual((JSON.parse(byId.stdout) as Report).circuits[0]!.findings);
  });

  it("refuses a name no circuit has, or one without a scope to look in, exit 2", async () => {
    const none = await cli(["diagnose", "carrier-maintenance-secondry"], {
      env: { ERWATCH_SUBSCRIPTIONS: SUB },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /no circuit named "carrier-maintenance-secondry" in ERWATCH_SUBSCRIPTIONS/,
    );
    const unscoped = await cli(["diagnose", "healthy"]);
    expect(unscoped.code).toBe(2);
    expect(unscoped.stderr).toMatch(
      /is a name: give the circuit's resource id, or set ERWATCH_SUBSCRIPTIONS/,
    );
  });
});

describe("az's habits", () => {
  it("--version prints the version and exits 0", async () => {
    const ran = await cli(["--version"]);
    expect(ran.code).toBe(0);
    expect(ran.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([[[]], [["silence"]]])(
    "%j with no command shows the help as a mistake: exit 2 (it exited 0)",
    async (argv) => {
      const ran = await cli(argv);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toMatch(/Usage: erwatch/);
    },
  );

  it("a silence flag given twice is refused, not the last one kept (it silenced b alone, for 10 minutes)", async () => {
    const ran = await cli([
      "silence",
      "add",
      "--circuit",
      "a",
      "--circuit",
      "b",
      "--duration",
      "2h",
      "--reason",
      "x",
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/^error: --circuit given twice; give it once/);
  });

  it("a storage connection string without its protocol is a settings problem, said in one line, no JSON or stack (it was an unexpected failure with a stack)", async () => {
    const ran = await cli(["alerts"], {
      env: { ERWATCH_STORAGE: "AccountName=x;AccountKey=c2VjcmV0c2VjcmV0" },
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(
      /ERWATCH_STORAGE: has an AccountKey but no DefaultEndpointsProtocol/,
    );
    expect(ran.stderr).not.toMatch(/"level"|"stack"|\n\s+at /);
    expect(ran.stderr).not.toContain("c2VjcmV0c2VjcmV0");
  });

  it.each([
    [["alerts", "-o", "json"]],
    [["silence", "list", "--output=json"]],
    [["sweep", "--output", "json", "--no-such-flag"]],
  ])(
    "%j that cannot run still prints a JSON document on stdout (it printed nothing: a pipe into jq saw no failure)",
    async (argv) => {
      const ran = await cli(argv, {
        env: { ERWATCH_STORAGE: "AccountName=x;AccountKey=c2VjcmV0c2VjcmV0" },
      });
      expect(ran.code).toBe(2);
      const doc = JSON.parse(ran.stdout) as { error: string; exitCode: number };
      expect(doc.exitCode).toBe(2);
      expect(doc.error).toMatch(/ERWATCH_STORAGE|unknown option/);
      expect(ran.stdout).not.toContain("c2VjcmV0c2VjcmV0");
    },
  );

  it("reads LOG_LEVEL as the settings do: empty, padded or in capitals runs (today pino threw: a stack trace and exit 1, 'findings')", async () => {
    for (const level of ["", " warn ", "DEBUG"]) {
      const ran = await cli(["sweep", "--circuit", circuitId("healthy")], {
        env: { ...estateEnv(), LOG_LEVEL: level },
      });
      expect(ran.code, JSON.stringify(level)).toBe(0);
    }
  });

  it("an unknown LOG_LEVEL is named with the problems that stop the command: exit 2", async () => {
    const ran = await cli(["sweep", "--circuit", circuitId("healthy")], {
      env: { ...estateEnv(), LOG_LEVEL: "verbose", AZURE_CLOUD: "Mars" },
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("LOG_LEVEL: expected one of trace, debug, info, warn, error");
    expect(ran.stderr).toContain("AZURE_CLOUD:");
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect((await cli(["--version"], { env: { LOG_LEVEL: "verbose" } })).code).toBe(0);
  });

  it("an unknown LOG_LEVEL alone stops nothing: the command runs at info and warns of it", async () => {
    const ran = await cli(["sweep", "--circuit", circuitId("healthy")], {
      env: { ...estateEnv(), LOG_LEVEL: "Information" },
    });
    expect(ran.code).toBe(0);
    expect(ran.stderr).toMatch(
      /erwatch: warning: LOG_LEVEL: expected one of .* \(left out: info applies\)/,
    );
  });

  it("colours on a terminal, never with NO_COLOR", async () => {
    const tty = { isTTY: true, columns: 100 };
    let coloured = "";
    await cli(["diagnose", circuitId("carrier-maintenance-secondary")], {
      stdout: { write: (s: string) => (coloured += s), ...tty },
    });
    expect(coloured).toContain(`${ESC}[31m`);
    let plain = "";
    await cli(["diagnose", circuitId("carrier-maintenance-secondary")], {
      env: { ...estateEnv(), NO_COLOR: "1" },
      stdout: { write: (s: string) => (plain += s), ...tty },
    });
    expect(plain).not.toContain(ESC);
    expect(plain).toMatch(/DOWN/);
  });

  const REPORTS = ["0 ", "1 ", "2 ", "3 ", "130 "];
  const ACTIONS = ["0 ", "2 ", "130 "];
  it.each([
    [
      "sweep",
      ["ARM_ENDPOINT", "ERWATCH_SUBSCRIPTIONS", "ERWATCH_STORAGE", "ServiceBusConnection"],
      REPORTS,
      /partly blind: a read failed/,
    ],
    ["diagnose", ["ARM_TIMEOUT_MS", "AZURE_CLOUD"], REPORTS, /partly blind: a read failed/],
    ["silence", ["ERWATCH_STORAGE", "ERWATCH_TABLE_PREFIX"], ACTIONS, /^ {2}0 {4}done/m],
    ["alerts", ["ERWATCH_STORAGE"], REPORTS, /an alert at Sev2 or worse is open and no silence/],
    [
      "dispatch",
      ["PAGERDUTY_ROUTING_KEY", "SERVICEBUS_ENTITY"],
      ACTIONS,
      /stopped \(Ctrl-C or SIGTERM\)/,
    ],
  ])(
    "%s --help lists its exit codes and the settings it reads",
    async (command, settings, codes, says) => {
      const ran = await cli([command, "--help"]);
      expect(ran.code).toBe(0);
      for (const code of REPORTS)
        if (codes.includes(code)) expect(ran.stdout).toContain(`\n  ${code}`);
        else expect(ran.stdout).not.toContain(`\n  ${code}`);
      expect(ran.stdout).toMatch(says);
      for (const name of settings) {
        expect(name in SETTINGS).toBe(true);
        expect(ran.stdout).toContain(name);
      }
      expect(ran.stdout).toMatch(/NO_COLOR/);
      expect(widest(ran.stdout)).toBeLessThanOrEqual(80);
    },
  );
});

describe("a sweep that could not see everything says so and exits 3", () => {
  it("a 403 on every ARP read (today: exit 0)", async () => {
    estate.grant(withoutArp());
    const ran = await cli(["sweep", "--circuit", circuitId("healthy"), circuitId("vwan-healthy")]);
    expect(ran.code).toBe(3);
    expect(ran.stdout).toMatch(/erwatch is partly blind/);
    // Healthy sessions prove layer 2, so only the subscription's witness circuit
    // reads ARP: enough to name the missing permission every sweep.
    expect(ran.stdout).toMatch(
      /2 reads failed on 1 circuit[^]*2 × forbidden Microsoft\.Network\/expressRouteCircuits\/peerings\/arpTables\/read/,
    );
    expect(ran.stdout).toMatch(/x-ms-request-id [0-9a-f-]{36}/);
  });

  it("a 403 on every ARP read is named when the first circuit has no peering to read", async () => {
    estate.grant(withoutArp());
    const ran = await cli([
      "sweep",
      "--circuit",
      circuitId("peering-disabled"),
      circuitId("healthy"),
    ]);
    // The disabled peering is a finding of its own (exit 1); the blind read is still named.
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/partly blind/);
    expect(ran.stdout).toMatch(
      /2 × forbidden Microsoft\.Network\/expressRouteCircuits\/peerings\/arpTables\/read/,
    );
  });

  it("the JSON stays the contract on stdout; the warning goes to stderr", async () => {
    estate.grant(withoutArp());
    const ran = await cli(["sweep", "--circuit", circuitId("healthy"), "-o", "json"]);
    expect(ran.code).toBe(3);
    const report = JSON.parse(ran.stdout) as Report;
    expect(report.circuits[0]!.failedReads[0]).toMatchObject({
      kind: "forbidden",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(ran.stderr).toMatch(/partly blind/);
  });

  it('a wrong subscription id (once: "0 circuit(s) read", exit 0)', async () => {
    const wrong = "11111111-2222-3333-4444-555555555555";
    const ran = await cli(["sweep", "--subscription", wrong]);
    expect(ran.code).toBe(3);
    expect(ran.stdout).toMatch(/read no circuit at all/);
    // Across the line break the wrap puts where the width says.
    expect(ran.stdout.replace(/\s+/g, " ")).toContain(
      `subscription ${wrong} holds no ExpressRoute circuit`,
    );
  });

  it("findings at Sev2 or worse still exit 1 when some reads failed too", async () => {
    estate.addFault({
      match: { operation: "arpTable", circuit: "healthy" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
    });
    const ran = await cli([
      "sweep",
      "--circuit",
      circuitId("healthy"),
      circuitId("carrier-down-both"),
    ]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/partly blind/);
  });

  it("everything read and healthy is still 0", async () => {
    const ran = await cli(["sweep", "--circuit", circuitId("healthy")]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).not.toMatch(/blind/);
  });
});

describe("control characters in Azure data never reach the terminal raw", () => {
  it("a provider name and peering location with escape sequences are shown, not obeyed", async () => {
    const circuit = estate.state.circuits.find((c) => c.name === "carrier-maintenance-secondary")!;
    circuit.serviceProviderName = `Evil${ESC}]8;;http://x${ESC}\\Carrier${ESC}[2J\u009b31m`;
    circuit.peeringLocation = `Ams\u202eterdam\r`;
    let out = "";
    const ran = await cli(["diagnose", circuitId("carrier-maintenance-secondary")], {
      stdout: { write: (s: string) => (out += s), isTTY: true, columns: 120 },
    });
    expect(ran.code).toBe(1);
    // erwatch's own colours only: every ESC starts an SGR sequence.
    expect(out.match(/\u001b(?!\[[0-9;]*m)/g)).toBeNull();
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(out).toContain("Evil\\x1b]8;;http://x\\x1b\\Carrier\\x1b[2J\\x9b31m");
    expect(out).toContain("Ams\\u202eterdam\\x0d");
  });
});

describe("the scope as typed", () => {
  it("a subscription given twice, once in capitals, is read once (each circuit was read and reported twice)", async () => {
    const once = await cli(["sweep", "--subscription", SUB, "-o", "json"]);
    const circuits = (JSON.parse(once.stdout) as Report).circuits.map((c) => c.id).sort();
    expect(circuits.length).toBeGreaterThan(1);
    for (const ran of [
      await cli([
        "sweep",
        "--subscription",
        SUB,
        "--subscription",
        SUB.toUpperCase(),
        "-o",
        "json",
      ]),
      await cli(["sweep", "-o", "json"], {
        env: { ERWATCH_SUBSCRIPTIONS: `${SUB}, ${SUB.toUpperCase()},${SUB}` },
      }),
    ]) {
      expect((JSON.parse(ran.stdout) as Report).circuits.map((c) => c.id).sort()).toEqual(circuits);
    }
  });
});
