// A Sev1 gateway alert above a peering nobody expected, which then goes
// Disabled: a Sev3 that opens only at its second sweep. The hold came only
// from an open alert, so on the first sweep after the change the gateway
// alert read a bare "resolving" (the peering's alert was still pending), and
// with a resolve count of one (ERWATCH_ALERT_POLICY resolveAfter) it resolved
// "recovered" there, before the hold existed, the connection still
// NotConnected. The Disabled peering read this sweep holds the resolve now,
// whether or not its alert has opened. Stored by the real sweeper
// (FakeReader, Azurite) every 5 minutes.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { alertKey } from "../../src/core/alert-identity.js";
import type { GatewayConnectionFacts } from "../../src/core/model.js";
import type { AlertPolicy } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CIRCUIT_ID, CONNECTED_GATEWAY, failed, ok, peering } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const notConnected = ok<GatewayConnectionFacts[]>(
  CONNECTED_GATEWAY.map((c) => ({ ...c, status: "NotConnected" })),
);
const throttled = failed<never>({ kind: "throttled" });
const settings = { expectedPeerings: [] };
const oneDownOneUnread = {
  [PRIVATE]: {
    primary: { arp: "empty", bgp: "Idle" },
    secondary: { arp: throttled, bgp: throttled },
  },
} as const;
const peeringKey = alertKey(CIRCUIT_ID, PRIVATE, "peering-config");

describe("a gateway alert over a peering gone Disabled, before the peering's own alert opens", () => {
  it.each<{ name: string; policy: Partial<AlertPolicy> }>([
    { name: "resolving after two clean sweeps (the default)", policy: {} },
    {
      name: "resolving after one clean sweep",
      policy: { resolveAfter: { Sev0: 1, Sev1: 1, Sev2: 1, Sev3: 1, Sev4: 1 } },
    },
  ])("$name: resolving, held by the Disabled peering from its first sweep", async ({ policy }) => {
    const h = await sweepHarness(azurite.connectionString, { policy });
    h.reader.spec = { settings, paths: oneDownOneUnread };
    await h.run(0);
    h.reader.spec = { settings, gateway: notConnected, paths: oneDownOneUnread };
    for (let m = 5; m <= 15; m += 5) await h.run(m);
    expect(h.sent()).toContain("open:gateway:Sev1#1");

    h.reader.spec = { settings, gateway: notConnected, peerings: [peering({ state: "Disabled" })] };
    await h.run(20);
    // The peering's Sev3 waits out its open count: nothing of it is told yet.
    expect(h.sent().filter((e) => e.includes("peering-config"))).toEqual([]);
    // Observed with one clean sweep to resolve: "resolve:gateway:Sev1#2" here.
    expect(h.sent().filter((e) => e.startsWith("resolve:gateway"))).toEqual([]);

    const model = await loadStatus(h.store, minute(21), { recentHours: 1, recentLimit: 10 });
    const gateway = model.openAlerts.find((a) => a.family === "gateway")!;
    expect(gateway.state).toBe("resolving");
    // Observed: heldBy null (a bare "resolving"), the hold named from the next sweep.
    expect(gateway.heldBy).toMatchObject({
      kind: "alert",
      key: peeringKey,
      code: "peering-disabled",
      severity: "Sev3",
    });
    expect(gateway.holdEnded).toBeNull();
    expect(renderStatusHtml(model)).toContain("resolving · held by Sev3 peering-disabled");

    for (let m = 25; m <= 40; m += 5) await h.run(m);
    expect(h.sent()).toContain("open:peering-config:Sev3#1");
    expect(h.sent().filter((e) => e.startsWith("resolve:gateway"))).toEqual([]);

    // The peering back and the connection Connected: the resolve goes out.
    h.reader.spec = { settings };
    for (let m = 45; m <= 60; m += 5) await h.run(m);
    expect(h.sent().filter((e) => e.startsWith("resolve:gateway"))).toEqual([
      "resolve:gateway:Sev1#2",
    ]);
  });
});
