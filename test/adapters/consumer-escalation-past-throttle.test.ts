// `erwatch dispatch`, the real dispatcher over the loopback broker: a Sev2
// open goes to Teams, which answers 429 with Retry-After 60; the alert then
// escalates to Sev0, for Teams and PagerDuty. PagerDuty must be paged while
// Teams' minute is still being waited out: a turn per whole event held the
// escalation behind the open's wait (up to DISPATCH_RETRY_MAX_WAIT_MS). Teams
// still hears the open before the escalation. The dispatcher's sleeps are held
// by the test, never waited in real time.

import { afterEach, expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { Routing } from "../../src/core/routing.js";
import { dispatching, gate, startedBroker, until } from "../support/dispatch-harness.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { memoryLogger } from "../support/test-logger.js";
import { ServiceBusClient } from "@azure/service-bus";

const ALERTS = "alerts";
const NOW = new Date("2026-11-22T02:00:00Z");
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
});

const ROUTING: Routing = {
  actionGroups: [
    { name: "chat", receivers: ["teams"] },
    { name: "on-call", receivers: ["pd"] },
  ],
  routes: [
    { name: "everything", match: {}, actionGroups: ["chat"] },
    { name: "page", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] },
  ],
};

const OPEN = event({
  id: "erw-abc-1",
  sequence: 1,
  action: "open",
  severity: "Sev2",
  peakSeverity: "Sev2",
});
const ESCALATE = event({
  id: "erw-abc-2",
  sequence: 2,
  action: "escalate",
  severity: "Sev0",
  previousSeverity: "Sev2",
  peakSeverity: "Sev0",
});

it("pages PagerDuty with the escalation while Teams' Retry-After on the open is waited out, and Teams hears both in order", async () => {
  const { broker } = await startedBroker(cleanups, ALERTS);
  const heard: string[] = [];
  let teamsAnswers = 0;
  const teams: Receiver = {
    name: "teams",
    kind: "teams",
    send: async (e: AlertEvent) => {
      teamsAnswers += 1;
      if (teamsAnswers === 1)
        return { ok: false, retryable: true, status: 429, retryAfterMs: 60_000, reason: "429" };
      heard.push(`teams ${e.action}`);
      return { ok: true, status: 200 };
    },
  };
  const pd: Receiver = {
    name: "pd",
    kind: "pagerduty",
    send: async (e: AlertEvent) => (heard.push(`pd ${e.action}`), { ok: true, status: 202 }),
  };
  const sleeps: number[] = [];
  const minuteOver = gate();
  const dispatcher = createDispatcher({
    receivers: new Map([
      ["teams", teams],
      ["pd", pd],
    ]),
    routing: ROUTING,
    deliveries: new MemoryDeliveries(() => NOW),
    retry: RETRY,
    logger: memoryLogger().logger,
    now: () => NOW,
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      const stopped = new Promise<void>((resolve) =>
        signal?.addEventListener("abort", () => resolve(), { once: true }),
      );
      await Promise.race([minuteOver.promise, stopped]);
    },
  });
  const { ctrlC } = dispatching(broker, dispatcher, cleanups, { entity: ALERTS });

  const sb = new ServiceBusClient(broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
  });
  cleanups.push(() => sb.close());
  const sender = sb.createSender(ALERTS);
  await sender.sendMessages({ messageId: OPEN.id, body: OPEN });
  await until("Teams asked for a minute", () => sleeps.includes(60_000));
  await sender.sendMessages({ messageId: ESCALATE.id, body: ESCALATE });

  // The old per-alert turn: PagerDuty heard nothing until the minute was over.
  await until("PagerDuty paged with the escalation", () => heard.includes("pd escalate"));
  expect(heard).toEqual(["pd escalate"]);

  minuteOver.open();
  await until("Teams heard both", () => heard.filter((h) => h.startsWith("teams")).length === 2);
  expect(heard).toEqual(["pd escalate", "teams open", "teams escalate"]);
  await until("both settled", () => broker.completed(ALERTS).length === 2);
  await ctrlC();
  expect(broker.active(ALERTS)).toEqual([]);
  expect(broker.locked(ALERTS)).toBe(0);
});
