// A Global Reach connection down because its peer circuit is down: the
// global-reach-down on this circuit says so (nothing to recreate here), from
// the peer's reading in this sweep or its stored snapshot, dated; a peer
// erwatch did not read leaves the wording as it always was.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit, type EvaluationContext } from "../../src/core/evaluate.js";
import type { CircuitReading, Finding } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { readAgesOf } from "../../src/core/read-age.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  reachPeerOfReading,
  reachPeerOfSnapshot,
  type ReachPeer,
} from "../../src/core/reach-peers.js";
import { circuitReading, failed, peering, type CircuitSpec } from "../support/readings.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const MIN = 60_000;
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const P_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-P";
const PEER_PEERING = `${P_ID}/peerings/AzurePrivatePeering`;

const OLD_TITLE = "Global Reach not connected: gr-to-p Disconnected";
const OLD_ACTION =
  "Site-to-site traffic between the two on-premises networks is cut while each circuit looks healthy: check the Global Reach connection on both circuits (authorization, /29 address prefix) and recreate it if it was removed.";

/** Circuit A: healthy, its Global Reach connection to er-P Disconnected. */
const a = (): CircuitReading =>
  circuitReading({
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

/** The peer circuit er-P as the spec reads it. */
function p(spec: CircuitSpec): CircuitReading {
  const r = circuitReading(spec);
  return { ...r, ref: { ...r.ref, id: P_ID, name: "er-P" } };
}

const reachDown = (context: EvaluationContext): Finding => {
  const found = evaluateCircuit(a(), null, [], [], POLICY, NOW, context).verdict.findings.filter(
    (f) => f.code === "global-reach-down",
  );
  expect(found).toHaveLength(1);
  return found[0]!;
};

const bothDown: CircuitSpec = {
  paths: {
    AzurePrivatePeering: {
      primary: { arp: "empty", bgp: "Idle" },
      secondary: { arp: "empty", bgp: "Idle" },
    },
  },
};

const CASES: {
  name: string;
  spec: CircuitSpec;
  /** What the peer's reading says; null: nothing (the wording stays). */
  detail: string | null;
  state?: "down" | "up";
  /** Who the global-reach-down names: the owner of the peer's broken layer. */
  owner?: string;
}[] = [
  {
    name: "carrier de-provisioned the peer",
    spec: { providerState: "NotProvisioned" },
    detail: "not provisioned by its carrier: service provider state NotProvisioned",
    owner: "carrier",
  },
  {
    name: "both private paths down",
    spec: bothDown,
    detail: "both private paths down",
    owner: "carrier",
  },
  {
    name: "private peering missing",
    spec: { peerings: [] },
    detail: "its private peering is missing",
    owner: "shared",
  },
  {
    name: "private peering Disabled",
    spec: { peerings: [peering({ state: "Disabled" })] },
    detail: "its private peering is Disabled",
    owner: "shared",
  },
  { name: "peer healthy", spec: {}, detail: null, state: "up" },
  {
    name: "peer with one path down still carries",
    spec: { paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } } },
    detail: null,
    state: "up",
  },
  {
    name: "peer read failed",
    spec: { circuit: failed({ kind: "throttled" }) },
    detail: null,
  },
  {
    name: "peer's paths unreadable",
    spec: {
      paths: {
        AzurePrivatePeering: {
          primary: { arp: failed({ kind: "forbidden" }), bgp: failed({ kind: "forbidden" }) },
          secondary: { arp: "empty", bgp: "Idle" },
        },
      },
    },
    detail: null,
  },
];

describe("a Global Reach peer read in the same sweep", () => {
  it.each(CASES)("$name", ({ spec, detail, state, owner }) => {
    const peer = p(spec);
    const known = reachPeerOfReading(
      peer,
      evaluateCircuit(peer, null, [], [], POLICY, NOW).verdict,
      PEER_PEERING,
    );
    const f = reachDown({ reach: known ? [known] : [] });
    expect(f.severity).toBe("Sev3");
    if (detail === null) {
      // Healthy, or not known: worded as ever (no claim either way).
      expect(f.title).toBe(OLD_TITLE);
      expect(f.nextAction).toBe(OLD_ACTION);
      expect(known?.state).toBe(state);
      return;
    }
    expect(known).toMatchObject({ state: "down", name: "er-P", thisSweep: true });
    expect(f.title).toBe(`${OLD_TITLE} — the peer circuit er-P is down (${detail})`);
    expect(f.owner).toBe(owner);
    expect(f.nextAction).toMatch(/^Nothing needs recreating on this circuit/);
    expect(f.nextAction).toContain("comes back when it does");
    expect(f.nextAction).toContain("follow er-P's own alert");
    expect(f.nextAction).not.toContain("recreate it");
    expect(f.evidence.peers).toEqual([
      expect.objectContaining({ connection: "gr-to-p", name: "er-P", state: "down", detail }),
    ]);
  });

  it("a circuit that is not watched (no peer reading at all) is worded as ever", () => {
    const f = reachDown({});
    expect(f.title).toBe(OLD_TITLE);
    expect(f.nextAction).toBe(OLD_ACTION);
    expect(f.evidence).toEqual({ connections: expect.any(Array) });
  });

  it("explains one connection of two: the other keeps the advice to check it", () => {
    const peer = p(bothDown);
    const known = reachPeerOfReading(
      peer,
      evaluateCircuit(peer, null, [], [], POLICY, NOW).verdict,
      PEER_PEERING,
    )!;
    const reading = a();
    const facts = reading.circuit.ok ? reading.circuit.value : null;
    facts!.peerings![0]!.globalReach.push({
      name: "gr-to-q",
      peerCircuitPeeringId: "/subscriptions/x/providers/y/er-q/peerings/AzurePrivatePeering",
      status: "Disconnected",
      direction: "outbound",
    });
    const [f] = evaluateCircuit(reading, null, [], [], POLICY, NOW, {
      reach: [known],
    }).verdict.findings.filter((x) => x.code === "global-reach-down");
    expect(f!.title).toBe(
      "Global Reach not connected: gr-to-p Disconnected — the peer circuit er-P is down (both private paths down); gr-to-q Disconnected",
    );
    expect(f!.nextAction).toContain("gr-to-p comes back when the peer circuit er-P does");
    expect(f!.nextAction).toContain(
      "For gr-to-q: check the Global Reach connection on both circuits",
    );
  });
});

describe("a Global Reach peer not read in this sweep, by its stored snapshot", () => {
  // The peer as two sweeps stored it (with its read ages, as record-circuit.ts
  // keeps them): healthy at 01:50 (so a peering gone is "gone"), then the case at 02:00.
  const EARLIER = new Date(NOW.getTime() - 10 * MIN);
  const kept = (reading: CircuitReading, previous: Snapshot | null, at: Date): Snapshot => {
    const { snapshot } = evaluateCircuit(reading, previous, [], [], POLICY, at);
    return { ...snapshot, reads: readAgesOf(reading, previous?.reads, snapshot.takenAt) };
  };
  const stored = (spec: CircuitSpec) =>
    kept(
      p({ ...spec, readAt: NOW.toISOString() }),
      kept(p({ readAt: EARLIER.toISOString() }), null, EARLIER),
      NOW,
    );
  const later = new Date(NOW.getTime() + 10 * MIN);

  it.each(CASES)("$name", ({ spec, detail, state, owner }) => {
    const known = reachPeerOfSnapshot(stored(spec), PEER_PEERING, later, 20 * MIN);
    const f = reachDown({ reach: known ? [known] : [] });
    if (detail === null) {
      expect(f.title).toBe(OLD_TITLE);
      expect(f.nextAction).toBe(OLD_ACTION);
      // A failed read says nothing new: what the last whole reading (01:50) said stands, dated so.
      if (state) expect(known).toMatchObject({ state, readAt: NOW.toISOString() });
      else expect(known).toMatchObject({ state: "up", readAt: EARLIER.toISOString() });
      return;
    }
    expect(known).toMatchObject({ state: "down", thisSweep: false });
    expect(f.owner).toBe(owner);
    // Dated: the reading is not this sweep's.
    expect(f.title).toBe(
      `${OLD_TITLE} — the peer circuit er-P is down (${detail}, as last read at 02:00 UTC)`,
    );
    expect(f.nextAction).toMatch(/^Nothing needs recreating on this circuit/);
  });

  // A stored row is any text to its schema: a layer's cell may be missing (an
  // older erwatch, a hand edit), and `peeringsGone` is not checked with it.
  // Each threw for the circuit whose connection is down, at every sweep.
  type Edit = (s: Omit<Snapshot, "peeringsGone"> & { peeringsGone?: unknown }) => void;
  const cellsOf = (s: Pick<Snapshot, "peerings">) =>
    s.peerings.AzurePrivatePeering!.paths.primary as unknown as Record<string, unknown>;
  it.each<{ name: string; spec: CircuitSpec; edit: Edit; detail: string | null }>([
    {
      name: "its peering cell missing",
      spec: bothDown,
      edit: (s) => delete cellsOf(s).peering,
      detail: "both private paths down",
    },
    {
      name: "its peering down and its BGP cell missing",
      spec: bothDown,
      edit: (s) => {
        (cellsOf(s).peering as { status: string }).status = "down";
        delete cellsOf(s).bgp;
      },
      detail: "both private paths down",
    },
    {
      name: "peeringsGone a number",
      spec: bothDown,
      edit: (s) => (s.peeringsGone = 5),
      detail: "both private paths down",
    },
    {
      name: "peeringsGone text",
      spec: bothDown,
      edit: (s) => (s.peeringsGone = "AzurePrivatePeering"),
      detail: "both private paths down",
    },
    {
      name: "peeringsGone with names and other things",
      spec: { peerings: [] },
      edit: (s) => (s.peeringsGone = [null, 5, "AzurePrivatePeering"]),
      detail: "its private peering is missing",
    },
  ])("a stored snapshot with $name says what the rest of it says", ({ spec, edit, detail }) => {
    const snapshot = structuredClone(stored(spec));
    edit(snapshot);
    const known = reachPeerOfSnapshot(snapshot, PEER_PEERING, later, 20 * MIN);
    expect(known).toMatchObject({ state: "down", detail });
  });

  // A stored time is any text to the row's check: Date.parse read "42" as the
  // year 2042 (fresh for ever: a peer down once explained the connection for
  // good), and a time without its zone in the host's zone.
  const ODD_TIMES: [string, unknown][] = [
    ["a number as text", "42"],
    ["a year alone", "2026"],
    ["a time without its zone", "2026-11-22T02:00:00"],
    ["empty", ""],
    ["a word", "yesterday"],
    ["a number", 1_795_140_000_000],
  ];
  type Times = { takenAt?: unknown; circuitAt?: unknown; pathsReadAt?: unknown };
  const timed = (spec: CircuitSpec, times: Times): Snapshot => {
    const s = structuredClone(stored(spec)) as unknown as Record<string, unknown> & {
      reads: Record<string, unknown>;
    };
    if ("takenAt" in times) s.takenAt = times.takenAt;
    if ("circuitAt" in times) s.reads.circuitAt = times.circuitAt;
    if ("pathsReadAt" in times) s.reads.pathsReadAt = times.pathsReadAt;
    return s as unknown as Snapshot;
  };

  it.each(ODD_TIMES)("paths read at %s (%j): not fresh, nothing known of them", (_, odd) => {
    const snapshot = timed(bothDown, { pathsReadAt: odd });
    expect(reachPeerOfSnapshot(snapshot, PEER_PEERING, later, 20 * MIN)).toBeNull();
  });

  it.each(ODD_TIMES)("circuit read at %s (%j): not fresh, its body proves nothing", (_, odd) => {
    const notProvisioned = timed({ providerState: "NotProvisioned" }, { circuitAt: odd });
    expect(reachPeerOfSnapshot(notProvisioned, PEER_PEERING, later, 20 * MIN)).not.toMatchObject({
      cause: "provider",
    });
    const gone = timed({ peerings: [] }, { circuitAt: odd });
    expect(reachPeerOfSnapshot(gone, PEER_PEERING, later, 20 * MIN)).toBeNull();
  });

  it.each(ODD_TIMES)(
    "a snapshot kept before its read times, taken at %s (%j): not fresh",
    (_, odd) => {
      const snapshot = timed(bothDown, { takenAt: odd });
      delete snapshot.reads;
      expect(reachPeerOfSnapshot(snapshot, PEER_PEERING, later, 20 * MIN)).toBeNull();
    },
  );

  it("an instant with an offset is read as the instant it is", () => {
    const snapshot = timed(bothDown, { pathsReadAt: "2026-11-22T03:00:00+01:00" });
    expect(reachPeerOfSnapshot(snapshot, PEER_PEERING, later, 20 * MIN)).toMatchObject({
      state: "down",
      readAt: "2026-11-22T03:00:00+01:00",
    });
    expect(
      reachPeerOfSnapshot(snapshot, PEER_PEERING, new Date(NOW.getTime() + 40 * MIN), 20 * MIN),
    ).toBeNull();
  });

  it("a snapshot older than the age limit proves nothing", () => {
    const old = new Date(NOW.getTime() + 40 * MIN);
    expect(reachPeerOfSnapshot(stored(bothDown), PEER_PEERING, old, 20 * MIN)).toBeNull();
    expect(reachPeerOfSnapshot(null, PEER_PEERING, later, 20 * MIN)).toBeNull();
    const f = reachDown({ reach: [] as ReachPeer[] });
    expect(f.title).toBe(OLD_TITLE);
  });
});
