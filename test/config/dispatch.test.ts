import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { looksLikeSecret, readDispatchConfig, readRouting } from "../../src/config/dispatch.js";
import { SettingsReader } from "../../src/config/reader.js";
import { SETTINGS } from "../../src/config/settings.js";

const PD = "0123456789abcdef0123456789abcdef";
const TEAMS =
  "https://prod-11.westeurope.logic.azure.com/workflows/0f3a/triggers/manual/paths/invoke?sig=Zm9vYmFy";

interface Groups {
  receivers: object[];
  actionGroups: { name: string; receivers: string[] }[];
  routes: object[];
}

function read(env: Record<string, string>) {
  const r = new SettingsReader(env);
  const config = readDispatchConfig(r);
  return { config, problems: r.problems, ignored: r.ignored };
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
    const { problems, ignored } = read({
      ERWATCH_ACTION_GROUPS: JSON.stringify(groups),
      TEAMS_NOC: "http://evil.example/hook?sig=s3cr3t",
    });
    expect([...problems, ...ignored].join("\n")).not.toContain("s3cr3t");
    // Its only route left out, nothing could be delivered: the start stops, telling all.
    expect(problems).toEqual([
      "TEAMS_NOC: must be an https URL (http only for 127.0.0.1, localhost or [::1])",
      "ERWATCH_ACTION_GROUPS: no route is left to deliver anything (each one named below could not be used)",
    ]);
    expect(ignored[0]).toMatch(/^ERWATCH_ACTION_GROUPS\.routes\.0\.match\.codes\.0: /);
    const second = read({
      ERWATCH_ACTION_GROUPS: JSON.stringify({
        ...groups,
        routes: [{ name: "r", match: {}, actionGroups: ["g"] }],
      }),
      TEAMS_NOC: "http://evil.example/hook?sig=s3cr3t",
    });
    expect([...second.problems, ...second.ignored].join("\n")).not.toContain("s3cr3t");
    // The one receiver left cannot be used: nothing could be delivered.
    expect(second.problems).toEqual([
      "TEAMS_NOC: must be an https URL (http only for 127.0.0.1, localhost or [::1])",
    ]);
    expect(second.ignored).toEqual([
      'ERWATCH_ACTION_GROUPS.receivers[1].name: duplicate receiver name "noc" (left out; the rest apply)',
      'ERWATCH_ACTION_GROUPS.actionGroups[0].receivers[1]: unknown receiver "ghost" (left out; the rest apply)',
    ]);
  });

  it.each([
    {
      case: "a new route naming an action group that does not exist",
      edit: (g: Groups) => ({
        ...g,
        routes: [
          ...g.routes,
          { name: "noc", match: { layers: ["gateway"] }, actionGroups: ["noc-chanel"] },
        ],
      }),
      left: /^ERWATCH_ACTION_GROUPS\.routes\[1\]\.actionGroups\[0\]: unknown action group "noc-chanel"/,
    },
    {
      case: "a new route with a misspelt code",
      edit: (g: Groups) => ({
        ...g,
        routes: [
          ...g.routes,
          { name: "noc", match: { codes: ["arp-mising"] }, actionGroups: ["g"] },
        ],
      }),
      left: /^ERWATCH_ACTION_GROUPS\.routes\.1\.match\.codes\.0: /,
    },
    {
      case: "a misspelt receiver in the action group",
      edit: (g: Groups) => ({ ...g, actionGroups: [{ name: "g", receivers: ["pd", "temas"] }] }),
      left: /^ERWATCH_ACTION_GROUPS\.actionGroups\[0\]\.receivers\[1\]: unknown receiver "temas"/,
    },
    {
      case: "a new receiver of a kind that does not exist",
      edit: (g: Groups) => ({ ...g, receivers: [...g.receivers, { kind: "slack", name: "s" }] }),
      left: /^ERWATCH_ACTION_GROUPS\.receivers\.1\.kind: /,
    },
  ])(
    "should leave out one broken entry, name it, and keep paging through the rest: $case",
    ({ edit, left }) => {
      const groups: Groups = {
        receivers: [{ kind: "pagerduty", name: "pd", routingKeySetting: "PD_KEY" }],
        actionGroups: [{ name: "g", receivers: ["pd"] }],
        routes: [{ name: "r", match: { severityAtOrAbove: "Sev1" }, actionGroups: ["g"] }],
      };
      const { config, problems, ignored } = read({
        ERWATCH_ACTION_GROUPS: JSON.stringify(edit(groups)),
        PD_KEY: PD,
      });
      expect(problems).toEqual([]);
      expect(ignored[0]).toMatch(left);
      expect(config.receivers.map((x) => x.name)).toEqual(["pd"]);
      expect(config.routing.routes.map((x) => x.name)).toEqual(["r"]);
      expect(config.routing.actionGroups).toEqual([{ name: "g", receivers: ["pd"] }]);
    },
  );

  it("should let the others run when one receiver's secret is unset or not usable, naming the setting", () => {
    const reference = "@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/teams/)";
    const groups = {
      receivers: [
        { kind: "pagerduty", name: "pd", routingKeySetting: "PD_KEY" },
        { kind: "teams", name: "noc", urlSetting: "TEAMS_NOC" },
        { kind: "webhook", name: "itsm", urlSetting: "ITSM_URL" },
      ],
      actionGroups: [{ name: "g", receivers: ["pd", "noc", "itsm"] }],
      routes: [{ name: "r", match: {}, actionGroups: ["g"] }],
    };
    const { config, problems } = read({
      ERWATCH_ACTION_GROUPS: JSON.stringify(groups),
      PD_KEY: PD,
      // A Key Vault reference App Service could not resolve arrives as its own text.
      TEAMS_NOC: reference,
    });
    expect(problems).toEqual([]);
    expect(config.receivers.map((r) => [r.name, r.unusable])).toEqual([
      ["pd", undefined],
      [
        "noc",
        expect.stringMatching(
          /^TEAMS_NOC: is a Key Vault reference the Functions host could not resolve \(receiver "noc"\); give the app's identity read access/,
        ),
      ],
      [
        "itsm",
        'ERWATCH_ACTION_GROUPS: receiver "itsm" reads its secret from app setting ITSM_URL, which is not set',
      ],
    ]);
    expect(JSON.stringify(config.receivers.map((r) => r.unusable))).not.toContain("kv1");
    // Nothing usable at all: that is a deployment that cannot page, refused at start.
    const none = read({ ERWATCH_ACTION_GROUPS: JSON.stringify(groups), TEAMS_NOC: reference });
    expect(none.problems).toEqual([
      'ERWATCH_ACTION_GROUPS: receiver "pd" reads its secret from app setting PD_KEY, which is not set',
      expect.stringMatching(
        /^TEAMS_NOC: is a Key Vault reference the Functions host could not resolve/,
      ),
      'ERWATCH_ACTION_GROUPS: receiver "itsm" reads its secret from app setting ITSM_URL, which is not set',
    ]);
  });

  it("a routing key that is an unresolved Key Vault reference: that receiver unusable and named, not a key PagerDuty refuses page by page", () => {
    const reference = "@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/pd/)";
    const { config, problems } = read({
      PAGERDUTY_ROUTING_KEY: reference,
      TEAMS_WEBHOOK_URL: TEAMS,
    });
    expect(problems).toEqual([]);
    const pd = config.receivers.find((x) => x.kind === "pagerduty")!;
    expect(pd.unusable).toMatch(
      /^PAGERDUTY_ROUTING_KEY: is a Key Vault reference the Functions host could not resolve/,
    );
    expect(pd.unusable).not.toContain("kv1");
    expect(config.receivers.find((x) => x.kind === "teams")!.unusable).toBeUndefined();
  });

  it("should refuse to run with no receiver at all", () => {
    expect(read({}).problems).toEqual([
      expect.stringMatching(/^ERWATCH_ACTION_GROUPS: no receivers/),
    ]);
  });
});

describe("no secret in any configuration error", () => {
  const KEY = "e93facc04764012d7bfb002500d5d1a6"; // the shape of a PagerDuty integration key

  it("should refuse a key given where its setting's name belongs, without echoing it", () => {
    const groups = {
      receivers: [{ kind: "pagerduty", name: "oncall", routingKeySetting: KEY }],
      actionGroups: [{ name: "g", receivers: ["oncall"] }],
      routes: [{ name: "r", match: {}, actionGroups: ["g"] }],
    };
    const { problems, ignored } = read({ ERWATCH_ACTION_GROUPS: JSON.stringify(groups) });
    expect([...problems, ...ignored].join("\n")).not.toContain(KEY);
    expect(ignored).toContainEqual(
      expect.stringMatching(
        /^ERWATCH_ACTION_GROUPS\.receivers\.0\.routingKeySetting: looks like a secret value/,
      ),
    );
    // Its only receiver left out: the start stops.
    expect(problems).toContainEqual(
      expect.stringMatching(/^ERWATCH_ACTION_GROUPS: no route is left/),
    );
  });

  it.each([
    ["a PagerDuty key", KEY, true],
    ["a mixed-case key", "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y12", true],
    ["an upper-snake setting name", "PAGERDUTY_ROUTING_KEY_NETWORK_2026", false],
    ["a long name with a digit", "TeamsWebhookUrlForNoc2", false],
    ["a short name", "PD1234", false],
  ])("should tell %s (%s) from a setting name", (_name, value, secret) => {
    expect(looksLikeSecret(value)).toBe(secret);
  });

  it.each([
    // Node quotes the start of the text: exactly what a pasted secret looks like.
    ["text that is not JSON at all", "S3cretT0kenValue-0123456789", "is not valid JSON"],
    [
      "a secret before the syntax error",
      '{"receivers": [{"url": "https://h/?sig=S3cretT0kenValue" x',
      "is not valid JSON (at character 58)",
    ],
    [
      "a secret in text cut short",
      '{"receivers": [{"url": "https://h/?sig=S3cretT0kenValue"',
      "is not valid JSON (at character 57)",
    ],
  ])("should not quote the setting's text when it is not JSON: %s", (_name, text, expected) => {
    const { problems } = read({ ERWATCH_ACTION_GROUPS: text });
    expect(problems).toEqual([`ERWATCH_ACTION_GROUPS: ${expected}`]);
    expect(problems.join("\n")).not.toContain("S3cret");
  });

  it.each([
    [
      "a comma too many",
      '{"receivers": [], "actionGroups": [], "routes": [],}',
      /is not valid JSON/,
    ],
    ["a list, not an object", "[]", /ERWATCH_ACTION_GROUPS/],
  ])(
    "should deliver by the default routes when ERWATCH_ACTION_GROUPS cannot be read as a whole (%s) and the default receivers are set",
    (_name, text, problem) => {
      const { config, problems, ignored } = read({
        ERWATCH_ACTION_GROUPS: text,
        PAGERDUTY_ROUTING_KEY: PD,
        TEAMS_WEBHOOK_URL: TEAMS,
      });
      // One setting does not stop every page: PagerDuty and Teams still hear
      // what they would with no ERWATCH_ACTION_GROUPS at all.
      expect(problems).toEqual([]);
      expect(config.receivers.map((r) => r.name)).toEqual(["pagerduty", "teams"]);
      expect(config.routing.routes.map((r) => r.name)).toEqual([
        "page-on-call",
        "tell-the-channel",
      ]);
      expect(ignored).toContainEqual(expect.stringMatching(problem));
      expect(ignored.join("\n")).toMatch(
        /left out: the default routes deliver to pagerduty, teams/,
      );
    },
  );

  it("should still stop at ERWATCH_ACTION_GROUPS that cannot be read when no default receiver is set", () => {
    const { problems } = read({ ERWATCH_ACTION_GROUPS: "{,}" });
    expect(problems).toEqual([expect.stringMatching(/^ERWATCH_ACTION_GROUPS: is not valid JSON/)]);
  });

  it("should refuse a webhook URL with user:password@ at start, without echoing it", () => {
    const { problems } = read({
      WEBHOOK_URL: "https://svc-erwatch:Pa55w0rdPa55w0rd@itsm.example.com/api/alerts",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^WEBHOOK_URL: must not contain a user name or password/),
    ]);
    expect(problems.join("\n")).not.toContain("Pa55w0rd");
  });

  it("should refuse a PagerDuty URL in the JSON that breaks the receiver URL rule", () => {
    const groups = {
      receivers: [
        {
          kind: "pagerduty",
          name: "eu",
          routingKeySetting: "PD_EU",
          url: "http://events.eu.pagerduty.com/v2/enqueue",
        },
      ],
      actionGroups: [{ name: "g", receivers: ["eu"] }],
      routes: [{ name: "r", match: {}, actionGroups: ["g"] }],
    };
    const { problems, ignored } = read({
      ERWATCH_ACTION_GROUPS: JSON.stringify(groups),
      PD_EU: PD,
    });
    expect(ignored[0]).toMatch(/^ERWATCH_ACTION_GROUPS\.receivers\.0\.url: must be an https URL/);
    expect(problems).toContainEqual(
      expect.stringMatching(/^ERWATCH_ACTION_GROUPS: no route is left/),
    );
  });
});

describe("the status page URL", () => {
  it.each([
    ["https", "https://erwatch.example.net/api/status", []],
    [
      "plain http",
      "http://erwatch.example.net/api/status",
      [expect.stringMatching(/^STATUS_PAGE_URL: must be an https URL/)],
    ],
    ["not a URL", "erwatch.example.net/status", ["STATUS_PAGE_URL: is not a URL"]],
  ])("should check %s against the receiver URL rule", (_name, url, expected) => {
    const { config, problems } = read({ PAGERDUTY_ROUTING_KEY: PD, STATUS_PAGE_URL: url });
    expect(problems).toEqual(expected);
    if (expected.length === 0) expect(config.statusPageUrl).toBe(url);
  });

  it.each([
    "https://erwatch.example.net/api/status?code=c2VjcmV0ZnVuY3Rpb25rZXk9PQ==",
    "https://erwatch.example.net/api/status?severity=Sev1&CODE=c2VjcmV0ZnVuY3Rpb25rZXk9PQ==",
  ])(
    "should refuse a function key in it (it went on every Teams card and PagerDuty incident): %s",
    (url) => {
      const { problems } = read({ PAGERDUTY_ROUTING_KEY: PD, STATUS_PAGE_URL: url });
      expect(problems).toEqual([expect.stringMatching(/^STATUS_PAGE_URL: .*function key/)]);
      expect(problems.join("\n")).not.toContain("c2VjcmV0ZnVuY3Rpb25rZXk9PQ");
    },
  );
});

describe("the waits between posts", () => {
  // A first wait above the longest allowed ended the retries at once: one
  // post per delivery. Refused, the dispatcher delivered nothing at all: the
  // first wait gives way, to its default where that fits, and is named.
  it.each([
    ["the defaults", {}, 1000, []],
    ["equal", { DISPATCH_RETRY_BASE_MS: "5000", DISPATCH_RETRY_MAX_WAIT_MS: "5000" }, 5000, []],
    [
      "the first wait above the longest",
      { DISPATCH_RETRY_BASE_MS: "30000", DISPATCH_RETRY_MAX_WAIT_MS: "5000" },
      1000,
      [
        "DISPATCH_RETRY_BASE_MS: must not be above DISPATCH_RETRY_MAX_WAIT_MS (5000); got 30000, so the first wait between posts would already be too long: each post would be tried once per delivery, whatever DISPATCH_ATTEMPTS says (left out: the default 1000 applies)",
      ],
    ],
    [
      "a lowered longest wait under the default first one",
      { DISPATCH_RETRY_MAX_WAIT_MS: "500" },
      500,
      [
        expect.stringMatching(
          /^DISPATCH_RETRY_BASE_MS: must not be above .*\(500\); got 1000, .* \(left out: 500, DISPATCH_RETRY_MAX_WAIT_MS, applies\)$/,
        ),
      ],
    ],
  ])("%s (%j): the first wait is %d ms", (_name, env, first, leftOut) => {
    const { config, problems, ignored } = read({ PAGERDUTY_ROUTING_KEY: PD, ...env });
    expect(problems).toEqual([]);
    expect(config.retryBaseMs).toBe(first);
    expect(ignored).toEqual(leftOut);
  });
});

describe("deliveries against the entity's maxDeliveryCount", () => {
  // The entity's count is the queue's, and erwatch's own gives way: refused,
  // the dispatcher delivered nothing and Service Bus dead-lettered every
  // event past that count without a reason either.
  it.each([
    ["the defaults", {}, 5, []],
    ["one below the entity's count", { DISPATCH_MAX_DELIVERIES: "9" }, 9, []],
    [
      "as many as the entity allows",
      { DISPATCH_MAX_DELIVERIES: "10" },
      5,
      [
        "DISPATCH_MAX_DELIVERIES: must be below SERVICEBUS_MAX_DELIVERY_COUNT (10), the entity's maxDeliveryCount; got 10, so Service Bus would dead-letter the message without erwatch's reason (left out: the default 5 applies)",
      ],
    ],
    [
      "a raised entity count",
      { DISPATCH_MAX_DELIVERIES: "20", SERVICEBUS_MAX_DELIVERY_COUNT: "30" },
      20,
      [],
    ],
    [
      "a lowered entity count",
      { SERVICEBUS_MAX_DELIVERY_COUNT: "3" },
      2,
      [
        expect.stringMatching(
          /^DISPATCH_MAX_DELIVERIES: must be below .*\(3\).*got 5, .* \(left out: 2 applies\)$/,
        ),
      ],
    ],
    [
      "an entity count of one",
      { SERVICEBUS_MAX_DELIVERY_COUNT: "1" },
      1,
      [expect.stringMatching(/^DISPATCH_MAX_DELIVERIES: .*\(left out: 1 applies\)$/)],
    ],
  ])("should check %s (%j): %d deliveries", (_name, env, deliveries, leftOut) => {
    const { config, problems, ignored } = read({ PAGERDUTY_ROUTING_KEY: PD, ...env });
    expect(problems).toEqual([]);
    expect(config.maxDeliveries).toBe(deliveries);
    expect(ignored).toEqual(leftOut);
  });

  it("should default to the maxDeliveryCount infra gives the alerts queue", () => {
    const bicep = readFileSync(
      join(import.meta.dirname, "..", "..", "infra", "app", "servicebus.bicep"),
      "utf8",
    );
    const alertsQueue = bicep.split("resource alertsQueue")[1] ?? "";
    expect(/maxDeliveryCount: (\d+)/.exec(alertsQueue)?.[1]).toBe("10");
    expect(SETTINGS.SERVICEBUS_MAX_DELIVERY_COUNT.doc).toContain("default 10");
  });
});

describe("a tuning number that cannot be used", () => {
  // Refused, it stopped the dispatcher: every alert event dead-lettered past
  // the entity's delivery count, no page at all. Its default applies, named.
  it.each([
    ["RECEIVER_TIMEOUT_MS", "10s", "100 to 120000", 10_000, "receiverTimeoutMs"],
    ["DISPATCH_ATTEMPTS", "0", "1 to 10", 3, "attemptsPerDelivery"],
    ["DISPATCH_RETRY_BASE_MS", "1e3", "1 to 60000", 1_000, "retryBaseMs"],
    ["DISPATCH_RETRY_MAX_WAIT_MS", "300001", "1 to 300000", 60_000, "retryMaxWaitMs"],
    ["DISPATCH_MAX_DELIVERIES", "five", "1 to 100", 5, "maxDeliveries"],
    ["SERVICEBUS_MAX_DELIVERY_COUNT", "0", "1 to 2000", 5, "maxDeliveries"],
    ["DISPATCH_RETRY_HORIZON_MINUTES", "1h", "1 to 1440", 60, "retryHorizonMinutes"],
  ] as const)(
    "%s = %j (range %s): the dispatcher starts on the default, naming it",
    (setting, value, range, applied, field) => {
      const { config, problems, ignored } = read({ PAGERDUTY_ROUTING_KEY: PD, [setting]: value });
      expect(problems).toEqual([]);
      expect(config[field]).toBe(applied);
      expect(ignored).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${setting}: expected a whole number in digits from ${range}, got "${value}" \\(left out: the default \\d+ applies\\)$`,
          ),
        ),
      ]);
    },
  );
});

describe("a field of ERWATCH_ACTION_GROUPS beside receivers, actionGroups and routes", () => {
  // The network team's key and the carrier desk's, routed by owner.
  const byOwner = {
    receivers: [
      { kind: "pagerduty", name: "network", routingKeySetting: "PD_NETWORK" },
      { kind: "pagerduty", name: "carrier-desk", routingKeySetting: "PD_CARRIER" },
    ],
    actionGroups: [
      { name: "network", receivers: ["network"] },
      { name: "carrier-desk", receivers: ["carrier-desk"] },
    ],
    routes: [
      { name: "ours", match: { owners: ["you"] }, actionGroups: ["network"] },
      { name: "theirs", match: { owners: ["carrier"] }, actionGroups: ["carrier-desk"] },
    ],
  };
  const keys = { PD_NETWORK: PD, PD_CARRIER: "fedcba9876543210fedcba9876543210" };

  it.each([
    [{ description: "who hears what" }, "ERWATCH_ACTION_GROUPS.description: is not a field"],
    [{ $schema: "https://example.com/s.json" }, "ERWATCH_ACTION_GROUPS.$schema: is not a field"],
    [{ rotues: [] }, "did you mean routes?"],
  ])("is named and left out, every route kept as written (%j)", (extra, named) => {
    for (const legacy of [{}, { PAGERDUTY_ROUTING_KEY: PD }] as Record<string, string>[]) {
      const { config, problems, ignored } = read({
        ...keys,
        ...legacy,
        ERWATCH_ACTION_GROUPS: JSON.stringify({ ...byOwner, ...extra }),
      });
      expect(problems).toEqual([]);
      // Not the default routes to one key: each owner's alerts reach their own receiver.
      expect(config.receivers.map((x) => x.name)).toEqual(["network", "carrier-desk"]);
      expect(config.routing).toEqual({
        actionGroups: byOwner.actionGroups,
        routes: byOwner.routes,
      });
      expect(ignored).toEqual([expect.stringContaining(named)]);
      expect(ignored[0]).toMatch(/\(left out; the rest apply\)$/);
    }
  });

  it("leaves the sweep's view of the routes as the dispatcher's", () => {
    const env = {
      ...keys,
      ERWATCH_ACTION_GROUPS: JSON.stringify({ ...byOwner, description: "x" }),
    };
    expect(readRouting(env)).toEqual({
      actionGroups: byOwner.actionGroups,
      routes: byOwner.routes,
    });
  });
});

it("two routes of one name both deliver; the name is said, neither left out", () => {
  const { config, problems, ignored } = read({
    TEAMS_URL: TEAMS,
    ERWATCH_ACTION_GROUPS: JSON.stringify({
      receivers: [{ kind: "teams", name: "teams", urlSetting: "TEAMS_URL" }],
      actionGroups: [{ name: "channel", receivers: ["teams"] }],
      routes: [
        { name: "page", match: { owners: ["you"] }, actionGroups: ["channel"] },
        { name: "page", match: { owners: ["carrier"] }, actionGroups: ["channel"] },
      ],
    }),
  });
  expect(problems).toEqual([]);
  expect(config.routing.routes.map((x) => x.match.owners)).toEqual([["you"], ["carrier"]]);
  expect(ignored).toEqual([
    'ERWATCH_ACTION_GROUPS.routes[1].name: duplicate route name "page" (kept: each applies; rename one to tell them apart in the log)',
  ]);
});
