// A Sev2 flap (the secondary down two sweeps, up two) on a peering that then
// goes Disabled: its sessions are shut and not read. The stop is one more
// change of the path, so the flap reads firing for its window after it, then
// clean. The flap carried traffic, so its peering Disabled is Sev0 and, once
// its alert opens, holds the flap whole. A path alert's resolve is held also
// by the peering read before its alert opens; the flap's was not: with
// ERWATCH_ALERT_POLICY making a Sev0 wait (openAfter) and resolving on one
// clean sweep (resolveAfter), a flap that had calmed, reopened by the stop,
// said "has cleared" before the peering's alert opened, the sessions still
// shut. It is held as a path alert is now, and resolves once the peering is
// back and its session reads steady. Stored by the real sweeper (FakeReader,
// Azurite) every 5 minutes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { alertKey } from "../../src/core/alert-identity.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CIRCUIT_ID, peering, type PathSpec } from "../support/readings.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const settings = { expectedPeerings: [] };
const carrierDown: PathSpec = { arp: "empty", bgp: "Idle", upDown: "never" };
/** Up since minute `upAt`, as the route summary's upDown column prints it at `m`. */
const upSince = (upAt: number, m: number): PathSpec => {
  const seconds = Math.max(0, (m - upAt) * 60 + 20);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return { bgp: "120", upDown: `${hh}:${mm}:${ss}` };
};
/** Down for two sweeps, up for two, from minute 5. */
const downTwoUpTwo = (m: number) => m >= 5 && Math.floor((m / 5 - 1) / 2) % 2 === 0;
const upPhaseStart = (m: number) => {
  let t = m;
  while (t - 5 >= 0 && !downTwoUpTwo(t - 5)) t -= 5;
  return t === 0 ? -24 * 60 : t - 3;
};
const secondary = (spec: PathSpec) => ({ settings, paths: { [PRIVATE]: { secondary: spec } } });
const peeringKey = alertKey(CIRCUIT_ID, PRIVATE, "peering-config");

/** The flap from minute 0 to 60, then the session steady up to `until` (exclusive). */
async function flapThenSteady(h: Harness, until: number) {
  for (let m = 0; m <= 60; m += 5) {
    h.reader.spec = secondary(downTwoUpTwo(m) ? carrierDown : upSince(upPhaseStart(m), m));
    await h.run(m);
  }
  expect(h.sent()).toContain("open:session-flapping:Sev2#1");
  for (let m = 65; m < until; m += 5) {
    h.reader.spec = secondary(upSince(57, m));
    await h.run(m);
  }
}

async function heldByPeering(h: Harness, at: number) {
  const model = await loadStatus(h.store, minute(at), { recentHours: 1, recentLimit: 10 });
  const flap = model.openAlerts.find((a) => a.family === "session-flapping")!;
  expect(flap.state).toBe("resolving");
  expect(flap.heldBy).toMatchObject({ kind: "alert", key: peeringKey, code: "peering-disabled" });
  expect(renderStatusHtml(model)).toContain(
    "session-flapping · resolving · held by Sev0 peering-disabled",
  );
}

/** The peering Enabled again at `from`, its session up since and steady. */
async function backSteady(h: Harness, from: number) {
  for (let m = from; m <= from + 15; m += 5) {
    h.reader.spec = secondary(upSince(from - 2, m));
    await h.run(m);
  }
}

describe("a flap on a peering gone Disabled", () => {
  it("while the flap lasts: firing through its window, then resolving, held by the peering, until it is back and steady", async () => {
    const h = await sweepHarness(azurite.connectionString);
    await flapThenSteady(h, 85);
    const before = h.sent().length;
    h.reader.spec = { settings, peerings: [peering({ state: "Disabled" })] };
    for (let m = 85; m <= 180; m += 5) await h.run(m);
    expect(h.sent().slice(before)).toEqual(["open:peering-config:Sev0#1"]);
    await heldByPeering(h, 181);

    await backSteady(h, 185);
    expect(
      h
        .sent()
        .slice(before)
        .filter((e) => e.startsWith("resolve:"))
        .sort(),
    ).toEqual([
      "resolve:path-down:Sev2#4",
      "resolve:peering-config:Sev0#2",
      "resolve:session-flapping:Sev2#2",
    ]);
  });

  it("after it calmed: reopened by the stop, it is not resolved before the peering's Sev0 opens", async () => {
    const policy: Partial<AlertPolicy> = {
      openAfter: { ...DEFAULT_ALERT_POLICY.openAfter, Sev0: 3 },
      resolveAfter: { Sev0: 1, Sev1: 1, Sev2: 1, Sev3: 1, Sev4: 1 },
    };
    const h = await sweepHarness(azurite.connectionString, { policy });
    await flapThenSteady(h, 95);
    const before = h.sent().length;
    expect(
      h
        .sent()
        .slice(before - 2)
        .sort(),
    ).toEqual(["resolve:path-down:Sev2#4", "resolve:session-flapping:Sev2#2"]);
    h.reader.spec = { settings, peerings: [peering({ state: "Disabled" })] };
    for (let m = 95; m <= 180; m += 5) await h.run(m);
    // Observed: "resolve:session-flapping:Sev2#4" before the Sev0 opened.
    expect(h.sent().slice(before)).toEqual([
      "open:session-flapping:Sev2#3",
      "open:peering-config:Sev0#1",
    ]);
    await heldByPeering(h, 181);
  });
});
