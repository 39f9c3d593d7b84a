// The blind notice over odd stored state: it goes out once, only for an open
// Sev0/Sev1 whose last reading is old enough or of unknown age (a time that
// cannot be read is no reading after anything), and never twice for one
// blindness. A sweep that read the circuit masked by a broken layer below
// (observe.ts) is a reading, not blindness.

import { describe, expect, it } from "vitest";
import { blindNotice, sightRestored } from "../../src/core/blind-notice.js";
import type { AlertState } from "../../src/core/lifecycle.js";

const NOW = new Date("2026-11-22T02:15:00.000Z");
const BLIND_AFTER = 14 * 60_000;

function state(
  over: Partial<AlertState> = {},
  notified: Partial<NonNullable<AlertState["notified"]>> = {},
): AlertState {
  return {
    key: "k",
    family: "path-down",
    circuitId: "c",
    circuitName: "er-1",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 1,
    consecutiveClean: 0,
    firstSeen: "2026-11-22T02:00:00.000Z",
    condition: {
      code: "arp-missing",
      severity: "Sev0",
      layer: "provider",
      owner: "carrier",
      paths: ["primary", "secondary"],
      title: "Both paths down",
      nextAction: "ticket",
      evidence: {},
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: ["primary", "secondary"],
      title: "Both paths down",
      at: "2026-11-22T02:00:00.000Z",
      sequence: 1,
      ...notified,
    },
    sequence: 1,
    lastEvaluatedAt: "2026-11-22T02:10:00.000Z",
    lastFiringAt: "2026-11-22T02:00:00.000Z",
    lastCleanAt: null,
    ...over,
  };
}

describe("blindNotice", () => {
  it.each<{ case: string; given: AlertState; held?: boolean; sent: boolean }>([
    { case: "a Sev0 blind for 15 minutes", given: state(), sent: true },
    { case: "a Sev1 blind for 15 minutes", given: state({}, { severity: "Sev1" }), sent: true },
    {
      case: "a Sev2 (monitoring-blind reaches its receivers)",
      given: state({}, { severity: "Sev2" }),
      sent: false,
    },
    {
      case: "blind for 10 minutes only",
      given: state({ lastFiringAt: "2026-11-22T02:05:00.000Z" }),
      sent: false,
    },
    {
      case: "already told of this blindness",
      given: state({}, { blindSince: "2026-11-22T02:00:00.000Z" }),
      sent: false,
    },
    {
      // Blind since a reading of unknown age (a row kept before these times,
      // and without a count of failed sweeps): past any wait. Never told, a
      // Sev0 whose times were lost stood as paged, blind, for good.
      case: "no reading time stored",
      given: state({ lastFiringAt: null, lastCleanAt: null }),
      sent: true,
    },
    {
      case: "a reading time that cannot be read",
      given: state({ lastFiringAt: "yesterday-ish" }),
      sent: true,
    },
    {
      // Counted, the failed sweeps decide, as monitoring-blind's do.
      case: "a reading time that cannot be read, fewer sweeps failed than monitoring-blind waits for",
      given: state({ lastFiringAt: "yesterday-ish", blindSweeps: 2 }),
      sent: false,
    },
    {
      case: "an unreadable time beside a readable one",
      given: state({ lastFiringAt: "??", lastCleanAt: "2026-11-22T01:55:00.000Z" }),
      sent: true,
    },
    {
      // The provider de-provisioned the circuit: erwatch read it carrying nothing.
      case: "masked by a broken layer below 10 minutes ago",
      given: state({ lastMaskedAt: "2026-11-22T02:05:00.000Z" }),
      sent: false,
    },
    {
      case: "masked, but 15 minutes ago",
      given: state({ lastMaskedAt: "2026-11-22T02:00:00.000Z" }),
      sent: true,
    },
    { case: "nothing notified", given: state({ notified: null }), sent: false },
    { case: "held by a silence or an inhibition", given: state(), held: true, sent: false },
    { case: "a fleet alert", given: state({ family: "fleet", peering: null }), sent: true },
    {
      case: "a traffic-stopped alert whose metrics went missing",
      given: state({ family: "traffic" }),
      sent: true,
    },
    {
      case: "a monitoring-blind alert itself",
      given: state({ family: "monitoring-blind" }),
      sent: false,
    },
  ])("$case → $sent", ({ given, held, sent }) => {
    const d = blindNotice(given, {
      now: NOW,
      blindAfterMs: BLIND_AFTER,
      blindAfterSweeps: 3,
      held: held ?? false,
    });
    expect(d !== null).toBe(sent);
    if (d && d.action !== "none") {
      expect(d.event).toMatchObject({
        action: "repeat",
        severity: given.notified!.severity,
        sequence: 2,
      });
      expect(d.event.change).toMatch(/^Blind: /);
      // A fleet alert's holder is told it is its circuits that cannot be read, not one circuit's layers.
      expect(d.event.change.includes("enough of the circuits this alert names")).toBe(
        given.family === "fleet",
      );
      expect(d.next.notified?.blindSince).toBeDefined();
      expect(sightRestored(d.next.notified)?.blindSince).toBeUndefined();
    }
  });

  // Storage soak seed 937: only the flap alert's history hung, and its Sev1
  // holder read that erwatch could not read its layers, "see its monitoring-blind alert".
  it("says a flap alert's history cannot be read, not its layers, and points at no monitoring-blind alert", () => {
    const flap = state({ family: "session-flapping" }, { severity: "Sev1" });
    const d = blindNotice(flap, {
      now: NOW,
      blindAfterMs: BLIND_AFTER,
      blindAfterSweeps: 3,
      held: false,
      cause: "history",
    });
    expect(d?.action).toBe("repeat");
    if (d?.action !== "repeat") return;
    expect(d.event).toMatchObject({
      blindCause: "history",
      blindSince: "2026-11-22T02:00:00.000Z",
    });
    expect(d.event.change).toBe(
      `Blind: erwatch has not been able to read this circuit's history (Table Storage), which its flaps are counted from, since 2026-11-22 02:00 UTC: the circuit itself still reads, but whether it still flaps cannot be told (erwatch's log says "history could not be read"; no monitoring-blind alert opens for storage); it stands as last seen, neither resolved nor changed. Last seen: Both paths down`,
    );
  });

  // A saturation alert whose secondary's throughput had no series (a gap in
  // Azure Monitor's metrics) told its holder "see its monitoring-blind
  // alert", which a metrics gap never opens.
  it.each<{ family: AlertState["family"]; why: string }>([
    {
      family: "capacity",
      why: "the secondary path could not be read (Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed, which its monitoring-blind alert names (a Log Analytics query's: erwatch's health alert for its workspace))",
    },
    {
      family: "path-down",
      why: "the secondary path could not be read (see its monitoring-blind alert)",
    },
    { family: "traffic", why: "erwatch could not tell whether the secondary path carries" },
  ])(
    "says of a $family alert's lost path why, as its whole-alert notice does",
    ({ family, why }) => {
      const d = blindNotice(state({ family }, { severity: "Sev1" }), {
        now: NOW,
        blindAfterMs: BLIND_AFTER,
        blindAfterSweeps: 3,
        held: false,
        partlyRead: { unread: ["secondary"], paths: ["primary"] },
      });
      expect(d?.action).toBe("repeat");
      if (d?.action !== "repeat") return;
      expect(d.event.change).toBe(
        `Blind: erwatch has not read every path this alert's severity rests on since 2026-11-22 02:00 UTC; at this sweep ${why}, and the primary path read as the alert says; it stands as last seen, neither resolved nor changed. Last seen: Both paths down`,
      );
    },
  );
});

describe("a fleet alert's blind notice", () => {
  it("names the circuits its condition names: one that left the group is news when it breaks again", () => {
    const fleet = state(
      {
        family: "fleet",
        peering: null,
        condition: {
          ...state().condition!,
          // er-a recovered since the open; only er-b still has the outage.
          evidence: { circuits: [{ id: "/sub/er-b", name: "er-b", paths: ["primary"] }] },
        },
      },
      { members: ["/sub/er-a", "/sub/er-b"] },
    );
    const d = blindNotice(fleet, { now: NOW, blindAfterMs: BLIND_AFTER, held: false });
    expect(d?.next.notified?.members).toEqual(["/sub/er-b"]);
    // A path alert's notice carries no members.
    expect(
      blindNotice(state(), { now: NOW, blindAfterMs: BLIND_AFTER, held: false })?.next.notified,
    ).not.toHaveProperty("members");
  });

  it("counts from its members' sighting when its own row missed it (its commit failed in storage), and says since then", () => {
    const fleet = state({ family: "fleet", peering: null });
    // Its row was last read at 02:00; every circuit it names was read at 02:05.
    const early = new Date("2026-11-22T02:15:00.000Z");
    const sighted = {
      held: false,
      blindAfterMs: 15 * 60_000,
      membersReadAt: "2026-11-22T02:05:00.000Z",
    };
    expect(blindNotice(fleet, { now: early, ...sighted })).toBeNull();
    expect(
      blindNotice(fleet, { now: early, held: false, blindAfterMs: 15 * 60_000 }),
    ).not.toBeNull();
    const due = blindNotice(fleet, { now: new Date("2026-11-22T02:20:00.000Z"), ...sighted });
    expect(due?.next.notified?.blindSince).toBe("2026-11-22T02:05:00.000Z");
    // An older sighting than its own says nothing.
    const stale = { ...sighted, membersReadAt: "2026-11-22T01:50:00.000Z" };
    expect(blindNotice(fleet, { now: early, ...stale })?.next.notified?.blindSince).toBe(
      "2026-11-22T02:00:00.000Z",
    );
  });
});
