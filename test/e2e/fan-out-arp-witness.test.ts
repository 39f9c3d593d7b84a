// The ARP witness with fan-out, at the product's cadence (a timer every 5
// minutes on an injected clock). The first peering of each subscription a
// read session reaches reads its ARP tables whatever its BGP sessions prove
// (adapters/arm/path-reads.ts), so a role without the ARP action is a finding
// every sweep. Each work message is a read session of its own: a subscription
// split into three batches read three witness pairs a sweep, two of them
// throttled POSTs that told nothing new. The planner now marks the witness in
// one message per subscription per sweep (core/arp-witness.ts); a message
// from an older planner, which carries no mark, still reads its own.

import functions from "@azure/functions";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import type { WorkMessage } from "../../src/app/work.js";
import { sweepWorkerHandler } from "../../src/functions/sweep-worker.js";
import { estateOf, healthyCircuit } from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const [SPLIT, ALONE] = ["a1", "b2"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

it("a subscription split into three work messages reads one ARP witness pair a sweep, though every session proves layer 2; an older planner's messages each read their own", async () => {
  // Healthy circuits (every session Established with prefixes: no ARP read but
  // the witness's), each at a place of its own so none travel together.
  const circuit = (subscriptionId: string, n: number) =>
    healthyCircuit({ subscriptionId, name: `er-${n}`, peeringLocation: `Location ${n}` });
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...[0, 1, 2, 3, 4].map((n) => circuit(SPLIT!, n)), circuit(ALONE!, 5)),
    now: () => now,
    env: {
      ERWATCH_SUBSCRIPTIONS: [SPLIT, ALONE].join(","),
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "2",
      SWEEP_SCHEDULE: "0 */5 * * * *",
      // Every circuit read every sweep: the same three messages each time.
      SWEEP_MAX_READ_AGE_MINUTES: "5",
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  /** ARP POSTs since request `from`, per subscription. */
  const arpPosts = (from: number) => {
    const posts = w.estate.requests
      .slice(from)
      .filter((r) => r.method === "POST" && r.operation === "arpTable");
    return [SPLIT!, ALONE!].map((s) => posts.filter((r) => r.path.includes(s)).length);
  };
  try {
    for (let k = 0; k <= 2; k += 1) {
      now = new Date(T0 + k * 5 * MIN);
      const from = w.estate.requests.length;
      await fan.timer(k);
      const work = w.broker.active(QUEUE).map((m) => m.body as WorkMessage);
      expect(work.map((m) => [m.subscriptionId, m.items.length]).sort()).toEqual([
        [SPLIT, 1],
        [SPLIT, 2],
        [SPLIT, 2],
        [ALONE, 1],
      ]);
      expect(await fan.drain()).toBe(true);
      expect(w.broker.active(QUEUE)).toEqual([]);
      expect(fan.errors).toEqual([]);
      // One pair (primary and secondary) per subscription, not one per message.
      expect(arpPosts(from)).toEqual([2, 2]);
      // Carried by one message of each subscription: the first of its session.
      expect(work.filter((m) => (m.arpWitness ?? []).length > 0).map((m) => m.batch)).toEqual([
        1, 1,
      ]);
    }

    // The same sweep's work as an older planner sent it, with no witness marked:
    // each message reads the first peering of its subscription's ARP tables, as before.
    const older = w.broker
      .accepted(QUEUE)
      .map((m) => m.body as WorkMessage)
      .filter((m) => m.now === now.toISOString())
      .map(({ arpWitness: _unmarked, ...m }) => ({
        ...m,
        sweepId: "sweep-by-an-older-planner",
        deadline: new Date(Date.now() + 4 * MIN).toISOString(),
      }));
    expect(older).toHaveLength(4);
    const from = w.estate.requests.length;
    const worker = sweepWorkerHandler(async () => w.functionDeps);
    for (const [i, body] of older.entries())
      await worker(body, new functions.InvocationContext({ invocationId: `w-older-${i}` }));
    expect(arpPosts(from)).toEqual([3 * 2, 2]);
  } finally {
    await bus.close();
  }
}, 120_000);
