// infra/ checked against the code, since there is no Bicep compiler here: the
// reader role grants exactly the ARM operations the reader declares it calls,
// the app settings are ones the code reads, no key is ever stored, and the
// templates are structurally sound.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  REQUIRED_ACTIONS,
  ROLE_ACTIONS,
  WORKSPACE_ACTIONS,
} from "../../src/adapters/arm/operations.js";
import { grants } from "../support/rbac.js";
import { DEFAULT_ALERTS_ENTITY } from "../../src/config/publish.js";
import { misspeltSettings } from "../../src/config/misspelt.js";
import { SETTINGS } from "../../src/config/settings.js";
import { loadDispatchConfig } from "../../src/runtime/config.js";
import { bicepFiles, bodyEntries, INFRA, loadBicep, ROOT, scan } from "./bicep.js";

/** The least a dispatcher needs to load its configuration; nothing is contacted. */
const DISPATCH_ENV = {
  ERWATCH_STORAGE: "UseDevelopmentStorage=true",
  ServiceBusConnection: "Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=x",
  WEBHOOK_URL: "https://itsm.example/alerts",
};

const read = (rel: string) => readFileSync(join(INFRA, rel), "utf8");

/** The string items of the first `<key>: [ ... ]` array in `text`. */
function stringArray(text: string, key: string): string[] {
  const m = new RegExp(`\\b${key}:\\s*\\[([\\s\\S]*?)\\]`).exec(text);
  if (!m) throw new Error(`no ${key} array`);
  return [...m[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!);
}

/** Keys of a Bicep object literal assigned to `var <name> = {...}` (one level). */
function objectKeys(text: string, name: string): string[] {
  const m = new RegExp(
    `var ${name} = (?:empty\\([^)]*\\) \\? \\{\\} : )?\\{([\\s\\S]*?)\\n\\}`,
  ).exec(text);
  if (!m) throw new Error(`no var ${name}`);
  return [...m[1]!.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*):/gm)].map((x) => x[1]!);
}

// Settings the Functions host, the platform or the Azure SDK read, not erwatch's config.
const HOST_SETTINGS = new Set([
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__blobServiceUri",
  "AzureWebJobsStorage__queueServiceUri",
  "ServiceBusConnection__credential",
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  "AZURE_CLIENT_ID",
  "languageWorkers__node__arguments",
]);

describe("the reader role", () => {
  const role = read("app/reader-role-definition.bicep");

  it("grants exactly the ARM operations the reader calls", () => {
    const actions = stringArray(role, "actions");
    expect([...actions].sort()).toEqual([...ROLE_ACTIONS].sort());
    for (const action of REQUIRED_ACTIONS) expect(grants(actions, action), action).toBe(true);
    // Each action is needed: without it, something the reader calls is refused.
    for (const action of actions) {
      const without = actions.filter((a) => a !== action);
      expect(
        REQUIRED_ACTIONS.some((required) => !grants(without, required)),
        action,
      ).toBe(true);
    }
    // Sorted as its comment says, so a reviewer finds an action where it belongs.
    expect(actions).toEqual([...actions].sort());
  });

  it("reads the ARP and route tables by either name Azure has given those reads", () => {
    const actions = stringArray(role, "actions");
    for (const table of ["arpTables", "routeTables", "routeTablesSummary"])
      for (const verb of ["read", "action"]) {
        const action = `Microsoft.Network/expressRouteCircuits/peerings/${table}/${verb}`;
        expect(grants(actions, action), action).toBe(true);
      }
    // routeTables/* is not a prefix of routeTablesSummary's actions, nor of anything but its table.
    expect(
      grants(
        ["Microsoft.Network/expressRouteCircuits/peerings/routeTables/*"],
        "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
      ),
    ).toBe(false);
  });

  it("grants nothing else: wildcards only under the path-read tables, no data actions", () => {
    for (const action of stringArray(role, "actions").filter((a) => a.includes("*")))
      expect(action).toMatch(
        /^Microsoft\.Network\/expressRouteCircuits\/peerings\/(arpTables|routeTables|routeTablesSummary)\/\*$/,
      );
    expect(stringArray(role, "dataActions")).toEqual([]);
    expect(role).toMatch(/type: 'CustomRole'/);
  });

  it("is assigned in every monitored subscription", () => {
    const main = read("main.bicep");
    expect(main).toMatch(
      /module readerAssignments 'app\/reader-role-assignment\.bicep' = \[for subscriptionId in monitoredSubscriptions:/,
    );
    expect(role).toMatch(/assignableScopes: \[for subscriptionId in assignableSubscriptionIds:/);
  });
});

describe("the Connection Monitor results reader role", () => {
  const role = read("app/workspace-reader-role-definition.bicep");
  const assignment = read("app/workspace-reader-role-assignment.bicep");
  const main = read("main.bicep");

  it("grants exactly the Log Analytics query actions the logs reader needs", () => {
    expect([...stringArray(role, "actions")].sort()).toEqual([...WORKSPACE_ACTIONS].sort());
    expect(stringArray(role, "dataActions")).toEqual([]);
  });

  it("is assigned on each named workspace, never on a subscription", () => {
    expect(main).toMatch(
      /module workspaceAssignments 'app\/workspace-reader-role-assignment\.bicep' = \[for workspaceId in workspaceIds:/,
    );
    expect(assignment).toMatch(/targetScope = 'resourceGroup'/);
    expect(assignment).toMatch(/scope: workspace\n/);
    expect(main).toMatch(/param connectionMonitorWorkspaceIds string = ''/);
  });

  it("keeps the subscription role free of Log Analytics access", () => {
    for (const action of stringArray(read("app/reader-role-definition.bicep"), "actions"))
      expect(action).not.toMatch(/OperationalInsights/);
  });
});

describe("the Function App's settings", () => {
  const app = read("app/function-app.bicep");
  const groups = [
    "hostSettings",
    "erwatchSettings",
    "pagerDutySettings",
    "teamsSettings",
    "webhookSettings",
  ];
  const names = groups.flatMap((g) => objectKeys(app, g));

  it("sets only settings the code or the host reads", () => {
    const unknown = names.filter((n) => !(n in SETTINGS) && !HOST_SETTINGS.has(n));
    expect(unknown).toEqual([]);
    // The operator's own settings last: theirs, named in the azd environment, and they win.
    expect(app).toMatch(new RegExp(`union\\(${groups.join(", ")}, extraAppSettings\\)`));
  });

  it("sets nothing erwatch would take for a misspelt setting of its own", () => {
    const env = Object.fromEntries(names.map((n) => [n, "x"]));
    expect(misspeltSettings(env, Object.keys(SETTINGS))).toEqual([]);
  });

  it("takes the operator's own settings from the azd environment, so a deployment does not wipe them", () => {
    const main = read("main.bicep");
    expect(main).toMatch(/^param appSettings string = ''$/m);
    expect(main).toMatch(
      // Base64: azd pastes the value into main.parameters.json as it is, and a quote would break it.
      /extraAppSettings: empty\(trim\(appSettings\)\) \? \{\} : json\(base64ToString\(trim\(appSettings\)\)\)/,
    );
    expect(app).toMatch(/^param extraAppSettings object = \{\}$/m);
  });

  it("gives erwatch what it needs to sweep, keep state and publish, all by identity", () => {
    for (const needed of [
      "ERWATCH_SUBSCRIPTIONS",
      "ERWATCH_STORAGE__accountName",
      "ServiceBusConnection__fullyQualifiedNamespace",
      "SERVICEBUS_ENTITY",
      "SERVICEBUS_DEADLETTER_QUEUE",
      "SWEEP_SCHEDULE",
      "AzureWebJobsStorage__blobServiceUri",
      "AzureWebJobsStorage__queueServiceUri",
    ])
      expect(names).toContain(needed);
  });

  it("points the host at its storage by the account's own endpoints, not its name, so it works in every cloud AZURE_CLOUD follows", () => {
    // The host infers https://<name>.blob.core.windows.net from
    // AzureWebJobsStorage__accountName: wrong in a sovereign cloud (Functions
    // docs: "valid only if the account isn't in a sovereign cloud"), while the
    // same templates set AZURE_CLOUD from environment() for erwatch.
    expect(names).not.toContain("AzureWebJobsStorage__accountName");
    expect(app).toMatch(/^\s*AZURE_CLOUD: environment\(\)\.name$/m);
    for (const service of ["blob", "queue", "table"])
      expect(app).toMatch(
        new RegExp(
          `^\\s*AzureWebJobsStorage__${service}ServiceUri: storage\\.properties\\.primaryEndpoints\\.${service}$`,
          "m",
        ),
      );
  });

  it("references receiver secrets from Key Vault, never as values", () => {
    for (const secret of Object.entries(SETTINGS).filter(([, s]) => "secret" in s && s.secret)) {
      const [name] = secret;
      const line = new RegExp(`^\\s*${name}: (.*)$`, "m").exec(app)?.[1];
      if (line === undefined) continue; // not set at all (e.g. connection strings): fine
      expect(line, name).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=\$\{[A-Za-z]+\}\)'$/);
    }
  });
});

describe("no keys anywhere", () => {
  const all = bicepFiles().map((path) => ({ path, text: readFileSync(path, "utf8") }));

  it.each(["listKeys(", "AccountKey=", "SharedAccessKey=", "listConnectionStrings("])(
    "no %s in infra/",
    (needle) => {
      for (const f of all) expect(f.text, f.path).not.toContain(needle);
    },
  );

  it("storage refuses shared keys and Service Bus refuses SAS", () => {
    expect(read("app/storage.bicep")).toMatch(/allowSharedKeyAccess: false/);
    expect(read("app/servicebus.bicep")).toMatch(/disableLocalAuth: true/);
  });
});

describe("Service Bus entities", () => {
  const sb = read("app/servicebus.bicep");

  it("the alerts queue drops re-sent events and forwards its dead letters to the parking queue", () => {
    expect(sb).toMatch(/name: 'Standard'/);
    expect(sb).toMatch(/requiresDuplicateDetection: true/);
    expect(sb).toMatch(/forwardDeadLetteredMessagesTo: deadLetterQueue\.name/);
  });

  it("uses the entity names the code defaults to", () => {
    const defaults = loadDispatchConfig(DISPATCH_ENV);
    expect(defaults.publish.entity).toBe(DEFAULT_ALERTS_ENTITY);
    expect(sb).toContain(`var alertsQueueName = '${DEFAULT_ALERTS_ENTITY}'`);
    expect(sb).toContain(`var deadLetterQueueName = '${defaults.deadLetterQueue}'`);
  });

  it("creates the alerts queue with the maxDeliveryCount erwatch is told it has, so the dispatcher parks an event with its reason before Service Bus dead-letters it without one", () => {
    const servicebus = loadBicep(join(INFRA, "app", "servicebus.bicep"));
    const queue = servicebus.decls.find((d) => d.kind === "resource" && d.name === "alertsQueue")!;
    const maxDeliveryCount = Number(
      bodyEntries(servicebus.s, queue).find((e) => e.key === "maxDeliveryCount")?.value,
    );
    expect(maxDeliveryCount).toBeGreaterThan(1);
    // infra/ leaves SERVICEBUS_MAX_DELIVERY_COUNT to its default (or sets it):
    // either way, what erwatch assumes must be the queue's count.
    const set = /^\s*SERVICEBUS_MAX_DELIVERY_COUNT: '?(\d+)'?$/m.exec(
      read("app/function-app.bicep"),
    )?.[1];
    const env = set === undefined ? {} : { SERVICEBUS_MAX_DELIVERY_COUNT: set };
    // A count at or over the queue's is left out (and named), not refused.
    const problems = (deliveries: number) =>
      loadDispatchConfig({
        ...DISPATCH_ENV,
        ...env,
        DISPATCH_MAX_DELIVERIES: String(deliveries),
      }).ignoredSettings;
    expect(problems(maxDeliveryCount - 1)).toEqual([]);
    expect(problems(maxDeliveryCount)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^DISPATCH_MAX_DELIVERIES: must be below SERVICEBUS_MAX_DELIVERY_COUNT \\(${maxDeliveryCount}\\)`,
        ),
      ),
    ]);
    // And the dispatcher's own default sits below it.
    expect(problems(loadDispatchConfig(DISPATCH_ENV).dispatch.maxDeliveries)).toEqual([]);
  });
});

describe("template structure", () => {
  it.each(bicepFiles().map((p) => [p.slice(ROOT.length + 1), p]))(
    "%s scans cleanly and its modules exist",
    (_rel, path) => {
      const file = loadBicep(path);
      expect(scan(file.s.text).problems).toEqual([]);
      for (const m of file.s.text.matchAll(/^module \w+ '([^']+)'/gm))
        expect(existsSync(join(dirname(path), m[1]!)), m[1]).toBe(true);
    },
  );

  it("main.bicep deploys at subscription scope and the app on Flex Consumption with Node", () => {
    expect(loadBicep(join(INFRA, "main.bicep")).targetScope).toBe("subscription");
    const app = read("app/function-app.bicep");
    expect(app).toMatch(/name: 'FC1'/);
    expect(app).toMatch(/name: 'node'\s+version: '22'/);
  });

  it("azure.yaml deploys this project as a TypeScript function app from infra/", () => {
    const yaml = readFileSync(join(ROOT, "azure.yaml"), "utf8");
    expect(yaml).toMatch(/provider: bicep/);
    expect(yaml).toMatch(/language: ts/);
    expect(yaml).toMatch(/host: function/);
  });
});
