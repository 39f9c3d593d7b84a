// A peering set Disabled and Enabled again is an admin action, not a flap
// (core/flap-history.ts): neither the stop nor the session coming up after the
// enable is a change of its sessions, even when the session takes a read or
// two to establish, or IPv6 comes up a read after IPv4. The path's own changes
// after it are counted as ever. The peering's own row says it was Disabled: a
// carrier de-provisioning the circuit also leaves the BGP row n/a, and its
// drops are the flap to page.

import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../src/core/classify.js";
import { flappingFindings } from "../../src/core/flapping.js";
import type { HistoryEntry, LayerTransition } from "../../src/core/history.js";
import type { LayerStatus, PathName } from "../../src/core/model.js";
import type { SnapshotLayer } from "../../src/core/snapshot.js";
import { circuitReading, CIRCUIT_ID } from "../support/readings.js";

const now = new Date("2026-11-22T03:00:00Z");
const ago = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();
const V6_DOWN = "IPv6 Idle (3ffe:ffff:0:cd30::1); IPv4 Established";
const DETAIL: Partial<Record<SnapshotLayer, Partial<Record<LayerStatus, string>>>> = {
  bgp: { "n/a": "peering disabled", warn: V6_DOWN },
  peering: { up: "Enabled, VLAN 100, peer AS 65010", down: "peering Disabled" },
};

const t = (
  min: number,
  path: PathName,
  layer: SnapshotLayer,
  before: LayerStatus,
  after: LayerStatus,
): LayerTransition => ({
  kind: "transition",
  at: ago(min),
  circuitId: CIRCUIT_ID,
  peering: "AzurePrivatePeering",
  path,
  layer,
  before,
  after,
  beforeDetail: DETAIL[layer]?.[before] ?? "",
  afterDetail: DETAIL[layer]?.[after] ?? "",
});

/** The path down and back by turns: the link's own changes. */
const linkFlap = (path: PathName, minutes: number[]) =>
  minutes.flatMap((m, i) => {
    const down = i % 2 === 0;
    return [
      t(m, path, "path", down ? "up" : "down", down ? "down" : "up"),
      t(m, path, "bgp", down ? "up" : "down", down ? "down" : "up"),
    ];
  });

/** The IPv6 neighbor down and back beside IPv4 Established. */
const ipv6Flap = (path: PathName, minutes: number[]) =>
  minutes.map((m, i) =>
    t(m, path, "bgp", i % 2 === 0 ? "up" : "warn", i % 2 === 0 ? "warn" : "up"),
  );

/** The peering Disabled `at` minutes ago, its path carrying until then. */
const disabled = (at: number, path: PathName) => [
  t(at, path, "path", "up", "down"),
  t(at, path, "bgp", "up", "n/a"),
  t(at, path, "peering", "up", "down"),
];

const run = (history: HistoryEntry[]) =>
  flappingFindings(
    classifyCircuit(circuitReading({})),
    history,
    { transitions: 3, windowMinutes: 60 },
    80,
    now,
  );

describe("flappingFindings: a peering disabled and enabled again", () => {
  it("counts neither the stop nor the session established a read after the enable", () => {
    const history = [
      ...linkFlap("secondary", [55, 45, 35]),
      ...disabled(30, "secondary"),
      // Enabled at 20: the session Idle for a read, Established at 15.
      t(20, "secondary", "peering", "down", "up"),
      t(20, "secondary", "bgp", "n/a", "down"),
      t(15, "secondary", "bgp", "down", "up"),
      t(15, "secondary", "path", "down", "up"),
    ];
    expect(run(history)).toEqual([]);
  });

  it("counts no IPv6 change for IPv6 established a read after IPv4 once enabled", () => {
    const history = [
      ...ipv6Flap("primary", [55, 45, 40]),
      // Disabled at 35 with IPv6 down, Enabled at 20: IPv4 up at once, IPv6 at 15.
      t(35, "primary", "bgp", "warn", "n/a"),
      t(35, "primary", "path", "up", "down"),
      t(35, "primary", "peering", "up", "down"),
      t(20, "primary", "peering", "down", "up"),
      t(20, "primary", "bgp", "n/a", "warn"),
      t(20, "primary", "path", "down", "up"),
      t(15, "primary", "bgp", "warn", "up"),
    ];
    expect(run(history)).toEqual([]);
  });

  it("still counts the path's own changes after the session came back", () => {
    const history = [
      ...disabled(50, "primary"),
      t(40, "primary", "peering", "down", "up"),
      t(40, "primary", "bgp", "n/a", "up"),
      t(40, "primary", "path", "down", "up"),
      ...linkFlap("primary", [30, 25, 15, 10]),
    ];
    const [flap] = run(history);
    expect(flap).toMatchObject({ code: "session-flapping", paths: ["primary"] });
    expect(flap!.title).toContain(": 4 changes in 60 min");
  });

  it("counts a carrier de-provisioning the circuit and provisioning it again: the peering stayed Enabled", () => {
    // The BGP row is n/a while the provider is NotProvisioned, as it is for a
    // peering Disabled; the peering row did not move.
    const history = [10, 20, 30, 40].flatMap((m, i) => {
      const drop = i % 2 === 0;
      const nowCell: LayerStatus = drop ? "down" : "up";
      return [
        t(m, "primary", "provider", drop ? "up" : "down", nowCell),
        t(m, "primary", "bgp", drop ? "up" : "n/a", drop ? "n/a" : "up"),
        t(m, "primary", "path", drop ? "up" : "down", nowCell),
      ];
    });
    const [flap] = run(history);
    expect(flap).toMatchObject({ code: "session-flapping", paths: ["primary"] });
    expect(flap!.title).toContain(": 4 changes in 60 min");
  });

  it("counts the path's changes with a Microsoft peering's prefixes going unvalidated: that is no admin state", () => {
    const unvalidated = (m: number, down: boolean): LayerTransition => ({
      ...t(m, "primary", "peering", down ? "up" : "down", down ? "down" : "up"),
      beforeDetail: down ? "public prefixes validated" : "public prefixes ValidationNeeded",
      afterDetail: down ? "public prefixes ValidationNeeded" : "public prefixes validated",
    });
    const history = [40, 30, 20, 10].flatMap((m, i) => [
      t(m, "primary", "path", i % 2 === 0 ? "up" : "down", i % 2 === 0 ? "down" : "up"),
      unvalidated(m, i % 2 === 0),
    ]);
    const [flap] = run(history);
    expect(flap).toMatchObject({ code: "session-flapping", paths: ["primary"] });
    expect(flap!.title).toContain(": 4 changes in 60 min");
  });
});
