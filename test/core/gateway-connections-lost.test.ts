// One of several gateway connections that was Connected and is not any more
// (core/wiring.ts lostConnections, core/gateway-findings.ts, and the memory
// of which were Connected in core/gateway-memory.ts). Users saw nothing: a
// circuit wired to a hub and a DR hub lost the DR connection, its VNets lost
// on-premises, and the row read "1 connected" (or "unknown" beside a
// connection reporting Unknown) because the wiring was judged as a whole.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS, classifyCircuit } from "../../src/core/classify.js";
import { connectionMemory, connectionsOnceConnected } from "../../src/core/gateway-memory.js";
import type {
  GatewayConnectionFacts,
  LayerStatus,
  Reading,
  Severity,
} from "../../src/core/model.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import type { RememberedConnection } from "../../src/core/wiring.js";
import { assessGateway, lostConnections } from "../../src/core/wiring.js";
import { READ_AT, circuitReading, failed, ok, peering } from "../support/readings.js";

const PRIVATE = "AzurePrivatePeering";
const gw = (name: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/${name}`;
const conn = (name: string, status: string | null, gateway = `gw-${name}`) =>
  ({
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/connections/${name}`,
    name,
    kind: "vnet-gateway",
    peering: null,
    status,
    gatewayId: gw(gateway),
  }) satisfies GatewayConnectionFacts;
const remember = (c: GatewayConnectionFacts): RememberedConnection => ({
  id: c.id,
  name: c.name,
  gatewayId: c.gatewayId ?? null,
});

/** The wiring read per resource group after Resource Graph failed: it misses other groups' connections. */
const inPart = (connections: GatewayConnectionFacts[]): Reading<GatewayConnectionFacts[]> => ({
  ok: true,
  value: connections,
  readAt: READ_AT,
  partial: true,
});

const HUB = conn("hub", "Connected");
const DR = conn("dr", "Connected");
const BOTH = [remember(HUB), remember(DR)];

function judge(
  connections: Reading<GatewayConnectionFacts[]>,
  remembered: RememberedConnection[],
  opts: { expectGateway?: boolean; grade?: Severity } = {},
) {
  const verdict = classifyCircuit(
    circuitReading({
      gateway: connections,
      settings: { expectGateway: opts.expectGateway ?? true },
    }),
    {
      ...DEFAULT_CLASSIFY_OPTIONS,
      severity: { ...DEFAULT_CLASSIFY_OPTIONS.severity, gateway: opts.grade ?? "Sev3" },
      previous: {
        providerWasProvisioned: true,
        peerings: [PRIVATE],
        gatewayConnections: { [PRIVATE]: remembered },
      },
    },
  );
  const found = verdict.findings.find((f) => f.code === "gateway-not-connected");
  return { verdict, row: verdict.peerings[0]!.paths.primary.gateway, found };
}

describe("a remembered connection that is not Connected now", () => {
  it.each<{
    name: string;
    now: GatewayConnectionFacts[];
    remembered: RememberedConnection[];
    expectGateway?: boolean;
    state: string;
    cell: LayerStatus;
    paged: Severity | null;
    names?: RegExp;
    says?: RegExp;
  }>([
    {
      // Amber, not red: the hub's VNets carry (a pair partner still carries the site).
      name: "the DR connection NotConnected beside the hub's Connected one",
      now: [HUB, conn("dr", "NotConnected")],
      remembered: BOTH,
      state: "lost",
      cell: "warn",
      paged: "Sev1",
      names: /dr \(gateway gw-dr\) is NotConnected.*1 other connection is still Connected/,
    },
    {
      name: "the DR connection NotConnected beside one that reports Unknown",
      now: [conn("hub", "Unknown"), conn("dr", "NotConnected")],
      remembered: BOTH,
      state: "lost",
      cell: "down",
      paged: "Sev1",
      names: /dr \(gateway gw-dr\) is NotConnected/,
    },
    {
      // Deleted (on purpose or not): as the single connection's "gone", VNet traffic stopped.
      name: "the DR connection gone from the list",
      now: [HUB],
      remembered: BOTH,
      state: "lost",
      cell: "warn",
      paged: "Sev1",
      names: /dr \(gateway gw-dr\) is gone/,
    },
    {
      name: "every connection gone",
      now: [],
      remembered: BOTH,
      state: "lost",
      cell: "down",
      paged: "Sev1",
      names: /connections hub \(gateway gw-hub\) is gone, dr \(gateway gw-dr\) is gone/,
    },
    {
      name: "the DR connection replaced by another Connected one on its gateway",
      now: [HUB, conn("dr-new", "Connected", "gw-dr")],
      remembered: BOTH,
      state: "connected",
      cell: "up",
      paged: null,
    },
    {
      // A status that says nothing is UNKNOWN: never lost.
      name: "the DR connection reporting Unknown",
      now: [HUB, conn("dr", "Unknown")],
      remembered: BOTH,
      state: "connected",
      cell: "up",
      paged: null,
    },
    {
      // Never seen Connected: wiring not yet done, today's rule (the other one carries).
      name: "a connection never seen Connected, NotConnected beside the hub's",
      now: [HUB, conn("dr", "NotConnected")],
      remembered: [remember(HUB)],
      state: "connected",
      cell: "up",
      paged: null,
    },
    {
      name: "nothing remembered (a snapshot from before), none Connected",
      now: [conn("hub", "NotConnected")],
      remembered: [],
      state: "not-connected",
      cell: "down",
      paged: "Sev3",
    },
    {
      // The hub carries and the row decides nothing: it stays up, no flip to n/a and back.
      name: "the circuit expects no gateway, the hub still Connected",
      now: [HUB, conn("dr", "NotConnected")],
      remembered: BOTH,
      expectGateway: false,
      state: "lost",
      cell: "up",
      paged: null,
      says: /^dr NotConnected \(was Connected\); 1 connected; no gateway expected$/,
    },
    {
      name: "the circuit expects no gateway, every connection gone",
      now: [],
      remembered: BOTH,
      expectGateway: false,
      state: "lost",
      cell: "n/a",
      paged: null,
      says: /no connection connected \(no gateway expected\)$/,
    },
  ])("$name: $state, row $cell, paged $paged", (c) => {
    expect(assessGateway(peering(), ok(c.now), { remembered: c.remembered }).state).toBe(c.state);
    const { row, found } = judge(ok(c.now), c.remembered, {
      ...(c.expectGateway === undefined ? {} : { expectGateway: c.expectGateway }),
    });
    expect(row.status).toBe(c.cell);
    expect(found?.severity ?? null).toBe(c.paged);
    if (c.names) expect(found?.title).toMatch(c.names);
    if (c.says) expect(row.detail).toMatch(c.says);
  });

  it("pages at Sev1 whatever the configured grade, and keeps a graver one", () => {
    const lost = ok([HUB, conn("dr", "NotConnected")]);
    expect(judge(lost, BOTH, { grade: "Sev4" }).found?.severity).toBe("Sev1");
    expect(judge(lost, BOTH, { grade: "Sev0" }).found?.severity).toBe("Sev0");
  });

  it("unread connections say nothing: UNKNOWN, no page", () => {
    const { row, found } = judge(failed({ kind: "timeout" }), BOTH);
    expect(row.status).toBe("unknown");
    expect(found).toBeUndefined();
  });

  it("two lost are one finding on the peering (one alert), naming both and their gateways", () => {
    const { verdict } = judge(ok([conn("hub", "NotConnected")]), BOTH);
    const found = verdict.findings.filter((f) => f.code === "gateway-not-connected");
    expect(found).toHaveLength(1);
    expect(found[0]!.nextAction).toMatch(/gw-hub, gw-dr cannot reach on-premises/);
    expect(found[0]!.nextAction).toMatch(/dr was deleted or moved/);
  });
});

describe("which connections are remembered", () => {
  const snapshotWith = (kept: unknown, wasConnected = true): Snapshot =>
    ({
      circuitId: "c",
      circuitName: "c",
      takenAt: "2026-11-22T00:00:00Z",
      providerState: "Provisioned",
      providerWasProvisioned: true,
      peerings: {
        [PRIVATE]: {
          paths: {} as never,
          prefixes: { primary: 120, secondary: 120 },
          gatewayWasConnected: wasConnected,
          ...(kept === undefined ? {} : { gatewayConnections: kept }),
        },
      },
    }) as Snapshot;

  it.each<{
    name: string;
    previous: Snapshot | null;
    now: Reading<GatewayConnectionFacts[]>;
    expectGateway?: boolean;
    kept: string[];
  }>([
    {
      name: "no snapshot, both Connected",
      previous: null,
      now: ok([HUB, DR]),
      kept: ["hub", "dr"],
    },
    {
      name: "a snapshot from before the memory, one Connected",
      previous: snapshotWith(undefined),
      now: ok([HUB, conn("dr", "NotConnected")]),
      kept: ["hub"],
    },
    {
      name: "the lost one stays remembered while it is lost",
      previous: snapshotWith(BOTH),
      now: ok([HUB, conn("dr", "NotConnected")]),
      kept: ["hub", "dr"],
    },
    {
      name: "a gone one stays remembered while it is lost",
      previous: snapshotWith(BOTH),
      now: ok([HUB]),
      kept: ["hub", "dr"],
    },
    {
      name: "a gone one replaced on its gateway is forgotten, its replacement remembered",
      previous: snapshotWith(BOTH),
      now: ok([HUB, conn("dr-new", "Connected", "gw-dr")]),
      kept: ["hub", "dr-new"],
    },
    {
      name: "connections unread: kept as they were",
      previous: snapshotWith(BOTH),
      now: failed({ kind: "timeout" }),
      kept: ["hub", "dr"],
    },
    {
      // How a connection deleted on purpose is forgotten.
      name: "the circuit expects no gateway, none left: forgotten",
      previous: snapshotWith(BOTH),
      now: ok([]),
      expectGateway: false,
      kept: [],
    },
    {
      // Its row stays up on the hub: the lost one is forgotten all the same, so
      // the next sweep reads "1 connected", not its loss for good.
      name: "the circuit expects no gateway, one gone beside the Connected hub: it is forgotten",
      previous: snapshotWith(BOTH),
      now: ok([HUB]),
      expectGateway: false,
      kept: ["hub"],
    },
    {
      name: "the circuit expects no gateway, one NotConnected beside the Connected hub: it is forgotten",
      previous: snapshotWith(BOTH),
      now: ok([HUB, conn("dr", "NotConnected")]),
      expectGateway: false,
      kept: ["hub"],
    },
    {
      // Its row stands (up) through a Resource Graph outage: nothing to forget for.
      name: "the circuit expects no gateway, the list read in part without them",
      previous: snapshotWith(BOTH),
      now: inPart([]),
      expectGateway: false,
      kept: ["hub", "dr"],
    },
    {
      name: "the list read in part without one: kept",
      previous: snapshotWith(BOTH),
      now: inPart([HUB]),
      kept: ["hub", "dr"],
    },
  ])("$name → $kept", ({ previous, now, expectGateway, kept }) => {
    // Judged as the sweep judges it: with what the previous snapshot remembered.
    const verdict = classifyCircuit(
      circuitReading({ gateway: now, settings: { expectGateway: expectGateway ?? true } }),
      {
        ...DEFAULT_CLASSIFY_OPTIONS,
        previous: {
          providerWasProvisioned: true,
          peerings: [PRIVATE],
          gatewayConnections: connectionsOnceConnected(previous),
        },
      },
    );
    const memory = connectionMemory(previous, verdict, now, [PRIVATE], expectGateway ?? true);
    expect(memory[PRIVATE]!.map((c) => c.name)).toEqual(kept);
  });

  it("a stored memory that is odd (a hand edit, an older erwatch) keeps what it can", () => {
    expect(connectionsOnceConnected(snapshotWith("not a list"))).toEqual({});
    expect(
      connectionsOnceConnected(
        snapshotWith([null, 7, { id: 5 }, { id: "/x/connections/a", name: 3, gatewayId: 2 }]),
      ),
    ).toEqual({ [PRIVATE]: [{ id: "/x/connections/a", name: "a", gatewayId: null }] });
  });
});

describe("a list read only in part (Resource Graph failed: the wiring read per resource group)", () => {
  it("does not take a remembered connection it could not see for lost; one it saw NotConnected still is", () => {
    const remembered = BOTH;
    expect(lostConnections([HUB], remembered, true)).toEqual([]);
    expect(lostConnections([HUB], remembered, false).map((c) => c.name)).toEqual(["dr"]);
    expect(
      lostConnections([HUB, conn("dr", "NotConnected")], remembered, true).map((c) => c.status),
    ).toEqual(["NotConnected"]);
  });

  // Whole or in part, remembered or not, expected or not: the row and the page.
  it.each<{
    name: string;
    now: Reading<GatewayConnectionFacts[]>;
    remembered: RememberedConnection[];
    expectGateway?: boolean;
    state: string;
    cell: LayerStatus;
    paged: Severity | null;
    says?: RegExp;
  }>([
    {
      // A circuit new to erwatch, or its first sweep, wired through another group.
      name: "nothing remembered, none in the list",
      now: inPart([]),
      remembered: [],
      state: "partial",
      cell: "unknown",
      paged: null,
      says: /^no connection in the list read per resource group \(Resource Graph failed\): .*not known/,
    },
    {
      // Another group may hold one that is Connected.
      name: "nothing remembered, the one listed NotConnected",
      now: inPart([conn("hub", "NotConnected")]),
      remembered: [],
      state: "partial",
      cell: "unknown",
      paged: null,
      says: /^hub NotConnected; none Connected in the list read per resource group/,
    },
    {
      name: "nothing remembered, the one listed Unknown",
      now: inPart([conn("hub", "Unknown")]),
      remembered: [],
      state: "partial",
      cell: "unknown",
      paged: null,
    },
    {
      name: "nothing remembered, one listed Connected",
      now: inPart([HUB]),
      remembered: [],
      state: "connected",
      cell: "up",
      paged: null,
    },
    {
      name: "the hub remembered, none in the list",
      now: inPart([]),
      remembered: [remember(HUB)],
      state: "unseen",
      cell: "unknown",
      paged: null,
      says: /^no connection connected; hub not in the list read per resource group .*: not known$/,
    },
    {
      // Seen NotConnected is seen, whatever the list lacks.
      name: "the DR hub remembered, listed NotConnected",
      now: inPart([HUB, conn("dr", "NotConnected")]),
      remembered: BOTH,
      state: "lost",
      cell: "warn",
      paged: "Sev1",
    },
    {
      // The row stands as it was (up: Connected when last read whole), no flip to n/a and back.
      name: "no gateway expected, the hub remembered, none in the list",
      now: inPart([]),
      remembered: [remember(HUB)],
      expectGateway: false,
      state: "unseen",
      cell: "up",
      paged: null,
      says: /hub not in the list read per resource group \(Resource Graph failed\): Connected when last read whole; no gateway expected/,
    },
    {
      name: "no gateway expected, nothing remembered, none in the list",
      now: inPart([]),
      remembered: [],
      expectGateway: false,
      state: "partial",
      cell: "n/a",
      paged: null,
    },
    {
      // The hub carries: up, as read whole (no n/a and back at the next sweep).
      name: "no gateway expected, the DR hub remembered, listed NotConnected",
      now: inPart([HUB, conn("dr", "NotConnected")]),
      remembered: BOTH,
      expectGateway: false,
      state: "lost",
      cell: "up",
      paged: null,
      says: /^dr NotConnected \(was Connected\); 1 connected; no gateway expected$/,
    },
    // Read whole, what is missing is missing: the same readings page.
    {
      name: "read whole: nothing remembered, none in the list",
      now: ok([]),
      remembered: [],
      state: "none",
      cell: "down",
      paged: "Sev3",
      says: /^no connection$/,
    },
    {
      name: "read whole: nothing remembered, the one listed NotConnected",
      now: ok([conn("hub", "NotConnected")]),
      remembered: [],
      state: "not-connected",
      cell: "down",
      paged: "Sev3",
    },
    {
      name: "read whole: the hub remembered, none in the list",
      now: ok([]),
      remembered: [remember(HUB)],
      state: "lost",
      cell: "down",
      paged: "Sev1",
    },
  ])("$name: $state, row $cell, paged $paged", (c) => {
    expect(assessGateway(peering(), c.now, { remembered: c.remembered }).state).toBe(c.state);
    const { row, found } = judge(c.now, c.remembered, {
      ...(c.expectGateway === undefined ? {} : { expectGateway: c.expectGateway }),
    });
    expect(row.status).toBe(c.cell);
    expect(found?.severity ?? null).toBe(c.paged);
    if (c.says) expect(row.detail).toMatch(c.says);
  });
});
