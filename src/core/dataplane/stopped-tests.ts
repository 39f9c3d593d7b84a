// A source or destination that stops reporting partway through the look-back
// (its agent stopped or its VM died at 01:12) leaves its last row behind: the
// latest row per test read "reachable" on it until that row left the window,
// up to CONNECTION_MONITOR_WINDOW_MINUTES after nothing was tested. A row
// older than its test's frequency plus the ingestion allowance is the same
// silence a test with no row at all is: Indeterminate, saying since when.
// The allowance is what keeps an endpoint whose rows Log Analytics ingests
// minutes late steady. An endpoint its test group no longer names (removed
// from the monitor, or renamed) did not stop: its rows are no test, as those
// of a removed test are.
// A workspace whose newest row of any monitor is itself that old is Log
// Analytics ingesting late (Azure documents delays past 10 minutes in its
// incidents), not every endpoint writing there stopping at once: its rows are
// late, not judged, so one pipeline delay does not open e2e-indeterminate on
// every circuit whose monitors write there. Ingestion later than the whole
// look-back leaves no row to be late: a workspace holding none in it, though
// it held some in the day before, is the same delay, and its monitors'
// silent tests are late too; a monitor silent while the workspace holds
// others' rows in the look-back stopped on its own. A workspace one agent
// writes to alone reads the same when that agent stops: nothing there tells
// the two apart until its last row is a day older than the look-back and its
// tests are silent.

import { sameName as same } from "../names.js";
import type { EndToEndFacts, EndToEndTest, MonitorRef } from "./facts.js";
import { hhmm } from "./series.js";
import {
  frequencyOf,
  INGESTION_ALLOWANCE_SEC,
  LONGEST_FREQUENCY_SEC,
  ofMonitor,
  toEndpoint,
} from "./silent-tests.js";
import { unreadMonitor } from "./unread-monitors.js";

type Group = NonNullable<MonitorRef["testGroups"]>[number];

/** An address in place of a name: Log Analytics writes one where the endpoint has no name. */
const ADDRESS = /^(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*)(?::\d+)?$/i;

/** One end of a test: how a row names it, and how its group lists it. */
interface Side {
  side: "source" | "destination";
  listed: (g: Group) => string[];
  name: (r: EndToEndTest) => string;
  address: (r: EndToEndTest) => string | null | undefined;
  is: (name: string, endpoint: string) => boolean;
}
const SIDES: Side[] = [
  {
    side: "source",
    listed: (g) => g.sources,
    name: (r) => r.source,
    address: (r) => r.sourceAddress,
    is: same,
  },
  {
    side: "destination",
    listed: (g) => g.destinations,
    name: (r) => r.destination,
    address: (r) => r.destinationAddress,
    is: toEndpoint,
  },
];

/** Whether the group lists the row's end; null when the row does not name it (no name, or an address). */
function listedIn(g: Group, side: Side, r: EndToEndTest): boolean | null {
  const name = side.name(r);
  const address = side.address(r);
  if (name === "?" || ADDRESS.test(name) || (address && toEndpoint(name, address))) return null;
  return side.listed(g).some((e) => side.is(name, e));
}

/** The groups of the monitors read from their definition that define the row's test. */
function groupsOf(t: EndToEndTest, monitors: readonly MonitorRef[]): Group[] {
  return monitors
    .filter((m) => m.testGroups !== undefined && ofMonitor(m, t))
    .flatMap((m) => m.testGroups ?? [])
    .filter((g) => same(g.name, t.testGroup) && g.testConfigurations.some((c) => same(c, t.test)));
}

/**
 * The end of a row of a defined test that its group no longer names
 * (removed from the monitor, or renamed): null when it names both, or cannot
 * be read. Only once another row of the test names an endpoint the group
 * lists on that end: rows whose names are not the endpoints' tell nothing of
 * which one left.
 */
export function endpointGone(
  t: EndToEndTest,
  facts: Pick<EndToEndFacts, "monitors" | "tests">,
): { side: Side["side"]; endpoint: string } | null {
  const monitors = facts.monitors.filter((m) => m.testGroups !== undefined && ofMonitor(m, t));
  const groups = groupsOf(t, monitors);
  if (groups.length === 0) return null;
  const siblings = facts.tests.filter(
    (r) =>
      r !== t &&
      monitors.some((m) => ofMonitor(m, r)) &&
      same(r.testGroup, t.testGroup) &&
      same(r.test, t.test),
  );
  const left = (g: Group, side: Side) =>
    listedIn(g, side, t) === false && siblings.some((r) => listedIn(g, side, r) === true);
  for (const side of SIDES)
    if (groups.every((g) => left(g, side))) return { side: side.side, endpoint: side.name(t) };
  return null;
}

/**
 * The row as judged now: itself, or, when its test's monitor defines it and
 * the row is older than the test's frequency plus the ingestion allowance,
 * an Indeterminate test that stopped reporting at the row's time. A test
 * whose frequency is not known is taken at the longest; a monitor whose
 * definition was not read (tags alone) keeps its rows, as a removed test's.
 */
export function stoppedReporting(t: EndToEndTest, facts: EndToEndFacts): EndToEndTest {
  const monitor = facts.monitors.find(
    (m) => m.testGroups !== undefined && ofMonitor(m, t) && !unreadMonitor(facts, m),
  );
  if (!monitor || groupsOf(t, [monitor]).length === 0) return t;
  const seconds = frequencyOf(monitor, t.test);
  const last = Date.parse(t.at);
  const allowedSec = (seconds ?? LONGEST_FREQUENCY_SEC) + INGESTION_ALLOWANCE_SEC;
  const now = Date.parse(facts.to);
  if (!(now - last > allowedSec * 1000)) return t;
  const every = seconds === null ? "" : `; it runs every ${seconds} s`;
  if (t.ingested && now - Date.parse(t.ingested.newest) > allowedSec * 1000)
    return {
      ...t,
      result: "Indeterminate",
      checksFailedPercent: null,
      roundTripMs: null,
      reason: `${ingestionWords(t.ingested, now)} (its last result ${t.result} at ${hhmm(last)} UTC${every})`,
      late: true,
    };
  return {
    ...t,
    result: "Indeterminate",
    checksFailedPercent: null,
    roundTripMs: null,
    reason: `stopped reporting at ${hhmm(last)} UTC (its last result ${t.result}${every})`,
    stoppedAt: t.at,
  };
}

/** The workspace as named to people: a resource id's last segment, or the GUID. */
export const workspaceName = (workspace: string) => workspace.split("/").pop() || workspace;

/** "Log Analytics has ingested nothing in workspace law-x since 01:05 UTC (15 min)". */
export function ingestionWords(ingested: NonNullable<EndToEndTest["ingested"]>, now: number) {
  const newest = Date.parse(ingested.newest);
  const minutes = Math.floor((now - newest) / 60_000);
  return `Log Analytics has ingested nothing in workspace ${workspaceName(ingested.workspace)} since ${hhmm(newest)} UTC (${minutes} min)`;
}

/**
 * A silent test as judged now: itself, or late when every workspace its
 * monitor writes to holds no row of any monitor in the look-back and the
 * answer gave its newest from before it (Log Analytics ingesting later than
 * the whole look-back). A workspace whose newest is unknown (no row in the
 * day before either, or an answer that did not say) keeps it silent.
 */
export function lateSilence(t: EndToEndTest, facts: EndToEndFacts): EndToEndTest {
  const from = Date.parse(facts.from);
  const newest = facts.monitors
    .filter((m) => ofMonitor(m, t))
    .map((m) => facts.ingested?.find((i) => same(i.workspace, m.workspace)) ?? null);
  if (newest.length === 0 || !newest.every((n) => n !== null && Date.parse(n.newest) < from))
    return t;
  const ingested = (newest as NonNullable<EndToEndTest["ingested"]>[]).reduce((a, b) =>
    Date.parse(b.newest) > Date.parse(a.newest) ? b : a,
  );
  return {
    ...t,
    ingested,
    reason: `${ingestionWords(ingested, Date.parse(facts.to))}: ${t.reason}`,
    late: true,
  };
}
