// The tiered sweep's planner, table-driven: what is read deep and in what
// order (trouble first, then oldest), and a simulated day of sweeps proving
// the rotation alone keeps every reading younger than the age limit while
// spreading the reads evenly.

import { describe, expect, it } from "vitest";
import type { ReadAges } from "../../src/core/read-age.js";
import {
  CONNECTING_WAIT_MS,
  settlingEndsAt,
  type ReachSighting,
} from "../../src/core/reach-memory.js";
import { LEFT_OUT_OF_BODY } from "../../src/core/unknown-trouble.js";
import type { Snapshot, SnapshotCell } from "../../src/core/snapshot.js";
import {
  mustReadByMs,
  planSweep,
  readAgeCadence,
  siteMatesNext,
  sweepsPerRotation,
  troubleOf,
  turnEachSweep,
  unknownCapacityOf,
  type PlanCircuit,
  type PlanMemory,
  type PlanPolicy,
  type PlanReason,
} from "../../src/core/sweep-plan.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const MIN = 60_000;
const POLICY: PlanPolicy = { maxReadAgeMs: 15 * MIN, intervalMs: 5 * MIN, budgetMs: 4.5 * MIN };

const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

function ages(oldestMs: number | null): ReadAges {
  const at = oldestMs === null ? null : ago(oldestMs);
  return {
    circuitAt: at,
    fingerprint: "f",
    paths: {},
    gatewayAt: at,
    oldestPathAt: at,
    incomplete: false,
  };
}

const circuit = (id: string, over: Partial<PlanCircuit> = {}): PlanCircuit => ({
  id,
  name: id,
  subscriptionId: "s",
  fingerprint: "f",
  signal: null,
  ...over,
});

const memory = (entries: Record<string, Partial<PlanMemory> & { ageMs?: number | null }>) =>
  new Map<string, PlanMemory>(
    Object.entries(entries).map(([id, m]) => [
      id,
      {
        fingerprint: m.fingerprint ?? "f",
        reads: m.reads ?? ages(m.ageMs === undefined ? MIN : m.ageMs),
        trouble: m.trouble ?? null,
      },
    ]),
  );

/** Each circuit of `list` last read (every path) `offsetMs(id)` after NOW. */
const memoryReadAt = (list: PlanCircuit[], offsetMs: (id: string) => number) =>
  new Map(
    list.map((c) => [
      c.id,
      {
        fingerprint: "f",
        trouble: null,
        reads: {
          ...ages(null),
          oldestPathAt: new Date(NOW.getTime() + offsetMs(c.id)).toISOString(),
        },
      },
    ]),
  );

describe("planSweep: why a circuit is read deep", () => {
  it.each([
    { name: "never read", c: {}, m: undefined, reason: "new" },
    {
      name: "stored state not clear",
      c: {},
      m: { trouble: "bgp down on p/primary" },
      reason: "trouble",
    },
    {
      name: "a cheap signal says trouble",
      c: { signal: "BGP availability 50 %" },
      m: {},
      reason: "signal",
    },
    { name: "its body changed", c: { fingerprint: "g" }, m: {}, reason: "changed" },
    { name: "no listing this sweep", c: { fingerprint: null }, m: {}, reason: "unlisted" },
    { name: "a path never read", c: {}, m: { ageMs: null }, reason: "new" },
    { name: "too old by the next sweep's deadline", c: {}, m: { ageMs: 6 * MIN }, reason: "due" },
  ] as {
    name: string;
    c: Partial<PlanCircuit>;
    m: (Partial<PlanMemory> & { ageMs?: number | null }) | undefined;
    reason: string;
  }[])("$name → $reason", ({ c, m, reason }) => {
    // Enough quiet company that the rotation's share does not pick it up by itself.
    const quiet = Array.from({ length: 20 }, (_, i) => circuit(`q${i}`));
    const plan = planSweep(
      [circuit("x", c), ...quiet],
      memory({ ...(m ? { x: m } : {}), ...Object.fromEntries(quiet.map((q) => [q.id, {}])) }),
      NOW,
      POLICY,
    );
    expect(plan.deep.find((d) => d.id === "x")?.reason).toBe(reason);
  });

  it("leaves a quiet, recently read circuit to the cheap tier", () => {
    const quiet = Array.from({ length: 4 }, (_, i) => circuit(`q${i}`));
    const plan = planSweep(
      quiet,
      memory(Object.fromEntries(quiet.map((q) => [q.id, {}]))),
      NOW,
      POLICY,
    );
    expect(plan.rotationQuota).toBe(2);
    expect(plan.deep.map((d) => d.reason)).toEqual(["rotation", "rotation"]);
    expect(plan.quiet).toHaveLength(2);
  });
});

describe("planSweep: order", () => {
  it("reads trouble first, then what was never read, then what is due, then the rotation; oldest first within each", () => {
    const circuits = [
      circuit("rot-young"),
      circuit("due-old"),
      circuit("due-older"),
      circuit("new"),
      circuit("changed", { fingerprint: "g" }),
      circuit("trouble-young"),
      circuit("trouble-old"),
      circuit("rot-old"),
      ...Array.from({ length: 12 }, (_, i) => circuit(`quiet${i}`)),
    ];
    const plan = planSweep(
      circuits,
      memory({
        "rot-young": { ageMs: 2 * MIN },
        "rot-old": { ageMs: 4 * MIN },
        "due-old": { ageMs: 8 * MIN },
        "due-older": { ageMs: 12 * MIN },
        changed: { ageMs: 3 * MIN },
        "trouble-young": { ageMs: 1 * MIN, trouble: "x" },
        "trouble-old": { ageMs: 9 * MIN, trouble: "x" },
        ...Object.fromEntries(
          Array.from({ length: 12 }, (_, i) => [`quiet${i}`, { ageMs: 1 * MIN }]),
        ),
      }),
      NOW,
      POLICY,
    );
    expect(plan.deep.map((d) => d.id).slice(0, 8)).toEqual([
      "trouble-old",
      "changed",
      "trouble-young",
      "new",
      "due-older",
      "due-old",
      "rot-old",
      "rot-young",
    ]);
    // 20 circuits, 2 sweeps per rotation: 10 a sweep, the two due ones among them.
    expect(plan.deep.filter((d) => d.reason === "due" || d.reason === "rotation")).toHaveLength(10);
  });
});

describe("the rotation alone holds the age guarantee", () => {
  it.each([
    { circuits: 500, interval: 5, maxAge: 15, budget: 4.5 },
    { circuits: 200, interval: 5, maxAge: 15, budget: 2 },
    { circuits: 37, interval: 1, maxAge: 15, budget: 0.9 },
    { circuits: 50, interval: 5, maxAge: 30, budget: 4.5 },
  ])(
    "$circuits quiet circuits, a sweep every $interval min, limit $maxAge min: never older, load spread",
    ({ circuits, interval, maxAge, budget }) => {
      const policy = {
        maxReadAgeMs: maxAge * MIN,
        intervalMs: interval * MIN,
        budgetMs: budget * MIN,
      };
      const list = Array.from({ length: circuits }, (_, i) =>
        circuit(`c${String(i).padStart(4, "0")}`),
      );
      // All read by a first full sweep, at times spread over its budget.
      const readAt = new Map(list.map((c, i) => [c.id, (i / circuits) * policy.budgetMs]));
      const perSweep: number[] = [];
      let oldest = 0;
      for (let sweep = 1; sweep <= 24 * (60 / interval); sweep += 1) {
        const start = sweep * policy.intervalMs;
        const now = new Date(NOW.getTime() + start);
        const mem = memoryReadAt(list, (id) => readAt.get(id)!);
        const plan = planSweep(list, mem, now, policy);
        perSweep.push(plan.deep.length);
        // Read in plan order, evenly over the budget, each circuit at the worst moment: the end of its slot.
        plan.deep.forEach((d, i) => {
          const at = start + ((i + 1) / plan.deep.length) * policy.budgetMs;
          oldest = Math.max(oldest, at - readAt.get(d.id)!);
          readAt.set(d.id, at);
        });
        for (const c of list)
          oldest = Math.max(oldest, start + policy.budgetMs - readAt.get(c.id)!);
      }
      expect(oldest).toBeLessThanOrEqual(policy.maxReadAgeMs);
      const quota = Math.ceil(circuits / sweepsPerRotation(policy));
      expect(Math.max(...perSweep.slice(4))).toBeLessThanOrEqual(quota);
    },
  );
});

describe("troubleOf: what makes stored state worth reading every sweep", () => {
  const cell = (status: SnapshotCell["status"]): SnapshotCell => ({
    status,
    detail: "",
    since: NOW.toISOString(),
  });
  const snapshot = (status: SnapshotCell["status"], over: Partial<Snapshot> = {}): Snapshot => ({
    circuitId: "x",
    circuitName: "x",
    takenAt: NOW.toISOString(),
    providerState: "Provisioned",
    providerWasProvisioned: true,
    peerings: {
      AzurePrivatePeering: {
        paths: {
          primary: {
            provider: cell("up"),
            bgp: cell(status),
            peering: cell("up"),
            routes: cell("up"),
            gateway: cell("up"),
            globalReach: cell("n/a"),
            endToEnd: cell("n/a"),
            capacity: cell("n/a"),
            path: cell("up"),
          },
          secondary: {
            provider: cell("up"),
            bgp: cell("up"),
            peering: cell("up"),
            routes: cell("up"),
            gateway: cell("up"),
            globalReach: cell("n/a"),
            endToEnd: cell("n/a"),
            capacity: cell("n/a"),
            path: cell("up"),
          },
        },
        prefixes: { primary: 120, secondary: 120 },
      },
    },
    ...over,
  });

  it.each([
    { name: "all up", s: snapshot("up"), alerts: [], trouble: null },
    {
      name: "a layer down",
      s: snapshot("down"),
      alerts: [],
      trouble: "bgp down on AzurePrivatePeering/primary",
    },
    {
      name: "a layer warn",
      s: snapshot("warn"),
      alerts: [],
      trouble: "bgp warn on AzurePrivatePeering/primary",
    },
    {
      name: "a layer never read",
      s: snapshot("unknown"),
      alerts: [],
      trouble: "bgp unknown on AzurePrivatePeering/primary",
    },
    {
      name: "an alert still resolving",
      s: snapshot("up"),
      alerts: [{ family: "path-down", phase: "resolving", peering: "AzurePrivatePeering" }],
      trouble: "alert path-down on AzurePrivatePeering is resolving",
    },
    {
      name: "a read failed last time",
      s: snapshot("up", { reads: { ...ages(MIN), incomplete: true } }),
      alerts: [],
      trouble: "a read failed last time",
    },
    {
      name: "provider not provisioned",
      s: snapshot("up", { providerState: "NotProvisioned" }),
      alerts: [],
      trouble: "provider NotProvisioned",
    },
  ] as { name: string; s: Snapshot; alerts: never[]; trouble: string | null }[])(
    "$name",
    ({ s, alerts, trouble }) => {
      expect(troubleOf(s, alerts)).toBe(trouble);
    },
  );

  /** All up, but the primary path's `layer` reads `status` (its detail as the reading gave it). */
  const withRow = (layer: string, status: SnapshotCell["status"], detail: string): Snapshot => {
    const s = snapshot("up");
    const primary = s.peerings.AzurePrivatePeering!.paths.primary;
    (primary as Record<string, SnapshotCell>)[layer] = { ...cell(status), detail };
    return s;
  };

  // A metric gap (no series, only nulls) leaves the capacity row UNKNOWN at
  // every read and opens no monitoring-blind: read deep every sweep for it,
  // the circuit spent the ARM budget on reads that could not mend it.
  it.each([
    { layer: "capacity", status: "unknown", detail: "no throughput data", trouble: null },
    {
      layer: "capacity",
      status: "unknown",
      detail: "throughput data for 4 of the last 15 minutes",
      trouble: null,
    },
    {
      layer: "capacity",
      status: "down",
      detail: "no traffic either way for 15 min",
      trouble: "capacity down on AzurePrivatePeering/primary",
    },
    {
      layer: "capacity",
      status: "warn",
      detail: "in ≥ 87% of 1 Gbps for 15 min",
      trouble: "capacity warn on AzurePrivatePeering/primary",
    },
    // Never judged, UNKNOWN for what the body (the listing) left out: a deep
    // read judges that same body, and the cheap tier reads it every sweep (a
    // body that tells it again is a change, read deep at once).
    ...(
      [
        ["provider", LEFT_OUT_OF_BODY.provider],
        ["provider", LEFT_OUT_OF_BODY.peering],
        ["bgp", LEFT_OUT_OF_BODY.peering],
        ["routes", LEFT_OUT_OF_BODY.peering],
        ["peering", LEFT_OUT_OF_BODY.peering],
        ["bgp", LEFT_OUT_OF_BODY.peerings],
        ["peering", "public prefix validation not reported"],
        ["globalReach", "status not reported for gr-to-dr"],
        ["globalReach", "Global Reach connections not readable"],
      ] as const
    ).map(([layer, detail]) => ({ layer, status: "unknown", detail, trouble: null })),
    // What a deep read does mend stays trouble.
    {
      layer: "bgp",
      status: "unknown",
      detail: 'unrecognised BGP state "NoNeg"',
      trouble: "bgp unknown on AzurePrivatePeering/primary",
    },
    {
      layer: "provider",
      status: "unknown",
      detail: "ARP read failed: throttled",
      trouble: "provider unknown on AzurePrivatePeering/primary",
    },
    {
      layer: "routes",
      status: "unknown",
      detail: "route summary read failed: timeout",
      trouble: "routes unknown on AzurePrivatePeering/primary",
    },
    {
      layer: "gateway",
      status: "unknown",
      detail: "connections read failed: server-error",
      trouble: "gateway unknown on AzurePrivatePeering/primary",
    },
    {
      layer: "endToEnd",
      status: "unknown",
      detail: "Connection Monitor read failed: throttled",
      trouble: "endToEnd unknown on AzurePrivatePeering/primary",
    },
  ] as { layer: string; status: SnapshotCell["status"]; detail: string; trouble: string | null }[])(
    "$layer $status ($detail) → $trouble",
    ({ layer, status, detail, trouble }) => {
      expect(troubleOf(withRow(layer, status, detail), [])).toBe(trouble);
    },
  );

  // Log Analytics ingesting late, or its query failing, leaves end to end
  // UNKNOWN on every circuit writing to the workspace: as trouble, each was
  // read deep every sweep for the whole incident, and no ARM read mends it.
  describe("an end-to-end row UNKNOWN while its evaluation waited on Log Analytics alone", () => {
    const waiting = (status: SnapshotCell["status"]) => ({
      ...withRow(
        "endToEnd",
        status,
        "Log Analytics has ingested nothing in workspace law-network since 01:45 UTC (15 min): 1 test not judged until it catches up",
      ),
      endToEndWaitsOn: "log-analytics" as const,
    });

    it("is no trouble", () => {
      expect(troubleOf(waiting("unknown"), [])).toBeNull();
    });

    it("down or warn, as judged before, is trouble still", () => {
      expect(troubleOf(waiting("down"), [])).toBe("endToEnd down on AzurePrivatePeering/primary");
      expect(troubleOf(waiting("warn"), [])).toBe("endToEnd warn on AzurePrivatePeering/primary");
    });

    it("an alert open on the circuit is trouble still", () => {
      expect(
        troubleOf(waiting("unknown"), [
          { family: "end-to-end", phase: "firing", peering: "AzurePrivatePeering" },
        ]),
      ).toBe("alert end-to-end on AzurePrivatePeering is firing");
    });

    it("another row UNKNOWN beside it is trouble still", () => {
      const s = waiting("unknown");
      s.peerings.AzurePrivatePeering!.paths.secondary.bgp = cell("unknown");
      expect(troubleOf(s, [])).toBe("bgp unknown on AzurePrivatePeering/secondary");
    });

    it("a mark that is not erwatch's (a hand edit) leaves it trouble", () => {
      const s = { ...waiting("unknown"), endToEndWaitsOn: "yes" } as unknown as Snapshot;
      expect(troubleOf(s, [])).toBe("endToEnd unknown on AzurePrivatePeering/primary");
    });
  });

  // The snapshot keeps a judged row's status and the UNKNOWN beside it
  // (`shown`): read from the status alone, it was no trouble, and waited for
  // the circuit's turn. One deep read is owed when one may mend it; a later
  // deep read that leaves it UNKNOWN settles it until the turn.
  describe("a row judged before and read UNKNOWN at the latest deep read", () => {
    const EARLIER = ago(5 * MIN);
    const judged = (
      layer: string,
      detail: string,
      since = NOW.toISOString(),
      was: SnapshotCell["status"] = "up",
    ): Snapshot => {
      const s = withRow(layer, was, "as judged before");
      const primary = s.peerings.AzurePrivatePeering!.paths.primary as Record<string, SnapshotCell>;
      primary[layer] = { ...primary[layer]!, shown: { status: "unknown", detail, since } };
      return s;
    };

    it.each([
      {
        layer: "bgp",
        detail: 'unrecognised BGP state "NoNeg"',
        trouble:
          'bgp unknown on AzurePrivatePeering/primary (up before): unrecognised BGP state "NoNeg"',
      },
      {
        layer: "routes",
        detail: "session state unknown",
        trouble: "routes unknown on AzurePrivatePeering/primary (up before): session state unknown",
      },
      {
        layer: "gateway",
        detail: "connection status not known (conn-prod: Unknown)",
        trouble:
          "gateway unknown on AzurePrivatePeering/primary (up before): connection status not known (conn-prod: Unknown)",
      },
      {
        layer: "endToEnd",
        detail: "Connection Monitor read failed: throttled",
        trouble:
          "endToEnd unknown on AzurePrivatePeering/primary (up before): Connection Monitor read failed: throttled",
      },
      // What the cheap tier reads every sweep (the body, the metrics) mends without one.
      { layer: "peering", detail: "public prefix validation not reported", trouble: null },
      { layer: "globalReach", detail: "Global Reach connections not readable", trouble: null },
      { layer: "provider", detail: "provider state not reported", trouble: null },
      { layer: "capacity", detail: "no throughput data", trouble: null },
    ])("$layer ($detail), first read UNKNOWN now → $trouble", ({ layer, detail, trouble }) => {
      expect(troubleOf(judged(layer, detail), [])).toBe(trouble);
    });

    it("n/a before says so", () => {
      expect(
        troubleOf(
          judged("gateway", "connection status not known (c: Unknown)", NOW.toISOString(), "n/a"),
          [],
        ),
      ).toBe(
        "gateway unknown on AzurePrivatePeering/primary (n/a before): connection status not known (c: Unknown)",
      );
    });

    it("a deep read after the first that left it UNKNOWN settles it until the circuit's turn", () => {
      expect(troubleOf(judged("bgp", 'unrecognised BGP state "NoNeg"', EARLIER), [])).toBeNull();
    });

    it("a since that is not a time (a hand edit, kept as it is at every read) is settled, not trouble every sweep", () => {
      expect(
        troubleOf(judged("bgp", 'unrecognised BGP state "NoNeg"', "yesterday"), []),
      ).toBeNull();
    });

    it("end to end waiting on Log Analytics alone is no trouble", () => {
      const s = {
        ...judged("endToEnd", "Log Analytics has ingested nothing"),
        endToEndWaitsOn: "log-analytics" as const,
      };
      expect(troubleOf(s, [])).toBeNull();
    });
  });

  // A connection Connecting since it appeared is held as being set up for
  // CONNECTING_WAIT_MS (reach-memory.ts), its row warning: as trouble, the
  // circuit was read deep every sweep for half an hour, each read saying the
  // same. The hold's end is planned instead (settlingEndsAt).
  describe("a Global Reach row warning while a connection is being set up", () => {
    const SINCE = ago(10 * MIN);
    const settling = (
      reach: ReachSighting[] | undefined,
      status: SnapshotCell["status"] = "warn",
    ): Snapshot => {
      const s = withRow(
        "globalReach",
        status,
        "gr-new Connecting — still connecting since 01:50 UTC",
      );
      s.peerings.AzurePrivatePeering!.paths.secondary.globalReach = {
        ...cell(status),
        detail: "gr-new Connecting — still connecting since 01:50 UTC",
      };
      if (reach !== undefined) s.peerings.AzurePrivatePeering!.reach = reach;
      return s;
    };
    const held = [{ key: "outbound|gr-new|/peer|ipv4", connectingSince: SINCE }];

    it.each<{ name: string; s: Snapshot; trouble: string | null; endsAt: number | null }>([
      {
        name: "held, its start kept: no trouble, its hold's end kept",
        s: settling(held),
        trouble: null,
        endsAt: Date.parse(SINCE) + CONNECTING_WAIT_MS,
      },
      {
        name: "of two held, the first hold to end",
        s: settling([
          ...held,
          { key: "outbound|gr-other|/peer|ipv4", connectingSince: ago(20 * MIN) },
          { key: "outbound|gr-up|/peer|ipv4" },
        ]),
        trouble: null,
        endsAt: Date.parse(ago(20 * MIN)) + CONNECTING_WAIT_MS,
      },
      {
        name: "kept before sightings were (no hold to plan): trouble, as before",
        s: settling(undefined),
        trouble: "globalReach warn on AzurePrivatePeering/primary",
        endsAt: null,
      },
      {
        // Before: trouble, read deep every sweep, and never judged stuck.
        name: "a start that is not a time (a hand edit): held from the snapshot's instant",
        s: settling([{ key: "outbound|gr-new|/peer|ipv4", connectingSince: "yesterday" }]),
        trouble: null,
        endsAt: Date.parse(ago(0)) + CONNECTING_WAIT_MS,
      },
      {
        name: "a start after the snapshot's clock: held from the snapshot's instant",
        s: settling([
          { key: "outbound|gr-new|/peer|ipv4", connectingSince: "2099-01-01T00:00:00.000Z" },
        ]),
        trouble: null,
        endsAt: Date.parse(ago(0)) + CONNECTING_WAIT_MS,
      },
      {
        name: "the hold up before the snapshot was taken: none held",
        s: settling([{ key: "outbound|gr-new|/peer|ipv4", connectingSince: ago(31 * MIN) }]),
        trouble: "globalReach warn on AzurePrivatePeering/primary",
        endsAt: null,
      },
      {
        name: "stuck (down): trouble",
        s: settling(held, "down"),
        trouble: "globalReach down on AzurePrivatePeering/primary",
        endsAt: Date.parse(SINCE) + CONNECTING_WAIT_MS,
      },
    ])("$name", ({ s, trouble, endsAt }) => {
      expect(troubleOf(s, [])).toBe(trouble);
      expect(settlingEndsAt(s)).toBe(endsAt);
    });

    it("another row warning beside it is trouble still", () => {
      const s = settling(held);
      s.peerings.AzurePrivatePeering!.paths.secondary.bgp = cell("warn");
      expect(troubleOf(s, [])).toBe("bgp warn on AzurePrivatePeering/secondary");
    });

    it("held on another peering only: this peering's warning is trouble", () => {
      const s = settling(undefined);
      s.peerings.MicrosoftPeering = {
        ...s.peerings.AzurePrivatePeering!,
        paths: snapshot("up").peerings.AzurePrivatePeering!.paths,
        reach: held,
      };
      expect(troubleOf(s, [])).toBe("globalReach warn on AzurePrivatePeering/primary");
    });
  });

  it("a capacity row UNKNOWN beside a BGP row UNKNOWN: the BGP row is trouble", () => {
    const s = withRow("capacity", "unknown", "no throughput data");
    s.peerings.AzurePrivatePeering!.paths.secondary.bgp = cell("unknown");
    expect(troubleOf(s, [])).toBe("bgp unknown on AzurePrivatePeering/secondary");
  });

  it("unknownCapacityOf names each path whose capacity row is UNKNOWN, in lower case; a peering stored as anything else has none", () => {
    const s = withRow("capacity", "unknown", "no throughput data");
    s.peerings.AzurePrivatePeering!.paths.secondary.capacity = cell("up");
    expect(unknownCapacityOf(s)).toEqual(["azureprivatepeering/primary"]);
    (s.peerings as Record<string, unknown>).MicrosoftPeering = "cut off";
    (s.peerings as Record<string, unknown>).AzurePublicPeering = { paths: null };
    expect(unknownCapacityOf(s)).toEqual(["azureprivatepeering/primary"]);
  });

  it("unknownCapacityOf names a row the latest reading left UNKNOWN after it was judged (kept as up, UNKNOWN shown beside)", () => {
    const s = withRow("capacity", "up", "in 24% · out 9% of 1 Gbps");
    s.peerings.AzurePrivatePeering!.paths.secondary.capacity = {
      ...cell("up"),
      shown: { status: "unknown", detail: "no throughput data", since: NOW.toISOString() },
    };
    expect(unknownCapacityOf(s)).toEqual(["azureprivatepeering/secondary"]);
  });
});

describe("a capacity row left UNKNOWN whose throughput Azure Monitor has again", () => {
  const unknownPrimary = { unknownCapacity: ["azureprivatepeering/primary"] };
  const plan = (c: Partial<PlanCircuit>) =>
    planSweep(
      [circuit("a", c), circuit("b")],
      new Map(
        [...memory({ a: {}, b: {} })].map(([id, m]) => [
          id,
          { ...m, ...(id === "a" ? unknownPrimary : {}) },
        ]),
      ),
      NOW,
      POLICY,
    );

  it("is read deep this sweep, saying why, though its readings are young", () => {
    const got = plan({
      throughput: ["azureprivatepeering/primary", "azureprivatepeering/secondary"],
    });
    expect(got.deep.find((d) => d.id === "a")).toMatchObject({
      reason: "signal",
      detail: expect.stringContaining("azureprivatepeering/primary"),
    });
  });

  it.each([
    { name: "no throughput judged", throughput: [] },
    { name: "only another path's", throughput: ["azureprivatepeering/secondary"] },
  ])("$name: waits for its turn", ({ throughput }) => {
    const got = plan({ throughput });
    expect(got.deep.find((d) => d.id === "a")?.reason ?? "quiet").not.toBe("signal");
  });
});

describe("the next tick a little late: what is left for it is still read within the limit", () => {
  // Azure's timers fire a few hundred ms to seconds late, and the next
  // sweep's window is counted from when it fires: a circuit left quiet at
  // the very edge was read past the limit by that lateness.
  it.each([0, 1, 5, 10, 15])("the next tick %i s late", (lateS) => {
    const company = Array.from({ length: 40 }, (_, i) => circuit(`q${String(i).padStart(2, "0")}`));
    for (let ageS = 4 * 60; ageS <= 7 * 60; ageS += 5) {
      const plan = planSweep(
        [circuit("edge"), ...company],
        // The company older, so the rotation's share never picks the edge circuit up.
        memory({
          edge: { ageMs: ageS * 1000 },
          ...Object.fromEntries(company.map((q) => [q.id, { ageMs: 9 * MIN }])),
        }),
        NOW,
        POLICY,
      );
      if (plan.deep.some((d) => d.id === "edge")) continue;
      // Left for the next sweep, which reads it as late as its deadline.
      const readNextAt = ageS * 1000 + POLICY.intervalMs + lateS * 1000 + POLICY.budgetMs;
      expect(readNextAt, `left quiet at ${ageS} s old`).toBeLessThanOrEqual(POLICY.maxReadAgeMs);
    }
  });
});

describe("a schedule the age limit cannot spread reads over", () => {
  it.each([
    // SWEEP_SCHEDULE every 10 or 15 min, the default 15-minute limit, the timer's window.
    { interval: 10, maxAge: 15, budget: 9, everySweep: true, held: false, worst: 19.25 },
    { interval: 15, maxAge: 15, budget: 9.25, everySweep: true, held: false, worst: 24.5 },
    { interval: 5, maxAge: 9, budget: 4.5, everySweep: true, held: false, worst: 9.75 },
    { interval: 5, maxAge: 15, budget: 4.5, everySweep: false, held: true, worst: 9.75 },
    { interval: 10, maxAge: 30, budget: 9, everySweep: false, held: true, worst: 19.25 },
  ])(
    "every $interval min, limit $maxAge min: every circuit every sweep $everySweep, limit held $held",
    ({ interval, maxAge, budget, everySweep, held, worst }) => {
      const policy = {
        maxReadAgeMs: maxAge * MIN,
        intervalMs: interval * MIN,
        budgetMs: budget * MIN,
      };
      expect(readAgeCadence(policy)).toEqual({ everySweep, held, worstAgeMs: worst * MIN });
      // What the planner does with it: circuits read one sweep ago are all due, or not.
      const list = Array.from({ length: 10 }, (_, i) => circuit(`c${i}`));
      const plan = planSweep(
        list,
        memory(
          Object.fromEntries(list.map((c, i) => [c.id, { ageMs: (interval - i * 0.4) * MIN }])),
        ),
        NOW,
        policy,
      );
      expect(plan.deep.every((d) => d.reason === "due")).toBe(everySweep);
      expect(mustReadByMs(policy) <= 0).toBe(everySweep);
    },
  );
});

describe("turnEachSweep: nothing remembered, the turn moves on each sweep", () => {
  const circuits = ["a", "b", "c", "d", "e", "f", "g"];
  /** What a sweep whose deadline leaves room for `room` deep reads would read, sweep after sweep. */
  const readOver = (sweeps: number, share: number, room: number) =>
    Array.from({ length: sweeps }, (_, k) =>
      turnEachSweep(
        circuits,
        () => true,
        new Date(Date.UTC(2026, 11, 2, 3, 5 * k)),
        5 * MIN,
        share,
      ).slice(0, room),
    );

  it.each([
    { share: 3, room: 3, sweeps: 3 },
    { share: 2, room: 2, sweeps: 4 },
    { share: 4, room: 4, sweeps: 2 },
  ])(
    "a deadline with room for $room reads every circuit within $sweeps sweeps (share $share), not the same ones each time",
    ({ share, room, sweeps }) => {
      const read = readOver(sweeps, share, room);
      expect(new Set(read.flat())).toEqual(new Set(circuits));
      expect(new Set(read.map((r) => r.join()))).toHaveProperty("size", sweeps);
    },
  );

  it("moves only what it turns: trouble and the forced keep their places", () => {
    const items = ["trouble-1", "n1", "n2", "n3", "due-1"];
    const turned = turnEachSweep(items, (i) => i.startsWith("n"), new Date(5 * MIN), 5 * MIN, 1);
    expect(turned).toEqual(["trouble-1", "n2", "n3", "n1", "due-1"]);
  });

  it("is the same list within one interval (two runs of one sweep agree)", () => {
    const at = (m: number) => turnEachSweep(circuits, () => true, new Date(m * MIN), 5 * MIN, 3);
    expect(at(10)).toEqual(at(14));
    expect(at(15)).not.toEqual(at(14));
  });
});

describe("the clock steps back: readings dated after the sweep's clock", () => {
  // A host clock two hours fast stamped every reading; then it was corrected.
  // Readings "from the future" read as 0 min old: the rotation read the
  // circuits it had just read (the only ones with an age) and left the rest
  // unread until the clock caught up with their stamps, two hours on.
  it("20 quiet circuits: every one is read again within the age limit of real time", () => {
    const list = Array.from({ length: 20 }, (_, i) => circuit(`c${String(i).padStart(2, "0")}`));
    const FAST = 120 * MIN;
    // Real time each circuit was last read; all read at real 0 by the fast clock.
    const readReal = new Map(list.map((c) => [c.id, 0]));
    const stamp = new Map(list.map((c) => [c.id, FAST]));
    let oldest = 0;
    for (let sweep = 1; sweep <= 30; sweep += 1) {
      const real = sweep * POLICY.intervalMs;
      // The clock is corrected before the first sweep: it reads real time from now on.
      const now = new Date(NOW.getTime() + real);
      const mem = memoryReadAt(list, (id) => stamp.get(id)!);
      const plan = planSweep(list, mem, now, POLICY);
      for (const d of plan.deep) {
        readReal.set(d.id, real + POLICY.budgetMs);
        stamp.set(d.id, real + POLICY.budgetMs);
      }
      for (const c of list) oldest = Math.max(oldest, real + POLICY.budgetMs - readReal.get(c.id)!);
    }
    expect(oldest).toBeLessThanOrEqual(POLICY.maxReadAgeMs);
  });

  it("says why a circuit whose readings are dated after its clock is read", () => {
    const ahead = new Date(NOW.getTime() + 60 * MIN).toISOString();
    const plan = planSweep(
      [circuit("a")],
      new Map([
        ["a", { fingerprint: "f", trouble: null, reads: { ...ages(null), oldestPathAt: ahead } }],
      ]),
      NOW,
      POLICY,
    );
    expect(plan.deep.map((d) => [d.reason, d.detail])).toEqual([
      [
        "due",
        "its readings are dated after this sweep's clock (the clock stepped back): how old they are is unknown",
      ],
    ]);
  });

  it("a reading a moment after the clock (a concurrent sweep's) is young, not due", () => {
    const ahead = new Date(NOW.getTime() + 30_000).toISOString();
    const plan = planSweep(
      [circuit("a"), circuit("b")],
      new Map([
        ["a", { fingerprint: "f", trouble: null, reads: { ...ages(null), oldestPathAt: ahead } }],
        ["b", { fingerprint: "f", trouble: null, reads: ages(MIN) }],
      ]),
      NOW,
      POLICY,
    );
    expect(plan.deep.map((d) => [d.id, d.reason])).toEqual([["b", "rotation"]]);
  });
});

describe("a kept reading time that is not a time: due, oldest first, never fresh", () => {
  // A snapshot row is any text to its schema (a hand edit, a cut-off write, an
  // older erwatch). Date.parse read "" or "yesterday" as NaN: no age limit is
  // ever passed by NaN, so the circuit fell to the rotation with an age every
  // comparison called a tie, and the oldest-first order depended on the order
  // the circuits were listed in. "42" it read as 2042: 0 min old, read last of
  // the due. Such a reading is of unknown age: due, before every known age.
  const ODD: { name: string; at: unknown }[] = [
    { name: "empty", at: "" },
    { name: "a word", at: "yesterday" },
    { name: "a number as text (2042 to Date.parse)", at: "42" },
    { name: "epoch ms as text", at: "1795312800000" },
    { name: "a number", at: 42 },
    {
      name: "a time without its zone (the host's own zone to Date.parse)",
      at: "2026-11-22T02:00:00",
    },
  ];
  const oddReads = (at: unknown): ReadAges => ({ ...ages(MIN), oldestPathAt: at as string });

  it.each(ODD)("$name: planned due, first of the due and the rotation", ({ at }) => {
    const quiet = Array.from({ length: 20 }, (_, i) => circuit(`q${String(i).padStart(2, "0")}`));
    const list = [circuit("odd"), circuit("due-older"), ...quiet];
    const mem = new Map([
      ...memory({
        "due-older": { ageMs: 12 * MIN },
        ...Object.fromEntries(quiet.map((q, i) => [q.id, { ageMs: (i % 5) * MIN }])),
      }),
      ["odd", { fingerprint: "f", trouble: null, reads: oddReads(at) }],
    ]);
    const plan = planSweep(list, mem, NOW, POLICY);
    expect(plan.deep[0]).toMatchObject({
      id: "odd",
      reason: "due",
      detail:
        "the time of its oldest reading is not a time (a hand edit, a cut-off write): how old it is is unknown",
      ageMs: null,
    });
    expect(plan.deep[1]).toMatchObject({ id: "due-older", reason: "due" });
    // One order, whatever order the circuits are listed in (NaN made ties of every comparison).
    for (const order of [[...list].reverse(), [...list.slice(7), ...list.slice(0, 7)]])
      expect(planSweep(order, mem, NOW, POLICY).deep.map((d) => d.id)).toEqual(
        plan.deep.map((d) => d.id),
      );
  });

  it.each(ODD)(
    "$name: with 20 quiet circuits, no reading older than the age limit (README)",
    ({ at }) => {
      const list = Array.from({ length: 20 }, (_, i) => circuit(`c${String(i).padStart(2, "0")}`));
      // Real time each circuit was last read: c07's is lost (its kept time is not one).
      const readReal = new Map(list.map((c, i) => [c.id, -(i % 3) * MIN]));
      readReal.set("c07", Number.NEGATIVE_INFINITY);
      let oldest = 0;
      for (let sweep = 1; sweep <= 12; sweep += 1) {
        const real = sweep * POLICY.intervalMs;
        const now = new Date(NOW.getTime() + real);
        const mem = new Map(
          list.map((c) => {
            const read = readReal.get(c.id)!;
            const reads: ReadAges = Number.isFinite(read)
              ? { ...ages(null), oldestPathAt: new Date(NOW.getTime() + read).toISOString() }
              : oddReads(at);
            return [c.id, { fingerprint: "f", trouble: null, reads }];
          }),
        );
        for (const d of planSweep(list, mem, now, POLICY).deep)
          readReal.set(d.id, real + POLICY.budgetMs);
        for (const c of list)
          oldest = Math.max(oldest, real + POLICY.budgetMs - readReal.get(c.id)!);
      }
      expect(oldest).toBeLessThanOrEqual(POLICY.maxReadAgeMs);
    },
  );
});

describe("an availability dip sends a circuit deep only when its last deep read has not seen it", () => {
  // A one-hour age limit: the rotation takes 2 of these 21 circuits a sweep
  // (the quiet company, first by id), so what x gets is the dip's doing.
  const LONG: PlanPolicy = { ...POLICY, maxReadAgeMs: 60 * MIN };
  const at = (msAgo: number) => ago(msAgo);
  const dip = (msAgo: number, value = 0, path: "primary" | "secondary" = "primary") => ({
    metric: "BgpAvailability",
    peering: "AzurePrivatePeering",
    path,
    at: at(msAgo),
    value,
  });
  /** Read deep at `deepAgo` (null: kept before the instant was), every read working unless `incomplete`. */
  const readDeep = (deepAgo: number | null, over: Partial<ReadAges> = {}): ReadAges => ({
    ...ages(5 * MIN),
    ...(deepAgo === null ? {} : { pathsReadAt: at(deepAgo) }),
    ...over,
  });
  const company = Array.from({ length: 20 }, (_, i) => circuit(`q${i}`));

  it.each([
    {
      name: "a dip before the last deep read began (that read came after it)",
      dips: [dip(7 * MIN)],
      reads: readDeep(5 * MIN),
      want: null,
    },
    {
      name: "a dip whose minute ended as the last deep read began",
      dips: [dip(6 * MIN)],
      reads: readDeep(5 * MIN),
      want: null,
    },
    {
      name: "a dip in the minute the last deep read began in (it may have come after the read)",
      dips: [dip(5 * MIN)],
      reads: readDeep(5 * MIN - 20_000),
      want: /BgpAvailability 0 % on AzurePrivatePeering primary/,
    },
    {
      name: "a dip after the last deep read, delivered however late",
      dips: [dip(4 * MIN)],
      reads: readDeep(5 * MIN),
      want: /BgpAvailability 0 % on AzurePrivatePeering primary/,
    },
    {
      name: "of a seen 0 % and an unseen 50 %, the unseen one is named",
      dips: [dip(8 * MIN, 0), dip(2 * MIN, 50, "secondary")],
      reads: readDeep(5 * MIN),
      want: /^Azure Monitor: BgpAvailability 50 % on AzurePrivatePeering secondary at \S+$/,
    },
    {
      name: "a dip before a concurrent sweep's deep read (dated a little after this clock)",
      dips: [dip(1 * MIN)],
      reads: readDeep(-2 * MIN),
      want: null,
    },
    {
      name: "a dip on a circuit never read deep",
      dips: [dip(7 * MIN)],
      reads: undefined,
      want: /BgpAvailability 0 %/,
    },
    {
      name: "a dip before a deep read kept without its instant (an older erwatch's)",
      dips: [dip(7 * MIN)],
      reads: readDeep(null),
      want: /BgpAvailability 0 %/,
    },
    {
      name: "a dip before a deep read that failed in part (monitoring-blind, UNKNOWN): not read",
      dips: [dip(7 * MIN)],
      reads: readDeep(5 * MIN, { incomplete: true }),
      want: /BgpAvailability 0 %/,
    },
    {
      name: "a dip before a deep read whose every failed read was refused for good (no try sees BGP while the route summary is refused)",
      dips: [dip(7 * MIN)],
      reads: readDeep(null, {
        incomplete: true,
        retryFirst: false,
        pathsFailed: true,
        pathsReadAt: null,
        deepReadAt: at(5 * MIN),
      }),
      want: null,
    },
    {
      name: "a dip after a deep read whose every failed read was refused for good",
      dips: [dip(4 * MIN)],
      reads: readDeep(null, {
        incomplete: true,
        retryFirst: false,
        pathsFailed: true,
        pathsReadAt: null,
        deepReadAt: at(5 * MIN),
      }),
      want: /BgpAvailability 0 %/,
    },
    {
      name: "a dip before a deep read refused for good, kept before its instant was (an older erwatch's)",
      dips: [dip(7 * MIN)],
      reads: readDeep(null, { incomplete: true, retryFirst: false, pathsReadAt: null }),
      want: /BgpAvailability 0 %/,
    },
    {
      name: "a dip before a deep read that failed in a way a later try may mend (throttled)",
      dips: [dip(7 * MIN)],
      reads: readDeep(20 * MIN, { incomplete: true, retryFirst: true, deepReadAt: at(5 * MIN) }),
      want: /BgpAvailability 0 %/,
    },
    {
      name: "a dip before a deep read whose kept instant is not a time",
      dips: [dip(7 * MIN)],
      reads: readDeep(5 * MIN, { pathsReadAt: "yesterday" }),
      want: /BgpAvailability 0 %/,
    },
    {
      name: "a dip before a deep read dated after the clock by more than a sweep runs (the clock stepped back)",
      dips: [dip(7 * MIN)],
      reads: readDeep(-11 * MIN),
      want: /BgpAvailability 0 %/,
    },
  ])("$name", ({ dips, reads, want }) => {
    const x = circuit("x", { dips });
    const known = memory(Object.fromEntries(company.map((q) => [q.id, { ageMs: 5 * MIN }])));
    if (reads) known.set("x", { fingerprint: "f", trouble: null, reads });
    const plan = planSweep([x, ...company], known, NOW, LONG);
    const read = plan.deep.find((d) => d.id === "x");
    if (want === null) {
      expect(read).toBeUndefined();
      expect(plan.quiet.map((q) => q.id)).toContain("x");
    } else expect(read).toMatchObject({ reason: "signal", detail: expect.stringMatching(want) });
  });

  it("a seen dip beside a signal that is not a dip (traffic stopped) leaves that signal as it was", () => {
    const plan = planSweep(
      [circuit("x", { dips: [dip(7 * MIN)], signal: "Azure Monitor: no traffic either way" })],
      memory({ x: { reads: readDeep(5 * MIN) } }),
      NOW,
      LONG,
    );
    expect(plan.deep).toMatchObject([
      { id: "x", reason: "signal", detail: "Azure Monitor: no traffic either way" },
    ]);
  });

  it("a seen dip on a circuit whose stored state is trouble leaves it read for its trouble", () => {
    const plan = planSweep(
      [circuit("x", { dips: [dip(7 * MIN)] }), ...company],
      memory({
        x: { reads: readDeep(5 * MIN), trouble: "bgp down on p/primary" },
        ...Object.fromEntries(company.map((q) => [q.id, { ageMs: 5 * MIN }])),
      }),
      NOW,
      LONG,
    );
    expect(plan.deep.find((d) => d.id === "x")).toMatchObject({
      reason: "trouble",
      detail: "bgp down on p/primary",
    });
  });
});

describe("a Global Reach connection's set-up hold: read deep at the first sweep once it is up", () => {
  // A one-hour age limit: the rotation takes 2 of these 21 circuits a sweep
  // (the quiet company, first by id), so what x gets is the hold's doing.
  const LONG: PlanPolicy = { ...POLICY, maxReadAgeMs: 60 * MIN };
  const company = Array.from({ length: 20 }, (_, i) => circuit(`q${i}`));
  const plan = (settlingEndsAt: number | null, trouble: string | null = null) => {
    const known = memory(Object.fromEntries(company.map((q) => [q.id, { ageMs: 5 * MIN }])));
    known.set("x", { fingerprint: "f", trouble, reads: ages(5 * MIN), settlingEndsAt });
    return planSweep([circuit("x"), ...company], known, NOW, LONG);
  };

  it.each<{ name: string; endsAt: number | null; want: string | null }>([
    { name: "none held", endsAt: null, want: null },
    { name: "held a minute more: its turn", endsAt: NOW.getTime() + MIN, want: null },
    {
      name: "up as the sweep starts",
      endsAt: NOW.getTime(),
      want: "a Global Reach connection's set-up hold ended at 02:00 UTC: judged again (stuck, or connected)",
    },
    {
      name: "up since the sweep before (read a moment before it was up, still held)",
      endsAt: NOW.getTime() - 4 * MIN,
      want: "a Global Reach connection's set-up hold ended at 01:56 UTC: judged again (stuck, or connected)",
    },
  ])("$name", ({ endsAt, want }) => {
    const read = plan(endsAt).deep.find((d) => d.id === "x");
    if (want === null) expect(read).toBeUndefined();
    else expect(read).toMatchObject({ reason: "trouble", detail: want });
  });

  it("trouble of its own is said first", () => {
    expect(
      plan(NOW.getTime(), "bgp down on p/primary").deep.find((d) => d.id === "x"),
    ).toMatchObject({ reason: "trouble", detail: "bgp down on p/primary" });
  });

  it("at the 5-minute cadence a hold up between two sweeps is read at the next: never a turn later", () => {
    for (let endsIn = 1; endsIn <= 5; endsIn += 1) {
      const endsAt = NOW.getTime() + endsIn * MIN;
      const sweeps = [0, 5].map((m) => {
        const known = memory({ x: { ageMs: MIN } });
        known.set("x", {
          fingerprint: "f",
          trouble: null,
          reads: ages(MIN),
          settlingEndsAt: endsAt,
        });
        return planSweep([circuit("x")], known, new Date(NOW.getTime() + m * MIN), LONG).deep.some(
          (d) => d.reason === "trouble",
        );
      });
      expect(sweeps, `hold up ${endsIn} min after a sweep`).toEqual([false, true]);
    }
  });
});

describe("siteMatesNext: a suspect's site-mates read straight after the suspects", () => {
  type Read = { id: string; reason: PlanReason; at: string | null };
  const order = (reads: Read[]) =>
    siteMatesNext(
      reads,
      (r) => r.reason,
      (r) => r.at,
    ).map((r) => r.id);

  it("suspects first; then the due reads at their places, the other due reads, the rotation's at their places, the rest", () => {
    // As planSweep orders them: suspects, then due and rotation, oldest first.
    const plan: Read[] = [
      { id: "s-ams", reason: "signal", at: "ams" },
      { id: "n-lon", reason: "new", at: "lon" },
      { id: "d-fra", reason: "due", at: "fra" },
      { id: "d-ams", reason: "due", at: "ams" },
      { id: "d-none", reason: "due", at: null },
      { id: "d-lon", reason: "due", at: "lon" },
      { id: "r-fra", reason: "rotation", at: "fra" },
      { id: "r-lon", reason: "rotation", at: "lon" },
      { id: "r-ams", reason: "rotation", at: "ams" },
    ];
    expect(order(plan)).toEqual([
      "s-ams",
      "n-lon",
      "d-ams",
      "d-lon",
      "d-fra",
      "d-none",
      // A read not due never goes ahead of one that is: a deadline cuts the rotation, not the age limit.
      "r-lon",
      "r-ams",
      "r-fra",
    ]);
  });

  it("without a suspect, or with suspects at no known place, the plan's order stands", () => {
    const quiet: Read[] = [
      { id: "d1", reason: "due", at: "ams" },
      { id: "d2", reason: "due", at: "lon" },
      { id: "r1", reason: "rotation", at: "lon" },
      { id: "r2", reason: "rotation", at: "ams" },
    ];
    expect(order(quiet)).toEqual(["d1", "d2", "r1", "r2"]);
    expect(order([{ id: "u", reason: "unlisted", at: null }, ...quiet])).toEqual([
      "u",
      "d1",
      "d2",
      "r1",
      "r2",
    ]);
  });
});
