// The status page is what the on-call opens at 2 a.m.; one of erwatch's tables
// not answering must not take it down when circuits and alerts can be read.
// Recent changes, the last sweep, stored silences and the outbox are each
// left out and named; circuits or alerts not answering is a 503 (the page is
// them), and a bug is still a bug. 5-minute timer on an injected clock.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StateStoreError } from "../../src/adapters/tables/errors.js";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus, type StatusModel } from "../../src/app/status.js";
import type { SilenceStore } from "../../src/app/silences.js";
import type { StateStore } from "../../src/app/state-store.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";
import { memoryLogger } from "../support/test-logger.js";

let azurite: Azurite;
let h: Harness;
beforeAll(async () => {
  azurite = await startAzurite();
  h = await sweepHarness(azurite.connectionString);
  // An outage paged and a sweep since: every part of the page has something to show.
  h.bothDown();
  await h.run(0);
  await h.run(5);
  // What a whole-estate sweep records when it completes (the harness sweeps named targets).
  await h.store.recordSweep({
    sweepId: "sweep-2",
    startedAt: minute(5).toISOString(),
    finishedAt: minute(5).toISOString(),
    circuits: 1,
    ignored: 0,
    partlyBlind: 0,
    errors: 0,
  });
});
afterAll(async () => {
  await azurite?.stop();
});

const storageDown = () => new StateStoreError("listing failed: 503 ServerBusy");
const bug = () => new TypeError("cannot read properties of undefined");

/** The store with one call failing as `error` does. */
function failing(method: keyof StateStore, error: () => Error): StateStore {
  const broken = Object.create(h.store) as StateStore;
  (broken as unknown as Record<string, unknown>)[method] = async () => {
    throw error();
  };
  return broken;
}

const silenceStore = (error?: () => Error): SilenceStore => ({
  ensureTable: async () => undefined,
  list: async () => {
    if (error) throw error();
    return [];
  },
  add: async () => undefined,
  update: async () => undefined,
});

async function page(
  store: StateStore,
  silences = silenceStore(),
  log = memoryLogger().logger,
): Promise<StatusModel> {
  return loadStatus(store, minute(7), {
    recentHours: 1,
    recentLimit: 10,
    sweepIntervalMinutes: 5,
    silenceStore: silences,
    log,
  });
}

// Cut to the newest without a word, the list read as all that changed.
it("more changes than the page lists: it says only the newest are listed", async () => {
  const [one] = await h.store.listRecentHistory(minute(-60), 1);
  const three = [9, 8, 7].map((m) => ({ ...one!, at: minute(m).toISOString() }));
  const store = Object.create(h.store) as StateStore;
  store.listRecentHistory = async (_since, limit) => three.slice(0, limit);
  const options = { recentHours: 1, sweepIntervalMinutes: 5, silenceStore: silenceStore() };
  const log = memoryLogger().logger;
  const all = await loadStatus(store, minute(10), { ...options, recentLimit: 3, log });
  expect(all.recent).toEqual(three);
  expect(all.recentCut).toBeUndefined();
  expect(renderStatusHtml(all)).not.toContain('id="recent-cut"');
  const cut = await loadStatus(store, minute(10), { ...options, recentLimit: 2, log });
  expect(cut.recent).toEqual(three.slice(0, 2));
  expect(cut.recentCut).toEqual({ shown: 2, hours: 1 });
  expect(renderStatusHtml(cut)).toContain(
    '<li class="note" id="recent-cut">Only the 2 most recent changes of the last 1 h are listed; older ones are not shown here.</li>',
  );
});

it("all of it read: nothing is said missing", async () => {
  const model = await page(h.store);
  expect(model.unread).toEqual([]);
  expect(model.recent.length).toBeGreaterThan(0);
  expect(model.summary?.lastSweep).not.toBeNull();
  expect(model.summary?.stale).toBe(false);
  expect(renderStatusHtml(model)).not.toContain('id="unread"');
});

describe("one part not answering: the page is drawn without it and says which", () => {
  it.each([
    {
      part: "recent changes",
      store: () => failing("listRecentHistory", storageDown),
      says: "<li>Recent changes could not be read just now.</li>",
    },
    {
      part: "the last sweep",
      store: () => failing("lastSweep", storageDown),
      says: "The last completed sweep could not be read just now.",
    },
    {
      part: "the outbox",
      store: () => h.store,
      silences: undefined,
      outbox: true,
      says: "Table Storage did not give the outbox",
    },
    {
      part: "stored silences",
      store: () => h.store,
      silencesFail: true,
      says: "Table Storage did not give stored silences",
    },
  ])("$part", async ({ part, store, says, outbox, silencesFail }) => {
    const { logger, records } = memoryLogger();
    const model = await page(
      outbox ? failing("listOutbox", storageDown) : store(),
      silenceStore(silencesFail ? storageDown : undefined),
      logger,
    );
    expect(model.unread).toEqual([part]);
    // The page names the part; the log says why, for whoever looks into it.
    expect(
      records()
        .filter((r) => r.msg === "a part of the status could not be read; left out")
        .map((r) => [r.part, (r.err as { message?: string }).message]),
    ).toEqual([[part, "listing failed: 503 ServerBusy"]]);
    // The page itself is still there: the open alert and the circuits.
    expect(model.openAlerts.map((a) => `${a.severity} ${a.family}`)).toEqual(["Sev0 path-down"]);
    expect(model.circuits.length).toBeGreaterThan(0);
    const html = renderStatusHtml(model);
    expect(html).toContain(`<p id="unread" class="stale" role="status" data-parts="${part}">`);
    expect(html).toContain(says);
    // A last sweep that could not be read is not one that never happened: not stale.
    expect(model.summary?.stale).toBe(false);
    expect(html).not.toContain('id="stale"');
    if (part === "recent changes") expect(html).not.toContain("Nothing changed recently");
  });
});

it("two parts not answering are both named", async () => {
  const broken = Object.create(failing("lastSweep", storageDown)) as StateStore;
  (broken as unknown as Record<string, unknown>).listRecentHistory = async () => {
    throw storageDown();
  };
  const model = await page(broken);
  expect([...(model.unread ?? [])].sort()).toEqual(["recent changes", "the last sweep"]);
  expect(renderStatusHtml(model)).toMatch(
    /Table Storage did not give (recent changes, the last sweep|the last sweep, recent changes) this time; they are left out/,
  );
});

it.each(["listSnapshots", "listAlerts"] as const)(
  "%s not answering: no page (the HTTP function answers 503)",
  async (method) => {
    await expect(page(failing(method, storageDown))).rejects.toMatchObject({
      name: "StateStoreError",
    });
  },
);

// `erwatch alerts` on tables no sweep had written printed "a part of the
// status could not be read; left out: reading recent history failed" before
// its error, when the History table's answer came in before the Alerts one.
it.each(["listSnapshots", "listAlerts"] as const)(
  "%s failing after a part did: the error alone, no part said left out of a page not drawn",
  async (method) => {
    const broken = Object.create(h.store) as StateStore;
    let historyFailed!: () => void;
    const afterHistory = new Promise<void>((resolve) => (historyFailed = resolve));
    (broken as unknown as Record<string, unknown>).listRecentHistory = async () => {
      historyFailed();
      throw storageDown();
    };
    (broken as unknown as Record<string, unknown>)[method] = async () => {
      await afterHistory;
      await new Promise((resolve) => setImmediate(resolve));
      throw storageDown();
    };
    const { logger, records } = memoryLogger();
    await expect(page(broken, silenceStore(), logger)).rejects.toMatchObject({
      name: "StateStoreError",
    });
    expect(records().map((r) => r.msg)).toEqual([]);
  },
);

it.each(["listRecentHistory", "lastSweep", "listOutbox"] as const)(
  "a bug in %s is not left out as storage trouble: it fails",
  async (method) => {
    await expect(page(failing(method, bug))).rejects.toThrow(/cannot read properties/);
  },
);

it("a bug listing the silences fails too", async () => {
  await expect(page(h.store, silenceStore(bug))).rejects.toThrow(/cannot read properties/);
});
