// The model and judge of the delivery soak (delivery.soak.test.ts): a random
// schedule of hostile receivers (throttling with Retry-After in seconds and as
// an HTTP-date, 500 / 503, answers slower than RECEIVER_TIMEOUT_MS, dropped
// sockets, 400 rejections), what each receiver answers at a simulated minute,
// and the judge that holds what each receiver was posted against what the
// broker accepted and the README ("Delivery", "Guarantees") promises.

import fc from "fast-check";
import { buildTeamsMessage } from "../../src/adapters/receivers/teams/payload.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Severity } from "../../src/core/model.js";
import type { ScriptedResponse } from "../support/recording-receiver.js";

/** Short, so a run sees events given up and receivers back just in time, in few sweeps. */
export const HORIZON_MIN = 30;
/**
 * erwatch's default. A receiver in "timeout" trouble is given up as soon as
 * it has the post (RecordingReceiver.deadline), so no run waits this out: it
 * is a backstop that a healthy receiver, answering at once on loopback, never
 * comes near. At 300 ms it ran out on healthy ones on a loaded machine, and a
 * post they had taken was posted again: "taken twice".
 */
export const RECEIVER_TIMEOUT_MS = 10_000;
/** DISPATCH_RETRY_MAX_WAIT_MS (default): the longest wait inside one delivery. */
export const MAX_WAIT_MS = 60_000;
/** A rescheduled copy is enqueued at most this far ahead (README). */
export const MAX_PAUSE_MIN = 15;

export const RECEIVERS = ["pagerduty", "teams", "itsm"] as const;
export type ReceiverName = (typeof RECEIVERS)[number];
export const KIND_OF: Record<ReceiverName, string> = {
  pagerduty: "pagerduty",
  teams: "teams",
  itsm: "webhook",
};

/** The world's "page-at-sev2" routing by the episode's peak: PagerDuty and Teams Sev2 and worse, the webhook Sev3 and worse. */
const ROUTED: Record<ReceiverName, readonly Severity[]> = {
  pagerduty: ["Sev0", "Sev1", "Sev2"],
  teams: ["Sev0", "Sev1", "Sev2"],
  itsm: ["Sev0", "Sev1", "Sev2", "Sev3"],
};
export const routedTo = (e: AlertEvent, r: ReceiverName) => ROUTED[r].includes(e.peakSeverity);

export const MODES = [
  "429-seconds",
  "429-date",
  // PagerDuty's Events API: throttled, and not a word of how long.
  "429-bare",
  "500",
  "503",
  "timeout",
  "drop",
  "400",
] as const;
export type Mode = (typeof MODES)[number];

/** One receiver misbehaving one way for a span of simulated minutes. */
export interface Trouble {
  receiver: ReceiverName;
  mode: Mode;
  /** Minutes after T0. */
  from: number;
  minutes: number;
  /** Retry-After of a 429 (as seconds, or as a date that far ahead; none for 429-bare). */
  retryAfterS: number;
}

/**
 * README "Delivery": a 429 without Retry-After is a pause of at least a
 * minute; the receiver is not posted to again within the minute that refused
 * it. The judge's own figure, not the code's, so a change there is caught.
 */
const BARE_429_PAUSE_S = 60;

/** How long a 429 asks erwatch to wait at least: its Retry-After, or what a bare one implies. */
export const pauseS = (t: Trouble): number =>
  t.mode === "429-bare" ? BARE_429_PAUSE_S : t.retryAfterS;

const span = (mode: fc.Arbitrary<Mode>, minutes: fc.Arbitrary<number>) =>
  fc.record({
    receiver: fc.constantFrom(...RECEIVERS),
    mode,
    from: fc.integer({ min: 0, max: 60 }),
    minutes,
    // Every one at least 45 s: a 5 s Retry-After for forty minutes is 500 copies of each event.
    retryAfterS: fc.constantFrom(45, 90, 300, 1_200),
  });
/** Short spans, or long enough to reach past the horizon or to end just inside it. */
const someMinutes = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 12 }) },
  { weight: 2, arbitrary: fc.integer({ min: 15, max: 40 }) },
);
/** Each way of misbehaving once, at some receiver, while alerts come and go: every run sees them all. */
export const everyTroubleArb: fc.Arbitrary<Trouble[]> = fc.tuple(
  ...MODES.map((mode) =>
    span(
      fc.constant(mode),
      mode === "timeout" || mode === "drop" ? fc.integer({ min: 2, max: 6 }) : someMinutes,
      // From a sweep's minute, when events are posted, for at least a sweep's interval.
    ).map((t) => ({ ...t, from: 5 * (1 + (t.from % 11)), minutes: Math.max(5, t.minutes) })),
  ),
);
export const troubleArb: fc.Arbitrary<Trouble> = fc.oneof(
  {
    weight: 3,
    arbitrary: span(fc.constantFrom<Mode>("429-seconds", "429-date", "429-bare"), someMinutes),
  },
  { weight: 3, arbitrary: span(fc.constantFrom<Mode>("500", "503"), someMinutes) },
  { weight: 1, arbitrary: span(fc.constant<Mode>("400"), someMinutes) },
  // Short spans, from when each slow attempt waited RECEIVER_TIMEOUT_MS out: kept, so the seeds draw the plans they did.
  {
    weight: 2,
    arbitrary: span(fc.constantFrom<Mode>("timeout", "drop"), fc.integer({ min: 1, max: 6 })),
  },
);

/** What the receiver does at `minute` (the last span that covers it), or null when healthy. */
export function troubleAt(
  troubles: readonly Trouble[],
  r: ReceiverName,
  minute: number,
): Trouble | null {
  let found: Trouble | null = null;
  for (const t of troubles)
    if (t.receiver === r && minute >= t.from && minute < t.from + t.minutes) found = t;
  return found;
}

/** When the receiver is healthy from on, for good (0 when it never misbehaves). */
export function recoveredAt(troubles: readonly Trouble[], r: ReceiverName): number {
  return Math.max(0, ...troubles.filter((t) => t.receiver === r).map((t) => t.from + t.minutes));
}

/** How a receiver in trouble answers, at the world's clock (a Retry-After date is relative to it). */
export function answerFor(t: Trouble, nowMs: number): ScriptedResponse {
  switch (t.mode) {
    case "429-seconds":
      return { status: 429, retryAfter: String(t.retryAfterS) };
    case "429-date":
      return { status: 429, retryAfter: new Date(nowMs + t.retryAfterS * 1000).toUTCString() };
    case "429-bare":
      return { status: 429 };
    case "500":
      return { status: 500, body: JSON.stringify({ error: "internal error" }) };
    case "503":
      return { status: 503, body: "Service Unavailable" };
    case "timeout":
      // It takes the post in the end: a slow receiver, not a dead one.
      return { status: 202, delayMs: RECEIVER_TIMEOUT_MS * 3 };
    case "drop":
      return { destroySocket: true };
    case "400":
      return {
        status: 400,
        body: JSON.stringify({ status: "invalid event", message: "Event object is invalid" }),
      };
  }
}

/** One post a receiver saw, at a simulated minute. */
export interface Post {
  minute: number;
  /** What the receiver answered; undefined when erwatch gave up first (timeout) or the socket was dropped. */
  status: number | undefined;
  body: unknown;
  /** The trouble it answered under (null: healthy). */
  trouble: Trouble | null;
}

export interface Published {
  event: AlertEvent;
  /** Minute the broker first accepted it. */
  minute: number;
}

export interface Parked {
  minute: number;
  event: AlertEvent;
  reason: string;
  description: string;
}

const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;
const at = (minute: number) => `+${minute.toFixed(2).replace(/\.00$/, "")} min`;

interface WebhookBody {
  data?: { alertContext?: { eventId?: string } };
}
interface PdBody {
  event_action?: string;
  dedup_key?: string;
  payload?: { custom_details?: { sequence?: number } };
}

/**
 * What the storage soak (delivery-storage.soak.test.ts) tells the judge of
 * the Deliveries table's faults; the delivery soak passes none, and nothing
 * is relaxed. Post indices are positions in the receiver's `posts`.
 */
export interface StorageRelief {
  /**
   * README "The one window": may post `index` of `e` to `r`, answered 2xx,
   * be a second one after the 2xx at `earlier`? Only when no record of the
   * delivery was written between them and storage failed for the event meanwhile.
   */
  window(r: ReceiverName, e: AlertEvent, earlier: number, index: number): boolean;
  /** Did storage fail for `e` (its alert's partition) in the drains at `minute`? */
  failedFor(e: AlertEvent, minute: number): boolean;
  /** Did storage fail for `e` at all in the run? */
  everFailedFor(e: AlertEvent): boolean;
}

/** The reason a dead letter gives for a receiver whose delivery log failed (dispatcher.ts). */
export const STORAGE_FAILURE = "delivery could not be claimed or recorded";

/** The judge of one run. */
export class DeliveryJudge {
  readonly violations: string[] = [];
  private readonly byId = new Map<string, Published>();
  private readonly teamsCards = new Map<string, AlertEvent[]>();

  constructor(
    private readonly published: readonly Published[],
    private readonly posts: Record<ReceiverName, readonly Post[]>,
    private readonly parked: readonly Parked[],
    private readonly troubles: readonly Trouble[],
    private readonly t0: number,
    cardOptions: Parameters<typeof buildTeamsMessage>[1],
    private readonly storage: StorageRelief | null = null,
  ) {
    for (const p of published) {
      this.byId.set(p.event.id, p);
      const card = JSON.stringify(buildTeamsMessage(p.event, cardOptions));
      this.teamsCards.set(card, [...(this.teamsCards.get(card) ?? []), p.event]);
    }
  }

  /** Which events a post can be (a PagerDuty resolve names only its key: each resolve of the key). */
  private candidates(r: ReceiverName, body: unknown): AlertEvent[] {
    const one = (id: string | undefined) => {
      const found = id === undefined ? undefined : this.byId.get(id);
      return found ? [found.event] : [];
    };
    switch (r) {
      case "itsm":
        return one((body as WebhookBody).data?.alertContext?.eventId);
      case "pagerduty": {
        const pd = body as PdBody;
        if (pd.event_action === "resolve")
          return this.published
            .map((p) => p.event)
            .filter((e) => e.key === pd.dedup_key && e.action === "resolve")
            .sort((a, b) => a.sequence - b.sequence);
        return one(`${pd.dedup_key}-${pd.payload?.custom_details?.sequence}`);
      }
      case "teams":
        return this.teamsCards.get(JSON.stringify(body)) ?? [];
    }
  }

  /**
   * Each post with the event it was: a PagerDuty resolve (which names only its
   * key) is the earliest of its key's resolves published by then and not yet
   * taken, else the latest published by then (taken again: the one window);
   * never one published after it, nor one older than an event of the key
   * already posted when a later resolve fits (the same bytes: an older resolve
   * is dropped as stale once a later event was sent).
   */
  private assigned(
    r: ReceiverName,
  ): { post: Post; event: AlertEvent | undefined; index: number }[] {
    const taken = new Set<string>();
    /** Key → the highest sequence posted so far, whatever the answer. */
    const sent = new Map<string, number>();
    return this.posts[r].map((post, index) => {
      const all = this.candidates(r, post.body);
      const published = all.filter((c) => this.byId.get(c.id)!.minute <= post.minute);
      const some = published.length > 0 ? published : all;
      const fresh = some.filter((c) => c.sequence >= (sent.get(c.key) ?? 0));
      const cands = fresh.length > 0 ? fresh : some;
      const event = cands.find((c) => !taken.has(c.id)) ?? cands.at(-1);
      if (event && ok(post.status)) taken.add(event.id);
      if (event) sent.set(event.key, Math.max(sent.get(event.key) ?? 0, event.sequence));
      return { post, event, index };
    });
  }

  judge(): void {
    for (const r of RECEIVERS) this.judgeReceiver(r);
  }

  private judgeReceiver(r: ReceiverName): void {
    const fail = (what: string) => this.violations.push(`${r}: ${what}`);
    /** Event id → the minute it was answered 2xx (the first time), and which post that was. */
    const heard = new Map<string, number>();
    const heardAt = new Map<string, number>();
    /** Key → highest sequence answered 2xx, and when. */
    const newest = new Map<string, { sequence: number; minute: number }>();
    /** Every post's alert and sequence, and when, whatever the answer (none, a failure). */
    const sentAt: { key: string; sequence: number; minute: number }[] = [];
    /** Event id → its posts to this receiver. */
    const postsOf = new Map<string, Post[]>();
    for (const { post, event: e, index } of this.assigned(r)) {
      if (!e) {
        fail(
          `${at(post.minute)}: a post that is no published event: ${JSON.stringify(post.body).slice(0, 200)}`,
        );
        continue;
      }
      postsOf.set(e.id, [...(postsOf.get(e.id) ?? []), post]);
      const since = this.byId.get(e.id)!.minute;
      if (post.minute < since) fail(`${at(post.minute)}: ${e.id} posted before it was published`);
      if (!routedTo(e, r))
        fail(`${at(post.minute)}: ${e.id} (peak ${e.peakSeverity}) is not routed here`);
      // README: never stale, never out of order: checked before every attempt.
      // A second post of the newest event it took is the one window's (below).
      const later = newest.get(e.key);
      const before = heardAt.get(e.id);
      const again =
        before !== undefined &&
        later?.sequence === e.sequence &&
        (this.storage?.window(r, e, before, index) ?? false);
      const afterTaken = later !== undefined && later.sequence >= e.sequence && !again;
      if (afterTaken)
        fail(
          `${at(post.minute)}: posted ${e.id} (${e.action}) after event ${later.sequence} of the alert was taken at ${at(later.minute)}`,
        );
      // Nor after a later event was sent, taken or not (its answer or its
      // record lost, still being retried, rejected): the one window does not
      // put an older event after a newer one either.
      const laterSent = sentAt.find((p) => p.key === e.key && p.sequence > e.sequence);
      if (!afterTaken && laterSent)
        fail(
          `${at(post.minute)}: posted ${e.id} (${e.action}) after event ${laterSent.sequence} of the alert was posted at ${at(laterSent.minute)}`,
        );
      sentAt.push({ key: e.key, sequence: e.sequence, minute: post.minute });
      if (!ok(post.status)) continue;
      // README: delivered at most once per receiver, but for the one window
      // (answered 2xx, record not written), which only the storage soak causes.
      if (before !== undefined && !(this.storage?.window(r, e, before, index) ?? false))
        fail(`${at(post.minute)}: ${e.id} taken twice (first at ${at(heard.get(e.id)!)})`);
      if (before === undefined) heard.set(e.id, post.minute);
      heardAt.set(e.id, index);
      if (!later || later.sequence < e.sequence)
        newest.set(e.key, { sequence: e.sequence, minute: post.minute });
    }

    // Throttled without a word of how long: not posted again within that minute.
    for (const [id, posts] of postsOf)
      posts.forEach((p, i) => {
        const next = posts[i + 1];
        if (
          next &&
          p.status === 429 &&
          p.trouble?.mode === "429-bare" &&
          next.minute - p.minute < BARE_429_PAUSE_S / 60 - 1e-9
        )
          fail(
            `${id} posted again at ${at(next.minute)}, within the minute its 429 without Retry-After at ${at(p.minute)} asked to be left alone`,
          );
      });
    const recovered = recoveredAt(this.troubles, r);
    for (const { event: e, minute: published } of this.published) {
      if (!routedTo(e, r)) continue;
      const got = heard.get(e.id);
      // Dropped as stale (README): a later event of the alert was sent here,
      // taken or not, or (storage failing) parked naming this receiver: its
      // attempt may have been recorded although its post never went out.
      const supersededAt = Math.min(
        ...sentAt.filter((p) => p.key === e.key && p.sequence > e.sequence).map((p) => p.minute),
        ...this.parked
          .filter(
            (p) =>
              p.event.key === e.key &&
              p.event.sequence > e.sequence &&
              p.description.includes(`receiver ${r} (${KIND_OF[r]})`) &&
              (this.storage?.everFailedFor(p.event) ?? false),
          )
          .map((p) => p.minute),
      );
      const dropped = got === undefined && supersededAt < Infinity;
      // One receiver's (or one event's) trouble never delays another: healthy
      // when the event was published, this receiver has it in that very drain.
      const firstPost = postsOf.get(e.id)?.[0];
      // Its own storage failing in that drain excuses it: another event's never does.
      if (
        troubleAt(this.troubles, r, published) === null &&
        got !== published &&
        !(this.storage?.failedFor(e, published) ?? false) &&
        !(dropped && supersededAt <= published)
      )
        fail(
          `${e.id} (${e.action}) published at ${at(published)} while ${r} was healthy, but ${got === undefined ? "never taken" : `taken only at ${at(got)}`}${firstPost ? ` (first post ${at(firstPost.minute)}, answered ${firstPost.status ?? "nothing"})` : " (never posted)"}`,
        );
      if (got !== undefined || dropped) continue;
      // Not delivered: only visibly, in the parking queue, naming this receiver.
      const parked = this.parked.find(
        (p) => p.event.id === e.id && p.description.includes(`receiver ${r} (${KIND_OF[r]})`),
      );
      if (!parked) {
        fail(
          `${e.id} (${e.action}, published ${at(published)}) never reached ${r} and was not dead-lettered naming it`,
        );
        continue;
      }
      const tried = postsOf.get(e.id) ?? [];
      const last = tried.at(-1);
      const status = last?.status === undefined ? "no response" : String(last.status);
      // A delivery log that cannot be read or written counts as a failure of
      // the receiver (README "Delivery"): its last try may have been that.
      const forStorage =
        parked.description.includes(
          `receiver ${r} (${KIND_OF[r]}) failed after 0 attempts: no response: ${STORAGE_FAILURE}`,
        ) &&
        (this.storage?.everFailedFor(e) ?? false);
      if (!parked.description.includes(status) && !forStorage)
        fail(`${e.id} parked without ${r}'s last status (${status}): ${parked.description}`);
      if (last?.status === 400) {
        if (parked.reason !== "ReceiverRejected")
          fail(`${e.id} parked as ${parked.reason} although ${r} rejected it (400)`);
        continue;
      }
      // Given up for a receiver still failing, or asking to be left alone,
      // past the horizon: never when it was back for good before the horizon
      // and had not asked for a pause reaching past it.
      const horizonAt = this.minuteOf(Date.parse(e.occurredAt) + HORIZON_MIN * 60_000);
      // A receiver failing for now is parked only at the horizon, never before
      // it (a pause reaching past it is cut short to end there).
      if (last !== undefined && !forStorage && parked.minute < horizonAt - 1e-9)
        fail(
          `${e.id} dead-lettered at ${at(parked.minute)}, before its horizon (${at(horizonAt)}), though ${r}'s last answer (${status}) was one to retry`,
        );
      const pausedPast =
        last?.trouble?.mode.startsWith("429") === true &&
        last.minute + pauseS(last.trouble) / 60 > horizonAt;
      if (recovered <= horizonAt && !pausedPast && !forStorage)
        fail(
          `${e.id} (${e.action}, occurred ${at(this.minuteOf(Date.parse(e.occurredAt)))}) dead-lettered at ${at(parked.minute)} for ${r}, which was back for good at ${at(recovered)}, within the ${HORIZON_MIN}-minute horizon (${at(horizonAt)}); its posts: ${tried.map((p) => `${at(p.minute)} ${p.status ?? "-"}`).join(", ")}`,
        );
    }
  }

  /** Minutes after the run's T0. */
  private minuteOf(ms: number): number {
    return (ms - this.t0) / 60_000;
  }

  /** PagerDuty ends with every incident it was sent resolved, unless its resolve was visibly given up. */
  pagerDutyEnds(): void {
    const last = new Map<string, string>();
    for (const post of this.posts.pagerduty) {
      if (!ok(post.status)) continue;
      const body = post.body as PdBody;
      if (body.dedup_key) last.set(body.dedup_key, body.event_action ?? "");
    }
    for (const [key, action] of last) {
      if (action === "resolve") continue;
      const parkedResolve = this.parked.some(
        (p) =>
          p.event.key === key &&
          p.event.action === "resolve" &&
          p.description.includes("receiver pagerduty ("),
      );
      const resolved = this.published.some(
        (p) => p.event.key === key && p.event.action === "resolve",
      );
      if (!parkedResolve && resolved)
        this.violations.push(
          `pagerduty: incident ${key} left triggered, its resolve neither taken nor parked`,
        );
    }
  }

  /** Each receiver's posts, the troubles and the dead letters, for a counterexample. */
  timeline(): string {
    const lines: string[] = [];
    for (const t of this.troubles)
      lines.push(
        `  trouble ${t.receiver} ${t.mode}${t.mode.startsWith("429") ? ` (${pauseS(t)} s)` : ""} ${at(t.from)}..${at(t.from + t.minutes)}`,
      );
    for (const p of this.published)
      lines.push(
        `  published ${at(p.minute)} ${p.event.id} ${p.event.action} ${p.event.severity} (peak ${p.event.peakSeverity})`,
      );
    for (const r of RECEIVERS)
      for (const { post, event: e, index } of this.assigned(r)) {
        lines.push(
          `  ${r} #${index} ${at(post.minute)} ${post.status ?? "-"} ${e ? `${e.id} ${e.action}` : "?"}`,
        );
      }
    for (const p of this.parked)
      lines.push(`  parked ${at(p.minute)} ${p.event.id} ${p.reason}: ${p.description}`);
    return lines.join("\n");
  }
}
