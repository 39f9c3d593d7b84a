// The stateful sweep at the application level for timeline tests: a FakeReader
// whose reads are stamped with the injected clock, real Table Storage (Azurite),
// an in-memory event sink. `run(m)` sweeps at T0 + m minutes.

import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy, type Silence } from "../../src/core/policy.js";
import { FakeReader } from "./fake-reader.js";
import { InMemoryEventSink } from "./in-memory-sink.js";
import { freshStore } from "./state.js";
import { memoryLogger } from "./test-logger.js";

export const T0 = Date.parse("2026-11-22T01:00:00.000Z");
export const minute = (m: number) => new Date(T0 + m * 60_000);

export interface HarnessOptions {
  silences?: Silence[];
  policy?: Partial<AlertPolicy>;
  /** LOG_LEVEL, and whether the logger is the Functions host's (logging.ts healthLine). */
  log?: { level: string; healthLines?: boolean };
  /** Entries of settings left out at start, as the runtime hands them to the sweeper. */
  ignoredSettings?: string[];
}

export async function sweepHarness(connectionString: string, options: HarnessOptions = {}) {
  const { store, prefix } = await freshStore(connectionString);
  const reader = new FakeReader();
  const sink = new InMemoryEventSink();
  const { logger, lines } = memoryLogger([], options.log ?? {});
  let n = 0;
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: {
      classify: DEFAULT_CLASSIFY_OPTIONS,
      alerts: { ...DEFAULT_ALERT_POLICY, ...options.policy },
    },
    silences: options.silences ?? [],
    historyRetentionDays: 30,
    logger,
    ...(options.ignoredSettings ? { ignoredSettings: options.ignoredSettings } : {}),
    newId: () => `sweep-${++n}`,
  });
  /** Sweeps at T0 + m minutes; the reads finish `readLagSeconds` after the sweep starts. */
  const run = (m: number, readLagSeconds = 20) => {
    reader.readAt = new Date(minute(m).getTime() + readLagSeconds * 1000).toISOString();
    return sweeper.sweep({
      targets: [reader.target],
      now: minute(m),
      abortSignal: AbortSignal.timeout(30_000),
    });
  };
  const sent = () =>
    sink.published.map((e) => `${e.action}:${e.family}:${e.severity}#${e.sequence}`);
  /** Both paths of the private peering down (layer 2 gone, BGP Idle). */
  const bothDown = () => {
    reader.spec = {
      paths: {
        AzurePrivatePeering: {
          primary: { arp: "empty", bgp: "Idle" },
          secondary: { arp: "empty", bgp: "Idle" },
        },
      },
    };
  };
  /** Every log line the sweeps wrote, as pino JSON. */
  /** `prefix`: its tables' ERWATCH_TABLE_PREFIX, for the CLI over the same state. */
  return { store, prefix, reader, sink, sweeper, logger, run, sent, bothDown, lines };
}

export type Harness = Awaited<ReturnType<typeof sweepHarness>>;
