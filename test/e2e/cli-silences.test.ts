// Run-time silences through Table Storage (Azurite), end to end: `erwatch
// silence add` stores one, `silence list` reads it back beside ERWATCH_SILENCES,
// the next sweep of the real timer function honours it without a restart,
// `erwatch alerts` shows the alert held by it, and `silence expire` lets the
// following sweep notify.

import type { AccessToken, TokenCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { carrierDown, estateOf, healthyCircuit } from "../support/estate/index.js";
import { estateAccess } from "../support/estate-access.js";
import { circuitId as estateCircuitId } from "../support/estate/ids.js";
import { startWorld, type World } from "../support/world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
let clock = new Date(T0);
const at = (minutes: number) => (clock = new Date(T0 + minutes * 60_000));

let azurite: Azurite;
let world: World;
beforeAll(async () => {
  azurite = await startAzurite();
  world = await startWorld({
    estate: estateOf(healthyCircuit()),
    azurite,
    now: () => clock,
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      ERWATCH_SILENCES: JSON.stringify([
        {
          id: "weekly-window",
          circuit: "other-circuit",
          cron: "0 1 * * 3",
          durationMinutes: 120,
          timezone: "Europe/Amsterdam",
          comment: "weekly carrier window",
        },
      ]),
    },
  });
  // A name is silenced once a sweep has read it: erwatch resolves it to that circuit's id.
  await world.timerSweep();
});
afterAll(async () => {
  await world?.close();
  await azurite?.stop();
});

/** A token whose claims name the signed-in user, as `az login` gives. */
function jwtCredential(upn: string): TokenCredential {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return {
    async getToken(): Promise<AccessToken> {
      return {
        token: `${part({ alg: "none" })}.${part({ upn })}.sig`,
        expiresOnTimestamp: Date.now() + 3_600_000,
      };
    },
  };
}

async function cli(argv: string[], credential?: TokenCredential) {
  const access = estateAccess(world.estate);
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env: world.env,
    credential: credential ?? access.credential,
    armClientOptions: access.armClientOptions,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    now: () => clock,
  });
  return { code, stdout, stderr };
}

interface Listed {
  id: string;
  source: string;
  status: string;
  circuit: string;
  path: string | null;
  author: string | null;
  reason: string | null;
}

/** A circuit no sweep has read yet: silenced by its resource id. */
const circuitId = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-00000000000d/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/${name}`;

/** A 30-minute silence of er-circuit-dr, reason "test" (author and output up to the test). */
const SILENCE_DR = [
  "silence",
  "add",
  "--circuit",
  circuitId("er-circuit-dr"),
  "--duration",
  "30m",
  "--reason",
  "test",
];

describe("erwatch silence, through Table Storage", () => {
  let id = "";

  it("refuses a silence that cannot work, naming every problem", async () => {
    const ran = await cli([
      "silence",
      "add",
      "--circuit",
      "er-circuit-prod",
      "--cron",
      "0 2 * * *",
      "--duration",
      "2h",
      "--timezone",
      "Europe/Amsterdm",
      "--reason",
      "x",
      "--author",
      "alice",
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/timezone "Europe\/Amsterdm" is not an IANA time zone/);
    const past = await cli([
      "silence",
      "add",
      "--circuit",
      "er-circuit-prod",
      "--start",
      "2026-11-21T00:00:00Z",
      "--end",
      "2026-11-21T01:00:00Z",
      "--reason",
      "",
      "--author",
      "alice",
    ]);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/ends in the past/);
    expect(past.stderr).toMatch(/--reason/);
  });

  it("names the arguments' problems and the settings' in one run, arguments first", async () => {
    // No Table Storage connection at all, and two typos on the command line.
    const env = Object.fromEntries(
      Object.entries(world.env).filter(
        ([name]) => !name.startsWith("ERWATCH_STORAGE") && !name.startsWith("AzureWebJobsStorage"),
      ),
    );
    let stderr = "";
    const code = await runCli(
      [...SILENCE_DR.slice(0, 5), "2x", "--path", "tertiary", "--reason", "test", "--author", "al"],
      {
        env,
        stdout: { write: () => true },
        stderr: { write: (s: string) => (stderr += s) },
        now: () => clock,
      },
    );
    expect(code).toBe(2);
    // Only what is wrong: a --duration given but unreadable is not also "missing",
    // nor an --end that was never typed.
    expect(stderr.trimEnd().split("\n")).toEqual([
      "erwatch: the silence was not added:",
      "  - --path must be primary or secondary",
      '  - --duration "2x": use minutes, hours or days, e.g. 90m, 2h, 1d',
      "Invalid configuration:",
      expect.stringMatching(/^ {2}- ERWATCH_STORAGE: no Table Storage connection/),
    ]);
  });

  it("lists the configured silences when one of them cannot work: that one is left out and named on stderr, the rest apply", async () => {
    const access = estateAccess(world.estate);
    const configured = JSON.parse(world.env.ERWATCH_SILENCES!) as object[];
    let stdout = "";
    let stderr = "";
    const code = await runCli(["silence", "list", "-o", "json"], {
      env: {
        ...world.env,
        ERWATCH_SILENCES: JSON.stringify([
          { circuit: "er-circuit-dr", start: "2026-11-22T02:00:00Z" },
          ...configured,
        ]),
      },
      credential: access.credential,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      now: () => clock,
    });
    expect(code, stderr).toBe(0);
    expect(stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        /^erwatch: warning: ERWATCH_SILENCES\.0: .+ \(this entry is left out; the rest apply\)$/,
      ),
    ]);
    const listed = (JSON.parse(stdout) as { silences: Listed[] }).silences;
    expect(listed.filter((s) => s.source === "setting").map((s) => s.id)).toEqual([
      "weekly-window",
    ]);
  });

  it("adds a silence for the secondary path and reads it back beside the configured one", async () => {
    at(0);
    const added = await cli([
      "silence",
      "add",
      "--circuit",
      "er-circuit-prod",
      "--peering",
      "AzurePrivatePeering",
      "--path",
      "secondary",
      "--duration",
      "2h",
      "--reason",
      "Carrier maintenance CHG-4711",
      "--author",
      "alice@example.com",
      "-o",
      "json",
    ]);
    expect(added.code, added.stderr).toBe(0);
    id = (JSON.parse(added.stdout) as { id: string }).id;
    expect(id).toMatch(/^s-[0-9a-f]{8}$/);

    const listed = await cli(["silence", "list", "-o", "json"]);
    const silences = (JSON.parse(listed.stdout) as { silences: Listed[] }).silences;
    expect(silences).toEqual([
      // Wednesday 01:00 Amsterdam (CET) for 2 h: the next one from Sunday 2026-11-22.
      expect.objectContaining({
        id: "weekly-window",
        source: "setting",
        status: "pending",
        next: { opensAt: "2026-11-25T00:00:00.000Z", closesAt: "2026-11-25T02:00:00.000Z" },
      }),
      expect.objectContaining({
        id,
        source: "stored",
        status: "active",
        // The name, resolved to the one circuit that has it: another of that name is not held.
        circuit: estateCircuitId(world.estate.state.circuits[0]!),
        path: "secondary",
        author: "alice@example.com",
        reason: "Carrier maintenance CHG-4711",
      }),
    ]);
    const table = await cli(["silence", "list"]);
    expect(table.stdout).toMatch(
      new RegExp(`^${id} +active +er-circuit-prod +Private secondary +→ 2026-11-22 03:00Z$`, "m"),
    );
    expect(table.stdout).toMatch(/^ {4}by alice@example\.com: Carrier maintenance CHG-4711$/m);
    expect(table.stdout).toMatch(
      /^ {4}\/subscriptions\/.*\/resourceGroups\/rg-hybrid-core\/.*\/expressRouteCircuits\/er-circuit-prod$/m,
    );
    expect(table.stdout).toMatch(/^ {4}by ERWATCH_SILENCES: weekly carrier window$/m);
    // A recurring window says, under its reason, when it opens next.
    expect(table.stdout).toMatch(
      /^ {4}by ERWATCH_SILENCES: weekly carrier window\n {4}next 2026-11-25 00:00Z → 2026-11-25 02:00Z$/m,
    );
  });

  it("takes the author from the signed-in user's token when --author is not given", async () => {
    const ran = await cli([...SILENCE_DR, "-o", "json"], jwtCredential("bob@example.com"));
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ author: "bob@example.com" });
    const anonymous = await cli(SILENCE_DR);
    expect(anonymous.code).toBe(2);
    // Named once, in the words that say why (it was named twice).
    expect(anonymous.stderr.match(/--author/g)).toHaveLength(1);
    expect(anonymous.stderr).toMatch(/could not tell who is signed in/);
  });

  it("stores one-off times as instants, reading a time without an offset in --timezone or UTC, never the laptop's zone", async () => {
    // The laptop's zone read the start one way and the sweep host another.
    const before = process.env.TZ;
    process.env.TZ = "Asia/Tokyo";
    try {
      const add = (...rest: string[]) =>
        cli([
          "silence",
          "add",
          "--circuit",
          circuitId("er-zone-test"),
          ...rest,
          "--reason",
          "carrier window",
          "--author",
          "alice",
          "-o",
          "json",
        ]);
      const zoned = await add(
        "--start",
        "2026-11-22T03:00",
        "--end",
        "2026-11-22T05:00",
        "--timezone",
        "Europe/Amsterdam",
      );
      expect(zoned.code, zoned.stderr).toBe(0);
      expect(JSON.parse(zoned.stdout)).toMatchObject({
        window: {
          kind: "once",
          start: "2026-11-22T02:00:00.000Z",
          end: "2026-11-22T04:00:00.000Z",
        },
      });
      const plain = await add("--start", "2026-11-22T03:00", "--duration", "2h");
      expect(plain.code, plain.stderr).toBe(0);
      expect(JSON.parse(plain.stdout)).toMatchObject({
        window: {
          kind: "once",
          start: "2026-11-22T03:00:00.000Z",
          end: "2026-11-22T05:00:00.000Z",
        },
      });
      const american = await add("--start", "11/22/2026 03:00", "--duration", "2h");
      expect(american.code).toBe(2);
      expect(american.stderr).toMatch(/--start "11\/22\/2026 03:00": an ISO 8601 time/);
      // A mistyped zone is named (it crashed erwatch, or was ignored when the times had offsets).
      for (const start of ["2026-11-22T03:00", "2026-11-22T03:00Z"]) {
        const typo = await add(
          "--start",
          start,
          "--duration",
          "2h",
          "--timezone",
          "Europe/Amsterdm",
        );
        expect(typo.code).toBe(2);
        expect(typo.stderr).toMatch(/--timezone "Europe\/Amsterdm" is not an IANA time zone/);
        expect(typo.stderr).not.toMatch(/unexpected failure/);
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it("asks the cloud AZURE_CLOUD names who is signed in (it asked the public cloud: in Azure Government --author was always demanded)", async () => {
    const gov = jwtCredential("carol@agency.gov");
    const scopes: string[] = [];
    const onlyGovernment: TokenCredential = {
      async getToken(scope, options) {
        scopes.push(...[scope].flat());
        if ([scope].flat().some((s) => !s.startsWith("https://management.usgovcloudapi.net/")))
          throw new Error("AADSTS500011: the resource principal was not found in the tenant");
        return gov.getToken(scope, options);
      },
    };
    let stdout = "";
    let stderr = "";
    const code = await runCli([...SILENCE_DR, "-o", "json"], {
      env: { ...world.env, AZURE_CLOUD: "AzureUSGovernment" },
      credential: onlyGovernment,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      now: () => clock,
    });
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ author: "carol@agency.gov" });
    expect(scopes).toEqual(["https://management.usgovcloudapi.net/.default"]);
  });

  it("is honoured by the next sweep without a restart: recorded, not notified", async () => {
    const circuit = world.estate.state.circuits[0]!;
    carrierDown(circuit, "AzurePrivatePeering", "secondary");
    const decisions: string[] = [];
    for (const m of [5, 10, 15]) {
      at(m);
      const result = await world.timerSweep();
      expect(result.events).toEqual([]);
      decisions.push(
        ...result.decisions
          .filter((d) => d.family === "path-down")
          .map((d) => `${m}:${d.action === "none" ? d.reason : d.action}`),
      );
    }
    // Held by hysteresis first; when it would have opened, the silence holds it.
    expect(decisions).toContain("15:silenced");
    expect(decisions.some((d) => /open/.test(d))).toBe(false);

    const alerts = await cli(["alerts", "-o", "json"]);
    const open = (
      JSON.parse(alerts.stdout) as {
        alerts: { severity: string; silencedBy: string | null; state: string }[];
      }
    ).alerts;
    expect(open).toEqual([
      expect.objectContaining({ severity: "Sev2", state: "held", silencedBy: id }),
    ]);
    const text = await cli(["alerts"]);
    expect(text.stdout).toMatch(
      new RegExp(
        `^Sev2 +10 min +er-circuit-prod +Private +secondary +carrier +silenced\n[\\s\\S]*?^ {6}Silence: ${id} \\(Carrier maintenance CHG-4711\\)$`,
        "m",
      ),
    );
    expect(text.stdout).toMatch(/^ {6}Next: /m);
  });

  it("expires, and the following sweep notifies what it held", async () => {
    at(16);
    const expired = await cli(["silence", "expire", id]);
    expect(expired.code, expired.stderr).toBe(0);
    expect(expired.stdout).toMatch(/expired/);
    const listed = await cli(["silence", "list", "--expired", "-o", "json"]);
    expect(
      (JSON.parse(listed.stdout) as { silences: Listed[] }).silences.find((s) => s.id === id),
    ).toMatchObject({ status: "expired" });
    const configured = await cli(["silence", "expire", "weekly-window"]);
    expect(configured.code).toBe(2);
    expect(configured.stderr).toMatch(/ERWATCH_SILENCES/);

    at(20);
    const result = await world.timerSweep();
    expect(result.events.map((e) => `${e.action} ${e.severity} ${e.paths.join("+")}`)).toEqual([
      "open Sev2 secondary",
    ]);
    const alerts = await cli(["alerts"]);
    expect(alerts.stdout).toMatch(/^Sev2 +15 min +er-circuit-prod .* firing$/m);
  });

  describe("what a tired engineer types", () => {
    const add = (...rest: string[]) =>
      cli(["silence", "add", ...rest, "--reason", "CHG-1", "--author", "alice", "-o", "json"]);
    const prod = () => estateCircuitId(world.estate.state.circuits[0]!);

    it("takes an id before any sweep has run (no readings yet), with a warning; a name then cannot be found", async () => {
      const fresh = (circuit: string) => {
        let stdout = "";
        let stderr = "";
        return runCli(
          [
            "silence",
            "add",
            "--circuit",
            circuit,
            "--duration",
            "1h",
            "--reason",
            "x",
            "--author",
            "al",
            "-o",
            "json",
          ],
          {
            env: { ...world.env, ERWATCH_TABLE_PREFIX: `fresh${process.pid}` },
            credential: estateAccess(world.estate).credential,
            stdout: { write: (t: string) => (stdout += t) },
            stderr: { write: (t: string) => (stderr += t) },
            now: () => clock,
          },
        ).then((code) => ({ code, stdout, stderr }));
      };
      const byId = await fresh(prod());
      expect(byId.code, byId.stderr).toBe(0);
      expect(JSON.parse(byId.stdout)).toMatchObject({ circuit: prod() });
      expect(byId.stderr).toMatch(/no sweep has read .* yet/);
      const byName = await fresh("er-circuit-prod");
      expect(byName.code).toBe(2);
      expect(byName.stderr).toMatch(
        /no readings to find the name in .* give the circuit's resource id/,
      );
    });

    it("refuses a name no circuit has (it was stored active and held nothing)", async () => {
      const ran = await add("--circuit", "er-circuit-prd", "--duration", "2h");
      expect(ran.code).toBe(2);
      expect(ran.stderr).toMatch(
        /--circuit "er-circuit-prd": no circuit erwatch has read is named so/,
      );
    });

    it("takes the peering as the tables show it, and an id as ARM writes it", async () => {
      const ran = await add(
        "--circuit",
        ` ${prod()}/ `,
        "--peering",
        "private",
        "--duration",
        "1h",
      );
      expect(ran.code, ran.stderr).toBe(0);
      expect(JSON.parse(ran.stdout)).toMatchObject({
        circuit: prod(),
        peering: "AzurePrivatePeering",
      });
      const typo = await add("--circuit", prod(), "--peering", "Privat", "--duration", "1h");
      expect(typo.code).toBe(2);
      expect(typo.stderr).toMatch(/--peering "Privat" is not a peering/);
    });

    it.each([
      ["99999999d", "--duration"],
      ["2000000d", "--duration"],
    ])(
      "refuses --duration %s plainly (it crashed with a stack, or stored a window to 7502)",
      async (length) => {
        const ran = await add("--circuit", prod(), "--duration", length);
        expect(ran.code).toBe(2);
        expect(ran.stderr).toMatch(/--duration ".*": at most 30d \(43200 minutes\)/);
        expect(ran.stderr).not.toMatch(/unexpected failure|"stack"/);
      },
    );

    it("refuses a recurring window of 400 days (silence list then took a minute of CPU), and names --cron's own mistake", async () => {
      const long = await add("--circuit", prod(), "--cron", "0 * * * *", "--duration", "400d");
      expect(long.code).toBe(2);
      expect(long.stderr).toMatch(/at most 30d/);
      const cron = await add("--circuit", prod(), "--cron", "61 * * * *", "--duration", "1h");
      expect(cron.code).toBe(2);
      expect(cron.stderr).toMatch(/cron "61 \* \* \* \*": /);
    });

    it("shows a window's end to the minute, as an instant", async () => {
      let stdout = "";
      const code = await runCli(["silence", "list"], {
        env: {
          ...world.env,
          ERWATCH_SILENCES: JSON.stringify([
            {
              id: "half-past",
              circuit: "er-circuit-prod",
              start: "2027-06-01T00:00Z",
              end: "2027-12-01T10:30+01:00",
            },
          ]),
        },
        credential: estateAccess(world.estate).credential,
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => true },
        now: () => clock,
      });
      expect(code).toBe(0);
      expect(stdout).toMatch(/^half-past .*→ 2027-12-01 09:30Z$/m);
    });

    it("refuses a name two circuits have, naming both ids; the id then silences that one alone", async () => {
      const other = prod().replace(
        /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/,
        "/subscriptions/00000000-0000-0000-0000-0000000000d2/resourceGroups/rg-dr",
      );
      const stored = await world.runtime.store.getSnapshot(prod());
      await world.runtime.store.putSnapshot({ ...stored!.value, circuitId: other }, null);
      const ran = await add("--circuit", "ER-CIRCUIT-PROD", "--duration", "1h");
      expect(ran.code).toBe(2);
      expect(ran.stderr).toContain('--circuit "ER-CIRCUIT-PROD" names 2 circuits');
      expect(ran.stderr).toContain(other);
      expect(ran.stderr).toContain(prod());
      const byId = await add("--circuit", other, "--duration", "1h");
      expect(byId.code, byId.stderr).toBe(0);
      expect(JSON.parse(byId.stdout)).toMatchObject({ circuit: other });
    });
  });
});
