// A snapshot stored before each gateway connection was remembered keeps only
// whether the wiring as a whole was Connected (gatewayWasConnected). The
// first sweep that loads one must raise nothing the same sweep would not
// raise from a snapshot that names the connections: no finding, no row
// change. A circuit tagged erwatch:expect-gateway=false whose first sweep
// after the upgrade fell in a Resource Graph outage read its row up → n/a
// (and back once the query answered), where named memory keeps it up.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../src/core/evaluate.js";
import type { GatewayConnectionFacts, Reading } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { READ_AT, circuitReading, ok } from "../support/readings.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};
const conn = (name: string, status: string): GatewayConnectionFacts => ({
  id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/connections/${name}`,
  name,
  kind: "vnet-gateway",
  peering: null,
  status,
  gatewayId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw-${name}`,
});
/** The list read per resource group after Resource Graph failed: the DR hub's group is not in it. */
const inPart = (c: GatewayConnectionFacts[]): Reading<GatewayConnectionFacts[]> => ({
  ok: true,
  value: c,
  readAt: READ_AT,
  partial: true,
});

const at = (sweep: number) => new Date(Date.parse("2026-11-22T02:00:00.000Z") + sweep * 300_000);
const sweep = (
  gateway: Reading<GatewayConnectionFacts[]>,
  previous: Snapshot | null,
  n: number,
  expectGateway: boolean,
) =>
  evaluateCircuit(
    circuitReading({ gateway, settings: { expectGateway } }),
    previous,
    [],
    [],
    POLICY,
    at(n),
  );

function withoutNamedMemory(snapshot: Snapshot): Snapshot {
  const old = structuredClone(snapshot);
  for (const p of Object.values(old.peerings)) delete p.gatewayConnections;
  return old;
}

const said = (e: ReturnType<typeof sweep>) => ({
  findings: e.verdict.findings.map((f) => `${f.code}:${f.severity}`),
  changes: e.changes.map((c) => ("after" in c ? `${c.path} ${c.before} → ${c.after}` : c.kind)),
});

const HUB = conn("hub", "Connected");
const DR = conn("dr", "Connected");

describe("the first sweep after the upgrade, from a snapshot without named connections", () => {
  it.each<{
    name: string;
    stored: GatewayConnectionFacts[];
    now: Reading<GatewayConnectionFacts[]>;
  }>([
    { name: "both Connected, read whole", stored: [HUB, DR], now: ok([HUB, DR]) },
    {
      name: "the DR hub NotConnected already",
      stored: [HUB, conn("dr", "NotConnected")],
      now: ok([HUB, conn("dr", "NotConnected")]),
    },
    {
      name: "none Connected already (its alert open)",
      stored: [conn("hub", "NotConnected")],
      now: ok([conn("hub", "NotConnected")]),
    },
    { name: "Resource Graph failed, the DR hub not listed", stored: [HUB, DR], now: inPart([HUB]) },
    { name: "Resource Graph failed, none listed", stored: [HUB, DR], now: inPart([]) },
    {
      name: "Resource Graph failed, the hub listed Unknown",
      stored: [HUB, DR],
      now: inPart([conn("hub", "Unknown")]),
    },
  ])("$name: raises nothing named memory would not", ({ stored, now }) => {
    for (const expectGateway of [true, false]) {
      const first = sweep(ok(stored), null, 0, expectGateway).snapshot;
      const kept = sweep(ok(stored), first, 1, expectGateway).snapshot;
      const named = said(sweep(now, kept, 2, expectGateway));
      const upgraded = said(sweep(now, withoutNamedMemory(kept), 2, expectGateway));
      for (const key of ["findings", "changes"] as const)
        for (const one of upgraded[key])
          expect({ expectGateway, [key]: one }).toEqual({
            expectGateway,
            [key]: named[key].includes(one) ? one : "(not raised with named memory)",
          });
    }
  });
});
