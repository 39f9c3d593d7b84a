// A Sev1 gateway alert above a peering gone Disabled: a Sev3 that opens only
// at its second sweep, which holds the gateway alert's resolve from its first
// (what a sweep reads holds a resolve, its alert open or not). The page and
// `erwatch alerts` then said "held by Sev3 peering-disabled" for an alert
// not among the open alerts they list: on-call looked for a holder that was
// not there. They say it is seen and not open yet, until it opens. Stored by
// the real sweeper (FakeReader, Azurite) every 5 minutes.

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { runCli } from "../../src/cli/program.js";
import { alertKey } from "../../src/core/alert-identity.js";
import type { GatewayConnectionFacts } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { CIRCUIT_ID, CONNECTED_GATEWAY, failed, ok, peering } from "../support/readings.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";

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

/** `erwatch alerts` at `at`, its wrapped lines joined. */
async function alertsCli(h: Harness, at: number): Promise<string> {
  let out = "";
  await runCli(["alerts"], {
    env: { ERWATCH_STORAGE: azurite.connectionString, ERWATCH_TABLE_PREFIX: h.prefix },
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (out += s) },
    now: () => minute(at),
  });
  return out.replace(/\s+/g, " ");
}

it("a holder still waiting out its open count reads 'seen, not open yet' until it opens", async () => {
  const h = await sweepHarness(azurite.connectionString);
  h.reader.spec = { settings, paths: oneDownOneUnread };
  await h.run(0);
  h.reader.spec = { settings, gateway: notConnected, paths: oneDownOneUnread };
  for (let m = 5; m <= 15; m += 5) await h.run(m);
  expect(h.sent()).toContain("open:gateway:Sev1#1");

  h.reader.spec = { settings, gateway: notConnected, peerings: [peering({ state: "Disabled" })] };
  await h.run(20);
  const first = await loadStatus(h.store, minute(21), { recentHours: 1, recentLimit: 10 });
  expect(first.openAlerts.map((a) => a.family)).not.toContain("peering-config");
  const gateway = first.openAlerts.find((a) => a.family === "gateway")!;
  expect(gateway.heldBy).toMatchObject({ kind: "alert", key: peeringKey, pending: true });
  // Observed: "resolving · held by Sev3 peering-disabled (AzurePrivatePeering is Disabled…".
  expect(renderStatusHtml(first)).toContain(
    "resolving · held by Sev3 peering-disabled, seen, not open yet (AzurePrivatePeering is Disabled",
  );
  expect(await alertsCli(h, 21)).toContain(
    "Held by Sev3 peering-disabled, seen, not open yet: AzurePrivatePeering is Disabled",
  );

  await h.run(25);
  expect(h.sent()).toContain("open:peering-config:Sev3#1");
  const opened = await loadStatus(h.store, minute(26), { recentHours: 1, recentLimit: 10 });
  expect(opened.openAlerts.find((a) => a.family === "gateway")!.heldBy).toMatchObject({
    key: peeringKey,
    pending: false,
  });
  const html = renderStatusHtml(opened);
  expect(html).toContain("resolving · held by Sev3 peering-disabled (AzurePrivatePeering");
  expect(html).not.toContain("not open yet");
  const cli = await alertsCli(h, 26);
  expect(cli).toContain("Held by Sev3 peering-disabled: AzurePrivatePeering is Disabled");
  expect(cli).not.toContain("not open yet");
});
