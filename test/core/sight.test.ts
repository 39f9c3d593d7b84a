// What erwatch cannot see, decided in pure core: which circuits to retire, the
// one decision for each of their alerts, the subscription's blind observation,
// and which circuits are stale.

import { describe, expect, it } from "vitest";
import { alertKey } from "../../src/core/alert-identity.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import type { ReadFailure } from "../../src/core/model.js";
import {
  listingObservation,
  retire,
  retirements,
  staleCircuitIds,
  subscriptionOfSubject,
  subscriptionSubject,
} from "../../src/core/sight.js";

const SUB_A = "00000000-0000-0000-0000-00000000000a";
const SUB_B = "00000000-0000-0000-0000-00000000000b";
const id = (sub: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
const NOW = new Date("2026-11-22T03:00:00.000Z");

describe("retirements", () => {
  const known = [id(SUB_A, "er-1"), id(SUB_A, "er-2"), id(SUB_B, "er-3")];
  it.each([
    {
      name: "a complete listing without er-2: er-2 is gone",
      listed: { subscriptions: [SUB_A, SUB_B], circuitIds: [id(SUB_A, "er-1"), id(SUB_B, "er-3")] },
      ignored: [],
      expected: [`${id(SUB_A, "er-2")} gone`],
    },
    {
      name: "ids compare case-insensitively",
      listed: {
        subscriptions: [SUB_A.toUpperCase(), SUB_B],
        circuitIds: known.map((k) => k.toUpperCase()),
      },
      ignored: [],
      expected: [],
    },
    {
      name: "subscription B's listing failed: its circuits prove nothing",
      listed: { subscriptions: [SUB_A], circuitIds: [id(SUB_A, "er-1"), id(SUB_A, "er-2")] },
      ignored: [],
      expected: [],
    },
    {
      name: "an on-demand sweep of named circuits lists nothing: only what it read as ignored",
      listed: null,
      ignored: [id(SUB_A, "er-1")],
      expected: [`${id(SUB_A, "er-1")} ignored`],
    },
    {
      name: "ignored is said once, not as gone too",
      listed: { subscriptions: [SUB_A, SUB_B], circuitIds: known },
      ignored: [id(SUB_B, "er-3")],
      expected: [`${id(SUB_B, "er-3")} ignored`],
    },
    {
      name: "a circuit ignored that erwatch never knew: nothing",
      listed: null,
      ignored: [id(SUB_A, "er-9")],
      expected: [],
    },
  ])("$name", ({ listed, ignored, expected }) => {
    expect(
      retirements({ known, listed, ignored }).map((r) => `${r.circuitId} ${r.reason}`),
    ).toEqual(expected);
  });
});

function state(over: Partial<AlertState> = {}): AlertState {
  return {
    key: "erw-k",
    family: "path-down",
    circuitId: id(SUB_A, "er-1"),
    circuitName: "er-1",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 4,
    consecutiveClean: 0,
    firstSeen: "2026-11-22T01:00:00.000Z",
    condition: {
      code: "arp-missing",
      severity: "Sev0",
      layer: "provider",
      owner: "carrier",
      paths: ["primary", "secondary"],
      title: "Layer 2 down on both paths",
      nextAction: "ticket",
      evidence: {},
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: ["primary", "secondary"],
      title: "Layer 2 down on both paths",
      at: "2026-11-22T01:00:00.000Z",
      sequence: 1,
    },
    sequence: 1,
    lastEvaluatedAt: "2026-11-22T02:55:00.000Z",
    ...over,
  };
}

describe("retire", () => {
  it("resolves what the receivers hold, once, with the reason, and leaves the key clear", () => {
    const d = retire(state(), "gone", NOW);
    expect(d.action).toBe("resolve");
    if (d.action !== "resolve") return;
    expect(d.event).toMatchObject({ sequence: 2, episode: 1, severity: "Sev0" });
    expect(d.event.change).toBe(
      "Resolved: circuit no longer exists. Layer 2 down on both paths is no longer watched.",
    );
    expect(d.next).toMatchObject({ phase: "clear", notified: null, sequence: 2, firstSeen: null });
    // The next sweep has nothing left to resolve.
    expect(retire(d.next, "gone", NOW).action).toBe("none");
  });

  it("clears a pending condition without a word, keeping the sequence", () => {
    const d = retire(state({ phase: "pending", notified: null }), "ignored", NOW);
    expect(d).toMatchObject({ action: "none", next: { phase: "clear", sequence: 1 } });
    if (d.action === "none") expect(d.detail).toMatch(/^circuit is ignored now/);
  });
});

describe("a subscription that cannot be listed", () => {
  const forbidden: ReadFailure = {
    kind: "forbidden",
    call: "Microsoft.Network/expressRouteCircuits/read",
    target: `circuits in subscription ${SUB_A}`,
    message: "AuthorizationFailed",
    missingPermission: "Microsoft.Network/expressRouteCircuits/read",
  };

  it("is one monitoring-blind key whose subject is the subscription's resource id", () => {
    const o = listingObservation(
      { subscriptionId: SUB_A, failure: forbidden },
      "Sev3",
      null,
      NOW.getTime(),
    );
    expect(o).toMatchObject({
      state: "firing",
      family: "monitoring-blind",
      circuitId: `/subscriptions/${SUB_A}`,
      key: alertKey(`/subscriptions/${SUB_A}`, null, "monitoring-blind"),
      peering: null,
    });
    expect(o.finding!.title).toMatch(
      /forbidden \(missing Microsoft\.Network\/expressRouteCircuits\/read\): the open alerts of its circuits are held and stale$/,
    );
    expect(
      listingObservation({ subscriptionId: SUB_A, failure: null }, "Sev3", null, NOW.getTime())
        .state,
    ).toBe("clean");
    expect(subscriptionOfSubject(subscriptionSubject(SUB_A.toUpperCase()))).toBe(SUB_A);
    expect(subscriptionOfSubject(id(SUB_A, "er-1"))).toBeNull();
  });

  it("marks stale the circuits of a failing subscription not read since it began failing", () => {
    const blind = state({
      key: "erw-sub",
      family: "monitoring-blind",
      circuitId: `/subscriptions/${SUB_A}`,
      phase: "pending",
      consecutiveFiring: 1,
      lastEvaluatedAt: "2026-11-22T03:00:00.000Z",
    });
    const snapshots = [
      { circuitId: id(SUB_A, "er-1"), takenAt: "2026-11-22T02:55:00.000Z" },
      // Named in ERWATCH_CIRCUITS: read in the same sweep, so fresh.
      { circuitId: id(SUB_A, "er-2"), takenAt: "2026-11-22T03:00:00.000Z" },
      { circuitId: id(SUB_B, "er-3"), takenAt: "2026-11-22T02:00:00.000Z" },
    ];
    expect([...staleCircuitIds([blind], snapshots)]).toEqual([id(SUB_A, "er-1").toLowerCase()]);
    // The listing works again: nothing is stale.
    expect([...staleCircuitIds([{ ...blind, consecutiveFiring: 0 }], snapshots)]).toEqual([]);
  });

  // A row is any text to its schema (a hand edit, a cut-off write). Date.parse
  // read "yesterday" as NaN (no comparison true: not stale) and "42" as 2042
  // (read after the listing failed: not stale), so a circuit of a blind
  // subscription showed its held alerts as current. Not read since is all
  // that can be said of an unknown time: stale.
  it.each<{ name: string; takenAt: string; failingSince?: string; stale: boolean }>([
    { name: "read before the listing failed", takenAt: "2026-11-22T02:55:00.000Z", stale: true },
    { name: "read in that sweep", takenAt: "2026-11-22T03:00:00.000Z", stale: false },
    {
      name: "read in that sweep, with an offset",
      takenAt: "2026-11-22T04:00:00+01:00",
      stale: false,
    },
    { name: "empty", takenAt: "", stale: true },
    { name: "a word", takenAt: "yesterday", stale: true },
    { name: "a number as text (2042 to Date.parse)", takenAt: "42", stale: true },
    { name: "epoch ms as text", takenAt: "1795316400000", stale: true },
    {
      name: "a time without its zone (the host's own to Date.parse)",
      takenAt: "2026-11-22T03:05:00",
      stale: true,
    },
    {
      name: "read in that sweep, but when the listing failed is not a time",
      takenAt: "2026-11-22T03:00:00.000Z",
      failingSince: "42",
      stale: true,
    },
  ])("a circuit of a blind subscription read at $takenAt ($name): stale $stale", (row) => {
    const blind = state({
      key: "erw-sub",
      family: "monitoring-blind",
      circuitId: `/subscriptions/${SUB_A}`,
      phase: "firing",
      consecutiveFiring: 3,
      lastEvaluatedAt: row.failingSince ?? "2026-11-22T03:00:00.000Z",
    });
    const snapshots = [
      { circuitId: id(SUB_A, "er-1"), takenAt: row.takenAt },
      // Its subscription lists: whatever its time, it is read, not stale here.
      { circuitId: id(SUB_B, "er-3"), takenAt: row.takenAt },
    ];
    expect([...staleCircuitIds([blind], snapshots)]).toEqual(
      row.stale ? [id(SUB_A, "er-1").toLowerCase()] : [],
    );
    // The listing works again: nothing is stale, whatever the times say.
    expect([...staleCircuitIds([{ ...blind, consecutiveFiring: 0 }], snapshots)]).toEqual([]);
  });
});
