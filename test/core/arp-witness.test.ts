// Which work message of a fanned-out sweep reads each subscription's ARP
// witness: one per subscription, where it is most likely to be read.

import { describe, expect, it } from "vitest";
import { arpWitnesses, pathPromise, type WitnessBatch } from "../../src/core/arp-witness.js";

/** `session batch: subscription/promise …` → a batch. */
const batch = (text: string): WitnessBatch => {
  const [head, rest] = text.split(": ") as [string, string];
  const [session, n] = head.split(" ") as [string, string];
  return {
    session,
    batch: Number(n),
    items: rest.split(" ").map((item) => {
      const [subscriptionId, paths] = item.split("/") as [
        string,
        WitnessBatch["items"][0]["paths"],
      ];
      return { subscriptionId, paths };
    }),
  };
};

describe("arpWitnesses", () => {
  it.each([
    {
      why: "one subscription in three batches: its first",
      batches: ["A 1: A/enabled A/enabled", "A 2: A/enabled A/enabled", "A 3: A/enabled"],
      witnesses: [["a"], [], []],
    },
    {
      why: "a batch whose circuits read no peering gives way to a later one",
      batches: ["A 1: A/none A/none", "A 2: A/none A/enabled"],
      witnesses: [[], ["a"]],
    },
    {
      why: "a named circuit (no listing: its GET may show a peering) before one with none",
      batches: ["A 1: A/none", "A 2: A/unknown"],
      witnesses: [[], ["a"]],
    },
    {
      why: "a subscription whose circuits all read none still has one message marked (its witness is moot)",
      batches: ["A 1: A/none", "A 2: A/none"],
      witnesses: [["a"], []],
    },
    {
      why: "its own session before another's that a site's circuits travel in, batch for batch",
      batches: ["A 1: A/enabled B/enabled", "B 1: B/enabled"],
      witnesses: [["a"], ["b"]],
    },
    {
      why: "another session's batch when only it reads a peering of the subscription",
      batches: ["A 1: A/enabled B/enabled", "B 1: B/none"],
      witnesses: [["a", "b"], []],
    },
    {
      why: "subscription ids in any case are one subscription",
      batches: ["Sub-A 2: sub-a/enabled", "sub-a 1: SUB-A/enabled"],
      witnesses: [[], ["sub-a"]],
    },
  ])("$why", ({ batches, witnesses }) => {
    expect(arpWitnesses(batches.map(batch))).toEqual(witnesses);
  });

  it("no batches, no witnesses", () => {
    expect(arpWitnesses([])).toEqual([]);
  });
});

describe("pathPromise", () => {
  const listed = (...states: (string | null)[]) => ({
    listed: { facts: { peerings: states.map((state) => ({ state })) } },
  });
  it.each([
    { why: "an Enabled peering", circuit: listed("Disabled", "Enabled"), promise: "enabled" },
    { why: "none Enabled", circuit: listed("Disabled", null), promise: "none" },
    {
      why: "peerings ARM left out",
      circuit: { listed: { facts: { peerings: null } } },
      promise: "none",
    },
    { why: "no listing (named, read by GET)", circuit: {}, promise: "unknown" },
    {
      why: "tagged erwatch:ignore (not read)",
      circuit: { ...listed("Enabled"), tags: { "erwatch:ignore": "true" } },
      promise: "none",
    },
  ])("$why: $promise", ({ circuit, promise }) => {
    expect(pathPromise(circuit)).toBe(promise);
  });
});
