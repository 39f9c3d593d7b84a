// The stateful sweep. This file only orders the steps — discover, read, and
// for each circuit as its reading arrives: load → evaluate → decide-and-commit
// (record-circuit.ts) — then publishes what was decided. Everything that
// decides is pure, in src/core.

import { randomUUID } from "node:crypto";
import type { AlertEvent } from "../core/alert-event.js";
import type { EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { AlertPolicy, Silence } from "../core/policy.js";
import type { Logger } from "../logging.js";
import { drainOutbox, type DrainResult } from "./outbox.js";
import type { CircuitReader, CircuitTarget, DataPlaneReader, DiscoveryFailure } from "./ports.js";
import { recordCircuit, type KeyDecision } from "./record-circuit.js";
import { discoverTargets, readEach, type CircuitError, type Scope } from "./scan.js";
import type { EventSink, StateStore } from "./state-store.js";

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
  historyRetentionDays: number;
  logger: Logger;
  newId?: () => string;
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
}

export interface SweepRequest {
  scope?: Scope;
  targets?: CircuitTarget[];
  now: Date;
  abortSignal: AbortSignal;
}

async function publish(
  deps: SweepDeps,
  sweepId: string,
  now: Date,
  log: Logger,
): Promise<DrainResult> {
  if (!deps.sink)
    return { published: [], pending: (await deps.store.listOutbox()).length, brokerError: null };
  return drainOutbox(deps.store, deps.sink, { claimant: sweepId, now, logger: log });
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

  async function sweep(request: SweepRequest): Promise<SweepResult> {
    const sweepId = newId();
    const log = deps.logger.child({ sweepId });
    const { now, abortSignal } = request;
    log.info("sweep started");
    const found = request.scope
      ? await discoverTargets(deps.reader, request.scope, { abortSignal, logger: log })
      : { targets: [], failures: [] };
    const targets = [...(request.targets ?? []), ...found.targets];

    const readings: CircuitReading[] = [];
    const verdicts: CircuitVerdict[] = [];
    const events: AlertEvent[] = [];
    const decisions: KeyDecision[] = [];
    const { ignored, errors } = await readEach(
      deps.reader,
      targets,
      {
        abortSignal,
        logger: log,
        ...(deps.dataPlane ? { dataPlane: { reader: deps.dataPlane, now } } : {}),
      },
      async (reading, circuitLog) => {
        readings.push(reading);
        const record = await recordCircuit(deps, reading, now, sweepId, circuitLog);
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

    const drained = await publish(deps, sweepId, now, log);
    await prune(deps, now, log);
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
    };
  }

  return { sweep };
}

export type Sweeper = ReturnType<typeof createSweeper>;
