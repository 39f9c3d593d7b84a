// A name set close to a setting erwatch reads is said, naming both: left
// unsaid, PAGERDUTY_ROUTINGKEY left on-call Teams-only and nothing told why.

import { describe, expect, it } from "vitest";
import { misspeltSettings, nearestSetting } from "../../src/config/misspelt.js";
import { SETTINGS } from "../../src/config/settings.js";
import { dispatchSettingsProblems, loadDispatchConfig } from "../../src/runtime/config.js";

const KNOWN = Object.keys(SETTINGS);
const PD = "0123456789abcdef0123456789abcdef";
const TEAMS = "https://prod-11.westeurope.logic.azure.com/workflows/x/invoke?sig=Zm9v";
const BASE = {
  ERWATCH_STORAGE: "UseDevelopmentStorage=true",
  ServiceBusConnection: "Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=x",
};

describe("the erwatch setting a name was meant to be", () => {
  it.each([
    // Same letters, another case or other underscores.
    ["PAGERDUTY_ROUTINGKEY", "PAGERDUTY_ROUTING_KEY"],
    ["pagerduty_routing_key", "PAGERDUTY_ROUTING_KEY"],
    ["TEAMSWEBHOOKURL", "TEAMS_WEBHOOK_URL"],
    ["ERWATCH_STORAGE__ACCOUNTNAME", "ERWATCH_STORAGE__accountName"],
    // One or two edits.
    ["ERWATCH_ACTION_GROUP", "ERWATCH_ACTION_GROUPS"],
    ["ERWATCH_SUBSCRIPTION", "ERWATCH_SUBSCRIPTIONS"],
    ["DISPATCH_ATTEMPT", "DISPATCH_ATTEMPTS"],
    ["SERVICEBUS_ENTITIY", "SERVICEBUS_ENTITY"],
    ["ERWATCH_BASELNE", "ERWATCH_BASELINE"],
    // The last word left off.
    ["TEAMS_WEBHOOK", "TEAMS_WEBHOOK_URL"],
    ["STATUS_PAGE", "STATUS_PAGE_URL"],
    // erwatch's prefix given to a setting without it, or left off one with it, in any case.
    ["erwatch_arm_concurrency", "ARM_CONCURRENCY"],
    ["ERWATCH_ARM_CONCURRENCY", "ARM_CONCURRENCY"],
    ["Erwatch_Sweep_Schedule", "SWEEP_SCHEDULE"],
    ["ERWATCH_SWEEP_MAX_READ_AGE_MINUTES", "SWEEP_MAX_READ_AGE_MINUTES"],
    ["ERWATCH_LOG_LEVEL", "LOG_LEVEL"],
    ["ACTION_GROUPS", "ERWATCH_ACTION_GROUPS"],
    ["alert_policy", "ERWATCH_ALERT_POLICY"],
    ["STORAGE__accountName", "ERWATCH_STORAGE__accountName"],
    // Without the prefix, one word says too little to be taken for erwatch's.
    ["SUBSCRIPTIONS", null],
    ["BASELINE", null],
    // erwatch's own names, and names far from any.
    ["PAGERDUTY_ROUTING_KEY", null],
    ["ERWATCH_STORAGE", null],
    ["MY_APP_SECRET", null],
    ["PATH", null],
    ["WEBHOOK", null],
    ["AZURE_CLIENT_ID", null],
    ["AZURE_LOG_LEVEL", null],
    // The platform's, however close.
    ["FUNCTIONS_WORKER_RUNTIME", null],
    ["FUNCTIONS_EXTENSION_VERSION", null],
    ["WEBSITE_RUN_FROM_PACKAGE", null],
    ["AzureWebJobsStorage__credential", null],
    ["AzureWebJobsStorage__blobServiceUri", null],
    ["AzureWebJobsStorag", null],
    ["APPSETTING_PAGERDUTY_ROUTING_KEY", null],
    ["APPLICATIONINSIGHTS_CONNECTIONSTRING", null],
    ["ServiceBusConnection__credential", null],
  ])("%s: %s", (name, meant) => {
    expect(nearestSetting(name, KNOWN)).toBe(meant);
  });
});

describe("names set close to one erwatch reads", () => {
  it("names each with the setting it was likely meant to be, never its value", () => {
    expect(
      misspeltSettings(
        {
          PAGERDUTY_ROUTINGKEY: PD,
          TEAMS_WEBHOOK_URL: TEAMS,
          ERWATCH_ACTION_GROUP: "{}",
          FUNCTIONS_WORKER_RUNTIME: "node",
          // Empty is unset to erwatch: nothing to say.
          TEAMS_WEBHOOK: " ",
        },
        KNOWN,
      ),
    ).toEqual([
      "PAGERDUTY_ROUTINGKEY is not a setting erwatch reads; did you mean PAGERDUTY_ROUTING_KEY?",
      "ERWATCH_ACTION_GROUP is not a setting erwatch reads; did you mean ERWATCH_ACTION_GROUPS?",
    ]);
  });

  it("takes a name ERWATCH_ACTION_GROUPS gives a receiver's secret for one erwatch reads", () => {
    expect(misspeltSettings({ WEBHOOK_URL2: TEAMS }, KNOWN, () => ["WEBHOOK_URL2"])).toEqual([]);
    expect(misspeltSettings({ WEBHOOK_URL2: TEAMS }, KNOWN)).toEqual([
      "WEBHOOK_URL2 is not a setting erwatch reads; did you mean WEBHOOK_URL?",
    ]);
  });

  it("names a setting given erwatch's prefix it does not carry, in any case, with the name erwatch reads", () => {
    // Linux app settings are case-sensitive environment variables: erwatch
    // reads ARM_CONCURRENCY and SWEEP_SCHEDULE, and these were set for nothing, unsaid.
    expect(
      misspeltSettings(
        { erwatch_arm_concurrency: "4", Erwatch_Sweep_Schedule: "0 */10 * * * *" },
        KNOWN,
      ),
    ).toEqual([
      "erwatch_arm_concurrency is not a setting erwatch reads; did you mean ARM_CONCURRENCY?",
      "Erwatch_Sweep_Schedule is not a setting erwatch reads; did you mean SWEEP_SCHEDULE?",
    ]);
  });

  it("says nothing of another case that the environment reads as the same setting (Windows)", () => {
    const env = { log_level: "debug", LOG_LEVEL: "debug" };
    expect(misspeltSettings(env, KNOWN)).toEqual([]);
  });

  it("is told with the entries left out (every sweep, every CLI command), not at start, and never as the dispatcher's", () => {
    const env = {
      ...BASE,
      PAGERDUTY_ROUTINGKEY: PD,
      TEAMS_WEBHOOK_URL: TEAMS,
      ERWATCH_ACTION_GROUPS: JSON.stringify({
        receivers: [{ kind: "webhook", name: "itsm", urlSetting: "ITSM_URL2" }],
        actionGroups: [{ name: "g", receivers: ["itsm"] }],
        routes: [{ name: "r", match: {}, actionGroups: ["g"] }],
      }),
      ITSM_URL2: "https://itsm.example/hook",
    };
    const config = loadDispatchConfig(env);
    expect(config.ignoredSettings).toEqual([
      "PAGERDUTY_ROUTINGKEY is not a setting erwatch reads; did you mean PAGERDUTY_ROUTING_KEY?",
    ]);
    expect(config.ignoredSettings.join("\n")).not.toContain(PD);
    // The sweep says it every sweep; at its start it is not the dispatcher's problem.
    expect(dispatchSettingsProblems(env)).toEqual([]);
  });
});
