// The dispatcher: receivers with their secrets, the routing, the delivery log
// in Table Storage, the retry policy, and Service Bus. No ARM reader.

import type { ServiceBusClient, ServiceBusClientOptions } from "@azure/service-bus";
import { setTimeout as delay } from "node:timers/promises";
import type { PostDeadline } from "../adapters/receivers/http-post.js";
import { createReceiver, createUnusableReceiver } from "../adapters/receivers/index.js";
import { newServiceBusClient, serviceBusClient } from "../adapters/servicebus/client.js";
import { DeadlineSender } from "../adapters/servicebus/deadline.js";
import { ReconnectingConsumer } from "../adapters/servicebus/reconnecting-consumer.js";
import { TableDeliveryLog } from "../adapters/tables/delivery-log.js";
import { createTableClient, tableNames } from "../adapters/tables/state-store.js";
import { createDispatcher, type Dispatcher } from "../app/dispatch/dispatcher.js";
import { remindLeftOut } from "../app/dispatch/left-out-reminder.js";
import type { Receiver } from "../app/dispatch/receiver.js";
import { instrumentDispatcher } from "../app/dispatch-telemetry.js";
import { deliveryBudgetProblem, longestDeliveryMs } from "../config/dispatch.js";
import type { Logger } from "../logging.js";
import { credentials, runtimeLogger, type CommonOverrides } from "./common.js";
import { secretsOf, type DispatchRuntimeConfig } from "./config.js";

/** However long a receiver asks to be left alone, try again within 15 minutes. */
const MAX_RESCHEDULE_MS = 15 * 60_000;

// Pure, in config/: the Functions sweep checks the budget at start without loading the dispatcher.
export { deliveryBudgetProblem, longestDeliveryMs };

export interface DispatchOverrides extends CommonOverrides {
  serviceBusOptions?: ServiceBusClientOptions;
  /** The dispatcher's backoff sleep; tests record it instead of waiting. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => Date;
  /** Spreads the pauses of a throttled receiver; seeded by the soaks. */
  random?: () => number;
  /** When a post to a receiver stops waiting (RECEIVER_TIMEOUT_MS of real time by default). */
  receiverDeadline?: PostDeadline;
}

export interface DispatchRuntime {
  config: DispatchRuntimeConfig;
  logger: Logger;
  dispatcher: Dispatcher;
  deliveries: TableDeliveryLog;
  receivers: Map<string, Receiver>;
  serviceBus: ServiceBusClient;
  /** A client on a connection of its own, for a consumer that may have to drop it. */
  connect: () => ServiceBusClient;
  /**
   * What the Functions host's dispatcher sends itself: dead letters parked on
   * SERVICEBUS_DEADLETTER_QUEUE, rescheduled copies on SERVICEBUS_ENTITY. Each
   * on its own connection with SERVICEBUS_TIMEOUT_MS: a broker that stops
   * answering fails the message back to the host (redelivered) at once,
   * instead of holding it until the function times out.
   */
  senders: { parking: DeadlineSender; requeue: DeadlineSender };
}

export function buildDispatchRuntime(
  config: DispatchRuntimeConfig,
  overrides: DispatchOverrides = {},
): DispatchRuntime {
  const { dispatch, state } = config;
  const logger = runtimeLogger(config.logLevel, secretsOf(config), overrides);
  const credentialFor = credentials(config.cloud, overrides);
  const now = overrides.now ?? (() => new Date());
  const receivers = new Map<string, Receiver>(
    dispatch.receivers.map((receiver) => {
      const { unusable, ...settings } = receiver;
      let problem = unusable;
      if (problem === undefined) {
        try {
          return [
            receiver.name,
            createReceiver(settings, {
              timeoutMs: dispatch.receiverTimeoutMs,
              now,
              ...(overrides.receiverDeadline ? { deadline: overrides.receiverDeadline } : {}),
              // Portal links follow the cloud the circuits live in.
              cloud: config.cloud,
              ...(dispatch.statusPageUrl ? { statusUrl: dispatch.statusPageUrl } : {}),
            }),
          ];
        } catch (error) {
          // Its message names fields, never values (createReceiver).
          problem = error instanceof Error ? error.message : String(error);
        }
      }
      // One receiver that cannot be used must not keep the others from paging.
      logger.error(
        { receiver: receiver.name, kind: receiver.kind, problem },
        "receiver cannot be used: every event routed to it is parked naming it, the others still deliver",
      );
      return [receiver.name, createUnusableReceiver(receiver.name, receiver.kind, problem)];
    }),
  );
  const deliveries = new TableDeliveryLog(
    createTableClient(state, tableNames(state.tablePrefix).deliveries, credentialFor),
    now,
    state.timeoutMs,
  );
  const routed = createDispatcher({
    receivers,
    routing: dispatch.routing,
    deliveries,
    retry: {
      attemptsPerDelivery: dispatch.attemptsPerDelivery,
      baseDelayMs: dispatch.retryBaseMs,
      maxWaitMs: dispatch.retryMaxWaitMs,
      maxDeliveries: dispatch.maxDeliveries,
      // Outlasts one delivery's posts and waits, so a live claim is never taken over.
      claimMs: longestDeliveryMs(dispatch),
      maxRescheduleMs: MAX_RESCHEDULE_MS,
      horizonMs: dispatch.retryHorizonMinutes * 60_000,
    },
    logger,
    now,
    sleep: overrides.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
    ...(overrides.random ? { random: overrides.random } : {}),
  });
  // Entries of settings left out at start (a broken route, a receiver named twice):
  // said now and again while the routes that remain go on delivering.
  const bare = remindLeftOut(routed, config.ignoredSettings, logger, now);
  const dispatcher = overrides.telemetry
    ? instrumentDispatcher(bare, overrides.telemetry, now)
    : bare;
  const serviceBus = serviceBusClient(
    config.publish.connection,
    credentialFor,
    overrides.serviceBusOptions,
  );
  const connect = () =>
    newServiceBusClient(config.publish.connection, credentialFor, overrides.serviceBusOptions);
  const { timeoutMs } = config.publish;
  const senders = {
    parking: new DeadlineSender(connect, config.deadLetterQueue, timeoutMs),
    requeue: new DeadlineSender(connect, config.publish.entity, timeoutMs),
  };
  return { config, logger, dispatcher, deliveries, receivers, serviceBus, connect, senders };
}

/**
 * A peek-lock consumer of the alerts entity for `erwatch dispatch` (the
 * Functions host has its own trigger), on a connection it drops and opens
 * afresh when Service Bus fails it.
 */
export function createEventConsumer(runtime: DispatchRuntime): ReconnectingConsumer {
  return new ReconnectingConsumer(runtime.connect, runtime.dispatcher, {
    entity: runtime.config.publish.entity,
    subscription: runtime.config.dispatch.subscription,
    logger: runtime.logger,
    longestDispatchMs: longestDeliveryMs(runtime.config.dispatch),
    timeoutMs: runtime.config.publish.timeoutMs,
  });
}
