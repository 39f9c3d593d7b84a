// A fleet alert has no silence of its own: silences name circuits, and the
// fleet's subject is a place. Announced carrier maintenance at a site is
// silenced circuit by circuit, so when every circuit a fleet alert names is
// silenced, the group page is silenced with them (recorded, not notified; if
// the outage outlives the silences it is notified then, as any silenced alert
// is). One member that is not silenced is news, and the group pages; a
// silenced member is not announced by it (no `Wider:` for a circuit under
// maintenance) until its silence ends with the circuit still down.

import type { FleetMember } from "./fleet-members.js";
import type { PathName } from "./model.js";
import type { Silence } from "./policy.js";
import { activeSilence } from "./silence.js";

const PATH_NAMES: readonly string[] = ["primary", "secondary"];

type Member = Pick<FleetMember, "id" | "name" | "paths">;

/** The members a silence covers now, by lower-case id, with the silence that does. */
export function silencedMembers(
  members: readonly Member[],
  silences: readonly Silence[],
  now: Date,
  onBroken?: (silence: Silence, error: Error) => void,
): Map<string, Silence> {
  const quiet = new Map<string, Silence>();
  for (const m of members) {
    // The member's peering is not kept in the fleet alert: a peering-scoped
    // silence does not cover it, and the group pages rather than go quiet.
    const found = activeSilence(
      [...silences],
      {
        circuitId: m.id,
        circuitName: m.name,
        peering: null,
        paths: m.paths.filter((p): p is PathName => PATH_NAMES.includes(p)),
      },
      now,
      onBroken,
    );
    if (found) quiet.set(m.id.toLowerCase(), found);
  }
  return quiet;
}

/**
 * The silence standing for the whole group, or null: every member in `quiet`
 * (silencedMembers). `fleetCircuitId` is the fleet alert's subject; the result
 * matches it for the instant `now` only, and names the members' own silences.
 */
export function fleetSilence(
  fleetCircuitId: string,
  members: readonly Member[],
  quiet: ReadonlyMap<string, Silence>,
  now: Date,
): Silence | null {
  if (members.length === 0 || !members.every((m) => quiet.has(m.id.toLowerCase()))) return null;
  const ids = [...new Set([...quiet.values()].map((s) => s.id))];
  return {
    id: ids.join(", "),
    circuit: fleetCircuitId,
    comment: `every circuit in it is silenced: ${members.map((m) => m.name).join(", ")}`,
    window: {
      kind: "once",
      start: now.toISOString(),
      end: new Date(now.getTime() + 1).toISOString(),
    },
  };
}
