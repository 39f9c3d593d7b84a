// One of erwatch's own log alert rules (infra/app/health-alerts.bicep) as
// deployed, read off the Bicep and played against the lines a test's sweeps
// wrote: the line it looks for, what it counts them by (each circuit, or the
// sweeps of the whole estate), the sweeps it needs, how recent the latest
// must be, its window and how often Azure Monitor evaluates it. A line at
// minute `at` is in the window of an evaluation at `t` when t - window < at ≤ t.

import { join } from "node:path";
import { body, decl, INFRA, loadBicep } from "../infra/bicep.js";
import { isoMinutes } from "./iso-minutes.js";

export interface HealthRule {
  /** The start of the `msg` it looks for. */
  message: string;
  /** The whole `msg`, not only its start (the query closes its quote). */
  exact: boolean;
  /** The line's field it counts sweeps by (circuitId); null: the estate's sweeps, all lines together. */
  by: string | null;
  sweeps: number;
  windowMinutes: number;
  everyMinutes: number;
  /** The latest line must be younger than this; Infinity when the rule does not ask. */
  recentMinutes: number;
}

/** A line the rule looks for, as a test saw it: its sweep, what it counts by, its minute. */
export interface HealthLine {
  sweep: string;
  key: string;
  at: number;
}

const alerts = () => loadBicep(join(INFRA, "app", "health-alerts.bicep"));

export function healthRule(resource: string): HealthRule {
  const bicep = alerts();
  const rule = body(bicep.s, decl(bicep, "resource", resource)).text;
  const queryVar = /^\s*query: (\w+)$/m.exec(rule)?.[1];
  const query = new RegExp(`^var ${queryVar} = '''\\n([\\s\\S]*?)'''`, "m").exec(bicep.s.text)?.[1];
  if (!query) throw new Error(`${resource}: no query`);
  const said = /message contains '"msg":"([^']+)'/.exec(query)?.[1];
  if (!said) throw new Error(`${resource}: no message it looks for`);
  const exact = said.endsWith('"');
  const message = exact ? said.slice(0, -1) : said;
  const by = /dcount\(tostring\(line\.sweepId\)\)[^\n]* by \w+ = tostring\(line\.(\w+)\)/.exec(
    query,
  )?.[1];
  const threshold = /operator: '(\w+)'\s+threshold: (\d+)/.exec(rule);
  if (!threshold) throw new Error(`${resource}: no threshold`);
  // Per key, the sweeps are in the query and the threshold counts the keys that have them.
  const sweeps = by
    ? Number(/\| where sweeps >= (\d+)/.exec(query)?.[1])
    : Number(threshold[2]) + (threshold[1] === "GreaterThan" ? 1 : 0);
  if (by && !(threshold[1] === "GreaterThan" && threshold[2] === "0"))
    throw new Error(`${resource}: a per-${by} rule fires on any key that has its sweeps`);
  if (!Number.isInteger(sweeps) || sweeps < 1) throw new Error(`${resource}: no sweep count`);
  return {
    message,
    exact,
    by: by ?? null,
    sweeps,
    windowMinutes: isoMinutes(/windowSize: ('PT\w+')/.exec(rule)?.[1]),
    everyMinutes: isoMinutes(/evaluationFrequency: ('PT\w+')/.exec(rule)?.[1]),
    recentMinutes: Number(/last > ago\((\d+)m\)/.exec(query)?.[1] ?? Infinity),
  };
}

/** Whether the rule looks for a line with this `msg`. */
export const looksFor = (rule: HealthRule, msg: string): boolean =>
  rule.exact ? msg === rule.message : msg.startsWith(rule.message);

/** Whether the rule, evaluated at minute `at`, fires on the lines. */
export function fires(rule: HealthRule, lines: readonly HealthLine[], at: number): boolean {
  const keys = new Map<string, HealthLine[]>();
  for (const l of lines)
    if (l.at > at - rule.windowMinutes && l.at <= at) {
      const key = rule.by ? l.key : "";
      keys.set(key, [...(keys.get(key) ?? []), l]);
    }
  return [...keys.values()].some(
    (inWindow) =>
      inWindow.some((l) => l.at > at - rule.recentMinutes) &&
      new Set(inWindow.map((l) => l.sweep)).size >= rule.sweeps,
  );
}

/** The minutes, one evaluation every `rule.everyMinutes` from `phase`, at which it fires. */
export function firing(
  rule: HealthRule,
  lines: readonly HealthLine[],
  phase: number,
  untilMinute: number,
): number[] {
  const at: number[] = [];
  for (let t = phase; t <= untilMinute; t += rule.everyMinutes)
    if (fires(rule, lines, t)) at.push(t);
  return at;
}
