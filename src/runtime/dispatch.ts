// Builds the dispatcher from configuration: receivers with their secrets, the
// routing, the delivery log in Table Storage and the retry policy.

import { setTimeout as delay } from "node:timers/promises";
import { createReceiver } from "../adapters/receivers/index.js";
import { TableDeliveryLog } from "../adapters/tables/delivery-log.js";
import { createTableClient, tableNames } from "../adapters/tables/state-store.js";
import { createDispatcher, type Dispatcher } from "../app/dispatch/dispatcher.js";
import type { Receiver } from "../app/dispatch/receiver.js";
import type { Runtime } from "./build.js";

export interface DispatchRuntime {
  dispatcher: Dispatcher;
  deliveries: TableDeliveryLog;
  receivers: Map<string, Receiver>;
}

export interface DispatchOverrides {
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => Date;
}

export function buildDispatch(
  runtime: Runtime,
  overrides: DispatchOverrides = {},
): DispatchRuntime {
  const { dispatch, state } = runtime.config;
  if (!dispatch || !state) throw new Error("dispatch needs its configuration and Table Storage");
  const now = overrides.now ?? (() => new Date());
  const receivers = new Map<string, Receiver>(
    dispatch.receivers.map((config) => [
      config.name,
      createReceiver(config, { timeoutMs: dispatch.receiverTimeoutMs, now }),
    ]),
  );
  const deliveries = new TableDeliveryLog(
    createTableClient(state, tableNames(state.tablePrefix).deliveries, runtime.credentialFor),
  );
  const dispatcher = createDispatcher({
    receivers,
    routing: dispatch.routing,
    deliveries,
    retry: {
      attemptsPerDelivery: dispatch.attemptsPerDelivery,
      baseDelayMs: dispatch.retryBaseMs,
      maxWaitMs: dispatch.retryMaxWaitMs,
      maxDeliveries: dispatch.maxDeliveries,
    },
    logger: runtime.logger,
    now,
    sleep: overrides.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
  });
  return { dispatcher, deliveries, receivers };
}
