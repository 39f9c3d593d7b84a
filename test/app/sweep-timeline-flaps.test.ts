// Flapping sessions through the stateful sweep at the default 5-minute cadence:
// fake reads stamped with the injected clock, real Table Storage (Azurite),
// in-memory event sink. Each timeline records how many notifications people got.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CircuitReader, CircuitReadResult, CircuitTarget } from "../../src/app/ports.js";
import { createSweeper } from "../../src/app/sweep.js";
import { alertKey } from "../../src/core/alert-identity.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { withoutRouteTables } from "../../src/core/route-tables.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { circuitReading, neighbor, type CircuitSpec, type PathSpec } from "../support/readings.js";
import { freshStore } from "../support/state.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";
import { memoryLogger } from "../support/test-logger.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
/** The carrier's link drops: ARP empties and the session falls to Idle. */
const carrierDown: PathSpec = { arp: "empty", bgp: "Idle", upDown: "never" };
/** Up since `upAt` minutes, as the route summary's upDown column prints it at `m`. */
const upSince = (upAt: number, m: number, bgp = "120"): PathSpec => {
  const seconds = Math.max(0, (m - upAt) * 60 + 20);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return { bgp, upDown: `${hh}:${mm}:${ss}` };
};

/** Down for two sweeps, up for two, from minute 5: the sweep index decides. */
const downTwoUpTwo = (m: number) => m >= 5 && Math.floor((m / 5 - 1) / 2) % 2 === 0;
/** The minute this up-phase began (the first up sweep's time minus a little). */
const upPhaseStart = (m: number) => {
  let t = m;
  while (t - 5 >= 0 && !downTwoUpTwo(t - 5)) t -= 5;
  return t === 0 ? -24 * 60 : t - 3;
};

const summary = (h: Harness) => h.sent();
const flapEvent = (h: Harness): AlertEvent =>
  h.sink.published.find((e) => e.family === "session-flapping" && e.action === "open")!;

/**
 * Two circuits through the real sweep: er-circuit-carrier (IPv4 only) and
 * er-circuit-dualstack, each read from its own spec, stamped with the sweep's clock.
 */
async function twoCircuits(connectionString: string) {
  const { store } = await freshStore(connectionString);
  const target = (name: string): CircuitTarget => ({
    id: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hybrid-core/providers/Microsoft.Network/expressRouteCircuits/${name}`,
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg-hybrid-core",
    name,
  });
  const v4Circuit = target("er-circuit-carrier");
  const v6Circuit = target("er-circuit-dualstack");
  /** Several circuits, each read from its own spec, stamped with the sweep's clock. */
  const reader = new (class implements CircuitReader {
    specs = new Map<string, CircuitSpec>();
    readAt = "";
    async discover() {
      return { targets: [v4Circuit, v6Circuit], failures: [] };
    }
    async read(t: CircuitTarget): Promise<CircuitReadResult> {
      const r = circuitReading({ ...this.specs.get(t.id), readAt: this.readAt });
      const circuit = r.circuit.ok
        ? { ...r.circuit, value: { ...r.circuit.value, serviceKey: `key-${t.name}` } }
        : r.circuit;
      const reading = { ...r, ref: { ...r.ref, id: t.id, name: t.name }, circuit };
      return { kind: "read", reading: withoutRouteTables(reading), settingProblems: [] };
    }
  })();
  const sink = new InMemoryEventSink();
  let n = 0;
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    historyRetentionDays: 30,
    logger: memoryLogger().logger,
    newId: () => `sweep-${++n}`,
  });
  return {
    v4Circuit,
    v6Circuit,
    sink,
    set(c: CircuitTarget, spec: CircuitSpec) {
      reader.specs.set(c.id, spec);
    },
    async sweepAt(m: number) {
      reader.readAt = new Date(minute(m).getTime() + 20_000).toISOString();
      return sweeper.sweep({
        targets: [v4Circuit, v6Circuit],
        now: minute(m),
        abortSignal: AbortSignal.timeout(30_000),
      });
    },
    of: (c: CircuitTarget) => sink.published.filter((e) => e.circuit.id === c.id),
  };
}

/** The IPv6 row as Azure lists it: v 4 (the BGP version), an IPv6 neighbor address. */
const dual = (v6: string, v6UpDown: string): PathSpec => ({
  bgp: [neighbor("120", 4, "3d04h"), { ...neighbor(v6, 6, v6UpDown), v: 4 }],
});

describe("flapping at a 5-minute cadence", () => {
  it("one path down 2 sweeps / up 2 for 2 hours: one flap alert, not a stream (was 12 notifications, no flap)", async () => {
    const h = await sweepHarness(azurite.connectionString);
    for (let m = 0; m <= 120; m += 5) {
      h.reader.spec = {
        paths: {
          [PRIVATE]: { secondary: downTwoUpTwo(m) ? carrierDown : upSince(upPhaseStart(m), m) },
        },
      };
      await h.run(m);
    }
    const inTwoHours = summary(h);
    // Before the pattern is provable (two down/up cycles) the path alert opens and resolves
    // once; from the second cycle on, one flap alert holds the churn.
    expect(inTwoHours).toEqual([
      "open:path-down:Sev2#1",
      "resolve:path-down:Sev2#2",
      "open:path-down:Sev2#3",
      "open:session-flapping:Sev2#1",
    ]);
    const flap = flapEvent(h);
    expect(flap.paths).toEqual(["secondary"]);
    expect(flap.owner).toBe("carrier");
    expect(flap.evidence.cause).toBe("layer-1");
    // The carrier ticket carries the ARP and route summaries over time.
    expect(flap.ticket).toContain("Service key: a1410692-0000-4ceb-b94a-b90b94d398d1");
    const section = (name: string) =>
      flap.ticket!.split(`${name} over time (UTC):\n`)[1]!.split(/\n[A-Z]/)[0]!;
    expect(section("ARP")).toMatch(/secondary ARP resolves both sides -> ARP table empty/);
    expect(section("Route summary")).toMatch(/secondary Established -> Idle/);
    expect(section("Route summary")).toMatch(/secondary 120 prefixes received of 4,000/);
    expect(flap.ticket).toMatch(/received prefixes stayed healthy/);

    // The session calms: the flap alert resolves, and the path alert it kept open with it.
    h.reader.spec = {};
    for (let m = 125; m <= 200; m += 5) await h.run(m);
    const after = summary(h).slice(inTwoHours.length);
    expect(after.sort()).toEqual(["resolve:path-down:Sev2#4", "resolve:session-flapping:Sev2#2"]);
  });

  it("both paths down 2 / up 2: the Sev0 pages, stays open through the flap, and the flap is Sev1", async () => {
    const h = await sweepHarness(azurite.connectionString);
    for (let m = 0; m <= 120; m += 5) {
      const path = downTwoUpTwo(m) ? carrierDown : upSince(upPhaseStart(m), m);
      h.reader.spec = { paths: { [PRIVATE]: { primary: path, secondary: path } } };
      await h.run(m);
    }
    const inTwoHours = summary(h);
    expect(inTwoHours).toEqual([
      "open:path-down:Sev0#1",
      "resolve:path-down:Sev0#2",
      "open:path-down:Sev0#3",
      "open:session-flapping:Sev1#1",
    ]);
    expect(flapEvent(h).paths).toEqual(["primary", "secondary"]);
    h.reader.spec = {};
    for (let m = 125; m <= 200; m += 5) await h.run(m);
    expect(summary(h).slice(inTwoHours.length).sort()).toEqual([
      "resolve:path-down:Sev0#4",
      "resolve:session-flapping:Sev1#2",
    ]);
  });

  it("a both-paths outage during a one-path flap pages at once: no inhibition holds an alert more severe than its source", async () => {
    const h = await sweepHarness(azurite.connectionString);
    for (let m = 0; m <= 45; m += 5) {
      h.reader.spec = {
        paths: {
          [PRIVATE]: { secondary: downTwoUpTwo(m) ? carrierDown : upSince(upPhaseStart(m), m) },
        },
      };
      await h.run(m);
    }
    expect(summary(h)).toContain("open:session-flapping:Sev2#1");
    const before = summary(h).length;
    // 50: the primary's link dies too, and stays dead.
    h.reader.spec = { paths: { [PRIVATE]: { primary: carrierDown, secondary: carrierDown } } };
    const hard = await h.run(50);
    const paged = summary(h).slice(before);
    expect(paged).toHaveLength(1);
    expect(paged[0]).toMatch(/^(open|escalate):path-down:Sev0#\d+$/);
    expect(hard.decisions.filter((d) => d.reason === "inhibited")).toEqual([]);
    // And it stays one incident while the outage lasts.
    for (let m = 55; m <= 90; m += 5) await h.run(m);
    expect(
      summary(h)
        .slice(before)
        .filter((s) => s.includes("path-down")),
    ).toHaveLength(1);
  });

  it("resets seen only in the session uptime (Established at every read) raise the flap alert", async () => {
    const h = await sweepHarness(azurite.connectionString);
    // The session resets a minute or two after every other read, but each read sees it Established.
    const resetAt = [8, 18, 28, 38, 48, 58];
    const upDownAt = (m: number) => {
      const last = resetAt.filter((r) => r < m).pop();
      return last === undefined ? { bgp: "120", upDown: "3d04h" } : upSince(last, m);
    };
    const outcomes: string[] = [];
    for (let m = 0; m <= 60; m += 5) {
      h.reader.spec = { paths: { [PRIVATE]: { secondary: upDownAt(m) } } };
      const r = await h.run(m);
      outcomes.push(...r.events.map((e) => `${m}:${e.action}:${e.family}`));
    }
    // Resets at 8 and 18 are seen at 10 and 20: two resets, four transitions, more than three in an hour.
    expect(outcomes).toEqual(["20:open:session-flapping"]);
    const flap = flapEvent(h);
    expect(flap.evidence.resets).toMatchObject({ secondary: 2 });
    expect(flap.title).toContain("2 resets between reads");
    expect(summary(h).filter((s) => s.includes("path-down"))).toEqual([]);
  });

  it("a flap with the count at the limit, or Idle (PfxCt), is the route limit: yours, no carrier ticket", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const atLimit = (m: number, upAt: number): PathSpec => upSince(upAt, m, "3990");
    // An hour at 3,990 of 4,000 on both paths, then the secondary keeps tripping max-prefix.
    for (let m = 0; m <= 60; m += 5) {
      h.reader.spec = {
        paths: { [PRIVATE]: { primary: atLimit(m, -600), secondary: atLimit(m, -600) } },
      };
      await h.run(m);
    }
    for (let m = 65; m <= 110; m += 5) {
      const down = Math.floor((m - 65) / 10) % 2 === 0;
      h.reader.spec = {
        paths: {
          [PRIVATE]: {
            primary: atLimit(m, -600),
            secondary: down
              ? { bgp: "Idle (PfxCt)", upDown: "never" }
              : atLimit(m, m - 3 - ((m - 65) % 10)),
          },
        },
      };
      await h.run(m);
    }
    const flap = flapEvent(h);
    expect(flap.owner).toBe("you");
    expect(flap.evidence.cause).toBe("route-limit");
    expect(flap.ticket).toBeNull();
    expect(flap.nextAction).toMatch(/[Ss]ummarise/);
    expect(flap.title).toMatch(/route limit/);
  });

  it("an IPv6 session resetting at its limit of 100 is the route limit (yours, no ticket) while an IPv4 layer-1 flap on another circuit gets the carrier ticket", async () => {
    const { v4Circuit, v6Circuit, set, sweepAt, of } = await twoCircuits(azurite.connectionString);
    for (let m = 0; m <= 120; m += 5) {
      set(v4Circuit, {
        paths: {
          [PRIVATE]: { secondary: downTwoUpTwo(m) ? carrierDown : upSince(upPhaseStart(m), m) },
        },
      });
      // From 00:30 the secondary edge advertises more IPv6 prefixes than the 100 allowed:
      // Microsoft drops the IPv6 session at the 101st and it comes back, so every read
      // sees it Established again at 100, up for less than a minute and a half.
      set(v6Circuit, {
        paths: {
          [PRIVATE]: {
            primary: dual("60", "3d04h"),
            secondary: m < 30 ? dual("60", "3d04h") : dual("100", "00:01:20"),
          },
        },
      });
      await sweepAt(m);
    }
    const flapOf = (c: CircuitTarget) =>
      of(c).find((e) => e.family === "session-flapping" && e.action === "open")!;

    const v6Flap = flapOf(v6Circuit);
    expect(v6Flap.paths).toEqual(["secondary"]);
    expect(v6Flap.evidence.cause).toBe("route-limit");
    expect(v6Flap.owner).toBe("you");
    expect(v6Flap.ticket).toBeNull();
    expect(v6Flap.title).toMatch(/at the route limit/);
    expect(v6Flap.evidence.why).toMatch(
      /received IPv6 prefix count sat at 100 of 100 \(100 %\) on the secondary path/,
    );
    // Nothing about the dual-stack circuit blames the carrier.
    expect(of(v6Circuit).filter((e) => e.owner === "carrier" || e.ticket !== null)).toEqual([]);

    const v4Flap = flapOf(v4Circuit);
    expect(v4Flap.evidence.cause).toBe("layer-1");
    expect(v4Flap.owner).toBe("carrier");
    expect(v4Flap.ticket).toContain("Service key: key-er-circuit-carrier");
    expect(v4Flap.ticket).toMatch(/secondary 120 prefixes received of 4,000/);
  });

  it("an IPv6 session shut at its limit (Idle (PfxCt)) 2 sweeps / back 2, IPv4 Established: one IPv6 route-limit flap instead of a stream of bgp-down pairs; the IPv4 layer-1 flap beside it unchanged", async () => {
    const { v4Circuit, v6Circuit, set, sweepAt, of } = await twoCircuits(azurite.connectionString);
    const sent = (c: CircuitTarget) =>
      of(c).map((e) => `${e.action}:${e.family}:${e.severity}#${e.sequence}`);
    /** Each sweep's notifications for the dual-stack circuit, as "minute action:family:severity#n". */
    const timeline: string[] = [];
    for (let m = 0; m <= 120; m += 5) {
      set(v4Circuit, {
        paths: {
          [PRIVATE]: { secondary: downTwoUpTwo(m) ? carrierDown : upSince(upPhaseStart(m), m) },
        },
      });
      // The secondary edge keeps advertising a 101st IPv6 prefix: Microsoft shuts the IPv6
      // neighbor as Idle (PfxCt) and it comes back at 100; IPv4 stays Established throughout.
      set(v6Circuit, {
        paths: {
          [PRIVATE]: {
            primary: dual("60", "3d04h"),
            secondary: downTwoUpTwo(m)
              ? dual("Idle (PfxCt)", "never")
              : dual("100", upSince(upPhaseStart(m), m).upDown!),
          },
        },
      });
      const before = of(v6Circuit).length;
      await sweepAt(m);
      timeline.push(
        ...sent(v6Circuit)
          .slice(before)
          .sort()
          .map((e) => `${m} ${e}`),
      );
    }
    // Before the pattern is provable (two down/up cycles) the IPv6 bgp-down opens and
    // resolves once; from then on one flap alert holds the churn (was a bgp-down and a
    // near-limit pair per cycle, no flap alert). The near-limit warning opens once and
    // stays open while the session is shut at the limit it announced (it said "has
    // cleared" at 30 and opened again at 40).
    const inTwoHours = sent(v6Circuit);
    expect(timeline).toEqual([
      "10 open:path-down:Sev3#1",
      "20 open:route-limit:Sev2#1",
      "20 resolve:path-down:Sev3#2",
      "30 open:path-down:Sev3#3",
      "35 open:session-flapping:Sev3#1",
    ]);
    const v6Flap = of(v6Circuit).find((e) => e.family === "session-flapping")!;
    expect(v6Flap.paths).toEqual(["secondary"]);
    expect(v6Flap.evidence.cause).toBe("route-limit");
    expect(v6Flap.evidence.pfxCt).toMatch(/secondary: IPv6 Idle \(PfxCt\)/);
    expect(v6Flap.owner).toBe("you");
    expect(v6Flap.ticket).toBeNull();
    expect(v6Flap.nextAction).toMatch(/[Ss]ummarise the on-premises IPv6 advertisements/);
    expect(v6Flap.title).toMatch(
      /^IPv6 BGP session flapping on the secondary path of AzurePrivatePeering at the route limit: \d+ changes in 60 min — IPv6 redundancy at risk; IPv4 carries on$/,
    );

    // The IPv4 layer-1 flap on the other circuit is what it was.
    expect(sent(v4Circuit)).toEqual([
      "open:path-down:Sev2#1",
      "resolve:path-down:Sev2#2",
      "open:path-down:Sev2#3",
      "open:session-flapping:Sev2#1",
    ]);
    const v4Flap = of(v4Circuit).find((e) => e.family === "session-flapping")!;
    expect([v4Flap.evidence.cause, v4Flap.owner]).toEqual(["layer-1", "carrier"]);
    expect(v4Flap.title).toMatch(/^BGP session flapping on the secondary path/);
    expect(v4Flap.ticket).toContain("Service key: key-er-circuit-carrier");

    // The edge is summarised (60 IPv6 prefixes): the flap resolves, and what it kept open with it.
    set(v6Circuit, { paths: { [PRIVATE]: { secondary: dual("60", "3d04h") } } });
    for (let m = 125; m <= 200; m += 5) await sweepAt(m);
    expect(sent(v6Circuit).slice(inTwoHours.length).sort()).toEqual([
      "resolve:path-down:Sev3#4",
      "resolve:route-limit:Sev2#2",
      "resolve:session-flapping:Sev3#2",
    ]);
  });
  it("IPv4 flapping at layer 1 on the primary path while the IPv6 session resets at its limit on the secondary: two flap alerts, the IPv4 one the carrier's with its ticket, the IPv6 one yours", async () => {
    const h = await sweepHarness(azurite.connectionString);
    /** The carrier's link on the primary drops both sessions: ARP empty, IPv4 and IPv6 Idle. */
    const linkDown: PathSpec = {
      arp: "empty",
      bgp: [neighbor("Idle", 4, "never"), { ...neighbor("Idle", 6, "never"), v: 4 }],
    };
    const timeline: string[] = [];
    for (let m = 0; m <= 120; m += 5) {
      const up = upSince(upPhaseStart(m), m).upDown!;
      h.reader.spec = {
        paths: {
          [PRIVATE]: {
            // From 00:05 the primary's link is down two sweeps, up two.
            primary: downTwoUpTwo(m)
              ? linkDown
              : { bgp: [neighbor("120", 4, up), { ...neighbor("60", 6, up), v: 4 }] },
            // The secondary edge advertises a 101st IPv6 prefix in the same rhythm: Microsoft
            // shuts the IPv6 neighbor as Idle (PfxCt); IPv4 stays Established throughout.
            secondary: downTwoUpTwo(m) ? dual("Idle (PfxCt)", "never") : dual("100", up),
          },
        },
      };
      const before = h.sink.published.length;
      await h.run(m);
      timeline.push(
        ...h
          .sent()
          .slice(before)
          .sort()
          .map((e) => `${m} ${e}`),
      );
    }
    // Before the patterns are provable the path alert (the primary's layer 2 and the
    // secondary's IPv6 session: Sev1, for IPv6 then carries on neither path) and the IPv6
    // near-limit warning open and resolve once;
    // from then on one flap alert per family holds the churn (was one Sev2 flap alert for both,
    // judged the route limit's: yours, no carrier ticket for the primary's link).
    expect(timeline).toEqual([
      "10 open:path-down:Sev1#1",
      "20 open:route-limit:Sev2#1",
      "20 resolve:path-down:Sev1#2",
      "30 open:path-down:Sev1#3",
      "35 open:session-flapping:Sev2#1",
      "35 open:session-flapping:Sev3#1",
    ]);
    const flaps = h.sink.published.filter(
      (e) => e.family === "session-flapping" && e.action === "open",
    );
    const v4 = flaps.find((e) => e.severity === "Sev2")!;
    const v6 = flaps.find((e) => e.severity === "Sev3")!;
    // The IPv4 flap keeps the key every flap alert on the peering had, so one open before the
    // upgrade stays the same incident; the IPv6 flap is its own incident.
    expect(v4.key).toBe(alertKey(h.reader.target.id, PRIVATE, "session-flapping"));
    expect(v6.key).not.toBe(v4.key);

    // IPv4 lost the primary and still has the secondary: redundancy at risk, the carrier's link.
    expect(v4.paths).toEqual(["primary"]);
    expect([v4.evidence.cause, v4.owner]).toEqual(["layer-1", "carrier"]);
    expect(v4.title).toBe(
      "BGP session flapping on the primary path of AzurePrivatePeering: 4 changes in 60 min",
    );
    expect(v4.ticket).toContain("Service key: a1410692-0000-4ceb-b94a-b90b94d398d1");
    expect(v4.ticket).toContain("Peering: AzurePrivatePeering; affected path(s): primary\n");
    expect(v4.ticket).toMatch(/primary {3}ARP resolves both sides -> ARP table empty/);
    expect(v4.ticket).toMatch(/resets IPv6 alone, never the path/);
    // The IPv6 session's own changes are its alert's, not the link's evidence.
    expect(v4.ticket).not.toMatch(/secondary Established -> IPv6 Idle \(PfxCt\)/);

    // IPv6 lost the secondary and still has the primary: its own limit, yours, no ticket.
    expect(v6.paths).toEqual(["secondary"]);
    expect([v6.evidence.cause, v6.owner, v6.ticket]).toEqual(["route-limit", "you", null]);
    expect(v6.title).toBe(
      "IPv6 BGP session flapping on the secondary path of AzurePrivatePeering at the route limit: 4 changes in 60 min — IPv6 redundancy at risk; IPv4 flaps on the primary path (its own alert)",
    );
    expect(v6.nextAction).toMatch(/^The IPv6 route limit is resetting the IPv6 session/);

    // The link is mended and the edge summarised (60 IPv6 prefixes): each flap resolves, and
    // what the flaps kept open with them.
    const inTwoHours = h.sent().length;
    h.reader.spec = {
      paths: { [PRIVATE]: { primary: dual("60", "3d04h"), secondary: dual("60", "3d04h") } },
    };
    for (let m = 125; m <= 200; m += 5) await h.run(m);
    expect(h.sent().slice(inTwoHours).sort()).toEqual([
      "resolve:path-down:Sev1#4",
      "resolve:route-limit:Sev2#2",
      "resolve:session-flapping:Sev2#2",
      "resolve:session-flapping:Sev3#2",
    ]);
  });
});

describe("an IPv6 neighbor shut at its limit on the path whose link flaps", () => {
  it("a link that keeps dropping both sessions, IPv6 back a sweep after IPv4 each time: the carrier's IPv4 flap only, no IPv6 flap blaming your config", async () => {
    const h = await sweepHarness(azurite.connectionString);
    const v6 = (state: string, upDown: string) => ({ ...neighbor(state, 6, upDown), v: 4 });
    // Every 15 minutes from minute 5: down one sweep, IPv4 alone the next, both the one after.
    for (let m = 0; m <= 90; m += 5) {
      const phase = m === 0 ? 0 : ((m - 5) / 5) % 3;
      const cycleStart = m - phase * 5;
      h.reader.spec = {
        paths: {
          [PRIVATE]: {
            primary:
              m === 0
                ? dual("60", "3d04h")
                : phase === 0
                  ? { arp: "empty", bgp: [neighbor("Idle", 4, "never"), v6("Idle", "never")] }
                  : phase === 1
                    ? {
                        bgp: [
                          neighbor("120", 4, upSince(cycleStart + 2, m).upDown!),
                          v6("Active", "never"),
                        ],
                      }
                    : {
                        bgp: [
                          neighbor("120", 4, upSince(cycleStart + 2, m).upDown!),
                          v6("60", upSince(cycleStart + 7, m).upDown!),
                        ],
                      },
          },
        },
      };
      await h.run(m);
    }
    const opened = h.sink.published.filter(
      (e) => e.family === "session-flapping" && e.action === "open",
    );
    expect(opened.map((e) => [e.key, e.evidence.cause, e.owner])).toEqual([
      [alertKey(h.reader.target.id, PRIVATE, "session-flapping"), "layer-1", "carrier"],
    ]);
  });

  it("IPv6 listed first in the route summary: the IPv4 layer-1 flap is still the carrier's, with its ticket (the down row named the shut IPv6 neighbor, read as IPv4's route limit)", async () => {
    const h = await sweepHarness(azurite.connectionString);
    /** The IPv6 neighbor is shut as Idle (PfxCt) throughout; Azure lists it first. */
    const shutV6 = { ...neighbor("Idle (PfxCt)", 6, "never"), v: 4 };
    for (let m = 0; m <= 60; m += 5) {
      const up = upSince(upPhaseStart(m), m).upDown!;
      h.reader.spec = {
        paths: {
          [PRIVATE]: {
            // The carrier's link on the primary drops IPv4 two sweeps, up two.
            primary: downTwoUpTwo(m)
              ? { arp: "empty", bgp: [shutV6, neighbor("Idle", 4, "never")] }
              : { bgp: [shutV6, neighbor("120", 4, up)] },
          },
        },
      };
      await h.run(m);
    }
    const flap = h.sink.published.find(
      (e) => e.family === "session-flapping" && e.action === "open" && e.severity === "Sev2",
    )!;
    expect(flap.paths).toEqual(["primary"]);
    expect([flap.evidence.cause, flap.owner]).toEqual(["layer-1", "carrier"]);
    expect(flap.ticket).toContain("Service key: a1410692-0000-4ceb-b94a-b90b94d398d1");
  });
});
