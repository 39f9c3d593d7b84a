// Found by a review: the "due" rule promises a circuit is planned when its oldest reading
// "would pass the age limit before the next sweep could read it". The next
// sweep reads until ITS deadline: this sweep's `now` + interval + (deadline -
// now). planSweepTargets passed budgetMs = deadline - clock() measured AFTER
// the listing, the memory load and the cheap tier (up to a quarter of the
// window for Azure Monitor), so the threshold loosened by exactly that time;
// the budget is counted from the sweep's start now.

import { describe, expect, it } from "vitest";
import type { CircuitTarget, ListedCircuit } from "../../src/app/ports.js";
import { planSweepTargets, type CheapSignals } from "../../src/app/sweep-plan.js";
import type { StateStore } from "../../src/app/state-store.js";
import { cheapFingerprint } from "../../src/core/read-age.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import type { CircuitReader } from "../../src/app/ports.js";

const MIN = 60_000;
const NOW = new Date("2026-11-22T02:00:00.000Z");
const facts = {
  circuitProvisioningState: "Enabled",
  serviceProviderProvisioningState: "Provisioned",
  skuTier: "Standard",
  skuFamily: "MeteredData",
  bandwidthInMbps: 1000,
  serviceKey: null,
  serviceProviderName: "Equinix",
  peeringLocation: "Amsterdam",
  peerings: [],
} as unknown as ListedCircuit["facts"];

const target = (name: string): CircuitTarget => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`,
  subscriptionId: "s",
  resourceGroup: "rg",
  name,
  location: "westeurope",
  tags: {},
  listed: {
    id: name,
    name,
    location: "westeurope",
    tags: {},
    facts,
    problems: [],
    readAt: NOW.toISOString(),
  },
});

const snapshot = (t: CircuitTarget, ageMs: number): Snapshot =>
  ({
    circuitId: t.id,
    circuitName: t.name,
    takenAt: new Date(NOW.getTime() - ageMs).toISOString(),
    providerState: "Provisioned",
    providerWasProvisioned: true,
    peerings: {},
    reads: {
      circuitAt: new Date(NOW.getTime() - ageMs).toISOString(),
      fingerprint: cheapFingerprint(facts, {}),
      paths: {},
      gatewayAt: null,
      oldestPathAt: new Date(NOW.getTime() - ageMs).toISOString(),
      incomplete: false,
    },
  }) as Snapshot;

describe("review: the due threshold is measured from the sweep's now, not from the end of planning", () => {
  it("a circuit 6 min old is planned when the cheap tier took a minute (it would be read up to 15.5 min old next sweep otherwise)", async () => {
    // Three circuits 8 min old (due) fill the rotation's quota of 2 (4 circuits / 2 sweeps);
    // x is 6 min old: past 15 - 5 - 4.5 = 5.5 min, so the next sweep (deadline now + 9.5 min)
    // may read it at 15.5 min old.
    const old = ["a", "b", "c"].map(target);
    const x = target("x");
    const targets = [...old, x];
    const snapshots = [...old.map((t) => snapshot(t, 8 * MIN)), snapshot(x, 6 * MIN)];
    const store = {
      listSnapshots: async () => snapshots,
      listAlerts: async () => [],
      listCircuitIds: async () => targets.map((t) => t.id),
    } as unknown as StateStore;
    const reader = {
      discover: async () => ({ targets, failures: [] }),
      read: async () => {
        throw new Error("not here");
      },
    } as unknown as CircuitReader;
    let wall = NOW.getTime();
    // Azure Monitor takes a minute (within its quarter of the 4.5-minute window).
    const signals: CheapSignals = {
      read: async () => {
        wall += 60_000;
        return { troubled: new Map() };
      },
    };
    const log = { info() {}, warn() {}, error() {}, debug() {}, child: () => log } as never;
    const planned = await planSweepTargets(
      { reader, store, signals, maxReadAgeMinutes: 15, intervalMinutes: 5 },
      {
        scope: { subscriptions: ["s"], circuitIds: [] },
        now: NOW,
        abortSignal: AbortSignal.timeout(10_000),
        deadline: new Date(NOW.getTime() + 4.5 * MIN),
        mode: "tiered",
      },
      log,
      () => new Date(wall),
    );
    expect(planned.deep.map((d) => d.target.name)).toContain("x");
  });
});
