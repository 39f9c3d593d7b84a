// What a user types after reading infra/README.md must reach the templates:
// every parameter the README lists is in main.parameters.json, fed from the
// azd environment name the README gives, as a string (azd substitutes
// environment values into the file as strings); and the commands that fetch
// the function key read outputs main.bicep really writes, for routes the
// functions really serve.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config/settings.js";
import { INFRA, loadBicep, ROOT } from "./bicep.js";

const main = loadBicep(join(INFRA, "main.bicep"));
const readme = readFileSync(join(INFRA, "README.md"), "utf8");
const parameters = (
  JSON.parse(readFileSync(join(INFRA, "main.parameters.json"), "utf8")) as {
    parameters: Record<string, { value: unknown }>;
  }
).parameters;
const params = main.decls.filter((d) => d.kind === "param");
const outputs = new Set(main.decls.filter((d) => d.kind === "output").map((d) => d.name));

/** Rows of the README's parameter table: parameter, azd environment name (or null). */
function readmeParameters(): { name: string; env: string | null }[] {
  return [...readme.matchAll(/^\| `(\w+)`\s*\| (`(\w+)`|\([^)]*\))\s*\|/gm)].map((m) => ({
    name: m[1]!,
    env: m[3] ?? null,
  }));
}

describe("main.parameters.json", () => {
  it("sets every parameter without a default, and only parameters main.bicep declares", () => {
    const declared = new Set(params.map((p) => p.name));
    for (const name of Object.keys(parameters)) expect(declared, name).toContain(name);
    for (const p of params.filter((x) => !x.hasDefault))
      expect(Object.keys(parameters), p.name).toContain(p.name);
  });

  it("passes monitoredSubscriptionIds from ERWATCH_SUBSCRIPTIONS, as main.bicep expects it", () => {
    expect(parameters.monitoredSubscriptionIds?.value).toBe("${ERWATCH_SUBSCRIPTIONS}");
    const param = params.find((p) => p.name === "monitoredSubscriptionIds");
    expect(param?.type).toBe("string");
    // Empty means the deployment subscription; ids are split on commas and trimmed.
    expect(main.s.text).toMatch(
      /var monitoredSubscriptions = empty\(trim\(monitoredSubscriptionIds\)\) \? \[subscription\(\)\.subscriptionId\] : filter\(map\(split\(monitoredSubscriptionIds, ','\)/,
    );
  });

  it("fills only string parameters from the environment", () => {
    for (const [name, { value }] of Object.entries(parameters)) {
      if (typeof value !== "string" || !value.includes("${")) continue;
      expect(params.find((p) => p.name === name)?.type, name).toBe("string");
    }
  });

  it("matches the README's parameter table, row for row", () => {
    const rows = readmeParameters();
    expect(rows.map((r) => r.name).sort()).toEqual(params.map((p) => p.name).sort());
    for (const row of rows) {
      const value = parameters[row.name]?.value;
      if (row.env === null) expect(value, row.name).toBeUndefined();
      else expect(value, row.name).toBe(`\${${row.env}}`);
    }
  });
});

describe("azd environment names that are also app settings", () => {
  it("are exactly those the README says end up as app settings, and each one does", () => {
    const app = readFileSync(join(INFRA, "app", "function-app.bicep"), "utf8");
    const both = readmeParameters()
      .map((r) => r.env)
      .filter((env): env is string => env !== null && env in SETTINGS);
    const sentence =
      /((?:`\w+`(?:,\s+|\s+and\s+))+`\w+`)\s+are also the app settings they end up in/.exec(readme);
    const said = [...(sentence?.[1] ?? "").matchAll(/`(\w+)`/g)].map((m) => m[1]!);
    expect(said.sort()).toEqual([...both].sort());
    for (const name of both) expect(app, name).toMatch(new RegExp(`^\\s*${name}: `, "m"));
  });
});

describe("the function key instructions", () => {
  const commands = readme.slice(readme.indexOf("## After `azd up`"));

  it("read outputs main.bicep writes to the azd environment", () => {
    const read = [...commands.matchAll(/azd env get-value (\w+)/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(outputs, name).toContain(name);
  });

  it("fetch the host key and call the routes the functions serve", () => {
    expect(commands).toMatch(/az functionapp keys list .*--query functionKeys\.default/);
    const host = JSON.parse(readFileSync(join(ROOT, "host.json"), "utf8")) as {
      extensions?: { http?: { routePrefix?: string } };
    };
    expect(host.extensions?.http?.routePrefix ?? "api").toBe("api");
    for (const [file, route, method] of [
      ["http-status.ts", "status", "GET"],
      ["http-sweep.ts", "sweep", "POST"],
    ] as const) {
      const source = readFileSync(join(ROOT, "src", "functions", file), "utf8");
      expect(source).toContain(`route: "${route}"`);
      expect(source).toMatch(/authLevel: "function"/);
      expect(source).toContain(`"${method}"`);
      expect(commands).toContain(`/api/${route}`);
    }
    expect(commands).toMatch(/-X POST -H "x-functions-key: \$key" "\$url\/api\/sweep"/);
  });
});

describe("ERWATCH_APP_SETTINGS as the README sets it", () => {
  // azd pastes each environment value into main.parameters.json as it is, then parses the JSON.
  const substituted = (value: string) =>
    readFileSync(join(INFRA, "main.parameters.json"), "utf8").replaceAll(
      "${ERWATCH_APP_SETTINGS}",
      value,
    );
  const settings = { LOG_LEVEL: "debug", ERWATCH_SILENCES: '[{"id":"m1","circuit":"er-ams"}]' };

  it("base64 survives the substitution and decodes to the object main.bicep reads", () => {
    const encoded = Buffer.from(JSON.stringify(settings)).toString("base64");
    const file = JSON.parse(substituted(encoded)) as {
      parameters: { appSettings: { value: string } };
    };
    expect(JSON.parse(Buffer.from(file.parameters.appSettings.value, "base64").toString())).toEqual(
      settings,
    );
    expect(readme).toMatch(
      /azd env set ERWATCH_APP_SETTINGS "\$\(base64 -w0 < app-settings\.json\)"/,
    );
  });

  it("raw JSON would not: its quotes break the parameters file", () => {
    expect(() => JSON.parse(substituted(JSON.stringify(settings)))).toThrow();
  });
});
