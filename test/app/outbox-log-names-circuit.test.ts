// An outbox event Service Bus refuses (or takes only without its evidence) is
// logged naming its circuit, not only its event id (erw-<hash>-<n>): the line
// tells the operator to fix or delete the row, which is kept in the circuit's
// partition (found by a review of the log lines' context).

import { afterAll, beforeAll, expect, it } from "vitest";
import { drainOutbox } from "../../src/app/outbox.js";
import type { EventSink } from "../../src/app/state-store.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import { event as alertEvent } from "../support/dispatch-event.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

it("names the circuit of an event Service Bus refuses or shrinks", async () => {
  const { logger, records } = memoryLogger();
  const { store } = await freshStore(azurite.connectionString, logger);
  const on = (name: string) => ({
    ...alertEvent().circuit,
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`,
    name,
  });
  const refused = alertEvent({ id: "erw-aaa-1", key: "erw-aaa", circuit: on("er-ams") });
  const shrunk = alertEvent({ id: "erw-bbb-1", key: "erw-bbb", circuit: on("er-lon") });
  for (const event of [refused, shrunk]) {
    const alert: AlertState = {
      key: event.key,
      family: "path-down",
      circuitId: event.circuit.id,
      circuitName: event.circuit.name,
      peering: "AzurePrivatePeering",
      phase: "firing",
      consecutiveFiring: 1,
      consecutiveClean: 0,
      firstSeen: event.occurredAt,
      condition: null,
      notified: null,
      sequence: 1,
      lastEvaluatedAt: event.occurredAt,
    };
    await store.commitAlert(alert, null, [event]);
  }
  const sink: EventSink = {
    publish: async () => ({
      refused: [{ id: refused.id, reason: "too large even without its evidence" }],
      shrunk: [shrunk.id],
    }),
  };
  await drainOutbox(store, sink, {
    claimant: "sweep-1",
    now: new Date(Date.parse(refused.occurredAt) + 60_000),
    logger,
  });
  const said = records()
    .filter((r) => Number(r.level) >= 50)
    .map((r) => [r.eventId, r.circuitId, r.circuit]);
  expect(said).toEqual(
    expect.arrayContaining([
      [refused.id, refused.circuit.id, refused.circuit.name],
      [shrunk.id, shrunk.circuit.id, shrunk.circuit.name],
    ]),
  );
});
