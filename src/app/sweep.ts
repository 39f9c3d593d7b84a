// The stateful sweep. This file only orders the steps — discover, read, and
// for each circuit as its reading arrives: load → evaluate → decide-and-commit
// (record-circuit.ts) — then publishes what was decided. Everything that
// decides is pure, in src/core.

import { randomUUID } from "node:crypto";
import type { AlertEvent } from "../core/alert-event.js";
import type { EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { AlertPolicy, Silence } from "../core/policy.js";
import { withoutRouteTables } from "../core/route-tables.js";
import type { Logger } from "../logging.js";
import { drainOutbox, type DrainResult } from "./outbox.js";
import { baselineTargets, keepBaseline } from "./route-baseline.js";
import type { CircuitReader, CircuitTarget, DataPlaneReader, DiscoveryFailure } from "./ports.js";
import { recordCircuit, type KeyDecision } from "./record-circuit.js";
import { discoverTargets, readEach, type CircuitError, type Scope } from "./scan.js";
import { silencesForSweep, type SilenceStore } from "./silences.js";
import { recordSight } from "./record-sight.js";
import type { EventSink, StateStore } from "./state-store.js";
import { measureSweep } from "./sweep-measure.js";
import { NO_TELEMETRY, type Telemetry } from "./telemetry.js";

export type { KeyDecision } from "./record-circuit.js";

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
  /** Wall clock for latencies (publish); decisions use the request's `now`. */
  clock?: () => Date;
}

export interface SweepResult {
  sweepId: string;
  startedAt: string;
  verdicts: CircuitVerdict[];
  readings: CircuitReading[];
  ignored: { id: string; name: string }[];
  discoveryFailures: DiscoveryFailure[];
  errors: CircuitError[];
  /** Events decided in this sweep (published now, or waiting in the outbox). */
  events: AlertEvent[];
  decisions: KeyDecision[];
  /** Events the broker accepted during this sweep's drain, including older ones. */
  published: AlertEvent[];
  pendingInOutbox: number;
  brokerError: string | null;
  /** The outbox itself could not be read or written (storage trouble). */
  outboxError: string | null;
}

export interface SweepRequest {
  scope?: Scope;
  targets?: CircuitTarget[];
  now: Date;
  abortSignal: AbortSignal;
  /** Ctrl-C on the CLI: stop reading and record nothing more (see ReadEachOptions). */
  stopSignal?: AbortSignal;
}

/** Storage trouble here must not cost the sweep what it decided: the next drain picks it up. */
async function publish(
  deps: SweepDeps,
  sweepId: string,
  now: Date,
  log: Logger,
): Promise<DrainResult & { outboxError: string | null }> {
  try {
    const drained = deps.sink
      ? await drainOutbox(deps.store, deps.sink, { claimant: sweepId, now, logger: log })
      : { published: [], pending: (await deps.store.listOutbox()).length, brokerError: null };
    return { ...drained, outboxError: null };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    log.error({ err: error }, "the outbox could not be drained; the next sweep tries again");
    return { published: [], pending: 0, brokerError: null, outboxError: message };
  }
}

async function prune(deps: SweepDeps, now: Date, log: Logger): Promise<void> {
  try {
    await deps.store.pruneHistory(new Date(now.getTime() - deps.historyRetentionDays * 86_400_000));
  } catch (error) {
    log.warn({ err: error }, "pruning old history failed; it is tried again next sweep");
  }
}

export function createSweeper(deps: SweepDeps) {
  const newId = deps.newId ?? randomUUID;

  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const clock = deps.clock ?? (() => new Date());

  async function sweep(request: SweepRequest): Promise<SweepResult> {
    // Storage that stops answering must not hold the sweep past its own deadline.
    const store = deps.store.withSignal(request.abortSignal);
    const scoped: SweepDeps = { ...deps, store };
    const sweepId = newId();
    const log = deps.logger.child({ sweepId });
    const { now, abortSignal } = request;
    const started = performance.now();
    log.info("sweep started");
    const silences = await silencesForSweep(
      deps.silences,
      deps.silenceStore,
      now,
      log,
      request.abortSignal,
    );
    const found = request.scope
      ? await discoverTargets(deps.reader, request.scope, { abortSignal, logger: log })
      : { targets: [], failures: [] };
    const targets = [...(request.targets ?? []), ...found.targets];

    const readings: CircuitReading[] = [];
    const verdicts: CircuitVerdict[] = [];
    const events: AlertEvent[] = [];
    const decisions: KeyDecision[] = [];
    // A few circuits a sweep also have their route tables read, as the baseline
    // `diagnose --routes` compares with after a prefix drop.
    const baseline = await baselineTargets(
      store,
      targets,
      deps.policy.alerts.routeTables,
      now,
      log,
    );
    const { ignored, errors } = await readEach(
      deps.reader,
      targets,
      {
        abortSignal,
        logger: log,
        now,
        routesFor: (t) => baseline.has(t.id.toLowerCase()),
        ...(request.stopSignal ? { stopSignal: request.stopSignal } : {}),
        ...(deps.dataPlane ? { dataPlane: { reader: deps.dataPlane, now } } : {}),
      },
      async (read, circuitLog) => {
        const reading = withoutRouteTables(read);
        readings.push(reading);
        const record = await recordCircuit(
          { ...scoped, silences },
          reading,
          now,
          sweepId,
          circuitLog,
        );
        if (baseline.has(read.ref.id.toLowerCase()))
          await keepBaseline(store, read, record.verdict, now, circuitLog);
        verdicts.push(record.verdict);
        events.push(...record.events);
        decisions.push(...record.decisions);
        for (const e of record.events)
          circuitLog.info(
            {
              key: e.key,
              action: e.action,
              severity: e.severity,
              code: e.code,
              sequence: e.sequence,
            },
            `alert ${e.action}`,
          );
      },
    );

    // What the sweep could not see: unlisted subscriptions, circuits gone or ignored now.
    const sight = await recordSight(
      scoped,
      { scope: request.scope ?? null, found, ignored },
      now,
      sweepId,
      log,
    );
    events.push(...sight.events);
    decisions.push(...sight.decisions);

    const drained = await publish(scoped, sweepId, now, log);
    const publishedAt = clock().getTime();
    for (const e of drained.published)
      telemetry.eventPublished(Math.max(0, publishedAt - Date.parse(e.occurredAt)), e.action);
    await prune(scoped, now, log);
    const finishedAt = new Date(now.getTime() + (performance.now() - started));
    await measureSweep(scoped, telemetry, log, {
      request,
      sweepId,
      now,
      finishedAt,
      durationMs: performance.now() - started,
      verdicts,
      ignored: ignored.length,
      errors: errors.length,
    });
    log.info(
      {
        circuits: verdicts.length,
        events: events.length,
        published: drained.published.length,
        pending: drained.pending,
      },
      "sweep finished",
    );
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    return {
      sweepId,
      startedAt: now.toISOString(),
      verdicts: verdicts.sort(byId),
      readings: readings.sort((a, b) => a.ref.id.localeCompare(b.ref.id)),
      ignored,
      discoveryFailures: found.failures,
      errors,
      events: events.sort(byId),
      decisions,
      published: drained.published,
      pendingInOutbox: drained.pending,
      brokerError: drained.brokerError,
      outboxError: drained.outboxError,
    };
  }

  return { sweep };
}

export type Sweeper = ReturnType<typeof createSweeper>;
