// A test its monitor defines that sent nothing in the window is not a test
// passing: counting only the rows Log Analytics returned read a circuit "up —
// 1 test passes" while another group's on-premises agent had stopped. Each
// such test (each source of its group that sent nothing for it, the agent
// being the source's, and each destination of its group no row was of while
// another's were: a VM deallocated, an endpoint Connection Monitor no longer
// resolves) is Indeterminate, as Connection Monitor itself calls a test
// without data. Silence is judged only when the window is long enough that
// the test must have reported: its frequency plus Log Analytics' ingestion
// delay.

import { sameName as same } from "../names.js";
import type { EndToEndFacts, EndToEndTest, MonitorRef } from "./facts.js";
import { unreadMonitor } from "./unread-monitors.js";

/** Log Analytics' ingestion delay, with room: Azure documents minutes, and an agent may upload late. */
export const INGESTION_ALLOWANCE_SEC = 10 * 60;
/** Connection Monitor's longest test frequency: a test whose own is not known is taken at it. */
export const LONGEST_FREQUENCY_SEC = 30 * 60;

/**
 * How often the monitor runs the test, in seconds; null when not known. A
 * value past Connection Monitor's longest is none it runs (taken as 1e308, a
 * stopped agent's last Pass was judged until it left the look-back, and its
 * silence never was); nor is a test configured twice under one name with
 * two frequencies known to run at the shorter: each is taken at the longest.
 */
export function frequencyOf(m: Pick<MonitorRef, "frequencies"> | undefined, test: string) {
  const given = (m?.frequencies ?? []).filter((f) => same(f.test, test)).map((f) => f.seconds);
  if (given.length === 0) return null;
  if (!given.every((s) => Number.isFinite(s) && s > 0 && s <= LONGEST_FREQUENCY_SEC)) return null;
  return Math.max(...given);
}

/** Whether a row is of this monitor: by id when both have one, else by name. */
export function ofMonitor(m: Pick<MonitorRef, "id" | "name">, t: EndToEndTest): boolean {
  return m.id && t.monitorId ? same(m.id, t.monitorId) : same(m.name, t.monitor);
}

/** Whether a test running this often must have sent a row within a window of this many seconds. */
export function silenceTells(windowSec: number, frequencySec: number | null): boolean {
  return windowSec >= (frequencySec ?? LONGEST_FREQUENCY_SEC) + INGESTION_ALLOWANCE_SEC;
}

/**
 * Whether a row's destination is the endpoint of that name: the reader
 * writes the port after the name when Log Analytics gives one ("vm-app:443").
 */
export function toEndpoint(destination: string, endpoint: string): boolean {
  if (same(destination, endpoint)) return true;
  const port = /:\d+$/.exec(destination);
  return port !== null && same(destination.slice(0, port.index), endpoint);
}

/** One monitor once, however many workspaces it writes to. */
function definedOnce(monitors: readonly MonitorRef[]): MonitorRef[] {
  const seen = new Set<string>();
  return monitors.filter((m) => {
    const key = (m.id ?? m.name).toLowerCase();
    if (m.testGroups === undefined || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The tests the monitors define that sent no row in the window, each as an
 * Indeterminate test saying so. A source is judged apart only when another
 * source of the group answered for that test under its endpoint's name: rows
 * that name their sources otherwise tell nothing of which one is silent. A
 * destination likewise, when another destination of the group was named by
 * the test's rows, and only while every source answered: a silent source may
 * be the one that tests it, and its silence is already said.
 */
export function silentTests(facts: EndToEndFacts): EndToEndTest[] {
  const windowSec = (Date.parse(facts.to) - Date.parse(facts.from)) / 1000;
  const minutes = Math.round(windowSec / 60);
  const out: EndToEndTest[] = [];
  // A monitor none of whose results were read would read all silent: the failed read says why.
  for (const m of definedOnce(facts.monitors).filter((d) => !unreadMonitor(facts, d))) {
    for (const g of m.testGroups ?? []) {
      for (const test of g.testConfigurations) {
        const seconds = frequencyOf(m, test);
        if (!silenceTells(windowSec, seconds)) continue;
        const rows = facts.tests.filter(
          (t) => ofMonitor(m, t) && same(t.testGroup, g.name) && same(t.test, test),
        );
        const sources = g.sources;
        const heard = (s: string) => rows.some((t) => same(t.source, s));
        const silent =
          rows.length === 0
            ? sources.length > 0
              ? sources
              : ["?"]
            : sources.some(heard)
              ? sources.filter((s) => !heard(s))
              : [];
        const destinations = g.destinations;
        const reached = (d: string) => rows.some((t) => toEndpoint(t.destination, d));
        const unreached =
          rows.length > 0 && silent.length === 0 && destinations.some(reached)
            ? destinations.filter((d) => !reached(d))
            : [];
        const every = seconds === null ? "" : ` (it runs every ${seconds} s)`;
        const noResult = (source: string, destination: string): EndToEndTest => ({
          monitor: m.name,
          monitorId: m.id,
          testGroup: g.name,
          test,
          result: "Indeterminate",
          checksFailedPercent: null,
          checksFailedPercentThreshold: null,
          roundTripMs: null,
          roundTripThresholdMs: null,
          source,
          destination,
          at: facts.from,
          reason: `no result in the last ${minutes} min${every}`,
          silent: true,
        });
        out.push(
          ...silent.map((source) => noResult(source, "?")),
          ...unreached.map((destination) => noResult("?", destination)),
        );
      }
    }
  }
  return out;
}
