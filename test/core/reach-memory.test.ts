// A Global Reach connection reading Connecting, sweep after sweep as the
// snapshot carries it: one seen only Connecting since it appeared is being
// set up (held, "still connecting since"), paged as stuck once that takes
// longer than CONNECTING_WAIT_MS; one seen Connected (or down) before has
// dropped and is re-establishing, paged at once with nothing to recreate.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { CircuitReading, Finding, LayerCell } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { CONNECTING_WAIT_MS, settlingEndsAt } from "../../src/core/reach-memory.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { circuitReading, peering } from "../support/readings.js";

const T0 = Date.parse("2026-11-22T02:00:00.000Z");
const MIN = 60_000;
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const PEER =
  "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-P/peerings/AzurePrivatePeering";

const reading = (status: string, at: number, ipv6?: string): CircuitReading =>
  circuitReading({
    readAt: new Date(at).toISOString(),
    peerings: [
      peering({
        globalReach: [
          {
            name: "gr-to-p",
            peerCircuitPeeringId: PEER,
            status,
            direction: "outbound",
            ...(ipv6 ? { ipv6: { status: ipv6 } } : {}),
          },
        ],
      }),
    ],
  });

interface Sweep {
  row: LayerCell;
  reach: Finding | undefined;
  snapshot: Snapshot;
}

/** Sweeps the statuses in turn, five minutes apart from T0 (or as `at` says). */
function sweeps(
  steps: { status: string; at?: number; ipv6?: string }[],
  first: Snapshot | null = null,
) {
  let previous = first;
  const out: Sweep[] = [];
  steps.forEach(({ status, at, ipv6 }, i) => {
    const when = at ?? T0 + i * 5 * MIN;
    const { verdict, snapshot } = evaluateCircuit(
      reading(status, when, ipv6),
      previous,
      [],
      [],
      POLICY,
      new Date(when),
    );
    out.push({
      row: verdict.peerings[0]!.paths.primary.globalReach,
      reach: verdict.findings.find((f) => f.code === "global-reach-down"),
      snapshot,
    });
    previous = snapshot;
  });
  return out;
}

describe("a Global Reach connection reading Connecting", () => {
  it("being set up: held with its start, then paged as stuck past the wait, never told to recreate it", () => {
    const s = sweeps([
      { status: "Connecting" },
      { status: "Connecting", at: T0 + 15 * MIN },
      { status: "Connecting", at: T0 + CONNECTING_WAIT_MS - MIN },
      { status: "Connecting", at: T0 + CONNECTING_WAIT_MS },
    ]);
    for (const held of s.slice(0, 3)) {
      expect(held.reach).toBeUndefined();
      expect(held.row).toEqual({
        status: "warn",
        detail: "gr-to-p Connecting — still connecting since 02:00 UTC",
      });
    }
    const stuck = s[3]!.reach!;
    expect(stuck).toMatchObject({ severity: "Sev3", owner: "you" });
    expect(stuck.title).toBe(
      "Global Reach not connected: gr-to-p Connecting — stuck since 02:00 UTC",
    );
    expect(stuck.nextAction).toContain("it has never come up");
    expect(stuck.nextAction).not.toContain("recreate it if it was removed");
    expect(stuck.evidence.connecting).toEqual({ "gr-to-p": "stuck since 02:00 UTC" });
    expect(s[3]!.row.status).toBe("down");
  });

  it("after it was Connected: a drop re-establishing, paged at once with nothing to recreate", () => {
    const s = sweeps([{ status: "Connected" }, { status: "Connecting" }]);
    expect(s[0]!.reach).toBeUndefined();
    const dropped = s[1]!.reach!;
    expect(dropped.title).toBe(
      "Global Reach not connected: gr-to-p Connecting — dropped, re-establishing",
    );
    expect(dropped.nextAction).toContain("nothing to recreate");
    expect(dropped.nextAction).not.toContain("recreate it if it was removed");
    expect(s[1]!.row.status).toBe("down");
  });

  it("after it read Disconnected: coming back from a drop, still down", () => {
    const s = sweeps([{ status: "Disconnected" }, { status: "Connecting" }]);
    expect(s[1]!.reach?.title).toBe(
      "Global Reach not connected: gr-to-p Connecting — dropped, re-establishing",
    );
  });

  it("set up, connected, then Connecting again: a drop, whatever its first wait", () => {
    const s = sweeps([{ status: "Connecting" }, { status: "Connected" }, { status: "Connecting" }]);
    expect(s[1]!.reach).toBeUndefined();
    expect(s[2]!.reach?.title).toMatch(/dropped, re-establishing$/);
  });

  it("IPv6 newly configured on a Connected connection is being set up; IPv4 unaffected", () => {
    const s = sweeps([{ status: "Connected" }, { status: "Connected", ipv6: "Connecting" }]);
    expect(s[1]!.reach).toBeUndefined();
    expect(s[1]!.row).toEqual({
      status: "warn",
      detail: "gr-to-p IPv6 Connecting (IPv4 Connected) — still connecting since 02:05 UTC",
    });
  });

  it("from a snapshot kept before sightings were, whose row read it connected: a drop", () => {
    const [before] = sweeps([{ status: "Connected" }]);
    const legacy = structuredClone(before!.snapshot);
    delete legacy.peerings.AzurePrivatePeering!.reach;
    const s = sweeps([{ status: "Connecting", at: T0 + 5 * MIN }], legacy);
    expect(s[0]!.reach?.title).toMatch(/dropped, re-establishing$/);
  });

  it("a stored sighting that is not one is left out, not thrown on", () => {
    const [before] = sweeps([{ status: "Connecting" }]);
    const odd = structuredClone(before!.snapshot);
    (odd.peerings.AzurePrivatePeering as { reach: unknown }).reach = [null, 7, { key: 3 }];
    const s = sweeps([{ status: "Connecting", at: T0 + 5 * MIN }], odd);
    expect(s[0]!.reach).toBeUndefined();
    expect(s[0]!.row.detail).toBe("gr-to-p Connecting — still connecting since 02:05 UTC");
  });
});

describe("a set-up hold counted in sweeps' instants, as the plan counts it", () => {
  const evaluate = (previous: Snapshot | null, now: number, listedAfterMs: number) =>
    evaluateCircuit(
      reading("Connecting", now + listedAfterMs),
      previous,
      [],
      [],
      POLICY,
      new Date(now),
    );

  it("starts at the sweep's instant, not its listing's a moment later, and is stuck at the sweep 30 minutes on", () => {
    const first = evaluate(null, T0, 2);
    expect(first.snapshot.peerings.AzurePrivatePeering!.reach).toEqual([
      expect.objectContaining({ connectingSince: new Date(T0).toISOString() }),
    ]);
    expect(settlingEndsAt(first.snapshot)).toBe(T0 + CONNECTING_WAIT_MS);
    // Judged at the listing's instant, 30 min − 2 ms had passed: held, while the plan read it as up.
    const at = evaluate(first.snapshot, T0 + CONNECTING_WAIT_MS, 0);
    expect(at.verdict.peerings[0]!.paths.primary.globalReach.status).toBe("down");
    const before = evaluate(first.snapshot, T0 + CONNECTING_WAIT_MS - 1, 2);
    expect(before.verdict.peerings[0]!.paths.primary.globalReach.status).toBe("warn");
  });

  it.each<{ kept: string; start: unknown }>([
    { kept: "text that is not a time", start: "yesterday" },
    { kept: "a number", start: 1_764_000_000_000 },
    { kept: "null", start: null },
    { kept: "a time after the snapshot's clock", start: "2099-01-01T00:00:00.000Z" },
  ])("a kept start that cannot be read ($kept) is the snapshot's instant", ({ start }) => {
    const first = evaluate(null, T0, 0);
    const edited = structuredClone(first.snapshot);
    (
      edited.peerings.AzurePrivatePeering!.reach![0] as unknown as Record<string, unknown>
    ).connectingSince = start;
    expect(settlingEndsAt(edited)).toBe(T0 + CONNECTING_WAIT_MS);
    const held = evaluate(edited, T0 + 5 * MIN, 0);
    expect(held.verdict.peerings[0]!.paths.primary.globalReach.detail).toBe(
      "gr-to-p Connecting — still connecting since 02:00 UTC",
    );
    expect(held.snapshot.peerings.AzurePrivatePeering!.reach).toEqual([
      expect.objectContaining({ connectingSince: new Date(T0).toISOString() }),
    ]);
    const stuck = evaluate(edited, T0 + CONNECTING_WAIT_MS, 0);
    expect(stuck.verdict.findings.find((f) => f.code === "global-reach-down")?.title).toBe(
      "Global Reach not connected: gr-to-p Connecting — stuck since 02:00 UTC",
    );
  });
});
