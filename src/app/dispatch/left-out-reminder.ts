// Entries of ERWATCH_ACTION_GROUPS left out at start (config/dispatch.ts) are
// said when the dispatcher starts and again while it delivers. A Functions
// host keeps one dispatcher for hours; said only at start, the health alert on
// the line (infra/app/health-alerts.bicep, a 15-minute window) would resolve
// a quarter of an hour later while routes were still missing.

import { healthLine, type Logger } from "../../logging.js";
import type { Dispatcher } from "./dispatcher.js";

/** Below the health alert's 15-minute window, so it stays standing while events flow. */
export const LEFT_OUT_REMINDER_MS = 10 * 60_000;

/** The line the health alert looks for; the sweep's begins alike. */
export const LEFT_OUT_MESSAGE =
  "entries of settings are invalid and left out; every other route and receiver delivers";

/** Whether to say the left-out entries again: never said, or said `everyMs` ago or more. */
export function reminderDue(lastSaidAt: number | null, now: number, everyMs: number): boolean {
  return lastSaidAt === null || now - lastSaidAt >= everyMs || now < lastSaidAt;
}

/**
 * Says `ignored` now, and before a dispatch whenever the last saying is
 * `everyMs` old. Nothing left out: the dispatcher as it is.
 */
export function remindLeftOut(
  dispatcher: Dispatcher,
  ignored: readonly string[],
  logger: Logger,
  now: () => Date,
  everyMs = LEFT_OUT_REMINDER_MS,
): Dispatcher {
  if (ignored.length === 0) return dispatcher;
  let lastSaidAt: number | null = null;
  const remind = () => {
    const at = now().getTime();
    if (!reminderDue(lastSaidAt, at, everyMs)) return;
    lastSaidAt = at;
    healthLine(logger).warn({ ignored }, LEFT_OUT_MESSAGE);
  };
  remind();
  return {
    dispatch(...args: Parameters<Dispatcher["dispatch"]>) {
      remind();
      return dispatcher.dispatch(...args);
    },
  };
}
