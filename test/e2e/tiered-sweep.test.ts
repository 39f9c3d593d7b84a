// The tiered sweep over the real wire (issue 13): the listing is the cheap
// tier for every circuit every sweep, with no GET per circuit; deep reads go
// where the listing shows a change, where stored state is trouble, and to a
// rotation that finds a quiet circuit's outage within the age limit; a fault
// pages before the rest of the estate is read; what the deadline leaves is
// named and read first next time; and a stopped sweep (Ctrl-C, SIGTERM)
// sends nothing more to ARM.

import { describe, expect, it } from "vitest";
import { loadStatus } from "../../src/app/status.js";
import { createSweeper, type SweepResult } from "../../src/app/sweep.js";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  metricsDip,
  setProviderState,
  type RecordedRequest,
  type SimCircuit,
} from "../support/estate/index.js";
import { ALERTS_QUEUE, type World } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

async function estate(count: number, env: Record<string, string> = {}) {
  const bundles = Array.from({ length: count }, (_, i) =>
    healthyCircuit({ name: `er-${String(i).padStart(2, "0")}` }),
  );
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    // A timer every 5 minutes, and the default 15-minute age limit.
    env: { SWEEP_SCHEDULE: "0 */5 * * * *", ...env },
  });
  const circuits = bundles.map((b) => b.circuit as SimCircuit);
  return {
    w,
    circuits,
    byName: (name: string) => circuits.find((c) => c.name === name)!,
    /** A timer sweep at T0 + minutes, with the ARM requests it sent. */
    async at(minutes: number): Promise<{ result: SweepResult; requests: RecordedRequest[] }> {
      now = new Date(T0 + minutes * MIN);
      const from = w.estate.requests.length;
      const result = await w.timerSweep();
      return { result, requests: w.estate.requests.slice(from) };
    },
    sent: () =>
      w.broker.accepted(ALERTS_QUEUE).map((m) => {
        const e = m.body as { action: string; family: string; circuit: { name: string } };
        return `${e.action}:${e.family}:${e.circuit.name}`;
      }),
    setNow(minutes: number) {
      now = new Date(T0 + minutes * MIN);
    },
  };
}

// The per-path reads are POSTs on a circuit (a Resource Graph query is a POST on none).
const deepRead = (requests: RecordedRequest[]) =>
  [
    ...new Set(
      requests.filter((r) => r.method === "POST" && r.circuit !== undefined).map((r) => r.circuit),
    ),
  ].sort();

describe("the cheap tier every sweep, deep reads where they tell something", () => {
  it("reads the listing, never a GET per circuit, and only the rotation's share deep when all is quiet", async () => {
    const e = await estate(12);
    const first = await e.at(0);
    expect(first.result.plan.deep.map((d) => d.reason)).toEqual(Array(12).fill("new"));
    expect(first.requests.filter((r) => r.operation === "getCircuit")).toEqual([]);
    const steady = await e.at(5);
    // 12 circuits, 15-minute limit, 5-minute timer: half of them each sweep.
    expect(steady.result.plan).toMatchObject({ quiet: 6, rotationQuota: 6 });
    expect(steady.result.plan.deep.map((d) => d.reason)).toEqual(Array(6).fill("rotation"));
    expect(deepRead(steady.requests)).toHaveLength(6);
    expect(steady.requests.filter((r) => r.operation === "getCircuit")).toEqual([]);
    expect(steady.requests.filter((r) => r.operation === "listCircuits").length).toBeGreaterThan(0);
    // The other half next time: every reading stays within the limit.
    const next = await e.at(10);
    expect(deepRead(next.requests)).toEqual(
      e.circuits.map((c) => c.name).filter((n) => !deepRead(steady.requests).includes(n)),
    );
  });

  it("reads a circuit deep in the first sweep after its listing changes, and pages", async () => {
    const e = await estate(12);
    await e.at(0);
    await e.at(5);
    setProviderState(e.byName("er-07"), "NotProvisioned");
    const { result } = await e.at(10);
    expect(result.plan.deep[0]).toMatchObject({ name: "er-07", reason: "changed" });
    expect(e.sent()).toEqual(["open:provider:er-07"]);
  });

  it("finds an outage the listing cannot show (both paths down on a quiet circuit) by rotation within the age limit, then reads it every sweep", async () => {
    // Azure Monitor off: the rotation alone holds the guarantee.
    const e = await estate(12, { SWEEP_MAX_READ_AGE_MINUTES: "15", ERWATCH_DATA_PLANE: "none" });
    await e.at(0);
    carrierDown(e.byName("er-03"), PRIVATE, "primary");
    carrierDown(e.byName("er-03"), PRIVATE, "secondary");
    let foundAt: number | null = null;
    for (const m of [5, 10, 15, 20]) {
      await e.at(m);
      if (foundAt === null && e.sent().includes("open:path-down:er-03")) foundAt = m;
    }
    expect(foundAt).not.toBeNull();
    expect(foundAt!).toBeLessThanOrEqual(15);
    for (const m of [25, 30]) {
      const { result, requests } = await e.at(m);
      expect(result.plan.deep[0]).toMatchObject({ name: "er-03", reason: "trouble" });
      expect(deepRead(requests)).toContain("er-03");
    }
  });

  it("reads a quiet circuit deep as soon as Azure Monitor shows its sessions down, long before the rotation would", async () => {
    // A one-hour age limit: the rotation alone would take up to an hour.
    const e = await estate(12, { SWEEP_MAX_READ_AGE_MINUTES: "60" });
    await e.at(0);
    await e.at(5);
    const { result: justRead } = await e.at(10);
    // Just read: the rotation will not come back to it for most of an hour.
    const name = justRead.plan.deep.find((d) => d.reason === "rotation")!.name;
    carrierDown(e.byName(name), PRIVATE, "primary");
    carrierDown(e.byName(name), PRIVATE, "secondary");
    const quiet = await e.at(15);
    // Azure withholds the newest minutes: the dip is not in this sweep's metrics yet.
    expect(quiet.result.plan.deep.map((d) => d.name)).not.toContain(name);
    const { result, requests } = await e.at(20);
    expect(result.plan.deep[0]).toMatchObject({ name, reason: "signal" });
    expect(result.plan.deep[0]!.detail).toMatch(/Azure Monitor: (Bgp|Arp)Availability 0 %/);
    expect(deepRead(requests)).toContain(name);
    expect(e.sent()).toEqual([`open:path-down:${name}`]);
    // One metrics batch per sweep serves every circuit (its two calls: availability
    // split by peer, throughput by device role); none again for the one read deep.
    expect(requests.filter((r) => r.path.endsWith("/metrics:getBatch"))).toHaveLength(2);
  });

  it("a one-minute session dip Azure Monitor delivers 5 minutes late still sends the circuit deep: it fell between two sweeps' look-backs", async () => {
    const e = await estate(12, { SWEEP_MAX_READ_AGE_MINUTES: "60" });
    // Azure's pipeline 5 minutes late (within the 10 minutes erwatch takes data as fresh).
    e.w.estate.state.monitor = { metricsDelayMinutes: 5 };
    // er-11: the rotation (two circuits a sweep, by id) reads it at 01:30. One it
    // reads between the dip and its delivery (er-05, at 01:15) has had it read
    // deep already, and is not sent deep again for it.
    metricsDip(e.w.estate.state, {
      circuit: "er-11",
      peering: PRIVATE,
      path: "primary",
      metrics: ["BgpAvailability"],
      from: new Date(T0 + 11 * MIN).toISOString(),
      to: new Date(T0 + 12 * MIN).toISOString(),
      value: 0,
    });
    const signalled: number[] = [];
    for (const m of [0, 5, 10, 15, 20, 25, 30]) {
      const { result } = await e.at(m);
      if (result.plan.deep.some((d) => d.name === "er-11" && d.reason === "signal"))
        signalled.push(m);
    }
    // Before: each sweep looked back 8 minutes (its interval and 3 of lateness), so the
    // 01:11 minute, not there at 01:15 (Azure had up to 01:10) and before 01:12 at 01:20,
    // was in no sweep's look-back and never sent er-11 deep.
    expect(signalled[0]).toBe(20);
  });

  it("a one-minute session dip costs its circuit one deep read, not one per sweep whose look-back still holds it; a dip after that read, delivered late, costs one more", async () => {
    const e = await estate(12, { SWEEP_MAX_READ_AGE_MINUTES: "60" });
    const dipAt = (minute: number) =>
      metricsDip(e.w.estate.state, {
        circuit: "er-05",
        peering: PRIVATE,
        path: "primary",
        metrics: ["BgpAvailability"],
        from: new Date(T0 + minute * MIN).toISOString(),
        to: new Date(T0 + (minute + 1) * MIN).toISOString(),
        value: 0,
      });
    const readDeep: number[] = [];
    const signals: string[] = [];
    const sweep = async (m: number) => {
      const { result, requests } = await e.at(m);
      if (m > 0 && deepRead(requests).includes("er-05")) readDeep.push(m);
      const signal = result.plan.deep.find((d) => d.name === "er-05" && d.reason === "signal");
      if (signal) signals.push(`${m}: ${signal.detail}`);
    };
    // Azure 1 to 3 minutes late: the 01:11 minute is there at 01:15, and in the
    // look-back (15 minutes) of the sweeps at 01:20 and 01:25 as well, after
    // the read at 01:15 had read the session since.
    dipAt(11);
    for (const m of [0, 5, 10, 15, 20, 25]) await sweep(m);
    expect(readDeep).toEqual([15]);
    // Azure 5 minutes late: the 01:26 minute, after er-05's last deep read
    // (01:15), is not there at 01:30 and sends it deep at 01:35, once.
    e.w.estate.state.monitor = { ...e.w.estate.state.monitor, metricsDelayMinutes: 5 };
    dipAt(26);
    for (const m of [30, 35, 40]) await sweep(m);
    expect(readDeep).toEqual([15, 35]);
    expect(signals).toEqual([
      expect.stringMatching(
        /^15: Azure Monitor: BgpAvailability 0 % on \S+ primary at 2026-11-22T01:11/,
      ),
      expect.stringMatching(
        /^35: Azure Monitor: BgpAvailability 0 % on \S+ primary at 2026-11-22T01:26/,
      ),
    ]);
  });

  it("keeps how old each reading is with the snapshot, for the status page", async () => {
    const e = await estate(2);
    await e.at(0);
    const snapshots = await e.w.runtime.store.listSnapshots();
    expect(snapshots).toHaveLength(2);
    for (const s of snapshots) {
      expect(s.reads?.oldestPathAt).toBeTruthy();
      expect(s.reads?.paths[PRIVATE]?.primary.summary).toBeTruthy();
      expect(s.reads?.incomplete).toBe(false);
    }
    const status = await loadStatus(e.w.statusDeps.runtime.store, new Date(T0), {
      recentHours: 1,
      recentLimit: 10,
    });
    expect(status.circuits.map((c) => c.reads?.oldestPathAt)).toEqual(
      snapshots.map(() => expect.any(String)),
    );
  });
});

describe("against the clock", () => {
  function sweeperOf(w: World, clock: () => number, concurrency = 1) {
    const r = w.runtime;
    return createSweeper({
      reader: r.reader,
      store: r.store,
      sink: r.sink,
      policy: { classify: r.config.arm.classify, alerts: r.config.state.policy },
      silences: [],
      historyRetentionDays: 30,
      logger: r.logger,
      clock: () => new Date(clock()),
      circuitConcurrency: concurrency,
    });
  }
  const scope = (w: World) => ({
    subscriptions: w.runtime.config.arm.subscriptions,
    circuitIds: [],
  });

  it("names what its deadline left unread, and the next sweep starts with it", async () => {
    const e = await estate(8);
    // The deadline passes once three circuits have been read (one at a time).
    const posted = () => new Set(deepRead(e.w.estate.requests)).size;
    const sweeper = sweeperOf(e.w, () => (posted() >= 3 ? 8.64e15 : 0));
    const first = await sweeper.sweep({
      scope: scope(e.w),
      now: new Date(T0),
      deadline: new Date(1),
      abortSignal: AbortSignal.timeout(30_000),
    });
    expect(first.verdicts).toHaveLength(3);
    expect(first.unreached).toHaveLength(5);
    expect(first.unreached.every((u) => u.reason === "deadline")).toBe(true);
    const left = first.unreached.map((u) => u.name);
    e.setNow(5);
    const second = await e.w.timerSweep();
    expect(second.plan.deep.slice(0, 5).map((d) => d.name)).toEqual(left);
    expect(second.unreached).toEqual([]);
  });

  it("pages a fault as soon as that circuit is committed, while the rest of the estate is still being read", async () => {
    const e = await estate(4);
    await e.at(0);
    carrierDown(e.byName("er-00"), PRIVATE, "primary");
    carrierDown(e.byName("er-00"), PRIVATE, "secondary");
    setProviderState(e.byName("er-00"), "NotProvisioned");
    // The last circuit's reads are slow: the sweep cannot end before they do.
    e.w.estate.addFault({
      match: { operation: "arpTable", circuit: "er-03" },
      behaviour: { kind: "slow", delayMs: 4_000 },
    });
    e.setNow(5);
    const sweeping = sweeperOf(e.w, Date.now).sweep({
      scope: scope(e.w),
      now: new Date(T0 + 5 * MIN),
      abortSignal: AbortSignal.timeout(30_000),
      mode: "deep",
    });
    let ended = false;
    void sweeping.then(() => (ended = true));
    await e.w.broker.waitForAccepted(ALERTS_QUEUE, 1, 10_000);
    expect(ended).toBe(false);
    const result = await sweeping;
    expect(result.published.map((p) => p.circuit.name)).toEqual(["er-00"]);
  });

  it("stops at once when stopped (Ctrl-C, SIGTERM): nothing more is sent to ARM, the rest is named", async () => {
    const e = await estate(8);
    const controller = new AbortController();
    const sweeping = sweeperOf(e.w, Date.now).sweep({
      scope: scope(e.w),
      now: new Date(T0),
      abortSignal: controller.signal,
    });
    await e.w.estate.waitForRequest((r) => r.method === "POST");
    controller.abort();
    const result = await sweeping;
    const sent = e.w.estate.requests.length;
    expect(result.unreached.length).toBeGreaterThanOrEqual(7);
    expect(result.unreached.every((u) => u.reason === "stopped")).toBe(true);
    expect(result.verdicts).toEqual([]);
    expect(await e.w.runtime.store.listSnapshots()).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(e.w.estate.requests.length).toBe(sent);
  });
});
