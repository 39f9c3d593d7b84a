// Found by a review: a Microsoft peering that was Enabled and carrying traffic
// (Microsoft 365 / PaaS over ExpressRoute) is set to Disabled; both of its
// paths stop (the design's "traffic stopped: both paths of a peering down at
// any layer: Sev0"). erwatch graded peering-disabled by the erwatch:peerings
// tag / ERWATCH_EXPECTED_PEERINGS alone, whose default is AzurePrivatePeering
// only: a Sev3 note. It is now Sev0 when the peering carried at an earlier
// sweep (core/peering-memory.ts), and stays so, paged once, while Disabled.
// Through the REAL SDK against the simulated estate, in the stateful timer sweep.

import { describe, expect, it } from "vitest";
import {
  estateOf,
  healthyCircuit,
  setPeeringState,
  type EstateState,
} from "../support/estate/index.js";
import { ALERTS_QUEUE } from "../support/world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

async function timeline(estate: EstateState, env: Record<string, string> = {}) {
  let now = new Date(T0);
  const w = await worlds.start({ estate, now: () => now, env });
  return {
    world: w,
    async sweep(n: number) {
      now = new Date(T0 + n * 5 * 60_000);
      return w.timerSweep();
    },
    sent: () =>
      w.broker.accepted(ALERTS_QUEUE).map((m) => {
        const e = m.body as { action: string; code: string; severity: string; peering?: string };
        return `${e.action}:${e.code}:${e.severity}`;
      }),
  };
}

const withMicrosoftPeering = () =>
  estateOf(healthyCircuit({ name: "er-ms", microsoftPeering: true }));

describe("a Microsoft peering that carried traffic at the last sweep and now does not", () => {
  it("control: when the peering is listed as expected, Disabled is Sev0", async () => {
    const t = await timeline(withMicrosoftPeering(), {
      ERWATCH_EXPECTED_PEERINGS: "AzurePrivatePeering,MicrosoftPeering",
    });
    await t.sweep(0);
    const first = await t.sweep(1);
    expect(first.verdicts[0]!.findings).toEqual([]);
    setPeeringState(t.world.estate.state.circuits[0]!, "MicrosoftPeering", "Disabled");
    for (let n = 2; n <= 5; n += 1) await t.sweep(n);
    expect(t.sent()).toEqual(["open:peering-disabled:Sev0"]);
  });

  it("Disabled, it is traffic stopped on both paths: Sev0, as it is when a tag names the peering", async () => {
    const t = await timeline(withMicrosoftPeering());
    await t.sweep(0);
    const first = await t.sweep(1);
    expect(first.verdicts[0]!.findings).toEqual([]);
    const ms = first.verdicts[0]!.peerings.find((p) => p.name === "MicrosoftPeering")!;
    expect(ms.paths.primary.routes.status).toBe("up");
    expect(ms.paths.secondary.routes.status).toBe("up");
    setPeeringState(t.world.estate.state.circuits[0]!, "MicrosoftPeering", "Disabled");
    for (let n = 2; n <= 5; n += 1) await t.sweep(n);
    expect(t.sent()).toEqual(["open:peering-disabled:Sev0"]);
  });
});
