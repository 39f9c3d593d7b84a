// Dual-stack peerings through the stateful sweep at the default 5-minute
// cadence: fake reads stamped with the injected clock, real Table Storage
// (Azurite), in-memory event sink. Each timeline lists what the receivers
// heard, minute by minute, on a private peering whose secondary path carries
// both families throughout.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BgpNeighborRow, PeeringFacts } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { neighbor, peering, type PathSpec } from "../support/readings.js";
import { sweepHarness, type Harness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";

/** The route summary's upDown of a session up since minute `upAt`, read at minute `m`. */
const upSince = (upAt: number, m: number): string => {
  const seconds = Math.max(0, (m - upAt) * 60 + 20);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}`;
};
/** The IPv6 row as Azure lists it: v 4 (the BGP version), an IPv6 neighbor address. */
const v6 = (statePfxRcd: string, upDown: string): BgpNeighborRow => ({
  ...neighbor(statePfxRcd, 6, upDown),
  v: 4,
});
const v4 = (statePfxRcd: string, upDown: string): BgpNeighborRow =>
  neighbor(statePfxRcd, 4, upDown);
const steady: PathSpec = { bgp: [v4("120", "3d04h"), v6("60", "3d04h")] };

/** IPv4's session on the primary is Idle from 00:40 to 00:55 and back, steady, from 01:00. */
const ipv4Down = (m: number) => m >= 40 && m <= 55;
const ipv4Row = (m: number) =>
  ipv4Down(m) ? v4("Idle", "never") : v4("120", m < 40 ? "3d04h" : upSince(58, m));
/** Until 02:30 the IPv6 session on the primary misbehaves; then it is steady. */
const unstable = (m: number) => m >= 5 && m < 150;
/** The IPv6 session on the primary Idle at every other read, back in between. */
const everyOther = (m: number) =>
  !unstable(m)
    ? v6("60", m < 5 ? "3d04h" : upSince(148, m))
    : (m / 5) % 2 === 1
      ? v6("Idle", "never")
      : v6("60", upSince(m - 3, m));

async function timeline(
  h: Harness,
  until: number,
  primary: (m: number) => PathSpec,
  peerings?: (m: number) => PeeringFacts[],
): Promise<string[]> {
  const heard: string[] = [];
  for (let m = 0; m <= until; m += 5) {
    h.reader.spec = {
      ...(peerings ? { peerings: peerings(m) } : {}),
      paths: { [PRIVATE]: { primary: primary(m), secondary: steady } },
    };
    const before = h.sink.published.length;
    await h.run(m);
    heard.push(
      ...h.sink.published
        .slice(before)
        .map((e) => `${m} ${e.action}:${e.family}:${e.severity}#${e.sequence}`)
        .sort(),
    );
  }
  return heard;
}

describe("an IPv6 flap beside an IPv4 outage on the same path", () => {
  it("IPv6 resetting between reads: IPv4's path-down resolves two sweeps after IPv4 is back (was held until the IPv6 flap calmed, 2.5 h later)", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const heard = await timeline(h, 240, (m) => ({
      // Established at every read, its uptime shorter than the time since the last read.
      bgp: [ipv4Row(m), v6("60", unstable(m) ? upSince(m - 2, m) : upSince(148, m))],
    }));
    expect(heard).toEqual([
      "10 open:session-flapping:Sev3#1",
      "45 open:path-down:Sev2#1",
      "65 resolve:path-down:Sev2#2",
      // Its last reset came back up at 148 (seen at 150, uptime 2 min): out
      // of the 60-min window at 210 (core/flapping.ts counts a reset when its
      // session came back up, not when a sweep saw it).
      "210 resolve:session-flapping:Sev3#2",
    ]);
    const flap = h.sink.published.find((e) => e.family === "session-flapping")!;
    expect(flap.title).toMatch(/^IPv6 BGP session flapping on the primary path/);
  });

  it("IPv6 down at every other read: its downs after IPv4 is back go with its flap, and IPv4's path-down resolves two sweeps after IPv4 is back (was never two clean sweeps in a row)", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const heard = await timeline(h, 240, (m) => ({ bgp: [ipv4Row(m), everyOther(m)] }));
    // The IPv6 bgp-down never opens on its own: down one read, up the next.
    expect(heard).toEqual([
      "20 open:session-flapping:Sev3#1",
      "45 open:path-down:Sev2#1",
      "65 resolve:path-down:Sev2#2",
      "205 resolve:session-flapping:Sev3#2",
    ]);
  });

  it("both families down (layer 2 gone) and back with IPv6 flapping: the shared path alert resolves with IPv4 and layer 2, the IPv6 flap stays its own", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const heard = await timeline(h, 240, (m) =>
      ipv4Down(m)
        ? { arp: "empty", bgp: [v4("Idle", "never"), v6("Idle", "never")] }
        : {
            bgp: [ipv4Row(m), everyOther(m)],
          },
    );
    expect(heard).toEqual([
      "20 open:session-flapping:Sev3#1",
      "45 open:path-down:Sev2#1",
      "65 resolve:path-down:Sev2#2",
      "205 resolve:session-flapping:Sev3#2",
    ]);
    const opened = h.sink.published.find((e) => e.family === "path-down")!;
    expect(opened.title).toMatch(/^Layer 2 down on the primary path/);
  });

  it("both families down and back with IPv6 still Idle, no flap: the shared key goes on as IPv6's alone and resolves when IPv6 is back", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const heard = await timeline(h, 120, (m) =>
      ipv4Down(m)
        ? { arp: "empty", bgp: [v4("Idle", "never"), v6("Idle", "never")] }
        : {
            bgp: [
              ipv4Row(m),
              m < 40 ? v6("60", "3d04h") : m < 90 ? v6("Idle", "never") : v6("60", upSince(88, m)),
            ],
          },
    );
    expect(heard).toEqual([
      "45 open:path-down:Sev2#1",
      "60 deescalate:path-down:Sev3#2",
      "95 resolve:path-down:Sev3#3",
    ]);
    const better = h.sink.published.find((e) => e.action === "deescalate")!;
    expect(better.title).toMatch(
      /^IPv6 BGP Idle on the primary path of AzurePrivatePeering; IPv4 Established and carrying/,
    );
  });
});

describe("a peering whose IPv6 side is Disabled", () => {
  /** The IPv6 neighbor as ARM may list it: Idle two reads, Connect one, Established with nothing one. */
  const listed = (m: number) =>
    m % 20 < 10 ? v6("Idle", "never") : m % 20 < 15 ? v6("Connect", "never") : v6("0", "00:00:40");
  const dualStack = (state: string | null) => [
    peering({ ipv6: { state, advertisedPublicPrefixesState: null, advertisedPublicPrefixes: [] } }),
  ];

  it("pages nothing for the IPv6 neighbor it lists, over two hours", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const heard = await timeline(
      h,
      120,
      (m) => ({ bgp: [v4("120", "3d04h"), listed(m)] }),
      () => dualStack("Disabled"),
    );
    expect(heard).toEqual([]);
  });

  it("Enabled, the same neighbor pages (its bgp-down, then its flap); once the side is Disabled both resolve", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const heard = await timeline(
      h,
      150,
      (m) => ({ bgp: [v4("120", "3d04h"), listed(m)] }),
      (m) => dualStack(m < 60 ? "Enabled" : "Disabled"),
    );
    // Enabled: the neighbor Idle from the first read pages its bgp-down, then its flap.
    // Disabled at 01:00: both resolve two sweeps later, and nothing opens after.
    expect(heard).toEqual([
      "5 open:path-down:Sev3#1",
      "40 open:session-flapping:Sev3#1",
      "65 resolve:path-down:Sev3#2",
      "65 resolve:session-flapping:Sev3#2",
    ]);
  });
});

describe("an IPv6 side carrying routes, then Disabled by its owner", () => {
  const side = (m: number) => [
    peering({
      ipv6: {
        state: m < 30 ? "Enabled" : "Disabled",
        advertisedPublicPrefixesState: null,
        advertisedPublicPrefixes: [],
      },
    }),
  ];
  it.each([
    { how: "listed Idle", row: () => [v6("Idle", "never")] },
    { how: "left out", row: () => [] as BgpNeighborRow[] },
  ])("its neighbor $how on both paths afterwards: nothing pages", async ({ row }) => {
    const h = await sweepHarness(azurite.connectionString);
    const both = (m: number): PathSpec => ({
      bgp: [v4("120", "3d04h"), ...(m < 30 ? [v6("60", "3d04h")] : row())],
    });
    const heard: string[] = [];
    for (let m = 0; m <= 90; m += 5) {
      h.reader.spec = {
        peerings: side(m),
        paths: { [PRIVATE]: { primary: both(m), secondary: both(m) } },
      };
      const before = h.sink.published.length;
      await h.run(m);
      heard.push(...h.sink.published.slice(before).map((e) => `${m} ${e.action}:${e.family}`));
    }
    expect(heard).toEqual([]);
  });
});
