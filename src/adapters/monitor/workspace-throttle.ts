// A Log Analytics workspace's 429, or its 503 with a Retry-After, kept past
// the sweep that got it. The Monitor call waits out a Retry-After that fits
// its deadline and forgets one that does not (call.ts): a workspace asking
// for longer than the sweep interval was asked again by the next sweep,
// throttled again, and its throttle lengthened by erwatch's own queries.
// Azure Monitor sheds overload with a 503 and a Retry-After the same way:
// asked again at once, the service was met with more queries the longer it
// was overloaded. Kept in this process's memory: another worker process
// (fan-out scaled out, a restart) knows nothing of it and asks once, to be
// told the wait itself.

import type { ReadFailure, Reading } from "../../core/model.js";
import { utcTime } from "../../core/utc-time.js";
import { MAX_ASKED_MS } from "../retry-after.js";

/** Workspaces kept at most: past it, the one whose wait ends first is let go. */
export const THROTTLED_KEPT = 1_000;

interface Held {
  failure: ReadFailure;
  until: number;
}

export interface ThrottledWorkspaces {
  /**
   * The 429 or 503 the workspace got while its wait has not passed at `now`,
   * as that query got it (status, request id) saying until when; null when
   * it may be asked.
   */
  waiting(workspace: string, now: Date): Reading<never> | null;
  /** The workspace's query got a 429 or a 503 asking to wait `retryAfterMs` from `now`. */
  keep(workspace: string, failure: ReadFailure, retryAfterMs: number, now: Date): void;
}

/**
 * Said beside what the query got: a 503 is the service unavailable, not
 * erwatch throttled. The time as the end-to-end row says it, against the
 * UTC day of the sweep asking at `now`.
 */
function notBefore({ failure, until }: Held, now: Date): string {
  const at = utcTime(until, now.getTime());
  return failure.statusCode === 503
    ? `Log Analytics was unavailable, not throttling erwatch: not asked again before ${at}, as its Retry-After asked`
    : `not asked again before ${at}, as Log Analytics' Retry-After asked`;
}

export function throttledWorkspaces(): ThrottledWorkspaces {
  const held = new Map<string, Held>();
  return {
    waiting(workspace, now) {
      const key = workspace.toLowerCase();
      const got = held.get(key);
      if (!got) return null;
      if (now.getTime() >= got.until) {
        held.delete(key);
        return null;
      }
      return {
        ok: false,
        error: {
          ...got.failure,
          message: `${got.failure.message} (${notBefore(got, now)})`,
          notAskedBefore: new Date(got.until).toISOString(),
        },
        readAt: now.toISOString(),
      };
    },
    keep(workspace, failure, retryAfterMs, now) {
      const at = now.getTime();
      for (const [key, h] of held) if (at >= h.until) held.delete(key);
      const until = at + Math.min(Math.max(0, retryAfterMs), MAX_ASKED_MS);
      if (until <= at) return;
      held.set(workspace.toLowerCase(), { failure, until });
      while (held.size > THROTTLED_KEPT) {
        const first = [...held].reduce((a, b) => (b[1].until < a[1].until ? b : a));
        held.delete(first[0]);
      }
    },
  };
}
