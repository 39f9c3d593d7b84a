// A work message delivered again (the worker stopped at its cap, or died, or
// was scaled in) reads the circuits its earlier delivery left unread: they
// were skipped as "taken" by that delivery's own claims, the message completed,
// and those circuits (the slow ones, often the ones in trouble) went unread.

import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableWorkClaims } from "../../src/adapters/tables/work-claims.js";
import {
  realTimers,
  type CircuitReader,
  type CircuitTarget,
  type Timers,
} from "../../src/app/ports.js";
import { readEach } from "../../src/app/scan.js";
import type { Sweeper } from "../../src/app/sweep.js";
import { CLAIM_MS, processWork, workerOf, type WorkMessage } from "../../src/app/work.js";
import { supersedes } from "../../src/core/claim-holder.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { manualTime } from "../support/manual-time.js";
import { memoryLogger } from "../support/test-logger.js";

const SUB = "00000000-0000-0000-0000-00000000000a";
/** Deliveries of a message: the first, a copy of it read at once, and later ones. */
const D1 = { count: 1, id: "inv-1" };
const D1B = { count: 1, id: "inv-1b" };
const D2 = { count: 2, id: "inv-2" };
const D3 = { count: 3, id: "inv-3" };
const target = (name: string): CircuitTarget => ({
  id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`,
  name,
  subscriptionId: SUB,
  resourceGroup: "rg",
});

/** Reads that answer at once, but for the circuits named slow: those wait until stopped. */
function world(slow: Set<string>, time: Timers = realTimers) {
  const started: string[] = [];
  const reader = {
    async read(t: CircuitTarget, options: { abortSignal: AbortSignal }) {
      started.push(t.name);
      if (slow.has(t.name))
        await new Promise((resolve) => options.abortSignal.addEventListener("abort", resolve));
      if (t.name.startsWith("er-ignored")) return { kind: "ignored", id: t.id, name: t.name };
      return { kind: "reading", settingProblems: [], reading: { ref: t } };
    },
  } as unknown as CircuitReader;
  // The worker's half of a sweep, as deepRead does it: claim, read, mark recorded.
  const sweeper = {
    time,
    async deepRead(targets: CircuitTarget[], run: Parameters<Sweeper["deepRead"]>[1]) {
      const verdicts: { id: string }[] = [];
      const result = await readEach(
        reader,
        targets,
        {
          abortSignal: run.abortSignal,
          logger: run.log,
          now: run.now,
          ...(run.admit ? { admit: run.admit } : {}),
          ...(run.deadline ? { deadline: run.deadline.getTime() } : {}),
        },
        async (reading) => {
          verdicts.push({ id: reading.ref.id });
          await run.recorded?.(reading.ref.id);
        },
      );
      return {
        verdicts,
        errors: [],
        skipped: result.skipped,
        unreached: result.unreached,
        ignored: result.ignored,
        events: [],
      };
    },
  } as unknown as Sweeper;
  return { sweeper, started };
}

let azurite: Azurite;
let claims: TableWorkClaims;
beforeAll(async () => {
  azurite = await startAzurite();
  const table = TableClient.fromConnectionString(azurite.connectionString, "workredelivery", {
    allowInsecureConnection: true,
  });
  claims = new TableWorkClaims(table, 5_000);
  await claims.ensureTable();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

function message(sweepId: string): WorkMessage {
  return {
    version: 1,
    sweepId,
    subscriptionId: SUB,
    batch: 1,
    batches: 1,
    now: new Date().toISOString(),
    deadline: new Date(Date.now() + 10 * 60_000).toISOString(),
    items: ["er-fast", "er-slow-1", "er-slow-2"].map((n) => ({
      target: target(n),
      reason: "rotation" as const,
    })),
  };
}

describe("a work message delivered again", () => {
  it("reads what the delivery stopped at the worker's cap left unread, whoever takes it", async () => {
    const { logger } = memoryLogger();
    const msg = message("sweep-stopped");
    const slow = new Set(["er-slow-1", "er-slow-2"]);
    const first = world(slow);
    const stop = new AbortController();
    const running = processWork(first.sweeper, claims, msg, {
      worker: "first delivery",
      logger,
      abortSignal: stop.signal,
    });
    // Bounded: the fast circuit is recorded and both slow reads have started.
    for (let i = 0; i < 200 && first.started.length < 3; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    const stopped = await running;
    expect(stopped.unreached.map((u) => [u.name, u.reason])).toEqual([
      ["er-slow-1", "stopped"],
      ["er-slow-2", "stopped"],
    ]);
    // Delivered again, even to a worker of another name: the stopped reads were given back.
    const again = world(new Set());
    const second = await processWork(again.sweeper, claims, msg, {
      worker: "second delivery",
      logger,
      abortSignal: AbortSignal.timeout(10_000),
    });
    expect(second.read.map((id) => id.split("/").pop())).toEqual(["er-slow-1", "er-slow-2"]);
    // The circuit it recorded is not read again.
    expect(second.skipped).toEqual([target("er-fast").id]);
    expect(again.started).toEqual(["er-slow-1", "er-slow-2"]);
  });

  it("takes back the claims of an earlier delivery that died holding them, and no copy of one delivery reads a circuit twice", async () => {
    const msg = message("sweep-crashed");
    // The first delivery died holding the slow circuits, live for five minutes, never given back.
    const until = new Date(Date.now() + 5 * 60_000);
    for (const name of ["er-slow-1", "er-slow-2"])
      expect(await claims.claim(msg.sweepId, target(name).id, workerOf(msg, D1), until)).toBe(
        "mine",
      );
    // A copy of the same work, read at once (a first delivery too): not while it lives.
    expect(await claims.claim(msg.sweepId, target("er-slow-1").id, workerOf(msg, D1B), until)).toBe(
      "taken",
    );
    const { logger } = memoryLogger();
    const again = world(new Set());
    const done = await processWork(again.sweeper, claims, msg, {
      worker: workerOf(msg, D2),
      logger,
      abortSignal: AbortSignal.timeout(10_000),
    });
    expect(done.read).toHaveLength(3);
    expect(done.skipped).toEqual([]);
  });

  it("lets only a later delivery of the same message take a live claim", async () => {
    const msg = message("sweep-held");
    const id = target("er-held").id;
    const until = new Date(Date.now() + 5 * 60_000);
    expect(await claims.claim(msg.sweepId, id, workerOf(msg, D2), until)).toBe("mine");
    // An earlier delivery, another batch, another sweep's worker: not while it lives.
    expect(await claims.claim(msg.sweepId, id, workerOf(msg, D1), until)).toBe("taken");
    expect(await claims.claim(msg.sweepId, id, workerOf({ ...msg, batch: 2 }, D3), until)).toBe(
      "taken",
    );
    expect(await claims.claim(msg.sweepId, id, "host/1/invocation-9", until)).toBe("taken");
    expect(await claims.claim(msg.sweepId, id, workerOf(msg, D3), until)).toBe("mine");
  });

  it("says a circuit was not recorded only on its own claim: never on one a later delivery took over, nor one recorded", async () => {
    const msg = message("sweep-failed");
    const id = target("er-failed").id;
    const until = new Date(Date.now() + 5 * 60_000);
    const failedOf = async () =>
      (await claims.progress(msg.sweepId)).find((c) => c.circuitId === id)?.failed;
    expect(await claims.claim(msg.sweepId, id, workerOf(msg, D1), until)).toBe("mine");
    // A later delivery took it over and is reading it: the first one's failure is not its.
    expect(await claims.claim(msg.sweepId, id, workerOf(msg, D2), until)).toBe("mine");
    await claims.failed(msg.sweepId, id, workerOf(msg, D1), "storage refused the snapshot");
    expect(await failedOf()).toBeUndefined();
    // Its own: said.
    await claims.failed(msg.sweepId, id, workerOf(msg, D2), "storage refused the snapshot");
    expect(await failedOf()).toBe("storage refused the snapshot");
    // Recorded by a later delivery after all: a late failure of another never says otherwise.
    expect(await claims.claim(msg.sweepId, id, workerOf(msg, D3), until)).toBe("mine");
    await claims.finish(msg.sweepId, id, workerOf(msg, D3));
    await claims.failed(msg.sweepId, id, workerOf(msg, D3), "late");
    const row = (await claims.progress(msg.sweepId)).find((c) => c.circuitId === id);
    expect(row).toMatchObject({ state: "done" });
    expect(row?.failed).toBeUndefined();
  });

  it("marks a circuit tagged erwatch:ignore done: nothing is left to read of it, and the sweep's status URL does not wait for it", async () => {
    const msg = {
      ...message("sweep-ignored"),
      items: ["er-fast", "er-ignored"].map((n) => ({
        target: target(n),
        reason: "rotation" as const,
      })),
    };
    const done = await processWork(world(new Set()).sweeper, claims, msg, {
      worker: workerOf(msg, D1),
      logger: memoryLogger().logger,
      abortSignal: AbortSignal.timeout(10_000),
    });
    expect(done.read.map((id) => id.split("/").pop())).toEqual(["er-fast"]);
    const rows = await claims.progress(msg.sweepId);
    expect(rows.map((r) => [r.circuitId.split("/").pop(), r.state]).sort()).toEqual([
      ["er-fast", "done"],
      ["er-ignored", "done"],
    ]);
  });

  it("holds each claim until CLAIM_MS past the sweeper's clock, the one its stop and its reads' deadlines are on, not the machine's", async () => {
    // A week after the machine's clock: held by the machine's, each claim would have run out long before.
    const time = manualTime(Date.now() + 7 * 86_400_000);
    const msg: WorkMessage = {
      ...message("sweep-claim-clock"),
      now: new Date(time.now()).toISOString(),
      deadline: new Date(time.now() + 4 * 60_000).toISOString(),
    };
    const until: number[] = [];
    const spied = {
      ...claims,
      claim: (sweepId: string, circuitId: string, worker: string, at: Date) => {
        until.push(at.getTime());
        return claims.claim(sweepId, circuitId, worker, at);
      },
      finish: claims.finish.bind(claims),
      release: claims.release.bind(claims),
    };
    const done = await processWork(world(new Set(), time).sweeper, spied, msg, {
      worker: workerOf(msg, D1),
      logger: memoryLogger().logger,
      abortSignal: AbortSignal.timeout(10_000),
    });
    expect(done.read).toHaveLength(3);
    expect(until).toEqual([1, 2, 3].map(() => time.now() + CLAIM_MS));
  });

  it("names each delivery by its message, its count and its invocation", () => {
    const msg = message("sweep-1");
    const emptied: WorkMessage = { ...msg, items: [] };
    expect(workerOf(msg, D1)).toBe(workerOf(emptied, D1));
    expect(workerOf(msg, D1)).not.toBe(workerOf({ ...msg, batch: 2 }, D1));
    expect(workerOf(msg, D1)).not.toBe(workerOf({ ...msg, sweepId: "sweep-2" }, D1));
    expect(workerOf({ ...msg, subscriptionId: SUB.toUpperCase() }, D1)).toBe(workerOf(msg, D1));
    expect(workerOf(msg, { count: Number.NaN, id: "inv-1" })).toBe(workerOf(msg, D1));
    expect(supersedes(workerOf(msg, D2), workerOf(msg, D1))).toBe(true);
    expect(supersedes(workerOf(msg, D1B), workerOf(msg, D1))).toBe(false);
    expect(supersedes(workerOf(msg, D1), workerOf(msg, D2))).toBe(false);
    expect(supersedes("host/1/inv-2", "host/1/inv-1")).toBe(false);
  });
});
