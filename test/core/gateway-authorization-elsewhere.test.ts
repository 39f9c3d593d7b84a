// A circuit wired through one of its authorizations by a connection in a
// subscription erwatch does not watch (hub and spoke). Users saw "Circuit is
// not wired to any ExpressRoute gateway", a red gateway row, a next action to
// create a connection that existed, and the circuit read deep every sweep as
// trouble. The authorization InUse now says the circuit is wired from
// outside: the row is n/a and names it, with no finding and no trouble
// (core/wiring.ts "elsewhere"); what erwatch does see is judged as before.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS, classifyCircuit } from "../../src/core/classify.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../src/core/evaluate.js";
import type {
  CircuitAuthorization,
  GatewayConnectionFacts,
  LayerStatus,
} from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { troubleOf } from "../../src/core/sweep-plan.js";
import type { RememberedConnection } from "../../src/core/wiring.js";
import { CONNECTED_GATEWAY, circuitReading, ok } from "../support/readings.js";

const PRIVATE = "AzurePrivatePeering";
const IN_USE: CircuitAuthorization = { name: "auth-spoke-app1", useStatus: "InUse" };
const AVAILABLE: CircuitAuthorization = { name: "auth-spare", useStatus: "Available" };
const HUB = CONNECTED_GATEWAY[0]!;
const hubRemembered: RememberedConnection = { id: HUB.id, name: HUB.name, gatewayId: null };

function reading(
  connections: GatewayConnectionFacts[],
  authorizations: CircuitAuthorization[],
  expectGateway = true,
  partial = false,
) {
  // In part: Resource Graph failed and the wiring was read per resource group.
  const gateway = partial ? { ...ok(connections), partial: true as const } : ok(connections);
  const r = circuitReading({ gateway, settings: { expectGateway } });
  if (r.circuit.ok) r.circuit.value.authorizations = authorizations;
  return r;
}

describe("no connection erwatch can see, beside the circuit's authorizations", () => {
  it.each<{
    name: string;
    connections: GatewayConnectionFacts[];
    authorizations: CircuitAuthorization[];
    remembered?: RememberedConnection[];
    expectGateway?: boolean;
    cell: LayerStatus;
    finding: string | null;
  }>([
    {
      name: "one InUse: wired from an unwatched subscription",
      connections: [],
      authorizations: [AVAILABLE, IN_USE],
      cell: "n/a",
      finding: null,
    },
    {
      name: "in use, spelt otherwise",
      connections: [],
      authorizations: [{ name: "auth-spoke-app1", useStatus: "inuse" }],
      cell: "n/a",
      finding: null,
    },
    {
      name: "only Available ones: not wired, as ever",
      connections: [],
      authorizations: [AVAILABLE],
      cell: "down",
      finding: "Sev3 Circuit is not wired to any ExpressRoute gateway",
    },
    {
      name: "one whose status ARM left out: not wired, as ever",
      connections: [],
      authorizations: [{ name: "auth-x", useStatus: null }],
      cell: "down",
      finding: "Sev3 Circuit is not wired to any ExpressRoute gateway",
    },
    {
      // What erwatch sees decides: the InUse one may be this very connection.
      name: "a watched connection NotConnected beside one InUse",
      connections: [{ ...HUB, status: "NotConnected" }],
      authorizations: [IN_USE],
      cell: "down",
      finding: "Sev3 No gateway connection is Connected",
    },
    {
      name: "a watched connection that was Connected, gone, beside one InUse",
      connections: [],
      authorizations: [IN_USE],
      remembered: [hubRemembered],
      cell: "down",
      finding: "Sev1 VNet traffic stopped: gateway connection conn-er-prod is gone",
    },
  ])(
    "$name: row $cell",
    ({ connections, authorizations, remembered, expectGateway, cell, finding }) => {
      const verdict = classifyCircuit(reading(connections, authorizations, expectGateway), {
        ...DEFAULT_CLASSIFY_OPTIONS,
        previous: {
          providerWasProvisioned: true,
          peerings: [PRIVATE],
          gatewayConnections: { [PRIVATE]: remembered ?? [] },
        },
      });
      const row = verdict.peerings[0]!.paths.primary.gateway;
      expect(row.status).toBe(cell);
      const found = verdict.findings.find((f) => f.code === "gateway-not-connected");
      expect(found ? `${found.severity} ${found.title}` : null).toEqual(
        finding === null ? null : expect.stringContaining(finding),
      );
    },
  );

  it("the row names the authorization and the setting that would show the connection", () => {
    const verdict = classifyCircuit(reading([], [IN_USE]));
    expect(verdict.peerings[0]!.paths.primary.gateway.detail).toMatch(
      /authorization auth-spoke-app1 .*subscription erwatch does not watch.*ERWATCH_SUBSCRIPTIONS/,
    );
  });

  // Resource Graph failed: the list read per resource group misses connections
  // in watched groups it does not cover. The row read "from a subscription
  // erwatch does not watch", which that list cannot tell.
  describe("beside a list read in part", () => {
    const judged = (expectGateway: boolean) => {
      const verdict = classifyCircuit(reading([], [IN_USE], expectGateway, true));
      const row = verdict.peerings[0]!.paths.primary.gateway;
      return { row, findings: verdict.findings.map((f) => f.code) };
    };

    it("does not say the connection is in a subscription erwatch does not watch", () => {
      const { row } = judged(true);
      expect(row.detail).not.toMatch(/from a subscription erwatch does not watch/);
      expect(row.detail).toMatch(
        /authorization auth-spoke-app1 \(InUse\).*not in the list read per resource group \(Resource Graph failed\)/,
      );
      expect(row.detail).toMatch(/not confirmed/);
    });

    it("neither pages nor reads fine: UNKNOWN, as any list read in part that shows none Connected", () => {
      expect(judged(true)).toMatchObject({ row: { status: "unknown" }, findings: [] });
      expect(judged(false)).toMatchObject({ row: { status: "n/a" }, findings: [] });
      expect(judged(false).row.detail).toMatch(/no gateway expected$/);
    });
  });

  it("is not trouble: the planner does not read the circuit deep every sweep for it", () => {
    const policy: EvaluationPolicy = {
      classify: DEFAULT_CLASSIFY_OPTIONS,
      alerts: DEFAULT_ALERT_POLICY,
    };
    const now = new Date("2026-11-22T02:05:00.000Z");
    const wired = evaluateCircuit(reading([], [IN_USE]), null, [], [], policy, now);
    expect(wired.verdict.findings).toEqual([]);
    expect(troubleOf(wired.snapshot, [])).toBeNull();
    const unwired = evaluateCircuit(reading([], []), null, [], [], policy, now);
    expect(troubleOf(unwired.snapshot, [])).toMatch(/gateway down/);
  });
});
