// `erwatch` for on-call engineers on their own `az login`. Exit codes:
// 0 nothing at Sev2 or worse, 1 something at Sev2 or worse, 2 erwatch itself
// could not run (bad arguments, configuration, no credential).

import { Command, CommanderError, Option } from "commander";
import type { TokenCredential } from "@azure/identity";
import type { DestinationStream } from "pino";
import type { ArmClientOptions } from "../adapters/arm/clients.js";
import { diagnose } from "../app/diagnose.js";
import { buildReport, type Report } from "../app/report.js";
import { scan } from "../app/scan.js";
import type { ArmConfig } from "../config/arm.js";
import { ConfigError } from "../config/reader.js";
import type { Env } from "../config/settings.js";
import { DEFAULT_ALERT_POLICY } from "../core/policy.js";
import { isSubscriptionId, parseCircuitId } from "../core/resource-id.js";
import { isAtOrAbove } from "../core/severity.js";
import { createLogger, type Logger } from "../logging.js";
import { loadDispatchConfig, loadReadConfig, loadSweepConfig } from "../runtime/config.js";
import { credentials } from "../runtime/common.js";
import { buildDispatchRuntime, createEventConsumer } from "../runtime/dispatch.js";
import { buildReadRuntime } from "../runtime/read.js";
import { buildSweepRuntime } from "../runtime/sweep.js";
import { renderCircuit, renderFinding } from "./render-table.js";

export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliDeps {
  env: Env;
  stdout: Stream;
  stderr: Stream;
  /** Injected by tests and the demo; DefaultAzureCredential otherwise. */
  credential?: TokenCredential;
  armClientOptions?: ArmClientOptions;
  now?: () => Date;
  logDestination?: DestinationStream;
  /** Aborted on Ctrl-C by main.ts: long-running commands stop cleanly. */
  signal?: AbortSignal;
}

export const EXIT = { ok: 0, findings: 1, cannotRun: 2 } as const;

class CannotRun extends Error {}

interface Context {
  deps: CliDeps;
  logger: Logger;
}

async function credentialFor(ctx: Context, config: ArmConfig): Promise<TokenCredential> {
  const credential = ctx.deps.credential ?? credentials(config.cloud, {})();
  try {
    // Fail fast and clearly rather than as a blind finding on every read.
    const token = await credential.getToken(config.tokenScope, {
      abortSignal: AbortSignal.timeout(60_000),
    });
    if (!token) throw new Error("no token was returned");
  } catch (error) {
    throw new CannotRun(
      `erwatch could not get a token for ${config.tokenScope}: ${(error as Error).message.split("\n")[0]}\n` +
        "Run `az login` (and `az account set`), or set AZURE_TOKEN_CREDENTIALS to the credential you use.",
    );
  }
  return credential;
}

/** What every runtime the CLI builds is given: its credential, logger and, in tests, the fake's TLS. */
function overrides(ctx: Context, credential: TokenCredential) {
  return {
    credential,
    logger: ctx.logger,
    ...(ctx.deps.armClientOptions ? { armClientOptions: ctx.deps.armClientOptions } : {}),
    ...(ctx.deps.now ? { now: ctx.deps.now } : {}),
  };
}

const clock = (ctx: Context) => (ctx.deps.now ?? (() => new Date()))();

/** Without history there are no flaps or trends; the rest of the policy is the default. */
const statelessPolicy = (arm: ArmConfig) => ({
  classify: arm.classify,
  alerts: DEFAULT_ALERT_POLICY,
});

function worstExit(report: Report): number {
  if (report.errors.length > 0) return EXIT.cannotRun;
  const serious = report.circuits.some((c) =>
    c.findings.some((f) => isAtOrAbove(f.severity, "Sev2")),
  );
  return serious ? EXIT.findings : EXIT.ok;
}

const progress = (stream: Stream) => (text: string) => {
  if (stream.isTTY) stream.write(`\r\u001b[2K${text}`);
};

async function runDiagnose(
  ctx: Context,
  id: string,
  opts: { routes?: boolean; output: string },
): Promise<number> {
  const circuit = parseCircuitId(id);
  if (!circuit) {
    throw new CannotRun(
      `"${id}" is not an ExpressRoute circuit resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/expressRouteCircuits/<name>)`,
    );
  }
  const config = loadReadConfig(ctx.deps.env, { scope: false });
  const { arm } = config;
  const credential = await credentialFor(ctx, arm);
  const runtime = buildReadRuntime(config, overrides(ctx, credential));
  const stderr = ctx.deps.stderr;
  const { verdict, reading } = await diagnose(runtime.reader, circuit, {
    ...(runtime.dataPlane ? { dataPlane: runtime.dataPlane } : {}),
    routes: opts.routes ?? false,
    abortSignal: AbortSignal.timeout(arm.timeoutMs * 20),
    policy: statelessPolicy(arm),
    now: clock(ctx),
    onRead: (p) => {
      if (stderr.isTTY)
        stderr.write(
          `${p.ok ? "read" : "FAILED"} ${p.target} (${(p.elapsedMs / 1000).toFixed(1)} s)\n`,
        );
    },
  });
  if (!reading.circuit.ok) {
    const e = reading.circuit.error;
    throw new CannotRun(
      `could not read circuit ${circuit.id}: ${e.kind}${e.missingPermission ? ` (missing ${e.missingPermission})` : ""}: ${e.message}`,
    );
  }
  const report = buildReport({ verdicts: [verdict], readings: [reading], generatedAt: clock(ctx) });
  if (opts.output === "json") ctx.deps.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    ctx.deps.stdout.write(
      `${renderCircuit(report.circuits[0]!, { colour: ctx.deps.stdout.isTTY === true })}\n`,
    );
  return worstExit(report);
}

function sweepScope(
  ctx: Context,
  opts: { subscription?: string[]; circuit?: string[] },
  config: ArmConfig,
) {
  const problems: string[] = [];
  for (const s of opts.subscription ?? [])
    if (!isSubscriptionId(s)) problems.push(`--subscription "${s}" is not a subscription id`);
  const circuitIds = (opts.circuit ?? []).map((c) => {
    const parsed = parseCircuitId(c);
    if (!parsed) problems.push(`--circuit "${c}" is not an ExpressRoute circuit resource id`);
    return parsed?.id ?? c;
  });
  if (problems.length > 0) throw new CannotRun(problems.join("\n"));
  const flagged = (opts.subscription?.length ?? 0) + circuitIds.length > 0;
  const scope = flagged
    ? { subscriptions: (opts.subscription ?? []).map((s) => s.toLowerCase()), circuitIds }
    : { subscriptions: config.subscriptions, circuitIds: config.circuitIds };
  if (scope.subscriptions.length === 0 && scope.circuitIds.length === 0) {
    throw new CannotRun(
      "nothing to sweep: pass --subscription / --circuit, or set ERWATCH_SUBSCRIPTIONS / ERWATCH_CIRCUITS",
    );
  }
  return scope;
}

function printSweep(ctx: Context, report: Report, output: string): void {
  if (output === "json") {
    ctx.deps.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const out = ctx.deps.stdout;
  for (const c of report.circuits) {
    for (const f of c.findings) {
      out.write(
        `${f.severity}  ${c.name}  ${f.peering ?? "-"}  ${f.paths.join("+") || "-"}  ${f.code}  ${f.owner}  ${f.title}\n`,
      );
    }
  }
  for (const f of report.discoveryFailures) {
    out.write(
      `could not list circuits in subscription ${f.subscriptionId}: ${f.failure.kind}${f.failure.missingPermission ? ` (missing ${f.failure.missingPermission})` : ""}\n`,
    );
  }
  for (const e of report.errors) out.write(`erwatch failed on ${e.name}: ${e.message}\n`);
  const findings = report.circuits.flatMap((c) => c.findings);
  const serious = findings.filter((f) => isAtOrAbove(f.severity, "Sev2")).length;
  out.write(
    `${report.circuits.length} circuit(s) read, ${report.ignored.length} ignored; ${findings.length} finding(s), ${serious} at Sev2 or worse\n`,
  );
}

async function runStatefulSweep(
  ctx: Context,
  opts: { subscription?: string[]; circuit?: string[]; output: string },
): Promise<number> {
  // The scope may come from flags instead of settings: sweepScope checks it.
  const config = loadSweepConfig(ctx.deps.env, { publish: "optional", scope: false });
  const scope = sweepScope(ctx, opts, config.arm);
  const credential = await credentialFor(ctx, config.arm);
  const runtime = buildSweepRuntime(config, overrides(ctx, credential));
  await runtime.store.ensureTables();
  const now = clock(ctx);
  const result = await runtime.sweeper.sweep({
    scope,
    now,
    abortSignal: AbortSignal.timeout(config.arm.timeoutMs * 40),
  });
  const report = buildReport({ ...result, generatedAt: now });
  if (opts.output === "json") {
    const { events, decisions, pendingInOutbox, brokerError, sweepId } = result;
    ctx.deps.stdout.write(
      `${JSON.stringify({ ...report, sweepId, events, decisions, pendingInOutbox, brokerError }, null, 2)}\n`,
    );
  } else {
    printSweep(ctx, report, "table");
    for (const e of result.events) {
      ctx.deps.stdout.write(
        `alert ${e.action} ${e.severity}  ${e.circuit.name}  ${e.peering ?? "-"}  ${e.family}  ${e.change}\n`,
      );
    }
    if (!runtime.sink && result.pendingInOutbox > 0) {
      ctx.deps.stdout.write(
        `${result.pendingInOutbox} alert event(s) wait in the outbox: ServiceBusConnection is not set, so this run does not publish them.\n`,
      );
    } else if (result.brokerError) {
      ctx.deps.stdout.write(
        `Service Bus refused the events (${result.brokerError}); ${result.pendingInOutbox} stay in the outbox for the next sweep.\n`,
      );
    }
  }
  await runtime.sink?.close?.();
  return worstExit(report);
}

async function runSweep(
  ctx: Context,
  opts: { subscription?: string[]; circuit?: string[]; output: string; state?: boolean },
): Promise<number> {
  if (opts.state) return runStatefulSweep(ctx, opts);
  const config = loadReadConfig(ctx.deps.env, { scope: false });
  const { arm } = config;
  const scope = sweepScope(ctx, opts, arm);
  const credential = await credentialFor(ctx, arm);
  const runtime = buildReadRuntime(config, overrides(ctx, credential));
  const tick = progress(ctx.deps.stderr);
  const result = await scan(runtime.reader, scope, {
    ...(runtime.dataPlane ? { dataPlane: runtime.dataPlane } : {}),
    abortSignal: AbortSignal.timeout(arm.timeoutMs * 40),
    policy: statelessPolicy(arm),
    now: clock(ctx),
    logger: ctx.logger,
    onCircuit: (done, total, name) => tick(`read ${done}/${total} circuits (${name})`),
  });
  if (ctx.deps.stderr.isTTY) ctx.deps.stderr.write("\r\u001b[2K");
  const report = buildReport({ ...result, generatedAt: clock(ctx) });
  printSweep(ctx, report, opts.output);
  if (report.circuits.length === 0 && report.discoveryFailures.length > 0) return EXIT.cannotRun;
  return worstExit(report);
}

async function runDispatch(ctx: Context, opts: { once?: boolean }): Promise<number> {
  const config = loadDispatchConfig(ctx.deps.env);
  const runtime = buildDispatchRuntime(config, {
    logger: ctx.logger,
    ...(ctx.deps.credential ? { credential: ctx.deps.credential } : {}),
  });
  await runtime.deliveries.ensureTable();
  const consumer = createEventConsumer(runtime);
  const signal = ctx.deps.signal ?? new AbortController().signal;
  let total = 0;
  try {
    while (!signal.aborted) {
      const handled = await consumer.drainOnce(signal).catch((error: unknown) => {
        if (signal.aborted) return 0;
        throw error;
      });
      total += handled;
      if (opts.once && handled === 0) break;
    }
  } finally {
    await consumer.close();
  }
  ctx.deps.stderr.write(`erwatch dispatch: handled ${total} message(s)\n`);
  return EXIT.ok;
}

export type CliContext = Context;
export { CannotRun, renderFinding };

export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const logger = createLogger({
    level: deps.env.LOG_LEVEL ?? "warn",
    destination: deps.logDestination ?? { write: (line: string) => deps.stderr.write(line) },
  });
  const ctx: Context = { deps, logger };
  let exitCode: number = EXIT.ok;
  const output = () =>
    new Option("--output <format>", "table or json").choices(["table", "json"]).default("table");
  const program = new Command("erwatch")
    .description("Watch Azure ExpressRoute circuits layer by layer and path by path.")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
    })
    .showHelpAfterError();
  program
    .command("diagnose")
    .description(
      "Read one circuit in runbook order and name the broken layer, its owner and the next action.",
    )
    .argument(
      "<circuit-resource-id>",
      "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/expressRouteCircuits/<name>",
    )
    .option("--routes", "also read the full received route table of every path")
    .addOption(output())
    .action(async (id: string, opts: { routes?: boolean; output: string }) => {
      exitCode = await runDiagnose(ctx, id, opts);
    });
  program
    .command("sweep")
    .description("Read every circuit in scope; one line per finding.")
    .option(
      "--subscription <id...>",
      "subscription(s) whose circuits to read (default ERWATCH_SUBSCRIPTIONS)",
    )
    .option("--circuit <id...>", "circuit resource id(s) to read (default ERWATCH_CIRCUITS)")
    .option(
      "--state",
      "stateful sweep: keep snapshots and alerts in Table Storage (ERWATCH_STORAGE) and raise alert events",
    )
    .addOption(output())
    .action(
      async (opts: {
        subscription?: string[];
        circuit?: string[];
        output: string;
        state?: boolean;
      }) => {
        exitCode = await runSweep(ctx, opts);
      },
    );
  program
    .command("dispatch")
    .description(
      "Deliver alert events from Service Bus to the receivers (what the Functions dispatcher does) until interrupted.",
    )
    .option("--once", "deliver what is waiting, then exit")
    .action(async (opts: { once?: boolean }) => {
      exitCode = await runDispatch(ctx, opts);
    });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.exitCode === 0
        ? EXIT.ok
        : EXIT.cannotRun;
    }
    if (error instanceof CannotRun) {
      deps.stderr.write(`erwatch: ${error.message}\n`);
      return EXIT.cannotRun;
    }
    if (error instanceof ConfigError) {
      deps.stderr.write(`erwatch: ${error.message}\n`);
      return EXIT.cannotRun;
    }
    logger.error({ err: error }, "erwatch failed");
    deps.stderr.write(`erwatch: unexpected failure: ${(error as Error).message}\n`);
    return EXIT.cannotRun;
  }
}
