// After the circuits of a sweep are recorded: what the sweep could not see.
// A subscription whose circuits could not be listed gets its own
// monitoring-blind alert (subject /subscriptions/<id>); circuits a complete
// listing no longer has, or that are tagged erwatch:ignore now, have their
// open alerts resolved once with the reason and are forgotten. The rules are
// in src/core/sight.ts; this file only loads, commits and logs. (src/app/sight.ts is
// the CLI's summary of what one sweep could not read.)

import type { AlertEvent } from "../core/alert-event.js";
import { alertKey } from "../core/alert-identity.js";
import { boundJson } from "../core/budget.js";
import type { AlertRecord } from "../core/history.js";
import { historyRecordOf, type Holds } from "../core/alert-step.js";
import type { AlertState } from "../core/lifecycle.js";
import type { CircuitVerdict } from "../core/model.js";
import type { Observation } from "../core/observe.js";
import { parseCircuitId } from "../core/resource-id.js";
import {
  cleanStart,
  isOpen,
  listingObservation,
  retire,
  retirements,
  RETIRE_WORDS,
  subjectVerdict,
  subscriptionSubject,
  type Retirement,
} from "../core/sight.js";
import type { Logger } from "../logging.js";
import { buildAlertEvent } from "./alert-events.js";
import type { CircuitTarget, DiscoveryFailure } from "./ports.js";
import {
  appendHistory,
  decideAndCommit,
  holdsAmong,
  readAlert,
  type KeyDecision,
  type RecordDeps,
} from "./record-circuit.js";
import type { Scope } from "./scan.js";
import { isConflict } from "./state-store.js";

export interface SightInput {
  /** Null for a sweep of named circuits only: it lists nothing, so it proves nothing about the rest. */
  scope: Scope | null;
  found: { targets: CircuitTarget[]; failures: DiscoveryFailure[] };
  ignored: { id: string }[];
}

export interface SightRecord {
  events: AlertEvent[];
  decisions: KeyDecision[];
}

async function recordListing(
  deps: RecordDeps,
  subscriptionId: string,
  failure: DiscoveryFailure["failure"] | null,
  now: Date,
  writer: string,
  log: Logger,
): Promise<SightRecord> {
  const subject = subscriptionSubject(subscriptionId);
  const key = alertKey(subject, null, "monitoring-blind");
  const observation = listingObservation(
    { subscriptionId, failure },
    deps.policy.classify.severity.blind,
    null,
    now.getTime(),
  );
  const name = `subscription ${subscriptionId}`;
  const stored = await readAlert(deps.store, observation, name, now, log);
  if (!stored && !failure) {
    // Remember when the listing last worked, so a failure is measured in time too.
    try {
      await deps.store.commitAlert(cleanStart(observation, name, now), null, []);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    return { events: [], decisions: [] };
  }
  const verdict = subjectVerdict({ id: subject, name, subscriptionId, resourceGroup: "" }, now);
  const alerts = new Map(stored ? [[key, stored]] : []);
  return decideAndCommit(deps, verdict, [observation], alerts, now, writer, log);
}

async function retireCircuit(
  deps: RecordDeps,
  retirement: Retirement,
  now: Date,
  writer: string,
  log: Logger,
): Promise<SightRecord> {
  const { circuitId, reason } = retirement;
  const id = parseCircuitId(circuitId);
  const events: AlertEvent[] = [];
  const decisions: KeyDecision[] = [];
  const records: AlertRecord[] = [];
  let settled = true;
  for (const stored of await deps.store.listAlerts(circuitId)) {
    const state = stored.value;
    if (!isOpen(state)) continue;
    const decision = retire(state, reason, now);
    const verdict = subjectVerdict(
      {
        id: circuitId,
        name: state.circuitName,
        subscriptionId: id?.subscriptionId ?? "",
        resourceGroup: id?.resourceGroup ?? "",
      },
      now,
    );
    const made =
      decision.action === "none"
        ? []
        : [buildAlertEvent(decision.next, decision.event, verdict, now)];
    try {
      await deps.store.commitAlert(decision.next, stored.etag, made);
    } catch (error) {
      // Another sweep moved this alert first, or storage failed it: the next sweep retires it.
      settled = false;
      if (!isConflict(error))
        log.error(
          { err: error, circuitId, key: state.key },
          "an alert of a circuit that is gone could not be resolved; the next sweep tries",
        );
      continue;
    }
    events.push(...made);
    const observation: Observation = {
      key: state.key,
      family: state.family,
      circuitId,
      peering: state.peering,
      state: "clean",
      finding: null,
      previousReadAt: null,
    };
    const record = historyRecordOf(decision, observation, now);
    if (record) records.push({ ...record, note: RETIRE_WORDS[reason] });
    decisions.push({
      circuitId,
      key: state.key,
      family: state.family,
      peering: state.peering,
      action: decision.action,
      ...(decision.action === "none" ? { reason: decision.reason, detail: decision.detail } : {}),
    });
  }
  // The resolves are committed: history failing costs the status page its lines, not the pages.
  if (records.length > 0)
    await appendHistory(
      deps.store,
      circuitId,
      records.map((r) => boundJson(r) as AlertRecord),
      `${writer}-r`,
      // The sweep's logger: its line names the circuit as a circuit's logger does.
      log.child({ circuitId }),
    );
  // Forgotten only once every alert is settled, so a lost race is retried next sweep.
  if (settled)
    await deps.store.forgetCircuit(circuitId).catch((error: unknown) => {
      settled = false;
      log.error(
        { err: error, circuitId },
        "a circuit that is gone could not be forgotten; the next sweep tries",
      );
    });
  log.info(
    { circuitId, reason: RETIRE_WORDS[reason], resolved: events.length },
    settled
      ? "circuit retired: its open alerts are resolved and its snapshot forgotten"
      : "circuit retired in part: the next sweep does the rest",
  );
  return { events, decisions };
}

/** What the circuit's snapshot remembers of its identity; nothing when storage cannot say. */
async function lastRead(
  deps: RecordDeps,
  circuitId: string,
  log: Logger,
): Promise<
  Partial<Pick<CircuitVerdict, "serviceKey" | "serviceProviderName" | "peeringLocation">>
> {
  try {
    const snapshot = (await deps.store.getSnapshot(circuitId))?.value;
    if (!snapshot) return {};
    return {
      serviceKey: snapshot.serviceKey ?? null,
      serviceProviderName: snapshot.provider ?? null,
      peeringLocation: snapshot.peeringLocation ?? null,
    };
  } catch (error) {
    log.warn(
      { err: error, circuitId },
      "the circuit's snapshot could not be read; it is named by id",
    );
    return {};
  }
}

/**
 * The open alerts of a subscription whose listing failed: its circuits are not
 * read, so each is judged blind (held as last seen), and whoever holds a Sev0
 * or Sev1 of them is told once its source has been blind as long as
 * monitoring-blind waits (core/blind-notice.ts), as for a circuit read and failing.
 */
async function holdUnlisted(
  deps: RecordDeps,
  unlisted: readonly string[],
  now: Date,
  writer: string,
  log: Logger,
): Promise<SightRecord> {
  const out: SightRecord = { events: [], decisions: [] };
  if (unlisted.length === 0) return out;
  // One listing of the alerts for every unlisted subscription.
  const subscriptionOf = (circuitId: string) =>
    unlisted.find((s) => circuitId.toLowerCase().startsWith(`/subscriptions/${s.toLowerCase()}/`));
  const held = (await deps.store.listAlerts()).filter(
    (a) =>
      subscriptionOf(a.value.circuitId) !== undefined &&
      a.value.notified !== null &&
      a.value.family !== "fleet",
  );
  // A circuit's snapshot is read once, however many of its alerts are held.
  const identities = new Map<string, ReturnType<typeof lastRead>>();
  const known = (circuitId: string) => {
    const key = circuitId.toLowerCase();
    if (!identities.has(key)) identities.set(key, lastRead(deps, circuitId, log));
    return identities.get(key)!;
  };
  const unread = (state: AlertState): Observation => ({
    key: state.key,
    family: state.family,
    circuitId: state.circuitId,
    peering: state.peering,
    state: "unknown",
    finding: null,
    previousReadAt: null,
  });
  // A circuit's alerts hold one another as when it is read (the provider's Sev0
  // speaks for the path alert it masks: one Blind:, not two), though each is
  // committed alone.
  const holds = new Map<string, Holds>();
  const holdsOn = (state: AlertState): Holds => {
    const id = state.circuitId.toLowerCase();
    if (!holds.has(id)) {
      const own = held.filter((a) => a.value.circuitId.toLowerCase() === id);
      holds.set(
        id,
        holdsAmong(
          deps,
          { id: state.circuitId, name: state.circuitName },
          own.map((a) => unread(a.value)),
          new Map(own.map((a) => [a.value.key, a])),
          now,
          log,
        ),
      );
    }
    return holds.get(id)!;
  };
  for (const alert of held) {
    const subscriptionId = subscriptionOf(alert.value.circuitId)!;
    const state = alert.value;
    const observation = unread(state);
    const ref = parseCircuitId(state.circuitId);
    const verdict = {
      ...subjectVerdict(
        {
          id: state.circuitId,
          name: state.circuitName,
          subscriptionId,
          resourceGroup: ref?.resourceGroup ?? "",
        },
        now,
      ),
      // The receivers are told of it as they were paged: service key, provider, location as last read.
      ...(await known(state.circuitId)),
    };
    // One alert that cannot be committed (an ETag race, storage) holds back no other.
    try {
      const record = await decideAndCommit(
        deps,
        verdict,
        [observation],
        new Map([[state.key, alert]]),
        now,
        writer,
        log,
        holdsOn(state),
      );
      out.events.push(...record.events);
      out.decisions.push(...record.decisions);
    } catch (error) {
      log.error(
        { err: error, key: state.key, circuitId: state.circuitId, circuit: state.circuitName },
        "an unlisted circuit's alert could not be held",
      );
    }
  }
  return out;
}

/** Never fails the sweep: what could not be done now is done by the next one. */
export async function recordSight(
  deps: RecordDeps,
  input: SightInput,
  now: Date,
  writer: string,
  log: Logger,
): Promise<SightRecord> {
  const out: SightRecord = { events: [], decisions: [] };
  const add = (r: SightRecord) => {
    out.events.push(...r.events);
    out.decisions.push(...r.decisions);
  };
  const failed = new Map(
    input.found.failures.map((f) => [f.subscriptionId.toLowerCase(), f.failure]),
  );
  for (const subscriptionId of input.scope?.subscriptions ?? []) {
    try {
      const failure = failed.get(subscriptionId.toLowerCase()) ?? null;
      add(await recordListing(deps, subscriptionId, failure, now, writer, log));
    } catch (error) {
      log.error({ err: error, subscriptionId }, "the subscription's listing could not be recorded");
    }
  }
  const unlisted = (input.scope?.subscriptions ?? []).filter((s) => failed.has(s.toLowerCase()));
  try {
    add(await holdUnlisted(deps, unlisted, now, writer, log));
  } catch (error) {
    log.error({ err: error }, "the open alerts of unlisted subscriptions could not be held");
  }
  try {
    const retired = retirements({
      known: await deps.store.listCircuitIds(),
      listed: input.scope
        ? {
            subscriptions: input.scope.subscriptions.filter((s) => !failed.has(s.toLowerCase())),
            circuitIds: input.found.targets.map((t) => t.id),
          }
        : null,
      ignored: input.ignored.map((i) => i.id),
    });
    // One circuit's storage failing must not leave the others' incidents open.
    for (const retirement of retired) {
      try {
        add(await retireCircuit(deps, retirement, now, writer, log));
      } catch (error) {
        log.error(
          { err: error, circuitId: retirement.circuitId },
          "a circuit that is gone could not be retired; the next sweep tries",
        );
      }
    }
  } catch (error) {
    log.error({ err: error }, "circuits that are gone could not be listed; the next sweep tries");
  }
  return out;
}
