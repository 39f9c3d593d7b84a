import { TableClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { commandConfig } from "../../src/cli/command-config.js";
import {
  readSweepSchedule,
  sweepIntervalMinutes,
  timerSchedule,
} from "../../src/config/functions.js";
import { ConfigError, SettingsReader } from "../../src/config/reader.js";
import { connectionStringProblem, readStateConfig } from "../../src/config/state.js";
import { loadStatusConfig, loadSweepConfig } from "../../src/runtime/config.js";

const STORAGE = "UseDevelopmentStorage=true";

function problems(env: Record<string, string>): string[] {
  const r = new SettingsReader({ ERWATCH_STORAGE: STORAGE, ...env });
  readStateConfig(r, "AzureCloud");
  return r.problems;
}

/** The settings read, what stops the start, and the entries left out. */
function readState(env: Record<string, string>) {
  const r = new SettingsReader({ ERWATCH_STORAGE: STORAGE, ...env });
  const config = readStateConfig(r, "AzureCloud");
  return { config, problems: r.problems, ignored: r.ignored };
}

describe("state settings", () => {
  it.each([
    { schedule: undefined, minutes: 5 },
    { schedule: "0 */5 * * * *", minutes: 5 },
    { schedule: "0 */15 * * * *", minutes: 15 },
    { schedule: "*/30 * * * * *", minutes: 0.5 },
    { schedule: "00:10:00", minutes: 10 },
    { schedule: "00:00:30", minutes: 0.5 },
    // Not TimeSpans the host runs as they read (see below): the default's interval.
    { schedule: "00:60:00", minutes: 5 },
    { schedule: "24:00:00", minutes: 5 },
    { schedule: "0 0,5,30 * * * *", minutes: 5 },
    { schedule: "not a schedule", minutes: 5 },
    // Refused, so the timer ticks on the default, though cron-parser reads
    // them: five fields as minute 0 of every tenth hour (240), "5" as second 5 (1).
    { schedule: "0 */10 * * *", minutes: 5 },
    { schedule: "5", minutes: 5 },
  ])("turns SWEEP_SCHEDULE $schedule into a $minutes-minute interval", ({ schedule, minutes }) => {
    const r = new SettingsReader(schedule === undefined ? {} : { SWEEP_SCHEDULE: schedule });
    expect(sweepIntervalMinutes(r)).toBe(minutes);
  });

  it.each([
    "0 */10 * * *",
    "*/5 * * * *",
    "5",
    "0 */10 * * * * *",
    "0 61 * * * *",
    "0 0 0 30 2 *",
    "24:00:00",
    "0 */10 * * * *",
    "00:10:00",
    "*/30 * * * * *",
  ])(
    "measures SWEEP_SCHEDULE %j on the schedule the timer is registered with, so hysteresis and the status page count its real ticks",
    (schedule) => {
      const registered = timerSchedule({ SWEEP_SCHEDULE: schedule });
      const interval = (text: string) =>
        sweepIntervalMinutes(new SettingsReader({ SWEEP_SCHEDULE: text }));
      expect(interval(schedule)).toBe(interval(registered));
      // The status page (which never reports the schedule) warns by the same interval.
      const status = loadStatusConfig({ ERWATCH_STORAGE: STORAGE, SWEEP_SCHEDULE: schedule });
      expect(status.state.policy.sweepIntervalMinutes).toBe(interval(registered));
    },
  );

  it.each(["0 61 * * * *", "0 */0 * * * *", "x y z a b c", "0 0 0 30 2 *"])(
    "names SWEEP_SCHEDULE %j, six fields the host cannot schedule (its timer would never run), with the other settings left out",
    (schedule) => {
      const config = loadSweepConfig(
        {
          ERWATCH_STORAGE: STORAGE,
          ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
          ServiceBusConnection: "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=x",
          SWEEP_SCHEDULE: schedule,
          ARM_CONCURRENCY: "0",
        },
        { publish: "required", functions: true },
      );
      const found = config.ignoredSettings;
      expect(found.map((p) => p.split(":")[0]).sort()).toEqual([
        "ARM_CONCURRENCY",
        "SWEEP_SCHEDULE",
      ]);
      expect(found.find((p) => p.startsWith("SWEEP_SCHEDULE"))).toContain(`"${schedule}"`);
    },
  );

  it.each(["*/10 * * * *", "0 61 * * * *", "24:00:00"])(
    "has erwatch sweep --state name SWEEP_SCHEDULE %j as the sweep function does: its hysteresis counts the timer's interval",
    (schedule) => {
      const env = { ERWATCH_STORAGE: STORAGE, SWEEP_SCHEDULE: schedule, ARM_CONCURRENCY: "0" };
      const leftOut = (config: { ignoredSettings: string[] }) =>
        config.ignoredSettings.map((p) => p.split(":")[0]);
      expect(leftOut(commandConfig.sweepState(env)).sort()).toEqual([
        "ARM_CONCURRENCY",
        "SWEEP_SCHEDULE",
      ]);
      // `alerts` and `silence` only show what is stored: a schedule typo must not hide it.
      expect(leftOut(commandConfig.state(env))).toEqual([]);
    },
  );

  it.each(["00:05:00", "00:00:30", "1:30:00", "23:59:59"])(
    "accepts SWEEP_SCHEDULE %j, a TimeSpan interval (App Service plan only), and registers the timer with it",
    (schedule) => {
      const r = new SettingsReader({ SWEEP_SCHEDULE: schedule });
      expect(readSweepSchedule(r)).toBe(schedule);
      expect(r.problems).toEqual([]);
      expect(timerSchedule({ SWEEP_SCHEDULE: schedule })).toBe(schedule);
    },
  );

  it.each(["FlexConsumption", "flexconsumption", "Dynamic"])(
    "leaves out a TimeSpan SWEEP_SCHEDULE where WEBSITE_SKU is %j (Flex Consumption or Consumption): nothing wakes a scaled-in app for one, so the sweeps would stop unsaid",
    (sku) => {
      const env = { SWEEP_SCHEDULE: "00:05:00", WEBSITE_SKU: sku };
      const r = new SettingsReader(env);
      readSweepSchedule(r);
      expect(r.problems).toEqual([]);
      expect(r.ignored).toEqual([expect.stringContaining('SWEEP_SCHEDULE: "00:05:00"')]);
      expect(r.ignored[0]).toContain("App Service plan");
      expect(r.ignored[0]).toContain("WEBSITE_SKU");
      // The timer ticks on the default, whose every sweep says the setting,
      // and hysteresis counts the default's interval, the one it keeps.
      expect(timerSchedule(env)).toBe("0 */5 * * * *");
      expect(sweepIntervalMinutes(new SettingsReader({ ...env, SWEEP_SCHEDULE: "00:10:00" }))).toBe(
        5,
      );
      // Left out, named every sweep, wherever the sweep function loads its settings.
      expect(
        loadSweepConfig(
          {
            ERWATCH_STORAGE: STORAGE,
            ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
            ServiceBusConnection:
              "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=x",
            ...env,
          },
          { publish: "required", functions: true },
        ).ignoredSettings,
      ).toEqual([expect.stringMatching(/^SWEEP_SCHEDULE: /)]);
      // NCRONTAB runs on every plan.
      const cron = new SettingsReader({ SWEEP_SCHEDULE: "0 */10 * * * *", WEBSITE_SKU: sku });
      readSweepSchedule(cron);
      expect(cron.problems).toEqual([]);
    },
  );

  it.each(["ElasticPremium", "Standard", "PremiumV3"])(
    "keeps accepting a TimeSpan SWEEP_SCHEDULE where WEBSITE_SKU is %j: an instance is always up to run it",
    (sku) => {
      const env = { SWEEP_SCHEDULE: "00:05:00", WEBSITE_SKU: sku };
      const r = new SettingsReader(env);
      readSweepSchedule(r);
      expect(r.problems).toEqual([]);
      expect(timerSchedule(env)).toBe("00:05:00");
    },
  );

  it.each([
    // The host's TimeSpan parsing refuses it: no timer would run.
    ["00:60:00", "hours 0-23, minutes and seconds 0-59"],
    ["00:00:75", "hours 0-23, minutes and seconds 0-59"],
    // The host reads it as 24 days.
    ["24:00:00", 'it reads "24:00:00" as 24 days'],
    ["00:00:00", "an interval of zero"],
  ])(
    "leaves out SWEEP_SCHEDULE %j, a TimeSpan the host would not run as it reads",
    (schedule, why) => {
      const r = new SettingsReader({ SWEEP_SCHEDULE: schedule });
      readSweepSchedule(r);
      expect(r.problems).toEqual([]);
      expect(r.ignored).toEqual([expect.stringContaining(`SWEEP_SCHEDULE: "${schedule}"`)]);
      expect(r.ignored[0]).toContain(why);
      // Registered with the default instead, so the timer fires, sweeps and names it.
      expect(timerSchedule({ SWEEP_SCHEDULE: schedule })).toBe("0 */5 * * * *");
    },
  );

  it("accepts the NCRONTAB forms the host takes: names, ranges, lists", () => {
    for (const schedule of ["0 */5 * * * *", "0 */10 8-18 * * Mon-Fri", "30 0,15,30,45 * * * *"]) {
      const r = new SettingsReader({ SWEEP_SCHEDULE: schedule });
      readSweepSchedule(r);
      expect(r.problems, schedule).toEqual([]);
    }
  });

  it.each(["ERWATCH_STORAGE__accountName", "AzureWebJobsStorage__accountName"])(
    "refuses %s that is no storage account name, without quoting a pasted connection string (it became the host of the table URL)",
    (setting) => {
      const key = "c2VjcmV0a2V5c2VjcmV0a2V5c2VjcmV0a2V5MTIzNA==";
      const r = new SettingsReader({
        [setting]: `DefaultEndpointsProtocol=https;AccountName=st1;AccountKey=${key}`,
      });
      readStateConfig(r, "AzureCloud");
      expect(r.problems).toEqual([expect.stringMatching(new RegExp(`^${setting}: `))]);
      expect(r.problems.join("\n")).not.toContain(key.slice(0, 12));
      const typo = new SettingsReader({ [setting]: "St_Erwatch" });
      readStateConfig(typo, "AzureCloud");
      expect(typo.problems).toEqual([
        expect.stringContaining(`${setting}: "St_Erwatch" is not a storage account name`),
      ]);
      const good = new SettingsReader({ [setting]: " sterwatch01 " });
      expect(readStateConfig(good, "AzureCloud").connection).toMatchObject({
        tableServiceUri: "https://sterwatch01.table.core.windows.net",
      });
      expect(good.problems).toEqual([]);
    },
  );

  it.each([
    {
      name: "alone, beside AzureWebJobsStorage's account",
      env: { AzureWebJobsStorage__accountName: "stfunc01" },
      refused: true,
    },
    { name: "with nothing else", env: {}, refused: true },
    {
      name: "with ERWATCH_STORAGE__accountName",
      env: { ERWATCH_STORAGE__accountName: "sterwatch01" },
      refused: false,
    },
    {
      name: "with ERWATCH_STORAGE__tableServiceUri",
      env: { ERWATCH_STORAGE__tableServiceUri: "https://sterwatch01.table.core.windows.net" },
      refused: false,
    },
  ])(
    "ERWATCH_STORAGE__clientId $name: refused when no account is set with it",
    ({ env, refused }) => {
      // Left alone, erwatch fell back to AzureWebJobsStorage under another identity.
      const r = new SettingsReader({
        ERWATCH_STORAGE__clientId: "0b5d8e3a-1c2f-4e6a-9b7d-3f1e2a4c5d6e",
        ...env,
      });
      const config = readStateConfig(r, "AzureCloud");
      const named = r.problems.filter((p) => p.startsWith("ERWATCH_STORAGE__clientId: "));
      expect(named).toHaveLength(refused ? 1 : 0);
      if (!refused)
        expect(config.connection).toMatchObject({
          clientId: "0b5d8e3a-1c2f-4e6a-9b7d-3f1e2a4c5d6e",
          setting: expect.stringMatching(/^ERWATCH_STORAGE__/),
        });
    },
  );

  // Each sweep prunes the history before the trend or the flap count reads
  // it back: a retention shorter than their window silently saw less, and
  // refused it stopped every sweep. The retention gives way (more history
  // costs storage, less blinds a window): to its default where that holds
  // the windows, else to the days they read back.
  it.each([
    [{ trendWindowHours: 72 }, "2", "trendWindowHours (72 h)", 30, "the default 30"],
    [{ flap: { windowMinutes: 3 * 1440 } }, "1", "flap.windowMinutes (72 h)", 30, "the default 30"],
    [{ trendWindowHours: 24 * 45 }, "40", "trendWindowHours (1080 h)", 45, "45"],
    [{ trendWindowHours: 24 * 45 }, undefined, "trendWindowHours (1080 h)", 45, "45"],
    [
      { trendWindowHours: 72, flap: { windowMinutes: 4 * 1440 } },
      "2",
      "trendWindowHours (72 h) and ERWATCH_ALERT_POLICY flap.windowMinutes (96 h)",
      30,
      "the default 30",
    ],
  ])(
    "keeps enough history for %j with HISTORY_RETENTION_DAYS %j, naming it",
    (policy, days, windows, kept, said) => {
      const { config, problems, ignored } = readState({
        ERWATCH_ALERT_POLICY: JSON.stringify(policy),
        ...(days === undefined ? {} : { HISTORY_RETENTION_DAYS: days }),
      });
      expect(problems).toEqual([]);
      expect(config.historyRetentionDays).toBe(kept);
      expect(ignored).toEqual([
        expect.stringMatching(
          new RegExp(
            `^HISTORY_RETENTION_DAYS: \\d+ days? of history is shorter than ERWATCH_ALERT_POLICY ${windows.replace(/[.()]/g, "\\$&")}, which reads it back \\(left out: ${said} days are kept\\)$`,
          ),
        ),
      ]);
      expect(
        readState({
          ERWATCH_ALERT_POLICY: JSON.stringify(policy),
          HISTORY_RETENTION_DAYS: String(kept),
        }).ignored,
      ).toEqual([]);
    },
  );

  // Retention and read age tune storage and the rotation: one that cannot be
  // used stopped every sweep and the status page.
  it.each([
    ["HISTORY_RETENTION_DAYS", "30d", "1 to 3650", 30],
    ["HISTORY_RETENTION_DAYS", "0", "1 to 3650", 30],
    ["STORAGE_TIMEOUT_MS", "10s", "100 to 120000", 10_000],
  ])("%s = %j (range %s): its default %d applies, named", (setting, value, range, applied) => {
    const { config, problems, ignored } = readState({ [setting]: value });
    expect(problems).toEqual([]);
    expect(setting === "STORAGE_TIMEOUT_MS" ? config.timeoutMs : config.historyRetentionDays).toBe(
      applied,
    );
    expect(ignored).toEqual([
      `${setting}: expected a whole number in digits from ${range}, got "${value}" (left out: the default ${applied} applies)`,
    ]);
  });

  it("takes minimum hold times per severity from ERWATCH_ALERT_POLICY", () => {
    const r = new SettingsReader({
      ERWATCH_STORAGE: STORAGE,
      ERWATCH_ALERT_POLICY: JSON.stringify({
        openAfterMinutes: { Sev2: 30 },
        resolveAfterMinutes: { Sev0: 0 },
      }),
    });
    const { policy } = readStateConfig(r, "AzureCloud");
    expect(r.problems).toEqual([]);
    expect(policy.openAfterMinutes).toEqual({ Sev2: 30 });
    expect(policy.resolveAfterMinutes).toEqual({ Sev0: 0 });
    expect(policy.sweepIntervalMinutes).toBe(5);
  });

  it.each([
    {
      name: "a misspelt time zone",
      timezone: "Europe/Amsterdm",
      cron: "0 2 * * 0",
      says: /Europe\/Amsterdm/,
    },
    { name: "an empty time zone", timezone: "", cron: "0 2 * * 0", says: /timezone "" is not/ },
    { name: "a cron with too few fields", timezone: "UTC", cron: "0 2 *", says: /five fields/ },
    { name: "a cron with an impossible hour", timezone: "UTC", cron: "0 25 * * *", says: /.+/ },
  ])(
    "leaves out a silence with $name, naming it; the other silences apply and nothing stops the start",
    ({ timezone, cron, says }) => {
      const { config, problems, ignored } = readState({
        ERWATCH_SILENCES: JSON.stringify([
          { circuit: "er-1", cron, durationMinutes: 60, timezone },
          { circuit: "er-2", start: "2026-12-01T22:00:00Z", end: "2026-12-02T02:00:00Z" },
        ]),
      });
      expect(problems).toEqual([]);
      expect(ignored).toHaveLength(1);
      expect(ignored[0]).toMatch(/^ERWATCH_SILENCES\.0: /);
      expect(ignored[0]).toMatch(says);
      expect(ignored[0]).toMatch(/\(this entry is left out; the rest apply\)$/);
      // The one kept keeps its own place's id, as if the other were still there.
      expect(config.silences.map((s) => [s.id, s.circuit])).toEqual([["silence-2", "er-2"]]);
    },
  );

  it("leaves out one circuit's ERWATCH_ALERT_POLICY severity that cannot apply; its others, the policy and the other circuits' entries apply", () => {
    const { config, problems, ignored } = readState({
      ERWATCH_ALERT_POLICY: JSON.stringify({
        openAfter: { Sev2: 3 },
        circuits: {
          "er-ams-a": { openAfter: { Sev0: 1, Sev2: 0 }, resolveAfter: { Sev0: 4 } },
          "er-ams-b": { openAfter: { Sev2: 4 } },
          "er-ams-c": "fast",
        },
      }),
    });
    expect(problems).toEqual([]);
    expect(ignored).toEqual([
      expect.stringMatching(
        /^ERWATCH_ALERT_POLICY\.circuits\.er-ams-c: .+ \(this entry is left out; the rest apply\)$/,
      ),
      expect.stringMatching(
        /^ERWATCH_ALERT_POLICY\.circuits\.er-ams-a\.openAfter\.Sev2: .+ \(left out: the policy's value applies\)$/,
      ),
    ]);
    expect(config.policy.openAfter.Sev2).toBe(3);
    // Left out whole over its Sev2, er-ams-a's Sev0 went back to the policy's.
    expect(config.policy.circuits).toEqual({
      "er-ams-a": { openAfter: { Sev0: 1 }, resolveAfter: { Sev0: 4 } },
      "er-ams-b": { openAfter: { Sev2: 4 } },
    });
  });

  it("leaves out a field of a circuit's ERWATCH_ALERT_POLICY entry that is no field, naming the one meant", () => {
    const { config, ignored } = readState({
      ERWATCH_ALERT_POLICY: JSON.stringify({
        circuits: { "er-ams-a": { openAftr: { Sev0: 1 }, resolveAfter: { Sev0: 4 } } },
      }),
    });
    expect(ignored).toEqual([
      expect.stringMatching(
        /^ERWATCH_ALERT_POLICY\.circuits\.er-ams-a\.openAftr: is not a field .*did you mean openAfter\?/,
      ),
    ]);
    expect(config.policy.circuits).toEqual({ "er-ams-a": { resolveAfter: { Sev0: 4 } } });
  });

  it("leaves out ERWATCH_ALERT_POLICY circuit entries that differ only in case (the last one won, unsaid); the others apply", () => {
    const { config, problems, ignored } = readState({
      ERWATCH_ALERT_POLICY: JSON.stringify({
        circuits: {
          "ER-A": { openAfter: { Sev0: 9 } },
          "er-a": { openAfter: { Sev0: 1 } },
          "er-b": { openAfter: { Sev0: 2 } },
        },
      }),
    });
    expect(problems).toEqual([]);
    expect(ignored).toEqual([
      'ERWATCH_ALERT_POLICY.circuits: "ER-A", "er-a" name one circuit (names match in any case) (these entries are left out; the rest apply)',
    ]);
    expect(config.policy.circuits).toEqual({ "er-b": { openAfter: { Sev0: 2 } } });
  });

  it("leaves out, without stopping the start, a whole setting that is not what it must be (not JSON, not a list)", () => {
    const silences = readState({ ERWATCH_SILENCES: '{"circuit":"er-1"}' });
    expect(silences.problems).toEqual([]);
    expect(silences.ignored).toEqual([
      expect.stringMatching(/^ERWATCH_SILENCES: .+ \(left out: no silence of this setting applies/),
    ]);
    expect(silences.config.silences).toEqual([]);
    const policy = readState({ ERWATCH_ALERT_POLICY: '{"circuits": []}' });
    expect(policy.problems).toEqual([]);
    expect(policy.ignored).toEqual([
      expect.stringMatching(
        /^ERWATCH_ALERT_POLICY\.circuits: .+ \(left out: its default applies\)$/,
      ),
    ]);
  });

  it("matches a silence's peering and circuit id as ARM writes them, and leaves out a peering that is none", () => {
    // "Private" (as the tables show it) and an id with a trailing "/" matched no alert.
    const id =
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-1";
    const { config, ignored } = readState({
      ERWATCH_SILENCES: JSON.stringify([
        {
          circuit: `${id}/`,
          peering: "private",
          start: "2026-03-29T01:00Z",
          end: "2026-03-29T05:00Z",
        },
        {
          circuit: "er-2",
          peering: "Privat",
          start: "2026-03-29T01:00Z",
          end: "2026-03-29T05:00Z",
        },
        { circuit: "/subscriptions/x/er-3", start: "2026-03-29T01:00Z", end: "2026-03-29T05:00Z" },
      ]),
    });
    expect(config.silences.map((s) => [s.circuit, s.peering])).toEqual([
      [id, "AzurePrivatePeering"],
    ]);
    expect(ignored.map((i) => i.split(":")[0])).toEqual([
      "ERWATCH_SILENCES.1.peering",
      "ERWATCH_SILENCES.2.circuit",
    ]);
  });

  it("leaves out a window longer than the bounds (a year one-off, a month recurring)", () => {
    const { config, ignored } = readState({
      ERWATCH_SILENCES: JSON.stringify([
        { circuit: "er-1", start: "2026-01-01T00:00Z", end: "2027-06-01T00:00Z" },
        { circuit: "er-2", start: "2026-01-01T00:00Z", end: "2026-12-31T00:00Z" },
      ]),
    });
    expect(config.silences.map((s) => s.circuit)).toEqual(["er-2"]);
    expect(ignored[0]).toMatch(/^ERWATCH_SILENCES\.0: a one-off window lasts at most 366 days/);
  });

  it("accepts a recurring silence in a real time zone", () => {
    expect(
      problems({
        ERWATCH_SILENCES: JSON.stringify([
          {
            circuit: "er-1",
            cron: "0 2 * * 0",
            durationMinutes: 240,
            timezone: "Europe/Amsterdam",
          },
        ]),
      }),
    ).toEqual([]);
  });

  it("reads a one-off silence's times in its own time zone, and leaves out one in no zone", () => {
    // The zone was dropped: 01:00–05:00 "Amsterdam" ran 01:00–05:00 UTC.
    const { config, ignored } = readState({
      ERWATCH_SILENCES: JSON.stringify([
        {
          circuit: "er-1",
          start: "2026-03-29T01:00",
          end: "2026-03-29T05:00",
          timezone: "Europe/Amsterdam",
        },
        {
          circuit: "er-2",
          start: "2026-03-29T01:00",
          end: "2026-03-29T05:00",
          timezone: "CET/Mars",
        },
        { circuit: "er-3", start: "03/29/2026 01:00", end: "2026-03-29T05:00Z" },
      ]),
    });
    expect(config.silences.map((s) => s.circuit)).toEqual(["er-1"]);
    expect(config.silences[0]!.window).toEqual({
      kind: "once",
      start: "2026-03-29T01:00",
      end: "2026-03-29T05:00",
      timezone: "Europe/Amsterdam",
    });
    expect(ignored.map((i) => JSON.stringify(i))).toEqual([
      expect.stringMatching(/is not an IANA time zone/),
      expect.stringMatching(/ISO 8601 times such as/),
    ]);
  });

  it.each([
    "UseDevelopmentStorage=true",
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k==;EndpointSuffix=core.windows.net",
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k==;TableEndpoint=https://a.table.core.windows.net",
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=k==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;",
    "TableEndpoint=https://a.table.core.windows.net;SharedAccessSignature=sv=2024&sig=x",
    // What a person pastes at 2 a.m.: each of these failed in the SDK at first use.
    "AccountName=a;AccountKey=k==",
    "AccountName=a;AccountKey=k==;EndpointSuffix=core.windows.net",
    "AccountName=a;AccountKey=k==;TableEndpoint=https://a.table.core.windows.net",
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k==",
    "DefaultEndpointsProtocol=https;AccountKey=k==;EndpointSuffix=core.windows.net",
    "DefaultEndpointsProtocol=ftp;AccountName=a;AccountKey=k==;EndpointSuffix=core.windows.net",
    "AccountName=a;SharedAccessSignature=sv=1",
    "SharedAccessSignature=sv=1",
    "AccountName=a;AccountKey=k;TableEndpoint=not a url",
    "TableEndpoint=https://tables.contoso.com;SharedAccessSignature=sv=1",
    "TableEndpoint=https://tables.contoso.com/a;SharedAccessSignature=sv=1",
    "DefaultEndpointsProtocol = https;AccountName=a;AccountKey=k==;EndpointSuffix=core.windows.net",
    " DefaultEndpointsProtocol=https ; AccountName=a;AccountKey=k==;EndpointSuffix=core.windows.net ",
    "just some text",
    "AccountName=a",
  ])("judges the storage connection string %s as the SDK does", (value) => {
    let sdk: string | null = null;
    try {
      TableClient.fromConnectionString(value, "t");
    } catch (error) {
      sdk = (error as Error).message;
    }
    expect(connectionStringProblem(value) === null, `the SDK said ${sdk}`).toBe(sdk === null);
  });

  it("reports a broken ERWATCH_STORAGE with every other problem, naming it and not quoting it", () => {
    const secret = "AccountName=a;AccountKey=c2VjcmV0a2V5c2VjcmV0a2V5;TableEndpoint=nope";
    try {
      loadSweepConfig(
        { ERWATCH_STORAGE: secret, ERWATCH_SUBSCRIPTIONS: "not-a-guid", LOG_LEVEL: "loud" },
        { publish: "optional" },
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).message;
      for (const setting of ["ERWATCH_STORAGE:", "ERWATCH_SUBSCRIPTIONS:", "LOG_LEVEL:"])
        expect(text).toContain(setting);
      expect(text).not.toContain("c2VjcmV0a2V5c2VjcmV0a2V5");
    }
  });
});
