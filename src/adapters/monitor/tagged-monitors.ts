// A circuit's erwatch:connection-monitor tag declares which monitors test it.
// A name or id there that no Network Watcher searched has (the circuit's
// region's, and its gateways' regions'; the monitor renamed, deleted and
// recreated, or the tag misspelt) used to be
// dropped in silence: with no other, the circuit read "no Connection Monitor
// tests this circuit", with another, "up" on that one alone. Each is a
// failed read naming it, with what to put in the tag instead.

import type { UnreadMonitor } from "../../core/dataplane/facts.js";
import { TAGS } from "../../core/circuit-settings.js";
import { ARM_OPERATIONS } from "../arm/operations.js";
import type { MonitorFacts } from "../arm/wire/network-watcher.js";
import type { Place } from "./monitor-places.js";

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

/** The Network Watchers searched, as the message names them. */
function searched(places: readonly Place[]): string {
  const one = (p: Place) => `${p.region} in subscription ${p.subscriptionId}`;
  if (places.length === 1) return `the Network Watcher of ${one(places[0]!)} has`;
  return `the Network Watchers of ${one(places[0]!)} and of its gateways' regions (${places.slice(1).map(one).join(", ")}) have`;
}

/**
 * "subscription sub-1 has no Network Watcher in westeurope, nor subscription
 * sub-2 in northeurope": each subscription searched, with its regions. The
 * words named the circuit's subscription alone, as if it lacked them all.
 */
function noneIn(places: readonly Place[]): string {
  const bySubscription = new Map<string, string[]>();
  for (const p of places) {
    const regions = bySubscription.get(p.subscriptionId) ?? [];
    if (!regions.includes(p.region)) regions.push(p.region);
    bySubscription.set(p.subscriptionId, regions);
  }
  return [...bySubscription]
    .map(([id, regions], i) =>
      i === 0
        ? `subscription ${id} has no Network Watcher in ${regions.join(" or ")}`
        : `nor subscription ${id} in ${regions.join(" or ")}`,
    )
    .join(", ");
}

/** Where a tag entry was looked for: the Network Watchers asked, or the regions that have none. */
type Searched = { watchers: readonly string[] } | { noWatcherIn: readonly string[] };

/**
 * The failed read of a tag entry naming no monitor there, with where it was
 * looked for: the end-to-end row names both.
 */
function notThere(entry: string, message: string, searched: Searched): UnreadMonitor {
  const name = entry.split("/").pop() ?? entry;
  return {
    monitor: name,
    monitorId: entry.startsWith("/") ? entry : null,
    readElsewhere: false,
    failure: {
      kind: "not-found",
      call: ARM_OPERATIONS.listConnectionMonitors,
      target: `connection monitor ${name} named by the circuit's ${TAGS.connectionMonitor} tag`,
      message,
      monitors: [name],
      ...("watchers" in searched
        ? searched.watchers.length > 0
          ? { networkWatchers: [...searched.watchers] }
          : {}
        : { noNetworkWatcherIn: [...searched.noWatcherIn] }),
    },
  };
}

/**
 * A resource id the tag gives (with erwatch:workspace) that the Network
 * Watcher it names does not have; `monitors` null when that watcher is gone.
 */
export function missingById(
  entry: string,
  watcher: { name: string; resourceGroup: string; subscriptionId: string },
  monitors: readonly MonitorFacts[] | null,
): UnreadMonitor {
  const where = `the Network Watcher ${watcher.name} (resource group ${watcher.resourceGroup}, subscription ${watcher.subscriptionId})`;
  return notThere(
    entry,
    monitors === null
      ? `${where} that the id names is not there, nor is the monitor (deleted, or misspelt in the tag): tag the monitor's current resource id`
      : `${where} has no Connection Monitor of that id (renamed, deleted, or misspelt in the tag); ${there(monitors)}: tag the monitor's current resource id`,
    { watchers: [watcher.name] },
  );
}

/**
 * The tag's entries that name no monitor of the Network Watchers searched,
 * each as a failed read. `places` starts with the circuit's own, each with
 * the Network Watchers listed there when known.
 */
export function missingTagged(
  named: readonly string[],
  monitors: readonly MonitorFacts[],
  places: readonly [Place & { watchers?: string[] }, ...(Place & { watchers?: string[] })[]],
): UnreadMonitor[] {
  const watchers = places.flatMap((p) => p.watchers ?? []);
  const where = places[0];
  const absent = places.every((p) => p.watchers?.length === 0);
  const unnamed = named.filter((n) => !monitors.some((m) => isNamed(n, m)));
  // No Network Watcher to ask: "it has none" and a NetworkWatcher_<region> id
  // to tag pointed at a watcher that is not there.
  if (absent)
    return unnamed.map((n) =>
      notThere(
        n,
        `${noneIn(places)}, so no Connection Monitor there (Azure creates one per region on first use; it may have been deleted): a monitor of another region or subscription is read by its resource id with the circuit's ${TAGS.workspace} tag naming its workspace`,
        { noWatcherIn: [...new Set(places.map((p) => p.region))] },
      ),
    );
  return unnamed.map((n) => {
    const byId = n.startsWith("/");
    const instead = byId
      ? `a monitor outside ${places.length === 1 ? "that Network Watcher" : "those Network Watchers"} is read only by id with the circuit's ${TAGS.workspace} tag naming its workspace; else tag the monitor's current resource id`
      : `tag the circuit with the monitor's current name or, better, its resource id (/subscriptions/${where.subscriptionId}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_${where.region}/connectionMonitors/<name>, as the portal's JSON view shows it)`;
    return notThere(
      n,
      `${searched(places)} no Connection Monitor ${byId ? "of that id" : "of that name"} (renamed, deleted, or misspelt in the tag); ${there(monitors)}: ${instead}`,
      { watchers },
    );
  });
}
