// Everything erwatch talks to, on loopback: the simulated ARM estate, Azurite,
// the AMQP broker and three recording receivers (PagerDuty, Teams, webhook),
// with the real runtime built from app settings pointed at them. Used by the
// end-to-end tests and by the demo, so the demo shows exactly what is tested.

import functions from "@azure/functions";
import type { DestinationStream } from "pino";
import { EventConsumer } from "../../src/adapters/servicebus/consumer.js";
import { closeServiceBusClients } from "../../src/adapters/servicebus/client.js";
import type { ServiceBusClientOptions } from "@azure/service-bus";
import { SweepCoordinator } from "../../src/app/sweep-coordinator.js";
import { SweepRuns } from "../../src/app/sweep-runs.js";
import type { SweepResult } from "../../src/app/sweep.js";
import type { Telemetry } from "../../src/app/telemetry.js";
import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";
import type { Env } from "../../src/config/settings.js";
import type { StatusFunctionDeps, SweepFunctionDeps } from "../../src/functions/deps.js";
import { sweepTimerHandler } from "../../src/functions/sweep-timer.js";
import { loadDispatchConfig, loadStatusConfig, loadSweepConfig } from "../../src/runtime/config.js";
import {
  buildDispatchRuntime,
  longestDeliveryMs,
  type DispatchRuntime,
} from "../../src/runtime/dispatch.js";
import { buildStatusRuntime } from "../../src/runtime/status.js";
import { buildSweepRuntime, type SweepRuntime } from "../../src/runtime/sweep.js";
import { startAzurite, type Azurite } from "./azurite.js";
import { startBroker, type AmqpBroker } from "./amqp-broker/broker.js";
import {
  DEFAULT_SUBSCRIPTION,
  startEstate,
  type EstateState,
  type SimulatedEstate,
} from "./estate/index.js";
import { estateAccess } from "./estate-access.js";
import { startRecordingReceiver, type RecordingReceiver } from "./recording-receiver.js";

export const ALERTS_QUEUE = "erwatch-alerts";
export const PARKING_QUEUE = "erwatch-alerts-deadletter";
// Look like the real things, so a leak would be recognisable in a log.
export const ROUTING_KEY = "R0UT1NGKEY0123456789abcdefabcdef";
export const TEAMS_SIG = "Zm9vYmFyU2lnbmF0dXJlVGhhdE11c3ROb3RMZWFr";
export const WEBHOOK_SIG = "d2ViaG9va1NpZ25hdHVyZU11c3ROb3RMZWFr";

export interface WorldOptions {
  estate: EstateState;
  /** Settings on top of the loopback ones (thresholds, routing, silences). */
  env?: Env;
  now: () => Date;
  logDestination?: DestinationStream;
  /** The dispatcher's backoff sleep; tests record it instead of waiting. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Spreads a throttled receiver's pauses (the dispatcher's `random`); a soak seeds it. */
  random?: () => number;
  /** Reuse a running Azurite (the test suite starts one per file). */
  azurite?: Azurite;
  /**
   * "page-at-sev2" (default): PagerDuty and Teams hear Sev2 and worse, the
   * webhook Sev3 and worse. "defaults": erwatch's own default routing
   * (Sev0–1 page, Sev2–3 Teams only, webhook Sev3 and worse).
   * "page-at-sev2-and-a-typo": the first, plus a route and an action group
   * whose references name nothing (left out at start, the rest deliver).
   */
  routing?: "page-at-sev2" | "defaults" | "page-at-sev2-and-a-typo";
  /** erwatch's own metrics, e.g. an in-memory OpenTelemetry meter (none by default). */
  telemetry?: Telemetry;
  /**
   * The Service Bus client's options. By default no SDK retry and 3 s per
   * attempt, so a broker outage costs a test seconds; `{}` is what the
   * product runs with (the SDK's defaults under erwatch's own).
   */
  serviceBusOptions?: ServiceBusClientOptions;
  /**
   * The timer Azure Monitor and Log Analytics waits run on (a throttled
   * call's Retry-After, a circuit waiting on another's first query of a
   * workspace): real time by default; a test moves a manual one by hand.
   */
  monitorTime?: Timekeeper;
  /** The timer ARM reads' deadline and throttled waits run on: real time by default. */
  armTime?: Timekeeper;
  /** The timer the sweep's cheap-tier budget and flushes before its deadline and hard stop run on: real time by default. */
  sweepTime?: Timekeeper;
}

export interface World {
  estate: SimulatedEstate;
  azurite: Azurite;
  broker: AmqpBroker;
  pagerduty: RecordingReceiver;
  teams: RecordingReceiver;
  webhook: RecordingReceiver;
  env: Env;
  runtime: SweepRuntime;
  dispatch: DispatchRuntime;
  /** What the timer and HTTP sweep functions are given. */
  functionDeps: SweepFunctionDeps;
  /** What the status page function is given. */
  statusDeps: StatusFunctionDeps;
  /** Runs the real timer function once at the world's clock and returns its sweep's result. */
  /**
   * `due`: the occurrence the host's schedule status names (a tick fired
   * late for it, isPastDue); absent, none is known.
   */
  timerSweep(due?: Date): Promise<SweepResult>;
  /**
   * Stops the broker and starts it again on the same port (a Service Bus
   * outage): what it held (waiting, scheduled, dead-lettered) is still there.
   */
  restartBroker(): Promise<void>;
  stopBroker(): Promise<void>;
  /** Receives and dispatches until the queue is empty (bounded). Returns messages handled. */
  dispatchPending(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

let worlds = 0;

function routingFor(kind: NonNullable<WorldOptions["routing"]>) {
  if (kind === "defaults")
    return {
      actionGroups: [
        { name: "on-call", receivers: ["pagerduty", "teams"] },
        { name: "teams-only", receivers: ["teams"] },
        { name: "itsm", receivers: ["itsm"] },
      ],
      routes: [
        { name: "page-on-call", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] },
        {
          name: "tell-the-channel",
          match: { severityAtOrAbove: "Sev3", severityAtOrBelow: "Sev2" },
          actionGroups: ["teams-only"],
        },
        { name: "itsm", match: { severityAtOrAbove: "Sev3" }, actionGroups: ["itsm"] },
      ],
    };
  const pageAtSev2 = {
    actionGroups: [
      { name: "on-call", receivers: ["pagerduty", "teams"] },
      { name: "itsm", receivers: ["itsm"] },
    ],
    routes: [
      { name: "page", match: { severityAtOrAbove: "Sev2" }, actionGroups: ["on-call"] },
      { name: "tickets", match: { severityAtOrAbove: "Sev3" }, actionGroups: ["itsm"] },
    ],
  };
  if (kind === "page-at-sev2") return pageAtSev2;
  // A route added during an incident with a typo in its action group, and one in a receiver's name.
  return {
    actionGroups: [...pageAtSev2.actionGroups, { name: "noc", receivers: ["teams", "temas"] }],
    routes: [
      ...pageAtSev2.routes,
      { name: "gateway-to-noc", match: { layers: ["gateway"] }, actionGroups: ["noc-chanel"] },
    ],
  };
}

export async function startWorld(options: WorldOptions): Promise<World> {
  worlds += 1;
  const estate = await startEstate(options.estate);
  const ownAzurite = !options.azurite;
  const azurite = options.azurite ?? (await startAzurite());
  // Scheduled messages become due on the world's clock, like everything else.
  const brokerClock = () => options.now().getTime();
  let broker = await startBroker({ queues: [ALERTS_QUEUE, PARKING_QUEUE], clock: brokerClock });
  const [pagerduty, teams, webhook] = await Promise.all([
    startRecordingReceiver({ name: "pagerduty" }),
    startRecordingReceiver({ name: "teams" }),
    startRecordingReceiver({ name: "webhook" }),
  ]);
  for (const r of [pagerduty, teams, webhook]) r.respondWith(202);
  const access = estateAccess(estate);
  const env: Env = {
    ...access.env,
    ERWATCH_SUBSCRIPTIONS: DEFAULT_SUBSCRIPTION,
    ERWATCH_STORAGE: azurite.connectionString,
    ERWATCH_TABLE_PREFIX: `w${process.pid}n${worlds}`,
    ServiceBusConnection: broker.connectionString,
    SERVICEBUS_ENTITY: ALERTS_QUEUE,
    SERVICEBUS_DEADLETTER_QUEUE: PARKING_QUEUE,
    PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    TEAMS_WEBHOOK_URL: `${teams.url}/workflows/erwatch/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${TEAMS_SIG}`,
    WEBHOOK_URL: `${webhook.url}/alerts?sig=${WEBHOOK_SIG}`,
    // PagerDuty's URL is fixed in production; here it is the recording receiver.
    ERWATCH_ACTION_GROUPS: JSON.stringify({
      receivers: [
        {
          kind: "pagerduty",
          name: "pagerduty",
          routingKeySetting: "PAGERDUTY_ROUTING_KEY",
          url: `${pagerduty.url}/v2/enqueue`,
        },
        { kind: "teams", name: "teams", urlSetting: "TEAMS_WEBHOOK_URL" },
        { kind: "webhook", name: "itsm", urlSetting: "WEBHOOK_URL" },
      ],
      ...routingFor(options.routing ?? "page-at-sev2"),
    }),
    // The product's default cadence: the tests step the injected clock 5 min a sweep.
    SWEEP_SCHEDULE: "0 */5 * * * *",
    DISPATCH_MAX_DELIVERIES: "3",
    ...options.env,
  };
  const serviceBusOptions = options.serviceBusOptions ?? {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  };
  const common = {
    credential: access.credential,
    // Quiet unless asked: test output should be test results.
    logDestination: options.logDestination ?? { write: () => true },
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  };
  // Each entry's runtime exactly as its Function builds it, from the same settings.
  const runtime = buildSweepRuntime(
    loadSweepConfig(env, { publish: "required", functions: true }),
    {
      ...common,
      armClientOptions: access.armClientOptions,
      serviceBusOptions,
      now: options.now,
      ...(options.monitorTime ? { monitorTime: options.monitorTime } : {}),
      ...(options.armTime ? { armTime: options.armTime } : {}),
      ...(options.sweepTime ? { sweepTime: options.sweepTime } : {}),
    },
  );
  await runtime.store.ensureTables();
  const dispatch = buildDispatchRuntime(loadDispatchConfig(env), {
    ...common,
    serviceBusOptions,
    now: options.now,
    // A receiver scripted slower than RECEIVER_TIMEOUT_MS is given up once it has the post.
    receiverDeadline: ({ url, ...post }) =>
      [pagerduty, teams, webhook].find((r) => url.startsWith(`${r.url}/`))?.deadline(post) ??
      AbortSignal.timeout(post.timeoutMs),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  await dispatch.deliveries.ensureTable();
  const functionDeps: SweepFunctionDeps = {
    runtime,
    coordinator: new SweepCoordinator<SweepResult>(),
    runs: new SweepRuns(),
    now: options.now,
  };
  const statusDeps: StatusFunctionDeps = {
    runtime: buildStatusRuntime(loadStatusConfig(env), common),
    now: options.now,
  };
  // The timer function exactly as the host runs it, with its sweep's result kept for the caller.
  let lastSweep: SweepResult | null = null;
  const timerHandler = sweepTimerHandler(async () => ({
    ...functionDeps,
    runtime: {
      ...runtime,
      sweeper: {
        ...runtime.sweeper,
        sweep: async (request) => {
          lastSweep = await runtime.sweeper.sweep(request);
          return lastSweep;
        },
      },
    },
  }));
  let invocations = 0;
  async function timerSweep(due?: Date): Promise<SweepResult> {
    lastSweep = null;
    invocations += 1;
    await timerHandler(
      {
        isPastDue: due !== undefined && due < options.now(),
        schedule: { adjustForDST: false },
        scheduleStatus: { last: "", next: due?.toISOString() ?? "", lastUpdated: "" },
      },
      new functions.InvocationContext({ invocationId: `timer-${invocations}` }),
    );
    if (!lastSweep) throw new Error("the timer function returned without sweeping");
    return lastSweep;
  }

  const consumer = new EventConsumer(dispatch.serviceBus, dispatch.dispatcher, {
    entity: ALERTS_QUEUE,
    subscription: null,
    logger: runtime.logger,
    maxWaitTimeInMs: 200,
    longestDispatchMs: longestDeliveryMs(dispatch.config.dispatch),
    timeoutMs: dispatch.config.publish.timeoutMs,
  });

  async function dispatchPending(timeoutMs = 10_000): Promise<number> {
    const signal = AbortSignal.timeout(timeoutMs);
    let handled = 0;
    // Until a receive comes back empty and the broker holds nothing for the queue
    // (an abandoned message is back in `active` at once).
    for (;;) {
      if (signal.aborted)
        throw new Error(`dispatch did not drain ${ALERTS_QUEUE} in ${timeoutMs} ms`);
      // Once something was handled and settled, with nothing waiting and nothing out
      // on a lock, one more receive could only wait out its 200 ms and find nothing
      // (the delivery soak spent a quarter of its time in those).
      if (
        handled > 0 &&
        broker.active(ALERTS_QUEUE).length === 0 &&
        broker.locked(ALERTS_QUEUE) === 0
      )
        return handled;
      const n = await consumer.drainOnce(signal);
      handled += n;
      if (n === 0 && broker.active(ALERTS_QUEUE).length === 0) return handled;
    }
  }

  return {
    estate,
    azurite,
    get broker() {
      return broker;
    },
    pagerduty,
    teams,
    webhook,
    env,
    runtime,
    dispatch,
    functionDeps,
    statusDeps,
    timerSweep,
    async stopBroker() {
      await broker.stop();
    },
    async restartBroker() {
      await broker.stop();
      broker = await startBroker({
        port: broker.port,
        queues: [ALERTS_QUEUE, PARKING_QUEUE],
        clock: brokerClock,
        carryFrom: broker,
      });
    },
    dispatchPending,
    async close() {
      // Clients before the broker: closing an AMQP client whose peer is gone waits for a close frame.
      await consumer.close().catch(() => undefined);
      await runtime.sink?.close?.().catch(() => undefined);
      await runtime.work?.queue.close().catch(() => undefined);
      await dispatch.senders.parking.close().catch(() => undefined);
      await dispatch.senders.requeue.close().catch(() => undefined);
      await closeServiceBusClients().catch(() => undefined);
      await broker.stop();
      await Promise.all([estate.close(), pagerduty.close(), teams.close(), webhook.close()]);
      if (ownAzurite) await azurite.stop();
    },
  };
}
