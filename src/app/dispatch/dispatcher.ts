// Routes one alert event to its receivers. Each receiver hears it at most once
// and never after a later event of the same alert: the (event, receiver) row is
// claimed before posting, one event per alert is in flight to a receiver at a
// time (under a lease that also records which event is posted), and before
// every attempt the event is dropped as stale when the receiver heard this or
// a later sequence of the alert, or was sent a later one, heard or not. No
// receiver's failure is lost: retry with backoff honouring Retry-After, hand
// it back to Service Bus, reschedule the message when a receiver asks for a
// pause or is still failing after the last delivery, and past the horizon
// dead-letter it naming the receiver and its last status. Each receiver keeps
// its own pace across rescheduled copies: one asking for 15 minutes holds up
// no other.
// The whole retry rule lives here.

import { storedInstant } from "../../core/instant.js";
import { randomUUID } from "node:crypto";
import type { AlertEvent } from "../../core/alert-event.js";
import { episodeStart, route, withResolveAudience, type Routing } from "../../core/routing.js";
import { latePageOf } from "../../core/late-page.js";
import type { Logger } from "../../logging.js";
import type { Receiver, SendOutcome } from "./receiver.js";
import { parseEvent } from "./event-schema.js";
import type { DeliveryLog, InboundMessage, Settlement } from "./ports.js";
import { isRecord } from "../../core/record.js";
import { counted } from "../../core/text.js";
import { NO_TURN, ReceiverTurns, type Turn } from "./receiver-turns.js";

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

export type ReceiverResult =
  | { receiver: string; kind: "delivered"; status: number; attempts: number; note?: string }
  | { receiver: string; kind: "skipped"; why: string }
  | { receiver: string; kind: "busy"; until: Date }
  /** Not posted to: the pause an earlier copy gave it is not over. `why`: what it last answered. */
  | { receiver: string; kind: "pausing"; until: Date; why: string }
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
  /** Posts of this event to this receiver before this one, in earlier deliveries and this one. */
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

type Waiting = Extract<ReceiverResult, { kind: "busy" | "pausing" | "failed" }>;

const describe = (r: Waiting, kind: string): string => {
  switch (r.kind) {
    case "failed":
      return `receiver ${r.receiver} (${kind}) failed after ${counted(r.attempts, "attempt")}: ${r.last.status ?? "no response"}: ${r.last.reason}`;
    case "busy":
      return `receiver ${r.receiver} is being posted to by another delivery`;
    case "pausing":
      return `receiver ${r.receiver} (${kind}) pauses until ${r.until.toISOString()} (${r.why})`;
  }
};

/**
 * When a waiting receiver is due by what this delivery learned: the pause it
 * asked for, the end of the other delivery's claim, the rest of its pause;
 * null when nothing said.
 */
function dueBy(r: Waiting, now: number): number | null {
  if (r.kind !== "failed") return r.until.getTime();
  const asked = r.last.retryAfterMs ?? 0;
  return asked > 0 ? now + asked : null;
}

/** Carried to the next copy, so its dead letter can still say why a receiver was paused. */
const whyOf = (r: Waiting): string =>
  r.kind === "failed"
    ? `last answered ${r.last.status ?? "no response"}: ${r.last.reason}`.slice(0, 300)
    : r.kind === "busy"
      ? "being posted to by another delivery"
      : r.why;

/** Copies of one event carry how often they were rescheduled; each copy needs its own message id. */
const RESCHEDULED = "erwatchRescheduled";
/**
 * ...and each waiting receiver's pace, as JSON text keyed by receiver name:
 * one property, since names are the user's and a property name is not.
 */
const RECEIVERS = "erwatchReceivers";
/** How often the event was posted before a copy made by an erwatch that did not keep receivers apart. */
const POSTED = "erwatchPosted";
/**
 * When the dispatcher first had the event (ISO text): the retry horizon counts
 * from then, or from the event if later. Counted from the event alone, a page
 * that waited out a broker outage longer than the horizon in the outbox was
 * parked on its first throttled answer (PagerDuty's 429 to the backlog's storm).
 */
const FIRST_DISPATCHED = "erwatchFirstDispatchedAt";

/**
 * When the dispatcher first had the event: as a copy carries it, now on the
 * published message's first delivery, and on its redeliveries when Service
 * Bus took it (an outbox backlog older than the horizon, sent when the broker
 * came back, got its burst of redeliveries against a 503 storm and was then
 * parked, the horizon counted from the event). Null when not known (a copy an
 * older erwatch made, a host that does not say): the horizon counts from the event.
 */
function firstDispatchedOf(message: InboundMessage, now: number): number | null {
  const carried = message.applicationProperties?.[FIRST_DISPATCHED];
  if (typeof carried === "string") {
    const at = storedInstant(carried);
    return at !== null && at <= now ? at : null;
  }
  if (copiesOf(message) > 0) return null;
  if (message.deliveryCount <= 1) return now;
  const enqueued = message.enqueuedAt?.getTime();
  return enqueued !== undefined && Number.isFinite(enqueued) && enqueued <= now ? enqueued : null;
}

/** What a rescheduled copy carries of one receiver that has not heard the event yet. */
interface Pace {
  /** Not to be posted to before this (ms since the epoch): its Retry-After, busy-until or doubling pause. */
  notBefore: number | null;
  /** Posts of the event to this receiver so far: a bare 429's implied pause doubles with them. */
  posts: number;
  /**
   * Copies made for its own sake (its failures, pauses asked for, another
   * delivery posting to it), not those it sat out pausing: its doubling pause
   * doubles with them.
   */
  reschedules: number;
  /** What it last answered, for the dead letter should its pause reach the horizon. */
  why: string;
}

const count = (value: unknown): number | null => {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
};

function copiesOf(message: InboundMessage): number {
  return count(message.applicationProperties?.[RESCHEDULED] ?? 0) ?? 0;
}

/** The paces a copy carries, or null when it carries none that can be read. */
function carriedPaces(value: unknown): Map<string, Pace> | null {
  if (typeof value !== "string") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!isRecord(parsed)) return null;
  const paces = new Map<string, Pace>();
  for (const [name, pace] of Object.entries(parsed)) {
    if (!isRecord(pace)) continue;
    const notBefore = typeof pace.notBefore === "string" ? Date.parse(pace.notBefore) : Number.NaN;
    paces.set(name, {
      notBefore: Number.isNaN(notBefore) ? null : notBefore,
      posts: count(pace.posts) ?? 0,
      reschedules: count(pace.reschedules) ?? 0,
      why: typeof pace.why === "string" ? pace.why.slice(0, 300) : "",
    });
  }
  return paces;
}

/**
 * Each receiver's pace on this delivery. A copy made before erwatch kept
 * receivers apart has one count of posts for all of them (at least how often
 * it was rescheduled, when older still) and paused all of them until it came
 * due: each receiver is taken to have had them all.
 */
function pacesOf(message: InboundMessage): (receiver: string) => Pace {
  const properties = message.applicationProperties ?? {};
  const carried = carriedPaces(properties[RECEIVERS]);
  if (carried) return (receiver) => carried.get(receiver) ?? FRESH;
  const copies = copiesOf(message);
  const shared: Pace = {
    notBefore: null,
    posts: count(properties[POSTED]) ?? copies,
    reschedules: copies,
    why: "",
  };
  return () => shared;
}

const FRESH: Pace = { notBefore: null, posts: 0, reschedules: 0, why: "" };

/**
 * A copy comes due on the broker's clock and this instance's may run a
 * little behind it: the receiver the copy was made for is posted to, rather
 * than made to wait for one more copy a moment later.
 */
const CLOCK_SLACK_MS = 1_000;

/** A receiver the rescheduled copy is for, and when it may be posted to. */
export interface Waiter {
  receiver: string;
  notBefore: Date;
  /** Its reschedules, this one included when it is for its own sake. */
  reschedules: number;
  why: string;
}

export type Settle =
  | { settled: "complete" }
  | { settled: "dead-letter"; reason: string; description: string }
  | { settled: "rescheduled"; at: Date; reason: string; waiting: Waiter[] }
  | { settled: "abandon"; reason: string };

/** When retrying the event stops being worth it (ms): NaN when its time cannot be read. */
function horizonOf(
  occurred: number,
  /** When the dispatcher first had the event (ms); absent: the event's own time. */
  firstDispatchedAt: number | undefined,
  policy: Pick<RetryPolicy, "horizonMs">,
): number {
  return Math.max(occurred, firstDispatchedAt ?? occurred) + policy.horizonMs;
}

/**
 * How to settle, from what each receiver did. Pure: a permanent failure
 * dead-letters once no other receiver is still waiting for the event (failed
 * for now, busy in another delivery, or pausing); each waiting receiver is
 * due at its own time (the pause it asked for, the end of the other
 * delivery's claim, the rest of its pause, or else a doubling pause after the
 * last delivery) and the copy is rescheduled for the first of them, within
 * the horizon. Failures with no time at all go back to Service Bus until the
 * last delivery.
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
    /** How often the event was rescheduled for the receiver's own sake already. */
    reschedulesOf: (name: string) => number;
    /** When the dispatcher first had the event (ms); absent: the event's own time. */
    firstDispatchedAt?: number;
  },
  policy: RetryPolicy,
): Settle {
  const waiting = results.filter(
    (r): r is Waiting => r.kind === "busy" || r.kind === "pausing" || r.kind === "failed",
  );
  if (waiting.length === 0) return { settled: "complete" };
  // Failures first: the receivers that answered this delivery are the news.
  const description = [
    ...waiting.filter((r) => r.kind === "failed"),
    ...waiting.filter((r) => r.kind === "busy"),
    ...waiting.filter((r) => r.kind === "pausing"),
  ]
    .map((r) => describe(r, context.kindOf(r.receiver)))
    .join("; ");
  // A rejection is parked at once only when nobody else still waits for the
  // event: parking it while another receiver failed for now (or pauses) would
  // mean that receiver never hears it. The rejecting receiver is asked again
  // meanwhile; it refuses again, and nothing reached it twice.
  const rejected = waiting.some((r) => r.kind === "failed" && r.permanent);
  const reason = rejected ? "ReceiverRejected" : "ReceiverUnavailable";
  const pending = waiting.filter((r) => !(r.kind === "failed" && r.permanent));
  if (pending.length === 0) return { settled: "dead-letter", reason, description };
  const now = context.now.getTime();
  // A failure's Retry-After was never waited (post() returns on it), and
  // Service Bus would redeliver an abandoned message at once: the pause the
  // receiver asked for is kept by rescheduling.
  const asked = pending.map((r) => ({ r, at: dueBy(r, now) }));
  // Service Bus redelivers an abandoned message at once, so the deliveries
  // alone span seconds: a receiver down for a minute would cost the page.
  // After them, the pause keeps doubling in rescheduled copies up to the horizon.
  // A rescheduled copy had its burst of deliveries already: after one delivery
  // it waits for the next pause instead of hammering a receiver that is down.
  const burst = context.copies > 0 ? 1 : policy.maxDeliveries;
  if (asked.every((a) => a.at === null) && context.deliveryCount < burst)
    return { settled: "abandon", reason: description };
  // A receiver failing with no pause of its own gets its own doubling pause,
  // also when another asked for a long one: abandoned, the copy would forget
  // that other's pause, and rescheduled for it, a page would wait out a
  // Teams channel's 15 minutes.
  const due = asked.map(({ r, at }) => {
    const before = context.reschedulesOf(r.receiver);
    return {
      r,
      at: at ?? now + policy.maxWaitMs * 2 ** Math.min(before, 20),
      // A receiver sitting out its pause was counted when the pause began.
      reschedules: r.kind === "pausing" ? before : before + 1,
    };
  });
  const capped = now + policy.maxRescheduleMs;
  const first = Math.min(capped, ...due.map((d) => d.at));
  const occurred = Date.parse(context.event.occurredAt);
  // Without a time there is no horizon, and copies would be made forever.
  if (Number.isNaN(occurred))
    return {
      settled: "dead-letter",
      reason,
      description: `${description}; the event's time ${JSON.stringify(context.event.occurredAt.slice(0, 40))} cannot be read, so no retry horizon can be set`,
    };
  const horizon = horizonOf(occurred, context.firstDispatchedAt, policy);
  if (first > horizon && now >= horizon)
    return {
      settled: "dead-letter",
      reason,
      description: `${description}; retrying past ${new Date(horizon).toISOString()} is not worth it`,
    };
  // Pauses that double (or that a receiver asked for) rarely land on the
  // horizon itself: each is cut short to end there, so a receiver back
  // before it still hears the event, rather than it being parked up to 15
  // minutes early, while it could still be delivered.
  const end = Math.min(capped, horizon);
  return {
    settled: "rescheduled",
    at: new Date(Math.min(first, horizon)),
    reason: description,
    waiting: due.map(({ r, at, reschedules }) => ({
      receiver: r.receiver,
      notBefore: new Date(Math.min(at, end)),
      reschedules,
      why: whyOf(r),
    })),
  };
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
  /** How often this event was posted to this receiver in earlier deliveries. */
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
  /** The event's retry horizon (ms): no pause holds it past then. */
  horizon: number,
): Promise<ReceiverResult> {
  const receiver = deps.receivers.get(name);
  if (!receiver)
    throw new Error(
      `route names receiver "${name}" that was not built; configuration validation should have caught this`,
    );
  const { deliveries } = deps;
  const until = new Date(deps.now().getTime() + deps.retry.claimMs);
  // Nothing posted yet when the delivery log fails (the claim's or the lease's
  // write, the stale check's read): the claim is given back, or the redelivery
  // found its own dead claim "busy" and the page waited out the whole claim.
  let posted = false;
  async function giveBack(error: unknown, lease = false): Promise<never> {
    if (!posted)
      await Promise.all([
        deliveries
          .release(event.key, event.id, name, claimant)
          .catch((releaseError: unknown) =>
            log.warn(
              { err: releaseError, receiver: name, cause: String(error) },
              "could not give back the claim on an event nothing was posted for; it runs out by itself",
            ),
          ),
        // A lease taken with its answer lost, likewise: only this claimant's is released.
        lease ? letGo(deps, event.key, name, claimant, until, log) : undefined,
      ]);
    throw error;
  }
  // A claim whose write landed with its answer lost (the deadline fired on a
  // slow storage) is this delivery's too, posting nothing.
  const claim = await deliveries
    .claim(event.key, event.id, name, claimant, until)
    .catch((error: unknown) => giveBack(error));
  if (claim.kind === "delivered")
    return { receiver: name, kind: "skipped", why: "already delivered" };
  if (claim.kind === "busy") return { receiver: name, kind: "busy", until: claim.until };
  // One event of an alert in flight to a receiver at a time: an open and its
  // resolve posted at once may arrive in either order, and PagerDuty would
  // stay triggered. Taking the lease records this event's sequence as
  // attempted before anything is posted, in the lease's own write: a resolve
  // the receiver took while its record was lost (the one window) still makes
  // the open behind it stale. When it throws, nothing is posted.
  // A PagerDuty resolve may post the page the receiver never had first (the
  // event before it): the attempt is recorded at that event until the resolve
  // itself is posted, so a retry knows whether the page went before it.
  const page = receiver.kind === "pagerduty" ? latePageOf(event) : null;
  // A receiver the routes send only some actions to (opens and resolves, say)
  // missed the rest by design: it is sent no late update for them.
  const updates = page !== null && hearsEveryEvent(deps.routing, name, event);
  const held = await deliveries
    .lease(event.key, name, claimant, until, page?.sequence ?? event.sequence)
    .catch((error: unknown) => giveBack(error, true));
  if (held.kind !== "claimed") {
    await deliveries.release(event.key, event.id, name, claimant);
    // The other post usually ends long before its lease: look again within a minute or so.
    const soon = deps.now().getTime() + deps.retry.maxWaitMs;
    const ends = held.kind === "busy" ? held.until.getTime() : soon;
    return { receiver: name, kind: "busy", until: new Date(Math.min(ends, soon)) };
  }
  const watched: Receiver = {
    name: receiver.name,
    kind: receiver.kind,
    send: (e, options) => {
      posted = true;
      return receiver.send(e, options);
    },
  };
  let result: ReceiverResult | undefined;
  try {
    const waits = await pauseWindow(deps, event, page, receiver, held, updates, horizon);
    if (waits) {
      await deliveries.release(event.key, event.id, name, claimant);
      log.info(
        { receiver: name, until: waits.result.until.toISOString() },
        waits.late
          ? "not posted yet: the late page waits out the pause PagerDuty asked for"
          : "not posted yet: the receiver asked for a pause when it refused an earlier post of this alert",
      );
      return waits.result;
    }
    result = await postOnce(deps, watched, event, held.attempted, signal, log, earlier, {
      page,
      updates,
      claimant,
      until,
    });
    return result;
  } catch (error) {
    return await giveBack(error);
  } finally {
    await letGo(deps, event.key, name, claimant, until, log, refusedUntil(deps, result));
  }
}

/**
 * Until when the receiver asked to be left alone by refusing this delivery's
 * post (a 429's pause, implied or stated; any Retry-After), recorded with the
 * lease's release: the rescheduled copy keeps it for this event only, and
 * every other event of the alert to the receiver must keep it too.
 */
function refusedUntil(deps: DispatcherDeps, result: ReceiverResult | undefined): Date | undefined {
  if (result?.kind !== "failed") return undefined;
  const asked = Math.min(result.last.retryAfterMs ?? 0, deps.retry.maxRescheduleMs);
  return asked > 0 ? new Date(deps.now().getTime() + asked) : undefined;
}

/**
 * Any event of the alert due while the pause the receiver asked for on
 * refusing a post of it runs: it waits, rescheduled for the pause's end.
 * Posted now, it went inside the minute that refused the earlier one: PagerDuty
 * throttles per integration key, and an escalation 20 s behind a throttled
 * open was posted into the minute that refused the open. A PagerDuty resolve
 * due a late page waits with it, page and resolve together. Like every pause,
 * it is cut short at the event's retry horizon: the last try is posted, not
 * parked unposted. Null: nothing to wait for.
 */
async function pauseWindow(
  deps: DispatcherDeps,
  event: AlertEvent,
  page: AlertEvent | null,
  receiver: Receiver,
  held: { attempted: number; pausedUntil?: Date },
  updates: boolean,
  horizon: number,
): Promise<{ result: Extract<ReceiverResult, { kind: "pausing" }>; late: boolean } | null> {
  const now = deps.now().getTime();
  const paused = held.pausedUntil?.getTime();
  if (paused === undefined) return null;
  // A pause no refusal could have asked for (a hand edit) is held no longer than a copy waits.
  const end = Math.min(paused, now + deps.retry.maxRescheduleMs, horizon);
  if (!(end > now + CLOCK_SLACK_MS)) return null;
  const until = new Date(end);
  // The resolve posted before (its record lost): its page went with it.
  const missed =
    page && held.attempted < event.sequence
      ? missedOf(event, page, await deps.deliveries.lastSequence(event.key, receiver.name), updates)
      : null;
  const asked = `refused an earlier post of this alert and asked to be left alone until ${until.toISOString()}`;
  return {
    late: missed !== null,
    result: {
      receiver: receiver.name,
      kind: "pausing",
      until,
      why:
        missed === null
          ? `${receiver.kind === "pagerduty" ? "PagerDuty" : receiver.name} ${asked}; this ${event.action} goes then`
          : `PagerDuty ${asked}; the ${missed} it never had goes then, before the resolve`,
    },
  };
}

/** What a PagerDuty receiver that heard up to `heard` lacks of the resolve's episode, or null. */
function missedOf(
  resolve: AlertEvent,
  page: AlertEvent,
  heard: number,
  updates: boolean,
): "page" | "update" | null {
  if (heard < episodeStart(resolve)) return "page";
  return updates && heard < page.sequence ? "update" : null;
}

/**
 * Releases a posting lease, asking twice. A release that fails is logged,
 * never thrown: thrown from `finally` it replaced what the post had done (a
 * page delivered and recorded counted as a storage failure, given back and
 * taken again), and the lease it could not release runs out by itself at
 * `until`, the next event of the alert at that receiver rescheduled till then.
 * Releasing is idempotent (only the claimant's own lease is released).
 */
async function letGo(
  deps: DispatcherDeps,
  key: string,
  name: string,
  claimant: string,
  until: Date,
  log: Logger,
  /** The pause the receiver asked for by refusing the post, kept on the lease for other events. */
  pausedUntil?: Date,
): Promise<void> {
  try {
    await deps.deliveries.unlease(key, name, claimant, pausedUntil);
  } catch {
    await deps.deliveries
      .unlease(key, name, claimant, pausedUntil)
      .catch((error: unknown) =>
        log.warn(
          { err: error, receiver: name, leaseUntil: until.toISOString() },
          "could not release the posting lease; it runs out by itself, and the alert's next event for this receiver waits till then",
        ),
      );
  }
}

/**
 * A PagerDuty receiver with no record of hearing any event of the resolve's
 * episode is sent the page first (core/late-page.ts): PagerDuty ignores a
 * resolve for an incident it never had, so a page whose delivery storage
 * gave up on, or that the resolve overtook, was lost without a trace. One
 * that heard the episode but not the event just before the resolve (an
 * escalation to Sev0 given up the same ways) is sent that event first, as the
 * late update: every trigger carries the grade and title then told, and the
 * incident otherwise closed as it last stood, the Sev0 in nobody's record. Under
 * the resolve's lease, so nothing else of the alert is posted there between
 * them. The page is recorded as that event's delivery once taken, so neither
 * a retry of the resolve nor the event's own delivery coming late pages it
 * again; the record lost, it is posted once more, before the resolve (the
 * one window). The resolve's own attempt is recorded only once the page went:
 * a retry after it skips the page, one before it (the page refused, storage
 * failing) sends it. Teams' resolve card and the webhook's Resolved say what
 * it was, since when and for how long: they go alone.
 */
function withLatePage(
  deps: DispatcherDeps,
  receiver: Receiver,
  resolve: AlertEvent,
  page: AlertEvent,
  at: {
    /** The highest sequence the receiver had heard, as the last stale check read it. */
    heard: () => number;
    /** Whether the routes send it every event of the alert: then a missed update is sent too. */
    updates: boolean;
    attemptedBefore: number;
    claimant: string;
    until: Date;
    log: Logger;
  },
): Receiver {
  const { log } = at;
  // The resolve was posted before (its record lost): so was its page.
  let pending = at.attemptedBefore < resolve.sequence;
  let recorded = false;
  let note: string | null = null;
  const failure = (reason: string): SendOutcome => ({
    ok: false,
    retryable: true,
    status: null,
    retryAfterMs: null,
    reason,
  });
  return {
    name: receiver.name,
    kind: receiver.kind,
    send: async (event, options) => {
      const heard = at.heard();
      const missed = missedOf(resolve, page, heard, at.updates);
      if (pending && missed !== null) {
        const late = latePageOf(resolve, missed) ?? page;
        const outcome = await sendOrFailure(receiver, late, options.abortSignal, log);
        if (!outcome.ok) return outcome;
        pending = false;
        note = `sent the ${missed} it had no record of first (event ${page.sequence}, late)`;
        log.warn(
          { receiver: receiver.name, status: outcome.status, sequence: page.sequence, heard },
          `sent PagerDuty the ${missed} it never had, before its resolve: late, not lost`,
        );
        await deps.deliveries
          .delivered(resolve.key, page.id, receiver.name, page.sequence, {
            status: outcome.status,
            at: deps.now().toISOString(),
            attempts: 1,
          })
          .catch((error: unknown) =>
            log.warn(
              { err: error, receiver: receiver.name },
              "could not record the late page; a retry of the resolve sends it again, before the resolve",
            ),
          );
      }
      pending = false;
      if (!recorded) {
        // Before the resolve is posted, as every attempt is recorded.
        const held = await deps.deliveries
          .lease(resolve.key, receiver.name, at.claimant, at.until, resolve.sequence)
          .catch((error: unknown) => error);
        if (!isClaimed(held)) {
          const kind = held instanceof Error ? held.name : "the lease was taken meanwhile";
          return failure(`delivery could not be claimed or recorded: ${kind}`);
        }
        recorded = true;
      }
      const outcome = await receiver.send(event, options);
      return outcome.ok && note
        ? { ...outcome, note: outcome.note ? `${note}; ${outcome.note}` : note }
        : outcome;
    },
  };
}

/** Whether the routes send the receiver every event of the resolve's episode, whatever its action. */
function hearsEveryEvent(routing: Routing, name: string, resolve: AlertEvent): boolean {
  return (["escalate", "deescalate", "repeat"] as const).every((action) =>
    route(routing, { ...resolve, action }).receivers.includes(name),
  );
}

const isClaimed = (held: unknown): boolean =>
  isRecord(held) && (held as { kind?: unknown }).kind === "claimed";

/** Posts the claimed event unless it went stale, and records what happened. */
async function postOnce(
  deps: DispatcherDeps,
  receiver: Receiver,
  event: AlertEvent,
  /** The highest sequence attempted before this delivery's lease (read in taking it). */
  attemptedBefore: number,
  signal: AbortSignal,
  log: Logger,
  earlier: number,
  /** A PagerDuty resolve's late page (its lease taken at the page's sequence), and the lease. */
  lease: { page: AlertEvent | null; updates: boolean; claimant: string; until: Date },
): Promise<ReceiverResult> {
  const { deliveries } = deps;
  const name = receiver.name;
  let retry = false;
  /** The highest sequence of the alert the receiver had heard, as the last stale check read it. */
  let heard = 0;
  const stale = async () => {
    // The first attempt has what taking the lease read; nobody else can raise
    // it while the lease lives. A retry reads it again, at the same time as
    // the heard sequence: a stalled delivery may have outlived its lease.
    const [last, sent] = await Promise.all([
      deliveries.lastSequence(event.key, name),
      retry ? deliveries.attempted(event.key, name) : attemptedBefore,
    ]);
    retry = true;
    heard = last;
    // A webhook names each episode apart (its alertId): a resolve closes its own
    // ticket, whatever the next episode's open did since (anything after a
    // resolve is a later episode). Dropped as stale behind it, the first
    // episode's ITSM ticket stayed Fired for good. Heard itself, it is stale.
    if (receiver.kind === "webhook" && event.action === "resolve")
      return last === event.sequence
        ? `stale: ${name} already heard this resolve (event ${last}), or it closed the alert there unsent`
        : null;
    if (last >= event.sequence)
      return `stale: ${name} already heard event ${last} of this alert, later than ${event.sequence} (${event.action}), or that event was a resolve not routed there that closed the alert for it`;
    // Strictly later: this event's own earlier attempts do not make it stale.
    // Taken by the receiver or not (its answer or record lost, still being
    // retried, or rejected and parked), the later event supersedes this one.
    if (sent > event.sequence)
      return `stale: ${name} was already sent event ${sent} of this alert, later than ${event.sequence} (${event.action}); taken or not, that event supersedes this one`;
    return null;
  };
  const sender = lease.page
    ? withLatePage(deps, receiver, event, lease.page, {
        heard: () => heard,
        updates: lease.updates,
        attemptedBefore,
        claimant: lease.claimant,
        until: lease.until,
        log,
      })
    : receiver;
  const result = await post(deps, sender, event, signal, log, stale, earlier);
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
    await deliveries.release(event.key, event.id, name, lease.claimant);
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
      const copies = copiesOf(message) + 1;
      const paceOf = pacesOf(message);
      // A delivery that waited out its pauses posted more than once, and a
      // receiver's next implied pause doubles on all its posts.
      const postedNow = new Map(results.map((r) => [r.receiver, "attempts" in r ? r.attempts : 0]));
      const paces = Object.fromEntries(
        decision.waiting.map((w) => {
          const before = paceOf(w.receiver);
          return [
            w.receiver,
            {
              notBefore: w.notBefore.toISOString(),
              posts: before.posts + (postedNow.get(w.receiver) ?? 0),
              reschedules: w.reschedules,
              why: w.why,
            },
          ];
        }),
      );
      // An older copy's shared count would only mislead whoever reads this one.
      const properties = { ...message.applicationProperties };
      delete properties[POSTED];
      await settlement.reschedule(
        {
          messageId: `${event.id}~r${copies}`,
          body: message.body,
          // The host's metadata may not carry it: the event's action is what was published as it.
          subject: message.subject ?? event.action,
          contentType: message.contentType,
          applicationProperties: {
            ...properties,
            [RESCHEDULED]: copies,
            [RECEIVERS]: JSON.stringify(paces),
            [FIRST_DISPATCHED]: new Date(
              firstDispatchedOf(message, deps.now().getTime()) ??
                Math.min(Date.parse(event.occurredAt) || Infinity, deps.now().getTime()),
            ).toISOString(),
          },
          at: decision.at,
        },
        decision.reason,
      );
      log.warn(
        {
          at: decision.at.toISOString(),
          reason: decision.reason,
          receivers: Object.fromEntries(
            decision.waiting.map((w) => [w.receiver, w.notBefore.toISOString()]),
          ),
        },
        "a receiver has not heard the alert event yet; it is rescheduled",
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
      // This resolve's own sequence attempted there, nothing of the episode heard:
      // only closing the alert for an unrouted receiver takes that lease (its
      // record then lost to a storage blip), which must not make it told.
      if (heard >= opened || (sent >= opened && sent !== event.sequence)) told.push(name);
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

/**
 * A resolve closes its alert for the receivers it is not sent to: under each
 * one's posting lease (so no post of the alert to it is under way) it is
 * recorded as had, unsent, so an event of the episode not yet posted there
 * (an open queued behind its resolve: Service Bus keeps no order, and the
 * Functions host dispatches one queue's messages side by side) is stale when
 * it comes. Posted, that open would leave PagerDuty triggered for an alert
 * that is over, its resolve settled without it. `late`: receivers an event
 * of the episode reached or is reaching since `toldOf` read them (the lease
 * was busy, or recorded a post since): the resolve goes there too. `unread`:
 * those whose record could not be read or written, who may have been paged.
 */
async function closeForOthers(
  deps: DispatcherDeps,
  event: AlertEvent,
  routed: readonly string[],
  claimant: string,
  log: Logger,
  turn: Turn,
): Promise<{ late: string[]; unread: { receiver: string; error: unknown }[] }> {
  const late: string[] = [];
  const unread: { receiver: string; error: unknown }[] = [];
  const opened = episodeStart(event);
  const until = new Date(deps.now().getTime() + deps.retry.claimMs);
  const others = [...deps.receivers.keys()].filter((name) => !routed.includes(name));
  await Promise.all(
    others.map(async (name) => {
      // Behind an earlier event of the alert still posting there in this process.
      await turn.wait(name);
      try {
        const held = await deps.deliveries.lease(event.key, name, claimant, until, event.sequence);
        if (held.kind === "busy") {
          late.push(name);
          return;
        }
        try {
          // Attempted at this resolve's own sequence: an earlier closing of it
          // (its record lost), not an event of the episode sent there.
          if (held.attempted >= opened && held.attempted !== event.sequence) late.push(name);
          // Recorded as had, as a stale event is: an earlier event of the
          // episode is then stale, and a copy of this resolve (toldOf finds
          // the receiver now) skips it rather than telling a receiver that
          // never heard of the alert that it is over.
          else
            await deps.deliveries.delivered(event.key, event.id, name, event.sequence, {
              status: 0,
              at: deps.now().toISOString(),
              attempts: 0,
              skipped: `not routed: the alert resolved before ${name} was sent any of it`,
            });
        } finally {
          await letGo(deps, event.key, name, claimant, until, log);
        }
      } catch (error) {
        log.warn(
          { err: error, receiver: name },
          "could not close the alert for a receiver the resolve is not routed to",
        );
        unread.push({ receiver: name, error });
      }
    }),
  );
  return { late, unread };
}

/** A receiver not posted to this delivery for a reason of erwatch's own: retryable, given back. */
function notPosted(receiver: string, reason: string): ReceiverResult {
  return {
    receiver,
    kind: "failed",
    permanent: false,
    attempts: 0,
    last: { ok: false, retryable: true, status: null, retryAfterMs: null, reason },
  };
}

/** The dispatcher is stopping. */
const stopping = (receiver: string) =>
  notPosted(receiver, "not posted: erwatch dispatch was stopping");

/** Its delivery log failed: like a receiver that did not answer. */
function storageFailure(receiver: string, error: unknown): ReceiverResult {
  const kind = error instanceof Error ? error.name : typeof error;
  return notPosted(receiver, `delivery could not be claimed or recorded: ${kind}`);
}

export function createDispatcher(deps: DispatcherDeps) {
  const newId = deps.newId ?? randomUUID;
  const turns = new ReceiverTurns();

  async function dispatch(
    message: InboundMessage,
    settlement: Settlement,
    signal: AbortSignal,
    /**
     * Keeps this process's events of an alert in the order of these calls at
     * each receiver (`erwatch dispatch`). The Functions host does not: each
     * invocation has its own budget, and the delivery log's lease keeps one
     * event at a time at a receiver.
     */
    ordered = false,
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
    // Taken before anything is awaited: the order of the calls is the order taken from Service Bus.
    const turn = ordered ? turns.take(event.key, deps.receivers.keys()) : NO_TURN;
    try {
      return await dispatchEvent(message, event, settlement, signal, log, turn);
    } finally {
      turn.doneAll();
    }
  }

  async function dispatchEvent(
    message: InboundMessage,
    event: AlertEvent,
    settlement: Settlement,
    signal: AbortSignal,
    log: Logger,
    turn: Turn,
  ): Promise<DispatchOutcome> {
    const eventLog = log.child({
      key: event.key,
      action: event.action,
      severity: event.severity,
      circuitId: event.circuit.id,
    });
    const audience =
      event.action === "resolve" ? await toldOf(deps, event, eventLog) : { told: [], unread: [] };
    const claimant = newId();
    const told = withResolveAudience(route(deps.routing, event), event, audience.told);
    const unreadNames = audience.unread.map((u) => u.receiver);
    // After toldOf's reads, so an open whose post began since is seen (late).
    const closed =
      event.action === "resolve"
        ? await closeForOthers(
            deps,
            event,
            [...told.receivers, ...unreadNames],
            claimant,
            eventLog,
            turn,
          )
        : { late: [], unread: [] };
    const routed = withResolveAudience(told, event, closed.late);
    for (const name of deps.receivers.keys()) if (!routed.receivers.includes(name)) turn.done(name);
    if (routed.receivers.length === 0)
      eventLog.info(
        { peakSeverity: event.peakSeverity },
        "no route matches this event; nothing to deliver",
      );
    // Settled, not all: one receiver's storage error must neither cut the
    // others short nor escape as a throw. A throw is only ever abandoned, and
    // Service Bus would dead-letter at its own count, without erwatch's reason.
    const copies = copiesOf(message);
    const paceOf = pacesOf(message);
    const now = deps.now().getTime();
    const first = firstDispatchedOf(message, now);
    const firstDispatched = first === null ? {} : { firstDispatchedAt: first };
    // Unreadable, the event is parked whatever its receivers do: no pause is kept for it.
    const horizon = horizonOf(Date.parse(event.occurredAt), first ?? undefined, deps.retry) || 0;
    const settled = await Promise.allSettled(
      routed.receivers.map(async (name): Promise<ReceiverResult> => {
        const { notBefore, posts, why } = paceOf(name);
        // Not even claimed: the pause is the receiver's, whatever the others do.
        if (notBefore !== null && notBefore > now + CLOCK_SLACK_MS) {
          const until = new Date(notBefore);
          eventLog.info(
            { receiver: name, until: until.toISOString() },
            "not posted yet: the receiver's pause is not over",
          );
          turn.done(name);
          return { receiver: name, kind: "pausing", until, why };
        }
        try {
          await turn.wait(name);
          // Ctrl-C while an earlier event of the alert posted there: not begun, given back.
          if (signal.aborted) return stopping(name);
          return await toReceiver(deps, name, event, claimant, signal, eventLog, posts, horizon);
        } finally {
          turn.done(name);
        }
      }),
    );
    const results = settled.map((r, i): ReceiverResult => {
      if (r.status === "fulfilled") return r.value;
      const receiver = routed.receivers[i] ?? "unknown";
      eventLog.error({ err: r.reason, receiver }, "delivery failed before an answer was recorded");
      return storageFailure(receiver, r.reason);
    });
    // A receiver that may have heard the alert, outside the resolve's routes:
    // not knowing is a failure for now, never a reason to leave it out.
    for (const { receiver, error } of [...audience.unread, ...closed.unread])
      if (!routed.receivers.includes(receiver)) results.push(storageFailure(receiver, error));
    const decision = settleFor(
      results,
      {
        event,
        deliveryCount: message.deliveryCount,
        copies,
        now: deps.now(),
        kindOf: (name) => deps.receivers.get(name)?.kind ?? "unknown",
        reschedulesOf: (name) => paceOf(name).reschedules,
        ...firstDispatched,
      },
      deps.retry,
    );
    return settle(deps, decision, message, event, settlement, results, eventLog);
  }

  return { dispatch };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
