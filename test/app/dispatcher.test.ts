import { afterEach, describe, expect, it } from "vitest";
import {
  backoffMs,
  createDispatcher,
  settleFor,
  withImpliedPause,
  type DispatcherDeps,
  type ReceiverResult,
  type Settle,
} from "../../src/app/dispatch/dispatcher.js";
import type { InboundMessage } from "../../src/app/dispatch/ports.js";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { createReceiver } from "../../src/adapters/receivers/index.js";
import { buildTeamsMessage } from "../../src/adapters/receivers/teams/payload.js";
import { buildAlertEvent } from "../../src/app/alert-events.js";
import { blindNotice } from "../../src/core/blind-notice.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import { subjectVerdict } from "../../src/core/sight.js";
import { utcMinute } from "../../src/core/utc-time.js";
import {
  arpMissingBlind,
  arpMissingBlindSecondary,
  arpMissingOpen,
  BLIND_SINCE,
  flapBlindHistory,
} from "../support/alert-event-fixture.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { startRecordingReceiver, type RecordingReceiver } from "../support/recording-receiver.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const ok = (status = 202): SendOutcome => ({ ok: true, status });
const fail = (
  status: number | null,
  retryable: boolean,
  retryAfterMs: number | null = null,
): SendOutcome => ({
  ok: false,
  status,
  retryable,
  retryAfterMs,
  reason: `answered ${status}`,
});

class ScriptedReceiver implements Receiver {
  calls = 0;
  constructor(
    readonly name: string,
    readonly kind: Receiver["kind"],
    private readonly script: SendOutcome[],
  ) {}
  async send(): Promise<SendOutcome> {
    const outcome = this.script[Math.min(this.calls, this.script.length - 1)] as SendOutcome;
    this.calls += 1;
    return outcome;
  }
}

const settlement = () => recordingSettlement(true);

const ROUTING: Routing = {
  actionGroups: [
    { name: "on-call", receivers: ["pd", "teams"] },
    { name: "chat", receivers: ["teams"] },
  ],
  routes: [
    { name: "page", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] },
    {
      name: "chat",
      match: { severityAtOrAbove: "Sev3", severityAtOrBelow: "Sev2" },
      actionGroups: ["chat"],
    },
  ],
};
const NOW = new Date("2026-11-22T02:00:00Z");

function setup(
  pd: SendOutcome[],
  teams: SendOutcome[],
  deliveries = new MemoryDeliveries(() => NOW),
  now = () => NOW,
  retry = RETRY,
) {
  const receivers = [
    new ScriptedReceiver("pd", "pagerduty", pd),
    new ScriptedReceiver("teams", "teams", teams),
  ];
  const slept: number[] = [];
  const { logger, lines } = memoryLogger();
  const dispatcher = createDispatcher({
    receivers: new Map(receivers.map((r) => [r.name, r])),
    routing: ROUTING,
    deliveries,
    retry,
    logger,
    now,
    sleep: async (ms) => void slept.push(ms),
    // The top of every spread: the pauses a bare 429 implies come out whole.
    random: () => 1,
  });
  return { dispatcher, receivers, slept, deliveries, lines };
}

/** A dispatcher over `pd` and a Teams receiver that answers 202 (or `teams`), on the usual routes. */
function dispatcherOver(
  pd: Receiver,
  over: Partial<Pick<DispatcherDeps, "deliveries" | "now" | "sleep" | "logger">> & {
    teams?: Receiver;
  } = {},
) {
  return createDispatcher({
    receivers: new Map<string, Receiver>([
      ["pd", pd],
      ["teams", over.teams ?? new ScriptedReceiver("teams", "teams", [ok()])],
    ]),
    routing: ROUTING,
    deliveries: over.deliveries ?? new MemoryDeliveries(() => NOW),
    retry: RETRY,
    logger: over.logger ?? memoryLogger().logger,
    now: over.now ?? (() => NOW),
    sleep: over.sleep ?? (async () => undefined),
  });
}

const msg = (body: unknown, deliveryCount = 1) => ({ messageId: "erw-abc-1", body, deliveryCount });

/** Each waiting receiver's pace as a rescheduled copy carries it. */
const carried = (message: { applicationProperties?: Record<string, unknown> }) =>
  JSON.parse(String(message.applicationProperties?.erwatchReceivers)) as Record<
    string,
    { notBefore: string; posts: number; reschedules: number; why: string }
  >;
const signal = () => AbortSignal.timeout(10_000);

/** PagerDuty routed opens only: a resolve reaches it because it heard the open. */
function opensOnly(pd: Receiver, deliveries: MemoryDeliveries) {
  return createDispatcher({
    receivers: new Map([["pd", pd]]),
    routing: {
      actionGroups: [{ name: "on-call", receivers: ["pd"] }],
      routes: [{ name: "opens", match: { actions: ["open"] }, actionGroups: ["on-call"] }],
    },
    deliveries,
    retry: RETRY,
    logger: memoryLogger().logger,
    now: () => NOW,
    sleep: async () => {},
  });
}

describe("dispatcher", () => {
  it("should deliver a Sev0 to PagerDuty and Teams and complete", async () => {
    const { dispatcher, receivers } = setup([ok()], [ok()]);
    const { s, log } = settlement();
    const outcome = await dispatcher.dispatch(msg(event()), s, signal());
    expect(log).toEqual(["complete"]);
    expect(outcome).toEqual({ settled: "complete", delivered: ["pd", "teams"], skipped: [] });
    expect(receivers.map((r) => r.calls)).toEqual([1, 1]);
  });

  it("should route Sev2 to Teams only", async () => {
    const { dispatcher, receivers } = setup([ok()], [ok()]);
    await dispatcher.dispatch(
      msg(event({ severity: "Sev2", peakSeverity: "Sev2" })),
      settlement().s,
      signal(),
    );
    expect(receivers.map((r) => r.calls)).toEqual([0, 1]);
  });

  it("should route a resolve by the episode's peak so PagerDuty hears it", async () => {
    const { dispatcher, receivers } = setup([ok()], [ok()]);
    await dispatcher.dispatch(
      msg(event({ action: "resolve", severity: "Sev2", peakSeverity: "Sev0" })),
      settlement().s,
      signal(),
    );
    expect(receivers.map((r) => r.calls)).toEqual([1, 1]);
  });

  it("should send the resolve to a receiver that heard the open, though its route takes opens only", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    const pd = new ScriptedReceiver("pd", "pagerduty", [ok()]);
    const dispatcher = opensOnly(pd, deliveries);
    await dispatcher.dispatch(msg(event()), settlement().s, signal());
    const resolve = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });
    const outcome = await dispatcher.dispatch(
      { ...msg(resolve), messageId: "erw-abc-2" },
      settlement().s,
      signal(),
    );
    // PagerDuty must not stay triggered for an alert that resolved.
    expect(outcome).toMatchObject({ settled: "complete", delivered: ["pd"] });
    expect(pd.calls).toBe(2);
    // A resolve of an alert it never heard of is still not its business.
    const other = event({ id: "erw-xyz-2", key: "erw-xyz", sequence: 2, action: "resolve" });
    await dispatcher.dispatch({ ...msg(other), messageId: "erw-xyz-2" }, settlement().s, signal());
    expect(pd.calls).toBe(2);
  });

  it("should deliver a resolve published before events had an episodeId to the receiver that heard the open", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    const heard: string[] = [];
    const pd: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async (e) => (heard.push(`${e.action} ${e.episodeId}`), ok()),
    };
    const dispatcher = opensOnly(pd, deliveries);
    await dispatcher.dispatch(msg(event()), settlement().s, signal());
    // Still queued through an upgrade: published by an erwatch that had no episodes.
    const { episodeId: _, ...older } = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });
    const { s, log } = settlement();
    const outcome = await dispatcher.dispatch(
      { ...msg(older), messageId: "erw-abc-2" },
      s,
      signal(),
    );
    // A TypeError here was never settled: parked by Service Bus without a reason, the incident left open.
    expect(log).toEqual(["complete"]);
    expect(outcome).toMatchObject({ settled: "complete", delivered: ["pd"] });
    expect(heard).toEqual(["open erw-abc-1", "resolve erw-abc-1"]);
  });

  it("should not complete a resolve while it cannot read whether a receiver heard the open (README: always hears its resolve; lost only visibly)", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    const pd = new ScriptedReceiver("pd", "pagerduty", [ok()]);
    const dispatcher = opensOnly(pd, deliveries);
    await dispatcher.dispatch(msg(event()), settlement().s, signal());
    const resolve = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });
    // Table Storage is down for the read of PagerDuty's last sequence.
    const read = deliveries.lastSequence.bind(deliveries);
    deliveries.lastSequence = async () => {
      throw new Error("503 ServerBusy");
    };
    const first = settlement();
    const outcome = await dispatcher.dispatch(
      { ...msg(resolve), messageId: "erw-abc-2" },
      first.s,
      signal(),
    );
    // Completed, the resolve would be gone with nothing parked and PagerDuty left triggered.
    expect(outcome.settled).not.toBe("complete");
    expect(first.log.join("\n")).toContain("receiver pd (pagerduty)");
    deliveries.lastSequence = read;
    const again = await dispatcher.dispatch(
      { ...msg(resolve, 2), messageId: "erw-abc-2" },
      settlement().s,
      signal(),
    );
    expect(again).toMatchObject({ settled: "complete", delivered: ["pd"] });
    expect(pd.calls).toBe(2);
  });

  it("should not send a later episode's resolve to a receiver that heard only an earlier episode of the key", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    const pd = new ScriptedReceiver("pd", "pagerduty", [ok(), ok(), ok()]);
    const { logger } = memoryLogger();
    const dispatcher = createDispatcher({
      receivers: new Map([["pd", pd]]),
      routing: {
        actionGroups: [{ name: "on-call", receivers: ["pd"] }],
        routes: [{ name: "page", match: { severityAtOrAbove: "Sev2" }, actionGroups: ["on-call"] }],
      },
      deliveries,
      retry: RETRY,
      logger,
      now: () => NOW,
      sleep: async () => {},
    });
    const sev2 = { severity: "Sev2", peakSeverity: "Sev2" } as const;
    const sev3 = { severity: "Sev3", peakSeverity: "Sev3", episodeId: "erw-abc-3" } as const;
    const send = (e: AlertEvent) =>
      dispatcher.dispatch({ ...msg(e), messageId: e.id }, settlement().s, signal());
    await send(event({ ...sev2 }));
    await send(event({ ...sev2, id: "erw-abc-2", sequence: 2, action: "resolve" }));
    expect(pd.calls).toBe(2);
    // The key opens again below PagerDuty's routes: neither its open nor its resolve is PagerDuty's.
    await send(event({ ...sev3, id: "erw-abc-3", sequence: 3 }));
    await send(event({ ...sev3, id: "erw-abc-4", sequence: 4, action: "resolve" }));
    expect(pd.calls).toBe(2);
  });

  it("should retry PagerDuty 500 twice then 202 with exponential backoff", async () => {
    const { dispatcher, receivers, slept } = setup(
      [fail(500, true), fail(500, true), ok()],
      [ok()],
    );
    const { s, log } = settlement();
    await dispatcher.dispatch(msg(event()), s, signal());
    expect(log).toEqual(["complete"]);
    expect(receivers[0]!.calls).toBe(3);
    expect(slept).toEqual([1000, 2000]);
  });

  it("should honour a Retry-After longer than the backoff", async () => {
    const { dispatcher, slept } = setup([ok()], [fail(429, true, 7000), ok()]);
    await dispatcher.dispatch(msg(event()), settlement().s, signal());
    expect(slept).toEqual([7000]);
  });

  it("should take a 429 without Retry-After as a pause of a minute or more, not retry inside the throttled minute", async () => {
    // PagerDuty's Events API throttles per key per minute and says nothing of
    // how long: retried at 1 s and 2 s and handed straight back, every attempt
    // and redelivery landed in the same refused minute.
    const { dispatcher, receivers, slept } = setup([fail(429, true)], [ok()]);
    const { s, log, copies } = settlement();
    const outcome = await dispatcher.dispatch(msg(event()), s, signal());
    // 90 s (a minute, at the top of its spread) is longer than a delivery
    // waits: not posted again now, nor handed back for an instant redelivery.
    expect(receivers[0]!.calls).toBe(1);
    expect(slept).toEqual([]);
    expect(outcome.settled).toBe("rescheduled");
    expect(log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:01:30.000Z"]);
    // The copy's pause doubles: the event was posted once already.
    const due = copies[0]!.at;
    const again = setup([fail(429, true)], [ok()], new MemoryDeliveries(() => due), () => due);
    const b = settlement();
    await again.dispatcher.dispatch({ ...copies[0]!, deliveryCount: 1 }, b.s, signal());
    expect(again.receivers[0]!.calls).toBe(1);
    expect(b.log).toEqual(["reschedule erw-abc-1~r2 at 2026-11-22T02:04:30.000Z"]);
  });

  it("should wait out an implied pause inside a delivery only when a delivery may wait that long", async () => {
    const { dispatcher, receivers, slept } = setup(
      [fail(429, true), ok()],
      [ok()],
      new MemoryDeliveries(() => NOW),
      () => NOW,
      { ...RETRY, maxWaitMs: 300_000 },
    );
    const { s, log } = settlement();
    await dispatcher.dispatch(msg(event()), s, signal());
    expect(slept).toEqual([90_000]);
    expect(receivers[0]!.calls).toBe(2);
    expect(log).toEqual(["complete"]);
  });

  it("should go on doubling an implied pause across copies when a delivery may wait some of them out", async () => {
    // With a longer DISPATCH_RETRY_MAX_WAIT_MS a delivery posts more than once;
    // counted by copies alone, the next copy's pause shrank (300 s, then 150 s).
    const retry = { ...RETRY, maxWaitMs: 300_000 };
    const waits: number[] = [];
    let message: InboundMessage = msg(event());
    // Each copy is delivered when it is due; the sleeps are not waited.
    let now = NOW;
    for (let copy = 0; copy < 4; copy += 1) {
      const run = setup(
        [fail(429, true)],
        [ok()],
        new MemoryDeliveries(() => now),
        () => now,
        retry,
      );
      const { s, copies } = settlement();
      const outcome = await run.dispatcher.dispatch(message, s, signal());
      expect(outcome.settled).toBe("rescheduled");
      if (outcome.settled !== "rescheduled") return;
      waits.push(...run.slept, Date.parse(outcome.at) - now.getTime());
      message = { ...copies[0]!, deliveryCount: 1 };
      now = copies[0]!.at;
    }
    // 90 and 180 s waited, 360 s kept by rescheduling; then 720, 900 (the cap), ...
    expect(waits).toEqual([90_000, 180_000, 360_000, 720_000, 900_000, 900_000]);
    expect(carried(message).pd).toMatchObject({ posts: 6 });
  });

  it.each([
    { name: "a 429 with no Retry-After", given: fail(429, true), tries: 0, pause: 90_000 },
    { name: "its third post", given: fail(429, true), tries: 2, pause: 360_000 },
    { name: "a storm past 15 minutes", given: fail(429, true), tries: 9, pause: 900_000 },
    {
      name: "a 429 with its own Retry-After",
      given: fail(429, true, 5_000),
      tries: 3,
      pause: 5_000,
    },
    { name: "a 429 with Retry-After 0", given: fail(429, true, 0), tries: 0, pause: 0 },
    { name: "a 503 with no Retry-After", given: fail(503, true), tries: 0, pause: null },
    { name: "a timeout", given: fail(null, true), tries: 0, pause: null },
  ])("implies the pause of $name", ({ given, tries, pause }) => {
    const failure = given as Extract<SendOutcome, { ok: false }>;
    expect(withImpliedPause(failure, tries, 1, RETRY).retryAfterMs).toBe(pause);
  });

  it("spreads the implied pauses of a storm, never under a minute", () => {
    const bare = fail(429, true) as Extract<SendOutcome, { ok: false }>;
    expect(withImpliedPause(bare, 0, 0, RETRY).retryAfterMs).toBe(60_000);
    expect(withImpliedPause(bare, 1, 0, RETRY).retryAfterMs).toBe(120_000);
    expect(withImpliedPause(bare, 1, 0.5, RETRY).retryAfterMs).toBe(150_000);
  });

  it("should give the message back when attempts run out, and skip receivers that already have it on redelivery", async () => {
    const deliveries = new MemoryDeliveries();
    const first = setup([ok()], [fail(503, true)], deliveries);
    const a = settlement();
    await first.dispatcher.dispatch(msg(event(), 1), a.s, signal());
    expect(a.log).toEqual([
      "abandon: receiver teams (teams) failed after 3 attempts: 503: answered 503",
    ]);
    const again = setup([ok()], [ok()], deliveries);
    const b = settlement();
    const outcome = await again.dispatcher.dispatch(msg(event(), 2), b.s, signal());
    expect(b.log).toEqual(["complete"]);
    expect(outcome).toEqual({ settled: "complete", delivered: ["teams"], skipped: ["pd"] });
    // PagerDuty was not paged twice.
    expect(again.receivers[0]!.calls).toBe(0);
  });

  it("should reschedule, not burn deliveries, when Retry-After is longer than a delivery may wait", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    const { dispatcher, receivers, slept } = setup([fail(429, true, 120_000)], [ok()], deliveries);
    const { s, log, copies } = settlement();
    const outcome = await dispatcher.dispatch(msg(event()), s, signal());
    expect(receivers.map((r) => r.calls)).toEqual([1, 1]);
    expect(slept).toEqual([]);
    expect(log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:02:00.000Z"]);
    expect(outcome).toMatchObject({ settled: "rescheduled", at: "2026-11-22T02:02:00.000Z" });
    expect(copies[0]).toMatchObject({ applicationProperties: { erwatchRescheduled: 1 } });
    // A delivery whose metadata carried no subject: the copy has the event's action, as published.
    expect(copies[0]!.subject).toBe("open");
    // The copy two minutes later: PagerDuty now, Teams not again.
    const later = new Date(NOW.getTime() + 120_000);
    const again = setup([ok()], [ok()], deliveries, () => later);
    const b = settlement();
    const copy = copies[0]!;
    const done = await again.dispatcher.dispatch(
      {
        messageId: copy.messageId,
        body: copy.body,
        deliveryCount: 1,
        applicationProperties: copy.applicationProperties,
      },
      b.s,
      signal(),
    );
    expect(done).toEqual({ settled: "complete", delivered: ["pd"], skipped: ["teams"] });
    expect(again.receivers.map((r) => r.calls)).toEqual([1, 0]);
  });

  it("should honour the Retry-After of the last attempt too, instead of handing the message straight back", async () => {
    // Teams throttles with a 30 s pause each time: the dispatcher waits twice...
    const { dispatcher, receivers, slept } = setup([ok()], [fail(429, true, 30_000)]);
    const { s, log } = settlement();
    const outcome = await dispatcher.dispatch(msg(event()), s, signal());
    expect(receivers[1]!.calls).toBe(3);
    expect(slept).toEqual([30_000, 30_000]);
    // ...and the third answer's pause is kept too: Service Bus would redeliver at once.
    expect(outcome.settled).toBe("rescheduled");
    expect(log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:00:30.000Z"]);
  });

  it("should reschedule at most 15 minutes ahead, and give up past the horizon", async () => {
    const { dispatcher } = setup([fail(429, true, 3_600_000)], [ok()]);
    const a = settlement();
    await dispatcher.dispatch(msg(event()), a.s, signal());
    expect(a.log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:15:00.000Z"]);
    // A pause that would pass the horizon: the last copy is due at the horizon itself.
    const late = setup([fail(429, true, 120_000)], [ok()]);
    const c = settlement();
    // A copy the dispatcher first had 59.5 minutes ago.
    await late.dispatcher.dispatch(
      {
        ...msg(event({ occurredAt: "2026-11-22T01:00:30.000Z" })),
        messageId: "erw-abc-1~r3",
        applicationProperties: {
          erwatchRescheduled: 3,
          erwatchFirstDispatchedAt: "2026-11-22T01:00:30.000Z",
        },
      },
      c.s,
      signal(),
    );
    expect(c.log).toEqual(["reschedule erw-abc-1~r4 at 2026-11-22T02:00:30.000Z"]);
    // Its first delivery an hour after it was decided (it waited out a broker
    // outage in the outbox): the horizon counts from now, the pause is kept whole.
    const backlog = setup([fail(429, true, 120_000)], [ok()]);
    const d = settlement();
    await backlog.dispatcher.dispatch(
      msg(event({ occurredAt: "2026-11-22T01:00:30.000Z" })),
      d.s,
      signal(),
    );
    expect(d.log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:02:00.000Z"]);
    const old = setup([fail(429, true, 120_000)], [ok()]);
    const b = settlement();
    // A copy the dispatcher first had an hour ago.
    await old.dispatcher.dispatch(
      {
        ...msg(event({ occurredAt: "2026-11-22T01:00:00.000Z" })),
        messageId: "erw-abc-1~r4",
        applicationProperties: {
          erwatchRescheduled: 4,
          erwatchFirstDispatchedAt: "2026-11-22T01:00:00.000Z",
        },
      },
      b.s,
      signal(),
    );
    expect(b.log[0]).toMatch(
      /^dead-letter ReceiverUnavailable: receiver pd \(pagerduty\) failed after 1 attempt: 429: .*retrying past 2026-11-22T02:00:00.000Z is not worth it$/,
    );
  });

  it.each([
    { name: "still failing after the last delivery", teams: fail(503, true), deliveryCount: 5 },
    { name: "asking for a long pause", teams: fail(429, true, 120_000), deliveryCount: 1 },
  ])(
    "should give up on an event whose time cannot be read instead of rescheduling it forever ($name)",
    async ({ teams, deliveryCount }) => {
      const { dispatcher } = setup([ok()], [teams]);
      const { s, log } = settlement();
      await dispatcher.dispatch(
        msg(event({ occurredAt: "yesterday" }), deliveryCount),
        s,
        signal(),
      );
      expect(log).toEqual([
        expect.stringMatching(
          /^dead-letter ReceiverUnavailable: receiver teams \(teams\) .*; the event's time "yesterday" cannot be read, so no retry horizon can be set$/,
        ),
      ]);
    },
  );

  it("should never deliver an open retried past its own resolve (PagerDuty must not end on trigger)", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    // The open fails at PagerDuty and goes back to Service Bus...
    const first = setup([fail(503, true)], [ok()], deliveries);
    await first.dispatcher.dispatch(msg(event(), 1), settlement().s, signal());
    // ...the resolve (sequence 2) is delivered meanwhile, the open it never had first...
    const resolve = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });
    const second = setup([ok()], [ok()], deliveries);
    await second.dispatcher.dispatch(
      { ...msg(resolve), messageId: "erw-abc-2" },
      settlement().s,
      signal(),
    );
    expect(second.receivers.map((r) => r.calls)).toEqual([2, 1]);
    // ...then the open comes back: not posted, each receiver has it already.
    const third = setup([ok()], [ok()], deliveries);
    const { s, log } = settlement();
    const outcome = await third.dispatcher.dispatch(msg(event(), 2), s, signal());
    expect(third.receivers.map((r) => r.calls)).toEqual([0, 0]);
    expect(log).toEqual(["complete"]);
    expect(outcome).toEqual({ settled: "complete", delivered: [], skipped: ["pd", "teams"] });
    expect(deliveries.deliveredTo("erw-abc-1").sort()).toEqual(["pd", "teams"]);
  });

  it("should not post an open again after its resolve was delivered while the open waited to retry", async () => {
    let now = NOW.getTime();
    const deliveries = new MemoryDeliveries(() => new Date(now));
    const heard: string[] = [];
    let pdFailsOnce = true;
    const pd: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async (e) => {
        heard.push(`${e.action}:${pdFailsOnce ? "503" : "202"}`);
        if (pdFailsOnce) return ((pdFailsOnce = false), fail(503, true));
        return ok();
      },
    };
    // The open's backoff sleep is held until the resolve went through.
    let sleeping!: () => void;
    const asleep = new Promise<void>((resolve) => (sleeping = resolve));
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const { logger, lines } = memoryLogger();
    const make = (sleep: DispatcherDeps["sleep"]) =>
      dispatcherOver(pd, { deliveries, logger, sleep });
    const opening = make(async () => (sleeping(), woken)).dispatch(
      msg(event(), 1),
      settlement().s,
      signal(),
    );
    await asleep;
    // The open's wait outlasted its claims (a stalled instance): the resolve goes through.
    now += RETRY.claimMs + 1;
    const resolve = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });
    await make(async () => undefined).dispatch(
      { ...msg(resolve), messageId: "erw-abc-2" },
      settlement().s,
      signal(),
    );
    wake();
    const outcome = await opening;
    // PagerDuty must end on the resolve, not on a trigger sent after it (the
    // resolve sent the open it had no record of first).
    expect(heard).toEqual(["open:503", "open:202", "resolve:202"]);
    expect(outcome).toMatchObject({ settled: "complete", skipped: ["pd"] });
    expect(lines().join("\n")).toMatch(/stale: pd already heard event 2 of this alert/);
  });

  it("should not post a resolve while its open is still in flight to the same receiver", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    // PagerDuty acts on a request when it answers it: the open is slow.
    const processed: string[] = [];
    let openInFlight!: () => void;
    const inFlight = new Promise<void>((resolve) => (openInFlight = resolve));
    let answerOpen!: () => void;
    const openAnswered = new Promise<void>((resolve) => (answerOpen = resolve));
    const pd: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async (e) => {
        if (e.action === "open") {
          openInFlight();
          await openAnswered;
        }
        processed.push(e.action);
        return ok();
      },
    };
    const { logger } = memoryLogger();
    const make = () => dispatcherOver(pd, { deliveries, logger });
    const opening = make().dispatch(msg(event(), 1), settlement().s, signal());
    await inFlight;
    const resolve = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });
    const r = settlement();
    const resolving = await make().dispatch(
      { ...msg(resolve), messageId: "erw-abc-2" },
      r.s,
      signal(),
    );
    answerOpen();
    await opening;
    // The resolve waits for the open instead of racing it to PagerDuty...
    expect(resolving).toMatchObject({ settled: "rescheduled", at: "2026-11-22T02:01:00.000Z" });
    expect(processed).toEqual(["open"]);
    // ...and its copy delivers it after: PagerDuty ends resolved.
    const copy = r.copies[0]!;
    await make().dispatch(
      { messageId: copy.messageId, body: copy.body, deliveryCount: 1 },
      settlement().s,
      signal(),
    );
    expect(processed).toEqual(["open", "resolve"]);
  });

  it("should post once per receiver when two deliveries of one message run at once", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async () => {
        await gate;
        return ok();
      },
    };
    const { logger } = memoryLogger();
    const posts: string[] = [];
    const counting: Receiver = {
      ...slow,
      send: async (e, o) => (posts.push("pd"), slow.send(e, o)),
    };
    const make = () => dispatcherOver(counting, { deliveries, logger });
    const [a, b] = [make(), make()];
    // A redelivery after a lost lock arrives while the first delivery still waits on PagerDuty.
    const first = a.dispatch(msg(event(), 1), settlement().s, signal());
    const second = b.dispatch(msg(event(), 2), settlement().s, signal());
    const secondOutcome = await second;
    release();
    const firstOutcome = await first;
    expect(posts).toEqual(["pd"]);
    expect(firstOutcome).toMatchObject({ settled: "complete", delivered: ["pd", "teams"] });
    // The second delivery found PagerDuty busy and rescheduled itself for when the claim ends.
    expect(secondOutcome).toMatchObject({ settled: "rescheduled", at: "2026-11-22T02:02:00.000Z" });
  });

  it("should reschedule after the last delivery with a doubling pause, and dead-letter past the horizon naming the receiver and its last status", async () => {
    const { dispatcher } = setup([ok()], [fail(503, true)]);
    const a = settlement();
    await dispatcher.dispatch(msg(event(), 5), a.s, signal());
    expect(a.log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:01:00.000Z"]);
    const b = settlement();
    await dispatcher.dispatch(
      { ...msg(event(), 5), applicationProperties: { erwatchRescheduled: 3 } },
      b.s,
      signal(),
    );
    expect(b.log).toEqual(["reschedule erw-abc-1~r4 at 2026-11-22T02:08:00.000Z"]);
    // The next pause would pass the horizon: a last copy at the horizon itself...
    const last = settlement();
    await dispatcher.dispatch(
      msg(event({ occurredAt: "2026-11-22T01:00:30.000Z" }), 5),
      last.s,
      signal(),
    );
    expect(last.log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:00:30.000Z"]);
    // ...and at the horizon, still failing, it is parked.
    const late = settlement();
    await dispatcher.dispatch(
      msg(event({ occurredAt: "2026-11-22T01:00:00.000Z" }), 5),
      late.s,
      signal(),
    );
    expect(late.log).toEqual([
      "dead-letter ReceiverUnavailable: receiver teams (teams) failed after 3 attempts: 503: answered 503; retrying past 2026-11-22T02:00:00.000Z is not worth it",
    ]);
  });

  it("should settle when the delivery's deadline ends between attempts (it threw, so the last delivery was never settled by erwatch)", async () => {
    const receivers = [
      new ScriptedReceiver("pd", "pagerduty", [ok()]),
      new ScriptedReceiver("teams", "teams", [fail(503, true)]),
    ];
    const { logger } = memoryLogger();
    const deadline = new AbortController();
    const dispatcher = createDispatcher({
      receivers: new Map(receivers.map((r) => [r.name, r])),
      routing: ROUTING,
      deliveries: new MemoryDeliveries(() => NOW),
      retry: RETRY,
      logger,
      now: () => NOW,
      // As the real sleep (timers/promises' setTimeout with the signal): the
      // delivery's deadline (4 minutes in functions/dispatch.ts) ends it.
      sleep: async (_ms, signal) => {
        deadline.abort();
        signal.throwIfAborted();
      },
    });
    const last = settlement();
    await expect(
      dispatcher.dispatch(msg(event(), RETRY.maxDeliveries), last.s, deadline.signal),
    ).resolves.toMatchObject({ settled: "rescheduled" });
    // Settled like any other last delivery of a failing receiver: a copy later, within the horizon.
    expect(last.log).toHaveLength(1);
    expect(last.log[0]).toMatch(/^reschedule /);
    expect(receivers[1]!.calls).toBe(1);
  });

  /**
   * One event through a Teams receiver down for `outageMs` (or for good), as
   * Service Bus would drive it: an abandoned message redelivered at once, a
   * rescheduled copy when it is due. The clock moves only by the dispatcher's
   * own sleeps and the copies' times, plus one second per post.
   */
  async function throughOutage(outageMs: number) {
    let now = NOW.getTime();
    const outageEnds = now + outageMs;
    const deliveries = new MemoryDeliveries(() => new Date(now));
    const teamsPosts: number[] = [];
    const teams: Receiver = {
      name: "teams",
      kind: "teams",
      send: async () => {
        now += 1_000;
        teamsPosts.push(now);
        return now < outageEnds ? fail(503, true) : ok();
      },
    };
    const dispatcher = dispatcherOver(new ScriptedReceiver("pd", "pagerduty", [ok()]), {
      teams,
      deliveries,
      now: () => new Date(now),
      sleep: async (ms) => void (now += ms),
    });
    let message: Parameters<typeof dispatcher.dispatch>[0] = msg(event(), 1);
    const outcomes: string[] = [];
    for (let round = 0; round < 200; round += 1) {
      const { s, copies } = settlement();
      const outcome = await dispatcher.dispatch(message, s, signal());
      outcomes.push(outcome.settled);
      if (outcome.settled === "abandon")
        message = { ...message, deliveryCount: message.deliveryCount + 1 };
      else if (outcome.settled === "rescheduled") {
        const copy = copies[0]!;
        now = Math.max(now, copy.at.getTime());
        message = {
          messageId: copy.messageId,
          body: copy.body,
          deliveryCount: 1,
          applicationProperties: copy.applicationProperties,
        };
      } else break;
    }
    return { outcomes, teamsPosts, deliveries };
  }

  it("should still page after a receiver outage of two minutes: redeliveries back off instead of burning out in seconds", async () => {
    const { outcomes, teamsPosts, deliveries } = await throughOutage(2 * 60_000);
    expect(outcomes.at(-1)).toBe("complete");
    expect(deliveries.deliveredTo("erw-abc-1").sort()).toEqual(["pd", "teams"]);
    // Backing off: far fewer posts than one a second through the outage.
    expect(teamsPosts.length).toBeLessThan(40);
  });

  it("should post to a receiver down for the whole horizon a few times per pause, not a burst of deliveries each time", async () => {
    const { outcomes, teamsPosts } = await throughOutage(Infinity);
    expect(outcomes.at(-1)).toBe("dead-letter");
    const copies = outcomes.filter((o) => o === "rescheduled").length;
    expect(copies).toBeGreaterThan(3);
    // The first delivery burst (deliveries × attempts), then one delivery's
    // attempts per rescheduled copy: each copy had the burst already.
    const burst = RETRY.maxDeliveries * RETRY.attemptsPerDelivery;
    expect(teamsPosts.length).toBe(burst + copies * RETRY.attemptsPerDelivery);
  });

  it("should reschedule, not throw, when the delivery log fails at the last delivery: Service Bus would dead-letter it without a reason", async () => {
    class DownDeliveries extends MemoryDeliveries {
      down = true;
      override async claim(...args: Parameters<MemoryDeliveries["claim"]>) {
        if (this.down)
          throw Object.assign(new Error("claiming failed: no answer"), { name: "StateStoreError" });
        return super.claim(...args);
      }
    }
    const deliveries = new DownDeliveries(() => NOW);
    const { dispatcher, lines } = setup([ok()], [ok()], deliveries);
    // Earlier deliveries hand the message back at once, as before.
    const first = settlement();
    await dispatcher.dispatch(msg(event(), 1), first.s, signal());
    expect(first.log).toEqual([
      "abandon: receiver pd (pagerduty) failed after 0 attempts: no response: delivery could not be claimed or recorded: StateStoreError; receiver teams (teams) failed after 0 attempts: no response: delivery could not be claimed or recorded: StateStoreError",
    ]);
    const { s, log, copies } = settlement();
    const outcome = await dispatcher.dispatch(msg(event(), 5), s, signal());
    expect(outcome).toMatchObject({ settled: "rescheduled", at: "2026-11-22T02:01:00.000Z" });
    expect(log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:01:00.000Z"]);
    expect(lines().join("\n")).toMatch(/claiming failed: no answer/);
    // Storage is back when the copy is due: both receivers hear the event.
    deliveries.down = false;
    const copy = copies[0]!;
    const due = setup([ok()], [ok()], deliveries, () => copy.at);
    const done = await due.dispatcher.dispatch(
      {
        messageId: copy.messageId,
        body: copy.body,
        deliveryCount: 1,
        applicationProperties: copy.applicationProperties,
      },
      settlement().s,
      signal(),
    );
    expect(done).toMatchObject({ settled: "complete", delivered: ["pd", "teams"] });
    expect(due.receivers.map((r) => r.calls)).toEqual([1, 1]);
  });

  it("should dead-letter at once on a permanent 4xx without retrying", async () => {
    const { dispatcher, receivers } = setup([fail(400, false)], [ok()]);
    const { s, log } = settlement();
    await dispatcher.dispatch(msg(event()), s, signal());
    expect(receivers[0]!.calls).toBe(1);
    expect(log).toEqual([
      "dead-letter ReceiverRejected: receiver pd (pagerduty) failed after 1 attempt: 400: answered 400",
    ]);
  });

  it("should keep retrying a receiver that failed for now while another rejects the event for good", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    // PagerDuty refuses this event (400) while Teams is briefly throttled.
    const first = setup([fail(400, false)], [fail(503, true)], deliveries);
    const a = settlement();
    const outcome = await first.dispatcher.dispatch(msg(event(), 1), a.s, signal());
    // Dead-lettering now would mean the channel never hears a Sev0.
    expect(outcome.settled).toBe("abandon");
    expect(a.log[0]).toMatch(
      /^abandon: .*receiver pd \(pagerduty\).*400.*receiver teams \(teams\).*503/,
    );
    // Teams is back on the next delivery: it hears the event, and only then is
    // the message parked, still naming PagerDuty's rejection.
    const again = setup([fail(400, false)], [ok()], deliveries);
    const b = settlement();
    await again.dispatcher.dispatch(msg(event(), 2), b.s, signal());
    expect(again.receivers[1]!.calls).toBe(1);
    expect(deliveries.deliveredTo("erw-abc-1")).toEqual(["teams"]);
    expect(b.log).toEqual([
      "dead-letter ReceiverRejected: receiver pd (pagerduty) failed after 1 attempt: 400: answered 400",
    ]);
  });

  it("should dead-letter a rejection past the horizon even when another receiver is still failing, naming both", async () => {
    const { dispatcher } = setup([fail(400, false)], [fail(503, true)]);
    const { s, log } = settlement();
    await dispatcher.dispatch(
      msg(event({ occurredAt: "2026-11-22T01:00:00.000Z" }), 5),
      s,
      signal(),
    );
    expect(log).toEqual([
      "dead-letter ReceiverRejected: receiver pd (pagerduty) failed after 1 attempt: 400: answered 400; receiver teams (teams) failed after 3 attempts: 503: answered 503; retrying past 2026-11-22T02:00:00.000Z is not worth it",
    ]);
  });

  it("should park an event a receiver throws on, naming it, and still deliver it to the others", async () => {
    const deliveries = new MemoryDeliveries(() => NOW);
    const { dispatcher, receivers, lines } = setup([ok()], [ok()], deliveries);
    // A bug in one receiver (its payload builder choking on an odd event).
    receivers[1]!.send = async () => {
      throw new TypeError("text.split is not a function");
    };
    const { s, log } = settlement();
    const outcome = await dispatcher.dispatch(msg(event()), s, signal());
    expect(outcome.settled).toBe("dead-letter");
    expect(log).toEqual([
      "dead-letter ReceiverRejected: receiver teams (teams) failed after 1 attempt: no response: could not build or send the teams message: TypeError",
    ]);
    expect(receivers[0]!.calls).toBe(1);
    expect(deliveries.deliveredTo("erw-abc-1")).toEqual(["pd"]);
    // The claim is given up: a replay once the bug is fixed posts at once.
    expect(deliveries.rows.has("erw-abc-1|teams")).toBe(false);
    expect(lines().join("\n")).toMatch(/text\.split is not a function/);
  });

  it("should deliver a card for an event whose circuit facts or layer-table name are not text", async () => {
    const posted: unknown[] = [];
    // The real Teams receiver, posting to a fake fetch.
    const teams = createReceiver(
      { kind: "teams", name: "teams", url: "https://example.invalid/workflows?sig=x" },
      {
        timeoutMs: 1_000,
        fetch: async (_url, init) => (
          posted.push(JSON.parse(String(init?.body))),
          new Response(null, { status: 202 })
        ),
      },
    );
    const { logger } = memoryLogger();
    const dispatcher = dispatcherOver(new ScriptedReceiver("pd", "pagerduty", [ok()]), {
      teams,
      logger,
    });
    const base = arpMissingOpen();
    const body = {
      ...base,
      peakSeverity: "Sev0",
      circuit: { ...base.circuit, serviceProviderName: 42, peeringLocation: { x: 1 } },
      layerTable: { ...(base.layerTable as object), name: 7 },
    };
    const { s, log } = settlement();
    await dispatcher.dispatch({ messageId: base.id, body, deliveryCount: 1 }, s, signal());
    expect(log).toEqual(["complete"]);
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0])).toContain("paste into a ticket with 42");
  });

  it.each([
    { name: "bad JSON", body: "{not json", reason: "InvalidJson" },
    { name: "unknown version", body: { ...event(), version: 7 }, reason: "UnknownVersion" },
    { name: "not an object", body: 42, reason: "NotAnAlertEvent" },
    { name: "missing fields", body: { version: 1, id: "x" }, reason: "InvalidEvent" },
    {
      name: "an episodeId that is not text",
      body: { ...event({ action: "resolve", sequence: 2 }), episodeId: 2 },
      reason: "InvalidEvent",
      says: "episodeId: ",
    },
  ])(
    "should dead-letter a poison message ($name) at once without touching receivers",
    async ({ body, reason, says = "" }) => {
      const { dispatcher, receivers } = setup([ok()], [ok()]);
      const { s, log } = settlement();
      await dispatcher.dispatch(msg(body), s, signal());
      expect(log).toHaveLength(1);
      expect(log[0]).toMatch(new RegExp(`^dead-letter ${reason}: `));
      expect(log[0]).toContain(says);
      expect(receivers.map((r) => r.calls)).toEqual([0, 0]);
    },
  );

  it.each([
    ["the secondary path", ["secondary"], ["secondary"]],
    ["a path erwatch has no name for", ["tertiary"], undefined],
    ["text", "secondary", undefined],
    ["an empty list", [], undefined],
  ])(
    "should deliver a blind notice whose blindPaths is %s (an odd one as a notice that cannot see the circuit)",
    async (_name, blindPaths, expected) => {
      const seen: unknown[] = [];
      const teams: Receiver = {
        name: "teams",
        kind: "teams",
        send: async (e) => (seen.push(e.blindPaths), ok()),
      };
      const dispatcher = dispatcherOver(new ScriptedReceiver("pd", "pagerduty", [ok()]), { teams });
      const { s, log } = settlement();
      const body = { ...arpMissingBlindSecondary(), blindPaths };
      await dispatcher.dispatch({ messageId: body.id, body, deliveryCount: 1 }, s, signal());
      expect(log).toEqual(["complete"]);
      expect(seen).toEqual([expected]);
    },
  );

  it.each([
    ["history", "history", "history"],
    ["a cause erwatch has no name for", "weather", undefined],
    ["a number", 1, undefined],
  ])(
    "should deliver a blind notice whose blindCause is %s (an odd one as a notice that cannot see the circuit)",
    async (_name, blindCause, expected) => {
      const seen: unknown[] = [];
      const teams: Receiver = {
        name: "teams",
        kind: "teams",
        send: async (e) => (seen.push(e.blindCause), ok()),
      };
      const dispatcher = dispatcherOver(new ScriptedReceiver("pd", "pagerduty", [ok()]), { teams });
      const { s, log } = settlement();
      const body = { ...flapBlindHistory(), blindCause };
      await dispatcher.dispatch({ messageId: body.id, body, deliveryCount: 1 }, s, signal());
      expect(log).toEqual(["complete"]);
      expect(seen).toEqual([expected]);
    },
  );

  // Receivers took any text Date.parse reads: a queued "Retry 3" showed as a 2001 date.
  it.each([
    ["an instant", BLIND_SINCE, BLIND_SINCE],
    ["text Date.parse reads as a date", "Retry 3", undefined],
    ["a date without a time", "2026-03-14", undefined],
    ["a number", 1_710_382_770_000, undefined],
  ])(
    "should deliver a blind notice whose blindSince is %s (an odd one as a notice whose since is not known)",
    async (_name, blindSince, expected) => {
      const seen: AlertEvent[] = [];
      const teams: Receiver = {
        name: "teams",
        kind: "teams",
        send: async (e) => (seen.push(e), ok()),
      };
      const dispatcher = dispatcherOver(new ScriptedReceiver("pd", "pagerduty", [ok()]), { teams });
      const { s, log } = settlement();
      const notice = arpMissingBlind();
      // The sweep writes the notice's since into its change too.
      const change = notice.change.replace(utcMinute(BLIND_SINCE), String(blindSince));
      const body = { ...notice, change, blindSince };
      await dispatcher.dispatch({ messageId: body.id, body, deliveryCount: 1 }, s, signal());
      expect(log).toEqual(["complete"]);
      expect(seen.map((e) => e.blindSince)).toEqual([expected]);
      const card = JSON.stringify(buildTeamsMessage(seen[0]!));
      if (expected === undefined) {
        expect(card).toContain("**Blind:** erwatch cannot see this circuit.");
        expect(card).not.toContain("{{DATE(2001-");
      } else expect(card).toContain("**Blind:** erwatch cannot see this circuit since {{DATE(");
    },
  );

  it("should deliver an event whose circuit tags are null or numbers, as text", async () => {
    const { dispatcher, receivers } = setup([ok()], [ok()]);
    const { s, log } = settlement();
    const base = event();
    const body = {
      ...base,
      circuit: { ...base.circuit, tags: { cost: 42, owner: null, on: true } },
    };
    await dispatcher.dispatch(msg(body), s, signal());
    expect(log).toEqual(["complete"]);
    expect(receivers.map((r) => r.calls)).toEqual([1, 1]);
  });

  it("should complete an event no route matches", async () => {
    const { dispatcher, receivers } = setup([ok()], [ok()]);
    const { s, log } = settlement();
    await dispatcher.dispatch(msg(event({ severity: "Sev4", peakSeverity: "Sev4" })), s, signal());
    expect(log).toEqual(["complete"]);
    expect(receivers.map((r) => r.calls)).toEqual([0, 0]);
  });

  it.each([
    { attempt: 1, retryAfter: null, expected: 1000 },
    { attempt: 2, retryAfter: null, expected: 2000 },
    { attempt: 3, retryAfter: 500, expected: 4000 },
    { attempt: 1, retryAfter: 30_000, expected: 30_000 },
  ])(
    "backoff for attempt $attempt with Retry-After $retryAfter is $expected ms",
    ({ attempt, retryAfter, expected }) => {
      expect(
        backoffMs(
          attempt,
          { ok: false, status: 503, retryable: true, retryAfterMs: retryAfter, reason: "" },
          RETRY,
        ),
      ).toBe(expected);
    },
  );
});

describe("each receiver at its own pace", () => {
  const at = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const failed = (receiver: string, outcome: SendOutcome, attempts = 1): ReceiverResult => {
    if (outcome.ok) throw new Error("a failure, please");
    return { receiver, kind: "failed", permanent: !outcome.retryable, last: outcome, attempts };
  };
  const delivered = (receiver: string): ReceiverResult => ({
    receiver,
    kind: "delivered",
    status: 202,
    attempts: 1,
  });
  const pausing = (receiver: string, seconds: number): ReceiverResult => ({
    receiver,
    kind: "pausing",
    until: new Date(NOW.getTime() + seconds * 1000),
    why: "last answered 429: answered 429",
  });
  const busy = (receiver: string, seconds: number): ReceiverResult => ({
    receiver,
    kind: "busy",
    until: new Date(NOW.getTime() + seconds * 1000),
  });
  /** The decision in a line: when the copy is due, each waiting receiver's time and (its reschedules). */
  const summary = (s: Settle): string => {
    if (s.settled === "dead-letter") return `dead-letter ${s.reason}: ${s.description}`;
    if (s.settled !== "rescheduled") return s.settled;
    const waiting = s.waiting.map(
      (w) => `${w.receiver} ${at(w.notBefore.getTime())} (${w.reschedules})`,
    );
    return `rescheduled ${at(s.at.getTime())}: ${waiting.join(", ")}`;
  };

  it.each([
    {
      name: "every receiver has it",
      results: [delivered("pd"), delivered("teams")],
      expected: "complete",
    },
    {
      name: "PagerDuty failing for now, with deliveries left",
      results: [failed("pd", fail(503, true), 3), delivered("teams")],
      expected: "abandon",
    },
    {
      name: "PagerDuty still failing after the last delivery",
      results: [failed("pd", fail(503, true), 3), delivered("teams")],
      deliveryCount: 5,
      expected: "rescheduled 02:01:00: pd 02:01:00 (1)",
    },
    {
      name: "PagerDuty failing for now while Teams asks for 15 minutes",
      results: [failed("pd", fail(503, true), 3), failed("teams", fail(429, true, 900_000))],
      expected: "rescheduled 02:01:00: pd 02:01:00 (1), teams 02:15:00 (1)",
    },
    {
      name: "PagerDuty failing on a copy, rescheduled for its own sake twice before, while Teams pauses",
      results: [failed("pd", fail(503, true), 3), pausing("teams", 600)],
      copies: 5,
      reschedules: { pd: 2, teams: 1 },
      expected: "rescheduled 02:04:00: pd 02:04:00 (3), teams 02:10:00 (1)",
    },
    {
      name: "Teams pausing, PagerDuty delivered",
      results: [delivered("pd"), pausing("teams", 840)],
      copies: 1,
      reschedules: { teams: 1 },
      expected: "rescheduled 02:14:00: teams 02:14:00 (1)",
    },
    {
      name: "PagerDuty rejecting while Teams pauses",
      results: [failed("pd", fail(400, false)), pausing("teams", 840)],
      copies: 1,
      reschedules: { teams: 1 },
      expected: "rescheduled 02:14:00: teams 02:14:00 (1)",
    },
    {
      name: "PagerDuty rejecting, nobody else waiting",
      results: [failed("pd", fail(400, false)), delivered("teams")],
      expected:
        "dead-letter ReceiverRejected: receiver pd (pagerduty) failed after 1 attempt: 400: answered 400",
    },
    {
      name: "PagerDuty busy in another delivery while Teams fails for now",
      results: [busy("pd", 30), failed("teams", fail(503, true), 3)],
      expected: "rescheduled 02:00:30: pd 02:00:30 (1), teams 02:01:00 (1)",
    },
    {
      name: "Teams asking for an hour",
      results: [delivered("pd"), failed("teams", fail(429, true, 3_600_000))],
      expected: "rescheduled 02:15:00: teams 02:15:00 (1)",
    },
    {
      name: "Teams asking for a pause past the horizon",
      results: [failed("pd", fail(503, true), 3), failed("teams", fail(429, true, 900_000))],
      occurredAt: "2026-11-22T01:05:00.000Z",
      expected: "rescheduled 02:01:00: pd 02:01:00 (1), teams 02:05:00 (1)",
    },
    {
      name: "Teams still pausing at the horizon",
      results: [delivered("pd"), pausing("teams", 300)],
      copies: 2,
      occurredAt: "2026-11-22T01:00:00.000Z",
      expected:
        "dead-letter ReceiverUnavailable: receiver teams (teams) pauses until 2026-11-22T02:05:00.000Z (last answered 429: answered 429); retrying past 2026-11-22T02:00:00.000Z is not worth it",
    },
  ])(
    "settles $name",
    ({ results, deliveryCount = 1, copies = 0, reschedules = {}, occurredAt, expected }) => {
      const decision = settleFor(
        results,
        {
          event: event(occurredAt ? { occurredAt } : {}),
          deliveryCount,
          copies,
          now: NOW,
          kindOf: (name) => (name === "pd" ? "pagerduty" : "teams"),
          reschedulesOf: (name) => (reschedules as Record<string, number>)[name] ?? 0,
        },
        RETRY,
      );
      expect(summary(decision)).toBe(expected);
    },
  );

  /**
   * One event through PagerDuty and Teams answering from their scripts, as
   * Service Bus would drive it: an abandoned message redelivered at once, a
   * rescheduled copy delivered when it is due. The clock moves only by the
   * copies' times (the sleeps are not waited). Each round says when it ran,
   * whom it posted to and how it settled.
   */
  async function throughCopies(
    pd: SendOutcome[],
    teams: SendOutcome[],
    body = event(),
    /** When the dispatcher first had it: absent, this first delivery. */
    firstDispatchedAt?: string,
  ) {
    let now = NOW.getTime();
    const scripted = [
      new ScriptedReceiver("pd", "pagerduty", pd),
      new ScriptedReceiver("teams", "teams", teams),
    ];
    const posted: string[] = [];
    const receivers = new Map<string, Receiver>(
      scripted.map((r) => [
        r.name,
        {
          name: r.name,
          kind: r.kind,
          send: async () => (posted.push(r.name), r.send()),
        },
      ]),
    );
    const dispatcher = createDispatcher({
      receivers,
      routing: ROUTING,
      deliveries: new MemoryDeliveries(() => new Date(now)),
      retry: RETRY,
      logger: memoryLogger().logger,
      now: () => new Date(now),
      sleep: async () => undefined,
      random: () => 1,
    });
    let message: InboundMessage = firstDispatchedAt
      ? {
          ...msg(body),
          applicationProperties: { erwatchFirstDispatchedAt: firstDispatchedAt },
        }
      : msg(body);
    const rounds: string[] = [];
    const logs: string[] = [];
    for (let round = 0; round < 12; round += 1) {
      const { s, log, copies } = settlement();
      posted.length = 0;
      const outcome = await dispatcher.dispatch(message, s, signal());
      rounds.push(`${at(now)} ${[...new Set(posted)].join("+") || "-"}: ${outcome.settled}`);
      logs.push(...log);
      if (outcome.settled === "abandon")
        message = { ...message, deliveryCount: message.deliveryCount + 1 };
      else if (outcome.settled === "rescheduled") {
        const copy = copies[0]!;
        now = copy.at.getTime();
        message = { ...copy, deliveryCount: 1 };
      } else break;
    }
    return { rounds, logs, message };
  }

  it("should page PagerDuty within about a minute of its 503s while Teams asks for 15 minutes, and post Teams only after its pause", async () => {
    const { rounds } = await throughCopies(
      [fail(503, true), fail(503, true), fail(503, true), ok()],
      [fail(429, true, 900_000), ok()],
    );
    expect(rounds).toEqual([
      "02:00:00 pd+teams: rescheduled",
      // Teams' pause is not over: not posted to, and the copy is not held for it.
      "02:01:00 pd: rescheduled",
      "02:15:00 teams: complete",
    ]);
  });

  it("should not grow a receiver's implied 429 pause with another receiver's posts", async () => {
    // PagerDuty throttles and says nothing of how long; Teams is down, posted three times a copy.
    const { rounds, message } = await throughCopies([fail(429, true)], [fail(503, true)]);
    const pdPosts = rounds.filter((r) => / (pd|pd\+teams):/.test(r)).map((r) => r.slice(0, 8));
    // 90 s after its first post (a minute at the top of its spread), 180 s after its second:
    // its own posts, not Teams' three a copy (which would make the second 12 minutes).
    expect(pdPosts.slice(0, 3)).toEqual(["02:00:00", "02:01:30", "02:04:30"]);
    // Each receiver's count is its own.
    const paces = carried(message);
    expect(paces.pd!.posts).toBe(pdPosts.length);
    expect(paces.teams!.posts).toBe(3 * rounds.filter((r) => /teams:/.test(r)).length);
  });

  it("should dead-letter a receiver pausing past the horizon at the horizon, naming it, and page the other in the meantime", async () => {
    const { rounds, logs } = await throughCopies(
      [fail(503, true), fail(503, true), fail(503, true), ok()],
      [fail(429, true, 900_000)],
      // The horizon is five minutes away: the dispatcher first had it 55 minutes ago.
      event({ occurredAt: "2026-11-22T01:05:00.000Z" }),
      "2026-11-22T01:05:00.000Z",
    );
    expect(rounds).toEqual([
      "02:00:00 pd+teams: rescheduled",
      "02:01:00 pd: rescheduled",
      // Teams' pause is cut short to end on the horizon: it still has its last chance.
      "02:05:00 teams: dead-letter",
    ]);
    expect(logs.at(-1)).toBe(
      "dead-letter ReceiverUnavailable: receiver teams (teams) failed after 1 attempt: 429: answered 429; retrying past 2026-11-22T02:05:00.000Z is not worth it",
    );
  });

  it("should read a copy made before receivers kept their own pace: none pauses, each has the shared count of posts", async () => {
    const { dispatcher, receivers } = setup([fail(429, true)], [ok()]);
    const { s, log } = settlement();
    const outcome = await dispatcher.dispatch(
      {
        ...msg(event()),
        messageId: "erw-abc-1~r2",
        applicationProperties: { erwatchRescheduled: 2, erwatchPosted: 2 },
      },
      s,
      signal(),
    );
    expect(receivers.map((r) => r.calls)).toEqual([1, 1]);
    // Its third post: 60 s × 2² at the top of the spread.
    expect(outcome).toMatchObject({ settled: "rescheduled", at: "2026-11-22T02:06:00.000Z" });
    expect(log).toEqual(["reschedule erw-abc-1~r3 at 2026-11-22T02:06:00.000Z"]);
  });
});

describe("a blind notice, from the lifecycle to the receivers on 127.0.0.1", () => {
  const servers: RecordingReceiver[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  const CIRCUIT =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hybrid-core/providers/Microsoft.Network/expressRouteCircuits/er-circuit-prod";
  const TITLE =
    "Layer 2 down on the primary and secondary paths of AzurePrivatePeering: ARP table empty — traffic stopped";
  // The Sev0 paged at 01:00 and last read then; at 02:00 erwatch has been blind an hour.
  const held: AlertState = {
    key: "erw-9d1c0b6e4a2f48e1b3c5d7e9f1a3b5c7",
    family: "path-down",
    circuitId: CIRCUIT,
    circuitName: "er-circuit-prod",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 3,
    consecutiveClean: 0,
    firstSeen: "2026-11-22T00:50:00.000Z",
    condition: {
      code: "arp-missing",
      severity: "Sev0",
      layer: "provider",
      owner: "carrier",
      paths: ["primary", "secondary"],
      title: TITLE,
      nextAction: "Open a ticket with Equinix for the primary and secondary path.",
      evidence: { arp: { primary: [], secondary: [] } },
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: ["primary", "secondary"],
      title: TITLE,
      at: "2026-11-22T01:00:00.000Z",
      sequence: 1,
    },
    sequence: 1,
    lastEvaluatedAt: "2026-11-22T01:55:00.000Z",
    lastFiringAt: "2026-11-22T01:00:00.000Z",
    lastCleanAt: null,
  };

  it("reaches PagerDuty, Teams and the webhook saying BLIND, since when, and as last seen", async () => {
    const decision = blindNotice(held, { now: NOW, blindAfterMs: 15 * 60_000, held: false });
    if (!decision || decision.action === "none") throw new Error("no blind notice decided");
    const verdict = subjectVerdict(
      {
        id: CIRCUIT,
        name: "er-circuit-prod",
        subscriptionId: "00000000-0000-0000-0000-000000000001",
        resourceGroup: "rg-hybrid-core",
      },
      NOW,
    );
    const event = buildAlertEvent(decision.next, decision.event, verdict, NOW);
    // The event says since when as a field, not only inside its change sentence.
    expect(event.blindSince).toBe("2026-11-22T01:00:00.000Z");
    // Only what crosses the queue: JSON.
    const body: unknown = JSON.parse(JSON.stringify(event));

    const [pdServer, teamsServer, hookServer] = await Promise.all(
      ["pd", "teams", "itsm"].map((name) => startRecordingReceiver({ name })),
    );
    servers.push(pdServer!, teamsServer!, hookServer!);
    const options = { timeoutMs: 2_000, statusUrl: "https://erwatch.example.net/status" };
    const receivers = new Map<string, Receiver>([
      [
        "pd",
        createReceiver(
          {
            kind: "pagerduty",
            name: "pd",
            routingKey: "R0ut1ngK3y",
            url: `${pdServer!.url}/v2/enqueue`,
          },
          options,
        ),
      ],
      [
        "teams",
        createReceiver({ kind: "teams", name: "teams", url: `${teamsServer!.url}/hook` }, options),
      ],
      [
        "itsm",
        createReceiver(
          { kind: "webhook", name: "itsm", url: `${hookServer!.url}/alerts` },
          options,
        ),
      ],
    ]);
    const dispatcher = createDispatcher({
      receivers,
      routing: {
        actionGroups: [{ name: "on-call", receivers: ["pd", "teams", "itsm"] }],
        routes: [{ name: "page", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] }],
      },
      deliveries: new MemoryDeliveries(() => NOW),
      retry: RETRY,
      logger: memoryLogger().logger,
      now: () => NOW,
      sleep: async () => undefined,
    });
    const { s, log } = settlement();
    const outcome = await dispatcher.dispatch(
      { messageId: event.id, body, deliveryCount: 1 },
      s,
      signal(),
    );
    expect(log).toEqual(["complete"]);
    expect(outcome).toMatchObject({ delivered: ["pd", "teams", "itsm"] });

    // PagerDuty: the same incident (dedup_key), BLIND and since when first.
    const pd = pdServer!.requests[0]!.body as {
      event_action: string;
      dedup_key: string;
      payload: { summary: string; custom_details: Record<string, unknown> };
    };
    expect(pd).toMatchObject({ event_action: "trigger", dedup_key: held.key });
    expect(pd.payload.summary).toBe(
      `BLIND: erwatch cannot see er-circuit-prod since 2026-11-22 01:00 UTC; the incident stands as last seen, not resolved: ${TITLE}`,
    );
    expect(pd.payload.custom_details).toMatchObject({
      blindSince: "2026-11-22T01:00:00.000Z",
      action: "repeat",
      sequence: 2,
    });

    // Teams: the headline, then the notice before anything else.
    const card = (
      teamsServer!.requests[0]!.body as {
        attachments: { content: { body: { items?: { text: string }[] }[] } }[];
      }
    ).attachments[0]!.content;
    expect(card.body[0]!.items!.map((i) => i.text)).toEqual([
      "BLIND Sev0 · er-circuit-prod",
      `Last seen: ${TITLE}`,
    ]);
    expect(card.body[1]!.items!.map((i) => i.text)).toEqual([
      "**Blind:** erwatch cannot see this circuit since {{DATE(2026-11-22T01:00:00Z, SHORT)}} {{TIME(2026-11-22T01:00:00Z)}} (1 h before this message).",
      // Its condition carries no ticket: the card shows none to stand.
      "**Stands:** as last seen, neither resolved nor changed: the title above and the evidence below are its last reading, not news.",
      "**Look at:** the monitoring-blind alert of this circuit or of its subscription (it names the read that fails and what to do); the erwatch status page (button below).",
    ]);

    // The webhook: the time as a field.
    const hook = hookServer!.requests[0]!.body as {
      data: { alertContext: Record<string, unknown> };
    };
    expect(hook.data.alertContext).toMatchObject({
      action: "repeat",
      blindSince: "2026-11-22T01:00:00.000Z",
    });
  });
});
