// A pair partner whose only gateway connection was Connected and then gone
// (its own Sev1 gateway-not-connected, "VNet traffic stopped") still read
// "carrying": a partner's site status looked at its provider, BGP, peering
// and routes rows only. On-call saw this circuit lose both private paths
// graded Sev1 "site redundancy holding (pair ams: er-ams-2 carrying
// traffic)" beside the partner's Sev1, neither saying the site's VNets were
// cut off. Now a partner whose private peering's gateway row is down (a
// connection that was Connected lost, or none where a gateway is expected)
// is down, by its verdict and by its kept snapshot, and this circuit's loss
// stays Sev0. A gateway row not known (the read failed) proves nothing
// either way: the partner's paths say, as before.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import {
  siteStatusOfSnapshot,
  siteStatusOfVerdict,
  type PairContext,
} from "../../src/core/pairs.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitReading, failed, ok } from "../support/readings.js";

const T0 = new Date("2026-11-22T02:00:00.000Z");
const T1 = new Date("2026-11-22T02:05:00.000Z");
const T2 = new Date("2026-11-22T02:10:00.000Z");
const MAX_AGE = 20 * 60_000;
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const settings = { pair: "ams" };

/** The partner wired and Connected, then its connection gone. */
function partnerLost() {
  const first = evaluateCircuit(circuitReading({ settings }), null, [], [], POLICY, T0);
  const lost = evaluateCircuit(
    circuitReading({ settings, gateway: ok([]) }),
    first.snapshot,
    first.changes,
    [],
    POLICY,
    T1,
  );
  return { first, lost };
}

describe("a partner that lost its VNet wiring does not carry the site", () => {
  it("is down while its gateway connection that was Connected is gone", () => {
    const { first, lost } = partnerLost();
    expect(siteStatusOfVerdict(first.verdict)).toBe("carrying");
    const finding = lost.verdict.findings.find((f) => f.code === "gateway-not-connected");
    expect(finding?.severity).toBe("Sev1"); // its own alert: VNet traffic stopped
    expect(siteStatusOfVerdict(lost.verdict)).toBe("down");
    expect(siteStatusOfSnapshot(lost.snapshot, T1, MAX_AGE)).toBe("down");
  });

  it("its gateway read failing next says nothing new: the verdict goes by its paths, the snapshot keeps the loss", () => {
    const { lost } = partnerLost();
    const unread = evaluateCircuit(
      circuitReading({ settings, gateway: failed({ kind: "throttled" }) }),
      lost.snapshot,
      lost.changes,
      [],
      POLICY,
      T2,
    );
    expect(siteStatusOfVerdict(unread.verdict)).toBe("carrying");
    // A layer that could not be read keeps its last known value (snapshot.ts).
    expect(siteStatusOfSnapshot(unread.snapshot, T2, MAX_AGE)).toBe("down");
  });

  it("this circuit's private peering down on both paths stays Sev0: the site is cut off", () => {
    const { lost } = partnerLost();
    const pair: PairContext = {
      name: "ams",
      partners: [
        {
          id: "/c/er-ams-2",
          name: "er-ams-2",
          status: siteStatusOfSnapshot(lost.snapshot, T1, MAX_AGE),
          traffic: "unknown",
        },
      ],
    };
    const down = { arp: "empty", bgp: "Idle" } as const;
    const { verdict } = evaluateCircuit(
      circuitReading({
        settings,
        paths: { AzurePrivatePeering: { primary: down, secondary: down } },
      }),
      null,
      [],
      [],
      POLICY,
      T1,
      { pair },
    );
    const graded = verdict.findings.find((f) => f.evidence["pair"] !== undefined);
    expect(graded?.severity).toBe("Sev0");
    expect(graded?.title).toMatch(/both circuits of pair ams are down: the site is cut off$/);
  });
});
