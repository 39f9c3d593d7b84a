// Storage that accepts connections and never answers must not hold a sweep:
// every Table Storage call has a deadline and carries the sweep's signal, so
// the sweep ends, names what it could not record, and the next tick is free.
// The dispatcher's delivery log has its deadline too, and says so as the
// sweep's tables do. A call ended by its deadline says the deadline alone,
// whatever stop signal it also ran under: it said "(or the sweep was
// stopped)" on every call a stop was wired into, so an operator could not
// tell storage that stopped answering from a sweep that was ended. A call
// ended by its stop says so, and names no deadline.

import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import { TableDeliveryLog } from "../../src/adapters/tables/delivery-log.js";
import { TableSilenceStore } from "../../src/adapters/tables/silence-store.js";
import { TableStateStore } from "../../src/adapters/tables/state-store.js";
import { TableWorkClaims } from "../../src/adapters/tables/work-claims.js";
import { silencesOverTime } from "../../src/app/silences.js";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { memoryLogger } from "../support/test-logger.js";
import { manualTime } from "../support/manual-time.js";
import { realTimers } from "../../src/time.js";

const sockets = new Set<Socket>();
const silent = createServer((socket) => {
  // Accept, read, never answer.
  sockets.add(socket);
  socket.on("data", () => undefined);
});
let endpoint = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const address = silent.address();
  endpoint = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/devstoreaccount1`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

function table(name: string): TableClient {
  const cs = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=${endpoint};`;
  return TableClient.fromConnectionString(cs, name, { allowInsecureConnection: true });
}

function silentStore(timeoutMs: number): TableStateStore {
  return new TableStateStore(
    { snapshots: table("s"), alerts: table("a"), history: table("h") },
    { timeoutMs, log: memoryLogger().logger },
  );
}

describe("a storage endpoint that never answers", () => {
  it("ends the sweep at the call deadline, naming the circuit, instead of hanging", async () => {
    const reader = new FakeReader();
    const sweeper = createSweeper({
      reader,
      store: silentStore(300),
      sink: new InMemoryEventSink(),
      policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      silences: [],
      historyRetentionDays: 30,
      logger: memoryLogger().logger,
    });
    const sweep = sweeper.sweep({
      targets: [reader.target],
      now: new Date("2026-11-22T02:00:00Z"),
      abortSignal: AbortSignal.timeout(60_000),
    });
    // The sweep's own deadline is a minute away; the call deadline ends it long before.
    const result = await Promise.race([
      sweep.then((r) => ({ done: true as const, r })),
      new Promise<{ done: false }>((resolve) => setTimeout(() => resolve({ done: false }), 20_000)),
    ]);
    expect(result.done).toBe(true);
    if (!result.done) return;
    expect(result.r.errors.map((e) => e.id)).toEqual([reader.target.id]);
    expect(result.r.errors[0]!.message).toMatch(/no answer within 300 ms/);
  }, 30_000);

  it("stops every call when the sweep's signal fires, whatever the call deadline, and says it was stopped", async () => {
    const store = silentStore(60_000).withSignal(AbortSignal.timeout(200));
    await expect(
      store.getSnapshot(
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/c",
      ),
    ).rejects.toThrow(
      /^reading the snapshot of \/subscriptions\/x\/.*\/c failed: stopped before storage answered$/,
    );
  }, 30_000);
});

describe("a call storage never answers", () => {
  const timeoutMs = 300;
  const log = memoryLogger().logger;
  const store = () =>
    new TableStateStore(
      { snapshots: table("s"), alerts: table("a"), history: table("h") },
      { timeoutMs, log },
    );
  const deliveries = () => new TableDeliveryLog(table("d"), () => new Date(), timeoutMs);
  const claims = () => new TableWorkClaims(table("w"), timeoutMs);
  const silences = () => new TableSilenceStore(table("q"), log, timeoutMs);
  // A stop signal that never fires: only the deadline ends the call, as ever.
  const stop = () => new AbortController().signal;
  const DEADLINE = "failed: no answer within 300 ms";
  it.each<[string, () => Promise<unknown>, string]>([
    [
      "the delivery log creating its table",
      () => deliveries().ensureTable(),
      `creating table d ${DEADLINE}`,
    ],
    [
      "the delivery log reading a receiver's sequence",
      () => deliveries().lastSequence("erw-k", "teams"),
      `reading teams's sequence of erw-k ${DEADLINE}`,
    ],
    [
      "the state store without a sweep",
      () => store().ensureTables(),
      `creating table s ${DEADLINE}`,
    ],
    [
      "the state store scoped to a sweep",
      () => store().withSignal(stop()).ensureTables(),
      `creating table s ${DEADLINE}`,
    ],
    [
      "the work claims alone",
      () => claims().progress("sweep-1"),
      `listing the claims of sweep sweep-1 ${DEADLINE}`,
    ],
    [
      "the work claims with a stop signal",
      () => claims().withSignal(stop()).progress("sweep-1"),
      `listing the claims of sweep sweep-1 ${DEADLINE}`,
    ],
    ["the silences alone", () => silences().list(), `listing silences ${DEADLINE}`],
    [
      "the silences listed under the caller's signal",
      () => silences().list({ abortSignal: stop() }),
      `listing silences ${DEADLINE}`,
    ],
    [
      "the silences with a stop signal",
      () => silences().withSignal(stop()).ensureTable(),
      `creating table q ${DEADLINE}`,
    ],
  ])(
    "%s: says its deadline alone when only the deadline fired",
    async (_name, call, message) => {
      const failed = await call().then(
        () => null,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(Error);
      expect((failed as Error).message).toBe(message);
    },
    30_000,
  );
});

describe("the stored silences' own bound on a sweep", () => {
  // The sweep's listing of stored silences has its own bound (15 s), given
  // to the store as a stop: fired, it read "stopped before storage
  // answered", as if the sweep had been stopped.
  it("says erwatch gave up after the bound, not that it was stopped", async () => {
    const { logger, records } = memoryLogger();
    // The store's own deadline far off: the listing's bound fires first.
    const store = new TableSilenceStore(table("q"), logger, 60_000);
    // The bound on a moved clock: 15 s passed, not waited for.
    const time = manualTime(0);
    const listing = silencesOverTime([], store, logger, new AbortController().signal, time);
    time.advance(15_000);
    const at = await listing;
    expect(at(new Date())).toEqual([]);
    const warned = records().find(
      (r) => r.msg === "stored silences could not be read; only ERWATCH_SILENCES holds this sweep",
    );
    expect((warned?.err as { message?: string } | undefined)?.message).toBe(
      "listing the stored silences failed: gave up after 15 s with no answer from storage",
    );
  }, 30_000);

  it("a sweep stopped first is still said as stopped", async () => {
    const { logger, records } = memoryLogger();
    const store = new TableSilenceStore(table("q"), logger, 60_000);
    await silencesOverTime([], store, logger, AbortSignal.timeout(200), realTimers);
    const warned = records().find(
      (r) => r.msg === "stored silences could not be read; only ERWATCH_SILENCES holds this sweep",
    );
    expect((warned?.err as { message?: string } | undefined)?.message).toMatch(
      /^listing silences failed: stopped before storage answered/,
    );
  }, 30_000);
});
