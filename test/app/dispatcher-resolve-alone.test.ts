// A page the dispatcher routed to PagerDuty whose delivery storage gave up
// (STORAGE_TIMEOUT_MS fired on the delivery log: a hung Table Storage, or a
// machine too loaded to hear it in time) must not be lost to its own resolve.
// The open is handed back to Service Bus and retried, but its resolve, right
// behind it (both leave the outbox together after a broker outage, and the
// storage soak dispatches a whole run at once), reached PagerDuty first: the
// open was then stale, and PagerDuty, which ignores a resolve for an incident
// it never had, heard nothing of a Sev0. Storage is injected failing at the
// exact call, on the injected clock: no load, no timing luck.

import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog, InboundMessage } from "../../src/app/dispatch/ports.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import { buildPagerDutyEvent } from "../../src/adapters/receivers/pagerduty/payload.js";
import { StateStoreError } from "../../src/adapters/tables/errors.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T02:30:00Z");
const OPEN = event({ title: "Both paths down", change: "New" });
const RESOLVE = event({
  id: "erw-abc-2",
  sequence: 2,
  action: "resolve",
  // What its receivers were last told: the open's title and grade.
  title: "Both paths down",
  previousSeverity: "Sev0",
  change: "Resolved after 25 min",
  resolution: "both paths up",
  occurredAt: "2026-11-22T02:25:00.000Z",
});

/** Every event of the alert pages PagerDuty and tells the channel. */
const ROUTING: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd", "teams"] }],
  routes: [{ name: "page", match: {}, actionGroups: ["on-call"] }],
};

const timedOut = (doing: string) =>
  new StateStoreError(`${doing} failed: no answer within 2000 ms`);

/** What PagerDuty and Teams were posted, as they would be sent it. */
function receivers() {
  const pd: string[] = [];
  const pdBodies: ReturnType<typeof buildPagerDutyEvent>[] = [];
  const teams: string[] = [];
  const map = new Map<string, Receiver>([
    [
      "pd",
      {
        name: "pd",
        kind: "pagerduty",
        send: async (e) => {
          const body = buildPagerDutyEvent(e, "routing-key");
          pd.push(body.event_action);
          pdBodies.push(body);
          return { ok: true, status: 202 };
        },
      },
    ],
    [
      "teams",
      {
        name: "teams",
        kind: "teams",
        send: async (e) => (teams.push(e.action), { ok: true, status: 202 }),
      },
    ],
  ]);
  return { map, pd, pdBodies, teams };
}

function setup(deliveries: DeliveryLog, now: { t: number }) {
  const r = receivers();
  const { logger, lines } = memoryLogger();
  const dispatcher = createDispatcher({
    receivers: r.map,
    routing: ROUTING,
    deliveries,
    retry: RETRY,
    logger,
    now: () => new Date(now.t),
    sleep: async () => {},
  });
  return { ...r, dispatcher, lines };
}

const msg = (e: AlertEvent, deliveryCount = 1, messageId = e.id): InboundMessage => ({
  messageId,
  body: e,
  deliveryCount,
});
const signal = () => AbortSignal.timeout(10_000);

/** The memory log, with one call failing as a hung Table Storage call fails. */
function failingOnce(
  inner: MemoryDeliveries,
  which: "claim" | "lease",
  when: (eventOrKey: string, receiver: string) => boolean,
  landed: boolean,
): DeliveryLog {
  let failed = false;
  return {
    claim: async (key, eventId, receiver, claimant, until) => {
      if (which !== "claim" || failed || !when(eventId, receiver))
        return inner.claim(key, eventId, receiver, claimant, until);
      failed = true;
      if (landed) await inner.claim(key, eventId, receiver, claimant, until);
      throw timedOut(`claiming ${eventId} for ${receiver}`);
    },
    lease: async (key, receiver, claimant, until, sequence) => {
      if (which !== "lease" || failed || !when(`${key}-${sequence}`, receiver))
        return inner.lease(key, receiver, claimant, until, sequence);
      failed = true;
      // The write lands; its answer does not come back before the deadline.
      if (landed) await inner.lease(key, receiver, claimant, until, sequence);
      throw timedOut(`taking the posting lease of ${key} for ${receiver}`);
    },
    delivered: (...a) => inner.delivered(...a),
    release: (...a) => inner.release(...a),
    lastSequence: (...a) => inner.lastSequence(...a),
    unlease: (...a) => inner.unlease(...a),
    attempted: (...a) => inner.attempted(...a),
  };
}

const openAtPd = (id: string, receiver: string) => id === OPEN.id && receiver === "pd";

describe("a Sev0 open whose delivery storage gave up, with its resolve right behind it", () => {
  it("pages PagerDuty before the resolve when the open's claim found no answer in time", async () => {
    const now = { t: T0 };
    const memory = new MemoryDeliveries(() => new Date(now.t));
    const { dispatcher, pd, pdBodies, teams, lines } = setup(
      failingOnce(memory, "claim", openAtPd, false),
      now,
    );
    // As `erwatch dispatch` (and the soak's drain) takes them: in one receive, in order.
    const [opened, resolved] = await Promise.all([
      dispatcher.dispatch(msg(OPEN), recordingSettlement().s, signal(), true),
      dispatcher.dispatch(msg(RESOLVE), recordingSettlement().s, signal(), true),
    ]);
    expect(opened.settled).toBe("abandon");
    expect(resolved).toMatchObject({ settled: "complete", delivered: ["pd", "teams"] });
    // The open's redelivery, once the resolve went: PagerDuty has the page already.
    const again = await dispatcher.dispatch(msg(OPEN, 2), recordingSettlement().s, signal(), true);
    expect(again).toMatchObject({ settled: "complete" });
    // Without the open first, the resolve closed nothing and the Sev0 never paged.
    expect(pd).toEqual(["trigger", "resolve"]);
    const trigger = pdBodies[0]!;
    expect(trigger).toMatchObject({
      event_action: "trigger",
      dedup_key: OPEN.key,
      payload: {
        severity: "critical",
        summary: "er1: LATE, already resolved: Both paths down",
        custom_details: { action: "open", sequence: 1, episodeId: OPEN.episodeId },
      },
    });
    expect(JSON.stringify(trigger)).toContain("resolved at 2026-11-22 02:25 UTC");
    // Teams' resolve card says what it was, since when and for how long: it goes alone.
    expect(teams).toEqual(["open", "resolve"]);
    expect(lines().join("\n")).toContain("sent PagerDuty the page it never had");
  });

  it("pages PagerDuty before the resolve when the open's lease landed and its answer was lost", async () => {
    const now = { t: T0 };
    const memory = new MemoryDeliveries(() => new Date(now.t));
    const { dispatcher, pd } = setup(failingOnce(memory, "lease", openAtPd, true), now);
    const first = await dispatcher.dispatch(msg(OPEN), recordingSettlement().s, signal());
    expect(first.settled).toBe("abandon");
    // The open is recorded as attempted there, though it was never posted.
    expect(await memory.attempted(OPEN.key, "pd")).toBe(1);
    const resolved = await dispatcher.dispatch(msg(RESOLVE), recordingSettlement().s, signal());
    expect(resolved).toMatchObject({ settled: "complete", delivered: ["pd", "teams"] });
    const late = await dispatcher.dispatch(
      msg(OPEN, 1, `${OPEN.id}~r1`),
      recordingSettlement().s,
      signal(),
    );
    expect(late).toMatchObject({ settled: "complete" });
    expect(pd).toEqual(["trigger", "resolve"]);
  });

  it("posts the open and the resolve once each when PagerDuty had the open already", async () => {
    const now = { t: T0 };
    const { dispatcher, pd } = setup(new MemoryDeliveries(() => new Date(now.t)), now);
    await dispatcher.dispatch(msg(OPEN), recordingSettlement().s, signal());
    await dispatcher.dispatch(msg(RESOLVE), recordingSettlement().s, signal());
    expect(pd).toEqual(["trigger", "resolve"]);
  });

  it("pages the escalation it never had, as last told, and drops both lost events when they come", async () => {
    const now = { t: T0 };
    const memory = new MemoryDeliveries(() => new Date(now.t));
    const { dispatcher, pd, pdBodies } = setup(memory, now);
    const escalate = event({
      id: "erw-abc-2",
      sequence: 2,
      action: "escalate",
      severity: "Sev0",
      previousSeverity: "Sev2",
      title: "Both paths down",
    });
    const resolve = { ...RESOLVE, id: "erw-abc-3", sequence: 3 };
    // Neither the open (Sev2) nor its escalation reached the dispatcher in time.
    expect(
      await dispatcher.dispatch(msg(resolve), recordingSettlement().s, signal()),
    ).toMatchObject({ settled: "complete", delivered: ["pd", "teams"] });
    expect(pdBodies[0]).toMatchObject({
      event_action: "trigger",
      payload: { severity: "critical", custom_details: { action: "repeat", sequence: 2 } },
    });
    for (const late of [OPEN, escalate])
      expect(await dispatcher.dispatch(msg(late), recordingSettlement().s, signal())).toMatchObject(
        { settled: "complete", delivered: [] },
      );
    expect(pd).toEqual(["trigger", "resolve"]);
  });

  it("sends the page again on the resolve's redelivery when PagerDuty refused it for now", async () => {
    const now = { t: T0 };
    const memory = new MemoryDeliveries(() => new Date(now.t));
    const { dispatcher, pd, map } = setup(memory, now);
    const real = map.get("pd")!;
    let down = true;
    map.set("pd", {
      ...real,
      send: async (e, o) =>
        down
          ? { ok: false, retryable: true, status: 503, retryAfterMs: null, reason: "503" }
          : real.send(e, o),
    });
    const first = await dispatcher.dispatch(msg(RESOLVE), recordingSettlement().s, signal());
    expect(first.settled).toBe("abandon");
    down = false;
    const again = await dispatcher.dispatch(msg(RESOLVE, 2), recordingSettlement().s, signal());
    expect(again).toMatchObject({ settled: "complete", delivered: ["pd"] });
    expect(pd).toEqual(["trigger", "resolve"]);
  });

  it("does not page again after a resolve PagerDuty took unrecorded: the resolve alone is posted again", async () => {
    const now = { t: T0 };
    const memory = new MemoryDeliveries(() => new Date(now.t));
    let lost = false;
    const { dispatcher, pd } = setup(
      {
        ...failingOnce(memory, "claim", () => false, false),
        delivered: async (key, eventId, receiver, sequence, detail) => {
          // Both records lost: the page's and the resolve's.
          if (receiver === "pd" && !lost) {
            if (eventId === RESOLVE.id) lost = true;
            throw timedOut(`recording delivery of ${eventId} to ${receiver}`);
          }
          return memory.delivered(key, eventId, receiver, sequence, detail);
        },
      },
      now,
    );
    expect(
      (await dispatcher.dispatch(msg(RESOLVE), recordingSettlement().s, signal())).settled,
    ).toBe("abandon");
    now.t += RETRY.claimMs + 1_000;
    expect(
      await dispatcher.dispatch(msg(RESOLVE, 2), recordingSettlement().s, signal()),
    ).toMatchObject({ settled: "complete", delivered: ["pd"] });
    // The one window's duplicate is the resolve again, never a page after it.
    expect(pd).toEqual(["trigger", "resolve", "resolve"]);
  });

  it("retries the resolve alone when PagerDuty took the late page and refused the resolve for now", async () => {
    const now = { t: T0 };
    const memory = new MemoryDeliveries(() => new Date(now.t));
    const { dispatcher, pd, map } = setup(memory, now);
    const real = map.get("pd")!;
    let resolves = 0;
    map.set("pd", {
      ...real,
      send: async (e, o) =>
        e.action === "resolve" && (resolves += 1) === 1
          ? { ok: false, retryable: true, status: 503, retryAfterMs: null, reason: "503" }
          : real.send(e, o),
    });
    // The open never reached the dispatcher in time: the resolve comes alone.
    const resolved = await dispatcher.dispatch(msg(RESOLVE), recordingSettlement().s, signal());
    expect(resolved).toMatchObject({ settled: "complete", delivered: ["pd", "teams"] });
    // PagerDuty: the 503 to the resolve is retried without paging the open twice.
    expect(pd).toEqual(["trigger", "resolve"]);
    expect(memory.deliveredTo(OPEN.id)).toEqual(["pd"]);
  });
});
