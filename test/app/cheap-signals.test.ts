// The cheap tier gets a part of the sweep's window, not all of it: Azure
// Monitor not answering must leave the ARM reads their time. What each kind
// of reader gets back, and what is said.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readCheapSignals } from "../../src/app/cheap-signals.js";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import type { CheapSignalReading, CheapSignals } from "../../src/app/sweep-plan.js";
import { manualTime, type ManualTime } from "../support/manual-time.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const troubled = (id: string): CheapSignalReading => ({
  troubled: new Map([[id, "ArpAvailability dipped"]]),
});

/** Answers `reading` once told to stop (a reader that honours the signal and hands back what it got). */
const handsBackOnAbort = (reading: CheapSignalReading): CheapSignals => ({
  read: (_, { abortSignal }) =>
    new Promise((resolve) => {
      if (abortSignal.aborted) resolve(reading);
      else abortSignal.addEventListener("abort", () => resolve(reading));
    }),
});
/** Never answers, whatever it is told. */
const deaf: CheapSignals = { read: () => new Promise(() => undefined) };
const answers = (reading: CheapSignalReading, afterMs = 0): CheapSignals => ({
  read: () => new Promise((resolve) => setTimeout(() => resolve(reading), afterMs)),
});

/** The read under way, and what it came to once it is done. */
function reading(
  signals: CheapSignals,
  budgetMs: number | null,
  sweep = new AbortController(),
  time: ManualTime = manualTime(),
) {
  const { logger, records } = memoryLogger();
  let done = false;
  const result = readCheapSignals(
    signals,
    [],
    { abortSignal: sweep.signal, now: NOW, budgetMs, time },
    logger,
  ).then((read) => {
    done = true;
    const said = records()
      .filter((r) => Number(r.level) >= 40)
      .map((r) => String(r.msg).split(";")[0]);
    return { troubled: [...read.troubled.keys()], said };
  });
  return { result, done: () => done };
}

const read = (signals: CheapSignals, budgetMs: number | null, sweep = new AbortController()) =>
  reading(signals, budgetMs, sweep).result;

/** Every callback the turn of the event loop has queued has run (the read's own steps too). */
const aTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("the cheap tier within its budget", () => {
  it("a reader answering in time: its signals, nothing said", async () => {
    expect(await read(answers(troubled("c-1")), 10_000)).toEqual({ troubled: ["c-1"], said: [] });
  });

  it("a reader that hands back what it got when its budget runs out: that, and it is said", async () => {
    const time = manualTime();
    const read = reading(handsBackOnAbort(troubled("c-2")), 50.5, undefined, time);
    // The budget runs on the sweep's time, rounded up to the whole ms.
    expect(time.dueIn()).toEqual([51]);
    time.advance(50);
    await aTurn();
    expect(read.done()).toBe(false);
    time.advance(1);
    expect(await read.result).toEqual({
      troubled: ["c-2"],
      said: ["Azure Monitor did not answer the cheap tier within its part of the window"],
    });
    // Read and done: no hand-back, and no budget, left behind.
    expect(time.pending()).toBe(0);
  });

  it("a reader deaf to the budget: let go of a moment after it, with nothing", async () => {
    const time = manualTime();
    const read = reading(deaf, 50, undefined, time);
    expect(time.dueIn()).toEqual([50]);
    time.advance(50);
    // Its budget spent, the read is given a second more to hand back, on the same time.
    expect(time.dueIn()).toEqual([1_000]);
    time.advance(999);
    await aTurn();
    expect(read.done()).toBe(false);
    time.advance(1);
    expect(await read.result).toEqual({
      troubled: [],
      said: ["Azure Monitor did not answer the cheap tier within its part of the window"],
    });
    expect(time.pending()).toBe(0);
  });

  it("a reader answering within its budget leaves no timer behind", async () => {
    const time = manualTime();
    const read = reading(answers(troubled("c-5")), 10_000, undefined, time);
    expect(time.dueIn()).toEqual([10_000]);
    expect(await read.result).toEqual({ troubled: ["c-5"], said: [] });
    expect(time.pending()).toBe(0);
  });

  it("a reader that fails: nothing, and it is said", async () => {
    const failing: CheapSignals = {
      read: () => Promise.reject(new Error("403 AuthorizationFailed")),
    };
    expect(await read(failing, 10_000)).toEqual({
      troubled: [],
      said: ["cheap signals unavailable"],
    });
  });

  it("no deadline (a sweep of named circuits from the CLI): the read is waited for", async () => {
    expect(await read(answers(troubled("c-3"), 100), null)).toEqual({
      troubled: ["c-3"],
      said: [],
    });
  });

  it("the sweep itself stopped: no complaint about Monitor", async () => {
    const sweep = new AbortController();
    sweep.abort();
    expect(await read(handsBackOnAbort(troubled("c-4")), 10_000, sweep)).toEqual({
      troubled: ["c-4"],
      said: [],
    });
  });
});

describe("a timer sweep while Azure Monitor does not answer", () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("plans after its quarter of the window and reads the estate in the rest", async () => {
    const { store } = await freshStore(azurite.connectionString);
    const reader = new FakeReader();
    const { logger, records } = memoryLogger();
    const time = manualTime(NOW.getTime());
    const sweeper = createSweeper({
      reader,
      store,
      sink: new InMemoryEventSink(),
      policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      silences: [],
      historyRetentionDays: 30,
      logger,
      signals: deaf,
      time,
    });
    const sweeping = sweeper.sweep({
      scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
      now: NOW,
      abortSignal: AbortSignal.timeout(30_000),
      // A window of 2 s: Monitor is given half a second of it.
      deadline: new Date(NOW.getTime() + 2_000),
      mode: "tiered",
    });
    await vi.waitFor(() => expect(time.dueIn()).toEqual([500]), { timeout: 10_000 });
    time.advance(500);
    // ... and, deaf to it, a second more to hand back what it got.
    expect(time.dueIn()).toEqual([1_000]);
    expect(reader.reads).toBe(0);
    time.advance(1_000);
    const result = await sweeping;
    expect(result.errors).toEqual([]);
    // Never read before: read deep, inside the window Monitor left it.
    expect(result.plan.deep.map((d) => d.name)).toEqual([reader.target.name]);
    expect(reader.reads).toBe(1);
    expect(
      records().some((r) =>
        String(r.msg).startsWith("Azure Monitor did not answer the cheap tier"),
      ),
    ).toBe(true);
    // The deep reads' flush at the deadline, on the same time, was called off once they were done.
    expect(time.pending()).toBe(0);
  }, 30_000);
});
