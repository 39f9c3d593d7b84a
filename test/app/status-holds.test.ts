// What the status page and `erwatch alerts` say of an alert something holds
// back. An alert shown "held" gave no reason (the inhibiting alert was named
// nowhere, and a silence of the sweep's ERWATCH_SILENCES not at all where the
// reader lacked that setting); a silence id longer than its column was cut at
// 80 columns, so it could not be copied into `erwatch silence expire`; and
// stored text (an owner, a code, a silence comment) reached the terminal with
// its escape sequences live. Stored by the real sweeper (FakeReader, Azurite).

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { Silence } from "../../src/core/policy.js";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CONNECTED_GATEWAY, ok } from "../support/readings.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** `erwatch alerts` over the harness's tables, 80 columns, no colour. */
async function alerts(h: Harness, m: number, env: Record<string, string> = {}) {
  let stdout = "";
  const code = await runCli(["alerts"], {
    env: { ERWATCH_STORAGE: azurite.connectionString, ERWATCH_TABLE_PREFIX: h.prefix, ...env },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stdout += s) },
    now: () => minute(m),
  });
  return { code, stdout };
}

it("an alert held by an inhibition names the alert that holds it and the rule", async () => {
  const h = await sweepHarness(azurite.connectionString);
  await h.run(0);
  // The Azure side of the circuit disabled; its gateway connection drops with it.
  h.reader.spec = {
    circuitState: "Disabled",
    gateway: ok(CONNECTED_GATEWAY.map((g) => ({ ...g, status: "Disconnected" }))),
  };
  for (const m of [5, 10, 15]) await h.run(m);
  const model = await loadStatus(h.store, minute(16), { recentHours: 1, recentLimit: 10 });
  const gateway = model.openAlerts.find((a) => a.family === "gateway")!;
  const holder = model.openAlerts.find((a) => a.family === "circuit-state")!;
  expect(holder.state).toBe("firing");
  expect(gateway.state).toBe("held");
  const rule = "the Azure side of the circuit not Enabled holds what rides on it";
  // Observed: no reason at all.
  expect(gateway.heldBy).toEqual({
    kind: "alert",
    key: holder.key,
    rule,
    severity: holder.severity,
    code: holder.code,
    title: holder.title,
    circuitName: holder.circuitName,
    pending: false,
  });
  const html = renderStatusHtml(model);
  expect(html).toContain(` · held · held by ${holder.severity} ${holder.code} (`);
  expect(html).toContain(`): ${rule}</span>`);

  const { stdout } = await alerts(h, 16);
  expect(stdout).toMatch(new RegExp(`^${gateway.severity} .* inhibited$`, "m"));
  expect(stdout.replace(/\s+/g, " ")).toContain(
    `Held by ${holder.severity} ${holder.code}: ${holder.title} (${rule})`,
  );
});

const LONG_ID = "carrier-maintenance-CHG-0012345-equinix-amsterdam-am5-both-paths-weekend";

it("a silence the reader does not have is named as the sweep held it by, comment and all, and its id is printed whole", async () => {
  const silence: Silence = {
    id: LONG_ID,
    circuit: "er-circuit-prod",
    comment: "Equinix window\u001b[8m hidden",
    window: { kind: "once", start: minute(-1).toISOString(), end: minute(120).toISOString() },
  };
  const h = await sweepHarness(azurite.connectionString, { silences: [silence] });
  h.bothDown();
  for (const m of [0, 5]) await h.run(m);
  expect(h.sent()).toEqual([]);
  const model = await loadStatus(h.store, minute(6), { recentHours: 1, recentLimit: 10 });
  const alert = model.openAlerts.find((a) => a.family === "path-down")!;
  // Observed: "held", silencedBy null: the page was not given ERWATCH_SILENCES.
  expect(alert).toMatchObject({
    state: "held",
    silencedBy: LONG_ID,
    heldBy: { kind: "silence", id: LONG_ID, comment: "Equinix window\u001b[8m hidden" },
  });
  expect(renderStatusHtml(model)).toContain(
    ` · held · silenced by ${LONG_ID}: Equinix window\u001b[8m hidden</span>`,
  );

  // `erwatch alerts` without ERWATCH_SILENCES, and with it: the id whole, the comment escaped.
  const configured = JSON.stringify([
    {
      id: LONG_ID,
      circuit: silence.circuit,
      start: minute(-1).toISOString(),
      end: minute(120).toISOString(),
    },
  ]);
  for (const env of [{}, { ERWATCH_SILENCES: configured }] as Record<string, string>[]) {
    const { stdout } = await alerts(h, 6, env);
    expect(stdout).toMatch(/^Sev0 .* silenced$/m);
    // Longer than a line: on a line of its own, whole.
    expect(stdout).toMatch(new RegExp(`^ {6}Silence:\n {12}${LONG_ID}\n`, "m"));
    expect(stdout).toContain("(Equinix window\\x1b[8m hidden)");
    expect(stdout).not.toContain("\u001b");
  }
});

it("stored text with escape sequences in it is shown escaped by `erwatch alerts`, never obeyed", async () => {
  const h = await sweepHarness(azurite.connectionString);
  h.bothDown();
  await h.run(0);
  const [stored] = (await h.store.listAlerts(h.reader.target.id)).filter(
    (a) => a.value.family === "path-down",
  );
  // A hand edit, or an erwatch that wrote these fields unchecked.
  await h.store.commitAlert(
    {
      ...stored!.value,
      condition: {
        ...stored!.value.condition!,
        owner: "carrier\u001b[8m" as never,
        code: "arp-missing\r\u001b[2K" as never,
      },
    },
    stored!.etag,
    [],
  );
  const { stdout } = await alerts(h, 1);
  // Observed: the owner's "conceal" and the code's line-clear passed to the terminal.
  expect(stdout).not.toContain("\u001b");
  expect(stdout).not.toContain("\r");
  expect(stdout).toContain("carrier\\x1b[8m");
  expect(stdout).toContain("arp-missing\\x0d\\x1b[2K: ");
});
