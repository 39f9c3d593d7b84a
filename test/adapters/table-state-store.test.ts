import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTableClient,
  TableStateStore,
  tableNames,
} from "../../src/adapters/tables/state-store.js";
import { EntityTooLargeError } from "../../src/adapters/tables/json-columns.js";
import { ConflictError } from "../../src/adapters/tables/errors.js";
import type { StateConfig } from "../../src/config/state.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { event as alertEvent } from "../support/dispatch-event.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { memoryLogger } from "../support/test-logger.js";

const CIRCUIT =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er1";

let azurite: Azurite;
let store: TableStateStore;

function makeStore(prefix: string): TableStateStore {
  // Kept explicit here: this file tests the store itself.
  const config: StateConfig = {
    connection: {
      kind: "connection-string",
      value: azurite.connectionString,
      setting: "ERWATCH_STORAGE",
    },
    tablePrefix: prefix,
    historyRetentionDays: 30,
    timeoutMs: 10_000,
    policy: DEFAULT_ALERT_POLICY,
    silences: [],
  };
  const names = tableNames(prefix);
  const credential = () => {
    throw new Error("a connection string needs no credential");
  };
  return new TableStateStore(
    {
      snapshots: createTableClient(config, names.snapshots, credential),
      alerts: createTableClient(config, names.alerts, credential),
      history: createTableClient(config, names.history, credential),
    },
    { timeoutMs: config.timeoutMs, log: memoryLogger().logger },
  );
}

const snapshot = (takenAt: string, detail = "ok"): Snapshot => ({
  circuitId: CIRCUIT,
  circuitName: "er1",
  takenAt,
  providerState: "Provisioned",
  providerWasProvisioned: true,
  peerings: {
    AzurePrivatePeering: {
      paths: { primary: {}, secondary: {} } as never,
      prefixes: { primary: 1, secondary: 2 },
    },
  },
  ...(detail === "ok" ? {} : { note: detail }),
});

const alert = (sequence: number): AlertState => ({
  key: "erw-test",
  family: "path-down",
  circuitId: CIRCUIT,
  circuitName: "er1",
  peering: "AzurePrivatePeering",
  phase: "firing",
  consecutiveFiring: 2,
  consecutiveClean: 0,
  firstSeen: "2026-11-22T02:00:00.000Z",
  condition: null,
  notified: null,
  sequence,
  lastEvaluatedAt: "2026-11-22T02:05:00.000Z",
});

const event = (sequence: number): AlertEvent =>
  alertEvent({
    id: `erw-test-${sequence}`,
    key: "erw-test",
    sequence,
    occurredAt: `2026-11-22T02:0${sequence}:00.000Z`,
  });

beforeAll(async () => {
  azurite = await startAzurite();
  store = makeStore("erwtest");
  await store.ensureTables();
  // Creating tables twice is fine: every process start does it.
  await store.ensureTables();
});

afterAll(async () => {
  await azurite?.stop();
});

describe("TableStateStore on Azurite", () => {
  it("should write snapshots conditionally on the ETag read", async () => {
    expect(await store.getSnapshot(CIRCUIT)).toBeNull();
    await store.putSnapshot(snapshot("t1"), null);
    await expect(store.putSnapshot(snapshot("t1-again"), null)).rejects.toBeInstanceOf(
      ConflictError,
    );
    const read = await store.getSnapshot(CIRCUIT);
    expect(read?.value.takenAt).toBe("t1");
    await store.putSnapshot(snapshot("t2"), read!.etag);
    // The old ETag is stale now: the loser of a race hears about it.
    await expect(store.putSnapshot(snapshot("t3"), read!.etag)).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await store.listSnapshots()).map((s) => s.takenAt)).toEqual(["t2"]);
  });

  it("should commit an alert and its outbox events atomically, or neither", async () => {
    await store.commitAlert(alert(1), null, [event(1)]);
    const stored = await store.getAlert(CIRCUIT, "erw-test");
    expect(stored?.value.sequence).toBe(1);
    expect((await store.listOutbox()).map((r) => r.value.event.id)).toEqual(["erw-test-1"]);

    // A stale ETag fails the whole transaction: no orphan outbox row.
    await store.commitAlert(alert(2), stored!.etag, [event(2)]);
    await expect(store.commitAlert(alert(3), stored!.etag, [event(3)])).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await store.listOutbox()).map((r) => r.value.event.id)).toEqual([
      "erw-test-1",
      "erw-test-2",
    ]);
    expect((await store.listAlerts(CIRCUIT)).map((a) => a.value.sequence)).toEqual([2]);
    expect((await store.listAlerts()).length).toBe(1);
  });

  it("should let exactly one of two drains claim an outbox row", async () => {
    const [row] = await store.listOutbox();
    const until = new Date("2026-11-22T03:00:00Z");
    const [a, b] = await Promise.all([
      store.claimOutbox(row!, "sweep-a", until),
      store.claimOutbox(row!, "sweep-b", until),
    ]);
    expect([a, b].filter((x) => x !== null)).toHaveLength(1);
    const winner = (a ?? b)!;
    await store.deleteOutbox(winner);
    expect((await store.listOutbox()).map((r) => r.value.event.id)).toEqual(["erw-test-2"]);
  });

  it("should split large documents across properties and refuse what cannot fit", async () => {
    const big = {
      ...alert(9),
      key: "erw-big",
      condition: {
        code: "arp-missing",
        severity: "Sev2",
        layer: "provider",
        owner: "carrier",
        paths: ["primary"],
        title: "x",
        nextAction: "y",
        ticket: null,
        evidence: { rows: "r".repeat(200_000) },
      },
    } as AlertState;
    await store.commitAlert(big, null, []);
    const back = await store.getAlert(CIRCUIT, "erw-big");
    expect((back?.value.condition?.evidence.rows as string).length).toBe(200_000);
    const huge = {
      ...big,
      key: "erw-huge",
      condition: { ...big.condition!, evidence: { rows: "r".repeat(2_000_000) } },
    };
    await expect(store.commitAlert(huge, null, [])).rejects.toBeInstanceOf(EntityTooLargeError);
  });

  it("should append history in batches over 100, read it by time and prune by age", async () => {
    const entries = Array.from({ length: 130 }, (_, i) => ({
      kind: "transition" as const,
      at: new Date(Date.parse("2026-11-01T00:00:00Z") + i * 60_000).toISOString(),
      circuitId: CIRCUIT,
      peering: "AzurePrivatePeering",
      path: "primary" as const,
      layer: "path" as const,
      before: "up" as const,
      after: "down" as const,
      beforeDetail: "",
      afterDetail: "",
    }));
    await store.appendHistory(CIRCUIT, entries, "sweep-1");
    expect(await store.listHistory(CIRCUIT, new Date("2026-11-01T02:00:00Z"))).toHaveLength(10);
    expect(
      (await store.listRecentHistory(new Date("2026-11-01T00:00:00Z"), 5)).map((e) => e.at)[0],
    ).toBe(entries[129]!.at);
    expect(await store.pruneHistory(new Date("2026-11-01T01:00:00Z"))).toBe(60);
    expect(await store.listHistory(CIRCUIT, new Date("2026-10-01T00:00:00Z"))).toHaveLength(70);
  });

  it("should keep two appends at one instant by one sweep (runs joining a fleet alert)", async () => {
    const at = "2026-11-02T00:05:00.000Z";
    const record = (sequence: number) => ({
      kind: "alert" as const,
      at,
      circuitId: CIRCUIT,
      key: "erw-fleet",
      family: "fleet" as const,
      peering: null,
      outcome: sequence === 1 ? ("open" as const) : ("repeat" as const),
      severity: "Sev0" as const,
      sequence,
      title: "fleet",
    });
    await store.appendHistory(CIRCUIT, [record(1)], "sweep-2");
    await store.appendHistory(CIRCUIT, [record(2)], "sweep-2");
    const kept = await store.listHistory(CIRCUIT, new Date(at));
    expect(kept.map((e) => (e.kind === "alert" ? e.sequence : null)).sort()).toEqual([1, 2]);
  });
});

describe("sweeps answered 202, shared between instances", () => {
  const run = (sweepId: string, startedAt: string, answer: Record<string, unknown> | null) => ({
    sweepId,
    status: "done" as const,
    startedAt,
    finishedAt: startedAt,
    touchedAt: startedAt,
    error: null,
    answer,
  });

  it("keeps a whole estate's answer compressed, and its outcome without it when even that cannot fit", async () => {
    const shared = makeStore("SweepRuns");
    await shared.ensureTables();
    // 500 circuits' layer tables repeat themselves: 2.5 MB of JSON, far past one entity uncompressed.
    const circuits = Array.from({ length: 500 }, (_, i) => ({
      id: `${CIRCUIT}-${i}`,
      detail: "BGP Connected, 120 prefixes received on primary; ARP complete. ".repeat(80),
    }));
    expect(JSON.stringify(circuits).length).toBeGreaterThan(2_000_000);
    await shared.putSweepRun(run("a1", "2026-11-22T02:00:00.000Z", { circuits }));
    expect(await shared.getSweepRun("a1")).toEqual(
      run("a1", "2026-11-22T02:00:00.000Z", { circuits }),
    );
    // Random text does not compress: the answer is left out and why is said.
    const noise = Array.from({ length: 1_200_000 }, () =>
      String.fromCharCode(33 + Math.floor(Math.random() * 90)),
    ).join("");
    await shared.putSweepRun(run("a2", "2026-11-22T02:00:00.000Z", { noise }));
    expect(await shared.getSweepRun("a2")).toMatchObject({
      sweepId: "a2",
      status: "done",
      answer: null,
      answerOmitted: expect.stringMatching(/compressed, more than one table entity holds/),
    });
    expect(await shared.getSweepRun("a3")).toBeNull();
  });

  it("prunes records by age and leaves the last completed sweep alone", async () => {
    const shared = makeStore("SweepRunsPrune");
    await shared.ensureTables();
    const record = {
      sweepId: "t",
      startedAt: "2026-11-22T02:00:00.000Z",
      finishedAt: "2026-11-22T02:01:00.000Z",
      circuits: 1,
      ignored: 0,
      partlyBlind: 0,
      errors: 0,
    };
    await shared.recordSweep(record);
    await shared.putSweepRun(run("old", "2026-11-10T02:00:00.000Z", {}));
    await shared.putSweepRun(run("new", "2026-11-21T02:00:00.000Z", {}));
    expect(await shared.pruneSweepRuns(new Date("2026-11-15T02:00:00.000Z"))).toBe(1);
    expect(await shared.getSweepRun("old")).toBeNull();
    expect(await shared.getSweepRun("new")).toMatchObject({ sweepId: "new" });
    expect(await shared.lastSweep()).toEqual(record);
  });
});
