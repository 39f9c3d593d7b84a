// The data plane over the real wire: the simulated estate serves ARM, Azure
// Monitor's metrics batch endpoint and Log Analytics; the real timer function
// reads them through @azure/arm-network, @azure/monitor-query-metrics and
// @azure/monitor-query-logs, keeps state in Azurite and publishes to the
// broker. The clock is injected and moves five minutes per sweep, as the
// product's default timer does; Azure Monitor's points arrive 1–3 minutes late.

import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { circuitId as simCircuitId } from "../support/estate/ids.js";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  metricsDip,
  peeringOf,
  setBgpState,
  setTestResults,
  setTraffic,
  withConnectionMonitor,
  type CircuitBundle,
  type SimConnectionMonitor,
} from "../support/estate/index.js";
import { cliOn } from "../support/estate-cli.js";
import type { Report } from "../../src/app/report.js";
import { ALERTS_QUEUE, type World } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const worlds = worldPerTest();

interface Timeline {
  bundle: CircuitBundle;
  monitor: SimConnectionMonitor | null;
  world: World;
  /** One timer sweep at T0 + minutes. */
  sweep(minutes: number): ReturnType<World["timerSweep"]>;
  /** Sweeps every 5 minutes from `from` to `to` inclusive. */
  sweeps(from: number, to: number): Promise<void>;
  /** What the broker accepted: action:family:severity, in order. */
  sent(): string[];
  events(): AlertEvent[];
  now(): Date;
}

async function timeline(
  options: {
    env?: Record<string, string>;
    monitor?: boolean;
    logDestination?: { write: (line: string) => boolean };
  } = {},
): Promise<Timeline> {
  const bundle = healthyCircuit();
  const monitor = options.monitor ? withConnectionMonitor(bundle) : null;
  let now = at(0);
  const w = await worlds.start({
    estate: estateOf(bundle),
    now: () => now,
    env: options.env ?? {},
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  const events = () => w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  return {
    bundle,
    monitor,
    world: w,
    sweep(minutes) {
      now = at(minutes);
      return w.timerSweep();
    },
    async sweeps(from, to) {
      for (let m = from; m <= to; m += 5) {
        now = at(m);
        await w.timerSweep();
      }
    },
    sent: () => events().map((e) => `${e.action}:${e.family}:${e.severity}`),
    events,
    now: () => now,
  };
}

describe("saturation: capacity planning, not an incident", () => {
  it("opens once throughput held 80 % of the bandwidth for 15 minutes, and resolves when it falls", async () => {
    const t = await timeline();
    await t.sweep(0);
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 870e6, outBps: 90e6 });
    // Busy from 01:05; Azure's newest point is 1–3 minutes old, so 15 busy minutes show by 01:25.
    await t.sweeps(5, 20);
    expect(t.sent()).toEqual([]);
    await t.sweeps(25, 30);
    expect(t.sent()).toEqual(["open:capacity:Sev3"]);
    const open = t.events()[0]!;
    expect(open).toMatchObject({
      code: "saturation",
      owner: "you",
      layer: "capacity",
      paths: ["primary"],
    });
    expect(open.title).toContain("capacity planning, not an incident");
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 240e6, outBps: 90e6 });
    // At 01:35 Azure's newest point is still from before the drop: still saturated.
    await t.sweeps(35, 40);
    expect(t.sent()).toEqual(["open:capacity:Sev3"]);
    await t.sweep(45);
    expect(t.sent()).toEqual(["open:capacity:Sev3", "resolve:capacity:Sev3"]);
    // The capacity row said so all along.
    const last = await t.sweep(50);
    expect(last.verdicts[0]!.peerings[0]!.paths.primary.capacity).toEqual({
      status: "up",
      detail: "in 24% · out 9% of 1 Gbps",
    });
  });
});

describe("metrics corroborate, they never page on their own", () => {
  it("a 30-minute dip of every metric under a healthy control plane pages nothing, and is noted", async () => {
    const t = await timeline();
    await t.sweep(0);
    metricsDip(t.world.estate.state, {
      circuit: "er-circuit-prod",
      from: at(2).toISOString(),
      to: at(32).toISOString(),
      value: 0,
    });
    let noted = false;
    for (let m = 5; m <= 45; m += 5) {
      const result = await t.sweep(m);
      noted ||= (result.verdicts[0]!.peerings[0]!.notes ?? []).some((n) =>
        /metrics dip, not paged/.test(n),
      );
    }
    expect(t.sent()).toEqual([]);
    expect(noted).toBe(true);
  });

  it("a 20-minute gap is no data, not zero: the capacity row is unknown and nothing pages", async () => {
    const t = await timeline();
    await t.sweep(0);
    metricsDip(t.world.estate.state, {
      circuit: "er-circuit-prod",
      from: at(0).toISOString(),
      to: at(40).toISOString(),
      value: "gap",
    });
    await t.sweeps(5, 20);
    const result = await t.sweep(25);
    expect(result.verdicts[0]!.peerings[0]!.paths.primary.capacity.status).toBe("unknown");
    expect(t.sent()).toEqual([]);
  });

  it("an outage ARM reads carries Azure Monitor's agreement in its evidence", async () => {
    const t = await timeline();
    await t.sweep(0);
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    await t.sweeps(5, 10);
    expect(t.sent()).toEqual(["open:path-down:Sev2"]);
    const view = t.events()[0]!.evidence.azureMonitor as { agrees: boolean; detail: string };
    expect(view.agrees).toBe(true);
    expect(view.detail).toMatch(/^Azure Monitor agrees: ArpAvailability 0 % on the secondary path/);
  });
});

describe("Global Reach throughput corroborates the Global Reach row", () => {
  it("shows the connection's throughput in the layer table, and a Connected one gone quiet is a note, not a page", async () => {
    const t = await timeline();
    const dr = `/subscriptions/${t.bundle.circuit.subscriptionId}/resourceGroups/rg-hybrid-dr/providers/Microsoft.Network/expressRouteCircuits/er-circuit-dr`;
    const connection = {
      name: "gr-to-er-circuit-dr",
      peerCircuitPeeringId: `${dr}/peerings/${PRIVATE}`,
      status: "Connected",
      traffic: { inBps: 12e6, outBps: 3e6 },
    };
    peeringOf(t.bundle.circuit, PRIVATE).globalReach.push(connection);
    await t.sweep(0);
    const first = await t.sweep(5);
    expect(first.verdicts[0]!.peerings[0]!.paths.primary.globalReach).toEqual({
      status: "up",
      detail: "gr-to-er-circuit-dr Connected · 12 Mbps in / 3 Mbps out",
    });
    const filters = t.world.estate.requests
      .filter((r) => r.operation === "metricsBatch")
      .map((r) => r.query.filter);
    expect(filters).toContain("PeeredCircuitSKey eq '*'");
    connection.traffic = { inBps: 0, outBps: 0 };
    let noted: string | undefined;
    for (let m = 10; m <= 40; m += 5) {
      const result = await t.sweep(m);
      noted ??= (result.verdicts[0]!.peerings[0]!.notes ?? []).find((n) =>
        n.startsWith("Global Reach gr-to-er-circuit-dr reads Connected"),
      );
    }
    expect(noted).toMatch(/~0 bits both ways for \d+ min .*not paged/);
    expect(t.sent()).toEqual([]);
  });
});

describe("traffic stopped: link up but carrying nothing", () => {
  it("both paths Established with prefixes and ~0 bits both ways for 15 minutes: Sev1", async () => {
    const t = await timeline();
    await t.sweep(0);
    setTraffic(t.bundle.circuit, PRIVATE, "primary", { inBps: 0, outBps: 0 });
    setTraffic(t.bundle.circuit, PRIVATE, "secondary", { inBps: 0, outBps: 0 });
    await t.sweeps(5, 20);
    expect(t.sent()).toEqual([]);
    await t.sweeps(25, 30);
    expect(t.sent()).toEqual(["open:traffic:Sev1"]);
    const open = t.events()[0]!;
    expect(open).toMatchObject({
      code: "traffic-stopped",
      owner: "you",
      paths: ["primary", "secondary"],
    });
    expect(open.title).toMatch(/carrying nothing/);
    // Still stopped an hour on: the snapshot remembers it carried traffic, so it stays open.
    await t.sweeps(35, 90);
    expect(t.sent()).toEqual(["open:traffic:Sev1"]);
  });

  it("one path: Sev2, and the other path still carries traffic", async () => {
    const t = await timeline();
    await t.sweep(0);
    setTraffic(t.bundle.circuit, PRIVATE, "secondary", { inBps: 0, outBps: 0 });
    await t.sweeps(5, 30);
    expect(t.sent()).toEqual(["open:traffic:Sev2"]);
    expect(t.events()[0]!.paths).toEqual(["secondary"]);
  });
});

describe("Connection Monitor, localised with the layer table", () => {
  it("Fail with every layer healthy: e2e-fail with the impostors, and diagnose gives the learned-routes verdict", async () => {
    const t = await timeline({ monitor: true });
    await t.sweep(0);
    setTestResults(t.monitor!, "Fail");
    await t.sweeps(5, 10);
    expect(t.sent()).toEqual(["open:end-to-end:Sev1"]);
    const open = t.events()[0]!;
    expect(open.code).toBe("e2e-fail");
    expect(open.title).toContain("every layer of the circuit reads healthy");
    for (const impostor of [
      "gateway and its connection",
      "VNet route table",
      "NSGs and firewalls",
      "DNS",
      "asymmetric routing",
    ])
      expect(open.nextAction).toContain(impostor);

    const ran = await cliOn(
      t.world.estate,
      ["diagnose", simCircuitId(t.bundle.circuit), "--output", "json"],
      {
        now: t.now,
      },
    );
    const circuit = (JSON.parse(ran.stdout) as Report).circuits[0]!;
    const e2e = circuit.findings.find((f) => f.code === "e2e-fail")!;
    expect(e2e.nextAction).toMatch(
      /^Learned routes: all 120 on-premises prefixes the circuit receives reached gateway ergw-er-circuit-prod: the circuit and the gateway agree/,
    );
    expect(e2e.evidence.learnedRoutes).toEqual([
      expect.objectContaining({ expected: 120, reached: 120, missing: [] }),
    ]);
    expect(t.world.estate.requests.some((r) => r.operation === "learnedRoutes")).toBe(true);
  });

  it("diagnose says when the on-premises prefixes did not reach the gateway", async () => {
    const t = await timeline({ monitor: true });
    t.bundle.vnetGateways![0]!.learnedRoutes = [
      { network: "10.100.0.0/16", origin: "Network", asPath: "", nextHop: "" },
    ];
    setTestResults(t.monitor!, "Fail");
    const ran = await cliOn(
      t.world.estate,
      ["diagnose", simCircuitId(t.bundle.circuit), "--output", "json"],
      {
        now: () => at(0),
      },
    );
    const e2e = (JSON.parse(ran.stdout) as Report).circuits[0]!.findings.find(
      (f) => f.code === "e2e-fail",
    )!;
    expect(e2e.nextAction).toMatch(
      /none of the 120 on-premises prefixes .* reached gateway ergw-er-circuit-prod/,
    );
  });

  it("Fail with layer 2 gone on both paths: only the layer's alert, carrying the test results", async () => {
    const t = await timeline({ monitor: true });
    await t.sweep(0);
    setTestResults(t.monitor!, "Fail");
    carrierDown(t.bundle.circuit, PRIVATE, "primary");
    carrierDown(t.bundle.circuit, PRIVATE, "secondary");
    await t.sweeps(5, 20);
    expect(t.sent()).toEqual(["open:path-down:Sev0"]);
    const open = t.events()[0]!;
    expect(open.code).toBe("arp-missing");
    expect(open.evidence.endToEnd).toMatchObject({ overall: "fail", explainedBy: "arp-missing" });
    const result = await t.sweep(25);
    expect(result.verdicts[0]!.peerings[0]!.paths.primary.endToEnd.detail).toContain(
      "explained by provider / L2",
    );
  });

  it("Indeterminate: e2e-indeterminate, Sev3, with the reasons", async () => {
    const t = await timeline({ monitor: true });
    await t.sweep(0);
    setTestResults(t.monitor!, "Indeterminate");
    await t.sweeps(5, 10);
    expect(t.sent()).toEqual(["open:end-to-end:Sev3"]);
    expect(t.events()[0]!.code).toBe("e2e-indeterminate");
    expect((t.events()[0]!.evidence.reasons as string[]).join(" ")).toMatch(/agent is not running/);
  });
});

describe("drift against the declared baseline", () => {
  it("a typo in another circuit's entry leaves that entry out: this circuit's drift is still checked, and every sweep names the entry", async () => {
    const lines: string[] = [];
    const t = await timeline({
      env: {
        ERWATCH_BASELINE: JSON.stringify({
          "er-circuit-prod": { peerings: { AzurePrivatePeering: { vlanId: 200 } } },
          "er-circuit-dr": { peerings: { AzurePrivatePeering: { vlanId: 0 } } },
        }),
      },
      logDestination: {
        write: (line) => {
          lines.push(line);
          return true;
        },
      },
    });
    await t.sweep(0);
    peeringOf(t.bundle.circuit, PRIVATE).vlanId = 201;
    await t.sweeps(5, 10);
    expect(t.sent()).toEqual(["open:config-drift:Sev3"]);
    const warned = lines
      .flatMap((l) => l.split("\n").filter(Boolean))
      .map((l) => JSON.parse(l) as { msg: string; ignored?: string[] })
      .filter((r) => r.msg.startsWith("entries of settings are invalid and left out"));
    expect(warned).toHaveLength(3);
    expect(warned[0]!.ignored).toEqual([
      expect.stringMatching(
        /^ERWATCH_BASELINE\.er-circuit-dr\.peerings\.AzurePrivatePeering\.vlanId: /,
      ),
    ]);
  });

  it("a VLAN changed (the secondary router kept the old one) gives config-drift naming it, and the secondary's bgp-down cites it", async () => {
    const baseline = {
      "er-circuit-prod": {
        skuTier: "Standard",
        bandwidthInMbps: 1000,
        gatewayConnections: ["conn-er-circuit-prod"],
        peerings: {
          AzurePrivatePeering: {
            peerASN: 65010,
            vlanId: 200,
            primaryPeerAddressPrefix: "192.168.10.16/30",
            secondaryPeerAddressPrefix: "192.168.10.20/30",
          },
        },
      },
    };
    const t = await timeline({ env: { ERWATCH_BASELINE: JSON.stringify(baseline) } });
    await t.sweep(0);
    expect(t.sent()).toEqual([]);
    peeringOf(t.bundle.circuit, PRIVATE).vlanId = 201;
    setBgpState(t.bundle.circuit, PRIVATE, "secondary", "Active");
    await t.sweeps(5, 10);
    expect([...t.sent()].sort()).toEqual(["open:config-drift:Sev3", "open:path-down:Sev2"]);
    const drift = t.events().find((e) => e.code === "config-drift")!;
    expect(drift.title).toContain("AzurePrivatePeering VLAN expected 200, running 201");
    const bgp = t.events().find((e) => e.code === "bgp-down")!;
    expect(bgp.paths).toEqual(["secondary"]);
    expect(bgp.evidence.drift).toEqual([
      {
        field: "AzurePrivatePeering VLAN",
        expected: 200,
        running: 201,
        paths: ["primary", "secondary"],
      },
    ]);
    expect(bgp.nextAction).toMatch(/^The declared baseline differs on this path/);
  });
});
