// The circuit's authorizations at the ARM edge (the SDK flattens each one's
// properties): only the name and whether it is in use are read, tolerating
// what ARM and older api-versions send. An InUse one is how erwatch knows a
// circuit is wired from a subscription it does not watch.

import { describe, expect, it } from "vitest";
import { parseCircuit } from "../../../src/adapters/arm/wire/circuit-body.js";

const CIRCUIT =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er";

const body = (authorizations: unknown) => ({
  id: CIRCUIT,
  name: "er",
  circuitProvisioningState: "Enabled",
  serviceProviderProvisioningState: "Provisioned",
  peerings: [],
  ...(authorizations === undefined ? {} : { authorizations }),
});

const auth = (name: unknown, authorizationUseStatus?: unknown) => ({
  name,
  id: `${CIRCUIT}/authorizations/${String(name)}`,
  authorizationKey: "00000000-0000-0000-0000-00000000a0a0",
  ...(authorizationUseStatus === undefined ? {} : { authorizationUseStatus }),
  provisioningState: "Succeeded",
});

describe("the circuit's authorizations", () => {
  it.each<{ name: string; wire: unknown; read: { name: string; useStatus: string | null }[] }>([
    { name: "left out", wire: undefined, read: [] },
    { name: "null", wire: null, read: [] },
    { name: "empty", wire: [], read: [] },
    {
      name: "in use and available, in ARM's spelling",
      wire: [auth("spoke", "InUse"), auth("spare", "Available")],
      read: [
        { name: "spoke", useStatus: "InUse" },
        { name: "spare", useStatus: "Available" },
      ],
    },
    {
      name: "re-cased, a null among them, a status left out",
      wire: [auth("spoke", "inuse"), null, auth("new")],
      read: [
        { name: "spoke", useStatus: "InUse" },
        { name: "new", useStatus: null },
      ],
    },
    {
      // Not documented: kept as sent, so it is not read as InUse.
      name: "a status outside the documented list",
      wire: [auth("spoke", "Redeemed")],
      read: [{ name: "spoke", useStatus: "Redeemed" }],
    },
  ])("$name", ({ wire, read }) => {
    const parsed = parseCircuit(body(wire));
    expect(parsed.facts.authorizations).toEqual(read);
    expect(parsed.problems).toEqual([]);
  });

  it("never keeps the authorization key", () => {
    const parsed = parseCircuit(body([auth("spoke", "InUse")]));
    expect(JSON.stringify(parsed.facts)).not.toContain("a0a0");
  });
});
