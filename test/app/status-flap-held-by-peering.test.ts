// A Sev2 flap (the secondary down two sweeps, up two) on a peering that then
// goes Disabled: its sessions are shut and not read. The stop is an admin
// action, no change of the path's sessions (nor is the session coming up once
// the peering is Enabled again), so the flap reads firing for what is left of
// its window, then clean. The flap carried traffic, so its peering Disabled is
// Sev0 and, once its alert opens, holds the flap whole. A path alert's resolve
// is held also by the peering read before its alert opens, and so is the
// flap's: with ERWATCH_ALERT_POLICY making a Sev0 wait (openAfter) and
// resolving on one clean sweep (resolveAfter), a flap that calmed just after
// the stop said "has cleared" before the peering's alert opened, the sessions
// still shut. It resolves once the peering is back and its session reads
// steady. Counted as a change, the stop reopened a flap that had calmed
// ("open:session-flapping" beside the peering's own alert), and the stop and
// the enable kept a flap open 20 minutes longer. Stored by the real sweeper
// (FakeReader, Azurite) every 5 minutes.

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

  it("calming while the peering's Sev0 waits: not resolved before that alert opens", async () => {
    const policy: Partial<AlertPolicy> = {
      openAfter: { ...DEFAULT_ALERT_POLICY.openAfter, Sev0: 3 },
      resolveAfter: { Sev0: 1, Sev1: 1, Sev2: 1, Sev3: 1, Sev4: 1 },
    };
    const h = await sweepHarness(azurite.connectionString, { policy });
    await flapThenSteady(h, 85);
    const before = h.sent().length;
    h.reader.spec = { settings, peerings: [peering({ state: "Disabled" })] };
    // The flap's last four changes leave its window at 90; the Sev0 opens at 95.
    for (let m = 85; m <= 180; m += 5) await h.run(m);
    expect(h.sent().slice(before)).toEqual(["open:peering-config:Sev0#1"]);
    await heldByPeering(h, 181);
  });

  it("after it calmed: the stop does not reopen it while the peering's Sev0 waits", async () => {
    const policy: Partial<AlertPolicy> = {
      openAfter: { ...DEFAULT_ALERT_POLICY.openAfter, Sev0: 2 },
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
    // Three of the flap's changes are still in the window at 95: the stop made them four.
    h.reader.spec = { settings, peerings: [peering({ state: "Disabled" })] };
    for (let m = 95; m <= 120; m += 5) await h.run(m);
    await backSteady(h, 125);
    // Observed: "open:session-flapping:Sev2#3" at 95, the flap reopened by the admin action.
    expect(h.sent().slice(before)).toEqual([
      "open:peering-config:Sev0#1",
      "resolve:peering-config:Sev0#2",
    ]);
  });

  it("after it calmed: the peering deleted and created again does not reopen it either", async () => {
    const policy: Partial<AlertPolicy> = {
      resolveAfter: { Sev0: 1, Sev1: 1, Sev2: 1, Sev3: 1, Sev4: 1 },
    };
    const h = await sweepHarness(azurite.connectionString, { policy });
    await flapThenSteady(h, 95);
    const before = h.sent().length;
    // Counted, the deletion (95) and its return (100) would be four changes at 100 with 45 and 55.
    h.reader.spec = { settings, peerings: [] };
    await h.run(95);
    await backSteady(h, 100);
    expect(
      h
        .sent()
        .slice(before)
        .filter((e) => e.includes("session-flapping")),
    ).toEqual([]);
  });

  it("its window is not lengthened by the peering disabled and enabled again", async () => {
    /** Each event sent, at the minute of the sweep that sent it. */
    const timeline = async (disable: boolean) => {
      const h = await sweepHarness(azurite.connectionString);
      const events: string[] = [];
      const run = async (m: number) => {
        const seen = h.sent().length;
        await h.run(m);
        events.push(
          ...h
            .sent()
            .slice(seen)
            .map((e) => `${m} ${e}`),
        );
      };
      for (let m = 0; m <= 60; m += 5) {
        h.reader.spec = secondary(downTwoUpTwo(m) ? carrierDown : upSince(upPhaseStart(m), m));
        await run(m);
      }
      for (let m = 65; m <= 130; m += 5) {
        h.reader.spec =
          disable && m < 75
            ? { settings, peerings: [peering({ state: "Disabled" })] }
            : secondary(upSince(disable ? 73 : 57, m));
        await run(m);
      }
      return events.filter((e) => e.includes("session-flapping"));
    };
    const steady = await timeline(false);
    expect(steady).toContain("95 resolve:session-flapping:Sev2#2");
    // Observed: resolved at 115, the stop (65) and the enable (75) counted as two more changes.
    expect(await timeline(true)).toEqual(steady);
  });
});
