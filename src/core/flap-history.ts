// What each address family's flap is made of, from one peering's history in
// the flap window. IPv4's changes are the path's up/down and its resets; an
// IPv6 session's are its neighbor going down and back beside an Established
// IPv4 one (the BGP row's up ↔ warn) and its own resets. An IPv6 reset seen in
// the same read as an IPv4 reset on that path is the path's (the link dropped
// both sessions at once): counted once, as IPv4's, so a layer-1 blip is one
// flap and not a second IPv6 alert judged as an IPv6 session fault.
//
// A peering set Disabled and Enabled again is an admin action, not a flap: the
// stop (its paths going down as the peering goes Disabled) and the first time
// each path comes up after it is Enabled again are no change of its sessions.
// Counted, they reopened a flap that had calmed (the peering-disabled alert
// already says the sessions are shut) and kept a flap's window open longer.
// The peering's own row says so, not the BGP row going n/a: that is n/a as
// well while the carrier has the circuit NotProvisioned, and a carrier
// dropping and restoring a site is the flap to page. A deleted peering writes
// no change at all: its rows leave the snapshot.

import {
  sampleFamily,
  type LayerTransition,
  type PrefixSample,
  type SessionReset,
} from "./history.js";
import type { PathName } from "./model.js";
import { PATHS } from "./model.js";
import { saysPeeringShut } from "./path-analysis.js";
import type { AddressFamily } from "./route-limits.js";

export interface FlapHistory {
  paths: LayerTransition[];
  arp: LayerTransition[];
  bgp: LayerTransition[];
  /**
   * The BGP row's up ↔ warn changes: an IPv6 session down and up beside an
   * Established IPv4 one, less the warn → up that ends a path outage's tail.
   */
  ipv6: LayerTransition[];
  resets: SessionReset[];
  samples: PrefixSample[];
}

/**
 * An IPv6 session going down or coming back while IPv4 stays Established: the
 * BGP row warns only for that (path-analysis.ts), so up ↔ warn is exactly it.
 * History written before IPv6 changes were counted holds these rows already.
 */
export const ipv6SessionChange = (t: LayerTransition): boolean =>
  t.layer === "bgp" &&
  ((t.before === "up" && t.after === "warn") || (t.before === "warn" && t.after === "up"));

/**
 * The peering row going to, or leaving, the peering not Enabled, on one path
 * (a row is written only when its status changes: leaving it is the enable).
 */
const peeringShut = (t: LayerTransition) =>
  t.layer === "peering" && saysPeeringShut(t.after, t.afterDetail);
const peeringBack = (t: LayerTransition) =>
  t.layer === "peering" && saysPeeringShut(t.before, t.beforeDetail);

const atMs = (t: LayerTransition) => Date.parse(t.at);

/**
 * The changes the peering's admin state made on a path's row (or, with `rows`
 * the BGP row's, on its IPv6 session): the stop read in the same sweep as the
 * peering row going Disabled, and the row's first change after the peering
 * row came back when it is the session coming up (most often the same sweep,
 * or a read later when it takes its time to establish). The enable may be in
 * the window while the disable has left it; it alone tells the start.
 */
function adminChanges(
  rows: LayerTransition[],
  peering: LayerTransition[],
  cameUp: (t: LayerTransition) => boolean,
): Set<LayerTransition> {
  const admin = new Set<LayerTransition>();
  for (const t of rows)
    if (peering.some((p) => peeringShut(p) && p.path === t.path && p.at === t.at)) admin.add(t);
  for (const back of peering.filter(peeringBack)) {
    const first = rows
      .filter((t) => t.path === back.path && atMs(t) >= atMs(back))
      .sort((a, b) => atMs(a) - atMs(b))[0];
    if (first && cameUp(first)) admin.add(first);
  }
  return admin;
}

/**
 * The IPv6 session's own changes. After the link drops both sessions, IPv4
 * often re-establishes a read before IPv6 does (down → warn → up): that warn
 * began with the path's outage, so the warn → up ending it is the tail of the
 * carrier's flap, not a change of the IPv6 session's (counted as IPv6's, four
 * such outages in an hour raised a second flap alert blaming your IPv6 config).
 * So is the warn → up of IPv6 coming up a read after IPv4 once the peering is
 * Enabled again (n/a → warn → up): the session coming up after an admin enable.
 */
function ipv6Changes(bgp: LayerTransition[], peering: LayerTransition[]): LayerTransition[] {
  const enabled = adminChanges(bgp, peering, (t) => t.before === "n/a");
  const inOrder = [...bgp].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return inOrder.filter((t, i) => {
    if (!ipv6SessionChange(t)) return false;
    if (t.before !== "warn") return true;
    const began = inOrder
      .slice(0, i)
      .reverse()
      .find((o) => o.path === t.path);
    return !(began && began.after === "warn" && (began.before === "down" || enabled.has(began)));
  });
}

export function flapHistory(
  entries: (LayerTransition | SessionReset | PrefixSample)[],
): FlapHistory {
  const transitions = (layer: LayerTransition["layer"]) =>
    entries.filter((e): e is LayerTransition => e.kind === "transition" && e.layer === layer);
  const peering = transitions("peering");
  const bgp = transitions("bgp");
  const admin = adminChanges(transitions("path"), peering, (t) => t.after === "up");
  return {
    paths: transitions("path").filter((t) => !admin.has(t)),
    arp: transitions("provider"),
    bgp,
    ipv6: ipv6Changes(bgp, peering),
    resets: entries.filter((e): e is SessionReset => e.kind === "reset"),
    samples: entries.filter((e): e is PrefixSample => e.kind === "prefixes"),
  };
}

/** An IPv6 reset the same read saw IPv4 reset beside it on that path. */
const withIpv4 = (h: FlapHistory, r: SessionReset) =>
  h.resets.some((o) => sampleFamily(o) === "ipv4" && o.path === r.path && o.at === r.at);

/** The resets a family's flap counts: IPv6's own only, the shared ones are the path's. */
export function resetsOf(h: FlapHistory, family: AddressFamily): SessionReset[] {
  return h.resets.filter(
    (r) => sampleFamily(r) === family && (family === "ipv4" || !withIpv4(h, r)),
  );
}

/** The up/down changes a family's flap counts, resets aside. */
export const changesOf = (h: FlapHistory, family: AddressFamily): LayerTransition[] =>
  family === "ipv4" ? h.paths : h.ipv6;

export type PerPath = Record<PathName, number>;

const perPath = (list: { path: PathName }[]): PerPath =>
  Object.fromEntries(PATHS.map((p) => [p, list.filter((e) => e.path === p).length])) as PerPath;

/** Each path's changes for a family, a reset counting as two (down and up again). */
export function familyCounts(
  h: FlapHistory,
  family: AddressFamily,
): { counts: PerPath; resets: PerPath } {
  const changes = perPath(changesOf(h, family));
  const resets = perPath(resetsOf(h, family));
  const counts = Object.fromEntries(PATHS.map((p) => [p, changes[p] + 2 * resets[p]])) as PerPath;
  return { counts, resets };
}

/**
 * What the carrier's ticket for an IPv4 flap shows: the link's record, without
 * the IPv6 session's own changes and resets (its own alert; they are no
 * evidence about the link).
 */
export function linkHistory(h: FlapHistory): FlapHistory {
  const ipv6Own = new Set(resetsOf(h, "ipv6"));
  return {
    ...h,
    bgp: h.bgp.filter((t) => !h.ipv6.includes(t)),
    ipv6: [],
    resets: h.resets.filter((r) => !ipv6Own.has(r)),
  };
}
