// Routes one alert event to its receivers. Each receiver hears it at most once
// and never after a later event of the same alert: the (event, receiver) row is
// claimed before posting, one event per alert is in flight to a receiver at a
// time (under a lease that also records which event is posted), and before
// every attempt the event is dropped as stale when the receiver heard this or
// a later sequence of the alert, or was sent a later one, heard or not. No
// receiver's failure is lost: retry with backoff honouring Retry-After, hand
// it back to Service Bus, reschedule the message when a receiver asks for a
// pause or is still failing after the last delivery, and past the horizon
// dead-letter it naming the receiver and its last status.
// The whole retry rule lives here.

import { randomUUID } from "node:crypto";
import type { AlertEvent } from "../../core/alert-event.js";
import { episodeStart, route, withResolveAudience, type Routing } from "../../core/routing.js";
import type { Logger } from "../../logging.js";
import type { Receiver, SendOutcome } from "./receiver.js";
import { parseEvent } from "./event-schema.js";
import type { DeliveryLog, InboundMessage, Settlement } from "./ports.js";

export interface RetryPolicy {
  attemptsPerDelivery: number;
  baseDelayMs: number;
  /** Longest wait inside one delivery; a longer Retry-After reschedules the message. */
  maxWaitMs: number;
  maxDeliveries: number;
  /** How long a claim on (event, receiver) lasts: longer than one delivery's posts and waits. */
  claimMs: number;
  /** A rescheduled copy is enqueued at most this far ahead... */
  maxRescheduleMs: number;
  /** ...and never later than this long after the event occurred: then it is dead-lettered. */
  horizonMs: number;
}

export interface DispatcherDeps {
  receivers: Map<string, Receiver>;
  routing: Routing;
  deliveries: DeliveryLog;
  retry: RetryPolicy;
  logger: Logger;
  now: () => Date;
  /** Injected so tests neither wait nor depend on timing. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  newId?: () => string;
  /** In [0, 1): spreads the pauses of a throttled storm; injected by tests. */
  random?: () => number;
}

type Failure = Extract<SendOutcome, { ok: false }>;

type ReceiverResult =
  | { receiver: string; kind: "delivered"; status: number; attempts: number; note?: string }
  | { receiver: string; kind: "skipped"; why: string }
  | { receiver: string; kind: "busy"; until: Date }
  | { receiver: string; kind: "failed"; permanent: boolean; last: Failure; attempts: number };

export type DispatchOutcome =
  | { settled: "complete"; delivered: string[]; skipped: string[] }
  | { settled: "abandon"; reason: string }
  | { settled: "dead-letter"; reason: string; description: string }
  | { settled: "rescheduled"; at: string; reason: string };

/**
 * A 429 that does not say how long to wait (PagerDuty's Events API throttles
 * per integration key per minute and sends none) is taken as asking for at
 * least this pause: a minute, so the receiver is not posted to again inside
 * the minute that refused it, doubling with each earlier post of the event,
 * spread up to half as long again so a storm of events does not come back in
 * step, at most `maxRescheduleMs`. Retried at the bare backoff, a throttled
 * receiver got every attempt and redelivery inside the refused minute (15
 * posts in about 15 s with the defaults); at a fixed pause, a storm of events
 * kept it throttled for good.
 */
export const UNSTATED_THROTTLE_MS = 60_000;

/** The outcome with the pause a throttling receiver implies made explicit. */
export function withImpliedPause(
  outcome: Failure,
  /** Posts of this event before this one, in earlier deliveries and this one. */
  tries: number,
  /** In [0, 1): where in the spread this pause falls. */
  spread: number,
  policy: Pick<RetryPolicy, "maxRescheduleMs">,
): Failure {
  if (outcome.status !== 429 || outcome.retryAfterMs !== null) return outcome;
  const pause = UNSTATED_THROTTLE_MS * 2 ** Math.min(tries, 20) * (1 + spread / 2);
  return { ...outcome, retryAfterMs: Math.round(Math.min(policy.maxRescheduleMs, pause)) };
}

/** Exponential backoff; a longer Retry-After wins. */
export function backoffMs(attempt: number, outcome: Failure, policy: RetryPolicy): number {
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.max(exponential, outcome.retryAfterMs ?? 0);
}

const describe = (r: Extract<ReceiverResult, { kind: "failed" }>, kind: string) =>
  `receiver ${r.receiver} (${kind}) failed after ${r.attempts} attempt(s): ${r.last.status ?? "no response"}: ${r.last.reason}`;

/** Copies of one event carry how often they were rescheduled; each copy needs its own message id. */
const RESCHEDULED = "erwatchRescheduled";
/** ...and how often the event was posted before them: the throttle's pause doubles with it. */
const POSTED = "erwatchPosted";

const count = (value: unknown): number | null => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
};

function copiesOf(message: InboundMessage): number {
  return count(message.applicationProperties?.[RESCHEDULED] ?? 0) ?? 0;
}

/**
 * Posts of the event before this delivery. A copy made before erwatch kept
 * the count says only how often it was rescheduled: at least that many.
 */
function postedBefore(message: InboundMessage): number {
  return count(message.applicationProperties?.[POSTED]) ?? copiesOf(message);
}

export type Settle =
  | { settled: "complete" }
  | { settled: "dead-letter"; reason: string; description: string }
  | { settled: "rescheduled"; at: Date; reason: string }
  | { settled: "abandon"; reason: string };

/**
 * How to settle, from what each receiver did. Pure: a permanent failure
 * dead-letters once no other receiver is still failing for now; a receiver
 * asking for a long pause (or busy in another delivery) reschedules within the
 * horizon; other failures go back to Service Bus until the last delivery, and
 * are rescheduled with a doubling pause after it, within the horizon.
 */
export function settleFor(
  results: ReceiverResult[],
  context: {
    event: AlertEvent;
    deliveryCount: number;
    /** How often this event was rescheduled already. */
    copies: number;
    now: Date;
    kindOf: (name: string) => string;
  },
  policy: RetryPolicy,
): Settle {
  const failures = results.filter(
    (r): r is Extract<ReceiverResult, { kind: "failed" }> => r.kind === "failed",
  );
  const busy = results.filter(
    (r): r is Extract<ReceiverResult, { kind: "busy" }> => r.kind === "busy",
  );
  if (failures.length === 0 && busy.length === 0) return { settled: "complete" };
  const description = [
    ...failures.map((f) => describe(f, context.kindOf(f.receiver))),
    ...busy.map((b) => `receiver ${b.receiver} is being posted to by another delivery`),
  ].join("; ");
  // A rejection is parked at once only when nobody else still waits for the
  // event: parking it while another receiver failed for now would mean that
  // receiver never hears it. The rejecting receiver is asked again meanwhile;
  // it refuses again, and nothing reached it twice.
  const rejected = failures.some((f) => f.permanent);
  const reason = rejected ? "ReceiverRejected" : "ReceiverUnavailable";
  if (rejected && busy.length === 0 && failures.every((f) => f.permanent))
    return { settled: "dead-letter", reason, description };
  const now = context.now.getTime();
  // A failure's Retry-After was never waited (post() returns on it), and
  // Service Bus would redeliver an abandoned message at once: the pause the
  // receiver asked for is kept by rescheduling.
  const wanted = [
    ...failures
      .filter((f) => !f.permanent && (f.last.retryAfterMs ?? 0) > 0)
      .map((f) => now + (f.last.retryAfterMs ?? 0)),
    ...busy.map((b) => b.until.getTime()),
  ];
  // Service Bus redelivers an abandoned message at once, so the deliveries
  // alone span seconds: a receiver down for a minute would cost the page.
  // After them, the pause keeps doubling in rescheduled copies up to the horizon.
  // A rescheduled copy had its burst of deliveries already: after one delivery
  // it waits for the next pause instead of hammering a receiver that is down.
  const burst = context.copies > 0 ? 1 : policy.maxDeliveries;
  if (wanted.length === 0 && context.deliveryCount >= burst)
    wanted.push(now + policy.maxWaitMs * 2 ** Math.min(context.copies, 20));
  if (wanted.length > 0) {
    const at = Math.min(Math.max(...wanted), now + policy.maxRescheduleMs);
    const occurred = Date.parse(context.event.occurredAt);
    // Without a time there is no horizon, and copies would be made forever.
    if (Number.isNaN(occurred))
      return {
        settled: "dead-letter",
        reason,
        description: `${description}; the event's time ${JSON.stringify(context.event.occurredAt.slice(0, 40))} cannot be read, so no retry horizon can be set`,
      };
    const horizon = occurred + policy.horizonMs;
    // Pauses that double (or that a receiver asked for) rarely land on the
    // horizon itself: the last copy is due there, so a receiver back before
    // it still hears the event, rather than it being parked up to 15 minutes
    // early, while it could still be delivered.
    if (at > horizon && now < horizon)
      return { settled: "rescheduled", at: new Date(horizon), reason: description };
    if (at > horizon)
      return {
        settled: "dead-letter",
        reason,
        description: `${description}; retrying past ${new Date(horizon).toISOString()} is not worth it`,
      };
    return { settled: "rescheduled", at: new Date(at), reason: description };
  }
  return { settled: "abandon", reason: description };
}

/**
 * A receiver that throws (its payload builder choking on an odd event) is a
 * permanent failure of that receiver alone: thrown, it would fail the whole
 * dispatch, keep its claim, and the message would cycle as "busy" until the
 * horizon and be parked under a false reason. Only the error's class goes
 * into the reason, which is not scrubbed; the log line has the rest.
 */
async function sendOrFailure(
  receiver: Receiver,
  event: AlertEvent,
  signal: AbortSignal,
  log: Logger,
): Promise<SendOutcome> {
  try {
    return await receiver.send(event, { abortSignal: signal });
  } catch (error) {
    const kind = error instanceof Error ? error.name : typeof error;
    log.error({ err: error, receiver: receiver.name }, "receiver threw instead of answering");
    return {
      ok: false,
      retryable: false,
      status: null,
      retryAfterMs: null,
      reason: `could not build or send the ${receiver.kind} message: ${kind}`,
    };
  }
}

/** Posts until success, a permanent failure, the attempts, or a wait longer than a delivery may take. */
async function post(
  deps: DispatcherDeps,
  receiver: Receiver,
  event: AlertEvent,
  signal: AbortSignal,
  log: Logger,
  /** Why the event must not be posted any more (a later one was heard meanwhile), or null. */
  stale: () => Promise<string | null>,
  /** How often this event was posted in earlier deliveries. */
  earlier: number,
): Promise<ReceiverResult> {
  for (let attempt = 1; ; attempt += 1) {
    // Before every attempt, not only the first: a later event of the alert may
    // have reached the receiver during the backoff (a resolve while an open
    // waited), and posting the open then would leave PagerDuty triggered.
    const why = await stale();
    if (why !== null) return { receiver: receiver.name, kind: "skipped", why };
    const outcome = await sendOrFailure(receiver, event, signal, log);
    if (outcome.ok)
      return {
        receiver: receiver.name,
        kind: "delivered",
        status: outcome.status,
        attempts: attempt,
        ...(outcome.note ? { note: outcome.note } : {}),
      };
    const failure = withImpliedPause(
      outcome,
      earlier + attempt - 1,
      (deps.random ?? Math.random)(),
      deps.retry,
    );
    const wait = backoffMs(attempt, failure, deps.retry);
    const last = !failure.retryable || attempt >= deps.retry.attemptsPerDelivery;
    const failed: ReceiverResult = {
      receiver: receiver.name,
      kind: "failed",
      permanent: !failure.retryable,
      last: failure,
      attempts: attempt,
    };
    // The delivery's deadline ends the retries, not the delivery: what the
    // receiver last said is settled like any failure (given back, or at the
    // last delivery dead-lettered with its reason), never thrown, which would
    // leave Service Bus to dead-letter it at its own count without one.
    if (last || wait > deps.retry.maxWaitMs || signal.aborted) return failed;
    // Debug, not warn: a post that is about to be retried is not yet a problem.
    log.debug(
      { receiver: receiver.name, attempt, status: failure.status, waitMs: wait },
      "receiver failed; retrying",
    );
    try {
      await deps.sleep(wait, signal);
    } catch (error) {
      if (!signal.aborted) throw error;
      return failed;
    }
  }
}

async function toReceiver(
  deps: DispatcherDeps,
  name: string,
  event: AlertEvent,
  claimant: string,
  signal: AbortSignal,
  log: Logger,
  earlier: number,
): Promise<ReceiverResult> {
  const receiver = deps.receivers.get(name);
  if (!receiver)
    throw new Error(
      `route names receiver "${name}" that was not built; configuration validation should have caught this`,
    );
  const { deliveries } = deps;
  const until = new Date(deps.now().getTime() + deps.retry.claimMs);
  const claim = await deliveries.claim(event.key, event.id, name, claimant, until);
  if (claim.kind === "delivered")
    return { receiver: name, kind: "skipped", why: "already delivered" };
  if (claim.kind === "busy") return { receiver: name, kind: "busy", until: claim.until };
  // One event of an alert in flight to a receiver at a time: an open and its
  // resolve posted at once may arrive in either order, and PagerDuty would
  // stay triggered. Taking the lease records this event's sequence as
  // attempted before anything is posted, in the lease's own write: a resolve
  // the receiver took while its record was lost (the one window) still makes
  // the open behind it stale. When it throws, nothing is posted.
  const held = await deliveries.lease(event.key, name, claimant, until, event.sequence);
  if (held.kind !== "claimed") {
    await deliveries.release(event.key, event.id, name, claimant);
    // The other post usually ends long before its lease: look again within a minute or so.
    const soon = deps.now().getTime() + deps.retry.maxWaitMs;
    const ends = held.kind === "busy" ? held.until.getTime() : soon;
    return { receiver: name, kind: "busy", until: new Date(Math.min(ends, soon)) };
  }
  try {
    return await postOnce(deps, receiver, event, claimant, held.attempted, signal, log, earlier);
  } finally {
    await deliveries.unlease(event.key, name, claimant);
  }
}

/** Posts the claimed event unless it went stale, and records what happened. */
async function postOnce(
  deps: DispatcherDeps,
  receiver: Receiver,
  event: AlertEvent,
  claimant: string,
  /** The highest sequence attempted before this delivery's lease (read in taking it). */
  attemptedBefore: number,
  signal: AbortSignal,
  log: Logger,
  earlier: number,
): Promise<ReceiverResult> {
  const { deliveries } = deps;
  const name = receiver.name;
  let retry = false;
  const stale = async () => {
    // The first attempt has what taking the lease read; nobody else can raise
    // it while the lease lives. A retry reads it again, at the same time as
    // the heard sequence: a stalled delivery may have outlived its lease.
    const [last, sent] = await Promise.all([
      deliveries.lastSequence(event.key, name),
      retry ? deliveries.attempted(event.key, name) : attemptedBefore,
    ]);
    retry = true;
    if (last >= event.sequence)
      return `stale: ${name} already heard event ${last} of this alert, later than ${event.sequence} (${event.action})`;
    // Strictly later: this event's own earlier attempts do not make it stale.
    // Taken by the receiver or not (its answer or record lost, still being
    // retried, or rejected and parked), the later event supersedes this one.
    if (sent > event.sequence)
      return `stale: ${name} was already sent event ${sent} of this alert, later than ${event.sequence} (${event.action}); taken or not, that event supersedes this one`;
    return null;
  };
  const result = await post(deps, receiver, event, signal, log, stale, earlier);
  if (result.kind === "skipped") {
    await deliveries.delivered(event.key, event.id, name, event.sequence, {
      status: 0,
      at: deps.now().toISOString(),
      attempts: 0,
      skipped: result.why,
    });
    log.info({ receiver: name }, `not delivered: ${result.why}`);
  } else if (result.kind === "delivered") {
    await deliveries.delivered(event.key, event.id, name, event.sequence, {
      status: result.status,
      at: deps.now().toISOString(),
      attempts: result.attempts,
    });
    log.info(
      {
        receiver: name,
        status: result.status,
        attempts: result.attempts,
        ...(result.note ? { note: result.note } : {}),
      },
      "delivered",
    );
  } else {
    await deliveries.release(event.key, event.id, name, claimant);
  }
  return result;
}

async function settle(
  deps: DispatcherDeps,
  decision: Settle,
  message: InboundMessage,
  event: AlertEvent,
  settlement: Settlement,
  results: ReceiverResult[],
  log: Logger,
): Promise<DispatchOutcome> {
  switch (decision.settled) {
    case "complete": {
      await settlement.complete();
      const names = (kind: ReceiverResult["kind"]) =>
        results.filter((r) => r.kind === kind).map((r) => r.receiver);
      return { settled: "complete", delivered: names("delivered"), skipped: names("skipped") };
    }
    case "dead-letter":
      log.error(
        { reason: decision.reason, description: decision.description },
        "dead-lettering the alert event",
      );
      await settlement.deadLetter(decision.reason, decision.description);
      return decision;
    case "rescheduled": {
      const properties = message.applicationProperties ?? {};
      const copies = copiesOf(message) + 1;
      // The most any receiver was posted this delivery: a delivery that waited
      // out its pauses posted more than once, and the next pause doubles on.
      const posted =
        postedBefore(message) +
        Math.max(0, ...results.map((r) => ("attempts" in r ? r.attempts : 0)));
      await settlement.reschedule(
        {
          messageId: `${event.id}~r${copies}`,
          body: message.body,
          applicationProperties: { ...properties, [RESCHEDULED]: copies, [POSTED]: posted },
          at: decision.at,
        },
        decision.reason,
      );
      log.warn(
        { at: decision.at.toISOString(), reason: decision.reason },
        "a receiver asked for a pause; the alert event is rescheduled",
      );
      return { settled: "rescheduled", at: decision.at.toISOString(), reason: decision.reason };
    }
    case "abandon":
      log.warn(
        { description: decision.reason, maxDeliveries: deps.retry.maxDeliveries },
        "giving the alert event back to Service Bus for another delivery",
      );
      await settlement.abandon(decision.reason);
      return decision;
  }
}

/**
 * Receivers an earlier event of this episode was delivered to (they must hear
 * its resolve). A receiver that heard only an earlier episode of the key heard
 * that one's resolve already: this one is not its incident. `unread`: those
 * whose record could not be read, who may have heard it.
 */
async function toldOf(
  deps: DispatcherDeps,
  event: AlertEvent,
  log: Logger,
): Promise<{ told: string[]; unread: { receiver: string; error: unknown }[] }> {
  const told: string[] = [];
  const unread: { receiver: string; error: unknown }[] = [];
  const opened = episodeStart(event);
  for (const name of deps.receivers.keys()) {
    try {
      // Sent, not only heard: an open still being retried there (or taken, its
      // record lost) is stale once the resolve was sent, so the resolve must go
      // there too, or the open's retry would be its last word.
      const [heard, sent] = await Promise.all([
        deps.deliveries.lastSequence(event.key, name),
        deps.deliveries.attempted(event.key, name),
      ]);
      if (Math.max(heard, sent) >= opened) told.push(name);
    } catch (error) {
      // Counted as this receiver's failure (below), so the resolve is tried
      // again or parked naming it: never completed without a receiver that
      // may have been paged.
      log.warn(
        { err: error, receiver: name },
        "could not tell whether this receiver heard the alert",
      );
      unread.push({ receiver: name, error });
    }
  }
  return { told, unread };
}

/** A receiver whose delivery log failed: retryable, like a receiver that did not answer. */
function storageFailure(receiver: string, error: unknown): ReceiverResult {
  const kind = error instanceof Error ? error.name : typeof error;
  return {
    receiver,
    kind: "failed",
    permanent: false,
    attempts: 0,
    last: {
      ok: false,
      retryable: true,
      status: null,
      retryAfterMs: null,
      reason: `delivery could not be claimed or recorded: ${kind}`,
    },
  };
}

export function createDispatcher(deps: DispatcherDeps) {
  const newId = deps.newId ?? randomUUID;

  async function dispatch(
    message: InboundMessage,
    settlement: Settlement,
    signal: AbortSignal,
  ): Promise<DispatchOutcome> {
    const log = deps.logger.child({
      messageId: message.messageId,
      deliveryCount: message.deliveryCount,
    });
    const parsed = parseEvent(message.body);
    if (!parsed.ok) {
      log.error(
        { reason: parsed.reason, description: parsed.description },
        "message is not a valid alert event; dead-lettering it",
      );
      await settlement.deadLetter(parsed.reason, parsed.description);
      return { settled: "dead-letter", reason: parsed.reason, description: parsed.description };
    }
    const { event } = parsed;
    const eventLog = log.child({
      key: event.key,
      action: event.action,
      severity: event.severity,
      circuitId: event.circuit.id,
    });
    const audience =
      event.action === "resolve" ? await toldOf(deps, event, eventLog) : { told: [], unread: [] };
    const routed = withResolveAudience(route(deps.routing, event), event, audience.told);
    if (routed.receivers.length === 0)
      eventLog.info(
        { peakSeverity: event.peakSeverity },
        "no route matches this event; nothing to deliver",
      );
    const claimant = newId();
    // Settled, not all: one receiver's storage error must neither cut the
    // others short nor escape as a throw. A throw is only ever abandoned, and
    // Service Bus would dead-letter at its own count, without erwatch's reason.
    const copies = copiesOf(message);
    const earlier = postedBefore(message);
    const settled = await Promise.allSettled(
      routed.receivers.map((name) =>
        toReceiver(deps, name, event, claimant, signal, eventLog, earlier),
      ),
    );
    const results = settled.map((r, i): ReceiverResult => {
      if (r.status === "fulfilled") return r.value;
      const receiver = routed.receivers[i] ?? "unknown";
      eventLog.error({ err: r.reason, receiver }, "delivery failed before an answer was recorded");
      return storageFailure(receiver, r.reason);
    });
    // A receiver that may have heard the alert, outside the resolve's routes:
    // not knowing is a failure for now, never a reason to leave it out.
    for (const { receiver, error } of audience.unread)
      if (!routed.receivers.includes(receiver)) results.push(storageFailure(receiver, error));
    const decision = settleFor(
      results,
      {
        event,
        deliveryCount: message.deliveryCount,
        copies,
        now: deps.now(),
        kindOf: (name) => deps.receivers.get(name)?.kind ?? "unknown",
      },
      deps.retry,
    );
    return settle(deps, decision, message, event, settlement, results, eventLog);
  }

  return { dispatch };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
