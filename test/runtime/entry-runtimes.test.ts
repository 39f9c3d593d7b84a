// Each entry's runtime is built from app settings alone, needs only its own
// settings, and wires what those settings say all the way to the receivers.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/reader.js";
import {
  dispatchSettingsProblems,
  loadDiagnoseConfig,
  loadDispatchConfig,
  loadStatusConfig,
  loadSweepConfig,
} from "../../src/runtime/config.js";
import { buildDispatchRuntime, deliveryBudgetProblem } from "../../src/runtime/dispatch.js";
import { buildReadRuntime } from "../../src/runtime/read.js";
import { noPrefixesOpen } from "../support/alert-event-fixture.js";
import { startRecordingReceiver, type RecordingReceiver } from "../support/recording-receiver.js";

const STORAGE = "UseDevelopmentStorage=true";
const BROKER =
  "Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=dummy;UseDevelopmentEmulator=true";

let teams: RecordingReceiver;
beforeAll(async () => {
  teams = await startRecordingReceiver({ name: "teams" });
  teams.respondWith(202);
});
afterAll(async () => {
  await teams?.close();
});

function dispatchEnv(extra: Record<string, string> = {}) {
  return {
    ERWATCH_STORAGE: STORAGE,
    ServiceBusConnection: BROKER,
    TEAMS_WEBHOOK_URL: `${teams.url}/workflows/x?sig=c2lnbmF0dXJlMTIzNDU2Nzg5MA`,
    ...extra,
  };
}

async function cardFor(env: Record<string, string>) {
  const runtime = buildDispatchRuntime(loadDispatchConfig(env), {
    logDestination: { write: () => true },
  });
  const before = teams.requests.length;
  const outcome = await runtime.receivers
    .get("teams")!
    .send(noPrefixesOpen(), { abortSignal: AbortSignal.timeout(5_000) });
  expect(outcome.ok).toBe(true);
  await runtime.serviceBus.close();
  return JSON.stringify(teams.requests[before]!.body);
}

describe("entry runtimes", () => {
  it("puts STATUS_PAGE_URL on the Teams card through the dispatcher built from settings", async () => {
    const url = "https://erwatch-fn.azurewebsites.net/api/status";
    expect(await cardFor(dispatchEnv({ STATUS_PAGE_URL: url }))).toContain(
      JSON.stringify({ type: "Action.OpenUrl", title: "Status page", url }).slice(1, -1),
    );
    expect(await cardFor(dispatchEnv())).not.toContain('"title":"Status page"');
  });

  it("links the circuit in the portal of the cloud AZURE_CLOUD names", async () => {
    expect(await cardFor(dispatchEnv({ AZURE_CLOUD: "AzureUSGovernment" }))).toContain(
      "https://portal.azure.us/#resource/subscriptions/",
    );
    expect(await cardFor(dispatchEnv())).toContain("https://portal.azure.com/#resource/");
  });

  it("builds the other receivers when one cannot be built from its settings, and that one fails naming why", async () => {
    const env = dispatchEnv({
      WEBHOOK_URL: "https://itsm.example.net/alerts",
      // A header value with a line break: refused when the receiver is built.
      ITSM_TOKEN: "Bearer abc\ndef",
      ERWATCH_ACTION_GROUPS: JSON.stringify({
        receivers: [
          { kind: "teams", name: "teams", urlSetting: "TEAMS_WEBHOOK_URL" },
          {
            kind: "webhook",
            name: "itsm",
            urlSetting: "WEBHOOK_URL",
            headerSettings: { Authorization: "ITSM_TOKEN" },
          },
        ],
        actionGroups: [{ name: "all", receivers: ["teams", "itsm"] }],
        routes: [{ name: "all", match: {}, actionGroups: ["all"] }],
      }),
    });
    const lines: string[] = [];
    const runtime = buildDispatchRuntime(loadDispatchConfig(env), {
      logDestination: { write: (line: string) => (lines.push(line), true) },
    });
    await runtime.serviceBus.close();
    const itsm = await runtime.receivers
      .get("itsm")!
      .send(noPrefixesOpen(), { abortSignal: AbortSignal.timeout(5_000) });
    expect(itsm).toMatchObject({ ok: false, retryable: false });
    expect(itsm.ok === false && itsm.reason).toMatch(/"itsm" \(webhook\) is not valid: headers/);
    expect(lines.join("")).toMatch(/receiver cannot be used/);
    expect(lines.join("") + JSON.stringify(itsm)).not.toContain("abc");
    expect(await cardFor(env)).toContain("AzurePrivatePeering");
  });

  it("scrubs the storage connection string from the logs of `diagnose --routes`, which reads stored route tables", () => {
    const key = "c3RvcmFnZS1hY2NvdW50LWtleS10aGF0LW11c3QtbmV2ZXItbGVhaw==";
    const cs = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${key};EndpointSuffix=core.windows.net`;
    const config = loadDiagnoseConfig({
      ERWATCH_STORAGE: cs,
      ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
    });
    const lines: string[] = [];
    const runtime = buildReadRuntime(config, {
      logDestination: { write: (line: string) => (lines.push(line), true) },
    });
    runtime.logger.error(
      { err: new Error(`storage refused ${cs}; key ${key}`) },
      "stored route table not read",
    );
    expect(lines.join("")).toContain("stored route table not read");
    expect(lines.join("")).not.toContain(key);
  });

  it("builds the status page from storage settings alone: no ARM scope, no Service Bus", () => {
    expect(loadStatusConfig({ ERWATCH_STORAGE: STORAGE }).state.tablePrefix).toBe("erwatch");
  });

  it("gives the status page the rotation's age limit, by which it marks a circuit's reading stale", () => {
    const status = (env: Record<string, string>) =>
      loadStatusConfig({ ERWATCH_STORAGE: STORAGE, ...env }).sweep.maxReadAgeMinutes;
    expect(status({})).toBe(15);
    expect(status({ SWEEP_MAX_READ_AGE_MINUTES: "30" })).toBe(30);
    // One it cannot use stopped the page: the default applies, named.
    const config = loadStatusConfig({ ERWATCH_STORAGE: STORAGE, SWEEP_MAX_READ_AGE_MINUTES: "0" });
    expect(config.sweep.maxReadAgeMinutes).toBe(15);
    expect(config.ignoredSettings).toEqual([
      'SWEEP_MAX_READ_AGE_MINUTES: expected a whole number in digits from 1 to 1440, got "0" (left out: the default 15 applies)',
    ]);
  });

  it("builds the dispatcher without anything to watch: it never reads ARM", () => {
    expect(() => loadDispatchConfig(dispatchEnv())).not.toThrow();
  });

  it("reports every missing setting of the sweep at once, naming each", () => {
    try {
      loadSweepConfig({ AZURE_CLOUD: "Mars" }, { publish: "required", functions: true });
      expect.unreachable("the sweep cannot run without settings");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).problems.join("\n");
      for (const setting of [
        "AZURE_CLOUD",
        "ERWATCH_SUBSCRIPTIONS",
        "ERWATCH_STORAGE",
        "ServiceBusConnection",
      ])
        expect(text).toContain(setting);
    }
  });
});

describe("the dispatcher's settings, checked where the sweep starts", () => {
  it("a sweep's settings may be whole while the dispatcher's are not: every problem named, none thrown", () => {
    const env = dispatchEnv({ DISPATCH_MAX_DELIVERIES: "10", STATUS_PAGE_URL: "http://status" });
    expect(() =>
      loadSweepConfig(
        { ...env, ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001" },
        { publish: "required" },
      ),
    ).not.toThrow();
    const problems = dispatchSettingsProblems(env);
    expect(problems).toEqual([
      expect.stringMatching(/^STATUS_PAGE_URL: /),
      expect.stringMatching(
        /^DISPATCH_MAX_DELIVERIES: must be below SERVICEBUS_MAX_DELIVERY_COUNT/,
      ),
    ]);
    expect(dispatchSettingsProblems(dispatchEnv())).toEqual([]);
  });

  it("and what the dispatcher would run without: a receiver it cannot use", () => {
    const problems = dispatchSettingsProblems(
      dispatchEnv({
        PAGERDUTY_ROUTING_KEY:
          "@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/pd/)",
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^receiver pagerduty cannot be used: PAGERDUTY_ROUTING_KEY: is a Key Vault reference the Functions host could not resolve/,
      ),
    ]);
  });
});

describe("what the receivers themselves refuse, checked where the sweep starts", () => {
  const withHeaders = (headerSettings: Record<string, string>, extra: Record<string, string>) =>
    dispatchEnv({
      ERWATCH_ACTION_GROUPS: JSON.stringify({
        receivers: [
          { kind: "webhook", name: "itsm", urlSetting: "ITSM_URL", headerSettings },
          { kind: "teams", name: "teams", urlSetting: "TEAMS_WEBHOOK_URL" },
        ],
        actionGroups: [{ name: "g", receivers: ["itsm", "teams"] }],
        routes: [{ name: "r", match: {}, actionGroups: ["g"] }],
      }),
      ITSM_URL: "https://itsm.example/hook",
      ...extra,
    });

  it.each([
    [{ "X Api Key": "ITSM_KEY" }, "headers.X Api Key: must be an HTTP header name"],
    [{ "Content-Type": "ITSM_KEY" }, "headers: content-type is always application/json"],
    [{ "X-Api-Key": "ITSM_KEY" }, null],
  ])("webhook headerSettings %j", (headers, problem) => {
    const problems = dispatchSettingsProblems(withHeaders(headers, { ITSM_KEY: "t0ken" }));
    expect(problems).toEqual(problem ? [`receiver itsm cannot be used: ${problem}`] : []);
  });

  it("a header value with a line break: named by its header, the secret not shown", () => {
    const problems = dispatchSettingsProblems(
      withHeaders({ Authorization: "ITSM_KEY" }, { ITSM_KEY: "Bearer S3cret\nX-Evil: 1" }),
    );
    expect(problems).toEqual([
      "receiver itsm cannot be used: headers.Authorization: must not contain line breaks",
    ]);
  });
});

describe("a delivery's time in a Functions invocation", () => {
  it.each([
    [
      "the defaults: 3 × 10 s + 2 × 60 s + 30 s = 3 min",
      { attemptsPerDelivery: 3, receiverTimeoutMs: 10_000, retryMaxWaitMs: 60_000 },
      null,
    ],
    [
      "4 min exactly fits",
      { attemptsPerDelivery: 3, receiverTimeoutMs: 30_000, retryMaxWaitMs: 60_000 },
      null,
    ],
    [
      "10 attempts of 120 s with 300 s waits: 65.5 min",
      { attemptsPerDelivery: 10, receiverTimeoutMs: 120_000, retryMaxWaitMs: 300_000 },
      /take 65\.5 min, longer than the 4 min an invocation gives it/,
    ],
  ])("%s", (_, dispatch, problem) => {
    const said = deliveryBudgetProblem(dispatch, 4 * 60_000);
    if (problem === null) expect(said).toBeNull();
    else expect(said).toMatch(problem);
  });

  it("says the values given, that they are kept, and what the cut costs: a page late, not lost", () => {
    expect(
      deliveryBudgetProblem(
        { attemptsPerDelivery: 5, receiverTimeoutMs: 10_000, retryMaxWaitMs: 60_000 },
        4 * 60_000,
      ),
    ).toBe(
      "DISPATCH_ATTEMPTS (5) × RECEIVER_TIMEOUT_MS (10000) + 4 waits of DISPATCH_RETRY_MAX_WAIT_MS (60000) + 30 s let one delivery take 5.3 min, longer than the 4 min an invocation gives it: kept as set, but a receiver's posts past 4 min are not made in that delivery; the event goes back to Service Bus and its next delivery posts again (counting towards DISPATCH_MAX_DELIVERIES), so a page that needs them is late, not lost. Lower one of them to fit",
    );
  });

  it("leaves every delivery its first post whole, whatever the settings: why a warning, not a refusal, suffices", () => {
    const longest = dispatchEnv({ DISPATCH_ATTEMPTS: "1", RECEIVER_TIMEOUT_MS: "120000" });
    expect(dispatchSettingsProblems(longest)).toEqual([]);
    // One past the range is left out (its default applies), never a post longer than the budget.
    const past = dispatchEnv({ DISPATCH_ATTEMPTS: "1", RECEIVER_TIMEOUT_MS: "120001" });
    expect(dispatchSettingsProblems(past)).toEqual([
      expect.stringMatching(/^RECEIVER_TIMEOUT_MS: .*left out: the default 10000 applies/),
    ]);
  });

  // Warned of only when the dispatcher took its first event, mid-incident.
  it.each([
    [{}, []],
    [{ DISPATCH_ATTEMPTS: "3" }, []],
    [
      { DISPATCH_ATTEMPTS: "4" },
      [expect.stringMatching(/take 4\.2 min, longer than the 4 min an invocation gives it/)],
    ],
    [
      { DISPATCH_ATTEMPTS: "5" },
      [expect.stringMatching(/^DISPATCH_ATTEMPTS \(5\) × RECEIVER_TIMEOUT_MS .* 5\.3 min/)],
    ],
    [{ DISPATCH_ATTEMPTS: "10", DISPATCH_RETRY_MAX_WAIT_MS: "10000" }, []],
  ])("is checked where the sweep starts: %j", (env, expected) => {
    expect(dispatchSettingsProblems(dispatchEnv(env))).toEqual(expected);
  });
});

describe("queue, topic and subscription names, checked at start", () => {
  const problemsOf = (load: () => unknown): string[] => {
    try {
      load();
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it("the parking queue and the dispatcher's subscription: named at start, not at the first park", () => {
    expect(
      problemsOf(() =>
        loadDispatchConfig(
          dispatchEnv({
            SERVICEBUS_DEADLETTER_QUEUE: "parked events!",
            SERVICEBUS_SUBSCRIPTION: " /x",
          }),
        ),
      ),
    ).toEqual([
      'SERVICEBUS_SUBSCRIPTION: "/x" is not a valid queue, topic or subscription name',
      'SERVICEBUS_DEADLETTER_QUEUE: "parked events!" is not a valid queue, topic or subscription name',
    ]);
  });

  it("the work queue: named at start, not at the first fan-out; a connection string is not echoed", () => {
    const env = {
      ...dispatchEnv(),
      ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
      SWEEP_WORK_QUEUE: BROKER,
    };
    const problems = problemsOf(() => loadSweepConfig(env, { publish: "required" }));
    expect(problems).toEqual([
      "SWEEP_WORK_QUEUE: is a connection string, not a queue, topic or subscription name (the value is not shown: it holds a key)",
    ]);
    expect(
      loadSweepConfig({ ...env, SWEEP_WORK_QUEUE: "erwatch-sweep-work" }, { publish: "required" })
        .sweep.workQueue,
    ).toBe("erwatch-sweep-work");
  });

  // Service Bus names are not case-sensitive: two settings in one queue read each other's messages.
  const shared = (setting: string, other: string, value: string, how = "names") =>
    `${setting}: "${value}" is the entity ${other} ${how} (`;
  it.each([
    [
      { SWEEP_WORK_QUEUE: "Erwatch-Alerts" },
      [shared("SWEEP_WORK_QUEUE", "SERVICEBUS_ENTITY", "Erwatch-Alerts", "names by default")],
      [],
    ],
    [
      { SERVICEBUS_ENTITY: "alerts", SWEEP_WORK_QUEUE: "ALERTS" },
      [shared("SWEEP_WORK_QUEUE", "SERVICEBUS_ENTITY", "ALERTS")],
      [],
    ],
    [
      { SERVICEBUS_DEADLETTER_QUEUE: "erwatch-alerts" },
      [],
      [
        shared(
          "SERVICEBUS_DEADLETTER_QUEUE",
          "SERVICEBUS_ENTITY",
          "erwatch-alerts",
          "names by default",
        ),
      ],
    ],
    [
      { SWEEP_WORK_QUEUE: "work", SERVICEBUS_DEADLETTER_QUEUE: "Work" },
      [],
      [shared("SERVICEBUS_DEADLETTER_QUEUE", "SWEEP_WORK_QUEUE", "Work")],
    ],
    [
      { SWEEP_WORK_QUEUE: "Erwatch-Alerts-Deadletter" },
      [],
      [
        shared(
          "SWEEP_WORK_QUEUE",
          "SERVICEBUS_DEADLETTER_QUEUE",
          "Erwatch-Alerts-Deadletter",
          "names by default",
        ),
      ],
    ],
    [{ SWEEP_WORK_QUEUE: "erwatch-sweep-work" }, [], []],
  ])("one entity named by two settings, in any case: %j", (env, sweep, dispatch) => {
    const all = {
      ...dispatchEnv(),
      ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
      ...env,
    };
    const starts = (problems: string[]) => problems.map((p) => p.slice(0, p.indexOf("(") + 1));
    expect(starts(problemsOf(() => loadSweepConfig(all, { publish: "required" })))).toEqual(sweep);
    expect(starts(problemsOf(() => loadDispatchConfig(all)))).toEqual(dispatch);
  });
});
