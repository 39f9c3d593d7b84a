// FunctionDeps for handler tests: the real sweeper and Table store (Azurite),
// a reader the test controls, the real coordinator.

import type { FunctionDeps } from "../../src/functions/deps.js";
import { InMemoryEventSink } from "../../src/app/state-store.js";
import type { CircuitReader } from "../../src/app/ports.js";
import { SweepCoordinator } from "../../src/app/sweep-coordinator.js";
import { createSweeper, type SweepResult } from "../../src/app/sweep.js";
import { loadRuntimeConfig } from "../../src/runtime/config.js";
import { freshStore } from "./state.js";
import { memoryLogger } from "./test-logger.js";

export async function functionDeps(
  connectionString: string,
  reader: CircuitReader,
  env: Record<string, string>,
  now: () => Date,
): Promise<FunctionDeps & { sink: InMemoryEventSink }> {
  const { store } = await freshStore(connectionString);
  const config = loadRuntimeConfig(
    { ERWATCH_STORAGE: connectionString, ...env },
    { scope: true, state: true },
  );
  const { logger } = memoryLogger();
  const sink = new InMemoryEventSink();
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    classify: config.arm.classify,
    policy: config.state!.policy,
    silences: config.state!.silences,
    historyRetentionDays: 30,
    logger,
  });
  return {
    runtime: {
      config,
      logger,
      reader,
      store,
      sink,
      sweeper,
      credentialFor: () => {
        throw new Error("no credential in tests");
      },
    },
    coordinator: new SweepCoordinator<SweepResult>(),
    now,
    sink,
  };
}
