// The stateful sweep: the ARM reader, Table Storage, Service Bus (when
// configured) and the sweeper that orders them.

import type { ServiceBusClientOptions } from "@azure/service-bus";
import { serviceBusClient } from "../adapters/servicebus/client.js";
import { ServiceBusEventSink } from "../adapters/servicebus/publisher.js";
import type { CircuitReader } from "../app/ports.js";
import type { EventSink, StateStore } from "../app/state-store.js";
import { createSweeper, type Sweeper } from "../app/sweep.js";
import type { Logger } from "../logging.js";
import { credentials, runtimeLogger } from "./common.js";
import { secretsOf, type SweepConfig } from "./config.js";
import { buildReader, type ReadOverrides } from "./read.js";
import { buildStateStore } from "./state.js";

export interface SweepOverrides extends ReadOverrides {
  serviceBusOptions?: ServiceBusClientOptions;
}

export interface SweepRuntime {
  config: SweepConfig;
  logger: Logger;
  reader: CircuitReader;
  store: StateStore;
  /** Null only without Service Bus (the CLI): events then wait in the outbox. */
  sink: EventSink | null;
  sweeper: Sweeper;
}

export function buildSweepRuntime(
  config: SweepConfig,
  overrides: SweepOverrides = {},
): SweepRuntime {
  const logger = runtimeLogger(config.logLevel, secretsOf(config), overrides);
  const credentialFor = credentials(config.cloud, overrides);
  const reader = buildReader(config, overrides);
  const store = buildStateStore(config.state, credentialFor);
  const sink = config.publish
    ? new ServiceBusEventSink(
        serviceBusClient(config.publish.connection, credentialFor, overrides.serviceBusOptions),
        config.publish.entity,
      )
    : null;
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: { classify: config.arm.classify, alerts: config.state.policy },
    silences: config.state.silences,
    historyRetentionDays: config.state.historyRetentionDays,
    logger,
    maxReadAgeMinutes: config.sweep.maxReadAgeMinutes,
  });
  return { config, logger, reader, store, sink, sweeper };
}
