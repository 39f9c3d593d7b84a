// The bench, as a function the CLI (bench/main.ts) and the quick smoke test
// both run. Everything erwatch talks to runs here, in the bench's process: the
// simulated ARM with ARM's costs modelled (token buckets per subscription,
// 429 + Retry-After beyond them, long-running reads taking seconds with a
// spread), Azurite, the AMQP broker, the dispatcher and a recording PagerDuty.
// erwatch itself runs in child processes (bench/runner.ts), one per scenario,
// so each peak RSS is erwatch's own.
//
// Time: the sweeps run on the real clock; the idle time between two timer
// ticks is skipped (the estate's buckets, erwatch's budget and every reading's
// timestamp follow one shared offset), so a steady state of 30 minutes takes
// only as long as its sweeps.

import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventConsumer } from "../src/adapters/servicebus/consumer.js";
import type { StateStore } from "../src/app/state-store.js";
import { closeServiceBusClients } from "../src/adapters/servicebus/client.js";
import { loadDispatchConfig, loadStatusConfig } from "../src/runtime/config.js";
import { buildDispatchRuntime, longestDeliveryMs } from "../src/runtime/dispatch.js";
import { buildStatusRuntime } from "../src/runtime/status.js";
import { startBroker, type AmqpBroker } from "../test/support/amqp-broker/broker.js";
import { startAzurite, type Azurite } from "../test/support/azurite.js";
import {
  carrierDown,
  setProviderState,
  startEstate,
  type SimCircuit,
  type SimulatedEstate,
} from "../test/support/estate/index.js";
import type { CostModelOptions } from "../test/support/estate/cost-model.js";
import { staticCredential } from "../test/support/estate-access.js";
import {
  startRecordingReceiver,
  type RecordingReceiver,
} from "../test/support/recording-receiver.js";
import {
  BENCH_SUBSCRIPTION,
  benchEstate,
  circuitName,
  PATHS,
  PEERINGS,
  PROVING_READS_PER_PATH,
} from "./estate.js";
import type { RunnerCommand, SweepReport } from "./runner.js";

const ROOT = join(import.meta.dirname, "..");

/**
 * The runner compiled to plain JavaScript (under test-artifacts/, inside the
 * repository so node_modules resolves): run through a TypeScript loader, its
 * RSS would carry the loader's too (about 40 MB). Emitted without a type check
 * (the same JavaScript, byte for byte): `npm run typecheck` checks bench/, and
 * checking again took the bench smoke 15 s of CPU where emitting takes 6.
 */
function buildRunner(): { runner: string; dir: string } {
  const dir = join(ROOT, "test-artifacts", `bench-build-${process.pid}`);
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules", "typescript", "bin", "tsc"),
      "-p",
      join(ROOT, "bench", "tsconfig.runner.json"),
      "--noCheck",
      "--outDir",
      dir,
    ],
    { stdio: "inherit" },
  );
  return { runner: join(dir, "bench", "runner.js"), dir };
}
const ALERTS = "erwatch-alerts";
const INTERVAL_MS = 5 * 60_000;
const MAX_READ_AGE_MS = 15 * 60_000;

export interface BenchOptions {
  sizes: number[];
  /** Steady-state sweeps after the full one (6 = two rotations of the 15-minute limit). */
  steadySweeps: number;
  cost: CostModelOptions;
  /** Circuits the naive baseline reads for real; its time per circuit is scaled to each size. */
  naiveSample: number;
  /** A full deep sweep of this many circuits for peak RSS, with ARM's limits raised ten-fold so it is quick (0: skip). */
  memoryCircuits: number;
  log: (line: string) => void;
}

export interface Row {
  scenario: string;
  circuits: number;
  /** Seconds; for the steady state the slowest sweep. */
  wallS: number;
  calls: number;
  callsPerCircuit: number;
  throttled: number;
  peakRssMb: number | null;
  ratioToBound: number | null;
  /** How many times faster than the naive baseline. */
  speedupOverNaive: number | null;
  /** Oldest prefix / ARP reading seen at any sweep's start, minutes. */
  oldestReadingMin: number | null;
  /** Fault → PagerDuty, seconds: listing-visible fault / fault only a deep read shows. */
  faultToPageS: { visible: number | null; deepOnly: number | null } | null;
  note: string;
}

export interface BenchReport {
  rows: Row[];
  bounds: Record<number, number>;
  naivePerCircuitS: number | null;
  cost: Required<Omit<CostModelOptions, "clock" | "seed">>;
  faultTargetS: number;
}

/** BENCH_ENV: erwatch settings (a JSON object of strings) laid over the bench's own. */
export function benchSettings(raw = process.env.BENCH_ENV): Record<string, string> {
  if (raw === undefined || raw.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`BENCH_ENV is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error("BENCH_ENV must be a JSON object of setting names to strings");
  const wrong = Object.entries(parsed).filter(([, v]) => typeof v !== "string");
  if (wrong.length > 0)
    throw new Error(`BENCH_ENV values must be strings: ${wrong.map(([k]) => k).join(", ")}`);
  return parsed as Record<string, string>;
}

/**
 * The least time any client needs for a full deep read of a healthy estate:
 * the buckets' drain, then one read's latency. A route summary per path, since
 * sessions Established with prefixes prove layer 2 and leave nothing for the
 * ARP reads to tell; `readsPerPath` 2 (READS_PER_PATH) is the bound of the seed's
 * eight reads.
 */
export function lowerBoundS(
  circuits: number,
  cost: Required<Omit<CostModelOptions, "clock" | "seed">>,
  readsPerPath = PROVING_READS_PER_PATH,
): number {
  const lro = circuits * PEERINGS * PATHS * readsPerPath;
  // Each long-running read: a POST, then at least one Location poll, which carries the result.
  const posts = lro;
  const gets = lro + circuits + 2 + Math.ceil(circuits / 100);
  const drain = (n: number, b: { capacity: number; perSecond: number }) =>
    Math.max(0, (n - b.capacity) / b.perSecond);
  const minLatency = Math.max(0, cost.lroLatencyMs - cost.lroSpreadMs) / 1000;
  return Math.max(drain(posts, cost.writes), drain(gets, cost.reads)) + minLatency;
}

/** The Function App's `languageWorkers__node__arguments`, read from infra/ so the bench runs erwatch as deployed. */
export function deployedNodeArguments(): string {
  const bicep = readFileSync(
    join(import.meta.dirname, "..", "infra", "app", "function-app.bicep"),
    "utf8",
  );
  const m = /^\s*languageWorkers__node__arguments: '([^']*)'/m.exec(bicep);
  if (!m) throw new Error("infra/app/function-app.bicep sets no languageWorkers__node__arguments");
  return m[1]!;
}

/** The oldest path reading of any circuit at `now`, ms; null when a circuit was never read. */
async function oldestReadingMs(store: StateStore, now: number): Promise<number | null> {
  let oldest = 0;
  for (const s of await store.listSnapshots()) {
    const at = s.reads?.oldestPathAt;
    if (!at) return null;
    oldest = Math.max(oldest, now - Date.parse(at));
  }
  return oldest;
}

interface Runner {
  send<T>(command: RunnerCommand): Promise<T>;
  exit(): Promise<number>;
}

async function startRunner(
  runner: string,
  env: Record<string, string>,
  ca: string,
  clockOffset: () => number,
  log: (line: string) => void,
): Promise<Runner> {
  const child: ChildProcess = fork(runner, [], {
    // As deployed; BENCH_RUNNER_ARGS="" measures with Node's defaults.
    execArgv: (process.env.BENCH_RUNNER_ARGS ?? deployedNodeArguments()).split(" ").filter(Boolean),
    env: { ...process.env, BENCH_ENV: JSON.stringify(env), BENCH_CA: ca },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  type Reply = { type: string; message?: string };
  const waiting: { resolve: (m: Reply) => void; reject: (e: Error) => void }[] = [];
  child.on("message", (m: Reply) => waiting.shift()?.resolve(m));
  child.once("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`bench runner exited ${code}`));
  });
  const next = () => new Promise<Reply>((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = await next();
  if (ready.type !== "ready") throw new Error(`bench runner: ${ready.message}`);
  // Every runner starts on the bench's clock, whatever the sweeps before it skipped.
  const synced = next();
  child.send({ type: "clock", offset: clockOffset() } satisfies RunnerCommand);
  await synced;
  return {
    async send<T>(command: RunnerCommand): Promise<T> {
      const reply = next();
      child.send(command);
      const m = await reply;
      if (m.type === "error") throw new Error(`bench runner: ${m.message}`);
      return m as T;
    },
    async exit() {
      const reply = next();
      child.send({ type: "exit" });
      const m = (await reply) as unknown as { maxRssMb: number; heapMaxMb: number };
      log(
        `  runner peak RSS ${Math.round(m.maxRssMb)} MB, largest JS heap ${Math.round(m.heapMaxMb)} MB`,
      );
      return m.maxRssMb;
    },
  };
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log;
  const dir = mkdtempSync(join(tmpdir(), "erwatch-bench-"));
  const build = buildRunner();
  const azurite: Azurite = await startAzurite();
  const broker: AmqpBroker = await startBroker({ queues: [ALERTS, `${ALERTS}-deadletter`] });
  const pagerduty: RecordingReceiver = await startRecordingReceiver({ name: "pagerduty" });
  pagerduty.respondWith(202);
  // One offset for every clock in the bench: real time plus the idle time skipped.
  let offset = 0;
  const offsets: { from: number; offset: number }[] = [{ from: 0, offset: 0 }];
  const compressed = (real: number) =>
    real + [...offsets].reverse().find((o) => o.from <= real)!.offset;
  const cost = {
    reads: options.cost.reads ?? { capacity: 250, perSecond: 25 },
    writes: options.cost.writes ?? { capacity: 200, perSecond: 10 },
    lroLatencyMs: options.cost.lroLatencyMs ?? 5_000,
    lroSpreadMs: options.cost.lroSpreadMs ?? 2_000,
    metricDelayMs: options.cost.metricDelayMs ?? 180_000,
  };
  const rows: Row[] = [];
  const bounds: Record<number, number> = {};
  let naivePerCircuitS: number | null = null;
  let run = 0;

  const envFor = (estate: SimulatedEstate, prefix: string): Record<string, string> => ({
    ARM_ENDPOINT: estate.url,
    // Azure Monitor and Log Analytics on the same loopback estate (region in the path).
    METRICS_ENDPOINT: `${estate.url}/metrics/{region}`,
    LOGS_ENDPOINT: `${estate.url}/loganalytics/v1`,
    ERWATCH_SUBSCRIPTIONS: BENCH_SUBSCRIPTION,
    ERWATCH_STORAGE: azurite.connectionString,
    ERWATCH_TABLE_PREFIX: prefix,
    ServiceBusConnection: broker.connectionString,
    SERVICEBUS_ENTITY: ALERTS,
    SWEEP_SCHEDULE: "0 */5 * * * *",
    // erwatch's budget is ARM's: the defaults are Azure's documented buckets.
    ARM_READ_BURST: String(cost.reads.capacity),
    ARM_READS_PER_SECOND: String(cost.reads.perSecond),
    ARM_WRITE_BURST: String(cost.writes.capacity),
    ARM_WRITES_PER_SECOND: String(cost.writes.perSecond),
    PAGERDUTY_ROUTING_KEY: "R0UT1NGKEY0123456789abcdefabcdef",
    ERWATCH_ACTION_GROUPS: JSON.stringify({
      receivers: [
        {
          kind: "pagerduty",
          name: "pagerduty",
          routingKeySetting: "PAGERDUTY_ROUTING_KEY",
          url: `${pagerduty.url}/v2/enqueue`,
        },
      ],
      actionGroups: [{ name: "on-call", receivers: ["pagerduty"] }],
      routes: [{ name: "page", match: { severityAtOrAbove: "Sev2" }, actionGroups: ["on-call"] }],
    }),
    // What to weigh against the defaults, e.g. '{"SWEEP_MAX_READ_AGE_MINUTES":"20"}'.
    ...benchSettings(),
  });

  async function estateOf(
    circuits: number,
    model: CostModelOptions,
  ): Promise<{ estate: SimulatedEstate; ca: string }> {
    const estate = await startEstate(benchEstate(circuits, `rg-bench-${run}`), {
      pageSize: 100,
      costModel: { ...model, clock: () => Date.now() + offset },
    });
    const ca = join(dir, `ca-${run}.pem`);
    writeFileSync(ca, estate.ca);
    return { estate, ca };
  }

  const count = (estate: SimulatedEstate, from: number) => {
    const slice = estate.requests.slice(from);
    const byOperation = new Map<string, number>();
    for (const r of slice) byOperation.set(r.operation, (byOperation.get(r.operation) ?? 0) + 1);
    // Where the calls went, most first: what a change to the reads must move.
    const breakdown = [...byOperation]
      .sort((a, b) => b[1] - a[1])
      .map(([operation, n]) => `${operation} ${n}`)
      .join(", ");
    return {
      calls: slice.length,
      throttled: slice.filter((r) => r.status === 429).length,
      breakdown,
    };
  };

  try {
    if (options.naiveSample > 0) {
      run += 1;
      const { estate, ca } = await estateOf(options.naiveSample, cost);
      const runner = await startRunner(
        build.runner,
        envFor(estate, `bn${process.pid}r${run}`),
        ca,
        () => offset,
        log,
      );
      log(`naive baseline: ${options.naiveSample} circuit(s), one read after another…`);
      const naive = await runner.send<{ wallMs: number; circuits: number }>({
        type: "naive",
        circuits: options.naiveSample,
      });
      await runner.exit();
      await estate.close();
      naivePerCircuitS = naive.wallMs / 1000 / naive.circuits;
      log(`naive baseline: ${round(naivePerCircuitS)} s per circuit`);
    }

    for (const size of options.sizes) {
      run += 1;
      bounds[size] = lowerBoundS(size, cost);
      const prefix = `b${process.pid}r${run}`;
      const { estate, ca } = await estateOf(size, cost);
      const env = envFor(estate, prefix);

      // Full deep sweep: every circuit read deep, however long it takes.
      log(`${size} circuits: full deep sweep (bound ${round(bounds[size]!)} s)…`);
      let from = estate.requests.length;
      const full = await startRunner(build.runner, env, ca, () => offset, log);
      const deep = await full.send<SweepReport>({ type: "sweep", mode: "deep", windowed: false });
      await full.exit();
      const fullCount = count(estate, from);
      const naiveS = naivePerCircuitS === null ? null : naivePerCircuitS * size;
      rows.push({
        scenario: "full deep sweep",
        circuits: size,
        wallS: round(deep.wallMs / 1000),
        calls: fullCount.calls,
        callsPerCircuit: round(fullCount.calls / size, 2),
        throttled: fullCount.throttled,
        peakRssMb: round(deep.peakRssMb, 0),
        ratioToBound: round(deep.wallMs / 1000 / bounds[size]!, 2),
        speedupOverNaive: naiveS === null ? null : round(naiveS / (deep.wallMs / 1000), 1),
        oldestReadingMin: null,
        faultToPageS: null,
        note: `${deep.read} read, ${deep.failedReads} with a failed read; calls: ${fullCount.breakdown}${
          fullCount.throttled
            ? `; 429 on ${estate.requests
                .slice(from)
                .filter((r) => r.status === 429)
                .map((r) => `${r.method} ${r.operation} @${r.at - estate.requests[from]!.at} ms`)
                .join(", ")}`
            : ""
        }`,
      });
      log(
        `  ${round(deep.wallMs / 1000)} s, ${fullCount.calls} calls, ${fullCount.throttled} × 429, ${round(deep.cpuS)} s CPU, peak RSS ${round(deep.peakRssMb, 0)} MB`,
      );

      // Steady state: a timer tick every 5 minutes (idle time skipped), tiered.
      const steady = await startRunner(build.runner, env, ca, () => offset, log);
      const consumerRuntime = buildDispatchRuntime(loadDispatchConfig(env), {
        credential: staticCredential,
        logDestination: { write: () => true },
        now: () => new Date(Date.now() + offset),
        serviceBusOptions: { retryOptions: { maxRetries: 1, timeoutInMs: 10_000 } },
      });
      await consumerRuntime.deliveries.ensureTable();
      // Deliveries in progress: the clock may not skip ahead while one is (its page would look late).
      let delivering = 0;
      const dispatcher = {
        dispatch: async (...args: Parameters<typeof consumerRuntime.dispatcher.dispatch>) => {
          delivering += 1;
          try {
            return await consumerRuntime.dispatcher.dispatch(...args);
          } finally {
            delivering -= 1;
          }
        },
      } as typeof consumerRuntime.dispatcher;
      const quiet = async () => {
        const until = Date.now() + 20_000;
        let calm = 0;
        while (calm < 3 && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          calm = broker.active(ALERTS).length === 0 && delivering === 0 ? calm + 1 : 0;
        }
      };
      const consumer = new EventConsumer(consumerRuntime.serviceBus, dispatcher, {
        entity: ALERTS,
        subscription: null,
        logger: consumerRuntime.logger,
        maxWaitTimeInMs: 200,
        longestDispatchMs: longestDeliveryMs(consumerRuntime.config.dispatch),
        timeoutMs: consumerRuntime.config.publish.timeoutMs,
      });
      const stopDispatch = new AbortController();
      const dispatching = (async () => {
        while (!stopDispatch.signal.aborted)
          await consumer.drainOnce(stopDispatch.signal).catch((e: unknown) => {
            if (!stopDispatch.signal.aborted) log(String(e));
            return 0;
          });
      })();
      let start = Date.now() + offset;
      from = estate.requests.length;
      const pagesBefore = pagerduty.requests.length;
      const reports: SweepReport[] = [];
      // Read here, not in erwatch's process: listing every snapshot is the bench's cost, not erwatch's.
      const store = buildStatusRuntime(loadStatusConfig(env), {
        credential: staticCredential,
        logDestination: { write: () => true },
      }).store;
      const ages: (number | null)[] = [];
      const visible = estate.state.circuits.find((c) => c.name === circuitName(size - 2))!;
      const deepOnly = estate.state.circuits.find((c) => c.name === circuitName(1))!;
      let faultAt: number | null = null;
      const faultSweep = Math.min(1, options.steadySweeps - 1);
      for (let k = 0; k < options.steadySweeps; k += 1) {
        await quiet();
        start = Math.max(start + INTERVAL_MS, Date.now() + offset);
        offset = start - Date.now();
        offsets.push({ from: Date.now(), offset });
        await steady.send({ type: "clock", offset });
        ages.push(await oldestReadingMs(store, Date.now() + offset));
        const realStart = Date.now();
        const sweeping = steady.send<SweepReport>({
          type: "sweep",
          mode: "tiered",
          windowed: true,
        });
        if (k === faultSweep) {
          // Mid-run, just after this sweep's listing: the listing-visible fault waits for the next one.
          await estate.waitForRequest((r) => r.method === "POST" && r.at >= realStart, 600_000);
          faultAt = Date.now() + offset;
          setProviderState(visible as SimCircuit, "NotProvisioned");
          carrierDown(deepOnly as SimCircuit, "AzurePrivatePeering", "primary");
          carrierDown(deepOnly as SimCircuit, "AzurePrivatePeering", "secondary");
        }
        const report = await sweeping;
        reports.push(report);
        log(
          `  steady sweep ${k + 1}: ${round(report.wallMs / 1000)} s (${round(report.cpuS)} s CPU), ${report.deep} deep, ${report.quiet} quiet, ${report.unreached} unreached, ${report.events} alert event(s) ${report.eventList.join("; ")}, ${pagerduty.requests.length - pagesBefore} paged so far`,
        );
      }
      // Let the last pages through the dispatcher.
      const settleUntil = Date.now() + 15_000;
      while (Date.now() < settleUntil && pagerduty.requests.length - pagesBefore < 2)
        await new Promise((resolve) => setTimeout(resolve, 200));
      stopDispatch.abort();
      await dispatching;
      await consumer.close().catch(() => undefined);
      await steady.exit();
      const steadyRss = Math.max(...reports.map((r) => r.peakRssMb));
      const steadyCount = count(estate, from);
      const pagedAt = (circuit: string) => {
        // Its own incident, or a fleet incident that names it among the circuits (by id).
        const page = pagerduty.requests
          .slice(pagesBefore)
          .find((r) => JSON.stringify(r.body).includes(`/${circuit}"`));
        return page && faultAt !== null ? round((compressed(page.at) - faultAt) / 1000) : null;
      };
      const oldest = Math.max(...ages.map((a) => a ?? Number.POSITIVE_INFINITY));
      rows.push({
        scenario: "steady state (tiered)",
        circuits: size,
        wallS: round(Math.max(...reports.map((r) => r.wallMs)) / 1000),
        calls: steadyCount.calls,
        callsPerCircuit: round(steadyCount.calls / size / options.steadySweeps, 2),
        throttled: steadyCount.throttled,
        peakRssMb: round(steadyRss, 0),
        ratioToBound: null,
        speedupOverNaive: null,
        oldestReadingMin: Number.isFinite(oldest) ? round(oldest / 60_000) : null,
        faultToPageS: { visible: pagedAt(visible.name), deepOnly: pagedAt(deepOnly.name) },
        note: `${options.steadySweeps} sweeps 5 min apart; per sweep ${round(reports.reduce((s, r) => s + r.deep, 0) / reports.length)} deep, mean ${round(reports.reduce((s, r) => s + r.wallMs, 0) / reports.length / 1000)} s; ${reports.reduce((s, r) => s + r.unreached, 0)} unreached; calls: ${steadyCount.breakdown}`,
      });
      await estate.close();
    }

    if (options.memoryCircuits > 0) {
      run += 1;
      const size = options.memoryCircuits;
      const fast = {
        ...cost,
        reads: { capacity: cost.reads.capacity * 10, perSecond: cost.reads.perSecond * 10 },
        writes: { capacity: cost.writes.capacity * 10, perSecond: cost.writes.perSecond * 10 },
        lroLatencyMs: 500,
        lroSpreadMs: 200,
      };
      const { estate, ca } = await estateOf(size, fast);
      const env = {
        ...envFor(estate, `bm${process.pid}r${run}`),
        ARM_READ_BURST: String(fast.reads.capacity),
        ARM_READS_PER_SECOND: String(fast.reads.perSecond),
        ARM_WRITE_BURST: String(fast.writes.capacity),
        ARM_WRITES_PER_SECOND: String(fast.writes.perSecond),
        ARM_LRO_POLL_INTERVAL_MS: "700",
      };
      log(`${size} circuits: full deep sweep for peak RSS (ARM limits ×10, reads 0.5 s)…`);
      const from = estate.requests.length;
      const runner = await startRunner(build.runner, env, ca, () => offset, log);
      const deep = await runner.send<SweepReport>({ type: "sweep", mode: "deep", windowed: false });
      await runner.exit();
      const rss = deep.peakRssMb;
      const c = count(estate, from);
      rows.push({
        scenario: "memory: full deep, ARM ×10",
        circuits: size,
        wallS: round(deep.wallMs / 1000),
        calls: c.calls,
        callsPerCircuit: round(c.calls / size, 2),
        throttled: c.throttled,
        peakRssMb: round(rss, 0),
        ratioToBound: round(deep.wallMs / 1000 / lowerBoundS(size, fast), 2),
        speedupOverNaive: null,
        oldestReadingMin: null,
        faultToPageS: null,
        note: `${deep.read} read, ${round(deep.cpuS)} s CPU`,
      });
      await estate.close();
    }
  } finally {
    await closeServiceBusClients().catch(() => undefined);
    await broker.stop();
    await pagerduty.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(build.dir, { recursive: true, force: true });
  }
  return {
    rows,
    bounds,
    naivePerCircuitS,
    cost,
    faultTargetS: (INTERVAL_MS + cost.metricDelayMs + 10_000) / 1000,
  };
}

/** The table, as Markdown. */
export function formatTable(report: BenchReport): string {
  const dash = (v: number | null | undefined, unit = "") =>
    v === null || v === undefined ? "—" : `${v}${unit}`;
  const header = [
    "scenario",
    "circuits",
    "wall s",
    "ARM calls",
    "calls/circuit",
    "429s",
    "peak RSS MB",
    "÷ bound",
    "× faster than naive",
    "oldest reading min",
    "fault→page s (listing / deep-only)",
  ];
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...report.rows.map(
      (r) =>
        `| ${[
          r.scenario,
          r.circuits,
          r.wallS,
          r.calls,
          r.callsPerCircuit,
          r.throttled,
          dash(r.peakRssMb),
          dash(r.ratioToBound),
          dash(r.speedupOverNaive),
          dash(r.oldestReadingMin),
          r.faultToPageS
            ? `${dash(r.faultToPageS.visible)} / ${dash(r.faultToPageS.deepOnly)}`
            : "—",
        ].join(" | ")} |`,
    ),
  ];
  return lines.join("\n");
}

export { MAX_READ_AGE_MS };
