// Gateway wiring and Global Reach are each decided once (core/wiring.ts); the
// layer cell and the finding must say the same thing in every case.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS, classifyCircuit } from "../../src/core/classify.js";
import type {
  GatewayConnectionFacts,
  GlobalReachConnection,
  LayerStatus,
} from "../../src/core/model.js";
import { assessGateway, assessGlobalReach } from "../../src/core/wiring.js";
import { circuitReading, failed, ok, peering, type CircuitSpec } from "../support/readings.js";

const vnet = (status: string): GatewayConnectionFacts => ({
  id: `/c/${status}`,
  name: `conn-${status}`,
  kind: "vnet-gateway",
  peering: null,
  status,
});
const vwan = (status: string, on = "AzurePrivatePeering"): GatewayConnectionFacts => ({
  id: `/v/${status}`,
  name: `erconn-${status}`,
  kind: "vwan",
  peering: on,
  status,
});
const reach = (name: string, status: string): GlobalReachConnection => ({
  name,
  peerCircuitPeeringId: `/peer/${name}`,
  status,
  direction: "outbound",
});

function verdictOf(spec: CircuitSpec) {
  const verdict = classifyCircuit(circuitReading(spec));
  const row = verdict.peerings[0]!.paths.primary;
  const codes = verdict.findings.map((f) => f.code);
  return { row, codes };
}

describe("gateway wiring: one rule for the cell and the finding", () => {
  const cases: {
    name: string;
    connections: GatewayConnectionFacts[] | "unread";
    expectGateway?: boolean;
    state: ReturnType<typeof assessGateway>["state"];
    cell: LayerStatus;
    finding: boolean;
  }[] = [
    {
      name: "VNet Connected",
      connections: [vnet("Connected")],
      state: "connected",
      cell: "up",
      finding: false,
    },
    {
      name: "one of two Connected",
      connections: [vnet("NotConnected"), vnet("Connected")],
      state: "connected",
      cell: "up",
      finding: false,
    },
    {
      name: "VNet NotConnected",
      connections: [vnet("NotConnected")],
      state: "not-connected",
      cell: "down",
      finding: true,
    },
    {
      name: "VNet Connecting",
      connections: [vnet("Connecting")],
      state: "not-connected",
      cell: "down",
      finding: true,
    },
    {
      // A documented connectionStatus that says the status is not known: UNKNOWN, never down.
      name: "VNet Unknown",
      connections: [vnet("Unknown")],
      state: "unsure",
      cell: "unknown",
      finding: false,
    },
    {
      name: "VNet Unknown beside NotConnected",
      connections: [vnet("NotConnected"), vnet("Unknown")],
      state: "unsure",
      cell: "unknown",
      finding: false,
    },
    {
      // An update in progress (routing weight, route tables) says nothing about traffic.
      name: "vWAN Updating",
      connections: [vwan("Updating")],
      state: "unsure",
      cell: "unknown",
      finding: false,
    },
    {
      name: "vWAN Succeeded",
      connections: [vwan("Succeeded")],
      state: "connected",
      cell: "up",
      finding: false,
    },
    {
      // The REST spec's examples of vWAN ExpressRoute connections read "Provisioned".
      name: "vWAN Provisioned",
      connections: [vwan("Provisioned")],
      state: "connected",
      cell: "up",
      finding: false,
    },
    {
      name: "vWAN Failed",
      connections: [vwan("Failed")],
      state: "not-connected",
      cell: "down",
      finding: true,
    },
    {
      name: "vWAN on another peering only",
      connections: [vwan("Succeeded", "MicrosoftPeering")],
      state: "none",
      cell: "down",
      finding: true,
    },
    { name: "no connection", connections: [], state: "none", cell: "down", finding: true },
    {
      name: "no connection, none expected",
      connections: [],
      expectGateway: false,
      state: "none",
      cell: "n/a",
      finding: false,
    },
    {
      // A left-over connection on a Global Reach–only circuit: no finding, no red row, no trouble.
      name: "a connection not connected, none expected",
      connections: [vnet("NotConnected")],
      expectGateway: false,
      state: "not-connected",
      cell: "n/a",
      finding: false,
    },
    {
      name: "a connection whose status says nothing, none expected",
      connections: [vnet("Unknown")],
      expectGateway: false,
      state: "unsure",
      cell: "n/a",
      finding: false,
    },
    {
      name: "connections unreadable",
      connections: "unread",
      state: "unread",
      cell: "unknown",
      finding: false,
    },
  ];

  it.each(cases)("$name", ({ connections, expectGateway, state, cell, finding }) => {
    const gateway =
      connections === "unread"
        ? failed<GatewayConnectionFacts[]>({ kind: "throttled" })
        : ok(connections);
    expect(assessGateway(peering(), gateway).state).toBe(state);
    const { row, codes } = verdictOf({
      gateway,
      settings: { expectGateway: expectGateway ?? true },
    });
    expect(row.gateway.status).toBe(cell);
    expect(codes.includes("gateway-not-connected")).toBe(finding);
  });

  it("wiring that was Connected and now reads Unknown pages nobody (no Sev1 'VNet traffic stopped')", () => {
    const verdict = classifyCircuit(circuitReading({ gateway: ok([vnet("Unknown")]) }), {
      ...DEFAULT_CLASSIFY_OPTIONS,
      previous: {
        providerWasProvisioned: true,
        peerings: ["AzurePrivatePeering"],
        gatewaysOnceConnected: ["AzurePrivatePeering"],
      },
    });
    expect(verdict.findings).toEqual([]);
    expect(verdict.peerings[0]?.paths.primary.gateway.status).toBe("unknown");
  });

  it("Microsoft peering has no gateway row and no gateway finding", () => {
    const microsoft = peering({ name: "MicrosoftPeering", peeringType: "MicrosoftPeering" });
    expect(assessGateway(microsoft, ok([])).state).toBe("not-used");
  });
});

describe("Global Reach: one rule for the cell and the finding", () => {
  const cases: {
    name: string;
    connections: GlobalReachConnection[];
    down: string[];
    cell: LayerStatus;
    /** Pages global-reach-down; absent: whenever a connection is down. */
    paged?: boolean;
  }[] = [
    { name: "none configured", connections: [], down: [], cell: "n/a" },
    {
      name: "all Connected",
      connections: [reach("a", "Connected"), reach("b", "Connected")],
      down: [],
      cell: "up",
    },
    {
      name: "one Disconnected",
      connections: [reach("a", "Connected"), reach("b", "Disconnected")],
      down: ["b"],
      cell: "down",
    },
    {
      // Not Connected, but first seen now: being set up (reach-memory.ts), held unpaged.
      name: "Connecting, first seen now: being set up, not paged",
      connections: [reach("a", "Connecting")],
      down: ["a"],
      cell: "warn",
      paged: false,
    },
  ];

  it.each(cases)("$name", ({ connections, down, cell, paged }) => {
    const p = peering({ globalReach: connections });
    expect(assessGlobalReach(p).down.map((g) => g.name)).toEqual(down);
    const { row, codes } = verdictOf({ peerings: [p] });
    expect(row.globalReach.status).toBe(cell);
    expect(codes.includes("global-reach-down")).toBe(paged ?? down.length > 0);
  });
});
