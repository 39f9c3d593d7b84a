// A traffic stop whose own path was read, with only the path beside it
// unreadable, is judged over (lifecycle.ts onlyBesideUnread), unless its
// evidence says a standby's failover did not happen: that stop is judged by
// the path beside it and held. The evidence is the stored alert row's, any
// JSON to its schema: its `paths` are a map of path to stop, and a list kept
// there (a hand edit) is no map. Read as one, a listed stop naming a
// failover held the alert as blind for as long as the other path was unread.

import { describe, expect, it } from "vitest";
import { onlyBesideUnread, type AlertState } from "../../src/core/lifecycle.js";
import type { Observation } from "../../src/core/observe.js";

const T0 = Date.parse("2026-11-22T10:00:00.000Z");
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();

/** A Sev2 traffic stop on the secondary, told so, its stored evidence's `paths` as given. */
function stopped(paths: unknown): AlertState {
  return {
    key: "erw-traffic",
    family: "traffic",
    circuitId: "c1",
    circuitName: "er1",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 4,
    consecutiveClean: 0,
    firstSeen: at(0),
    condition: {
      code: "traffic-stopped",
      severity: "Sev2",
      layer: "routes",
      owner: "you",
      paths: ["secondary"],
      title: "Link up but carrying nothing on the secondary path",
      nextAction: "look at your edge",
      evidence: { paths },
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: "Sev2",
      peakSeverity: "Sev2",
      paths: ["secondary"],
      title: "as told",
      at: at(10),
      sequence: 1,
      tickDue: at(10),
    },
    sequence: 1,
    lastEvaluatedAt: at(15),
  };
}

/** The secondary read and no stop, the primary beside it unreadable. */
const primaryUnread: Observation = {
  key: "erw-traffic",
  family: "traffic",
  circuitId: "c1",
  peering: "AzurePrivatePeering",
  state: "unknown",
  finding: null,
  previousReadAt: at(15),
  unreadPaths: ["primary"],
};

const stop = { lastCarriedAt: at(0), quietMinutes: 20, bgpAvailability: null };

describe("a traffic stop with only the path beside it unread", () => {
  it.each<{ name: string; paths: unknown; over: boolean }>([
    { name: "its own path's stop: judged over", paths: { secondary: stop }, over: true },
    {
      name: "a standby's failover that did not happen: held",
      paths: { secondary: { ...stop, failoverFrom: "primary" } },
      over: false,
    },
    { name: "no stops kept: judged over", paths: undefined, over: true },
    {
      name: "stops kept as a list, one naming a failover: no map of paths, judged over",
      paths: [{ ...stop, failoverFrom: "primary" }],
      over: true,
    },
    {
      name: "a stop kept as a list under its path: no stop, judged over",
      paths: { secondary: ["failoverFrom"] },
      over: true,
    },
  ])("$name", ({ paths, over }) => {
    expect(onlyBesideUnread(stopped(paths), primaryUnread)).toBe(over);
  });
});
