// The simulated estate's data: plain, mutable objects that tests edit between
// sweeps. Nothing here knows about the wire; wire.ts turns it into ARM JSON.

export interface SimArpRow {
  /** Minutes since the entry was learned. */
  age: number;
  interface: "On-Prem" | "Microsoft" | string;
  ipAddress: string;
  macAddress: string;
}

/**
 * One row of the route table summary, as the Microsoft edge router (MSEE) sees
 * it: `neighbor` is YOUR router (first usable address of the /30) and `as` your
 * peer ASN, because the MSEE is AS 12076 itself.
 */
export interface SimNeighbor {
  neighbor: string;
  v: number;
  as: number;
  upDown: string;
  /** A count like "120" when Established, else the BGP state name ("Idle", "Active", ...). */
  statePfxRcd: string;
  /**
   * The prefix count the session carries when Established. Kept while the
   * session is down so that bringing it back restores the count (extension).
   */
  establishedPrefixes?: number;
}

export interface SimRouteRow {
  network: string;
  nextHop: string;
  locPrf: string;
  weight: number;
  path: string;
}

export interface SimPath {
  arp: SimArpRow[];
  neighbors: SimNeighbor[];
  /** When absent the server generates one row per prefix an Established IPv4 neighbor reports. */
  routes?: SimRouteRow[];
  /**
   * Bits per second the path carries while its session is Established with
   * prefixes (Azure Monitor's BitsIn/OutPerSecond); absent: a busy default.
   * A path that cannot carry traffic reads 0 whatever this says.
   */
  traffic?: { inBps: number; outBps: number };
}

export interface SimGlobalReach {
  name: string;
  peerCircuitPeeringId: string;
  status: "Connected" | "Connecting" | "Disconnected" | string;
  /**
   * Bits per second the connection carries while Connected (Azure Monitor's
   * GlobalReachBitsIn/OutPerSecond); absent: a default. Not Connected reads 0.
   */
  traffic?: { inBps: number; outBps: number };
}

export interface SimPeering {
  name: "AzurePrivatePeering" | "MicrosoftPeering" | string;
  state: "Enabled" | "Disabled";
  peerASN: number;
  primaryPeerAddressPrefix: string;
  secondaryPeerAddressPrefix: string;
  vlanId: number;
  microsoft?: {
    advertisedPublicPrefixes: string[];
    advertisedPublicPrefixesState:
      "NotConfigured" | "Configuring" | "Configured" | "ValidationNeeded" | string;
  };
  /** Outbound Global Reach connections (ARM `connections`). */
  globalReach: SimGlobalReach[];
  /** Inbound Global Reach connections made by other circuits (ARM `peeredConnections`). */
  peerConnections: SimGlobalReach[];
  paths: { primary: SimPath; secondary: SimPath };
}

export interface SimCircuit {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  skuTier: "Standard" | "Premium" | "Local" | string;
  skuFamily: "MeteredData" | "UnlimitedData";
  bandwidthInMbps: number;
  serviceKey: string;
  serviceProviderName: string;
  peeringLocation: string;
  circuitProvisioningState: string;
  serviceProviderProvisioningState:
    "NotProvisioned" | "Provisioning" | "Provisioned" | "Deprovisioning" | string;
  peerings: SimPeering[];
  /** Raw edits to this circuit's JSON (its GET and listing, or its path reads); see wire-edits.ts. */
  wire?: WireEdit[];
}

/**
 * An odd value ARM could send, applied to the JSON of one read after it is
 * built. `read` is `circuit` (the GET and the listing), a long-running read
 * (its final `{ "value": [...] }` body, optionally for one peering and path),
 * `connection` (the connection's GET and listing), `monitor` (a Connection
 * Monitor in its watcher's listing) or `vwanGateway` (a vWAN ExpressRoute
 * gateway in its subscription's listing).
 */
export interface WireEdit {
  /** `metrics`: the circuit's entry of an Azure Monitor metrics:getBatch answer. */
  read: "circuit" | "connection" | "monitor" | "vwanGateway" | "metrics" | LroOperationName;
  peering?: string;
  path?: "primary" | "secondary";
  /** Dotted, with [n] for array items: "properties.serviceProviderProvisioningState", "value[0].interface", "tags.owner". */
  field: string;
  /** What to send there; ignored when `remove` is set. */
  value?: unknown;
  /** Leave the field out altogether. */
  remove?: boolean;
}

export interface SimConnection {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  circuitId: string;
  gatewayId: string;
  connectionStatus: "Connected" | "Connecting" | "NotConnected" | "Unknown" | string;
  /** Raw edits to this connection's JSON; see wire-edits.ts. */
  wire?: WireEdit[];
}

export interface SimVwanGateway {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  connections: { name: string; circuitPeeringId: string; provisioningState: string }[];
  /** Raw edits to this gateway's JSON in its subscription's listing; see wire-edits.ts. */
  wire?: WireEdit[];
}

/** A VNet gateway: the VNet it lives in, and what it learned (default: every prefix its circuits receive). */
export interface SimVnetGateway {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  vnetId: string;
  learnedRoutes?: { network: string; origin: string; asPath: string; nextHop: string }[];
}

/** One test of a Connection Monitor and the result Log Analytics holds for it; `none` writes no row. */
export interface SimTest {
  testGroup: string;
  test: string;
  source: string;
  destination: string;
  port: number;
  result: "Pass" | "Fail" | "Warning" | "Indeterminate" | "none" | string;
  checksFailed: number;
  checksTotal: number;
  roundTripMs: number | null;
  checksFailedPercentThreshold: number;
  roundTripThresholdMs: number;
  additionalData?: string;
  /**
   * Removed from the monitor (or renamed) this many minutes ago: its
   * definition no longer lists it, and Log Analytics still holds its last row,
   * from then, while the look-back reaches it.
   */
  removedMinutesAgo?: number;
  /**
   * Its source or destination stopped reporting at this time (an agent
   * stopped, a VM deallocated): the monitor still defines the test, and Log
   * Analytics holds its last row, from then, while the look-back reaches it.
   */
  stoppedAt?: string;
  /**
   * The monitor's id as Log Analytics wrote it on this test's rows, when not
   * as ARM spells it (it keeps the case it was given, and groups by it).
   */
  monitorIdInLogs?: string;
  /**
   * The machine that ran the test (SourceResourceId, SourceIP) and the one it
   * reached (DestinationResourceId, DestinationIP). An endpoint may be several
   * machines (a VNet's sampled VMs, several Arc servers): one SimTest per
   * machine, same endpoint names, is one row each. Left out: no resource id,
   * and the endpoint's address as the IP.
   */
  sourceMachine?: SimMachine;
  destinationMachine?: SimMachine;
}

/** A machine as Log Analytics writes it on a Connection Monitor row. */
export interface SimMachine {
  resourceId?: string;
  ip?: string;
}

export interface SimConnectionMonitor {
  subscriptionId: string;
  /** The region, and so the Network Watcher (NetworkWatcher_<region> in NetworkWatcherRG). */
  location: string;
  name: string;
  /**
   * Its endpoints. Log Analytics follows the definition as its Network
   * Watcher sends it (wire edits of `properties.endpoints[i]` included): a
   * test naming an endpoint sent no more (removed, null) writes no new row,
   * one sent under another name in its place (renamed) writes its rows under
   * that name, and the rows written before stay while the look-back reaches
   * them. A name tests use that is not here is tested as ever.
   */
  endpoints: { name: string; type: string; resourceId?: string; address?: string }[];
  workspaceResourceId: string;
  tests: SimTest[];
  /** Raw edits to this monitor's JSON in its watcher's listing; see wire-edits.ts. */
  wire?: WireEdit[];
}

/** Azure Monitor's own behaviour, as tests and the demo need it. */
export interface SimMonitor {
  /**
   * How late the newest metric point is, in minutes behind the query's end:
   * a number, or [min, max] cycled request by request (default [1, 3]).
   */
  metricsDelayMinutes?: number | [number, number];
  /** How long ago Log Analytics' newest Connection Monitor row ran (default 3). */
  logsDelayMinutes?: number;
  /**
   * Log Analytics answers 200 with the rows and this error beside them (its
   * PartialError: a non-fatal failure during the query, the rows incomplete).
   */
  logsPartialError?: { code: string; message: string };
  /** Dips and gaps in the metrics that the control plane does not show (maintenance, pipeline gaps). */
  metricOverrides?: {
    circuit: string;
    peering?: string;
    path?: "primary" | "secondary";
    metrics?: string[];
    from: string;
    to: string;
    /**
     * "odd-time": the minute comes back with a timestamp that is not a time (and a value of 0);
     * "future-time": dated 2099, carrying 5 Mbit/s.
     */
    value: number | "gap" | "odd-time" | "future-time";
  }[];
}

export interface EstateState {
  circuits: SimCircuit[];
  connections: SimConnection[];
  vwanGateways: SimVwanGateway[];
  /** How Azure Resource Graph answers (graph.ts). */
  graph?: {
    /** Resource Graph carries the connections' connectionStatus (default false: erwatch must GET it). */
    connectionStatus?: boolean;
    /** Rows per page (default: the estate's page size). */
    pageSize?: number;
  };
  vnetGateways?: SimVnetGateway[];
  connectionMonitors?: SimConnectionMonitor[];
  /**
   * Regions a subscription has no Network Watcher in, though it has circuits
   * there (Azure creates one on first use; it can be deleted).
   */
  withoutNetworkWatcher?: { subscriptionId: string; location: string }[];
  monitor?: SimMonitor;
}

export type OperationName =
  | "listCircuits"
  | "getCircuit"
  | "arpTable"
  | "routeTablesSummary"
  | "routeTables"
  | "pollOperation"
  | "pollAsyncOperation"
  | "listConnections"
  | "getConnection"
  | "listExpressRouteGateways"
  | "queryResourceGraph"
  | "listNetworkWatchers"
  | "listConnectionMonitors"
  | "getVirtualNetworkGateway"
  | "learnedRoutes"
  // Not ARM: Azure Monitor's metrics batch endpoint and Log Analytics' query endpoint.
  | "metricsBatch"
  | "queryLogs";

/** The three long-running POST reads of a circuit path. */
export type PathLroName = "arpTable" | "routeTablesSummary" | "routeTables";
/** Every long-running POST read: the path reads and a gateway's learned routes. */
export type LroOperationName = PathLroName | "learnedRoutes";

/**
 * How a long-running read answers: `network-rp` (the Network resource
 * provider, and the default) sends `Azure-AsyncOperation` and `Location`;
 * `location` sends `Location` only.
 */
export type LroShape = "network-rp" | "location";

export interface FaultMatch {
  operation: OperationName | "*";
  /** Circuit name (case-insensitive). For getConnection: the circuit the connection points at. */
  circuit?: string;
  peering?: string;
  path?: "primary" | "secondary";
  /** Only for the polls (pollOperation, pollAsyncOperation): which long-running read they belong to. */
  lroOperation?: LroOperationName;
  /** Only for metricsBatch: a call that asks for this metric (e.g. the Global Reach call alone). */
  metric?: string;
  /** A request under this subscription (its path's /subscriptions/{id}). */
  subscription?: string;
  /** Only for queryLogs: a query of this workspace, as its path names it (resource id or GUID). */
  workspace?: string;
}

export type FaultBehaviour =
  | {
      kind: "status";
      status: number;
      retryAfterSeconds?: number;
      /** The Retry-After as sent, over retryAfterSeconds: an HTTP-date. */
      retryAfter?: string;
      code?: string;
      message?: string;
      /** Sent as it is instead of the JSON error: what a gateway in front of ARM or Azure Monitor answers (an HTML page). */
      rawBody?: string;
    }
  | { kind: "malformed"; variant: "invalid-json" | "missing-value" }
  | { kind: "slow"; delayMs: number }
  | { kind: "never-ending" }
  /** On a long-running read's POST: the operation ends Failed with this error instead of Succeeded. */
  | { kind: "operation-failed"; code?: string; message?: string };

export interface Fault {
  match: FaultMatch;
  behaviour: FaultBehaviour;
  /** How many matching requests it applies to; undefined = until cleared. */
  times?: number;
}

export interface RecordedRequest {
  /** Epoch ms when the request arrived. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  operation: OperationName | "unknown";
  circuit?: string;
  peering?: string;
  devicePath?: string;
  /** For the polls: the long-running read being polled (extension). */
  lroOperation?: LroOperationName;
  /** Status answered; 0 while unanswered, or when the client or close() cut it off. */
  status: number;
  /** The request body, for the one request that has one (the Resource Graph query). */
  body?: string;
}
