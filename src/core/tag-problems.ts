// The circuit's erwatch tags it reads without (a misspelt tag name, a value
// it does not take), kept with its snapshot. The sweep's log warned of each
// at every read, and nowhere an operator looks said it: erwatch:expect-gateways
// on a Global Reach-only circuit paged its missing gateway every sweep while
// the page read all well. Said on the status page, never paged: the tag is
// the circuit owner's to fix, and the defaults in its place still watch it.

import type { CircuitReading } from "./model.js";
import type { Snapshot } from "./snapshot.js";

/**
 * As the last reading of the circuit gave them; a circuit not read keeps
 * those it had, as its tags may have come from no listing this time.
 */
export function tagProblemsOf(
  reading: CircuitReading,
  previous: Snapshot | null,
): Pick<Snapshot, "tagProblems"> {
  const problems = reading.circuit.ok
    ? (reading.tagProblems ?? [])
    : keptTagProblems(previous?.tagProblems);
  return problems.length > 0 ? { tagProblems: problems } : {};
}

/** As stored: anything but a list of words (a hand edit, another erwatch) is none. */
export function keptTagProblems(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === "string") : [];
}
