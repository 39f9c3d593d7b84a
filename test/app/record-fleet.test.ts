// The fleet step against storage: a fleet alert holds its members' outages
// only when this run wrote it naming them. One another run of the sweep judged
// firing at this instant takes this run's circuits in (and says so); one it
// judged otherwise, or one a concurrent run rewrote with members this run has
// not seen, holds none of them: they page on their own, never held silently.

import { describe, expect, it } from "vitest";
import { alertKey, FAMILY_OF } from "../../src/core/alert-identity.js";
import { fleetCircuitId } from "../../src/core/fleet.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import type { Finding } from "../../src/core/model.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY, type Silence } from "../../src/core/policy.js";
import { subjectVerdict } from "../../src/core/sight.js";
import type { CircuitTarget } from "../../src/app/ports.js";
import type { PreparedCircuit, RecordDeps } from "../../src/app/record-circuit.js";
import { fleetPlacesOf, recordFleet, settleFleets } from "../../src/app/record-fleet.js";
import type { StateStore, Stored } from "../../src/app/state-store.js";
import { ConflictError } from "../../src/adapters/tables/errors.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:05:00.000Z");
const FLEET_ID = fleetCircuitId("Equinix", "Amsterdam", "provider");
const FLEET_KEY = alertKey(FLEET_ID, null, "fleet");

const down: Finding = {
  code: "provider-not-provisioned",
  layer: "provider",
  owner: "carrier",
  severity: "Sev0",
  peering: null,
  paths: [],
  title: "The provider de-provisioned the circuit",
  nextAction: "Call the carrier.",
  evidence: {},
};

/** Both paths' ARP lost while the other side could not be read: Sev1, which waits a sweep alone. */
const unverified: Finding = {
  ...down,
  code: "arp-missing",
  severity: "Sev1",
  peering: "AzurePrivatePeering",
  paths: ["primary"],
  title: "ARP lost on primary; secondary unverified",
};

function circuit(name: string, finding: Finding = down): PreparedCircuit {
  const id = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
  const verdict = {
    ...subjectVerdict({ id, name, subscriptionId: "s", resourceGroup: "rg" }, NOW),
    serviceProviderName: "Equinix",
    peeringLocation: "Amsterdam",
    serviceKey: `key-${name}`,
    circuitRead: true,
  };
  const family = FAMILY_OF[finding.code];
  const key = alertKey(id, finding.peering, family);
  return {
    verdict,
    observations: [
      {
        key,
        family,
        circuitId: id,
        peering: finding.peering,
        state: "firing",
        finding,
        previousReadAt: null,
      },
    ],
    alerts: new Map(),
  };
}

/** A circuit's snapshot as the timer reads it of a fleet member: watched, last read long ago. */
const WATCHED = { takenAt: "2026-11-22T01:00:00.000Z", reads: { incomplete: false } };

/**
 * A member's snapshot as the worker that wrote its alerts kept it: taken at
 * their latest evaluation, every read of it worked; WATCHED without alerts.
 */
function keptWith(alerts: readonly Stored<AlertState>[], circuitId: string): object {
  const latest = alerts
    .filter((a) => a.value.circuitId.toLowerCase() === circuitId.toLowerCase())
    .map((a) => a.value.lastEvaluatedAt)
    .sort()
    .at(-1);
  return latest
    ? { takenAt: latest, reads: { incomplete: false, pathsFailed: false, pathsReadAt: latest } }
    : WATCHED;
}

/**
 * Only what the fleet step touches; every write is kept. `conflicts`: winners' states, one per lost race.
 * `snapshots`: by circuit name, null for none (no longer watched); every other circuit is kept with
 * its alerts (`keptWith`).
 */
function store(
  alerts: Stored<AlertState>[],
  conflicts: AlertState[] = [],
  snapshots: Record<string, object | null> = {},
) {
  const commits: AlertState[] = [];
  const snapshotReads: string[] = [];
  let current = alerts;
  const fake = {
    getSnapshot: async (circuitId: string) => {
      snapshotReads.push(circuitId);
      const name = circuitId.split("/").at(-1)!;
      const value = name in snapshots ? snapshots[name] : keptWith(alerts, circuitId);
      return value === null ? null : { value, etag: "s" };
    },
    listAlerts: async () => alerts,
    getAlert: async (_: string, key: string) => current.find((a) => a.value.key === key) ?? null,
    commitAlert: async (state: AlertState) => {
      const winner = conflicts.shift();
      if (winner) {
        current = [{ value: winner, etag: "won" }];
        throw new ConflictError("the ETag moved");
      }
      commits.push(state);
    },
    appendHistory: async () => {},
  } as unknown as StateStore;
  return { fake, commits, snapshotReads };
}

const deps = (s: StateStore): RecordDeps =>
  ({
    store: s,
    policy: { alerts: DEFAULT_ALERT_POLICY, classify: DEFAULT_CLASSIFY_OPTIONS },
    silences: [],
  }) as unknown as RecordDeps;

/** A fleet alert naming `names`, judged at NOW (another run of this sweep), receivers told. */
function judged(names: string[], phase: AlertState["phase"] = "firing"): AlertState {
  const ids = names.map((n) => circuit(n).verdict.id);
  return {
    key: FLEET_KEY,
    family: "fleet",
    circuitId: FLEET_ID,
    circuitName: "Equinix at Amsterdam (provider)",
    peering: null,
    phase,
    consecutiveFiring: 1,
    consecutiveClean: 0,
    firstSeen: NOW.toISOString(),
    condition: {
      code: "fleet-outage",
      severity: "Sev0",
      layer: "provider",
      owner: "carrier",
      paths: [],
      title: `${names.length} circuits through Equinix at Amsterdam broke at the same layer`,
      nextAction: "",
      evidence: { circuits: names.map((name, i) => ({ id: ids[i], name, severity: "Sev0" })) },
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: [],
      title: "",
      at: NOW.toISOString(),
      sequence: 1,
      members: ids,
    },
    sequence: 1,
    lastEvaluatedAt: NOW.toISOString(),
  };
}

const named = (state: AlertState) =>
  (state.condition!.evidence["circuits"] as { name: string }[]).map((c) => c.name).sort();

describe("recordFleet", () => {
  const members = [circuit("er-ams-a"), circuit("er-ams-b")];
  const read = new Set(members.map((m) => m.verdict.id.toLowerCase()));
  const run = (s: ReturnType<typeof store>) =>
    recordFleet({
      deps: deps(s.fake),
      deferred: members,
      read,
      now: NOW,
      writer: "w",
      log: memoryLogger().logger,
    });

  it("holds the members of the fleet alert it wrote", async () => {
    const s = store([]);
    const out = await run(s);
    expect(s.commits.map((c) => [c.key, c.phase])).toEqual([[FLEET_KEY, "firing"]]);
    expect(out.events.map((e) => e.action)).toEqual(["open"]);
    expect([...out.holds.values()].map((h) => h.by)).toEqual([FLEET_KEY, FLEET_KEY]);
  });

  it.each([
    ["Table Storage failing (the write may have landed): still held", "StateStoreError", 2],
    ["a bug, which would fail every sweep: not held, so they page on their own", "TypeError", 0],
  ])("a fleet alert that cannot be committed, %s", async (_case, name, held) => {
    const s = store([]);
    const failing = {
      ...s.fake,
      commitAlert: async () => {
        throw Object.assign(new Error("committing alert failed"), { name });
      },
    } as unknown as StateStore;
    const out = await recordFleet({
      deps: deps(failing),
      deferred: members,
      read,
      now: NOW,
      writer: "w",
      log: memoryLogger().logger,
    });
    expect(out.events).toEqual([]);
    expect(out.holds.size).toBe(held);
  });

  it.each([
    {
      case: "its own partition answers: the open fleet alert is read there and still holds its members",
      pointRead: "works",
      held: 2,
      events: [],
      said: "fleet alerts could not be listed; each place's fleet alerts are read on their own",
    },
    {
      case: "its own partition fails too: nothing can say it is open, so its members page on their own",
      pointRead: "fails",
      held: 0,
      events: [],
      said: "the fleet alert could not be read; it is not judged this sweep and the circuits at its place page one by one",
    },
  ])(
    "the whole Alerts listing failing while a fleet alert is open, $case",
    async ({ pointRead, held, events, said }) => {
      const before = new Date(NOW.getTime() - 5 * 60_000).toISOString();
      const open = { ...judged(["er-ams-a", "er-ams-b"]), lastEvaluatedAt: before };
      const s = store([{ value: open, etag: "e1" }]);
      const storageDown = () =>
        Object.assign(new Error("listing alerts failed"), { name: "StateStoreError" });
      const failing = {
        ...s.fake,
        listAlerts: async () => {
          throw storageDown();
        },
        getAlert:
          pointRead === "works"
            ? s.fake.getAlert
            : async () => {
                throw storageDown();
              },
      } as unknown as StateStore;
      const log = memoryLogger();
      const out = await recordFleet({
        deps: deps(failing),
        deferred: members,
        read,
        now: NOW,
        writer: "w",
        log: log.logger,
      });
      expect(out.holds.size).toBe(held);
      expect(out.events.map((e) => e.action)).toEqual(events);
      expect(log.records().map((r) => r["msg"])).toContain(said);
    },
  );

  it.each([
    { case: "at a place this run read: read there, and judged clean", places: true, commits: 1 },
    { case: "at no place this run read: left as it is", places: false, commits: 0 },
  ])(
    "the whole Alerts listing failing once no outage is left to name the place, a fleet alert $case",
    async ({ places, commits }) => {
      const before = new Date(NOW.getTime() - 5 * 60_000).toISOString();
      const open = { ...judged(["er-ams-a", "er-ams-b"]), lastEvaluatedAt: before };
      const s = store([{ value: open, etag: "e1" }]);
      const failing = {
        ...s.fake,
        listAlerts: async () => {
          throw Object.assign(new Error("listing alerts failed"), { name: "StateStoreError" });
        },
      } as unknown as StateStore;
      // Both members read, recovered: no outage of theirs names the place.
      const recovered = members.map((m) => ({ ...m, observations: [] }));
      const where = places ? [{ provider: "equinix ", location: "AMSTERDAM" }] : [];
      const log = memoryLogger().logger;
      await recordFleet({
        deps: deps(failing),
        deferred: recovered,
        read,
        now: NOW,
        writer: "w",
        log,
        places: where,
      });
      expect(s.commits.map((c) => [c.key, c.phase, c.consecutiveClean])).toEqual(
        commits ? [[FLEET_KEY, "resolving", 1]] : [],
      );
    },
  );

  it("counts a member erwatch no longer watches (deleted or ignored) as over, so the fleet alert can resolve", async () => {
    const before = new Date(NOW.getTime() - 5 * 60_000).toISOString();
    const open = { ...judged(["er-ams-a", "er-ams-b"]), lastEvaluatedAt: before };
    const s = store([{ value: open, etag: "e1" }]);
    // er-ams-a was retired last sweep (its snapshot forgotten); er-ams-b is read, recovered.
    const b = circuit("er-ams-b");
    const recovered = { ...b, observations: [] };
    const watching = { ...s.fake, listCircuitIds: async () => [b.verdict.id] } as StateStore;
    const only = new Set([b.verdict.id.toLowerCase()]);
    await recordFleet({
      deps: deps(watching),
      deferred: [recovered],
      read: only,
      now: NOW,
      writer: "w",
      log: memoryLogger().logger,
    });
    expect(s.commits.map((c) => [c.key, c.phase, c.consecutiveClean])).toEqual([
      [FLEET_KEY, "resolving", 1],
    ]);
  });

  it.each([
    {
      case: "no snapshot left: retired, so the fleet alert can resolve",
      snapshot: "gone",
      resolves: true,
    },
    {
      case: "its snapshot still there: named as last seen, held",
      snapshot: "kept",
      resolves: false,
    },
    {
      case: "its partition failing too: named as last seen, held",
      snapshot: "fails",
      resolves: false,
    },
  ])(
    "the circuits cannot be listed and a member was not read: its own snapshot says whether it is watched; $case",
    async ({ snapshot, resolves }) => {
      const before = new Date(NOW.getTime() - 5 * 60_000).toISOString();
      const open = { ...judged(["er-ams-a", "er-ams-b"]), lastEvaluatedAt: before };
      const s = store([{ value: open, etag: "e1" }]);
      const a = circuit("er-ams-a").verdict.id;
      const b = circuit("er-ams-b");
      const asked: string[] = [];
      const unlisted = {
        ...s.fake,
        listCircuitIds: async () => {
          throw Object.assign(new Error("listing circuits failed"), { name: "StateStoreError" });
        },
        getSnapshot: async (id: string) => {
          asked.push(id);
          if (snapshot === "fails")
            throw Object.assign(new Error("503"), { name: "StateStoreError" });
          return snapshot === "gone" ? null : { value: { circuitId: id }, etag: "e" };
        },
      } as unknown as StateStore;
      const recovered = { ...b, observations: [] };
      const only = new Set([b.verdict.id.toLowerCase()]);
      await recordFleet({
        deps: deps(unlisted),
        deferred: [recovered],
        read: only,
        now: NOW,
        writer: "w",
        log: memoryLogger().logger,
      });
      // Asked by the id as stored: its partition key keeps the name's case.
      expect(asked).toEqual([a]);
      // Held as it was (firing, the member named as last seen), or on its way to resolve.
      expect(s.commits.map((c) => [c.key, c.phase])).toEqual([
        [FLEET_KEY, resolves ? "resolving" : "firing"],
      ]);
    },
  );

  it("a fleet alert open across the upgrade at a site spelt with a doubled space: the outage opens again as one fleet alert under the site's one key, its members held, and the old one resolves", async () => {
    // Its id as the version before core/place.ts hashed "amster  dam".
    const BEFORE = "/erwatch/fleet/equinix/amster-dam/provider-cc15bd162c63";
    const earlier = new Date(NOW.getTime() - 5 * 60_000).toISOString();
    const old = {
      ...judged(["er-ams-a", "er-ams-b"]),
      key: alertKey(BEFORE, null, "fleet"),
      circuitId: BEFORE,
      circuitName: "Equinix at Amster  dam (provider)",
      lastEvaluatedAt: earlier,
    };
    // Each member's own outage firing for sweeps, held by the old fleet alert: never paged.
    const atOddPlace = ["er-ams-a", "er-ams-b"].map((name) => {
      const c = circuit(name);
      const o = c.observations[0]!;
      const held: AlertState = {
        key: o.key,
        family: o.family,
        circuitId: c.verdict.id,
        circuitName: name,
        peering: null,
        phase: "firing",
        consecutiveFiring: 3,
        consecutiveClean: 0,
        firstSeen: "2026-11-22T01:50:00.000Z",
        condition: { ...down, ticket: null },
        notified: null,
        sequence: 1,
        lastEvaluatedAt: earlier,
      };
      return {
        ...c,
        verdict: { ...c.verdict, peeringLocation: "Amster  dam" },
        alerts: new Map([[o.key, { value: held, etag: "m" }]]),
      };
    });
    const s = store([{ value: old, etag: "e1" }]);
    const both = new Set(atOddPlace.map((m) => m.verdict.id.toLowerCase()));
    const out = await recordFleet({
      deps: deps(s.fake),
      deferred: atOddPlace,
      read: both,
      now: NOW,
      writer: "w",
      log: memoryLogger().logger,
    });
    const now = fleetCircuitId("Equinix", "Amster dam", "provider");
    expect(s.commits.map((c) => [c.circuitId, c.phase]).sort()).toEqual(
      [
        [BEFORE, "resolving"],
        [now, "firing"],
      ].sort(),
    );
    expect(out.events.map((e) => [e.circuit.id, e.action])).toEqual([[now, "open"]]);
    expect([...out.holds.values()].map((h) => h.by)).toEqual([
      alertKey(now, null, "fleet"),
      alertKey(now, null, "fleet"),
    ]);
  });

  it("joins a fleet alert another run of this sweep judged firing, and says who joined", async () => {
    const s = store([{ value: judged(["er-ams-x", "er-ams-y"]), etag: "e1" }]);
    const out = await run(s);
    expect(s.commits).toHaveLength(1);
    expect(named(s.commits[0]!)).toEqual(["er-ams-a", "er-ams-b", "er-ams-x", "er-ams-y"]);
    // The instant is not counted twice.
    expect(s.commits[0]!.consecutiveFiring).toBe(1);
    expect(out.events.map((e) => e.action)).toEqual(["repeat"]);
    expect(out.events[0]!.change).toMatch(/^Wider: er-ams-a, er-ams-b broke the same way/);
    expect(out.holds.size).toBe(2);
  });

  it.each<{ case: string; finding: Finding; phase: AlertState["phase"]; events: string[] }>([
    {
      case: "Sev1 outages, which alone would wait their sweep too: held, nothing said yet",
      finding: unverified,
      phase: "pending",
      events: [],
    },
    {
      // Held by a group that waits, they would page a sweep later than alone.
      case: "outages that alone would page now: it opens now",
      finding: down,
      phase: "firing",
      events: ["open"],
    },
  ])(
    "joins a fleet alert another run of this sweep judged pending (a Sev1 group waiting its sweep), with $case",
    async ({ finding, phase, events }) => {
      const waiting = judged(["er-ams-x", "er-ams-y"], "pending");
      const pending: AlertState = {
        ...waiting,
        notified: null,
        condition: {
          ...waiting.condition!,
          code: "fleet-outage",
          severity: "Sev1",
          evidence: {
            circuits: ["er-ams-x", "er-ams-y"].map((n) => ({
              id: circuit(n).verdict.id,
              name: n,
              severity: "Sev1",
            })),
          },
        },
      };
      const s = store([{ value: pending, etag: "e1" }]);
      const here = ["er-ams-a", "er-ams-b"].map((n) => circuit(n, finding));
      const out = await recordFleet({
        deps: deps(s.fake),
        deferred: here,
        read: new Set(here.map((m) => m.verdict.id.toLowerCase())),
        now: NOW,
        writer: "w",
        log: memoryLogger().logger,
      });
      // The instant is not counted twice, whichever way it goes.
      expect(s.commits.map((c) => [c.phase, c.consecutiveFiring])).toEqual([[phase, 1]]);
      expect(named(s.commits[0]!)).toEqual(["er-ams-a", "er-ams-b", "er-ams-x", "er-ams-y"]);
      expect(out.events.map((e) => e.action)).toEqual(events);
      expect(out.holds.size).toBe(2);
    },
  );

  it("groups again once with what a run that won the race wrote, and joins it", async () => {
    // Two workers create the fleet alert at once; this one loses to one that wrote x and z.
    const s = store([], [judged(["er-ams-x", "er-ams-z"])]);
    const out = await run(s);
    expect(s.commits).toHaveLength(1);
    expect(named(s.commits[0]!)).toEqual(["er-ams-a", "er-ams-b", "er-ams-x", "er-ams-z"]);
    expect(out.events.map((e) => e.action)).toEqual(["repeat"]);
    expect(out.holds.size).toBe(2);
  });

  it.each<{ case: string; stored: AlertState[]; conflicts: AlertState[] }>([
    {
      case: "judged resolving at this instant",
      stored: [judged(["er-ams-x"], "resolving")],
      conflicts: [],
    },
    {
      // Lost the race, grouped again, and lost again to a run that added q.
      case: "rewritten twice meanwhile",
      stored: [judged(["er-ams-x"])],
      conflicts: [judged(["er-ams-x", "er-ams-z"]), judged(["er-ams-x", "er-ams-z", "er-ams-q"])],
    },
  ])("holds nothing by a fleet alert $case", async ({ stored, conflicts }) => {
    const s = store(
      stored.map((value) => ({ value, etag: "e1" })),
      conflicts,
    );
    const out = await run(s);
    expect(s.commits).toEqual([]);
    expect(out.events).toEqual([]);
    // a and b are not named by what storage holds: they page on their own.
    expect(out.holds.size).toBe(0);
  });
});

describe("recordFleet, a group waiting its sweep", () => {
  it("that loses a member before it opens is no group: nothing is sent, and the circuit still down is not held", async () => {
    const before = new Date(NOW.getTime() - 5 * 60_000).toISOString();
    const waiting = judged(["er-ams-a", "er-ams-b"], "pending");
    const pending: AlertState = {
      ...waiting,
      notified: null,
      lastEvaluatedAt: before,
      condition: { ...waiting.condition!, severity: "Sev1" },
    };
    const s = store([{ value: pending, etag: "e1" }]);
    // er-ams-a is still down (Sev1), er-ams-b was read recovered.
    const a = circuit("er-ams-a", unverified);
    const b = circuit("er-ams-b");
    const read = new Set([a, b].map((m) => m.verdict.id.toLowerCase()));
    const out = await recordFleet({
      deps: deps(s.fake),
      deferred: [a],
      read,
      now: NOW,
      writer: "w",
      log: memoryLogger().logger,
    });
    expect(out.events).toEqual([]);
    expect(out.holds.size).toBe(0);
    expect(s.commits.map((c) => [c.key, c.phase, c.notified])).toEqual([
      [FLEET_KEY, "clear", null],
    ]);
  });
});

describe("recordFleet with silences", () => {
  const members = [circuit("er-ams-a"), circuit("er-ams-b")];
  const read = new Set(members.map((m) => m.verdict.id.toLowerCase()));
  const maintenance = (circuits: string[], end = "2026-11-22T04:00:00Z"): Silence[] =>
    circuits.map((c, i) => ({
      id: `carrier-maintenance-${i}`,
      circuit: c,
      comment: "Equinix AMS fibre work",
      window: { kind: "once", start: "2026-11-22T01:00:00Z", end },
    }));
  const runWith = (s: ReturnType<typeof store>, silences: Silence[], now = NOW) =>
    recordFleet({
      deps: { ...deps(s.fake), silences } as RecordDeps,
      deferred: members,
      read,
      now,
      writer: "w",
      log: memoryLogger().logger,
    });

  it("every circuit of the site silenced (announced maintenance): the group is recorded and held, not paged", async () => {
    const s = store([]);
    const out = await runWith(s, maintenance(["er-ams-a", "er-ams-b"]));
    expect(out.events).toEqual([]);
    expect(out.decisions.map((d) => [d.key, d.action, d.reason])).toEqual([
      [FLEET_KEY, "none", "silenced"],
    ]);
    expect(out.decisions[0]!.detail).toMatch(
      /carrier-maintenance-0, carrier-maintenance-1.*every circuit in it is silenced: er-ams-a, er-ams-b/,
    );
    expect(s.commits.map((c) => [c.key, c.phase, c.notified])).toEqual([
      [FLEET_KEY, "firing", null],
    ]);
    // Its members stay held by it: none of them pages alone either.
    expect([...out.holds.values()].map((h) => h.by)).toEqual([FLEET_KEY, FLEET_KEY]);
  });

  it("one circuit of the site outside the silences: the group pages", async () => {
    const s = store([]);
    const out = await runWith(s, maintenance(["er-ams-a"]));
    expect(out.events.map((e) => e.action)).toEqual(["open"]);
  });

  it("a member under maintenance is named but not announced: no Wider: for it until its silence ends with it still down", async () => {
    const end = "2026-11-22T02:12:00Z";
    const silences = maintenance(["er-ams-b"], end);
    const first = store([]);
    const opened = await runWith(first, silences);
    expect(opened.events.map((e) => e.action)).toEqual(["open"]);
    expect(opened.events[0]!.title).toContain("er-ams-b");
    expect(first.commits[0]!.notified?.members).toEqual([members[0]!.verdict.id]);
    // Still silenced a sweep later: nothing new to say.
    const next = store([{ value: first.commits[0]!, etag: "e1" }]);
    const quiet = await runWith(next, silences, new Date("2026-11-22T02:10:00Z"));
    expect(quiet.events).toEqual([]);
    // The maintenance is over and er-ams-b is still down: that is news.
    const after = store([{ value: next.commits[0]!, etag: "e2" }]);
    const wider = await runWith(after, silences, new Date("2026-11-22T02:15:00Z"));
    expect(wider.events.map((e) => e.action)).toEqual(["repeat"]);
    expect(wider.events[0]!.change).toMatch(/^Wider: er-ams-b broke the same way/);
    expect(after.commits[0]!.notified?.members).toEqual(members.map((m) => m.verdict.id));
  });

  it("the outage outlives the maintenance: the group pages when the silences end", async () => {
    const s = store([]);
    const end = "2026-11-22T02:07:00Z";
    await runWith(s, maintenance(["er-ams-a", "er-ams-b"], end));
    const held = s.commits[0]!;
    const later = store([{ value: held, etag: "e1" }]);
    const out = await runWith(
      later,
      maintenance(["er-ams-a", "er-ams-b"], end),
      new Date("2026-11-22T02:10:00Z"),
    );
    expect(out.events.map((e) => e.action)).toEqual(["open"]);
  });
});

describe("settleFleets", () => {
  const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
  /** Last judged firing two sweeps ago by a worker. */
  const older = (state: AlertState): AlertState => ({
    ...state,
    lastEvaluatedAt: minutesAgo(10),
    lastFiringAt: minutesAgo(10),
  });
  /**
   * A member's own outage alert, judged by the previous sweep's worker unless
   * `at` says otherwise: read with the outage when pending or firing, without
   * it otherwise, or (`unknown`) not readable then, its last clean reading 5
   * minutes before.
   */
  const own = (
    name: string,
    phase: AlertState["phase"],
    at = minutesAgo(5),
    reading: "read" | "unknown" = "read",
  ) =>
    ({
      ...circuit(name).observations[0]!,
      circuitName: name,
      phase,
      condition: { layer: "provider", code: "arp-missing", severity: "Sev0", owner: "carrier" },
      lastEvaluatedAt: at,
      ...(reading === "unknown"
        ? { lastCleanAt: new Date(Date.parse(at) - 5 * 60_000).toISOString() }
        : phase === "pending" || phase === "firing"
          ? { lastFiringAt: at }
          : { lastCleanAt: at }),
    }) as unknown as AlertState;

  it("observes a fleet alert clean, as of its members' readings, once no member has the outage, and leaves one that has", async () => {
    const fleet = older(judged(["er-ams-a", "er-ams-b"]));
    const over = store(
      [fleet, own("er-ams-a", "resolving"), own("er-ams-b", "clear")].map((value) => ({
        value,
        etag: "e",
      })),
    );
    await settleFleets(deps(over.fake), NOW, "timer", memoryLogger().logger);
    expect(
      over.commits.map((c) => [c.key, c.phase, c.consecutiveClean, c.lastEvaluatedAt]),
    ).toEqual([[FLEET_KEY, "resolving", 1, minutesAgo(5)]]);

    const down = store([fleet, own("er-ams-a", "firing")].map((value) => ({ value, etag: "e" })));
    const out = await settleFleets(deps(down.fake), NOW, "timer", memoryLogger().logger);
    expect(down.commits).toEqual([]);
    expect(out.events).toEqual([]);
  });

  it("after the host clock stepped back 2 h since it was judged, its members read clean on the new clock start its resolve", async () => {
    // Judged firing at what the clock said then, 2 h after the timer's clock now.
    const ahead = new Date(NOW.getTime() + 120 * 60_000).toISOString();
    const fleet = {
      ...judged(["er-ams-a", "er-ams-b"]),
      lastEvaluatedAt: ahead,
      lastFiringAt: ahead,
    };
    const s = store(
      [fleet, own("er-ams-a", "resolving"), own("er-ams-b", "clear")].map((value) => ({
        value,
        etag: "e",
      })),
    );
    await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
    expect(s.commits.map((c) => [c.key, c.phase, c.consecutiveClean, c.lastEvaluatedAt])).toEqual([
      [FLEET_KEY, "resolving", 1, minutesAgo(5)],
    ]);
  });

  describe("a member erwatch cannot read (its reads failed: UNKNOWN, not recovered)", () => {
    // The fleet alert was judged clean once, 10 minutes ago; its members' reads failed since.
    const once = { ...older(judged(["er-ams-a", "er-ams-b"])), phase: "resolving" as const };

    it("is not judged over while a member it names could not be read at its latest reading", async () => {
      const s = store(
        [
          once,
          own("er-ams-a", "resolving"),
          own("er-ams-b", "resolving", minutesAgo(5), "unknown"),
        ].map((value) => ({ value, etag: "e" })),
      );
      const out = await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
      expect(s.commits).toEqual([]);
      expect(out.events).toEqual([]);
    });

    /**
     * Judged clean 20 minutes ago; its members' last reading is the one it was
     * last judged by, none since (their reads failed at every sweep since).
     */
    const darkSite = () => {
      const blind = {
        ...once,
        lastEvaluatedAt: minutesAgo(20),
        lastCleanAt: minutesAgo(20),
        lastFiringAt: minutesAgo(25),
      };
      const dark = (name: string) => ({
        ...own(name, "resolving", minutesAgo(5), "unknown"),
        lastCleanAt: minutesAgo(20),
      });
      return [blind, dark("er-ams-a"), dark("er-ams-b")];
    };

    it("none read for as long as monitoring-blind waits: its holder is told it went blind, never that it resolved", async () => {
      const s = store(darkSite().map((value) => ({ value, etag: "e" })));
      const out = await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
      expect(out.events.map((e) => [e.action, e.change.slice(0, 6)])).toEqual([
        ["repeat", "Blind:"],
      ]);
      expect(s.commits.map((c) => [c.phase, c.consecutiveClean])).toEqual([["resolving", 0]]);
    });

    it("its Blind: notice waits as long as its members' monitoring-blind waits to open, at the severity classify gives it", async () => {
      const alerts = darkSite();
      // monitoring-blind opens at Sev2 here, after three sweeps; Sev3 would wait an hour.
      const policy = {
        alerts: { ...DEFAULT_ALERT_POLICY, openAfterMinutes: { Sev3: 60 } },
        classify: {
          ...DEFAULT_CLASSIFY_OPTIONS,
          severity: { ...DEFAULT_CLASSIFY_OPTIONS.severity, blind: "Sev2" },
        },
      };
      const s = store(alerts.map((value) => ({ value, etag: "e" })));
      const out = await settleFleets(
        { ...deps(s.fake), policy } as unknown as RecordDeps,
        NOW,
        "timer",
        memoryLogger().logger,
      );
      expect(out.events.map((e) => [e.action, e.change.slice(0, 6)])).toEqual([
        ["repeat", "Blind:"],
      ]);
    });

    it("members read within blindAfterSweeps, though that settles nothing: no Blind: (hunt seed 870)", async () => {
      // Judged clean 20 minutes ago; both read 15 minutes ago, one down to one
      // path its own alert does not carry yet, the other UNKNOWN since.
      const judgedOnce = {
        ...once,
        lastEvaluatedAt: minutesAgo(20),
        lastCleanAt: minutesAgo(20),
        lastFiringAt: minutesAgo(25),
      };
      const dark = {
        ...own("er-ams-a", "resolving", minutesAgo(5), "unknown"),
        lastCleanAt: minutesAgo(15),
      };
      const onePath = {
        ...own("er-ams-b", "pending", minutesAgo(15)),
        condition: { layer: "provider", code: "arp-missing", severity: "Sev2", owner: "carrier" },
      } as AlertState;
      const s = store([judgedOnce, dark, onePath].map((value) => ({ value, etag: "e" })));
      const out = await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
      expect(out.events).toEqual([]);
      expect(s.commits).toEqual([]);
    });

    it("a member with no outage alert of its own is judged by its snapshot's last evaluation", async () => {
      const alerts = [older(judged(["er-ams-a", "er-ams-b"])), own("er-ams-a", "clear")];
      const failed = store(
        alerts.map((value) => ({ value, etag: "e" })),
        [],
        { "er-ams-b": { takenAt: minutesAgo(5), reads: { incomplete: true } } },
      );
      await settleFleets(deps(failed.fake), NOW, "timer", memoryLogger().logger);
      expect(failed.commits).toEqual([]);
      expect(failed.snapshotReads.map((id) => id.split("/").at(-1))).toEqual([
        "er-ams-a",
        "er-ams-b",
      ]);

      const read = store(
        alerts.map((value) => ({ value, etag: "e" })),
        [],
        { "er-ams-b": { takenAt: minutesAgo(5), reads: { incomplete: false } } },
      );
      await settleFleets(deps(read.fake), NOW, "timer", memoryLogger().logger);
      expect(read.commits.map((c) => [c.phase, c.lastEvaluatedAt])).toEqual([
        ["resolving", minutesAgo(5)],
      ]);

      // Its paths read, only its gateway wiring failed: that hides no fleet outage.
      const wiring = store(
        alerts.map((value) => ({ value, etag: "e" })),
        [],
        {
          "er-ams-b": {
            takenAt: minutesAgo(5),
            reads: { incomplete: true, pathsFailed: false, pathsReadAt: minutesAgo(5) },
          },
        },
      );
      await settleFleets(deps(wiring.fake), NOW, "timer", memoryLogger().logger);
      expect(wiring.commits.map((c) => [c.phase, c.lastEvaluatedAt])).toEqual([
        ["resolving", minutesAgo(5)],
      ]);
    });

    it("a member its own alerts settle whose paths were not read at that reading keeps it open (hunt seed 908)", async () => {
      const alerts = [
        older(judged(["er-ams-a", "er-ams-b"])),
        own("er-ams-a", "clear"),
        own("er-ams-b", "clear"),
      ];
      const at = alerts[2]!.lastEvaluatedAt;
      const judge = async (reads: object) => {
        const s = store(
          alerts.map((value) => ({ value, etag: "e" })),
          [],
          { "er-ams-b": { takenAt: at, reads } },
        );
        await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
        return s.commits.map((c) => c.phase);
      };
      expect(await judge({ incomplete: true, pathsFailed: true, pathsReadAt: null })).toEqual([]);
      // Kept before it said so of its paths: a failed read of that reading is taken as theirs.
      expect(await judge({ incomplete: true })).toEqual([]);
      expect(await judge({ incomplete: true, pathsFailed: false, pathsReadAt: at })).toEqual([
        "resolving",
      ]);
    });

    it("a member erwatch no longer watches (no snapshot) is not waited for", async () => {
      const s = store(
        [
          older(judged(["er-ams-a", "er-ams-b"])),
          own("er-ams-a", "clear"),
          own("er-ams-b", "clear", minutesAgo(30), "unknown"),
        ].map((value) => ({ value, etag: "e" })),
        [],
        { "er-ams-b": null },
      );
      await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
      expect(s.commits.map((c) => [c.phase, c.lastEvaluatedAt])).toEqual([
        ["resolving", minutesAgo(5)],
      ]);
    });

    it("a member whose snapshot storage cannot read keeps it open this sweep, and is named", async () => {
      const s = store(
        [older(judged(["er-ams-a", "er-ams-b"])), own("er-ams-a", "clear")].map((value) => ({
          value,
          etag: "e",
        })),
      );
      const failing = {
        ...s.fake,
        getSnapshot: async () => {
          throw Object.assign(new Error("reading the snapshot failed"), {
            name: "StateStoreError",
          });
        },
      } as unknown as StateStore;
      const log = memoryLogger();
      await settleFleets(deps(failing), NOW, "timer", log.logger);
      expect(s.commits).toEqual([]);
      expect(log.records().map((r) => r["msg"])).toContain(
        "a fleet member's snapshot could not be read; the fleet alert is not judged over this sweep",
      );
    });
  });

  it("a member this sweep's worker re-read (snapshot written) after the timer listed the alerts still lets it judge the previous sweep's clean readings", async () => {
    // The timer lists the alerts (the members' latest readings are the previous
    // sweep's, 5 minutes ago, clean, paths read whole), then reads each member's
    // snapshot: by then this sweep's worker has read er-ams-b again (whole, clean)
    // and written its snapshot at NOW, its alerts a moment later.
    const fleet = older(judged(["er-ams-a", "er-ams-b"]));
    const s = store(
      [fleet, own("er-ams-a", "clear"), own("er-ams-b", "clear")].map((value) => ({
        value,
        etag: "e",
      })),
      [],
      {
        "er-ams-b": {
          takenAt: NOW.toISOString(),
          reads: { incomplete: false, pathsFailed: false, pathsReadAt: NOW.toISOString() },
        },
      },
    );
    await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
    expect(s.commits.map((c) => [c.phase, c.lastEvaluatedAt])).toEqual([
      ["resolving", minutesAgo(5)],
    ]);
  });

  // `reads` is not checked with the snapshot row: a hand edit, a cut-off
  // write or an older erwatch reaches the timer as stored. Taken for its
  // truth, `pathsFailed` 0 said "paths read"; compared as text, a last failure
  // at "" or at 02:02Z written in another zone came before the 02:00 reading:
  // the site's Sev0 resolved on a member not known to have been read.
  it.each<[string, object]>([
    [
      "`pathsFailed` that is not true or false",
      { takenAt: minutesAgo(5), reads: { incomplete: "no", pathsFailed: 0 } },
    ],
    [
      "its last failure kept as empty text",
      {
        takenAt: NOW.toISOString(),
        reads: {
          incomplete: false,
          pathsFailed: false,
          pathsReadAt: NOW.toISOString(),
          pathsFailedAt: "",
        },
      },
    ],
    [
      "its last failure after that reading, written in another zone",
      {
        takenAt: NOW.toISOString(),
        reads: {
          incomplete: false,
          pathsFailed: false,
          pathsReadAt: NOW.toISOString(),
          pathsFailedAt: "2026-11-22T01:02:00-01:00",
        },
      },
    ],
  ])(
    "a member whose stored snapshot has %s is not known to have been read: the fleet alert stays open",
    async (_, snapshot) => {
      const fleet = older(judged(["er-ams-a", "er-ams-b"]));
      const s = store(
        [fleet, own("er-ams-a", "clear"), own("er-ams-b", "clear")].map((value) => ({
          value,
          etag: "e",
        })),
        [],
        { "er-ams-b": snapshot },
      );
      const out = await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
      expect(s.commits).toEqual([]);
      expect(out.events).toEqual([]);
    },
  );

  it("says nothing when no member was read since the fleet alert was last judged", async () => {
    const fleet = older(judged(["er-ams-a", "er-ams-b"]));
    const s = store(
      [
        fleet,
        own("er-ams-a", "clear", minutesAgo(10)),
        own("er-ams-b", "clear", minutesAgo(15)),
      ].map((value) => ({ value, etag: "e" })),
    );
    await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
    expect(s.commits).toEqual([]);
  });

  it("counts only readings before this sweep: a worker of this sweep may already have written one", async () => {
    const fleet = older(judged(["er-ams-a", "er-ams-b"]));
    const s = store(
      [fleet, own("er-ams-a", "clear", NOW.toISOString()), own("er-ams-b", "clear")].map(
        (value) => ({ value, etag: "e" }),
      ),
    );
    await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
    expect(s.commits.map((c) => c.lastEvaluatedAt)).toEqual([minutesAgo(5)]);
  });

  it("a recovery flap: this sweep's workers find the outage back and keep the fleet alert firing, its members held", async () => {
    // The timer settles first (the members were clean at the previous sweep)...
    const fleet = older(judged(["er-ams-a", "er-ams-b"]));
    const timer = store(
      [fleet, own("er-ams-a", "resolving"), own("er-ams-b", "resolving")].map((value) => ({
        value,
        etag: "e",
      })),
    );
    await settleFleets(deps(timer.fake), NOW, "timer", memoryLogger().logger);
    const resolving = timer.commits[0]!;
    expect(resolving.phase).toBe("resolving");
    // ...then a worker of this sweep reads both broken again.
    const worker = store([{ value: resolving, etag: "e2" }]);
    const members = [circuit("er-ams-a"), circuit("er-ams-b")];
    const read = new Set(members.map((m) => m.verdict.id.toLowerCase()));
    const out = await recordFleet({
      deps: deps(worker.fake),
      deferred: members,
      read,
      now: NOW,
      writer: "w",
      log: memoryLogger().logger,
      partial: true,
    });
    expect(worker.commits.map((c) => [c.key, c.phase, c.lastEvaluatedAt])).toEqual([
      [FLEET_KEY, "firing", NOW.toISOString()],
    ]);
    // The receivers already have it open: nothing new to say, and no member pages alone.
    expect(out.events).toEqual([]);
    expect([...out.holds.values()].map((h) => h.by)).toEqual([FLEET_KEY, FLEET_KEY]);
  });

  describe("when the Alerts table cannot be listed", () => {
    const storageDown = () =>
      Object.assign(new Error("listing alerts failed"), { name: "StateStoreError" });
    const AMS = [{ provider: "Equinix", location: "Amsterdam" }];
    /** Every row readable by partition and point read; the listing across the table fails. */
    function partitioned(rows: AlertState[], failingMember: string | null = null) {
      const s = store(rows.map((value) => ({ value, etag: "e" })));
      const fake = {
        ...s.fake,
        listAlerts: async (circuitId?: string) => {
          if (circuitId === undefined || circuitId.endsWith(`/${failingMember}`))
            throw storageDown();
          return rows
            .filter((r) => r.circuitId === circuitId)
            .map((value) => ({ value, etag: "e" }));
        },
      } as unknown as StateStore;
      return { fake, commits: s.commits };
    }
    const fleet = older(judged(["er-ams-a", "er-ams-b"]));
    const over = [fleet, own("er-ams-a", "resolving"), own("er-ams-b", "clear")];

    it.each([
      {
        case: "each place's fleet alert and its members' alerts are read on their own: observed clean",
        places: AMS,
        failingMember: null,
        judged: [[FLEET_KEY, "resolving", 1, minutesAgo(5)]],
        said: "alerts could not be listed; each place's fleet alerts and their members' alerts are read on their own",
      },
      {
        case: "a member's partition failing too: left for a later sweep, never judged without it",
        places: AMS,
        failingMember: "er-ams-b",
        judged: [],
        said: "a member's alerts could not be read; the fleet alert is judged at a later sweep",
      },
      {
        case: "no place given: nothing is judged",
        places: [],
        failingMember: null,
        judged: [],
        said: "alerts could not be listed; each place's fleet alerts and their members' alerts are read on their own",
      },
    ])("$case", async ({ places, failingMember, judged: expected, said }) => {
      const s = partitioned(over, failingMember);
      const log = memoryLogger();
      await settleFleets(deps(s.fake), NOW, "timer", log.logger, places);
      expect(s.commits.map((c) => [c.key, c.phase, c.consecutiveClean, c.lastEvaluatedAt])).toEqual(
        expected,
      );
      expect(log.records().map((r) => r["msg"])).toContain(said);
    });

    it("a member still down keeps it open", async () => {
      const s = partitioned([fleet, own("er-ams-a", "firing"), own("er-ams-b", "clear")]);
      await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger, AMS);
      expect(s.commits).toEqual([]);
    });

    it("one whose resolve a silence held back is read and judged too", async () => {
      const s = partitioned([
        { ...fleet, phase: "clear" },
        own("er-ams-a", "clear"),
        own("er-ams-b", "clear"),
      ]);
      const out = await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger, AMS);
      expect(out.events.map((e) => e.action)).toEqual(["resolve"]);
    });
  });

  describe("a fleet alert cleared with its resolve held back by a silence over every circuit it names", () => {
    // Seed 855 of the fan-out blind soak: no worker judges it (none finds an
    // outage there), so unless the timer does its Sev0 stays open for good.
    const held: AlertState = { ...older(judged(["er-ams-a"])), phase: "clear" };
    const clean = [held, own("er-ams-a", "clear"), own("er-ams-b", "clear")];
    /** er-ams-a's maintenance, over two minutes before NOW: after the members' last readings. */
    const window: Silence = {
      id: "fibre-work",
      circuit: "er-ams-a",
      comment: "Equinix AMS fibre work",
      window: { kind: "once", start: "2026-11-22T01:00:00Z", end: minutesAgo(2) },
    };

    it("sends the resolve once no silence holds it as of its members' readings", async () => {
      const s = store(clean.map((value) => ({ value, etag: "e" })));
      const out = await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
      expect(out.events.map((e) => [e.action, e.occurredAt])).toEqual([["resolve", minutesAgo(5)]]);
      expect(s.commits.map((c) => [c.phase, c.notified])).toEqual([["clear", null]]);
    });

    it("a window over by the timer's clock but not at the readings it judges holds it another sweep", async () => {
      const s = store(clean.map((value) => ({ value, etag: "e" })));
      // As a sweep's silences are read: those still in force at the instant asked about.
      const silencesAt = (at: Date) => (at.toISOString() < minutesAgo(2) ? [window] : []);
      const out = await settleFleets(
        deps(s.fake),
        NOW,
        "timer",
        memoryLogger().logger,
        [],
        silencesAt,
      );
      expect(out.events).toEqual([]);
      expect(out.decisions.map((d) => [d.action, d.reason])).toEqual([["none", "silenced"]]);
      expect(s.commits.map((c) => [c.phase, c.lastEvaluatedAt])).toEqual([
        ["clear", minutesAgo(5)],
      ]);
    });

    it("nothing read since it was last judged: left as it is", async () => {
      const s = store(
        [held, own("er-ams-a", "clear", minutesAgo(10))].map((value) => ({ value, etag: "e" })),
      );
      await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
      expect(s.commits).toEqual([]);
    });
  });

  it("leaves a fleet alert a worker already judged at this instant", async () => {
    const s = store([{ value: judged(["er-ams-a"]), etag: "e" }]);
    await settleFleets(deps(s.fake), NOW, "timer", memoryLogger().logger);
    expect(s.commits).toEqual([]);
  });
});

describe("one stored fleet alert that cannot be understood (no evidence, an older schema)", () => {
  const LONDON_ID = fleetCircuitId("Equinix", "London", "provider");
  /** Another place's open fleet alert whose condition lost its evidence. */
  const odd = (): Stored<AlertState> => {
    const base = judged(["er-lon-a", "er-lon-b"]);
    return {
      value: {
        ...base,
        key: alertKey(LONDON_ID, null, "fleet"),
        circuitId: LONDON_ID,
        lastEvaluatedAt: new Date(NOW.getTime() - 10 * 60_000).toISOString(),
        condition: { ...base.condition!, evidence: undefined as never },
      },
      etag: "odd",
    };
  };
  const errors = (records: () => Record<string, unknown>[]) =>
    records().filter((r) => r.level === 50 && r.fleet === LONDON_ID);

  it("still groups the other place's outages, and names the odd one", async () => {
    const s = store([odd()]);
    const members = [circuit("er-ams-a"), circuit("er-ams-b")];
    const read = new Set(members.map((m) => m.verdict.id.toLowerCase()));
    const { logger, records } = memoryLogger();
    const out = await recordFleet({
      deps: deps(s.fake),
      deferred: members,
      read,
      now: NOW,
      writer: "w",
      log: logger,
    });
    expect(s.commits.map((c) => [c.key, c.phase])).toEqual([[FLEET_KEY, "firing"]]);
    expect(out.holds.size).toBe(2);
    expect(errors(records)).toHaveLength(1);
  });

  it("still judges the other fleet alerts over on the timer, and names the odd one", async () => {
    const over = {
      ...judged(["er-ams-a", "er-ams-b"]),
      lastEvaluatedAt: new Date(NOW.getTime() - 10 * 60_000).toISOString(),
    };
    const clear = (name: string) =>
      ({
        ...circuit(name).observations[0]!,
        circuitName: name,
        phase: "clear",
        condition: { layer: "provider", code: "arp-missing", severity: "Sev0", owner: "carrier" },
        lastEvaluatedAt: new Date(NOW.getTime() - 5 * 60_000).toISOString(),
        lastCleanAt: new Date(NOW.getTime() - 5 * 60_000).toISOString(),
      }) as unknown as AlertState;
    const s = store([
      odd(),
      ...[over, clear("er-ams-a"), clear("er-ams-b")].map((value) => ({ value, etag: "e" })),
    ]);
    const { logger, records } = memoryLogger();
    await settleFleets(deps(s.fake), NOW, "timer", logger);
    expect(s.commits.map((c) => [c.key, c.phase])).toEqual([[FLEET_KEY, "resolving"]]);
    expect(errors(records)).toHaveLength(1);
  });
});

describe("fleetPlacesOf", () => {
  const listedAt = (name: string, provider?: string, location?: string): CircuitTarget =>
    ({
      id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`,
      subscriptionId: "s",
      resourceGroup: "rg",
      name,
      listed: { facts: { serviceProviderName: provider, peeringLocation: location } },
    }) as unknown as CircuitTarget;
  const named = (name: string): CircuitTarget => ({ ...listedAt(name), listed: undefined });

  it.each([
    {
      why: "the listing's places, each once whatever the case",
      targets: [listedAt("a", "Equinix", "Amsterdam"), listedAt("b", "EQUINIX", "amsterdam ")],
      remembered: [],
      places: ["Equinix|Amsterdam"],
    },
    {
      why: "a site the listing placed nothing at this sweep (named circuits whose GETs failed) is where their snapshots say",
      targets: [listedAt("lon", "Colt", "London"), named("a"), named("b")],
      remembered: [{ provider: "Equinix", location: "Amsterdam" }],
      places: ["Colt|London", "Equinix|Amsterdam"],
    },
    {
      why: "a listed body without its location: where it was last read",
      targets: [listedAt("a", "Equinix")],
      remembered: [
        { provider: "Equinix", location: "Amsterdam" },
        { provider: "equinix", location: "AMSTERDAM" },
      ],
      places: ["Equinix|Amsterdam"],
    },
  ])("$why", ({ targets, remembered, places }) => {
    expect(fleetPlacesOf(targets, remembered).map((p) => `${p.provider}|${p.location}`)).toEqual(
      places,
    );
  });
});

describe("recordFleet, a recovering site the rotation reads one circuit a sweep", () => {
  const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
  const BGP_ID = fleetCircuitId("Equinix", "Amsterdam", "bgp");
  /**
   * Read clean 10 minutes ago (one clean sweep of the two it needs), judged
   * unknown at 5 (only er-ams-b read): one fleet alert per layer the site broke at.
   */
  const resolving = (layer: "provider" | "bgp"): AlertState => {
    const base = judged(["er-ams-a", "er-ams-b"]);
    const id = layer === "provider" ? FLEET_ID : BGP_ID;
    return {
      ...base,
      key: alertKey(id, null, "fleet"),
      circuitId: id,
      circuitName: `Equinix at Amsterdam (${layer})`,
      phase: "resolving",
      consecutiveFiring: 0,
      consecutiveClean: 1,
      condition: { ...base.condition!, layer },
      lastFiringAt: minutesAgo(15),
      lastCleanAt: minutesAgo(10),
      lastEvaluatedAt: minutesAgo(5),
    };
  };
  /** A member's own outage alert, read without the outage at `at`. */
  const clear = (name: string, at: string) =>
    ({
      ...circuit(name).observations[0]!,
      circuitName: name,
      phase: "clear",
      condition: { layer: "provider", code: "provider-not-provisioned", severity: "Sev0" },
      lastEvaluatedAt: at,
      lastCleanAt: at,
    }) as unknown as AlertState;

  it("lists the circuits' snapshots once for both fleet alerts it cannot judge whole, and resolves both as before", async () => {
    // er-ams-b was read at 5, er-ams-a now (recorded before the fleet step): each since the site was last read.
    const alerts = [
      resolving("provider"),
      resolving("bgp"),
      clear("er-ams-a", NOW.toISOString()),
      clear("er-ams-b", minutesAgo(5)),
    ].map((value) => ({ value, etag: "e" }));
    const s = store(alerts);
    let listings = 0;
    const listing = {
      ...s.fake,
      listSnapshots: async () => {
        listings += 1;
        return ["er-ams-a", "er-ams-b"].map((name) => {
          const circuitId = circuit(name).verdict.id;
          return { circuitId, ...keptWith(alerts, circuitId) };
        });
      },
      listCircuitIds: async () => ["er-ams-a", "er-ams-b"].map((n) => circuit(n).verdict.id),
    } as unknown as StateStore;
    const read = new Set([circuit("er-ams-a").verdict.id.toLowerCase()]);
    const out = await recordFleet({
      deps: deps(listing),
      deferred: [],
      read,
      now: NOW,
      writer: "w",
      log: memoryLogger().logger,
    });
    expect(listings).toBe(1);
    expect(s.commits.map((c) => [c.circuitId, c.phase])).toEqual([
      [FLEET_ID, "clear"],
      [BGP_ID, "clear"],
    ]);
    expect(out.events.map((e) => [e.action, e.circuit.id])).toEqual([
      ["resolve", FLEET_ID],
      ["resolve", BGP_ID],
    ]);
  });
});
