// What the dispatcher tests route: a Sev0 open of one path-down alert,
// overridable field by field (id, sequence and action for its later events),
// and the retry policy they dispatch it under.

import type { RetryPolicy } from "../../src/app/dispatch/dispatcher.js";
import type { AlertEvent } from "../../src/core/alert-event.js";

/** Three attempts a delivery, five deliveries, a 2-minute claim, an hour's horizon. */
export const RETRY: RetryPolicy = {
  attemptsPerDelivery: 3,
  baseDelayMs: 1000,
  maxWaitMs: 60_000,
  maxDeliveries: 5,
  claimMs: 120_000,
  maxRescheduleMs: 15 * 60_000,
  horizonMs: 60 * 60_000,
};

export function event(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    version: 1,
    id: "erw-abc-1",
    action: "open",
    key: "erw-abc",
    sequence: 1,
    episodeId: "erw-abc-1",
    family: "path-down",
    code: "no-prefixes-received",
    severity: "Sev0",
    previousSeverity: null,
    peakSeverity: "Sev0",
    layer: "routes",
    owner: "you",
    title: "Session up but 0 prefixes received",
    change: "New",
    nextAction: "Check advertisements",
    circuit: {
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er1",
      name: "er1",
      subscriptionId: "s",
      resourceGroup: "rg",
      tags: {},
      serviceKey: "k",
      serviceProviderName: "Equinix",
      peeringLocation: "SV",
    },
    peering: "AzurePrivatePeering",
    paths: ["primary", "secondary"],
    evidence: {},
    ticket: null,
    layerTable: null,
    firstSeen: "2026-11-22T02:00:00.000Z",
    occurredAt: "2026-11-22T02:00:00.000Z",
    ...overrides,
  };
}
