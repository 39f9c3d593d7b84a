// The sweep's path reads against the simulated estate through the real SDK:
// route summaries first, ARP tables only on a peering whose sessions do not
// prove layer 2, both of its paths (the working one is the carrier ticket's
// comparison); `diagnose`'s runbook reads every ARP table.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import { evaluateCircuit } from "../../../src/core/evaluate.js";
import type { CircuitReading } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { createReadSession, type ReadOptions } from "../../../src/app/ports.js";
import {
  carrierDown,
  DEFAULT_SUBSCRIPTION as SUB,
  estateOf,
  healthyCircuit,
  setBgpState,
  setPrefixes,
  type EstateState,
  type SimCircuit,
} from "../../support/estate/index.js";
import { armReaderOn } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const MICROSOFT = "MicrosoftPeering";
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };

const startEstate = estatePerTest();

/**
 * Reads er-0 in a sweep's session whose ARP witness (the first peering of the
 * subscription to reach its path reads) was er-witness, read just before.
 */
async function readCircuit(
  change: (circuit: SimCircuit) => void,
  options: Partial<ReadOptions> = {},
  /** The read session's own (both circuits'). */
  session: Pick<ReadOptions, "arpWitnesses"> = {},
): Promise<{ reading: CircuitReading; posts: string[]; witnessPosts: string[] }> {
  const state: EstateState = estateOf(
    healthyCircuit({ name: "er-witness" }),
    healthyCircuit({ name: "er-0", microsoftPeering: true }),
  );
  change(state.circuits[1]!);
  const estate = await startEstate(state);
  const reader = armReaderOn(estate, {
    ERWATCH_SUBSCRIPTIONS: SUB,
    ARM_LRO_POLL_INTERVAL_MS: "20",
  });
  const signal = new AbortController().signal;
  const { targets } = await reader.discover(
    { subscriptions: [SUB], circuitIds: [] },
    { abortSignal: signal },
  );
  const memo = createReadSession();
  const postsSince = (from: number) =>
    estate.requests
      .slice(from)
      .filter((r) => r.method === "POST" && r.operation !== "queryResourceGraph")
      .map((r) => `${r.operation} ${r.peering} ${r.devicePath}`)
      .sort();
  const before = estate.requests.length;
  const witness = targets.find((t) => t.name === "er-witness")!;
  await reader.read(witness, { abortSignal: signal, session: memo, ...session });
  const witnessPosts = postsSince(before);
  const from = estate.requests.length;
  const result = await reader.read(
    targets.find((t) => t.name === "er-0")!,
    {
      abortSignal: signal,
      session: memo,
      ...session,
      ...options,
    },
  );
  if (result.kind !== "read") throw new Error(`not read: ${result.kind}`);
  return { reading: result.reading, posts: postsSince(from), witnessPosts };
}

const summaries = [
  `routeTablesSummary ${PRIVATE} primary`,
  `routeTablesSummary ${PRIVATE} secondary`,
  `routeTablesSummary ${MICROSOFT} primary`,
  `routeTablesSummary ${MICROSOFT} secondary`,
].sort();

describe("a sweep's path reads", () => {
  it("read no ARP table where every session is Established with prefixes", async () => {
    const { reading, posts } = await readCircuit(() => {});
    expect(posts).toEqual(summaries);
    const arp = reading.paths[PRIVATE]!.primary.arp;
    expect(arp).toMatchObject({
      ok: "proven",
      by: expect.stringMatching(/^BGP Established with [\d,]+ prefixes received$/),
    });
    expect(arp.readAt).toBe(reading.paths[PRIVATE]!.primary.summary.readAt);
    const { verdict } = evaluateCircuit(reading, null, [], [], POLICY, new Date());
    expect(verdict.findings).toEqual([]);
  });

  it.each([
    ["one session down", (c: SimCircuit) => setBgpState(c, PRIVATE, "secondary", "Active")],
    [
      "a session Established with no prefixes",
      (c: SimCircuit) => setPrefixes(c, PRIVATE, "primary", 0),
    ],
  ])("read both ARP tables of a peering with %s, and only of that peering", async (_, change) => {
    const { posts } = await readCircuit(change);
    expect(posts).toEqual(
      [...summaries, `arpTable ${PRIVATE} primary`, `arpTable ${PRIVATE} secondary`].sort(),
    );
  });

  it.each([
    ["Disabled", []],
    ["Enabled", [`arpTable ${PRIVATE} primary`, `arpTable ${PRIVATE} secondary`]],
  ])(
    "with the peering's IPv6 side %s and its neighbor listed Idle on both paths, read %j besides the summaries",
    async (state, arp) => {
      const { posts, reading } = await readCircuit((c) => {
        const i = c.peerings.findIndex((p) => p.name === PRIVATE);
        for (const path of [c.peerings[i]!.paths.primary, c.peerings[i]!.paths.secondary])
          path.neighbors.push({
            neighbor: "2001:db8::1",
            v: 4,
            as: 65020,
            upDown: "00:12:00",
            statePfxRcd: "Idle",
          });
        c.wire = [
          {
            read: "circuit",
            field: `properties.peerings[${i}].properties.ipv6PeeringConfig`,
            value: {
              primaryPeerAddressPrefix: "2001:db8::/126",
              secondaryPeerAddressPrefix: "2001:db8::4/126",
              state,
            },
          },
        ];
      });
      expect(posts).toEqual([...summaries, ...arp].sort());
      // What the sweep then judges is the same either way for Disabled: no IPv6 finding.
      const { verdict } = evaluateCircuit(reading, null, [], [], POLICY, new Date());
      const codes = verdict.findings.map((f) => f.code);
      if (state === "Disabled") expect(codes).toEqual([]);
      else expect(codes.length).toBeGreaterThan(0);
    },
  );

  it("give a carrier fault its ARP evidence, the working path's table beside it", async () => {
    const { reading } = await readCircuit((c) => carrierDown(c, PRIVATE, "primary"));
    expect(reading.paths[PRIVATE]!.primary.arp).toMatchObject({ ok: true, value: [] });
    expect(reading.paths[PRIVATE]!.secondary.arp).toMatchObject({ ok: true });
    expect(reading.paths[MICROSOFT]!.primary.arp.ok).toBe("proven");
    const { verdict } = evaluateCircuit(reading, null, [], [], POLICY, new Date());
    const finding = verdict.findings.find((f) => f.code === "arp-missing");
    expect(finding).toMatchObject({ owner: "carrier", paths: ["primary"], peering: PRIVATE });
    expect(finding!.ticket).toMatch(/ARP table AzurePrivatePeering primary \(affected\)/);
    expect(finding!.ticket).toMatch(
      /ARP table AzurePrivatePeering secondary \(for comparison\), read [^\n]+:\n +On-Prem +192\.168\.10\.21 /,
    );
  });

  it("read the ARP tables of the first peering of each subscription a sweep reads, whatever it proves", async () => {
    // So a role without the ARP action, or an ARP answer erwatch cannot parse,
    // is blind every sweep, not found in the incident that needs the evidence.
    const { witnessPosts, posts } = await readCircuit(() => {});
    expect(witnessPosts).toEqual(
      [
        `arpTable ${PRIVATE} primary`,
        `arpTable ${PRIVATE} secondary`,
        `routeTablesSummary ${PRIVATE} primary`,
        `routeTablesSummary ${PRIVATE} secondary`,
      ].sort(),
    );
    // Once per sweep's session: the next circuit of the subscription is spared.
    expect(posts).toEqual(summaries);
  });

  it.each([
    { carries: "its message carries the subscription's", witnesses: [SUB.toUpperCase()], arp: 2 },
    { carries: "its message carries another subscription's", witnesses: ["another"], arp: 0 },
    { carries: "its message carries none", witnesses: [], arp: 0 },
  ])(
    "a fan-out batch reads the witness's ARP tables only when $carries",
    async ({ witnesses, arp }) => {
      const { witnessPosts, posts } = await readCircuit(
        () => {},
        {},
        { arpWitnesses: new Set(witnesses.map((s) => s.toLowerCase())) },
      );
      expect(witnessPosts.filter((p) => p.startsWith("arpTable"))).toHaveLength(arp);
      expect(posts).toEqual(summaries);
    },
  );

  it("read every ARP table for diagnose, whatever the sessions prove", async () => {
    const { posts, reading } = await readCircuit(() => {}, { sequential: true });
    expect(posts.filter((p) => p.startsWith("arpTable"))).toHaveLength(4);
    expect(reading.paths[MICROSOFT]!.secondary.arp.ok).toBe(true);
  });
});
