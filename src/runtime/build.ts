// The composition root: the only place that knows which adapter implements
// which port. Built once per process; tests and the demo pass overrides that
// point the real adapters at loopback fakes.

import type { TokenCredential } from "@azure/identity";
import type { ServiceBusClientOptions } from "@azure/service-bus";
import type { DestinationStream } from "pino";
import type { ArmClientOptions } from "../adapters/arm/clients.js";
import { createArmReader } from "../adapters/arm/reader.js";
import { azureCredential } from "../adapters/credential.js";
import { serviceBusClient } from "../adapters/servicebus/client.js";
import { ServiceBusEventSink } from "../adapters/servicebus/publisher.js";
import { createTableClient, TableStateStore, tableNames } from "../adapters/tables/state-store.js";
import type { CircuitReader } from "../app/ports.js";
import type { EventSink, StateStore } from "../app/state-store.js";
import { createSweeper, type Sweeper } from "../app/sweep.js";
import { createLogger, type Logger } from "../logging.js";
import { secretsOf, type RuntimeConfig } from "./config.js";

export interface RuntimeOverrides {
  credential?: TokenCredential;
  armClientOptions?: ArmClientOptions;
  serviceBusOptions?: ServiceBusClientOptions;
  logDestination?: DestinationStream;
  logger?: Logger;
  extraSecrets?: string[];
  /** The clock reads are stamped with (the demo runs on simulated time). */
  now?: () => Date;
}

export interface Runtime {
  config: RuntimeConfig;
  logger: Logger;
  reader: CircuitReader;
  store: StateStore | null;
  sink: EventSink | null;
  sweeper: Sweeper | null;
  credentialFor(clientId?: string): TokenCredential;
}

export function buildRuntime(config: RuntimeConfig, overrides: RuntimeOverrides = {}): Runtime {
  const logger =
    overrides.logger ??
    createLogger({
      level: config.logLevel,
      secrets: [...secretsOf(config), ...(overrides.extraSecrets ?? [])],
      ...(overrides.logDestination ? { destination: overrides.logDestination } : {}),
    });
  const credentialFor = (clientId?: string): TokenCredential =>
    overrides.credential ??
    azureCredential({
      authorityHost: config.arm.authorityHost,
      ...(clientId ? { managedIdentityClientId: clientId } : {}),
    });
  const reader = createArmReader({
    credential: credentialFor(),
    config: config.arm,
    ...(overrides.now ? { now: overrides.now } : {}),
    ...(overrides.armClientOptions ? { clientOptions: overrides.armClientOptions } : {}),
  });

  let store: StateStore | null = null;
  if (config.state) {
    const names = tableNames(config.state.tablePrefix);
    store = new TableStateStore({
      snapshots: createTableClient(config.state, names.snapshots, credentialFor),
      alerts: createTableClient(config.state, names.alerts, credentialFor),
      history: createTableClient(config.state, names.history, credentialFor),
    });
  }
  const sink = config.publish
    ? new ServiceBusEventSink(
        serviceBusClient(config.publish.connection, credentialFor, overrides.serviceBusOptions),
        config.publish.entity,
      )
    : null;
  const sweeper =
    store && config.state
      ? createSweeper({
          reader,
          store,
          sink,
          classify: config.arm.classify,
          policy: config.state.policy,
          silences: config.state.silences,
          historyRetentionDays: config.state.historyRetentionDays,
          logger,
        })
      : null;
  return { config, logger, reader, store, sink, sweeper, credentialFor };
}
