// The deadline flush (circuit-recorder.ts): outages waiting to group are
// decided at the run's deadline while other reads are still in flight. Who was
// read is taken when the outages are: a member whose read lands while the
// fleet alert is being decided, not among them, once counted as read without
// the outage; the open fleet alert started to resolve and its members paged
// one by one beside it.

import { expect, it, vi } from "vitest";

const prepared = new Map<string, unknown>();
vi.mock("../../src/app/record-circuit.js", async (orig) => {
  const actual = (await orig()) as Record<string, unknown>;
  return {
    ...actual,
    prepareCircuit: async (_d: unknown, reading: { ref: { id: string } }) =>
      prepared.get(reading.ref.id),
  };
});

import { alertKey, FAMILY_OF } from "../../src/core/alert-identity.js";
import { fleetCircuitId } from "../../src/core/fleet.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import type { Finding } from "../../src/core/model.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { subjectVerdict } from "../../src/core/sight.js";
import type { PreparedCircuit } from "../../src/app/record-circuit.js";
import type { Stored } from "../../src/app/state-store.js";
import { CircuitRecorder } from "../../src/app/circuit-recorder.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:05:00.000Z");
const BEFORE = new Date(NOW.getTime() - 5 * 60_000).toISOString();
const FLEET_ID = fleetCircuitId("Equinix", "Amsterdam", "provider");
const FLEET_KEY = alertKey(FLEET_ID, null, "fleet");
const idOf = (n: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${n}`;

const provider: Finding = {
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
const bgp: Finding = {
  code: "bgp-down",
  layer: "bgp",
  owner: "carrier",
  severity: "Sev0",
  peering: "AzurePrivatePeering",
  paths: ["primary", "secondary"],
  title: "BGP down on both paths",
  nextAction: "x",
  evidence: {},
};

function own(name: string, f: Finding): AlertState {
  const id = idOf(name);
  return {
    key: alertKey(id, f.peering, FAMILY_OF[f.code]),
    family: FAMILY_OF[f.code],
    circuitId: id,
    circuitName: name,
    peering: f.peering,
    phase: "firing",
    consecutiveFiring: 3,
    consecutiveClean: 0,
    firstSeen: BEFORE,
    condition: { ...f, ticket: null },
    notified: null,
    sequence: 0,
    lastEvaluatedAt: BEFORE,
    lastFiringAt: BEFORE,
    lastCleanAt: null,
  } as AlertState;
}
function circuit(name: string, f: Finding, stored: AlertState | null): PreparedCircuit {
  const id = idOf(name);
  const verdict = {
    ...subjectVerdict({ id, name, subscriptionId: "s", resourceGroup: "rg" }, NOW),
    serviceProviderName: "Equinix",
    peeringLocation: "Amsterdam",
    serviceKey: `k-${name}`,
    circuitRead: true,
  };
  const key = alertKey(id, f.peering, FAMILY_OF[f.code]);
  return {
    verdict: verdict as PreparedCircuit["verdict"],
    observations: [
      {
        key,
        family: FAMILY_OF[f.code],
        circuitId: id,
        peering: f.peering,
        state: "firing",
        finding: f,
        previousReadAt: BEFORE,
      },
    ],
    alerts: new Map(stored ? [[key, { value: stored, etag: "e" }]] : []),
  };
}

it("flush decides an open fleet alert while its members' reads land during its listAlerts", async () => {
  const fleet: AlertState = {
    key: FLEET_KEY,
    family: "fleet",
    circuitId: FLEET_ID,
    circuitName: "Equinix at Amsterdam (provider)",
    peering: null,
    phase: "firing",
    consecutiveFiring: 3,
    consecutiveClean: 0,
    firstSeen: BEFORE,
    condition: {
      code: "fleet-outage",
      severity: "Sev0",
      layer: "provider",
      owner: "carrier",
      paths: [],
      title: "2 circuits",
      nextAction: "",
      ticket: null,
      evidence: { circuits: ["b", "c"].map((n) => ({ id: idOf(n), name: n, severity: "Sev0" })) },
    },
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: [],
      title: "",
      at: BEFORE,
      sequence: 1,
      members: [idOf("b"), idOf("c")],
    },
    sequence: 1,
    lastEvaluatedAt: BEFORE,
    lastFiringAt: BEFORE,
    lastCleanAt: null,
  } as AlertState;
  const alerts = new Map<string, Stored<AlertState>>([[FLEET_KEY, { value: fleet, etag: "f" }]]);
  let release!: () => void;
  let gateOnce: Promise<void> | null = new Promise<void>((r) => (release = r));
  const commits: AlertState[] = [];
  const store = {
    listAlerts: async () => {
      const g = gateOnce;
      gateOnce = null;
      if (g) await g;
      return [...alerts.values()];
    },
    getAlert: async (_p: string, key: string) => alerts.get(key) ?? null,
    commitAlert: async (s: AlertState) => {
      commits.push(s);
      alerts.set(s.key, { value: s, etag: "n" });
    },
    appendHistory: async () => {},
    listCircuitIds: async () => [idOf("a"), idOf("b"), idOf("c")],
  };
  prepared.set(idOf("a"), circuit("a", bgp, null));
  prepared.set(idOf("b"), circuit("b", provider, own("b", provider)));
  prepared.set(idOf("c"), circuit("c", provider, own("c", provider)));
  const target = (n: string) =>
    ({
      id: idOf(n),
      name: n,
      subscriptionId: "s",
      resourceGroup: "rg",
      listed: { facts: { serviceProviderName: "Equinix", peeringLocation: "Amsterdam" } },
    }) as never;
  const recorder = new CircuitRecorder({
    deps: {
      store,
      policy: { alerts: DEFAULT_ALERT_POLICY, classify: DEFAULT_CLASSIFY_OPTIONS },
    } as never,
    silences: [],
    sweepId: "w",
    now: NOW,
    log: memoryLogger().logger,
    publisher: { kick() {}, settle: async () => ({ published: [], brokerError: null }) },
    baseline: new Set(),
    targets: ["a", "b", "c"].map(target),
    group: true,
  });
  const rel = (n: string) =>
    ({
      reading: { ref: { id: idOf(n), name: n }, circuit: { ok: true }, paths: {} },
      pair: null,
    }) as never;
  await recorder.record(rel("a"), null); // a: waits for b and c (its place's other reads)
  const flushing = recorder.flush(true); // the deadline: b and c still in flight
  await new Promise((r) => setTimeout(r, 10));
  // b and c land while the flush lists the alerts.
  const landing = [recorder.record(rel("b"), null), recorder.record(rel("c"), null)];
  await new Promise((r) => setTimeout(r, 10));
  release();
  await flushing;
  await Promise.all(landing);
  await recorder.group();
  const out = recorder.result();
  // The fleet alert is still down (b and c read with the outage): never resolving.
  expect(commits.filter((c) => c.key === FLEET_KEY).map((c) => c.phase)).not.toContain("resolving");
  // b and c are held by it, as members of an open fleet alert are; only a, at another layer, pages.
  expect(out.events.map((e) => `${e.circuit.name} ${e.family} ${e.action} ${e.severity}`)).toEqual([
    "a path-down open Sev0",
  ]);
  const reason = (n: string) =>
    out.decisions.find((d) => d.key === alertKey(idOf(n), null, "provider"))?.reason;
  expect([reason("b"), reason("c")]).toEqual(["inhibited", "inhibited"]);
});
