// What is wrong with a routing configuration, entry by entry, and the
// routing with those entries left out. Every matching route applies and each
// receiver hears an event once, so leaving out one broken route, one action
// group's reference to a receiver that does not exist, or a second receiver
// of one name changes no other route's receivers: a typo in one entry, made
// during an incident, must not stop every page. Pure.

import type { ActionGroup, Route, Routing } from "./routing.js";
import { POSSIBLE_OWNERS, receiverRecordName } from "./routing.js";
import { severityRank } from "./severity.js";

/** What a problem leaves out: a whole entry, or one reference inside it. */
type Part =
  { receiver: number } | { group: number; ref?: number } | { route: number; ref?: number };

interface RoutingProblem {
  /** Where, as the setting's JSON has it (`routes[2].actionGroups[0]`). */
  path: string;
  message: string;
  /** What it leaves out; null when nothing need be: said, and the entry kept. */
  part: Part | null;
}

/** An entry whose references may have been left out (null, in place). */
type Holed<T, K extends keyof T> = Omit<T, K> & { [P in K]: (string | null)[] };
type HoledGroup = Holed<ActionGroup, "receivers">;
type HoledRoute = Holed<Route, "actionGroups">;

/** Where each entry stands in the setting as written (entries it could not read were left out before). */
export interface RoutingPositions {
  receivers: readonly number[];
  actionGroups: readonly number[];
  routes: readonly number[];
}

/** Entries and references already left out stay in place as null, so every path keeps its index. */
function problemsOf(
  receivers: readonly (string | null)[],
  groups: readonly (HoledGroup | null)[],
  routes: readonly (HoledRoute | null)[],
  positions?: RoutingPositions,
): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  const at = (list: keyof RoutingPositions, i: number) => `${list}[${positions?.[list][i] ?? i}]`;
  const names = receivers.filter((n): n is string => n !== null);
  // Two receivers recorded under one name: one's delivery would skip the other as already delivered.
  receivers.forEach((n, i) => {
    if (n === null) return;
    const first = receivers.findIndex(
      (m) => m !== null && receiverRecordName(m) === receiverRecordName(n),
    );
    if (first !== i && receivers[first] !== n)
      problems.push({
        path: `${at("receivers", i)}.name`,
        message: `"${n}" and "${receivers[first]}" differ only in spaces or punctuation, so their deliveries would be recorded as one; rename one`,
        part: { receiver: i },
      });
  });
  const duplicates = <T>(
    list: readonly (T | null)[],
    nameOf: (t: T) => string,
    what: string,
    path: keyof RoutingPositions,
    part: (i: number) => Part | null,
  ) =>
    list.forEach((t, i) => {
      if (t === null) return;
      if (list.findIndex((u) => u !== null && nameOf(u) === nameOf(t)) !== i)
        problems.push({
          path: `${at(path, i)}.name`,
          message: `duplicate ${what} name "${nameOf(t)}"`,
          part: part(i),
        });
    });
  duplicates(
    receivers,
    (n) => n,
    "receiver",
    "receivers",
    (i) => ({ receiver: i }),
  );
  duplicates(
    groups,
    (g) => g.name,
    "action group",
    "actionGroups",
    (i) => ({ group: i }),
  );
  // No entry refers to a route by name: two of one name only share a label in
  // the log. Left out, the later one's audience heard nothing of what it matched.
  duplicates(
    routes,
    (r) => r.name,
    "route",
    "routes",
    () => null,
  );
  groups.forEach((g, i) => {
    if (g === null) return;
    if (g.receivers.every((r) => r === null))
      problems.push({
        path: `${at("actionGroups", i)}.receivers`,
        message: `action group "${g.name}" has no receivers`,
        part: { group: i },
      });
    g.receivers.forEach((r, j) => {
      if (r !== null && !names.includes(r))
        problems.push({
          path: `${at("actionGroups", i)}.receivers[${j}]`,
          message: `unknown receiver "${r}"`,
          part: { group: i, ref: j },
        });
    });
  });
  routes.forEach((r, i) => {
    if (r === null) return;
    const here = at("routes", i);
    const never = (path: string, message: string) =>
      problems.push({ path, message, part: { route: i } });
    if (r.actionGroups.every((g) => g === null))
      never(`${here}.actionGroups`, `route "${r.name}" sends to no action group`);
    r.actionGroups.forEach((g, j) => {
      if (g !== null && !groups.some((x) => x !== null && x.name === g))
        problems.push({
          path: `${here}.actionGroups[${j}]`,
          message: `unknown action group "${g}"`,
          part: { route: i, ref: j },
        });
    });
    const m = r.match;
    if (
      m.severityAtOrAbove &&
      m.severityAtOrBelow &&
      severityRank(m.severityAtOrBelow) > severityRank(m.severityAtOrAbove)
    )
      never(
        `${here}.match`,
        `can never match: severityAtOrBelow ${m.severityAtOrBelow} is less severe than severityAtOrAbove ${m.severityAtOrAbove}`,
      );
    for (const field of ["circuits", "layers", "owners", "codes", "families", "actions"] as const) {
      if (m[field] !== undefined && m[field].length === 0)
        never(`${here}.match.${field}`, "an empty list can never match; leave it out to match all");
    }
    // Ownership is decided per layer: some combinations never occur.
    if (
      m.owners &&
      m.layers &&
      m.owners.every((o) => m.layers!.every((l) => !POSSIBLE_OWNERS[l].includes(o)))
    )
      never(
        `${here}.match`,
        `can never match: no finding on layer(s) ${m.layers.join(", ")} is owned by ${m.owners.join(", ")}`,
      );
  });
  return problems;
}

/** Problems of a routing configuration, each with its path. */
export function validateRouting(routing: Routing, receiverNames: string[]): string[] {
  return problemsOf(receiverNames, routing.actionGroups, routing.routes).map(
    (p) => `${p.path}: ${p.message}`,
  );
}

export interface PrunedRouting {
  routing: Routing;
  /** The receivers left in, by name (the first of two that share one). */
  receivers: string[];
  /** Each problem, with its path as written, and what it cost ("left out"). */
  left: string[];
  /** What is wrong but left nothing out (two routes of one name), with its path. */
  kept: string[];
}

/**
 * The routing with every entry a problem names left out: a receiver's later
 * namesake, an action group's reference to an unknown receiver (that
 * reference), a route's to an unknown action group, and whole what is wrong
 * as a whole (a duplicate, a route that can never match). What that leaves
 * wrong (a group with no receivers left, a route with no group) goes too.
 */
export function pruneRouting(
  routing: Routing,
  receiverNames: string[],
  positions?: RoutingPositions,
): PrunedRouting {
  const receivers: (string | null)[] = [...receiverNames];
  const groups: (HoledGroup | null)[] = routing.actionGroups.map((g) => ({
    ...g,
    receivers: [...g.receivers],
  }));
  const routes: (HoledRoute | null)[] = routing.routes.map((r) => ({
    ...r,
    actionGroups: [...r.actionGroups],
  }));
  const left: string[] = [];
  // Each round leaves out at least one entry or reference: bounded by their count.
  const costly = () =>
    problemsOf(receivers, groups, routes, positions).filter(
      (p): p is RoutingProblem & { part: Part } => p.part !== null,
    );
  for (let problems = costly(); problems.length > 0;) {
    for (const { path, message, part } of problems) {
      if ("receiver" in part) receivers[part.receiver] = null;
      else if ("group" in part) {
        if (part.ref === undefined) groups[part.group] = null;
        else groups[part.group]!.receivers[part.ref] = null;
      } else if (part.ref === undefined) routes[part.route] = null;
      else routes[part.route]!.actionGroups[part.ref] = null;
      left.push(`${path}: ${message}`);
    }
    problems = costly();
  }
  const said = problemsOf(receivers, groups, routes, positions).map(
    (p) => `${p.path}: ${p.message}`,
  );
  const kept = <T>(list: readonly (T | null)[]) => list.filter((x): x is T => x !== null);
  return {
    routing: {
      actionGroups: kept(groups).map((g) => ({ ...g, receivers: kept(g.receivers) })),
      routes: kept(routes).map((r) => ({ ...r, actionGroups: kept(r.actionGroups) })),
    },
    receivers: kept(receivers),
    left,
    kept: said,
  };
}
