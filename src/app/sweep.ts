// The stateful sweep. This file only orders the steps — the cheap tier
// (discover: the listing with every circuit's body), the plan (sweep-plan.ts:
// which circuits to read deep, trouble first, then oldest), the deep reads
// against a deadline, and for each circuit as its reading arrives: load →
// evaluate → decide-and-commit (record-circuit.ts) → publish at once
// (eager-publish.ts). Everything that decides is pure, in src/core.

import { randomUUID } from "node:crypto";
import type { AlertEvent } from "../core/alert-event.js";
import type { EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { AlertPolicy, Silence } from "../core/policy.js";
import type { Logger } from "../logging.js";
import type { PlannedRead } from "../core/sweep-plan.js";
import { eagerPublisher } from "./eager-publish.js";
import { drainOutbox, type DrainResult } from "./outbox.js";
import type { CircuitReader, CircuitTarget, DiscoveryFailure } from "./ports.js";
import { recordCircuit, type KeyDecision } from "./record-circuit.js";
import {
  discoverTargets,
  readEach,
  type CircuitError,
  type Scope,
  type Unreached,
} from "./scan.js";
import {
  knownInFailedListings,
  loadMemory,
  planTargets,
  type CheapSignals,
  type PlannedTarget,
} from "./sweep-plan.js";
import type { EventSink, StateStore } from "./state-store.js";

export type { KeyDecision } from "./record-circuit.js";

export interface SweepDeps {
  reader: CircuitReader;
  store: StateStore;
  /** Null: record events in the outbox and leave them for a process that publishes (the CLI without Service Bus). */
  sink: EventSink | null;
  policy: EvaluationPolicy & { alerts: AlertPolicy };
  silences: Silence[];
  historyRetentionDays: number;
  logger: Logger;
  newId?: () => string;
  /** No prefix count or ARP reading older than this (default 15). */
  maxReadAgeMinutes?: number;
  /** Cheap signals beyond the listing (metrics); none until that reader lands. */
  signals?: CheapSignals;
  /** Wall clock for the deadline (tests drive it). */
  clock?: () => number;
  /** Circuits in progress at once (default 32). */
  circuitConcurrency?: number;
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
  /** What the cheap tier led to: the circuits read deep and why, and how many it judged quiet. */
  plan: { deep: PlannedRead[]; quiet: number; rotationQuota: number };
  /** Planned but not read: the deadline came first, or the sweep was stopped. The next sweep starts with them. */
  unreached: Unreached[];
  /** ARM requests this sweep sent, and how many were answered 429. */
  arm: { requests: number; throttled: number } | null;
}

export interface SweepRequest {
  scope?: Scope;
  /** Circuits to read deep now, whatever the plan says (a person named them). */
  targets?: CircuitTarget[];
  now: Date;
  abortSignal: AbortSignal;
  /** No deep read starts after this (a time short of the next tick). */
  deadline?: Date;
  /**
   * "tiered" (the timer, the whole-estate HTTP sweep): deep reads only where
   * the plan puts them. "deep" (the default, for a person at the CLI): every
   * circuit in scope read deep, in the plan's order.
   */
  mode?: "tiered" | "deep";
  /** The id to give the sweep (a caller that answers 202 names it before it ends). */
  sweepId?: string;
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

export interface DeepReadRun {
  sweepId: string;
  now: Date;
  abortSignal: AbortSignal;
  log: Logger;
  deadline?: Date;
  admit?: (target: CircuitTarget) => Promise<boolean>;
  /** After a circuit's reading is recorded (a fan-out worker marks its claim done). */
  recorded?: (circuitId: string) => Promise<void>;
}

function logPlan(log: Logger, planned: { deep: PlannedTarget[]; quiet: number }): void {
  const reasons: Record<string, number> = {};
  for (const d of planned.deep) reasons[d.plan.reason] = (reasons[d.plan.reason] ?? 0) + 1;
  log.info({ deep: planned.deep.length, quiet: planned.quiet, reasons }, "sweep planned");
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

export function createSweeper(deps: SweepDeps) {
  const newId = deps.newId ?? randomUUID;
  const clock = deps.clock ?? Date.now;

  /** The cheap tier, what storage remembers, and the plan. */
  async function plan(request: SweepRequest, log: Logger) {
    const { now, abortSignal } = request;
    const found = request.scope
      ? await discoverTargets(deps.reader, request.scope, { abortSignal, logger: log })
      : { targets: [], failures: [] };
    const forced: PlannedTarget[] = (request.targets ?? []).map((target) => ({
      target,
      plan: {
        id: target.id,
        name: target.name,
        subscriptionId: target.subscriptionId,
        reason: "unlisted",
        detail: "asked for by name",
        ageMs: null,
      },
    }));
    if (found.targets.length === 0 && found.failures.length === 0)
      return { found, deep: forced, quiet: 0, rotationQuota: 0, ignored: [] };
    const { memory, snapshots } = await loadMemory(deps.store);
    // A listing that failed does not silence the circuits erwatch knows there.
    const fallback = knownInFailedListings(snapshots, found.failures, found.targets);
    const signals = deps.signals
      ? await deps.signals.troubled(found.targets, { abortSignal }).catch((error: unknown) => {
          log.warn(
            { err: error },
            "cheap signals unavailable; the plan goes by the listing and age",
          );
          return new Map<string, string>();
        })
      : new Map<string, string>();
    const tiered = planTargets([...found.targets, ...fallback], memory, {
      now,
      maxReadAgeMinutes: deps.maxReadAgeMinutes ?? 15,
      intervalMinutes: deps.policy.alerts.sweepIntervalMinutes,
      budgetMs: request.deadline ? request.deadline.getTime() - clock() : 0,
      everything: (request.mode ?? "deep") === "deep",
      signals,
    });
    const forcedIds = new Set(forced.map((f) => f.target.id.toLowerCase()));
    const deep = [
      ...forced,
      ...tiered.deep.filter((d) => !forcedIds.has(d.target.id.toLowerCase())),
    ];
    return {
      found,
      deep,
      quiet: tiered.quiet.length,
      rotationQuota: tiered.rotationQuota,
      ignored: tiered.ignored,
    };
  }

  /**
   * The deep reads, in order, against the deadline: each circuit recorded and
   * its events published as soon as its reads complete. `admit` (fan-out
   * workers) claims a circuit before it is read; one it refuses is skipped.
   */
  async function deepRead(targets: CircuitTarget[], run: DeepReadRun) {
    const { sweepId, now, abortSignal, log } = run;
    const readings: CircuitReading[] = [];
    const verdicts: CircuitVerdict[] = [];
    const events: AlertEvent[] = [];
    const decisions: KeyDecision[] = [];
    const publisher = eagerPublisher(() => publish(deps, sweepId, now, log));
    const { ignored, errors, unreached, skipped } = await readEach(
      deps.reader,
      targets,
      {
        abortSignal,
        logger: log,
        ...(run.deadline ? { deadline: run.deadline.getTime(), clock } : {}),
        ...(deps.circuitConcurrency ? { circuitConcurrency: deps.circuitConcurrency } : {}),
        ...(run.admit ? { admit: run.admit } : {}),
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
        await run.recorded?.(reading.ref.id);
        // A fault pages now, not when the rest of the estate has been read.
        if (record.events.length > 0 && deps.sink) publisher.kick();
      },
    );
    const early = await publisher.settle();
    // Stopped (Ctrl-C, SIGTERM, the hard deadline): leave at once; the outbox
    // keeps what was decided for the next sweep. A broker that failed during
    // the sweep was already reported.
    const stopped = abortSignal.aborted;
    let drained: DrainResult;
    if (stopped) drained = { published: [], pending: 0, brokerError: early.brokerError };
    else if (early.brokerError !== null)
      drained = {
        published: [],
        pending: (await deps.store.listOutbox()).length,
        brokerError: early.brokerError,
      };
    else drained = await publish(deps, sweepId, now, log);
    if (unreached.length > 0)
      log.warn(
        {
          unreached: unreached.length,
          circuits: unreached.slice(0, 20).map((u) => u.name),
          reason: unreached[0]!.reason,
        },
        "circuits not reached this sweep; the next sweep starts with them",
      );
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    return {
      verdicts: verdicts.sort(byId),
      readings: readings.sort((a, b) => a.ref.id.localeCompare(b.ref.id)),
      ignored,
      errors,
      unreached,
      skipped,
      events: events.sort(byId),
      decisions,
      published: [...early.published, ...drained.published],
      pendingInOutbox: drained.pending,
      brokerError: drained.brokerError,
      stopped,
    };
  }

  async function sweep(request: SweepRequest): Promise<SweepResult> {
    const sweepId = request.sweepId ?? newId();
    const log = deps.logger.child({ sweepId });
    const { now, abortSignal } = request;
    const armBefore = deps.reader.usage?.() ?? null;
    log.info("sweep started");
    const planned = await plan(request, log);
    logPlan(log, planned);
    const done = await deepRead(
      planned.deep.map((d) => d.target),
      {
        sweepId,
        now,
        abortSignal,
        log,
        ...(request.deadline ? { deadline: request.deadline } : {}),
      },
    );
    if (!done.stopped) await prune(deps, now, log);
    const arm = usageSince(deps.reader, armBefore);
    log.info(
      {
        circuits: done.verdicts.length,
        quiet: planned.quiet,
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
      startedAt: now.toISOString(),
      verdicts: done.verdicts,
      readings: done.readings,
      ignored: [...planned.ignored, ...done.ignored],
      discoveryFailures: planned.found.failures,
      errors: done.errors,
      events: done.events,
      decisions: done.decisions,
      published: done.published,
      pendingInOutbox: done.pendingInOutbox,
      brokerError: done.brokerError,
      plan: {
        deep: planned.deep.map((d) => d.plan),
        quiet: planned.quiet,
        rotationQuota: planned.rotationQuota,
      },
      unreached: done.unreached,
      arm,
    };
  }

  return { sweep, plan, deepRead, prune: (now: Date, log: Logger) => prune(deps, now, log) };
}

export type Sweeper = ReturnType<typeof createSweeper>;
