// The next action as on-call pastes it: a finding writes `erwatch diagnose
// <circuit>`, and the event names the circuit it is sent about, so the command
// runs as it reads; a fleet alert, which quotes one member's next action for
// all of them, and a name a shell would need quoted keep the placeholder.

import { describe, expect, it } from "vitest";
import { buildAlertEvent } from "../../src/app/alert-events.js";
import type { AlertState, PendingEvent } from "../../src/core/lifecycle.js";
import type { AlertFamily } from "../../src/core/model.js";
import { DIAGNOSE_CIRCUIT, diagnoseCommandFor } from "../../src/core/names.js";
import { subjectVerdict } from "../../src/core/sight.js";

const NOW = new Date("2026-11-22T03:00:00.000Z");
const NEXT = `Read the received routes with \`${DIAGNOSE_CIRCUIT} --routes\`. Not a carrier ticket.`;

describe("the diagnose command in a next action", () => {
  it.each<[string, string, string, string]>([
    [
      "a circuit's name",
      NEXT,
      "er-ams-prod-01",
      "Read the received routes with `erwatch diagnose er-ams-prod-01 --routes`. Not a carrier ticket.",
    ],
    [
      "every mention",
      `${DIAGNOSE_CIRCUIT}; ${DIAGNOSE_CIRCUIT}`,
      "er.x_1",
      "erwatch diagnose er.x_1; erwatch diagnose er.x_1",
    ],
    ["a name a shell would split", NEXT, "er ams; rm -rf /", NEXT],
    ["a name too long for Azure", NEXT, "e".repeat(81), NEXT],
    ["no placeholder", "Open a carrier ticket.", "er-ams", "Open a carrier ticket."],
  ])("%s", (_, text, name, expected) => {
    expect(diagnoseCommandFor(text, name)).toBe(expected);
  });

  const event = (family: AlertFamily, name: string) => {
    const id = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
    const condition: AlertState["condition"] = {
      code: "no-prefixes-received",
      severity: "Sev1",
      layer: "routes",
      owner: "you",
      paths: ["primary"],
      title: "Session up but 0 prefixes received",
      nextAction: NEXT,
      evidence: {},
      ticket: null,
    };
    const state: AlertState = {
      key: "erw-0123456789abcdef0123456789abcdef",
      family,
      circuitId: id,
      circuitName: name,
      peering: "AzurePrivatePeering",
      phase: "firing",
      consecutiveFiring: 2,
      consecutiveClean: 0,
      firstSeen: "2026-11-22T02:50:00.000Z",
      condition,
      notified: null,
      sequence: 0,
      lastEvaluatedAt: NOW.toISOString(),
    };
    const pending: PendingEvent = {
      action: "open",
      sequence: 1,
      episode: 1,
      severity: "Sev1",
      previousSeverity: null,
      peakSeverity: "Sev1",
      change: "New",
      condition,
      firstSeen: state.firstSeen!,
    };
    const verdict = subjectVerdict({ id, name, subscriptionId: "s", resourceGroup: "rg" }, NOW);
    return buildAlertEvent(state, pending, verdict, NOW);
  };

  it("names the circuit the event is about", () => {
    expect(event("path-down", "er-ams-prod-01").nextAction).toContain(
      "`erwatch diagnose er-ams-prod-01 --routes`",
    );
  });

  it("keeps the placeholder in a fleet alert's, which speaks for several circuits", () => {
    expect(event("fleet", "Equinix at Amsterdam (routes)").nextAction).toBe(NEXT);
  });
});
