// Found by a review: the status page read a stored time ahead of now as 0 minutes old
// (minutesBetween clamps at 0). A reading or a last sweep stamped ahead (an
// operator's `erwatch sweep` from a laptop whose clock is hours fast; a hand
// edit of a valid ISO time) is shown fresh, not late, until real time passes
// its stamp, however long the circuit goes unread meanwhile. The route-table
// baselines (7e6631a) already refuse a time more than a minute ahead.

import functions from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { StatusFunctionDeps } from "../../src/functions/deps.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { memoryLogger } from "../support/test-logger.js";

const { HttpRequest, InvocationContext } = functions;
const NOW = new Date("2026-11-22T02:00:00.000Z");
const AHEAD = "2026-11-23T02:00:00.000Z"; // a day ahead of the server's clock
const ID =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-ahead";

function deps(): StatusFunctionDeps {
  const snapshot = {
    circuitId: ID,
    circuitName: "er-ahead",
    takenAt: AHEAD,
    providerState: "Provisioned",
    providerWasProvisioned: true,
    peerings: {},
  };
  return {
    runtime: {
      config: {
        state: { policy: { sweepIntervalMinutes: 5 }, silences: [] },
        sweep: { maxReadAgeMinutes: 15 },
      },
      logger: memoryLogger().logger,
      store: {
        listSnapshots: async () => [snapshot],
        listAlerts: async () => [],
        listRecentHistory: async () => [],
        listOutbox: async () => [],
        lastSweep: async () => ({
          sweepId: "s",
          startedAt: AHEAD,
          finishedAt: AHEAD,
          circuits: 1,
          ignored: 0,
          partlyBlind: 0,
          errors: 0,
        }),
      },
      silences: { list: async () => [] },
    },
    now: () => NOW,
  } as unknown as StatusFunctionDeps;
}

describe("status page: a stored time ahead of now", () => {
  it("is not shown as read 0 min ago, nor the last sweep as fresh", async () => {
    const handler = httpStatusHandler(async () => deps());
    const answer = await handler(
      new HttpRequest({
        method: "GET",
        url: "http://localhost/api/status",
        headers: { accept: "application/json" },
      }),
      new InvocationContext({ invocationId: "t", functionName: "status", logHandler: () => {} }),
    );
    const model = JSON.parse(String(answer.body)) as {
      circuits: { readAgeMinutes: number | null }[];
      summary: { stale: boolean };
    };
    // Observed: readAgeMinutes 0 (fresh) and stale false.
    expect.soft(model.circuits[0]!.readAgeMinutes).toBeNull();
    expect.soft(model.summary.stale).toBe(true);
  });
});
