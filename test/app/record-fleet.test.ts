// The fleet step's edge: a fleet alert holds its members' outages only when
// this run wrote it. One another run already judged at the same instant may
// not name this run's circuits, so they page on their own instead of being
// held silently.

import { describe, expect, it } from "vitest";
import { alertKey } from "../../src/core/alert-identity.js";
import { fleetCircuitId } from "../../src/core/fleet.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import type { Finding } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { subjectVerdict } from "../../src/core/sight.js";
import type { PreparedCircuit, RecordDeps } from "../../src/app/record-circuit.js";
import { recordFleet } from "../../src/app/record-fleet.js";
import type { StateStore, Stored } from "../../src/app/state-store.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:05:00.000Z");
const FLEET_ID = fleetCircuitId("Equinix", "Amsterdam", "provider");
const FLEET_KEY = alertKey(FLEET_ID, null, "fleet");

const down: Finding = {
  code: "provider-not-provisioned",
  layer: "provider",
  owner: "carrier",
  severity: "Sev0",
  peering: null,
  paths: [],
  title: "The provider de-provisioned the circuit",
  nextAction: "Call the carrier.",
  evidence: {},
};

function circuit(name: string): PreparedCircuit {
  const id = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
  const verdict = {
    ...subjectVerdict({ id, name, subscriptionId: "s", resourceGroup: "rg" }, NOW),
    serviceProviderName: "Equinix",
    peeringLocation: "Amsterdam",
    serviceKey: `key-${name}`,
    circuitRead: true,
  };
  const key = alertKey(id, null, "provider");
  return {
    verdict,
    observations: [
      {
        key,
        family: "provider",
        circuitId: id,
        peering: null,
        state: "firing",
        finding: down,
        previousReadAt: null,
      },
    ],
    alerts: new Map(),
  };
}

/** Only what the fleet step touches; every write is kept. */
function store(alerts: Stored<AlertState>[]) {
  const commits: AlertState[] = [];
  const fake = {
    listAlerts: async () => alerts,
    getAlert: async (_: string, key: string) => alerts.find((a) => a.value.key === key) ?? null,
    commitAlert: async (state: AlertState) => {
      commits.push(state);
    },
    appendHistory: async () => {},
  } as unknown as StateStore;
  return { fake, commits };
}

const deps = (s: StateStore): RecordDeps =>
  ({ store: s, policy: { alerts: DEFAULT_ALERT_POLICY }, silences: [] }) as unknown as RecordDeps;

describe("recordFleet", () => {
  const members = [circuit("er-ams-a"), circuit("er-ams-b")];
  const read = new Set(members.map((m) => m.verdict.id.toLowerCase()));

  it("holds the members of the fleet alert it wrote", async () => {
    const s = store([]);
    const out = await recordFleet(deps(s.fake), members, read, NOW, "w", memoryLogger().logger);
    expect(s.commits.map((c) => [c.key, c.phase])).toEqual([[FLEET_KEY, "firing"]]);
    expect(out.events.map((e) => e.action)).toEqual(["open"]);
    expect([...out.holds.values()].map((h) => h.by)).toEqual([FLEET_KEY, FLEET_KEY]);
  });

  it("holds nothing by a fleet alert another run already judged at this instant", async () => {
    const judged: AlertState = {
      key: FLEET_KEY,
      family: "fleet",
      circuitId: FLEET_ID,
      circuitName: "Equinix at Amsterdam (provider)",
      peering: null,
      phase: "firing",
      consecutiveFiring: 1,
      consecutiveClean: 0,
      firstSeen: NOW.toISOString(),
      condition: {
        code: "fleet-outage",
        severity: "Sev0",
        layer: "provider",
        owner: "carrier",
        paths: [],
        title:
          "2 circuits through Equinix at Amsterdam broke at the same layer: er-ams-x, er-ams-y",
        nextAction: "",
        evidence: { circuits: [{ id: "x" }, { id: "y" }] },
        ticket: null,
      },
      notified: null,
      sequence: 1,
      lastEvaluatedAt: NOW.toISOString(),
    };
    const s = store([{ value: judged, etag: "e1" }]);
    const out = await recordFleet(deps(s.fake), members, read, NOW, "w", memoryLogger().logger);
    expect(s.commits).toEqual([]);
    expect(out.events).toEqual([]);
    // a and b are not named by what storage holds: they page on their own.
    expect(out.holds.size).toBe(0);
  });
});
