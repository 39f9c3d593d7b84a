// A gateway row down (or amber, for a connection lost beside one still
// Connected) raises no gateway-not-connected while what is beneath it is
// down: the outage below pages and explains the wiring. The row said only
// "no connection", red, with no alert beside it on the status page, as if
// erwatch had missed it. It now names what holds it, in the Global Reach
// row's words, and only then.

import { describe, expect, it } from "vitest";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { GatewayConnectionFacts, LayerCell } from "../../src/core/model.js";
import type { RememberedConnection } from "../../src/core/wiring.js";
import {
  circuitReading,
  failed,
  microsoftPeering,
  ok,
  peering,
  type CircuitSpec,
} from "../support/readings.js";

const PRIVATE = "AzurePrivatePeering";
const down = { arp: "empty", bgp: "Idle" } as const;
const bothDown = { [PRIVATE]: { primary: down, secondary: down } };

const conn = (name: string, status: string) =>
  ({
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/connections/${name}`,
    name,
    kind: "vnet-gateway",
    peering: null,
    status,
    gatewayId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw-${name}`,
  }) satisfies GatewayConnectionFacts;
const remember = (c: GatewayConnectionFacts): RememberedConnection => ({
  id: c.id,
  name: c.name,
  gatewayId: c.gatewayId ?? null,
});
const HUB = conn("hub", "Connected");
const DR = conn("dr", "Connected");

function judge(spec: CircuitSpec, remembered: RememberedConnection[] = []) {
  const verdict = classifyCircuit(circuitReading(spec), {
    ...DEFAULT_CLASSIFY_OPTIONS,
    previous: {
      providerWasProvisioned: true,
      peerings: [PRIVATE],
      gatewayConnections: { [PRIVATE]: remembered },
    },
  });
  const p = verdict.peerings.find((x) => x.name === PRIVATE)!;
  return {
    rows: [p.paths.primary.gateway, p.paths.secondary.gateway],
    paged: verdict.findings.some((f) => f.code === "gateway-not-connected"),
  };
}

describe("a gateway row beneath another outage", () => {
  it.each<{
    name: string;
    spec: CircuitSpec;
    remembered?: RememberedConnection[];
    row: LayerCell;
    paged: boolean;
  }>([
    {
      name: "no connection, both paths down",
      spec: { gateway: ok([]), paths: bothDown },
      row: { status: "down", detail: "no connection; held: both paths down" },
      paged: false,
    },
    {
      name: "none Connected, both paths down",
      spec: { gateway: ok([conn("hub", "NotConnected")]), paths: bothDown },
      row: { status: "down", detail: "NotConnected; held: both paths down" },
      paged: false,
    },
    {
      name: "every connection that was Connected lost, both paths down",
      spec: { gateway: ok([conn("hub", "NotConnected")]), paths: bothDown },
      remembered: [remember(HUB)],
      row: {
        status: "down",
        detail: "hub NotConnected (was Connected); no connection connected; held: both paths down",
      },
      paged: false,
    },
    {
      // Amber, yet its Sev1 would page were nothing beneath it down: held too.
      name: "one lost beside one still Connected, both paths down",
      spec: { gateway: ok([HUB, conn("dr", "NotConnected")]), paths: bothDown },
      remembered: [remember(HUB), remember(DR)],
      row: {
        status: "warn",
        detail: "dr NotConnected (was Connected); 1 connected; held: both paths down",
      },
      paged: false,
    },
    {
      name: "the peering Disabled",
      spec: { gateway: ok([]), peerings: [peering({ state: "Disabled" })] },
      row: { status: "down", detail: "no connection; held: peering Disabled" },
      paged: false,
    },
    {
      name: "the circuit not provisioned by its carrier",
      spec: { gateway: ok([]), providerState: "NotProvisioned" },
      row: {
        status: "down",
        detail: "no connection; held: circuit not provisioned by its carrier",
      },
      paged: false,
    },
    {
      name: "one path down, the other carrying: not held, it pages",
      spec: { gateway: ok([]), paths: { [PRIVATE]: { primary: down } } },
      row: { status: "down", detail: "no connection" },
      paged: true,
    },
    {
      // Pages on purpose. The gateway row itself was read: only whether an
      // outage beneath explains it is unknown. Were the unread path carrying,
      // holding this would hide a real wiring fault behind a read failure for as
      // long as reads fail (monitoring-blind says only that erwatch cannot
      // see, at Sev3). Were it down too, the page sits beside the path-down it
      // would have been held by, which names the outage: one more line for
      // the on-call, not a wrong lead; and once the path reads down, that
      // outage holds this alert's resolve.
      name: "one path down, the other not read: it may carry, so it pages rather than hides a wiring fault",
      spec: {
        gateway: ok([]),
        paths: {
          [PRIVATE]: {
            primary: down,
            secondary: { arp: failed({ kind: "throttled" }), bgp: failed({ kind: "throttled" }) },
          },
        },
      },
      row: { status: "down", detail: "no connection" },
      paged: true,
    },
    {
      name: "both paths up: not held, it pages",
      spec: { gateway: ok([]) },
      row: { status: "down", detail: "no connection" },
      paged: true,
    },
  ])("$name: the row reads $row.detail", ({ spec, remembered, row, paged }) => {
    const seen = judge(spec, remembered);
    expect(seen.rows).toEqual([row, row]);
    expect(seen.paged).toBe(paged);
  });

  it.each<{ name: string; spec: CircuitSpec; row: LayerCell }>([
    {
      name: "Connected",
      spec: { paths: bothDown },
      row: { status: "up", detail: "1 connected" },
    },
    {
      name: "no gateway expected",
      spec: { gateway: ok([]), settings: { expectGateway: false }, paths: bothDown },
      row: { status: "n/a", detail: "no connection" },
    },
    {
      name: "not read",
      spec: { gateway: failed({ kind: "throttled" }), paths: bothDown },
      row: { status: "unknown", detail: "connections read failed: throttled" },
    },
  ])("a row that would not page ($name) is as it was beneath an outage", ({ spec, row }) => {
    expect(judge(spec).rows).toEqual([row, row]);
  });

  it("a peering without gateway wiring keeps its n/a row beneath an outage", () => {
    const verdict = classifyCircuit(
      circuitReading({
        peerings: [peering(), microsoftPeering("Validated")],
        paths: { MicrosoftPeering: { primary: down, secondary: down } },
      }),
      DEFAULT_CLASSIFY_OPTIONS,
    );
    const p = verdict.peerings.find((x) => x.name === "MicrosoftPeering")!;
    expect(p.paths.primary.gateway).toEqual({ status: "n/a", detail: "not used" });
  });
});
