// Which circuits a sweep reads deep (ARP and route summary per path, the
// gateway wiring), and in what order. Every sweep has the cheap tier for every
// circuit: its body from the listing (and, later, Azure Monitor's metrics).
// Deep reads cost long-running POSTs against a budget of 10 a second per
// subscription, so they go where they tell something:
//   1. trouble: what was stored is not all clear (a layer down or warn, or
//      unknown where a deep read can mend it: not from the body the cheap
//      tier lists, nor the capacity row, read from Azure Monitor alone, nor
//      end to end while Log Analytics alone leaves it UNKNOWN; a row judged
//      before that the latest deep read left UNKNOWN, once:
//      core/unknown-trouble.ts; an alert not clear; a read that failed), not
//      a read refused for good, the rows it left UNKNOWN nor a
//      monitoring-blind that names only such reads or body fields
//      (core/refused-reads.ts), nor a Global Reach row warning while a
//      connection is being set up, whose hold's end is read instead
//      (core/reach-memory.ts), or a cheap signal says so (Azure Monitor: an
//      availability dip its last deep read has not seen, what
//      traffic-stopped or saturation would alert on: core/dataplane/signal.ts,
//      or the throughput of a path whose capacity row was left UNKNOWN, back);
//   2. change: the circuit's body differs from the one last judged;
//   3. never read, or no cheap reading this sweep (its listing failed);
//   4. due: its oldest path reading would pass the age limit before the next
//      sweep could read it (that tick a little late), or how old it is cannot
//      be told (dated after the clock, or a kept time that is not a time);
//   5. rotation: the oldest of the rest, enough of them each sweep that the
//      whole estate turns over in time without piling up on one sweep.
// Oldest first within each group, except that the due and rotation reads at a
// suspect's place go first of their group (siteMatesNext): a lone suspect's
// outage waits for them. Pure: time and settings come in.

import { CONCURRENT_SWEEP_MS, type AlertState } from "./lifecycle.js";
import { capacityRowKey, dipsSince, dipWords, type AvailabilityDip } from "./dataplane/signal.js";
import {
  lastDeepReadAt,
  oldestReadAgeMs,
  oldestReadAt,
  storedReadAges,
  type ReadAges,
} from "./read-age.js";
import { hhmm } from "./dataplane/series.js";
import { storedInstant } from "./instant.js";
import { PATHS, type TableLayer } from "./model.js";
import type { Snapshot, SnapshotCell } from "./snapshot.js";
import { judgedUnknownIsTrouble, menderOf, type JudgedUnknown } from "./unknown-trouble.js";
import { blindNoDeepReadMends, unknownByRefusal } from "./refused-reads.js";
import { settlingEndsAt } from "./reach-memory.js";

/** SWEEP_MAX_READ_AGE_MINUTES's default: the rotation keeps every reading younger than this. */
export const DEFAULT_MAX_READ_AGE_MINUTES = 15;

export const PLAN_REASONS = [
  "trouble",
  "signal",
  "changed",
  "new",
  "unlisted",
  "due",
  "rotation",
] as const;
export type PlanReason = (typeof PLAN_REASONS)[number];

/** Read because something pointed at the circuit, not only because its readings are getting old. */
export const suspected = (reason: PlanReason): boolean => reason !== "due" && reason !== "rotation";

/** A circuit as the cheap tier saw it this sweep. */
export interface PlanCircuit {
  id: string;
  name: string;
  subscriptionId: string;
  /** Fingerprint of its body in this sweep's listing; null when there was none (the listing failed). */
  fingerprint: string | null;
  /** A cheap signal that says trouble whenever it was last read (e.g. traffic stopped), in words; null when quiet or not known. */
  signal: string | null;
  /**
   * BGP / ARP availability dips Azure Monitor showed in its look-back: a
   * signal only for those its last deep read has not seen (dipsSince).
   */
  dips?: readonly AvailabilityDip[];
  /** The paths (capacityRowKey) whose throughput Azure Monitor's metrics can judge this sweep. */
  throughput?: readonly string[];
}

/** What storage remembers of a circuit. */
export interface PlanMemory {
  /** Fingerprint of the body the last evaluation judged. */
  fingerprint: string | null;
  reads: ReadAges | undefined;
  /** Why the stored state is not all clear; null when it is. */
  trouble: string | null;
  /** The circuit's id as storage spells it (its partition follows the spelling). */
  storedId?: string;
  /** The paths (capacityRowKey) whose capacity row its last deep read left UNKNOWN (unknownCapacityOf). */
  unknownCapacity?: readonly string[];
  /**
   * When the first Global Reach connection held as being set up stops being
   * held (reach-memory.ts settlingEndsAt), in ms; null or absent: none held.
   */
  settlingEndsAt?: number | null;
}

export interface PlanPolicy {
  /** No path reading (prefix count, ARP) may be older than this. */
  maxReadAgeMs: number;
  /** Time between two sweeps (the timer's interval). */
  intervalMs: number;
  /** Time from the start of a sweep to its deadline: a circuit planned now is read within it. */
  budgetMs: number;
}

export interface PlannedRead {
  id: string;
  name: string;
  subscriptionId: string;
  reason: PlanReason;
  detail: string;
  /**
   * Age of its oldest path reading at planning time; null when never read, or
   * when the time kept for it is not a time (unknown: oldest first).
   */
  ageMs: number | null;
}

export interface QuietCircuit {
  id: string;
  name: string;
  ageMs: number | null;
}

export interface SweepPlan {
  /** In the order to read them. */
  deep: PlannedRead[];
  /** Judged on the cheap tier alone this sweep. */
  quiet: QuietCircuit[];
  /** Circuits per sweep the rotation reads at least (so the estate turns over within the age limit). */
  rotationQuota: number;
}

const RANK: Record<PlanReason, number> = {
  trouble: 0,
  signal: 0,
  changed: 0,
  new: 1,
  unlisted: 1,
  due: 2,
  rotation: 3,
};

/**
 * How late a tick may fire and still have the age limit hold: the next sweep's
 * window is counted from when it fires, so a reading left for it at the very
 * edge passed the limit by that tick's lateness (Azure's timers fire a few
 * hundred ms to seconds late). A tick later than this (past due after a
 * restart) is not answered for.
 */
export function lateTickMs(intervalMs: number): number {
  return Math.min(15_000, intervalMs / 20);
}

/** The oldest a reading may be at planning and still wait for the next sweep. */
export function mustReadByMs(policy: PlanPolicy): number {
  return policy.maxReadAgeMs - policy.intervalMs - policy.budgetMs - lateTickMs(policy.intervalMs);
}

/** Sweeps a reading may wait before it must be read again, all told. */
export function sweepsPerRotation(policy: PlanPolicy): number {
  const usable = policy.maxReadAgeMs - policy.budgetMs - lateTickMs(policy.intervalMs);
  return Math.max(1, Math.floor(usable / Math.max(1, policy.intervalMs)));
}

/**
 * What a schedule makes of the age limit. With no sweep a reading could wait
 * for (mustReadByMs ≤ 0) every circuit is due every sweep, and a reading
 * taken early in one sweep is read again late in the next, `worstAgeMs` on:
 * past the limit when `held` is false, however much is read.
 */
export function readAgeCadence(policy: PlanPolicy): {
  everySweep: boolean;
  held: boolean;
  worstAgeMs: number;
} {
  const worstAgeMs = policy.intervalMs + policy.budgetMs + lateTickMs(policy.intervalMs);
  return {
    everySweep: mustReadByMs(policy) <= 0,
    held: worstAgeMs <= policy.maxReadAgeMs,
    worstAgeMs,
  };
}

/**
 * What the latest reading showed of a row: an UNKNOWN after the row was
 * judged is kept as the status before, the UNKNOWN beside it (diff.ts
 * keptBeside); read from the status alone, only a row never judged was
 * UNKNOWN, and a throughput gap on a circuit read before waited for its turn.
 */
const latestStatus = (cell: Partial<SnapshotCell> | undefined): string | undefined =>
  cell?.shown?.status ?? cell?.status;

/**
 * The paths (capacityRowKey) whose capacity row was left UNKNOWN: not
 * trouble (no deep read mends it), but read deep as soon as Azure Monitor
 * has their throughput again (throughputBack).
 */
export function unknownCapacityOf(snapshot: Snapshot): string[] {
  const rows: string[] = [];
  // A row is any text to its schema (storedReadAges): what is not a peering's paths is no row.
  const peerings = snapshot.peerings as Record<
    string,
    Partial<Snapshot["peerings"][string]> | null
  >;
  for (const [peering, p] of Object.entries(peerings ?? {}))
    for (const path of PATHS)
      if (latestStatus(p?.paths?.[path]?.capacity) === "unknown")
        rows.push(capacityRowKey(peering, path));
  return rows;
}

/** Why what was stored for a circuit is not all clear, or null when it is. */
export function troubleOf(
  snapshot: Snapshot | null,
  alerts: readonly (Pick<AlertState, "family" | "phase" | "peering"> &
    Partial<Pick<AlertState, "condition">>)[],
): string | null {
  const open = alerts.find((a) => a.phase !== "clear" && !blindNoDeepReadMends(a));
  if (open)
    return `alert ${open.family}${open.peering ? ` on ${open.peering}` : ""} is ${open.phase}`;
  if (!snapshot) return null;
  if (snapshot.reads?.incomplete && snapshot.reads.retryFirst !== false)
    return "a read failed last time";
  // Only Log Analytics catching up or answering again mends it (dataplane/log-analytics.ts).
  const waitsOnLogAnalytics = snapshot.endToEndWaitsOn === "log-analytics";
  const takenAt = storedInstant(snapshot.takenAt);
  // Checked part by part: a row is any text to its schema.
  const reads = storedReadAges(snapshot.reads);
  for (const [peering, p] of Object.entries(snapshot.peerings)) {
    // Its hold's end is planned (PlanMemory.settlingEndsAt): until then a deep read tells nothing new.
    const settling = settlingEndsAt(snapshot, peering) !== null;
    for (const [path, layers] of Object.entries(p.paths)) {
      for (const [layer, cell] of Object.entries(layers)) {
        if (layer === "path") continue;
        if (layer === "globalReach" && cell.status === "warn" && settling) continue;
        // Never judged, and UNKNOWN for what no deep read reads (menderOf): the
        // body, a path's throughput (Azure Monitor), end to end waiting on Log
        // Analytics. The cheap tier reads the first two every sweep and sends
        // the circuit deep when they change; as trouble it was read deep every
        // sweep, spending the ARM budget the rotation needs on reads that told
        // nothing of it.
        if (
          cell.status === "unknown" &&
          menderOf(layer as TableLayer, cell.detail, waitsOnLogAnalytics) !== "deep-read"
        )
          continue;
        if (
          latestStatus(cell) === "unknown" &&
          unknownByRefusal(reads, peering, path, layer as TableLayer)
        )
          continue;
        if (cell.status === "down" || cell.status === "warn" || cell.status === "unknown")
          return `${layer} ${cell.status} on ${peering}/${path}`;
        const shown = cell.shown;
        if (shown?.status !== "unknown") continue;
        const since = storedInstant(shown.since);
        const judged: JudgedUnknown = {
          layer: layer as TableLayer,
          detail: shown.detail,
          // A since that is not a time (a hand edit) is kept as it is at every read: settled.
          firstReadUnknownNow: since !== null && takenAt !== null && since >= takenAt,
          endToEndWaitsOnLogAnalytics: waitsOnLogAnalytics,
        };
        if (judgedUnknownIsTrouble(judged))
          return `${layer} unknown on ${peering}/${path} (${cell.status} before): ${shown.detail}`;
      }
    }
  }
  if (snapshot.providerState !== null && snapshot.providerState !== "Provisioned")
    return `provider ${snapshot.providerState}`;
  return null;
}

/**
 * The oldest path reading is dated after `now` by more than a concurrent
 * sweep's reads can be: stamped by a clock that has since stepped back.
 * Read as 0 min old it was never due, and the rotation, oldest first, kept
 * reading the circuits it had just read (the only ones with an age): the
 * rest went unread until the clock caught up with their stamps.
 */
const aheadOfClock = (readAt: number, now: Date): boolean =>
  readAt - now.getTime() > CONCURRENT_SWEEP_MS;

/**
 * The circuit's cheap signal, with the dips its last deep read has not seen.
 * That read's instant is not taken from a clock that has since stepped back:
 * every dip before it would be taken as seen.
 */
function signalOf(c: PlanCircuit, known: PlanMemory | undefined, now: Date): string | null {
  const deepAt = lastDeepReadAt(known?.reads);
  const seenUntil = deepAt !== null && !aheadOfClock(deepAt, now) ? deepAt : null;
  const words = [dipWords(dipsSince(c.dips ?? [], seenUntil)), c.signal].filter((w) => w !== null);
  return words.length > 0 ? words.join("; ") : null;
}

/**
 * The capacity rows left UNKNOWN whose throughput the cheap tier can judge
 * again, in words; null when none. Left to the circuit's turn, the row stayed
 * UNKNOWN for up to SWEEP_MAX_READ_AGE_MINUTES while the numbers were there.
 */
function throughputBack(c: PlanCircuit, known: PlanMemory | undefined): string | null {
  const judged = new Set(c.throughput ?? []);
  const back = (known?.unknownCapacity ?? []).filter((row) => judged.has(row));
  if (back.length === 0) return null;
  return `Azure Monitor has its throughput again (${back.join(", ")}), which its capacity row read UNKNOWN without`;
}

/**
 * When a Global Reach connection held as being set up stopped being held, in
 * ms; null when none was or its hold is not up yet. Read deep at the first
 * sweep at or after it, so a stuck one pages at CONNECTING_WAIT_MS and not a
 * turn later. Compared with the sweep's `now`, the instant the evaluation
 * counts and judges the hold by (reach-memory.ts connectingOf), so a hold
 * that is up here is stuck there.
 */
function holdUpAt(known: PlanMemory | undefined, now: Date): number | null {
  const end = known?.settlingEndsAt;
  return typeof end === "number" && end <= now.getTime() ? end : null;
}

export function planSweep(
  circuits: readonly PlanCircuit[],
  memory: ReadonlyMap<string, PlanMemory>,
  now: Date,
  policy: PlanPolicy,
): SweepPlan {
  const deep: PlannedRead[] = [];
  const rest: (QuietCircuit & { subscriptionId: string })[] = [];
  const mustReadBy = mustReadByMs(policy);
  for (const c of circuits) {
    const known = memory.get(c.id.toLowerCase());
    const readAt = oldestReadAt(known?.reads);
    // Null when never read, or when its kept time is not a time (due, and oldest of all).
    const ageMs = oldestReadAgeMs(known?.reads, now);
    const plan = (reason: PlanReason, detail: string) =>
      deep.push({
        id: c.id,
        name: c.name,
        subscriptionId: c.subscriptionId,
        reason,
        detail,
        ageMs,
      });
    const signal = signalOf(c, known, now) ?? throughputBack(c, known);
    const holdUp = holdUpAt(known, now);
    if (signal !== null) plan("signal", signal);
    else if (known?.trouble) plan("trouble", known.trouble);
    else if (holdUp !== null)
      plan(
        "trouble",
        `a Global Reach connection's set-up hold ended at ${hhmm(holdUp)} UTC: judged again (stuck, or connected)`,
      );
    else if (!known) plan("new", "never read");
    else if (c.fingerprint === null) plan("unlisted", "no cheap reading this sweep");
    else if (known.fingerprint !== c.fingerprint)
      plan("changed", "its body changed since it was last judged");
    else if (readAt === "never") plan("new", "a path was never read");
    else if (readAt === "unknown")
      plan(
        "due",
        "the time of its oldest reading is not a time (a hand edit, a cut-off write): how old it is is unknown",
      );
    else if (aheadOfClock(readAt, now))
      plan(
        "due",
        "its readings are dated after this sweep's clock (the clock stepped back): how old they are is unknown",
      );
    else if (ageMs !== null && ageMs > mustReadBy)
      plan("due", `oldest reading ${Math.round(ageMs / 60_000)} min old`);
    else rest.push({ id: c.id, name: c.name, subscriptionId: c.subscriptionId, ageMs });
  }
  const age = (x: { ageMs: number | null }) => x.ageMs ?? Number.POSITIVE_INFINITY;
  // Oldest first; ties in a stable order, so consecutive sweeps rotate through the same cohorts.
  const oldestFirst = (
    a: { ageMs: number | null; id: string },
    b: { ageMs: number | null; id: string },
  ) => (age(a) > age(b) ? -1 : age(a) < age(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const rotationQuota = Math.ceil(circuits.length / sweepsPerRotation(policy));
  const alreadyRotating = deep.filter((d) => d.reason === "due").length;
  rest.sort(oldestFirst);
  const topUp = Math.max(0, rotationQuota - alreadyRotating);
  for (const c of rest.splice(0, topUp))
    deep.push({ ...c, reason: "rotation", detail: "oldest readings, in turn" });
  deep.sort((a, b) => RANK[a.reason] - RANK[b.reason] || oldestFirst(a, b));
  return {
    deep,
    quiet: rest.map(({ id, name, ageMs }) => ({ id, name, ageMs })),
    rotationQuota,
  };
}

/**
 * The plan's reads with its suspects' site-mates moved up: every suspect
 * first, as planned; then the due reads at a place a suspect is at, then the
 * other due reads; then the rotation's reads at such a place, then the rest.
 * A lone suspect's outage waits for the other reads of its place in the same
 * sweep (app/circuit-recorder.ts), so they are read straight after it:
 * planned oldest first, they could come last in a long sweep, and a real
 * single-circuit outage paged up to a whole sweep's reads later. A read not
 * due never goes ahead of one that is: a deadline that cuts the sweep cuts
 * the rotation's reads, never a reading about to pass the age limit.
 * `placeOf`: the read's provider and location as one key, null when unknown.
 */
export function siteMatesNext<T>(
  reads: readonly T[],
  reasonOf: (read: T) => PlanReason,
  placeOf: (read: T) => string | null,
): T[] {
  const suspectAt = new Set(
    reads.filter((r) => suspected(reasonOf(r))).flatMap((r) => placeOf(r) ?? []),
  );
  const mate = (r: T) => {
    const place = placeOf(r);
    return place !== null && suspectAt.has(place);
  };
  const tier = (r: T): number => {
    const reason = reasonOf(r);
    if (suspected(reason)) return 0;
    return (reason === "due" ? 1 : 3) + (mate(r) ? 0 : 1);
  };
  // Stable: within each tier the plan's own order (oldest first) holds.
  return reads
    .map((read, i) => ({ read, i, tier: tier(read) }))
    .sort((a, b) => a.tier - b.tier || a.i - b.i)
    .map(({ read }) => read);
}

/**
 * With nothing remembered (storage could not list what was read when) every
 * circuit plans as "new", in id order, and a deadline that cuts the sweep
 * short would leave the same tail unread on every sweep the listing fails.
 * Each sweep starts the turn further on instead, by the rotation's share per
 * interval, so the whole estate is read over a rotation as it would be with
 * memory. Only the items `turns` picks move; the rest keep their places.
 */
export function turnEachSweep<T>(
  items: readonly T[],
  turns: (item: T) => boolean,
  now: Date,
  intervalMs: number,
  share: number,
): T[] {
  const moving = items.filter(turns);
  if (moving.length === 0) return [...items];
  const slot = Math.floor(now.getTime() / Math.max(1, intervalMs));
  const start = (slot * Math.max(1, share)) % moving.length;
  const turned = [...moving.slice(start), ...moving.slice(0, start)];
  let next = 0;
  return items.map((item) => (turns(item) ? turned[next++]! : item));
}
