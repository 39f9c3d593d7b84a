// What the status function is given, over stored state whose every read is
// `read` (none stored, a hang, a count of reads): enough to draw the page,
// without Table Storage. Shared by the HTTP handler tests.

import type { StatusFunctionDeps } from "../../src/functions/deps.js";
import { memoryLogger } from "./test-logger.js";

export function statusDepsOver(read: () => Promise<unknown> = async () => []): StatusFunctionDeps {
  const list = read as () => Promise<never[]>;
  return {
    runtime: {
      config: {
        state: { policy: { sweepIntervalMinutes: 5 }, silences: [] },
        sweep: { maxReadAgeMinutes: 15 },
      },
      logger: memoryLogger().logger,
      store: {
        listSnapshots: list,
        listAlerts: list,
        listRecentHistory: list,
        listOutbox: list,
        // No sweep recorded yet; a hang hangs here too.
        lastSweep: async () => {
          await read();
          return null;
        },
      },
      silences: { list },
    },
    now: () => new Date("2026-11-22T02:00:00.000Z"),
  } as unknown as StatusFunctionDeps;
}
