// A silence the last sweep held an alert by, ended since (its window closed,
// or `erwatch silence expire`): the status page and `erwatch alerts` still
// said "silenced by" it until the next sweep, from the hold the sweep stored,
// and `erwatch alerts` exited 0 on a Sev0 about to page. Judged at the
// reader's time now, as the reader has the silence; one it does not have keeps
// the sweep's word (status-holds.test.ts). Stored by the real sweeper
// (FakeReader, Azurite).

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { SilenceStore, StoredSilence } from "../../src/app/silences.js";
import type { Silence } from "../../src/core/policy.js";
import { runCli } from "../../src/cli/program.js";
import { EXIT } from "../../src/cli/context.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const options = { recentHours: 1, recentLimit: 10 };
const window = (end: number) => ({
  kind: "once" as const,
  start: minute(-1).toISOString(),
  end: minute(end).toISOString(),
});
const silence: Silence = {
  id: "chg-42",
  circuit: "er-circuit-prod",
  comment: "carrier window",
  window: window(7),
};

async function heldSweeps() {
  const h = await sweepHarness(azurite.connectionString, { silences: [silence] });
  h.bothDown();
  for (const m of [0, 5]) await h.run(m);
  expect(h.sent()).toEqual([]);
  return h;
}

it("a silence whose window has closed since the last sweep no longer holds the alert", async () => {
  const h = await heldSweeps();
  const during = await loadStatus(h.store, minute(6), {
    ...options,
    configuredSilences: [silence],
  });
  expect(during.openAlerts.find((a) => a.family === "path-down")).toMatchObject({
    silencedBy: "chg-42",
  });

  // Past its end, before the next sweep.
  const model = await loadStatus(h.store, minute(8), { ...options, configuredSilences: [silence] });
  const alert = model.openAlerts.find((a) => a.family === "path-down")!;
  // Observed: silencedBy "chg-42", heldBy the silence, as the sweep at minute 5 stored it.
  expect(alert).toMatchObject({
    state: "held",
    silencedBy: null,
    heldBy: null,
    holdEnded: { silence: "chg-42", endedAt: minute(7).toISOString() },
  });
  const html = renderStatusHtml(model);
  expect(html).not.toContain("silenced by chg-42");
  expect(html).toContain(
    " · held · silence chg-42 ended 2026-11-22 01:07:00Z: it holds this alert no more</span>",
  );

  let stdout = "";
  const code = await runCli(["alerts"], {
    env: {
      ERWATCH_STORAGE: azurite.connectionString,
      ERWATCH_TABLE_PREFIX: h.prefix,
      ERWATCH_SILENCES: JSON.stringify([
        { id: "chg-42", circuit: "er-circuit-prod", start: window(7).start, end: window(7).end },
      ]),
    },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stdout += s) },
    now: () => minute(8),
  });
  // Observed: 0 and "silenced", a Sev0 about to page read as held by a silence.
  expect(code).toBe(EXIT.findings);
  expect(stdout).toMatch(/^Sev0 .* held$/m);
  expect(stdout.replace(/\s+/g, " ")).toContain(
    "Silence chg-42 ended 2026-11-22 01:07:00Z: it holds this alert no more.",
  );
});

it("a stored silence expired since the last sweep no longer holds the alert", async () => {
  const h = await heldSweeps();
  // The reader has it stored, expired by `erwatch silence expire` at minute 6.
  const stored: StoredSilence = {
    ...silence,
    window: window(120),
    author: "oncall",
    createdAt: minute(-2).toISOString(),
    expiredAt: minute(6).toISOString(),
  };
  const silenceStore = {
    list: () => Promise.resolve([{ value: stored, etag: "*" }]),
  } as unknown as SilenceStore;
  const model = await loadStatus(h.store, minute(8), { ...options, silenceStore });
  // Observed: silencedBy "chg-42": an expired stored silence was not read at all.
  expect(model.openAlerts.find((a) => a.family === "path-down")).toMatchObject({
    silencedBy: null,
    heldBy: null,
    holdEnded: { silence: "chg-42", endedAt: minute(6).toISOString() },
  });
  // An ended silence is not listed as one.
  expect(model.silences).toEqual([]);
});
