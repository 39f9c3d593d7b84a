// The cheap tier gets a part of the sweep's window, not all of it: Azure
// Monitor not answering must leave the ARM reads their time. What each kind
// of reader gets back, and what is said.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheapSignals } from "../../src/app/cheap-signals.js";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import type { CheapSignalReading, CheapSignals } from "../../src/app/sweep-plan.js";
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

async function read(signals: CheapSignals, budgetMs: number | null, sweep = new AbortController()) {
  const { logger, records } = memoryLogger();
  const reading = await readCheapSignals(
    signals,
    [],
    { abortSignal: sweep.signal, now: NOW, budgetMs },
    logger,
  );
  const said = records()
    .filter((r) => Number(r.level) >= 40)
    .map((r) => String(r.msg).split(";")[0]);
  return { troubled: [...reading.troubled.keys()], said };
}

describe("the cheap tier within its budget", () => {
  it("a reader answering in time: its signals, nothing said", async () => {
    expect(await read(answers(troubled("c-1")), 10_000)).toEqual({ troubled: ["c-1"], said: [] });
  });

  it("a reader that hands back what it got when its budget runs out: that, and it is said", async () => {
    expect(await read(handsBackOnAbort(troubled("c-2")), 50.5)).toEqual({
      troubled: ["c-2"],
      said: ["Azure Monitor did not answer the cheap tier within its part of the window"],
    });
  });

  it("a reader deaf to the budget: let go of a moment after it, with nothing", async () => {
    expect(await read(deaf, 50)).toEqual({
      troubled: [],
      said: ["Azure Monitor did not answer the cheap tier within its part of the window"],
    });
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
    const sweeper = createSweeper({
      reader,
      store,
      sink: new InMemoryEventSink(),
      policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      silences: [],
      historyRetentionDays: 30,
      logger,
      signals: deaf,
    });
    const started = new Date();
    const result = await sweeper.sweep({
      scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
      now: started,
      abortSignal: AbortSignal.timeout(30_000),
      // A window of 2 s: Monitor is given half a second of it.
      deadline: new Date(started.getTime() + 2_000),
      mode: "tiered",
    });
    expect(result.errors).toEqual([]);
    // Never read before: read deep, inside the window Monitor left it.
    expect(result.plan.deep.map((d) => d.name)).toEqual([reader.target.name]);
    expect(reader.reads).toBe(1);
    expect(
      records().some((r) =>
        String(r.msg).startsWith("Azure Monitor did not answer the cheap tier"),
      ),
    ).toBe(true);
  }, 30_000);
});
