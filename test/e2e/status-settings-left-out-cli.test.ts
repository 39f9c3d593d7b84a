// `erwatch sweep --state` from an operator's laptop writes the same "last
// completed sweep" record as the function app's timer. It wrote its own
// settings left out (the laptop's environment, not the app's), and the status
// page showed that list as what the sweeps run without until the next timer
// sweep: the function app's (a silence left out) was gone from the page, the
// laptop's stood in its place. Now a CLI sweep's record keeps the function
// app's list, says it is the app's, and says the last sweep was the CLI's.
// The real timer function and the real CLI, against the simulated estate.

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf, healthyCircuit } from "../support/estate/index.js";
import { estateAccess } from "../support/estate-access.js";
import { startWorld, type World } from "../support/world.js";

let azurite: Azurite;
let world: World;
let clock = new Date("2026-11-22T01:00:00.000Z");
beforeAll(async () => {
  azurite = await startAzurite();
  world = await startWorld({
    estate: estateOf(healthyCircuit()),
    azurite,
    now: () => clock,
    env: {
      // The function app's own mistake: a silence of a circuit named by a pasted URL.
      ERWATCH_SILENCES: JSON.stringify([
        { id: "carrier-window", circuit: "https://portal.azure.com/#er", comment: "carrier" },
      ]),
    },
  });
});
afterAll(async () => {
  await world?.close();
  await azurite?.stop();
});

it("a CLI sweep leaves the function app's settings left out on the status page, not its own", async () => {
  await world.timerSweep();
  const timer = await world.runtime.store.lastSweep();
  const appList = timer?.settingsLeftOut ?? [];
  expect(appList.join("\n")).toMatch(/^ERWATCH_SILENCES\.0/);

  // An operator's laptop: the app's silences are not set there, its ARM_CONCURRENCY is a typo.
  clock = new Date("2026-11-22T01:02:00.000Z");
  const access = estateAccess(world.estate);
  let stderr = "";
  const code = await runCli(["sweep", "--state", "--output", "json"], {
    env: { ...world.env, ERWATCH_SILENCES: undefined, ARM_CONCURRENCY: "0x10" },
    credential: access.credential,
    armClientOptions: access.armClientOptions,
    now: () => clock,
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
  });
  expect(code, stderr).toBe(0);
  // The laptop is told of its own.
  expect(stderr).toContain("ARM_CONCURRENCY");

  const model = await loadStatus(world.runtime.store, new Date("2026-11-22T01:03:00.000Z"), {
    recentHours: 1,
    recentLimit: 10,
    sweepIntervalMinutes: 5,
  });
  const last = model.summary!.lastSweep!;
  expect(last.sweepId).not.toBe(timer!.sweepId);
  // Observed: the laptop's ["ARM_CONCURRENCY: …"], the app's silence gone.
  expect(last.settingsLeftOut).toEqual(appList);
  expect(last.sweptBy).toBe("cli");
  expect(last.settingsLeftOutAt).toBe(timer!.finishedAt);
  const html = renderStatusHtml(model);
  expect(html).toMatch(
    /<p id="settings-left-out"[^>]*><b>Settings left out:<\/b> the function app's sweeps run without these settings entries \(as its sweep that finished <time[^>]*>[^<]*<\/time> listed them; the last sweep, an <code>erwatch sweep --state<\/code>, ran on its own settings\)/,
  );
  expect(html).toContain("ERWATCH_SILENCES.0");
  expect(html).not.toContain("ARM_CONCURRENCY");
  expect(html).toMatch(
    /Last completed sweep [^<]*<time[^>]*>[^<]*<\/time>, by <code>erwatch sweep --state<\/code>\)/,
  );

  // A CLI sweep after a CLI sweep still keeps the app's, as of the app's sweep.
  clock = new Date("2026-11-22T01:04:00.000Z");
  expect(
    await runCli(["sweep", "--state"], {
      env: { ...world.env, ERWATCH_SILENCES: undefined },
      credential: access.credential,
      armClientOptions: access.armClientOptions,
      now: () => clock,
      stdout: { write: () => true },
      stderr: { write: () => true },
    }),
  ).toBe(0);
  const again = await world.runtime.store.lastSweep();
  expect(again?.settingsLeftOut).toEqual(appList);
  expect(again?.settingsLeftOutAt).toBe(timer!.finishedAt);

  // The next timer sweep writes its own, as before.
  clock = new Date("2026-11-22T01:05:00.000Z");
  await world.timerSweep();
  const next = await world.runtime.store.lastSweep();
  expect(next?.sweptBy).toBeUndefined();
  expect(next?.settingsLeftOutAt).toBeUndefined();
  expect(next?.settingsLeftOut).toEqual(appList);
});
