import functions, { type InvocationContext } from "@azure/functions";
import type { ServiceBusSender } from "@azure/service-bus";
import type { Settlement } from "../app/dispatch/ports.js";
import { serviceBusClient } from "../adapters/servicebus/client.js";
import { buildRuntime, type Runtime } from "../runtime/build.js";
import { loadRuntimeConfig } from "../runtime/config.js";
import { buildDispatch, type DispatchRuntime } from "../runtime/dispatch.js";
import { consoleDestination } from "../logging.js";
import { cachedFactory } from "./deps.js";

export interface DispatchFunctionDeps {
  runtime: Runtime;
  dispatch: DispatchRuntime;
  /** Sender to SERVICEBUS_DEADLETTER_QUEUE. */
  parking: Pick<ServiceBusSender, "sendMessages">;
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
 * letters are forwarded to (infra/).
 */
export function functionsSettlement(
  parking: DispatchFunctionDeps["parking"],
  message: {
    messageId: string;
    body: unknown;
    applicationProperties: Record<string, unknown>;
    deliveryCount: number;
  },
): Settlement & { abandonReason(): string | null } {
  let abandoned: string | null = null;
  return {
    complete: async () => undefined,
    abandon: async (reason) => {
      abandoned = reason;
    },
    deadLetter: async (reason, description) => {
      await parking.sendMessages({
        messageId: message.messageId,
        body: message.body,
        contentType: "application/json",
        applicationProperties: {
          ...message.applicationProperties,
          DeadLetterReason: reason,
          DeadLetterErrorDescription: description.slice(0, 4000),
          deliveryCount: message.deliveryCount,
        },
      });
    },
    abandonReason: () => abandoned,
  };
}

export function dispatchHandler(getDeps: () => Promise<DispatchFunctionDeps>) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const deps = await getDeps();
    const meta = (context.triggerMetadata ?? {}) as Record<string, unknown>;
    const inbound = {
      messageId: String(meta.messageId ?? context.invocationId),
      body: message,
      deliveryCount: Number(meta.deliveryCount ?? 1),
    };
    const applicationProperties = (meta.applicationProperties ?? {}) as Record<string, unknown>;
    const settlement = functionsSettlement(deps.parking, { ...inbound, applicationProperties });
    await deps.dispatch.dispatcher.dispatch(inbound, settlement, AbortSignal.timeout(4 * 60_000));
    const reason = settlement.abandonReason();
    if (reason !== null)
      throw new RedeliveryRequested(
        `delivery ${inbound.deliveryCount} incomplete; Service Bus redelivers: ${reason}`,
      );
  };
}

export const dispatchDeps = cachedFactory<DispatchFunctionDeps>(async () => {
  const config = loadRuntimeConfig(process.env, {
    state: true,
    publish: "required",
    dispatch: true,
  });
  const runtime = buildRuntime(config, { logDestination: consoleDestination() });
  const dispatch = buildDispatch(runtime);
  await dispatch.deliveries.ensureTable();
  const parking = serviceBusClient(config.publish!.connection, runtime.credentialFor).createSender(
    config.deadLetterQueue,
  );
  return { runtime, dispatch, parking };
});

const subscription = process.env.SERVICEBUS_SUBSCRIPTION;
if (subscription) {
  functions.app.serviceBusTopic("dispatch", {
    connection: "ServiceBusConnection",
    topicName: "%SERVICEBUS_ENTITY%",
    subscriptionName: "%SERVICEBUS_SUBSCRIPTION%",
    handler: dispatchHandler(dispatchDeps),
  });
} else {
  functions.app.serviceBusQueue("dispatch", {
    connection: "ServiceBusConnection",
    queueName: "%SERVICEBUS_ENTITY%",
    handler: dispatchHandler(dispatchDeps),
  });
}
