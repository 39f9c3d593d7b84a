// An alert held by an inhibition whose holding alert has resolved since: the
// status page and `erwatch alerts` still said "held by" it, from the hold the
// last sweep stored, and kept saying it while the held alert's own layer could
// not be read (a blind reading keeps its state and its hold). Nothing holds it
// now: said as an ended silence is (status-hold-ended.test.ts). Stored by the
// real sweeper (FakeReader, Azurite).

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { runCli } from "../../src/cli/program.js";
import { EXIT } from "../../src/cli/context.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CONNECTED_GATEWAY, failed, ok } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

// Its resolve, sent by the sweep at minute 25 (clean at 20 and 25), 20 min after it opened at minute 5.
const RESOLVED_AT = minute(25).toISOString();
const OPEN_MINUTES = 20;
const RESOLVED_WORDS = `${RESOLVED_AT.slice(0, 10)} ${RESOLVED_AT.slice(11, 16)} UTC, open 20 min`;

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

it("an alert whose inhibiting alert has resolved is no longer shown held by it, and erwatch alerts exits 1", async () => {
  const h = await sweepHarness(azurite.connectionString);
  await h.run(0);
  // The Azure side of the circuit disabled; its gateway connection drops with it.
  h.reader.spec = {
    circuitState: "Disabled",
    gateway: ok(CONNECTED_GATEWAY.map((g) => ({ ...g, status: "Disconnected" }))),
  };
  for (const m of [5, 10, 15]) await h.run(m);
  const before = await loadStatus(h.store, minute(16), { recentHours: 1, recentLimit: 10 });
  const holder = before.openAlerts.find((a) => a.family === "circuit-state")!;
  const held = before.openAlerts.find((a) => a.family === "gateway")!;
  expect(held).toMatchObject({ state: "held", heldBy: { kind: "alert", key: holder.key } });

  // Enabled again; the gateway connections cannot be read, so the gateway alert keeps its hold.
  h.reader.spec = { gateway: failed({ kind: "throttled" }) };
  for (const m of [20, 25, 30]) await h.run(m);
  const model = await loadStatus(h.store, minute(31), { recentHours: 1, recentLimit: 10 });
  expect(model.openAlerts.find((a) => a.family === "circuit-state")).toBeUndefined();
  const alert = model.openAlerts.find((a) => a.family === "gateway")!;
  // Observed: heldBy the circuit-state alert, resolved since minute 20.
  expect(alert).toMatchObject({
    state: "held",
    silencedBy: null,
    heldBy: null,
    holdEnded: {
      alert: holder.key,
      rule: "the Azure side of the circuit not Enabled holds what rides on it",
      severity: holder.severity,
      code: holder.code,
      title: holder.title,
      // Observed: "has resolved" with no when; the page is read long after.
      resolvedAt: RESOLVED_AT,
      openMinutes: OPEN_MINUTES,
    },
  });
  const html = renderStatusHtml(model);
  expect(html).not.toContain(" · held by ");
  expect(html).toContain(
    ` · held · ${holder.severity} ${holder.code} that held it has resolved at ${RESOLVED_WORDS}: it holds this alert no more</span>`,
  );

  let stdout = "";
  const code = await runCli(["alerts"], {
    env: { ERWATCH_STORAGE: azurite.connectionString, ERWATCH_TABLE_PREFIX: h.prefix },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stdout += s) },
    now: () => minute(31),
  });
  // Observed: "inhibited", "Held by …": an alert nothing holds, read as explained by another.
  expect(stdout).toMatch(new RegExp(`^${alert.severity} .* held$`, "m"));
  expect(stdout).not.toContain("inhibited");
  expect(stdout.replace(/\s+/g, " ")).toContain(
    `${holder.severity} ${holder.code} that held it has resolved at ${RESOLVED_WORDS}: it holds this alert no more.`,
  );
  // A Sev1 nothing holds needs a human: 1, as for an ended silence.
  expect(alert.severity).toBe("Sev1");
  expect(code).toBe(EXIT.findings);
});
