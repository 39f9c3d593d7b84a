// The second lifecycle soak: what the first (lifecycle.soak.test.ts) does not
// cover. On the same small estate, read by the real timer function every 5
// minutes on an injected clock through the real ARM SDK, Table Storage,
// Service Bus and the receivers, a random schedule mixes
//
// - outages (one path, both paths, the provider de-provisioned) and a route
//   count over its limit, some for one sweep, some for several;
// - ARM read trouble from the simulated estate: the subscription's circuit
//   listing, or one circuit's ARP and route reads (both paths or one), refused
//   (403 AuthorizationFailed naming the action), throttled (429 with
//   Retry-After), failing (500) or too slow (past ARM_TIMEOUT_MS), for one
//   sweep (noise) or several;
// - run-time silences (`erwatch silence add`: a once window over a circuit,
//   optionally its peering and one path), some ended early (`silence expire`).
//
// The judge (lifecycle-model.ts) holds what the broker accepted against what
// design.md and the README promise:
//
// - a read failure is UNKNOWN: it never resolves an open alert, never opens or
//   changes an outage alert (nothing is decided about a circuit that could not
//   be listed, or about paths that could not be read); one path down with the
//   other unread is "redundancy unverified", Sev1, never Sev0;
// - reads failing `blindAfterSweeps` (3) sweeps in a row open one
//   `monitoring-blind` (Sev3) for the circuit, or for the subscription when it
//   cannot be listed, naming the failing call and kind (403: the missing
//   permission); it opens only after that many failing sweeps and resolves only
//   once the reads work again, within its resolve count;
// - an open Sev0/Sev1 erwatch cannot read for that long gets the one `Blind:`
//   repeat (same severity, `blindSince`), not before, and not a second until it
//   has been read again;
// - nothing a silence covers is sent while it holds (open, escalation, repeat,
//   blind notice, resolve); a fleet alert whose circuits are all silenced is
//   not sent; once the silence ends an alert still firing is told (coverage
//   resumes at the window's end), one that cleared meanwhile is never opened
//   (an open must agree with the reading of its sweep);
// - the first soak's identity, sequence, no-double-open, hysteresis, coverage,
//   resolve-in-time and nothing-left-open, where erwatch could read and no
//   silence held; PagerDuty trigger/resolve paired per dedup_key.
//
// Fixed seed, bounded runs (FUZZ_SEED / FUZZ_RUNS); loopback only.

import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expired, newSilence } from "../../src/app/silences.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import {
  estateOf,
  RBAC_ACTIONS,
  type FaultBehaviour,
  type OperationName,
  type PathName,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";
import {
  apply,
  BLIND_AFTER,
  CIRCUITS,
  FAULT_SWEEPS,
  HEALTHY,
  INTERVAL_MIN,
  Judge,
  MIN,
  PATHS,
  PRIVATE,
  RESOLVE_AFTER,
  T0,
  TAIL_SWEEPS,
  troubled,
  truthAt,
  type CircuitName,
  type Fault,
  type ReadTrouble,
  type SilenceInForce,
  type Sight,
  type Truth,
  soakEstate,
  endOfRun,
} from "./lifecycle-model.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 5);
/** A read past this is a timeout; the slow fault answers well after it. */
const ARM_TIMEOUT_MS = 5_000;
const SLOW_MS = 10_000;

const NAMES = CIRCUITS.map((c) => c.name);

const outageArb: fc.Arbitrary<Fault> = fc.record({
  target: fc.constantFrom<Fault["target"]>(...NAMES, "site"),
  kind: fc.constantFrom<Fault["kind"]>(
    "carrier-one-path",
    "carrier-both-paths",
    "provider-not-provisioned",
    "prefixes-over-limit",
  ),
  path: fc.constantFrom<PathName>(...PATHS),
  start: fc.integer({ min: 1, max: FAULT_SWEEPS - 1 }),
  sweeps: fc.oneof(
    { weight: 1, arbitrary: fc.constant(1) },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 10 }) },
  ),
});

/** Reads that fail: the listing, or one circuit's path reads, from `start` for `sweeps`. */
interface ReadFault {
  subject: CircuitName | "listing";
  /** Only one path's reads (a circuit's). */
  path: PathName | null;
  kind: ReadTrouble["kind"];
  start: number;
  sweeps: number;
}

const readFaultArb: fc.Arbitrary<ReadFault> = fc.record({
  subject: fc.constantFrom<ReadFault["subject"]>(...NAMES, "listing"),
  path: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom<PathName>(...PATHS) },
  ),
  kind: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<ReadTrouble["kind"]>("forbidden", "server-error") },
    { weight: 1, arbitrary: fc.constant<ReadTrouble["kind"]>("throttled") },
    { weight: 1, arbitrary: fc.constant<ReadTrouble["kind"]>("timeout") },
  ),
  start: fc.integer({ min: 1, max: FAULT_SWEEPS - 1 }),
  sweeps: fc.oneof(
    { weight: 1, arbitrary: fc.constant(1) },
    { weight: 3, arbitrary: fc.integer({ min: 2, max: 8 }) },
  ),
});

/** A run-time silence: a once window from sweep `start` for `sweeps`, maybe expired by hand at `expireAfter`. */
interface SilencePlan {
  circuit: CircuitName;
  scope: "circuit" | "peering" | "path";
  path: PathName;
  start: number;
  sweeps: number;
  /** Sweeps into the window at which a person expires it (null: it runs its course). */
  expireAfter: number | null;
}

const silenceArb: fc.Arbitrary<SilencePlan> = fc.record({
  circuit: fc.constantFrom<CircuitName>(...NAMES),
  scope: fc.constantFrom<SilencePlan["scope"]>("circuit", "peering", "path"),
  path: fc.constantFrom<PathName>(...PATHS),
  start: fc.integer({ min: 1, max: FAULT_SWEEPS - 2 }),
  sweeps: fc.integer({ min: 1, max: 8 }),
  expireAfter: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
});

interface Plan {
  outages: Fault[];
  reads: ReadFault[];
  silences: SilencePlan[];
}

/**
 * An outage with, maybe, the reads of its circuit (or the listing) failing
 * while it lasts and a maintenance window around it: where blindness and
 * silences meet an open alert, which independent schedules seldom make.
 */
interface Focus {
  outage: Fault;
  blind: {
    listing: boolean;
    path: PathName | null;
    kind: ReadTrouble["kind"];
    after: number;
    sweeps: number;
  } | null;
  silence: {
    scope: SilencePlan["scope"];
    after: number;
    sweeps: number;
    expireAfter: number | null;
  } | null;
}

const kindArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<ReadTrouble["kind"]>("forbidden", "server-error") },
  { weight: 1, arbitrary: fc.constant<ReadTrouble["kind"]>("throttled") },
  { weight: 1, arbitrary: fc.constant<ReadTrouble["kind"]>("timeout") },
);

const focusArb: fc.Arbitrary<Focus> = fc.record({
  outage: fc.record({
    target: fc.constantFrom<CircuitName>(...NAMES),
    kind: fc.constantFrom<Fault["kind"]>(
      "carrier-one-path",
      "carrier-both-paths",
      "provider-not-provisioned",
    ),
    path: fc.constantFrom<PathName>(...PATHS),
    start: fc.integer({ min: 1, max: 8 }),
    sweeps: fc.integer({ min: 3, max: 10 }),
  }),
  blind: fc.option(
    fc.record({
      listing: fc.boolean(),
      path: fc.option(fc.constantFrom<PathName>(...PATHS), { nil: null, freq: 3 }),
      kind: kindArb,
      after: fc.integer({ min: 0, max: 4 }),
      sweeps: fc.integer({ min: 1, max: 7 }),
    }),
    { nil: null, freq: 4 },
  ),
  silence: fc.option(
    fc.record({
      scope: fc.constantFrom<SilencePlan["scope"]>("circuit", "peering", "path"),
      after: fc.integer({ min: -1, max: 3 }),
      sweeps: fc.integer({ min: 1, max: 6 }),
      expireAfter: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    }),
    { nil: null, freq: 3 },
  ),
});

function withFocus(plan: Plan, focus: Focus[]): Plan {
  const out: Plan = {
    outages: [...plan.outages],
    reads: [...plan.reads],
    silences: [...plan.silences],
  };
  for (const f of focus) {
    const name = f.outage.target as CircuitName;
    out.outages.push(f.outage);
    if (f.blind)
      out.reads.push({
        subject: f.blind.listing ? "listing" : name,
        path: f.blind.listing ? null : f.blind.path,
        kind: f.blind.kind,
        start: f.outage.start + f.blind.after,
        sweeps: f.blind.sweeps,
      });
    if (f.silence)
      out.silences.push({
        circuit: name,
        scope: f.silence.scope,
        path: f.outage.path,
        start: Math.max(1, f.outage.start + f.silence.after),
        sweeps: f.silence.sweeps,
        expireAfter: f.silence.expireAfter,
      });
  }
  return out;
}

const planArb: fc.Arbitrary<Plan> = fc
  .tuple(
    fc.record({
      outages: fc.array(outageArb, { maxLength: 4 }),
      reads: fc.array(readFaultArb, { maxLength: 3 }),
      silences: fc.array(silenceArb, { maxLength: 2 }),
    }),
    fc.array(focusArb, { minLength: 1, maxLength: 3 }),
  )
  .map(([plan, focus]) => withFocus(plan, focus));

const endOf = (f: { start: number; sweeps: number }) => Math.min(f.start + f.sweeps, FAULT_SWEEPS);
const during = (f: { start: number; sweeps: number }, sweep: number) =>
  sweep >= f.start && sweep < endOf(f);

/** When a silence stops holding: its window's end, or the sweep it was expired before. */
const silenceEnd = (s: SilencePlan) =>
  Math.min(
    s.start + s.sweeps,
    s.expireAfter !== null && s.expireAfter < s.sweeps ? s.start + s.expireAfter : Infinity,
    FAULT_SWEEPS,
  );

const OPERATIONS: Record<"listing" | "circuit", OperationName[]> = {
  listing: ["listCircuits"],
  circuit: ["arpTable", "routeTablesSummary"],
};

function behaviourOf(kind: ReadTrouble["kind"]): FaultBehaviour {
  switch (kind) {
    case "forbidden":
      return { kind: "status", status: 403 };
    case "throttled":
      return { kind: "status", status: 429, retryAfterSeconds: 1 };
    case "server-error":
      return { kind: "status", status: 500 };
    case "timeout":
      return { kind: "slow", delayMs: SLOW_MS };
    case "malformed":
      return { kind: "malformed", variant: "invalid-json" };
  }
}

/**
 * What the read faults in force at a sweep make erwatch see: one trouble per
 * failing call and path. Where two faults match one request the estate answers
 * with the first armed (as armFaults arms them, in plan order), but delays it
 * for a slow one as well: past ARM_TIMEOUT_MS that is a timeout whatever follows.
 */
function troubleAt(plan: Plan, sweep: number): ReadTrouble[] {
  if (sweep >= FAULT_SWEEPS) return [];
  const active = plan.reads.filter((f) => during(f, sweep));
  const out: ReadTrouble[] = [];
  const first = (matching: ReadFault[]) =>
    matching.find((f) => f.kind === "timeout") ?? matching[0];
  const listing = first(active.filter((f) => f.subject === "listing"));
  if (listing)
    out.push({ subject: "listing", kind: listing.kind, action: RBAC_ACTIONS.listCircuits });
  for (const name of NAMES)
    for (const path of PATHS) {
      const hit = first(
        active.filter((f) => f.subject === name && (f.path === null || f.path === path)),
      );
      if (!hit) continue;
      for (const op of OPERATIONS.circuit)
        out.push({ subject: name, path, kind: hit.kind, action: RBAC_ACTIONS[op] });
    }
  return out;
}

function silencesAt(plan: Plan, sweep: number): SilenceInForce[] {
  return plan.silences
    .filter((s) => sweep >= s.start && sweep < silenceEnd(s))
    .map((s) => ({
      circuit: s.circuit,
      ...(s.scope !== "circuit" ? { peering: PRIVATE } : {}),
      ...(s.scope === "path" ? { path: s.path } : {}),
    }));
}

/** Arms the estate's faults for one sweep: exactly the read trouble the plan has then. */
function armFaults(w: World, plan: Plan, sweep: number): void {
  w.estate.clearFaults();
  for (const f of plan.reads) {
    if (sweep >= FAULT_SWEEPS || !during(f, sweep)) continue;
    const ops = OPERATIONS[f.subject === "listing" ? "listing" : "circuit"];
    for (const operation of ops)
      w.estate.addFault({
        match: {
          operation,
          ...(f.subject !== "listing" ? { circuit: f.subject } : {}),
          ...(f.subject !== "listing" && f.path ? { path: f.path } : {}),
        },
        behaviour: behaviourOf(f.kind),
      });
  }
}

let azurite: Azurite;
let simulatedMinutes = 0;
let runs = 0;
const heard = new Map<string, number>();
/** Decisions a silence held back, and sweeps some read failed in. */
let silenced = 0;
let blindSweeps = 0;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  console.info(
    `blind/silence soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours, ${blindSweeps} sweeps with failing reads, ${silenced} decisions silenced; heard ${[...heard].map(([k, n]) => `${k} ×${n}`).join(", ")}`,
  );
  const count = (re: RegExp) =>
    [...heard].filter(([k]) => re.test(k)).reduce((n, [, c]) => n + c, 0);
  // A soak that never went blind or silenced anything proves nothing.
  expect(count(/^open monitoring-blind/)).toBeGreaterThan(0);
  expect(count(/^resolve monitoring-blind/)).toBeGreaterThan(0);
  expect(count(/^open path-down/)).toBeGreaterThan(0);
  expect(count(/^blind-notice /)).toBeGreaterThan(0);
  expect(silenced).toBeGreaterThan(0);
});

async function soak(plan: Plan): Promise<void> {
  runs += 1;
  const { bundles, sims } = soakEstate();
  let now = new Date(T0);
  const w = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    sleep: async () => undefined,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *", ARM_TIMEOUT_MS: String(ARM_TIMEOUT_MS) },
  });
  const sight: Sight = {
    trouble: (s) => troubleAt(plan, s),
    silences: (s) => silencesAt(plan, s),
  };
  try {
    // `erwatch silence add` writes here; the sweep reads it at its start.
    await w.runtime.silences.ensureTable();
    const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
    const judge = new Judge(ids, sight);
    let accepted = 0;
    const at = (k: number) => new Date(T0 + k * INTERVAL_MIN * MIN);
    const silenceId = (i: number) => `soak-${i}`;

    /** A person adds the silences that start now and expires those they end now, before the sweep. */
    const silenceDesk = async (k: number) => {
      for (const [i, s] of plan.silences.entries()) {
        if (s.start === k) {
          const end = Math.min(s.start + s.sweeps, FAULT_SWEEPS);
          await w.runtime.silences.add(
            newSilence(
              {
                circuit: s.circuit,
                ...(s.scope !== "circuit" ? { peering: PRIVATE } : {}),
                ...(s.scope === "path" ? { path: s.path } : {}),
                window: { kind: "once", start: at(k).toISOString(), end: at(end).toISOString() },
                comment: `carrier maintenance CHG-${i}`,
                author: "soak",
              },
              silenceId(i),
              at(k),
            ),
          );
        }
        if (s.expireAfter !== null && s.expireAfter < s.sweeps && s.start + s.expireAfter === k) {
          const stored = (await w.runtime.silences.list()).find((x) => x.value.id === silenceId(i));
          if (!stored) throw new Error(`silence ${silenceId(i)} is not stored`);
          await w.runtime.silences.update({ ...stored, value: expired(stored.value, at(k)) });
        }
      }
    };

    const sweep = async (k: number) => {
      const perCircuit = new Map<CircuitName, Truth>();
      for (const [name, circuit] of sims) {
        const want = k < FAULT_SWEEPS ? truthAt(plan.outages, name, k) : HEALTHY;
        apply(circuit, judge.truth(name, k - 1), want);
        perCircuit.set(name, want);
      }
      judge.truths[k] = perCircuit;
      now = at(k);
      await silenceDesk(k);
      armFaults(w, plan, k);
      const result = await w.timerSweep();
      w.estate.clearFaults();
      w.estate.releaseSlow();
      expect(result.errors).toEqual([]);
      silenced += result.decisions.filter((d) => d.reason === "silenced").length;
      if (troubleAt(plan, k).length > 0) blindSweeps += 1;
      const all = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
      judge.observe(k, all.slice(accepted));
      accepted = all.length;
    };

    let k = 0;
    for (; k < FAULT_SWEEPS; k += 1) await sweep(k);
    const lastTrouble = Math.max(
      -1,
      ...judge.truths.flatMap((perCircuit, s) =>
        [...perCircuit.values()].some(troubled) ? [s] : [],
      ),
      ...plan.reads.map((f) => endOf(f) - 1),
      ...plan.silences.map((s) => silenceEnd(s) - 1),
    );
    for (; k < FAULT_SWEEPS + TAIL_SWEEPS; k += 1) {
      await sweep(k);
      if (judge.openKeys().length === 0 && k >= lastTrouble + RESOLVE_AFTER + BLIND_AFTER) break;
    }
    await sweep(k + 1);
    simulatedMinutes += (k + 1) * INTERVAL_MIN;

    const events = await endOfRun(w, judge);
    for (const e of events) {
      const blindNotice = e.action === "repeat" && e.change.startsWith("Blind:");
      const what = `${blindNotice ? "blind-notice" : e.action} ${e.family} ${e.severity}`;
      heard.set(what, (heard.get(what) ?? 0) + 1);
    }

    if (judge.violations.length > 0)
      throw new Error(
        `${judge.violations.slice(0, 12).join("\n")}\n--- timeline ---\n${judge.timeline([plan])}`,
      );
  } finally {
    await w.close();
  }
}

it("blindness and silences keep the lifecycle's promises through hours of random faults, failed reads and maintenance windows", async () => {
  await fc.assert(fc.asyncProperty(planArb, soak), {
    seed: SEED,
    numRuns: RUNS,
    // Each run is seconds of real reads: FUZZ_SHRINK=0 reports the first counterexample as found.
    endOnFailure: process.env.FUZZ_SHRINK === "0",
  });
}, 900_000);
