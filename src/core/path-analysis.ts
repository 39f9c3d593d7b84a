// Fills the lower four rows of the layer table for one peering and path, from
// the bottom up, and says which row is the lowest one broken. Unknown (a read
// that failed) is never treated as down or up.

import { thousands } from "./text.js";
import { LEFT_OUT_OF_BODY } from "./unknown-trouble.js";
import { assessArp, type ArpVerdict } from "./arp.js";
import { bgpStateHint, parseStatePfxRcd, type BgpSession } from "./bgp-state.js";
import type {
  ArpRow,
  BgpNeighborRow,
  CircuitFacts,
  LayerCell,
  PathName,
  PathReading,
  PeeringFacts,
  ReadFailure,
} from "./model.js";
import {
  loadsOf,
  prefixLoad,
  routeLimitFor,
  type AddressFamily,
  type FamilyLoads,
  type PrefixLoad,
  type RouteLimitSettings,
} from "./route-limits.js";

export type PathLayer = "provider" | "bgp" | "peering" | "routes";
const ORDER: readonly PathLayer[] = ["provider", "bgp", "peering", "routes"];

export interface NeighborState {
  neighbor: string;
  family: AddressFamily;
  session: BgpSession;
  /** Present when Established. */
  limit: number | null;
  load: PrefixLoad | null;
  percent: number | null;
}

export interface PathAnalysis {
  path: PathName;
  cells: Record<PathLayer, LayerCell>;
  arpRows: ArpRow[] | null;
  arpVerdict: ArpVerdict | null;
  neighborRows: BgpNeighborRow[] | null;
  neighbors: NeighborState[];
  /** IPv4 received-prefix count when Established. */
  prefixes: number | null;
  prefixLimit: number | null;
  prefixPercent: number | null;
  /** The IPv6 session's count and limit when it is Established: held apart, never added to IPv4's. */
  ipv6Prefixes: number | null;
  ipv6Limit: number | null;
  /** The first row, bottom-up, that is down (or, for routes, near the limit). */
  lowest: PathLayer | null;
  /**
   * A Microsoft peering whose IPv4 prefixes are validated and IPv6 ones are not:
   * the IPv6 state. Its own finding, never the path's lowest layer (IPv4 carries on).
   */
  ipv6Validation: string | null;
  /** Only IPv6 sessions down (IPv4 Established): the row's detail. Its own finding, never `lowest`. */
  ipv6Down: string | null;
  /**
   * IPv4 carrying beside an IPv6 state erwatch does not understand, named.
   * IPv6 is then neither down nor up: no IPv6 finding, no IPv6 count.
   */
  ipv6Unknown: string | null;
  /**
   * An IPv6 session Established with 0 prefixes received while IPv4 carries
   * beside it: "0 IPv6 prefixes received". Its own finding, never `lowest`.
   */
  ipv6Empty: string | null;
  /** Layers below `lowest` that could not be read: the real cause may hide there. */
  unknownBelow: PathLayer[];
  /**
   * Each family's near-limit load, the next sweep's `was`: the previous one's
   * kept while the route summary cannot be read (a failed read says nothing
   * of the count), none while the session is down (back, it is judged anew).
   */
  loads: FamilyLoads;
  readAt: { arp: string; summary: string };
}

const cell = (status: LayerCell["status"], detail: string): LayerCell => ({ status, detail });

function providerCell(
  circuit: CircuitFacts,
  reading: PathReading,
  subnet: string | null,
  provenBy: string | null,
): { cell: LayerCell; rows: ArpRow[] | null; verdict: ArpVerdict | null } {
  const state = circuit.serviceProviderProvisioningState;
  if (state === null) {
    return { cell: cell("unknown", LEFT_OUT_OF_BODY.provider), rows: null, verdict: null };
  }
  if (state !== "Provisioned") {
    return { cell: cell("down", `provider ${state}`), rows: null, verdict: null };
  }
  if (!reading.arp.ok) {
    return {
      cell: cell("unknown", `ARP read failed: ${reading.arp.error.kind}`),
      rows: null,
      verdict: null,
    };
  }
  if (reading.arp.ok === "proven") {
    return { cell: cell("up", `ARP not read: ${reading.arp.by}`), rows: null, verdict: null };
  }
  const verdict = assessArp(reading.arp.value, subnet);
  // Not known to be down: UNKNOWN like a table that could not be read (a
  // session that receives prefixes still proves layer 2 works).
  if (!verdict.healthy && verdict.problem === "unplaced")
    return {
      cell: provenBy
        ? cell("up", `${verdict.detail}, yet ${provenBy}: L2 works`)
        : cell("unknown", verdict.detail),
      rows: reading.arp.value,
      verdict: null,
    };
  // A layer cannot be down while one that runs over it works: an odd ARP table
  // under a session that receives prefixes is a note (warn), never layer 2 down.
  const status = verdict.healthy ? "up" : provenBy ? "warn" : "down";
  const detail =
    !verdict.healthy && provenBy ? `${verdict.detail}, yet ${provenBy}: L2 works` : verdict.detail;
  return {
    cell: cell(status, detail),
    rows: reading.arp.value,
    verdict,
  };
}

/**
 * A neighbor's address family. ARM's `v` is the BGP version spoken to the
 * neighbor (4 for every session, IPv6 ones included, as `show bgp summary`
 * prints it), so the neighbor's address decides; a `v` of 6 is kept as IPv6.
 */
export function familyOf(row: BgpNeighborRow): AddressFamily {
  return IPV6_ADDRESS.test(row.neighbor.trim()) || row.v === 6 ? "ipv6" : "ipv4";
}

/**
 * Whether IPv6 carries on a path, from its route summary: an IPv6 session
 * Established with prefixes received. A peering without IPv6 never does.
 */
export function ipv6Carries(rows: readonly BgpNeighborRow[]): boolean {
  return rows.some((row) => {
    if (familyOf(row) !== "ipv6") return false;
    const session = parseStatePfxRcd(row.statePfxRcd);
    return session.kind === "established" && session.prefixes > 0;
  });
}

/** An IPv6 literal: hex groups and at least two colons (an IPv4 tail allowed); text that merely holds a colon is not one. */
const IPV6_ADDRESS = /^[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*$/i;

function analyseNeighbors(
  rows: BgpNeighborRow[],
  peering: PeeringFacts,
  skuTier: string | null,
  limits: RouteLimitSettings,
  was: FamilyLoads,
): NeighborState[] {
  return rows.map((row) => {
    const family = familyOf(row);
    const session = parseStatePfxRcd(row.statePfxRcd);
    if (session.kind !== "established") {
      return { neighbor: row.neighbor, family, session, limit: null, load: null, percent: null };
    }
    const limit = routeLimitFor(peering.peeringType, skuTier, family, limits);
    const { load, percent } = prefixLoad(session.prefixes, limit, limits, was[family] ?? null);
    return { neighbor: row.neighbor, family, session, limit, load, percent };
  });
}

/**
 * The BGP row of a path that carries traffic: Established, or IPv4 Established
 * beside an IPv6 session down or in a state not understood.
 */
export const sessionCarries = (bgp: Pick<LayerCell, "status"> | null): boolean =>
  bgp?.status === "up" || bgp?.status === "warn";

/**
 * An IPv6 neighbor in a state erwatch does not understand while an IPv4 one
 * is Established with prefixes and nothing is down: "IPv6 state "NoNeg" not
 * understood (fd00::1)". Null otherwise.
 */
function ipv6NotUnderstood(neighbors: NeighborState[]): string | null {
  if (neighbors.some((n) => n.session.kind === "down")) return null;
  const odd = neighbors.filter((n) => n.session.kind === "unrecognised");
  const ipv4Carries = neighbors.some(
    (n) => n.family === "ipv4" && n.session.kind === "established" && n.session.prefixes > 0,
  );
  if (odd.length === 0 || !ipv4Carries || odd.some((n) => n.family === "ipv4")) return null;
  const first = odd[0]!;
  const raw = first.session.kind === "unrecognised" ? first.session.raw : "";
  return `IPv6 state "${raw}" not understood (${first.neighbor})`;
}

function bgpCell(neighbors: NeighborState[], readFailed: ReadFailure | null): LayerCell {
  if (readFailed) return cell("unknown", `route summary read failed: ${readFailed.kind}`);
  if (neighbors.length === 0) return cell("down", "no BGP neighbor reported");
  const down = neighbors.find((n) => n.session.kind === "down");
  if (down && down.session.kind === "down") {
    const q = down.session.qualifier ? ` (${down.session.qualifier})` : "";
    // Only IPv6 sessions down while an IPv4 one is Established: the path still
    // carries IPv4 traffic, so the row warns (its own finding) and is not down.
    const ipv6Only =
      neighbors.every((n) => n.session.kind !== "down" || n.family === "ipv6") &&
      neighbors.some((n) => n.family === "ipv4" && n.session.kind === "established");
    if (ipv6Only)
      return cell("warn", `IPv6 ${down.session.state}${q} (${down.neighbor}); IPv4 Established`);
    // Down for IPv4: the row names IPv4's state, whatever order Azure lists the
    // neighbors in (an IPv6 one shut at its own limit is not why the path is down).
    const v4 = neighbors.find((n) => n.session.kind === "down" && n.family === "ipv4");
    const named = v4 ?? down;
    const session = named.session.kind === "down" ? named.session : down.session;
    const nq = session.qualifier ? ` (${session.qualifier})` : "";
    return cell("down", `${session.state}${nq} (${named.neighbor})`);
  }
  // IPv4 carrying beside an IPv6 state not understood: the path carries IPv4
  // traffic, so only IPv6's judgement is unknown (neither down nor up).
  const v6 = ipv6NotUnderstood(neighbors);
  if (v6) return cell("warn", `${v6}; IPv4 Established`);
  // IPv4's own state not understood leaves the row unknown, whatever IPv6
  // does: IPv4 is the family most traffic rides.
  const odd = neighbors.filter((n) => n.session.kind === "unrecognised");
  const named = odd.find((n) => n.family === "ipv4") ?? odd[0];
  if (named && named.session.kind === "unrecognised")
    return cell("unknown", `unrecognised BGP state "${named.session.raw}"`);
  return cell("up", "Established");
}

/**
 * A Microsoft peering's IPv6 public prefixes are validated apart from its IPv4
 * ones: their state when IPv6 is enabled and they are not (yet) Configured,
 * else null (no IPv6, IPv6 disabled, validated, or not reported).
 */
export function ipv6Unvalidated(peering: PeeringFacts): string | null {
  const v6 = peering.ipv6;
  if (!v6 || v6.state === "Disabled" || peering.peeringType.toLowerCase() !== "microsoftpeering")
    return null;
  const state = v6.advertisedPublicPrefixesState;
  return state === null || state === "Configured" ? null : state;
}

/** IPv6 enabled (or of unknown state) on a Microsoft peering whose IPv6 validation ARM left out. */
function ipv6ValidationUnreported(peering: PeeringFacts): boolean {
  const v6 = peering.ipv6;
  return !!v6 && v6.state !== "Disabled" && v6.advertisedPublicPrefixesState === null;
}

/**
 * The peering row of a peering not Enabled: its admin state, in words flap
 * history reads back from stored transitions (flap-history.ts) to tell a
 * peering set Disabled from a carrier's drop. Stored since the first version.
 */
export const peeringShutCell = (state: string): LayerCell => cell("down", `peering ${state}`);

/** A stored peering row that said the peering was not Enabled (`peeringShutCell`). */
export const saysPeeringShut = (status: string, detail: string): boolean =>
  status === "down" && detail.startsWith("peering ");

export function peeringCell(peering: PeeringFacts): LayerCell {
  if (peering.state === null) return cell("unknown", LEFT_OUT_OF_BODY.peering);
  if (peering.state !== "Enabled") return peeringShutCell(peering.state);
  if (peering.peeringType.toLowerCase() !== "microsoftpeering") {
    return cell("up", `Enabled, VLAN ${peering.vlanId ?? "?"}, peer AS ${peering.peerASN ?? "?"}`);
  }
  const state = peering.advertisedPublicPrefixesState;
  if (state === null) return cell("unknown", "public prefix validation not reported");
  if (state === "Configured") {
    // IPv4 flows; only IPv6 traffic waits on its own validation: a warning on the row.
    const v6 = ipv6Unvalidated(peering);
    if (v6) return cell("warn", `IPv4 public prefixes validated; IPv6 public prefixes ${v6}`);
    // IPv4 decides the row; IPv6's validation not reported is said, not read as validated.
    return ipv6ValidationUnreported(peering)
      ? cell("up", "IPv4 public prefixes validated; IPv6 public prefix validation not reported")
      : cell("up", "public prefixes validated");
  }
  if (state === "Configuring") return cell("warn", "public prefixes validating");
  return cell("down", `public prefixes ${state}`);
}

function routesCell(
  neighbors: NeighborState[],
  bgp: LayerCell,
  ipv6Unvalidated: boolean,
): LayerCell {
  if (bgp.status === "unknown") return cell("unknown", "session state unknown");
  if (bgp.status !== "up" && bgp.status !== "warn") return cell("n/a", "no session");
  const ipv4 = neighbors.filter((n) => n.family === "ipv4");
  const counted = ipv4.length > 0 ? ipv4 : neighbors;
  const total = receivedBy(counted);
  // Either family Established with nothing received is a route-advertisement failure (IPv4 named
  // first), unless that family's public prefixes still wait on validation: the peering row says why.
  const zero = [...ipv4, ...neighbors].find(
    (n) =>
      n.session.kind === "established" &&
      n.session.prefixes === 0 &&
      !(n.family === "ipv6" && ipv6Unvalidated),
  );
  // IPv6 receiving nothing while IPv4 carries on the path stops IPv6 traffic
  // only, as an IPv6 session down beside IPv4 does: the row warns (its own
  // finding), never down. Down, the path counted as lost: both paths so were a
  // Sev0 "traffic stopped" while IPv4 flowed, IPv4 down on the other path made
  // it Sev0 too, and each 0 ↔ 12 of the IPv6 count flapped the path.
  const ipv4Carries = ipv4.some((n) => n.session.kind === "established" && n.session.prefixes > 0);
  if (zero && !(zero.family === "ipv6" && ipv4Carries))
    return cell(
      "down",
      zero.family === "ipv6" ? "0 IPv6 prefixes received" : "0 prefixes received",
    );
  const loaded = neighbors
    .filter((n) => n.load === "critical" || n.load === "warn")
    .sort((a, b) => (b.percent ?? 0) - (a.percent ?? 0))[0];
  if (loaded && loaded.session.kind === "established") {
    return cell(
      "warn",
      `${thousands(loaded.session.prefixes)}/${loaded.limit === null ? "?" : thousands(loaded.limit)} prefixes (${loaded.percent}%)`,
    );
  }
  if (zero) return cell("warn", `0 IPv6 prefixes received; IPv4 ${thousands(total)} prefixes`);
  return cell("up", `${thousands(total)} prefixes`);
}

/** An IPv6 session Established with nothing received beside IPv4 carrying (the routes row's warning). */
function ipv6EmptyOf(neighbors: NeighborState[], routes: LayerCell): string | null {
  if (routes.status !== "warn") return null;
  const empty = neighbors.some(
    (n) => n.family === "ipv6" && n.session.kind === "established" && n.session.prefixes === 0,
  );
  return empty ? "0 IPv6 prefixes received" : null;
}

/** The prefixes the Established ones of these sessions receive, together. */
function receivedBy(neighbors: NeighborState[]): number {
  return neighbors.reduce(
    (sum, n) => sum + (n.session.kind === "established" ? n.session.prefixes : 0),
    0,
  );
}

/**
 * What proves layer 2 on a path from above: every session Established and
 * prefixes received ("Established, 120 prefixes"); null when nothing does.
 */
function provesLayer2(
  neighbors: NeighborState[],
  bgp: LayerCell,
  routes: LayerCell,
): string | null {
  if (!sessionCarries(bgp) || (routes.status !== "up" && routes.status !== "warn")) return null;
  const received = receivedBy(neighbors);
  return received > 0 ? `BGP Established with ${thousands(received)} prefixes received` : null;
}

/**
 * An IPv6 session carrying on the path proves layer 2 too: IPv6 rides the
 * peering's VLAN beside IPv4. With IPv4's session down and its ARP table
 * empty, the fault is IPv4's addressing above a working link, not the
 * carrier's layer 2.
 */
function ipv6ProvesLayer2(neighbors: NeighborState[]): string | null {
  const carrying = neighbors.filter(
    (n) => n.family === "ipv6" && n.session.kind === "established" && n.session.prefixes > 0,
  );
  const received = receivedBy(carrying);
  return carrying.length > 0
    ? `IPv6 BGP Established with ${thousands(received)} prefixes received on the same VLAN`
    : null;
}

/** IPv6's last load kept while its state is not understood: that says nothing of its count. */
function loadsKept(now: FamilyLoads, was: FamilyLoads, ipv6Unknown: string | null): FamilyLoads {
  return ipv6Unknown && now.ipv6 === undefined && was.ipv6 !== undefined
    ? { ...now, ipv6: was.ipv6 }
    : now;
}

export function analysePath(
  path: PathName,
  circuit: CircuitFacts,
  peering: PeeringFacts,
  reading: PathReading,
  limits: RouteLimitSettings,
  /** This path's loads at the last sweep (PathAnalysis.loads); none: judged on the lines alone. */
  was: FamilyLoads = {},
): PathAnalysis {
  const subnet =
    path === "primary" ? peering.primaryPeerAddressPrefix : peering.secondaryPeerAddressPrefix;
  const neighborRows = reading.summary.ok ? reading.summary.value : null;
  const neighbors = neighborRows
    ? analyseNeighbors(neighborRows, peering, circuit.skuTier, limits, was)
    : [];
  const summaryFailure = reading.summary.ok ? null : reading.summary.error;
  // Above a provider that is not provisioned nothing can work; the reads there
  // are evidence, not separate faults. A state ARM left out decides nothing.
  const state = circuit.serviceProviderProvisioningState;
  const bgp =
    state !== null && state !== "Provisioned"
      ? cell("n/a", "provider not provisioned")
      : bgpCell(neighbors, summaryFailure);
  const routes = routesCell(
    neighbors,
    bgp,
    peering.advertisedPublicPrefixesState === "Configured" && ipv6Unvalidated(peering) !== null,
  );
  const provider = providerCell(
    circuit,
    reading,
    subnet,
    provesLayer2(neighbors, bgp, routes) ?? ipv6ProvesLayer2(neighbors),
  );
  const cells: Record<PathLayer, LayerCell> = {
    provider: provider.cell,
    bgp,
    peering: peeringCell(peering),
    routes,
  };

  const established = (family: AddressFamily) =>
    neighbors.find((n) => n.family === family && n.session.kind === "established");
  const ipv4Established = established("ipv4");
  const ipv6Established = established("ipv6");
  // A warn on the peering (validation in progress) or routes (near the limit)
  // row is the finding for that path; nothing above it is broken. A warn on
  // the provider row is an odd ARP table under a working session: a note.
  const ipv6Validation =
    cells.peering.status === "warn" && peering.advertisedPublicPrefixesState === "Configured"
      ? ipv6Unvalidated(peering)
      : null;
  const ipv6Empty = ipv6EmptyOf(neighbors, routes);
  // The BGP row warns for IPv6 down, or for IPv6's state not understood beside IPv4 carrying.
  const ipv6Unknown = cells.bgp.status === "warn" ? ipv6NotUnderstood(neighbors) : null;
  // The routes row warns for a count near its limit (its finding), or only for
  // IPv6 receiving nothing beside IPv4 (its own finding, never `lowest`).
  const nearLimit = neighbors.some((n) => n.load === "critical" || n.load === "warn");
  // IPv6-only warnings (validation pending, sessions down beside IPv4) must not hide an IPv4 fault above them.
  const lowest =
    ORDER.find(
      (layer) =>
        cells[layer].status === "down" ||
        (cells[layer].status === "warn" &&
          layer !== "provider" &&
          layer !== "bgp" &&
          !(layer === "peering" && ipv6Validation !== null) &&
          !(layer === "routes" && !nearLimit)),
    ) ?? null;
  const unknownBelow = lowest
    ? ORDER.slice(0, ORDER.indexOf(lowest)).filter((l) => cells[l].status === "unknown")
    : [];

  return {
    path,
    cells,
    arpRows: provider.rows,
    arpVerdict: provider.verdict,
    neighborRows,
    neighbors,
    prefixes:
      ipv4Established && ipv4Established.session.kind === "established"
        ? ipv4Established.session.prefixes
        : null,
    prefixLimit: ipv4Established?.limit ?? null,
    prefixPercent: ipv4Established?.percent ?? null,
    ipv6Prefixes:
      ipv6Established && ipv6Established.session.kind === "established"
        ? ipv6Established.session.prefixes
        : null,
    ipv6Limit: ipv6Established?.limit ?? null,
    lowest,
    unknownBelow,
    loads: neighborRows ? loadsKept(loadsOf(neighbors), was, ipv6Unknown) : was,
    ipv6Validation,
    ipv6Down: cells.bgp.status === "warn" && !ipv6Unknown ? cells.bgp.detail : null,
    ipv6Unknown,
    ipv6Empty,
    readAt: { arp: reading.arp.readAt, summary: reading.summary.readAt },
  };
}

/** The hint for the first down neighbor, for evidence and next actions. */
export function bgpHintFor(analysis: PathAnalysis): { state: string; hint: string } | null {
  // IPv4's state when IPv4 is down, whatever order Azure lists the neighbors in:
  // an IPv6 neighbor shut at its own limit is not why IPv4 is down.
  const down =
    analysis.neighbors.find((n) => n.session.kind === "down" && n.family === "ipv4") ??
    analysis.neighbors.find((n) => n.session.kind === "down");
  if (!down || down.session.kind !== "down") {
    if (analysis.neighbors.length === 0 && analysis.neighborRows) {
      return {
        state: "none",
        hint: "no BGP neighbor is reported on this path; check that the peering's /30 and VLAN are configured on your router",
      };
    }
    return null;
  }
  return {
    state: down.session.qualifier
      ? `${down.session.state} (${down.session.qualifier})`
      : down.session.state,
    hint: bgpStateHint(down.session.state, down.session.qualifier),
  };
}
