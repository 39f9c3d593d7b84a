// What a resolve tells the reader to do, as receivers get it: every resolve
// once said "confirm traffic is back and close any carrier ticket", after a
// prefix count or a busy link fell back (traffic never stopped), after erwatch
// could read again, after your own route-map was rolled back, and after a
// circuit was deleted or ignored while its outage was open.

import { describe, expect, it } from "vitest";
import { buildAlertEvent } from "../../src/app/alert-events.js";
import { classifyCircuit } from "../../src/core/classify.js";
import type { AlertState, PendingEvent } from "../../src/core/lifecycle.js";
import type { AlertFamily, FindingCode, Owner } from "../../src/core/model.js";
import { retire } from "../../src/core/sight.js";
import { subjectVerdict } from "../../src/core/sight.js";
import { circuitReading } from "../support/readings.js";

const NOW = new Date("2026-11-22T03:00:00.000Z");
const CIRCUIT =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-circuit-prod";

function firing(family: AlertFamily, code: FindingCode, owner: Owner): AlertState {
  return {
    key: "erw-0123456789abcdef0123456789abcdef",
    family,
    circuitId: CIRCUIT,
    circuitName: "er-circuit-prod",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 4,
    consecutiveClean: 0,
    firstSeen: "2026-11-22T02:00:00.000Z",
    condition: {
      code,
      severity: "Sev2",
      layer: "routes",
      owner,
      paths: ["primary", "secondary"],
      title: `${code} on both paths`,
      nextAction: "what to do while it fires",
      evidence: {},
      ticket: null,
    },
    notified: {
      episode: 1,
      severity: "Sev2",
      peakSeverity: "Sev2",
      paths: ["primary", "secondary"],
      title: `${code} on both paths`,
      at: "2026-11-22T02:00:00.000Z",
      sequence: 1,
    },
    sequence: 1,
    lastEvaluatedAt: "2026-11-22T02:55:00.000Z",
  };
}

/** The resolve the sweep sends when it sees the condition clear (`verdict`: that sweep's reading). */
function cleared(
  state: AlertState,
  verdict = subjectVerdict(
    { id: CIRCUIT, name: "er-circuit-prod", subscriptionId: "s", resourceGroup: "rg" },
    NOW,
  ),
) {
  const pending: PendingEvent = {
    action: "resolve",
    sequence: 2,
    episode: 1,
    severity: "Sev2",
    previousSeverity: "Sev2",
    peakSeverity: "Sev2",
    change: `Resolved after 1 h: ${state.condition!.title} has cleared.`,
    condition: state.condition!,
    firstSeen: state.firstSeen!,
  };
  return buildAlertEvent(state, pending, verdict, NOW);
}

describe("the next action of a resolve", () => {
  it.each([
    [
      "route-limit",
      "prefix-limit-near",
      "you",
      "Nothing to do: the received-prefix count is back under the warning line.",
    ],
    [
      "capacity",
      "saturation",
      "you",
      "Nothing to do: throughput is back under the saturation line.",
    ],
    [
      "config-drift",
      "config-drift",
      "you",
      "Nothing to do: the running configuration matches the declared baseline again.",
    ],
    ["monitoring-blind", "monitoring-blind", "you", "Nothing to do: erwatch reads again."],
    ["path-down", "no-prefixes-received", "you", "Nothing to do: confirm traffic is back."],
    [
      "path-down",
      "arp-missing",
      "carrier",
      "Nothing to do: confirm traffic is back and close any carrier ticket.",
    ],
    [
      "path-down",
      "arp-missing",
      "shared",
      "Nothing to do: confirm traffic is back and close any carrier ticket.",
    ],
  ] as const)("of %s (%s, owner %s): %j", (family, code, owner, expected) => {
    expect(cleared(firing(family, code, owner)).nextAction).toBe(expected);
  });

  it.each(["gone", "ignored"] as const)(
    "of a circuit no longer watched (%s) says it is not a recovery",
    (reason) => {
      const state = firing("path-down", "arp-missing", "carrier");
      const d = retire(state, reason, NOW);
      if (d.action !== "resolve") throw new Error("the retired circuit's alert did not resolve");
      const verdict = subjectVerdict(
        { id: CIRCUIT, name: "er-circuit-prod", subscriptionId: "s", resourceGroup: "rg" },
        NOW,
      );
      const event = buildAlertEvent(state, d.event, verdict, NOW);
      expect(event.nextAction).toMatch(/^Not a recovery: erwatch stopped watching \(circuit /);
      expect(event.nextAction).not.toMatch(/traffic is back/);
    },
  );
});

// A resolve carries its title and evidence as last seen firing: the
// operator review found a card leading with "3,820 of 4,000 — reaches 4,000
// in about 3 min" over a layer table reading 120 of 4,000. It now says how
// the sweep that resolved it reads; other events say nothing of the kind.
describe("how a resolve reads now", () => {
  const reading = classifyCircuit(
    circuitReading({
      paths: { AzurePrivatePeering: { primary: { bgp: "120" }, secondary: { bgp: "118" } } },
    }),
  );

  it("reads a route limit's count from the sweep that resolved it, not from its title", () => {
    const state = firing("route-limit", "prefix-limit-near", "you");
    state.condition = {
      ...state.condition!,
      title:
        "Received prefixes at 95% of the route limit on AzurePrivatePeering: 3,820 of 4,000 — reaches 4,000 in about 3 min",
      evidence: { family: "ipv4", counts: { primary: 3820, secondary: 3820 }, limit: 4000 },
    };
    const event = cleared(state, reading);
    expect(event.resolution).toBe(
      "received prefixes on AzurePrivatePeering: primary 120 of 4,000, secondary 118 of 4,000",
    );
    // What the receivers were told stays as it was: the contract's fields keep their meaning.
    expect(event.title).toBe(state.condition.title);
    expect(event.evidence).toEqual(state.condition.evidence);
  });

  // The event's evidence gives way first when an event is too large to send;
  // the resolve's words come from the stored condition, before that cut, so a
  // large IPv6 route-limit alert still resolves with IPv6's count.
  it("reads an IPv6 route limit's own count even when the event's evidence is cut", () => {
    const state = firing("route-limit", "prefix-limit-near", "you");
    state.condition = {
      ...state.condition!,
      evidence: {
        family: "ipv6",
        ...Object.fromEntries(
          Array.from({ length: 150 }, (_, i) => [`row${i}`, "x".repeat(1_900)]),
        ),
      },
    };
    const verdict = structuredClone(reading);
    verdict.peerings[0]!.ipv6 = {
      prefixes: { primary: 40, secondary: 41 },
      limits: { primary: 100, secondary: 100 },
    };
    const event = cleared(state, verdict);
    expect(event.evidence).toHaveProperty("truncated");
    expect(event.resolution).toBe(
      "received IPv6 prefixes on AzurePrivatePeering: primary 40 of 100, secondary 41 of 100",
    );
  });

  it("reads a path's layer from that sweep", () => {
    const state = firing("path-down", "arp-missing", "carrier");
    state.condition = { ...state.condition!, layer: "provider" };
    expect(cleared(state, reading).resolution).toMatch(
      /^provider \/ L2 ok · .+ on both paths of AzurePrivatePeering$/,
    );
  });

  it("says nothing of the kind on any other event", () => {
    const state = firing("path-down", "arp-missing", "carrier");
    const pending: PendingEvent = {
      action: "repeat",
      sequence: 2,
      episode: 1,
      severity: "Sev2",
      previousSeverity: "Sev2",
      peakSeverity: "Sev2",
      change: "Still firing",
      condition: state.condition!,
      firstSeen: state.firstSeen!,
    };
    expect(buildAlertEvent(state, pending, reading, NOW)).not.toHaveProperty("resolution");
  });

  it.each(["gone", "ignored"] as const)(
    "says a circuit no longer watched (%s) was not seen to clear",
    (reason) => {
      const state = firing("path-down", "arp-missing", "carrier");
      const d = retire(state, reason, NOW);
      if (d.action !== "resolve") throw new Error("the retired circuit's alert did not resolve");
      const event = buildAlertEvent(state, d.event, reading, NOW);
      expect(event.resolution).toMatch(
        /^not watched any more \(circuit .+\): erwatch did not see it clear/,
      );
    },
  );
});
