// Found by a review: a key pasted where a name belongs (the name of the app
// setting that holds a receiver's secret; a Service Bus namespace or queue
// name) was quoted back when refused, or taken for a name and quoted in "app
// setting <key> is not set". It was never registered with the log scrubber
// (it was taken for a name), so it went into the dispatcher's start-up log,
// every dead-letter reason of the receiver (Service Bus keeps them), the
// sweep's start-up problems, and the CLI's stderr and -o json. Such a value
// is now refused without being quoted; a plain name still is.

import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { looksRandom, mayBeSecret, quotable } from "../../src/config/secret-shape.js";
import { dispatchSettingsProblems, loadDispatchConfig } from "../../src/runtime/config.js";
import { buildDispatchRuntime } from "../../src/runtime/dispatch.js";
import { event as alertEvent } from "../support/dispatch-event.js";

const KEYS = {
  "a 32-character API key with three digits": "kQzVbNwXrTyPmLsHdGfJcAeU7R2iO9xq",
  "a GitHub-style token": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
  "a Stripe-style key": "sk_live_51HcXqzKp2mTbY7vNwQe8rLsJd",
  "a PagerDuty integration key": "e93facc04764012d7bfb002500d5d1a6",
  "a short key": "a8F3kQ9zLm2pX7wR",
};

describe("what reads as a name, and what may be a secret", () => {
  it.each(Object.entries(KEYS))("%s may be a secret", (_what, key) => {
    expect(mayBeSecret(key)).toBe(true);
    expect(quotable(key)).toBe(false);
  });

  it.each([
    "PAGERDUTY_ROUTING_KEY",
    "PD_NETWORK_KEY",
    "WEBHOOK_SECRET_2024",
    "TEAMS_WEBHOOK_URL_NOC1",
    "PagerDutyRoutingKey",
    "PagerDutyRoutingKeyForNetworkTeam",
    "erwatch-alerts",
    "erwatch-work/subscriptions/dispatch",
    "ns-prod-01.servicebus.windows.net",
    "erwatch ns.servicebus",
  ])("%s reads as a name", (name) => {
    expect(mayBeSecret(name)).toBe(false);
    expect(quotable(name)).toBe(true);
  });

  it("a base64 key or a SAS token is never quoted", () => {
    expect(quotable("Fj3k2+Lm9pQr7sTuVwXyZ0aBcDeFgHiJkLmNoPqRsTu=")).toBe(false);
    expect(quotable("SharedAccessSignature sr=sb%3a%2f%2fns&sig=AbC%3d&se=1&skn=send")).toBe(false);
    expect(looksRandom("ROUTING")).toBe(false);
  });
});

describe("a receiver key pasted where its app setting's name belongs", () => {
  const envWithPastedKey = (key: string): Record<string, string> => ({
    ERWATCH_STORAGE: "UseDevelopmentStorage=true",
    ServiceBusConnection:
      "Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=dummy;UseDevelopmentEmulator=true",
    TEAMS_WEBHOOK_URL: "https://127.0.0.1:1/workflows/x",
    ITSM_URL: "https://127.0.0.1:1/api/alerts",
    ERWATCH_ACTION_GROUPS: JSON.stringify({
      receivers: [
        { kind: "teams", name: "teams", urlSetting: "TEAMS_WEBHOOK_URL" },
        {
          kind: "webhook",
          name: "itsm",
          urlSetting: "ITSM_URL",
          headerSettings: { "X-Api-Key": key },
        },
      ],
      actionGroups: [{ name: "all", receivers: ["teams", "itsm"] }],
      routes: [{ name: "all", match: {}, actionGroups: ["all"] }],
    }),
  });

  it.each(Object.entries(KEYS))(
    "%s is never written into logs, the receiver's answer or the sweep's start-up problems",
    async (_what, key) => {
      const env = envWithPastedKey(key);
      const lines: string[] = [];
      const runtime = buildDispatchRuntime(loadDispatchConfig(env), {
        logDestination: { write: (line: string) => (lines.push(line), true) },
      });
      try {
        const sweepSays = dispatchSettingsProblems(env);
        // Refused by where it was given (plainly a key), or taken for a name
        // that is not set and said without it.
        expect(
          sweepSays.some(
            (p) =>
              p.includes("receivers.1.headerSettings.X-Api-Key: looks like a secret value") ||
              p.includes(
                'receiver "itsm" reads its secret from an app setting that is not set, its name not shown',
              ),
          ),
        ).toBe(true);
        const answer = await runtime.receivers
          .get("itsm")
          ?.send(alertEvent(), { abortSignal: AbortSignal.timeout(5_000) });
        const said = [...lines, ...sweepSays, JSON.stringify(answer ?? null)].filter((text) =>
          text.includes(key),
        );
        expect(said).toEqual([]);
        // The rest still deliver.
        expect(runtime.receivers.has("teams")).toBe(true);
      } finally {
        await runtime.serviceBus.close();
      }
    },
  );
});

describe("a key or SAS token pasted into a setting that takes a name", () => {
  const BARE_KEY = "Fj3k2+Lm9pQr7sTuVwXyZ0aBcDeFgHiJkLmNoPqRsTu=";
  const SAS_SIG = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%3d";
  const SAS_TOKEN = `SharedAccessSignature sr=sb%3a%2f%2fns.servicebus.windows.net%2f&sig=${SAS_SIG}&se=1893456000&skn=send`;

  it.each([
    [
      "the bare SharedAccessKey",
      "ServiceBusConnection__fullyQualifiedNamespace",
      BARE_KEY,
      BARE_KEY,
    ],
    ["a SAS token", "ServiceBusConnection__fullyQualifiedNamespace", SAS_TOKEN, SAS_SIG],
    ["a SAS token", "SERVICEBUS_ENTITY", SAS_TOKEN, SAS_SIG],
  ])(
    "%s in %s is refused by name, never quoted on stderr or in -o json",
    async (_what, setting, value, secret) => {
      let stdout = "";
      let stderr = "";
      const code = await runCli(["sweep", "--state", "-o", "json"], {
        env: {
          ERWATCH_STORAGE: "UseDevelopmentStorage=true",
          ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
          [setting]: value,
        },
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: (s: string) => ((stderr += s), true) },
      });
      expect(code).toBe(2);
      expect(stderr).toContain(`${setting}: `);
      expect(stderr).toContain("the value is not shown");
      expect(stderr.includes(secret) || stdout.includes(secret)).toBe(false);
    },
  );
});
