import { describe, expect, it } from "vitest";
import {
  backoffMs,
  createDispatcher,
  type RetryPolicy,
} from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog, Settlement } from "../../src/app/dispatch/ports.js";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { memoryLogger } from "../support/test-logger.js";

function event(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    version: 1,
    id: "erw-abc-1",
    action: "open",
    key: "erw-abc",
    sequence: 1,
    episodeId: "erw-abc-1",
    family: "path-down",
    code: "no-prefixes-received",
    severity: "Sev0",
    previousSeverity: null,
    peakSeverity: "Sev0",
    layer: "routes",
    owner: "you",
    title: "Session up but 0 prefixes received",
    change: "New",
    nextAction: "Check advertisements",
    circuit: {
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er1",
      name: "er1",
      subscriptionId: "s",
      resourceGroup: "rg",
      tags: {},
      serviceKey: "k",
      serviceProviderName: "Equinix",
      peeringLocation: "SV",
    },
    peering: "AzurePrivatePeering",
    paths: ["primary", "secondary"],
    evidence: {},
    ticket: null,
    layerTable: null,
    firstSeen: "2026-11-22T02:00:00.000Z",
    occurredAt: "2026-11-22T02:00:00.000Z",
    ...overrides,
  };
}

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

class MemoryDeliveries implements DeliveryLog {
  rows = new Map<string, Set<string>>();
  async delivered(id: string) {
    return new Set(this.rows.get(id) ?? []);
  }
  async record(id: string, receiver: string) {
    this.rows.set(id, new Set([...(this.rows.get(id) ?? []), receiver]));
  }
}

function settlement() {
  const log: string[] = [];
  const s: Settlement = {
    complete: async () => void log.push("complete"),
    abandon: async (reason) => void log.push(`abandon: ${reason}`),
    deadLetter: async (reason, description) =>
      void log.push(`dead-letter ${reason}: ${description}`),
  };
  return { s, log };
}

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
const RETRY: RetryPolicy = {
  attemptsPerDelivery: 3,
  baseDelayMs: 1000,
  maxWaitMs: 60_000,
  maxDeliveries: 5,
};

function setup(pd: SendOutcome[], teams: SendOutcome[], deliveries = new MemoryDeliveries()) {
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
    retry: RETRY,
    logger,
    now: () => new Date("2026-11-22T02:00:00Z"),
    sleep: async (ms) => void slept.push(ms),
  });
  return { dispatcher, receivers, slept, deliveries, lines };
}

const msg = (body: unknown, deliveryCount = 1) => ({ messageId: "erw-abc-1", body, deliveryCount });
const signal = () => AbortSignal.timeout(10_000);

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

  it("should give the message back when attempts run out, and skip receivers that already have it on redelivery", async () => {
    const deliveries = new MemoryDeliveries();
    const first = setup([ok()], [fail(503, true)], deliveries);
    const a = settlement();
    await first.dispatcher.dispatch(msg(event(), 1), a.s, signal());
    expect(a.log).toEqual([
      "abandon: receiver teams (teams) failed after 3 attempt(s): 503: answered 503",
    ]);
    const again = setup([ok()], [ok()], deliveries);
    const b = settlement();
    const outcome = await again.dispatcher.dispatch(msg(event(), 2), b.s, signal());
    expect(b.log).toEqual(["complete"]);
    expect(outcome).toEqual({ settled: "complete", delivered: ["teams"], skipped: ["pd"] });
    // PagerDuty was not paged twice.
    expect(again.receivers[0]!.calls).toBe(0);
  });

  it("should hand back at once when Retry-After is longer than a delivery may wait", async () => {
    const { dispatcher, receivers, slept } = setup([ok()], [fail(429, true, 600_000)]);
    const { s, log } = settlement();
    await dispatcher.dispatch(msg(event()), s, signal());
    expect(receivers[1]!.calls).toBe(1);
    expect(slept).toEqual([]);
    expect(log[0]).toMatch(/^abandon: receiver teams/);
  });

  it("should dead-letter after the last delivery naming the receiver and its last status", async () => {
    const { dispatcher } = setup([ok()], [fail(503, true)]);
    const { s, log } = settlement();
    await dispatcher.dispatch(msg(event(), 5), s, signal());
    expect(log).toEqual([
      "dead-letter ReceiverUnavailable: receiver teams (teams) failed after 3 attempt(s): 503: answered 503",
    ]);
  });

  it("should dead-letter at once on a permanent 4xx without retrying", async () => {
    const { dispatcher, receivers } = setup([fail(400, false)], [ok()]);
    const { s, log } = settlement();
    await dispatcher.dispatch(msg(event()), s, signal());
    expect(receivers[0]!.calls).toBe(1);
    expect(log).toEqual([
      "dead-letter ReceiverRejected: receiver pd (pagerduty) failed after 1 attempt(s): 400: answered 400",
    ]);
  });

  it.each([
    { name: "bad JSON", body: "{not json", reason: "InvalidJson" },
    { name: "unknown version", body: { ...event(), version: 7 }, reason: "UnknownVersion" },
    { name: "not an object", body: 42, reason: "NotAnAlertEvent" },
    { name: "missing fields", body: { version: 1, id: "x" }, reason: "InvalidEvent" },
  ])(
    "should dead-letter a poison message ($name) at once without touching receivers",
    async ({ body, reason }) => {
      const { dispatcher, receivers } = setup([ok()], [ok()]);
      const { s, log } = settlement();
      await dispatcher.dispatch(msg(body), s, signal());
      expect(log).toHaveLength(1);
      expect(log[0]).toMatch(new RegExp(`^dead-letter ${reason}: `));
      expect(receivers.map((r) => r.calls)).toEqual([0, 0]);
    },
  );

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
