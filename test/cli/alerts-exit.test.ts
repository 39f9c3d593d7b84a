// `erwatch alerts` exit codes: a script or health check reads them
// (`erwatch alerts || page`). A table of what is open and what was read.

import { describe, expect, it } from "vitest";
import type { StatusAlert, StatusModel, StatusPart } from "../../src/app/status.js";
import { alertsExitCode } from "../../src/cli/alerts-exit.js";
import { EXIT } from "../../src/cli/context.js";
import type { Severity } from "../../src/core/model.js";

function alert(severity: Severity, more: Partial<StatusAlert> = {}): StatusAlert {
  return {
    key: `erw-${severity}`,
    circuitId:
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/c",
    circuitName: "c",
    peering: "AzurePrivatePeering",
    family: "path-down",
    code: "bgp-down",
    severity,
    owner: "carrier",
    title: "t",
    nextAction: "n",
    paths: ["primary"],
    firstSeen: null,
    state: "firing",
    stale: false,
    silencedBy: null,
    ...more,
  };
}

const summary = (stale: boolean) => ({ stale }) as unknown as NonNullable<StatusModel["summary"]>;

describe("erwatch alerts exit code", () => {
  it.each<[string, StatusAlert[], { stale?: boolean; unread?: StatusPart[] }, number]>([
    ["nothing open, all read, a sweep lately", [], {}, EXIT.ok],
    ["a Sev3 and a Sev4 open", [alert("Sev3"), alert("Sev4")], {}, EXIT.ok],
    ["a Sev2 open", [alert("Sev2")], {}, EXIT.findings],
    ["a Sev0 open, not yet told (held)", [alert("Sev0", { state: "held" })], {}, EXIT.findings],
    ["a Sev0 a silence holds", [alert("Sev0", { silencedBy: "s-1" })], {}, EXIT.ok],
    [
      "a Sev1 another alert inhibits: counted, an inhibition is no person's decision",
      [
        alert("Sev1", {
          state: "held",
          heldBy: {
            kind: "alert",
            key: "erw-holder",
            rule: "r",
            severity: "Sev0",
            code: null,
            title: null,
            circuitName: null,
            pending: false,
          },
        }),
      ],
      {},
      EXIT.findings,
    ],
    [
      "a Sev1 whose inhibiting alert has resolved since: nothing holds it",
      [
        alert("Sev1", {
          state: "held",
          heldBy: null,
          holdEnded: {
            alert: "erw-holder",
            rule: "r",
            severity: "Sev1",
            code: "circuit-not-enabled",
            title: null,
          },
        }),
      ],
      {},
      EXIT.findings,
    ],
    [
      "a Sev0 whose silence has ended since: nothing holds it",
      [alert("Sev0", { state: "held", holdEnded: { silence: "s-1", endedAt: null } })],
      {},
      EXIT.findings,
    ],
    [
      "a Sev0 resolving: its condition reads clean",
      [alert("Sev0", { state: "resolving" })],
      {},
      EXIT.ok,
    ],
    [
      "a Sev1 open while silences could not be read",
      [alert("Sev1")],
      { unread: ["stored silences"] },
      EXIT.findings,
    ],
    [
      "a Sev1 open while no sweep completed lately",
      [alert("Sev1")],
      { stale: true },
      EXIT.findings,
    ],
    ["nothing open, stored silences not given", [], { unread: ["stored silences"] }, EXIT.blind],
    ["nothing open, the last sweep not given", [], { unread: ["the last sweep"] }, EXIT.blind],
    ["nothing open, the outbox not given", [], { unread: ["the outbox"] }, EXIT.blind],
    ["recent changes not given: not part of the list", [], { unread: ["recent changes"] }, EXIT.ok],
    ["nothing open and no sweep completed lately", [], { stale: true }, EXIT.blind],
    ["a Sev3 whose circuit is not being read", [alert("Sev3", { stale: true })], {}, EXIT.blind],
    [
      "a silenced Sev0 whose circuit is not being read",
      [alert("Sev0", { silencedBy: "s", stale: true })],
      {},
      EXIT.blind,
    ],
  ])("%s", (_, openAlerts, { stale = false, unread = [] }, code) => {
    expect(alertsExitCode({ openAlerts, summary: summary(stale), unread })).toBe(code);
  });

  it("an alert row that cannot be read: the list is not whole (3), unless something serious is open (1)", () => {
    const unreadableAlerts = [
      {
        key: "erw-0123",
        table: "erwatchAlerts",
        partitionKey: "c-0",
        rowKey: "alert|erw-0123",
        reason: "cut off",
      },
    ];
    expect(alertsExitCode({ openAlerts: [], unreadableAlerts })).toBe(EXIT.blind);
    expect(alertsExitCode({ openAlerts: [alert("Sev1")], unreadableAlerts })).toBe(EXIT.findings);
    expect(alertsExitCode({ openAlerts: [], unreadableAlerts: [] })).toBe(EXIT.ok);
  });

  it("without a summary (no timer interval given), the alerts and the parts decide", () => {
    expect(alertsExitCode({ openAlerts: [] })).toBe(EXIT.ok);
  });
});
