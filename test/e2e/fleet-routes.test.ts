// A fleet alert holds its members' own outage alerts, and is routed as each
// of them too (found by a review): routed as its site's pseudo-circuit alone
// (/erwatch/fleet/..., no tags, code fleet-outage), a route by `circuits`,
// `circuitTags` or `codes` (a supported way of paging a circuit's owners)
// never matched it, and a carrier outage that took two of a team's circuits
// at one site paged that team's PagerDuty nothing, where one circuit alone
// paged it. The team hears the fleet alert's trigger, and its resolve.

import { expect, it } from "vitest";
import { healthyCircuit, setProviderState, type SimCircuit } from "../support/estate/index.js";
import { pagerAndChannel } from "../support/gateway-world.js";
import { startRecordingReceiver } from "../support/recording-receiver.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

const said = (requests: { body: unknown }[], action: "trigger" | "resolve") =>
  requests.filter((r) => (r.body as { event_action?: string }).event_action === action);
const triggers = (requests: { body: unknown }[]) => said(requests, "trigger");

for (const [how, match, tags] of [
  ["circuitTags", { circuitTags: { team: "netops" } }, { team: "netops" }],
  ["circuits", { circuits: ["er-ams-a", "er-ams-b"] }, {}],
  ["codes", { codes: ["provider-not-provisioned"] }, {}],
] as const)
  it(`a carrier outage at one site on two of a team's circuits pages the team routed by ${how}, as one circuit alone does`, async () => {
    const pager = await startRecordingReceiver({ name: "pd-netops" });
    pager.respondWith(202);
    try {
      const bundles = [
        healthyCircuit({ name: "er-ams-a", tags: { ...tags } }),
        healthyCircuit({ name: "er-ams-b", tags: { ...tags } }),
      ];
      const [a, b] = bundles.map((x) => x.circuit as SimCircuit) as [SimCircuit, SimCircuit];
      const { w, sent, sweepUntil } = await timerWorld(worlds, T0, bundles, {
        ERWATCH_ACTION_GROUPS: pagerAndChannel(pager.url, [
          {
            name: "netops-pages",
            match: { ...match, severityAtOrAbove: "Sev1" },
            actionGroups: ["pager"],
          },
        ]),
      });
      await sweepUntil(0, 0);
      // Equinix de-provisions both at Amsterdam: Sev0, one fleet-outage.
      for (const c of [a, b]) setProviderState(c, "NotProvisioned");
      await sweepUntil(5, 15);
      await w.dispatchPending();
      const published = sent().map(
        (e) => `${e.family} ${e.action} ${e.severity} ${e.circuit.name}`,
      );
      expect({ published, pagerTriggers: triggers(pager.requests).length }).toEqual({
        published: expect.arrayContaining([expect.stringMatching(/^fleet open Sev0 /)]),
        pagerTriggers: 1,
      });
      // The carrier provisions them again: the team hears the resolve of what it was paged for.
      for (const c of [a, b]) setProviderState(c, "Provisioned");
      await sweepUntil(20, 40);
      await w.dispatchPending();
      expect(said(pager.requests, "resolve")).toHaveLength(1);
    } finally {
      await pager.close();
    }
  }, 120_000);

it("the same route pages the team when one circuit alone is de-provisioned", async () => {
  const pager = await startRecordingReceiver({ name: "pd-netops" });
  pager.respondWith(202);
  try {
    const bundles = [
      healthyCircuit({ name: "er-ams-a", tags: { team: "netops" } }),
      healthyCircuit({ name: "er-ams-b", tags: { team: "netops" } }),
    ];
    const [a] = bundles.map((x) => x.circuit as SimCircuit) as [SimCircuit, SimCircuit];
    const { w, sweepUntil } = await timerWorld(worlds, T0, bundles, {
      ERWATCH_ACTION_GROUPS: pagerAndChannel(pager.url, [
        {
          name: "netops-pages",
          match: { circuitTags: { team: "netops" }, severityAtOrAbove: "Sev1" },
          actionGroups: ["pager"],
        },
      ]),
    });
    await sweepUntil(0, 0);
    setProviderState(a, "NotProvisioned");
    await sweepUntil(5, 15);
    await w.dispatchPending();
    expect(triggers(pager.requests).length).toBe(1);
  } finally {
    await pager.close();
  }
}, 120_000);
