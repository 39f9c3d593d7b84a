// The schema at the ARM edge, table by table: what is understood (and how it
// is normalised), what is null, and how a value that cannot be understood is
// named. The e2e tests prove the same through the SDK and the CLI.

import { describe, expect, it } from "vitest";
import { parseCircuit, parseListedCircuit } from "../../../src/adapters/arm/wire/circuit-body.js";
import {
  connectionsTo,
  parseConnection,
  vwanConnectionsTo,
} from "../../../src/adapters/arm/wire/connections.js";
import { parseWiringRows, WIRING_QUERY, wiringOf } from "../../../src/adapters/arm/wire/graph.js";
import { toArpRows, toNeighborRows, toRouteRows } from "../../../src/adapters/arm/wire/rows.js";

const CIRCUIT =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er";

const neighbor = (over: Record<string, unknown>) => ({
  value: [
    { neighbor: "192.168.10.17", v: 4, as: 65010, upDown: "1d02h", statePfxRcd: "120", ...over },
  ],
});
const arp = (over: Record<string, unknown>) => ({
  value: [
    {
      age: 0,
      interface: "On-Prem",
      ipAddress: "192.168.10.17",
      macAddress: "0050.56a1.2b3c",
      ...over,
    },
  ],
});

describe("route table summary rows", () => {
  it.each([
    ["120", "120"],
    [120, "120"],
    [" 0 ", "0"],
    ["4294967295", "4294967295"],
    ["Idle", "Idle"],
    ["idle", "Idle"],
    ["Active (Admin)", "Active (Admin)"],
    ["Idle(PfxCt)", "Idle (PfxCt)"],
    ["opensent", "OpenSent"],
  ])("statePfxRcd %j is understood as %j", (value, expected) => {
    expect(toNeighborRows(neighbor({ statePfxRcd: value }))[0]!.statePfxRcd).toBe(expected);
  });

  it.each([
    [
      "Established",
      'value[0].statePfxRcd is "Established": neither a prefix count nor a BGP state',
    ],
    ["1e3", 'value[0].statePfxRcd is "1e3": neither a prefix count nor a BGP state'],
    ["", "value[0].statePfxRcd is empty: neither a prefix count nor a BGP state"],
    [
      "99999999999999999999",
      'value[0].statePfxRcd is "99999999999999999999": neither a prefix count nor a BGP state',
    ],
    ["4294967296", 'value[0].statePfxRcd is "4294967296": neither a prefix count nor a BGP state'],
    [-1, "value[0].statePfxRcd is a number: neither a prefix count nor a BGP state"],
    [{}, "value[0].statePfxRcd is an object"],
    [null, "value[0].statePfxRcd is missing"],
  ])("statePfxRcd %j fails the read: %s", (value, message) => {
    expect(() => toNeighborRows(neighbor({ statePfxRcd: value }))).toThrow(message);
  });

  // A state-like word erwatch does not know ("NoNeg": an address family not
  // negotiated) is kept on an IPv6 row, judged there and not beside IPv4; on an
  // IPv4 or unversioned row, whose state decides the path, it fails the read.
  it.each([["NoNeg"], ["NoNeg (Admin)"]])(
    "statePfxRcd %j on an IPv6 row is kept as said",
    (value) => {
      expect(toNeighborRows(neighbor({ v: 6, statePfxRcd: value }))[0]!.statePfxRcd).toBe(value);
    },
  );
  it.each([[4], [null]])('statePfxRcd "NoNeg" on a row of version %j fails the read', (v) => {
    expect(() => toNeighborRows(neighbor({ v, statePfxRcd: "NoNeg" }))).toThrow(
      'value[0].statePfxRcd is "NoNeg": neither a prefix count nor a BGP state',
    );
  });
  it.each([["Established"], ["1e3"], [""]])(
    "statePfxRcd %j fails the read on an IPv6 row too",
    (value) => {
      expect(() => toNeighborRows(neighbor({ v: 6, statePfxRcd: value }))).toThrow(
        /neither a prefix count nor a BGP state/,
      );
    },
  );

  it.each([
    [4, 4],
    [6, 6],
    ["6", 6],
    [" 4 ", 4],
    [null, null],
  ])("v %j is %j", (value, expected) => {
    expect(toNeighborRows(neighbor({ v: value }))[0]!.v).toBe(expected);
  });

  it.each([["seven"], [5], ["4.0"], [{}]])("v %j fails the read, naming the field", (value) => {
    expect(() => toNeighborRows(neighbor({ v: value }))).toThrow(/^value\[0\]\.v is .*not 4 or 6$/);
  });

  it("as and upDown: numbers as text, text as numbers where the content is numeric", () => {
    expect(toNeighborRows(neighbor({ as: "65010", upDown: 42 }))[0]).toMatchObject({
      as: 65010,
      upDown: "42",
    });
    expect(() => toNeighborRows(neighbor({ as: "AS65010" }))).toThrow(
      'value[0].as is "AS65010", not a number',
    );
  });
});

describe("ARP rows", () => {
  it.each([
    [{ interface: 7 }, "value[0].interface is a number"],
    [{ macAddress: { oui: "5c5eab" } }, "value[0].macAddress is an object"],
    [{ ipAddress: undefined }, "value[0].ipAddress is missing"],
    [{ age: "ten" }, 'value[0].age is "ten", not a number'],
  ])("%j fails the read: %s", (over, message) => {
    expect(() => toArpRows(arp(over))).toThrow(message);
  });

  // An empty MAC is neither a hardware address nor "Incomplete": read as either, it would pass
  // or fail layer 2 on a value that says nothing. An empty address cannot be placed on the /30.
  it.each([
    [{ macAddress: "" }, "value[0].macAddress is empty"],
    [{ macAddress: "   " }, "value[0].macAddress is empty"],
    [{ ipAddress: "" }, "value[0].ipAddress is empty"],
    [{ age: -1 }, "value[0].age is -1, below 0"],
  ])("%j fails the read, naming the field and the value: %s", (over, message) => {
    expect(() => toArpRows(arp(over))).toThrow(message);
  });

  it('"Incomplete" and an all-zero MAC are kept: they are what routers print for an unresolved entry', () => {
    expect(toArpRows(arp({ macAddress: "Incomplete" }))[0]!.macAddress).toBe("Incomplete");
    expect(toArpRows(arp({ macAddress: "0000.0000.0000" }))[0]!.macAddress).toBe("0000.0000.0000");
  });

  it("age given as text is a number; a body without value is named", () => {
    expect(toArpRows(arp({ age: "10" }))[0]!.age).toBe(10);
    expect(() => toArpRows({})).toThrow("value is missing");
  });
});

describe("route table rows", () => {
  it("numbers where the text is numeric are text", () => {
    expect(
      toRouteRows({
        value: [
          { network: "10.0.0.0/24", nextHop: "1.1.1.1", locPrf: 100, weight: "0", path: 65010 },
        ],
      }),
    ).toEqual([
      { network: "10.0.0.0/24", nextHop: "1.1.1.1", locPrf: "100", weight: 0, path: "65010" },
    ]);
  });
});

const circuitBody = (
  over: Record<string, unknown> = {},
  peering: Record<string, unknown> = {},
) => ({
  id: CIRCUIT,
  name: "er",
  location: "westeurope",
  tags: {},
  circuitProvisioningState: "Enabled",
  serviceProviderProvisioningState: "Provisioned",
  sku: { tier: "Standard", family: "MeteredData" },
  serviceProviderProperties: {
    serviceProviderName: "Equinix",
    peeringLocation: "Amsterdam",
    bandwidthInMbps: 1000,
  },
  peerings: [
    {
      name: "AzurePrivatePeering",
      peeringType: "AzurePrivatePeering",
      state: "Enabled",
      vlanId: 200,
      ...peering,
    },
  ],
  ...over,
});

describe("the circuit body, field by field", () => {
  it("canonical casing for documented enum values; a state outside the list is not understood", () => {
    const body = parseCircuit(
      circuitBody(
        {
          serviceProviderProvisioningState: "provisioned",
          sku: { tier: "PREMIUM", family: "meteredData" },
        },
        { state: "enabled", peeringType: "azureprivatepeering" },
      ),
    );
    expect(body.facts.serviceProviderProvisioningState).toBe("Provisioned");
    expect(body.facts.skuTier).toBe("Premium");
    expect(body.facts.peerings![0]).toMatchObject({
      state: "Enabled",
      peeringType: "AzurePrivatePeering",
    });
    // A state that decides a layer and is not documented is UNKNOWN, named, never "not Provisioned".
    const odd = parseCircuit(circuitBody({ serviceProviderProvisioningState: "Suspended" }));
    expect(odd.facts.serviceProviderProvisioningState).toBeNull();
    expect(odd.problems.map((p) => `${p.field} ${p.problem}`)).toEqual([
      'serviceProviderProvisioningState is "Suspended", not one of NotProvisioned, Provisioning, Provisioned, Deprovisioning, DeProvisioned',
    ]);
    // Values that decide nothing (the SKU family) are kept as sent.
    expect(
      parseCircuit(circuitBody({ sku: { tier: "Standard", family: "Future" } })).facts.skuFamily,
    ).toBe("Future");
    expect(body.problems).toEqual([]);
  });

  it.each([
    [{ name: "Premium_MeteredData", family: "MeteredData" }, "Premium"],
    [{ name: "premium_unlimiteddata", tier: null }, "Premium"],
    [{ name: "Local_UnlimitedData" }, "Local"],
    [{ name: "Standard_MeteredData" }, "Standard"],
    // The tier, when given, is ARM's word for it; the name is only the fallback.
    [{ name: "Standard_MeteredData", tier: "Premium" }, "Premium"],
    // A tier erwatch does not know is kept as sent, as sku.tier's would be.
    [{ name: "Ultra_MeteredData" }, "Ultra"],
    [{ family: "MeteredData" }, null],
    [{ name: "" }, null],
  ])("sku %j → tier %j (sku.tier left out: the tier named in sku.name)", (sku, tier) => {
    const body = parseCircuit(circuitBody({ sku }));
    expect(body.facts.skuTier).toBe(tier);
    expect(body.problems).toEqual([]);
  });

  it.each([
    [
      { serviceProviderProvisioningState: undefined },
      {},
      "serviceProviderProvisioningState is missing",
    ],
    [{ serviceProviderProvisioningState: null }, {}, "serviceProviderProvisioningState is missing"],
    [{ serviceProviderProvisioningState: 3 }, {}, "serviceProviderProvisioningState is a number"],
    // The Azure side decides circuit-not-enabled: left out or not understood, it is named.
    [{ circuitProvisioningState: undefined }, {}, "circuitProvisioningState is missing"],
    [
      { circuitProvisioningState: "Suspended" },
      {},
      'circuitProvisioningState is "Suspended", not one of Enabled, Disabled',
    ],
    [{ peerings: undefined }, {}, "peerings is missing"],
    [{ peerings: "none" }, {}, 'peerings is "none", not a list'],
    [{}, { state: undefined }, "peerings[0].state is missing"],
    [{}, { state: false }, "peerings[0].state is a boolean"],
    [{}, { vlanId: "two hundred" }, 'peerings[0].vlanId is "two hundred", not a number'],
    [
      {},
      { connections: [{ name: "gr", peerExpressRouteCircuitPeering: { id: "/x" } }] },
      "peerings[0].connections[0].circuitConnectionStatus is missing",
    ],
  ])("%j %j → null and the problem %j", (over, peering, problem) => {
    const body = parseCircuit(circuitBody(over, peering));
    expect(body.problems.map((p) => `${p.field} ${p.problem}`)).toEqual([problem]);
  });

  // An entry of the peering list that is no peering was named by the parser
  // ("is \"x\", not an object") and again as the null the parser left in its
  // place ("is null: 1 of the 2 peerings listed cannot be read"): once each
  // now, as what it was, with the count; the evidence says what it was too.
  it.each([
    [null, "is null", "null"],
    ["x", 'is "x", not an object', "text"],
    [7, "is a number, not an object", "number"],
    [[], "is a list, not an object", "list"],
    [true, "is a boolean, not an object", "boolean"],
    [{}, "is an object without a name", "unnamed"],
    [{ name: "", state: "Enabled" }, "is an object without a name", "unnamed"],
  ])("a peering entry %j: named once, as what it was", (entry, named, kind) => {
    const wire = circuitBody();
    const body = parseCircuit({ ...wire, peerings: [...wire.peerings, entry] });
    expect(body.problems.map((p) => `${p.field} ${p.problem}`)).toEqual([
      `peerings[1] ${named}: 1 of the 2 peerings listed cannot be read`,
    ]);
    expect(body.facts.peeringsUnread).toEqual({
      listed: 2,
      unreadable: 1,
      entries: [1],
      kinds: [kind],
    });
  });

  // The SDK makes `{}` of "x", 7 or a list: what the entry was is read in the body as sent.
  it("the SDK's model of a peering entry sent as text: named as the text sent", () => {
    const wire = circuitBody();
    const body = parseCircuit(
      { ...wire, peerings: [...wire.peerings, {}] },
      { ...wire, peerings: [...wire.peerings, "x"] },
    );
    expect(body.problems.map((p) => `${p.field} ${p.problem}`)).toEqual([
      'peerings[1] is "x", not an object: 1 of the 2 peerings listed cannot be read',
    ]);
    expect(body.facts.peeringsUnread?.kinds).toEqual(["text"]);
  });

  // A peering not read is named once, as an entry: its fields are not named beside it.
  it.each([
    [{ state: "Up", vlanId: 0 }],
    [{ name: "", peerASN: "x", microsoftPeeringConfig: "none" }],
    [{ name: 5, state: "Enabled" }],
  ])("an unnamed peering entry with odd fields %j: named once, as an entry", (entry) => {
    const wire = circuitBody();
    const body = parseCircuit({ ...wire, peerings: [...wire.peerings, entry] });
    expect(body.problems.map((p) => `${p.field} ${p.problem}`)).toEqual([
      "peerings[1] is an object without a name: 1 of the 2 peerings listed cannot be read",
    ]);
  });

  // A Global Reach connection entry that is no object was named by the
  // schema and again as the null left in its place ("its status is
  // missing"); through the SDK, which makes `{}` of it, only as the latter.
  it.each([
    [null, "is null"],
    ["x", 'is "x", not an object'],
    [7, "is a number, not an object"],
    [[], "is a list, not an object"],
    [false, "is a boolean, not an object"],
  ])("a Global Reach connection entry %j: named once, as what it was", (entry, named) => {
    for (const key of ["connections", "peeredConnections"]) {
      const body = parseCircuit(circuitBody({}, { [key]: [entry] }));
      expect(body.problems.map((p) => `${p.field} ${p.problem}`)).toEqual([
        `peerings[0].${key}[0] ${named}`,
      ]);
      expect(body.facts.peerings?.[0]?.globalReach).toEqual([
        expect.objectContaining({ status: null }),
      ]);
      // The SDK's model of it, beside the body as ARM sent it (`properties` not lifted).
      const model = parseCircuit(circuitBody({}, { [key]: [{}] }), {
        peerings: [{ name: "AzurePrivatePeering", properties: { [key]: [entry] } }],
      });
      expect(model.problems).toEqual(body.problems);
    }
  });

  // An authorization decides only whether the circuit is wired elsewhere: a
  // null among them says none is in use, as ever; any other entry that is no
  // object is named, through the SDK as when read as sent, and left out.
  it.each([
    [null, []],
    ["x", ['authorizations[0] is "x", not an object']],
    [7, ["authorizations[0] is a number, not an object"]],
    [[], ["authorizations[0] is a list, not an object"]],
  ])("an authorization entry %j: named as what it was, and left out", (entry, named) => {
    const inUse = { name: "auth-1", authorizationUseStatus: "InUse" };
    const body = parseCircuit(circuitBody({ authorizations: [entry, inUse] }));
    expect(body.problems.map((p) => `${p.field} ${p.problem}`)).toEqual(named);
    expect(body.facts.authorizations).toEqual([{ name: "auth-1", useStatus: "InUse" }]);
    const model = parseCircuit(circuitBody({ authorizations: [{}, inUse] }), {
      authorizations: [entry, inUse],
    });
    expect(model.problems).toEqual(body.problems);
    expect(model.facts.authorizations).toEqual(body.facts.authorizations);
  });

  // A number outside what its field can hold is no value of it: null (UNKNOWN) and named with the
  // value as sent, never a VLAN 0 or AS 0 held against the baseline as drift, never a bandwidth 0.
  it.each([
    [{}, { vlanId: 0 }, "peerings[0].vlanId is 0, not a VLAN id (1–4094)"],
    [{}, { vlanId: 4095 }, "peerings[0].vlanId is 4095, not a VLAN id (1–4094)"],
    [{}, { vlanId: "0" }, 'peerings[0].vlanId is "0", not a VLAN id (1–4094)'],
    [{}, { vlanId: 1e12 }, "peerings[0].vlanId is 1000000000000, not a VLAN id (1–4094)"],
    [{}, { vlanId: 200.5 }, "peerings[0].vlanId is 200.5, not a whole number"],
    [{}, { peerASN: 0 }, "peerings[0].peerASN is 0, not an AS number (1–4294967295)"],
    [{}, { peerASN: -65010 }, "peerings[0].peerASN is -65010, not an AS number (1–4294967295)"],
    [{}, { azureASN: 4294967296 }, "peerings[0].azureASN is 4294967296, above 4294967295"],
    [
      { serviceProviderProperties: { bandwidthInMbps: 0 } },
      {},
      "serviceProviderProperties.bandwidthInMbps is 0, not a bandwidth",
    ],
    [
      { serviceProviderProperties: { bandwidthInMbps: -50 } },
      {},
      "serviceProviderProperties.bandwidthInMbps is -50, not a bandwidth",
    ],
    [
      { serviceProviderProperties: null, bandwidthInGbps: 0 },
      {},
      "bandwidthInGbps is 0, not a bandwidth",
    ],
    // More than any port carries: read as one, the capacity row said "of Infinity Gbps" and
    // saturation was never judged.
    [
      { serviceProviderProperties: { bandwidthInMbps: 1e308 } },
      {},
      "serviceProviderProperties.bandwidthInMbps is 1e+308, not a bandwidth",
    ],
    [
      { serviceProviderProperties: null, bandwidthInGbps: 1e308 },
      {},
      "bandwidthInGbps is 1e+308, not a bandwidth",
    ],
  ])("%j %j → null and the problem %j", (over, peering, problem) => {
    const body = parseCircuit(circuitBody(over, peering));
    expect(body.problems.map((p) => `${p.field} ${p.problem}`)).toEqual([problem]);
    const p = body.facts.peerings![0]!;
    const field = Object.keys(peering)[0] as "vlanId" | "peerASN" | "azureASN" | undefined;
    if (field) expect(p[field]).toBeNull();
    else expect(body.facts.bandwidthInMbps).toBeNull();
  });

  it("the edges of each range are values", () => {
    const body = parseCircuit(
      circuitBody(
        { serviceProviderProperties: { bandwidthInMbps: 50 } },
        { vlanId: 4094, peerASN: 4294967295, azureASN: 12076 },
      ),
    );
    expect(body.problems).toEqual([]);
    expect(body.facts.bandwidthInMbps).toBe(50);
    expect(body.facts.peerings![0]).toMatchObject({
      vlanId: 4094,
      peerASN: 4294967295,
      azureASN: 12076,
    });
    expect(parseCircuit(circuitBody({}, { vlanId: 1, peerASN: 1 })).problems).toEqual([]);
    // The fastest port there is, ten times over, is still a bandwidth.
    const fast = parseCircuit(
      circuitBody({ serviceProviderProperties: null, bandwidthInGbps: 1000 }),
    );
    expect(fast.problems).toEqual([]);
    expect(fast.facts.bandwidthInMbps).toBe(1_000_000);
  });

  it("Azure's own AS of 0 is a peering not provisioned yet, not an odd value (nothing is judged on it)", () => {
    const body = parseCircuit(circuitBody({}, { azureASN: 0 }));
    expect(body.problems).toEqual([]);
    expect(body.facts.peerings![0]!.azureASN).toBe(0);
  });

  it("what is null after each problem", () => {
    expect(
      parseCircuit(circuitBody({ serviceProviderProvisioningState: 3 })).facts
        .serviceProviderProvisioningState,
    ).toBeNull();
    expect(parseCircuit(circuitBody({ peerings: "none" })).facts.peerings).toBeNull();
    expect(
      parseCircuit(circuitBody({}, { state: undefined })).facts.peerings![0]!.state,
    ).toBeNull();
    expect(
      parseCircuit(circuitBody({}, { vlanId: "two hundred" })).facts.peerings![0]!.vlanId,
    ).toBeNull();
    // A peering that cannot be told apart makes the whole list unknown: "missing" would be a guess.
    expect(
      parseCircuit(circuitBody({}, { name: undefined, peeringType: undefined })).facts.peerings,
    ).toBeNull();
  });

  it("an empty peering name falls back to its type: one odd peering does not blank the others", () => {
    const body = parseCircuit(
      circuitBody({
        peerings: [
          {
            name: "",
            peeringType: "MicrosoftPeering",
            state: "Enabled",
            vlanId: 300,
            microsoftPeeringConfig: {
              advertisedPublicPrefixes: [],
              advertisedPublicPrefixesState: "Configured",
            },
          },
          {
            name: "AzurePrivatePeering",
            peeringType: "AzurePrivatePeering",
            state: "Enabled",
            vlanId: 200,
          },
        ],
      }),
    );
    expect(body.problems).toEqual([]);
    expect(body.facts.peerings!.map((p) => p.name)).toEqual([
      "MicrosoftPeering",
      "AzurePrivatePeering",
    ]);
  });

  it("a Microsoft peering named in another case still owes its prefix validation state", () => {
    const body = parseCircuit(circuitBody({}, { name: "microsoftpeering", peeringType: null }));
    expect(body.problems.map((p) => p.field)).toEqual([
      "peerings[0].microsoftPeeringConfig.advertisedPublicPrefixesState",
    ]);
  });

  it.each([
    { name: "azureprivatepeering", type: "AzurePrivatePeering" },
    { name: "MICROSOFTPEERING ", type: "MicrosoftPeering" },
    { name: "AzurePublicPeering", type: "AzurePublicPeering" },
    // Not a type's name: kept as ARM spelt it, as an unknown type is.
    { name: "my-peering", type: "my-peering" },
  ])(
    "a peering without its type is typed by its name $name, spelt as the type: $type",
    ({ name, type }) => {
      const body = parseCircuit(circuitBody({}, { name, peeringType: undefined }));
      expect(body.facts.peerings![0]!.peeringType).toBe(type);
    },
  );

  it("a peering listed twice is read once (twice, each change counted twice is a flap); twice with other values is said", () => {
    const private1 = {
      name: "AzurePrivatePeering",
      peeringType: "AzurePrivatePeering",
      state: "Enabled",
      vlanId: 200,
    };
    const same = parseCircuit(
      circuitBody({ peerings: [private1, { ...private1, name: "azureprivatepeering" }] }),
    );
    // The same peering in another case: one peering, the first spelling, nothing to say.
    expect(same.facts.peerings!.map((p) => p.name)).toEqual(["AzurePrivatePeering"]);
    expect(same.problems).toEqual([]);
    const twice = parseCircuit(circuitBody({ peerings: [private1, private1] }));
    expect(twice.problems).toEqual([]);
    expect(twice.facts.peerings!.map((p) => p.name)).toEqual(["AzurePrivatePeering"]);
    const contradicting = parseCircuit(
      circuitBody({ peerings: [private1, { ...private1, state: "Disabled" }] }),
    );
    expect(contradicting.facts.peerings!.map((p) => [p.name, p.state])).toEqual([
      ["AzurePrivatePeering", "Enabled"],
    ]);
    expect(contradicting.problems.map((p) => `${p.field} ${p.problem}`)).toEqual([
      "peerings[1] lists peering AzurePrivatePeering again with other values; the first is used",
    ]);
  });

  it("Microsoft peering: the IPv6 prefixes' validation is read from ipv6PeeringConfig", () => {
    const body = parseCircuit(
      circuitBody(
        {},
        {
          name: "MicrosoftPeering",
          peeringType: "MicrosoftPeering",
          microsoftPeeringConfig: {
            advertisedPublicPrefixes: ["123.1.0.0/24"],
            advertisedPublicPrefixesState: "Configured",
          },
          ipv6PeeringConfig: {
            primaryPeerAddressPrefix: "3FFE:FFFF:0:CD30::/126",
            secondaryPeerAddressPrefix: "3FFE:FFFF:0:CD30::4/126",
            state: "Enabled",
            microsoftPeeringConfig: {
              advertisedPublicPrefixes: ["3FFE:FFFF:0:CD31::/120"],
              advertisedPublicPrefixesState: "validationneeded",
            },
          },
        },
      ),
    );
    expect(body.problems).toEqual([]);
    expect(body.facts.peerings![0]!.ipv6).toEqual({
      state: "Enabled",
      advertisedPublicPrefixesState: "ValidationNeeded",
      advertisedPublicPrefixes: ["3FFE:FFFF:0:CD31::/120"],
    });
    // A peering without IPv6 has nothing to say about it.
    expect(parseCircuit(circuitBody()).facts.peerings![0]!.ipv6).toBeUndefined();
  });

  it("numbers given as text", () => {
    const body = parseCircuit(
      circuitBody(
        { serviceProviderProperties: { bandwidthInMbps: "1000" } },
        { vlanId: "200", peerASN: "65010" },
      ),
    );
    expect(body.facts.bandwidthInMbps).toBe(1000);
    expect(body.facts.peerings![0]).toMatchObject({ vlanId: 200, peerASN: 65010 });
  });

  it("an ExpressRoute Direct circuit: no provider properties, its bandwidth in Gbps", () => {
    const body = parseCircuit(
      circuitBody({
        serviceProviderProperties: null,
        expressRoutePort: {
          id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRoutePorts/port",
        },
        bandwidthInGbps: 10,
      }),
    );
    expect(body.facts.bandwidthInMbps).toBe(10_000);
    // The port tells erwatch there is no carrier to ticket for layer 2.
    expect(body.facts.expressRoutePortId).toBe(
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRoutePorts/port",
    );
    expect(parseCircuit(circuitBody({})).facts.expressRoutePortId).toBeNull();
    expect(body.problems).toEqual([]);
    // A provider circuit's Mbps wins over anything else.
    expect(parseCircuit(circuitBody({ bandwidthInGbps: 5 })).facts.bandwidthInMbps).toBe(1000);
  });

  it("tag values are carried as text", () => {
    const body = parseCircuit(
      circuitBody({ tags: { owner: null, cost: 4711, on: false, nested: { a: 1 }, team: "net" } }),
    );
    expect(body.tags).toEqual({
      owner: "",
      cost: "4711",
      on: "false",
      nested: '{"a":1}',
      team: "net",
    });
    expect(parseListedCircuit({ id: CIRCUIT, tags: { n: 1 } })).toEqual({
      id: CIRCUIT,
      location: null,
      tags: { n: "1" },
    });
    expect(parseCircuit(circuitBody({ tags: "x" })).problems.map((p) => p.field)).toEqual(["tags"]);
  });

  it("a body without an id is not a circuit: the read fails", () => {
    expect(() => parseCircuit({})).toThrow("id is missing");
  });
});

describe("gateway wiring bodies", () => {
  const listed = (over: Record<string, unknown>) => ({
    name: "conn",
    id: "/c",
    connectionType: "ExpressRoute",
    peer: { id: CIRCUIT },
    ...over,
  });

  it("picks this circuit's ExpressRoute connections; case in the type does not matter", () => {
    expect(
      connectionsTo([listed({}), listed({ name: "other", peer: { id: "/elsewhere" } })], CIRCUIT),
    ).toEqual(["conn"]);
    expect(connectionsTo([listed({ connectionType: "expressroute" })], CIRCUIT)).toEqual(["conn"]);
  });

  it("a connection whose owner cannot be read fails the read; someone else's oddity does not", () => {
    expect(() => connectionsTo([listed({ peer: { id: 7 } })], CIRCUIT)).toThrow(
      "value[0].peer.id is a number",
    );
    expect(() => connectionsTo([listed({ connectionType: 3 })], CIRCUIT)).toThrow(
      "value[0].connectionType is a number",
    );
    expect(
      connectionsTo([listed({ connectionType: 3, peer: { id: "/elsewhere" } })], CIRCUIT),
    ).toEqual([]);
  });

  const GATEWAY = { virtualNetworkGateway1: { id: "/gw" } };

  it("connection status: canonical case, or null and a problem when left out", () => {
    expect(
      parseConnection({ id: "/c", name: "conn", connectionStatus: "connected", ...GATEWAY }, "conn")
        .facts.status,
    ).toBe("Connected");
    const missing = parseConnection({ id: "/c", name: "conn", ...GATEWAY }, "conn");
    expect(missing.facts.status).toBeNull();
    expect(missing.problems).toEqual([{ field: "connectionStatus", problem: "is missing" }]);
  });

  it.each([
    ["left out", undefined, "virtualNetworkGateway1 is missing"],
    ["null", null, "virtualNetworkGateway1 is missing"],
    ["a number", 7, "virtualNetworkGateway1 is a number"],
    // A gateway whose id names none wires the circuit to nothing erwatch can follow.
    ["an object without its id", {}, "virtualNetworkGateway1.id is missing"],
    ["an object whose id is null", { id: null }, "virtualNetworkGateway1.id is missing"],
    ["an object whose id is empty", { id: "" }, "virtualNetworkGateway1.id is empty"],
    ["an object whose id is blank", { id: "   " }, "virtualNetworkGateway1.id is empty"],
    ["an object whose id is a number", { id: 7 }, "virtualNetworkGateway1.id is a number"],
    ["an object whose id is an object", { id: {} }, "virtualNetworkGateway1.id is an object"],
  ])(
    "a connection whose gateway is %s fails its read, the field named: its wiring is not known",
    (_how, gateway, said) => {
      const body = { id: "/c", name: "conn", connectionStatus: "Connected" };
      expect(() =>
        parseConnection(
          gateway === undefined ? body : { ...body, virtualNetworkGateway1: gateway },
          "conn",
        ),
      ).toThrow(said);
    },
  );

  it("a gateway id in another case than ARM's own is the gateway, as sent", () => {
    const id =
      "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG-NET/providers/microsoft.network/virtualnetworkgateways/ERGW";
    const body = { id: "/c", name: "conn", connectionStatus: "Connected" };
    expect(
      parseConnection({ ...body, virtualNetworkGateway1: { id } }, "conn").facts.gatewayId,
    ).toBe(id);
  });

  it('vWAN: a connection "Provisioned" (the REST spec\'s own examples) is understood, not a problem', () => {
    const body = {
      value: [
        {
          provisioningState: "Succeeded",
          expressRouteConnections: [
            {
              id: "/v1",
              name: "connectionName",
              provisioningState: "Provisioned",
              expressRouteCircuitPeering: { id: `${CIRCUIT}/peerings/AzurePrivatePeering` },
            },
          ],
        },
      ],
    };
    const got = vwanConnectionsTo(body, CIRCUIT);
    expect(got.problems).toEqual([]);
    expect(got.facts.map((f) => f.status)).toEqual(["Provisioned"]);
    // The Resource Graph row carries the same word.
    const rows = parseWiringRows([
      {
        kind: "vwan",
        id: "/v1",
        name: "connectionName",
        peer: `${CIRCUIT}/peerings/AzurePrivatePeering`,
        status: "provisioned",
      },
    ]);
    expect(wiringOf(rows, CIRCUIT).vwan.map((f) => f.status)).toEqual(["Provisioned"]);
  });

  it("Resource Graph: a VNet connection's row names its gateway (a connection replaced on the same gateway is not lost); an empty one is none", () => {
    expect(WIRING_QUERY).toContain("gateway = tostring(properties.virtualNetworkGateway1.id)");
    const gw =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/ergw";
    const rows = parseWiringRows([
      {
        kind: "vnet-gateway",
        id: "/c1",
        name: "c1",
        peer: CIRCUIT,
        status: "Connected",
        gateway: gw,
      },
      {
        kind: "vnet-gateway",
        id: "/c2",
        name: "c2",
        peer: CIRCUIT,
        status: "Connected",
        gateway: "",
      },
      { kind: "vnet-gateway", id: "/c3", name: "c3", peer: CIRCUIT, status: "Connected" },
      {
        kind: "vnet-gateway",
        id: "/c4",
        name: "c4",
        peer: CIRCUIT,
        status: "Connected",
        gateway: "   ",
      },
      {
        kind: "vnet-gateway",
        id: "/c5",
        name: "c5",
        peer: CIRCUIT,
        status: "Connected",
        gateway: null,
      },
    ]);
    // Blank is no gateway: the connection's GET says what ARM holds.
    expect(rows.map((r) => r.gateway)).toEqual([gw, null, null, null, null]);
  });

  it("Resource Graph: gateways with nothing connected are left out by the query; a row of nothing is a null connection, a page erwatch cannot read", () => {
    // mv-expand makes one row of null for a null list, none for an empty one.
    expect(WIRING_QUERY).toMatch(
      /where array_length\(properties\.expressRouteConnections\) > 0\n\s*\| mv-expand c = properties\.expressRouteConnections/,
    );
    expect(WIRING_QUERY).not.toMatch(/isnotnull\(c\)/);
    // Dropped, a null connection read its circuit "not connected".
    expect(() =>
      parseWiringRows([{ kind: "vwan", id: "", name: "", peer: "", status: "" }]),
    ).toThrow("data[0] is a vWAN connection with neither id nor peering");
    const rows = parseWiringRows([
      {
        kind: "vnet-gateway",
        id: "/c1",
        name: "conn",
        peer: CIRCUIT,
        status: "Connected",
      },
    ]);
    expect(rows.map((r) => r.id)).toEqual(["/c1"]);
    expect(wiringOf(rows, CIRCUIT).vnet.map((r) => r.name)).toEqual(["conn"]);
    // A connection row that names itself but not what it connects is still a page erwatch cannot read.
    expect(() =>
      parseWiringRows([{ kind: "vnet-gateway", id: "/c2", name: "x", peer: "", status: "" }]),
    ).toThrow("data[0].peer is missing");
  });

  // The hub's region, where its Network Watcher may hold the circuit's
  // Connection Monitor, comes with the wiring read: no other read for it.
  it("vWAN: a connection carries its ExpressRoute gateway's region, from the Resource Graph row or the listing; one erwatch cannot read is left out, the wiring still read", () => {
    expect(WIRING_QUERY).toContain("region = tostring(location))");
    const peer = `${CIRCUIT}/peerings/AzurePrivatePeering`;
    const rows = parseWiringRows([
      {
        kind: "vwan",
        id: "/v1",
        name: "a",
        peer,
        status: "Succeeded",
        gateway: "",
        region: "northeurope",
      },
      { kind: "vwan", id: "/v2", name: "b", peer, status: "Succeeded", gateway: "", region: "" },
      {
        kind: "vnet-gateway",
        id: "/c1",
        name: "c",
        peer: CIRCUIT,
        status: "Connected",
        region: "",
      },
    ]);
    expect(wiringOf(rows, CIRCUIT).vwan.map((f) => f.hubRegion ?? null)).toEqual([
      "northeurope",
      null,
    ]);
    const connection = (id: string) => ({
      id,
      name: id,
      provisioningState: "Succeeded",
      expressRouteCircuitPeering: { id: peer },
    });
    const got = vwanConnectionsTo(
      {
        value: [
          { location: "northeurope", expressRouteConnections: [connection("/v1")] },
          { location: 5, expressRouteConnections: [connection("/v2")] },
        ],
      },
      CIRCUIT,
    );
    expect(got.problems).toEqual([]);
    expect(got.facts.map((f) => [f.id, f.hubRegion ?? null])).toEqual([
      ["/v1", "northeurope"],
      ["/v2", null],
    ]);
  });

  it("vWAN: a gateway that carries none of its properties is not 'no connections'", () => {
    expect(() => vwanConnectionsTo({ value: [{ name: "gw" }] }, CIRCUIT)).toThrow(
      "value[0].properties is missing",
    );
    // A gateway that says what it is but lists no connection has none.
    for (const gateway of [
      { name: "gw", provisioningState: "Succeeded" },
      { name: "gw", virtualHub: { id: "/hub" } },
      { name: "gw", expressRouteConnections: [] },
    ])
      expect(vwanConnectionsTo({ value: [gateway] }, CIRCUIT).facts).toEqual([]);
  });

  it("vWAN: a listing without value is not 'no gateways'; a connection's own state may be null", () => {
    expect(() => vwanConnectionsTo({}, CIRCUIT)).toThrow("value is missing");
    const body = {
      value: [
        {
          expressRouteConnections: [
            {
              id: "/v1",
              name: "mine",
              expressRouteCircuitPeering: { id: `${CIRCUIT}/peerings/AzurePrivatePeering` },
            },
            {
              id: "/v2",
              name: "theirs",
              expressRouteCircuitPeering: { id: "/other/peerings/AzurePrivatePeering" },
              provisioningState: "succeeded",
            },
          ],
        },
      ],
    };
    const got = vwanConnectionsTo(body, CIRCUIT);
    expect(got.facts).toEqual([
      { id: "/v1", name: "mine", kind: "vwan", peering: "AzurePrivatePeering", status: null },
    ]);
    expect(got.problems).toEqual([
      { field: "value[0].expressRouteConnections[0].provisioningState", problem: "is missing" },
    ]);
    const unreadable = structuredClone(body);
    (
      unreadable.value[0]!.expressRouteConnections[1]!.expressRouteCircuitPeering as { id: unknown }
    ).id = 5;
    expect(() => vwanConnectionsTo(unreadable, CIRCUIT)).toThrow(
      "value[0].expressRouteConnections[1].expressRouteCircuitPeering.id is a number",
    );
  });
});
