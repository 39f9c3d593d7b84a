import { describe, expect, it } from "vitest";
import { alertKey } from "../../../src/core/alert-identity.js";
import {
  endToEndVoices,
  monitorSetOf,
  sharedMonitorHolds,
  storedVoices,
  type EndToEndVoice,
  type MonitorSpeaker,
} from "../../../src/core/dataplane/shared-monitor.js";
import type { Finding } from "../../../src/core/model.js";

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

const voice = (over: Partial<EndToEndVoice> = {}): EndToEndVoice => ({
  monitors: CM.toLowerCase(),
  peering: "AzurePrivatePeering",
  code: "e2e-fail",
  severity: "Sev1",
  ...over,
});
const speaker = (circuitId: string, voices: EndToEndVoice[] = [voice()]): MonitorSpeaker => ({
  circuitId,
  circuitName: circuitId.split("/").pop()!,
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
      "a tagged name without an id is its workspace and name",
      [{ id: null, name: "cm-1", workspace: WS }],
      `${WS}|cm-1`.toLowerCase(),
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
    expect(endToEndVoices({ findings, circuitRead } as never, monitors)).toEqual(expected);
  });
});

describe("sharedMonitorHolds", () => {
  const never = () => false;
  it.each<[string, MonitorSpeaker, MonitorSpeaker[], string | null]>([
    [
      "a circuit sorting first with the same monitor holds it",
      speaker(ID_B),
      [speaker(ID_A)],
      ID_A,
    ],
    [
      "one sorting after never does (no two circuits hold each other)",
      speaker(ID_A),
      [speaker(ID_B)],
      null,
    ],
    ["ids compare in any case", speaker(ID_B), [speaker(ID_A.toUpperCase())], ID_A.toUpperCase()],
    ["the first of several holds", speaker(ID_C), [speaker(ID_B), speaker(ID_A)], ID_A],
    [
      "another monitor holds nothing",
      speaker(ID_B),
      [speaker(ID_A, [voice({ monitors: "other" })])],
      null,
    ],
    [
      "a milder one holds nothing",
      speaker(ID_B),
      [speaker(ID_A, [voice({ code: "e2e-warning", severity: "Sev2" })])],
      null,
    ],
    [
      "a worse one holds a milder",
      speaker(ID_B, [voice({ code: "e2e-warning", severity: "Sev2" })]),
      [speaker(ID_A)],
      ID_A,
    ],
    ["a circuit without voices holds nothing", speaker(ID_B), [speaker(ID_A, [])], null],
  ])("%s", (_name, self, others, holder) => {
    const holds = sharedMonitorHolds(self, others, never);
    if (holder === null) expect(holds.size).toBe(0);
    else {
      const hold = holds.get(keyOf(self.circuitId));
      expect(hold?.by).toBe(keyOf(holder));
      expect(hold?.rule).toContain(`it tests ${holder.split("/").pop()} too`);
    }
  });

  it("an alert its receivers heard is never held: it goes on by itself", () => {
    const heard = (key: string) => key === keyOf(ID_B);
    expect(sharedMonitorHolds(speaker(ID_B), [speaker(ID_A)], heard).size).toBe(0);
  });

  it("a holder whose alert does not go out (silenced) holds nothing; the next that does, holds", () => {
    const speaks = (s: MonitorSpeaker) => s.circuitId !== ID_A;
    const holds = sharedMonitorHolds(speaker(ID_C), [speaker(ID_A), speaker(ID_B)], never, speaks);
    expect(holds.get(keyOf(ID_C))?.by).toBe(keyOf(ID_B));
    expect(sharedMonitorHolds(speaker(ID_B), [speaker(ID_A)], never, speaks).size).toBe(0);
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
  ])("%s", (_name, value, expected) => {
    expect(storedVoices(value)).toEqual(expected);
  });
});
