// A Sev0 that cleared inside a carrier's maintenance silence: its resolve is
// held by the silence and sent when the window ends, so the receivers still
// hold the incident. The status page and `erwatch alerts` listed it as
// "firing", with its "both paths down" title, while every layer read up: the
// on-call saw a Sev0 firing on a healthy circuit. Now it is "resolving"
// (clearing; still open at the receivers). The banner counted it as a Sev0
// firing too (and the tab's title said "1 Sev0"): it is now said apart.
// Stored by the real sweeper (FakeReader, Azurite) at the product's cadence.

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { Silence } from "../../src/core/policy.js";
import { alertsExitCode } from "../../src/cli/alerts-exit.js";
import { EXIT } from "../../src/cli/context.js";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const MAINTENANCE: Silence = {
  id: "carrier-maintenance",
  circuit: "er-circuit-prod",
  comment: "carrier window CHG-1234",
  window: { kind: "once", start: minute(3).toISOString(), end: minute(120).toISOString() },
};

it("an alert that cleared while its resolve is held by a silence is not listed as firing", async () => {
  const h = await sweepHarness(azurite.connectionString, { silences: [MAINTENANCE] });
  h.bothDown();
  await h.run(0);
  expect(h.sent()).toEqual(["open:path-down:Sev0#1"]);
  h.reader.spec = {};
  for (const m of [5, 10, 15, 20]) await h.run(m);
  // What a whole-estate sweep records when it completes (the harness sweeps named targets).
  await h.store.recordSweep({
    sweepId: "sweep-20",
    startedAt: minute(20).toISOString(),
    finishedAt: minute(20).toISOString(),
    circuits: 1,
    ignored: 0,
    partlyBlind: 0,
    errors: 0,
  });
  // The resolve is held by the silence: the receivers still hold the incident.
  expect(h.sent()).toEqual(["open:path-down:Sev0#1"]);

  const model = await loadStatus(h.store, minute(21), {
    recentHours: 1,
    recentLimit: 10,
    sweepIntervalMinutes: 5,
    configuredSilences: [MAINTENANCE],
  });
  expect(model.circuits[0]!.worstStatus).toBe("up");
  const alert = model.openAlerts.find((a) => a.family === "path-down")!;
  // Observed: "firing".
  expect(alert).toMatchObject({ state: "resolving", silencedBy: "carrier-maintenance" });
  const html = renderStatusHtml(model);
  expect(html).toMatch(/ · resolving · silenced by carrier-maintenance: carrier window CHG-1234/);
  // Observed: counted 1 Sev0 in the banner and the title, as if firing.
  expect(model.summary?.openBySeverity.Sev0).toBe(0);
  expect(model.summary?.resolvingBySeverity?.Sev0).toBe(1);
  expect(html).toMatch(
    /<li class="count sev-Sev0 zero" data-severity="Sev0" data-count="0" data-resolving="1"><b>0<\/b> Sev0 <small>critical<\/small> <small class="resolving">\+1 resolving<\/small><\/li>/,
  );
  expect(html).toMatch(/<title>erwatch status<\/title>/);
  expect(alertsExitCode(model)).not.toBe(EXIT.findings);

  // `erwatch alerts` says it too, beside the silence (it said only "silenced").
  let stdout = "";
  const code = await runCli(["alerts"], {
    env: {
      ERWATCH_STORAGE: azurite.connectionString,
      ERWATCH_TABLE_PREFIX: h.prefix,
      ERWATCH_SILENCES: JSON.stringify([
        {
          id: MAINTENANCE.id,
          circuit: MAINTENANCE.circuit,
          start: minute(3).toISOString(),
          end: minute(120).toISOString(),
        },
      ]),
    },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stdout += s) },
    now: () => minute(21),
  });
  expect(code, stdout).toBe(EXIT.ok);
  expect(stdout).toMatch(
    /^Sev0 .* resolving, silenced\n[\s\S]*?^ {6}Silence: carrier-maintenance \(carrier window CHG-1234\)$/m,
  );
});
