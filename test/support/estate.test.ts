// The simulated estate, exercised through the REAL @azure/arm-network client:
// if the SDK can read it, deserialise it and poll it, production can too. The
// fault tests also pin down what the SDK does with each failure, which is what
// the adapter's error classification is written against.

import { describe, expect, it } from "vitest";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  MAX_DELAY_MS,
  removeConnections,
  removePeering,
  restorePath,
  scenarioCatalog,
  setArp,
  setBgpState,
  setConnectionStatus,
  setGlobalReachStatus,
  setPeeringState,
  setPrefixes,
  setProviderState,
  setPublicPrefixesState,
  startEstate,
  wholeCatalog,
} from "./estate/index.js";
import {
  circuits,
  clientFor,
  collect,
  estateWith,
  failure,
  FAST,
  noRetry,
  of,
  PRIVATE,
  raw,
  RG,
  SUB,
} from "./estate-sdk.js";

describe("simulated estate: resource reads", () => {
  it("pages listAll two circuits at a time with an absolute nextLink the SDK follows", async () => {
    const estate = await estateWith(circuits("er-a", "er-b", "er-c", "er-d", "er-e"));
    const client = clientFor(estate);

    const pages = await collect(client.expressRouteCircuits.listAll().byPage());
    expect(pages.map((p) => p.map((c) => c.name))).toEqual([
      ["er-a", "er-b"],
      ["er-c", "er-d"],
      ["er-e"],
    ]);

    const listed = of(estate, "listCircuits");
    expect(listed).toHaveLength(3);
    expect(listed[0]!.query).toEqual({ "api-version": "2026-01-01" });
    expect(listed[1]!.query["$skiptoken"]).toBeTruthy();
    expect(
      listed.every(
        (r) =>
          r.status === 200 &&
          r.path === `/subscriptions/${SUB}/providers/Microsoft.Network/expressRouteCircuits`,
      ),
    ).toBe(true);
  });

  it("honours a configured page size and lists only the asked subscription", async () => {
    const state = circuits("er-a", "er-b", "er-c");
    state.circuits.push(
      healthyCircuit({
        name: "er-elsewhere",
        subscriptionId: "00000000-0000-0000-0000-000000000002",
      }).circuit,
    );
    const estate = await estateWith(state, { pageSize: 10 });

    const names = (await collect(clientFor(estate).expressRouteCircuits.listAll())).map(
      (c) => c.name,
    );
    expect(names).toEqual(["er-a", "er-b", "er-c"]);
    expect(of(estate, "listCircuits")).toHaveLength(1);
  });

  it("gets a circuit with properties flattened by the SDK and names matched case-insensitively", async () => {
    const estate = await estateWith(scenarioCatalog["global-reach-down"]!());
    const circuit = await clientFor(estate).expressRouteCircuits.get(
      RG.toUpperCase(),
      "GLOBAL-REACH-DOWN",
    );

    expect(circuit.name).toBe("global-reach-down");
    expect(circuit.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/expressRouteCircuits/global-reach-down`,
    );
    expect(circuit.type).toBe("Microsoft.Network/expressRouteCircuits");
    expect(circuit.serviceProviderProvisioningState).toBe("Provisioned");
    expect(circuit.circuitProvisioningState).toBe("Enabled");
    expect(circuit.sku).toEqual({
      name: "Standard_MeteredData",
      tier: "Standard",
      family: "MeteredData",
    });
    expect(circuit.serviceProviderProperties).toEqual({
      serviceProviderName: "Equinix",
      peeringLocation: "Amsterdam",
      bandwidthInMbps: 1000,
    });
    expect(circuit.serviceKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(circuit.etag).toMatch(/^W\/"/);

    const peering = circuit.peerings![0]!;
    expect(peering).toMatchObject({
      name: PRIVATE,
      peeringType: PRIVATE,
      state: "Enabled",
      azureASN: 12076,
      peerASN: 65010,
      primaryPeerAddressPrefix: "192.168.10.16/30",
      secondaryPeerAddressPrefix: "192.168.10.20/30",
      vlanId: 200,
      provisioningState: "Succeeded",
    });
    expect(peering.connections!.map((c) => [c.name, c.circuitConnectionStatus])).toEqual([
      ["gr-to-er-circuit-dr", "Connected"],
      ["gr-to-er-circuit-apac", "Disconnected"],
    ]);
    expect(peering.connections![0]!.peerExpressRouteCircuitPeering?.id).toMatch(
      /er-circuit-dr\/peerings\/AzurePrivatePeering$/,
    );
  });

  it("carries Microsoft peering config and inbound Global Reach (peeredConnections)", async () => {
    const state = scenarioCatalog["microsoft-validation-pending"]!();
    const peering = state.circuits[0]!.peerings[0]!;
    peering.peerConnections.push({
      name: "gr-from-er-circuit-dr",
      peerCircuitPeeringId:
        "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/expressRouteCircuits/er-circuit-dr/peerings/AzurePrivatePeering",
      status: "Connecting",
    });
    const estate = await estateWith(state);

    const circuit = await clientFor(estate).expressRouteCircuits.get(
      RG,
      "microsoft-validation-pending",
    );
    const microsoft = circuit.peerings!.find((p) => p.name === "MicrosoftPeering")!;
    expect(microsoft.microsoftPeeringConfig).toMatchObject({
      advertisedPublicPrefixesState: "ValidationNeeded",
      customerASN: 64500,
      routingRegistryName: "ARIN",
    });
    expect(microsoft.microsoftPeeringConfig!.advertisedPublicPrefixes!.length).toBeGreaterThan(0);
    const inbound = circuit.peerings!.find((p) => p.name === PRIVATE)!.peeredConnections!;
    expect(inbound.map((c) => [c.connectionName, c.circuitConnectionStatus])).toEqual([
      ["gr-from-er-circuit-dr", "Connecting"],
    ]);
  });

  it("answers an unknown circuit with ARM's 404 ResourceNotFound", async () => {
    const estate = await estateWith(circuits("er-a"));
    const error = await failure(clientFor(estate).expressRouteCircuits.get(RG, "er-nope"));
    expect(error).toMatchObject({ name: "RestError", statusCode: 404, code: "ResourceNotFound" });
    expect(error.message).toBe(
      `The Resource 'Microsoft.Network/expressRouteCircuits/er-nope' under resource group '${RG}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  });

  it("lists ExpressRoute connections without connectionStatus; a GET carries it", async () => {
    const estate = await estateWith(
      estateOf(
        healthyCircuit({ name: "er-a" }),
        healthyCircuit({ name: "er-b", resourceGroup: "rg-other" }),
      ),
    );
    const client = clientFor(estate);

    const listed = await collect(client.virtualNetworkGatewayConnections.list(RG));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      name: "conn-er-a",
      connectionType: "ExpressRoute",
      routingWeight: 0,
      peer: {
        id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/expressRouteCircuits/er-a`,
      },
    });
    expect(listed[0]!.virtualNetworkGateway1.id).toMatch(/virtualNetworkGateways\/ergw-er-a$/);
    expect(listed[0]!.connectionStatus).toBeUndefined();

    const got = await client.virtualNetworkGatewayConnections.get(RG, "CONN-ER-A");
    expect(got.connectionStatus).toBe("Connected");

    const missing = await failure(client.virtualNetworkGatewayConnections.get(RG, "conn-nope"));
    expect(missing).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
  });

  it("lists vWAN ExpressRoute gateways with their circuit peering connections", async () => {
    const estate = await estateWith(scenarioCatalog["vwan-healthy"]!());
    const client = clientFor(estate);

    const gateways = (await client.expressRouteGateways.listBySubscription()).value!;
    expect(gateways).toHaveLength(1);
    const connection = gateways[0]!.expressRouteConnections![0]!;
    expect(connection.name).toBe("erconn-vwan-healthy");
    expect(connection.provisioningState).toBe("Succeeded");
    expect(connection.expressRouteCircuitPeering?.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/expressRouteCircuits/vwan-healthy/peerings/AzurePrivatePeering`,
    );
    // And the circuit's peering points back at the hub connection, as ARM does.
    const circuit = await client.expressRouteCircuits.get(RG, "vwan-healthy");
    expect(circuit.peerings![0]!.expressRouteConnection?.id).toBe(connection.id);
    expect(await collect(client.virtualNetworkGatewayConnections.list(RG))).toEqual([]);
  });
});

describe("simulated estate: long-running POST reads", () => {
  it("returns one route row per received prefix, and hand-written tables verbatim", async () => {
    const state = estateOf(healthyCircuit({ name: "er-a", prefixes: 37 }));
    state.circuits.push(...scenarioCatalog["asymmetric-routing"]!().circuits);
    const estate = await estateWith(state);
    const client = clientFor(estate);

    const routes = (
      await client.expressRouteCircuits.listRoutesTable(RG, "er-a", PRIVATE, "primary", FAST)
    ).value!;
    expect(routes).toHaveLength(37);
    expect(routes[0]).toEqual({
      network: "10.16.0.0/24",
      nextHop: "192.168.10.17",
      locPrf: "",
      weight: 0,
      path: "65010",
    });
    expect(new Set(routes.map((r) => r.network)).size).toBe(37);

    const primary = (
      await client.expressRouteCircuits.listRoutesTable(
        RG,
        "asymmetric-routing",
        PRIVATE,
        "primary",
        FAST,
      )
    ).value!;
    const secondary = (
      await client.expressRouteCircuits.listRoutesTable(
        RG,
        "asymmetric-routing",
        PRIVATE,
        "secondary",
        FAST,
      )
    ).value!;
    expect(primary.map((r) => r.network)).toEqual(secondary.map((r) => r.network));
    expect(primary[0]).toMatchObject({ locPrf: "200", path: "65010" });
    expect(secondary[0]).toMatchObject({ locPrf: "100", path: "65010 65010 65010" });
  });

  it("computes the result when the POST arrives, not when the last poll does", async () => {
    const state = circuits("er-a");
    const estate = await estateWith(state, { pendingPolls: 2 });
    const reading = clientFor(estate).expressRouteCircuits.listArpTable(
      RG,
      "er-a",
      PRIVATE,
      "primary",
      FAST,
    );
    await estate.waitForRequest((r) => r.operation === "arpTable");
    carrierDown(state.circuits[0]!, PRIVATE, "primary");

    expect((await reading).value).toHaveLength(2);
    const after = await clientFor(estate).expressRouteCircuits.listArpTable(
      RG,
      "er-a",
      PRIVATE,
      "primary",
      FAST,
    );
    expect(after.value).toEqual([]);
  });

  it("answers a peering that does not exist with the Network RP's 404", async () => {
    const estate = await estateWith(scenarioCatalog["peering-missing"]!());
    const error = await failure(
      clientFor(estate).expressRouteCircuits.listArpTable(
        RG,
        "peering-missing",
        PRIVATE,
        "primary",
        FAST,
      ),
    );
    expect(error).toMatchObject({ name: "RestError", statusCode: 404, code: "NotFound" });
    expect(error.message).toBe(
      `Resource /subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/expressRouteCircuits/peering-missing/peerings/AzurePrivatePeering not found.`,
    );
    expect(of(estate, "pollOperation")).toHaveLength(0);
  });
});

describe("simulated estate: front-door checks", () => {
  const circuitPath = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/expressRouteCircuits/er-a`;

  it("rejects a request without a bearer token with 401", async () => {
    const estate = await estateWith(circuits("er-a"));
    const answer = await raw(estate, `${circuitPath}?api-version=2026-01-01`, {});
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "AuthenticationFailed" } });
    expect(answer.headers["www-authenticate"]).toMatch(/^Bearer /);
    expect(estate.requests[0]).toMatchObject({ operation: "getCircuit", status: 401 });
  });

  it("rejects a missing or different api-version with 400 and an ARM error body", async () => {
    const estate = await estateWith(circuits("er-a"));
    const missing = await raw(estate, circuitPath);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toMatchObject({
      error: { code: "MissingApiVersionParameter" },
    });

    const other = await raw(estate, `${circuitPath}?api-version=2024-05-01`);
    expect(other.status).toBe(400);
    expect(JSON.parse(other.body).error.message).toContain("'2024-05-01'");
  });

  it("answers anything else with a 404 ARM error body and records it as unknown", async () => {
    const estate = await estateWith(circuits("er-a"));
    const stats = await raw(estate, `${circuitPath}/stats?api-version=2026-01-01`);
    expect(stats.status).toBe(404);
    expect(JSON.parse(stats.body)).toHaveProperty("error.code");
    const write = await raw(
      estate,
      `${circuitPath}?api-version=2026-01-01`,
      { authorization: "Bearer x" },
      "PUT",
    );
    expect(write.status).toBe(404);
    expect(estate.requests.map((r) => [r.operation, r.status])).toEqual([
      ["unknown", 404],
      ["unknown", 404],
    ]);
  });
});

describe("simulated estate: faults as the SDK surfaces them", () => {
  it("429 + Retry-After: RestError TooManyRequests without retries; the default policy waits and retries", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
      times: 1,
    });
    const error = await failure(clientFor(estate, noRetry).expressRouteCircuits.get(RG, "er-a"));
    expect(error).toMatchObject({ name: "RestError", statusCode: 429, code: "TooManyRequests" });
    expect(
      (
        error as { response?: { headers: { get(n: string): string | undefined } } }
      ).response?.headers.get("retry-after"),
    ).toBe("1");

    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
      times: 1,
    });
    const circuit = await clientFor(estate).expressRouteCircuits.get(RG, "er-a");
    expect(circuit.name).toBe("er-a");
    const [throttled, retried] = of(estate, "getCircuit").slice(1);
    expect([throttled!.status, retried!.status]).toEqual([429, 200]);
    expect(retried!.at - throttled!.at).toBeGreaterThanOrEqual(900);
  });

  it("429 on a listAll page: the pager overwrites the message but keeps code and status", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "listCircuits" },
      behaviour: { kind: "status", status: 429 },
      times: 1,
    });
    const error = await failure(collect(clientFor(estate, noRetry).expressRouteCircuits.listAll()));
    expect(error).toMatchObject({ name: "RestError", statusCode: 429, code: "TooManyRequests" });
    expect(error.message).toBe("Pagination failed with unexpected statusCode 429");
  });

  it("403 names the missing RBAC action and is not retried", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "arpTable" },
      behaviour: { kind: "status", status: 403 },
    });
    const error = await failure(
      clientFor(estate).expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST),
    );
    expect(error).toMatchObject({
      name: "RestError",
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    expect(error.message).toContain(
      "perform action 'Microsoft.Network/expressRouteCircuits/peerings/arpTables/read' over scope",
    );
    expect(of(estate, "arpTable")).toHaveLength(1);
  });

  it("500 and 503: surfaced without retries, retried (and healed) by the default policy", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "status", status: 500 },
      times: 1,
    });
    expect(
      await failure(clientFor(estate, noRetry).expressRouteCircuits.get(RG, "er-a")),
    ).toMatchObject({
      name: "RestError",
      statusCode: 500,
      code: "InternalServerError",
    });

    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "status", status: 503, retryAfterSeconds: 0 },
      times: 1,
    });
    expect((await clientFor(estate).expressRouteCircuits.get(RG, "er-a")).name).toBe("er-a");
    expect(of(estate, "getCircuit").map((r) => r.status)).toEqual([500, 503, 200]);
  });

  it("404 as a fault, with a custom code and message", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "listExpressRouteGateways" },
      behaviour: { kind: "status", status: 404, code: "SubscriptionNotFound", message: "gone" },
    });
    expect(
      await failure(clientFor(estate).expressRouteGateways.listBySubscription()),
    ).toMatchObject({
      statusCode: 404,
      code: "SubscriptionNotFound",
      message: "gone",
    });
  });

  it("invalid JSON: RestError PARSE_ERROR with statusCode 200, on a GET and on the final poll", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "malformed", variant: "invalid-json" },
    });
    estate.addFault({
      match: { operation: "pollOperation" },
      behaviour: { kind: "malformed", variant: "invalid-json" },
    });
    const client = clientFor(estate);
    expect(await failure(client.expressRouteCircuits.get(RG, "er-a"))).toMatchObject({
      name: "RestError",
      code: "PARSE_ERROR",
      statusCode: 200,
    });
    expect(
      await failure(client.expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST)),
    ).toMatchObject({
      name: "RestError",
      code: "PARSE_ERROR",
      statusCode: 200,
    });
  });

  it("missing value array: TypeError from list and LRO deserialisers; silently empty for listBySubscription", async () => {
    const estate = await estateWith(scenarioCatalog["vwan-healthy"]!());
    for (const operation of [
      "listCircuits",
      "listConnections",
      "routeTablesSummary",
      "listExpressRouteGateways",
      "getCircuit",
    ] as const) {
      estate.addFault({
        match: { operation },
        behaviour: { kind: "malformed", variant: "missing-value" },
      });
    }
    const client = clientFor(estate);
    for (const read of [
      collect(client.expressRouteCircuits.listAll()),
      collect(client.virtualNetworkGatewayConnections.list(RG)),
      client.expressRouteCircuits.listRoutesTableSummary(
        RG,
        "vwan-healthy",
        PRIVATE,
        "primary",
        FAST,
      ),
    ]) {
      const error = await failure(read);
      expect(error.name).toBe("TypeError");
      expect(error.message).toContain("reading 'map'");
    }
    // No error at all: a caller doing `value ?? []` would see "no gateways".
    expect((await client.expressRouteGateways.listBySubscription()).value).toBeUndefined();
    // A bare {} for a single resource deserialises to an object with no id.
    expect((await client.expressRouteCircuits.get(RG, "vwan-healthy")).id).toBeUndefined();
  });

  it("slow: delays the answer; an abort signal cuts it short and the request is recorded unanswered", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "slow", delayMs: 250 },
      times: 1,
    });
    const client = clientFor(estate, noRetry);
    const started = Date.now();
    expect((await client.expressRouteCircuits.get(RG, "er-a")).name).toBe("er-a");
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);

    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "slow", delayMs: 10 * MAX_DELAY_MS },
      times: 1,
    });
    const error = await failure(
      client.expressRouteCircuits.get(RG, "er-a", { abortSignal: AbortSignal.timeout(200) }),
    );
    expect(error.name).toBe("AbortError");
    expect(of(estate, "getCircuit").map((r) => r.status)).toEqual([200, 0]);
  });

  it("a slow fault combines with a status fault", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "*" },
      behaviour: { kind: "slow", delayMs: 100 },
      times: 1,
    });
    estate.addFault({
      match: { operation: "getCircuit" },
      behaviour: { kind: "status", status: 403 },
      times: 1,
    });
    const started = Date.now();
    expect(await failure(clientFor(estate).expressRouteCircuits.get(RG, "er-a"))).toMatchObject({
      statusCode: 403,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it("targets a circuit, peering and path; times counts down; clearFaults disarms", async () => {
    const estate = await estateWith(circuits("er-a", "er-b"));
    estate.addFault({
      match: { operation: "arpTable", circuit: "ER-A", peering: PRIVATE, path: "secondary" },
      behaviour: { kind: "status", status: 403 },
      times: 2,
    });
    estate.addFault({
      match: { operation: "getConnection", circuit: "er-b" },
      behaviour: { kind: "status", status: 500 },
    });
    const client = clientFor(estate, noRetry);
    const arp = (circuit: string, path: string) =>
      client.expressRouteCircuits.listArpTable(RG, circuit, PRIVATE, path, FAST);

    await expect(arp("er-a", "primary")).resolves.toBeDefined();
    await expect(arp("er-b", "secondary")).resolves.toBeDefined();
    expect(await failure(arp("er-a", "secondary"))).toMatchObject({ statusCode: 403 });
    expect(await failure(arp("er-a", "secondary"))).toMatchObject({ statusCode: 403 });
    await expect(arp("er-a", "secondary")).resolves.toBeDefined();

    await expect(
      client.virtualNetworkGatewayConnections.get(RG, "conn-er-a"),
    ).resolves.toBeDefined();
    expect(
      await failure(client.virtualNetworkGatewayConnections.get(RG, "conn-er-b")),
    ).toMatchObject({ statusCode: 500 });
    estate.clearFaults();
    await expect(
      client.virtualNetworkGatewayConnections.get(RG, "conn-er-b"),
    ).resolves.toBeDefined();
  });

  it("a status fault on the poll fails the poller with that status", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "pollOperation", circuit: "er-a", path: "primary" },
      behaviour: { kind: "status", status: 403 },
      times: 1,
    });
    const error = await failure(
      clientFor(estate).expressRouteCircuits.listRoutesTable(RG, "er-a", PRIVATE, "primary", FAST),
    );
    expect(error).toMatchObject({
      name: "RestError",
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    expect(error.message).toContain("'Microsoft.Network/locations/operationResults/read'");
  });

  it("rejects faults that cannot mean anything", async () => {
    const estate = await estateWith(circuits("er-a"));
    expect(() =>
      estate.addFault({ match: { operation: "getCircuit" }, behaviour: { kind: "never-ending" } }),
    ).toThrow();
    expect(() =>
      estate.addFault({
        match: { operation: "getCircuit" },
        behaviour: { kind: "slow", delayMs: 1 },
        times: 0,
      }),
    ).toThrow();
  });
});

describe("simulated estate: mutators change the next read", () => {
  it("ARP, BGP and prefix mutators, and restorePath", async () => {
    const state = circuits("er-a");
    const circuit = state.circuits[0]!;
    const estate = await estateWith(state);
    const client = clientFor(estate);
    const arp = async (path = "primary") =>
      (await client.expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, path, FAST)).value!;
    const summary = async (path = "primary") =>
      (
        await client.expressRouteCircuits.listRoutesTableSummary(RG, "er-a", PRIVATE, path, FAST)
      ).value!.map((n) => n.statePfxRcd);

    carrierDown(circuit, PRIVATE, "primary");
    expect(await arp()).toEqual([]);
    expect(await summary()).toEqual(["Idle"]);
    expect(await summary("secondary")).toEqual(["120"]);

    restorePath(circuit, PRIVATE, "primary");
    expect((await arp()).map((r) => r.interface)).toEqual(["On-Prem", "Microsoft"]);
    expect(await summary()).toEqual(["120"]);

    setArp(circuit, PRIVATE, "primary", "microsoft-only");
    expect((await arp()).map((r) => r.interface)).toEqual(["Microsoft"]);
    setArp(circuit, PRIVATE, "primary", "incomplete");
    expect((await arp())[0]).toMatchObject({ interface: "On-Prem", macAddress: "Incomplete" });

    setPrefixes(circuit, PRIVATE, "primary", 0);
    expect(await summary()).toEqual(["0"]);
    setBgpState(circuit, PRIVATE, "primary", "OpenSent");
    setPrefixes(circuit, PRIVATE, "primary", 42);
    expect(await summary()).toEqual(["OpenSent"]);
    setBgpState(circuit, PRIVATE, "primary", "Established");
    expect(await summary()).toEqual(["42"]);
    expect(
      (await client.expressRouteCircuits.listRoutesTable(RG, "er-a", PRIVATE, "primary", FAST))
        .value,
    ).toHaveLength(42);
  });

  it("circuit, peering, Microsoft peering and Global Reach mutators", async () => {
    const state = estateOf(healthyCircuit({ name: "er-a", microsoftPeering: true }));
    const circuit = state.circuits[0]!;
    circuit.peerings[0]!.globalReach.push({
      name: "gr-1",
      peerCircuitPeeringId: "/x/peerings/AzurePrivatePeering",
      status: "Connected",
    });
    const estate = await estateWith(state);
    const client = clientFor(estate);
    const get = () => client.expressRouteCircuits.get(RG, "er-a");
    const msSummary = async () =>
      (
        await client.expressRouteCircuits.listRoutesTableSummary(
          RG,
          "er-a",
          "MicrosoftPeering",
          "primary",
          FAST,
        )
      ).value!.map((n) => n.statePfxRcd);

    expect(await msSummary()).toEqual(["3"]);
    setPublicPrefixesState(circuit, "ValidationNeeded");
    expect((await get()).peerings![1]!.microsoftPeeringConfig!.advertisedPublicPrefixesState).toBe(
      "ValidationNeeded",
    );
    expect(await msSummary()).toEqual(["0"]);
    setPublicPrefixesState(circuit, "Configured");
    expect(await msSummary()).toEqual(["3"]);

    setProviderState(circuit, "Deprovisioning");
    setPeeringState(circuit, "MicrosoftPeering", "Disabled");
    setGlobalReachStatus(circuit, PRIVATE, "gr-1", "Disconnected");
    const changed = await get();
    expect(changed.serviceProviderProvisioningState).toBe("Deprovisioning");
    expect(changed.peerings![1]!.state).toBe("Disabled");
    expect(changed.peerings![0]!.connections![0]!.circuitConnectionStatus).toBe("Disconnected");

    removePeering(circuit, "MicrosoftPeering");
    expect((await get()).peerings!.map((p) => p.name)).toEqual([PRIVATE]);
    expect(() => setArp(circuit, "MicrosoftPeering", "primary", "empty")).toThrow(/no peering/);
  });

  it("connection mutators, and replacing the whole state", async () => {
    const state = estateOf(
      healthyCircuit({ name: "er-a" }),
      healthyCircuit({ name: "er-v", gateway: "vwan" }),
    );
    const estate = await estateWith(state);
    const client = clientFor(estate);

    setConnectionStatus(state, "er-a", "NotConnected");
    expect(
      (await client.virtualNetworkGatewayConnections.get(RG, "conn-er-a")).connectionStatus,
    ).toBe("NotConnected");
    removeConnections(state, "er-a");
    removeConnections(state, "er-v");
    expect(await collect(client.virtualNetworkGatewayConnections.list(RG))).toEqual([]);
    expect(
      (await client.expressRouteGateways.listBySubscription()).value![0]!.expressRouteConnections,
    ).toEqual([]);

    estate.state = scenarioCatalog["healthy"]!();
    expect((await collect(client.expressRouteCircuits.listAll())).map((c) => c.name)).toEqual([
      "healthy",
    ]);
  });
});

describe("simulated estate: scenario catalog", () => {
  const expected: Record<
    string,
    { provider?: string; primary: [number, string]; secondary: [number, string] }
  > = {
    healthy: { primary: [2, "120"], secondary: [2, "120"] },
    "provider-not-provisioned": {
      provider: "NotProvisioned",
      primary: [0, "Idle"],
      secondary: [0, "Idle"],
    },
    "carrier-down-both": { primary: [0, "Idle"], secondary: [0, "Idle"] },
    "carrier-maintenance-secondary": { primary: [2, "120"], secondary: [0, "Idle"] },
    "bgp-idle-both": { primary: [2, "Idle"], secondary: [2, "Idle"] },
    "bgp-active-primary": { primary: [2, "Active"], secondary: [2, "120"] },
    "bgp-connect-both": { primary: [2, "Connect"], secondary: [2, "Connect"] },
    "bgp-opensent-secondary": { primary: [2, "120"], secondary: [2, "OpenSent"] },
    "bgp-openconfirm-both": { primary: [2, "OpenConfirm"], secondary: [2, "OpenConfirm"] },
    "zero-prefixes-both": { primary: [2, "0"], secondary: [2, "0"] },
    "zero-prefixes-primary": { primary: [2, "0"], secondary: [2, "120"] },
    "prefix-near-limit": { primary: [2, "3300"], secondary: [2, "3300"] },
    "prefix-critical": { primary: [2, "3850"], secondary: [2, "3850"] },
    "prefix-premium": { primary: [2, "9600"], secondary: [2, "9600"] },
    "provider-managed-bgp-down": { primary: [2, "Idle"], secondary: [2, "Idle"] },
    "arp-microsoft-only-primary": { primary: [1, "Active"], secondary: [2, "120"] },
    "arp-incomplete-secondary": { primary: [2, "120"], secondary: [2, "Active"] },
    "asymmetric-routing": { primary: [2, "120"], secondary: [2, "120"] },
    "dns-impostor": { primary: [2, "120"], secondary: [2, "120"] },
    "nsg-impostor": { primary: [2, "120"], secondary: [2, "120"] },
    ignored: { primary: [0, "Idle"], secondary: [0, "Idle"] },
  };

  it("builds one circuit per key, named after it, deterministically", () => {
    for (const [key, build] of Object.entries(scenarioCatalog)) {
      const state = build();
      expect(state.circuits.map((c) => c.name)).toEqual([key]);
      expect(build()).toEqual(state);
    }
    expect(healthyCircuit({ name: "a" }).circuit.serviceKey).not.toBe(
      healthyCircuit({ name: "b" }).circuit.serviceKey,
    );
  });

  it("serves every scenario through the SDK with the layer facts it is named for", async () => {
    const estate = await estateWith(wholeCatalog(), { pageSize: 50 });
    const client = clientFor(estate);
    const listed = await collect(client.expressRouteCircuits.listAll());
    expect(listed.map((c) => c.name).sort()).toEqual(Object.keys(scenarioCatalog).sort());

    for (const [name, want] of Object.entries(expected)) {
      const circuit = await client.expressRouteCircuits.get(RG, name);
      expect(circuit.serviceProviderProvisioningState, name).toBe(want.provider ?? "Provisioned");
      for (const path of ["primary", "secondary"] as const) {
        const arp = await client.expressRouteCircuits.listArpTable(RG, name, PRIVATE, path, FAST);
        const summary = await client.expressRouteCircuits.listRoutesTableSummary(
          RG,
          name,
          PRIVATE,
          path,
          FAST,
        );
        expect([arp.value!.length, summary.value![0]!.statePfxRcd], `${name} ${path}`).toEqual(
          want[path],
        );
      }
    }
  });

  it("covers the gateway, peering and tag scenarios", async () => {
    const estate = await estateWith(wholeCatalog());
    const client = clientFor(estate);
    const connections = new Map(
      (await collect(client.virtualNetworkGatewayConnections.list(RG))).map((c) => [
        c.peer!.id!.split("/").pop()!,
        c.name!,
      ]),
    );
    expect(connections.has("gateway-missing")).toBe(false);
    expect(connections.has("vwan-healthy")).toBe(false);
    expect(
      (
        await client.virtualNetworkGatewayConnections.get(
          RG,
          connections.get("gateway-not-connected")!,
        )
      ).connectionStatus,
    ).toBe("NotConnected");

    const byName = async (name: string) => client.expressRouteCircuits.get(RG, name);
    expect((await byName("peering-missing")).peerings).toEqual([]);
    expect((await byName("peering-disabled")).peerings![0]!.state).toBe("Disabled");
    expect(
      (await byName("microsoft-configuring")).peerings![1]!.microsoftPeeringConfig!
        .advertisedPublicPrefixesState,
    ).toBe("Configuring");
    expect((await byName("prefix-premium")).sku!.tier).toBe("Premium");
    expect((await byName("ignored")).tags).toEqual({ "erwatch:ignore": "true" });
    expect((await byName("provider-managed-bgp-down")).tags).toEqual({
      "erwatch:connectivity-model": "provider-managed",
    });
    const ms = await client.expressRouteCircuits.listRoutesTableSummary(
      RG,
      "microsoft-validation-pending",
      "MicrosoftPeering",
      "secondary",
      FAST,
    );
    expect(ms.value!.map((n) => n.statePfxRcd)).toEqual(["0"]);
  });
});

describe("simulated estate: lifecycle", () => {
  it("close() resolves promptly with a slow request in flight", async () => {
    const estate = await startEstate(circuits("er-a"));
    try {
      estate.addFault({
        match: { operation: "getCircuit" },
        behaviour: { kind: "slow", delayMs: MAX_DELAY_MS },
      });
      const reading = failure(clientFor(estate, noRetry).expressRouteCircuits.get(RG, "er-a"));
      await estate.waitForRequest((r) => r.operation === "getCircuit");
      const started = Date.now();
      await estate.close();
      expect(Date.now() - started).toBeLessThan(1_000);
      // The client sees the connection drop, as it would if ARM's front door went away.
      expect(await reading).toMatchObject({ name: "RestError", code: "ECONNRESET" });
      expect(estate.requests[0]!.status).toBe(0);
    } finally {
      await estate.close();
    }
  });

  it("serves a certificate valid for 127.0.0.1 only to clients that trust it", async () => {
    const estate = await estateWith(circuits("er-a"));
    // No CA given: the client trusts only the system store.
    const untrusting = clientFor(estate, { tlsOptions: {}, ...noRetry });
    const error = await failure(untrusting.expressRouteCircuits.get(RG, "er-a"));
    expect(error.message).toMatch(/self[- ]signed|certificate/i);
    expect(estate.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });
});
