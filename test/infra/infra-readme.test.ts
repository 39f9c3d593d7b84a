// infra/README.md and the README describe what infra/ creates; this holds them
// to the templates, read as text: every health alert rule has its row (name,
// severity, how often and over what window), the number of rules said in
// words is the number there are, and the Service Bus row names every queue.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isoMinutes } from "../support/iso-minutes.js";
import {
  bodyEntries,
  INFRA,
  literal,
  loadBicep,
  resolveString,
  ROOT,
  type BicepFile,
} from "./bicep.js";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const infraReadme = readFileSync(join(INFRA, "README.md"), "utf8");
const alerts = loadBicep(join(INFRA, "app", "health-alerts.bicep"));
const serviceBus = loadBicep(join(INFRA, "app", "servicebus.bicep"));

const RULE_TYPES = ["microsoft.insights/scheduledqueryrules", "microsoft.insights/metricalerts"];
const WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
];

/** A top-level or nested `key:` of a resource's body, as written. */
function entry(f: BicepFile, resource: string, key: string): string | undefined {
  const d = f.decls.find((x) => x.kind === "resource" && x.name === resource)!;
  return bodyEntries(f.s, d).find((e) => e.key === key)?.value;
}

interface Rule {
  name: string;
  severity: number;
  everyMinutes: number;
  windowMinutes: number;
  query: boolean;
}

function rules(): Rule[] {
  return alerts.decls
    .filter(
      (d) => d.kind === "resource" && RULE_TYPES.includes(d.type.split("@")[0]!.toLowerCase()),
    )
    .map((d) => ({
      name: literal(entry(alerts, d.name, "name") ?? "") ?? `(${d.name} has no literal name)`,
      severity: Number(entry(alerts, d.name, "severity")),
      everyMinutes: isoMinutes(entry(alerts, d.name, "evaluationFrequency")),
      windowMinutes: isoMinutes(entry(alerts, d.name, "windowSize")),
      query: d.type.toLowerCase().startsWith("microsoft.insights/scheduledqueryrules"),
    }));
}

/** infra/README's health table: alert name, rule text, severity. */
function rows(): { name: string; rule: string; severity: string }[] {
  const section = /## erwatch's own health\n([\s\S]*?)\n## /.exec(infraReadme)?.[1] ?? "";
  return [...section.matchAll(/^\| `(erwatch-[a-z-]+)`\s*\| (.*?)\s*\| (Sev\d)\s*\|$/gm)].map(
    (m) => ({ name: m[1]!, rule: m[2]!, severity: m[3]! }),
  );
}

describe("erwatch's own health alerts, as the READMEs describe them", () => {
  it("has a row in infra/README.md for every rule infra/ creates, and none for a rule it does not", () => {
    const declared = rules();
    expect(declared.length).toBeGreaterThan(5);
    expect(
      rows()
        .map((r) => r.name)
        .sort(),
    ).toEqual(declared.map((r) => r.name).sort());
  });

  it("gives each rule's severity, how often it is checked and, for log queries, the window", () => {
    const wrong: string[] = [];
    for (const rule of rules()) {
      const row = rows().find((r) => r.name === rule.name);
      if (!row) continue; // the test above names it
      if (row.severity !== `Sev${rule.severity}`)
        wrong.push(`${rule.name}: README ${row.severity}, bicep Sev${rule.severity}`);
      const every = /\bevery (?:(\d+) minutes|minute)\b/.exec(row.rule);
      const stated = every ? Number(every[1] ?? 1) : null;
      if (stated !== rule.everyMinutes)
        wrong.push(`${rule.name}: README every ${stated} min, bicep ${rule.everyMinutes}`);
      if (rule.query) {
        const last = Number(/\blast (\d+) minutes\b/.exec(row.rule)?.[1]);
        if (last !== rule.windowMinutes)
          wrong.push(`${rule.name}: README last ${last} min, bicep ${rule.windowMinutes}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("counts the rules in words as many as there are, in both READMEs", () => {
    const count = WORDS[rules().length];
    const infraSays = /\b(\w+) alert rules watch erwatch itself\b/i.exec(infraReadme)?.[1];
    const readmeSays = /\bcreates (\w+) alert rules on erwatch itself\b/i.exec(readme)?.[1];
    expect({ infraSays: infraSays?.toLowerCase(), readmeSays: readmeSays?.toLowerCase() }).toEqual({
      infraSays: count,
      readmeSays: count,
    });
  });
});

describe("Service Bus, as infra/README.md describes it", () => {
  const row = /^\| Service Bus namespace[^\n]*$/m.exec(infraReadme)?.[0] ?? "";
  const queues = serviceBus.decls
    .filter((d) => d.kind === "resource" && /\/queues@/i.test(d.type))
    .map((d) => ({
      resource: d.name,
      name: resolveString(serviceBus, entry(serviceBus, d.name, "name") ?? ""),
    }));

  it("names every queue infra/ creates in the Service Bus row", () => {
    expect(queues.length).toBeGreaterThan(1);
    const unnamed = queues.filter((q) => q.name === null || !row.includes(`\`${q.name}\``));
    expect(unnamed).toEqual([]);
  });

  it("says the alerts queue's maxDeliveryCount as servicebus.bicep sets it", () => {
    const alertsQueue = queues.find((q) => q.resource === "alertsQueue");
    expect(alertsQueue).toBeDefined();
    const count = entry(serviceBus, "alertsQueue", "maxDeliveryCount");
    expect(row).toMatch(new RegExp(`\`maxDeliveryCount\` ${count}\\b`));
  });
});
