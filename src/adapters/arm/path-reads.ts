// The per-path reads: ARP table, route table summary and (on demand) the full
// route table. Each is one row of a table: the long-running POST, the ARM
// operation it is checked against, and the mapper of its rows. erwatch drives
// the SDK's poller itself (`submitted()`, then `poll()` when the answer is
// due) so that nothing is held while the routers work.

import type { NetworkManagementClient } from "@azure/arm-network";
import type { OperationState, PollerLike } from "@azure/core-lro";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReadOptions } from "../../app/ports.js";
import type {
  ArpRow,
  BgpNeighborRow,
  PathName,
  PathReading,
  Reading,
  RouteRow,
} from "../../core/model.js";
import { PATHS } from "../../core/model.js";
import { layer2Proofs } from "../../core/layer2-proof.js";
import type { ArmContext } from "./context.js";
import type { ArmOperation } from "./operations.js";
import type { ReadContext } from "./pacer.js";
import { toArpRows, toNeighborRows, toRouteRows } from "./wire/rows.js";

interface Rows {
  arp: ArpRow[];
  summary: BgpNeighborRow[];
  routes: RouteRow[];
}
type PathRead = keyof Rows;

type Circuits = NetworkManagementClient["expressRouteCircuits"];
type ListArgs = [rg: string, circuit: string, peering: string, path: PathName];
interface LroOptions {
  updateIntervalInMs: number;
  abortSignal: AbortSignal;
}
type Poller = PollerLike<OperationState<unknown>, unknown>;

interface PathReadSpec<T> {
  operation: ArmOperation;
  label: string;
  /** Sends the POST and returns the poller; never awaited itself (that would poll to the end). */
  list: (ops: Circuits, args: ListArgs, options: LroOptions) => Poller;
  /** Parses the whole `{ value: [...] }` result at the edge; throws MalformedResponseError naming the field. */
  toRows: (result: unknown) => T;
}

const PATH_READS: { [K in PathRead]: PathReadSpec<Rows[K]> } = {
  arp: {
    operation: "arpTable",
    label: "ARP table",
    list: (ops, args, options) => ops.listArpTable(...args, options),
    toRows: toArpRows,
  },
  summary: {
    operation: "routeTablesSummary",
    label: "route table summary",
    list: (ops, args, options) => ops.listRoutesTableSummary(...args, options),
    toRows: toNeighborRows,
  },
  routes: {
    operation: "routeTables",
    label: "route table",
    list: (ops, args, options) => ops.listRoutesTable(...args, options),
    toRows: toRouteRows,
  },
};

export interface PathTarget {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/**
 * The POST, then one poll when the answer is due and more only while it is not
 * done; the waits between them hold no slot and no token.
 */
async function untilDone(
  ctx: ArmContext,
  kind: ArmOperation,
  start: () => Poller,
  read: ReadContext,
  abortSignal: AbortSignal,
): Promise<unknown> {
  const poller = start();
  await poller.submitted();
  const posted = Date.now();
  let attempts = 0;
  for (; !poller.isDone; attempts += 1) {
    const wait = ctx.lroTiming.wait(kind, attempts, read.retryAfterMs);
    await sleep(wait, undefined, { signal: abortSignal });
    read.retryAfterMs = null;
    await poller.poll({ abortSignal });
  }
  // A POST answered at once teaches nothing about how long the routers take.
  if (attempts > 0) ctx.lroTiming.learn(kind, attempts === 1, Date.now() - posted);
  const state = poller.operationState;
  if (state?.status === "failed")
    throw state.error ?? new Error("The long-running operation has failed");
  if (state?.status === "canceled") throw new Error("The long-running operation was canceled");
  return poller.result;
}

function readPath<K extends PathRead>(
  ctx: ArmContext,
  target: PathTarget,
  peering: string,
  path: PathName,
  what: K,
  options: ReadOptions,
): Promise<Reading<Rows[K]>> {
  const spec: PathReadSpec<Rows[K]> = PATH_READS[what];
  const ops = ctx.clients.for(target.subscriptionId).expressRouteCircuits;
  return ctx.call({
    operation: spec.operation,
    target: `${spec.label} ${peering}/${path}`,
    signal: options.abortSignal,
    onRead: options.onRead,
    run: async (abortSignal, read) => {
      const args: ListArgs = [target.resourceGroup, target.name, peering, path];
      const lro = { updateIntervalInMs: ctx.config.lroPollIntervalMs, abortSignal };
      const start = () => spec.list(ops, args, lro);
      return spec.toRows(await untilDone(ctx, spec.operation, start, read, abortSignal));
    },
  });
}

/**
 * Both paths of one peering. Sequential mode follows the runbook: layer 2 on
 * both paths, then BGP on both, then the routes, so a person watching the
 * progress sees the diagnosis unfold bottom-up. A sweep reads the route
 * summaries first and the ARP tables only when they do not prove layer 2 on
 * both paths (core/layer2-proof.ts): half the POSTs on a healthy peering.
 * `ipv6Disabled`: the circuit body says this peering's IPv6 side is Disabled.
 */
export async function readPeeringPaths(
  ctx: ArmContext,
  target: PathTarget,
  peering: string,
  options: ReadOptions,
  ipv6Disabled = false,
): Promise<Record<PathName, PathReading>> {
  const read = <K extends PathRead>(path: PathName, what: K) =>
    readPath(ctx, target, peering, path, what, options);
  if (options.sequential || (await arpWitness(options, target, peering)))
    return readEveryPath(read, options);
  // The full route tables (the route baseline) tell nothing of layer 2: they
  // go with the summaries, and ARP still only where the sessions do not prove it.
  const routes = options.routes
    ? Promise.all([read("primary", "routes"), read("secondary", "routes")])
    : null;
  const [primary, secondary] = await Promise.all([
    read("primary", "summary"),
    read("secondary", "summary"),
  ]);
  const proofs = layer2Proofs({ primary, secondary }, ipv6Disabled);
  const [arpPrimary, arpSecondary] = proofs
    ? [proofs.primary, proofs.secondary]
    : await Promise.all([read("primary", "arp"), read("secondary", "arp")]);
  const reading: Record<PathName, PathReading> = {
    primary: { arp: arpPrimary, summary: primary },
    secondary: { arp: arpSecondary, summary: secondary },
  };
  if (routes) {
    const [routesPrimary, routesSecondary] = await routes;
    reading.primary.routes = routesPrimary;
    reading.secondary.routes = routesSecondary;
  }
  return reading;
}

/**
 * Whether this peering reads its ARP tables whatever its sessions prove: the
 * first peering of each subscription to reach its path reads in a read
 * session (a sweep's, or a fan-out batch's whose message carries that
 * subscription's witness: one a sweep, core/arp-witness.ts). So a role
 * without the ARP action, or an ARP answer erwatch cannot parse, is a
 * monitoring-blind finding every sweep, not a surprise in the incident that
 * needs the ARP evidence.
 */
async function arpWitness(
  options: ReadOptions,
  target: PathTarget,
  peering: string,
): Promise<boolean> {
  const subscription = target.subscriptionId.toLowerCase();
  if (options.arpWitnesses && !options.arpWitnesses.has(subscription)) return false;
  const me = `${target.resourceGroup}/${target.name}/${peering}`.toLowerCase();
  return (await options.session.memo(`arp-witness:${subscription}`, async () => me)) === me;
}

/** Every read of both paths: `diagnose`, which shows the whole picture, and a subscription's ARP witness. */
async function readEveryPath(
  read: <K extends PathRead>(path: PathName, what: K) => Promise<Reading<Rows[K]>>,
  options: ReadOptions,
): Promise<Record<PathName, PathReading>> {
  const kinds: PathRead[] = options.routes ? ["arp", "summary", "routes"] : ["arp", "summary"];
  const jobs = kinds.flatMap((what) => PATHS.map((path) => ({ what, path })));
  const got: Record<PathName, Partial<Record<PathRead, Reading<unknown>>>> = {
    primary: {},
    secondary: {},
  };
  const run = async (job: { what: PathRead; path: PathName }) => {
    got[job.path][job.what] = await read(job.path, job.what);
  };
  if (options.sequential) {
    for (const job of jobs) await run(job);
  } else {
    await Promise.all(jobs.map(run));
  }
  // Every job above filled its slot; the casts only restore the per-read types.
  const pathReading = (path: PathName): PathReading => {
    const reading: PathReading = {
      arp: got[path].arp as Reading<ArpRow[]>,
      summary: got[path].summary as PathReading["summary"],
    };
    if (options.routes) reading.routes = got[path].routes as NonNullable<PathReading["routes"]>;
    return reading;
  };
  return { primary: pathReading("primary"), secondary: pathReading("secondary") };
}
