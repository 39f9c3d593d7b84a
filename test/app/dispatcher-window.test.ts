// README "The one window": a receiver answered 2xx to a resolve, and the
// record of it was not written. The open before it, still being retried, must
// not be posted after it: the delivery log remembers which event's post was
// started (on the posting lease, before the post) and the open is stale. Run
// over the in-memory fake and over the Table Storage adapter on Azurite.

import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableDeliveryLog } from "../../src/adapters/tables/delivery-log.js";
import { createDispatcher, type DispatcherDeps } from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog } from "../../src/app/dispatch/ports.js";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00Z");
const ROUTING: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd", "teams"] }],
  routes: [{ name: "page", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] }],
};

const OPEN = event();
const RESOLVE = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });

const ok = (status = 202): SendOutcome => ({ ok: true, status });
const fail = (status: number, retryable: boolean): SendOutcome => ({
  ok: false,
  status,
  retryable,
  retryAfterMs: null,
  reason: `answered ${status}`,
});

const settlement = () => recordingSettlement();

const storageDown = () =>
  Object.assign(new Error("recording failed: 503 ServerBusy"), { name: "StateStoreError" });

/** The log with Table Storage failing on chosen calls: one "delivered" write, or every lease. */
function faulty(log: DeliveryLog) {
  const faults = { delivered: new Set<string>(), lease: false };
  const wrapped: DeliveryLog = {
    claim: (...args) => log.claim(...args),
    delivered: async (key, eventId, receiver, sequence, detail) => {
      if (faults.delivered.delete(`${eventId}|${receiver}`)) throw storageDown();
      return log.delivered(key, eventId, receiver, sequence, detail);
    },
    release: (...args) => log.release(...args),
    lastSequence: (...args) => log.lastSequence(...args),
    lease: async (...args) => {
      if (faults.lease) throw storageDown();
      return log.lease(...args);
    },
    unlease: (...args) => log.unlease(...args),
    attempted: async (...args) => log.attempted(...args),
  };
  return { log: wrapped, faults };
}

let azurite: Azurite | undefined;
let tables = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const LOGS: { name: string; make: (now: () => Date) => Promise<DeliveryLog> }[] = [
  { name: "in memory", make: async (now) => new MemoryDeliveries(now) },
  {
    name: "on Table Storage (Azurite)",
    make: async (now) => {
      tables += 1;
      const table = TableClient.fromConnectionString(
        azurite!.connectionString,
        `dw${process.pid}n${tables}`,
        { allowInsecureConnection: true },
      );
      const log = new TableDeliveryLog(table, now);
      await log.ensureTable();
      return log;
    },
  },
];

describe.each(LOGS)("the one window, delivery log $name", ({ make }) => {
  /** PagerDuty answering as `answer` says, remembering what it was sent; Teams taking everything. */
  async function world(answer: (e: AlertEvent) => SendOutcome, routing: Routing = ROUTING) {
    let now = NOW.getTime();
    const clock = () => new Date(now);
    const { log, faults } = faulty(await make(clock));
    const heard: string[] = [];
    /** Posts that went out before their attempt was recorded: none. */
    const unrecorded: string[] = [];
    const pd: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async (e) => {
        // The attempt is recorded before the post goes out.
        const attempted = await log.attempted(e.key, "pd").catch(() => 0);
        if (attempted < e.sequence)
          unrecorded.push(`${e.action} posted with ${attempted} attempted`);
        const outcome = answer(e);
        heard.push(`${e.action}:${outcome.status}`);
        return outcome;
      },
    };
    const teams: Receiver = { name: "teams", kind: "teams", send: async () => ok() };
    const { logger, lines } = memoryLogger();
    const dispatcher = (sleep: DispatcherDeps["sleep"] = async (ms) => void (now += ms)) =>
      createDispatcher({
        receivers: new Map([
          ["pd", pd],
          ["teams", teams],
        ]),
        routing,
        deliveries: log,
        retry: RETRY,
        logger,
        now: clock,
        sleep,
      });
    const send = async (e: AlertEvent, deliveryCount: number) => {
      const { s, log: settled } = settlement();
      const outcome = await dispatcher().dispatch(
        { messageId: e.id, body: e, deliveryCount },
        s,
        AbortSignal.timeout(10_000),
      );
      return { outcome, settled };
    };
    return {
      log,
      faults,
      heard,
      unrecorded,
      lines,
      dispatcher,
      send,
      pass: (ms: number) => void (now += ms),
    };
  }

  it("never posts an open after its resolve that the receiver took unrecorded; the resolve is posted again and recorded", async () => {
    let pdDown = true;
    const w = await world(() => (pdDown ? fail(503, true) : ok()));
    // The open: PagerDuty answers 503 each attempt; the message goes back to Service Bus.
    expect((await w.send(OPEN, 1)).outcome.settled).toBe("abandon");
    // PagerDuty is back and takes the open it never had, then the resolve, but
    // the resolve's "delivered" record is not written.
    pdDown = false;
    w.faults.delivered.add("erw-abc-2|pd");
    const resolved = await w.send(RESOLVE, 1);
    expect(resolved.settled).toEqual([
      "abandon: receiver pd (pagerduty) failed after 0 attempts: no response: delivery could not be claimed or recorded: StateStoreError",
    ]);
    expect(await w.log.lastSequence("erw-abc", "pd")).toBe(1);
    // The resolve's claim runs out; the open is delivered again first.
    w.pass(RETRY.claimMs + 1_000);
    const reopened = await w.send(OPEN, 2);
    expect(w.heard).toEqual(["open:503", "open:503", "open:503", "open:202", "resolve:202"]);
    expect(reopened.outcome).toEqual({
      settled: "complete",
      delivered: [],
      skipped: ["pd", "teams"],
    });
    // The resolve comes back: posted again (the one window's duplicate) and
    // recorded; the open it carried was recorded, so it is not paged again.
    const again = await w.send(RESOLVE, 2);
    expect(again.outcome).toEqual({ settled: "complete", delivered: ["pd"], skipped: ["teams"] });
    // PagerDuty never hears the open after the resolve: it ends resolved.
    expect(w.heard).toEqual([
      "open:503",
      "open:503",
      "open:503",
      "open:202",
      "resolve:202",
      "resolve:202",
    ]);
    expect(await w.log.lastSequence("erw-abc", "pd")).toBe(2);
    // Both are settled for good: a further redelivery posts nothing.
    expect(
      await w.log.claim("erw-abc", "erw-abc-1", "pd", "x", new Date(NOW.getTime() + 1e9)),
    ).toEqual({ kind: "delivered" });
    expect((await w.send(RESOLVE, 3)).outcome).toMatchObject({
      settled: "complete",
      delivered: [],
    });
    expect(w.heard).toHaveLength(6);
    expect(w.unrecorded).toEqual([]);
  });

  it("drops the open when it retries after a stall that outlived its lease, during which the resolve was taken unrecorded", async () => {
    let openFailed = false;
    const w = await world((e) => {
      if (e.action === "open" && !openFailed) return ((openFailed = true), fail(503, true));
      return ok();
    });
    // The open's backoff is held (a stalled instance) until the resolve went through.
    let asleep!: () => void;
    const sleeping = new Promise<void>((resolve) => (asleep = resolve));
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const opening = w
      .dispatcher(async () => (asleep(), woken))
      .dispatch(
        { messageId: OPEN.id, body: OPEN, deliveryCount: 1 },
        settlement().s,
        AbortSignal.timeout(10_000),
      );
    await sleeping;
    // The stall outlasts the open's claims; the resolve is taken with the open
    // it carries (PagerDuty had none), both records lost.
    w.pass(RETRY.claimMs + 1_000);
    w.faults.delivered.add("erw-abc-1|pd");
    w.faults.delivered.add("erw-abc-2|pd");
    expect((await w.send(RESOLVE, 1)).outcome.settled).toBe("abandon");
    wake();
    // The open's retry reads what was attempted meanwhile: not posted after the resolve.
    expect(await opening).toMatchObject({ settled: "complete", skipped: ["pd"] });
    expect(w.heard).toEqual(["open:503", "open:202", "resolve:202"]);
    expect(w.lines().join("\n")).toContain("stale: pd was already sent event 2 of this alert");
    expect(w.unrecorded).toEqual([]);
  });

  it("drops an open behind a resolve the receiver rejected for good: the later event superseded it", async () => {
    let pdDown = true;
    const w = await world((e) =>
      pdDown ? fail(503, true) : e.action === "resolve" ? fail(400, false) : ok(),
    );
    expect((await w.send(OPEN, 1)).outcome.settled).toBe("abandon");
    pdDown = false;
    // The open the resolve carries is taken, its record lost.
    w.faults.delivered.add("erw-abc-1|pd");
    const resolved = await w.send(RESOLVE, 1);
    expect(resolved.outcome).toMatchObject({ settled: "dead-letter", reason: "ReceiverRejected" });
    const reopened = await w.send(OPEN, 2);
    expect(reopened.outcome).toMatchObject({ settled: "complete", skipped: ["pd", "teams"] });
    expect(w.heard).toEqual(["open:503", "open:503", "open:503", "open:202", "resolve:400"]);
    expect(w.lines().join("\n")).toContain(
      "stale: pd was already sent event 2 of this alert, later than 1 (open); taken or not, that event supersedes this one",
    );
  });

  it("posts nothing when the attempt cannot be recorded, and counts it as the receiver's failure for now", async () => {
    const w = await world(() => ok());
    w.faults.lease = true;
    const first = await w.send(OPEN, 1);
    expect(first.settled).toEqual([
      "abandon: receiver pd (pagerduty) failed after 0 attempts: no response: delivery could not be claimed or recorded: StateStoreError; receiver teams (teams) failed after 0 attempts: no response: delivery could not be claimed or recorded: StateStoreError",
    ]);
    expect(w.heard).toEqual([]);
    // Storage back, and the event claims it left have run out: delivered.
    w.faults.lease = false;
    w.pass(RETRY.claimMs + 1_000);
    expect((await w.send(OPEN, 2)).outcome).toMatchObject({
      settled: "complete",
      delivered: ["pd", "teams"],
    });
    expect(w.heard).toEqual(["open:202"]);
  });

  it("still posts an event retried after its own attempt: only a later one makes it stale", async () => {
    let pdDown = true;
    const w = await world(() => (pdDown ? fail(503, true) : ok()));
    expect((await w.send(OPEN, 1)).outcome.settled).toBe("abandon");
    pdDown = false;
    expect((await w.send(OPEN, 2)).outcome).toMatchObject({
      settled: "complete",
      delivered: ["pd"],
    });
    expect(w.heard).toEqual(["open:503", "open:503", "open:503", "open:202"]);
    expect(w.unrecorded).toEqual([]);
  });

  it("sends the resolve to a receiver an opens-only route was still trying to page: its open is then stale", async () => {
    // PagerDuty pages on opens only; resolves follow whoever was told (send_resolved).
    const routing: Routing = {
      actionGroups: [
        { name: "pager", receivers: ["pd"] },
        { name: "chat", receivers: ["teams"] },
      ],
      routes: [
        { name: "page", match: { actions: ["open"] }, actionGroups: ["pager"] },
        { name: "all", match: {}, actionGroups: ["chat"] },
      ],
    };
    let pdDown = true;
    const w = await world(() => (pdDown ? fail(503, true) : ok()), routing);
    expect((await w.send(OPEN, 1)).outcome.settled).toBe("abandon");
    // The outage is over before PagerDuty took the open: the resolve goes to
    // it too, the open first (a resolve alone closes nothing there).
    pdDown = false;
    expect((await w.send(RESOLVE, 1)).outcome).toEqual({
      settled: "complete",
      delivered: ["teams", "pd"],
      skipped: [],
    });
    // The open's redelivery posts nothing: PagerDuty was paged late and ends resolved.
    expect((await w.send(OPEN, 2)).outcome).toMatchObject({ settled: "complete", delivered: [] });
    expect(w.heard).toEqual(["open:503", "open:503", "open:503", "open:202", "resolve:202"]);
  });
});
