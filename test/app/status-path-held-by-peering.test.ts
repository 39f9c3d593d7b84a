// A Sev1 path-down (the primary down, the secondary not read: redundancy
// unverified) on a peering nobody expected, which then goes Disabled: a Sev3
// beneath the Sev1, which no hold of everything reaches. With the peering
// Disabled its paths are not read, so the path alert read clean and resolved
// ("recovered") two sweeps later, though the path was no more carrying than
// before. The Disabled peering holds its resolve now: it reads "resolving,
// held by" the peering, and resolves once the peering is back and the path
// reads up. Stored by the real sweeper (FakeReader, Azurite) every 5 minutes.

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { alertKey } from "../../src/core/alert-identity.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CIRCUIT_ID, failed, peering } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const throttled = failed<never>({ kind: "throttled" });
const settings = { expectedPeerings: [] };
const oneDownOneUnread = {
  [PRIVATE]: {
    primary: { arp: "empty", bgp: "Idle" },
    secondary: { arp: throttled, bgp: throttled },
  },
} as const;

it("a Sev1 path-down is not resolved when the peering beneath it goes Disabled", async () => {
  const h = await sweepHarness(azurite.connectionString);
  h.reader.spec = { settings, paths: oneDownOneUnread };
  for (let m = 0; m <= 10; m += 5) await h.run(m);
  expect(h.sent().filter((e) => e.includes("path-down"))).toEqual(["open:path-down:Sev1#1"]);

  h.reader.spec = { settings, peerings: [peering({ state: "Disabled" })] };
  for (let m = 15; m <= 40; m += 5) await h.run(m);
  expect(h.sent()).toContain("open:peering-config:Sev3#1");
  // Observed: "resolve:path-down:Sev1#2" at minute 20.
  expect(h.sent().filter((e) => e.startsWith("resolve:path-down"))).toEqual([]);

  const model = await loadStatus(h.store, minute(41), { recentHours: 1, recentLimit: 10 });
  const path = model.openAlerts.find((a) => a.family === "path-down")!;
  expect(path).toMatchObject({ severity: "Sev1", state: "resolving" });
  expect(path.heldBy).toMatchObject({
    kind: "alert",
    key: alertKey(CIRCUIT_ID, PRIVATE, "peering-config"),
    code: "peering-disabled",
    severity: "Sev3",
    rule: "a missing or disabled peering keeps the outage of its paths open",
  });
  expect(renderStatusHtml(model)).toContain("resolving · held by Sev3 peering-disabled");

  // The peering Enabled again and both paths up: the resolve goes out, once.
  h.reader.spec = { settings };
  for (let m = 45; m <= 60; m += 5) await h.run(m);
  expect(h.sent().filter((e) => e.startsWith("resolve:path-down"))).toEqual([
    "resolve:path-down:Sev1#2",
  ]);
});

it("a path still down when the peering is Enabled again fires on, not resolved in between", async () => {
  const h = await sweepHarness(azurite.connectionString);
  h.reader.spec = { settings, paths: oneDownOneUnread };
  for (let m = 0; m <= 10; m += 5) await h.run(m);
  h.reader.spec = { settings, peerings: [peering({ state: "Disabled" })] };
  for (let m = 15; m <= 30; m += 5) await h.run(m);
  h.reader.spec = { settings, paths: oneDownOneUnread };
  for (let m = 35; m <= 50; m += 5) await h.run(m);
  // Observed: resolved at minute 20 and opened anew at minute 40 (a second incident).
  expect(h.sent().filter((e) => e.includes("path-down"))).toEqual(["open:path-down:Sev1#1"]);
  const model = await loadStatus(h.store, minute(51), { recentHours: 1, recentLimit: 10 });
  expect(model.openAlerts.find((a) => a.family === "path-down")).toMatchObject({
    state: "firing",
    heldBy: null,
  });
});
