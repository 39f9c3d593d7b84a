// The status page filtered to a carrier or a peering location, in the outage
// it is filtered for: three Equinix circuits at Amsterdam down at once page
// one fleet alert (its members held by it), and a second subscription that
// cannot be listed pages monitoring-blind. Neither has a snapshot: the fleet
// alert is at its own place, and the subscription's may be about any carrier.
// Before, `?provider=Equinix` showed the members "held" and hid what paged.
// 5-minute timer on an injected clock.

import { afterAll, beforeAll, expect, it } from "vitest";
import type { CircuitTarget } from "../../src/app/ports.js";
import { createSweeper } from "../../src/app/sweep.js";
import { loadStatus, type StatusFilters } from "../../src/app/status.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { circuitReading, type CircuitSpec } from "../support/readings.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const at = (m: number) => new Date(T0 + m * 60_000);
const LISTED = "00000000-0000-0000-0000-000000000001";
const UNLISTED = "00000000-0000-0000-0000-000000000002";
const DEPROVISIONED: CircuitSpec = { providerState: "NotProvisioned" };
const PLACES: Record<string, { provider: string; location: string }> = {
  "er-ams-a": { provider: "Equinix", location: "Amsterdam" },
  "er-ams-b": { provider: "Equinix", location: "Amsterdam" },
  "er-ams-c": { provider: "Equinix", location: "Amsterdam" },
  "er-lon": { provider: "Megaport", location: "London" },
  // One site spelt with a doubled and a non-breaking space, in two cases: one place.
  "er-sv-a": { provider: "Megaport", location: "Silicon  Valley" },
  "er-sv-b": { provider: "MEGAPORT", location: "Silicon\u00a0Valley" },
};

let azurite: Azurite;
let status: (filters: Partial<StatusFilters>) => Promise<string[]>;
let statusModel: (filters: Partial<StatusFilters>) => ReturnType<typeof loadStatus>;
beforeAll(async () => {
  azurite = await startAzurite();
  const { store } = await freshStore(azurite.connectionString);
  let now = at(0);
  let down = false;
  const readingOf = (name: string) => {
    const place = PLACES[name]!;
    const reading = circuitReading({
      readAt: new Date(now.getTime() + 20_000).toISOString(),
      ...(down && place.provider === "Equinix" ? DEPROVISIONED : {}),
    });
    const id = `/subscriptions/${LISTED}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
    reading.ref = { ...reading.ref, id, name, subscriptionId: LISTED };
    if (reading.circuit.ok)
      reading.circuit.value = {
        ...reading.circuit.value,
        serviceProviderName: place.provider,
        peeringLocation: place.location,
      };
    return reading;
  };
  // Listed with their bodies, as ARM lists them: the sweep knows each circuit's place before reading it.
  const targetOf = (name: string): CircuitTarget => {
    const r = readingOf(name);
    return {
      id: r.ref.id,
      subscriptionId: LISTED,
      resourceGroup: "rg",
      name,
      tags: {},
      ...(r.circuit.ok
        ? {
            listed: {
              id: r.ref.id,
              name,
              location: "westus",
              tags: {},
              facts: r.circuit.value,
              problems: [],
              readAt: r.circuit.readAt,
            },
          }
        : {}),
    };
  };
  const reader = {
    discover: async () => ({
      targets: Object.keys(PLACES).map(targetOf),
      failures: [
        {
          subscriptionId: UNLISTED,
          failure: {
            kind: "forbidden" as const,
            call: "Microsoft.Network/expressRouteCircuits/read",
            target: `subscription ${UNLISTED}`,
            message: "403 AuthorizationFailed",
            statusCode: 403,
          },
        },
      ],
    }),
    read: async (t: CircuitTarget) => ({
      kind: "read" as const,
      reading: readingOf(t.name),
      settingProblems: [],
    }),
  };
  const sweeper = createSweeper({
    reader,
    store,
    sink: new InMemoryEventSink(),
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    historyRetentionDays: 30,
    logger: memoryLogger().logger,
    clock: () => now,
  });
  for (const m of [0, 5, 10, 15]) {
    now = at(m);
    down = m >= 10;
    await sweeper.sweep({
      scope: { subscriptions: [LISTED, UNLISTED], circuitIds: [] },
      now,
      mode: "deep",
      deadline: at(m + 1),
      abortSignal: AbortSignal.timeout(30_000),
    });
  }
  statusModel = (filters) =>
    loadStatus(store, at(16), { recentHours: 1, recentLimit: 10, filters });
  status = async (filters) => {
    const model = await statusModel(filters);
    return model.openAlerts.map((a) => `${a.family} ${a.circuitName} ${a.state}`).sort();
  };
});
afterAll(async () => {
  await azurite?.stop();
});

const FLEET = "fleet Equinix at Amsterdam (provider) firing";
const BLIND = `monitoring-blind subscription ${UNLISTED} firing`;

it("unfiltered: the fleet alert that paged, its members held by it, and the blind subscription", async () => {
  const all = await status({});
  expect(all).toContain(FLEET);
  expect(all).toContain(BLIND);
  expect(all.filter((a) => a.startsWith("provider er-ams-"))).toEqual([
    "provider er-ams-a held",
    "provider er-ams-b held",
    "provider er-ams-c held",
  ]);
});

it.each([
  { filter: { provider: "Equinix" }, fleet: true },
  { filter: { location: "Amsterdam" }, fleet: true },
  { filter: { provider: "Equinix", location: "Amsterdam" }, fleet: true },
  { filter: { provider: "Megaport" }, fleet: false },
  { filter: { provider: "Equinix", location: "London" }, fleet: false },
])(
  "filtered to $filter: the fleet alert shows only at its own place, the blind subscription always",
  async ({ filter, fleet }) => {
    const shown = await status(filter);
    expect(shown.includes(FLEET)).toBe(fleet);
    expect(shown).toContain(BLIND);
  },
);

it("a severity filter still applies to them", async () => {
  // The fleet outage is Sev0, the blind subscription milder.
  expect(await status({ provider: "Equinix", severity: "Sev0" })).toContain(FLEET);
  expect(await status({ provider: "Equinix", severity: "Sev0" })).not.toContain(BLIND);
});

it("matches a provider or location in any case, for the circuits as for their fleet alert", async () => {
  const shown = await status({ provider: "equinix", location: "AMSTERDAM" });
  expect(shown).toContain(FLEET);
  expect(shown.filter((a) => a.startsWith("provider er-ams-"))).toHaveLength(3);
});

it("filtered to a circuit's name (a part, in any case): its own alerts, and those about no single circuit", async () => {
  const shown = await status({ circuit: "AMS-A" });
  expect(shown.filter((a) => a.startsWith("provider "))).toEqual(["provider er-ams-a held"]);
  // The fleet alert is about a place, the blind subscription about any circuit in it.
  expect(shown).toContain(FLEET);
  expect(shown).toContain(BLIND);
  // A place filter still applies to the fleet alert.
  expect(await status({ circuit: "ams-a", provider: "Megaport" })).toEqual([BLIND]);
});

it("offers one site spelt in two cases and with odd whitespace once", async () => {
  const model = await statusModel({});
  expect(model.filters?.providers).toEqual(["Equinix", "Megaport"]);
  expect(model.filters?.locations).toEqual(["Amsterdam", "London", "Silicon Valley"]);
});

it("filtered to a location, shows every circuit there whatever whitespace it is spelt with", async () => {
  const model = await statusModel({ location: "Silicon Valley" });
  expect(model.circuits.map((c) => c.name).sort()).toEqual(["er-sv-a", "er-sv-b"]);
});
