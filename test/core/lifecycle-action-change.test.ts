// An open alert read otherwise at the same grade. Another owner (the
// carrier's ↔ yours) is sent at once as an update of the same incident once
// it holds two sweeps: the holder works from what they were told (a carrier
// ticket for what is now your BGP), and the repeat may be hours away. A next
// action that rewords itself alone (the cause moving between the paths of
// one incident, a layer's detail) is not: it waits for the repeat. The "no
// update" cases are the readings of the sweep timelines that page once
// (test/app/sweep-timeline-traffic, -dataplane, -sight).

import { describe, expect, it } from "vitest";
import {
  decide,
  type AlertCondition,
  type AlertState,
  type DecideContext,
} from "../../src/core/lifecycle.js";
import type { AlertFamily, Owner } from "../../src/core/model.js";
import { at, decideAt, reading, toldAlert } from "../support/told-alert.js";

const CARRIER_L2 = reading({
  code: "arp-missing",
  severity: "Sev2",
  layer: "provider",
  owner: "carrier",
  paths: ["secondary"],
  title: "Layer 2 down on the secondary path: no ARP entry for the on-prem side",
  nextAction:
    "Open a ticket with Equinix for the secondary path; the ticket text is attached. Do not change router or gateway configuration.",
});
const YOUR_BGP = reading({
  ...CARRIER_L2,
  code: "bgp-down",
  layer: "bgp",
  owner: "you",
  title: "BGP down on the secondary path: Active",
  nextAction: "Check the BGP configuration of your router on the secondary path.",
});

// test/app/sweep-timeline-traffic.test.ts: a both-paths stop read, once a
// path goes down, as the other path's stop "while the primary path is down",
// and back. Yours throughout; only the words of the next action move.
const ROUTES =
  "Route advertisement, not connectivity: the session is up but nothing is sent over it. Check what your edge advertises and prefers on this path (route-maps, local preference, AS-path prepending that moved all traffic away, a VPN preferred over ExpressRoute), and that the gateway connection's routing weight did not change. `erwatch diagnose <circuit> --routes` shows the received routes.";
const BOTH_STOPPED = reading({
  code: "traffic-stopped",
  severity: "Sev1",
  layer: "routes",
  owner: "you",
  paths: ["primary", "secondary"],
  title:
    "Link up but carrying nothing on the primary and secondary paths of AzurePrivatePeering: BGP Established with prefixes, ~0 bits both ways",
  nextAction: ROUTES,
});
const SECONDARY_STOPPED_PRIMARY_DOWN = reading({
  ...BOTH_STOPPED,
  paths: ["secondary"],
  title:
    "Link up but carrying nothing on the secondary path of AzurePrivatePeering: BGP Established with prefixes, ~0 bits both ways while the primary path is down: nothing carries this peering's traffic",
  nextAction: `Nothing carries this peering: the failover onto this path did not happen, so traffic takes another route (a VPN, the internet) or none. ${ROUTES}`,
});
const PRIMARY_STOPPED_SECONDARY_DOWN = reading({
  ...SECONDARY_STOPPED_PRIMARY_DOWN,
  paths: ["primary"],
  title:
    "Link up but carrying nothing on the primary path of AzurePrivatePeering: BGP Established with prefixes, ~0 bits both ways while the secondary path is down: nothing carries this peering's traffic",
});

// test/app/sweep-timeline-dataplane.test.ts: a path already Sev0 down whose
// Connection Monitor tests then fail too.
const EQUINIX_TICKET =
  "Open a ticket with Equinix for the primary and secondary path (service key 8881a8c4-3ff5-422c-a3d8-d49751307a91); the ticket text is attached. Do not change router or gateway configuration.";
const BOTH_L2_DOWN = reading({
  code: "arp-missing",
  severity: "Sev0",
  layer: "provider",
  owner: "carrier",
  paths: ["primary", "secondary"],
  title:
    "Layer 2 down on the primary and secondary paths of AzurePrivatePeering: ARP table empty — traffic stopped",
  nextAction: EQUINIX_TICKET,
});
const BOTH_L2_DOWN_TESTS_FAIL = reading({
  ...BOTH_L2_DOWN,
  nextAction: `${EQUINIX_TICKET} End-to-end tests fail too (1 of 1, Connection Monitor cm-er-circuit-prod): this layer is why; they need no separate action.`,
});

// test/app/sweep-timeline-sight.test.ts: a gateway connection that was
// Connected, NotConnected, then deleted outright.
const BEHIND = "Virtual networks behind conn-er-prod's gateway cannot reach on-premises meanwhile.";
const NOT_CONNECTED = reading({
  code: "gateway-not-connected",
  severity: "Sev1",
  layer: "gateway",
  owner: "you",
  paths: ["primary", "secondary"],
  title:
    "VNet traffic stopped: gateway connection conn-er-prod is NotConnected; it was Connected at an earlier sweep",
  nextAction: `${BEHIND} Check its gateway's health and conn-er-prod's authorization key; the circuit itself is fine.`,
});
const CONNECTION_GONE = reading({
  ...NOT_CONNECTED,
  title:
    "VNet traffic stopped: gateway connection conn-er-prod is gone; it was Connected at an earlier sweep",
  nextAction: `${BEHIND} conn-er-prod was deleted or moved: look in the activity log of its resource group and recreate it between its gateway and this circuit.`,
});

const FAMILY: Record<string, AlertFamily> = {
  "arp-missing": "path-down",
  "bgp-down": "path-down",
  "traffic-stopped": "traffic",
  "gateway-not-connected": "gateway",
};

/** Open since minute 0 (its receivers told `told`), firing, now reading `now`. */
function firing(
  now: AlertCondition,
  told: AlertCondition,
  phase: AlertState["phase"] = "firing",
): AlertState {
  return toldAlert(
    now,
    FAMILY[told.code]!,
    { ...told, peakSeverity: told.severity, atMinute: 0, sequence: 1 },
    {
      phase,
      consecutiveFiring: phase === "firing" ? 3 : 0,
      consecutiveClean: phase === "firing" ? 0 : 1,
      evaluatedAtMinute: 10,
    },
  );
}

const ctx = (extra: Partial<DecideContext> = {}): DecideContext => decideAt(at(10), extra);

const said = (state: AlertState, extra: Partial<DecideContext> = {}) => {
  const d = decide(state, ctx(extra));
  return d.action === "none" ? `none: ${d.reason}` : `${d.action}: ${d.event.change}`;
};

/**
 * Sweeps 5 minutes apart from minute 5, each reading the next condition, the
 * receivers first told `told`: what each sweep sent ("-" for nothing).
 */
function sweeps(told: AlertCondition, readings: AlertCondition[]): string[] {
  let state = firing(told, told);
  return readings.map((now, i) => {
    const before = state.condition;
    const d = decide({ ...state, condition: now }, ctx({ now: at(5 * (i + 1)), before }));
    state = { ...d.next, condition: now };
    return d.action === "none" ? "-" : `${d.action} ${d.event.condition.owner}`;
  });
}

describe("a next action that rewords itself at the same owner waits for the repeat", () => {
  it.each([
    [
      "traffic: a both-paths stop read as the secondary's while the primary is down (primary session reset to apply the fix)",
      BOTH_STOPPED,
      SECONDARY_STOPPED_PRIMARY_DOWN,
    ],
    [
      "traffic: a both-paths stop read as the primary's while the secondary is down (both paths down, the primary back first)",
      BOTH_STOPPED,
      PRIMARY_STOPPED_SECONDARY_DOWN,
    ],
    [
      "traffic: a one-path stop read as both paths' again once the other path is back, still quiet",
      PRIMARY_STOPPED_SECONDARY_DOWN,
      BOTH_STOPPED,
    ],
    [
      "dataplane: a path already Sev0 down whose end-to-end tests fail too",
      BOTH_L2_DOWN,
      BOTH_L2_DOWN_TESTS_FAIL,
    ],
    [
      "sight: a gateway connection NotConnected, then deleted outright",
      NOT_CONNECTED,
      CONNECTION_GONE,
    ],
    [
      "another next action of the carrier's for the same path",
      CARRIER_L2,
      { ...CARRIER_L2, nextAction: "Open a ticket with Equinix: the cross-connect is dark." },
    ],
  ] as const)("%s", (_, told, now) => {
    // Read so for the first sweep, and held since the sweep before: neither is news.
    expect(said(firing(now, told), { before: told })).toBe("none: unchanged");
    expect(said(firing(now, told), { before: now })).toBe("none: unchanged");
    expect(sweeps(told, [now, now, now, now])).toEqual(["-", "-", "-", "-"]);
  });

  it("the timed repeat still carries the new words, as it always did", () => {
    const state = firing(SECONDARY_STOPPED_PRIMARY_DOWN, BOTH_STOPPED);
    const d = decide(state, ctx({ now: at(24 * 60), before: SECONDARY_STOPPED_PRIMARY_DOWN }));
    if (d.action !== "repeat") throw new Error(`not a repeat: ${d.action}`);
    // A time a phone's lock screen can show, not the stored ISO string.
    expect(d.event.change).toMatch(/^Still firing after .+ \(since 2026-11-22 02:00 UTC\): /);
    expect(d.event.condition.nextAction).toBe(SECONDARY_STOPPED_PRIMARY_DOWN.nextAction);
  });
});

describe("another owner at the same grade", () => {
  it.each([
    [
      "the carrier's, then yours",
      CARRIER_L2,
      YOUR_BGP,
      `repeat: Changed: now yours, was the carrier's, and so is what to do. Now: ${YOUR_BGP.title}`,
    ],
    [
      "yours, then the carrier's",
      YOUR_BGP,
      CARRIER_L2,
      `repeat: Changed: now the carrier's, was yours, and so is what to do. Now: ${CARRIER_L2.title}`,
    ],
    [
      "the carrier's, then shared",
      CARRIER_L2,
      { ...CARRIER_L2, owner: "shared" as Owner },
      `repeat: Changed: now shared (yours and the carrier's), was the carrier's, and so is what to do. Now: ${CARRIER_L2.title}`,
    ],
  ] as const)("%s: held since the sweep before, sent at once", (_, told, now, expected) => {
    expect(said(firing(now, told), { before: now })).toBe(expected);
    // Read so for the first sweep only: it waits a sweep.
    expect(said(firing(now, told), { before: told })).toBe("none: unchanged");
  });

  it("a real change is one update, the sweep after it is first read, not one per sweep", () => {
    expect(sweeps(CARRIER_L2, [YOUR_BGP, YOUR_BGP, YOUR_BGP, YOUR_BGP, YOUR_BGP])).toEqual([
      "-",
      "repeat you",
      "-",
      "-",
      "-",
    ]);
  });

  it("an outage read alternately as the carrier's and yours sends nothing, and a change that then holds is told once", () => {
    expect(
      sweeps(CARRIER_L2, [
        YOUR_BGP,
        CARRIER_L2,
        YOUR_BGP,
        CARRIER_L2,
        YOUR_BGP,
        YOUR_BGP,
        YOUR_BGP,
      ]),
    ).toEqual(["-", "-", "-", "-", "-", "repeat you", "-"]);
  });

  it("the update is the same incident: same episode, next sequence, and whose it now is kept", () => {
    const d = decide(firing(YOUR_BGP, CARRIER_L2), ctx({ before: YOUR_BGP }));
    if (d.action === "none") throw new Error("nothing sent");
    expect(d.event).toMatchObject({ action: "repeat", episode: 1, sequence: 2, severity: "Sev2" });
    expect(d.event.condition.nextAction).toBe(YOUR_BGP.nextAction);
    expect(d.next.notified).toMatchObject({ episode: 1, owner: "you", title: YOUR_BGP.title });
  });

  it.each([
    ["already recovering (its resolve follows)", "resolving", {}, "none: held-by-hysteresis"],
    [
      "under a silence (held as a repeat is)",
      "firing",
      {
        silencedBy: {
          id: "maint-1",
          circuit: "c1",
          window: { kind: "once", start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z" },
        },
      },
      "none: silenced",
    ],
  ] as const)("%s: no update", (_, phase, extra, expected) => {
    const state = firing(YOUR_BGP, CARRIER_L2, phase);
    expect(said(state, { before: YOUR_BGP, ...(extra as Partial<DecideContext>) })).toBe(expected);
  });

  it("a state stored before whose it was told was recorded waits for the repeat, as before", () => {
    const state = firing(YOUR_BGP, CARRIER_L2);
    const { owner: _, ...older } = state.notified!;
    expect(said({ ...state, notified: older }, { before: YOUR_BGP })).toBe("none: unchanged");
  });

  it.each(["nobody", "toString", 7])(
    "an owner kept in an odd shape (%s, a hand edit) proves nothing",
    (odd) => {
      const state = firing(YOUR_BGP, CARRIER_L2);
      const notified = { ...state.notified!, owner: odd as unknown as Owner };
      expect(said({ ...state, notified }, { before: YOUR_BGP })).toBe("none: unchanged");
    },
  );

  it("an open records whose it is", () => {
    const d = decide({ ...firing(YOUR_BGP, YOUR_BGP), notified: null }, ctx());
    if (d.action !== "open") throw new Error(`not an open: ${d.action}`);
    expect(d.next.notified).toMatchObject({ owner: "you" });
  });
});
