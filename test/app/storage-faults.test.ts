// Table Storage failing in part, reduced from what the storage soak
// (test/fuzz/lifecycle-storage.soak.test.ts) found: the sweep's store talks to
// Azurite through the loopback fault proxy, which fails only the calls each
// case names. README "Guarantees": when only the history table fails, the
// circuit's pages go out anyway; a storage fault on one circuit never holds
// back another's; every storage call has a deadline (STORAGE_TIMEOUT_MS).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTableClient,
  TableStateStore,
  tableNames,
} from "../../src/adapters/tables/state-store.js";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import { drainOutbox, sinceLastCall } from "../../src/app/outbox.js";
import { createSweeper } from "../../src/app/sweep.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { event as alertEvent } from "../support/dispatch-event.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import { silenceTableName } from "../../src/adapters/tables/silence-store.js";
import type { StateConfig } from "../../src/config/state.js";
import { buildSilenceStore } from "../../src/runtime/state.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import {
  startTableFaultProxy,
  type TableFault,
  type TableFaultProxy,
} from "../support/table-fault-proxy.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);
// Real time: a healthy call on a loaded machine (the whole suite beside it)
// took over 500 ms and failed a sweep that should have had no error. A
// second keeps the hung calls short and the healthy ones inside it.
const TIMEOUT_MS = 1_000;

const bothDown = {
  AzurePrivatePeering: {
    primary: { arp: "empty" as const, bgp: "Idle" },
    secondary: { arp: "empty" as const, bgp: "Idle" },
  },
};

let azurite: Azurite;
let proxy: TableFaultProxy;
let tables = 0;
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startTableFaultProxy(azurite);
});
afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
});

/** `log`: LOG_LEVEL, and whether the logger is the Functions host's (logging.ts healthLine). */
async function harness(log: { level?: string; healthLines?: boolean } = {}) {
  tables += 1;
  const config: StateConfig = {
    connection: {
      kind: "connection-string",
      value: proxy.connectionString,
      setting: "ERWATCH_STORAGE",
    },
    tablePrefix: `sf${process.pid}n${tables}`,
    historyRetentionDays: 30,
    timeoutMs: TIMEOUT_MS,
    policy: DEFAULT_ALERT_POLICY,
    silences: [],
  };
  const names = {
    ...tableNames(config.tablePrefix),
    silences: silenceTableName(config.tablePrefix),
  };
  const noCredential = () => {
    throw new Error("a connection string needs no credential");
  };
  const client = (table: string) => createTableClient(config, table, noCredential);
  const { logger, records } = memoryLogger([], log);
  const store = new TableStateStore(
    {
      snapshots: client(names.snapshots),
      alerts: client(names.alerts),
      history: client(names.history),
    },
    { timeoutMs: TIMEOUT_MS, log: logger },
  );
  await store.ensureTables();
  const reader = new FakeReader();
  const sink = new InMemoryEventSink();
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    // As the runtime builds it, from the same settings (STORAGE_TIMEOUT_MS).
    silenceStore: buildSilenceStore(config, noCredential, logger),
    historyRetentionDays: 30,
    logger,
  });
  const run = (m: number) =>
    sweeper.sweep({
      scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
      now: minute(m),
      abortSignal: AbortSignal.timeout(30_000),
    });
  const sent = () => sink.published.map((e) => `${e.action}:${e.family}:${e.severity}`);
  const logged = (text: string) => records().some((r) => String(r.msg).startsWith(text));
  return { reader, run, sent, logged, records, names, store, sink, logger };
}

describe("when only the history table fails", () => {
  const faults: [string, TableFault][] = [
    ["hangs", { kind: "hang" }],
    ["answers 503 ServerBusy", { kind: "status", status: 503, code: "ServerBusy" }],
  ];
  it.each(faults)(
    "a circuit whose paths both go down still pages Sev0 on the sweep that reads it (history %s)",
    async (_, fault) => {
      const h = await harness();
      try {
        expect((await h.run(0)).errors).toEqual([]);
        proxy.rule = (r) => (r.table === h.names.history ? fault : null);
        h.reader.spec = { paths: bothDown };
        const result = await h.run(5);
        expect(result.errors).toEqual([]);
        expect(h.sent()).toEqual(["open:path-down:Sev0"]);
        expect(h.logged("history could not be read")).toBe(true);
        expect(h.logged("history could not be written")).toBe(true);
      } finally {
        proxy.rule = () => null;
      }
    },
    30_000,
  );

  // The erwatch-history-unreadable health alert counts the sweeps of each
  // circuit whose history could not be read: it needs the circuit and the
  // sweep on the line, once per circuit per sweep, at any LOG_LEVEL the host
  // runs at (a flap alert below Sev1 stays open, or never opens, untold).
  it.each(["info", "fatal"])(
    "every sweep says once, naming the circuit and the sweep, that the circuit's history could not be read (the Functions host at LOG_LEVEL=%s)",
    async (level) => {
      const h = await harness({ level, healthLines: true });
      try {
        expect((await h.run(0)).errors).toEqual([]);
        proxy.rule = (r) => (r.table === h.names.history ? { kind: "hang" } : null);
        const sweepIds: string[] = [];
        for (const m of [5, 10, 15]) {
          const result = await h.run(m);
          expect(result.errors).toEqual([]);
          sweepIds.push(result.sweepId);
        }
        const said = h
          .records()
          .filter((r) => String(r.msg).startsWith("history could not be read"))
          .map((r) => [r.level, r.sweepId, r.circuitId, r.circuit]);
        expect(said).toEqual(
          sweepIds.map((id) => [50, id, h.reader.target.id, h.reader.target.name]),
        );
        expect(new Set(sweepIds).size).toBe(3);
      } finally {
        proxy.rule = () => null;
      }
    },
    30_000,
  );

  it("an open flap alert is not resolved on the flaps it cannot count", async () => {
    const h = await harness();
    try {
      // Both paths down and back, every other sweep: more than 3 changes in the hour.
      for (let m = 0; m <= 30; m += 5) {
        h.reader.spec = m % 10 === 5 ? { paths: bothDown } : {};
        expect((await h.run(m)).errors).toEqual([]);
      }
      expect(h.sent()).toContain("open:session-flapping:Sev1");
      // Calm from here on, but the hour still holds the flaps: history cannot say so while it fails.
      proxy.rule = (r) => (r.table === h.names.history ? { kind: "hang" } : null);
      for (let m = 35; m <= 45; m += 5) expect((await h.run(m)).errors).toEqual([]);
      expect(h.sent().filter((s) => s.startsWith("resolve:session-flapping"))).toEqual([]);
    } finally {
      proxy.rule = () => null;
    }
  }, 60_000);

  // Storage soak seed 937: the circuit read well, only its history hung, and the
  // Sev1 flap alert's holder heard "erwatch has not been able to read the layers
  // behind this alert (see its monitoring-blind alert)": no read had failed, and
  // no monitoring-blind opens for storage.
  it("an open flap alert that cannot be judged tells its holder once that its history cannot be read, not that the circuit went unseen", async () => {
    const h = await harness();
    try {
      for (let m = 0; m <= 30; m += 5) {
        h.reader.spec = m % 10 === 5 ? { paths: bothDown } : {};
        expect((await h.run(m)).errors).toEqual([]);
      }
      expect(h.sent()).toContain("open:session-flapping:Sev1");
      const before = h.sink.published.length;
      proxy.rule = (r) => (r.table === h.names.history ? { kind: "hang" } : null);
      const flaps: string[] = [];
      for (let m = 35; m <= 50; m += 5) {
        const result = await h.run(m);
        expect(result.errors).toEqual([]);
        for (const d of result.decisions)
          if (d.family === "session-flapping")
            flaps.push(
              `${m}: ${d.action}${d.action === "none" ? ` ${d.reason}: ${d.detail}` : ""}`,
            );
      }
      const held =
        "none blind: the circuit's history could not be read, so its flaps could not be counted; its state is kept as it was";
      // As long as monitoring-blind would wait (3 sweeps, 15 min), then once.
      expect(flaps).toEqual([`35: ${held}`, `40: ${held}`, "45: repeat", `50: ${held}`]);
      const told = h.sink.published.slice(before);
      expect(told.map((e) => `${e.action}:${e.family}:${e.severity}`)).toEqual([
        "repeat:session-flapping:Sev1",
      ]);
      const notice = told[0]!;
      expect(notice.blindCause).toBe("history");
      expect(notice.blindSince).toBe(minute(30).toISOString());
      expect(notice.blindPaths).toBeUndefined();
      expect(notice.change).toMatch(
        /^Blind: erwatch has not been able to read this circuit's history \(Table Storage\), which its flaps are counted from, since 2026-11-22 01:30 UTC: the circuit itself still reads, but whether it still flaps cannot be told/,
      );
      expect(notice.change).not.toContain("layers behind this alert");
    } finally {
      proxy.rule = () => null;
    }
  }, 60_000);
});

describe("when the silences table hangs", () => {
  it("the sweep waits for it one STORAGE_TIMEOUT_MS, not its own 15 s, and pages", async () => {
    const h = await harness();
    try {
      expect((await h.run(0)).errors).toEqual([]);
      proxy.rule = (r) => (r.table === h.names.silences ? { kind: "hang" } : null);
      h.reader.spec = { paths: bothDown };
      const started = performance.now();
      const result = await h.run(5);
      const took = performance.now() - started;
      expect(result.errors).toEqual([]);
      expect(h.sent()).toEqual(["open:path-down:Sev0"]);
      expect(h.logged("stored silences could not be read")).toBe(true);
      expect(took).toBeLessThan(TIMEOUT_MS + 7_000);
    } finally {
      proxy.rule = () => null;
    }
  }, 60_000);
});

const circuit = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
const alertOf = (name: string): AlertState => ({
  key: `erw-${name}`,
  family: "path-down",
  circuitId: circuit(name),
  circuitName: name,
  peering: "AzurePrivatePeering",
  phase: "firing",
  consecutiveFiring: 1,
  consecutiveClean: 0,
  firstSeen: "2026-11-22T01:00:00.000Z",
  condition: null,
  notified: null,
  sequence: 1,
  lastEvaluatedAt: "2026-11-22T01:00:00.000Z",
});
const eventOf = (name: string, occurredAt: string): AlertEvent =>
  alertEvent({ id: `erw-${name}-1`, key: `erw-${name}`, sequence: 1, occurredAt });

describe("when one circuit's partition fails", () => {
  it.each<[string, TableFault]>([
    ["hangs", { kind: "hang" }],
    ["answers 503 ServerBusy", { kind: "status", status: 503, code: "ServerBusy" }],
  ])(
    "another circuit's event still leaves the outbox (the partition %s)",
    async (_, fault) => {
      const h = await harness();
      // Both decided and committed; the broken circuit's event is the older, so it is claimed first.
      await h.store.commitAlert(alertOf("er-broken"), null, [
        eventOf("er-broken", "2026-11-22T01:00:00.000Z"),
      ]);
      await h.store.commitAlert(alertOf("er-fine"), null, [
        eventOf("er-fine", "2026-11-22T01:05:00.000Z"),
      ]);
      const broken = circuitPartition(circuit("er-broken"));
      try {
        proxy.rule = (r) => (r.operation !== "query" && r.text.includes(broken) ? fault : null);
        const drained = await drainOutbox(h.store, h.sink, {
          claimant: "sweep-1",
          now: minute(5),
          logger: h.logger,
        });
        expect(h.sink.published.map((e) => e.id)).toEqual(["erw-er-fine-1"]);
        expect(drained.published.map((e) => e.id)).toEqual(["erw-er-fine-1"]);
      } finally {
        proxy.rule = () => null;
      }
      // Storage healthy again: the broken circuit's event goes out, once, and nothing is left.
      await drainOutbox(h.store, h.sink, {
        claimant: "sweep-2",
        now: minute(10),
        logger: h.logger,
      });
      expect(h.sink.published.map((e) => e.id)).toEqual(["erw-er-fine-1", "erw-er-broken-1"]);
      expect(await h.store.listOutbox()).toEqual([]);
    },
    30_000,
  );
});

describe("when the outbox cannot be listed across the table", () => {
  // Only the cross-partition listing of outbox rows fails; each circuit's own partition answers.
  const outboxScans: TableFaultProxy["rule"] = (r) =>
    r.operation === "query" && r.text.includes("outbox|") && !r.text.includes("PartitionKey eq")
      ? { kind: "status", status: 503, code: "ServerBusy" }
      : null;

  async function threeWaiting() {
    const h = await harness();
    for (const [name, at] of [
      ["er-later", "2026-11-22T01:05:00.000Z"],
      ["er-first", "2026-11-22T01:00:00.000Z"],
      ["er-unread", "2026-11-22T01:01:00.000Z"],
    ] as const)
      await h.store.commitAlert(alertOf(name), null, [eventOf(name, at)]);
    return h;
  }

  it("the circuits the run touched are read one by one: their events go out, oldest first; the rest wait for a listing", async () => {
    const h = await threeWaiting();
    try {
      proxy.rule = outboxScans;
      const drained = await drainOutbox(h.store, h.sink, {
        claimant: "sweep-1",
        now: minute(5),
        logger: h.logger,
        partitions: () => [circuit("er-later"), circuit("er-first"), circuit("er-later")],
      });
      expect(drained.published.map((e) => e.id)).toEqual(["erw-er-first-1", "erw-er-later-1"]);
      expect(h.logged("the outbox could not be listed")).toBe(true);
    } finally {
      proxy.rule = () => null;
    }
    await drainOutbox(h.store, h.sink, { claimant: "sweep-2", now: minute(10), logger: h.logger });
    expect(h.sink.published.map((e) => e.id)).toEqual([
      "erw-er-first-1",
      "erw-er-later-1",
      "erw-er-unread-1",
    ]);
  }, 30_000);

  it("one circuit's partition failing too: the others still go out", async () => {
    const h = await threeWaiting();
    const first = circuitPartition(circuit("er-first"));
    try {
      proxy.rule = (r) =>
        outboxScans(r) ??
        (r.text.includes(first) ? { kind: "status", status: 503, code: "ServerBusy" } : null);
      await drainOutbox(h.store, h.sink, {
        claimant: "sweep-1",
        now: minute(5),
        logger: h.logger,
        partitions: () => [circuit("er-first"), circuit("er-later")],
      });
      expect(h.sink.published.map((e) => e.id)).toEqual(["erw-er-later-1"]);
      expect(h.logged("a circuit's outbox could not be read")).toBe(true);
    } finally {
      proxy.rule = () => null;
    }
  }, 30_000);

  it("with no circuit to read, the drain fails as a storage failure and nothing is published", async () => {
    const h = await threeWaiting();
    try {
      proxy.rule = outboxScans;
      await expect(
        drainOutbox(h.store, h.sink, { claimant: "sweep-1", now: minute(5), logger: h.logger }),
      ).rejects.toMatchObject({ name: "StateStoreError" });
      expect(h.sink.published).toEqual([]);
    } finally {
      proxy.rule = () => null;
    }
  }, 30_000);

  it("Service Bus down too: the sweep says it cannot count what waits, rather than reporting nothing waiting", async () => {
    const h = await harness();
    try {
      expect((await h.run(0)).errors).toEqual([]);
      h.sink.failWith = new Error("Service Bus did not answer within 500 ms");
      proxy.rule = outboxScans;
      h.reader.spec = { paths: bothDown };
      const result = await h.run(5);
      expect(result.brokerError).toMatch(/did not answer/);
      expect(result.outboxError).toMatch(/^listing the outbox failed/);
      expect(h.logged("the outbox could not be listed; how many events wait")).toBe(true);
    } finally {
      proxy.rule = () => null;
      h.sink.failWith = null;
    }
  }, 30_000);
});

describe("when listings across a table hang in a sweep", () => {
  it("a sweep's store tries each table's listing once: later ones fail at once, partitions still answer, and the next sweep tries again", async () => {
    const h = await harness();
    await h.store.commitAlert(alertOf("er-a"), null, [eventOf("er-a", "2026-11-22T01:00:00.000Z")]);
    const scans: string[] = [];
    proxy.rule = (r) => {
      if (r.operation !== "query" || r.text.includes("PartitionKey eq")) return null;
      scans.push(r.table);
      return r.table.endsWith("Alerts") ? { kind: "hang" } : null;
    };
    try {
      const sweep = h.store.withSignal(AbortSignal.timeout(30_000), h.logger);
      await expect(sweep.listOutbox()).rejects.toThrow(/listing the outbox failed: no answer/);
      expect(scans).toHaveLength(1);
      // The same table again: not sent, and said why.
      await expect(sweep.listAlerts()).rejects.toMatchObject({
        name: "StateStoreError",
        message:
          "listing alerts failed: not tried again in this sweep (listing the outbox failed earlier)",
      });
      await expect(sweep.listOutbox()).rejects.toThrow(/not tried again in this sweep/);
      expect(scans).toHaveLength(1);
      // Each circuit's own partition, and another table's listing, still answer.
      expect((await sweep.listOutbox(circuit("er-a"))).map((r) => r.value.event.id)).toEqual([
        "erw-er-a-1",
      ]);
      expect(await sweep.listSnapshots()).toEqual([]);
      expect(scans).toHaveLength(2);
      // The next sweep's store tries again; the store no sweep owns always does.
      await expect(
        h.store.withSignal(AbortSignal.timeout(30_000), h.logger).listAlerts(),
      ).rejects.toThrow(/listing alerts failed: no answer/);
      await expect(h.store.listAlerts()).rejects.toThrow(/listing alerts failed: no answer/);
      expect(scans).toHaveLength(4);
    } finally {
      proxy.rule = () => null;
    }
  }, 30_000);
});

describe("sinceLastCall (the partitions an eager drain reads when the outbox cannot be listed)", () => {
  it.each([
    { case: "first call: everything so far", grows: [["a", "b"]], gives: [["a", "b"]] },
    {
      case: "later calls: only what was added since",
      grows: [["a"], ["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c", "d"]],
      gives: [["a"], ["b", "c"], [], ["d"]],
    },
  ])("$case", ({ grows, gives }) => {
    let at = 0;
    const next = sinceLastCall(() => grows[at]!);
    const got: string[][] = [];
    for (at = 0; at < grows.length; at += 1) got.push(next());
    expect(got).toEqual(gives);
  });
});
