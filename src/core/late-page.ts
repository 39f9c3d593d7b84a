// The page a PagerDuty receiver never had, rebuilt from its resolve. A resolve
// is published only after its episode's open was (lifecycle.ts), and routed
// by the episode's peak, so a receiver sent a resolve with no record of any
// event of its episode lost the page on the way: its delivery given up while
// storage hung, parked past the horizon, or overtaken by the resolve after a
// broker outage. PagerDuty drops a resolve for an incident it never had, so
// the Sev0 would leave no trace; sent this first, the incident is raised
// late and closed at once, on record for whoever was on call.
// It stands for the event just before the resolve (the last one published:
// events the receivers were not told take no sequence), and says what a
// resolve carries of it: the title and grade last told, the last firing
// sweep's evidence and ticket. A receiver that had the open but not what
// came last (an escalation to Sev0 given up the same ways) is sent it too,
// as the late update: its incident otherwise closed at the grade it last
// had, the Sev0 never on record there.

import type { AlertEvent } from "./alert-event.js";
import { storedInstant } from "./instant.js";
import { episodeStart } from "./routing.js";
import { utcMinute } from "./utc-time.js";

/**
 * The late page for a resolve, or null when there is no event before it to
 * stand for. `missed`: what the receiver lacks, the whole episode ("page")
 * or only what it was told last ("update").
 */
export function latePageOf(
  resolve: AlertEvent,
  missed: "page" | "update" = "page",
): AlertEvent | null {
  const sequence = resolve.sequence - 1;
  const opened = episodeStart(resolve);
  if (resolve.action !== "resolve" || sequence < 1 || sequence < opened) return null;
  const told: AlertEvent = { ...resolve };
  // The resolve's own word on how it is now.
  delete told.resolution;
  return {
    ...told,
    id: `${resolve.key}-${sequence}`,
    // Any event but a resolve is a trigger to PagerDuty; the open when it is one.
    action: sequence === opened ? "open" : "repeat",
    sequence,
    previousSeverity: null,
    // Said first, as the BLIND pages say theirs: woken for it, on call reads
    // on the phone that it is over before anything else.
    title: `LATE, already resolved: ${resolve.title}`,
    change: `Late: erwatch could not deliver ${missed === "page" ? "this page" : `this update (${resolve.severity}, what it was last told)`} while the alert was open; it resolved at ${utcMinute(resolve.occurredAt)}, and its resolve follows`,
    // When it began, as the incident's time: it is not news from now.
    occurredAt: storedInstant(resolve.firstSeen) !== null ? resolve.firstSeen : resolve.occurredAt,
  };
}
