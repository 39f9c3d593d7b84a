// The domain vocabulary of erwatch. Adapters turn wire JSON into these shapes at
// the boundary; nothing above the adapters ever sees an ARM response.
//
// Every closed list is declared once, here, as a const array with its type
// derived from it. Schemas (`z.enum(LIST)`), renderers (`Record<Type, …>`) and
// routing all follow the list, so adding a code or a layer without teaching
// each of them fails the type check (test/core/vocabulary.test.ts proves it).

import type { DataPlaneReading } from "./dataplane/facts.js";
import type { FamilyLoads } from "./route-limits.js";

export const PATHS = ["primary", "secondary"] as const;

/**
 * What an entry of a circuit's peering list that cannot be read was, as ARM
 * sent it: a peering without a name (nor type) is `unnamed`.
 */
export const UNREAD_PEERING_KINDS = [
  "null",
  "text",
  "number",
  "boolean",
  "list",
  "unnamed",
] as const;
export type UnreadPeeringKind = (typeof UNREAD_PEERING_KINDS)[number];

/** The peerings that could be read: the whole list, or those beside an unreadable entry. */
export const readablePeerings = <P = PeeringFacts>(facts: {
  peerings?: readonly P[] | null;
  peeringsRead?: readonly P[];
}): readonly P[] => facts.peerings ?? facts.peeringsRead ?? [];
export type PathName = (typeof PATHS)[number];
/** The path beside this one. */
export const otherPath = (path: PathName): PathName =>
  path === "primary" ? "secondary" : "primary";

export type PeeringType = "AzurePrivatePeering" | "MicrosoftPeering" | "AzurePublicPeering";
/** Every peering type; ARM names each peering after its type. */
export const PEERING_TYPES: readonly PeeringType[] = [
  "AzurePrivatePeering",
  "MicrosoftPeering",
  "AzurePublicPeering",
];
/** Each peering as the tables print it, which a person may also write for it. */
export const PEERING_SHORT_NAMES: Readonly<Record<PeeringType, string>> = {
  AzurePrivatePeering: "Private",
  MicrosoftPeering: "Microsoft",
  AzurePublicPeering: "Public",
};
/**
 * What a silence's peering accepts, as help and refusals list it: written
 * once so that neither lists fewer than the parser takes (`silence add --help`
 * left Public out).
 */
export const PEERING_SPELLINGS = PEERING_TYPES.map((p) => `${p} or ${PEERING_SHORT_NAMES[p]}`).join(
  ", ",
);

/** Bottom-up order matters: the first broken layer of a path is the one that alerts. */
export const LAYERS = [
  "provider",
  "bgp",
  "peering",
  "routes",
  "gateway",
  "globalReach",
  "endToEnd",
  "capacity",
  "monitoring",
] as const;
export type Layer = (typeof LAYERS)[number];

/** The rows of a path's layer table: every layer but erwatch's own sight. */
export const TABLE_LAYERS = [
  "provider",
  "bgp",
  "peering",
  "routes",
  "gateway",
  "globalReach",
  "endToEnd",
  "capacity",
] as const satisfies readonly Layer[];
export type TableLayer = (typeof TABLE_LAYERS)[number];

export const OWNERS = ["carrier", "you", "shared"] as const;
export type Owner = (typeof OWNERS)[number];

/** Azure Monitor's scale: Sev0 is the most severe. */
export const SEVERITIES = ["Sev0", "Sev1", "Sev2", "Sev3", "Sev4"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CONNECTIVITY_MODELS = ["own-edge", "provider-managed"] as const;
export type ConnectivityModel = (typeof CONNECTIVITY_MODELS)[number];
export const CRITICALITIES = ["high", "normal", "low"] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export const LAYER_STATUSES = ["up", "warn", "down", "unknown", "n/a"] as const;
export type LayerStatus = (typeof LAYER_STATUSES)[number];

export const FINDING_CODES = [
  "provider-not-provisioned",
  "circuit-not-enabled",
  "arp-missing",
  "bgp-down",
  "no-prefixes-received",
  "prefix-limit-near",
  "prefix-drop",
  "peering-missing",
  "peering-disabled",
  "public-prefixes-not-validated",
  "gateway-not-connected",
  "global-reach-down",
  "traffic-stopped",
  "saturation",
  "e2e-fail",
  "e2e-warning",
  "e2e-indeterminate",
  "config-drift",
  "monitoring-blind",
  "session-flapping",
  "fleet-outage",
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** Condition families: the unit of alert identity. Codes in one family share one alert. */
export const ALERT_FAMILIES = [
  "provider",
  "circuit-state",
  "path-down",
  "peering-config",
  "route-limit",
  "prefix-drop",
  "gateway",
  "global-reach",
  "traffic",
  "capacity",
  "end-to-end",
  "config-drift",
  "monitoring-blind",
  "session-flapping",
  /** Circuits sharing provider and peering location broken at one layer: one incident. */
  "fleet",
] as const;
export type AlertFamily = (typeof ALERT_FAMILIES)[number];

/**
 * Why an open alert cannot be judged while the layers behind it were read
 * (a blind notice's `blindCause`): "history", the circuit's history in Table
 * Storage could not be read, and a flap alert is counted from it.
 */
export const BLIND_CAUSES = ["history"] as const;
export type BlindCause = (typeof BLIND_CAUSES)[number];

/** What receivers hear about an alert. */
export const ALERT_ACTIONS = ["open", "escalate", "deescalate", "repeat", "resolve"] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** Why a read failed; decides both the retry rule and the words in `monitoring-blind`. */
export type ReadErrorKind =
  | "throttled"
  | "forbidden"
  | "unauthenticated"
  | "not-found"
  | "timeout"
  | "server-error"
  | "network"
  | "malformed"
  /** erwatch itself failed on the circuit (a bug): blind, never silent. */
  | "internal";

export interface ReadFailure {
  kind: ReadErrorKind;
  /** The ARM operation that failed, as named in the RBAC action list. */
  call: string;
  /** What was being read, e.g. "ARP table AzurePrivatePeering/primary". */
  target: string;
  message: string;
  statusCode?: number;
  /** For `forbidden`: the RBAC action the identity lacks. */
  missingPermission?: string;
  /** ARM's `x-ms-request-id` of the failed request: what Azure support asks for. */
  requestId?: string;
  /**
   * A Log Analytics query's: the workspace asked, as the monitor's output or
   * the circuit's tag spells it (the target names it short), so its failing is
   * said once per workspace (dataplane/log-analytics.ts queryFailing).
   */
  workspace?: string;
  /**
   * A Log Analytics query's, as one circuit's end-to-end read got it: the
   * Connection Monitors whose results it asked for there, so the row names
   * them beside the workspace.
   */
  monitors?: string[];
  /**
   * An ARM read of Connection Monitors': the Network Watchers it asked, by
   * name, so the end-to-end row says where a monitor is not, or who refused.
   */
  networkWatchers?: string[];
  /**
   * An ARM read of Connection Monitors' that had no Network Watcher to ask:
   * the regions searched, where the subscription has none. The row said
   * "read failed reading connection monitor … named by the circuit's tag",
   * the monitor twice and not why it is not there.
   */
  noNetworkWatcherIn?: string[];
  /**
   * The same end-to-end read's other failures, each whole: every workspace
   * its monitors write to failed its query, or every monitor its tag names
   * is not there. The row named the first alone, and the on-call mended one
   * workspace to find the next still failing.
   */
  alsoFailed?: ReadFailure[];
  /**
   * A Log Analytics query's 429 or 503 whose Retry-After is kept past the
   * sweep: the instant (ISO) before which no sweep asks the workspace again.
   */
  notAskedBefore?: string;
}

/** A failure and those said with it (alsoFailed), each once and on its own. */
export function eachFailure(failure: ReadFailure): ReadFailure[] {
  const { alsoFailed, ...first } = failure;
  return [first, ...(alsoFailed ?? [])];
}

export type Reading<T> =
  | {
      ok: true;
      value: T;
      readAt: string;
      /** Read only in part (a fallback that cannot see everything): what it lacks is not known to be gone. */
      partial?: true;
    }
  | { ok: false; error: ReadFailure; readAt: string };

export interface ArpRow {
  age: number | null;
  /** "On-Prem" or "Microsoft" on the real service. */
  interface: string;
  ipAddress: string;
  macAddress: string;
}

export interface BgpNeighborRow {
  neighbor: string;
  /** The BGP version spoken to the neighbor: 4, IPv6 sessions included (the address tells the family). */
  v: number | null;
  as: number | null;
  upDown: string;
  /** A number when Established, else the BGP state name. Always a string on the wire. */
  statePfxRcd: string;
}

export interface RouteRow {
  network: string;
  nextHop: string;
  locPrf: string;
  weight: number | null;
  path: string;
}

export interface GlobalReachConnection {
  name: string;
  /** The remote circuit peering the connection reaches. */
  peerCircuitPeeringId: string;
  /** Connected | Connecting | Disconnected (open string on the wire); null when ARM left it out. */
  status: string | null;
  /** `outbound`: created on this circuit; `inbound`: created on the peer circuit. */
  direction: "outbound" | "inbound";
  /**
   * The connection's IPv6 Global Reach (ARM `ipv6CircuitConnectionConfig`),
   * when it has one: its status is its own, and IPv6 can be cut while IPv4
   * reads Connected. Null status: ARM left it out.
   */
  ipv6?: { status: string | null };
}

export interface PeeringFacts {
  name: string;
  peeringType: string;
  /** Enabled | Disabled; null when ARM left it out (the peering's rows are then UNKNOWN). */
  state: string | null;
  azureASN: number | null;
  peerASN: number | null;
  primaryPeerAddressPrefix: string | null;
  secondaryPeerAddressPrefix: string | null;
  vlanId: number | null;
  /** Microsoft peering only. */
  advertisedPublicPrefixesState: string | null;
  advertisedPublicPrefixes: string[];
  /**
   * The peering's IPv6 side (ARM's ipv6PeeringConfig), when it has one: on a
   * Microsoft peering its public prefixes are validated apart from the IPv4 ones.
   */
  ipv6?: {
    /** Enabled | Disabled; null when ARM left it out. */
    state: string | null;
    advertisedPublicPrefixesState: string | null;
    advertisedPublicPrefixes: string[];
  };
  globalReach: GlobalReachConnection[];
  /** A Global Reach list ARM sent could not be read: `globalReach` may lack connections. */
  globalReachUnread?: true;
}

export interface CircuitFacts {
  circuitProvisioningState: string | null;
  serviceProviderProvisioningState: string | null;
  skuTier: string | null;
  skuFamily: string | null;
  bandwidthInMbps: number | null;
  serviceKey: string | null;
  serviceProviderName: string | null;
  peeringLocation: string | null;
  /**
   * ExpressRoute Direct: the port the circuit rides (ARM's expressRoutePort).
   * There is no connectivity provider: layer 2 is your port and cross-connect,
   * then Microsoft's port, never a carrier's.
   */
  expressRoutePortId?: string | null;
  /** null when ARM left the list out: which peerings exist is then UNKNOWN, not "none". */
  peerings: PeeringFacts[] | null;
  /**
   * The list was sent but an entry in it could not be read (a null, text, a
   * peering without a name): `peerings` is null, yet the circuit has `listed`
   * peerings, `unreadable` of them unread. Absent otherwise.
   * `entries`: where those not read sit in the list (0 for peerings[0]),
   * what evidence names beside the peerings read; absent from a listing an
   * earlier erwatch planned (a work message sent before an upgrade).
   */
  peeringsUnread?: {
    listed: number;
    unreadable: number;
    entries?: number[];
    /**
     * Beside `entries`, one each: what the entry was as ARM sent it (the
     * evidence says "peerings[1] is text"). Absent when `entries` is, and from
     * a listing the erwatch before this one planned.
     */
    kinds?: UnreadPeeringKind[];
  };
  /**
   * Beside `peeringsUnread`: the entries of the list that could be read. Each
   * is judged as any peering (its paths read, its Global Reach paged on): a
   * null beside the private peering left a Disconnected connection unpaged.
   * Which peerings exist stays UNKNOWN, so no other is called missing.
   */
  peeringsRead?: PeeringFacts[];
  /**
   * The circuit's authorizations. One InUse was redeemed by a gateway
   * connection, which may live in a subscription erwatch does not watch.
   * Absent in readings made before they were read.
   */
  authorizations?: CircuitAuthorization[];
}

export interface CircuitAuthorization {
  name: string;
  /** Available | InUse as documented; null when ARM left it out. */
  useStatus: string | null;
}

export interface GatewayConnectionFacts {
  id: string;
  name: string;
  /** `vnet-gateway`: Microsoft.Network/connections; `vwan`: an ExpressRoute gateway connection in a virtual hub. */
  kind: "vnet-gateway" | "vwan";
  /** The peering the connection attaches to, when the wire says so (vWAN). */
  peering: string | null;
  /** Connected | Connecting | NotConnected | Unknown for VNet gateways; the provisioning state for vWAN. null when ARM left it out. */
  status: string | null;
  /** The VNet gateway the connection attaches (VNet gateway connections only). */
  gatewayId?: string | null;
  /**
   * The region of the vWAN hub's ExpressRoute gateway the connection is in
   * (vWAN connections only, when ARM says): its Network Watcher may hold the
   * circuit's Connection Monitor. It comes with the wiring read, no other.
   */
  hubRegion?: string;
}

/**
 * ARP not read on a path: the route summaries, read first, showed every
 * session of both paths of its peering Established with prefixes received,
 * which proves layer 2 (a layer cannot be down while one that runs over it
 * works), so a sweep spares the long-running POST. `readAt` is the summary's:
 * the time layer 2 was known to work. Any trouble on the peering, and
 * `diagnose`, read the ARP tables of both paths.
 */
export interface Layer2Proof {
  ok: "proven";
  /** What proved it, e.g. "BGP Established with 120 prefixes received". */
  by: string;
  readAt: string;
}

export type ArpReading = Reading<ArpRow[]> | Layer2Proof;

export interface PathReading {
  arp: ArpReading;
  summary: Reading<BgpNeighborRow[]>;
  /** Only when the full route table was asked for (diagnose --routes). */
  routes?: Reading<RouteRow[]>;
}

/** Settings a circuit carries in its tags, resolved against the global defaults. */
export interface CircuitSettings {
  connectivityModel: ConnectivityModel;
  criticality: Criticality;
  /** Peerings that must exist; a missing one is `peering-missing`. */
  expectedPeerings: string[];
  /** Whether the circuit must be wired to a gateway (false for Global Reach–only circuits). */
  expectGateway: boolean;
  /** The erwatch:pair tag: the site this circuit serves together with another circuit. */
  pair?: string;
  /**
   * The erwatch:standby-path tag: the path the customer's routing keeps idle
   * by design. Its quiet while the other path carries is not traffic-stopped.
   */
  standbyPath?: PathName;
}

export interface CircuitRef {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string | null;
  tags: Record<string, string>;
}

export interface CircuitReading {
  ref: CircuitRef;
  settings: CircuitSettings;
  circuit: Reading<CircuitFacts>;
  /** Values in successful reads that were missing or not understood; each left its field null (UNKNOWN). */
  fieldFailures?: ReadFailure[];
  /** peering name → path → reads. Present for every peering the circuit read returned as Enabled. */
  paths: Record<string, Record<PathName, PathReading>>;
  gateway: Reading<GatewayConnectionFacts[]>;
  /** Azure Monitor metrics and Connection Monitor results, when a data-plane reader ran. */
  dataPlane?: DataPlaneReading;
  /**
   * Its erwatch tags the settings were resolved without, each with why
   * (circuit-settings.ts resolveCircuitSettings): defaults apply in their place.
   */
  tagProblems?: string[];
}

export interface LayerCell {
  status: LayerStatus;
  /** A few words a person reads in a table cell at 2 a.m. */
  detail: string;
}

export type PathLayers = Record<TableLayer, LayerCell>;

export interface PeeringVerdict {
  name: string;
  paths: Record<PathName, PathLayers>;
  /** IPv4 received-prefix count per path when the IPv4 session is Established. */
  prefixes: Record<PathName, number | null>;
  /** The route limit that count is held against (SKU and peering type). */
  limits: Record<PathName, number | null>;
  /**
   * The IPv6 sessions' count and limit per path, when a path reported an IPv6
   * neighbor. A family of its own: IPv6's limit (100) is not IPv4's, so the
   * two counts are never added up or held against one limit.
   */
  ipv6?: { prefixes: Record<PathName, number | null>; limits: Record<PathName, number | null> };
  /**
   * Paths whose IPv6 state erwatch does not understand beside IPv4 carrying
   * (the BGP row warns): IPv6's last known state there is kept, not moved.
   */
  ipv6StateUnknown?: PathName[];
  /** Each path's near-limit load per family, kept for the next sweep's clear margin (route-limits.ts prefixLoad). */
  loads?: Record<PathName, FamilyLoads>;
  /** Things worth knowing that page nobody (path asymmetry, metrics the control plane contradicts). */
  notes?: string[];
  /**
   * The rows above the paths that read as trouble yet were not judged this
   * sweep (the peering's state left out, its paths unread): whether a path
   * carries beneath them is unknown, so their alerts neither open nor resolve.
   */
  aboveNotJudged?: ("gateway" | "globalReach")[];
  /**
   * No path carries this sweep beneath an Enabled peering (both down, or one
   * down and the other's public prefixes validating): the rows above read
   * "held: no path carrying", and the outage beneath holds their alerts'
   * resolve (inhibit.ts), both-paths-down alert or not.
   */
  noPathCarrying?: true;
}

export interface Finding {
  code: FindingCode;
  layer: Layer;
  owner: Owner;
  severity: Severity;
  /** null for circuit-wide findings (provider state, a failed circuit read). */
  peering: string | null;
  paths: PathName[];
  title: string;
  evidence: Record<string, unknown>;
  nextAction: string;
  /** Ready-to-paste carrier ticket for carrier-owned findings. */
  ticket?: string;
  /**
   * A condition an IPv6 session has on its own (its flap), alerted apart from
   * IPv4's: the alert key then includes the family. Absent, the key is
   * (circuit, peering, condition family), as every alert stored before was.
   */
  addressFamily?: "ipv6";
}

export interface CircuitVerdict {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  tags: Record<string, string>;
  settings: CircuitSettings;
  serviceKey: string | null;
  serviceProviderName: string | null;
  peeringLocation: string | null;
  /** ExpressRoute Direct: the port the circuit rides (no carrier); absent or null otherwise. */
  expressRoutePortId?: string | null;
  readAt: string;
  /** False when the circuit itself could not be read: nothing below is known. */
  circuitRead: boolean;
  /** The carrier's provisioning state, null when unread. */
  providerState: string | null;
  /** The Azure side's `circuitProvisioningState`, null when unread or not understood. */
  circuitState?: string | null;
  peerings: PeeringVerdict[];
  findings: Finding[];
  /** Every read that failed this time, so callers can tell UNKNOWN from healthy. */
  failedReads: ReadFailure[];
}
