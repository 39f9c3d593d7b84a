// Gateway wiring found with one Azure Resource Graph query per sweep across the
// watched subscriptions, through the REAL @azure/arm-resourcegraph client
// against the simulated estate's POST /providers/Microsoft.ResourceGraph/resources,
// in the stateful timer sweep at the 5-minute cadence. Per-group reads remain
// the fallback, and a failed query is a named monitoring-blind read.

import { describe, expect, it } from "vitest";
import { REQUIRED_ACTIONS } from "../../src/adapters/arm/operations.js";
import {
  estateOf,
  healthyCircuit,
  setConnectionStatus,
  type EstateState,
} from "../support/estate/index.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const SUB = "00000000-0000-0000-0000-000000000001";
const HUB_SUB = "00000000-0000-0000-0000-0000000000b2";
const GRAPH = "queryResourceGraph";

interface GraphBody {
  subscriptions: string[];
  query: string;
  options: { $skipToken?: string };
}

const worlds = worldPerTest();

async function timeline(estate: EstateState, env: Record<string, string> = {}) {
  let now = new Date(T0);
  const w = await worlds.start({ estate, now: () => now, env });
  return {
    world: w,
    /** The timer's sweep number `n` (every 5 minutes). */
    async sweep(n: number) {
      now = new Date(T0 + n * 5 * 60_000);
      const from = w.estate.requests.length;
      const result = await w.timerSweep();
      return { result, requests: w.estate.requests.slice(from) };
    },
    sent: () =>
      w.broker.accepted(ALERTS_QUEUE).map((m) => {
        const e = m.body as { action: string; code: string; severity: string };
        return `${e.action}:${e.code}:${e.severity}`;
      }),
  };
}

/** Three circuits whose VNet gateway connections live in a network team's resource group, untagged. */
function connectionsElsewhere(): EstateState {
  const estate = estateOf(
    ...["er-ams", "er-fra", "er-lon"].map((name) => healthyCircuit({ name })),
  );
  for (const c of estate.connections) c.resourceGroup = "rg-network-team";
  return estate;
}

describe("gateway wiring through Azure Resource Graph", () => {
  it("finds connections in any resource group with one query per sweep, paged, and GETs the status the query lacks", async () => {
    const t = await timeline(connectionsElsewhere());
    for (let n = 0; n <= 2; n += 1) {
      const { result, requests } = await t.sweep(n);
      const graph = requests.filter((r) => r.operation === GRAPH);
      // Three rows at the estate's two per page: two pages of one query, shared by three circuits.
      expect(graph.map((r) => r.status)).toEqual([200, 200]);
      const bodies = graph.map((r) => JSON.parse(r.body!) as GraphBody);
      expect(bodies[0]!.subscriptions).toEqual([SUB]);
      expect(bodies[0]!.query).toMatch(/microsoft\.network\/connections/);
      expect(bodies[0]!.options.$skipToken).toBeUndefined();
      expect(bodies[1]!.options.$skipToken).toEqual(expect.any(String));
      expect(requests.filter((r) => r.operation === "listConnections")).toEqual([]);
      // Resource Graph has no connectionStatus for these: one GET for each
      // circuit read deep (all three first, then the rotation's share), where
      // the connection is.
      const gets = requests.filter((r) => r.operation === "getConnection");
      expect(gets).toHaveLength(result.verdicts.length);
      expect(result.verdicts.length).toBeGreaterThan(0);
      expect(gets.every((r) => r.path.includes("/resourceGroups/rg-network-team/"))).toBe(true);
      for (const v of result.verdicts)
        expect(v.peerings[0]!.paths.primary.gateway).toEqual({
          status: "up",
          detail: "1 connected",
        });
    }
    expect(t.sent()).toEqual([]);
  });

  it("takes the status from the query when Resource Graph has it, and a disconnect there is VNet traffic stopped (Sev1)", async () => {
    const estate = connectionsElsewhere();
    estate.graph = { connectionStatus: true, pageSize: 100 };
    const t = await timeline(estate);
    const first = await t.sweep(0);
    expect(first.requests.filter((r) => r.operation === "getConnection")).toEqual([]);
    setConnectionStatus(t.world.estate.state, "er-fra", "NotConnected");
    // The listing does not show it: the rotation reads er-fra within the
    // 15-minute age limit, and hysteresis opens it the sweep after.
    for (let n = 1; n <= 5; n += 1) await t.sweep(n);
    expect(t.sent()).toEqual(["open:gateway-not-connected:Sev1"]);
  });

  it("finds a vWAN hub in another watched subscription", async () => {
    const bundle = healthyCircuit({ name: "er-vwan", gateway: "vwan" });
    for (const g of bundle.vwanGateways) {
      g.subscriptionId = HUB_SUB;
      g.resourceGroup = "rg-connectivity";
    }
    const t = await timeline(estateOf(bundle), { ERWATCH_SUBSCRIPTIONS: `${SUB},${HUB_SUB}` });
    for (let n = 0; n <= 2; n += 1) {
      const { result, requests } = await t.sweep(n);
      const graph = requests.filter((r) => r.operation === GRAPH);
      expect(graph).toHaveLength(1);
      expect((JSON.parse(graph[0]!.body!) as { subscriptions: string[] }).subscriptions).toEqual(
        [SUB, HUB_SUB].sort(),
      );
      const circuit = result.verdicts.find((v) => v.name === "er-vwan")!;
      expect(circuit.peerings[0]!.paths.primary.gateway.status).toBe("up");
      expect(circuit.findings).toEqual([]);
    }
    expect(t.sent()).toEqual([]);
  });

  it("falls back to the per-group reads when the query is refused, and names the missing permission", async () => {
    const estate = estateOf(
      healthyCircuit({ name: "er-own-group" }),
      healthyCircuit({ name: "er-elsewhere" }),
    );
    const elsewhere = estate.connections.find((c) => c.name === "conn-er-elsewhere")!;
    elsewhere.resourceGroup = "rg-network-team";
    const t = await timeline(estate);
    t.world.estate.grant(
      REQUIRED_ACTIONS.filter((a) => a !== "Microsoft.ResourceGraph/resources/read"),
    );
    for (let n = 0; n <= 2; n += 1) {
      const { result, requests } = await t.sweep(n);
      expect(requests.filter((r) => r.operation === GRAPH).map((r) => r.status)).toEqual([403]);
      expect(requests.some((r) => r.operation === "listConnections")).toBe(true);
      const own = result.verdicts.find((v) => v.name === "er-own-group")!;
      expect(own.peerings[0]!.paths.primary.gateway.status).toBe("up");
      expect(own.failedReads.map((f) => `${f.kind} ${f.missingPermission}`)).toEqual([
        "forbidden Microsoft.ResourceGraph/resources/read",
      ]);
      // The list read per group cannot say the other group holds none: not
      // known, never the false "not wired" (Sev3) it read before.
      const other = result.verdicts.find((v) => v.name === "er-elsewhere")!;
      expect(other.peerings[0]!.paths.primary.gateway).toMatchObject({
        status: "unknown",
        detail: expect.stringMatching(/^no connection in the list read per resource group/),
      });
    }
    // Not silent: each circuit's sight is degraded, and says why.
    expect(t.sent().sort()).toEqual(["open:monitoring-blind:Sev3", "open:monitoring-blind:Sev3"]);
    const blind = t.world.broker
      .accepted(ALERTS_QUEUE)
      .map(
        (m) =>
          m.body as {
            code: string;
            title: string;
            evidence: { failedReads: { message: string }[] };
          },
      )
      .find((e) => e.code === "monitoring-blind")!;
    expect(blind.title).toMatch(
      /Resource Graph\): forbidden \(missing Microsoft\.ResourceGraph\/resources\/read\)/,
    );
    expect(blind.evidence.failedReads[0]!.message).toMatch(/read per resource group instead/);
    // The role is fixed: the query finds the other group's connection, and everything resolves.
    t.world.estate.grant(undefined);
    await t.sweep(3);
    await t.sweep(4);
    expect(
      t
        .sent()
        .filter((s) => s.startsWith("resolve:"))
        .sort(),
    ).toEqual(["resolve:monitoring-blind:Sev3", "resolve:monitoring-blind:Sev3"]);
    const { result } = await t.sweep(5);
    const other = result.verdicts.find((v) => v.name === "er-elsewhere")!;
    expect(other.peerings[0]!.paths.primary.gateway.status).toBe("up");
  });

  it("falls back on a throttled or failing query too, and the wiring read is unchanged", async () => {
    const t = await timeline(estateOf(healthyCircuit({ name: "er-one" })));
    t.world.estate.addFault({
      match: { operation: GRAPH },
      behaviour: { kind: "status", status: 503 },
    });
    const { result } = await t.sweep(0);
    expect(result.verdicts[0]!.peerings[0]!.paths.primary.gateway.status).toBe("up");
    expect(result.verdicts[0]!.failedReads.map((f) => f.kind)).toEqual(["server-error"]);
  });
});
