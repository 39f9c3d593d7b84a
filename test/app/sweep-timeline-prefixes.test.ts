// The received-prefix count through the stateful sweep at the default 5-minute
// cadence: fake reads stamped with the injected clock, real Table Storage
// (Azurite), in-memory event sink.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose } from "../../src/app/diagnose.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { parseCircuitId } from "../../src/core/resource-id.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CIRCUIT_ID, neighbor, routeRows } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
/** Minutes from the harness's T0 (01:00 UTC) to a clock time on the same day. */
const clock = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return (h - 1) * 60 + m;
};

describe("prefix count timelines at a 5-minute cadence", () => {
  it("the demo's night: the near-limit headline says when the count reaches the limit", async () => {
    const h = await sweepHarness(azurite.connectionString);
    // demo/timeline.ts, swept every 5 minutes from midnight to 09:15.
    const countAt = (m: number) =>
      m < clock("02:00")
        ? 120
        : m < clock("02:20")
          ? 0
          : m < clock("09:00")
            ? 120
            : m < clock("09:05")
              ? 3000
              : m < clock("09:10")
                ? 3250
                : m < clock("09:15")
                  ? 3400
                  : 3820;
    const titles = new Map<string, string>();
    for (let m = clock("00:00"); m <= clock("09:15"); m += 5) {
      const bgp = String(countAt(m));
      h.reader.spec = { paths: { [PRIVATE]: { primary: { bgp }, secondary: { bgp } } } };
      const result = await h.run(m);
      for (const e of result.events)
        titles.set(`${minute(m).toISOString().slice(11, 16)} ${e.action} ${e.code}`, e.title);
    }
    expect(h.sent()).toEqual([
      "open:path-down:Sev0#1",
      "resolve:path-down:Sev0#2",
      "open:route-limit:Sev3#1",
      "escalate:route-limit:Sev2#2",
    ]);
    // The old 24-hour fit said 10:40 here; the count passed 95 % at 09:15.
    expect(titles.get("09:10 open prefix-limit-near")).toMatch(/reaches 4,000 in about 15 min$/);
    expect(titles.get("09:15 escalate prefix-limit-near")).toMatch(
      /reaches 4,000 in about [1-5] min$/,
    );
    const open = h.sink.published.find((e) => e.code === "prefix-limit-near")!;
    const trend = (open.evidence.trend as Record<string, { reachesLimitAt: string; since: string }>)
      .primary!;
    expect(trend.since).toBe(minute(clock("02:20")).toISOString());
    expect(trend.reachesLimitAt.slice(11, 16)).toBe("09:25");
  });

  it("IPv6: the near-limit alert quotes the IPv6 numbers, and IPv6 with 0 prefixes opens like IPv4", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const dual = (v4: string, v6: string) => ({ bgp: [neighbor(v4, 4), neighbor(v6, 6)] });
    // 00:00-00:10: IPv6 at 97 of 100 on both paths while IPv4 carries 120.
    for (const m of [0, 5, 10]) {
      h.reader.spec = {
        paths: { [PRIVATE]: { primary: dual("120", "97"), secondary: dual("120", "97") } },
      };
      await h.run(m);
    }
    const near = h.sink.published.find((e) => e.code === "prefix-limit-near")!;
    expect(near.severity).toBe("Sev2");
    expect(near.title).toBe(
      "Received IPv6 prefixes at 97% of the route limit on AzurePrivatePeering: 97 of 100",
    );
    // The trend is fitted on the IPv6 samples alone: flat at 97, so no time to the limit
    // (IPv4's 120s are not in it).
    expect(near.evidence.trend).toMatchObject({
      primary: { perHour: 0, reachesLimitAt: null },
      secondary: { perHour: 0, reachesLimitAt: null },
    });
    // 00:15-00:25: the secondary's IPv6 session stays up with nothing received.
    for (const m of [15, 20, 25]) {
      h.reader.spec = {
        paths: { [PRIVATE]: { primary: dual("120", "12"), secondary: dual("120", "0") } },
      };
      await h.run(m);
    }
    const zero = h.sink.published.find((e) => e.code === "no-prefixes-received")!;
    // IPv4 carries beside it: IPv6 redundancy lost (Sev3), as an IPv6 session down is.
    expect([zero.action, zero.severity, zero.paths]).toEqual(["open", "Sev3", ["secondary"]]);
    expect(zero.title).toMatch(/^IPv6 session up but 0 prefixes received on the secondary path/);
    expect(h.sent()).toEqual([
      "open:route-limit:Sev2#1",
      "open:path-down:Sev3#1",
      "resolve:route-limit:Sev2#2",
    ]);
  });

  it("a sudden drop on Established sessions: Sev2 on one path, Sev1 on both, with before and after", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const counts = (primary: string, secondary: string) => ({
      paths: { [PRIVATE]: { primary: { bgp: primary }, secondary: { bgp: secondary } } },
    });
    const script: [number, string, string][] = [
      [0, "3000", "3000"],
      [5, "40", "3000"], // one sweep: held by hysteresis
      [10, "40", "3000"], // opens Sev2
      [15, "40", "38"], // the secondary too: the same alert escalates to Sev1
      [20, "3000", "3000"], // routes are back
      [25, "3000", "3000"],
    ];
    for (const [m, primary, secondary] of script) {
      h.reader.spec = counts(primary, secondary);
      await h.run(m);
    }
    expect(h.sent()).toEqual([
      "open:prefix-drop:Sev2#1",
      "escalate:prefix-drop:Sev1#2",
      "resolve:prefix-drop:Sev1#3",
    ]);
    const [open, escalate] = h.sink.published;
    expect(open!.title).toBe(
      "Received prefixes dropped on the primary path of AzurePrivatePeering: 3,000 → 40 while the session stayed Established",
    );
    expect(open!.evidence.drops).toEqual({
      primary: { at: minute(5).toISOString(), before: 3000, after: 40, now: 40, limit: 4000 },
    });
    expect([escalate!.paths, escalate!.owner]).toEqual([["primary", "secondary"], "you"]);
    // Before this, the same night sent nothing at all.
  });

  it("the prefixes that vanished: the sweep keeps a baseline route table, diagnose --routes compares with it", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const routed = (primary: number, secondary: number) => ({
      paths: {
        [PRIVATE]: {
          primary: { bgp: String(primary), routes: routeRows(primary) },
          secondary: { bgp: String(secondary), routes: routeRows(secondary) },
        },
      },
    });
    const diagnoseNow = (m: number) =>
      diagnose(h.reader, parseCircuitId(CIRCUIT_ID)!, {
        routes: true,
        abortSignal: AbortSignal.timeout(30_000),
        policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
        now: minute(m),
        store: h.store,
      });

    // 00:00: the first sweep also reads the route tables (nothing kept yet) and keeps them.
    h.reader.spec = routed(3000, 3000);
    await h.run(0);
    await h.run(5);
    expect(h.reader.readOptions.map((o) => o.routes)).toEqual([true, false]);
    expect(
      (await h.store.getRouteTables(CIRCUIT_ID)).map((t) => [t.path, t.networks.length]),
    ).toEqual([
      ["primary", 3000],
      ["secondary", 3000],
    ]);

    // 00:10: the primary loses most of its routes; the alert opens at 00:15.
    h.reader.spec = routed(40, 3000);
    await h.run(10);
    await h.run(15);
    expect(h.sent()).toEqual(["open:prefix-drop:Sev2#1"]);

    // The on-call engineer runs diagnose --routes: the 2,960 vanished prefixes, by name.
    const first = await diagnoseNow(16);
    const primary = first.routeChanges!.find((c) => c.path === "primary")!;
    expect([primary.kept, primary.now, primary.vanished.length, primary.frozenByDrop]).toEqual([
      3000,
      40,
      2960,
      true,
    ]);
    expect(primary.vanished.slice(0, 2)).toEqual(["10.0.40.0/24", "10.0.41.0/24"]);
    expect(first.verdict.findings.map((f) => f.code)).toEqual(["prefix-drop"]);
    // While the drop lasts, the kept table stays the one from before it: asking again says the same.
    const again = await diagnoseNow(17);
    expect(again.routeChanges!.find((c) => c.path === "primary")!.vanished).toHaveLength(2960);

    // The routes come back; the drop clears, and the next diagnose keeps the new table.
    h.reader.spec = routed(3000, 3000);
    await h.run(20);
    await h.run(25);
    await h.run(30);
    expect(h.sent()).toEqual(["open:prefix-drop:Sev2#1", "resolve:prefix-drop:Sev2#2"]);
    const after = await diagnoseNow(31);
    expect(after.routeChanges!.map((c) => [c.path, c.vanished.length, c.frozenByDrop])).toEqual([
      ["primary", 0, false],
      ["secondary", 0, false],
    ]);
    // Only the one baseline read in the sweep so far: every other sweep read no route table.
    expect(h.reader.readOptions.filter((o) => o.routes)).toHaveLength(1 + 3);
  });
});
