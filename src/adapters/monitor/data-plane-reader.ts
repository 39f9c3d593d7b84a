// The data-plane reader: Azure Monitor metrics in batches, and Connection
// Monitor — which monitors test the circuit (its tags, or the Network
// Watchers of its region and its gateways' regions: a monitor whose endpoints
// include the VNet of a gateway wired to the circuit, or the connection
// itself) and their latest results in Log Analytics. Its ARM reads share the ARM reader's clients and pacing.

import type { TokenCredential } from "@azure/identity";
import type { DataPlaneReadOptions, DataPlaneReader } from "../../app/ports.js";
import { tag, TAGS } from "../../core/circuit-settings.js";
import type {
  EndToEndFacts,
  GatewayRoutes,
  MonitorRef,
  UnreadMonitor,
} from "../../core/dataplane/facts.js";
import type {
  CircuitReading,
  GatewayConnectionFacts,
  Reading,
  ReadFailure,
} from "../../core/model.js";
import type { DataPlaneConfig } from "../../config/data-plane.js";
import type { ArmClientOptions } from "../arm/clients.js";
import type { ArmContext } from "../arm/context.js";
import { failedLike, parsed } from "../arm/call.js";
import { ARM_OPERATIONS } from "../arm/operations.js";
import { MalformedResponseError } from "../arm/wire/fields.js";
import {
  learnedRoutes,
  monitorsOfWatcher,
  watcherOfMonitorId,
  type RegionMonitors,
} from "../arm/network-watcher.js";
import type { MonitorFacts, OddMonitor } from "../arm/wire/network-watcher.js";
import { realTime, type Timekeeper } from "../arm/token-bucket.js";
import { createMonitorCall } from "./call.js";
import { LogsReader } from "./logs.js";
import { workspaceTurns } from "./workspace-turns.js";
import { allMonitors, allOdd, monitorsNear, type Place } from "./monitor-places.js";
import { isNamed, missingById, missingTagged } from "./tagged-monitors.js";
import { unplacedWiring } from "./unplaced-wiring.js";
import { MetricsReader } from "./metrics.js";

export interface DataPlaneReaderDeps {
  credential: TokenCredential;
  config: DataPlaneConfig;
  /** The ARM reader's context: the Network Watcher reads are paced with the others. */
  arm: ArmContext;
  clientOptions?: ArmClientOptions;
  /** The clock a Monitor call's deadline and a throttled call's wait run on; real time unless a test injects one. */
  time?: Timekeeper;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
/**
 * Each resource once, as first spelt: ARM ids are case-insensitive, and one
 * gateway or workspace spelt two ways by two connections or monitors would
 * otherwise be read twice (a throttled long-running POST, a Log Analytics query).
 */
function onceEach(ids: readonly string[]): string[] {
  const first = new Map<string, string>();
  for (const id of ids) if (!first.has(id.toLowerCase())) first.set(id.toLowerCase(), id);
  return [...first.values()];
}
const split = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** A monitor endpoint inside the VNet (the VNet, or one of its subnets). */
const inVnet = (resourceId: string, vnet: string) =>
  same(resourceId, vnet) || resourceId.toLowerCase().startsWith(`${vnet.toLowerCase()}/subnets/`);

/**
 * Whether the tag's entry might name a monitor erwatch cannot read: by its
 * name or id as the readable ones are matched, and when it lacks an id, by an
 * id ending in its name; one that says neither might be any.
 */
function mightBeNamed(entry: string, m: OddMonitor): boolean {
  if (m.name === null && m.id === null) return true;
  if (m.name !== null && same(entry, m.name)) return true;
  if (m.id !== null) return same(entry, m.id);
  return same(entry.split("/").pop() ?? entry, m.name!);
}

/**
 * The monitors testing a circuit as references to read, or the failure that
 * they write to no Log Analytics workspace erwatch knows (their outputs
 * empty, and no erwatch:workspace tag): their results cannot be read, and
 * without a word the circuit read "no Connection Monitor". One such beside a
 * monitor that can be read costs nothing: the readable one's Fail is still
 * the circuit's end to end, not hidden behind UNKNOWN.
 */
function refsOf(
  chosen: MonitorFacts[],
  how: MonitorRef["how"],
  workspace: string | undefined,
  readAt: string,
): Reading<MonitorRef[]> {
  const unwritten =
    workspace || chosen.some((m) => m.workspaces.length > 0)
      ? undefined
      : chosen.find((m) => m.workspaces.length === 0);
  if (unwritten)
    return parsed<never>(
      {
        operation: "listConnectionMonitors",
        target: `connection monitor ${unwritten.name}`,
        readAt,
      },
      () => {
        throw new MalformedResponseError(
          // Said with its remedy: the circuit stays UNKNOWN until someone acts.
          `outputs name no Log Analytics workspace, so its test results cannot be read: add a workspace output to the monitor, or tag the circuit ${TAGS.workspace} with the workspace's resource id`,
        );
      },
    );
  return { ok: true, value: chosen.flatMap((m) => refOf(m, how, workspace)), readAt };
}

function refOf(m: MonitorFacts, how: MonitorRef["how"], workspace?: string): MonitorRef[] {
  const workspaces = workspace ? [workspace] : m.workspaces;
  return workspaces.map((w) => ({
    id: m.id,
    name: m.name,
    workspace: w,
    how,
    ...(m.testGroups ? { testGroups: m.testGroups } : {}),
    ...(m.frequencies.length > 0 ? { frequencies: m.frequencies } : {}),
    ...(m.unreadGroups.length > 0 ? { unreadGroups: m.unreadGroups.map(unreadGroup(m)) } : {}),
  }));
}

/** A test group erwatch cannot read, as the blind read that names it. */
const unreadGroup =
  (m: MonitorFacts) =>
  (g: MonitorFacts["unreadGroups"][number]): NonNullable<MonitorRef["unreadGroups"]>[number] => {
    const target = `connection monitor ${m.name}`;
    return {
      name: g.name,
      failure: {
        kind: "malformed",
        call: ARM_OPERATIONS.listConnectionMonitors,
        target,
        message: `${target}: ${g.problem}`,
      },
    };
  };

/** A tagged name that the Network Watchers of several of the circuit's gateways' regions have. */
function ambiguous(name: string, hits: readonly MonitorFacts[], readAt: string): Reading<never> {
  return parsed<never>(
    {
      operation: "listConnectionMonitors",
      target: `connection monitor ${name} named by the circuit's ${TAGS.connectionMonitor} tag`,
      readAt,
    },
    () => {
      throw new MalformedResponseError(
        // The remedy first: a long message is cut, and the ids are the longest part.
        `its gateways' regions have ${hits.length} monitors of that name and its own region none: tag the circuit with the resource id of the one that tests it (${hits.map((m) => m.id).join(", ")})`,
      );
    },
  );
}

/** Each monitor of a failed workspace, and whether another workspace it writes to was read. */
function unreadOf(
  monitors: readonly MonitorRef[],
  failed: readonly { workspace: string; failure: Reading<never> }[],
): UnreadMonitor[] {
  const key = (m: MonitorRef) => (m.id ?? m.name).toLowerCase();
  const gone = (m: MonitorRef) => failed.find((f) => same(f.workspace, m.workspace));
  return monitors.flatMap((m) => {
    const failure = gone(m)?.failure;
    if (!failure || failure.ok) return [];
    const readElsewhere = monitors.some((o) => key(o) === key(m) && !gone(o));
    return [{ monitor: m.name, monitorId: m.id, failure: failure.error, readElsewhere }];
  });
}

/**
 * A workspace's failure as this circuit's read got it: naming the monitors
 * asked there, which the workspace's failure (shared by every circuit
 * writing there) does not.
 */
function askedOf(
  failed: { workspace: string; failure: Reading<never> },
  monitors: readonly MonitorRef[],
): Reading<never> {
  const { failure } = failed;
  const names = onceEach(
    monitors.filter((m) => same(m.workspace, failed.workspace)).map((m) => m.name),
  );
  if (failure.ok || names.length === 0) return failure;
  return { ...failure, error: { ...failure.error, monitors: names } };
}

/**
 * A read that failed in several places, said as one failure naming each
 * (ReadFailure.alsoFailed): the row and the workspace's health trace named
 * the first alone.
 */
function together(failures: readonly ReadFailure[], readAt: string): Reading<never> {
  const [first, ...rest] = failures;
  if (!first) throw new Error("together called without a failure");
  return { ok: false, error: rest.length > 0 ? { ...first, alsoFailed: rest } : first, readAt };
}

/** A failure before any monitor was read, naming those the tag asked for. */
function naming(failure: Reading<never>, named: readonly string[]): Reading<never> {
  if (failure.ok || failure.error.monitors) return failure;
  const monitors = onceEach(named.map((n) => n.split("/").pop() ?? n));
  return { ...failure, error: { ...failure.error, monitors } };
}

/**
 * The places of the vWAN hubs' ExpressRoute gateways the circuit is connected
 * through, as the wiring read gave them: the connection's id lies under its
 * gateway's, in the gateway's subscription.
 */
function hubsOf(connections: readonly GatewayConnectionFacts[]): Place[] {
  return connections.flatMap((c) => {
    const subscriptionId = /^\/subscriptions\/([^/]+)\//i.exec(c.id)?.[1];
    return c.kind === "vwan" && c.hubRegion && subscriptionId
      ? [{ subscriptionId, region: c.hubRegion }]
      : [];
  });
}

/**
 * Tag entries read as named, their definitions not read: by id, or by name
 * among the results of the circuit's subscription and region (ownRows).
 */
function asNamed(
  named: readonly string[],
  workspace: string,
  near: NonNullable<MonitorRef["near"]>,
): MonitorRef[] {
  return named.map((n) => ({
    id: n.startsWith("/") ? n : null,
    name: n.split("/").pop() ?? n,
    workspace,
    how: "tagged" as const,
    ...(n.startsWith("/") ? {} : { near }),
  }));
}

/** The monitors to read, and those the circuit's tag names that are not there. */
interface Found {
  refs: MonitorRef[];
  missing: UnreadMonitor[];
}

export function createDataPlaneReader(deps: DataPlaneReaderDeps): DataPlaneReader {
  const { config, arm } = deps;
  const call = createMonitorCall(
    { concurrency: 4, timeoutMs: arm.config.timeoutMs, maxRetries: arm.config.maxRetries },
    arm.now,
    deps.time,
  );
  const metrics = config.reads.includes("metrics")
    ? new MetricsReader(
        deps.credential,
        { ...config.metrics, maxRetries: arm.config.maxRetries },
        call,
        deps.clientOptions ?? {},
        arm.now,
      )
    : null;
  const logs = config.reads.includes("connection-monitor")
    ? new LogsReader(
        deps.credential,
        { ...config.logs, maxRetries: arm.config.maxRetries, timeoutMs: arm.config.timeoutMs },
        call,
        deps.clientOptions ?? {},
        arm.now,
      )
    : null;
  // The process's: a fanned-out sweep's batches and the sweeps after it share it.
  const turns = workspaceTurns(arm.now, {
    ms: arm.config.timeoutMs,
    time: deps.time ?? realTime,
  });

  /** The monitors that test this circuit, and how they were found; tagged ones not there apart. */
  async function monitorsOf(
    reading: CircuitReading,
    options: DataPlaneReadOptions,
  ): Promise<Reading<Found>> {
    const missing: UnreadMonitor[] = [];
    const refs = await refsFor(reading, options, missing);
    if (!refs.ok) return failedLike(refs);
    // Every tagged monitor missing: nothing to read, and that is the read's failure, each named.
    if (refs.value.length === 0 && missing.length > 0)
      return together(
        missing.map((m) => m.failure),
        refs.readAt,
      );
    return { ok: true, value: { refs: refs.value, missing }, readAt: refs.readAt };
  }

  async function refsFor(
    reading: CircuitReading,
    options: DataPlaneReadOptions,
    missing: UnreadMonitor[],
  ): Promise<Reading<MonitorRef[]>> {
    const named = split(tag(reading.ref.tags, TAGS.connectionMonitor));
    const workspace = tag(reading.ref.tags, TAGS.workspace) || undefined;
    const now = arm.now().toISOString();
    const region = reading.ref.location;
    // No region, no Network Watcher to look a name up in: read as the tags say.
    if (!region)
      return {
        ok: true,
        value:
          named.length > 0 && workspace
            ? asNamed(named, workspace, { subscriptionId: reading.ref.subscriptionId, region })
            : [],
        readAt: now,
      };
    const home = { subscriptionId: reading.ref.subscriptionId, region };
    const gatewayIds = reading.gateway.ok
      ? onceEach(reading.gateway.value.flatMap((c) => (c.gatewayId ? [c.gatewayId] : [])))
      : [];
    if (named.length > 0) {
      const hubs = reading.gateway.ok ? hubsOf(reading.gateway.value) : [];
      return taggedRefs(named, workspace, home, { gatewayIds, hubs }, options, missing);
    }
    if (!reading.gateway.ok) {
      // No gateway known, no other region to search; nothing here, nothing to match.
      const own = await monitorsNear(arm, home, [], { ...options, vnets: false });
      if (!own.ok) return failedLike(own);
      if (allMonitors(own.value).length === 0 && allOdd(own.value).length === 0)
        return { ok: true, value: [], readAt: own.readAt };
      return failedLike(reading.gateway);
    }
    const found = await monitorsNear(arm, home, gatewayIds, { ...options, vnets: true });
    if (!found.ok) return failedLike(found);
    const monitors = allMonitors(found.value);
    const odd = allOdd(found.value);
    if (monitors.length === 0 && odd.length === 0)
      return { ok: true, value: [], readAt: found.readAt };
    const connections = reading.gateway.value;
    const { vnets } = found.value;
    const tests = (endpointResourceIds: string[]) =>
      endpointResourceIds.some(
        (r) => connections.some((c) => same(r, c.id)) || vnets.some((v) => inVnet(r, v)),
      );
    // An endpoint that cannot be read might be in any VNet: only a circuit
    // with nothing to match it against is sure it is not tested.
    const unread = odd.find(({ monitor: m }) =>
      m.endpointResourceIds === null
        ? connections.length > 0 || vnets.length > 0
        : tests(m.endpointResourceIds),
    );
    if (unread) return failedLike(unread.failure);
    const chosen = monitors.filter((m) => tests(m.endpointResourceIds));
    const unplaced = chosen.length === 0 ? unplacedWiring(found.value.unplaced) : null;
    if (unplaced)
      return parsed<never>(
        {
          operation: "listConnectionMonitors",
          target: `Connection Monitors of ${reading.ref.name}'s VNets`,
          readAt: found.readAt,
        },
        () => {
          throw new MalformedResponseError(unplaced);
        },
      );
    return refsOf(chosen, "discovered", workspace, found.readAt);
  }

  /**
   * The monitors the circuit's tag names. The gateways' regions are searched
   * only for an entry the circuit's own region lacks, and a name found there
   * is taken from its own region first, as results of a tagged name are
   * (ownRows); a name that several of the gateways' regions have is none of
   * them, and the read fails naming them. With an erwatch:workspace tag the
   * monitors are looked up all the same (that tag says only where results
   * are): one not there read "no results", silence that was a deleted or
   * misspelt monitor. A resource id is then looked for in the Network
   * Watcher it names too (a monitor of another region or subscription is
   * read by id with that tag), and an entry a monitor erwatch cannot read
   * might be is read as named, as before.
   */
  async function taggedRefs(
    named: string[],
    workspace: string | undefined,
    home: Place,
    { gatewayIds, hubs }: { gatewayIds: string[]; hubs: Place[] },
    options: DataPlaneReadOptions,
    missing: UnreadMonitor[],
  ): Promise<Reading<MonitorRef[]>> {
    const own = await monitorsNear(arm, home, [], { ...options, vnets: false });
    if (!own.ok) return naming(failedLike(own), named);
    // With that tag an id is looked for in the Network Watcher it names
    // (below): searched for in the gateways' regions too, each circuit's
    // gateway was read every sweep to find what that listing finds.
    const ownWatcher = (n: string) => workspace !== undefined && watcherOfMonitorId(n) !== null;
    const elsewhere = named.some(
      (n) => !ownWatcher(n) && !allMonitors(own.value).some((m) => isNamed(n, m)),
    );
    const found =
      elsewhere && gatewayIds.length + hubs.length > 0
        ? await monitorsNear(arm, home, gatewayIds, { ...options, vnets: false, hubs })
        : own;
    if (!found.ok) return naming(failedLike(found), named);
    const [first, ...rest] = found.value.places.map((p) => ({ ...p.place, watchers: p.watchers }));
    // A monitor erwatch cannot read blinds the circuits it might test, and only them.
    const mightBe = (n: string, odd: RegionMonitors["odd"]) =>
      odd.some((o) => mightBeNamed(n, o.monitor));
    const unread = allOdd(found.value).find((o) => named.some((n) => mightBeNamed(n, o.monitor)));
    if (unread && !workspace) return failedLike(unread.failure);
    const monitors = allMonitors(found.value);
    const asTagged = named.filter((n) => mightBe(n, allOdd(found.value)));
    const apart = new Set(asTagged);
    if (workspace)
      for (const n of named) {
        const watcher = watcherOfMonitorId(n);
        if (!watcher || apart.has(n) || monitors.some((m) => isNamed(n, m))) continue;
        apart.add(n);
        const got = await monitorsOfWatcher(arm, watcher.subscriptionId, watcher, options);
        // Its Network Watcher gone: so is the monitor. Not listed for another
        // reason (a subscription erwatch's role does not reach, the very case
        // the id and the workspace tag are for; a throttle): read as the tags
        // say, as before the look-up, whose failure blinded its end to end.
        if (!got.ok && got.error.kind !== "not-found") asTagged.push(n);
        else if (got.ok && mightBe(n, got.value.odd)) asTagged.push(n);
        else if (got.ok && got.value.monitors.some((m) => isNamed(n, m)))
          monitors.push(...got.value.monitors.filter((m) => isNamed(n, m)));
        else missing.push(missingById(n, watcher, got.ok ? got.value.monitors : null));
      }
    missing.push(
      ...missingTagged(
        named.filter((n) => !apart.has(n)),
        monitors,
        [first!, ...rest],
      ),
    );
    const chosen = new Map<string, MonitorFacts>();
    for (const n of named) {
      if (asTagged.includes(n)) continue;
      const atHome = found.value.places[0]!.monitors.filter((m) => isNamed(n, m));
      const hits = atHome.length > 0 ? atHome : monitors.filter((m) => isNamed(n, m));
      if (hits.length > 1) return ambiguous(n, hits, found.readAt);
      for (const m of hits) chosen.set(m.id.toLowerCase(), m);
    }
    const refs = refsOf([...chosen.values()], "tagged", workspace, found.readAt);
    if (!refs.ok || asTagged.length === 0) return refs;
    return { ...refs, value: [...refs.value, ...asNamed(asTagged, workspace!, home)] };
  }

  async function readEndToEnd(
    reading: CircuitReading,
    options: DataPlaneReadOptions,
  ): Promise<Reading<EndToEndFacts> | undefined> {
    if (!logs) return undefined;
    const found = await monitorsOf(reading, options);
    if (!found.ok) return failedLike(found);
    const monitors = { ...found, value: found.value.refs };
    const to = options.now;
    const from = new Date(to.getTime() - config.logs.windowMinutes * 60_000);
    const value: EndToEndFacts = {
      monitors: monitors.value,
      from: from.toISOString(),
      to: to.toISOString(),
      tests: [],
    };
    // Every workspace is asked: one gone (or refused) must not hide what
    // another holds, a Fail there among it. Only when none answers is the
    // read a failure as a whole.
    const failed: { workspace: string; failure: Reading<never> }[] = [];
    const workspaces = onceEach(monitors.value.map((m) => m.workspace));
    for (const workspace of workspaces) {
      const mine = monitors.value.filter((m) => same(m.workspace, workspace));
      const where = {
        session: options.session,
        signal: options.abortSignal,
        ...(options.sweepId !== undefined ? { sweepId: options.sweepId } : {}),
      };
      const got = await turns.ask(where, workspace, () =>
        logs.tests(workspace, mine, { from, to }, options.abortSignal),
      );
      if (!got.ok) {
        failed.push({ workspace, failure: failedLike(got) });
        continue;
      }
      value.tests.push(...got.value.tests);
      if (got.value.newest)
        value.ingested = [...(value.ingested ?? []), { workspace, newest: got.value.newest }];
    }
    // None answered: each workspace's failure is said, and each tagged monitor not there.
    if (failed.length > 0 && failed.length === workspaces.length)
      return together(
        [
          ...failed.flatMap((f) => {
            const asked = askedOf(f, monitors.value);
            return asked.ok ? [] : [asked.error];
          }),
          ...found.value.missing.map((m) => m.failure),
        ],
        arm.now().toISOString(),
      );
    const unread = [...found.value.missing, ...unreadOf(monitors.value, failed)];
    return {
      ok: true,
      value: unread.length > 0 ? { ...value, unread } : value,
      readAt: arm.now().toISOString(),
    };
  }

  async function readLearnedRoutes(
    reading: CircuitReading,
    options: DataPlaneReadOptions,
  ): Promise<GatewayRoutes[]> {
    if (!reading.gateway.ok) return [];
    const ids = onceEach(reading.gateway.value.flatMap((c) => (c.gatewayId ? [c.gatewayId] : [])));
    return Promise.all(
      ids.map(async (gatewayId) => ({
        gatewayId,
        routes: await learnedRoutes(arm, gatewayId, { abortSignal: options.abortSignal }),
      })),
    );
  }

  return {
    readMetrics: async (targets, options) => (metrics ? metrics.read(targets, options) : new Map()),
    readEndToEnd,
    readLearnedRoutes,
  };
}
