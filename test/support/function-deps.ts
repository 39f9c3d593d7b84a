// Function deps for handler tests: the real sweeper and Table store (Azurite),
// a reader the test controls, the real coordinator.

import type { StatusFunctionDeps, SweepFunctionDeps } from "../../src/functions/deps.js";
import type { CircuitReader, Timers } from "../../src/app/ports.js";
import { SweepCoordinator } from "../../src/app/sweep-coordinator.js";
import { SweepRuns } from "../../src/app/sweep-runs.js";
import { createSweeper, type SweepResult } from "../../src/app/sweep.js";
import { loadSweepConfig } from "../../src/runtime/config.js";
import { freshStore } from "./state.js";
import { InMemoryEventSink } from "./in-memory-sink.js";
import { memoryLogger } from "./test-logger.js";

export async function functionDeps(
  connectionString: string,
  reader: CircuitReader,
  env: Record<string, string>,
  now: () => Date,
  /** The sweeper's wall clock and timers, and so the timer's and the workers' (the real ones when absent). */
  time?: Timers,
): Promise<SweepFunctionDeps & { sink: InMemoryEventSink; status: StatusFunctionDeps }> {
  const { store, silences } = await freshStore(connectionString);
  const config = loadSweepConfig(
    { ERWATCH_STORAGE: connectionString, ...env },
    { publish: "optional" },
  );
  const { logger } = memoryLogger();
  const sink = new InMemoryEventSink();
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: { classify: config.arm.classify, alerts: config.state.policy },
    silences: config.state.silences,
    silenceStore: silences,
    historyRetentionDays: 30,
    logger,
    ...(time ? { time } : {}),
  });
  return {
    runtime: { config, logger, reader, store, silences, sink, sweeper, work: null },
    coordinator: new SweepCoordinator<SweepResult>(),
    // On the test clock: on the real one a record stamped at the tests' T0 is over the keep age and pruned.
    runs: new SweepRuns(now, undefined, { store, log: logger }),
    now,
    sink,
    status: { runtime: { config, logger, store, silences }, now },
  };
}
