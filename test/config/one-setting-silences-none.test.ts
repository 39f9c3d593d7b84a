// One setting must never silence the others: a setting an entry does not use
// cannot stop it, and an optional setting that cannot be read is left out and
// named (every sweep, the health alert) while the entries run without it.
// Only what an entry cannot run without (storage, Service Bus, what to watch)
// stops its start, with every problem listed.

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/reader.js";
import {
  dispatchSettingsProblems,
  loadDispatchConfig,
  loadStatusConfig,
  loadSweepConfig,
} from "../../src/runtime/config.js";
import { SETTINGS } from "../../src/config/settings.js";

const STORAGE = "UseDevelopmentStorage=true";
const BROKER = "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=x";
const PD = "0123456789abcdef0123456789abcdef";

/** What the Functions app runs with: every entry's settings, valid. */
const APP = {
  ERWATCH_STORAGE: STORAGE,
  ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
  ServiceBusConnection: BROKER,
  PAGERDUTY_ROUTING_KEY: PD,
};

/** The problems that stop the start, or [] when it starts. */
function stops(load: () => unknown): string[] {
  try {
    load();
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const entries = {
  "timer and HTTP sweep": (env: Record<string, string>) =>
    loadSweepConfig(env, { publish: "required", functions: true }),
  "status page": (env: Record<string, string>) => loadStatusConfig(env),
  dispatcher: (env: Record<string, string>) => loadDispatchConfig(env),
};

describe("the dispatcher reads only what delivery needs", () => {
  // A silence added at 2 a.m. with a trailing comma; a hold time of 0; a
  // retention shorter than the trend window: none of them changes who is
  // paged or how, and each stopped every page.
  it.each([
    [
      "ERWATCH_SILENCES",
      '[{"circuit":"er-1","start":"2026-01-01T00:00Z","end":"2026-01-01T02:00Z"},]',
    ],
    ["ERWATCH_ALERT_POLICY", '{"blindAfterSweeps": 0}'],
    ["HISTORY_RETENTION_DAYS", "0"],
  ])("starts and pages with %s = %j, which only the sweep reads", (setting, value) => {
    const env = { ...APP, [setting]: value };
    expect(stops(() => entries.dispatcher(env))).toEqual([]);
    expect(dispatchSettingsProblems(env).join("\n")).not.toContain(setting);
  });
});

describe("settings about erwatch's own logs and metrics stop nothing", () => {
  // "Information" is what host.json and .NET call info; a Key Vault reference
  // the App Service could not resolve arrives as its own text. Each stopped
  // every function: no sweep, no status page, no page.
  it.each(Object.entries(entries))(
    "%s starts with LOG_LEVEL=Information, at info, and names it",
    (_, load) => {
      const config = load({ ...APP, LOG_LEVEL: "Information" });
      expect(config.logLevel).toBe("info");
      expect(config.ignoredSettings).toEqual([
        expect.stringMatching(
          /^LOG_LEVEL: expected one of trace, .*, got "Information" \(.*info.*\)$/,
        ),
      ]);
    },
  );

  it.each([
    [
      "@Microsoft.KeyVault(SecretUri=https://kv-erwatch.vault.azure.net/secrets/appinsights/)",
      /Key Vault reference/,
    ],
    ["InstrumentationKey=not-a-guid", /InstrumentationKey that is not a GUID/],
  ])(
    "every entry starts with APPLICATIONINSIGHTS_CONNECTION_STRING %j, exporting no metrics, and names it",
    (value, says) => {
      for (const [name, load] of Object.entries(entries)) {
        const config = load({ ...APP, APPLICATIONINSIGHTS_CONNECTION_STRING: value });
        expect(config.telemetry.connectionString, name).toBeNull();
        expect(config.ignoredSettings, name).toEqual([
          expect.stringMatching(/^APPLICATIONINSIGHTS_CONNECTION_STRING: .*no metrics/),
        ]);
        expect(config.ignoredSettings[0], name).toMatch(says);
      }
    },
  );

  it("names them with the problems when the start stops for another reason", () => {
    const problems = stops(() =>
      entries.dispatcher({ ...APP, LOG_LEVEL: "verbose", ERWATCH_STORAGE: "" }),
    );
    expect(problems.map((p) => p.split(":")[0])).toEqual(["ERWATCH_STORAGE", "LOG_LEVEL"]);
    expect(problems[1]).toMatch(/\(left out: .*info.*\)$/);
  });

  it("the sweep's check of the dispatcher's settings leaves them to the sweep, which says them every sweep", () => {
    expect(dispatchSettingsProblems({ ...APP, LOG_LEVEL: "Information" })).toEqual([]);
  });
});

describe("an optional setting that cannot be read as a whole is left out, not every sweep", () => {
  const silence = '{"circuit":"er-1","start":"2026-01-01T00:00Z","end":"2026-01-01T02:00Z"}';
  it.each([
    // One silence added at 2 a.m., with a comma after it.
    [
      "ERWATCH_SILENCES",
      `[${silence},]`,
      /is not valid JSON \(it may have a comma before a closing \] or \}\)/,
    ],
    // One silence given without its list.
    ["ERWATCH_SILENCES", silence, /expected array/],
    ["ERWATCH_ALERT_POLICY", '{"openAfter": {"Sev2": 3},}', /is not valid JSON/],
    ["ERWATCH_ALERT_POLICY", "[]", /expected record/],
    [
      "ERWATCH_BASELINE",
      '{"er-1": {"bandwidthInMbps": 1000}',
      /is not valid JSON \(at character 35\)/,
    ],
  ])(
    "the sweep and the status page start with %s = %j, without that setting, and name it",
    (setting, value, says) => {
      for (const name of ["timer and HTTP sweep", "status page"] as const) {
        const config = entries[name]({ ...APP, [setting]: value });
        const said = config.ignoredSettings.filter((x) => x.startsWith(`${setting}:`));
        if (setting === "ERWATCH_BASELINE" && name === "status page") {
          expect(said).toEqual([]); // the page does not read the baseline
          continue;
        }
        expect(said, name).toEqual([expect.stringMatching(says)]);
        expect(said[0], name).toMatch(/\(left out: .+\)$/);
      }
    },
  );

  it("runs with the defaults and no configured silence in their place", () => {
    const config = entries["timer and HTTP sweep"]({
      ...APP,
      ERWATCH_SILENCES: `[${silence},]`,
      ERWATCH_ALERT_POLICY: "[]",
    });
    expect(config.state.silences).toEqual([]);
    expect(config.state.policy.openAfter).toEqual(
      loadSweepConfig(APP, { publish: "required" }).state.policy.openAfter,
    );
  });

  it("leaves out one ERWATCH_ALERT_POLICY field that cannot apply, or is no field; the others apply", () => {
    const config = entries["timer and HTTP sweep"]({
      ...APP,
      ERWATCH_ALERT_POLICY: JSON.stringify({
        openAfter: { Sev2: 3 },
        blindAfterSweeps: 0,
        repeatEveryMinute: { Sev1: 30 },
        flap: { transitions: 5 },
      }),
    });
    expect(config.state.policy.openAfter.Sev2).toBe(3);
    expect(config.state.policy.flap.transitions).toBe(5);
    const defaults = loadSweepConfig(APP, { publish: "required" }).state.policy;
    expect(config.state.policy.blindAfterSweeps).toBe(defaults.blindAfterSweeps);
    expect(config.state.policy.repeatEveryMinutes).toEqual(defaults.repeatEveryMinutes);
    expect(config.ignoredSettings).toEqual([
      expect.stringMatching(
        /^ERWATCH_ALERT_POLICY\.blindAfterSweeps: .+ \(left out: its default applies\)$/,
      ),
      expect.stringMatching(
        /^ERWATCH_ALERT_POLICY\.repeatEveryMinute: is not a field .*did you mean repeatEveryMinutes\? \(left out\)$/,
      ),
    ]);
  });

  it("still stops the start with them named when a setting it cannot run without is wrong", () => {
    const problems = stops(() =>
      entries["timer and HTTP sweep"]({ ...APP, ERWATCH_SILENCES: "[,]", ERWATCH_STORAGE: "" }),
    );
    expect(problems.map((p) => p.split(":")[0])).toEqual(["ERWATCH_STORAGE", "ERWATCH_SILENCES"]);
  });
});

describe("a secret whose Key Vault reference did not resolve is named as that", () => {
  // App Service leaves the reference's own text in the setting: "is not a
  // storage connection string" sent the operator to the secret's value, which
  // was right, instead of to the vault's access policy.
  const reference = "@Microsoft.KeyVault(SecretUri=https://kv-erwatch.vault.azure.net/secrets/s/)";
  it.each(
    Object.entries(SETTINGS)
      .filter(([, doc]) => "secret" in doc && doc.secret)
      .map(([name]) => name),
  )("%s", (setting) => {
    // The host's storage is erwatch's only when ERWATCH_STORAGE is unset.
    const env = { ...APP, ...(setting === "AzureWebJobsStorage" ? { ERWATCH_STORAGE: "" } : {}) };
    env[setting as keyof typeof env] = reference;
    const said = [
      ...stops(() => entries["timer and HTTP sweep"](env)),
      ...stops(() => entries.dispatcher(env)),
      ...dispatchSettingsProblems(env),
    ].filter((p) => p.includes(setting));
    expect(said.length, setting).toBeGreaterThan(0);
    for (const line of said)
      expect(line).toMatch(/Key Vault reference the Functions host could not resolve/);
  });
});

describe("the Functions sweep says what the dispatcher runs without, every sweep", () => {
  // A Teams receiver whose Key Vault reference did not resolve: PagerDuty
  // still pages, and the channel hears nothing. Said once when the sweep
  // function started, the health alert resolved a quarter of an hour later.
  const env = {
    ...APP,
    TEAMS_WEBHOOK_URL:
      "@Microsoft.KeyVault(SecretUri=https://kv-erwatch.vault.azure.net/secrets/teams/)",
  };

  it("among the settings left out, which every sweep logs and records for the status page", () => {
    const config = loadSweepConfig(env, { publish: "required", functions: true, dispatcher: true });
    expect(config.ignoredSettings).toEqual([
      expect.stringMatching(
        /^dispatcher: receiver teams cannot be used: TEAMS_WEBHOOK_URL: is a Key Vault reference the Functions host could not resolve/,
      ),
    ]);
  });

  it("says once what the sweep says itself, even when the dispatcher's settings stop it", () => {
    const { PAGERDUTY_ROUTING_KEY: _unused, ...noReceiver } = APP;
    const config = loadSweepConfig(
      { ...noReceiver, PAGERDUTY_ROUTINGKEY: PD, LOG_LEVEL: "Information" },
      { publish: "required", functions: true, dispatcher: true },
    );
    expect(config.ignoredSettings.map((x) => x.replace(/:.*/s, ""))).toEqual([
      "LOG_LEVEL",
      "PAGERDUTY_ROUTINGKEY is not a setting erwatch reads; did you mean PAGERDUTY_ROUTING_KEY?",
      "dispatcher",
    ]);
    expect(config.ignoredSettings[2]).toMatch(/^dispatcher: ERWATCH_ACTION_GROUPS: no receivers/);
  });

  it("not for erwatch sweep --state, whose dispatcher is another command", () => {
    expect(
      loadSweepConfig(env, { publish: "optional", functions: true, scope: false }).ignoredSettings,
    ).toEqual([]);
  });
});

describe("a threshold out of range is left out with its default, not every sweep", () => {
  const sweep = (env: Record<string, string>) =>
    loadSweepConfig({ ...APP, ...env }, { publish: "required", functions: true });
  const defaults = sweep({}).arm;

  it.each([
    ["PREFIX_WARN_PERCENT", "85%"],
    ["PREFIX_CRITICAL_PERCENT", "0"],
    ["PREFIX_CLEAR_MARGIN_PERCENT", "-2"],
    ["ROUTE_LIMIT_PRIVATE_STANDARD", "4k"],
    ["ROUTE_LIMIT_PRIVATE_PREMIUM", "NaN"],
    ["ROUTE_LIMIT_PRIVATE_IPV6", "1e2"],
    ["ROUTE_LIMIT_MICROSOFT", "99999999999999999999"],
    ["SATURATION_PERCENT", "120"],
    ["SATURATION_MINUTES", "1"],
    ["TRAFFIC_STOPPED_MINUTES", "15m"],
    ["TRAFFIC_FLOOR_BPS", "1 kbps"],
    ["PATH_ASYMMETRY_PERCENT", "20.5"],
    ["CONNECTION_MONITOR_WINDOW_MINUTES", '"30"'],
  ])("%s = %j: the sweep starts on the default and names it", (setting, value) => {
    const config = sweep({ [setting]: value });
    expect(config.ignoredSettings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${setting}: expected a whole number .* \\(left out: the default \\d+ applies\\)$`,
        ),
      ),
    ]);
    expect(config.arm.classify).toEqual(defaults.classify);
    expect(config.arm.dataPlane).toEqual(defaults.dataPlane);
  });

  it.each([
    // Both given: the Sev2 line the operator drew at 85 %, not the default 95 %.
    [{ PREFIX_WARN_PERCENT: "90", PREFIX_CRITICAL_PERCENT: "85" }, 90, 85],
    // "Page me at 70 %", the warning left at its default 80 %: paged at 70 %, not 95 %.
    [{ PREFIX_CRITICAL_PERCENT: "70" }, 80, 70],
    [{ PREFIX_WARN_PERCENT: "97" }, 97, 95],
  ])(
    "lines that contradict each other (%j) are both drawn at the lower: never later than either",
    (env, warnGiven, lower) => {
      const config = sweep(env);
      expect(config.ignoredSettings).toEqual([
        `PREFIX_CRITICAL_PERCENT: must be at least PREFIX_WARN_PERCENT (${warnGiven}) (left out with PREFIX_WARN_PERCENT: both lines are drawn at the lower, ${lower})`,
      ]);
      expect(config.arm.classify.routeLimits).toEqual({
        ...defaults.classify.routeLimits,
        warnPercent: lower,
        criticalPercent: lower,
      });
    },
  );

  it.each([["metrics,conection-monitor"], ["none,metrics"]])(
    "ERWATCH_DATA_PLANE = %j: both reads run, as by default, and it is named",
    (value) => {
      const config = sweep({ ERWATCH_DATA_PLANE: value });
      expect(config.arm.dataPlane.reads).toEqual(defaults.dataPlane.reads);
      expect(config.ignoredSettings.length).toBeGreaterThan(0);
      for (const line of config.ignoredSettings)
        expect(line).toMatch(
          /^ERWATCH_DATA_PLANE: .* \(left out: both reads run, as by default\)$/,
        );
    },
  );
});

describe("a SWEEP_SCHEDULE the host cannot run", () => {
  // The timer is registered on the default for it (timerSchedule), and every
  // tick then failed on the setting: the timer fired, and nothing was swept.
  it.each(["0 61 * * * *", "*/5 * * * *", "24:00:00"])(
    "%j: the timer's sweep starts, on the default's interval, and names it",
    (schedule) => {
      const config = entries["timer and HTTP sweep"]({ ...APP, SWEEP_SCHEDULE: schedule });
      expect(config.state.policy.sweepIntervalMinutes).toBe(5);
      expect(config.ignoredSettings).toEqual([
        expect.stringMatching(
          /^SWEEP_SCHEDULE: .+ \(left out: the timer runs on the default "0 \*\/5 \* \* \* \*"\)$/,
        ),
      ]);
    },
  );
});

describe("a tuning number that cannot be used is left out with its default, on every entry that reads it", () => {
  // ARM_CONCURRENCY=0x10 typed at 2 a.m. stopped the function app: no sweep,
  // no page. Every number the settings table gives a default and a range
  // tunes how erwatch works, never whether it can: each falls back.
  const numbers = Object.entries(SETTINGS).flatMap(([name, doc]) => {
    const m = /default (\d+); range (\d+)–(\d+)/.exec(doc.doc);
    return m ? [[name, m[1]!, `${m[2]} to ${m[3]}`] as const] : [];
  });

  it("covers every number of the settings table", () => {
    expect(numbers.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "ARM_CONCURRENCY",
        "ARM_TIMEOUT_MS",
        "STORAGE_TIMEOUT_MS",
        "HISTORY_RETENTION_DAYS",
        "SWEEP_MAX_READ_AGE_MINUTES",
        "SERVICEBUS_TIMEOUT_MS",
        "SWEEP_WORK_BATCH",
        "RECEIVER_TIMEOUT_MS",
        "DISPATCH_MAX_DELIVERIES",
        "SERVICEBUS_MAX_DELIVERY_COUNT",
        "HTTP_SWEEP_SYNC_CIRCUITS",
      ]),
    );
    expect(numbers.length).toBeGreaterThanOrEqual(30);
  });

  it.each(numbers)(
    '%s = "2am": no entry stops, and the Functions sweep names it with its default %s',
    (setting, fallback, range) => {
      const env = { ...APP, [setting]: "2am" };
      const line = `${setting}: expected a whole number in digits from ${range}, got "2am" (left out: the default ${fallback} applies)`;
      for (const [name, load] of Object.entries(entries)) {
        expect(
          stops(() => load(env)),
          name,
        ).toEqual([]);
        const said = load(env).ignoredSettings.filter((x) => x.includes(`${setting}:`));
        expect(
          said.every((x) => x === line),
          name,
        ).toBe(true);
      }
      // The sweep says what it and the dispatcher beside it run without, once.
      const sweep = loadSweepConfig(env, {
        publish: "required",
        functions: true,
        dispatcher: true,
      });
      expect(sweep.ignoredSettings.filter((x) => x.includes(`${setting}:`))).toEqual([
        expect.stringMatching(new RegExp(`^(dispatcher: )?${setting}: `)),
      ]);
      expect(sweep.ignoredSettings.filter((x) => x.includes(`${setting}:`))[0]).toContain(line);
    },
  );
});

describe("a key given twice in a JSON setting is named", () => {
  // JSON keeps the last of two equal keys and says nothing: a severity
  // pasted in again below the one it replaced changed the policy, unsaid.
  it.each([
    [
      "ERWATCH_ALERT_POLICY",
      '{"openAfter": {"Sev2": 3, "Sev2": 4}}',
      "ERWATCH_ALERT_POLICY.openAfter.Sev2: given twice in one object (left out: the first; the last one applies)",
    ],
    [
      "ERWATCH_ALERT_POLICY",
      '{"blindAfterSweeps": 2, "blindAfterSweeps": 3, "blindAfterSweeps": 4}',
      "ERWATCH_ALERT_POLICY.blindAfterSweeps: given 3 times in one object (left out: all but the last; the last one applies)",
    ],
    [
      "ERWATCH_SILENCES",
      '[{"circuit":"er-1","start":"2026-01-01T00:00Z","end":"2026-01-01T02:00Z","end":"2026-01-01T04:00Z"}]',
      "ERWATCH_SILENCES.0.end: given twice in one object (left out: the first; the last one applies)",
    ],
    [
      "ERWATCH_BASELINE",
      '{"er-1": {"bandwidthInMbps": 1000}, "er-1": {"bandwidthInMbps": 2000}}',
      "ERWATCH_BASELINE.er-1: given twice in one object (left out: the first; the last one applies)",
    ],
    // Written another way, it is the same key to JSON.
    [
      "ERWATCH_ALERT_POLICY",
      '{"trendWindowHours": 24, "trend\\u0057indowHours": 48}',
      "ERWATCH_ALERT_POLICY.trendWindowHours: given twice in one object (left out: the first; the last one applies)",
    ],
    // Keys alike in objects of their own, and braces, quotes and keys inside strings, are no repeat.
    [
      "ERWATCH_SILENCES",
      '[{"circuit":"er-1","start":"2026-01-01T00:00Z","end":"2026-01-01T02:00Z","comment":"a \\"} {\\"end\\": ]"},{"circuit":"er-1","start":"2026-01-02T00:00Z","end":"2026-01-02T02:00Z"}]',
      null,
    ],
    ["ERWATCH_ALERT_POLICY", '{"flap": {"windowMinutes": 60}, "openAfter": {"Sev2": 2}}', null],
  ])("%s %s", (setting, value, line) => {
    const config = entries["timer and HTTP sweep"]({ ...APP, [setting]: value });
    expect(config.ignoredSettings).toEqual(line === null ? [] : [line]);
  });

  it("in ERWATCH_ACTION_GROUPS, by the dispatcher and by the sweep that checks it", () => {
    const groups = `{"receivers": [{"kind": "pagerduty", "name": "pd", "routingKeySetting": "PAGERDUTY_ROUTING_KEY"}],
      "actionGroups": [{"name": "on-call", "receivers": ["pd"]}],
      "routes": [{"name": "all", "match": {}, "actionGroups": ["on-call"]}],
      "routes": [{"name": "sev1", "match": {"severityAtOrAbove": "Sev1"}, "actionGroups": ["on-call"]}]}`;
    const env = { ...APP, ERWATCH_ACTION_GROUPS: groups };
    const line =
      "ERWATCH_ACTION_GROUPS.routes: given twice in one object (left out: the first; the last one applies)";
    const dispatcher = entries.dispatcher(env);
    expect(dispatcher.ignoredSettings).toEqual([line]);
    expect(dispatcher.dispatch.routing.routes.map((r) => r.name)).toEqual(["sev1"]);
    expect(
      loadSweepConfig(env, { publish: "required", functions: true, dispatcher: true })
        .ignoredSettings,
    ).toEqual([`dispatcher: ${line}`]);
  });
});
