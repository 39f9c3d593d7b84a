// What a resolve tells the reader to do. One sentence for every resolve sent
// "confirm traffic is back and close any carrier ticket" after a prefix count
// or a busy link fell back (traffic never stopped), after erwatch could read
// again, and after a circuit was deleted or ignored, when nothing was seen to
// recover at all.

import type { AlertFamily, Owner } from "./model.js";

/** Families whose alert never said traffic stopped: their resolve says what is back to normal instead. */
const NOT_AN_OUTAGE: Partial<Record<AlertFamily, string>> = {
  "route-limit": "Nothing to do: the received-prefix count is back under the warning line.",
  capacity: "Nothing to do: throughput is back under the saturation line.",
  "config-drift": "Nothing to do: the running configuration matches the declared baseline again.",
  "monitoring-blind": "Nothing to do: erwatch reads again.",
};

/** The next action of a resolve the sweep saw clear. */
export function resolvedNextAction(family: AlertFamily, owner: Owner): string {
  const words = NOT_AN_OUTAGE[family];
  if (words) return words;
  // A ticket is only the carrier's to close when the carrier was asked.
  return owner === "you"
    ? "Nothing to do: confirm traffic is back."
    : "Nothing to do: confirm traffic is back and close any carrier ticket.";
}

/** The next action of a resolve for a circuit erwatch stopped watching: nothing was seen to clear. */
export function retiredNextAction(why: string): string {
  return `Not a recovery: erwatch stopped watching (${why}) and did not see this clear. If the circuit still carries traffic, check it yourself or watch it again.`;
}
