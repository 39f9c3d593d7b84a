// A circuit's lower broken layer holds the alerts above it only when it pages
// whoever they would (found by a review): with routes by family, a circuit
// the carrier had not enabled (circuit-state, to the carrier desk) held
// "gateway not connected" from the gateway team, who heard nothing. Through
// the real store (Azurite), at the 5-minute cadence.

import { afterAll, beforeAll, expect, it } from "vitest";
import { recordCircuit, type RecordDeps } from "../../src/app/record-circuit.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Routing } from "../../src/core/routing.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { circuitReading, CONNECTED_GATEWAY } from "../support/readings.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);

const byFamily: Routing = {
  actionGroups: [
    { name: "carrier", receivers: ["carrier-desk"] },
    { name: "gateway", receivers: ["gw-pager"] },
  ],
  routes: [
    { name: "c", match: { families: ["circuit-state"] }, actionGroups: ["carrier"] },
    { name: "g", match: { families: ["gateway"] }, actionGroups: ["gateway"] },
  ],
};
const oneTeam: Routing = {
  actionGroups: [{ name: "all", receivers: ["carrier-desk", "gw-pager"] }],
  routes: [{ name: "all", match: {}, actionGroups: ["all"] }],
};

async function opened(routing: Routing | undefined) {
  const { store } = await freshStore(azurite.connectionString);
  const { logger } = memoryLogger();
  const deps: RecordDeps = {
    store,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    ...(routing ? { routing } : {}),
  };
  const broken = (m: number) =>
    circuitReading({
      readAt: minute(m).toISOString(),
      circuitState: "Disabled",
      gateway: {
        ok: true,
        value: CONNECTED_GATEWAY.map((g) => ({ ...g, status: "Disconnected" })),
        readAt: minute(m).toISOString(),
      } as never,
    });
  const events: string[] = [];
  for (const m of [0, 5, 10, 15]) {
    const record = await recordCircuit(deps, broken(m), minute(m), `sweep-${m}`, logger);
    events.push(...record.events.map((e) => `${e.action} ${e.family}`));
  }
  return events;
}

it.each([
  ["routes by family: the gateway team's alert is not held from it", byFamily, true],
  ["one route for all: the circuit's alert speaks for the gateway's", oneTeam, false],
  ["routes not known: held, as before", undefined, false],
] as const)(
  "%s",
  async (_case, routing, gatewayPages) => {
    const events = await opened(routing);
    expect(events).toContain("open circuit-state");
    expect(events.includes("open gateway")).toBe(gatewayPages);
  },
  60_000,
);
