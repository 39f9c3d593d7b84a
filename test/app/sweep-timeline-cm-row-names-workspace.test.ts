// Two circuits whose Connection Monitors write to two Log Analytics
// workspaces, one of which throttles erwatch's query past the sweep, through
// the real timer function every 5 minutes on an injected clock (the
// estate's Log Analytics on loopback to the real clients, state in Azurite).
//
// The end-to-end row read "Connection Monitor read failed: throttled, not
// asked again before …": which workspace (of several) was on the log line
// alone, so the on-call at 2 a.m. could not tell from the status page which
// one to look at. Now the row names the monitor and the workspace, on the
// sweep's verdict and on the status page.

import { expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { SweepResult } from "../../src/app/sweep.js";
import { timeline as timelineOf, T0 } from "../support/dataplane-timeline.js";
import { WORKSPACE_ID } from "../support/estate/builders.js";
import { withConnectionMonitor } from "../support/estate/index.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

const DR_WORKSPACE = WORKSPACE_ID.replace(/law-network$/, "law-dr-uks");
const THROTTLED =
  /^Connection Monitor cm-er-circuit-prod read failed in workspace law-network: throttled, not asked again before \d\d:\d\d UTC/;

const rowOf = (r: SweepResult, name: string) =>
  r.verdicts.find((v) => v.name === name)?.peerings[0]!.paths.primary.endToEnd;

it("a workspace throttling erwatch past the sweep: the row of the circuit writing there names its monitor and that workspace, on the verdict and the status page; the other workspace's circuit reads up", async () => {
  const t = await timelineOf(worlds, { monitor: true, other: true });
  const drMonitor = withConnectionMonitor(t.other!);
  drMonitor.workspaceResourceId = DR_WORKSPACE;
  t.w.estate.state.connectionMonitors = [...(t.w.estate.state.connectionMonitors ?? []), drMonitor];
  await t.sweeps(0, 5);
  // Longer than any sweep waits: throttled at once, kept past the sweep.
  t.w.estate.addFault({
    match: { operation: "queryLogs", workspace: WORKSPACE_ID },
    behaviour: { kind: "status", status: 429, retryAfterSeconds: 1_800 },
  });
  // The rotation reads each circuit deep in its turn: at most one rotation of sweeps.
  let failed: { status: string; detail: string } | undefined;
  let m = 5;
  while (!failed && m < 30) {
    const r = await t.sweep((m += 5));
    const row = rowOf(r, "er-circuit-prod");
    if (row?.status === "unknown") failed = row;
  }
  expect(failed?.detail).toMatch(new RegExp(`${THROTTLED.source}$`));

  const model = await loadStatus(t.w.runtime.store, new Date(T0 + (m + 1) * 60_000), {
    recentHours: 1,
    recentLimit: 10,
  });
  const row = (name: string) =>
    model.circuits.find((c) => c.name === name)!.peerings[0]!.paths.primary.endToEnd;
  expect(row("er-circuit-prod")).toMatchObject({
    status: "unknown",
    detail: expect.stringMatching(THROTTLED),
  });
  expect(row("er-circuit-dr")).toMatchObject({ status: "up" });
  expect(renderStatusHtml(model)).toMatch(
    /data-path="primary" data-layer="endToEnd" data-status="unknown"[^>]*><span class="w">unknown<\/span><span class="d">Connection Monitor cm-er-circuit-prod read failed in workspace law-network: throttled, not asked again before /,
  );
});
