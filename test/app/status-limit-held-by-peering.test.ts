// A Sev2 near-limit warning (95 % of the route limit) on a peering that then
// goes Disabled: its sessions are shut, and its prefixes are not read, so the
// warning reads clean. The peering carried traffic (a count needs a session
// Established), so its Disabled finding is Sev0 and holds the warning whole
// once its alert opens. With ERWATCH_ALERT_POLICY making a Sev0 wait a sweep
// (openAfter) and a warning resolve on one clean sweep (resolveAfter), the
// warning said "has cleared" in the sweep between, the sessions still shut,
// while a path alert there was held by the peering read that sweep. The
// Disabled peering read this sweep holds the warning's resolve now, its alert
// open or not. Stored by the real sweeper (FakeReader, Azurite) every 5 minutes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { alertKey } from "../../src/core/alert-identity.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CIRCUIT_ID, peering } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const settings = { expectedPeerings: [] };
/** Both paths at 3,820 of Standard's 4,000 (95 %), or `bgp` received. */
const counting = (bgp = "3820") => ({
  settings,
  paths: { [PRIVATE]: { primary: { bgp }, secondary: { bgp } } },
});
const disabled = { settings, peerings: [peering({ state: "Disabled" })] };
const peeringKey = alertKey(CIRCUIT_ID, PRIVATE, "peering-config");
/** A Sev0 opening at its second sweep, anything resolving after one clean sweep. */
const waitingSev0: Partial<AlertPolicy> = {
  openAfter: { ...DEFAULT_ALERT_POLICY.openAfter, Sev0: 2 },
  resolveAfter: { Sev0: 1, Sev1: 1, Sev2: 1, Sev3: 1, Sev4: 1 },
};

describe("a Sev2 near-limit warning on a peering gone Disabled", () => {
  it.each<{ name: string; policy: Partial<AlertPolicy> }>([
    { name: "the default policy", policy: {} },
    {
      name: "a Sev0 opening at its second sweep, a warning resolving after one clean sweep",
      policy: waitingSev0,
    },
  ])(
    "$name: resolving, held by the peering, until it is read under the line",
    async ({ policy }) => {
      const h = await sweepHarness(azurite.connectionString, { policy });
      h.reader.spec = counting();
      for (let m = 0; m <= 10; m += 5) await h.run(m);
      expect(h.sent()).toEqual(["open:route-limit:Sev2#1"]);

      h.reader.spec = disabled;
      await h.run(15);
      // Observed with the Sev0 waiting a sweep: "resolve:route-limit:Sev2#2" here.
      expect(h.sent().filter((e) => e.startsWith("resolve:route-limit"))).toEqual([]);
      const first = await loadStatus(h.store, minute(16), { recentHours: 1, recentLimit: 10 });
      const warning = first.openAlerts.find((a) => a.family === "route-limit")!;
      expect(warning).toMatchObject({ severity: "Sev2", state: "resolving" });
      expect(warning.heldBy).toMatchObject({
        kind: "alert",
        key: peeringKey,
        code: "peering-disabled",
        severity: "Sev0",
      });
      expect(renderStatusHtml(first)).toContain("resolving · held by Sev0 peering-disabled");

      for (let m = 20; m <= 40; m += 5) await h.run(m);
      expect(h.sent()).toContain("open:peering-config:Sev0#1");
      expect(h.sent().filter((e) => e.startsWith("resolve:route-limit"))).toEqual([]);

      // The peering back with the count well under the line: the resolve goes out, once.
      h.reader.spec = counting("120");
      for (let m = 45; m <= 60; m += 5) await h.run(m);
      expect(h.sent().filter((e) => e.startsWith("resolve:route-limit"))).toEqual([
        "resolve:route-limit:Sev2#2",
      ]);
    },
  );

  it("back at 95 % when the peering is Enabled again, it fires on as the same warning", async () => {
    const h = await sweepHarness(azurite.connectionString, { policy: waitingSev0 });
    h.reader.spec = counting();
    for (let m = 0; m <= 10; m += 5) await h.run(m);
    h.reader.spec = disabled;
    for (let m = 15; m <= 30; m += 5) await h.run(m);
    h.reader.spec = counting();
    for (let m = 35; m <= 50; m += 5) await h.run(m);
    // Observed: resolved at minute 15, opened anew at minute 40.
    expect(h.sent().filter((e) => e.includes("route-limit"))).toEqual(["open:route-limit:Sev2#1"]);
    const model = await loadStatus(h.store, minute(51), { recentHours: 1, recentLimit: 10 });
    expect(model.openAlerts.find((a) => a.family === "route-limit")).toMatchObject({
      state: "firing",
      heldBy: null,
    });
  });
});
