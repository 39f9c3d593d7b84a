// A fleet alert holds its members' own outage alerts and is routed as each of
// them too (routing.ts asMembers): found by a review, two routes that would
// page a member's own alert missed the fleet alert holding it. By owner:
// members owned differently make the group "shared", which `owners:
// ["carrier"]` never matched. By action: a circuit joining an open fleet alert
// is told by its repeat ("Wider: ..."), its own open held, so a route for
// opens, escalations and resolves but not reminders never heard it went down.

import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { route, type Routing } from "../../src/core/routing.js";

const byOwner: Routing = {
  actionGroups: [
    { name: "carrier-desk", receivers: ["carrier-pager"] },
    { name: "netops", receivers: ["netops-pager"] },
  ],
  routes: [
    { name: "carrier faults", match: { owners: ["carrier"] }, actionGroups: ["carrier-desk"] },
    { name: "our faults", match: { owners: ["you"] }, actionGroups: ["netops"] },
  ],
};

const memberOf = (name: string, owner: string) =>
  ({
    action: "open",
    severity: "Sev0",
    peakSeverity: "Sev0",
    family: "path-down",
    code: "arp-missing",
    layer: "provider",
    owner,
    circuit: { id: `/s/${name}`, name, tags: {} },
  }) as unknown as AlertEvent;

// The fleet alert the sweep writes for the two (fleet.ts fleetFinding): owners differ, so "shared".
const sharedFleet = {
  action: "open",
  severity: "Sev0",
  peakSeverity: "Sev0",
  family: "fleet",
  code: "fleet-outage",
  layer: "provider",
  owner: "shared",
  circuit: {
    id: "/erwatch/fleet/equinix/amsterdam/provider-x",
    name: "Equinix at Amsterdam (provider)",
    tags: {},
  },
  evidence: {
    circuits: [
      {
        id: "/s/er-a",
        name: "er-a",
        code: "arp-missing",
        owner: "carrier",
        severity: "Sev0",
        paths: ["primary", "secondary"],
      },
      {
        id: "/s/er-b",
        name: "er-b",
        code: "arp-missing",
        owner: "shared",
        severity: "Sev0",
        paths: ["primary", "secondary"],
      },
    ],
  },
} as unknown as AlertEvent;

describe("a fleet alert is routed as its members, owners too", () => {
  it("er-a alone (carrier's) pages the carrier desk", () => {
    expect(route(byOwner, memberOf("er-a", "carrier")).receivers).toEqual(["carrier-pager"]);
  });
  it("the fleet alert holding er-a's page reaches the carrier desk too", () => {
    expect(route(byOwner, sharedFleet).receivers).toContain("carrier-pager");
  });
});

const byAction: Routing = {
  actionGroups: [
    { name: "team-a", receivers: ["pd-team-a"] },
    { name: "team-b", receivers: ["pd-team-b"] },
  ],
  routes: [
    { name: "a", match: { circuits: ["er-a"] }, actionGroups: ["team-a"] },
    {
      name: "b, no reminders",
      match: { circuits: ["er-b"], actions: ["open", "escalate", "deescalate", "resolve"] },
      actionGroups: ["team-b"],
    },
  ],
};

const ownOpen = {
  action: "open",
  severity: "Sev0",
  peakSeverity: "Sev0",
  family: "path-down",
  code: "arp-missing",
  layer: "provider",
  owner: "carrier",
  circuit: { id: "/s/er-b", name: "er-b", tags: {} },
} as unknown as AlertEvent;

// What the sweep sends when er-b joins the open fleet alert that paged er-a and er-c.
const wider = {
  action: "repeat",
  severity: "Sev0",
  peakSeverity: "Sev0",
  family: "fleet",
  code: "fleet-outage",
  layer: "provider",
  owner: "carrier",
  change: "Wider: er-b broke the same way since the last notification; 3 circuits now. Now: …",
  circuit: {
    id: "/erwatch/fleet/equinix/amsterdam/provider-x",
    name: "Equinix at Amsterdam (provider)",
    tags: {},
  },
  evidence: {
    circuits: [
      { id: "/s/er-a", name: "er-a", code: "arp-missing", owner: "carrier", severity: "Sev0" },
      { id: "/s/er-b", name: "er-b", code: "arp-missing", owner: "carrier", severity: "Sev0" },
      { id: "/s/er-c", name: "er-c", code: "arp-missing", owner: "carrier", severity: "Sev0" },
    ],
  },
} as unknown as AlertEvent;

describe("a circuit joining an open fleet alert reaches its own routes", () => {
  it("a reminder that names no one new is no member's open", () => {
    const reminder = { ...wider, change: "Still failing: 3 circuits" } as AlertEvent;
    expect(route(byAction, reminder).receivers).toEqual(["pd-team-a"]);
  });
  it("alone, er-b's open pages team b", () => {
    expect(route(byAction, ownOpen).receivers).toEqual(["pd-team-b"]);
  });
  it("joined, the Wider: notice that holds er-b's open pages team b too", () => {
    expect(route(byAction, wider).receivers).toContain("pd-team-b");
  });
});
