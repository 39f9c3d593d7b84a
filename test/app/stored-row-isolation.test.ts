// One odd stored row (an older schema, a hand edit) costs only what it is
// about: README "Guarantees". Each of these took down far more before the rows
// were checked as deep as their readers reach (adapters/tables/row-schemas.ts):
// every page, the status page and `erwatch alerts`, the plan's memory of every
// circuit, a sweep with a pair in it, every alert of a silenced circuit.
import type { TableClient } from "@azure/data-tables";
import { ServiceBusClient } from "@azure/service-bus";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ServiceBusEventSink } from "../../src/adapters/servicebus/publisher.js";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import type { CircuitTarget } from "../../src/app/ports.js";
import type { EventSink as EventSinkLike } from "../../src/app/state-store.js";
import { createSweeper } from "../../src/app/sweep.js";
import { loadStatus } from "../../src/app/status.js";
import { leasedUntil } from "../../src/app/outbox.js";
import { silenceStatus } from "../../src/app/silences.js";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { withoutRouteTables } from "../../src/core/route-tables.js";
import { SNAPSHOT_LAYERS } from "../../src/core/snapshot.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { event as alertEvent } from "../support/dispatch-event.js";
import { startBroker, type AmqpBroker } from "../support/amqp-broker/broker.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { circuitReading, failed, type CircuitSpec, type PathSpec } from "../support/readings.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";
import type { CircuitMetrics } from "../../src/core/dataplane/facts.js";
import { dp, metrics, NOW as METRICS_NOW, quiet, type Shape } from "../core/dataplane/builders.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const at = (m: number) => new Date(T0 + m * 60_000);
const SUB = "00000000-0000-0000-0000-000000000001";
const idOf = (n: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${n}`;
const DOWN: CircuitSpec = {
  paths: {
    AzurePrivatePeering: {
      primary: { arp: "empty", bgp: "Idle" },
      secondary: { arp: "empty", bgp: "Idle" },
    },
  },
};
const cell = { status: "up", detail: "", since: "2026-11-01T00:00:00.000Z" };
const pathOf = (layers: string[]) => Object.fromEntries(layers.map((l) => [l, cell]));
// Every layer a snapshot keeps today, and the ones an erwatch before endToEnd and capacity kept.
const FULL = pathOf([...SNAPSHOT_LAYERS]);
const PRE_06B12AB = pathOf(SNAPSHOT_LAYERS.filter((l) => l !== "endToEnd" && l !== "capacity"));

/** Metrics built for 02:00 (builders.ts), moved to end at `to`. */
function shiftedTo(m: CircuitMetrics, to: Date): CircuitMetrics {
  const by = (iso: string) =>
    new Date(Date.parse(iso) + to.getTime() - METRICS_NOW.getTime()).toISOString();
  return {
    from: by(m.from),
    to: by(m.to),
    series: m.series.map((s) => ({
      ...s,
      points: [...s.points].map((p) => ({ ...p, at: by(p.at) })),
    })),
  };
}

let azurite: Azurite;
let broker: AmqpBroker;
beforeAll(async () => {
  azurite = await startAzurite();
  broker = await startBroker({ queues: ["alerts"] });
});
afterAll(async () => {
  await broker?.stop();
  await azurite?.stop();
});

/** er-a (tagged erwatch:pair=site1 when `paired`) and er-b, listed in one subscription; er-b's spec is `b`. */
async function world(opts: { sink?: "broker"; paired?: boolean } = {}) {
  const { store, silences } = await freshStore(azurite.connectionString);
  const targets: CircuitTarget[] = [
    {
      id: idOf("er-a"),
      subscriptionId: SUB,
      resourceGroup: "rg",
      name: "er-a",
      tags: opts.paired ? { "erwatch:pair": "site1" } : {},
    },
    { id: idOf("er-b"), subscriptionId: SUB, resourceGroup: "rg", name: "er-b", tags: {} },
  ];
  const specs: Record<string, CircuitSpec> = {};
  let now = at(0);
  const reader = {
    discover: async () => ({ targets, failures: [] }),
    read: async (t: CircuitTarget) => {
      const r = circuitReading({
        readAt: new Date(now.getTime() + 20_000).toISOString(),
        ...specs[t.name],
        ...(t.tags?.["erwatch:pair"] ? { settings: { pair: "site1" } } : {}),
      });
      return {
        kind: "read" as const,
        reading: withoutRouteTables({
          ...r,
          ref: { ...r.ref, id: t.id, name: t.name, resourceGroup: "rg" },
        }),
        settingProblems: [],
      };
    },
  };
  const sink: EventSinkLike =
    opts.sink === "broker"
      ? new ServiceBusEventSink(
          () => new ServiceBusClient(broker.connectionString),
          "alerts",
          5_000,
        )
      : new InMemoryEventSink();
  const { logger, lines } = memoryLogger();
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    silenceStore: silences,
    silences: [],
    historyRetentionDays: 30,
    logger,
    clock: () => now,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
  });
  const sweep = (m: number, mode: "deep" | "tiered" = "deep") => {
    now = at(m);
    return sweeper.sweep({
      scope: { subscriptions: [SUB], circuitIds: [] },
      now,
      mode,
      deadline: at(m + 1),
      abortSignal: AbortSignal.timeout(30_000),
    });
  };
  const t = store as unknown as { tables: Record<"snapshots" | "alerts" | "history", TableClient> };
  const row = (
    table: "snapshots" | "alerts" | "history",
    circuit: string,
    rowKey: string,
    value: object,
  ) =>
    t.tables[table].upsertEntity(
      {
        partitionKey: circuitPartition(idOf(circuit)),
        rowKey,
        circuitId: idOf(circuit),
        jsonParts: 1,
        json: JSON.stringify(value),
      },
      "Replace",
    );
  const snapshot = (circuit: string, extra: object) =>
    row("snapshots", circuit, "snapshot", {
      circuitId: idOf(circuit),
      circuitName: circuit,
      takenAt: now.toISOString(),
      providerState: "Provisioned",
      providerWasProvisioned: true,
      ...extra,
    });
  const status = () =>
    loadStatus(store, now, { recentHours: 1, recentLimit: 10, silenceStore: silences }).then(
      (m) => (renderStatusHtml(m), m),
    );
  return { store, silences, specs, sweep, row, snapshot, status, sink, lines };
}

it("an outbox event without its circuit (another circuit's row) holds back no other page, and is named", async () => {
  const w = await world({ sink: "broker" });
  await w.sweep(0);
  await w.row("alerts", "er-x", "outbox|2026-11-22T00:59:00.000Z|e-x", {
    circuitId: idOf("er-x"),
    createdAt: "2026-11-22T00:59:00.000Z",
    claimedBy: null,
    claimedUntil: null,
    event: { id: "e-x", key: "erw-x", sequence: 1 },
  });
  w.specs["er-b"] = DOWN;
  const r = await w.sweep(5);
  await (w.sink as ServiceBusEventSink).close();

  expect(r.brokerError ?? null).toBeNull();
  // er-b's Sev0 went out; today the bad row failed the publish as if Service Bus were down.
  expect(broker.accepted("alerts").length).toBeGreaterThan(0);
  expect(
    w.lines().some((l) => l.includes("a stored row cannot be read") && l.includes("e-x")),
  ).toBe(true);
});

it.each([
  [
    "pre-06b12ab snapshot (no endToEnd/capacity)",
    {
      peerings: {
        AzurePrivatePeering: {
          paths: { primary: PRE_06B12AB, secondary: PRE_06B12AB },
          prefixes: { primary: 1, secondary: 1 },
        },
      },
    },
  ],
  ["peering null (hand edit)", { peerings: { AzurePrivatePeering: null } }],
])(
  "the status page and `erwatch alerts` draw with one %s row of a circuit no longer swept",
  async (_, extra) => {
    const w = await world();
    w.specs["er-b"] = DOWN;
    await w.sweep(0);
    await w.snapshot("er-old", extra);
    const model = await w.status();
    expect(model.circuits.map((c) => c.name).sort()).toContain("er-b");
    const old = model.circuits.find((c) => c.name === "er-old");
    if (old) {
      // Kept, with the layers its erwatch did not keep shown as unknown.
      expect(old.peerings[0]!.paths.primary.endToEnd.status).toBe("unknown");
      expect(old.peerings[0]!.paths.primary.bgp.status).toBe("up");
    } else expect(extra.peerings.AzurePrivatePeering).toBeNull(); // left out and named
  },
);

it("the status page draws with one history row that lacks its `before`", async () => {
  const w = await world();
  await w.sweep(0);
  await w.row("history", "er-old", `${at(0).toISOString()}|h|0000|x`, {
    kind: "transition",
    at: at(0).toISOString(),
    circuitId: idOf("er-old"),
    peering: "P",
    path: "primary",
    layer: "bgp",
  });
  await expect(w.status()).resolves.toBeDefined();
});

type Edited = Record<string, unknown> & { key: string; condition: Record<string, unknown> };
it.each([
  ["its condition's paths missing", (a: Edited) => delete a.condition.paths],
  ["its condition's paths null", (a: Edited) => (a.condition.paths = null)],
  ["firstSeen a number", (a: Edited) => (a.firstSeen = 1_790_000_000_000)],
  ["a severity erwatch never writes", (a: Edited) => (a.condition.severity = "sev1")],
])(
  "the status page and `erwatch alerts` draw with one hand-edited alert row (%s), naming it",
  async (_, edit) => {
    const w = await world();
    w.specs["er-a"] = DOWN;
    w.specs["er-b"] = DOWN;
    await w.sweep(0);
    const [stored] = await w.store.listAlerts(idOf("er-a"));
    const alert = structuredClone(stored!.value) as unknown as Edited;
    edit(alert);
    await w.row("alerts", "er-a", `alert|${alert.key}`, { ...alert });
    const model = await w.status();
    expect(model.openAlerts.map((a) => a.circuitName)).toEqual(["er-b"]);
    expect(model.unreadableAlerts?.map((u) => u.key)).toEqual([alert.key]);
  },
);

/** A world swept once whose last-sweep record is then stored as `edit` makes it. */
async function lastSweepEdited(edit: (record: object) => object) {
  const w = await world();
  await w.sweep(0);
  const t = w.store as unknown as { tables: Record<"snapshots", TableClient> };
  const record = (await w.store.lastSweep())!;
  await t.tables.snapshots.updateEntity(
    {
      partitionKey: "erwatch-sweeps",
      rowKey: "last-completed",
      jsonParts: 1,
      json: JSON.stringify(edit(record)),
    },
    "Replace",
  );
  return { record, model: await w.status() };
}

it("a hand-edited last-sweep record (a count not a number) is left out, not drawn", async () => {
  const { model } = await lastSweepEdited((r) => ({
    ...r,
    circuits: '<img src="x" onerror="alert(1)">',
  }));
  expect(model.summary?.lastSweep).toBeNull();
  expect(renderStatusHtml(model)).not.toContain("<img");
});

it("a last-sweep record whose sweptBy a later erwatch wrote otherwise is drawn, as the function app's", async () => {
  const { record, model } = await lastSweepEdited((r) => ({ ...r, sweptBy: "worker" }));
  expect(model.summary?.lastSweep?.circuits).toBe(record.circuits);
  expect(renderStatusHtml(model)).not.toContain("erwatch sweep --state");
});

it("one hand-edited snapshot (a null peering) leaves the plan's memory of every other circuit", async () => {
  const w = await world();
  w.specs["er-b"] = DOWN;
  await w.sweep(0);
  await w.sweep(5); // er-b Sev0 open
  const before = (await w.sweep(10, "tiered")).plan.deep.map((d) => `${d.name}:${d.reason}`);
  await w.snapshot("er-old", { peerings: { AzurePrivatePeering: null } });
  const after = (await w.sweep(15, "tiered")).plan.deep.map((d) => `${d.name}:${d.reason}`);

  expect(after).toEqual(before);
});

it.each([
  [
    "`pair` not text",
    5,
    { AzurePrivatePeering: { paths: { primary: FULL, secondary: FULL }, prefixes: {} } },
  ],
  ["a path missing", "site1", { AzurePrivatePeering: { paths: { primary: FULL }, prefixes: {} } }],
])(
  "a pair partner's stored snapshot with %s stops neither the sweep nor its partner",
  async (_, pair, peerings) => {
    const w = await world({ paired: true });
    await w.snapshot("er-p", { pair, peerings });
    w.specs["er-b"] = DOWN;
    const r = await w
      .sweep(0)
      .catch((e: Error) => ({ threw: e.message, errors: [] as { name: string }[] }));

    expect("threw" in r ? ["threw"] : r.errors.map((e) => e.name)).toEqual([]);
  },
);

type Kept = Record<string, unknown> & {
  reads: { paths: Record<string, Record<string, unknown>> };
  peerings: Record<
    string,
    { paths: { primary: Record<string, unknown> } } & Record<string, unknown>
  >;
};
it.each<[string, (s: Kept) => void]>([
  [
    "`reads` whose peering lacks its primary",
    (s) => delete s.reads.paths.AzurePrivatePeering!.primary,
  ],
  ["`reads` whose primary is null", (s) => (s.reads.paths.AzurePrivatePeering!.primary = null)],
  ["`reads` whose peering is text", (s) => (s.reads.paths.AzurePrivatePeering = "x" as never)],
  ["`reads` a number", (s) => (s.reads = 5 as never)],
  ["`peeringsGone` a number", (s) => (s.peeringsGone = 5)],
  ["`peeringsMissing` a number", (s) => (s.peeringsMissing = 5)],
  [
    "no gateway memory and no gateway row",
    (s) => {
      delete s.peerings.AzurePrivatePeering!.gatewayWasConnected;
      delete s.peerings.AzurePrivatePeering!.paths.primary.gateway;
    },
  ],
])("a circuit whose stored snapshot has %s is recorded and pages its outage", async (_, edit) => {
  const w = await world();
  await w.sweep(0);
  const kept = structuredClone((await w.store.getSnapshot(idOf("er-b")))!.value) as unknown as Kept;
  edit(kept);
  await w.row("snapshots", "er-b", "snapshot", kept);
  // A read failing keeps its time from `reads`: the one readAgesOf looked up.
  w.specs["er-b"] = {
    paths: {
      AzurePrivatePeering: {
        primary: { arp: failed({ kind: "forbidden" }), bgp: "Idle" },
        secondary: { arp: "empty", bgp: "Idle" },
      },
    },
  };
  const r = await w.sweep(5);
  await w.sweep(10);

  // It threw for er-b at every sweep: never recorded, its outage never paged.
  expect(r.errors).toEqual([]);
  expect(
    (w.sink as InMemoryEventSink).published.map((e) => `${e.circuit.name}:${e.action}`),
  ).toEqual(["er-b:open"]);
  const next = (await w.store.getSnapshot(idOf("er-b")))!.value;
  expect(next.takenAt).toBe(at(10).toISOString());
  expect(next.reads?.paths.AzurePrivatePeering?.primary.summary).toEqual(expect.any(String));
});

it("a stored silence with a null peering blocks neither its circuit's alerts nor the status page", async () => {
  const w = await world();
  w.specs["er-b"] = DOWN;
  await w.sweep(0);
  await (w.silences as unknown as { table: TableClient }).table.createEntity({
    partitionKey: "silence",
    rowKey: "s-weekly",
    circuit: "er-b",
    jsonParts: 1,
    json: JSON.stringify({
      id: "s-weekly",
      circuit: "er-b",
      peering: null,
      window: { kind: "recurring", cron: "0 3 * * 0", durationMinutes: 60, timezone: "UTC" },
      comment: "c",
      author: "a",
      createdAt: at(0).toISOString(),
      expiredAt: null,
    }),
  });
  w.specs["er-b"] = {}; // recovered
  const r = await w.sweep(5);
  await w.sweep(10);

  expect(r.errors).toEqual([]);
  expect((w.sink as InMemoryEventSink).published.map((e) => e.action)).toEqual(["open", "resolve"]);
  await expect(w.status()).resolves.toBeDefined();
});

it("the publisher refuses an event it cannot make a message alone, and sends the rest", async () => {
  const sink = new ServiceBusEventSink(
    () => new ServiceBusClient(broker.connectionString),
    "alerts",
    5_000,
  );
  const before = broker.accepted("alerts").length;
  const good = alertEvent({ id: "erw-good-1", key: "erw-good" });
  const bad = { ...alertEvent({ id: "erw-bad-1", key: "erw-bad" }), circuit: undefined };
  try {
    const result = await sink.publish([bad as unknown as AlertEvent, good]);
    expect(result?.refused?.map((r) => r.id)).toEqual(["erw-bad-1"]);
  } finally {
    await sink.close();
  }
  expect(broker.accepted("alerts").length - before).toBe(1);
});

// A partner's stored read time is any text to the row's check: Date.parse read
// "42" as the year 2042 (and "" or "yesterday" as an age past no limit), so a
// partner once read up and carrying was "carrying" for ever and its pair's
// outage paged Sev1 "site redundancy holding" instead of Sev0, for good.
it.each([
  ["42", "42"],
  ["empty", ""],
  ["a word", "yesterday"],
])(
  "a pair partner's stored snapshot taken at %s does not step its partner's outage down",
  async (_, takenAt) => {
    const w = await world({ paired: true });
    const up = {
      AzurePrivatePeering: { paths: { primary: FULL, secondary: FULL }, prefixes: {} },
    };
    const flowing = { AzurePrivatePeering: { primary: "flowing", secondary: "flowing" } };
    await w.snapshot("er-p", { pair: "site1", peerings: up, traffic: flowing, takenAt });
    w.specs["er-a"] = DOWN;
    const r = await w.sweep(0);
    await w.sweep(5);

    expect(r.errors).toEqual([]);
    const heard = (w.sink as InMemoryEventSink).published.filter((e) => e.circuit.name === "er-a");
    // It was a Sev1 "site redundancy holding" (paged a sweep later, as a Sev1 is), for good.
    expect(heard.map((e) => `${e.action}:${e.severity}`)).toEqual(["open:Sev0"]);
    expect(heard[0]!.title).toMatch(
      /site redundancy unverified \(pair site1: er-p not known to carry the site\)/,
    );
  },
);

// A circuit's stored read time is any text to the row's check. A key that
// starts firing was clean at the circuit's last reading (the snapshot's
// takenAt), and its open waited from there: Date.parse read "yesterday" as
// NaN, a wait that never ends, kept in the alert's row for as long as it fired
// (a Sev0 never paged). And an open Sev0 whose row lost its last firing time
// was never told Blind: when erwatch could no longer read it.
it.each([
  ["a word", "yesterday"],
  ["a number as text", "42"],
])("a circuit whose stored snapshot was taken at %s pages its outage", async (_, takenAt) => {
  const w = await world();
  await w.sweep(0);
  const kept = (await w.store.getSnapshot(idOf("er-b")))!.value;
  await w.row("snapshots", "er-b", "snapshot", { ...kept, takenAt });
  w.specs["er-b"] = DOWN;
  const heard = () =>
    (w.sink as InMemoryEventSink).published.map((e) => `${e.action}:${e.severity}`);
  await w.sweep(5);
  // At once, as with the snapshot's time read ("42", a time after the clock, waited a sweep).
  expect(heard()).toEqual(["open:Sev0"]);
  await w.sweep(10);
  expect(heard()).toEqual(["open:Sev0"]);
});

it("an open Sev0 whose stored last firing is not a time tells its holder Blind:", async () => {
  const w = await world();
  w.specs["er-b"] = DOWN;
  await w.sweep(0);
  const alerts = await w.store.listAlerts(idOf("er-b"));
  const open = alerts.find((a) => a.value.notified)!.value;
  await w.row("alerts", "er-b", `alert|${open.key}`, {
    ...open,
    lastFiringAt: "yesterday",
    lastCleanAt: null,
  });
  const unreadPath: PathSpec = {
    arp: failed({ kind: "server-error" }),
    bgp: failed({ kind: "server-error" }),
  };
  w.specs["er-b"] = {
    paths: { AzurePrivatePeering: { primary: unreadPath, secondary: unreadPath } },
  };
  for (const m of [5, 10, 15, 20]) await w.sweep(m);

  const heard = (w.sink as InMemoryEventSink).published.filter((e) => e.key === open.key);
  expect(heard.map((e) => `${e.action}:${e.change.split(" ")[0]}`)).toEqual([
    "open:New",
    "repeat:Blind:",
  ]);
});

// When a path last carried is kept in the snapshot unchecked. "yesterday"
// (NaN) made a path quiet for longer than Azure Monitor's look-back "never
// seen carrying": its stop never paged, and the memory was dropped. "42"
// (2042, held to now) made it "carried now": the stop idle for a window, then
// dated by the sweep that read it.
it.each([
  ["a word", "yesterday"],
  ["a number as text", "42"],
])("a circuit whose kept last-carried time is %s pages its traffic stop", async (_, odd) => {
  const w = await world();
  const carrying = (m: number, shape?: Shape) => ({
    dataPlane: dp.metrics(shiftedTo(metrics(shape), at(m))),
  });
  w.specs["er-b"] = carrying(0);
  await w.sweep(0);
  const kept = (await w.store.getSnapshot(idOf("er-b")))!.value;
  await w.row("snapshots", "er-b", "snapshot", {
    ...kept,
    lastCarriedAt: { AzurePrivatePeering: { primary: odd, secondary: odd } },
  });
  for (const m of [5, 10]) {
    w.specs["er-b"] = carrying(m, quiet(["primary", "secondary"], 60));
    await w.sweep(m);
  }

  expect(
    (w.sink as InMemoryEventSink).published.map((e) => `${e.code}:${e.action}:${e.severity}`),
  ).toEqual(["traffic-stopped:open:Sev1"]);
});

it.each([
  ["not a time", "yesterday"],
  ["empty", ""],
  ["a year as text", "42"],
  ["a time without its zone", "2026-11-22T01:00:00"],
])(
  "a stored silence someone expired, its expiry time %s, silences nothing",
  async (_name, expiredAt) => {
    const w = await world();
    await w.sweep(0);
    await (w.silences as unknown as { table: TableClient }).table.createEntity({
      partitionKey: "silence",
      rowKey: "s-window",
      circuit: "er-b",
      jsonParts: 1,
      json: JSON.stringify({
        id: "s-window",
        circuit: idOf("er-b"),
        window: { kind: "once", start: at(0).toISOString(), end: at(600).toISOString() },
        comment: "c",
        author: "a",
        createdAt: at(0).toISOString(),
        expiredAt,
      }),
    });
    w.specs["er-b"] = DOWN;
    const r = await w.sweep(5);
    expect(r.errors).toEqual([]);
    expect(
      (w.sink as InMemoryEventSink).published.map((e) => `${e.circuit.name}:${e.action}`),
    ).toEqual(["er-b:open"]);
  },
);

it.each([
  ["not a time", "yesterday"],
  ["a year as text", "42"],
  ["years ahead (a clock that ran ahead)", "2042-01-01T00:00:00.000Z"],
])(
  "an outbox event whose lease is %s is sent, and so is the rest of its alert",
  async (_name, claimedUntil) => {
    const w = await world({ sink: "broker" });
    await w.sweep(0);
    // Its own id: the file's broker drops a message id it already took.
    const key = `erw-lease-${Buffer.from(claimedUntil).toString("hex")}`;
    const event = alertEvent({
      circuit: { id: idOf("er-b"), name: "er-b", tags: {} },
      key,
      id: `${key}-1`,
    } as never);
    await w.row("alerts", "er-b", `outbox|2026-11-22T00:59:00.000Z|${event.id}`, {
      circuitId: idOf("er-b"),
      createdAt: "2026-11-22T00:59:00.000Z",
      claimedBy: "a-drain-long-gone",
      claimedUntil,
      event,
    });
    const before = broker.accepted("alerts").length;
    const r = await w.sweep(5);
    await (w.sink as ServiceBusEventSink).close();
    expect(r.brokerError ?? null).toBeNull();
    expect(
      broker
        .accepted("alerts")
        .slice(before)
        .map((m) => (m.body as AlertEvent).id),
    ).toContain(event.id);
  },
);

it.each([
  ["free", null, false],
  ["held a minute more", "2026-11-22T01:01:00.000Z", true],
  ["over", "2026-11-22T00:59:00.000Z", false],
  ["further ahead than a lease is taken for", "2026-11-22T01:10:00.000Z", false],
  ["not a time", "yesterday", false],
])("leasedUntil: %s", (_name, claimedUntil, expected) => {
  expect(leasedUntil(claimedUntil, new Date(T0))).toBe(expected);
});

it.each([
  ["never expired", null, "active"],
  ["expired before now", "2026-11-22T00:30:00.000Z", "expired"],
  ["to expire later", "2026-11-22T02:00:00.000Z", "active"],
  ["expired at a time that is not a time", "yesterday", "expired"],
])("silenceStatus: %s", (_name, expiredAt, expected) => {
  const silence = {
    id: "s",
    circuit: "er-b",
    window: { kind: "once" as const, start: at(-60).toISOString(), end: at(600).toISOString() },
    expiredAt,
  };
  expect(silenceStatus(silence, new Date(T0))).toBe(expected);
});
