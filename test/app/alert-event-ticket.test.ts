// The carrier ticket as receivers get it: the service keys a carrier needs
// all there for a fleet outage of dozens of circuits, when it was first seen
// kept whatever is cut, and one honest marker for what was left out.

import { describe, expect, it } from "vitest";
import { buildAlertEvent } from "../../src/app/alert-events.js";
import { alertKey } from "../../src/core/alert-identity.js";
import { advanceStep, decideStep, type AlertContext } from "../../src/core/alert-step.js";
import { MAX_FLEET_MEMBERS, MAX_TICKET } from "../../src/core/budget.js";
import { fleetCircuitId, fleetFinding, type FleetCandidate } from "../../src/core/fleet.js";
import { fleetMembersOf, type FleetMember } from "../../src/core/fleet-members.js";
import { conditionOf } from "../../src/core/lifecycle.js";
import { packJson } from "../../src/adapters/tables/json-columns.js";
import type { Finding } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { subjectVerdict } from "../../src/core/sight.js";
import { ARP_TICKET } from "../support/alert-event-fixture.js";

const NOW = new Date("2026-11-22T02:05:00.000Z");

function member(i: number, long = false): FleetCandidate {
  // Long: a circuit name (80) and resource group (90) as long as Azure allows.
  const name = long
    ? `er-ams-prod-${String(i).padStart(3, "0")}-`.padEnd(80, "x")
    : `er-ams-prod-${String(i).padStart(3, "0")}-core-datacenter-link`;
  const group = long ? "rg-".padEnd(90, "g") : "rg-network-prod";
  const circuitId = `/subscriptions/00000000-0000-0000-0000-00000000000${i % 10}/resourceGroups/${group}/providers/Microsoft.Network/expressRouteCircuits/${name}`;
  const serviceKey = `a1410692-0000-4ceb-b94a-${String(i).padStart(12, "0")}`;
  const finding: Finding = {
    code: "arp-missing",
    layer: "provider",
    owner: "carrier",
    severity: "Sev0",
    peering: "AzurePrivatePeering",
    paths: ["primary", "secondary"],
    // As long as a member's title is kept (300 characters): the heaviest list to store.
    title: `No ARP entry on either path of ${name}: `.padEnd(300, "x"),
    nextAction: "Open a carrier ticket.",
    evidence: {},
    // A circuit's own ticket, about 900 characters with its ARP rows.
    ticket: ARP_TICKET.replace(/er-ams-prod-01/g, name),
  };
  return {
    circuitId,
    key: alertKey(circuitId, finding.peering, "path-down"),
    fresh: true,
    pagesAlone: true,
    circuitName: name,
    subscriptionId: "00000000-0000-0000-0000-000000000000",
    serviceKey,
    provider: "Equinix",
    location: "Amsterdam",
    finding,
  };
}

/** `unread` of them named as last seen (a sweep that did not read them), as a later update does. */
function fleetEvent(circuits: number, { long = false, unread = 0 } = {}) {
  const all = Array.from({ length: circuits }, (_, i) => member(i, long));
  const members = all.slice(0, circuits - unread);
  const others: FleetMember[] = all.slice(circuits - unread).map((m) => ({
    id: m.circuitId,
    name: m.circuitName,
    serviceKey: m.serviceKey,
    code: m.finding.code,
    severity: m.finding.severity,
    owner: m.finding.owner,
    paths: m.finding.paths,
    title: m.finding.title,
    unread: true,
  }));
  const group = {
    id: fleetCircuitId("Equinix", "Amsterdam", "provider"),
    provider: "Equinix",
    location: "Amsterdam",
    layer: "provider" as const,
    members,
  };
  const finding = fleetFinding(group, others);
  const key = alertKey(group.id, null, "fleet");
  const ctx: AlertContext = {
    policy: DEFAULT_ALERT_POLICY,
    silences: [],
    circuit: { id: group.id, name: "Equinix at Amsterdam" },
    now: NOW,
  };
  const step = advanceStep(
    {
      key,
      family: "fleet",
      circuitId: group.id,
      peering: null,
      state: "firing",
      finding,
      previousReadAt: null,
      opensAtOnce: true,
    },
    null,
    ctx,
  );
  const decided = decideStep(step, new Map(), ctx);
  if (!decided || decided.action === "none") throw new Error("the fleet outage did not open");
  const verdict = subjectVerdict(
    { id: group.id, name: "Equinix at Amsterdam", subscriptionId: "", resourceGroup: "" },
    NOW,
  );
  return {
    event: buildAlertEvent(decided.next, decided.event, verdict, NOW),
    members: all,
    finding,
    state: decided.next,
  };
}

describe("the carrier ticket of a fleet outage", () => {
  it.each([4, 60, 120])(
    "names every service key of %i circuits, says when it was first seen, and marks the cut once",
    (circuits) => {
      const { event, members, finding } = fleetEvent(circuits);
      const ticket = event.ticket ?? "";
      expect(finding.ticket!.length).toBeGreaterThan(4_000);
      for (const m of members) expect(ticket).toContain(m.serviceKey!);
      expect(ticket.split("\n")[1]).toBe(`First seen by erwatch: ${NOW.toISOString()}`);
      expect(ticket.length).toBeLessThanOrEqual(MAX_TICKET);
      const markers = ticket.match(/truncated/g) ?? [];
      if (finding.ticket!.length + 60 > MAX_TICKET) {
        expect(markers).toHaveLength(1);
        // The marker counts what the cut left out of the ticket as the finding wrote it.
        const hidden = Number(/truncated: (\d+) more characters\)$/.exec(ticket)?.[1]);
        const firstSeenLine = `\nFirst seen by erwatch: ${NOW.toISOString()}`.length;
        expect(hidden).toBe(
          finding.ticket!.length +
            firstSeenLine -
            (ticket.length - /… \(truncated.*$/.exec(ticket)![0].length),
        );
      } else expect(markers).toHaveLength(0);
      expect(ticket).not.toContain("status page");
    },
  );
});

describe("the members a fleet outage keeps", () => {
  it.each([
    { circuits: 205, long: false, unread: 0 },
    { circuits: MAX_FLEET_MEMBERS, long: false, unread: 0 },
    // Names as long as Azure allows, a third named as last seen: the heaviest alert to store.
    { circuits: MAX_FLEET_MEMBERS, long: true, unread: 100 },
  ])(
    "names all $circuits circuits (long names: $long, $unread as last seen) in what is stored, and the alert fits one table entity",
    ({ circuits, long, unread }) => {
      // Cut at 200, each circuit past the 200th was named by no stored fleet
      // alert, so the next sweep paged it alone inside the one outage. Stored
      // too large, the alert was not stored at all: every member paged alone.
      const { finding, members, state } = fleetEvent(circuits, { long, unread });
      const condition = conditionOf(finding);
      expect(new Set(fleetMembersOf(condition).map((m) => m.id))).toEqual(
        new Set(members.map((m) => m.circuitId)),
      );
      expect(state.condition && fleetMembersOf(state.condition)).toHaveLength(circuits);
      expect(() => packJson(state, "the fleet alert")).not.toThrow();
    },
  );

  it("cuts the list past its own limit, saying so, as any other", () => {
    const { finding } = fleetEvent(MAX_FLEET_MEMBERS + 3);
    const listed = conditionOf(finding).evidence["circuits"] as unknown[];
    expect(listed).toHaveLength(MAX_FLEET_MEMBERS + 1);
    expect(listed.at(-1)).toBe("(truncated: 3 more entries)");
  });
});
