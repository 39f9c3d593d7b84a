// The stateful sweep: read → classify → diff → decide → persist → emit.
// Everything that decides is pure (src/core); this file only orders the steps,
// handles ETag races by re-reading and re-deciding, and keeps one circuit's
// trouble from stopping the others.

import { randomUUID } from "node:crypto";
import type { ClassifyOptions } from "../core/classify.js";
import { classifyCircuit } from "../core/classify.js";
import type { AlertEvent } from "../core/alert-event.js";
import { diffSnapshot } from "../core/diff.js";
import { flappingFindings } from "../core/flapping.js";
import type { AlertRecord, HistoryEntry, PrefixSample } from "../core/history.js";
import { inhibitions } from "../core/inhibit.js";
import {
  advance,
  alreadyEvaluated,
  decide,
  hysteresisForFamily,
  type AlertState,
  type Decision,
} from "../core/lifecycle.js";
import type { CircuitReading, CircuitVerdict, Finding, PathName } from "../core/model.js";
import { observe, type Observation } from "../core/observe.js";
import { hysteresisFor, type AlertPolicy, type Silence } from "../core/policy.js";
import { activeSilence } from "../core/silence.js";
import { readPreviousFacts } from "../core/snapshot.js";
import { prefixTrend } from "../core/trend.js";
import type { Logger } from "../logging.js";
import { buildAlertEvent } from "./alert-events.js";
import { drainOutbox } from "./outbox.js";
import type { CircuitReader, CircuitTarget, DiscoveryFailure } from "./ports.js";
import { readTargets } from "./scan.js";
import { ConflictError, type EventSink, type StateStore, type Stored } from "./state-store.js";

export interface SweepDeps {
  reader: CircuitReader;
  store: StateStore;
  /** Null: record events in the outbox and leave them for a process that publishes (the CLI without Service Bus). */
  sink: EventSink | null;
  classify: ClassifyOptions;
  policy: AlertPolicy;
  silences: Silence[];
  historyRetentionDays: number;
  logger: Logger;
  newId?: () => string;
}

export interface KeyDecision {
  circuitId: string;
  key: string;
  family: AlertState["family"];
  peering: string | null;
  reason: Decision["reason"];
  why?: string;
  detail?: string;
}

export interface SweepResult {
  sweepId: string;
  startedAt: string;
  verdicts: CircuitVerdict[];
  readings: CircuitReading[];
  ignored: { id: string; name: string }[];
  discoveryFailures: DiscoveryFailure[];
  errors: { id: string; name: string; message: string }[];
  /** Events decided in this sweep (published now, or waiting in the outbox). */
  events: AlertEvent[];
  decisions: KeyDecision[];
  /** Events the broker accepted during this sweep's drain, including older ones. */
  published: AlertEvent[];
  pendingInOutbox: number;
  brokerError: string | null;
}

export interface SweepRequest {
  scope?: { subscriptions: string[]; circuitIds: string[] };
  targets?: CircuitTarget[];
  now: Date;
  abortSignal: AbortSignal;
}

const MAX_RACE_RETRIES = 3;

export function createSweeper(deps: SweepDeps) {
  const newId = deps.newId ?? randomUUID;

  function withTrend(
    findings: Finding[],
    verdict: CircuitVerdict,
    history: HistoryEntry[],
    now: Date,
  ): Finding[] {
    const since = now.getTime() - deps.policy.trendWindowHours * 3_600_000;
    return findings.map((f) => {
      if (f.code !== "prefix-limit-near" || !f.peering) return f;
      const peering = verdict.peerings.find((p) => p.name === f.peering);
      const trend: Record<string, unknown> = {};
      for (const path of f.paths) {
        const count = peering?.prefixes[path];
        const limit = typeof f.evidence.limit === "number" ? f.evidence.limit : null;
        if (count === null || count === undefined || limit === null) continue;
        const samples = history.filter(
          (e): e is PrefixSample =>
            e.kind === "prefixes" &&
            e.peering === f.peering &&
            e.path === path &&
            Date.parse(e.at) >= since,
        );
        trend[path] = prefixTrend(samples, { at: now, count }, limit);
      }
      return { ...f, evidence: { ...f.evidence, trend } };
    });
  }

  async function persistSnapshot(
    verdict: CircuitVerdict,
    initial: Awaited<ReturnType<StateStore["getSnapshot"]>>,
    now: Date,
  ) {
    let previous = initial;
    const limits = (peering: string, path: PathName) =>
      verdict.peerings.find((p) => p.name === peering)?.limits[path] ?? null;
    for (let attempt = 0; ; attempt += 1) {
      const diff = diffSnapshot(previous?.value ?? null, verdict, limits, now);
      try {
        await deps.store.putSnapshot(diff.next, previous?.etag ?? null);
        return diff;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_RACE_RETRIES) throw error;
        // Another sweep wrote first: diff against what it wrote, so its transitions are not recorded twice.
        previous = await deps.store.getSnapshot(verdict.id);
      }
    }
  }

  async function decideKey(
    observation: Observation,
    stored: Stored<AlertState> | null,
    verdict: CircuitVerdict,
    held: Map<string, { by: string; rule: string }>,
    now: Date,
  ): Promise<{ decision: Decision | null; events: AlertEvent[] }> {
    const base = hysteresisFor(deps.policy, verdict);
    let current = stored;
    for (let attempt = 0; ; attempt += 1) {
      if (alreadyEvaluated(current?.value ?? null, now)) return { decision: null, events: [] };
      const state = advance(
        current?.value ?? null,
        observation,
        hysteresisForFamily(observation.family, deps.policy, base),
        verdict.name,
        now,
      );
      if (!state) return { decision: null, events: [] };
      const paths = state.condition?.paths ?? [];
      const decision = decide(state, {
        now,
        repeatEveryMinutes: deps.policy.repeatEveryMinutes,
        silencedBy: activeSilence(
          deps.silences,
          { circuitId: verdict.id, circuitName: verdict.name, peering: state.peering, paths },
          now,
        ),
        inhibitedBy: held.get(state.key) ?? null,
        blind: observation.state === "unknown",
      });
      const events =
        decision.reason === "none"
          ? []
          : [buildAlertEvent(decision.next, decision.event, verdict, now)];
      try {
        await deps.store.commitAlert(decision.next, current?.etag ?? null, events);
        return { decision, events };
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_RACE_RETRIES) throw error;
        // Lost the race: re-read and decide again from what the winner wrote.
        current = await deps.store.getAlert(verdict.id, observation.key);
      }
    }
  }

  async function processCircuit(reading: CircuitReading, now: Date, sweepId: string, log: Logger) {
    const snapshot = await deps.store.getSnapshot(reading.ref.id);
    const verdict = classifyCircuit(reading, {
      ...deps.classify,
      ...(snapshot ? { previous: readPreviousFacts(snapshot.value) } : {}),
    });
    const lookBack = Math.max(
      deps.policy.flap.windowMinutes * 60_000,
      deps.policy.trendWindowHours * 3_600_000,
    );
    const history = await deps.store.listHistory(verdict.id, new Date(now.getTime() - lookBack));
    const diff = await persistSnapshot(verdict, snapshot, now);
    const changes: HistoryEntry[] = [...diff.transitions, ...diff.prefixSamples];
    if (changes.length > 0) await deps.store.appendHistory(verdict.id, changes, `${sweepId}-c`);
    const recent = [...history, ...changes];

    const flaps = flappingFindings(
      verdict,
      recent,
      deps.policy.flap,
      deps.classify.routeLimits.warnPercent,
      now,
    );
    const enriched: CircuitVerdict = {
      ...verdict,
      findings: withTrend(verdict.findings, verdict, recent, now),
    };
    const existing = await deps.store.listAlerts(verdict.id);
    const byKey = new Map(existing.map((e) => [e.value.key, e]));
    const observations = observe(
      enriched,
      flaps,
      existing.map((e) => ({ key: e.value.key, family: e.value.family, peering: e.value.peering })),
    );

    // Inhibition needs every key's condition after this sweep, before any notification.
    const hysteresis = hysteresisFor(deps.policy, verdict);
    const projected = observations.map((o) => ({
      o,
      state: advance(
        byKey.get(o.key)?.value ?? null,
        o,
        hysteresisForFamily(o.family, deps.policy, hysteresis),
        verdict.name,
        now,
      ),
    }));
    const held = inhibitions(
      projected
        .filter((p) => p.state !== null)
        .map(({ o, state }) => ({
          key: o.key,
          family: o.family,
          code: state!.condition?.code ?? "monitoring-blind",
          circuitId: verdict.id,
          peering: o.peering,
          paths: state!.condition?.paths ?? [],
          active: state!.phase === "firing" || state!.phase === "resolving",
        })),
    );

    const events: AlertEvent[] = [];
    const decisions: KeyDecision[] = [];
    const records: AlertRecord[] = [];
    for (const o of observations) {
      const { decision, events: emitted } = await decideKey(
        o,
        byKey.get(o.key) ?? null,
        enriched,
        held,
        now,
      );
      if (!decision) continue;
      events.push(...emitted);
      const d: KeyDecision = {
        circuitId: verdict.id,
        key: o.key,
        family: o.family,
        peering: o.peering,
        reason: decision.reason,
      };
      if (decision.reason === "none") {
        d.why = decision.why;
        d.detail = decision.detail;
        if (decision.heldBack && (decision.why === "silenced" || decision.why === "inhibited")) {
          records.push({
            kind: "alert",
            at: now.toISOString(),
            circuitId: verdict.id,
            key: o.key,
            family: o.family,
            peering: o.peering,
            outcome: decision.why,
            severity: decision.next.condition?.severity ?? "Sev4",
            sequence: null,
            title: decision.next.condition?.title ?? "",
            note: `${decision.heldBack} held back: ${decision.detail}`,
          });
        }
      } else {
        records.push({
          kind: "alert",
          at: now.toISOString(),
          circuitId: verdict.id,
          key: o.key,
          family: o.family,
          peering: o.peering,
          outcome: decision.reason,
          severity: decision.event.severity,
          sequence: decision.event.sequence,
          title: decision.event.condition.title,
        });
      }
      decisions.push(d);
      log.debug(
        { key: o.key, family: o.family, reason: d.reason, why: d.why, detail: d.detail },
        "alert decision",
      );
    }
    if (records.length > 0) await deps.store.appendHistory(verdict.id, records, `${sweepId}-a`);
    return { verdict, events, decisions };
  }

  async function sweep(request: SweepRequest): Promise<SweepResult> {
    const sweepId = newId();
    const log = deps.logger.child({ sweepId });
    const { now } = request;
    log.info("sweep started");
    let targets = request.targets ?? [];
    let discoveryFailures: DiscoveryFailure[] = [];
    if (request.scope) {
      const found = await deps.reader.discover(request.scope, { abortSignal: request.abortSignal });
      targets = [...targets, ...found.targets];
      discoveryFailures = found.failures;
      for (const f of found.failures)
        log.warn(
          { subscriptionId: f.subscriptionId, failure: f.failure },
          "listing circuits failed",
        );
    }
    const { readings, ignored, errors } = await readTargets(deps.reader, targets, {
      abortSignal: request.abortSignal,
      classify: deps.classify,
      logger: log,
    });

    const verdicts: CircuitVerdict[] = [];
    const events: AlertEvent[] = [];
    const decisions: KeyDecision[] = [];
    await Promise.all(
      readings.map(async (reading) => {
        const circuitLog = log.child({ circuitId: reading.ref.id, circuit: reading.ref.name });
        try {
          const result = await processCircuit(reading, now, sweepId, circuitLog);
          verdicts.push(result.verdict);
          events.push(...result.events);
          decisions.push(...result.decisions);
          for (const e of result.events)
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
        } catch (error) {
          // Storage trouble for one circuit must not cost the others their alerts.
          circuitLog.error(
            { err: error },
            "recording the circuit's state failed; its alerts are decided again next sweep",
          );
          errors.push({
            id: reading.ref.id,
            name: reading.ref.name,
            message: (error as Error).message,
          });
        }
      }),
    );
    verdicts.sort((a, b) => a.id.localeCompare(b.id));

    const drained = deps.sink
      ? await drainOutbox(deps.store, deps.sink, { claimant: sweepId, now, logger: log })
      : { published: [], pending: (await deps.store.listOutbox()).length, brokerError: null };
    try {
      await deps.store.pruneHistory(
        new Date(now.getTime() - deps.historyRetentionDays * 86_400_000),
      );
    } catch (error) {
      log.warn({ err: error }, "pruning old history failed; it is tried again next sweep");
    }
    log.info(
      {
        circuits: verdicts.length,
        events: events.length,
        published: drained.published.length,
        pending: drained.pending,
      },
      "sweep finished",
    );
    return {
      sweepId,
      startedAt: now.toISOString(),
      verdicts,
      readings,
      ignored,
      discoveryFailures,
      errors,
      events: events.sort((a, b) => a.id.localeCompare(b.id)),
      decisions,
      published: drained.published,
      pendingInOutbox: drained.pending,
      brokerError: drained.brokerError,
    };
  }

  return { sweep };
}

export type Sweeper = ReturnType<typeof createSweeper>;
