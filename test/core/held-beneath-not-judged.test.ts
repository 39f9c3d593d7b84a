// A gateway or Global Reach row read as trouble on a peering whose state ARM
// left out, or whose paths were not read, raises no finding: whether a path
// carries beneath it is unknown. The row said only "no connection" or
// "gr-to-p Disconnected", red, with no alert beside it and no "held" (no
// outage beneath is known), as if erwatch had missed an outage of its own;
// and an alert already open on it resolved, the connection still down. The
// row now says it was not judged, and why, and the alert waits.

import { describe, expect, it } from "vitest";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type {
  CircuitReading,
  CircuitVerdict,
  GlobalReachConnection,
} from "../../src/core/model.js";
import { observe } from "../../src/core/observe.js";
import { circuitReading, ok, peering, type CircuitSpec } from "../support/readings.js";

const PRIVATE = "AzurePrivatePeering";
const PEER =
  "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-P/peerings/AzurePrivatePeering";
const disconnected: GlobalReachConnection[] = [
  { name: "gr-to-p", peerCircuitPeeringId: PEER, status: "Disconnected", direction: "outbound" },
];

/** The private peering's paths left unread, though it reads Enabled. */
function pathsUnread(reading: CircuitReading): CircuitReading {
  const { [PRIVATE]: _unread, ...rest } = reading.paths;
  return { ...reading, paths: rest };
}

const unknownState = (spec: CircuitSpec = {}) =>
  circuitReading({
    gateway: ok([]),
    peerings: [peering({ state: null, globalReach: disconnected })],
    ...spec,
  });
const unreadPaths = () =>
  pathsUnread(
    circuitReading({ gateway: ok([]), peerings: [peering({ globalReach: disconnected })] }),
  );

function judge(reading: CircuitReading) {
  const verdict = classifyCircuit(reading, {
    ...DEFAULT_CLASSIFY_OPTIONS,
    previous: { providerWasProvisioned: true, peerings: [PRIVATE] },
  });
  const p = verdict.peerings.find((x) => x.name === PRIVATE)!;
  return { verdict, p };
}

/** How an alert already open on the peering is observed this sweep. */
function openAlertSeen(verdict: CircuitVerdict, family: "gateway" | "global-reach") {
  const key = `erw-${family}`;
  return observe(verdict, [{ key, family, peering: PRIVATE }]).find((o) => o.key === key)!.state;
}

describe("a row above the paths of a peering not read this sweep", () => {
  it.each([
    {
      name: "the peering's state not reported",
      reading: unknownState,
      why: "peering state not reported",
    },
    {
      name: "the peering Enabled, its paths not read",
      reading: unreadPaths,
      why: "paths not read this sweep",
    },
  ])("$name: says it was not judged, and why, not held", ({ reading, why }) => {
    const { verdict, p } = judge(reading());
    for (const path of ["primary", "secondary"] as const) {
      expect(p.paths[path].gateway).toEqual({
        status: "down",
        detail: `no connection; not judged: ${why}`,
      });
      expect(p.paths[path].globalReach).toEqual({
        status: "down",
        detail: `gr-to-p Disconnected; not judged: ${why}`,
      });
    }
    expect(verdict.findings.map((f) => f.code)).not.toContain("gateway-not-connected");
    expect(verdict.findings.map((f) => f.code)).not.toContain("global-reach-down");
    // The connection is still down: an alert already open on it is not cleared by a sweep that judged nothing.
    expect(openAlertSeen(verdict, "gateway")).toBe("unknown");
    expect(openAlertSeen(verdict, "global-reach")).toBe("unknown");
  });

  it("the peering Enabled, its paths not read: the path rows are UNKNOWN, not a red 'peering Enabled'", () => {
    const { verdict, p } = judge(unreadPaths());
    const unread = { status: "unknown", detail: "paths not read this sweep" };
    for (const path of ["primary", "secondary"] as const) {
      expect(p.paths[path].peering).toEqual({
        status: "up",
        detail: "Enabled, VLAN 200, peer AS 65010",
      });
      expect(p.paths[path].bgp).toEqual(unread);
      expect(p.paths[path].routes).toEqual(unread);
    }
    // An open path-down is not cleared by paths nobody read.
    const seen = observe(verdict, [{ key: "erw-path", family: "path-down", peering: PRIVATE }]);
    expect(seen[0]!.state).toBe("unknown");
  });

  it("a row read up is as it was, and its open alert resolves on it", () => {
    const { verdict, p } = judge(circuitReading({ peerings: [peering({ state: null })] }));
    expect(p.paths.primary.gateway).toEqual({ status: "up", detail: "1 connected" });
    expect(p.paths.primary.globalReach).toEqual({ status: "n/a", detail: "none" });
    expect(openAlertSeen(verdict, "gateway")).toBe("clean");
    expect(openAlertSeen(verdict, "global-reach")).toBe("clean");
  });

  it("a peering Disabled is judged: held beneath it, and its open alert is clean", () => {
    const { verdict, p } = judge(
      circuitReading({ gateway: ok([]), peerings: [peering({ state: "Disabled" })] }),
    );
    expect(p.paths.primary.gateway.detail).toBe("no connection; held: peering Disabled");
    expect(p.aboveNotJudged).toBeUndefined();
    // Its resolve is for the peering-disabled alert to hold (inhibit.ts), as before.
    expect(openAlertSeen(verdict, "gateway")).toBe("clean");
  });
});
