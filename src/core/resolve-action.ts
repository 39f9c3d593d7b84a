// What a resolve tells the reader: what to do, and how it reads now.
//
// What to do is one sentence for every resolve: "confirm traffic is back and
// close any carrier ticket" was sent after a prefix count or a busy link fell
// back (traffic never stopped), after erwatch could read again, and after a
// circuit was deleted or ignored, when nothing was seen to recover at all.
//
// How it reads now: a resolve carries its condition as last seen firing (its
// evidence and ticket) under the title the receivers were last sent
// (last-told.ts), since that is what they hold.
// Repeated as if live, a card said "3,820 of 4,000 — reaches 4,000 in about
// 3 min" over a layer table reading 120 of 4,000. `resolution` is what the
// resolve leads with instead, read from the sweep that resolved it.

import { thousands } from "./text.js";
import {
  PATHS,
  TABLE_LAYERS,
  type AlertFamily,
  type Layer,
  type LayerCell,
  type Owner,
  type PathName,
  type PeeringVerdict,
  type TableLayer,
} from "./model.js";
import { sameName } from "./names.js";
import { LAYER_WORDS, STATUS_WORDS } from "./vocabulary.js";

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

/** The resolution of a resolve for a circuit erwatch stopped watching: no reading says how it is. */
export function retiredResolution(why: string): string {
  return `not watched any more (${why}): erwatch did not see it clear and cannot say how it is`;
}

/** What a resolved alert is about, as its state and last condition hold it. */
export interface ResolvedAlert {
  family: AlertFamily;
  layer: Layer;
  peering: string | null;
  paths: PathName[];
  /** The last firing evidence: a route-limit alert's says which family's count it was. */
  evidence: Record<string, unknown>;
}

/**
 * Families whose table row is not the reading that cleared them: a stop in
 * traffic is raised on the routes layer, cleared by throughput (the capacity
 * row); a drift, a blind read and a fleet of circuits have no row of their own.
 */
const ROW_OF: Partial<Record<AlertFamily, TableLayer>> = { traffic: "capacity" };
const NO_ROW: Partial<Record<AlertFamily, (layer: Layer) => string>> = {
  "config-drift": () => "the running configuration matches the declared baseline",
  "monitoring-blind": () => "erwatch reads again",
  fleet: (layer) =>
    `the circuits are no longer down together at ${LAYER_WORDS[layer].label}; a circuit still broken alone has its own alert`,
};

/**
 * How the alert reads at the sweep that resolved it, in words the layer table
 * uses: "provider / L2 ok · ARP complete (2 entries) on both paths of
 * AzurePrivatePeering", "received prefixes on AzurePrivatePeering: primary
 * 120 of 4,000, secondary 118 of 4,000". `peerings` is that sweep's verdict:
 * an alert about no one peering (saturation, the provider) reads them all.
 */
export function resolution(alert: ResolvedAlert, peerings: readonly PeeringVerdict[]): string {
  const none = NO_ROW[alert.family];
  if (none) return none(alert.layer);
  const tables =
    alert.peering === null ? peerings : peerings.filter((p) => sameName(p.name, alert.peering));
  const paths = alert.paths.length > 0 ? alert.paths : [...PATHS];
  const of = alert.peering !== null && tables[0] ? ` of ${tables[0].name}` : "";
  if (alert.family === "route-limit" && alert.peering !== null && tables[0])
    return prefixWords(tables[0], paths, alert.evidence["family"] === "ipv6");
  const row = ROW_OF[alert.family] ?? tableLayer(alert.layer);
  if (row === null || tables.length === 0) return "no longer seen by erwatch's latest sweep";
  // The same link under every peering (capacity) reads once; peerings that differ each say theirs.
  let perPeering = false;
  const said = paths.map((path) => {
    const cells = [...new Set(tables.map((t) => cellWords(t.paths[path]?.[row])))];
    if (cells.length === 1) return cells[0]!;
    perPeering = true;
    return tables.map((t) => `${t.name} ${cellWords(t.paths[path]?.[row])}`).join(", ");
  });
  const label = LAYER_WORDS[row].label;
  const where = paths.length === 2 ? "both paths" : `the ${paths[0]!} path`;
  if (new Set(said).size === 1)
    return perPeering
      ? `${label} on ${where}${of}: ${said[0]!}`
      : `${label} ${said[0]!} on ${where}${of}`;
  return `${label}${of}: ${paths.map((path, i) => `${path} ${said[i]!}`).join("; ")}`;
}

function tableLayer(layer: Layer): TableLayer | null {
  return (TABLE_LAYERS as readonly Layer[]).includes(layer) ? (layer as TableLayer) : null;
}

/** "ok · ARP complete (2 entries)", as the card's layer table writes a cell. */
function cellWords(cell: LayerCell | undefined): string {
  if (!cell) return "not read";
  return cell.detail ? `${STATUS_WORDS[cell.status]} · ${cell.detail}` : STATUS_WORDS[cell.status];
}

/** "received prefixes on AzurePrivatePeering: primary 120 of 4,000"; IPv6's against its own limit. */
function prefixWords(table: PeeringVerdict, paths: PathName[], ipv6: boolean): string {
  const counts = ipv6 ? table.ipv6?.prefixes : table.prefixes;
  const limits = ipv6 ? table.ipv6?.limits : table.limits;
  const each = paths.map((path) => {
    const count = counts?.[path] ?? null;
    const limit = limits?.[path] ?? null;
    if (count === null) return `${path} no count (session not Established)`;
    return limit === null
      ? `${path} ${thousands(count)}`
      : `${path} ${thousands(count)} of ${thousands(limit)}`;
  });
  return `received ${ipv6 ? "IPv6 " : ""}prefixes on ${table.name}: ${each.join(", ")}`;
}
