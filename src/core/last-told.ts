// A resolve closes what its receivers were last told, not the last reading
// that fired. Titles go out only with a notification (an open, a change of
// grade, a repeat): a route limit's count and forecast, or a Sev2 reading
// after a Sev1 whose de-escalation was held, never reached anyone. Carried
// on the resolve, such a title sat under the Sev1 it closes, beside a change
// quoting the title that was sent, and matched no incident or card a holder had.

import type { AlertCondition, AlertState } from "./lifecycle.js";

/** The condition with the title its receivers last heard; as it is when that is not known. */
export function asLastTold(
  condition: AlertCondition,
  notified: Pick<NonNullable<AlertState["notified"]>, "title"> | null,
): AlertCondition {
  // Kept in an odd shape (a hand edit), or empty: not known what was said.
  const told: unknown = notified?.title;
  if (typeof told !== "string" || told.trim() === "" || told === condition.title) return condition;
  return { ...condition, title: told };
}
