// A Global Reach connection's evidence line on the Teams card: IPv6 Global
// Reach has its own status, and the card said "Connected" (IPv4's) beside a
// title that named IPv6 Disconnected.

import { describe, expect, it } from "vitest";
import { buildPagerDutyEvent } from "../../../src/adapters/receivers/pagerduty/payload.js";
import { evidenceLines } from "../../../src/adapters/receivers/teams/evidence.js";
import { buildTeamsMessage } from "../../../src/adapters/receivers/teams/payload.js";
import type { AlertEvent } from "../../../src/core/alert-event.js";
import { globalReachFinding } from "../../../src/core/circuit-findings.js";
import type { GlobalReachConnection } from "../../../src/core/model.js";
import type { ReachPeer } from "../../../src/core/reach-peers.js";
import { assessGlobalReach } from "../../../src/core/wiring.js";
import { arpMissingOpen } from "../../support/alert-event-fixture.js";
import { peering } from "../../support/readings.js";

const SWEPT_AT = "2026-03-14T02:00:00.000Z";
const PEER_CIRCUIT =
  "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/expressRouteCircuits/er-dr";

const connection = (extra: Record<string, unknown>) => ({
  name: "gr-to-dr",
  peerCircuitPeeringId: `${PEER_CIRCUIT}/peerings/AzurePrivatePeering`,
  direction: "outbound",
  ...extra,
});

it.each([
  ["IPv4 only", { status: "Disconnected" }, "Connection gr-to-dr: Disconnected"],
  ["status not reported", { status: null }, "Connection gr-to-dr: status not reported"],
  [
    "IPv6 cut beside IPv4 Connected",
    { status: "Connected", ipv6: { status: "Disconnected" } },
    "Connection gr-to-dr: IPv4 Connected, IPv6 Disconnected",
  ],
  [
    "IPv6 status not reported",
    { status: "Connected", ipv6: { status: null } },
    "Connection gr-to-dr: IPv4 Connected, IPv6 status not reported",
  ],
] as const)("%s", (_, extra, line) => {
  expect(evidenceLines({ connections: [connection(extra)] }, false)).toEqual([line]);
});

// The peer circuit behind a global-reach-down: printed as key/value pairs it
// was the peer's resource ids, "this sweep false" and a raw timestamp. The
// card says which circuit, whether it is down, whose it is and as of when;
// PagerDuty and the webhook keep the fields for rules and searches.
describe("the peer circuit of a Global Reach connection", () => {
  const PEER = `${PEER_CIRCUIT}/peerings/AzurePrivatePeering`;
  const down = (extra: Partial<ReachPeer> = {}): ReachPeer => ({
    peerCircuitPeeringId: PEER.toLowerCase(),
    circuitId: PEER_CIRCUIT.toLowerCase(),
    name: "er-dr",
    state: "down",
    cause: "paths-down",
    detail: "both private paths down",
    owner: "carrier",
    readAt: "2026-03-14T01:55:00.000Z",
    thisSweep: true,
    ...extra,
  });
  const finding = (peer: ReachPeer) => {
    const g = connection({ status: "Disconnected", peerCircuitPeeringId: PEER });
    const f = globalReachFinding(
      peering({ globalReach: [g as GlobalReachConnection] }),
      assessGlobalReach(peering({ globalReach: [g as GlobalReachConnection] })),
      "Sev3",
      SWEPT_AT,
      [peer],
    );
    if (!f) throw new Error("no global-reach-down");
    return f;
  };
  const event = (peer: ReachPeer): AlertEvent => {
    const f = finding(peer);
    return {
      ...arpMissingOpen(),
      family: "global-reach",
      code: f.code,
      layer: f.layer,
      owner: f.owner,
      severity: f.severity,
      peakSeverity: f.severity,
      title: f.title,
      nextAction: f.nextAction,
      evidence: f.evidence,
      ticket: null,
    };
  };

  it.each([
    [
      "read in this sweep",
      down(),
      "Peer circuit er-dr (behind gr-to-dr): DOWN — both private paths down; the carrier's to fix; read down at 2026-03-14 01:55 UTC, this sweep",
    ],
    [
      "as its stored reading last read it",
      down({
        thisSweep: false,
        owner: "shared",
        cause: "peering-disabled",
        detail: "its private peering is Disabled",
      }),
      "Peer circuit er-dr (behind gr-to-dr): DOWN — its private peering is Disabled; yours and the carrier's to fix; read down at 2026-03-14 01:55 UTC, an earlier sweep (not read in this one)",
    ],
    // Read at 01:55 is not since when: the peer's history said 01:10.
    [
      "read in this sweep, its history saying since when it is down",
      down({ downSince: "2026-03-14T01:10:00.000Z" }),
      "Peer circuit er-dr (behind gr-to-dr): DOWN — both private paths down; the carrier's to fix; down since 2026-03-14 01:10 UTC, as read at 2026-03-14 01:55 UTC, this sweep",
    ],
    [
      "as its stored reading last read it, down since before midnight",
      down({ thisSweep: false, downSince: "2026-03-13T23:40:00.000Z" }),
      "Peer circuit er-dr (behind gr-to-dr): DOWN — both private paths down; the carrier's to fix; down since 2026-03-13 23:40 UTC, as read at 2026-03-14 01:55 UTC, an earlier sweep (not read in this one)",
    ],
    [
      "a since that crossed the queue as no time: read down at, as before",
      down({ downSince: "yesterday" }),
      "Peer circuit er-dr (behind gr-to-dr): DOWN — both private paths down; the carrier's to fix; read down at 2026-03-14 01:55 UTC, this sweep",
    ],
  ] as const)("%s: one line in words on the card", (_, peer, line) => {
    const lines = evidenceLines(finding(peer).evidence, false);
    expect(lines).toContain(line);
    // None of the raw fields the key/value rendering printed.
    expect(lines.join("\n")).not.toMatch(
      /this sweep (true|false)|circuit ID|\/subscriptions\/|T01:55/,
    );
  });

  it("an up peer names no owner", () => {
    const up = { ...down(), state: "up" as const, detail: "private peering carrying" };
    delete (up as Partial<ReachPeer>).cause;
    delete (up as Partial<ReachPeer>).owner;
    expect(evidenceLines({ peers: [{ connection: "gr-to-dr", ...up }] }, false)).toEqual([
      "Peer circuit er-dr (behind gr-to-dr): up — private peering carrying; read at 2026-03-14 01:55 UTC, this sweep",
    ]);
  });

  it("an odd entry that crossed the queue is printed, never thrown on", () => {
    expect(
      evidenceLines(
        { peers: [null, "er-x", { name: "er-y", state: 7, readAt: "yesterday" }] },
        false,
      ),
    ).toEqual(["Peer circuit: none", "Peer circuit: er-x", "Peer circuit er-y: 7"]);
  });

  it("the Teams card prints the sentence; PagerDuty keeps the peer's fields", () => {
    const e = event(down({ thisSweep: false }));
    const card = JSON.stringify(buildTeamsMessage(e));
    expect(card).toContain("Peer circuit er-dr (behind gr-to-dr): DOWN");
    expect(card).not.toContain("this sweep false");
    const pd = buildPagerDutyEvent(e, "R0ut1ngK3y");
    if (pd.event_action !== "trigger") throw new Error("not a trigger");
    expect(pd.payload.custom_details.evidence).toMatchObject({
      peers: [
        {
          connection: "gr-to-dr",
          name: "er-dr",
          circuitId: PEER_CIRCUIT.toLowerCase(),
          state: "down",
          cause: "paths-down",
          owner: "carrier",
          readAt: "2026-03-14T01:55:00.000Z",
          thisSweep: false,
        },
      ],
    });
  });

  it("the Teams card says since when the peer is down; PagerDuty keeps downSince", () => {
    const e = event(down({ downSince: "2026-03-14T01:10:00.000Z" }));
    const card = JSON.stringify(buildTeamsMessage(e));
    expect(card).toContain("down since 2026-03-14 01:10 UTC, as read at 2026-03-14 01:55 UTC");
    expect(card).not.toContain("read down at");
    const pd = buildPagerDutyEvent(e, "R0ut1ngK3y");
    if (pd.event_action !== "trigger") throw new Error("not a trigger");
    expect(pd.payload.custom_details.evidence).toMatchObject({
      peers: [
        {
          connection: "gr-to-dr",
          state: "down",
          readAt: "2026-03-14T01:55:00.000Z",
          downSince: "2026-03-14T01:10:00.000Z",
        },
      ],
    });
  });

  it("a peer read before midnight is dated in the title", () => {
    const f = finding(down({ thisSweep: false, readAt: "2026-03-13T23:55:00.000Z" }));
    expect(f.title).toContain("(both private paths down, as last read at 2026-03-13 23:55 UTC)");
  });

  it("a Connecting connection keeps its name as written", () => {
    expect(evidenceLines({ connecting: { "gr-to-dr": "stuck since 01:50 UTC" } }, false)).toEqual([
      "Connection gr-to-dr: stuck since 01:50 UTC",
    ]);
  });
});
