// A circuit tagged erwatch:expect-gateway=false, wired to a hub and a DR hub,
// loses ONE connection while the other stays Connected. Users saw its gateway
// row flip up → n/a ("conn-er-two-dr gone (was Connected); 1 connected (no
// gateway expected)") and, the n/a having forgotten the connections, back to
// up at the next sweep: two recent changes, flap-like, for one deletion. The
// row decides nothing for such a circuit, and the hub still carries: it stays
// up, saying what was lost at the sweep that sees it, then "1 connected" as
// for a circuit that never had the DR connection. Every connection lost is
// n/a, once. Nothing pages either way.

import { describe, expect, it } from "vitest";
import { graphOutageTimeline, PRIVATE, wiredThrough } from "../support/graph-outage.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();
const NO_GATEWAY = { "erwatch:expect-gateway": "false" };

type Timeline = Awaited<ReturnType<typeof graphOutageTimeline>>;

/** Sweeps from..to, each as "n verdict-row/status-page-row: status-page detail". */
async function rows(t: Timeline, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let n = from; n <= to; n += 1) {
    const swept = await t.sweep(n);
    const live = swept.verdicts[0]!.peerings.find((p) => p.name === PRIVATE)!;
    const shown = await t.gatewayRow();
    out.push(`${n} ${live.paths.primary.gateway.status}/${shown.status}: ${shown.detail}`);
  }
  return out;
}

async function bothConnected(): Promise<Timeline> {
  const t = await graphOutageTimeline(
    worlds,
    wiredThrough({ own: true, elsewhere: true }, NO_GATEWAY),
  );
  expect(await rows(t, 0, 1)).toEqual(["0 up/up: 2 connected", "1 up/up: 2 connected"]);
  return t;
}

describe("no gateway expected, one of two Connected connections lost", () => {
  it("the DR connection deleted: the row stays up, no change listed, nothing paged", async () => {
    const t = await bothConnected();
    const state = t.world.estate.state;
    state.connections = state.connections.filter((c) => c.name !== "conn-er-two-dr");
    // Observed: "2 n/a/n/a: conn-er-two-dr gone (was Connected); 1 connected
    // (no gateway expected)", then "3 up/up: 1 connected", two changes listed.
    expect(await rows(t, 2, 5)).toEqual([
      "2 up/up: conn-er-two-dr gone (was Connected); 1 connected; no gateway expected",
      "3 up/up: 1 connected",
      "4 up/up: 1 connected",
      "5 up/up: 1 connected",
    ]);
    expect(await t.gatewayChanges()).toEqual([]);
    expect(t.sent()).toEqual([]);
  });

  it("the DR connection NotConnected, then Connected again: up throughout, nothing paged", async () => {
    const t = await bothConnected();
    const dr = t.world.estate.state.connections.find((c) => c.name === "conn-er-two-dr")!;
    dr.connectionStatus = "NotConnected";
    const lost = await rows(t, 2, 4);
    dr.connectionStatus = "Connected";
    const back = await rows(t, 5, 6);
    expect([...lost, ...back]).toEqual([
      "2 up/up: conn-er-two-dr NotConnected (was Connected); 1 connected; no gateway expected",
      "3 up/up: 1 connected",
      "4 up/up: 1 connected",
      "5 up/up: 2 connected",
      "6 up/up: 2 connected",
    ]);
    expect(await t.gatewayChanges()).toEqual([]);
    expect(t.sent()).toEqual([]);
  });

  it("both connections deleted: n/a once and it stays n/a, one change, nothing paged", async () => {
    const t = await bothConnected();
    t.world.estate.state.connections = [];
    expect(await rows(t, 2, 4)).toEqual([
      "2 n/a/n/a: conn-er-two gone, conn-er-two-dr gone (was Connected); no connection connected (no gateway expected)",
      "3 n/a/n/a: no connection",
      "4 n/a/n/a: no connection",
    ]);
    // One change, listed once per path (the gateway row is drawn on both).
    const changes = (await t.gatewayChanges()).map((e) =>
      e.kind === "transition" ? `${e.path} ${e.before} → ${e.after}` : e.kind,
    );
    expect(changes.sort()).toEqual(["primary up → n/a", "secondary up → n/a"]);
    expect(t.sent()).toEqual([]);
  });
});
