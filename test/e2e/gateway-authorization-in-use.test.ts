// What users saw: the common hub-and-spoke layout. The circuit lives in the
// connectivity subscription erwatch watches; the ExpressRoute gateway and its
// connection live in an application subscription erwatch does not watch, and
// the connection was made by redeeming one of the circuit's authorizations
// (ARM says so on the circuit: properties.authorizations[].
// authorizationUseStatus = "InUse"). erwatch never read the authorizations,
// found no connection, and reported "Circuit is not wired to any ExpressRoute
// gateway: no virtual network can use it" with red gateway rows, told the
// on-call to create a connection that existed and carried traffic, and read
// the circuit deep every sweep as trouble. Now the authorizations are read
// (adapters/arm/wire/circuit-body.ts) and an InUse one with no connection in
// sight makes the gateway row n/a, naming it and the subscription setting
// that would show the connection: no finding, no red, no trouble.
// Through the REAL SDK against the simulated estate (the CLI's JSON report).

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  editWire,
  estateOf,
  healthyCircuit,
  startEstate,
  type EstateState,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { diagnoseReport } from "../support/estate-cli.js";

const PRIVATE = "AzurePrivatePeering";

function spokeWired(): EstateState {
  // No connection erwatch can see: it is in an unwatched subscription.
  return estateOf(healthyCircuit({ name: "er-hub", gateway: "none" }));
}

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(spokeWired());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.state = spokeWired();
});

const inUse = {
  name: "auth-spoke-app1",
  id: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hybrid-core/providers/Microsoft.Network/expressRouteCircuits/er-hub/authorizations/auth-spoke-app1",
  properties: {
    authorizationKey: "00000000-0000-0000-0000-00000000a0a0",
    authorizationUseStatus: "InUse",
    provisioningState: "Succeeded",
  },
};

describe("a circuit whose authorization is InUse by a connection outside the watched subscriptions", () => {
  it("control: with no authorization in use, 'not wired' is right (passes on main)", async () => {
    const c = await diagnoseReport(estate, "er-hub");
    expect(c.findings.map((f) => f.code)).toEqual(["gateway-not-connected"]);
  });

  it("control: an authorization only Available is no wiring: still 'not wired'", async () => {
    editWire(estate.state.circuits[0]!, {
      read: "circuit",
      field: "properties.authorizations",
      value: [
        { ...inUse, properties: { ...inUse.properties, authorizationUseStatus: "Available" } },
      ],
    });
    const c = await diagnoseReport(estate, "er-hub");
    expect(c.findings.map((f) => f.code)).toEqual(["gateway-not-connected"]);
  });

  it("is not reported as 'not wired to any ExpressRoute gateway', and its gateway row is not down", async () => {
    editWire(estate.state.circuits[0]!, {
      read: "circuit",
      field: "properties.authorizations",
      value: [inUse],
    });
    const c = await diagnoseReport(estate, "er-hub");
    const wiring = c.findings.find((f) => f.code === "gateway-not-connected");
    expect(wiring?.title ?? "").not.toMatch(/not wired to any ExpressRoute gateway/);
    const row = c.peerings.find((p) => p.name === PRIVATE)!.paths.primary.gateway;
    expect(row.status).not.toBe("down");
    // Not seen, so neither red nor UNKNOWN (trouble read deep every sweep): n/a, and why.
    expect(c.findings).toEqual([]);
    expect(row.status).toBe("n/a");
    expect(row.detail).toMatch(/authorization auth-spoke-app1 .*ERWATCH_SUBSCRIPTIONS/);
  });
});
