import { describe, expect, it } from "vitest";
import { assessArp } from "../../src/core/arp.js";
import { parseStatePfxRcd } from "../../src/core/bgp-state.js";
import { isIgnored, resolveCircuitSettings } from "../../src/core/circuit-settings.js";
import { parseCircuitId } from "../../src/core/resource-id.js";

describe("parseStatePfxRcd", () => {
  it.each([
    ["0", { kind: "established", prefixes: 0 }],
    ["4000", { kind: "established", prefixes: 4000 }],
    [" 12 ", { kind: "established", prefixes: 12 }],
    ["Idle", { kind: "down", state: "Idle", qualifier: null }],
    ["Active", { kind: "down", state: "Active", qualifier: null }],
    ["Connect", { kind: "down", state: "Connect", qualifier: null }],
    ["OpenSent", { kind: "down", state: "OpenSent", qualifier: null }],
    ["OpenConfirm", { kind: "down", state: "OpenConfirm", qualifier: null }],
    ["Idle (Admin)", { kind: "down", state: "Idle", qualifier: "Admin" }],
    ["Idle (PfxCt)", { kind: "down", state: "Idle", qualifier: "PfxCt" }],
    ["", { kind: "unrecognised", raw: "" }],
    ["Established", { kind: "unrecognised", raw: "Established" }],
    ["-1", { kind: "unrecognised", raw: "-1" }],
  ])("%j", (raw, expected) => {
    expect(parseStatePfxRcd(raw)).toEqual(expected);
  });
});

describe("assessArp", () => {
  const subnet = "192.168.10.16/30";
  const onPrem = {
    age: 1,
    interface: "On-Prem",
    ipAddress: "192.168.10.17",
    macAddress: "0050.56a1.2b3c",
  };
  const ms = {
    age: 0,
    interface: "Microsoft",
    ipAddress: "192.168.10.18",
    macAddress: "5c5e.abd1.0001",
  };
  it.each([
    ["both sides", [onPrem, ms], true, undefined],
    ["empty", [], false, "empty"],
    ["Microsoft only", [ms], false, "microsoft-only"],
    ["on-prem only", [onPrem], false, "on-prem-only"],
    ["Incomplete on-prem MAC", [{ ...onPrem, macAddress: "Incomplete" }, ms], false, "incomplete"],
    ["all-zero MAC", [{ ...onPrem, macAddress: "0000.0000.0000" }, ms], false, "incomplete"],
    // An interface name the service did not use: the /30 position decides the side.
    [
      "sides by /30 position",
      [
        { ...onPrem, interface: "" },
        { ...ms, interface: "" },
      ],
      true,
      undefined,
    ],
    // Resolved, but neither named nor inside the /30: it may be the side that
    // looks missing, so not known to be down.
    [
      "an unplaceable entry beside Microsoft's",
      [{ ...onPrem, interface: "eth0", ipAddress: "10.0.0.1" }, ms],
      false,
      "unplaced",
    ],
    [
      "an unplaceable pending entry beside Microsoft's",
      [{ ...onPrem, interface: "eth0", ipAddress: "10.0.0.1", macAddress: "Incomplete" }, ms],
      false,
      "microsoft-only",
    ],
  ])("%s", (_name, rows, healthy, problem) => {
    const verdict = assessArp(rows, subnet);
    expect(verdict.healthy).toBe(healthy);
    if (!verdict.healthy) expect(verdict.problem).toBe(problem);
  });
});

describe("assessArp without a /30 to place entries by", () => {
  it("reads resolved entries it cannot place as unplaced, naming their interfaces", () => {
    const rows = [
      { age: 1, interface: "eth0", ipAddress: "192.168.10.17", macAddress: "0050.56a1.2b3c" },
      { age: 0, interface: "eth1", ipAddress: "192.168.10.18", macAddress: "5c5e.abd1.0001" },
    ];
    expect(assessArp(rows, null)).toEqual({
      healthy: false,
      problem: "unplaced",
      detail:
        '2 ARP entries erwatch cannot place on either side (interface "eth0", "eth1", no /30 to place by)',
    });
  });
});

describe("resolveCircuitSettings", () => {
  const defaults = {
    connectivityModel: "own-edge" as const,
    expectedPeerings: ["AzurePrivatePeering"],
  };
  it("should read every erwatch tag, case-insensitively by name", () => {
    const { settings, problems } = resolveCircuitSettings(
      {
        "Erwatch:Connectivity-Model": "provider-managed",
        "erwatch:criticality": "high",
        "erwatch:peerings": "AzurePrivatePeering, MicrosoftPeering",
        "erwatch:expect-gateway": "false",
      },
      defaults,
    );
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      connectivityModel: "provider-managed",
      criticality: "high",
      expectedPeerings: ["AzurePrivatePeering", "MicrosoftPeering"],
      expectGateway: false,
    });
  });
  it.each([
    ["Secondary", "secondary", []],
    [" primary ", "primary", []],
    ["none", undefined, []],
    ["backup", undefined, ['tag erwatch:standby-path="backup" is not primary, secondary or none']],
  ])("reads erwatch:standby-path %j", (value, path, problems) => {
    const read = resolveCircuitSettings({ "erwatch:standby-path": value }, defaults);
    expect(read.settings.standbyPath).toBe(path);
    expect(read.problems).toEqual(problems);
  });
  // As ERWATCH_EXPECTED_PEERINGS is read: a typo expected nothing, or a
  // peering no circuit has, and paged peering-missing or never could.
  it.each([
    ["AzurePrivatePeering, microsoftpeering", ["AzurePrivatePeering", "MicrosoftPeering"], []],
    ["none", [], []],
    ["None, ", [], []],
    [
      "Private",
      ["AzurePrivatePeering"],
      [
        'tag erwatch:peerings="Private": "Private" is not a peering (AzurePrivatePeering, MicrosoftPeering, AzurePublicPeering; or none)',
      ],
    ],
    [
      "AzurePrivatePeerng, MicrosoftPeering",
      ["AzurePrivatePeering"],
      [expect.stringMatching(/^tag erwatch:peerings=".*": "AzurePrivatePeerng" is not a peering/)],
    ],
    [
      "",
      ["AzurePrivatePeering"],
      [expect.stringMatching(/^tag erwatch:peerings="": "" names no peering: list peerings/)],
    ],
    [
      " , ",
      ["AzurePrivatePeering"],
      [expect.stringMatching(/^tag erwatch:peerings=",": "," names no peering/)],
    ],
    [
      "none,AzurePrivatePeering",
      ["AzurePrivatePeering"],
      ['tag erwatch:peerings="none,AzurePrivatePeering": none cannot be combined with peerings'],
    ],
  ])(
    "reads erwatch:peerings %j as ERWATCH_EXPECTED_PEERINGS is read",
    (value, peerings, problems) => {
      const read = resolveCircuitSettings({ "erwatch:peerings": value }, defaults);
      expect(read.settings.expectedPeerings).toEqual(peerings);
      expect(read.problems).toEqual(problems);
    },
  );
  it.each([
    ["site-ams", "site-ams", []],
    ["", undefined, []],
    ...["true", "FALSE", "yes", "No", "on", "OFF", "1", "0"].map((flag) => [
      flag,
      undefined,
      [
        `tag erwatch:pair="${flag}" names no site: give the circuits that serve one site the same site name`,
      ],
    ]),
  ])("reads erwatch:pair %j as a site, never a yes/no flag", (value, pair, problems) => {
    const read = resolveCircuitSettings({ "erwatch:pair": value as string }, defaults);
    expect(read.settings.pair).toBe(pair);
    expect(read.problems).toEqual(problems);
  });
  it.each([
    ["true", true, []],
    ["YES", true, []],
    ["1", true, []],
    ["false", false, []],
    ["no", false, []],
    ["0", false, []],
    ...["on", "ignore", "", "y"].map((value) => [
      value,
      false,
      [
        `tag erwatch:ignore="${value}" is not true or false (true, yes, 1; false, no, 0): the circuit is watched`,
      ],
    ]),
  ])("reads erwatch:ignore %j, reporting a word it does not take", (value, ignored, problems) => {
    const tags = { "erwatch:ignore": value as string };
    expect(isIgnored(tags)).toBe(ignored);
    expect(resolveCircuitSettings(tags, defaults).problems).toEqual(problems);
  });
  it("reads erwatch:criticality and erwatch:connectivity-model in any case, as the setting is read", () => {
    const { settings, problems } = resolveCircuitSettings(
      { "erwatch:criticality": "High", "erwatch:connectivity-model": "Provider-Managed" },
      defaults,
    );
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ criticality: "high", connectivityModel: "provider-managed" });
  });
  it.each([
    ["erwatch:expect-gateways", "erwatch:expect-gateway"],
    ["erwatch:criticallity", "erwatch:criticality"],
    ["erwatch-ignore", "erwatch:ignore"],
    ["Erwatch:Connectivity_Model", "erwatch:connectivity-model"],
  ])("names a tag erwatch does not read, %s, with the tag it meant", (name, meant) => {
    const { settings, problems } = resolveCircuitSettings({ [name]: "false" }, defaults);
    expect(problems).toEqual([
      `tag ${name} is not a tag erwatch reads, so it changes nothing; did you mean ${meant}?`,
    ]);
    expect(settings.expectGateway).toBe(true);
  });
  it("names an erwatch tag close to none with the tags it reads, and leaves others' tags alone", () => {
    const { problems } = resolveCircuitSettings(
      { "erwatch:owner": "netops", erwatchdog: "1", "cost-center": "42" },
      defaults,
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^tag erwatch:owner is not a tag erwatch reads, so it changes nothing \(it reads erwatch:ignore, .*erwatch:standby-path\)$/,
      ),
    ]);
  });
  it("should fall back and report a tag it cannot understand", () => {
    const { settings, problems } = resolveCircuitSettings(
      { "erwatch:criticality": "urgent" },
      defaults,
    );
    expect(settings.criticality).toBe("normal");
    expect(problems).toEqual(['tag erwatch:criticality="urgent" is not high, normal or low']);
  });
});

describe("parseCircuitId", () => {
  it.each([
    [
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-1/providers/Microsoft.Network/expressRouteCircuits/er-1",
      "er-1",
    ],
    [
      "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.network/expressroutecircuits/er.2/",
      "er.2",
    ],
    // Azure allows Unicode letters and digits in a resource group's name.
    [
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-zürich(prod)/providers/Microsoft.Network/expressRouteCircuits/er-3",
      "er-3",
    ],
    [
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/ネットワーク_rg/providers/Microsoft.Network/expressRouteCircuits/er-4",
      "er-4",
    ],
  ])("accepts %s", (id, name) => {
    expect(parseCircuitId(id)?.name).toBe(name);
  });
  it.each([
    "er-1",
    "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er",
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er/peerings/x",
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg zürich/providers/Microsoft.Network/expressRouteCircuits/er",
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/ér",
  ])("rejects %s", (id) => {
    expect(parseCircuitId(id)).toBeNull();
  });
});
