// The dispatcher's routes as the sweep reads them (one Connection Monitor, one
// page: an alert speaks for another only when it reaches everyone that one
// would): only who hears what, never a receiver's secret; null when it cannot
// be known, and then nothing is held.

import { expect, it } from "vitest";
import { readRouting } from "../../src/config/dispatch.js";

it.each([
  ["no receiver set (a laptop's `erwatch sweep --state`)", {}],
  ["ERWATCH_ACTION_GROUPS not JSON", { ERWATCH_ACTION_GROUPS: "{receivers:" }],
  [
    "ERWATCH_ACTION_GROUPS with no receiver",
    { ERWATCH_ACTION_GROUPS: JSON.stringify({ receivers: [], actionGroups: [], routes: [] }) },
  ],
  [
    "ERWATCH_ACTION_GROUPS with no route left",
    {
      ERWATCH_ACTION_GROUPS: JSON.stringify({
        receivers: [{ kind: "teams", name: "t", urlSetting: "TEAMS_WEBHOOK_URL" }],
        actionGroups: [{ name: "g", receivers: ["t"] }],
        routes: [{ name: "r", match: {}, actionGroups: ["nowhere"] }],
      }),
    },
  ],
])("%s: not known", (_name, env) => {
  expect(readRouting(env)).toBeNull();
});

it("the default routes when only the receivers' settings are set, their secrets unread", () => {
  const routing = readRouting({ PAGERDUTY_ROUTING_KEY: "not-read", TEAMS_WEBHOOK_URL: "x" });
  expect(routing?.routes.map((r) => r.name)).toEqual(["page-on-call", "tell-the-channel"]);
  expect(JSON.stringify(routing)).not.toContain("not-read");
});

it("the default routes, as the dispatcher follows them, when ERWATCH_ACTION_GROUPS cannot be read and the receivers' settings are set", () => {
  const routing = readRouting({
    ERWATCH_ACTION_GROUPS: "{receivers:",
    PAGERDUTY_ROUTING_KEY: "not-read",
    TEAMS_WEBHOOK_URL: "x",
  });
  expect(routing?.routes.map((r) => r.name)).toEqual(["page-on-call", "tell-the-channel"]);
});

it("routes by circuit as written, a broken entry left out as the dispatcher leaves it", () => {
  const routing = readRouting({
    ERWATCH_ACTION_GROUPS: JSON.stringify({
      receivers: [
        { kind: "pagerduty", name: "pd-b", routingKeySetting: "PAGERDUTY_ROUTING_KEY" },
        { kind: "teams", name: "lab", urlSetting: "TEAMS_WEBHOOK_URL" },
      ],
      actionGroups: [
        { name: "b", receivers: ["pd-b"] },
        { name: "lab", receivers: ["lab"] },
      ],
      routes: [
        { name: "a", match: { circuits: ["er-a"] }, actionGroups: ["lab"] },
        { name: "b", match: { circuits: ["er-b"] }, actionGroups: ["b"] },
        { name: "typo", match: { circuit: ["er-c"] }, actionGroups: ["b"] },
      ],
    }),
  });
  expect(routing?.routes.map((r) => r.name)).toEqual(["a", "b"]);
});
