// A dual-stack peering (private, and Microsoft with IPv6 public prefixes):
// the status page's peering line gave IPv4's received prefixes alone, so the
// IPv6 counts (held apart, with their own limit) were on no page, and an IPv6
// session down beside IPv4 Established showed nothing missing. Now each
// family's count per path, "–" for a path whose IPv6 sessions are down (as
// cd8c114 for IPv4). Stored by the real sweeper (FakeReader, Azurite).

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus, type StatusModel } from "../../src/app/status.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { failed, microsoftPeering, neighbor, peering } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const MICROSOFT = "MicrosoftPeering";
const dual = (v4: string, v6: string) => ({ bgp: [neighbor(v4), neighbor(v6, 6)] });
const peeringOf = (model: StatusModel, name: string) =>
  model.circuits[0]!.peerings.find((p) => p.name === name)!;

it("a dual-stack peering shows both families' received prefixes per path, – where IPv6 is down", async () => {
  const h = await sweepHarness(azurite.connectionString);
  const peerings = [peering(), microsoftPeering("Configured")];
  h.reader.spec = {
    peerings,
    paths: {
      [PRIVATE]: { primary: dual("120", "60"), secondary: dual("120", "60") },
      [MICROSOFT]: { primary: dual("8", "4"), secondary: dual("8", "4") },
    },
  };
  await h.run(0);
  const both = await loadStatus(h.store, minute(1), { recentHours: 1, recentLimit: 10 });
  // Observed: no IPv6 count at all.
  expect(peeringOf(both, PRIVATE).ipv6Prefixes).toEqual({ primary: 60, secondary: 60 });
  expect(peeringOf(both, MICROSOFT).ipv6Prefixes).toEqual({ primary: 4, secondary: 4 });
  const html = renderStatusHtml(both);
  expect(html).toContain("prefixes IPv4 120 / 120 · IPv6 60 / 60");
  expect(html).toContain("prefixes IPv4 8 / 8 · IPv6 4 / 4");

  // The secondary's IPv6 session goes Idle beside IPv4 Established (the BGP row warns);
  // the primary's IPv4 goes Idle while its IPv6 stays Established.
  h.reader.spec = {
    peerings,
    paths: {
      [PRIVATE]: { primary: dual("Idle", "60"), secondary: dual("120", "Idle") },
      [MICROSOFT]: { primary: dual("8", "4"), secondary: dual("8", "Active") },
    },
  };
  await h.run(5);
  const down = await loadStatus(h.store, minute(6), { recentHours: 1, recentLimit: 10 });
  const priv = peeringOf(down, PRIVATE);
  expect(priv.paths.secondary.bgp.status).toBe("warn");
  expect(priv.prefixes).toEqual({ primary: null, secondary: 120 });
  expect(priv.ipv6Prefixes).toEqual({ primary: 60, secondary: null });
  expect(peeringOf(down, MICROSOFT).ipv6Prefixes).toEqual({ primary: 4, secondary: null });
  const downHtml = renderStatusHtml(down);
  expect(downHtml).toContain("prefixes IPv4 – / 120 · IPv6 60 / –");
  expect(downHtml).toContain("prefixes IPv4 8 / 8 · IPv6 4 / –");

  // Not read: neither family's count is known.
  h.reader.spec = {
    peerings,
    paths: {
      [PRIVATE]: {
        primary: { bgp: failed({ kind: "throttled" }) },
        secondary: dual("120", "Idle"),
      },
      [MICROSOFT]: { primary: dual("8", "4"), secondary: dual("8", "Active") },
    },
  };
  await h.run(10);
  const unread = await loadStatus(h.store, minute(11), { recentHours: 1, recentLimit: 10 });
  expect(peeringOf(unread, PRIVATE).ipv6Prefixes).toEqual({ primary: null, secondary: null });

  // A peering with no IPv6 session keeps the line as it was: IPv4's alone.
  const single = await sweepHarness(azurite.connectionString);
  await single.run(0);
  const v4 = await loadStatus(single.store, minute(1), { recentHours: 1, recentLimit: 10 });
  expect(peeringOf(v4, PRIVATE).ipv6Prefixes).toBeUndefined();
  expect(renderStatusHtml(v4)).toContain("prefixes 120 / 120");
});

/**
 * A dual-stack peering read up once, its stored row then edited: a hand edit,
 * or an erwatch that kept it otherwise (the row's schema checks IPv4's alone).
 */
async function storedDualStack(edit: (peering: Record<string, unknown>) => void) {
  const h = await sweepHarness(azurite.connectionString);
  h.reader.spec = {
    peerings: [peering()],
    paths: { [PRIVATE]: { primary: dual("120", "60"), secondary: dual("120", "60") } },
  };
  await h.run(0);
  const [snapshot] = await h.store.listSnapshots();
  const stored = (await h.store.getSnapshot(snapshot!.circuitId))!;
  const edited = structuredClone(stored.value) as unknown as {
    peerings: Record<string, Record<string, unknown>>;
  };
  edit(edited.peerings[PRIVATE]!);
  await h.store.putSnapshot(edited as unknown as typeof stored.value, stored.etag);
  return h;
}

it("a stored IPv6 count that is not a count is not shown as one", async () => {
  const h = await storedDualStack((p) => {
    p.ipv6Prefixes = { primary: "60</b>", secondary: { n: 60 } };
  });
  const model = await loadStatus(h.store, minute(1), { recentHours: 1, recentLimit: 10 });
  // Observed: the text and the object passed through as the JSON's counts.
  expect(peeringOf(model, PRIVATE).ipv6Prefixes).toEqual({ primary: null, secondary: null });
  expect(renderStatusHtml(model)).toContain("prefixes IPv4 120 / 120 · IPv6 – / –");
});

it.each<{ name: string; marks: unknown; shown: string }>([
  // Kept before IPv6 sessions were marked apart: the up BGP row says they carry.
  { name: "no marks kept: the count of the up row", marks: undefined, shown: "60 / 60" },
  {
    name: "marks kept as a list, no map of paths: as if none were kept",
    marks: [{ since: "2026-11-22T10:00:00.000Z" }],
    shown: "60 / 60",
  },
  {
    name: "a path's mark kept as a list: no session known Established there",
    marks: { primary: null, secondary: [] },
    shown: "– / –",
  },
])("stored IPv6 session marks, $name", async ({ marks, shown }) => {
  const h = await storedDualStack((p) => {
    if (marks === undefined) delete p.ipv6Sessions;
    else p.ipv6Sessions = marks;
  });
  const model = await loadStatus(h.store, minute(1), { recentHours: 1, recentLimit: 10 });
  expect(renderStatusHtml(model)).toContain(`prefixes IPv4 120 / 120 · IPv6 ${shown}<`);
});

it("IPv6 sessions never up: the peering line says so, where it gave IPv4's count alone", async () => {
  const h = await sweepHarness(azurite.connectionString);
  const spec = (primary: string, secondary: string) => ({
    peerings: [peering()],
    paths: { [PRIVATE]: { primary: dual("120", primary), secondary: dual("120", secondary) } },
  });
  h.reader.spec = spec("Idle", "Idle");
  await h.run(0);
  const never = await loadStatus(h.store, minute(1), { recentHours: 1, recentLimit: 10 });
  const p = peeringOf(never, PRIVATE);
  expect(p.paths.primary.bgp.status).toBe("warn");
  // Observed: no ipv6Prefixes, and "prefixes 120 / 120": nothing of IPv6 on the line.
  expect(p.ipv6Prefixes).toEqual({ primary: null, secondary: null });
  expect(p.ipv6NeverUp).toEqual(["primary", "secondary"]);
  expect(renderStatusHtml(never)).toContain("prefixes IPv4 120 / 120 · IPv6 never up<");

  // The secondary's comes up, then goes down: down is "–", never up stays so.
  h.reader.spec = spec("Idle", "60");
  await h.run(5);
  const one = await loadStatus(h.store, minute(6), { recentHours: 1, recentLimit: 10 });
  expect(peeringOf(one, PRIVATE).ipv6NeverUp).toEqual(["primary"]);
  expect(renderStatusHtml(one)).toContain("prefixes IPv4 120 / 120 · IPv6 never up / 60<");
  h.reader.spec = spec("Idle", "Idle");
  await h.run(10);
  const down = await loadStatus(h.store, minute(11), { recentHours: 1, recentLimit: 10 });
  expect(renderStatusHtml(down)).toContain("prefixes IPv4 120 / 120 · IPv6 never up / –<");

  // The circuit not read: kept as it was.
  h.reader.spec = { ...spec("Idle", "Idle"), circuit: failed({ kind: "throttled" }) };
  await h.run(15);
  const unread = await loadStatus(h.store, minute(16), { recentHours: 1, recentLimit: 10 });
  expect(peeringOf(unread, PRIVATE).ipv6NeverUp).toEqual(["primary"]);
});

it("an IPv6 neighbor removed after never coming up is not said to be never up", async () => {
  const h = await sweepHarness(azurite.connectionString);
  const v4 = { bgp: [neighbor("120")] };
  const at = (primary: object, secondary: object) => ({
    peerings: [peering()],
    paths: { [PRIVATE]: { primary, secondary } },
  });
  // The primary's IPv6 neighbor never comes up; the secondary's carries, then goes.
  h.reader.spec = at(dual("120", "Idle"), dual("120", "60"));
  await h.run(0);
  const line = async (m: number) => {
    const model = await loadStatus(h.store, minute(m), { recentHours: 1, recentLimit: 10 });
    return { p: peeringOf(model, PRIVATE), html: renderStatusHtml(model) };
  };
  expect((await line(1)).html).toContain("prefixes IPv4 120 / 120 · IPv6 never up / 60<");

  // The primary's IPv6 neighbor is taken out of the configuration; the secondary's stays.
  h.reader.spec = at(v4, dual("120", "60"));
  await h.run(5);
  const one = await line(6);
  // Observed: "IPv6 never up / 60", of a neighbor no longer there.
  expect(one.p.ipv6NeverUp).toEqual([]);
  expect(one.p.ipv6NoNeighbor).toEqual(["primary"]);
  expect(one.html).toContain("prefixes IPv4 120 / 120 · IPv6 no neighbor / 60<");

  // Both gone: the peering has no IPv6 side, and its line gives IPv4's alone.
  h.reader.spec = at(v4, v4);
  await h.run(10);
  const none = await line(11);
  // Observed: "IPv6 never up / –", the secondary's last count kept for the drop.
  expect(none.p.ipv6Prefixes).toBeUndefined();
  expect(none.p.ipv6NeverUp).toBeUndefined();
  expect(none.html).toContain("prefixes 120 / 120<");
  expect(none.html).not.toContain("never up");

  // The circuit not read: no count is known, and still no IPv6 side.
  h.reader.spec = { ...at(v4, v4), circuit: failed({ kind: "throttled" }) };
  await h.run(15);
  const unread = await line(16);
  expect(unread.p.ipv6Prefixes).toBeUndefined();
  expect(unread.html).toContain("prefixes – / –<");

  // Put back, never up again: said so.
  h.reader.spec = at(dual("120", "Idle"), v4);
  await h.run(20);
  const back = await line(21);
  expect(back.p.ipv6NeverUp).toEqual(["primary"]);
  expect(back.html).toContain("prefixes IPv4 120 / 120 · IPv6 never up / no neighbor<");
});
