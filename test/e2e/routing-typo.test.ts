// A typo in ERWATCH_ACTION_GROUPS, made while adding a route during an
// incident, must not stop every page: the broken route and the reference to a
// receiver that does not exist are left out and named by the dispatcher when
// it starts and again while it delivers (at most every 10 minutes, so the
// health alert on the line stands), and every other route delivers. At the
// product's cadence (a
// timer sweep every 5 minutes on an injected clock), through the real
// dispatcher runtime the Functions build from the same settings.

import { expect, it } from "vitest";
import { carrierDownBoth, estateOf, healthyCircuit, restoreBoth } from "../support/estate/index.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

it("pages and resolves at PagerDuty while one new route names an action group that does not exist, saying so while it delivers", async () => {
  const bundle = healthyCircuit();
  let now = new Date(T0);
  const lines: string[] = [];
  const w = await worlds.start({
    estate: estateOf(bundle),
    now: () => now,
    routing: "page-at-sev2-and-a-typo",
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
    logDestination: {
      write: (chunk: string) => {
        lines.push(...chunk.split("\n").filter(Boolean));
        return true;
      },
    },
  });
  const warned = () =>
    lines
      .map((l) => JSON.parse(l) as { msg: string; ignored?: string[] })
      .filter((r) => r.msg.startsWith("entries of settings are invalid and left out; every other"));
  const pagerduty = () =>
    w.pagerduty.requests.map((r) => (r.body as { event_action: string }).event_action);
  // Down at minute 5, back at minute 15; a sweep every 5 minutes, each sweep's events delivered.
  for (let minute = 0; minute <= 40; minute += 5) {
    now = new Date(T0 + minute * 60_000);
    if (minute === 5) carrierDownBoth(bundle.circuit, "AzurePrivatePeering");
    if (minute === 15) restoreBoth(bundle.circuit, "AzurePrivatePeering");
    await w.timerSweep();
    await w.dispatchPending(20_000);
    // Said when the dispatcher started; the trigger at minute 5 comes too soon to say it again.
    if (minute === 5) expect([pagerduty(), warned().length]).toEqual([["trigger"], 1]);
  }
  expect(pagerduty()).toEqual(["trigger", "resolve"]);
  // The resolve came 10 minutes or more after the start: said again with it.
  expect(warned()).toHaveLength(2);
  for (const line of warned())
    expect(line.ignored).toEqual([
      'ERWATCH_ACTION_GROUPS.actionGroups[2].receivers[1]: unknown receiver "temas" (left out; the rest apply)',
      'ERWATCH_ACTION_GROUPS.routes[2].actionGroups[0]: unknown action group "noc-chanel" (left out; the rest apply)',
      'ERWATCH_ACTION_GROUPS.routes[2].actionGroups: route "gateway-to-noc" sends to no action group (left out; the rest apply)',
    ]);
}, 60_000);
