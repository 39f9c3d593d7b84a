// A fleet alert has no silence of its own: silences name circuits, and the
// fleet's subject is a place. Announced carrier maintenance at a site is
// silenced circuit by circuit, so when every circuit a fleet alert names is
// silenced, the group page is silenced with them (recorded, not notified; if
// the outage outlives the silences it is notified then, as any silenced alert
// is). One member that is not silenced is news, and the group pages.

import type { FleetMember } from "./fleet-members.js";
import type { PathName } from "./model.js";
import type { Silence } from "./policy.js";
import { activeSilence } from "./silence.js";

const PATH_NAMES: readonly string[] = ["primary", "secondary"];

/**
 * The silence standing for the whole group, or null. `fleetCircuitId` is the
 * fleet alert's subject; the result matches it for the instant `now` only, and
 * names the members' own silences.
 */
export function fleetSilence(
  fleetCircuitId: string,
  members: readonly Pick<FleetMember, "id" | "name" | "paths">[],
  silences: readonly Silence[],
  now: Date,
  onBroken?: (silence: Silence, error: Error) => void,
): Silence | null {
  if (members.length === 0) return null;
  const covering: Silence[] = [];
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
    if (!found) return null;
    covering.push(found);
  }
  const ids = [...new Set(covering.map((s) => s.id))];
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
