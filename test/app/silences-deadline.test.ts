// Stored silences are read with a deadline of their own (15 s), so storage
// that does not answer never holds a sweep: past it the configured silences
// hold alone, and a warning says so. The deadline runs on the sweep's
// injected time, so these tests move it instead of waiting 15 s.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { silencesOverTime, type SilenceStore } from "../../src/app/silences.js";
import { within } from "../../src/app/sweep-runs.js";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY, type Silence } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { manualTime } from "../support/manual-time.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const WARNING = "stored silences could not be read";

const configured: Silence = {
  id: "configured",
  circuit: "er-1",
  window: { kind: "once", start: "2026-11-22T00:00:00.000Z", end: "2026-11-23T00:00:00.000Z" },
};

/** A store whose list never answers: it ends only when its signal aborts. */
function hangingStore(): SilenceStore & { lists: number } {
  const store = {
    lists: 0,
    ensureTable: async () => undefined,
    list: (options?: { abortSignal?: AbortSignal }) => {
      store.lists += 1;
      return new Promise<never>((_, reject) =>
        options?.abortSignal?.addEventListener("abort", () =>
          reject(options.abortSignal!.reason as Error),
        ),
      );
    },
    add: async () => undefined,
    update: async () => undefined,
  };
  return store;
}

const warned = (records: () => { msg?: unknown }[]) =>
  records().some((r) => String(r.msg).startsWith(WARNING));

describe("stored silences that do not answer", () => {
  it("are given up after 15 s on the sweep's time: the configured ones hold, a warning says so", async () => {
    const time = manualTime(NOW.getTime());
    const { logger, records } = memoryLogger();
    const reading = silencesOverTime([configured], hangingStore(), logger, undefined, time);
    expect(time.dueIn()).toEqual([15_000]);
    time.advance(14_999);
    expect(await within(reading, 20)).toBeNull();
    time.advance(1);
    const silencesAt = (await within(reading, 5_000))!;
    expect(silencesAt(NOW)).toEqual([configured]);
    expect(warned(records)).toBe(true);
  });

  it("a read that answers calls its deadline off", async () => {
    const time = manualTime(NOW.getTime());
    const { logger, records } = memoryLogger();
    const stored = {
      ...configured,
      id: "stored",
      comment: "carrier maintenance",
      author: "on-call",
      createdAt: NOW.toISOString(),
      expiredAt: null,
    };
    const store: SilenceStore = {
      ...hangingStore(),
      list: async () => [{ value: stored, etag: "*" }],
    };
    const silencesAt = await silencesOverTime([configured], store, logger, undefined, time);
    expect(silencesAt(NOW).map((s) => s.id)).toEqual(["configured", "stored"]);
    expect(time.pending()).toBe(0);
    expect(warned(records)).toBe(false);
  });

  describe("in a sweep", () => {
    let azurite: Azurite;
    beforeAll(async () => {
      azurite = await startAzurite();
    });
    afterAll(async () => {
      await azurite?.stop();
    });

    it("the sweep's time ends the read, and the sweep pages", async () => {
      const { store } = await freshStore(azurite.connectionString);
      const reader = new FakeReader();
      reader.spec = {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: "empty", bgp: "Idle" },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      };
      const sink = new InMemoryEventSink();
      const { logger, records } = memoryLogger();
      const silences = hangingStore();
      const time = manualTime(NOW.getTime());
      const sweeper = createSweeper({
        reader,
        store,
        sink,
        policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
        silences: [],
        silenceStore: silences,
        historyRetentionDays: 30,
        logger,
        time,
      });
      const sweeping = sweeper.sweep({
        scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
        now: NOW,
        abortSignal: AbortSignal.timeout(30_000),
      });
      await vi.waitFor(() => expect(time.dueIn()).toEqual([15_000]), { timeout: 10_000 });
      expect(await within(sweeping, 20)).toBeNull();
      time.advance(15_000);
      const result = (await within(sweeping, 10_000))!;
      expect(result.errors).toEqual([]);
      expect(sink.published.map((e) => `${e.action}:${e.severity}`)).toEqual(["open:Sev0"]);
      expect(warned(records)).toBe(true);
      // Read once per sweep: the deep reads honour what the sweep read.
      expect(silences.lists).toBe(1);
      expect(time.pending()).toBe(0);
    }, 30_000);
  });
});
