// Odd values in what Connection Monitor and Log Analytics send, through the
// REAL SDKs against the loopback estate and judged by the CLI's public JSON
// report: each costs at most its own circuit's end to end, and none hides a
// failing test or a stopped one behind "passes" or "no result".

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReportCircuit } from "../../src/app/report.js";
import {
  estateOf,
  healthyCircuit,
  passingTest,
  startEstate,
  withConnectionMonitor,
  type EstateState,
  type SimConnectionMonitor,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { byName, cliOn, SUB, sweepReport } from "../support/estate-cli.js";
import type { Report } from "../../src/app/report.js";

const NAMES = ["er-ams", "er-fra", "er-lon"];

function estateOfThree(): EstateState {
  return estateOf(
    ...NAMES.map((name) => {
      const bundle = healthyCircuit({ name });
      withConnectionMonitor(bundle);
      return bundle;
    }),
  );
}

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(estateOfThree());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.state = estateOfThree();
  estate.clearFaults();
});

const primary = (c: ReportCircuit) => c.peerings[0]!.paths.primary;
const monitorOf = (name: string): SimConnectionMonitor =>
  estate.state.connectionMonitors!.find((m) => m.name === `cm-${name}`)!;

/** The other circuits, in the same region and workspace, read as ever. */
function othersJudged(report: Awaited<ReturnType<typeof sweepReport>>["report"], odd: string) {
  for (const name of NAMES.filter((n) => n !== odd)) {
    const c = byName(report, name);
    expect(primary(c).endToEnd, name).toEqual({
      status: "up",
      detail: "1 test passes (RTT ≤ 14 ms)",
    });
    expect(c.findings, name).toEqual([]);
    expect(c.failedReads, name).toEqual([]);
  }
}

describe("a DestinationPort that is no port", () => {
  it.each([
    ["-1", -1],
    ["1.5", 1.5],
    ["1e308", 1e308],
    ["70000", 70_000],
  ])(
    "(%s) on a failing test's row: the Fail is still judged (e2e-warning), not taken for a removed endpoint",
    async (_what, port) => {
      const monitor = monitorOf("er-ams");
      const vnet = (monitor.endpoints[1] as { resourceId: string }).resourceId;
      monitor.endpoints.push({ name: "vm-db-01", type: "AzureVNet", resourceId: vnet });
      monitor.tests = [
        passingTest(),
        passingTest({
          destination: "vm-db-01",
          result: "Fail",
          checksFailed: 20,
          roundTripMs: null,
          port,
        }),
      ];
      const { report } = await sweepReport(estate);
      const c = byName(report, "er-ams");
      expect(primary(c).endToEnd).toEqual({ status: "warn", detail: "Warning: 1 of 2 tests" });
      expect(c.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(["e2e-warning Sev2"]);
      const failing = c.findings[0]!.evidence["failing"];
      expect(failing).toEqual([
        "cm-er-ams/onprem-to-vnet/tcp-443: onprem-app-01 → vm-db-01 Fail, checks failed 100% (threshold 10%)",
      ]);
      othersJudged(report, "er-ams");
    },
  );
});

describe("a Connection Monitor with one test group erwatch cannot read", () => {
  it.each([
    [
      "null",
      { field: "properties.testGroups[1]", value: null },
      "testGroups[1] is null, not an object",
    ],
    [
      "without its test configurations",
      { field: "properties.testGroups[1].testConfigurations", remove: true },
      "testGroups[1].testConfigurations is missing",
    ],
    // Required by the REST contract: judged without them, a destination no
    // row was of read "passes", a source that stopped sending went unnamed.
    ...(["sources", "destinations"] as const).flatMap((list) => [
      [
        `without its ${list}`,
        { field: `properties.testGroups[1].${list}`, remove: true },
        `testGroups[1].${list} is missing`,
      ] as const,
      ...(
        [
          [null, "is null, not a list"],
          ["", "is empty, not a list"],
          [" ", "is empty, not a list"],
          [7, "is a number, not a list"],
          [{}, "is an object, not a list"],
        ] as const
      ).map(
        ([value, said]) =>
          [
            `its ${list} ${JSON.stringify(value)}`,
            { field: `properties.testGroups[1].${list}`, value },
            `testGroups[1].${list} ${said}`,
          ] as const,
      ),
    ]),
  ] as const)(
    "(%s): the readable group is judged as ever (its stopped source found), the other named in monitoring-blind, its rows kept",
    async (_what, edit, said) => {
      const monitor = monitorOf("er-ams");
      monitor.tests = [
        passingTest({ stoppedAt: "2026-11-22T01:40:00Z" }),
        passingTest({ testGroup: "onprem-to-hub", test: "icmp" }),
      ];
      monitor.wire = [{ read: "monitor", ...edit }];
      const { report } = await sweepReport(estate);
      const c = byName(report, "er-ams");
      expect(primary(c).endToEnd.status).toBe("unknown");
      expect(primary(c).endToEnd.detail).toMatch(/1 stopped reporting at 01:40 UTC/);
      expect(c.findings.map((f) => `${f.code} ${f.severity}`).sort()).toEqual([
        "e2e-indeterminate Sev3",
        "monitoring-blind Sev3",
      ]);
      const judged = c.findings.find((f) => f.code === "e2e-indeterminate")!;
      // The unreadable group's test is a result still, not a test taken for removed.
      expect(judged.evidence["counts"]).toEqual({ pass: 1, warning: 0, fail: 0, indeterminate: 1 });
      expect(c.failedReads).toEqual([
        expect.objectContaining({
          kind: "malformed",
          call: "Microsoft.Network/networkWatchers/connectionMonitors/read",
          target: "connection monitor cm-er-ams",
          message: `connection monitor cm-er-ams: ${said}`,
        }),
      ]);
      othersJudged(report, "er-ams");
    },
  );
});

describe("a TestResult that is not a word", () => {
  it.each([
    ["a number", 7, "TestResult is 7, not a result erwatch knows"],
    ["an object", { value: "Pass" }, 'TestResult is {"value":"Pass"}, not a result erwatch knows'],
    ["null", null, "TestResult is missing"],
  ])(
    "(%s): the test Indeterminate, its value named, not taken for a result left out unless it was",
    async (_what, result, said) => {
      monitorOf("er-ams").tests = [passingTest({ result: result as unknown as string })];
      const { report } = await sweepReport(estate);
      const c = byName(report, "er-ams");
      expect(primary(c).endToEnd).toEqual({
        status: "unknown",
        detail: "Indeterminate: 1 of 1 tests",
      });
      expect(c.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(["e2e-indeterminate Sev3"]);
      expect(c.findings[0]!.evidence["tests"]).toEqual([
        expect.objectContaining({
          result: "Indeterminate",
          reason: `erwatch cannot read rows[0] of the result: ${said}`,
        }),
      ]);
      othersJudged(report, "er-ams");
    },
  );
});

describe("a testFrequencySec no Connection Monitor test runs at", () => {
  /** er-ams's only source stopped at `at`; its last row, a Pass, stays in Log Analytics. */
  function stoppedWith(frequency: unknown, at: string): void {
    const monitor = monitorOf("er-ams");
    monitor.tests[0]!.stoppedAt = at;
    monitor.wire = [
      {
        read: "monitor",
        field: "properties.testConfigurations[0].testFrequencySec",
        value: frequency,
      },
    ];
  }
  const STOPPED = {
    status: "unknown",
    detail: "Indeterminate: no results since 01:20 UTC (1 stopped reporting at 01:20 UTC)",
  };

  it.each([
    ["1e308", 1e308],
    ["a day", 86_400],
  ])(
    "(%s): taken at the longest, 30 min, a source silent for 47 min of a 60-minute look-back stopped, not '1 test passes'",
    async (_what, frequency) => {
      stoppedWith(frequency, "2026-11-22T01:20:00Z");
      const ran = await cliOn(estate, ["sweep", "--subscription", SUB, "--output", "json"], {
        env: { CONNECTION_MONITOR_WINDOW_MINUTES: "60" },
      });
      const report = JSON.parse(ran.stdout) as Report;
      const c = byName(report, "er-ams");
      expect(primary(c).endToEnd).toEqual(STOPPED);
      expect(c.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(["e2e-indeterminate Sev3"]);
      expect(report.circuits.filter((o) => o.name !== "er-ams").flatMap((o) => o.findings)).toEqual(
        [],
      );
    },
  );

  it('given as text ("30"): read as 30 s, a source silent for 27 min stopped', async () => {
    stoppedWith("30", "2026-11-22T01:40:00Z");
    const { report } = await sweepReport(estate);
    const c = byName(report, "er-ams");
    expect(primary(c).endToEnd).toEqual({
      status: "unknown",
      detail: "Indeterminate: no results since 01:40 UTC (1 stopped reporting at 01:40 UTC)",
    });
    expect(c.findings[0]!.evidence["tests"]).toEqual([
      expect.objectContaining({
        reason: "stopped reporting at 01:40 UTC (its last result Pass; it runs every 30 s)",
      }),
    ]);
    othersJudged(report, "er-ams");
  });
});

describe("wiring that names no VNet to match the circuit's Connection Monitors against", () => {
  const connectionOf = (name: string) =>
    estate.state.connections.find((c) => c.circuitId.endsWith(`/${name}`))!;
  it.each([
    [
      "the gateway's subnet naming no VNet",
      () => {
        const gateway = connectionOf("er-ams").gatewayId.split("/").pop();
        estate.state.vnetGateways!.find((g) => g.name === gateway)!.vnetId = "";
      },
      "virtual network gateway ergw-er-ams names no GatewaySubnet",
    ],
  ])(
    "%s: its end to end is UNKNOWN, named with the tag that fixes it, not 'no Connection Monitor tests this circuit'",
    async (_what, edit, said) => {
      edit();
      const { report } = await sweepReport(estate);
      const c = byName(report, "er-ams");
      expect(primary(c).gateway.status).toBe("up");
      expect(primary(c).endToEnd.status).toBe("unknown");
      expect(c.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(["monitoring-blind Sev3"]);
      expect(c.failedReads).toEqual([
        expect.objectContaining({
          kind: "malformed",
          target: "Connection Monitors of er-ams's VNets",
          message: expect.stringContaining(
            `${said}, so the Connection Monitors testing the VNet behind it cannot be found: tag the circuit erwatch:connection-monitor`,
          ),
        }),
      ]);
      othersJudged(report, "er-ams");
    },
  );
});

describe("a gateway connection whose GET names no gateway", () => {
  it.each([
    ["null, found by Resource Graph", null, false],
    ["left out, found by Resource Graph", undefined, false],
    ["null, found by its resource group's listing", null, true],
    ["left out, found by its resource group's listing", undefined, true],
  ])(
    "virtualNetworkGateway1 %s: its wiring UNKNOWN, the connection and the field named once; the others judged",
    async (_how, value, graphFails) => {
      const conn = estate.state.connections.find((c) => c.circuitId.endsWith("/er-ams"))!;
      conn.wire = [
        value === undefined
          ? { read: "connection", field: "properties.virtualNetworkGateway1", remove: true }
          : { read: "connection", field: "properties.virtualNetworkGateway1", value },
      ];
      if (graphFails)
        estate.addFault({
          match: { operation: "queryResourceGraph" },
          behaviour: { kind: "status", status: 503 },
        });
      const { report } = await sweepReport(estate);
      const c = byName(report, "er-ams");
      expect(primary(c).gateway.status).toBe("unknown");
      expect(c.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(["monitoring-blind Sev3"]);
      const reads = c.failedReads.filter((f) => f.call === "Microsoft.Network/connections/read");
      expect(reads).toEqual([
        expect.objectContaining({
          kind: "malformed",
          target: "gateway connection conn-er-ams",
          message: "gateway connection conn-er-ams: virtualNetworkGateway1 is missing",
        }),
      ]);
      expect(c.failedReads).toHaveLength(graphFails ? 2 : 1);
      for (const name of NAMES.filter((n) => n !== "er-ams")) {
        const other = byName(report, name);
        expect(primary(other).gateway, name).toEqual({ status: "up", detail: "1 connected" });
        expect(primary(other).endToEnd.status, name).toBe("up");
        expect(
          other.failedReads.map((f) => f.call),
          name,
        ).toEqual(graphFails ? ["Microsoft.ResourceGraph/resources/read"] : []);
      }
    },
  );
});

describe("a gateway connection whose gateway id names no gateway", () => {
  const ID = "properties.virtualNetworkGateway1.id";
  const values: [string, unknown, string][] = [
    ["null", null, "is missing"],
    ["left out", undefined, "is missing"],
    ["empty", "", "is empty"],
    ["blank", "   ", "is empty"],
    ["a number", 7, "is a number"],
    ["an object", {}, "is an object"],
  ];
  // Resource Graph's tostring() of any of these is "": only the GET tells which.
  const found: [string, (conn: { gatewayId: string }) => void][] = [
    ["found by Resource Graph without its status", () => {}],
    [
      "found by Resource Graph with its status, the row's gateway blank",
      (conn) => {
        estate.state.graph = { connectionStatus: true };
        conn.gatewayId = "";
      },
    ],
    [
      "found by its resource group's listing",
      () =>
        estate.addFault({
          match: { operation: "queryResourceGraph" },
          behaviour: { kind: "status", status: 503 },
        }),
    ],
  ];
  const cases = values.flatMap(([what, value, said]) =>
    found.map(([how, setUp], i) => [what, how, value, said, setUp, i === 2] as const),
  );

  it.each(cases)(
    "%s, %s: its wiring UNKNOWN, the field named once as the GET has it, never up; the others judged",
    async (_what, _how, value, said, setUp, graphFails) => {
      const conn = estate.state.connections.find((c) => c.circuitId.endsWith("/er-ams"))!;
      setUp(conn);
      conn.wire = [
        value === undefined
          ? { read: "connection", field: ID, remove: true }
          : { read: "connection", field: ID, value },
      ];
      const { report } = await sweepReport(estate);
      const c = byName(report, "er-ams");
      expect(primary(c).gateway.status).toBe("unknown");
      expect(primary(c).endToEnd.status).toBe("unknown");
      expect(c.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(["monitoring-blind Sev3"]);
      const reads = c.failedReads.filter(
        (f) => f.call !== "Microsoft.ResourceGraph/resources/read",
      );
      expect(reads).toEqual([
        {
          kind: "malformed",
          call: "Microsoft.Network/connections/read",
          target: "gateway connection conn-er-ams",
          message: `gateway connection conn-er-ams: virtualNetworkGateway1.id ${said}`,
        },
      ]);
      expect(c.failedReads).toHaveLength(graphFails ? 2 : 1);
      for (const name of NAMES.filter((n) => n !== "er-ams")) {
        const other = byName(report, name);
        expect(primary(other).gateway, name).toEqual({ status: "up", detail: "1 connected" });
        expect(primary(other).endToEnd.status, name).toBe("up");
      }
    },
  );

  it("a Resource Graph row with its gateway blank whose GET names the gateway: read from the GET, wiring up and the VNet's monitor found", async () => {
    const conn = estate.state.connections.find((c) => c.circuitId.endsWith("/er-ams"))!;
    estate.state.graph = { connectionStatus: true };
    conn.wire = [{ read: "connection", field: ID, value: conn.gatewayId }];
    conn.gatewayId = "";
    const { report } = await sweepReport(estate);
    const c = byName(report, "er-ams");
    expect(primary(c).gateway).toEqual({ status: "up", detail: "1 connected" });
    expect(primary(c).endToEnd).toEqual({ status: "up", detail: "1 test passes (RTT ≤ 14 ms)" });
    expect(c.failedReads).toEqual([]);
  });

  it.each([
    ["by its GET", false],
    ["by Resource Graph's row", true],
  ])(
    "a gateway id in another case than the gateway's own, %s: wiring up and the VNet's monitor found",
    async (_how, graphRow) => {
      const conn = estate.state.connections.find((c) => c.circuitId.endsWith("/er-ams"))!;
      const shouted = conn.gatewayId
        .replace(
          /resourceGroups\/([^/]+)/,
          (_m, rg: string) => `RESOURCEGROUPS/${rg.toUpperCase()}`,
        )
        .replace(/ergw-er-ams$/, "ERGW-ER-AMS");
      expect(shouted).not.toBe(conn.gatewayId);
      if (graphRow) estate.state.graph = { connectionStatus: true };
      conn.wire = [{ read: "connection", field: ID, value: shouted }];
      if (graphRow) conn.gatewayId = shouted;
      const { report } = await sweepReport(estate);
      const c = byName(report, "er-ams");
      expect(primary(c).gateway).toEqual({ status: "up", detail: "1 connected" });
      expect(primary(c).endToEnd).toEqual({ status: "up", detail: "1 test passes (RTT ≤ 14 ms)" });
      expect(c.failedReads).toEqual([]);
      expect(c.findings).toEqual([]);
    },
  );
});

describe("a gateway connection listed twice", () => {
  it.each([
    ["by Resource Graph", false],
    ["by its resource group's listing (Resource Graph failing)", true],
  ])("%s: one connection, '1 connected', not '2 connected'", async (_how, graphFails) => {
    const conn = estate.state.connections.find((c) => c.circuitId.endsWith("/er-ams"))!;
    estate.state.connections.push(structuredClone(conn));
    if (graphFails)
      estate.addFault({
        match: { operation: "queryResourceGraph" },
        behaviour: { kind: "status", status: 503 },
      });
    const { report } = await sweepReport(estate);
    expect(primary(byName(report, "er-ams")).gateway).toEqual({
      status: "up",
      detail: "1 connected",
    });
  });
});
