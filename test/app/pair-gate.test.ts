// The pair gate: which readings may be judged when, and what each is told of
// its partners. Readings here carry only what the gate looks at.

import { describe, expect, it } from "vitest";
import { createPairGate, pairMembers, type PairMember } from "../../src/app/pair-gate.js";
import type { CircuitTarget } from "../../src/app/ports.js";
import type { StateStore } from "../../src/app/state-store.js";
import type { Logger } from "../../src/logging.js";
import type { CircuitReading } from "../../src/core/model.js";
import type { SiteStatus, SiteTraffic } from "../../src/core/pairs.js";
import type { Snapshot } from "../../src/core/snapshot.js";

const NOW = new Date("2026-12-01T02:00:00.000Z");
const MIN = 60_000;

function reading(
  name: string,
  pair?: string,
  status: SiteStatus = "carrying",
  traffic: SiteTraffic = "unknown",
): CircuitReading {
  return {
    ref: { id: `/c/${name}`, name },
    settings: pair ? { pair } : {},
    status,
    traffic,
  } as unknown as CircuitReading;
}

/**
 * A stored partner whose private peering was up (or down) `ageMinutes` ago,
 * its throughput flowing (or quiet) when `flowing` is given.
 */
function stored(name: string, ageMinutes: number, up = true, flowing?: boolean): PairMember {
  const cell = { path: { status: up ? "up" : "down" } };
  const carry = flowing ? "flowing" : "quiet";
  return {
    id: `/c/${name}`,
    name,
    snapshot: {
      circuitId: `/c/${name}`,
      circuitName: name,
      takenAt: new Date(NOW.getTime() - ageMinutes * MIN).toISOString(),
      peerings: { AzurePrivatePeering: { paths: { primary: cell, secondary: cell } } },
      ...(flowing === undefined
        ? {}
        : { traffic: { AzurePrivatePeering: { primary: carry, secondary: "quiet" } } }),
    } as unknown as Snapshot,
  };
}

const member = (name: string): PairMember => ({ id: `/c/${name}`, name, snapshot: null });

function gate(members: PairMember[], inRun: string[]) {
  return createPairGate({
    members: new Map([["site-a", members]]),
    inRun: new Set(inRun.map((n) => `/c/${n}`)),
    now: NOW,
    maxAgeMs: 20 * MIN,
    judge: (r) => {
      const { status, traffic } = r as unknown as { status: SiteStatus; traffic: SiteTraffic };
      return { status, traffic };
    },
  });
}

const names = (released: { reading: CircuitReading }[]) => released.map((r) => r.reading.ref.name);
const partners = (released: { pair: { partners: unknown[] } | null }[]) =>
  released.map((r) => r.pair?.partners ?? null);

describe("pair gate", () => {
  it("passes a circuit without a pair straight through, told nothing", () => {
    const g = gate([member("a"), member("b")], ["a", "b", "x"]);
    expect(g.offer(reading("x"))).toEqual([{ reading: reading("x"), pair: null }]);
  });

  it("holds a circuit until its partner in the same run arrives, then tells each of the other", () => {
    const g = gate([member("a"), member("b")], ["a", "b"]);
    expect(g.offer(reading("a", "site-a", "down", "quiet"))).toEqual([]);
    const released = g.offer(reading("b", "Site-A", "carrying", "carrying"));
    expect(names(released).sort()).toEqual(["a", "b"]);
    const byName = Object.fromEntries(released.map((r) => [r.reading.ref.name, r.pair]));
    expect(byName.a).toEqual({
      name: "site-a",
      partners: [{ id: "/c/b", name: "b", status: "carrying", traffic: "carrying" }],
    });
    expect(byName.b!.partners).toEqual([
      { id: "/c/a", name: "a", status: "down", traffic: "quiet" },
    ]);
  });

  it.each([
    { case: "fresh and up", age: 5, up: true, status: "carrying", traffic: "unknown" },
    { case: "fresh and down", age: 5, up: false, status: "down", traffic: "unknown" },
    { case: "older than the age limit", age: 25, up: true, status: "unknown", traffic: "unknown" },
    {
      case: "fresh, its throughput flowing",
      age: 5,
      up: true,
      flowing: true,
      status: "carrying",
      traffic: "carrying",
    },
    {
      case: "fresh, its throughput quiet",
      age: 5,
      up: true,
      flowing: false,
      status: "carrying",
      traffic: "quiet",
    },
    {
      case: "flowing, but older than the age limit",
      age: 25,
      up: true,
      flowing: true,
      status: "unknown",
      traffic: "unknown",
    },
  ])(
    "takes a partner outside the run from its snapshot: $case",
    ({ age, up, flowing, status, traffic }) => {
      const g = gate([member("a"), stored("b", age, up, flowing)], ["a"]);
      const released = g.offer(reading("a", "site-a"));
      expect(names(released)).toEqual(["a"]);
      expect(partners(released)).toEqual([[{ id: "/c/b", name: "b", status, traffic }]]);
    },
  );

  it.each([
    {
      case: "its stored reading fresh and flowing: that",
      age: 5,
      flowing: true,
      traffic: "carrying",
    },
    { case: "its stored reading fresh and quiet: that", age: 5, flowing: false, traffic: "quiet" },
    { case: "its stored reading stale: unknown", age: 25, flowing: true, traffic: "unknown" },
  ])(
    "a partner read in the run with its throughput unknown (a gap) is told by its stored reading: $case",
    ({ age, flowing, traffic }) => {
      const g = gate([member("a"), stored("b", age, true, flowing)], ["a", "b"]);
      expect(g.offer(reading("a", "site-a", "carrying", "quiet"))).toEqual([]);
      const released = g.offer(reading("b", "site-a", "carrying", "unknown"));
      const byName = Object.fromEntries(released.map((r) => [r.reading.ref.name, r.pair]));
      expect(byName.a!.partners).toEqual([{ id: "/c/b", name: "b", status: "carrying", traffic }]);
    },
  );

  it("a partner read in the run with its throughput known goes by that, whatever it stored", () => {
    const g = gate([member("a"), stored("b", 5, true, true)], ["a", "b"]);
    g.offer(reading("a", "site-a", "carrying", "quiet"));
    const released = g.offer(reading("b", "site-a", "carrying", "quiet"));
    const byName = Object.fromEntries(released.map((r) => [r.reading.ref.name, r.pair]));
    expect(byName.a!.partners).toEqual([
      { id: "/c/b", name: "b", status: "carrying", traffic: "quiet" },
    ]);
  });

  it("a partner that never arrives (unreached, failed) is waited for only until the run ends", () => {
    const g = gate([member("a"), member("b")], ["a", "b"]);
    expect(g.offer(reading("a", "site-a"))).toEqual([]);
    expect(g.held().map((r) => r.ref.name)).toEqual(["a"]);
    const released = g.flush();
    expect(names(released)).toEqual(["a"]);
    expect(partners(released)).toEqual([
      [{ id: "/c/b", name: "b", status: "unknown", traffic: "unknown" }],
    ]);
    expect(g.held()).toEqual([]);
  });

  it("a circuit alone in its pair is graded as before (no partners)", () => {
    const g = gate([member("a")], ["a"]);
    expect(g.offer(reading("a", "site-a"))).toEqual([
      { reading: reading("a", "site-a"), pair: null },
    ]);
  });

  it("judges a reading only when a partner asks, and once", () => {
    let judged = 0;
    const g = createPairGate({
      members: new Map([["site-a", [member("a"), member("b"), member("c")]]]),
      inRun: new Set(["/c/a", "/c/b", "/c/c", "/c/x"]),
      now: NOW,
      maxAgeMs: 20 * MIN,
      judge: () => {
        judged += 1;
        return { status: "carrying", traffic: "carrying" };
      },
    });
    g.offer(reading("x"));
    expect(judged).toBe(0);
    g.offer(reading("a", "site-a"));
    g.offer(reading("b", "site-a"));
    g.offer(reading("c", "site-a"));
    expect(judged).toBe(3);
  });
});

describe("pair members", () => {
  const target = (name: string, pair: string) =>
    ({ id: `/c/${name}`, name, tags: { "erwatch:pair": pair } }) as unknown as CircuitTarget;
  const store = { listSnapshots: async () => [] } as unknown as StateStore;
  const log = { warn: () => undefined } as unknown as Logger;

  it("joins no circuits by a yes/no erwatch:pair: it names no site", async () => {
    expect(await pairMembers(store, [target("a", "true"), target("b", "TRUE")], log)).toBeNull();
    const members = await pairMembers(
      store,
      [target("a", "site-a"), target("b", "Site-A"), target("z", "yes")],
      log,
    );
    expect([...members!].map(([pair, list]) => [pair, list.map((m) => m.name)])).toEqual([
      ["site-a", ["a", "b"]],
    ]);
  });
});
