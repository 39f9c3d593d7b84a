// A fleet alert's own storage failing, reduced from what the storage soak
// (test/fuzz/lifecycle-storage.soak.test.ts) found: the sweep's store talks
// to Azurite through the loopback fault proxy, which fails only the calls on
// the fleet alert's pseudo-circuit partition (or only the scans across the
// whole table), at the product's cadence (a timer sweep every 5 minutes on an
// injected clock). README "Guarantees": a page is late by at most the sweeps
// its own storage failed, never lost or doubled; "A circuit whose alert
// already paged on its own joins no group".

import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import type { SweepResult } from "../../src/app/sweep.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { fleetCircuitId } from "../../src/core/fleet.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { circuitId } from "../support/estate/ids.js";
import {
  estateOf,
  healthyCircuit,
  setProviderState,
  type SimCircuit,
} from "../support/estate/index.js";
import {
  startTableFaultProxy,
  type TableFault,
  type TableFaultProxy,
} from "../support/table-fault-proxy.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
/** Where the site's outage (the provider's side: its layer) is stored as one fleet alert. */
const FLEET_PARTITION = circuitPartition(fleetCircuitId("Equinix", "Amsterdam", "provider"));

let azurite: Azurite;
let proxy: TableFaultProxy;
let world: World | null = null;
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startTableFaultProxy(azurite);
});
afterEach(async () => {
  proxy.rule = () => null;
  await world?.close();
  world = null;
});
afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
});

/** The site's two circuits, each with `tags`. */
async function site(tags: Record<string, string> = {}) {
  const bundles = [
    healthyCircuit({ name: "er-ams-a", tags }),
    healthyCircuit({ name: "er-ams-b", tags }),
  ];
  const circuits = bundles.map((b) => b.circuit as SimCircuit);
  let now = new Date(T0);
  const logged: { level: number; msg: string }[] = [];
  world = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    logDestination: { write: (line: string) => logged.push(JSON.parse(line)) > 0 },
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      ERWATCH_STORAGE: proxy.connectionString,
      // Room for Azurite's ordinary answers on a loaded machine (1000 ms failed
      // table creation there). A 503 says Retry-After 0, so the SDK's retries
      // are spent at once; a lost answer or a 500 is retried with the SDK's
      // backoff, up to this deadline a call (those two tests have the time).
      STORAGE_TIMEOUT_MS: "5000",
    },
  });
  const w = world;
  let last: SweepResult | null = null;
  /**
   * One timer sweep at T0 + m minutes, with the fleet partition failing as
   * told (or the requests `rule` picks); no circuit fails but those named.
   */
  const sweep = async (
    m: number,
    fault: TableFault | null = null,
    rule: TableFaultProxy["rule"] = (r) =>
      fault && r.text.includes(FLEET_PARTITION) ? fault : null,
    failing: string[] = [],
  ) => {
    now = new Date(T0 + m * MIN);
    proxy.rule = rule;
    try {
      const result = await w.timerSweep();
      expect(result.errors.map((e) => e.name)).toEqual(failing);
      last = result;
    } finally {
      proxy.rule = () => null;
    }
    return proxy.take();
  };
  const sent = () =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .map((e) => `${e.action} ${e.family} ${e.severity} ${e.circuit.name}`);
  /** The carrier de-provisions both circuits (the listing shows it, so both are read at once), or restores them. */
  const down = (up: boolean) => {
    for (const c of circuits) setProviderState(c, up ? "Provisioned" : "NotProvisioned");
  };
  /** How many error lines say `text` (and drop them all). */
  const errorsSaying = (text: string) =>
    logged.splice(0).filter((l) => l.level >= 50 && l.msg.startsWith(text)).length;
  return { sweep, sent, down, last: () => last!, circuits, world: w, errorsSaying };
}

const FLEET = "Equinix at Amsterdam (provider)";

/** Table Storage too busy, as Azure says it: retry at once (the SDK does, until its retries are spent). */
const BUSY: TableFault = { kind: "status", status: 503, code: "ServerBusy", retryAfterSeconds: 0 };

/** Every listing across the Alerts table (alert rows, the outbox) answers 503; each partition answers. */
const alertScansFail: TableFaultProxy["rule"] = (r) =>
  r.table.endsWith("Alerts") && r.operation === "query" && !r.text.includes("PartitionKey eq")
    ? BUSY
    : null;

it("the site's outage opens while its fleet partition loses answers (the write lands): one fleet page, a sweep late, not each circuit's too", async () => {
  const { sweep, sent, down } = await site();
  await sweep(0);
  down(false);
  const faulted = await sweep(5, { kind: "lose-answer" });
  expect(faulted.length).toBeGreaterThan(0);
  // The fleet alert was written (its answer lost) and holds its members; its event
  // could not be claimed at 5 and goes out at 10.
  await sweep(10);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
  await sweep(15);
  down(true);
  for (const m of [20, 25, 30]) await sweep(m);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`, `resolve fleet Sev0 ${FLEET}`]);
}, 120_000);

it("an open fleet alert whose partition fails for two sweeps stays the one page: its circuits are not paged again one by one", async () => {
  const { sweep, sent, down } = await site();
  await sweep(0);
  down(false);
  await sweep(5);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
  const fault: TableFault = BUSY;
  expect((await sweep(10, fault)).length).toBeGreaterThan(0);
  expect((await sweep(15, fault)).length).toBeGreaterThan(0);
  await sweep(20);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
  down(true);
  for (const m of [25, 30, 35]) await sweep(m);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`, `resolve fleet Sev0 ${FLEET}`]);
}, 60_000);

it("a fleet alert that cannot be written at all holds its circuits one sweep: they page on their own at the next, once each", async () => {
  const { sweep, sent, down } = await site();
  await sweep(0);
  down(false);
  const fault: TableFault = BUSY;
  await sweep(5, fault);
  expect(sent()).toEqual([]);
  // Nothing was written: the circuits broke before any fleet alert named them and page as themselves.
  await sweep(10, fault);
  const alone = ["er-ams-a", "er-ams-b"].map((n) => `open provider Sev0 ${n}`);
  expect([...sent()].sort()).toEqual(alone);
  await sweep(15);
  down(true);
  for (const m of [20, 25, 30]) await sweep(m);
  expect([...sent()].sort()).toEqual(
    [...alone, ...["er-ams-a", "er-ams-b"].map((n) => `resolve provider Sev0 ${n}`)].sort(),
  );
}, 60_000);

it("the whole Alerts listing failing while a fleet alert is open: the fleet alert is read from its own partition and its circuits are not paged one by one", async () => {
  const { sweep, sent, down, last } = await site();
  await sweep(0);
  down(false);
  await sweep(5);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
  // Only the cross-partition listing of alert rows fails; every point read and write works.
  const failed = await sweep(10, null, alertScansFail);
  expect(failed.length).toBeGreaterThan(0);
  expect(
    last()
      .verdicts.map((v) => v.name)
      .sort(),
  ).toEqual(["er-ams-a", "er-ams-b"]);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
  down(true);
  for (const m of [15, 20, 25]) await sweep(m);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`, `resolve fleet Sev0 ${FLEET}`]);
}, 60_000);

it("the Alerts listing failing for good: an open fleet alert whose outage is over still resolves, read from its own partition", async () => {
  const { sweep, sent, down } = await site();
  await sweep(0);
  down(false);
  await sweep(5);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
  // From here on, every listing of alert rows across partitions fails; point reads and writes work.
  expect((await sweep(10, null, alertScansFail)).length).toBeGreaterThan(0);
  down(true);
  // No outage is left to name the place: the fleet alerts of every place read are looked at.
  for (const m of [15, 20, 25])
    expect((await sweep(m, null, alertScansFail)).length).toBeGreaterThan(0);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`, `resolve fleet Sev0 ${FLEET}`]);
}, 60_000);

it("the Alerts table cannot be scanned at all: an outage pages in the sweep that finds it, and one a broker outage left behind goes out once the broker is back", async () => {
  const { sweep, sent, circuits, world: w, errorsSaying } = await site();
  // Every listing across the Alerts table fails (alerts and the outbox); each partition answers.
  await sweep(0, null, alertScansFail);
  setProviderState(circuits[0]!, "NotProvisioned");
  errorsSaying("");
  // Listed once by each part of the sweep that lists it (the plan, the reads), not again by
  // every drain and fleet step: two calls, each tried at most four times (the SDK's three
  // retries, at once as Retry-After 0 asks); a third listing would make it twelve.
  expect((await sweep(5, null, alertScansFail)).length).toBeLessThanOrEqual(8);
  expect(sent()).toEqual(["open provider Sev0 er-ams-a"]);
  // Said once by the reads, not by each of their drains (the eager one, the last one).
  expect(errorsSaying("the outbox could not be listed")).toBe(1);
  await w.stopBroker();
  setProviderState(circuits[1]!, "NotProvisioned");
  // er-ams-a already paged on its own, so no group forms; er-ams-b's page waits in the outbox.
  await sweep(10, null, alertScansFail);
  expect(sent()).toEqual(["open provider Sev0 er-ams-a"]);
  await w.restartBroker();
  await sweep(15, null, alertScansFail);
  expect(sent()).toEqual(["open provider Sev0 er-ams-a", "open provider Sev0 er-ams-b"]);
}, 60_000);

it("the listings failing on a quiet estate: what is remembered is read circuit by circuit, and the plan is the one a listing gives", async () => {
  const { sweep, sent, last, down } = await site();
  await sweep(0);
  await sweep(5);
  // 2 circuits, a 15-minute age limit, a 5-minute timer: the rotation's one circuit.
  const usual = last().plan.deep;
  expect(usual).toHaveLength(1);
  const listing: TableFault = BUSY;
  // Every scan across partitions fails (Snapshots and Alerts); each circuit's own rows answer.
  const scans: TableFaultProxy["rule"] = (r) =>
    r.operation === "query" && !r.text.includes("PartitionKey eq") ? listing : null;
  const faulted = await sweep(10, null, scans);
  const scanned = new Set(faulted.map((f) => f.request.table.replace(/^.*?(?=[A-Z])/, "")));
  expect(scanned).toContain("Snapshots");
  expect(scanned).toContain("Alerts");
  // Not the whole estate read deep: the other circuit, its readings the oldest.
  expect(last().plan.deep.map((d) => [d.reason, d.detail])).toEqual([
    ["due", "oldest reading 10 min old"],
  ]);
  expect(last().plan.deep[0]!.name).not.toBe(usual[0]!.name);
  // The listing shows the site de-provisioned: both changed since they were judged, read first.
  down(false);
  await sweep(15, null, scans);
  expect(last().plan.deep.map((d) => d.reason)).toEqual(["changed", "changed"]);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
}, 60_000);

it("the listings and each circuit's memory failing: the sweep is not lost, every circuit is read deep as the window allows, starting further on each sweep", async () => {
  const { sweep, sent, last } = await site();
  await sweep(0);
  await sweep(5);
  expect(last().plan.deep).toHaveLength(1);
  /** Scans fail; so do the plan's reads of each circuit's snapshot (the first two of a sweep). */
  const memoryLost = (): TableFaultProxy["rule"] => {
    let snapshotReads = 0;
    return (r) => {
      if (r.operation === "query" && !r.text.includes("PartitionKey eq")) return BUSY;
      if (r.operation === "get" && r.table.endsWith("Snapshots") && (snapshotReads += 1) <= 2)
        return { kind: "hang" };
      return null;
    };
  };
  const orders: string[][] = [];
  for (const m of [10, 15]) {
    await sweep(m, null, memoryLost());
    expect(new Set(last().plan.deep.map((d) => d.detail))).toEqual(
      new Set(["storage could not say when it was last read"]),
    );
    orders.push(last().plan.deep.map((d) => d.name));
    expect(
      last()
        .verdicts.map((v) => v.name)
        .sort(),
    ).toEqual(["er-ams-a", "er-ams-b"]);
  }
  // A deadline that cut the sweep short would not leave the same circuit unread each time.
  expect(orders[1]).not.toEqual(orders[0]);
  await sweep(20);
  expect(last().plan.deep).toHaveLength(1);
  expect(sent()).toEqual([]);
}, 60_000);

it("every listing across a table failing at the first sweep the site is back: the fleet alert counts it clean and resolves when it would without the fault", async () => {
  const { sweep, sent, down, last } = await site();
  await sweep(0);
  down(false);
  await sweep(5);
  await sweep(10);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
  down(true);
  // Every scan across partitions fails (Snapshots, Alerts, History); each partition answers.
  const scans: TableFaultProxy["rule"] = (r) =>
    r.operation === "query" && !r.text.includes("PartitionKey eq")
      ? { kind: "status", status: 500, code: "OperationTimedOut" }
      : null;
  expect((await sweep(15, null, scans)).length).toBeGreaterThan(0);
  // Both circuits were read (the listing shows them provisioned again), and the
  // fleet alert, read from its own partition, counted the sweep clean.
  expect(
    last()
      .verdicts.map((v) => v.name)
      .sort(),
  ).toEqual(["er-ams-a", "er-ams-b"]);
  expect(
    last()
      .decisions.filter((d) => d.family === "fleet")
      .map((d) => [d.action, d.action === "none" ? d.detail : null]),
  ).toEqual([["none", "clean for 1 sweep, not yet enough to resolve"]]);
  // Two clean sweeps (15, 20) resolve it at 20, as they do with no fault at 15.
  await sweep(20);
  expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`, `resolve fleet Sev0 ${FLEET}`]);
}, 120_000);

it.each([
  ["", {}],
  // A pair in the run lists the stored snapshots before the reads write this
  // sweep's: the circuit the rotation read this sweep looked not read, and the
  // fleet alert stayed open for good.
  [", its circuits in an erwatch:pair too", { "erwatch:pair": "site-ams" }],
])(
  "a fleet alert read whole while its partition failed is blind only from the sweep after: its holder hears Blind: as many sweeps later, since that reading, and it resolves once the rotation has read each circuit again%s",
  async (_, tags) => {
    const { sweep, sent, down, last, circuits, world: w } = await site(tags);
    const b = circuitPartition(circuitId(circuits[1]!));
    /** The fleet partition busy, and er-ams-b's own too when told. */
    const busy =
      (fleet: boolean): TableFaultProxy["rule"] =>
      (r) =>
        (fleet && r.text.includes(FLEET_PARTITION)) || r.text.includes(b) ? BUSY : null;
    const fleetBusy: TableFaultProxy["rule"] = (r) =>
      r.text.includes(FLEET_PARTITION) ? BUSY : null;
    const fleetDecisions = () =>
      last()
        .decisions.filter((d) => d.family === "fleet")
        .map((d) => [d.action, d.action === "none" ? d.reason : null]);
    await sweep(0);
    down(false);
    await sweep(5);
    expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
    // Read with the outage (10, 15), then back and read whole (20): none of it recorded on the fleet alert.
    await sweep(10, null, fleetBusy);
    await sweep(15, null, fleetBusy);
    down(true);
    await sweep(20, null, fleetBusy);
    // er-ams-b's own storage fails from 25: it is not read, so the fleet alert is blind from 25.
    await sweep(25, null, busy(true), ["er-ams-b"]);
    // Its row was last written at 5, but two sweeps (25, 30) is not as long as monitoring-blind waits.
    await sweep(30, null, busy(false), ["er-ams-b"]);
    expect(fleetDecisions()).toEqual([["none", "blind"]]);
    expect(sent()).toEqual([`open fleet Sev0 ${FLEET}`]);
    // The third sweep it cannot read: told once, blind since the sweep that read both (20).
    await sweep(35, null, busy(false), ["er-ams-b"]);
    expect(fleetDecisions()).toEqual([["repeat", null]]);
    const told = w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .filter((e) => e.action === "repeat");
    expect(told.map((e) => [e.change.split(" ")[0], e.blindSince])).toEqual([
      ["Blind:", new Date(T0 + 20 * MIN).toISOString()],
    ]);
    // er-ams-b's storage answers again. Its own alerts are clear and the site
    // is not trouble any more, so the rotation (2 circuits, one read deep a
    // sweep) reads one circuit a sweep; the fleet alert counts a sweep clean
    // once each has been read since it was last read, not both in one sweep.
    const deep = () => last().plan.deep.map((d) => d.name);
    await sweep(40);
    expect([...deep()].sort()).toEqual(["er-ams-a", "er-ams-b"]);
    expect(fleetDecisions()).toEqual([["none", "held-by-hysteresis"]]);
    await sweep(45);
    expect(deep()).toEqual(["er-ams-a"]);
    expect(fleetDecisions()).toEqual([["none", "blind"]]);
    // er-ams-b read at 50, er-ams-a at 45: the second clean sweep, resolved at 50.
    await sweep(50);
    expect(deep()).toEqual(["er-ams-b"]);
    expect(fleetDecisions()).toEqual([["resolve", null]]);
    await sweep(55);
    expect(sent()).toEqual([
      `open fleet Sev0 ${FLEET}`,
      `repeat fleet Sev0 ${FLEET}`,
      `resolve fleet Sev0 ${FLEET}`,
    ]);
    const resolved = w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .filter((e) => e.action === "resolve");
    expect(resolved.map((e) => e.occurredAt)).toEqual([new Date(T0 + 50 * MIN).toISOString()]);
  },
  120_000,
);
