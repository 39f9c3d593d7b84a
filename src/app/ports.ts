// The small interfaces the application is written against. Adapters implement
// them; tests and the demo plug in the real adapters pointed at loopback fakes.

import type { CircuitMetrics, EndToEndFacts, GatewayRoutes } from "../core/dataplane/facts.js";
import type { CircuitFacts, CircuitReading, ReadFailure, Reading } from "../core/model.js";
import { readablePeerings } from "../core/model.js";
import { realTimers, type Timers } from "../time.js";

/**
 * A circuit's body as the cheap tier read it (its item in the subscription's
 * listing, or a GET for a circuit named by id): the circuit-wide facts and
 * peerings, so a deep read needs no GET of its own.
 */
export interface ListedCircuit {
  id: string;
  name: string;
  location: string | null;
  tags: Record<string, string>;
  facts: CircuitFacts;
  /** Values in the body that were missing or not understood; each is null in `facts`. */
  problems: ReadFailure[];
  readAt: string;
}

/** A circuit to read: from a subscription listing (tags known) or an explicit id. */
export interface CircuitTarget {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  tags?: Record<string, string>;
  /** The circuit's region when the listing said it (Azure Monitor reads are batched by region). */
  location?: string;
  /** Its body from this sweep's cheap tier; absent when there is none (read it with a GET). */
  listed?: ListedCircuit;
}

export interface DiscoveryFailure {
  subscriptionId: string;
  failure: ReadFailure;
}

/** Something a subscription's listing gave that erwatch cannot watch: no id, or not a circuit's. */
export interface UnwatchableCircuit {
  subscriptionId: string;
  /** As listed (cut short), or null when it had none. */
  id: string | null;
  why: string;
}

export interface ReadProgress {
  /** e.g. "ARP table AzurePrivatePeering/primary" */
  target: string;
  ok: boolean;
  elapsedMs: number;
}

export interface ReadOptions {
  abortSignal: AbortSignal;
  /** Also read the full route table of every path (diagnose --routes). */
  routes?: boolean;
  /** One read at a time, in the order the runbook teaches (diagnose). */
  sequential?: boolean;
  onRead?: (progress: ReadProgress) => void;
  /** Read even circuits tagged erwatch:ignore (a person asked for this one by name). */
  includeIgnored?: boolean;
  /** Per-sweep memo shared across circuits (connection lists, vWAN gateways). */
  session: ReadSession;
  /**
   * The subscriptions (lower-case ids) whose ARP witness this session reads
   * (adapters/arm/path-reads.ts); every subscription's when absent. A fan-out
   * worker's batch reads only those its message carries.
   */
  arpWitnesses?: ReadonlySet<string>;
}

export interface ReadSession {
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export function createReadSession(): ReadSession {
  const cache = new Map<string, Promise<unknown>>();
  return {
    memo<T>(key: string, load: () => Promise<T>): Promise<T> {
      let pending = cache.get(key) as Promise<T> | undefined;
      if (!pending) {
        pending = load();
        cache.set(key, pending);
      }
      return pending;
    },
  };
}

export type CircuitReadResult =
  | { kind: "read"; reading: CircuitReading; settingProblems: string[] }
  | { kind: "ignored"; id: string; name: string };

export interface CircuitReader {
  discover(
    scope: { subscriptions: string[]; circuitIds: string[] },
    options: { abortSignal: AbortSignal },
  ): Promise<{
    targets: CircuitTarget[];
    failures: DiscoveryFailure[];
    unwatchable?: UnwatchableCircuit[];
  }>;
  read(target: CircuitTarget, options: ReadOptions): Promise<CircuitReadResult>;
  /** Requests sent to ARM so far by this reader, and how many were answered 429. */
  usage?(): { requests: number; throttled: number };
}

/** A circuit whose Azure Monitor metrics to read: metrics are batched per subscription and region. */
export interface MetricsTarget {
  id: string;
  subscriptionId: string;
  region: string;
  /** It has Global Reach connections: its Global Reach throughput is read too (a third call per chunk, only for these). */
  globalReach?: boolean;
}

/** The metrics target of a circuit whose region is known; its Global Reach throughput too when its body shows connections. */
export function metricsTargetOf(t: CircuitTarget): MetricsTarget | null {
  if (!t.location) return null;
  const globalReach = (t.listed ? readablePeerings(t.listed.facts) : []).some(
    (p) => p.globalReach.length > 0,
  );
  return {
    id: t.id,
    subscriptionId: t.subscriptionId,
    region: t.location,
    ...(globalReach ? { globalReach } : {}),
  };
}

export interface DataPlaneReadOptions {
  abortSignal: AbortSignal;
  /** The sweep's clock: the windows asked for end here. */
  now: Date;
  session: ReadSession;
  /**
   * The sweep the read is part of: a fanned-out sweep's batches (each its
   * own session) share what is kept per sweep (a workspace's failed query).
   */
  sweepId?: string;
}

/**
 * The data plane: Azure Monitor metrics (cheap, many circuits per call — the
 * signal a large estate reads every sweep) and Connection Monitor results.
 * Each read is a Reading, so a failure is UNKNOWN for the rows it feeds.
 */
export interface DataPlaneReader {
  /**
   * Metrics for many circuits: one batch call per (subscription, region)
   * group of at most 50 circuits, larger groups chunked. Keyed by circuit id
   * (lower case); empty when metrics are not read.
   */
  readMetrics(
    targets: MetricsTarget[],
    options: DataPlaneReadOptions,
  ): Promise<Map<string, Reading<CircuitMetrics>>>;
  /** Connection Monitor results for one circuit; undefined when Connection Monitor is not read. */
  readEndToEnd(
    reading: CircuitReading,
    options: DataPlaneReadOptions,
  ): Promise<Reading<EndToEndFacts> | undefined>;
  /** What each VNet gateway wired to the circuit learned (diagnose). */
  readLearnedRoutes(
    reading: CircuitReading,
    options: DataPlaneReadOptions,
  ): Promise<GatewayRoutes[]>;
}

/**
 * The time a sweep's own timers run on: the cheap tier's budget and its hand
 * back, the deep reads' flushes before the deadline and the hard stop. Real
 * time in production (realTimers); tests move a manual one by hand.
 */
export { realTimers, type Timers };

/** The wall clock deadlines are counted on: `clock` when given, else the timers' own. */
export function wallClockOf(deps: { clock?: () => Date; time?: Timers }): () => Date {
  const time = deps.time ?? realTimers;
  return deps.clock ?? (() => new Date(time.now()));
}
