// The data plane of a circuit whose peering list holds an entry that cannot
// be read ([peering, null]): the peering read beside it is judged as any
// other. Its Global Reach throughput is in its row, Connection Monitor's tests
// ride it, its drift is named, its IPv6 side read Disabled is not judged, and
// the ARP witness counts its paths as read. A peering declared but not among
// those read may be the unreadable entry: never called absent for it.

import { describe, expect, it } from "vitest";
import { pathPromise } from "../../../src/core/arp-witness.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import { ipv6Disabled } from "../../../src/core/disabled-ipv6.js";
import type { GlobalReachSeries } from "../../../src/core/dataplane/facts.js";
import {
  DEFAULT_DATA_PLANE_POLICY,
  type CircuitBaseline,
} from "../../../src/core/dataplane/policy.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import type { CircuitReading, PeeringFacts } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import {
  circuitReading,
  microsoftPeering,
  ok,
  peering,
  readInPart,
  type CircuitSpec,
} from "../../support/readings.js";
import { e2e, metrics, NOW, test } from "./builders.js";

const PRIVATE = "AzurePrivatePeering";
const MINUTE = 60_000;
const DR =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-circuit-dr";
const withReach = peering({
  globalReach: [
    {
      name: "gr-to-dr",
      peerCircuitPeeringId: `${DR}/peerings/${PRIVATE}`,
      status: "Connected",
      direction: "outbound",
    },
  ],
});

/** 12 Mbps in, 3 Mbps out over the Global Reach connection for the last 45 minutes. */
const reachSeries: GlobalReachSeries[] = (
  ["GlobalReachBitsInPerSecond", "GlobalReachBitsOutPerSecond"] as const
).map((metric) => ({
  peerServiceKey: "11111111-aaaa-4aaa-8aaa-000000000001",
  metric,
  points: Array.from({ length: 45 }, (_, i) => ({
    at: new Date(NOW.getTime() - (46 - i) * MINUTE).toISOString(),
    value: metric === "GlobalReachBitsInPerSecond" ? 12e6 : 3e6,
  })),
}));

const DECLARED: CircuitBaseline = {
  peerings: { [PRIVATE]: { vlanId: 200, peerASN: 65010 } },
};

function evaluate(reading: CircuitReading, baseline?: CircuitBaseline) {
  const policy: EvaluationPolicy = {
    classify: {
      ...DEFAULT_CLASSIFY_OPTIONS,
      dataPlane: {
        ...DEFAULT_DATA_PLANE_POLICY,
        ...(baseline ? { baseline: { "er-circuit-prod": baseline } } : {}),
      },
    },
    alerts: DEFAULT_ALERT_POLICY,
  };
  return evaluateCircuit(reading, null, [], [], policy, NOW).verdict;
}

const row = (reading: CircuitReading, layer: "globalReach" | "endToEnd") =>
  evaluate(reading).peerings.find((p) => p.name === PRIVATE)!.paths.primary[layer];

describe("the data plane of the peering read beside an unreadable entry", () => {
  // Each row: the reading as a whole list, and as [that peering, null]; both read the same.
  it.each<{
    name: string;
    spec: CircuitSpec;
    judge: (r: CircuitReading) => unknown;
    read: unknown;
  }>([
    {
      name: "Global Reach throughput is in the Global Reach row",
      spec: {
        peerings: [withReach],
        dataPlane: { metrics: ok({ ...metrics(), globalReach: reachSeries }) },
      },
      judge: (r) => row(r, "globalReach"),
      read: { status: "up", detail: "gr-to-dr Connected · 12 Mbps in / 3 Mbps out" },
    },
    {
      name: "Connection Monitor's failing tests ride it, and page on it",
      spec: { dataPlane: { endToEnd: ok(e2e([test("Fail")])) } },
      judge: (r) => {
        const verdict = evaluate(r);
        return {
          row: verdict.peerings.find((p) => p.name === PRIVATE)!.paths.primary.endToEnd.status,
          findings: verdict.findings
            .filter((f) => f.code.startsWith("e2e"))
            .map((f) => `${f.code} ${f.peering}`),
        };
      },
      read: { row: "down", findings: [`e2e-fail ${PRIVATE}`] },
    },
    {
      name: "a VLAN changed from the declared baseline is config-drift",
      spec: { peerings: [peering({ vlanId: 201 })] },
      judge: (r) =>
        evaluate(r, DECLARED)
          .findings.filter((f) => f.code === "config-drift")
          .map((f) => f.title),
      read: [
        "er-circuit-prod drifted from its declared baseline: AzurePrivatePeering VLAN expected 200, running 201",
      ],
    },
    {
      name: "its IPv6 side read Disabled is Disabled",
      spec: {
        peerings: [
          peering({
            ipv6: {
              state: "Disabled",
              advertisedPublicPrefixesState: null,
              advertisedPublicPrefixes: [],
            },
          }),
        ],
      },
      judge: (r) => ipv6Disabled(r, PRIVATE),
      read: true,
    },
    {
      name: "the ARP witness counts its Enabled paths as read",
      spec: {},
      judge: (r) => pathPromise({ listed: { facts: r.circuit.ok ? r.circuit.value : {} } }),
      read: "enabled",
    },
  ])("$name", ({ spec, judge, read }) => {
    expect(judge(circuitReading(spec))).toEqual(read);
    expect(judge(readInPart(spec))).toEqual(read);
  });

  it("the unreadable entry is never drift: a declared peering not among those read is not absent", () => {
    const reading = readInPart({ peerings: [microsoftPeering("Configured")] });
    const drift = evaluate(reading, DECLARED).findings.filter((f) => f.code === "config-drift");
    expect(drift).toEqual([]);
    // Read whole, the same list is its absence.
    const whole = evaluate(
      circuitReading({ peerings: [microsoftPeering("Configured")] }),
      DECLARED,
    );
    expect(whole.findings.filter((f) => f.code === "config-drift").map((f) => f.title)).toEqual([
      "er-circuit-prod drifted from its declared baseline: AzurePrivatePeering expected configured, running absent",
    ]);
  });

  it("Connection Monitor's tests ride the private peering that may be the unreadable entry: never 'no private peering'", () => {
    const reading = readInPart({
      peerings: [microsoftPeering("Configured")],
      settings: { expectedPeerings: [PRIVATE, "MicrosoftPeering"] },
      dataPlane: { endToEnd: ok(e2e([test("Fail")])) },
    });
    const verdict = evaluate(reading);
    const rows = Object.fromEntries(
      verdict.peerings.map((p) => [p.name, p.paths.primary.endToEnd]),
    );
    expect(rows["MicrosoftPeering"]).toEqual({
      status: "n/a",
      detail: `tests ride ${PRIVATE}`,
    });
    expect(rows[PRIVATE]?.status).toBe("down");
    expect(verdict.findings.filter((f) => f.code.startsWith("e2e")).map((f) => f.peering)).toEqual([
      PRIVATE,
    ]);
  });

  it("a list read in part with no peering read promises no path to the ARP witness", () => {
    const none: PeeringFacts[] = [];
    expect(pathPromise({ listed: { facts: { peerings: null, peeringsRead: none } } })).toBe("none");
  });
});
