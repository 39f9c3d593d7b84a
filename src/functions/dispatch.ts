import functions, { type InvocationContext } from "@azure/functions";
import type { ServiceBusMessage } from "@azure/service-bus";
import { storedInstant } from "../core/instant.js";
import type { Dispatcher } from "../app/dispatch/dispatcher.js";
import type { Settlement } from "../app/dispatch/ports.js";
import { processEnv } from "../config/env.js";
import type { Env } from "../config/settings.js";
import { FUNCTIONS_DELIVERY_BUDGET_MS, readTriggerSettings } from "../config/functions.js";
import { isStorageFailure } from "../app/state-store.js";
import { deadLetterText } from "../core/budget.js";
import type { Logger } from "../logging.js";
import { startTelemetry, TELEMETRY_FAILED } from "../runtime/telemetry.js";
import { deadlineOn, realTimers, type Timers } from "../time.js";
import { cachedFactory } from "./deps.js";

/** One message at a time: a ServiceBusSender, or one with a deadline (runtime/dispatch.ts `senders`). */
export interface MessageSender {
  sendMessages(message: ServiceBusMessage): Promise<void>;
}

export interface DispatchFunctionDeps {
  dispatcher: Dispatcher;
  /** Makes the deliveries table once storage answers (tablesWhenReachable); before each delivery. */
  ready?: () => Promise<void>;
  /** Sender to SERVICEBUS_DEADLETTER_QUEUE. */
  parking: MessageSender;
  /** Sender to SERVICEBUS_ENTITY, for rescheduled copies. */
  requeue: MessageSender;
}

/** Thrown so the host abandons the message and Service Bus redelivers it. */
export class RedeliveryRequested extends Error {
  override readonly name = "RedeliveryRequested";
}

/**
 * Settlement under the Functions host. The GA Service Bus binding completes on
 * return and abandons on throw, but cannot dead-letter with a reason, so a
 * dead letter is parked in SERVICEBUS_DEADLETTER_QUEUE with DeadLetterReason /
 * DeadLetterErrorDescription, the same place the alerts queue's own dead
 * letters are forwarded to (infra/). Complete and abandon are the handler's
 * return or throw, decided from the dispatcher's outcome.
 */
export function functionsSettlement(
  senders: Pick<DispatchFunctionDeps, "parking" | "requeue">,
  message: {
    messageId: string;
    body: unknown;
    applicationProperties: Record<string, unknown>;
    deliveryCount: number;
    subject?: string;
    contentType?: string;
  },
): Settlement {
  return {
    complete: async () => undefined,
    abandon: async () => undefined,
    deadLetter: async (reason, description) => {
      const text = deadLetterText(reason, description);
      // Kept as Service Bus keeps them on its own dead letters: a subscription
      // or tool filtering parked events on the action still sees this one.
      await senders.parking.sendMessages({
        messageId: message.messageId,
        body: message.body,
        subject: message.subject,
        contentType: message.contentType ?? "application/json",
        applicationProperties: {
          ...message.applicationProperties,
          DeadLetterReason: text.reason,
          DeadLetterErrorDescription: text.description,
          deliveryCount: message.deliveryCount,
        },
      });
    },
    // Returning completes the original; the copy is enqueued before that.
    reschedule: async (copy) => {
      await senders.requeue.sendMessages({
        messageId: copy.messageId,
        body: copy.body,
        subject: copy.subject,
        contentType: copy.contentType ?? "application/json",
        applicationProperties: copy.applicationProperties as Record<
          string,
          string | number | boolean
        >,
        scheduledEnqueueTimeUtc: copy.at,
      });
    },
  };
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;

/**
 * The deliveries table, made at start when Table Storage answers, else by a
 * later delivery. Thrown at start, every delivery of a cold instance failed
 * before any receiver was tried, Service Bus redelivered it at once, and past
 * the entity's count dead-lettered it without a reason, PagerDuty healthy.
 * Until it is made, each delivery's claims fail as storage, which the
 * dispatcher settles like a receiver that did not answer: given back, then
 * rescheduled with a doubling pause up to the horizon (README "Guarantees").
 */
export function tablesWhenReachable(ensure: () => Promise<void>, log: Logger): () => Promise<void> {
  let made = false;
  return async () => {
    if (made) return;
    try {
      await ensure();
      made = true;
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      log.warn(
        { err: error },
        "the deliveries table could not be made (Table Storage); each delivery is tried and rescheduled until it can",
      );
    }
  };
}

/**
 * The trigger's enqueuedTimeUtc. The Node worker passes it in UTC without a
 * zone ("2025-06-07T14:46:55.145", azure-functions-nodejs-library#351), read
 * as UTC, not the host's local time; with a zone, or as a Date, as it says.
 */
export function enqueuedAtOf(value: unknown): { enqueuedAt?: Date } {
  if (value instanceof Date)
    return Number.isFinite(value.getTime()) ? { enqueuedAt: new Date(value.getTime()) } : {};
  if (typeof value !== "string") return {};
  const unzoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value);
  const at = storedInstant(unzoned ? `${value}Z` : value);
  return at === null ? {} : { enqueuedAt: new Date(at) };
}

export function dispatchHandler(
  getDeps: () => Promise<DispatchFunctionDeps>,
  /** The clock a delivery's budget runs on: real time unless a test moves it. */
  time: Timers = realTimers,
) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const deps = await getDeps();
    await deps.ready?.();
    const meta = (context.triggerMetadata ?? {}) as Record<string, unknown>;
    const inbound = {
      messageId: String(meta.messageId ?? context.invocationId),
      body: message,
      deliveryCount: Number(meta.deliveryCount ?? 1),
      applicationProperties: (meta.applicationProperties ?? {}) as Record<string, unknown>,
      // Trigger metadata as the Service Bus extension names it (Label before version 5).
      subject: text(meta.subject) ?? text(meta.label),
      contentType: text(meta.contentType),
      ...enqueuedAtOf(meta.enqueuedTimeUtc),
    };
    const settlement = functionsSettlement(deps, inbound);
    // Inside the host's five-minute message lock, on a clock a test can move.
    const budget = deadlineOn(time, FUNCTIONS_DELIVERY_BUDGET_MS);
    const outcome = await deps.dispatcher
      .dispatch(inbound, settlement, budget.signal)
      .finally(budget.cancel);
    switch (outcome.settled) {
      case "complete":
      case "dead-letter":
      case "rescheduled":
        return;
      case "abandon":
        throw new RedeliveryRequested(
          `delivery ${inbound.deliveryCount} incomplete; Service Bus redelivers: ${outcome.reason}`,
        );
    }
  };
}

/** What the dispatch function runs with, built from app settings on its first message. */
export async function dispatchFunctionDeps(env: Env): Promise<DispatchFunctionDeps> {
  // Settings and logging load on first use: the host imports every entry at start.
  const [{ loadDispatchConfig }, { consoleDestination }] = await Promise.all([
    import("../runtime/config.js"),
    import("../logging.js"),
  ]);
  const config = loadDispatchConfig(env);
  const { buildDispatchRuntime, deliveryBudgetProblem } = await import("../runtime/dispatch.js");
  const { telemetry, failure } = await startTelemetry(config);
  const runtime = buildDispatchRuntime(config, {
    logDestination: consoleDestination(),
    healthLines: true,
    telemetry,
  });
  if (failure) runtime.logger.error({ err: failure }, TELEMETRY_FAILED);
  const tooLong = deliveryBudgetProblem(config.dispatch, FUNCTIONS_DELIVERY_BUDGET_MS);
  if (tooLong) runtime.logger.warn({ problem: tooLong }, "deliveries may be cut short");
  const ready = tablesWhenReachable(() => runtime.deliveries.ensureTable(), runtime.logger);
  await ready();
  return { dispatcher: runtime.dispatcher, ...runtime.senders, ready };
}

export const dispatchDeps = cachedFactory<DispatchFunctionDeps>(() =>
  dispatchFunctionDeps(processEnv()),
);

const trigger = readTriggerSettings(processEnv());
if (trigger.subscription) {
  functions.app.serviceBusTopic("dispatch", {
    connection: "ServiceBusConnection",
    topicName: trigger.entity,
    subscriptionName: trigger.subscription,
    handler: dispatchHandler(dispatchDeps),
  });
} else {
  functions.app.serviceBusQueue("dispatch", {
    connection: "ServiceBusConnection",
    queueName: trigger.entity,
    handler: dispatchHandler(dispatchDeps),
  });
}
