// One table row erwatch cannot read (cut-off JSON, an old schema, a hand
// edit) must cost only what that row is about: the sweep still plans, judges,
// commits and pages every other circuit, the outbox still publishes every
// other event, and the other run-time silences still hold. The row is named
// in the log with the sweep that met it, every time, until someone fixes it.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import { createTableClient, tableNames } from "../../src/adapters/tables/state-store.js";
import { silenceTableName } from "../../src/adapters/tables/silence-store.js";
import { createSweeper } from "../../src/app/sweep.js";
import { newSilence } from "../../src/app/silences.js";
import { loadStatus } from "../../src/app/status.js";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { alertsExitCode } from "../../src/cli/alerts-exit.js";
import { EXIT } from "../../src/cli/context.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);
const OTHER =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-other";

const bothDown = {
  AzurePrivatePeering: {
    primary: { arp: "empty" as const, bgp: "Idle" },
    secondary: { arp: "empty" as const, bgp: "Idle" },
  },
};

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function harness() {
  const { store, silences, prefix, config } = await freshStore(azurite.connectionString);
  const reader = new FakeReader();
  const sink = new InMemoryEventSink();
  const { logger, records } = memoryLogger();
  let n = 0;
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    silenceStore: silences,
    historyRetentionDays: 30,
    logger,
    newId: () => `sweep-${++n}`,
  });
  // The whole-estate sweep the timer runs: the listing, then what storage remembers.
  const run = (m: number) =>
    sweeper.sweep({
      scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
      now: minute(m),
      abortSignal: AbortSignal.timeout(30_000),
    });
  const names = tableNames(prefix);
  const client = (table: string) =>
    createTableClient(config, table, () => {
      throw new Error("a connection string needs no credential");
    });
  const tables = {
    snapshots: client(names.snapshots),
    alerts: client(names.alerts),
    silences: client(silenceTableName(prefix)),
  };
  const sent = () => sink.published.map((e) => `${e.action}:${e.family}:${e.severity}`);
  const unreadable = () =>
    records().filter((r) => String(r.msg).startsWith("a stored row cannot be read"));
  const setAside = () =>
    records().filter((r) => String(r.msg).startsWith("a stored row of the circuit cannot be read"));
  const published = () => sink.published;
  return { reader, store, logger, silences, run, tables, sent, published, unreadable, setAside };
}

type Harness = Awaited<ReturnType<typeof harness>>;

const cut = '{"circuitId":"' + OTHER + '","takenAt":"2026-11-';

const rows: [string, (h: Harness) => Promise<unknown>][] = [
  [
    "another circuit's snapshot cut off mid-JSON",
    (h) =>
      h.tables.snapshots.createEntity({
        partitionKey: "er-other-0",
        rowKey: "snapshot",
        circuitId: OTHER,
        jsonParts: 1,
        json: cut,
      }),
  ],
  [
    "another circuit's snapshot from an older schema (no circuit id)",
    (h) =>
      h.tables.snapshots.createEntity({
        partitionKey: "er-other-0",
        rowKey: "snapshot",
        jsonParts: 1,
        json: JSON.stringify({ schema: 0, name: "er-other" }),
      }),
  ],
  [
    "another circuit's alert cut off mid-JSON",
    (h) =>
      h.tables.alerts.createEntity({
        partitionKey: "er-other-0",
        rowKey: "alert|erw-other",
        jsonParts: 1,
        json: '{"key":"erw-other","family":"path-',
      }),
  ],
  [
    "another circuit's outbox event cut off mid-JSON",
    (h) =>
      h.tables.alerts.createEntity({
        partitionKey: "er-other-0",
        rowKey: "outbox|2026-11-22T00:59:00.000Z|e-other",
        jsonParts: 1,
        json: '{"circuitId":"' + OTHER + '","event":{"id":"e-ot',
      }),
  ],
  [
    "another circuit's outbox event with its second JSON part missing",
    (h) =>
      h.tables.alerts.createEntity({
        partitionKey: "er-other-0",
        rowKey: "outbox|2026-11-22T00:59:00.000Z|e-other",
        jsonParts: 2,
        json: '{"circuitId":"' + OTHER + '",',
      }),
  ],
];

describe("a stored row erwatch cannot read", () => {
  it.each(rows)("%s: the circuit's outage still pages, and the row is named", async (_, spoil) => {
    const h = await harness();
    await h.run(0);
    await spoil(h);
    h.reader.spec = { paths: bothDown };
    const result = await h.run(5);
    expect(h.sent()).toEqual(["open:path-down:Sev0"]);
    expect(result.errors).toEqual([]);
    const named = h.unreadable();
    expect(named.length).toBeGreaterThan(0);
    expect(named[0]).toMatchObject({ level: 50, sweepId: "sweep-2", partitionKey: "er-other-0" });
  });

  it("a stored silence cut off mid-JSON: the other stored silences still hold", async () => {
    const h = await harness();
    await h.run(0);
    const maintenance = newSilence(
      {
        circuit: "er-circuit-prod",
        window: {
          kind: "once",
          start: minute(0).toISOString(),
          end: minute(120).toISOString(),
        },
        comment: "carrier maintenance CHG-1",
        author: "on-call",
      },
      "s-maintenance",
      minute(0),
    );
    await h.silences.add(maintenance);
    await h.tables.silences.createEntity({
      partitionKey: "silence",
      rowKey: "s-broken",
      circuit: "er-else",
      jsonParts: 1,
      json: '{"id":"s-broken","circuit":"er-el',
    });
    h.reader.spec = { paths: bothDown };
    const result = await h.run(5);
    expect(h.sent()).toEqual([]);
    expect(result.decisions.filter((d) => d.reason === "silenced")).not.toEqual([]);
    expect(h.unreadable()[0]).toMatchObject({ level: 50, rowKey: "s-broken" });
    // The person listing silences sees the good one too.
    expect((await h.silences.list()).map((s) => s.value.id)).toEqual(["s-maintenance"]);
  });
});

describe("the circuit's own row that erwatch cannot read", () => {
  /** Every row of the circuit's partition in `table`, by row key. */
  const rowsOf = async (h: Harness, table: "snapshots" | "alerts") => {
    const out = new Map<string, Record<string, unknown>>();
    const partition = circuitPartition(h.reader.target.id);
    for await (const row of h.tables[table].listEntities<Record<string, unknown>>({
      queryOptions: { filter: `PartitionKey eq '${partition}'` },
    }))
      out.set(String(row.rowKey), row);
    return out;
  };
  const spoil = async (h: Harness, table: "snapshots" | "alerts", rowKey: string) => {
    const partition = circuitPartition(h.reader.target.id);
    const row = await h.tables[table].getEntity<Record<string, unknown>>(partition, rowKey);
    await h.tables[table].updateEntity(
      { partitionKey: partition, rowKey, jsonParts: 1, json: String(row.json).slice(0, 40) },
      "Replace",
    );
    return String(row.json).slice(0, 40);
  };

  it("its snapshot cut off mid-JSON: kept aside, the circuit judged afresh, its outage pages (it failed every sweep)", async () => {
    const h = await harness();
    await h.run(0);
    const spoilt = await spoil(h, "snapshots", "snapshot");
    h.reader.spec = { paths: bothDown };
    const results = [await h.run(5), await h.run(10)];
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(h.sent()).toEqual(["open:path-down:Sev0"]);
    // Kept for someone to look at, named in the log with where it went.
    const rows = await rowsOf(h, "snapshots");
    const kept = [...rows.keys()].filter((k) => k.startsWith("unreadable|snapshot|"));
    expect(kept).toHaveLength(1);
    expect(rows.get(kept[0]!)).toMatchObject({ json: spoilt, setAsideFrom: "snapshot" });
    expect(String(rows.get(kept[0]!)!.setAsideBecause)).toMatch(/cannot be read/);
    expect(h.setAside()).toHaveLength(1);
    expect(h.setAside()[0]).toMatchObject({ level: 50, sweepId: "sweep-2", keptAs: kept[0] });
    // The snapshot is this sweep's again: the status page and the planner see the circuit.
    expect(rows.get("snapshot")).toBeDefined();
  });

  it("its open alert's row cut off mid-JSON: kept aside, and the outage still down is told afresh (it failed every sweep)", async () => {
    const h = await harness();
    await h.run(0);
    h.reader.spec = { paths: bothDown };
    await h.run(5);
    expect(h.sent()).toEqual(["open:path-down:Sev0"]);
    const alertRows = [...(await rowsOf(h, "alerts")).keys()].filter((k) => k.startsWith("alert|"));
    expect(alertRows.length).toBeGreaterThan(0);
    for (const key of alertRows) await spoil(h, "alerts", key);
    const results = [await h.run(10), await h.run(15)];
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.map((r) => r.verdicts.length)).toEqual([1, 1]);
    // What erwatch knew of the open alert is gone: it opens again, once, and stays open.
    expect(h.sent()).toEqual(["open:path-down:Sev0", "open:path-down:Sev0"]);
    // Numbered past the old alert: an event id Service Bus already took (a duplicate for a
    // day) or a sequence a receiver already heard (skipped as stale) would lose it.
    const [before, after] = h.published();
    expect(after!.id).not.toBe(before!.id);
    expect(after!.sequence).toBeGreaterThan(before!.sequence);
    // And it goes on from there: its resolve too.
    h.reader.spec = {};
    for (const m of [20, 25, 30]) await h.run(m);
    const resolved = h.published().at(-1)!;
    expect(resolved).toMatchObject({ action: "resolve", key: after!.key });
    expect(resolved.sequence).toBeGreaterThan(after!.sequence);
    const rows = await rowsOf(h, "alerts");
    const kept = [...rows.keys()].filter((k) => k.startsWith("unreadable|alert|"));
    expect(kept.length).toBeGreaterThan(0);
    expect(h.setAside().length).toBe(kept.length);
  });

  it("its open alert's row cut off while the circuit reads clean: nothing can resolve it, so the status page and `erwatch alerts` name it by key", async () => {
    const h = await harness();
    await h.run(0);
    h.reader.spec = { paths: bothDown };
    await h.run(5);
    const [opened] = h.published();
    expect(opened).toMatchObject({ action: "open", severity: "Sev0" });
    const alertRows = [...(await rowsOf(h, "alerts")).keys()].filter((k) => k.startsWith("alert|"));
    expect(alertRows).toEqual([`alert|${opened!.key}`]);
    await spoil(h, "alerts", alertRows[0]!);
    h.reader.spec = {};
    for (const m of [10, 15, 20]) await h.run(m);
    // No resolve: erwatch cannot say what it no longer knows (README "State").
    expect(h.sent()).toEqual(["open:path-down:Sev0"]);
    const store = h.store.withSignal(AbortSignal.timeout(10_000), h.logger);
    const page = await loadStatus(store, minute(21), { recentHours: 24, recentLimit: 50 });
    expect(page.openAlerts).toEqual([]);
    expect(page.unread).toEqual([]);
    expect(page.unreadableAlerts).toEqual([
      {
        key: opened!.key,
        table: expect.stringMatching(/Alerts$/),
        partitionKey: circuitPartition(h.reader.target.id),
        rowKey: `alert|${opened!.key}`,
        reason: expect.stringMatching(/\S/),
      },
    ]);
    const html = renderStatusHtml(page);
    expect(html).toMatch(/<h2 id="unreadable">Alert rows erwatch cannot read \(1\)<\/h2>/);
    expect(html).toContain(`<tr data-key="${opened!.key}">`);
    expect(html).toMatch(/resolve that incident there, then delete the row/);
    // Nothing unreadable, nothing said.
    const clean = renderStatusHtml({ ...page, unreadableAlerts: [] });
    expect(clean).not.toContain('id="unreadable"');
    // The exit code a health check reads: not a clean bill of health.
    expect(alertsExitCode(page)).toBe(EXIT.blind);
  });
});

describe("the last completed sweep's row that erwatch cannot read", () => {
  it("the status page still loads, its circuits and alerts as stored, the row named; the next completed sweep writes it anew", async () => {
    const h = await harness();
    await h.run(0);
    h.reader.spec = { paths: bothDown };
    await h.run(5);
    await h.tables.snapshots.updateEntity(
      {
        partitionKey: "erwatch-sweeps",
        rowKey: "last-completed",
        jsonParts: 1,
        json: '{"sweepId":"swe',
      },
      "Replace",
    );
    const store = h.store.withSignal(AbortSignal.timeout(10_000), h.logger);
    const page = await loadStatus(store, minute(6), { recentHours: 24, recentLimit: 50 });
    expect(page.circuits.map((c) => c.name)).toEqual(["er-circuit-prod"]);
    expect(page.openAlerts.length).toBeGreaterThan(0);
    expect(h.unreadable().some((r) => r.rowKey === "last-completed")).toBe(true);
    await h.run(10);
    expect((await h.store.lastSweep())?.sweepId).toBe("sweep-3");
  });
});
