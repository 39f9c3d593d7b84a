// A storage call that lands but whose answer never arrives, on the one call
// of a sweep that leaves no error behind: reduced from what the storage soak
// (test/fuzz/lifecycle-storage.soak.test.ts, seed 20261123, under CI load)
// found. The drain's claim on an outbox row was written, its answer lost; the
// SDK's retry met the row's new ETag (412), the drain read that as "another
// drain holds it", and the row stayed leased by the sweep's own claim: the
// resolve went out two sweeps late and no error said why. A page is late
// only for the sweeps its own storage failed.

import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  restoreBoth,
  type SimCircuit,
} from "../support/estate/index.js";
import {
  startTableFaultProxy,
  type TableFaultProxy,
  type TableRequest,
} from "../support/table-fault-proxy.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

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

/** A write of an outbox row that takes it for a drain (a claim, not a release). */
const isClaim = (r: TableRequest) =>
  r.table.endsWith("Alerts") &&
  r.operation === "update" &&
  r.text.includes("outbox|") &&
  /claimedBy\\?"\s*:\s*\\?"/.test(r.text);

async function circuit() {
  const bundle = healthyCircuit({ name: "er-lon" });
  const sim = bundle.circuit as SimCircuit;
  let now = new Date(T0);
  const logged: { level: number; msg: string }[] = [];
  world = await startWorld({
    estate: estateOf(bundle),
    azurite,
    now: () => now,
    logDestination: { write: (line: string) => logged.push(JSON.parse(line)) > 0 },
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: "2000",
    },
  });
  const w = world;
  const sent = () =>
    w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .map((e) => `${e.action} ${e.family} ${e.severity}`);
  /** One timer sweep at T0 + m minutes; `lose` picks the requests whose answers are lost. */
  const sweep = async (m: number, lose: (r: TableRequest) => boolean = () => false) => {
    now = new Date(T0 + m * MIN);
    proxy.rule = (r) => (lose(r) ? { kind: "lose-answer" } : null);
    try {
      const result = await w.timerSweep();
      expect(result.errors).toEqual([]);
      expect(result.outboxError ?? null).toBeNull();
    } finally {
      proxy.rule = () => null;
    }
    return proxy.take();
  };
  /** The carrier's link down on both paths of the private peering, or back. */
  const down = (isDown: boolean) =>
    (isDown ? carrierDownBoth : restoreBoth)(sim, "AzurePrivatePeering");
  /** The error lines logged, by message. */
  const errors = () => logged.filter((l) => l.level >= 50).map((l) => l.msg);
  return { sweep, sent, down, errors };
}

/** The first request of a sweep that `picks` loses its answer: the SDK's retry and the calls after it are answered. */
const firstOf = (picks: (r: TableRequest) => boolean) => () => {
  let lost = false;
  return (r: TableRequest) => {
    if (lost || !picks(r)) return false;
    lost = true;
    return true;
  };
};

/** A commit of an alert: its row and its outbox row in one transaction. */
const isCommit = (r: TableRequest) =>
  r.table.endsWith("Alerts") && r.operation === "batch" && r.text.includes("outbox|");
/** An append to the circuit's history (a transaction of new rows). */
const isHistoryWrite = (r: TableRequest) => r.table.endsWith("History") && r.operation === "batch";
/** A write of the circuit's snapshot. */
const isSnapshotWrite = (r: TableRequest) =>
  r.table.endsWith("Snapshots") &&
  r.operation !== "get" &&
  r.operation !== "query" &&
  r.text.includes("snapshot");

/** The minutes (T0 + m) of the sweeps that sent something, and what they sent. */
async function outage(lose: () => (r: TableRequest) => boolean) {
  const c = await circuit();
  const heard: { m: number; sent: string[] }[] = [];
  let lost = 0;
  const run = async (m: number) => {
    const before = c.sent().length;
    // Every sweep loses the answer of its first claim: only a sweep with an event to send has one.
    lost += (await c.sweep(m, lose())).length;
    const sent = c.sent().slice(before);
    if (sent.length > 0) heard.push({ m, sent });
  };
  await run(0);
  c.down(true);
  for (let m = 5; m <= 25; m += 5) await run(m);
  c.down(false);
  for (let m = 30; m <= 50; m += 5) await run(m);
  await world!.close();
  world = null;
  return { heard, lost, errors: c.errors() };
}

it.each([
  ["the claim on an outbox row", isClaim, 2],
  ["an alert's commit (its row and its event)", isCommit, 2],
  ["the circuit's snapshot", isSnapshotWrite, 11],
  ["the circuit's history", isHistoryWrite, 4],
] as const)(
  "%s is written and its answer lost: every event still goes out in the sweep that decided it",
  async (_what, picks, times) => {
    const clean = await outage(() => () => false);
    expect(clean.heard.map((h) => h.sent)).toEqual([
      ["open path-down Sev0"],
      ["resolve path-down Sev0"],
    ]);
    const lossy = await outage(firstOf(picks));
    expect(lossy.lost).toBe(times);
    expect(lossy.heard).toEqual(clean.heard);
    // Nothing failed: no error line says it did.
    expect(lossy.errors).toEqual(clean.errors);
  },
  120_000,
);
