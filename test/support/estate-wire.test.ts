// Odd values on the wire, served by the estate and read through the REAL SDK.
// This pins down what @azure/arm-network's deserialisers do with them: they
// pass raw values through unchanged (a number stays a number, an object stays
// an object, a left-out field is undefined), so everything erwatch must
// survive reaches the adapter's own schema exactly as ARM sent it.

import { describe, expect, it } from "vitest";
import {
  editConnectionWire,
  editWire,
  clearWire,
  type EstateState,
  type WireEdit,
} from "./estate/index.js";
import { circuits, clientFor, collect, estateWith, FAST, PRIVATE, RG } from "./estate-sdk.js";

function oneCircuit(...edits: WireEdit[]): EstateState {
  const state = circuits("er-a");
  editWire(state.circuits[0]!, ...edits);
  return state;
}

const arp = (field: string, value: unknown): WireEdit => ({
  read: "arpTable",
  peering: PRIVATE,
  path: "primary",
  field,
  value,
});
const summary = (field: string, value: unknown): WireEdit => ({
  read: "routeTablesSummary",
  field,
  value,
});

describe("the SDK passes odd values through untouched", () => {
  it.each([
    ["a numeric ARP interface", arp("value[0].interface", 7), "interface", 7],
    ["an object MAC", arp("value[1].macAddress", { mac: "x" }), "macAddress", { mac: "x" }],
    ["age as text", arp("value[0].age", "10"), "age", "10"],
  ])("%s", async (_name, edit, key, expected) => {
    const estate = await estateWith(oneCircuit(edit));
    const rows = (
      await clientFor(estate).expressRouteCircuits.listArpTable(
        RG,
        "er-a",
        PRIVATE,
        "primary",
        FAST,
      )
    ).value!;
    const index = Number(/\[(\d+)\]/.exec(edit.field)![1]);
    expect((rows[index] as Record<string, unknown>)[key]).toEqual(expected);
    // Only the path named was edited.
    const secondary = await clientFor(estate).expressRouteCircuits.listArpTable(
      RG,
      "er-a",
      PRIVATE,
      "secondary",
      FAST,
    );
    expect(secondary.value![0]!.interface).toBe("On-Prem");
  });

  it.each(["Established", "1e3", "", "99999999999999999999", 120])(
    "statePfxRcd %j",
    async (value) => {
      const estate = await estateWith(oneCircuit(summary("value[0].statePfxRcd", value)));
      const rows = (
        await clientFor(estate).expressRouteCircuits.listRoutesTableSummary(
          RG,
          "er-a",
          PRIVATE,
          "secondary",
          FAST,
        )
      ).value!;
      expect(rows[0]!.statePfxRcd).toEqual(value);
    },
  );

  it("a neighbor's v given as text", async () => {
    const estate = await estateWith(oneCircuit(summary("value[0].v", "6")));
    const rows = (
      await clientFor(estate).expressRouteCircuits.listRoutesTableSummary(
        RG,
        "er-a",
        PRIVATE,
        "primary",
        FAST,
      )
    ).value!;
    expect(rows[0]!.v).toBe("6");
  });

  it("circuit fields left out, null, in another case, or tags that are not text", async () => {
    const estate = await estateWith(
      oneCircuit(
        { read: "circuit", field: "properties.serviceProviderProvisioningState", remove: true },
        { read: "circuit", field: "properties.peerings[0].properties.state", value: "enabled" },
        { read: "circuit", field: "properties.peerings[0].properties.vlanId", value: "200" },
        { read: "circuit", field: "tags", value: { owner: null, "cost-center": 4711 } },
      ),
    );
    const circuit = await clientFor(estate).expressRouteCircuits.get(RG, "er-a");
    expect(circuit.serviceProviderProvisioningState).toBeUndefined();
    expect(circuit.peerings![0]!.state).toBe("enabled");
    expect(circuit.peerings![0]!.vlanId).toBe("200");
    expect(circuit.tags).toEqual({ owner: null, "cost-center": 4711 });
    // The listing carries the same JSON as the GET.
    const [listed] = await collect(clientFor(estate).expressRouteCircuits.listAll());
    expect(listed!.serviceProviderProvisioningState).toBeUndefined();
  });

  it("a missing peerings array is undefined, not an empty list", async () => {
    const estate = await estateWith(
      oneCircuit({ read: "circuit", field: "properties.peerings", remove: true }),
    );
    expect((await clientFor(estate).expressRouteCircuits.get(RG, "er-a")).peerings).toBeUndefined();
  });

  it("a connection's status in another case", async () => {
    const state = circuits("er-a");
    editConnectionWire(state, "er-a", { field: "properties.connectionStatus", value: "connected" });
    const estate = await estateWith(state);
    const got = await clientFor(estate).virtualNetworkGatewayConnections.get(RG, "conn-er-a");
    expect(got.connectionStatus).toBe("connected");
  });

  it("clearWire restores the plain JSON; a path that does not exist is a test bug, answered 500", async () => {
    const state = oneCircuit(arp("value[0].interface", 7));
    const estate = await estateWith(state);
    clearWire(state.circuits[0]!);
    const rows = await clientFor(estate).expressRouteCircuits.listArpTable(
      RG,
      "er-a",
      PRIVATE,
      "primary",
      FAST,
    );
    expect(rows.value![0]!.interface).toBe("On-Prem");
    editWire(state.circuits[0]!, { read: "circuit", field: "properties.nothing.here", value: 1 });
    await expect(
      clientFor(estate, { retryOptions: { maxRetries: 0 } }).expressRouteCircuits.get(RG, "er-a"),
    ).rejects.toMatchObject({
      statusCode: 500,
      message: expect.stringContaining("does not exist"),
    });
  });
});
