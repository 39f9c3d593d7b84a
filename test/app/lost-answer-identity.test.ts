// A write that landed with its answer lost is the writer's own, and only
// its own (an adversarial review's cases, through the real store: Azurite
// behind the loopback table fault proxy): another sweep's equal snapshot at
// the same instant is not taken for it, a read-back that fails is said, and
// an alert's commit keeps its decision, event and history record.

import { afterAll, beforeAll, expect, it } from "vitest";
import type { TableStateStore } from "../../src/adapters/tables/state-store.js";
import { drainOutbox } from "../../src/app/outbox.js";
import { recordCircuit, type RecordDeps } from "../../src/app/record-circuit.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { event as alertEvent } from "../support/dispatch-event.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { CIRCUIT_ID, circuitReading } from "../support/readings.js";
import { startTableFaultProxy, type TableFaultProxy } from "../support/table-fault-proxy.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);

let azurite: Azurite;
let proxy: TableFaultProxy;
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startTableFaultProxy(azurite);
});
afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
});

async function storeOn(connectionString: string, timeoutMs: number) {
  const mem = memoryLogger();
  const { store } = await freshStore(connectionString, mem.logger, { timeoutMs });
  return { store, ...mem };
}

// ---------------------------------------------------------------------------
// 1. Snapshot: another writer's identical snapshot is taken for this attempt's
//    own lost-answer write, so the first evaluation (against the older
//    snapshot) is kept and its transitions are recorded a second time, under
//    the second writer's name. Flap counting reads every history row: one
//    outage and its recovery become three changes on a path, and a flap pages.
// ---------------------------------------------------------------------------

const bothDown = {
  AzurePrivatePeering: {
    primary: { arp: "empty" as const, bgp: "Idle" },
    secondary: { arp: "empty" as const, bgp: "Idle" },
  },
};

it("two sweeps that judge one circuit alike at one instant record its transitions once, and page no flap", async () => {
  const { store, logger } = await storeOn(azurite.connectionString, 10_000);
  const deps: RecordDeps = {
    store,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
  };
  const at = (m: number, spec: Parameters<typeof circuitReading>[0] = {}) =>
    circuitReading({ ...spec, readAt: minute(m).toISOString() });
  const events: AlertEvent[] = [];
  events.push(...(await recordCircuit(deps, at(0), minute(0), "sweep-0", logger)).events);

  // Sweep A and sweep B (a timer sweep and an HTTP sweep, two instances) read the
  // circuit alike at the same instant. B read the snapshot before A wrote it; A's
  // write lands first, B's own write meets A's ETag: a genuine conflict, B's write
  // never landed. Its answer was not lost.
  let races = 0;
  const raced = async (m: number, reading: ReturnType<typeof at>) => {
    let racedOnce = false;
    const storeB = Object.create(store) as TableStateStore;
    storeB.putSnapshot = async (snapshot, etag) => {
      if (!racedOnce) {
        racedOnce = true;
        races += 1;
        events.push(
          ...(await recordCircuit(deps, reading, minute(m), `sweep-a${m}`, logger)).events,
        );
      }
      return store.putSnapshot(snapshot, etag);
    };
    events.push(
      ...(
        await recordCircuit({ ...deps, store: storeB }, reading, minute(m), `sweep-b${m}`, logger)
      ).events,
    );
  };
  await raced(5, at(5, { paths: bothDown }));
  expect(races).toBe(1);

  const history = await store.listHistory(CIRCUIT_ID, minute(-60));
  const transitions = history.filter((e) => e.kind === "transition");
  const distinct = new Set(transitions.map((t) => JSON.stringify(t)));
  // Each transition of the outage is in history once.
  expect.soft(transitions.length).toBe(distinct.size);

  // The consequence: the paths come back, read alike by both again; flap counting
  // reads four changes of each path (down, down, up, up) where there were two.
  await raced(10, at(10));
  for (const m of [15, 20, 25, 30])
    events.push(...(await recordCircuit(deps, at(m), minute(m), `sweep-${m}`, logger)).events);
  expect(events.map((e) => `${e.action} ${e.family}`)).toEqual([
    "open path-down",
    "resolve path-down",
  ]);
}, 60_000);

// ---------------------------------------------------------------------------
// 2. Outbox claim: the claim lands, its answer is lost, the SDK's retry meets
//    the new ETag (412), and the read-back meant to recognise it fails too.
//    The read-back's error is swallowed (`.catch(() => null)`) and the 412 is
//    reported as "another drain holds it": the event is held by the drain's own
//    lease and nothing is logged, the "page late with nothing to say why" the
//    change set out to end.
// ---------------------------------------------------------------------------

it("a claim whose answer is lost and whose read-back fails is not silently taken for another drain's", async () => {
  const h = await storeOn(proxy.connectionString, 2_000);
  const circuitId = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-lon`;
  const alert: AlertState = {
    key: "erw-er-lon",
    family: "path-down",
    circuitId,
    circuitName: "er-lon",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 1,
    consecutiveClean: 0,
    firstSeen: "2026-11-22T01:00:00.000Z",
    condition: null,
    notified: null,
    sequence: 1,
    lastEvaluatedAt: "2026-11-22T01:00:00.000Z",
  } as AlertState;
  await h.store.commitAlert(alert, null, [
    alertEvent({
      id: "erw-er-lon-1",
      key: "erw-er-lon",
      sequence: 1,
      occurredAt: "2026-11-22T01:00:00.000Z",
    }),
  ]);
  const sink = new InMemoryEventSink();
  let claims = 0;
  try {
    proxy.rule = (r) => {
      if (!r.table.endsWith("Alerts")) return null;
      if (r.operation === "update" && r.text.includes("outbox|") && claims++ === 0)
        return { kind: "lose-answer" };
      // The read-back of the claim: the partition answering 503 for a moment.
      if (r.operation === "get") return { kind: "status", status: 503, code: "ServerBusy" };
      return null;
    };
    const drained = await drainOutbox(h.store, sink, {
      claimant: "sweep-1",
      now: minute(1),
      logger: h.logger,
    });
    // Late for this drain (its own storage failed): acceptable ...
    expect(drained.published).toEqual([]);
  } finally {
    proxy.rule = () => null;
    proxy.take();
  }
  // ... but the row is held by this drain's own claim, and something must say so.
  const [row] = await h.store.listOutbox();
  expect(row?.value.claimedBy).toMatch(/^sweep-1/);
  const said = h
    .records()
    .filter((r) => Number(r.level) >= 40)
    .map((r) => r.msg);
  expect(said).toContain(
    "could not claim an outbox event; it waits for the next drain, the others go out",
  );
}, 60_000);

// ---------------------------------------------------------------------------
// 3. Alert commit (README now says "an alert's commit ... recognised as the
//    sweep's own"; commitAlert is unchanged): the transaction of the open and
//    its outbox row lands, its answer is lost, the retry meets 409/412, the
//    sweep re-reads its own row and decides again from it: "none". The page
//    still leaves (the outbox row landed), but the sweep's own record of it
//    is gone: no "open" in the circuit's history (status page, flap notes),
//    and the sweep's events and decisions say nothing was opened.
// ---------------------------------------------------------------------------

it("an alert's commit written with its answer lost is the sweep's own: its event and its history record are kept", async () => {
  const { store, logger } = await storeOn(proxy.connectionString, 5_000);
  const deps: RecordDeps = {
    store,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
  };
  const at = (m: number, spec: Parameters<typeof circuitReading>[0] = {}) =>
    circuitReading({ ...spec, readAt: minute(m).toISOString() });
  await recordCircuit(deps, at(0), minute(0), "sweep-0", logger);
  let lost = 0;
  let record;
  try {
    proxy.rule = (r) =>
      r.table.endsWith("Alerts") &&
      r.operation === "batch" &&
      r.text.includes("outbox|") &&
      lost++ === 0
        ? { kind: "lose-answer" }
        : null;
    record = await recordCircuit(deps, at(5, { paths: bothDown }), minute(5), "sweep-5", logger);
  } finally {
    proxy.rule = () => null;
  }
  expect(proxy.take().map((f) => f.fault.kind)).toEqual(["lose-answer"]);
  // The page itself is not lost: its outbox row landed with the alert.
  expect(
    (await store.listOutbox()).map((r) => `${r.value.event.action} ${r.value.event.family}`),
  ).toEqual(["open path-down"]);
  const opened = (await store.listHistory(CIRCUIT_ID, minute(-60)))
    .filter((e) => e.kind === "alert")
    .map((e) => `${(e as { outcome: string }).outcome} ${(e as { family: string }).family}`);
  expect.soft(record.decisions.map((d) => `${d.action} ${d.family}`)).toContain("open path-down");
  expect.soft(record.events.map((e) => `${e.action} ${e.family}`)).toEqual(["open path-down"]);
  expect(opened).toContain("open path-down");
}, 60_000);
