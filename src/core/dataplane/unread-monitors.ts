// Some of a circuit's Connection Monitors read, others not (a workspace
// deleted or refused, a tag naming a monitor that is not there): the whole
// circuit used to take the first failure, so a deleted workspace hid another
// monitor's Fail, and a missing tagged monitor was dropped in silence. What
// was read is judged; what was not leaves the row short of "up" and is the
// blind read's finding (monitoring-blind), not the tests'.

import type { ReadFailure } from "../model.js";
import { sameName as same } from "../names.js";
import type { EndToEndFacts, MonitorRef, UnreadMonitor } from "./facts.js";
import { unreadMonitorWords } from "./read-failed-words.js";

/** The monitors none of whose results were read: their tests are not judged. */
export function unjudged(facts: Pick<EndToEndFacts, "unread">): UnreadMonitor[] {
  return (facts.unread ?? []).filter((u) => !u.readElsewhere);
}

/** Whether none of this monitor's results were read (its definition then says nothing of silence). */
export function unreadMonitor(
  facts: Pick<EndToEndFacts, "unread">,
  m: Pick<MonitorRef, "id" | "name">,
): boolean {
  return unjudged(facts).some((u) =>
    u.monitorId && m.id ? same(u.monitorId, m.id) : same(u.monitor, m.name),
  );
}

/** "cm-a not read in workspace law-legacy (not-found)": for the layer table's cell, a kept wait said against the sweep at `sweepAt`. */
export function unreadWords(unread: readonly UnreadMonitor[], sweepAt: number): string {
  const names = [...new Set(unread.map((u) => unreadMonitorWords(u.monitor, u.failure, sweepAt)))];
  return names.join(", ");
}

/** The failed reads, for the evidence and for monitoring-blind. */
export function unreadFailures(facts: Pick<EndToEndFacts, "unread">): ReadFailure[] {
  return (facts.unread ?? []).map((u) => u.failure);
}
