// A Global Reach row read down raises no global-reach-down while what is
// beneath it is down (the outage below pages and explains the connection):
// the row said only "gr-to-p Disconnected", red, with no alert beside it on
// the status page. It now names what holds it, and only then.

import { describe, expect, it } from "vitest";
import { FAMILY_OF } from "../../src/core/alert-identity.js";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import {
  circuitReading,
  failed,
  microsoftPeering,
  peering,
  type CircuitSpec,
} from "../support/readings.js";

const PEER =
  "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-dr/providers/Microsoft.Network/expressRouteCircuits/er-P/peerings/AzurePrivatePeering";
const down = { arp: "empty", bgp: "Idle" } as const;

const reach = (state: "Enabled" | "Disabled" = "Enabled") =>
  peering({
    state,
    globalReach: [
      {
        name: "gr-to-p",
        peerCircuitPeeringId: PEER,
        status: "Disconnected",
        direction: "outbound",
      },
    ],
  });

describe("a Global Reach row down beneath another outage", () => {
  it.each<{ name: string; spec: CircuitSpec; row: string; reachFinding: boolean }>([
    {
      name: "both paths down",
      spec: {
        peerings: [reach()],
        paths: { AzurePrivatePeering: { primary: down, secondary: down } },
      },
      row: "gr-to-p Disconnected; held: both paths down",
      reachFinding: false,
    },
    {
      // Not the private peering's case, but the row is judged alike on any peering.
      name: "one path down, the other's public prefixes validating",
      spec: {
        peerings: [
          microsoftPeering("Configuring", {
            globalReach: [
              {
                name: "gr-to-p",
                peerCircuitPeeringId: PEER,
                status: "Disconnected",
                direction: "outbound",
              },
            ],
          }),
        ],
        paths: { MicrosoftPeering: { primary: down } },
      },
      row: "gr-to-p Disconnected; held: no path carrying",
      reachFinding: false,
    },
    {
      // Pages on purpose. The Global Reach row itself was read: only whether an
      // outage beneath explains it is unknown. Were the unread path carrying,
      // holding this would hide a real connection fault behind a read failure for as
      // long as reads fail (monitoring-blind says only that erwatch cannot
      // see, at Sev3). Were it down too, the page sits beside the path-down it
      // would have been held by, which names the outage: one more line for
      // the on-call, not a wrong lead; and once the path reads down, that
      // outage holds this alert's resolve.
      name: "one path down, the other not read: it may carry, so it pages rather than hides a connection fault",
      spec: {
        peerings: [reach()],
        paths: {
          AzurePrivatePeering: {
            primary: down,
            secondary: { arp: failed({ kind: "throttled" }), bgp: failed({ kind: "throttled" }) },
          },
        },
      },
      row: "gr-to-p Disconnected",
      reachFinding: true,
    },
    {
      name: "the peering Disabled",
      spec: { peerings: [reach("Disabled")] },
      row: "gr-to-p Disconnected; held: peering Disabled",
      reachFinding: false,
    },
    {
      name: "the circuit not provisioned by its carrier",
      spec: { peerings: [reach()], providerState: "NotProvisioned" },
      row: "gr-to-p Disconnected; held: circuit not provisioned by its carrier",
      reachFinding: false,
    },
    {
      name: "one path down, the other carrying: not held, it pages",
      spec: { peerings: [reach()], paths: { AzurePrivatePeering: { primary: down } } },
      row: "gr-to-p Disconnected",
      reachFinding: true,
    },
    {
      name: "both paths up: not held, it pages",
      spec: { peerings: [reach()] },
      row: "gr-to-p Disconnected",
      reachFinding: true,
    },
  ])("$name: the row says $row", ({ spec, row, reachFinding }) => {
    const verdict = classifyCircuit(circuitReading(spec), DEFAULT_CLASSIFY_OPTIONS);
    const p = verdict.peerings.find((x) => x.paths.primary.globalReach.status === "down")!;
    for (const path of ["primary", "secondary"] as const)
      expect(p.paths[path].globalReach).toEqual({ status: "down", detail: row });
    expect(verdict.findings.some((f) => f.code === "global-reach-down")).toBe(reachFinding);
  });

  it("its page beside an unread path comes with the path-down that names the outage on the other", () => {
    const verdict = classifyCircuit(
      circuitReading({
        peerings: [reach()],
        paths: {
          AzurePrivatePeering: {
            primary: down,
            secondary: { arp: failed({ kind: "throttled" }), bgp: failed({ kind: "throttled" }) },
          },
        },
      }),
      DEFAULT_CLASSIFY_OPTIONS,
    );
    const families = verdict.findings.map((f) => `${FAMILY_OF[f.code]} ${f.paths.join(",")}`);
    expect(families).toContain("global-reach primary,secondary");
    expect(families).toContain("path-down primary");
    expect(families).toContainEqual(expect.stringMatching(/^monitoring-blind/));
  });

  it("a row that is not down is as it was beneath an outage", () => {
    const connected = peering({
      globalReach: [
        { name: "gr-to-p", peerCircuitPeeringId: PEER, status: "Connected", direction: "outbound" },
      ],
    });
    const verdict = classifyCircuit(
      circuitReading({
        peerings: [connected],
        paths: { AzurePrivatePeering: { primary: down, secondary: down } },
      }),
      DEFAULT_CLASSIFY_OPTIONS,
    );
    expect(verdict.peerings[0]!.paths.primary.globalReach).toEqual({
      status: "up",
      detail: "1 connected",
    });
  });
});
