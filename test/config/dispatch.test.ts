import { describe, expect, it } from "vitest";
import { readDispatchConfig } from "../../src/config/dispatch.js";
import { SettingsReader } from "../../src/config/reader.js";

const PD = "0123456789abcdef0123456789abcdef";
const TEAMS =
  "https://prod-11.westeurope.logic.azure.com/workflows/0f3a/triggers/manual/paths/invoke?sig=Zm9vYmFy";

function read(env: Record<string, string>) {
  const r = new SettingsReader(env);
  const config = readDispatchConfig(r);
  return { config, problems: r.problems };
}

describe("dispatch configuration", () => {
  it("should build the default routes from the secrets that are set", () => {
    const { config, problems } = read({ PAGERDUTY_ROUTING_KEY: PD, TEAMS_WEBHOOK_URL: TEAMS });
    expect(problems).toEqual([]);
    expect(config.receivers.map((r) => `${r.kind}:${r.name}`)).toEqual([
      "pagerduty:pagerduty",
      "teams:teams",
    ]);
    expect(config.routing).toEqual({
      actionGroups: [
        { name: "on-call", receivers: ["pagerduty", "teams"] },
        { name: "teams-only", receivers: ["teams"] },
      ],
      routes: [
        { name: "page-on-call", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["on-call"] },
        {
          name: "tell-the-channel",
          match: { severityAtOrBelow: "Sev2", severityAtOrAbove: "Sev3" },
          actionGroups: ["teams-only"],
        },
      ],
    });
    expect(config.secrets).toEqual([PD, TEAMS]);
  });

  it("should read receivers' secrets from the app settings they name", () => {
    const groups = {
      receivers: [{ kind: "pagerduty", name: "network-oncall", routingKeySetting: "PD_NETWORK" }],
      actionGroups: [{ name: "net", receivers: ["network-oncall"] }],
      routes: [{ name: "carrier-faults", match: { owners: ["carrier"] }, actionGroups: ["net"] }],
    };
    const { config, problems } = read({
      ERWATCH_ACTION_GROUPS: JSON.stringify(groups),
      PD_NETWORK: PD,
    });
    expect(problems).toEqual([]);
    expect(config.receivers).toEqual([
      { kind: "pagerduty", name: "network-oncall", routingKey: PD },
    ]);
  });

  it("should report every problem naming the setting, and never echo a secret", () => {
    const groups = {
      receivers: [
        { kind: "teams", name: "noc", urlSetting: "TEAMS_NOC" },
        { kind: "webhook", name: "noc", urlSetting: "MISSING_URL" },
      ],
      actionGroups: [{ name: "g", receivers: ["noc", "ghost"] }],
      routes: [{ name: "r", match: { codes: ["arp-mising"] }, actionGroups: ["g"] }],
    };
    const { problems } = read({
      ERWATCH_ACTION_GROUPS: JSON.stringify(groups),
      TEAMS_NOC: "http://evil.example/hook?sig=s3cr3t",
    });
    expect(problems.join("\n")).not.toContain("s3cr3t");
    expect(problems).toEqual([
      expect.stringMatching(/^ERWATCH_ACTION_GROUPS\.routes\.0\.match\.codes\.0: /),
    ]);
    const second = read({
      ERWATCH_ACTION_GROUPS: JSON.stringify({
        ...groups,
        routes: [{ name: "r", match: {}, actionGroups: ["g"] }],
      }),
      TEAMS_NOC: "http://evil.example/hook?sig=s3cr3t",
    });
    expect(second.problems.join("\n")).not.toContain("s3cr3t");
    expect(second.problems).toEqual([
      "TEAMS_NOC: must be an https URL (http only for 127.0.0.1, localhost or [::1])",
      'ERWATCH_ACTION_GROUPS: receiver "noc" reads its secret from app setting MISSING_URL, which is not set',
      'ERWATCH_ACTION_GROUPS.receivers[1].name: duplicate receiver name "noc"',
      'ERWATCH_ACTION_GROUPS.actionGroups[0].receivers[1]: unknown receiver "ghost"',
    ]);
  });

  it("should refuse to run with no receiver at all", () => {
    expect(read({}).problems).toEqual([
      expect.stringMatching(/^ERWATCH_ACTION_GROUPS: no receivers/),
    ]);
  });
});
