// The tiered sweep's first half: the cheap tier (the listing erwatch already
// has), what storage remembers of every circuit, and the plan (core) turned
// into the targets to read deep, in order. A subscription whose listing
// failed is not read behind its back (its GETs need the same permission and
// the same budget): record-sight.ts raises monitoring-blind for it and holds
// its circuits' open alerts as stale until the listing works again.

import pLimit from "p-limit";
import { isIgnored } from "../core/circuit-settings.js";
import type { AlertState } from "../core/lifecycle.js";
import type { Snapshot } from "../core/snapshot.js";
import { placeKey } from "../core/place.js";
import { settlingEndsAt } from "../core/reach-memory.js";
import { cheapFingerprint } from "../core/read-age.js";
import {
  planSweep,
  siteMatesNext,
  troubleOf,
  turnEachSweep,
  unknownCapacityOf,
  type PlanCircuit,
  type PlanMemory,
  type PlannedRead,
  type SweepPlan,
} from "../core/sweep-plan.js";
import type { CircuitMetrics } from "../core/dataplane/facts.js";
import type { AvailabilityDip } from "../core/dataplane/signal.js";
import type { Reading } from "../core/model.js";
import type { Logger } from "../logging.js";
import { CHEAP_SIGNAL_SHARE, readCheapSignals } from "./cheap-signals.js";
import type { CircuitReader, CircuitTarget, DiscoveryFailure, Timers } from "./ports.js";
import { discoverTargets, type Scope } from "./scan.js";
import { isStorageFailure, type StateStore } from "./state-store.js";

/** What the cheap signals said this sweep. */
export interface CheapSignalReading {
  /** Circuit id (lower case) → why it should be read deep now, whenever it was last read, in words. */
  troubled: Map<string, string>;
  /**
   * Circuit id (lower case) → its BGP / ARP availability dips in the
   * look-back: the plan reads it deep for those its last deep read has not seen.
   */
  dips?: Map<string, AvailabilityDip[]>;
  /**
   * Circuit id (lower case) → the paths (capacityRowKey) whose throughput the
   * metrics can judge: the plan reads it deep for those its last deep read
   * left UNKNOWN.
   */
  throughput?: Map<string, string[]>;
  /** The metrics read to say so, by circuit id (lower case): the deep reads reuse them. */
  metrics?: Map<string, Reading<CircuitMetrics>>;
}

/**
 * Cheap signals beyond the listing (Azure Monitor's BGP / ARP availability
 * and throughput, one batch call for up to 50 circuits): a circuit named here
 * is read deep this sweep. Without them the rotation alone holds the age
 * guarantee.
 */
export interface CheapSignals {
  read(
    targets: CircuitTarget[],
    options: { abortSignal: AbortSignal; now: Date },
  ): Promise<CheapSignalReading>;
}

export interface PlanOptions {
  now: Date;
  maxReadAgeMinutes: number;
  intervalMinutes: number;
  /** Time from now to the sweep's deadline. */
  budgetMs: number;
  /** Read everything deep (a person asked for the whole truth now). */
  everything: boolean;
  signals: Map<string, string>;
  /** Availability dips by circuit id (lower case): CheapSignalReading.dips. */
  dips?: ReadonlyMap<string, readonly AvailabilityDip[]>;
  /** Paths whose throughput the metrics can judge, by circuit id (lower case): CheapSignalReading.throughput. */
  throughput?: ReadonlyMap<string, readonly string[]>;
}

export interface PlannedTarget {
  target: CircuitTarget;
  plan: PlannedRead;
}

export interface TieredPlan {
  deep: PlannedTarget[];
  quiet: SweepPlan["quiet"];
  rotationQuota: number;
  ignored: { id: string; name: string }[];
}

/** Circuits whose rows are read at once when storage cannot list them. */
const PARTITION_READS_AT_ONCE = 16;

/** What storage remembers of every circuit, from one listing of each table. */
export async function loadMemory(
  store: StateStore,
): Promise<{ memory: Map<string, PlanMemory>; places: CircuitPlace[] }> {
  const [snapshots, alerts] = await Promise.all([store.listSnapshots(), store.listAlerts()]);
  return {
    memory: memoryOf(
      snapshots,
      alerts.map((a) => a.value),
    ),
    places: placesRemembered(snapshots),
  };
}

/**
 * What storage remembers, circuit by circuit, when it cannot list it (a scan
 * timing out on a large estate while each partition answers): each listed
 * circuit's snapshot and alerts from its own partition, so the plan still
 * knows trouble, change and age, and the sweep does not read the whole estate
 * deep. Once as many circuits failed as are read at once (storage failing
 * everywhere, not only its listings) the rest are not asked. `unknown`: the
 * circuits not read, planned as never read.
 */
export async function memoryByPartition(
  store: StateStore,
  targets: readonly CircuitTarget[],
): Promise<{
  memory: Map<string, PlanMemory>;
  /** Where the snapshots read say their circuits were last read, each place once. */
  places: CircuitPlace[];
  unknown: Set<string>;
  /** Failures that are not storage's (a bug): the circuit is unknown too, and the caller says each. */
  bugs: { circuitId: string; error: unknown }[];
}> {
  const limit = pLimit(PARTITION_READS_AT_ONCE);
  const snapshots: Snapshot[] = [];
  const alerts: AlertState[] = [];
  const unknown = new Set<string>();
  const bugs: { circuitId: string; error: unknown }[] = [];
  let failures = 0;
  await Promise.all(
    targets.map((t) =>
      limit(async () => {
        if (failures >= PARTITION_READS_AT_ONCE) {
          unknown.add(t.id.toLowerCase());
          return;
        }
        try {
          const [snapshot, stored] = await Promise.all([
            store.getSnapshot(t.id),
            store.listAlerts(t.id),
          ]);
          if (snapshot) snapshots.push(snapshot.value);
          alerts.push(...stored.map((a) => a.value));
        } catch (error) {
          // Storage's failures are counted, not logged one by one: the caller
          // says how many are unknown. A bug costs that circuit a deep read,
          // not the sweep, and is said.
          if (isStorageFailure(error)) failures += 1;
          else bugs.push({ circuitId: t.id, error });
          unknown.add(t.id.toLowerCase());
        }
      }),
    ),
  );
  return {
    memory: memoryOf(snapshots, alerts),
    places: placesRemembered(snapshots),
    unknown,
    bugs,
  };
}

/** A circuit's carrier and peering location, as the listing or its last read gave them. */
export interface CircuitPlace {
  provider: string;
  location: string;
}

/** Where the snapshots say their circuits were last read, each place once (in any case). */
function placesRemembered(snapshots: readonly Snapshot[]): CircuitPlace[] {
  const places = new Map<string, CircuitPlace>();
  for (const s of snapshots) {
    const provider = s.provider?.trim();
    const location = s.peeringLocation?.trim();
    const key = placeKey(provider, location);
    if (key && provider && location && !places.has(key)) places.set(key, { provider, location });
  }
  return [...places.values()];
}

/**
 * Where a target is: as the listing put it, else (a named circuit, which has
 * no listing) as `stored` says it was last read (storedPlaces); null when
 * either is missing.
 */
export function placeOfTarget(
  target: CircuitTarget,
  stored: ReadonlyMap<string, CircuitPlace> | undefined,
): CircuitPlace | null {
  const last = target.listed ? undefined : stored?.get(target.id.toLowerCase());
  const provider = (target.listed?.facts.serviceProviderName ?? last?.provider)?.trim();
  const location = (target.listed?.facts.peeringLocation ?? last?.location)?.trim();
  return provider && location ? { provider, location } : null;
}

/**
 * Where circuits the listing did not give (named ones) were last read: their
 * snapshots' provider and peering location, by lower-case id, so a fan-out
 * sends a site's reads together as it does listed ones (work.ts), and a sweep
 * read in one process holds a site's outages back to group
 * (circuit-recorder.ts). A circuit never read, or one storage cannot say
 * anything of, has none: read all the same (with its subscription, in a
 * fan-out), its outage held back to group only when others are known to be
 * at its place. Never throws; once as many reads failed as are read at once,
 * the rest are not asked.
 */
export async function storedPlaces(
  store: Pick<StateStore, "getSnapshot">,
  targets: readonly CircuitTarget[],
  log: Logger,
): Promise<Map<string, CircuitPlace>> {
  const limit = pLimit(PARTITION_READS_AT_ONCE);
  const places = new Map<string, CircuitPlace>();
  let failed = 0;
  let first: unknown = null;
  await Promise.all(
    targets.map((t) =>
      limit(async () => {
        if (failed >= PARTITION_READS_AT_ONCE) return;
        try {
          const stored = (await store.getSnapshot(t.id))?.value;
          const provider = stored?.provider?.trim();
          const location = stored?.peeringLocation?.trim();
          if (provider && location) places.set(t.id.toLowerCase(), { provider, location });
        } catch (error) {
          failed += 1;
          first ??= error;
        }
      }),
    ),
  );
  if (failed > 0)
    log.warn(
      { err: first, circuits: targets.length, placed: places.size },
      "where named circuits were last read could not all be told (Table Storage); those are at no known place this sweep: a fan-out sends them with their subscriptions, and their outages may page one by one",
    );
  return places;
}

/**
 * One stored reading the plan cannot make sense of is that circuit's trouble
 * (read deep first), not the plan's: thrown, it left every circuit without
 * its memory, every sweep.
 */
function troubleOrWhy(s: Snapshot, alerts: readonly AlertState[]): string | null {
  try {
    return troubleOf(s, alerts);
  } catch (error) {
    return `its stored reading cannot be understood (${(error as Error).message})`;
  }
}

function memoryOf(snapshots: readonly Snapshot[], alerts: readonly AlertState[]) {
  const alertsOf = new Map<string, AlertState[]>();
  for (const a of alerts) {
    const key = a.circuitId.toLowerCase();
    alertsOf.set(key, [...(alertsOf.get(key) ?? []), a]);
  }
  const memory = new Map<string, PlanMemory>();
  for (const s of snapshots) {
    const key = s.circuitId.toLowerCase();
    memory.set(key, {
      fingerprint: s.reads?.fingerprint ?? null,
      reads: s.reads,
      trouble: troubleOrWhy(s, alertsOf.get(key) ?? []),
      storedId: s.circuitId,
      unknownCapacity: unknownCapacityOf(s),
      settlingEndsAt: settlingEndsAt(s),
    });
  }
  // An alert without a snapshot (a circuit whose first reads all failed) is trouble too.
  for (const [key, list] of alertsOf) {
    if (memory.has(key)) continue;
    const open = list.find((a) => a.phase !== "clear");
    if (open)
      memory.set(key, {
        fingerprint: null,
        reads: undefined,
        trouble: `alert ${open.family} is ${open.phase}`,
        storedId: open.circuitId,
      });
  }
  return memory;
}

/**
 * Circuits asked for by id (POST /api/sweep, erwatch sweep <id>) under the
 * spelling storage has, from one small listing of ids. Storage not answering
 * leaves them as asked: the sweep reads them anyway.
 */
async function asStoredByIds(
  store: StateStore,
  targets: readonly CircuitTarget[],
  log: Logger,
): Promise<CircuitTarget[]> {
  if (targets.length === 0) return [];
  let known: string[];
  try {
    known = await store.listCircuitIds();
  } catch (error) {
    if (!isStorageFailure(error)) throw error;
    log.warn(
      { err: error },
      "the stored circuit ids could not be listed; circuits asked for by id are read as spelt",
    );
    return [...targets];
  }
  const memory = new Map(
    known.map((id): [string, PlanMemory] => [
      id.toLowerCase(),
      { fingerprint: null, reads: undefined, trouble: null, storedId: id },
    ]),
  );
  return targets.map((t) => asStored(t, memory));
}

/** The target under the id storage already spells it with, when that differs only in case. */
export function asStored(
  target: CircuitTarget,
  memory: ReadonlyMap<string, PlanMemory>,
): CircuitTarget {
  const stored = memory.get(target.id.toLowerCase())?.storedId;
  // Memory is keyed by the lower-cased id: a stored id found there differs at most in case.
  return stored && stored !== target.id ? { ...target, id: stored } : target;
}

export function planTargets(
  targets: CircuitTarget[],
  memory: ReadonlyMap<string, PlanMemory>,
  options: PlanOptions,
): TieredPlan {
  const ignored: TieredPlan["ignored"] = [];
  const candidates: CircuitTarget[] = [];
  for (const t of targets) {
    if (t.tags && isIgnored(t.tags)) ignored.push({ id: t.id, name: t.name });
    else candidates.push(t);
  }
  const circuits: PlanCircuit[] = candidates.map((t) => ({
    id: t.id,
    name: t.name,
    subscriptionId: t.subscriptionId,
    fingerprint: t.listed
      ? cheapFingerprint(t.listed.facts, t.listed.tags, t.listed.problems)
      : null,
    signal: options.signals.get(t.id.toLowerCase()) ?? null,
    dips: options.dips?.get(t.id.toLowerCase()) ?? [],
    throughput: options.throughput?.get(t.id.toLowerCase()) ?? [],
  }));
  const plan = planSweep(circuits, memory, options.now, {
    maxReadAgeMs: options.maxReadAgeMinutes * 60_000,
    intervalMs: options.intervalMinutes * 60_000,
    budgetMs: Math.max(0, options.budgetMs),
  });
  const byId = new Map(candidates.map((t) => [t.id, t]));
  const deep = plan.deep.map((p) => ({ target: byId.get(p.id)!, plan: p }));
  if (options.everything) {
    for (const q of plan.quiet)
      deep.push({
        target: byId.get(q.id)!,
        plan: {
          id: q.id,
          name: q.name,
          subscriptionId: byId.get(q.id)!.subscriptionId,
          reason: "rotation",
          detail: "a full sweep was asked for",
          ageMs: q.ageMs,
        },
      });
    return { deep, quiet: [], rotationQuota: plan.rotationQuota, ignored };
  }
  return { deep, quiet: plan.quiet, rotationQuota: plan.rotationQuota, ignored };
}

export interface SweepPlanResult extends TieredPlan {
  found: { targets: CircuitTarget[]; failures: DiscoveryFailure[] };
  /**
   * Where storage last read the circuits it remembers, each place once (from
   * their snapshots, as the plan read them): a circuit this sweep's listing
   * puts nowhere (its GET failed, its subscription's listing failed) is still
   * at one. Absent when the plan read no memory.
   */
  rememberedPlaces?: CircuitPlace[];
  /** Metrics the cheap signals read, for the deep reads to reuse. */
  metrics?: Map<string, Reading<CircuitMetrics>>;
}

/**
 * The cheap tier, what storage remembers, and the plan. Circuits a person
 * named (`targets`) are read deep whatever the plan says, first.
 */
export async function planSweepTargets(
  deps: {
    reader: CircuitReader;
    store: StateStore;
    signals?: CheapSignals;
    maxReadAgeMinutes?: number;
    intervalMinutes: number;
    /** What the cheap tier's budget is timed on (SweepDeps.time). */
    time?: Timers;
  },
  request: {
    scope?: Scope;
    targets?: CircuitTarget[];
    now: Date;
    abortSignal: AbortSignal;
    deadline?: Date;
    mode?: "tiered" | "deep";
  },
  log: Logger,
  clock: () => Date,
): Promise<SweepPlanResult> {
  const { now, abortSignal } = request;
  // The deadline is on the wall clock: the window left when planning began.
  const budgetMs = request.deadline ? request.deadline.getTime() - clock().getTime() : 0;
  let found = request.scope
    ? await discoverTargets(deps.reader, request.scope, { abortSignal, logger: log })
    : { targets: [], failures: [] };
  const forced: PlannedTarget[] = (await asStoredByIds(deps.store, request.targets ?? [], log)).map(
    (target) => ({
      target,
      plan: {
        id: target.id,
        name: target.name,
        subscriptionId: target.subscriptionId,
        reason: "unlisted",
        detail: "asked for by name",
        ageMs: null,
      },
    }),
  );
  if (found.targets.length === 0 && found.failures.length === 0)
    return { found, deep: forced, quiet: [], rotationQuota: 0, ignored: [] };
  // A listing that fails (a scan of the whole table timing out, one page
  // lost) while each circuit's own rows still answer must not blind the
  // estate: what is remembered is read circuit by circuit, and a circuit
  // storage could not say anything of is read deep, in turn, as far as the
  // window allows. Each is recorded through its own partition.
  const { memory, places, unknown } = await loadMemory(deps.store).then(
    (loaded) => ({ ...loaded, unknown: new Set<string>() }),
    async (error: unknown) => {
      if (!isStorageFailure(error)) {
        log.error(
          { err: error },
          "what storage remembers could not be understood (a bug); every circuit is read deep, as the window allows",
        );
        return {
          memory: new Map<string, PlanMemory>(),
          places: [],
          unknown: new Set(found.targets.map((t) => t.id.toLowerCase())),
        };
      }
      const byPartition = await memoryByPartition(deps.store, found.targets);
      for (const bug of byPartition.bugs)
        log.error(
          { err: bug.error, circuitId: bug.circuitId },
          "what storage remembers of this circuit could not be read (not a storage failure: a bug); it is read deep",
        );
      log.error(
        { err: error, circuits: found.targets.length, unknown: byPartition.unknown.size },
        "what storage remembers could not be listed; it is read circuit by circuit, and a circuit it cannot say anything of is read deep as the window allows",
      );
      return byPartition;
    },
  );
  // One circuit, one partition: a setting or listing that spells its id in
  // another case than storage does (ERWATCH_CIRCUITS typed in lower case) must
  // not put a sweep's rows, and an alert, in a partition of their own.
  found = { ...found, targets: found.targets.map((t) => asStored(t, memory)) };
  const signals: CheapSignalReading = deps.signals
    ? await readCheapSignals(
        deps.signals,
        found.targets,
        {
          abortSignal,
          now,
          budgetMs: request.deadline
            ? (request.deadline.getTime() - clock().getTime()) * CHEAP_SIGNAL_SHARE
            : null,
          ...(deps.time ? { time: deps.time } : {}),
        },
        log,
      )
    : { troubled: new Map<string, string>() };
  const tiered = planTargets(found.targets, memory, {
    now,
    maxReadAgeMinutes: deps.maxReadAgeMinutes ?? 15,
    intervalMinutes: deps.intervalMinutes,
    // From when planning began, as read ages are from the sweep's start: counted
    // after the listing and the cheap tier (up to a quarter of the window), the
    // "due" cut-off loosened by that long, and a circuit could go unread past the
    // maximum age.
    budgetMs,
    everything: (request.mode ?? "deep") === "deep",
    signals: signals.troubled,
    ...(signals.dips ? { dips: signals.dips } : {}),
    ...(signals.throughput ? { throughput: signals.throughput } : {}),
  });
  const forcedIds = new Set(forced.map((f) => f.target.id.toLowerCase()));
  const unforced = tiered.deep.filter((d) => !forcedIds.has(d.target.id.toLowerCase()));
  const untold = (d: PlannedTarget) =>
    d.plan.reason === "new" && unknown.has(d.target.id.toLowerCase());
  const planned =
    unknown.size > 0
      ? turnEachSweep(
          unforced,
          untold,
          now,
          deps.intervalMinutes * 60_000,
          tiered.rotationQuota,
        ).map((d) =>
          untold(d)
            ? { ...d, plan: { ...d.plan, detail: "storage could not say when it was last read" } }
            : d,
        )
      : unforced;
  // Where the listing puts each read: a named circuit has none here, and is a suspect anyway.
  const placeOfRead = (d: PlannedTarget) => {
    const at = placeOfTarget(d.target, undefined);
    return at ? placeKey(at.provider, at.location) : null;
  };
  return {
    ...tiered,
    found,
    rememberedPlaces: places,
    ...(signals.metrics ? { metrics: signals.metrics } : {}),
    deep: siteMatesNext([...forced, ...planned], (d) => d.plan.reason, placeOfRead),
  };
}
