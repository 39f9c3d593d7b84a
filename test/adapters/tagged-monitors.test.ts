// Users saw a tagged Connection Monitor that is not there dropped in
// silence ("no Connection Monitor tests this circuit", or "up" on another).
// Now each tag entry that names no monitor of the Network Watchers searched
// is a failed read naming it, listing the monitors there, and saying what
// to tag instead.

import { describe, expect, it } from "vitest";
import type { MonitorFacts } from "../../src/adapters/arm/wire/network-watcher.js";
import type { Place } from "../../src/adapters/monitor/monitor-places.js";
import { missingTagged } from "../../src/adapters/monitor/tagged-monitors.js";

const ID = (name: string) =>
  `/subscriptions/sub-1/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope/connectionMonitors/${name}`;
const monitor = (name: string): MonitorFacts => ({
  id: ID(name),
  name,
  location: "westeurope",
  tags: {},
  endpointResourceIds: [],
  workspaces: ["/w"],
  testGroups: null,
  frequencies: [],
  unreadGroups: [],
});
const WHERE: [Place] = [{ subscriptionId: "sub-1", region: "westeurope" }];

describe("tag entries naming no monitor of the region", () => {
  it.each<{ name: string; named: string[]; there: MonitorFacts[]; missing: string[] }>([
    {
      name: "every entry there",
      named: ["cm-a", ID("cm-b")],
      there: [monitor("cm-a"), monitor("cm-b")],
      missing: [],
    },
    {
      name: "another case is the same name",
      named: ["CM-A"],
      there: [monitor("cm-a")],
      missing: [],
    },
    { name: "a renamed monitor", named: ["cm-a"], there: [monitor("cm-a-v2")], missing: ["cm-a"] },
    {
      name: "one of two missing",
      named: ["cm-a", "cm-dc2"],
      there: [monitor("cm-a")],
      missing: ["cm-dc2"],
    },
    {
      name: "an id matching none",
      named: [ID("cm-gone")],
      there: [monitor("cm-a")],
      missing: ["cm-gone"],
    },
    { name: "a watcher with no monitors", named: ["cm-a"], there: [], missing: ["cm-a"] },
  ])("$name", ({ named, there, missing }) => {
    const got = missingTagged(named, there, WHERE);
    expect(got.map((u) => u.monitor)).toEqual(missing);
    for (const u of got) {
      expect(u.failure).toMatchObject({
        kind: "not-found",
        call: "Microsoft.Network/networkWatchers/connectionMonitors/read",
      });
      expect(u.readElsewhere).toBe(false);
    }
  });

  it("says what is there and what to tag", () => {
    const [byName] = missingTagged(["cm-a"], [monitor("cm-a-v2")], WHERE);
    expect(byName!.failure.message).toBe(
      `the Network Watcher of westeurope in subscription sub-1 has no Connection Monitor of that name (renamed, deleted, or misspelt in the tag); it has cm-a-v2 (${ID("cm-a-v2")}): tag the circuit with the monitor's current name or, better, its resource id (${ID("<name>")}, as the portal's JSON view shows it)`,
    );
    const [byId] = missingTagged([ID("cm-gone")], [], WHERE);
    expect(byId!.monitorId).toBe(ID("cm-gone"));
    expect(byId!.failure.message).toMatch(/of that id .*it has none: .*erwatch:workspace tag/);
  });

  it("names every Network Watcher searched, the circuit's own first", () => {
    const places: [Place, ...Place[]] = [
      WHERE[0],
      { subscriptionId: "sub-2", region: "northeurope" },
    ];
    const [byName] = missingTagged(["cm-a"], [], places);
    expect(byName!.failure.message).toMatch(
      /^the Network Watchers of westeurope in subscription sub-1 and of its gateways' regions \(northeurope in subscription sub-2\) have no Connection Monitor of that name .*NetworkWatcher_westeurope\/connectionMonitors\/<name>/,
    );
    const [byId] = missingTagged([ID("cm-gone")], [], places);
    expect(byId!.failure.message).toMatch(
      /a monitor outside those Network Watchers is read only by id/,
    );
  });

  it("a region with no Network Watcher: said so, no watcher's id to tag", () => {
    const [byName] = missingTagged(["cm-a"], [], [{ ...WHERE[0], watchers: [] }]);
    expect(byName!.failure).toMatchObject({
      kind: "not-found",
      monitors: ["cm-a"],
      noNetworkWatcherIn: ["westeurope"],
    });
    expect(byName!.failure.networkWatchers).toBeUndefined();
    expect(byName!.failure.message).toBe(
      "subscription sub-1 has no Network Watcher in westeurope, so no Connection Monitor there (Azure creates one per region on first use; it may have been deleted): a monitor of another region or subscription is read by its resource id with the circuit's erwatch:workspace tag naming its workspace",
    );
  });

  it("several subscriptions with no Network Watcher: each named with its regions, each region once", () => {
    const [byName] = missingTagged(
      ["cm-a"],
      [],
      [
        { ...WHERE[0], watchers: [] },
        { subscriptionId: "sub-2", region: "northeurope", watchers: [] },
        { subscriptionId: "sub-2", region: "westeurope", watchers: [] },
      ],
    );
    expect(byName!.failure.message).toMatch(
      /^subscription sub-1 has no Network Watcher in westeurope, nor subscription sub-2 in northeurope or westeurope, so no Connection Monitor there /,
    );
    expect(byName!.failure.noNetworkWatcherIn).toEqual(["westeurope", "northeurope"]);
  });

  it("Network Watchers not known (not listed): not said to be none", () => {
    const [byName] = missingTagged(["cm-a"], [], WHERE);
    expect(byName!.failure.noNetworkWatcherIn).toBeUndefined();
  });
});
