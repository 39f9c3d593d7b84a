// Reads circuits over ARM through the real SDK: the circuit, then per enabled
// peering and path the ARP table and the route table summary (long-running
// POST reads), then the gateway wiring. Every call is bounded by a deadline and
// the sweep's abort signal, and a failure becomes UNKNOWN for exactly the
// layers that read feeds.

import type { TokenCredential } from "@azure/identity";
import type {
  CircuitReader,
  CircuitReadResult,
  CircuitTarget,
  ReadOptions,
} from "../../app/ports.js";
import type { ArmConfig } from "../../config/arm.js";
import { isIgnored, resolveCircuitSettings } from "../../core/circuit-settings.js";
import type {
  CircuitReading,
  CircuitRef,
  PathName,
  PathReading,
  Reading,
} from "../../core/model.js";
import { readablePeerings } from "../../core/model.js";
import { createArmCall, failedLike } from "./call.js";
import { readCircuit, type CircuitRead } from "./circuit.js";
import { NetworkClients, type ArmClientOptions } from "./clients.js";
import type { ArmContext } from "./context.js";
import { discoverCircuits } from "./discovery.js";
import { LroTiming } from "./lro-timing.js";
import { Pacer } from "./pacer.js";
import type { Timekeeper } from "./token-bucket.js";
import { readGateway } from "./gateway.js";
import { readPeeringPaths } from "./path-reads.js";
import { sameName } from "../../core/names.js";

export interface ArmReaderDeps {
  credential: TokenCredential;
  config: ArmConfig;
  clientOptions?: ArmClientOptions;
  now?: () => Date;
  /** The time ARM's budget refills by (the bench compresses the idle time between sweeps). */
  budgetTime?: Timekeeper;
  /** The time a read's ARM_TIMEOUT_MS and the Retry-After it waits run on: real time unless a test injects one. */
  readTime?: Timekeeper;
}

function refOf(target: CircuitTarget, got: Reading<CircuitRead>): CircuitRef {
  return {
    // The target's spelling when ARM's differs only in case: storage partitions
    // by it, and a read that fails (which has only the target's) must land in
    // the same partition as one that succeeds.
    id: got.ok && !sameName(got.value.id, target.id) ? got.value.id : target.id,
    name: got.ok ? got.value.name : target.name,
    subscriptionId: target.subscriptionId,
    resourceGroup: target.resourceGroup,
    location: got.ok ? got.value.location : null,
    tags: got.ok ? got.value.tags : (target.tags ?? {}),
  };
}

async function readEnabledPeerings(
  ctx: ArmContext,
  target: CircuitTarget,
  peerings: { name: string; ipv6Disabled: boolean }[],
  options: ReadOptions,
): Promise<Record<string, Record<PathName, PathReading>>> {
  const paths: Record<string, Record<PathName, PathReading>> = {};
  const readPeering = async ({ name, ipv6Disabled }: { name: string; ipv6Disabled: boolean }) => {
    paths[name] = await readPeeringPaths(ctx, target, name, options, ipv6Disabled);
  };
  if (options.sequential) {
    for (const peering of peerings) await readPeering(peering);
  } else {
    await Promise.all(peerings.map(readPeering));
  }
  return paths;
}

async function readTarget(
  ctx: ArmContext,
  target: CircuitTarget,
  options: ReadOptions,
): Promise<CircuitReadResult> {
  const skip = (tags: Record<string, string>) => !options.includeIgnored && isIgnored(tags);
  const ignored = { kind: "ignored" as const, id: target.id, name: target.name };
  if (target.tags && skip(target.tags)) return ignored;
  // The cheap tier already read the circuit's body: no GET of its own.
  const got: Reading<CircuitRead> = target.listed
    ? { ok: true, value: target.listed, readAt: target.listed.readAt }
    : await readCircuit(ctx, target, options);
  const ref = refOf(target, got);
  if (skip(ref.tags)) return ignored;
  const { settings, problems } = resolveCircuitSettings(ref.tags, ctx.config.defaults);
  if (!got.ok) {
    const reading: CircuitReading = {
      ref,
      settings,
      circuit: failedLike(got),
      paths: {},
      gateway: failedLike(got),
    };
    return { kind: "read", settingProblems: problems, reading };
  }
  const facts = got.value.facts;
  // A peering whose state ARM left out is not read: its rows stay UNKNOWN.
  const enabled = readablePeerings(facts)
    .filter((p) => p.state === "Enabled")
    .map((p) => ({ name: p.name, ipv6Disabled: p.ipv6?.state === "Disabled" }));
  const paths = await readEnabledPeerings(ctx, target, enabled, options);
  const fieldFailures = [...got.value.problems];
  const wiring = { ...target, circuitId: ref.id, tags: ref.tags };
  const gateway = await readGateway(ctx, wiring, options, fieldFailures);
  const circuit: Reading<typeof facts> = { ok: true, value: facts, readAt: got.readAt };
  const reading: CircuitReading = { ref, settings, circuit, paths, gateway };
  if (fieldFailures.length > 0) reading.fieldFailures = fieldFailures;
  return { kind: "read", settingProblems: problems, reading };
}

/** The SDK clients, call limiter and clock the ARM reads share; built once per process. */
export function createArmContext(deps: ArmReaderDeps): ArmContext {
  const now = deps.now ?? (() => new Date());
  // One pacer per process: ARM budgets per subscription and principal, not
  // per sweep, and the data-plane reader's ARM reads share it.
  const sweepNow = () => now().getTime();
  const pacer = new Pacer(
    { ...deps.config.pacing, inFlight: deps.config.concurrency },
    sweepNow,
    deps.budgetTime,
  );
  return {
    clients: new NetworkClients(
      deps.credential,
      deps.config,
      pacer,
      deps.clientOptions,
      sweepNow,
      deps.readTime,
    ),
    pacer,
    call: createArmCall(deps.config, now, deps.readTime),
    config: deps.config,
    now,
    lroTiming: new LroTiming(deps.config.lroPollIntervalMs),
  };
}

/** `ctx`: share it with the data-plane reader so its ARM reads are paced with these. */
export function createArmReader(
  deps: ArmReaderDeps,
  ctx: ArmContext = createArmContext(deps),
): CircuitReader {
  return {
    discover: (scope, options) => discoverCircuits(ctx, scope, options),
    read: (target, options) => readTarget(ctx, target, options),
    usage: () => ({ ...ctx.pacer.stats }),
  };
}
