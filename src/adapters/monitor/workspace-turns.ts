// One sweep's queries of one Log Analytics workspace. Each circuit read asks
// the workspace for its own monitors' results, so a workspace refusing
// erwatch (403), gone (404), rejecting the query (400), throttling it (429)
// or failing (5xx, no answer) was asked again by every circuit writing there:
// 300 circuits, 300 refusals a sweep, and a throttled workspace met with
// more queries the more it throttled. Its failure is the workspace's, not the
// circuit's (core/dataplane/log-analytics.ts says it once per workspace), so
// the first is every later circuit's in the sweep, as it was, unasked.
//
// The workspace's first query of the sweep goes alone: the circuits reading
// meanwhile (32 at once) would otherwise all have asked before it failed, and
// while it waits out a 429's Retry-After (call.ts, within its deadline) none
// of them asks the throttled workspace. Once it answers, they ask at once.
//
// A transient failure (a 5xx, no answer in time) is not asked again later in
// the sweep: the SDK already retried a 5xx in the call, and a timeout already
// cost a whole deadline that each circuit would wait again, holding its record
// and pages. The next sweep asks again, and one sweep's end to end UNKNOWN
// for Log Analytics neither pages nor reads the circuit deep (waits on Log
// Analytics), and the workspace's health alert waits for three. So a failing
// workspace is asked once a sweep; one failing mid-sweep, once more for each
// circuit whose query was already under way.

import type { ReadSession } from "../../app/ports.js";
import type { Reading } from "../../core/model.js";

interface Turns {
  /** The failure of the workspace's query this sweep: every later circuit's. */
  failure: Reading<never> | null;
  /** It answered a query this sweep: the circuits ask it at once. */
  answered: boolean;
  /** Settles when the query under way alone (the sweep's first) is over. */
  first: Promise<void> | null;
}

/**
 * Ask the workspace for one circuit's results in this sweep, unless it failed
 * already: then its failure as it was got (kind, status, request id, message),
 * so the circuit's row and the workspace's log line read as if asked.
 */
export async function askWorkspace<T>(
  session: ReadSession,
  workspace: string,
  ask: () => Promise<{ reading: Reading<T>; answered: boolean }>,
): Promise<Reading<T>> {
  const turns = await session.memo(`logs-workspace:${workspace}`.toLowerCase(), async () => {
    const fresh: Turns = { failure: null, answered: false, first: null };
    return fresh;
  });
  for (;;) {
    if (turns.failure) return turns.failure;
    if (turns.answered || !turns.first) break;
    await turns.first;
  }
  const alone = !turns.answered;
  let over = () => {};
  if (alone) turns.first = new Promise<void>((resolve) => (over = resolve));
  try {
    const { reading, answered } = await ask();
    // Answered yet unreadable (this circuit's monitors): the workspace answers.
    if (reading.ok || answered) turns.answered = true;
    else turns.failure ??= reading;
    return reading;
  } finally {
    if (alone) {
      turns.first = null;
      over();
    }
  }
}
