// Service Bus settings: a connection string pasted where the namespace host
// name (or the entity) belongs is reported without quoting it. The message
// goes into the host's logs and exceptions on every invocation.

import { describe, expect, it } from "vitest";
import { readPublishConfig } from "../../src/config/publish.js";
import { SettingsReader } from "../../src/config/reader.js";

const KEY = "c2hhcmVkYWNjZXNza2V5c2hhcmVkYWNjZXNza2V5MTI=";
const CONNECTION = `Endpoint=sb://erwatch-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${KEY}`;

function problems(env: Record<string, string>): string[] {
  const r = new SettingsReader(env);
  readPublishConfig(r, true);
  return r.problems;
}

describe("Service Bus settings", () => {
  it("names a mistyped namespace host name", () => {
    expect(
      problems({ ServiceBusConnection__fullyQualifiedNamespace: "erwatch ns.servicebus" }),
    ).toEqual([expect.stringContaining('"erwatch ns.servicebus" is not a host name')]);
  });

  it.each([
    ["ServiceBusConnection__fullyQualifiedNamespace", CONNECTION],
    ["SERVICEBUS_ENTITY", `${CONNECTION};EntityPath=erwatch-alerts`],
  ])(
    "reports a connection string pasted into %s without quoting its key (it was quoted whole)",
    (setting, value) => {
      const found = problems({
        ServiceBusConnection__fullyQualifiedNamespace: "erwatch-ns.servicebus.windows.net",
        [setting]: value,
      });
      expect(found).toEqual([
        expect.stringMatching(new RegExp(`^${setting}: .*connection string`)),
      ]);
      expect(found.join("\n")).not.toContain(KEY);
      expect(found.join("\n")).not.toContain(KEY.slice(0, 12));
    },
  );

  // A deadline that cannot be used stopped every sweep and the dispatcher:
  // the default applies, named with the value given.
  it.each([
    [{}, 30_000, []],
    [{ SERVICEBUS_TIMEOUT_MS: "2500" }, 2_500, []],
    [
      { SERVICEBUS_TIMEOUT_MS: "50" },
      30_000,
      [
        'SERVICEBUS_TIMEOUT_MS: expected a whole number in digits from 100 to 120000, got "50" (left out: the default 30000 applies)',
      ],
    ],
    [
      { SERVICEBUS_TIMEOUT_MS: "thirty seconds" },
      30_000,
      [
        'SERVICEBUS_TIMEOUT_MS: expected a whole number in digits from 100 to 120000, got "thirty seconds" (left out: the default 30000 applies)',
      ],
    ],
  ] as const)(
    "SERVICEBUS_TIMEOUT_MS %j: a deadline of %s ms, left out %j",
    (env, timeoutMs, leftOut) => {
      const r = new SettingsReader({
        ServiceBusConnection__fullyQualifiedNamespace: "erwatch-ns.servicebus.windows.net",
        ...env,
      });
      const config = readPublishConfig(r, true);
      expect(r.problems).toEqual([]);
      expect(r.ignored).toEqual(leftOut);
      expect(config?.timeoutMs).toBe(timeoutMs);
    },
  );

  it("a bad SERVICEBUS_TIMEOUT_MS is named with the rest, also without Service Bus", () => {
    const r = new SettingsReader({ SERVICEBUS_TIMEOUT_MS: "-1" });
    expect(readPublishConfig(r, false)).toBeNull();
    expect(r.problems).toEqual([]);
    expect(r.ignored).toEqual([expect.stringMatching(/^SERVICEBUS_TIMEOUT_MS: .*\(left out: /)]);
  });
});
