// Since when a Global Reach peer circuit is down, and the times in a
// global-reach-down's words. The peer line said "read down at <time>", the
// time of the read, for a peer erwatch had seen down for an hour: where its
// history (its stored snapshot) says when both paths went down, the peer
// carries `downSince`. A time with no date ("at 23:50 UTC") sent after
// midnight read as tonight's: one on another UTC day than the sweep's is dated.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { CircuitReading, Finding } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import {
  reachPeerOfReading,
  reachPeerOfSnapshot,
  withDownSince,
  type ReachPeer,
} from "../../src/core/reach-peers.js";
import { connectingWords } from "../../src/core/reach-memory.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { utcTime } from "../../src/core/utc-time.js";
import { circuitReading, failed, peering, type CircuitSpec } from "../support/readings.js";

const MIN = 60_000;
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const P_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-P";
const PEER_PEERING = `${P_ID}/peerings/AzurePrivatePeering`;

const at = (iso: string) => new Date(iso);

/** The peer circuit er-P as the spec reads it, at `readAt`. */
function p(spec: CircuitSpec, readAt: string): CircuitReading {
  const r = circuitReading({ ...spec, readAt });
  return { ...r, ref: { ...r.ref, id: P_ID, name: "er-P" } };
}

const down = { arp: "empty", bgp: "Idle" } as const;
const bothDown: CircuitSpec = {
  paths: { AzurePrivatePeering: { primary: down, secondary: down } },
};
const primaryDown: CircuitSpec = { paths: { AzurePrivatePeering: { primary: down } } };
const healthy: CircuitSpec = {};

/** er-P's snapshot after one sweep per spec, each at its time. */
function stored(...sweeps: [CircuitSpec, string][]): Snapshot {
  let snapshot: Snapshot | null = null;
  for (const [spec, when] of sweeps)
    snapshot = evaluateCircuit(p(spec, when), snapshot, [], [], POLICY, at(when)).snapshot;
  return snapshot!;
}

/** Circuit A, its connection to er-P Disconnected, read at `readAt`. */
const a = (readAt: string): CircuitReading =>
  circuitReading({
    readAt,
    peerings: [
      peering({
        globalReach: [
          {
            name: "gr-to-p",
            peerCircuitPeeringId: PEER_PEERING,
            status: "Disconnected",
            direction: "outbound",
          },
        ],
      }),
    ],
  });
const reachDown = (readAt: string, peer: ReachPeer): Finding => {
  const found = evaluateCircuit(a(readAt), null, [], [], POLICY, at(readAt), {
    reach: [peer],
  }).verdict.findings.find((f) => f.code === "global-reach-down");
  if (!found) throw new Error("no global-reach-down");
  return found;
};

describe("a stored peer: since when its snapshot has seen it down", () => {
  it.each<{ name: string; sweeps: [CircuitSpec, string][]; downSince: string | undefined }>([
    {
      name: "both paths down at two sweeps: since the first",
      sweeps: [
        [bothDown, "2026-12-05T01:40:00.000Z"],
        [bothDown, "2026-12-05T01:50:00.000Z"],
      ],
      downSince: "2026-12-05T01:40:00.000Z",
    },
    {
      name: "the primary down first, the secondary a sweep later: since the second went",
      sweeps: [
        [primaryDown, "2026-12-05T01:40:00.000Z"],
        [bothDown, "2026-12-05T01:50:00.000Z"],
      ],
      downSince: "2026-12-05T01:50:00.000Z",
    },
    {
      name: "healthy before, down at its last sweep: since that sweep",
      sweeps: [
        [healthy, "2026-12-05T01:40:00.000Z"],
        [bothDown, "2026-12-05T01:50:00.000Z"],
      ],
      downSince: "2026-12-05T01:50:00.000Z",
    },
    {
      name: "its private peering Disabled: since it was first read so",
      sweeps: [
        [{ peerings: [peering({ state: "Disabled" })], ...bothDown }, "2026-12-05T01:40:00.000Z"],
        [{ peerings: [peering({ state: "Disabled" })], ...bothDown }, "2026-12-05T01:50:00.000Z"],
      ],
      downSince: "2026-12-05T01:40:00.000Z",
    },
  ])("$name", ({ sweeps, downSince }) => {
    const known = reachPeerOfSnapshot(
      stored(...sweeps),
      PEER_PEERING,
      at("2026-12-05T02:00:00.000Z"),
      20 * MIN,
    );
    expect(known).toMatchObject({ state: "down", thisSweep: false });
    expect(known?.downSince).toBe(downSince);
  });

  it("up: no since", () => {
    const known = reachPeerOfSnapshot(
      stored([healthy, "2026-12-05T01:50:00.000Z"]),
      PEER_PEERING,
      at("2026-12-05T02:00:00.000Z"),
      20 * MIN,
    );
    expect(known).toMatchObject({ state: "up" });
    expect(known).not.toHaveProperty("downSince");
  });

  it.each([
    ["not an instant", "yesterday"],
    ["a number", 42],
    ["left out", undefined],
  ])("a path row's since %s (a hand edit): no since, never a throw", (_, since) => {
    const s = stored([bothDown, "2026-12-05T01:50:00.000Z"]);
    const row = s.peerings.AzurePrivatePeering!.paths.secondary.path as unknown as Record<
      string,
      unknown
    >;
    if (since === undefined) delete row.since;
    else row.since = since;
    const known = reachPeerOfSnapshot(s, PEER_PEERING, at("2026-12-05T02:00:00.000Z"), 20 * MIN);
    expect(known).toMatchObject({ state: "down" });
    expect(known).not.toHaveProperty("downSince");
  });
});

// A peer whose private peering is gone has no path rows to say since when:
// the connection's alert and the status page said only "read down at", the
// time of the read, for a peering missing for an hour. Its snapshot now keeps
// when each missing peering was first seen missing.
describe("a peer missing its peering: since its snapshot first saw it missing", () => {
  const missing: CircuitSpec = { peerings: [] };
  const NOW = "2026-12-05T02:00:00.000Z";

  it("a stored peer: since the first sweep that read it missing, said in the title", () => {
    const s = stored(
      [healthy, "2026-12-05T01:30:00.000Z"],
      [missing, "2026-12-05T01:40:00.000Z"],
      [missing, "2026-12-05T01:50:00.000Z"],
    );
    expect(s.peeringsMissingSince).toEqual({ AzurePrivatePeering: "2026-12-05T01:40:00.000Z" });
    const known = reachPeerOfSnapshot(s, PEER_PEERING, at(NOW), 20 * MIN);
    expect(known).toMatchObject({
      state: "down",
      cause: "peering-missing",
      downSince: "2026-12-05T01:40:00.000Z",
    });
    expect(reachDown(NOW, known!).title).toBe(
      "Global Reach not connected: gr-to-p Disconnected — the peer circuit er-P is down (its private peering is missing; down since 01:40 UTC, as last read at 01:50 UTC)",
    );
  });

  it("a peer read in this sweep: since when its snapshot from before first saw it missing", () => {
    const before = stored(
      [missing, "2026-12-05T01:40:00.000Z"],
      [missing, "2026-12-05T01:50:00.000Z"],
    );
    const r = p(missing, NOW);
    const read = reachPeerOfReading(
      r,
      evaluateCircuit(r, before, [], [], POLICY, at(NOW)).verdict,
      PEER_PEERING,
    )!;
    const peer = withDownSince(read, before, at(NOW), 20 * MIN);
    expect(peer).toMatchObject({ cause: "peering-missing", thisSweep: true });
    expect(peer.downSince).toBe("2026-12-05T01:40:00.000Z");
    expect(reachDown(NOW, peer).title).toBe(
      "Global Reach not connected: gr-to-p Disconnected — the peer circuit er-P is down (its private peering is missing; down since 01:40 UTC)",
    );
  });

  it("a peering just gone (its snapshot from before still had it): no since, the read says when", () => {
    const before = stored([healthy, "2026-12-05T01:50:00.000Z"]);
    const r = p(missing, NOW);
    const read = reachPeerOfReading(
      r,
      evaluateCircuit(r, before, [], [], POLICY, at(NOW)).verdict,
      PEER_PEERING,
    )!;
    expect(withDownSince(read, before, at(NOW), 20 * MIN)).not.toHaveProperty("downSince");
  });

  /** er-P's snapshot as an erwatch from before the time was kept wrote it (or a hand edit). */
  const older = (since: unknown) => {
    const s = stored(
      [healthy, "2026-12-05T01:30:00.000Z"],
      [missing, "2026-12-05T01:40:00.000Z"],
      [missing, "2026-12-05T01:50:00.000Z"],
    );
    const row = structuredClone(s) as unknown as Record<string, unknown>;
    if (since === undefined) delete row.peeringsMissingSince;
    else row.peeringsMissingSince = since;
    return row as unknown as Snapshot;
  };

  it.each<[string, unknown]>([
    ["without the field (an older erwatch)", undefined],
    ["with it a number", 42],
    ["with it a list", ["2026-12-05T01:40:00.000Z"]],
    ["with a time that is none", { AzurePrivatePeering: "yesterday" }],
    ["with a time far after the clock", { AzurePrivatePeering: "2099-01-01T00:00:00.000Z" }],
  ])(
    "a row %s reads as down, with no since, and the next sweep that reads it missing keeps its own time",
    (_, since) => {
      const row = older(since);
      const known = reachPeerOfSnapshot(row, PEER_PEERING, at(NOW), 20 * MIN);
      expect(known).toMatchObject({ state: "down", cause: "peering-missing" });
      expect(known).not.toHaveProperty("downSince");
      const next = evaluateCircuit(p(missing, NOW), row, [], [], POLICY, at(NOW)).snapshot;
      expect(next.peeringsMissingSince).toEqual({ AzurePrivatePeering: NOW });
      const later = "2026-12-05T02:10:00.000Z";
      expect(reachPeerOfSnapshot(next, PEER_PEERING, at(later), 20 * MIN)?.downSince).toBe(NOW);
    },
  );

  it("kept while the circuit cannot be read, and started by no sweep that did not read it", () => {
    const s = stored([missing, "2026-12-05T01:40:00.000Z"]);
    const unread: CircuitSpec = { circuit: failed({ kind: "throttled" }) };
    const kept = evaluateCircuit(p(unread, NOW), s, [], [], POLICY, at(NOW)).snapshot;
    expect(kept.peeringsMissingSince).toEqual({ AzurePrivatePeering: "2026-12-05T01:40:00.000Z" });
    const none = evaluateCircuit(p(unread, NOW), older(undefined), [], [], POLICY, at(NOW));
    expect(none.snapshot).not.toHaveProperty("peeringsMissingSince");
  });

  it("forgotten once the peering is back", () => {
    const s = stored([missing, "2026-12-05T01:40:00.000Z"], [healthy, "2026-12-05T01:50:00.000Z"]);
    expect(s).not.toHaveProperty("peeringsMissingSince");
  });
});

describe("a peer read in this sweep: since when, by its snapshot from before", () => {
  const NOW = "2026-12-05T02:00:00.000Z";
  const readNow = (): ReachPeer => {
    const r = p(bothDown, NOW);
    const known = reachPeerOfReading(
      r,
      evaluateCircuit(r, null, [], [], POLICY, at(NOW)).verdict,
      PEER_PEERING,
    );
    if (!known) throw new Error("the peer reads");
    return known;
  };

  it.each<{ name: string; snapshot: () => Snapshot | null; downSince: string | undefined }>([
    {
      name: "its snapshot saw it down since 01:40: down since then",
      snapshot: () =>
        stored([bothDown, "2026-12-05T01:40:00.000Z"], [bothDown, "2026-12-05T01:50:00.000Z"]),
      downSince: "2026-12-05T01:40:00.000Z",
    },
    {
      name: "its snapshot saw it carrying: it went down since, when is not known",
      snapshot: () => stored([healthy, "2026-12-05T01:50:00.000Z"]),
      downSince: undefined,
    },
    {
      name: "its snapshot is older than a stored peer may be: it says nothing",
      snapshot: () => stored([bothDown, "2026-12-05T01:00:00.000Z"]),
      downSince: undefined,
    },
    { name: "no snapshot", snapshot: () => null, downSince: undefined },
  ])("$name", ({ snapshot, downSince }) => {
    const peer = withDownSince(readNow(), snapshot(), at(NOW), 20 * MIN);
    expect(peer).toMatchObject({ state: "down", thisSweep: true, readAt: NOW });
    expect(peer.downSince).toBe(downSince);
  });

  it("an up peer is as it was", () => {
    const up = { ...readNow(), state: "up" as const, detail: "private peering carrying" };
    delete (up as Partial<ReachPeer>).cause;
    const snapshot = stored([bothDown, "2026-12-05T01:50:00.000Z"]);
    expect(withDownSince(up, snapshot, at(NOW), 20 * MIN)).toEqual(up);
  });
});

describe("times in a global-reach-down's words", () => {
  it.each([
    ["the same UTC day", "2026-12-06T02:15:00.000Z", "2026-12-06T02:20:00.000Z", "02:15 UTC"],
    [
      "the UTC day before (an outage across midnight)",
      "2026-12-05T23:50:00.000Z",
      "2026-12-06T00:05:00.000Z",
      "2026-12-05 23:50 UTC",
    ],
    [
      "the same clock time a day before",
      "2026-12-05T02:15:00.000Z",
      "2026-12-06T02:15:00.000Z",
      "2026-12-05 02:15 UTC",
    ],
  ])("%s: %s said at %s is %s", (_, time, sweep, words) => {
    expect(utcTime(Date.parse(time), Date.parse(sweep))).toBe(words);
  });

  it.each([
    ["not a time", Number.NaN],
    ["past what a Date holds", 1e308],
    ["Infinity", Number.POSITIVE_INFINITY],
  ])("a time that is none (%s) is said as unknown, not thrown", (_, epoch) => {
    expect(utcTime(epoch, Date.parse("2026-12-06T00:05:00.000Z"))).toBe("an unknown time");
  });

  it("a sweep instant that is none dates the time rather than throwing", () => {
    const at = Date.parse("2026-12-05T23:50:00.000Z");
    for (const sweep of [Number.NaN, 1e308])
      expect(utcTime(at, sweep)).toBe("2026-12-05 23:50 UTC");
  });

  it.each([
    [
      "the peer last read before midnight, this sweep after it: dated",
      "2026-12-05T23:50:00.000Z",
      "2026-12-06T00:05:00.000Z",
      "as last read at 2026-12-05 23:50 UTC",
    ],
    [
      "the peer last read the same UTC day: the time alone",
      "2026-12-06T00:01:00.000Z",
      "2026-12-06T00:05:00.000Z",
      "as last read at 00:01 UTC",
    ],
  ])("%s", (_, peerReadAt, sweepAt, words) => {
    const peer = reachPeerOfSnapshot(
      stored([bothDown, peerReadAt]),
      PEER_PEERING,
      at(sweepAt),
      20 * MIN,
    );
    if (!peer) throw new Error("the stored peer says nothing");
    expect(reachDown(sweepAt, peer).title).toBe(
      `Global Reach not connected: gr-to-p Disconnected — the peer circuit er-P is down (both private paths down, ${words})`,
    );
  });

  it.each([
    [
      "stuck since before midnight",
      { kind: "stuck", since: "2026-12-05T23:20:00.000Z" },
      "2026-12-06T00:10:00.000Z",
      "stuck since 2026-12-05 23:20 UTC",
    ],
    [
      "stuck since earlier the same day",
      { kind: "stuck", since: "2026-12-06T01:20:00.000Z" },
      "2026-12-06T02:10:00.000Z",
      "stuck since 01:20 UTC",
    ],
    [
      "still connecting since before midnight",
      { kind: "settling", since: "2026-12-05T23:58:00.000Z" },
      "2026-12-06T00:03:00.000Z",
      "still connecting since 2026-12-05 23:58 UTC",
    ],
  ] as const)("a Connecting connection %s", (_, how, readAt, words) => {
    expect(connectingWords(how, readAt)).toBe(words);
  });
});
