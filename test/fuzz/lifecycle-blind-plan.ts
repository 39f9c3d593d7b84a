// The blind soaks' plan (lifecycle-blind.soak.test.ts and
// lifecycle-fan-out-blind.soak.test.ts): a random schedule of outages, ARM
// read trouble (the listing, or one circuit's ARP and route reads, refused,
// throttled, failing or too slow) and run-time silences, what erwatch can see
// and what is silenced at each sweep (a `Sight` for the judge), and the
// estate's faults and the silence desk that make it so.

import fc from "fast-check";
import { expired, newSilence } from "../../src/app/silences.js";
import {
  RBAC_ACTIONS,
  type FaultBehaviour,
  type OperationName,
  type PathName,
} from "../support/estate/index.js";
import type { World } from "../support/world.js";
import {
  CIRCUITS,
  FAULT_SWEEPS,
  PATHS,
  PRIVATE,
  type CircuitName,
  type Fault,
  type ReadTrouble,
  type SilenceInForce,
} from "./lifecycle-model.js";

/** A read past this is a timeout; the slow fault answers well after it. */
export const ARM_TIMEOUT_MS = 5_000;
const SLOW_MS = 10_000;

const NAMES = CIRCUITS.map((c) => c.name);

export const outageArb: fc.Arbitrary<Fault> = fc.record({
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
export interface ReadFault {
  subject: CircuitName | "listing";
  /** Only one path's reads (a circuit's). */
  path: PathName | null;
  kind: ReadTrouble["kind"];
  start: number;
  sweeps: number;
}

export const readFaultArb: fc.Arbitrary<ReadFault> = fc.record({
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
export interface SilencePlan {
  circuit: CircuitName;
  scope: "circuit" | "peering" | "path";
  path: PathName;
  start: number;
  sweeps: number;
  /** Sweeps into the window at which a person expires it (null: it runs its course). */
  expireAfter: number | null;
}

export const silenceArb: fc.Arbitrary<SilencePlan> = fc.record({
  circuit: fc.constantFrom<CircuitName>(...NAMES),
  scope: fc.constantFrom<SilencePlan["scope"]>("circuit", "peering", "path"),
  path: fc.constantFrom<PathName>(...PATHS),
  start: fc.integer({ min: 1, max: FAULT_SWEEPS - 2 }),
  sweeps: fc.integer({ min: 1, max: 8 }),
  expireAfter: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
});

export interface Plan {
  outages: Fault[];
  reads: ReadFault[];
  silences: SilencePlan[];
}

/**
 * An outage with, maybe, the reads of its circuit (or the listing) failing
 * while it lasts and a maintenance window around it: where blindness and
 * silences meet an open alert, which independent schedules seldom make.
 */
export interface Focus {
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

export const kindArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<ReadTrouble["kind"]>("forbidden", "server-error") },
  { weight: 1, arbitrary: fc.constant<ReadTrouble["kind"]>("throttled") },
  { weight: 1, arbitrary: fc.constant<ReadTrouble["kind"]>("timeout") },
);

export const focusArb: fc.Arbitrary<Focus> = fc.record({
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

export function withFocus(plan: Plan, focus: Focus[]): Plan {
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

export const planArb: fc.Arbitrary<Plan> = fc
  .tuple(
    fc.record({
      outages: fc.array(outageArb, { maxLength: 4 }),
      reads: fc.array(readFaultArb, { maxLength: 3 }),
      silences: fc.array(silenceArb, { maxLength: 2 }),
    }),
    fc.array(focusArb, { minLength: 1, maxLength: 3 }),
  )
  .map(([plan, focus]) => withFocus(plan, focus));

export const endOf = (f: { start: number; sweeps: number }) =>
  Math.min(f.start + f.sweeps, FAULT_SWEEPS);
export const during = (f: { start: number; sweeps: number }, sweep: number) =>
  sweep >= f.start && sweep < endOf(f);

/** When a silence stops holding: its window's end, or the sweep it was expired before. */
export const silenceEnd = (s: SilencePlan) =>
  Math.min(
    s.start + s.sweeps,
    s.expireAfter !== null && s.expireAfter < s.sweeps ? s.start + s.expireAfter : Infinity,
    FAULT_SWEEPS,
  );

export const OPERATIONS: Record<"listing" | "circuit", OperationName[]> = {
  listing: ["listCircuits"],
  circuit: ["arpTable", "routeTablesSummary"],
};

export function behaviourOf(kind: ReadTrouble["kind"]): FaultBehaviour {
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
export function troubleAt(plan: Plan, sweep: number): ReadTrouble[] {
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

export function silencesAt(plan: Plan, sweep: number): SilenceInForce[] {
  return plan.silences
    .filter((s) => sweep >= s.start && sweep < silenceEnd(s))
    .map((s) => ({
      circuit: s.circuit,
      ...(s.scope !== "circuit" ? { peering: PRIVATE } : {}),
      ...(s.scope === "path" ? { path: s.path } : {}),
    }));
}

/** Arms the estate's faults for one sweep: exactly the read trouble the plan has then. */
export function armFaults(w: World, plan: Plan, sweep: number): void {
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

const silenceId = (i: number) => `soak-${i}`;

/**
 * A person adds the plan's silences that start at sweep `k` (`erwatch silence
 * add`) and expires those they end then (`silence expire`), before the sweep.
 */
export async function silenceDesk(
  w: World,
  plan: Plan,
  k: number,
  at: (k: number) => Date,
): Promise<void> {
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
}
