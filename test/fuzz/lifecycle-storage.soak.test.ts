// The storage soak: the first lifecycle soak's estate, cadence and random
// carrier faults (lifecycle.soak.test.ts), with Table Storage made as hostile
// as the real one during the timer sweeps. The sweep runtime talks to Azurite
// through a loopback fault proxy (test/support/table-fault-proxy.ts) that, on
// a random schedule of sweeps, fails every call, one table's calls (alerts,
// snapshots, history, silences), one circuit's partition, the partitions of
// the site's fleet alert (every layer's, or the provider layer's, where a
// carrier's outage groups; moved onto the site de-provisioned, so there is a
// fleet alert to write), or a fraction of all
// calls: hung (STORAGE_TIMEOUT_MS fires), 503 ServerBusy, 500
// OperationTimedOut, 5xx without a code, a reset socket, a write done and its
// answer lost, or answered slowly but inside the deadline.
//
// The judge (lifecycle-model.ts) keeps the lifecycle promises, relaxed only
// as the README's "Guarantees" allow ("if storage fails for a circuit, nothing
// about it is decided that sweep and the next sweep decides again: the alert
// is late by one interval, never lost"):
//
// - a sweep in which a circuit's storage failed (the sweep failed, the
//   circuit is named in its errors, or its events could not leave the outbox)
//   is no sighting of that circuit: a fault that lasts still pages, late by at
//   most those sweeps; every event is judged against the reading of the sweep
//   that decided it (a failed sweep may still have been a sighting: a write
//   whose answer was lost has landed, so hysteresis and resolves may count it);
// - no key opens twice without a resolve between, none resolves while its
//   condition is there, sequences count up by one, nothing reaches the broker
//   twice; PagerDuty hears trigger/resolve paired on the dedup_key;
// - a storage fault on one circuit never fails or delays another: a circuit
//   is named in a sweep's errors only when a call that failed named its
//   partition (or named none: a listing), never for the history or silences
//   table alone ("when only the history table fails ... the circuit's pages go
//   out anyway"; silences fail open) nor for a fleet alert's partition;
// - a fleet alert's storage failing never fails the sweep; at such a sweep the
//   site's outage may page late (the fleet alert, or its members once one that
//   was not written holds nothing), and a fleet alert may resolve late, by at
//   most those sweeps; an open fleet alert still holds its members (they page
//   on their own only when the alerts could not be listed at all); a fleet
//   alert never names a member that already paged on its own;
// - every storage call has a deadline: a hung call is given up within
//   STORAGE_TIMEOUT_MS;
// - once storage is healthy again everything resolves: nothing left open,
//   nothing stored but clear.
//
// Fixed seed, bounded runs (FUZZ_SEED / FUZZ_RUNS); loopback only.

import fc from "fast-check";
import { guardsApply, replay } from "./vacuity.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import { fleetCircuitId } from "../../src/core/fleet.js";
import { LAYERS } from "../../src/core/model.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { SweepResult } from "../../src/app/sweep.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf } from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import {
  BEHAVIOURS,
  faultOf,
  mulberry32,
  type Behaviour,
  startTableFaultProxy,
  type InjectedFault,
  type TableFault,
  type TableRequest,
} from "../support/table-fault-proxy.js";
import { ALERTS_QUEUE, startWorld } from "../support/world.js";
import {
  apply,
  AT_SITE,
  CIRCUITS,
  FAULT_SWEEPS,
  faultArb,
  HEALTHY,
  INTERVAL_MIN,
  Judge,
  MIN,
  RESOLVE_AFTER,
  SITE,
  sweepOfEvent,
  T0,
  TAIL_SWEEPS,
  troubled,
  truthAt,
  type CircuitName,
  type Fault,
  type Kind,
  type Truth,
  soakEstate,
  endOfRun,
} from "./lifecycle-model.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3);
/**
 * Low, to keep hung calls cheap (the SDK's retries of a 5xx or a reset run
 * into it too), with room for a healthy Azurite call on a loaded 2-core CI machine.
 */
const STORAGE_TIMEOUT_MS = 2_000;
/** How late past its deadline a hung call may be given up on a loaded 2-core machine. */
const DEADLINE_SLACK_MS = 1_500;

const TABLES = ["Alerts", "Snapshots", "History", "Silences"] as const;
type TableName = (typeof TABLES)[number];

/**
 * Where a fleet alert of the site lives: its pseudo-circuit's partition of the
 * Alerts table (its state and outbox rows) and of History. "site": every
 * layer's (whatever grouped there); "provider": the layer a carrier's outage
 * groups at (an empty ARP table, a provider not provisioned, a flapping link).
 */
const FLEET_LAYERS = { site: LAYERS, provider: ["provider"] } as const;
type FleetLayers = keyof typeof FLEET_LAYERS;
const fleetPartitions = (layers: FleetLayers): string[] =>
  FLEET_LAYERS[layers].map((layer) =>
    circuitPartition(fleetCircuitId(SITE.provider, SITE.location, layer)),
  );
/** Every fleet partition of the site: a failed call that names one costs the fleet alert, not a circuit. */
const SITE_FLEET_PARTITIONS = fleetPartitions("site");

type StorageScope =
  | { kind: "everything" }
  | { kind: "table"; table: TableName }
  | { kind: "partition"; circuit: CircuitName }
  | { kind: "fleet"; layers: FleetLayers }
  /** Every listing across a whole table (Snapshots, Alerts, History): each partition still answers. */
  | { kind: "scans" }
  | { kind: "fraction"; percent: number };

interface StorageFault {
  scope: StorageScope;
  behaviour: Behaviour;
  /** First sweep it is in force for. */
  start: number;
  sweeps: number;
}

const storageFaultArb: fc.Arbitrary<StorageFault> = fc.record({
  scope: fc.oneof(
    { weight: 1, arbitrary: fc.constant<StorageScope>({ kind: "everything" }) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...TABLES)
        .map((table): StorageScope => ({ kind: "table", table })),
    },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...CIRCUITS.map((c) => c.name))
        .map((circuit): StorageScope => ({ kind: "partition", circuit })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom<FleetLayers>("site", "provider")
        .map((layers): StorageScope => ({ kind: "fleet", layers })),
    },
    { weight: 2, arbitrary: fc.constant<StorageScope>({ kind: "scans" }) },
    {
      weight: 2,
      arbitrary: fc
        .integer({ min: 10, max: 50 })
        .map((percent): StorageScope => ({ kind: "fraction", percent })),
    },
  ),
  behaviour: fc.constantFrom(...BEHAVIOURS),
  start: fc.integer({ min: 1, max: FAULT_SWEEPS - 1 }),
  sweeps: fc.oneof(
    { weight: 2, arbitrary: fc.constant(1) },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 6 }) },
  ),
});

let azurite: Azurite;
let simulatedMinutes = 0;
let runs = 0;
/** What the runs made erwatch say (action family severity → count): a soak that pages nothing proves nothing. */
const heard = new Map<string, number>();
/** Storage faults injected, by behaviour and by scope (requests failed, delayed or lost). */
const injectedByBehaviour = new Map<string, number>();
const injectedByScope = new Map<string, number>();
let sweepsFailed = 0;
let circuitSweepsFailed = 0;
/** Requests on a fleet alert's partition failed (not merely slowed): the fleet scope, or any other that reached one. */
let fleetRequestsFaulted = 0;

const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} ×${n}`).join(", ");
  console.info(
    `storage soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours; requests faulted ${list(injectedByBehaviour)}; scheduled storage faults by scope ${list(injectedByScope)}; ${sweepsFailed} sweep(s) failed whole, ${circuitSweepsFailed} circuit-sweep(s) not recorded, ${fleetRequestsFaulted} request(s) on a fleet alert's partition failed; heard ${list(heard)}`,
  );
  const count = (re: RegExp) =>
    [...heard].filter(([k]) => re.test(k)).reduce((n, [, c]) => n + c, 0);
  if (guardsApply) {
    // The soak made storage fail, in the ways it says, and erwatch still paged and resolved.
    for (const b of ["hang", "503 ServerBusy", "reset", "lose-answer"])
      expect(injectedByBehaviour.get(b) ?? 0, b).toBeGreaterThan(0);
    expect(circuitSweepsFailed).toBeGreaterThan(0);
    // A fleet alert's own partition failed while it had something to write.
    expect(fleetRequestsFaulted).toBeGreaterThan(0);
    expect(count(/^open path-down Sev0/)).toBeGreaterThan(0);
    expect(count(/^open path-down Sev2/)).toBeGreaterThan(0);
    expect(count(/^resolve /)).toBeGreaterThan(0);
  }
});

const inForce = (f: StorageFault, sweep: number) =>
  sweep >= f.start && sweep < Math.min(f.start + f.sweeps, FAULT_SWEEPS);

const scopeName = (s: StorageScope) =>
  s.kind === "table"
    ? `table ${s.table}`
    : s.kind === "partition"
      ? "one circuit's partition"
      : s.kind === "fleet"
        ? `the fleet alert's partition (${s.layers})`
        : s.kind === "scans"
          ? "listings across a table"
          : s.kind === "fraction"
            ? "a fraction of calls"
            : "every call";

async function soak(carrier: readonly Fault[], storage: readonly StorageFault[], seed: number) {
  runs += 1;
  const random = mulberry32(seed);
  const { bundles, sims } = soakEstate();
  const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
  const partitions = new Map([...ids].map(([name, id]) => [name, circuitPartition(id)]));
  let now = new Date(T0);
  const proxy = await startTableFaultProxy(azurite);
  /** What erwatch warned of about fleet alerts during the sweep under way (for a failure's timeline). */
  let fleetWarnings: string[] = [];
  const w = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    sleep: async () => undefined,
    logDestination: {
      write: (line: string) => {
        if (/"level":(40|50|60)\b/.test(line) && /fleet/i.test(line)) {
          const l = JSON.parse(line) as { msg?: string; err?: { message?: string } };
          fleetWarnings.push(`${l.msg ?? ""}${l.err?.message ? ` (${l.err.message})` : ""}`);
        }
        return true;
      },
    },
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: String(STORAGE_TIMEOUT_MS),
    },
  });
  try {
    /** Per sweep: the circuits whose storage failed (nothing decided or published about them). */
    const failed: Set<CircuitName>[] = [];
    /** Per sweep: the site's fleet alerts' storage failed (nothing about them decided or published), and how. */
    const fleetFailed: ("partition" | "unlisted" | null)[] = [];
    /** Per sweep: the calls failed, counted by fault, operation, table and whose partition (for the failure's timeline). */
    const faultedCalls: string[] = [];
    /**
     * Per sweep: how the site's fleet alert was judged, which of the site's
     * circuits were not read, whether events were left in the outbox, and
     * what erwatch warned of about fleet alerts (for the failure's timeline:
     * a fleet page late or early says why).
     */
    const fleetSaid: string[] = [];
    /**
     * Per sweep: each circuit's History queries on its partition, whether one
     * was answered (a fault that let no answer through failed it). Unread: one
     * failed and none was answered, so its flaps were not counted.
     */
    const historyQueries: Map<CircuitName, { failed: boolean; answered: boolean }>[] = [];
    const judge = new Judge(ids, undefined, {
      storageFailed: (name, s) => failed[s]?.has(name) ?? false,
      historyUnread: (name, s) => {
        const q = historyQueries[s]?.get(name);
        return q !== undefined && q.failed && !q.answered;
      },
      decidedAt: sweepOfEvent,
      fleetStorageFailed: (s) => fleetFailed[s] ?? null,
    });
    const nameOf = (id: string) =>
      [...ids].find(([, i]) => i.toLowerCase() === id.toLowerCase())?.[0];
    const scheduleText = () => `storage: ${JSON.stringify(storage)}\n${judge.timeline(carrier)}`;

    const matches = (f: StorageFault, r: TableRequest): boolean => {
      switch (f.scope.kind) {
        case "everything":
          return true;
        case "table":
          return r.table.endsWith(f.scope.table);
        case "partition":
          return r.text.includes(partitions.get(f.scope.circuit)!);
        case "fleet":
          return fleetPartitions(f.scope.layers).some((pk) => r.text.includes(pk));
        case "scans":
          return r.operation === "query" && !r.text.includes("PartitionKey eq");
        case "fraction":
          return random() * 100 < f.scope.percent;
      }
    };
    const ruleFor = (sweep: number) => {
      const active = storage.filter((f) => inForce(f, sweep));
      const queries = new Map<CircuitName, { failed: boolean; answered: boolean }>();
      historyQueries[sweep] = queries;
      const history = (r: TableRequest, fault: TableFault | null) => {
        if (r.operation !== "query" || !r.table.endsWith("History")) return;
        for (const [n, pk] of partitions) {
          if (!r.text.includes(pk)) continue;
          const q = queries.get(n) ?? { failed: false, answered: false };
          if (fault === null || fault.kind === "slow") q.answered = true;
          else q.failed = true;
          queries.set(n, q);
        }
      };
      return (r: TableRequest): TableFault | null => {
        let fault: TableFault | null = null;
        for (const f of active)
          if (matches(f, r)) {
            fault = faultOf(f.behaviour, random);
            break;
          }
        history(r, fault);
        return fault;
      };
    };

    /**
     * The circuits a sweep's failed calls may cost: those whose partition a
     * failed call on the snapshots or alerts table named. A listing across a
     * table (naming no partition) costs none: the sweep then reads every
     * circuit deep, records each through its own partition and drains the
     * outbox partition by partition. Delays inside the deadline cost nothing;
     * the history and silences tables cost no circuit its decisions.
     */
    const exposedBy = (faults: InjectedFault[]): Set<CircuitName> => {
      const out = new Set<CircuitName>();
      for (const f of faults) {
        if (f.fault.kind === "slow") continue;
        if (!/(Alerts|Snapshots)$/.test(f.request.table)) continue;
        for (const [n, pk] of partitions) if (f.text.includes(pk)) out.add(n);
      }
      return out;
    };

    /**
     * The fleet alerts' storage failed: a call that failed on the alerts table
     * named none of its partitions (a listing: recordFleet reads them with
     * one), or named a fleet partition of the site. A delay inside the
     * deadline costs nothing.
     */
    const fleetExposedBy = (faults: InjectedFault[]): "partition" | "unlisted" | null => {
      const failed = faults.filter(
        (f) => f.fault.kind !== "slow" && /Alerts$/.test(f.request.table),
      );
      // The listing failing alone costs nothing: each of the site's fleet alerts is
      // read from its own partition, and its events drained from there. Only when
      // that fails too may its members page on their own.
      const scanned = failed.some((f) => !/PartitionKey/.test(f.text));
      const own = failed.some((f) => SITE_FLEET_PARTITIONS.some((pk) => f.text.includes(pk)));
      if (scanned && own) return "unlisted";
      return own ? "partition" : null;
    };
    /** "lose-answer update Alerts soak-lon ×2, …": which calls a sweep's faults hit. */
    const callsFaulted = (faults: InjectedFault[]): string => {
      const counts = new Map<string, number>();
      for (const f of faults) {
        if (f.fault.kind === "slow") continue;
        const whose =
          [...partitions].find(([, pk]) => f.text.includes(pk))?.[0] ??
          (SITE_FLEET_PARTITIONS.some((pk) => f.text.includes(pk)) ? "fleet" : "no partition");
        const what = `${f.fault.kind === "status" ? f.fault.status : f.fault.kind} ${f.request.operation} ${f.request.table.replace(/^.*?(Alerts|Snapshots|History|Silences)$/, "$1")} ${whose}`;
        counts.set(what, (counts.get(what) ?? 0) + 1);
      }
      return [...counts].map(([what, n]) => (n > 1 ? `${what} ×${n}` : what)).join(", ");
    };
    /** "fleet none (held-by-hysteresis: clean for 1 sweep, …); not read soak-ams-b; …": a sweep's fleet story. */
    const fleetSaidBy = (result: SweepResult | null, warnings: string[]): string => {
      if (!result) return [...new Set(warnings)].join("; ");
      const read = new Set(result.readings.map((r) => r.ref.id.toLowerCase()));
      const judged = result.decisions
        .filter((d) => d.family === "fleet")
        .map(
          (d) =>
            `fleet ${d.action}${d.reason ? ` (${d.reason}${d.detail ? `: ${d.detail}` : ""})` : ""}`,
        );
      const unread = AT_SITE.filter((n) => !read.has(ids.get(n)!.toLowerCase()));
      return [
        ...judged,
        ...(judged.length > 0 && unread.length > 0 ? [`not read ${unread.join(", ")}`] : []),
        ...(result.brokerError ? [`broker: ${result.brokerError}`] : []),
        ...(result.outboxError ? [`outbox: ${result.outboxError}`] : []),
        ...new Set(warnings),
      ].join("; ");
    };
    /** Only fleet partitions failed: nothing a circuit's decisions, or the sweep, may be cost by. */
    const onlyFleet = (faults: InjectedFault[]): boolean =>
      faults.every(
        (f) => f.fault.kind === "slow" || SITE_FLEET_PARTITIONS.some((pk) => f.text.includes(pk)),
      );

    let accepted = 0;
    const sweep = async (k: number) => {
      const perCircuit = new Map<CircuitName, Truth>();
      for (const [name, circuit] of sims) {
        const want = k < FAULT_SWEEPS ? truthAt(carrier, name, k) : HEALTHY;
        apply(circuit, judge.truth(name, k - 1), want);
        perCircuit.set(name, want);
      }
      judge.truths[k] = perCircuit;
      now = new Date(T0 + k * INTERVAL_MIN * MIN);
      proxy.rule = k < FAULT_SWEEPS ? ruleFor(k) : () => null;
      fleetWarnings = [];
      let result: SweepResult | null = null;
      let thrown: unknown = null;
      try {
        result = await w.timerSweep();
      } catch (error) {
        thrown = error;
      }
      proxy.rule = () => null;
      const faults = proxy.take();
      for (const f of faults) {
        bump(
          injectedByBehaviour,
          f.fault.kind === "status"
            ? `${f.fault.status}${f.fault.code ? ` ${f.fault.code}` : ""}`
            : f.fault.kind,
        );
      }
      const exposed = exposedBy(faults);
      for (const f of faults)
        if (f.fault.kind !== "slow" && SITE_FLEET_PARTITIONS.some((pk) => f.text.includes(pk)))
          fleetRequestsFaulted += 1;
      fleetFailed[k] = fleetExposedBy(faults);
      faultedCalls[k] = callsFaulted(faults);
      fleetSaid[k] = fleetSaidBy(result, fleetWarnings);
      const lost = new Set<CircuitName>();
      if (thrown || !result) {
        sweepsFailed += 1;
        fleetFailed[k] = "unlisted";
        if (faults.length === 0)
          judge.violations.push(`sweep ${k}: failed with no storage fault: ${String(thrown)}`);
        else if (onlyFleet(faults))
          judge.violations.push(
            `sweep ${k}: failed on the fleet alert's storage alone (recordFleet never fails the sweep): ${String(thrown)}`,
          );
        for (const name of ids.keys()) lost.add(name);
      } else {
        for (const e of result.errors) {
          const name = nameOf(e.id);
          if (!name) {
            judge.violations.push(`sweep ${k}: an error about ${e.name}: ${e.message}`);
            continue;
          }
          if (!exposed.has(name))
            judge.violations.push(
              `sweep ${k}: ${name} was not recorded, though no failed call on the snapshots or alerts table named it or listed them: ${e.message}`,
            );
          lost.add(name);
        }
        // Events that could not leave the outbox: late for the circuits whose calls failed, and only those.
        if (result.outboxError) for (const name of exposed) lost.add(name);
      }
      failed[k] = lost;
      circuitSweepsFailed += lost.size;
      for (const f of faults)
        if (f.fault.kind === "hang" && (f.waitedMs ?? 0) > STORAGE_TIMEOUT_MS + DEADLINE_SLACK_MS)
          judge.violations.push(
            `sweep ${k}: a hung ${f.request.operation} on ${f.request.table} was waited on ${f.waitedMs} ms (STORAGE_TIMEOUT_MS ${STORAGE_TIMEOUT_MS})`,
          );
      const all = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
      judge.observe(k, all.slice(accepted));
      accepted = all.length;
    };

    // Scope counts once per scheduled fault.
    for (const f of storage) bump(injectedByScope, scopeName(f.scope));

    let k = 0;
    for (; k < FAULT_SWEEPS; k += 1) await sweep(k);
    const lastTrouble = Math.max(
      -1,
      ...judge.truths.flatMap((perCircuit, s) =>
        [...perCircuit.values()].some(troubled) ? [s] : [],
      ),
    );
    for (; k < FAULT_SWEEPS + TAIL_SWEEPS; k += 1) {
      await sweep(k);
      if (judge.openKeys().length === 0 && k >= lastTrouble + RESOLVE_AFTER) break;
    }
    await sweep(k + 1);
    simulatedMinutes += (k + 1) * INTERVAL_MIN;

    const events = await endOfRun(w, judge);
    for (const e of events) bump(heard, `${e.action} ${e.family} ${e.severity}`);

    if (judge.violations.length > 0)
      throw new Error(
        `${judge.violations.slice(0, 12).join("\n")}\n--- timeline ---\n${scheduleText()}\n--- storage failed per sweep ---\n${failed
          .map((s, i) => (s.size > 0 ? `sweep ${i}: ${[...s].join(", ")}` : ""))
          .filter(Boolean)
          .join("\n")}\n--- fleet storage failed at sweeps ---\n${fleetFailed
          .flatMap((f, i) => (f ? [`${i} (${f})`] : []))
          .join(", ")}\n--- calls failed per sweep ---\n${faultedCalls
          .flatMap((c, i) => (c ? [`sweep ${i}: ${c}`] : []))
          .join("\n")}\n--- the site's fleet alert per sweep ---\n${fleetSaid
          .flatMap((c, i) => (c ? [`sweep ${i}: ${c}`] : []))
          .join("\n")}`,
      );
  } finally {
    proxy.rule = () => null;
    await w.close();
    await proxy.close();
  }
}

/**
 * Run first, whatever the seed: an outage of each size while each kind of
 * storage fault is in force on its circuit, its table, the site's fleet alert
 * or everything, so every run of the soak exercises them all and still has
 * pages to judge.
 */
const EXAMPLE: [[Fault[], StorageFault[], number]] = [
  [
    [
      { target: "site", kind: "carrier-both-paths", path: "primary", start: 1, sweeps: 2 },
      { target: "soak-lon", kind: "carrier-both-paths", path: "primary", start: 3, sweeps: 8 },
      { target: "soak-ams-a", kind: "carrier-one-path", path: "secondary", start: 4, sweeps: 9 },
      { target: "soak-ams-b", kind: "prefixes-over-limit", path: "primary", start: 12, sweeps: 5 },
      { target: "site", kind: "provider-not-provisioned", path: "primary", start: 15, sweeps: 4 },
      { target: "soak-lon", kind: "carrier-both-paths", path: "primary", start: 18, sweeps: 1 },
    ],
    [
      // The site's outage opens while its fleet alert's partition loses answers: the write lands.
      {
        scope: { kind: "fleet", layers: "provider" },
        behaviour: "lose-answer",
        start: 1,
        sweeps: 1,
      },
      { scope: { kind: "partition", circuit: "soak-lon" }, behaviour: "hang", start: 3, sweeps: 2 },
      {
        scope: { kind: "table", table: "Alerts" },
        behaviour: "503-server-busy",
        start: 5,
        sweeps: 1,
      },
      {
        scope: { kind: "partition", circuit: "soak-ams-a" },
        behaviour: "reset",
        start: 6,
        sweeps: 2,
      },
      { scope: { kind: "table", table: "History" }, behaviour: "hang", start: 8, sweeps: 2 },
      { scope: { kind: "table", table: "Silences" }, behaviour: "hang", start: 10, sweeps: 1 },
      { scope: { kind: "fraction", percent: 30 }, behaviour: "lose-answer", start: 11, sweeps: 2 },
      { scope: { kind: "everything" }, behaviour: "500-operation-timed-out", start: 13, sweeps: 1 },
      { scope: { kind: "fraction", percent: 50 }, behaviour: "slow", start: 14, sweeps: 3 },
      // The site's fleet alert is open, and its partition fails during the outage.
      {
        scope: { kind: "fleet", layers: "site" },
        behaviour: "503-server-busy",
        start: 16,
        sweeps: 1,
      },
      // The site's outage opens while every listing across a table fails: it pages in that sweep.
      { scope: { kind: "scans" }, behaviour: "503-server-busy", start: 15, sweeps: 1 },
      // Then they fail while the fleet alert is still open, another circuit's outage
      // opens, and the site comes back: each page and the resolve in its own sweep.
      { scope: { kind: "scans" }, behaviour: "503-server-busy", start: 17, sweeps: 3 },
    ],
    20261123,
  ],
];

/**
 * The carrier fault that surely makes a fleet alert of the site: the listing
 * shows both circuits de-provisioned, so both are read in the sweep it
 * begins and group. (Empty ARP tables are often read a sweep apart, as the
 * rotation reaches each circuit: the first then pages alone, and the other
 * joins no group.)
 */
const FLEET_OUTAGE: Kind = "provider-not-provisioned";

/**
 * A fleet alert's partition failing is worth a run only while there is a
 * fleet alert to write: each fleet-scope fault is moved onto such an outage
 * of the site (its first sweep, the next or the one after, by its generated
 * start), and a schedule with none gets one where the fault was.
 */
function onSiteOutages([carrier, storage, seed]: [Fault[], StorageFault[], number]): [
  Fault[],
  StorageFault[],
  number,
] {
  const outages = carrier.filter((f) => f.target === "site" && f.kind === FLEET_OUTAGE);
  const added: Fault[] = [];
  const moved = storage.map((f, i) => {
    if (f.scope.kind !== "fleet") return f;
    let outage = outages[i % Math.max(1, outages.length)];
    if (!outage) {
      outage = {
        target: "site",
        kind: FLEET_OUTAGE,
        path: "primary",
        start: f.start,
        sweeps: 2 + f.sweeps,
      };
      outages.push(outage);
      added.push(outage);
    }
    return { ...f, start: Math.min(FAULT_SWEEPS - 1, outage.start + (f.start % 3)) };
  });
  return [[...carrier, ...added], moved, seed];
}

it("the alert lifecycle keeps its promises while Table Storage hangs, fails and loses answers", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc
        .tuple(
          fc.array(faultArb, { minLength: 2, maxLength: 8 }),
          fc.array(storageFaultArb, { minLength: 2, maxLength: 5 }),
          fc.integer(),
        )
        .map(onSiteOutages),
      (schedule) => soak(...schedule),
    ),
    { seed: SEED, numRuns: RUNS, ...replay(), endOnFailure: true, examples: [EXAMPLE] },
  );
}, 900_000);
