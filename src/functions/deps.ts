// What the Functions need, built once per process from app settings. A
// configuration problem is remembered and reported on every invocation (all
// problems at once); a transient failure (storage not reachable yet) is retried
// by the next invocation.

import { SweepCoordinator } from "../app/sweep-coordinator.js";
import type { SweepResult } from "../app/sweep.js";
import { ConfigError } from "../config/reader.js";
import { buildRuntime, type Runtime } from "../runtime/build.js";
import { loadRuntimeConfig } from "../runtime/config.js";
import { consoleDestination } from "../logging.js";

export interface FunctionDeps {
  runtime: Runtime;
  coordinator: SweepCoordinator<SweepResult>;
  now: () => Date;
}

export function cachedFactory<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => {
    pending ??= build().catch((error: unknown) => {
      if (!(error instanceof ConfigError)) pending = null;
      throw error;
    });
    return pending;
  };
}

export const sweepDeps = cachedFactory<FunctionDeps>(async () => {
  const config = loadRuntimeConfig(process.env, {
    scope: true,
    state: true,
    publish: "required",
    functions: true,
  });
  const runtime = buildRuntime(config, { logDestination: consoleDestination() });
  await runtime.store?.ensureTables();
  return { runtime, coordinator: new SweepCoordinator<SweepResult>(), now: () => new Date() };
});
