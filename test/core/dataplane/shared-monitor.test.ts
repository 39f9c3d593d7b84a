import { describe, expect, it } from "vitest";
import { alertKey } from "../../../src/core/alert-identity.js";
import {
  endToEndVoices,
  keptVoices,
  monitorsJudged,
  monitorSetOf,
  opensNoLater,
  reachesAllOf,
  sharedMonitorHolds,
  storedVoices,
  type EndToEndVoice,
  type MonitorSpeaker,
  type Standing,
} from "../../../src/core/dataplane/shared-monitor.js";
import type { Finding } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";

const WS =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law";
const CM =
  "/subscriptions/s/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/nw/connectionMonitors/cm-1";
const ID_A =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-a";
const ID_B =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-b";
const ID_C =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-c";

const AT = "2026-11-22T01:10:00.000Z";
const voice = (over: Partial<EndToEndVoice> = {}): EndToEndVoice => ({
  monitors: CM.toLowerCase(),
  peering: "AzurePrivatePeering",
  code: "e2e-fail",
  severity: "Sev1",
  at: AT,
  ...over,
});
const speaker = (circuitId: string, voices: EndToEndVoice[] = [voice()]): MonitorSpeaker => ({
  circuitId,
  circuitName: circuitId.split("/").pop()!,
  tags: {},
  voices,
});
const keyOf = (id: string) => alertKey(id, "AzurePrivatePeering", "end-to-end");

describe("monitorSetOf", () => {
  it.each([
    ["none", [], null],
    [
      "one by id, in any case",
      [{ id: CM.toUpperCase(), name: "cm-1", workspace: WS }],
      CM.toLowerCase(),
    ],
    [
      "a tagged name without an id is its workspace and name, and where it is looked for",
      [
        {
          id: null,
          name: "cm-1",
          workspace: WS,
          near: { subscriptionId: "S", region: "westeurope" },
        },
      ],
      `${WS}|cm-1|s|westeurope`.toLowerCase(),
    ],
    [
      "the same set in another order, one twice (two workspaces)",
      [
        { id: `${CM}-2`, name: "cm-2", workspace: WS },
        { id: CM, name: "cm-1", workspace: WS },
        { id: CM, name: "cm-1", workspace: `${WS}-2` },
      ],
      `${CM.toLowerCase()},${CM.toLowerCase()}-2`,
    ],
  ])("%s", (_name, monitors, expected) => {
    expect(monitorSetOf(monitors as never)).toBe(expected);
  });

  it("two monitors of one name in two regions (or subscriptions), written to one workspace, are two", () => {
    const named = (subscriptionId: string, region: string) =>
      monitorSetOf([
        { id: null, name: "cm-onprem", workspace: WS, near: { subscriptionId, region } },
      ] as never);
    expect(named("s", "westeurope")).not.toBe(named("s", "northeurope"));
    expect(named("s", "westeurope")).not.toBe(named("t", "westeurope"));
    expect(named("s", "westeurope")).toBe(named("S", "WestEurope"));
  });
});

describe("endToEndVoices", () => {
  const finding = (code: Finding["code"], severity: Finding["severity"] = "Sev1") =>
    ({ code, severity, peering: "AzurePrivatePeering" }) as Finding;
  it.each([
    ["an unexplained failure", [finding("e2e-fail")], true, "cm", [voice({ monitors: "cm" })]],
    [
      "a warning and an outage: only the warning",
      [finding("bgp-down", "Sev0"), finding("e2e-warning", "Sev2")],
      true,
      "cm",
      [voice({ monitors: "cm", code: "e2e-warning", severity: "Sev2" })],
    ],
    ["a circuit not read says nothing", [finding("e2e-fail")], false, "cm", []],
    ["no monitors known", [finding("e2e-fail")], true, null, []],
  ])("%s", (_name, findings, circuitRead, monitors, expected) => {
    expect(endToEndVoices({ findings, circuitRead } as never, monitors, AT)).toEqual(expected);
  });
});

describe("sharedMonitorHolds", () => {
  const fresh = (): Standing => "new";
  const heardVoice = voice({ heard: { severity: "Sev1", peakSeverity: "Sev1" } });
  const heardMilder = voice({ heard: { severity: "Sev2", peakSeverity: "Sev2" } });
  const milderNow: Partial<EndToEndVoice> = {
    severity: "Sev2",
    code: "e2e-warning",
    heard: { severity: "Sev2", peakSeverity: "Sev2" },
  };
  const NOW = "2026-11-22T01:15:00.000Z";
  it.each<[string, MonitorSpeaker, MonitorSpeaker[], Standing, string | null]>([
    [
      "a circuit sorting first with the same monitor holds it",
      speaker(ID_B),
      [speaker(ID_A)],
      "new",
      ID_A,
    ],
    [
      "one sorting after does not (no two circuits hold each other)",
      speaker(ID_A),
      [speaker(ID_B)],
      "new",
      null,
    ],
    [
      "... unless its receivers hold its alert",
      speaker(ID_A),
      [speaker(ID_B, [heardVoice])],
      "new",
      ID_B,
    ],
    [
      "one heard comes before one sorting first",
      speaker(ID_C),
      [speaker(ID_A), speaker(ID_B, [heardVoice])],
      "new",
      ID_B,
    ],
    [
      "ids compare in any case",
      speaker(ID_B),
      [speaker(ID_A.toUpperCase())],
      "new",
      ID_A.toUpperCase(),
    ],
    ["the first of several holds", speaker(ID_C), [speaker(ID_B), speaker(ID_A)], "new", ID_A],
    [
      "another monitor holds nothing",
      speaker(ID_B),
      [speaker(ID_A, [voice({ monitors: "other" })])],
      "new",
      null,
    ],
    [
      "a milder one holds nothing",
      speaker(ID_B),
      [speaker(ID_A, [voice({ code: "e2e-warning", severity: "Sev2" })])],
      "new",
      null,
    ],
    [
      "a worse one holds a milder",
      speaker(ID_B, [voice({ code: "e2e-warning", severity: "Sev2" })]),
      [speaker(ID_A)],
      "new",
      ID_A,
    ],
    ["a circuit without voices holds nothing", speaker(ID_B), [speaker(ID_A, [])], "new", null],
    [
      "an alert its receivers heard is never held: it goes on by itself",
      speaker(ID_B),
      [speaker(ID_A, [heardVoice])],
      "heard",
      null,
    ],
    // Its holder's own alert waits longer (that circuit's hysteresis): held once, then it pages.
    [
      "an alert held back once is not held again by one that has not paged",
      speaker(ID_B),
      [speaker(ID_A)],
      "due",
      null,
    ],
    ["... but is by one that has", speaker(ID_B), [speaker(ID_A, [heardVoice])], "due", ID_A],
    [
      "one heard milder does not hold one held back at this grade (its escalation may not go out)",
      speaker(ID_B),
      [speaker(ID_A, [heardMilder])],
      "due",
      null,
    ],
    [
      "one heard milder that worsens now holds one due at this grade for the first time",
      speaker(ID_B),
      [speaker(ID_C, [heardMilder])],
      "new",
      ID_C,
    ],
    [
      "one heard at this grade comes before one sorting first",
      speaker(ID_B),
      [speaker(ID_A), speaker(ID_C, [heardVoice])],
      "new",
      ID_C,
    ],
    [
      "one heard milder whose voice, read this sweep, is milder holds nothing (it will not worsen)",
      speaker(ID_B),
      [speaker(ID_A, [voice({ ...milderNow, at: NOW })])],
      "new",
      null,
    ],
    [
      "one heard milder whose voice is a sweep old holds one due at this grade for the first time (it reads the same monitor)",
      speaker(ID_B),
      [speaker(ID_A, [voice(milderNow)])],
      "new",
      ID_A,
    ],
    [
      "... but not one held back at this grade before",
      speaker(ID_B),
      [speaker(ID_A, [voice(milderNow)])],
      "due",
      null,
    ],
    [
      "one not heard whose voice is milder holds nothing, whatever its id",
      speaker(ID_B),
      [speaker(ID_A, [voice({ severity: "Sev2", code: "e2e-warning" })])],
      "new",
      null,
    ],
  ])("%s", (_name, self, others, standing, holder) => {
    const holds = sharedMonitorHolds(self, others, () => standing, undefined, NOW);
    expect(holds.size).toBe(holder === null ? 0 : 1);
    if (holder === null) expect(holds.size).toBe(0);
    else {
      const hold = holds.get(keyOf(self.circuitId));
      expect(hold?.by).toBe(keyOf(holder));
      expect(hold?.rule).toContain(`it tests ${holder.split("/").pop()} too`);
    }
  });

  it("a holder the caller rules out (silenced, other receivers) holds nothing; the next that may, holds", () => {
    const speaks = (s: MonitorSpeaker) => s.circuitId !== ID_A;
    const holds = sharedMonitorHolds(speaker(ID_C), [speaker(ID_A), speaker(ID_B)], fresh, speaks);
    expect(holds.get(keyOf(ID_C))?.by).toBe(keyOf(ID_B));
    expect(sharedMonitorHolds(speaker(ID_B), [speaker(ID_A)], fresh, speaks).size).toBe(0);
  });
});

describe("keptVoices: what the snapshot keeps when the monitor was not judged", () => {
  const before = [voice(), voice({ peering: "Other" })];
  const heard = (key: string) => key === keyOf(ID_A);
  it.each<[string, EndToEndVoice[] | null, EndToEndVoice[]]>([
    ["judged: this sweep's, whatever was before", [], []],
    ["not judged: those before whose alerts the receivers hold", null, [voice()]],
  ])("%s", (_name, judged, expected) => {
    expect(keptVoices(judged, before, ID_A, heard)).toEqual(expected);
  });

  it.each([
    ["read, monitor read", true, { endToEnd: { ok: true } }, true],
    ["read, monitor read failed", true, { endToEnd: { ok: false } }, false],
    ["read, no Connection Monitor reader", true, {}, false],
    ["not read", false, { endToEnd: { ok: true } }, false],
  ])("monitorsJudged: %s", (_name, circuitRead, dataPlane, expected) => {
    expect(monitorsJudged({ dataPlane }, { circuitRead })).toBe(expected);
  });
});

describe("storedVoices: what a stored row says, checked", () => {
  it.each<[string, unknown, EndToEndVoice[]]>([
    ["absent", undefined, []],
    ["not a list", "e2e-fail", []],
    [
      "a good one kept, odd ones left out",
      [
        voice(),
        null,
        7,
        { ...voice(), monitors: "" },
        { ...voice(), code: "bgp-down" },
        { ...voice(), severity: "sev1" },
        { ...voice(), peering: 3 },
      ],
      [voice()],
    ],
    ["a null peering is a peering", [voice({ peering: null })], [voice({ peering: null })]],
    ["its time not a date", [voice({ at: "yesterday" })], []],
    [
      "what a holder's receivers hold is not taken from a row",
      [voice({ heard: { severity: "Sev1", peakSeverity: "Sev1" } })],
      [voice()],
    ],
  ])("%s", (_name, value, expected) => {
    expect(storedVoices(value)).toEqual(expected);
  });
});

describe("reachesAllOf: an alert speaks for another only when it reaches everyone that one would", () => {
  const routing = {
    actionGroups: [
      { name: "net-oncall", receivers: ["pagerduty", "teams"] },
      { name: "app-oncall", receivers: ["pagerduty-app"] },
      { name: "channel", receivers: ["teams"] },
    ],
    routes: [
      { name: "all", match: { severityAtOrAbove: "Sev1" as const }, actionGroups: ["channel"] },
      { name: "net", match: { circuits: ["er-a", "er-b"] }, actionGroups: ["net-oncall"] },
      { name: "app", match: { circuitTags: { team: "app" } }, actionGroups: ["app-oncall"] },
    ],
  };
  const a = speaker(ID_A);
  const b = speaker(ID_B);
  const appB = { ...b, tags: { Team: "App" } };
  const c = speaker(ID_C);
  it.each<[string, MonitorSpeaker, MonitorSpeaker, boolean]>([
    ["the same routes for both", a, b, true],
    ["the held one's team paged by a route by tag the holder's does not reach", a, appB, false],
    ["the holder reaching more than the held one", a, c, true],
    ["the held one reaching more than the holder", c, a, false],
  ])("%s", (_name, holder, self, expected) => {
    expect(reachesAllOf(routing, holder, voice(), self, voice())).toBe(expected);
  });

  it("a holder heard through a route for opens only reaches its receivers only if its open did", () => {
    const opensOnly = {
      actionGroups: [
        { name: "pager", receivers: ["pagerduty"] },
        { name: "channel", receivers: ["teams"] },
      ],
      routes: [
        {
          name: "page",
          match: { severityAtOrAbove: "Sev1" as const, actions: ["open" as const] },
          actionGroups: ["pager"],
        },
        { name: "tell", match: {}, actionGroups: ["channel"] },
      ],
    };
    // Opened at Sev2, escalated to Sev1: the pager heard neither.
    const escalated = voice({ heard: { severity: "Sev1", peakSeverity: "Sev1" } });
    expect(reachesAllOf(opensOnly, a, escalated, b, voice())).toBe(false);
    // Not heard yet: its open at Sev1 pages.
    expect(reachesAllOf(opensOnly, a, voice(), b, voice())).toBe(true);
  });
});

describe("opensNoLater: a holder that waits longer than this circuit does not hold it", () => {
  const policy = {
    ...DEFAULT_ALERT_POLICY,
    circuits: { "er-a": { openAfter: { Sev1: 4 } }, "er-c": { openAfter: { Sev1: 1 } } },
  } as never;
  it.each<[string, string, string, boolean]>([
    ["same policy", ID_B, ID_A.replace("er-a", "er-d"), true],
    ["the holder's circuit waits 4 sweeps, this one 2", ID_A, ID_B, false],
    ["the holder's circuit opens at once, this one after 2", ID_C, ID_B, true],
  ])("%s", (_name, holder, self, expected) => {
    expect(opensNoLater(policy, speaker(holder), voice(), speaker(self), voice())).toBe(expected);
  });
});

describe("opensNoLater on the timer's tick: a holder whose minutes wait longer than this circuit's ticks does not hold it", () => {
  // Sev1 opens after 10 minutes (minutes stay minutes); Sev2 after 2 sweeps,
  // which on a tick is the second tick in a row, 5 minutes on: with the monitor
  // read clean by an on-demand sweep at 10:08, failing at the 10:10 and 10:15
  // ticks, this circuit's Sev2 opens at 10:15 and the holder's Sev1 at 10:20.
  const policy = {
    ...DEFAULT_ALERT_POLICY,
    openAfterMinutes: { Sev1: 10 },
  } as never;
  const holder = voice({ severity: "Sev1" });
  const mine = voice({ severity: "Sev2", code: "e2e-warning" });
  it.each<[string, boolean, boolean]>([
    ["on a tick, the holder waits its minutes", true, false],
    ["on demand both wait their time alone (9 minutes)", false, true],
  ])("%s", (_name, tick, expected) => {
    expect(opensNoLater(policy, speaker(ID_A), holder, speaker(ID_B), mine, tick)).toBe(expected);
  });
  it("a holder that counts sweeps as this circuit does holds it on a tick too", () => {
    const sweeps = { ...DEFAULT_ALERT_POLICY, openAfterMinutes: {} } as never;
    expect(opensNoLater(sweeps, speaker(ID_A), holder, speaker(ID_B), mine, true)).toBe(true);
  });
});
