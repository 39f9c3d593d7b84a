// The stateful sweep. This file only orders the steps: the cheap tier and the
// plan (sweep-plan.ts: the listing with every circuit's body, which circuits to
// read deep, trouble first, then its sites' reads, then oldest), the deep
// reads against a deadline (deep-read.ts: each circuit recorded and published
// as its reading arrives), then what the sweep could not see (record-sight.ts),
// the last publish and its numbers. Everything that decides is pure, in src/core.

import { randomUUID } from "node:crypto";
import type { Routing } from "../core/routing.js";
import type { AlertEvent } from "../core/alert-event.js";
import { DEFAULT_DATA_PLANE_POLICY } from "../core/dataplane/policy.js";
import type { EvaluationPolicy } from "../core/evaluate.js";
import type { Reading, ReadErrorKind } from "../core/model.js";
import type { CircuitMetrics } from "../core/dataplane/facts.js";
import {
  sharedCircuitNames,
  unmatchedCircuitKeys,
  type AlertPolicy,
  type Silence,
} from "../core/policy.js";
import { suspected, type PlannedRead } from "../core/sweep-plan.js";
import { utcMinute } from "../core/utc-time.js";
import { healthLine, type Logger } from "../logging.js";
import { listedServiceKeys } from "./data-plane.js";
import { tickOf } from "./tick.js";
import { deepRead, publish, type DeepReadResult, type DeepReadRun } from "./deep-read.js";
import {
  realTimers,
  wallClockOf,
  type CircuitReader,
  type CircuitTarget,
  type DataPlaneReader,
  type DiscoveryFailure,
  type Timers,
} from "./ports.js";
import { fleetPlacesOf, settleFleets, settleReadFleets } from "./record-fleet.js";
import { recordSight } from "./record-sight.js";
import type { Scope } from "./scan.js";
import { silencesForSweep, silencesOverTime, type SilenceStore } from "./silences.js";
import type { EventSink, StateStore } from "./state-store.js";
import { metricSignals } from "./metric-signals.js";
import { measureSweep } from "./sweep-measure.js";
import {
  planSweepTargets,
  storedPlaces,
  type CheapSignals,
  type CircuitPlace,
  type SweepPlanResult,
} from "./sweep-plan.js";
import { NO_TELEMETRY, type Telemetry } from "./telemetry.js";

export type { KeyDecision } from "./record-circuit.js";

export type { DeepReadRun } from "./deep-read.js";

export interface SweepDeps {
  reader: CircuitReader;
  /** Azure Monitor and Connection Monitor; absent, the layer table's data-plane rows say "not read". */
  dataPlane?: DataPlaneReader;
  store: StateStore;
  /** Null: record events in the outbox and leave them for a process that publishes (the CLI without Service Bus). */
  sink: EventSink | null;
  policy: EvaluationPolicy & { alerts: AlertPolicy };
  silences: Silence[];
  /** Run-time silences (`erwatch silence add`), read once per sweep beside `silences`. */
  silenceStore?: SilenceStore | null;
  historyRetentionDays: number;
  logger: Logger;
  newId?: () => string;
  telemetry?: Telemetry;
  /** Wall clock for deadlines and latencies (tests drive it); decisions use the request's `now`. Absent: `time`'s. */
  clock?: () => Date;
  /**
   * The sweep's own timers: the cheap tier's budget and hand-back, the deep
   * reads' flushes at the deadline and before the hard stop. Real time
   * (unref'd timers) unless a test moves it.
   */
  time?: Timers;
  /** No prefix count or ARP reading older than this (default 15). */
  maxReadAgeMinutes?: number;
  /** Cheap signals beyond the listing: a circuit they name is read deep this sweep. */
  signals?: CheapSignals;
  /** Circuits in progress at once (default 32). */
  circuitConcurrency?: number;
  /** Entries of settings left out as invalid at start (config/reader.ts): said by every sweep. */
  ignoredSettings?: readonly string[];
  /**
   * Who runs it: "cli" for `erwatch sweep --state` on an operator's machine,
   * whose settings are not the function app's. Its record of the sweep keeps
   * the function app's settings left out, not its own. Absent: the function app.
   */
  ranBy?: "cli";
  /**
   * The dispatcher's routes: an end-to-end alert speaks for another circuit's
   * (one Connection Monitor, one page) only when it reaches everyone that one
   * would. Absent or null: not known, and each circuit pages for itself.
   */
  routing?: Routing | null;
  /** Set per sweep from its request (SweepRequest.tick), never at start. */
  tick?: boolean;
  /** ... and when that tick was due (SweepRequest.tickDue). */
  tickDue?: Date;
}

/** A whole sweep: its deep reads (deep-read.ts) with what the plan and the listing add. */
export interface SweepResult extends Omit<DeepReadResult, "skipped" | "stopped"> {
  sweepId: string;
  startedAt: string;
  discoveryFailures: DiscoveryFailure[];
  /** What the cheap tier led to: the circuits read deep and why, and how many it judged quiet. */
  plan: { deep: PlannedRead[]; quiet: number; rotationQuota: number };
  /** ARM requests this sweep sent, and how many were answered 429. */
  arm: { requests: number; throttled: number } | null;
}

export interface SweepRequest {
  scope?: Scope;
  /** Circuits to read deep now, whatever the plan says (a person named them). */
  targets?: CircuitTarget[];
  now: Date;
  /**
   * The timer's own sweep: hysteresis counts it as one of the timer's ticks,
   * however late it runs (core/policy.ts openAfterTicksMs). Absent: on
   * demand, which never moves the lifecycle faster than the timer.
   */
  tick?: boolean;
  /**
   * When the tick was due (its scheduled occurrence, however late it fired):
   * a repeat keeps the timer's cadence from the tick that last told it
   * (core/lifecycle.ts repeatDue). Absent: not known.
   */
  tickDue?: Date;
  abortSignal: AbortSignal;
  /** Ctrl-C on the CLI: stop reading and record nothing more (see ReadEachOptions). */
  stopSignal?: AbortSignal;
  /** No deep read starts after this (a time short of the next tick). */
  deadline?: Date;
  /** When `abortSignal` fires, by the wall clock, if known: the last call for outages waiting to group. */
  stopAt?: Date;
  /**
   * "tiered" (the timer, the whole-estate HTTP sweep): deep reads only where
   * the plan puts them. "deep" (the default, for a person at the CLI): every
   * circuit in scope read deep, in the plan's order.
   */
  mode?: "tiered" | "deep";
  /** The id to give the sweep (a caller that answers 202 names it before it ends). */
  sweepId?: string;
}

async function prune(deps: SweepDeps, now: Date, log: Logger): Promise<void> {
  const before = new Date(now.getTime() - deps.historyRetentionDays * 86_400_000);
  try {
    await deps.store.pruneHistory(before);
  } catch (error) {
    // Named by its cut-off, as the work claims' prune is: "old" said nothing
    // of which rows, nor of HISTORY_RETENTION_DAYS behind it.
    log.warn(
      { err: error },
      `pruning history written before ${utcMinute(before.toISOString())} failed; it is tried again next sweep`,
    );
  }
}

/**
 * Failures the deep read asks again rather than takes: the cheap tier's own
 * budget running out (a timeout), or a moment's trouble at Azure Monitor. A
 * refusal (forbidden, not found, malformed) would only be refused again.
 */
const ASKED_AGAIN: ReadonlySet<ReadErrorKind> = new Set([
  "timeout",
  "throttled",
  "server-error",
  "network",
]);

/** The cheap signal's metrics of the circuits read deep, taken out of the plan so the rest can go. */
function metricsFor(planned: SweepPlanResult) {
  const all = planned.metrics ?? new Map();
  delete planned.metrics;
  const deep = new Set(planned.deep.map((d) => d.target.id.toLowerCase()));
  // The Global Reach call fails on its own (metrics.ts): asked again the same way.
  const askAgain = (reading: Reading<CircuitMetrics>) =>
    reading.ok
      ? reading.value.globalReachFailed !== undefined &&
        ASKED_AGAIN.has(reading.value.globalReachFailed.kind)
      : ASKED_AGAIN.has(reading.error.kind);
  return new Map([...all].filter(([id, reading]) => deep.has(id) && !askAgain(reading)));
}

function logPlan(log: Logger, planned: SweepPlanResult): void {
  const reasons: Record<string, number> = {};
  for (const d of planned.deep) reasons[d.plan.reason] = (reasons[d.plan.reason] ?? 0) + 1;
  log.info({ deep: planned.deep.length, quiet: planned.quiet.length, reasons }, "sweep planned");
}

export function usageSince(
  reader: CircuitReader,
  before: { requests: number; throttled: number } | null,
): { requests: number; throttled: number } | null {
  const after = reader.usage?.() ?? null;
  return before && after
    ? { requests: after.requests - before.requests, throttled: after.throttled - before.throttled }
    : null;
}

/** The circuits the listing found and erwatch watches (not tagged erwatch:ignore), lower-case ids. */
function watchedOf(planned: SweepPlanResult): Set<string> {
  const ignored = new Set(planned.ignored.map((i) => i.id.toLowerCase()));
  return new Set(
    planned.found.targets.map((t) => t.id.toLowerCase()).filter((id) => !ignored.has(id)),
  );
}

/** After the deep reads: what the sweep could not see, the last publish, pruning and its numbers. */
async function finish(
  deps: SweepDeps,
  request: SweepRequest,
  run: { sweepId: string; log: Logger; started: number },
  planned: SweepPlanResult,
  done: DeepReadResult,
): Promise<DeepReadResult> {
  const { now } = request;
  const { sweepId, log } = run;
  const store = deps.store.withSignal(request.abortSignal, log);
  const scoped = { ...deps, store, ...tickOf(request) };
  const ignored = [...planned.ignored, ...done.ignored];
  const sight = await recordSight(
    scoped,
    { scope: request.scope ?? null, found: planned.found, ignored },
    now,
    sweepId,
    log,
  );
  // Sight's own events (a subscription blind, circuits retired) go out now too,
  // unless the broker already failed this sweep: said once, they wait in the outbox.
  const drained =
    sight.events.length > 0 && done.brokerError === null
      ? await publish(scoped, sweepId, now, log, {
          partitions: () => circuitsOf(sight.events),
          abortSignal: request.abortSignal,
        })
      : null;
  const published = [...done.published, ...(drained?.published ?? [])];
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const publishedAt = wallClockOf(deps)().getTime();
  for (const e of published)
    telemetry.eventPublished(Math.max(0, publishedAt - Date.parse(e.occurredAt)), e.action);
  await prune(scoped, now, log);
  const durationMs = performance.now() - run.started;
  await measureSweep(scoped, telemetry, log, {
    request,
    sweepId,
    now,
    finishedAt: new Date(now.getTime() + durationMs),
    durationMs,
    verdicts: done.verdicts,
    quiet: planned.quiet.length,
    ignored: ignored.length,
    errors: done.errors.length,
    failed: done.errors,
  });
  return {
    ...done,
    ignored,
    events: [...done.events, ...sight.events],
    decisions: [...done.decisions, ...sight.decisions],
    published,
    pendingInOutbox: drained?.pending ?? done.pendingInOutbox,
    brokerError: drained?.brokerError ?? done.brokerError,
    outboxError: drained?.outboxError ?? done.outboxError,
  };
}

/**
 * Settings keyed by circuit that name no circuit the whole-estate listing
 * found: a typo in ERWATCH_BASELINE silently checks no drift, one in
 * ERWATCH_ALERT_POLICY's circuits silently keeps the defaults. Said each
 * sweep, since circuits come and go; not when a listing failed (the circuit
 * may be behind it) or for a sweep of named circuits.
 */
function warnUnmatchedCircuitSettings(
  policy: SweepDeps["policy"],
  silences: readonly Silence[],
  routing: Routing | null,
  request: SweepRequest,
  planned: SweepPlanResult,
  log: Logger,
): void {
  if (!request.scope || planned.found.failures.length > 0) return;
  const settings: [string, string[]][] = [
    ["ERWATCH_BASELINE", Object.keys(policy.classify.dataPlane?.baseline ?? {})],
    ["ERWATCH_ALERT_POLICY.circuits", Object.keys(policy.alerts.circuits)],
    // A typo in a route's circuits pages that circuit's owners nothing.
    ...(routing?.routes ?? []).flatMap((r): [string, string[]][] =>
      r.match.circuits ? [[`ERWATCH_ACTION_GROUPS route "${r.name}"`, r.match.circuits]] : [],
    ),
  ];
  for (const [setting, keys] of settings) {
    const circuits = unmatchedCircuitKeys(keys, planned.found.targets);
    if (circuits.length > 0)
      log.warn(
        { setting, circuits },
        "a setting names circuits by name or id that match no circuit erwatch watches; for them it applies to nothing",
      );
    const shared = sharedCircuitNames(keys, planned.found.targets);
    if (shared.length > 0)
      log.warn(
        { setting, shared },
        "a setting names circuits by a name several watched circuits share; it applies to each of them (key it by resource id to mean one)",
      );
  }
  // A maintenance silence for one circuit must not hold another's page unsaid.
  const wide = silences.flatMap((s) =>
    sharedCircuitNames([s.circuit], planned.found.targets).map((x) => ({
      id: s.id,
      circuit: s.circuit,
      ids: x.ids,
    })),
  );
  if (wide.length > 0)
    log.warn(
      { silences: wide },
      "silences name circuits by a name several watched circuits share: each silences every one of them (name the circuit by its resource id to silence one)",
    );
  // A typo in a maintenance silence pages through the maintenance: said every sweep.
  const lost = silences.filter(
    (s) => unmatchedCircuitKeys([s.circuit], planned.found.targets).length > 0,
  );
  if (lost.length > 0)
    log.warn(
      { silences: lost.map((s) => ({ id: s.id, circuit: s.circuit })) },
      "silences (ERWATCH_SILENCES or erwatch silence add) name circuits that match no circuit erwatch watches; they silence nothing",
    );
}

/** The circuits (and fleet pseudo-circuits) events belong to: their outbox partitions. */
const circuitsOf = (events: readonly AlertEvent[]) => events.map((e) => e.circuit.id);

export function createSweeper(deps: SweepDeps) {
  const newId = deps.newId ?? randomUUID;
  const clock = wallClockOf(deps);
  const interval = deps.policy.alerts.sweepIntervalMinutes;
  // Azure Monitor is the cheap signal when it is read: a dip since the circuit's last deep
  // read, or what the data-plane families would alert on, judged by the deep read's
  // thresholds. A dip is looked back for as late as Azure may deliver it (the staleness the
  // judgements accept): at 3 minutes, a one-minute dip delivered 5 late fell between two
  // sweeps' look-backs. The plan drops those a deep read began after (sweep-plan.ts).
  const dataPlanePolicy = deps.policy.classify.dataPlane ?? DEFAULT_DATA_PLANE_POLICY;
  const signals =
    deps.signals ??
    (deps.dataPlane
      ? metricSignals(deps.dataPlane, interval + dataPlanePolicy.staleMinutes, dataPlanePolicy)
      : undefined);
  const planDeps = { ...deps, intervalMinutes: interval, ...(signals ? { signals } : {}) };

  // Every sweep, in one process or fanned out: the erwatch-settings-left-out
  // health alert hears this line in a 15-minute window. Said only by the
  // single-process sweep, a fanned-out erwatch ran without whole settings
  // (its silences, say) and no health alert heard it.
  const warnSettingsLeftOut = (log: Logger) => {
    if (deps.ignoredSettings?.length)
      healthLine(log).warn(
        { ignored: deps.ignoredSettings },
        "entries of settings are invalid and left out (for those circuits, silences and settings the defaults apply); every other entry applies",
      );
  };

  const plan = (request: SweepRequest, log: Logger) =>
    planSweepTargets(
      { ...planDeps, store: deps.store.withSignal(request.abortSignal, log) },
      request,
      log,
      clock,
    );

  /**
   * Named circuits carry no listing: where each was last read tells the
   * recorder which of them share a carrier's site, so its outage waits to be
   * one fleet page, as the estate's sweep makes it. Only when more than one
   * circuit is read; never throws (storedPlaces).
   */
  async function placesOfUnlisted(
    planned: SweepPlanResult,
    request: SweepRequest,
    log: Logger,
  ): Promise<Map<string, CircuitPlace> | undefined> {
    const unlisted = planned.deep.map((d) => d.target).filter((t) => !t.listed);
    if (planned.deep.length < 2 || unlisted.length === 0) return undefined;
    return storedPlaces(deps.store.withSignal(request.abortSignal, log), unlisted, log);
  }

  async function sweep(request: SweepRequest): Promise<SweepResult> {
    const sweepId = request.sweepId ?? newId();
    const log = deps.logger.child({ sweepId });
    const started = performance.now();
    const armBefore = deps.reader.usage?.() ?? null;
    log.info("sweep started");
    // Read once, at the start: the deep reads and what the listing could not see honour the same.
    const silenced: SweepDeps = {
      ...deps,
      silences: await silencesForSweep(
        deps.silences,
        deps.silenceStore,
        request.now,
        log,
        request.abortSignal,
        deps.time,
      ),
      silenceStore: null,
    };
    const planned = await plan(request, log);
    logPlan(log, planned);
    const places = await placesOfUnlisted(planned, request, log);
    warnUnmatchedCircuitSettings(
      deps.policy,
      silenced.silences,
      deps.routing ?? null,
      request,
      planned,
      log,
    );
    warnSettingsLeftOut(log);
    const run: DeepReadRun = {
      sweepId,
      now: request.now,
      ...tickOf(request),
      abortSignal: request.abortSignal,
      log,
      ...(request.stopSignal ? { stopSignal: request.stopSignal } : {}),
      ...(request.deadline ? { deadline: request.deadline } : {}),
      ...(request.stopAt ? { stopAt: request.stopAt } : {}),
      // Only the deep reads' share of the batch is kept; the rest was judged already.
      ...(planned.metrics ? { metrics: metricsFor(planned) } : {}),
      // A Global Reach peer the rotation leaves quiet this sweep is still known by its key.
      serviceKeys: listedServiceKeys(planned.found.targets),
      // The whole estate's trouble is read here: outages group across the sweep (workers, per batch).
      group: true,
      suspects: new Set(
        planned.deep.filter((d) => suspected(d.plan.reason)).map((d) => d.target.id.toLowerCase()),
      ),
      ...(places ? { places } : {}),
      ...(request.scope ? {} : { named: true }),
      // Those it no longer watches are retired after the reads (recordSight):
      // their fresh snapshots must not speak for anyone meanwhile.
      ...(request.scope ? { watched: watchedOf(planned) } : {}),
    };
    const read = await deepRead(
      silenced,
      planned.deep.map((d) => d.target),
      run,
    );
    const done = read.stopped
      ? read
      : await finish(silenced, request, { sweepId, log, started }, planned, read);
    const arm = usageSince(deps.reader, armBefore);
    healthLine(log).info(
      {
        // The dead-man's switch counts whole-estate sweeps only: a script
        // sweeping one named circuit every few minutes must not keep it quiet
        // while the timer is dead.
        scope: request.scope ? "estate" : "named",
        circuits: done.verdicts.length,
        quiet: planned.quiet.length,
        unreached: done.unreached.length,
        events: done.events.length,
        published: done.published.length,
        pending: done.pendingInOutbox,
        armRequests: arm?.requests,
        throttled: arm?.throttled,
      },
      "sweep finished",
    );
    return {
      sweepId,
      startedAt: request.now.toISOString(),
      verdicts: done.verdicts,
      readings: done.readings,
      ignored: done.ignored,
      discoveryFailures: planned.found.failures,
      errors: done.errors,
      events: done.events,
      decisions: done.decisions,
      published: done.published,
      pendingInOutbox: done.pendingInOutbox,
      brokerError: done.brokerError,
      outboxError: done.outboxError,
      plan: {
        deep: planned.deep.map((d) => d.plan),
        quiet: planned.quiet.length,
        rotationQuota: planned.rotationQuota,
      },
      unreached: done.unreached,
      arm,
    };
  }

  const timers = deps.time ?? realTimers;
  /**
   * The wall clock its deadlines are counted on and the timers it runs on.
   * The timer and a fan-out worker keep their windows, stops and claims by
   * it too: on a clock of their own, a worker's stop and its reads'
   * deadlines could disagree (in a test, one moved and the other not).
   */
  const time: Timers = {
    now: () => clock().getTime(),
    after: (ms, fn, options) => timers.after(ms, fn, options),
  };
  return {
    time,
    sweep,
    plan,
    deepRead: (targets: CircuitTarget[], run: DeepReadRun) => deepRead(deps, targets, run),
    /** Where circuits the listing did not give were last read (sweep-plan.ts storedPlaces). */
    storedPlaces: (
      targets: CircuitTarget[],
      request: Pick<SweepRequest, "abortSignal">,
      log: Logger,
    ) => storedPlaces(deps.store.withSignal(request.abortSignal, log), targets, log),
    /**
     * The fan-out timer's share of `finish`, once the work is sent: what the
     * listing could not see and the fleet outages that are over (published at
     * once), pruning, and the sweep's record for the status page (the listing
     * covered every circuit; the workers record each deep read as it lands).
     * `workers` says what went to them: the deep reads and their deadline on
     * the sweep's clock (`request.now`), which the status page judges against.
     */
    async fannedOut(
      request: SweepRequest,
      planned: SweepPlanResult,
      sweepId: string,
      log: Logger,
      workers?: { deadline: Date },
    ) {
      warnSettingsLeftOut(log);
      // Run-time silences too: a circuit or fleet under one hears no Blind: notice from here either.
      const silencesAt = await silencesOverTime(
        deps.silences,
        deps.silenceStore,
        log,
        request.abortSignal,
        deps.time,
      );
      const silences = silencesAt(request.now);
      warnUnmatchedCircuitSettings(
        deps.policy,
        silences,
        deps.routing ?? null,
        request,
        planned,
        log,
      );
      const scoped = {
        ...deps,
        silences,
        store: deps.store.withSignal(request.abortSignal, log),
        ...tickOf(request),
      };
      const sight = await recordSight(
        scoped,
        { scope: request.scope ?? null, found: planned.found, ignored: planned.ignored },
        request.now,
        sweepId,
        log,
      );
      // Workers never say a fleet outage is over; the timer does, from what they stored
      // (a sweep of named circuits has its batches settle the sites they read whole:
      // settleReadFleets, after its reads, where no planning half follows).
      const fleets = request.scope
        ? await settleFleets(
            scoped,
            request.now,
            sweepId,
            log,
            fleetPlacesOf(planned.found.targets, planned.rememberedPlaces),
            silencesAt,
          )
        : { events: [], decisions: [] };
      if (sight.events.length + fleets.events.length > 0)
        await publish(scoped, sweepId, request.now, log, {
          partitions: () => circuitsOf([...sight.events, ...fleets.events]),
          abortSignal: request.abortSignal,
        });
      await prune(scoped, request.now, log);
      await measureSweep(scoped, deps.telemetry ?? NO_TELEMETRY, log, {
        request,
        sweepId,
        now: request.now,
        finishedAt: clock(),
        durationMs: Math.max(0, clock().getTime() - request.now.getTime()),
        verdicts: [],
        quiet: planned.deep.length + planned.quiet.length,
        ignored: planned.ignored.length,
        errors: 0,
        // The workers' failures are theirs to say, in their claims: the page reads them by this.
        ...(workers
          ? {
              fannedOut: {
                deep: planned.deep.length,
                deadline: workers.deadline.toISOString(),
              },
            }
          : {}),
      });
      return sight;
    },
    /**
     * A fan-out batch of named circuits, once read: the fleet alerts it read
     * every member of, settled and published now (record-fleet.ts
     * settleReadFleets). Never fails the batch.
     */
    async settleReadFleets(
      verdicts: DeepReadResult["verdicts"],
      run: { sweepId: string; now: Date; abortSignal: AbortSignal; log: Logger },
    ): Promise<AlertEvent[]> {
      const { log } = run;
      try {
        const silencesAt = await silencesOverTime(
          deps.silences,
          deps.silenceStore,
          log,
          run.abortSignal,
          deps.time,
        );
        const scoped = {
          ...deps,
          silences: silencesAt(run.now),
          store: deps.store.withSignal(run.abortSignal, log),
        };
        const fleets = await settleReadFleets(
          scoped,
          verdicts,
          run.now,
          run.sweepId,
          log,
          silencesAt,
        );
        if (fleets.events.length > 0)
          await publish(scoped, run.sweepId, run.now, log, {
            partitions: () => circuitsOf(fleets.events),
            abortSignal: run.abortSignal,
          });
        return fleets.events;
      } catch (error) {
        log.error(
          { err: error },
          "the fleet alerts of the circuits read could not be judged; the timer's next sweep judges them",
        );
        return [];
      }
    },
    prune: (now: Date, log: Logger) => prune(deps, now, log),
  };
}

export type Sweeper = ReturnType<typeof createSweeper>;
