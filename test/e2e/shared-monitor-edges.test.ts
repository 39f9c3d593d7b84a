// One Connection Monitor, one page, at its edges (test/e2e/shared-monitor.test.ts
// has the plain case), over the real wire at the product's cadence: another
// circuit's setting (a longer openAfter, routes to other receivers, a
// silence judged at a tick a moment early, erwatch:ignore) never keeps a
// circuit's end-to-end failure from paging, and an alert already heard keeps
// speaking for the monitor through a silence on its circuit. (From a review:
// each failed on the first version of the hold.)

import { expect, it } from "vitest";
import { setTestResults } from "../support/estate/index.js";
import { startRecordingReceiver, type RecordingReceiver } from "../support/recording-receiver.js";
import { ROUTING_KEY } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";
import { gatewayWorld as sharedGatewayWorld, pagerAndChannel } from "../support/gateway-world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

const gatewayWorld = (
  fanOut: boolean,
  env: Record<string, string> = {},
  tags: Record<string, string> = {},
) => sharedGatewayWorld(worlds, fanOut, env, tags);

it("a slower openAfter set for er-a alone (ERWATCH_ALERT_POLICY.circuits) must not keep er-b's end-to-end failure from paging", async () => {
  // er-a is given an hour before its Sev1s open; er-b keeps the default (2 sweeps).
  const policy = { circuits: { "er-a": { openAfter: { Sev1: 12 } } } };
  const { monitor, rounds, endToEnd } = await gatewayWorld(false, {
    ERWATCH_ALERT_POLICY: JSON.stringify(policy),
  });
  await rounds(0, 0);
  // A 40-minute NSG fault past both circuits.
  setTestResults(monitor, "Fail");
  await rounds(1, 8);
  setTestResults(monitor, "Pass");
  await rounds(9, 12);
  // Without er-a in the picture er-b pages at sweep 2; whoever speaks, the fault must page.
  // er-a's own Sev1 would open only at sweep 12, after the fault is over: nobody is paged.
  expect(endToEnd()).toContain("open Sev1 er-b@2");
}, 120_000);

it("er-a's alerts routed to a channel only (a route by circuit) must not keep er-b's on-call from being paged", async () => {
  const onCall: RecordingReceiver = await startRecordingReceiver({ name: "pd-er-b-owners" });
  onCall.respondWith(202);
  try {
    const { w, monitor, rounds, endToEnd } = await gatewayWorld(false, {
      ERWATCH_ACTION_GROUPS: pagerAndChannel(onCall.url, [
        // er-a belongs to a team that only wants a channel post; er-b's owners are paged.
        { name: "er-a-channel", match: { circuits: ["er-a"] }, actionGroups: ["channel"] },
        {
          name: "er-b-pages",
          match: { circuits: ["er-b"], severityAtOrAbove: "Sev1" },
          actionGroups: ["pager"],
        },
      ]),
    });
    expect(ROUTING_KEY).toBeTruthy();
    await rounds(0, 0);
    setTestResults(monitor, "Fail");
    await rounds(1, 6);
    await w.dispatchPending();
    const triggers = onCall.requests.filter(
      (r) => (r.body as { event_action?: string }).event_action === "trigger",
    );
    // The fault failed er-b's tests: its owners' PagerDuty must hear a Sev1.
    expect({ events: endToEnd(), pagerDutyTriggers: triggers.length }).toEqual({
      events: expect.arrayContaining([expect.stringMatching(/^open Sev1 /)]),
      pagerDutyTriggers: 1,
    });
  } finally {
    await onCall.close();
  }
}, 120_000);

it("a silence on er-a starting at a timer tick that fires a moment early must not hold er-b's page that tick", async () => {
  // er-a's maintenance from sweep 2's instant on; the tick for sweep 2 fires 2 s early.
  const silence = {
    id: "er-a-window",
    circuit: "er-a",
    start: new Date(T0 + 10 * MIN).toISOString(),
    end: new Date(T0 + 6 * 60 * MIN).toISOString(),
    comment: "carrier maintenance on er-a",
  };
  const { monitor, round, endToEnd } = await gatewayWorld(false, {
    ERWATCH_SILENCES: JSON.stringify([silence]),
  });
  await round(0);
  setTestResults(monitor, "Fail");
  await round(1);
  await round(2, 2_000);
  // decideStep judges er-a silenced at that tick (SILENCE_EDGE_MS): er-b is the only voice and pages now.
  expect(endToEnd()).toEqual(["open Sev1 er-b@2"]);
}, 120_000);

it("a holder erwatch stops watching (erwatch:ignore) mid-fault: its incident is resolved as retired, and er-b must page in that same sweep", async () => {
  const { a, monitor, rounds, endToEnd } = await gatewayWorld(false);
  await rounds(0, 0);
  setTestResults(monitor, "Fail");
  await rounds(1, 3);
  a.tags["erwatch:ignore"] = "true";
  await rounds(4, 6);
  // The one-process sweep retires er-a (recordSight in finish()) only after the deep
  // reads, so er-b is held by er-a's snapshot for the sweep in which er-a's incident closes.
  // In one sweep the two events may leave in either order.
  expect(endToEnd().sort()).toEqual([
    "open Sev1 er-a@2",
    "open Sev1 er-b@4",
    "resolve Sev1 er-a@4",
  ]);
}, 120_000);

it("a silence on er-a starting after er-a paged must not make er-b page the same fault again", async () => {
  const silence = {
    id: "er-a-window",
    circuit: "er-a",
    start: new Date(T0 + 18 * MIN).toISOString(),
    end: new Date(T0 + 300 * MIN).toISOString(),
  };
  const { monitor, rounds, endToEnd } = await gatewayWorld(false, {
    ERWATCH_SILENCES: JSON.stringify([silence]),
  });
  await rounds(0, 0);
  setTestResults(monitor, "Fail");
  await rounds(1, 8);
  // er-a's incident is open at the receivers throughout (a silence holds news, not the incident).
  expect(endToEnd()).toEqual(["open Sev1 er-a@2"]);
}, 120_000);

it("er-b paged while er-a was silenced: er-a must not page the same fault again when its silence ends", async () => {
  const silence = {
    id: "er-a-window",
    circuit: "er-a",
    start: new Date(T0).toISOString(),
    end: new Date(T0 + 22 * MIN).toISOString(),
  };
  const { monitor, rounds, endToEnd } = await gatewayWorld(false, {
    ERWATCH_SILENCES: JSON.stringify([silence]),
  });
  await rounds(0, 0);
  setTestResults(monitor, "Fail");
  await rounds(1, 8);
  expect(endToEnd()).toEqual(["open Sev1 er-b@2"]);
}, 120_000);
