// Found by a review of the change that stopped quoting pasted keys: its
// randomness rule also refused ordinary app-setting names (a numbered name,
// TeamsWebhook001, PD_KEY_ASN65010; PascalCase of short words,
// PagerDutyKeyErAmsFra) as "looks like a secret value", and the receiver
// naming such a setting was dropped at deploy: its pages went nowhere. Only
// plainly key-shaped values are refused now; a name that merely may be a key
// is taken, and never quoted (secret-pasted-for-name.test.ts).

import { describe, expect, it } from "vitest";
import { loadDispatchConfig } from "../../src/runtime/config.js";
import { buildDispatchRuntime } from "../../src/runtime/dispatch.js";

const env = (setting: string): Record<string, string> => ({
  ERWATCH_STORAGE: "UseDevelopmentStorage=true",
  ServiceBusConnection:
    "Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=dummy;UseDevelopmentEmulator=true",
  TEAMS_WEBHOOK_URL: "https://127.0.0.1:1/workflows/x",
  [setting]: "https://127.0.0.1:1/workflows/noc",
  ERWATCH_ACTION_GROUPS: JSON.stringify({
    receivers: [
      { kind: "teams", name: "teams", urlSetting: "TEAMS_WEBHOOK_URL" },
      { kind: "teams", name: "noc", urlSetting: setting },
    ],
    actionGroups: [{ name: "all", receivers: ["teams", "noc"] }],
    routes: [{ name: "all", match: {}, actionGroups: ["all"] }],
  }),
});

describe("ordinary app-setting names are taken as names", () => {
  it("control: TEAMS_WEBHOOK_NOC is kept", async () => {
    const runtime = buildDispatchRuntime(loadDispatchConfig(env("TEAMS_WEBHOOK_NOC")), {
      logDestination: { write: () => true },
    });
    try {
      expect([...runtime.receivers.keys()].sort()).toEqual(["noc", "teams"]);
    } finally {
      await runtime.serviceBus.close();
    }
  });

  it.each([
    "TeamsWebhook001",
    "pagerdutyKey2024",
    "PD_KEY_ASN65010",
    "PagerDutyKeyErAmsFra",
    "ErTeamsNocUkSouth",
    "TeamsErAmsFraLonUrl",
  ])("%s: the receiver is kept", async (setting) => {
    const lines: string[] = [];
    const runtime = buildDispatchRuntime(loadDispatchConfig(env(setting)), {
      logDestination: { write: (line: string) => (lines.push(line), true) },
    });
    try {
      expect([...runtime.receivers.keys()].sort()).toEqual(["noc", "teams"]);
    } finally {
      await runtime.serviceBus.close();
    }
  });
});
