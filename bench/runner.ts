// erwatch under measurement, in a process of its own so its peak RSS is its
// own: the real sweep runtime built from app settings, pointed at the bench's
// loopback ARM, Azurite and broker, driven over IPC by bench/harness.ts. The
// harness compresses the idle time between sweeps; this process follows its
// clock (reads are stamped with it, ARM's budget refills by it).

import { NetworkManagementClient } from "@azure/arm-network";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import v8 from "node:v8";
import { realTime } from "../src/adapters/arm/token-bucket.js";
import { closeServiceBusClients } from "../src/adapters/servicebus/client.js";
import { sweepWindow } from "../src/app/sweep-window.js";
import { loadSweepConfig } from "../src/runtime/config.js";
import { buildSweepRuntime } from "../src/runtime/sweep.js";
import { staticCredential } from "../test/support/estate-access.js";

export type RunnerCommand =
  | { type: "clock"; offset: number }
  | { type: "sweep"; mode: "deep" | "tiered"; windowed: boolean }
  | { type: "naive"; circuits: number }
  | { type: "exit" };

export interface SweepReport {
  type: "sweep";
  wallMs: number;
  deep: number;
  quiet: number;
  unreached: number;
  read: number;
  failedReads: number;
  events: number;
  /** "action family severity circuit", per event decided. */
  eventList: string[];
  /**
   * This process's peak resident set when the sweep ended, MB: erwatch's, not
   * the bench's (the harness reads the snapshots for its own columns itself).
   */
  peakRssMb: number;
  /** CPU time the sweep took in this process (user + system), s. */
  cpuS: number;
}

const env = JSON.parse(process.env.BENCH_ENV ?? "{}") as Record<string, string>;
const ca = readFileSync(process.env.BENCH_CA ?? "", "utf8");
let offset = 0;
const now = () => new Date(Date.now() + offset);

const config = loadSweepConfig(env, { publish: "required", functions: true });
const runtime = buildSweepRuntime(config, {
  credential: staticCredential,
  armClientOptions: { pipeline: { tlsOptions: { ca } } },
  serviceBusOptions: { retryOptions: { maxRetries: 1, timeoutInMs: 10_000 } },
  now,
  armBudgetTime: { now: () => Date.now() + offset, after: realTime.after },
  logDestination: { write: () => true },
});

async function sweep(mode: "deep" | "tiered", windowed: boolean): Promise<SweepReport> {
  const window = sweepWindow(config.state.policy.sweepIntervalMinutes);
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  const result = await runtime.sweeper.sweep({
    scope: { subscriptions: config.arm.subscriptions, circuitIds: config.arm.circuitIds },
    now: now(),
    mode,
    ...(windowed ? { deadline: new Date(Date.now() + window.budgetMs) } : {}),
    abortSignal: AbortSignal.timeout(windowed ? window.stopMs : 60 * 60_000),
  });
  const wallMs = Date.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    type: "sweep",
    wallMs,
    deep: result.plan.deep.length,
    quiet: result.plan.quiet,
    unreached: result.unreached.length,
    read: result.verdicts.length,
    failedReads: result.verdicts.filter((v) => v.failedReads.length > 0).length,
    events: result.events.length,
    eventList: result.events.map((e) => `${e.action} ${e.family} ${e.severity} ${e.circuit.name}`),
    peakRssMb: peakRssMb(),
    cpuS: (cpu.user + cpu.system) / 1e6,
  };
}

/** The seed's reads one after another, as a person would script them: the circuit, then ARP and route summary per path. */
async function naive(count: number): Promise<{ type: "naive"; wallMs: number; circuits: number }> {
  const client = new NetworkManagementClient(staticCredential, config.arm.subscriptions[0]!, {
    endpoint: config.arm.endpoint,
    credentials: { scopes: [config.arm.tokenScope] },
    tlsOptions: { ca },
  });
  const listed: { name: string; resourceGroup: string }[] = [];
  for await (const c of client.expressRouteCircuits.listAll()) {
    listed.push({ name: c.name!, resourceGroup: c.id!.split("/")[4]! });
    if (listed.length >= count) break;
  }
  const started = Date.now();
  for (const { name, resourceGroup } of listed) {
    const circuit = await client.expressRouteCircuits.get(resourceGroup, name);
    for (const peering of circuit.peerings ?? []) {
      if (peering.state !== "Enabled") continue;
      for (const path of ["primary", "secondary"]) {
        await client.expressRouteCircuits.listArpTable(resourceGroup, name, peering.name!, path);
        await client.expressRouteCircuits.listRoutesTableSummary(
          resourceGroup,
          name,
          peering.name!,
          path,
        );
      }
    }
  }
  return { type: "naive", wallMs: Date.now() - started, circuits: listed.length };
}

// The heap the sweep keeps, sampled: what peak RSS is made of.
// BENCH_HEAP_SNAPSHOT_MB=n writes one heap snapshot (to the temp dir) the first
// time the used heap passes n MB, to see what a sweep holds.
let heapMax = 0;
const snapshotAt = Number(process.env.BENCH_HEAP_SNAPSHOT_MB ?? "0") * 1_048_576;
let snapshotWritten = false;
const sampler = setInterval(() => {
  heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
  if (snapshotAt > 0 && heapMax > snapshotAt && !snapshotWritten) {
    snapshotWritten = true;
    const file = v8.writeHeapSnapshot(join(tmpdir(), `erwatch-bench-${process.pid}.heapsnapshot`));
    console.error(`heap snapshot at ${Math.round(heapMax / 1_048_576)} MB: ${file}`);
  }
}, 250);
sampler.unref();

/** Peak resident set of this process over its life so far, MB (maxRSS is KiB on Linux). */
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

process.on("message", (command: RunnerCommand) => {
  const reply = (value: unknown) => process.send!(value);
  const fail = (error: unknown) =>
    reply({ type: "error", message: (error as Error).stack ?? String(error) });
  switch (command.type) {
    case "clock":
      offset = command.offset;
      reply({ type: "clock" });
      return;
    case "sweep":
      sweep(command.mode, command.windowed).then(reply, fail);
      return;
    case "naive":
      naive(command.circuits).then(reply, fail);
      return;
    case "exit":
      void (async () => {
        await runtime.sink?.close?.().catch(() => undefined);
        await closeServiceBusClients().catch(() => undefined);
        // Peak resident set of this process over its whole life, KiB on Linux.
        reply({
          type: "exit",
          maxRssMb: peakRssMb(),
          heapMaxMb: heapMax / 1_048_576,
        });
        process.disconnect();
        process.exit(0);
      })();
  }
});

void runtime.store.ensureTables().then(
  () => process.send!({ type: "ready" }),
  (error: unknown) => {
    process.send!({ type: "error", message: String(error) });
    process.exit(1);
  },
);
