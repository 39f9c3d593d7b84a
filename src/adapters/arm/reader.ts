// Reads circuits over ARM through the real SDK: the circuit, then per enabled
// peering and path the ARP table and the route table summary (long-running
// POST reads), then the gateway wiring. Every call is bounded by a deadline and
// the sweep's abort signal, and a failure becomes UNKNOWN for exactly the
// layers that read feeds.

import type { TokenCredential } from "@azure/identity";
import pLimit from "p-limit";
import type {
  CircuitReader,
  CircuitReadResult,
  CircuitTarget,
  DiscoveryFailure,
  ReadOptions,
  ReadSession,
} from "../../app/ports.js";
import type { ArmConfig } from "../../config/arm.js";
import { isIgnored, resolveCircuitSettings, tag, TAGS } from "../../core/circuit-settings.js";
import type {
  CircuitFacts,
  CircuitRef,
  GatewayConnectionFacts,
  PathName,
  PathReading,
  Reading,
} from "../../core/model.js";
import { PATHS } from "../../core/model.js";
import { parseCircuitId, sameId } from "../../core/resource-id.js";
import { NetworkClients, type ArmClientOptions } from "./clients.js";
import { toReadFailure } from "./errors.js";
import { ARM_OPERATIONS, type ArmOperation } from "./operations.js";
import { toArpRows, toCircuitFacts, toNeighborRows, toRouteRows } from "./to-domain.js";

export interface ArmReaderDeps {
  credential: TokenCredential;
  config: ArmConfig;
  clientOptions?: ArmClientOptions;
  now?: () => Date;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

function failedLike<T>(reading: Reading<unknown>): Reading<T> {
  if (reading.ok) throw new Error("failedLike called with a successful reading");
  return reading;
}

export function createArmReader(deps: ArmReaderDeps): CircuitReader {
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  const clients = new NetworkClients(deps.credential, config, deps.clientOptions);
  // One limiter per process: ARM throttles per subscription and principal, not per sweep.
  const limit = pLimit(config.concurrency);

  async function call<T>(
    operation: ArmOperation,
    target: string,
    parent: AbortSignal,
    run: (abortSignal: AbortSignal) => Promise<T>,
    onRead?: ReadOptions["onRead"],
  ): Promise<Reading<T>> {
    return limit(async () => {
      const started = Date.now();
      // The deadline starts when the read starts, not while it waits for a slot.
      const deadline = AbortSignal.timeout(config.timeoutMs);
      const abortSignal = AbortSignal.any([parent, deadline]);
      try {
        const value = await run(abortSignal);
        onRead?.({ target, ok: true, elapsedMs: Date.now() - started });
        return { ok: true as const, value, readAt: now().toISOString() };
      } catch (error) {
        onRead?.({ target, ok: false, elapsedMs: Date.now() - started });
        return {
          ok: false as const,
          error: toReadFailure(error, {
            call: ARM_OPERATIONS[operation],
            target,
            timedOut: deadline.aborted,
          }),
          readAt: now().toISOString(),
        };
      }
    });
  }

  type PathRead = "arp" | "summary" | "routes";

  function readOne(
    target: CircuitTarget,
    peering: string,
    path: PathName,
    what: PathRead,
    options: ReadOptions,
  ) {
    const ops = clients.for(target.subscriptionId).expressRouteCircuits;
    const lro = { updateIntervalInMs: config.lroPollIntervalMs };
    const { resourceGroup: rg, name } = target;
    switch (what) {
      case "arp":
        return call(
          "arpTable",
          `ARP table ${peering}/${path}`,
          options.abortSignal,
          async (abortSignal) =>
            toArpRows(
              (await ops.listArpTable(rg, name, peering, path, { ...lro, abortSignal })).value,
            ),
          options.onRead,
        );
      case "summary":
        return call(
          "routeTablesSummary",
          `route table summary ${peering}/${path}`,
          options.abortSignal,
          async (abortSignal) =>
            toNeighborRows(
              (await ops.listRoutesTableSummary(rg, name, peering, path, { ...lro, abortSignal }))
                .value,
            ),
          options.onRead,
        );
      case "routes":
        return call(
          "routeTables",
          `route table ${peering}/${path}`,
          options.abortSignal,
          async (abortSignal) =>
            toRouteRows(
              (await ops.listRoutesTable(rg, name, peering, path, { ...lro, abortSignal })).value,
            ),
          options.onRead,
        );
    }
  }

  /**
   * Both paths of one peering. Sequential mode follows the runbook: layer 2 on
   * both paths, then BGP on both, then the routes, so a person watching the
   * progress sees the diagnosis unfold bottom-up.
   */
  async function readPeeringPaths(
    target: CircuitTarget,
    peering: string,
    options: ReadOptions,
  ): Promise<Record<PathName, PathReading>> {
    const kinds: PathRead[] = options.routes ? ["arp", "summary", "routes"] : ["arp", "summary"];
    const results = new Map<string, Reading<unknown>>();
    const jobs = kinds.flatMap((what) => PATHS.map((path) => ({ what, path })));
    if (options.sequential) {
      for (const job of jobs)
        results.set(
          `${job.what}:${job.path}`,
          await readOne(target, peering, job.path, job.what, options),
        );
    } else {
      await Promise.all(
        jobs.map(async (job) =>
          results.set(
            `${job.what}:${job.path}`,
            await readOne(target, peering, job.path, job.what, options),
          ),
        ),
      );
    }
    const pathReading = (path: PathName): PathReading => {
      const reading: PathReading = {
        arp: results.get(`arp:${path}`) as PathReading["arp"],
        summary: results.get(`summary:${path}`) as PathReading["summary"],
      };
      if (options.routes)
        reading.routes = results.get(`routes:${path}`) as NonNullable<PathReading["routes"]>;
      return reading;
    };
    return { primary: pathReading("primary"), secondary: pathReading("secondary") };
  }

  /** Resource groups to search for gateway connections: the circuit's own, plus any the tag names. */
  function connectionScopes(
    target: CircuitTarget,
    tags: Record<string, string>,
  ): { subscriptionId: string; resourceGroup: string }[] {
    const extra = (tag(tags, TAGS.connectionResourceGroups) ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const [first, second] = entry.split("/");
        return second
          ? { subscriptionId: first as string, resourceGroup: second }
          : { subscriptionId: target.subscriptionId, resourceGroup: first as string };
      });
    const all = [
      { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup },
      ...extra,
    ];
    return all.filter(
      (s, i) =>
        all.findIndex((o) =>
          sameId(
            `${o.subscriptionId}/${o.resourceGroup}`,
            `${s.subscriptionId}/${s.resourceGroup}`,
          ),
        ) === i,
    );
  }

  async function readGateway(
    target: CircuitTarget,
    circuitId: string,
    tags: Record<string, string>,
    options: ReadOptions,
    session: ReadSession,
  ): Promise<Reading<GatewayConnectionFacts[]>> {
    const found: GatewayConnectionFacts[] = [];
    for (const scope of connectionScopes(target, tags)) {
      const key = `connections:${scope.subscriptionId}/${scope.resourceGroup}`.toLowerCase();
      const listed = await session.memo(key, () =>
        call(
          "listConnections",
          `gateway connections in ${scope.resourceGroup}`,
          options.abortSignal,
          (abortSignal) =>
            collect(
              clients
                .for(scope.subscriptionId)
                .virtualNetworkGatewayConnections.list(scope.resourceGroup, { abortSignal }),
            ),
          options.onRead,
        ),
      );
      if (!listed.ok) return failedLike(listed);
      const mine = listed.value.filter(
        (c) =>
          c.connectionType === "ExpressRoute" &&
          c.peer?.id !== undefined &&
          sameId(c.peer.id, circuitId),
      );
      for (const connection of mine) {
        // The list omits connectionStatus; only a GET carries it.
        const got = await call(
          "getConnection",
          `gateway connection ${connection.name}`,
          options.abortSignal,
          (abortSignal) =>
            clients
              .for(scope.subscriptionId)
              .virtualNetworkGatewayConnections.get(scope.resourceGroup, connection.name ?? "", {
                abortSignal,
              }),
          options.onRead,
        );
        if (!got.ok) return failedLike(got);
        found.push({
          id: got.value.id ?? connection.id ?? "",
          name: got.value.name ?? connection.name ?? "",
          kind: "vnet-gateway",
          peering: null,
          status: got.value.connectionStatus ?? "Unknown",
        });
      }
    }
    const vwan = await session.memo(`vwan:${target.subscriptionId}`.toLowerCase(), () =>
      call(
        "listExpressRouteGateways",
        `ExpressRoute gateways in subscription ${target.subscriptionId}`,
        options.abortSignal,
        (abortSignal) =>
          // Not a pager in this API: one response with a value array.
          clients
            .for(target.subscriptionId)
            .expressRouteGateways.listBySubscription({ abortSignal })
            .then((list) => list.value ?? []),
        options.onRead,
      ),
    );
    if (!vwan.ok) return failedLike(vwan);
    const prefix = `${circuitId}/peerings/`.toLowerCase();
    for (const gateway of vwan.value) {
      for (const c of gateway.expressRouteConnections ?? []) {
        const peeringId = c.expressRouteCircuitPeering?.id ?? "";
        if (!peeringId.toLowerCase().startsWith(prefix)) continue;
        found.push({
          id: c.id ?? "",
          name: c.name,
          kind: "vwan",
          peering: peeringId.slice(prefix.length),
          status: c.provisioningState ?? "Unknown",
        });
      }
    }
    return { ok: true, value: found, readAt: now().toISOString() };
  }

  return {
    async discover(scope, options) {
      const targets: CircuitTarget[] = [];
      const failures: DiscoveryFailure[] = [];
      for (const subscriptionId of scope.subscriptions) {
        const listed = await call(
          "listCircuits",
          `circuits in subscription ${subscriptionId}`,
          options.abortSignal,
          (abortSignal) =>
            collect(clients.for(subscriptionId).expressRouteCircuits.listAll({ abortSignal })),
        );
        if (!listed.ok) {
          failures.push({ subscriptionId, failure: listed.error });
          continue;
        }
        for (const circuit of listed.value) {
          const id = circuit.id ? parseCircuitId(circuit.id) : null;
          if (!id) continue;
          targets.push({ ...id, tags: circuit.tags ?? {} });
        }
      }
      for (const text of scope.circuitIds) {
        const id = parseCircuitId(text);
        if (id && !targets.some((t) => sameId(t.id, id.id))) targets.push(id);
      }
      return { targets, failures };
    },

    async read(target, options): Promise<CircuitReadResult> {
      const { session } = options;
      const skip = (tags: Record<string, string>) => !options.includeIgnored && isIgnored(tags);
      if (target.tags && skip(target.tags))
        return { kind: "ignored", id: target.id, name: target.name };
      const got = await call(
        "getCircuit",
        `circuit ${target.name}`,
        options.abortSignal,
        async (abortSignal) => {
          const circuit = await clients
            .for(target.subscriptionId)
            .expressRouteCircuits.get(target.resourceGroup, target.name, { abortSignal });
          return {
            facts: toCircuitFacts(circuit),
            tags: circuit.tags ?? {},
            location: circuit.location ?? null,
            id: circuit.id ?? target.id,
            name: circuit.name ?? target.name,
          };
        },
        options.onRead,
      );
      const tags = got.ok ? got.value.tags : (target.tags ?? {});
      if (skip(tags)) return { kind: "ignored", id: target.id, name: target.name };
      const { settings, problems } = resolveCircuitSettings(tags, config.defaults);
      const ref: CircuitRef = {
        id: got.ok ? got.value.id : target.id,
        name: got.ok ? got.value.name : target.name,
        subscriptionId: target.subscriptionId,
        resourceGroup: target.resourceGroup,
        location: got.ok ? got.value.location : null,
        tags,
      };
      if (!got.ok) {
        return {
          kind: "read",
          settingProblems: problems,
          reading: { ref, settings, circuit: failedLike(got), paths: {}, gateway: failedLike(got) },
        };
      }
      const facts: CircuitFacts = got.value.facts;
      const circuit: Reading<CircuitFacts> = { ok: true, value: facts, readAt: got.readAt };
      const enabled = facts.peerings.filter((p) => p.state === "Enabled");
      const paths: Record<string, Record<PathName, PathReading>> = {};
      const readPeering = async (name: string) => {
        paths[name] = await readPeeringPaths(target, name, options);
      };
      if (options.sequential) {
        for (const p of enabled) await readPeering(p.name);
      } else {
        await Promise.all(enabled.map((p) => readPeering(p.name)));
      }
      const gateway = await readGateway(target, ref.id, tags, options, session);
      return {
        kind: "read",
        settingProblems: problems,
        reading: { ref, settings, circuit, paths, gateway },
      };
    },
  };
}
