// Storage that accepts connections and never answers must not hold a sweep:
// every Table Storage call has a deadline and carries the sweep's signal, so
// the sweep ends, names what it could not record, and the next tick is free.
// The dispatcher's delivery log has its deadline too, and says so as the
// sweep's tables do: it said "no answer (or …)", no deadline named.

import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import { TableDeliveryLog } from "../../src/adapters/tables/delivery-log.js";
import { TableStateStore } from "../../src/adapters/tables/state-store.js";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { memoryLogger } from "../support/test-logger.js";

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

  it("stops every call when the sweep's signal fires, whatever the call deadline", async () => {
    const store = silentStore(60_000).withSignal(AbortSignal.timeout(200));
    await expect(
      store.getSnapshot(
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/c",
      ),
    ).rejects.toThrow(/no answer within 60000 ms \(or the sweep was stopped\)/);
  }, 30_000);
});

describe("the delivery log at a storage endpoint that never answers", () => {
  const log = () => new TableDeliveryLog(table("d"), () => new Date(), 300);
  it.each<{ name: string; call: (d: TableDeliveryLog) => Promise<unknown>; doing: string }>([
    { name: "creating its table", call: (d) => d.ensureTable(), doing: "creating table d" },
    {
      name: "reading a receiver's sequence",
      call: (d) => d.lastSequence("erw-k", "teams"),
      doing: "reading teams's sequence of erw-k",
    },
  ])(
    "$name fails naming its deadline",
    async ({ call, doing }) => {
      const failed = await call(log()).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failed).toBeInstanceOf(Error);
      expect((failed as Error).message).toContain(doing);
      expect((failed as Error).message).toMatch(/failed: no answer within 300 ms \(or the sweep/);
    },
    30_000,
  );
});
