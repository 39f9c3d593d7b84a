// A circuit tag erwatch reads the circuit without (a misspelt erwatch: name, a
// value it does not take) was warned of in the sweep's log alone: the status
// page and `erwatch alerts` read all well while erwatch:expect-gateways=false
// changed nothing. Now beside the settings left out, per circuit, and paging
// nobody. Stored by the real sweeper (FakeReader, Azurite).

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { runCli } from "../../src/cli/program.js";
import { EXIT } from "../../src/cli/context.js";
import { resolveCircuitSettings } from "../../src/core/circuit-settings.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { failed } from "../support/readings.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const { problems } = resolveCircuitSettings(
  { "erwatch:expect-gateways": "false", "erwatch:criticality": "<b>urgent" },
  { connectivityModel: "provider-managed", expectedPeerings: ["AzurePrivatePeering"] },
);

async function alerts(h: Harness, m: number, json = false) {
  let stdout = "";
  const code = await runCli(["alerts", ...(json ? ["-o", "json"] : [])], {
    env: { ERWATCH_STORAGE: azurite.connectionString, ERWATCH_TABLE_PREFIX: h.prefix },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stdout += s) },
    now: () => minute(m),
  });
  return { code, stdout };
}

it("circuit tags erwatch reads without are on the status page and in erwatch alerts, per circuit, paging nobody", async () => {
  expect(problems).toHaveLength(2);
  const h = await sweepHarness(azurite.connectionString);
  h.reader.settingProblems = problems;
  await h.run(0);
  const model = await loadStatus(h.store, minute(1), { recentHours: 1, recentLimit: 10 });
  // Observed: nothing of them, anywhere but the sweep's log.
  expect(model.circuits[0]!.tagsLeftOut).toEqual(problems);
  const html = renderStatusHtml(model);
  expect(html).toMatch(
    /<p id="tags-left-out" class="stale" data-circuits="1"><b>Circuit tags left out:<\/b> erwatch reads 1 circuit without these/,
  );
  expect(html).toContain(
    "<b>er-circuit-prod</b>: tag erwatch:expect-gateways is not a tag erwatch reads, so it changes nothing; did you mean erwatch:expect-gateway?; ",
  );
  expect(html).toContain(
    "erwatch:criticality=&quot;&lt;b&gt;urgent&quot; is not high, normal or low",
  );
  expect(html).not.toContain("<b>urgent");
  // Nothing pages for them.
  expect(model.openAlerts).toEqual([]);
  expect(h.sent()).toEqual([]);

  const text = await alerts(h, 1);
  // Not 1: nothing needs a human for them (3: the harness's sweeps of given targets record no sweep).
  expect(text.stdout).toContain("Warning: no sweep has completed");
  expect(text.code).toBe(EXIT.blind);
  expect(text.stdout.replace(/\s+/g, " ")).toContain(
    "Warning: circuit er-circuit-prod is read without tags (defaults apply in their place; nothing pages for them): tag erwatch:expect-gateways is not a tag erwatch reads",
  );
  const json = await alerts(h, 1, true);
  expect(json.code).toBe(EXIT.blind);
  expect(JSON.parse(json.stdout)).toMatchObject({
    alerts: [],
    tagsLeftOut: [{ circuit: "er-circuit-prod", circuitId: h.reader.target.id, tags: problems }],
  });

  // The circuit not read: kept as its last reading had them.
  h.reader.spec = { circuit: failed({ kind: "throttled" }) };
  h.reader.settingProblems = [];
  await h.run(5);
  const unread = await loadStatus(h.store, minute(6), { recentHours: 1, recentLimit: 10 });
  expect(unread.circuits[0]!.tagsLeftOut).toEqual(problems);

  // Fixed on the circuit: gone at its next read.
  h.reader.spec = {};
  await h.run(10);
  const fixed = await loadStatus(h.store, minute(11), { recentHours: 1, recentLimit: 10 });
  expect(fixed.circuits[0]!.tagsLeftOut).toEqual([]);
  expect(renderStatusHtml(fixed)).not.toContain('id="tags-left-out"');
  expect((await alerts(h, 11)).stdout).not.toContain("is read without");
});
