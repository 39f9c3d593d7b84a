// A one-path stop and a standby's quiet beside a partner erwatch cannot fully
// see (unread, no metrics) or that never carried: what they page, and at what
// severity.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading, failed, type CircuitSpec } from "../../support/readings.js";
import { combine, dp, metrics, NOW, quiet, type Shape } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};
const findings = (spec: CircuitSpec) =>
  evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW)
    .verdict.findings.filter((f) => f.code === "traffic-stopped")
    .map(
      (f) => `${f.severity} ${f.paths.join("+")}: ${f.title.replace(/^.*~0 bits both ways/, "…")}`,
    );

/** Azure Monitor has nothing for the primary path for the last 30 minutes. */
const primaryGap: Shape = (_m, _p, path, ago) =>
  path === "primary" && ago < 30 ? null : (undefined as unknown as null);
/** The secondary tagged standby (erwatch:standby-path). */
const STANDBY = { standbyPath: "secondary" } as const;
/** The primary's session down: the path read down. */
const ACTIVE_DOWN = { AzurePrivatePeering: { primary: { bgp: "Idle" } } } as const;

describe("a stop and a standby beside a partner erwatch cannot fully see", () => {
  it("a one-path stop beside a partner whose session went unread (Azure Monitor shows it carrying) stays Sev2 and says nothing is down", () => {
    expect(
      findings({
        paths: {
          AzurePrivatePeering: {
            primary: {
              bgp: failed({
                kind: "throttled",
                call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
              }),
            },
          },
        },
        dataPlane: dp.metrics(metrics(quiet(["secondary"], 20))),
      }),
    ).toEqual([
      "Sev2 secondary: … (ARM could not read the primary path; Azure Monitor shows it carrying)",
    ]);
  });

  it("the standby quiet while Azure Monitor has nothing for the active path for 30 min (ARM reads it Established): not paged", () => {
    expect(
      findings({
        settings: STANDBY,
        dataPlane: dp.metrics(metrics(combine(primaryGap, quiet(["secondary"], 40)))),
      }),
    ).toEqual([]);
  });

  it("a standby never seen carrying, the active path down 20 min and nothing failed over: Sev1, the failover did not happen", () => {
    expect(
      findings({
        settings: STANDBY,
        paths: ACTIVE_DOWN,
        dataPlane: dp.metrics(metrics(combine(quiet(["primary"], 20), quiet(["secondary"], 60)))),
      }),
    ).toEqual([expect.stringMatching(/^Sev1 secondary: … while the primary path is down/)]);
  });

  const capacityOf = (spec: CircuitSpec) =>
    evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW).verdict.peerings[0]!.paths
      .secondary.capacity;

  it("the standby whose failover did not happen says since when nothing carries, and from which path", () => {
    expect(
      capacityOf({
        settings: STANDBY,
        paths: ACTIVE_DOWN,
        dataPlane: dp.metrics(metrics(combine(quiet(["primary"], 20), quiet(["secondary"], 60)))),
      }),
    ).toEqual({
      status: "down",
      detail:
        "no traffic either way for 20 min since the primary path last carried at 01:38 UTC: the failover onto this standby did not happen",
    });
  });

  it("a standby never seen carrying is not a stop while the other path's failover window runs", () => {
    expect(
      findings({
        settings: STANDBY,
        paths: ACTIVE_DOWN,
        dataPlane: dp.metrics(metrics(combine(quiet(["primary"], 10), quiet(["secondary"], 60)))),
      }),
    ).toEqual([]);
  });

  it("a standby never seen carrying whose session dipped in Azure Monitor meanwhile: a metrics dip, not a stop", () => {
    const dip: Shape = (metric, _p, path, ago) =>
      metric === "BgpAvailability" && path === "secondary" && ago < 5
        ? 0
        : (undefined as unknown as null);
    expect(
      findings({
        settings: STANDBY,
        paths: ACTIVE_DOWN,
        dataPlane: dp.metrics(
          metrics(combine(dip, quiet(["primary"], 20), quiet(["secondary"], 60))),
        ),
      }),
    ).toEqual([]);
  });

  it("the standby quiet beside an active path Azure Monitor says nothing of reads unknown, not by design", () => {
    expect(
      capacityOf({
        settings: STANDBY,
        dataPlane: dp.metrics(metrics(combine(primaryGap, quiet(["secondary"], 40)))),
      }),
    ).toEqual({
      status: "unknown",
      detail:
        "standby (erwatch:standby-path): quiet, and the primary path's throughput could not be judged, so neither can its quiet",
    });
  });

  it("a one-path stop beside a path down for less than a window (a blip, a flap) stays Sev2", () => {
    expect(
      findings({
        paths: ACTIVE_DOWN,
        dataPlane: dp.metrics(metrics(combine(quiet(["primary"], 5), quiet(["secondary"], 30)))),
      }),
    ).toEqual(["Sev2 secondary: … (the primary path is down)"]);
  });

  it("the active path unread by ARM and silent in Azure Monitor, a standby never seen carrying: no page (nothing to judge it by)", () => {
    expect(
      findings({
        settings: STANDBY,
        paths: {
          AzurePrivatePeering: {
            primary: {
              bgp: failed({
                kind: "throttled",
                call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
              }),
            },
          },
        },
        dataPlane: dp.metrics(metrics(combine(primaryGap, quiet(["secondary"], 60)))),
      }),
    ).toEqual([]);
  });

  it("the active path unread by ARM and silent in Azure Monitor, a standby seen carrying before: its quiet reads UNKNOWN, no page (found by test/fuzz/traffic.fuzz.test.ts)", () => {
    const spec: CircuitSpec = {
      settings: STANDBY,
      paths: {
        AzurePrivatePeering: {
          primary: {
            bgp: failed({
              kind: "throttled",
              call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
            }),
          },
        },
      },
      dataPlane: dp.metrics(metrics(combine(primaryGap, quiet(["secondary"], 40)))),
    };
    expect(findings(spec)).toEqual([]);
    expect(
      evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW).verdict.peerings[0]!.paths
        .secondary.capacity.status,
    ).toBe("unknown");
  });

  it("an untagged peering whose secondary never carried, the primary stopping: Sev1, nothing carries", () => {
    expect(
      findings({
        dataPlane: dp.metrics(metrics(combine(quiet(["primary"], 20), quiet(["secondary"], 60)))),
      }),
    ).toEqual([
      "Sev1 primary: … (the secondary path carries nothing either: nothing carries this peering's traffic)",
    ]);
  });

  it("a standby never seen carrying, the active path up and quiet (traffic moved off the peering): Sev1 on the active path, no failover claimed", () => {
    expect(
      findings({
        settings: STANDBY,
        dataPlane: dp.metrics(metrics(combine(quiet(["primary"], 20), quiet(["secondary"], 60)))),
      }),
    ).toEqual([
      "Sev1 primary: … (the secondary path carries nothing either: nothing carries this peering's traffic)",
    ]);
  });

  it("a standby never seen carrying, the active path up and quiet: its cell claims no failed failover", () => {
    const cell = evaluateCircuit(
      circuitReading({
        settings: STANDBY,
        dataPlane: dp.metrics(metrics(combine(quiet(["primary"], 20), quiet(["secondary"], 60)))),
      }),
      null,
      [],
      [],
      POLICY,
      NOW,
    ).verdict.peerings[0]!.paths.secondary.capacity;
    expect(cell.detail).not.toMatch(/failover onto this standby did not happen/);
  });
});
