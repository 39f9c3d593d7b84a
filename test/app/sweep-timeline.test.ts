// The alert lifecycle end to end at the application level: fake reads,
// real Table Storage (Azurite), injected clock, in-memory event sink.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSweeper } from "../../src/app/sweep.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy, type Silence } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { failed } from "../support/readings.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";
import type { StateStore } from "../../src/app/state-store.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** The store, with its history table failing while `failing()` says so (every signal-bound copy too). */
function failingHistory(store: StateStore, failing: () => boolean): StateStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "appendHistory")
        return async (...args: Parameters<StateStore["appendHistory"]>) => {
          if (failing()) throw new Error("history table: 503 ServerBusy");
          return target.appendHistory(...args);
        };
      if (prop === "withSignal")
        return (signal: AbortSignal) => failingHistory(target.withSignal(signal), failing);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function"
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

async function harness(
  silences: Silence[] = [],
  policy: Partial<AlertPolicy> = {},
  historyFails: () => boolean = () => false,
) {
  const { store: tables } = await freshStore(azurite.connectionString);
  const store = failingHistory(tables, historyFails);
  const reader = new FakeReader();
  const sink = new InMemoryEventSink();
  const { logger, records } = memoryLogger();
  let n = 0;
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: { ...DEFAULT_ALERT_POLICY, ...policy } },
    silences,
    historyRetentionDays: 30,
    logger,
    newId: () => `sweep-${++n}`,
  });
  const run = (m: number) =>
    sweeper.sweep({
      targets: [reader.target],
      now: minute(m),
      abortSignal: AbortSignal.timeout(30_000),
    });
  const sent = () =>
    sink.published.map((e) => `${e.action}:${e.family}:${e.severity}#${e.sequence}`);
  return { store, reader, sink, run, sent, records };
}

const secondaryDown = {
  AzurePrivatePeering: { secondary: { arp: "empty" as const, bgp: "Idle" } },
};
const bothDown = {
  AzurePrivatePeering: {
    primary: { arp: "empty" as const, bgp: "Idle" },
    secondary: { arp: "empty" as const, bgp: "Idle" },
  },
};

describe("stateful sweep timelines", () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeEach(async () => {
    h = await harness();
  });

  it("should open Sev2, escalate the same key to Sev0, then resolve", async () => {
    await h.run(0); // healthy baseline
    h.reader.spec = { paths: secondaryDown };
    await h.run(5); // held by hysteresis
    await h.run(10);
    expect(h.sent()).toEqual(["open:path-down:Sev2#1"]);
    h.reader.spec = { paths: bothDown };
    await h.run(15);
    h.reader.spec = {};
    await h.run(20);
    await h.run(25);
    await h.run(30);
    expect(h.sent()).toEqual([
      "open:path-down:Sev2#1",
      "escalate:path-down:Sev0#2",
      "resolve:path-down:Sev0#3",
    ]);
    expect(new Set(h.sink.published.map((e) => e.key)).size).toBe(1);
    const escalate = h.sink.published[1]!;
    expect(escalate.change).toContain("Worse: Sev2 → Sev0; now also the primary path.");
    expect(escalate.ticket).toContain("First seen by erwatch: 2026-11-22T01:05:00.000Z");
    expect(h.sink.published[2]!.change).toMatch(/^Resolved after 20 min/);
  });

  it("should page and resolve while the history table fails, and say so in the log", async () => {
    let down = false;
    h = await harness([], {}, () => down);
    await h.run(0);
    down = true;
    h.reader.spec = { paths: bothDown };
    const opened = await h.run(5);
    expect(opened.errors).toEqual([]);
    h.reader.spec = {};
    for (const m of [10, 15, 20]) expect((await h.run(m)).errors).toEqual([]);
    expect(h.sent()).toEqual(["open:path-down:Sev0#1", "resolve:path-down:Sev0#2"]);
    const failures = h
      .records()
      .filter(
        (r) =>
          r.msg === "history could not be written; the circuit is judged and alerted without it",
      );
    expect(failures.length).toBeGreaterThan(0);
    expect(String((failures[0]!.err as { message?: string }).message)).toContain("ServerBusy");
  });

  it("should only repeat at the interval while nothing changes for hours", async () => {
    h.reader.spec = { paths: bothDown };
    for (let m = 0; m <= 9 * 60; m += 30) await h.run(m);
    expect(h.sent()).toEqual([
      "open:path-down:Sev0#1",
      "repeat:path-down:Sev0#2",
      "repeat:path-down:Sev0#3",
    ]);
    expect(h.sink.published.map((e) => e.occurredAt)).toEqual(
      [minute(0), minute(240), minute(480)].map((d) => d.toISOString()),
    );
  });

  it("should raise one session-flapping alert for a flapping session and hold the path churn", async () => {
    // Sweeps every 2 min (a 2-minute timer); both paths drop for two sweeps, come back for two, eight times over.
    h = await harness([], { sweepIntervalMinutes: 2 });
    const decisions: string[] = [];
    for (let i = 0; i <= 60; i += 1) {
      h.reader.spec =
        i >= 1 && i <= 16 && Math.floor((i - 1) / 2) % 2 === 0 ? { paths: bothDown } : {};
      const result = await h.run(i * 2);
      decisions.push(
        ...result.decisions.map(
          (d) => `${i}:${d.family}:${d.action === "none" ? d.reason : d.action}`,
        ),
      );
    }
    // One open/resolve pair happens before the pattern is provable; then one flap alert
    // (Sev1: both paths) opens, and the Sev0 it cannot hold stays open through the flap
    // instead of resolving and re-opening; both resolve once the session calms.
    expect(h.sent()).toEqual([
      "open:path-down:Sev0#1",
      "resolve:path-down:Sev0#2",
      "open:path-down:Sev0#3",
      "open:session-flapping:Sev1#1",
      "resolve:session-flapping:Sev1#2",
      "resolve:path-down:Sev0#4",
    ]);
    // The flap alert opens at sweep 7; from then on the path alert's resolve waits for it.
    expect(decisions).toContain("8:path-down:inhibited");
    expect(decisions).toContain("12:path-down:inhibited");
    expect(decisions.filter((d) => /^(9|13):path-down:/.test(d))).toEqual([
      "9:path-down:unchanged",
      "13:path-down:unchanged",
    ]);
    const flap = h.sink.published.find((e) => e.family === "session-flapping")!;
    expect(flap.paths).toEqual(["primary", "secondary"]);
    expect(flap.evidence.prefixNearLimit).toBe(false);
    expect(flap.owner).toBe("carrier");
    expect(flap.ticket).toContain("Path up/down (UTC):");
  });

  it("should open one monitoring-blind after a 3-sweep 429 storm and never resolve the open outage", async () => {
    h.reader.spec = { paths: bothDown };
    await h.run(0);
    h.reader.spec = {
      circuit: failed({
        kind: "throttled",
        statusCode: 429,
        call: "Microsoft.Network/expressRouteCircuits/read",
        target: "circuit er-circuit-prod",
      }),
    };
    await h.run(5);
    await h.run(10);
    await h.run(15);
    await h.run(20);
    // The Sev0's receivers hear once that erwatch lost sight of it.
    const held = [
      "open:path-down:Sev0#1",
      "open:monitoring-blind:Sev3#1",
      "repeat:path-down:Sev0#2",
    ];
    expect(h.sent()).toEqual(held);
    const blind = h.sink.published[1]!;
    expect(blind.title).toContain("erwatch cannot read circuit er-circuit-prod: throttled");
    expect(h.sink.published[2]!.change).toMatch(/^Blind: /);
    h.reader.spec = { paths: bothDown };
    await h.run(25);
    // Blind resolves as any alert does: after its second good read.
    expect(h.sent()).toEqual(held);
    await h.run(30);
    expect(h.sent()).toEqual([...held, "resolve:monitoring-blind:Sev3#2"]);
  });

  // Only the secondary's reads fail; the primary still reads down. The Sev0's
  // holder hears which path erwatch lost, as a field the receivers word.
  it("should name the one path it lost in the Sev0's Blind: notice while the other still reads down", async () => {
    h.reader.spec = { paths: bothDown };
    await h.run(0);
    const unread = {
      kind: "server-error",
      call: "Microsoft.Network/expressRouteCircuits/peerings/arpTables/action",
    } as const;
    h.reader.spec = {
      paths: {
        AzurePrivatePeering: {
          primary: { arp: "empty", bgp: "Idle" },
          secondary: { arp: failed(unread), bgp: failed(unread) },
        },
      },
    };
    for (const m of [5, 10, 15, 20]) await h.run(m);
    const notices = h.sink.published.filter((e) => e.change.startsWith("Blind:"));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      family: "path-down",
      severity: "Sev0",
      blindPaths: ["secondary"],
      blindSince: minute(0).toISOString(),
    });
  });

  it("should stay silent during a silence and notify when it ends", async () => {
    const silenced = await harness([
      {
        id: "carrier-maint-42",
        circuit: "er-circuit-prod",
        path: "secondary",
        comment: "Equinix ticket 42",
        window: { kind: "once", start: minute(0).toISOString(), end: minute(30).toISOString() },
      },
    ]);
    silenced.reader.spec = { paths: secondaryDown };
    for (const m of [5, 10, 15, 20, 25]) await silenced.run(m);
    expect(silenced.sent()).toEqual([]);
    const history = await silenced.store.listHistory(silenced.reader.target.id, minute(0));
    expect(
      history.filter((e) => e.kind === "alert").map((e) => (e.kind === "alert" ? e.outcome : "")),
    ).toContain("silenced");
    await silenced.run(30);
    expect(silenced.sent()).toEqual(["open:path-down:Sev2#1"]);
  });

  it("should keep events in the outbox while the broker is down and publish them next sweep with the same ids", async () => {
    h.reader.spec = { paths: bothDown };
    h.sink.failWith = new Error("broker unreachable");
    const first = await h.run(0);
    expect(first.events.map((e) => e.id)).toHaveLength(1);
    expect(first.brokerError).toBe("broker unreachable");
    expect(h.sink.published).toEqual([]);
    h.sink.failWith = null;
    const second = await h.run(5);
    expect(second.published.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(await h.store.listOutbox()).toEqual([]);
  });

  it("should emit each event exactly once when two sweeps run at the same time", async () => {
    // Force the race: both sweeps read alert state, and neither may decide until
    // both have read, so both decide from the same ETag (a one-shot barrier, so
    // the loser's re-read goes straight through).
    let barrier: (() => void)[] | null = [];
    // The sweep scopes the store to its signal; keep it on this instance, whose methods are wrapped below.
    h.store.withSignal = () => h.store;
    const original = h.store.listAlerts.bind(h.store);
    h.store.listAlerts = async (circuitId?: string) => {
      const alerts = await original(circuitId);
      if (barrier) {
        const arrived = barrier;
        await new Promise<void>((resolve) => {
          arrived.push(resolve);
          if (arrived.length === 2) {
            barrier = null;
            arrived.forEach((release) => release());
          }
        });
      }
      return alerts;
    };
    const commits: string[] = [];
    const commit = h.store.commitAlert.bind(h.store);
    h.store.commitAlert = async (state, etag, events) => {
      try {
        await commit(state, etag, events);
        commits.push("ok");
      } catch (error) {
        commits.push((error as Error).name);
        throw error;
      }
    };
    h.reader.spec = { paths: bothDown };
    const [a, b] = await Promise.all([h.run(0), h.run(0)]);
    expect(commits).toEqual(["ok", "ConflictError"]);
    expect(h.sent()).toEqual(["open:path-down:Sev0#1"]);
    expect([...a.events, ...b.events]).toHaveLength(1);
    h.reader.spec = {};
    await Promise.all([h.run(5), h.run(5)]);
    await Promise.all([h.run(10), h.run(10)]);
    expect(h.sent()).toEqual(["open:path-down:Sev0#1", "resolve:path-down:Sev0#2"]);
  });

  it("should page through a silence that cannot be evaluated, with a warning, instead of never", async () => {
    // Validation at start refuses this; a silence that still breaks at run time must fail open.
    const broken: Silence = {
      id: "bad-tz",
      circuit: "er-circuit-prod",
      window: {
        kind: "recurring",
        cron: "0 2 * * *",
        durationMinutes: 600,
        timezone: "Europe/Amsterdm",
      },
    };
    const h2 = await harness([broken]);
    await h2.run(0);
    h2.reader.spec = { paths: bothDown };
    await h2.run(5);
    expect(h2.sent()).toEqual(["open:path-down:Sev0#1"]);
    const warnings = h2.records().filter((r) => r.silence === "bad-tz");
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatchObject({ level: 40 });
  });

  it("should raise monitoring-blind, never only an error entry, for a circuit erwatch keeps failing on", async () => {
    await h.run(0);
    h.reader.throwing = new TypeError(
      "Cannot read properties of undefined (reading 'toLowerCase')",
    );
    const results = [];
    for (const m of [5, 10, 15]) results.push(await h.run(m));
    // UNKNOWN, not dropped: the circuit has a verdict every sweep, and no error entry.
    expect(results.map((r) => r.verdicts.length)).toEqual([1, 1, 1]);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    // Blind after the usual three sweeps, naming erwatch itself.
    expect(h.sent()).toEqual(["open:monitoring-blind:Sev3#1"]);
    const blind = h.sink.published[0]!;
    expect(blind.title).toMatch(/erwatch cannot read circuit er-circuit-prod: internal/);
    expect(blind.nextAction).toMatch(/a bug, not an Azure problem/);
    h.reader.throwing = null;
    await h.run(20);
    await h.run(25);
    expect(h.sent()).toEqual(["open:monitoring-blind:Sev3#1", "resolve:monitoring-blind:Sev3#2"]);
  });
});
