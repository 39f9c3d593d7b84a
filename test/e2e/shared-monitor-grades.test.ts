// One Connection Monitor, one page, as the fault changes grade and the
// receivers were told: over the real wire at the product's cadence, an alert
// heard at a milder grade never holds a worse one nobody was paged for (its
// escalation silenced, or routed to opens only); a holder heard milder whose
// monitor worsens pages once (its escalation) beside the held circuit, in
// another fan-out batch too; one maintenance window over two circuits ends
// with one page; and two monitors of one name in two regions are two. (From
// a second review: each failed on the version before.)

import { expect, it } from "vitest";
import {
  estateOf,
  healthyCircuit,
  setTestResults,
  withConnectionMonitor,
} from "../support/estate/index.js";
import { WORKSPACE_ID } from "../support/estate/builders.js";
import { startRecordingReceiver, type RecordingReceiver } from "../support/recording-receiver.js";
import { worldPerTest } from "../support/world-per-test.js";
import {
  endToEndOf,
  gatewayWorld as sharedGatewayWorld,
  pagerAndChannel,
} from "../support/gateway-world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

const gatewayWorld = (
  fanOut: boolean,
  env: Record<string, string> = {},
  tags: Record<string, string> = {},
) => sharedGatewayWorld(worlds, fanOut, env, tags);

it("er-a paged Sev2, then a silence on er-a: the fault worsening to Sev1 must still reach someone at Sev1", async () => {
  // er-a's maintenance window starts at sweep 4, after er-a paged the warning.
  const silence = {
    id: "er-a-window",
    circuit: "er-a",
    start: new Date(T0 + 18 * MIN).toISOString(),
    end: new Date(T0 + 300 * MIN).toISOString(),
    comment: "carrier maintenance on er-a",
  };
  const { monitor, rounds, endToEnd } = await gatewayWorld(false, {
    ERWATCH_SILENCES: JSON.stringify([silence]),
  });
  await rounds(0, 0);
  setTestResults(monitor, "Warning", { checksFailed: 1 });
  await rounds(1, 4);
  expect(endToEnd()).toEqual(["open Sev2 er-a@2"]);
  // The NSG now drops everything: the tests fail on er-b as on er-a.
  setTestResults(monitor, "Fail");
  await rounds(5, 8);
  // er-a's escalation is silenced (its circuit's window); er-b's Sev1, never paged,
  // must not be held by an incident its receivers hold at Sev2 only.
  expect(endToEnd()).toEqual(
    expect.arrayContaining([expect.stringMatching(/^(open|escalate) Sev1 er-[ab]@[5-8]$/)]),
  );
}, 120_000);

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: er-b speaks for the monitor at Sev2; the fault worsening to Sev1 pages once (er-b's escalation), not also an open from er-a`, async () => {
    // er-a waits longer for a Sev2: er-b pages the warning, and holds er-a's.
    const policy = { circuits: { "er-a": { openAfter: { Sev2: 4 } } } };
    const { monitor, rounds, endToEnd } = await gatewayWorld(fanOut, {
      ERWATCH_ALERT_POLICY: JSON.stringify(policy),
    });
    await rounds(0, 0);
    setTestResults(monitor, "Warning", { checksFailed: 1 });
    await rounds(1, 4);
    expect(endToEnd()).toEqual(["open Sev2 er-b@2"]);
    setTestResults(monitor, "Fail");
    await rounds(5, 8);
    expect(endToEnd()).toEqual(["open Sev2 er-b@2", "escalate Sev1 er-b@5"]);
  }, 120_000);

for (const fanOut of [false, true])
  it(`${fanOut ? "fan-out" : "one process"}: one maintenance window on both circuits ends with the fault still on: it pages once`, async () => {
    const window = (circuit: string) => ({
      id: `${circuit}-window`,
      circuit,
      start: new Date(T0).toISOString(),
      end: new Date(T0 + 22 * MIN).toISOString(),
      comment: "gateway maintenance",
    });
    const { monitor, rounds, endToEnd } = await gatewayWorld(fanOut, {
      ERWATCH_SILENCES: JSON.stringify([window("er-a"), window("er-b")]),
    });
    await rounds(0, 0);
    setTestResults(monitor, "Fail");
    await rounds(1, 8);
    expect(endToEnd()).toHaveLength(1);
  }, 120_000);

it("PagerDuty hears opens only (README: a route for opens only): er-a paged the channel at Sev2, and er-b's Sev1 open must still reach PagerDuty when the fault worsens", async () => {
  const onCall: RecordingReceiver = await startRecordingReceiver({ name: "pd" });
  onCall.respondWith(202);
  try {
    const { w, monitor, rounds, endToEnd } = await gatewayWorld(false, {
      ERWATCH_ACTION_GROUPS: pagerAndChannel(onCall.url, [
        {
          name: "page-opens",
          match: { severityAtOrAbove: "Sev1", actions: ["open"] },
          actionGroups: ["pager"],
        },
        { name: "channel", match: {}, actionGroups: ["channel"] },
      ]),
    });
    await rounds(0, 0);
    setTestResults(monitor, "Warning", { checksFailed: 1 });
    await rounds(1, 4);
    expect(endToEnd()).toEqual(["open Sev2 er-a@2"]);
    setTestResults(monitor, "Fail");
    await rounds(5, 8);
    await w.dispatchPending();
    const triggers = onCall.requests.filter(
      (r) => (r.body as { event_action?: string }).event_action === "trigger",
    );
    // er-b's own Sev1 open would have paged; er-a's escalation reaches the channel only.
    expect({ events: endToEnd(), pagerDutyTriggers: triggers.length }).toEqual({
      events: expect.any(Array),
      pagerDutyTriggers: 1,
    });
  } finally {
    await onCall.close();
  }
}, 120_000);

it("two monitors of one name in two regions, named by tag (erwatch:connection-monitor, erwatch:workspace), are two monitors: er-a's open fault must not hold er-b's own", async () => {
  // The README: a name matches the monitor of that name in the circuit's subscription and region.
  const tags = { "erwatch:connection-monitor": "cm-onprem", "erwatch:workspace": WORKSPACE_ID };
  const a = healthyCircuit({ name: "er-a", location: "westeurope", tags });
  const b = healthyCircuit({
    name: "er-b",
    location: "northeurope",
    peeringLocation: "Dublin",
    tags,
  });
  const ma = withConnectionMonitor(a);
  const mb = withConnectionMonitor(b);
  ma.name = "cm-onprem";
  mb.name = "cm-onprem";
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(a, b),
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *", SWEEP_MAX_READ_AGE_MINUTES: "5" },
  });
  const rounds = async (from: number, to: number) => {
    for (let k = from; k <= to; k += 1) {
      now = new Date(T0 + k * 5 * MIN);
      expect((await w.timerSweep()).errors).toEqual([]);
    }
  };
  const endToEnd = () => endToEndOf(w);
  await rounds(0, 0);
  // A test of er-a's site has failed for a while (its incident open).
  setTestResults(ma, "Fail");
  await rounds(1, 3);
  expect(endToEnd()).toEqual(["open Sev1 er-a@2"]);
  // Then er-b's own monitor, in its own region, fails: another fault, at another site.
  setTestResults(mb, "Fail");
  await rounds(4, 8);
  expect(endToEnd()).toEqual(["open Sev1 er-a@2", "open Sev1 er-b@5"]);
}, 120_000);
