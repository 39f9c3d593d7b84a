// What erwatch reads of the data plane, in the domain's words: Azure Monitor
// metrics per peering and path, Connection Monitor test results, and (for
// `erwatch diagnose`) the routes an ExpressRoute gateway learned. Adapters
// build these from the wire; nothing here knows a metric id or a KQL column.

import type { PathName, Reading, ReadFailure } from "../model.js";

export const METRIC_NAMES = [
  "BgpAvailability",
  "ArpAvailability",
  "BitsInPerSecond",
  "BitsOutPerSecond",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** One minute of one metric; `value` null when Azure had no data for it (a gap, never a zero). */
export interface MetricPoint {
  at: string;
  value: number | null;
}

/** One time series of one metric for one peering and path of a circuit. */
export interface MetricSeries {
  metric: MetricName;
  peering: string;
  path: PathName;
  /** Oldest first; the adapters pack them (points.ts), tests may pass an array. */
  points: Iterable<MetricPoint>;
}

export const GLOBAL_REACH_METRICS = [
  "GlobalReachBitsInPerSecond",
  "GlobalReachBitsOutPerSecond",
] as const;
export type GlobalReachMetric = (typeof GLOBAL_REACH_METRICS)[number];

/** One Global Reach metric toward one peer circuit (Azure's `PeeredCircuitSKey` dimension). */
export interface GlobalReachSeries {
  /** The peer circuit's service key. */
  peerServiceKey: string;
  metric: GlobalReachMetric;
  points: Iterable<MetricPoint>;
}

/**
 * A minute Azure Monitor sent with a value the metric cannot have (text, a
 * percentage outside 0–100, negative or impossibly high bits/s): left out of
 * its series as a gap, and kept here so the verdict can name it.
 */
export interface OddPoint {
  metric: MetricName | GlobalReachMetric;
  /** Null for Global Reach series (split by the peer circuit, not by peering and path). */
  peering: string | null;
  path: PathName | null;
  /** The peer circuit's service key of a Global Reach series: which connection the minute belongs to. */
  peerServiceKey?: string;
  at: string;
  /** As sent: a number as JavaScript writes it, anything else as JSON. */
  value: string;
  /** Why it is not a value of the metric. */
  reason: string;
}

export interface CircuitMetrics {
  /** The window asked for; points later than Azure's pipeline delay are simply absent. */
  from: string;
  to: string;
  series: MetricSeries[];
  /** Values left out because the metric cannot have them; absent when there were none. */
  odd?: OddPoint[];
  /**
   * Global Reach throughput per peer circuit; absent when not asked for (the
   * circuit had no Global Reach connection when the batch was planned).
   */
  globalReach?: GlobalReachSeries[];
  /** The Global Reach call failed (the circuit's own metrics were read): its throughput is unknown. */
  globalReachFailed?: ReadFailure;
}

export const TEST_RESULTS = ["Pass", "Warning", "Fail", "Indeterminate"] as const;
export type TestResult = (typeof TEST_RESULTS)[number];

/** A Connection Monitor that tests traffic over this circuit, and how erwatch found it. */
export interface MonitorRef {
  /** Resource id when discovered; the name alone when a circuit tag named it. */
  id: string | null;
  name: string;
  /** Workspace GUID (customer id) or resource id the results are read from. */
  workspace: string;
  how: "discovered" | "tagged";
  /**
   * For a monitor named without its id: the circuit's subscription and region,
   * which tell its monitor from others of that name writing to the workspace.
   */
  near?: { subscriptionId: string; region: string | null };
  /**
   * The test groups the monitor defines now (disabled ones left out), each
   * with its test configurations, when erwatch read its definition from its
   * Network Watcher; absent when tags alone named it, or its definition could
   * not be understood. A test it does not define is gone: its last rows in
   * the look-back are not judged. Each group's sources and destinations are
   * always known: a group sent without a list of either is an unread group.
   */
  testGroups?: {
    name: string;
    testConfigurations: string[];
    sources: string[];
    destinations: string[];
  }[];
  /**
   * How often each test configuration runs (testFrequencySec), where its
   * definition says: a test whose frequency is not known is taken at the
   * longest Connection Monitor allows before its silence is judged.
   */
  frequencies?: { test: string; seconds: number }[];
  /**
   * Test groups of its definition erwatch cannot read (name null when not
   * sent as text): their rows are kept, never taken for a removed test, and
   * each is a blind read of its own while the readable groups are judged.
   */
  unreadGroups?: { name: string | null; failure: ReadFailure }[];
}

/** The latest result of one test (source → destination) of one test group. */
export interface EndToEndTest {
  monitor: string;
  /** The monitor's resource id, as Log Analytics wrote it. */
  monitorId?: string | null;
  testGroup: string;
  test: string;
  /** Pass | Warning | Fail | Indeterminate; any other word is kept and judged Indeterminate. */
  result: string;
  checksFailedPercent: number | null;
  checksFailedPercentThreshold: number | null;
  roundTripMs: number | null;
  roundTripThresholdMs: number | null;
  source: string;
  destination: string;
  /**
   * The addresses Connection Monitor tested between, when it wrote them: the
   * source and destination above are the endpoints' names when they have
   * one, which say nothing of the address family the test runs over.
   */
  sourceAddress?: string | null;
  destinationAddress?: string | null;
  /**
   * The machine that ran the test and the one it reached, when Log Analytics
   * names them ("vm-app-02 10.1.1.4"): an endpoint may be several machines
   * (up to three sampled VMs of a VNet, several Arc servers), each with its
   * own result, and the one failing is where to look.
   */
  sourceMachine?: string;
  destinationMachine?: string;
  /** When Log Analytics says the test ran. */
  at: string;
  /** Connection Monitor's own words on a failure, when it gives any. */
  reason: string | null;
  /**
   * A test its monitor defines that sent no row in the window (its source's
   * agent stopped, say): erwatch's, never read from Log Analytics, and
   * Indeterminate; `at` is then the window's start.
   */
  silent?: boolean;
  /**
   * A test whose rows stopped partway through the window (its source's agent
   * or its destination's VM gone since): erwatch's, Indeterminate; `at` is
   * its last row's time, which this repeats.
   */
  stoppedAt?: string;
  /**
   * The workspace the row was read from (for a silent test, the one its
   * monitor writes to) and the newest row of any monitor it held: how far
   * Log Analytics has ingested there. Absent when the answer did not say.
   */
  ingested?: { workspace: string; newest: string };
  /**
   * A row as old as a stopped endpoint's in a workspace whose newest row of
   * any monitor is as old, or a silent test of a workspace holding no row at
   * all in the look-back though it held some the day before (Log Analytics
   * ingesting late, or its one agent gone): erwatch's, not judged;
   * `ingested.newest` is since when.
   */
  late?: boolean;
}

/**
 * A read of one monitor's results that failed while others were read: the
 * failure is blind evidence, and the monitor's tests are not judged (UNKNOWN)
 * unless the same results were read from another workspace it writes to.
 */
export interface UnreadMonitor {
  monitor: string;
  monitorId: string | null;
  failure: ReadFailure;
  /** Its results were read from another workspace it writes to: only the failure is left to tell. */
  readElsewhere: boolean;
}

export interface EndToEndFacts {
  monitors: MonitorRef[];
  /** The look-back the results were read over. */
  from: string;
  to: string;
  tests: EndToEndTest[];
  /** Failed reads of some monitors' results beside those read; absent when none. */
  unread?: UnreadMonitor[];
  /**
   * Each workspace read whose newest row of any monitor the answer gave, from
   * the look-back or the day before it: how far Log Analytics has ingested
   * there, even when none of these monitors has a row in the look-back.
   */
  ingested?: { workspace: string; newest: string }[];
}

/** Data-plane reads attached to a circuit's reading; each absent when not read. */
export interface DataPlaneReading {
  metrics?: Reading<CircuitMetrics>;
  endToEnd?: Reading<EndToEndFacts>;
  /**
   * Service keys of the Global Reach peer circuits the sweep knows, by the
   * peer circuit's resource id (lower case): they tell which
   * `PeeredCircuitSKey` series is which connection when there are several.
   */
  peerServiceKeys?: Record<string, string>;
}

/** One route an ExpressRoute gateway learned (virtualNetworkGateways.getLearnedRoutes). */
export interface LearnedRoute {
  network: string;
  nextHop: string | null;
  origin: string | null;
  asPath: string | null;
  sourcePeer: string | null;
}

export interface GatewayRoutes {
  gatewayId: string;
  routes: Reading<LearnedRoute[]>;
}
