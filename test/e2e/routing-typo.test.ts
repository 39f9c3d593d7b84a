// A typo in ERWATCH_ACTION_GROUPS, made while adding a route during an
// incident, must not stop every page: the broken route and the reference to a
// receiver that does not exist are left out and named once by the
// dispatcher, and every other route delivers. At the product's cadence (a
// timer sweep every 5 minutes on an injected clock), through the real
// dispatcher runtime the Functions build from the same settings.

import { expect, it } from "vitest";
import { carrierDownBoth, estateOf, healthyCircuit } from "../support/estate/index.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

it("pages PagerDuty for an outage while one new route names an action group that does not exist", async () => {
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
  await w.timerSweep();
  carrierDownBoth(bundle.circuit, "AzurePrivatePeering");
  now = new Date(T0 + 5 * 60_000);
  await w.timerSweep();
  await w.dispatchPending(20_000);
  const triggers = w.pagerduty.requests.map(
    (r) => (r.body as { event_action: string; payload: { severity: string } }).event_action,
  );
  expect(triggers).toEqual(["trigger"]);
  const warned = lines
    .map((l) => JSON.parse(l) as { msg: string; ignored?: string[] })
    .filter((r) => r.msg.startsWith("entries of settings are invalid and left out; every other"));
  expect(warned).toHaveLength(1);
  expect(warned[0]!.ignored).toEqual([
    'ERWATCH_ACTION_GROUPS.actionGroups[2].receivers[1]: unknown receiver "temas" (left out; the rest apply)',
    'ERWATCH_ACTION_GROUPS.routes[2].actionGroups[0]: unknown action group "noc-chanel" (left out; the rest apply)',
    'ERWATCH_ACTION_GROUPS.routes[2].actionGroups: route "gateway-to-noc" sends to no action group (left out; the rest apply)',
  ]);
}, 60_000);
