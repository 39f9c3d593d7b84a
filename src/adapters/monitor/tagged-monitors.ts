// A circuit's erwatch:connection-monitor tag declares which monitors test it.
// A name or id there that the region's Network Watcher does not have (the
// monitor renamed, deleted and recreated, or the tag misspelt) used to be
// dropped in silence: with no other, the circuit read "no Connection Monitor
// tests this circuit", with another, "up" on that one alone. Each is a
// failed read naming it, with what to put in the tag instead.

import type { UnreadMonitor } from "../../core/dataplane/facts.js";
import { TAGS } from "../../core/circuit-settings.js";
import { ARM_OPERATIONS } from "../arm/operations.js";
import type { MonitorFacts } from "../arm/wire/network-watcher.js";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether the tag's entry (a name or a resource id) is this monitor. */
export const isNamed = (entry: string, m: Pick<MonitorFacts, "name" | "id">): boolean =>
  same(entry, m.name) || same(entry, m.id);

/** The monitors there, as the tag could name them: a few, for the message. */
function there(monitors: readonly MonitorFacts[]): string {
  if (monitors.length === 0) return "it has none";
  const shown = monitors.slice(0, 5).map((m) => `${m.name} (${m.id})`);
  return `it has ${shown.join(", ")}${monitors.length > 5 ? ` and ${monitors.length - 5} more` : ""}`;
}

/** The tag's entries that name no monitor of the region's Network Watcher, each as a failed read. */
export function missingTagged(
  named: readonly string[],
  monitors: readonly MonitorFacts[],
  where: { subscriptionId: string; region: string },
): UnreadMonitor[] {
  return named
    .filter((n) => !monitors.some((m) => isNamed(n, m)))
    .map((n) => {
      const byId = n.startsWith("/");
      const name = n.split("/").pop() ?? n;
      const instead = byId
        ? `a monitor outside that Network Watcher is read only by id with the circuit's ${TAGS.workspace} tag naming its workspace; else tag the monitor's current resource id`
        : `tag the circuit with the monitor's current name or, better, its resource id (/subscriptions/${where.subscriptionId}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_${where.region}/connectionMonitors/<name>, as the portal's JSON view shows it)`;
      return {
        monitor: name,
        monitorId: byId ? n : null,
        readElsewhere: false,
        failure: {
          kind: "not-found",
          call: ARM_OPERATIONS.listConnectionMonitors,
          target: `connection monitor ${name} named by the circuit's ${TAGS.connectionMonitor} tag`,
          message: `the Network Watcher of ${where.region} in subscription ${where.subscriptionId} has no Connection Monitor ${byId ? "of that id" : "of that name"} (renamed, deleted, or misspelt in the tag); ${there(monitors)}: ${instead}`,
        },
      };
    });
}
