// A pair partner whose private peering was gone (its own peering-missing)
// but whose Microsoft peering was up read "carrying": its site status was
// judged on the private peering "else the first peering". On-call saw this
// circuit lose both private paths graded Sev1 "site redundancy holding (pair
// ams: er-ams-2 carrying traffic)" while nothing carried the site's private
// traffic. Now a partner without its private peering never carries the site:
// down while the peering is expected (gone, or never configured), as its
// verdict and its kept snapshot both say; not known when none is expected.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import {
  siteStatusOfSnapshot,
  siteStatusOfVerdict,
  type PairContext,
} from "../../src/core/pairs.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitReading, failed, microsoftPeering, peering } from "../support/readings.js";

const T0 = new Date("2026-11-22T02:00:00.000Z");
const T1 = new Date("2026-11-22T02:05:00.000Z");
const T2 = new Date("2026-11-22T02:10:00.000Z");
const MAX_AGE = 20 * 60_000;
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const BOTH = { expectedPeerings: ["AzurePrivatePeering", "MicrosoftPeering"], pair: "ams" };
const microsoftOnly = circuitReading({
  peerings: [microsoftPeering("Configured")],
  settings: BOTH,
});

describe("a partner whose private peering is gone does not carry the site", () => {
  it("expected but never configured: down, not carrying on its Microsoft peering", () => {
    const { verdict, snapshot } = evaluateCircuit(microsoftOnly, null, [], [], POLICY, T0);
    // The partner itself says its private peering is missing.
    expect(verdict.findings.some((f) => f.code === "peering-missing")).toBe(true);
    expect(siteStatusOfVerdict(verdict)).toBe("down");
    expect(siteStatusOfSnapshot(snapshot, T0, MAX_AGE)).toBe("down");
  });

  it("gone since an earlier sweep, and still while the partner cannot be read", () => {
    const first = evaluateCircuit(
      circuitReading({ peerings: [peering(), microsoftPeering("Configured")], settings: BOTH }),
      null,
      [],
      [],
      POLICY,
      T0,
    );
    expect(siteStatusOfSnapshot(first.snapshot, T0, MAX_AGE)).toBe("carrying");
    const gone = evaluateCircuit(microsoftOnly, first.snapshot, first.changes, [], POLICY, T1);
    expect(siteStatusOfVerdict(gone.verdict)).toBe("down");
    expect(siteStatusOfSnapshot(gone.snapshot, T1, MAX_AGE)).toBe("down");
    const unread = evaluateCircuit(
      circuitReading({ settings: BOTH, circuit: failed({ kind: "throttled" }) }),
      gone.snapshot,
      [],
      [],
      POLICY,
      T2,
    );
    expect(siteStatusOfVerdict(unread.verdict)).toBe("unknown");
    expect(siteStatusOfSnapshot(unread.snapshot, T2, MAX_AGE)).toBe("down");
  });

  it("a snapshot kept before missing peerings were: gone says down", () => {
    const { snapshot } = evaluateCircuit(microsoftOnly, null, [], [], POLICY, T0);
    const { peeringsMissing, ...older } = snapshot;
    expect(peeringsMissing).toEqual(["AzurePrivatePeering"]);
    expect(
      siteStatusOfSnapshot({ ...older, peeringsGone: ["AzurePrivatePeering"] }, T0, MAX_AGE),
    ).toBe("down");
    expect(siteStatusOfSnapshot(older, T0, MAX_AGE)).toBe("unknown");
  });

  it("this circuit's private peering down on both paths stays Sev0: the site is cut off", () => {
    const partner = evaluateCircuit(microsoftOnly, null, [], [], POLICY, T0);
    const pair: PairContext = {
      name: "ams",
      partners: [
        {
          id: "/c/er-ams-2",
          name: "er-ams-2",
          status: siteStatusOfVerdict(partner.verdict),
          traffic: "unknown",
        },
      ],
    };
    const down = { arp: "empty", bgp: "Idle" } as const;
    const { verdict } = evaluateCircuit(
      circuitReading({
        settings: { pair: "ams" },
        paths: { AzurePrivatePeering: { primary: down, secondary: down } },
      }),
      null,
      [],
      [],
      POLICY,
      T0,
      { pair },
    );
    const lost = verdict.findings.find((f) => f.evidence["pair"] !== undefined);
    expect(lost?.severity).toBe("Sev0");
    expect(lost?.title).toMatch(/both circuits of pair ams are down: the site is cut off$/);
  });
});
