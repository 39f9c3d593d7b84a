// The stateful sweep: the ARM reader, Table Storage, Service Bus (when
// configured) and the sweeper that orders them.

import type { ServiceBusClientOptions } from "@azure/service-bus";
import { newServiceBusClient } from "../adapters/servicebus/client.js";
import { ServiceBusEventSink } from "../adapters/servicebus/publisher.js";
import { ServiceBusWorkQueue } from "../adapters/servicebus/work-queue.js";
import type { TableWorkClaims } from "../adapters/tables/work-claims.js";
import type { CircuitReader, DataPlaneReader, Timers } from "../app/ports.js";
import type { SilenceStore } from "../app/silences.js";
import type { WorkClaims, WorkQueue } from "../app/work.js";
import type { EventSink, StateStore } from "../app/state-store.js";
import { createSweeper, type Sweeper } from "../app/sweep.js";
import type { Logger } from "../logging.js";
import { credentials, runtimeLogger } from "./common.js";
import { secretsOf, type SweepConfig } from "./config.js";
import { buildReaders, type ReadOverrides } from "./read.js";
import { buildSilenceStore, buildStateStore, buildWorkClaims } from "./state.js";

export interface SweepOverrides extends ReadOverrides {
  serviceBusOptions?: ServiceBusClientOptions;
  /** `erwatch sweep --state`: its settings are not the function app's (SweepDeps.ranBy). */
  ranBy?: "cli";
  /**
   * The time the sweep's cheap-tier budget and flushes run on (SweepDeps.time),
   * and with it the timer's window, a fan-out worker's stop and claims
   * (Sweeper.time) and every Service Bus send's SERVICEBUS_TIMEOUT_MS; real
   * time unless a test injects one.
   */
  sweepTime?: Timers;
}

export interface SweepRuntime {
  config: SweepConfig;
  logger: Logger;
  reader: CircuitReader;
  dataPlane?: DataPlaneReader;
  store: StateStore;
  silences: SilenceStore;
  /** Null only without Service Bus (the CLI): events then wait in the outbox. */
  sink: EventSink | null;
  sweeper: Sweeper;
  /** Fan-out (SWEEP_WORK_QUEUE with Service Bus): the queue the timer sends deep reads to, and the workers' claims. */
  work: {
    queue: WorkQueue & { close(): Promise<void> };
    claims: TableWorkClaims & WorkClaims;
    name: string;
  } | null;
}

export function buildSweepRuntime(
  config: SweepConfig,
  overrides: SweepOverrides = {},
): SweepRuntime {
  const logger = runtimeLogger(config.logLevel, secretsOf(config), overrides);
  const credentialFor = credentials(config.cloud, overrides);
  const { reader, dataPlane } = buildReaders(config, overrides);
  const store = buildStateStore(config.state, credentialFor, logger);
  const silences = buildSilenceStore(config.state, credentialFor, logger);
  const { publish } = config;
  // Each sender on a client of its own, so one whose connection wedged can be dropped alone.
  const connect = publish
    ? () => newServiceBusClient(publish.connection, credentialFor, overrides.serviceBusOptions)
    : null;
  // SERVICEBUS_TIMEOUT_MS on the sweep's clock when a test moves it; left out,
  // real time, whose bound on a close keeps the process up (an exit's last wait).
  const sendTime = overrides.sweepTime;
  const sink =
    connect && publish
      ? new ServiceBusEventSink(connect, publish.entity, publish.timeoutMs, sendTime)
      : null;
  const workQueue = config.sweep.workQueue;
  const work =
    connect && publish && workQueue
      ? {
          name: workQueue,
          queue: new ServiceBusWorkQueue(connect, workQueue, publish.timeoutMs, sendTime),
          claims: buildWorkClaims(config.state, credentialFor, overrides.sweepTime),
        }
      : null;
  const sweeper = createSweeper({
    reader,
    ...(dataPlane ? { dataPlane } : {}),
    store,
    sink,
    policy: { classify: config.arm.classify, alerts: config.state.policy },
    silences: config.state.silences,
    silenceStore: silences,
    historyRetentionDays: config.state.historyRetentionDays,
    logger,
    ...(overrides.telemetry ? { telemetry: overrides.telemetry } : {}),
    maxReadAgeMinutes: config.sweep.maxReadAgeMinutes,
    ignoredSettings: config.ignoredSettings,
    ...(overrides.ranBy ? { ranBy: overrides.ranBy } : {}),
    ...(overrides.sweepTime ? { time: overrides.sweepTime } : {}),
    routing: config.routing,
  });
  return {
    config,
    logger,
    reader,
    ...(dataPlane ? { dataPlane } : {}),
    store,
    silences,
    sink,
    sweeper,
    work,
  };
}
