// Azure names are case-insensitive, and ARM, a tag or a stored alert may spell
// one differently over time: a letter's case must neither resolve an outage
// nor lose what history says about it.

import { describe, expect, it } from "vitest";
import { alertKey } from "../../src/core/alert-identity.js";
import { classifyCircuit } from "../../src/core/classify.js";
import { diffSnapshot } from "../../src/core/diff.js";
import { flappingFindings } from "../../src/core/flapping.js";
import type { HistoryEntry } from "../../src/core/history.js";
import { byName, sameName } from "../../src/core/names.js";
import { observe } from "../../src/core/observe.js";
const FLAP = { transitions: 3, windowMinutes: 60 };
import {
  circuitReading,
  CIRCUIT_ID,
  failed,
  peering,
  type CircuitSpec,
} from "../support/readings.js";

const verdictOf = (spec: CircuitSpec) => classifyCircuit(circuitReading(spec));
const lower = peering({ name: "azureprivatepeering" });

describe("sameName and byName", () => {
  it.each([
    ["AzurePrivatePeering", "azureprivatepeering", true],
    ["AzurePrivatePeering", "AzurePrivatePeering", true],
    ["AzurePrivatePeering", "MicrosoftPeering", false],
    ["AzurePrivatePeering", null, false],
    [null, null, false],
  ])("%s vs %s: %s", (a, b, same) => {
    expect(sameName(a, b)).toBe(same);
  });

  it("the exact spelling first, else any case, else nothing", () => {
    const record = { AzurePrivatePeering: 1, azureprivatepeering: 2 };
    expect(byName(record, "azureprivatepeering")).toBe(2);
    expect(byName({ AzurePrivatePeering: 1 }, "AZUREPRIVATEPEERING")).toBe(1);
    expect(byName({ AzurePrivatePeering: 1 }, "MicrosoftPeering")).toBeUndefined();
    expect(byName(undefined, "x")).toBeUndefined();
    // Not a prototype's key.
    expect(byName({}, "constructor")).toBeUndefined();
  });
});

describe("a peering ARM now spells in another case", () => {
  const key = alertKey(CIRCUIT_ID, "AzurePrivatePeering", "path-down");
  const open = [{ key, family: "path-down" as const, peering: "AzurePrivatePeering" }];

  it("an open path alert whose path cannot be read is unknown, not clean (it would count toward resolving)", () => {
    const verdict = verdictOf({
      peerings: [lower],
      paths: { azureprivatepeering: { primary: { arp: failed({ kind: "forbidden" }) } } },
    });
    expect(observe(verdict, open).find((o) => o.key === key)?.state).toBe("unknown");
    // Read up in the new spelling: clean, and the same key.
    expect(observe(verdictOf({ peerings: [lower] }), open)[0]?.state).toBe("clean");
  });

  it("a path that goes down is a transition from the snapshot's up, not a first sight", () => {
    const t1 = new Date("2026-11-22T02:00:00Z");
    const first = diffSnapshot(null, verdictOf({}), () => 4000, t1);
    const down = diffSnapshot(
      first.next,
      verdictOf({
        peerings: [lower],
        paths: { azureprivatepeering: { secondary: { arp: "empty", bgp: "Idle" } } },
      }),
      () => 4000,
      new Date("2026-11-22T02:05:00Z"),
    );
    expect(
      down.transitions
        .filter((t) => t.path === "secondary" && t.layer === "path")
        .map((t) => `${t.peering}:${t.before}->${t.after}`),
    ).toEqual(["azureprivatepeering:up->down"]);
  });

  it("a flap counted across both spellings is one flap, named as read now", () => {
    const now = new Date("2026-11-22T03:00:00Z");
    const change = (minutesAgo: number, name: string, up: boolean): HistoryEntry => ({
      kind: "transition",
      at: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
      circuitId: CIRCUIT_ID,
      peering: name,
      path: "primary",
      layer: "path",
      before: up ? "down" : "up",
      after: up ? "up" : "down",
      beforeDetail: "",
      afterDetail: "",
    });
    const history = [
      change(40, "AzurePrivatePeering", false),
      change(30, "AzurePrivatePeering", true),
      change(20, "azureprivatepeering", false),
      change(10, "azureprivatepeering", true),
    ];
    const findings = flappingFindings(verdictOf({ peerings: [lower] }), history, FLAP, 80, now);
    expect(findings.map((f) => `${f.code}:${f.peering}`)).toEqual([
      "session-flapping:azureprivatepeering",
    ]);
  });
});
