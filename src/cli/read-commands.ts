// `erwatch diagnose` and `erwatch sweep`: read ARM on the engineer's own
// credential, judge, print for a person (fitted to the terminal, worst first)
// or as the report JSON, and exit with a code a script can act on.

import { diagnose } from "../app/diagnose.js";
import { buildReport, type Report } from "../app/report.js";
import { scan } from "../app/scan.js";
import { sightOf, type Sight } from "../app/sight.js";
import type { ArmConfig } from "../config/arm.js";
import { failureKindWords } from "../core/dataplane/kept-query.js";
import { DEFAULT_ALERT_POLICY } from "../core/policy.js";
import {
  isSubscriptionId,
  parseCircuitId,
  uniqueIds,
  type CircuitId,
} from "../core/resource-id.js";
import type { CircuitReader } from "../app/ports.js";
import { isAtOrAbove, severityRank } from "../core/severity.js";
import type { Severity } from "../core/model.js";
import type { RouteChange } from "../core/route-tables.js";
import { credentials } from "../runtime/common.js";
import { buildReadRuntime } from "../runtime/read.js";
import { buildStateStore } from "../runtime/state.js";
import { buildSweepRuntime } from "../runtime/sweep.js";
import { commandConfig } from "./command-config.js";
import {
  CannotRun,
  clock,
  credentialFor,
  deadline,
  EXIT,
  overrides,
  throwIfInterrupted,
  warnIgnoredSettings,
  type Context,
} from "./context.js";
import { paint, renderCircuit } from "./render-table.js";
import {
  displayWidth,
  neutralise,
  renderTable,
  shortPeering,
  wrap,
  wrapIndented,
} from "./terminal.js";
import { counted, thousands } from "../core/text.js";

/** Without history there are no flaps or trends; the rest of the policy is the default. */
const statelessPolicy = (arm: ArmConfig) => ({
  classify: arm.classify,
  alerts: DEFAULT_ALERT_POLICY,
});

export function exitCodeOf(report: Report, sight: Sight): number {
  if (report.errors.length > 0) return EXIT.cannotRun;
  const serious = report.circuits.some((c) =>
    c.findings.some((f) => isAtOrAbove(f.severity, "Sev2")),
  );
  if (serious) return EXIT.findings;
  return sight.blind ? EXIT.blind : EXIT.ok;
}

/** The lines that say what this run could not see; empty when it saw everything. */
export function sightLines(sight: Sight, width: number): string[] {
  if (!sight.blind) return [];
  const lines: string[] = [];
  const say = (text: string) => lines.push(...wrap(neutralise(text), width, "    "));
  // The summary closes the output, or goes to stderr beside the JSON: no "below" to point at.
  if (sight.nothingRead)
    say("  erwatch read no circuit at all: nothing is known of the circuits in scope.");
  for (const f of sight.unlistedSubscriptions)
    say(
      `  could not list circuits in subscription ${f.subscriptionId}: ${f.words}${f.failure.missingPermission ? ` (missing ${f.failure.missingPermission})` : ""}${f.failure.requestId ? ` [x-ms-request-id ${f.failure.requestId}]` : ""}`,
    );
  for (const s of sight.emptySubscriptions)
    say(
      `  subscription ${s} holds no ExpressRoute circuit this identity can see: check the id, and that the identity has the erwatch reader role there.`,
    );
  if (sight.failedReads.length > 0) {
    const total = sight.failedReads.reduce((n, g) => n + g.count, 0);
    const circuits = new Set(sight.failedReads.flatMap((g) => g.circuits)).size;
    say(
      `  ${counted(total, "read")} failed on ${counted(circuits, "circuit")}; those layers are UNKNOWN, not healthy:`,
    );
    for (const g of sight.failedReads)
      say(
        `    ${g.count} × ${g.words} ${g.call}${g.workspace ? ` in workspace ${g.workspace}` : ""}${g.missingPermission && g.missingPermission !== g.call ? ` (missing ${g.missingPermission})` : ""}${g.requestId ? ` [x-ms-request-id ${g.requestId}]` : ""}`,
      );
  }
  return ["erwatch is partly blind:", ...lines];
}

function finish(ctx: Context, report: Report, sight: Sight, json: boolean): number {
  // The JSON on stdout is the contract; what could not be seen goes to stderr beside it.
  const lines = sightLines(sight, ctx.terminal.width);
  if (lines.length > 0) (json ? ctx.warn : ctx.print)(lines.join("\n"));
  return exitCodeOf(report, sight);
}

/** How many vanished prefixes a table listing shows per path (JSON has them all). */
const VANISHED_SHOWN = 50;

/**
 * One line per path, then the vanished networks: lines a person copies into a
 * change ticket, so they stay whole (like the carrier ticket).
 */
function renderRouteChanges(changes: RouteChange[]): string {
  const lines: string[] = [];
  for (const c of changes) {
    const where = `${c.peering} ${c.path}`;
    if (c.keptAt === null) {
      lines.push(
        `Routes ${where}: ${thousands(c.now)} received; no table was kept for this path before (kept now, for the next comparison).`,
      );
      continue;
    }
    lines.push(
      `Routes ${where}: ${thousands(c.now)} received now, ${thousands(c.kept ?? 0)} in the table kept at ${c.keptAt}${c.frozenByDrop ? " (before the prefix drop; kept until it clears)" : ""}: ${thousands(c.vanished.length)} vanished, ${thousands(c.appeared.length)} appeared.`,
    );
    for (const network of c.vanished.slice(0, VANISHED_SHOWN)) lines.push(`  - ${network}`);
    if (c.vanished.length > VANISHED_SHOWN)
      lines.push(
        `  … and ${thousands(c.vanished.length - VANISHED_SHOWN)} more (--output json lists them all)`,
      );
  }
  return lines.map((l) => neutralise(l)).join("\n");
}

/** A name is looked for only in the configured scope: without one it cannot be found. */
function refuseNameWithoutScope(arm: ArmConfig, name: string): void {
  if (arm.subscriptions.length === 0 && arm.circuitIds.length === 0)
    throw new CannotRun(
      `"${neutralise(name)}" is a name: give the circuit's resource id, or set ERWATCH_SUBSCRIPTIONS so that erwatch finds it by name`,
    );
}

/**
 * The circuit a name means, among those in ERWATCH_SUBSCRIPTIONS and
 * ERWATCH_CIRCUITS (the sweep table prints names; diagnose took ids alone).
 * None, or several in different subscriptions, is refused naming them.
 */
async function circuitNamed(
  ctx: Context,
  reader: CircuitReader,
  arm: ArmConfig,
  name: string,
): Promise<CircuitId> {
  const found = await reader.discover(
    { subscriptions: arm.subscriptions, circuitIds: arm.circuitIds },
    { abortSignal: deadline(ctx, arm.timeoutMs * 4) },
  );
  throwIfInterrupted(ctx);
  const named = found.targets.filter((t) => t.name.toLowerCase() === name.toLowerCase());
  const ids = named.flatMap((t) => parseCircuitId(t.id) ?? []);
  if (ids.length === 1) return ids[0]!;
  const unlisted =
    found.failures.length > 0
      ? ` (${counted(found.failures.length, "subscription")} could not be listed)`
      : "";
  if (ids.length === 0)
    throw new CannotRun(
      `no circuit named "${neutralise(name)}" in ERWATCH_SUBSCRIPTIONS or ERWATCH_CIRCUITS${unlisted}: give its resource id`,
    );
  throw new CannotRun(
    `${ids.length} circuits are named "${neutralise(name)}"; give the resource id of one:${ids.map((c) => `\n  ${neutralise(c.id)}`).join("")}`,
  );
}

export async function runDiagnose(
  ctx: Context,
  id: string,
  opts: { routes?: boolean; output: string },
): Promise<number> {
  const byName = !id.trim().startsWith("/") && id.trim() !== "";
  const given = byName ? null : parseCircuitId(id);
  if (!byName && !given) {
    throw new CannotRun(
      `"${neutralise(id)}" is not an ExpressRoute circuit resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/expressRouteCircuits/<name>) or a circuit's name`,
    );
  }
  const routes = opts.routes ?? false;
  // Stored state is only used (and its settings only checked) to compare route tables.
  const config = routes
    ? commandConfig.diagnoseRoutes(ctx.deps.env)
    : { ...commandConfig.read(ctx.deps.env), state: null };
  warnIgnoredSettings(ctx, config.ignoredSettings);
  const { arm } = config;
  // Before the sign-in: an operator told to `az login` first would log in
  // only to learn that the name cannot be found without a scope anyway.
  if (byName) refuseNameWithoutScope(arm, id.trim());
  const credential = await credentialFor(ctx, arm);
  const runtime = buildReadRuntime(config, overrides(ctx, credential));
  const store = config.state
    ? buildStateStore(config.state, credentials(config.cloud, { credential }), runtime.logger)
    : null;
  if (store) await store.ensureTables();
  const circuit = given ?? (await circuitNamed(ctx, runtime.reader, arm, id.trim()));
  const stderr = ctx.deps.stderr;
  const { verdict, reading, routeChanges } = await diagnose(runtime.reader, circuit, {
    ...(runtime.dataPlane ? { dataPlane: runtime.dataPlane } : {}),
    routes,
    abortSignal: deadline(ctx, arm.timeoutMs * 20),
    policy: config.state
      ? { classify: arm.classify, alerts: config.state.policy }
      : statelessPolicy(arm),
    now: clock(ctx),
    ...(store ? { store } : {}),
    onRead: (p) => {
      if (stderr.isTTY && !ctx.signal.aborted)
        ctx.warn(`${p.ok ? "read" : "FAILED"} ${p.target} (${(p.elapsedMs / 1000).toFixed(1)} s)`);
    },
  });
  throwIfInterrupted(ctx);
  if (!reading.circuit.ok) {
    const e = reading.circuit.error;
    throw new CannotRun(
      `could not read circuit ${circuit.id}: ${failureKindWords(e, clock(ctx).getTime())}${e.missingPermission ? ` (missing ${e.missingPermission})` : ""}: ${e.message}${e.requestId ? ` [x-ms-request-id ${e.requestId}]` : ""}`,
    );
  }
  const report = buildReport({ verdicts: [verdict], readings: [reading], generatedAt: clock(ctx) });
  const json = opts.output === "json";
  if (json) ctx.printJson(routeChanges ? { ...report, routeChanges } : report);
  else {
    ctx.print(
      renderCircuit(report.circuits[0]!, {
        colour: ctx.terminal.colour,
        width: ctx.terminal.width,
      }),
    );
    if (routeChanges && routeChanges.length > 0) ctx.print(renderRouteChanges(routeChanges));
  }
  return finish(ctx, report, sightOf(report, { subscriptions: [] }), json);
}

export interface SweepOptions {
  subscription?: string[];
  circuit?: string[];
  output: string;
  state?: boolean;
}

function sweepScope(opts: SweepOptions, config: ArmConfig) {
  const problems: string[] = [];
  for (const s of opts.subscription ?? [])
    if (!isSubscriptionId(s))
      problems.push(`--subscription "${neutralise(s)}" is not a subscription id`);
  const circuitIds = (opts.circuit ?? []).map((c) => {
    const parsed = parseCircuitId(c);
    if (!parsed)
      problems.push(`--circuit "${neutralise(c)}" is not an ExpressRoute circuit resource id`);
    return parsed?.id ?? c;
  });
  if (problems.length > 0) throw new CannotRun(problems.join("\n"));
  const flagged = (opts.subscription?.length ?? 0) + circuitIds.length > 0;
  const scope = flagged
    ? {
        subscriptions: uniqueIds((opts.subscription ?? []).map((s) => s.trim().toLowerCase())),
        circuitIds: uniqueIds(circuitIds),
      }
    : { subscriptions: config.subscriptions, circuitIds: config.circuitIds };
  if (scope.subscriptions.length === 0 && scope.circuitIds.length === 0) {
    throw new CannotRun(
      "nothing to sweep: pass --subscription / --circuit, or set ERWATCH_SUBSCRIPTIONS / ERWATCH_CIRCUITS",
    );
  }
  return scope;
}

const SEVERITY_COLOUR = (s: string) =>
  s === "Sev0" || s === "Sev1" ? "down" : s === "Sev2" || s === "Sev3" ? "warn" : "unknown";

/** The narrowest the WHAT column may be beside the others; narrower, it goes on a line of its own. */
const WHAT_MIN = 24;
/** A circuit name is never cut below this, whatever the terminal (Azure allows 80 characters). */
const NAME_MAX = 40;

/**
 * One row per finding, worst first, under a header; fitted to the terminal.
 * Circuit names stay whole: cut to 12 characters, zero-prefixes-both and
 * zero-prefixes-primary both read "zero-prefix…". When the title has no room
 * beside them it goes on the line below its row.
 */
export function findingsTable(ctx: Context, report: Report): string[] {
  const rows = report.circuits
    .flatMap((c) => c.findings.map((f) => ({ c, f })))
    .sort(
      (a, b) =>
        severityRank(a.f.severity as Severity) - severityRank(b.f.severity as Severity) ||
        a.c.name.localeCompare(b.c.name) ||
        (a.f.peering ?? "").localeCompare(b.f.peering ?? ""),
    );
  if (rows.length === 0) return [];
  const width = ctx.terminal.width;
  const names = rows.map(({ c }) => neutralise(c.name));
  const columns = [
    { header: "SEV", min: 4 },
    { header: "CIRCUIT", min: Math.min(NAME_MAX, Math.max(...names.map(displayWidth))) },
    { header: "PEERING", min: 8 },
    { header: "PATHS", min: 9 },
    { header: "OWNER", min: 7 },
    // A code is a contract (README "Finding codes"): whole, as long as the longest shown.
    { header: "CODE", min: Math.max(4, ...rows.map(({ f }) => displayWidth(f.code))) },
  ];
  const cells = rows.map(({ f }, i) => [
    f.severity,
    names[i]!,
    neutralise(shortPeering(f.peering ?? "-")),
    f.paths.length === 2 ? "both" : f.paths.join("+") || "-",
    f.owner,
    f.code,
  ]);
  const titles = rows.map(({ f }) => neutralise(f.title));
  const colour = (row: number, column: number, text: string) =>
    column === 0 ? paint(text, SEVERITY_COLOUR(rows[row]!.f.severity), ctx.terminal) : text;
  const beside = columns.reduce((n, c) => n + c.min + 2, 0) + WHAT_MIN <= width;
  if (beside)
    return renderTable(
      [...columns, { header: "WHAT", min: 16, flex: true, wrap: true }],
      cells.map((row, i) => [...row, titles[i]!]),
      width,
      colour,
    );
  // The code and the title on the line below: a code is a contract, never cut.
  const table = renderTable(
    columns.slice(0, -1),
    cells.map((row) => row.slice(0, -1)),
    width,
    colour,
  );
  return [
    `${table[0]!}  CODE  WHAT`,
    ...cells.flatMap((row, i) => [
      table[i + 1]!,
      ...wrapIndented(`${row.at(-1)!}: ${titles[i]!}`, width, "      "),
    ]),
  ];
}

/** Each circuit with a finding, by resource id: what `erwatch diagnose` takes. */
function circuitsToDiagnose(report: Report): string[] {
  const withFindings = report.circuits.filter((c) => c.findings.length > 0);
  if (withFindings.length === 0) return [];
  return [
    "Circuits with findings (erwatch diagnose <id>):",
    ...withFindings.map((c) => `  ${neutralise(c.id)}`),
  ];
}

function printSweep(ctx: Context, report: Report): void {
  const table = findingsTable(ctx, report);
  if (table.length > 0) ctx.print([...table, "", ...circuitsToDiagnose(report)].join("\n"));
  for (const e of report.errors)
    ctx.print(`erwatch failed on ${neutralise(e.name)}: ${neutralise(e.message)}`);
  const findings = report.circuits.flatMap((c) => c.findings);
  const serious = findings.filter((f) => isAtOrAbove(f.severity, "Sev2")).length;
  ctx.print(
    `${counted(report.circuits.length, "circuit")} read, ${report.ignored.length} ignored; ${counted(findings.length, "finding")}, ${serious} at Sev2 or worse`,
  );
}

async function runStatefulSweep(ctx: Context, opts: SweepOptions): Promise<number> {
  // The scope may come from flags instead of settings: sweepScope checks it.
  const config = commandConfig.sweepState(ctx.deps.env);
  const scope = sweepScope(opts, config.arm);
  const credential = await credentialFor(ctx, config.arm);
  // The record it leaves keeps the function app's settings left out, not this machine's.
  const runtime = buildSweepRuntime(config, { ...overrides(ctx, credential), ranBy: "cli" });
  try {
    await runtime.store.ensureTables();
    const now = clock(ctx);
    const result = await runtime.sweeper.sweep({
      scope,
      now,
      abortSignal: deadline(ctx, config.arm.timeoutMs * 40),
      stopSignal: ctx.signal,
    });
    throwIfInterrupted(ctx);
    const report = buildReport({ ...result, generatedAt: now });
    const json = opts.output === "json";
    if (json) {
      const { events, decisions, pendingInOutbox, brokerError, sweepId } = result;
      ctx.printJson({ ...report, sweepId, events, decisions, pendingInOutbox, brokerError });
    } else {
      printSweep(ctx, report);
      // A blank line first: the table ran on from the sweep's last line, its
      // header read as one more line of the summary.
      if (result.events.length > 0)
        ctx.print(
          [
            "",
            ...renderTable(
              [
                { header: "ALERT", min: 6 },
                { header: "SEV", min: 4 },
                { header: "CIRCUIT", min: 12 },
                { header: "PEERING", min: 8 },
                { header: "FAMILY", min: 8 },
                { header: "CHANGE", min: 16, flex: true, wrap: true },
              ],
              result.events.map((e) => [
                e.action,
                e.severity,
                neutralise(e.circuit.name),
                neutralise(shortPeering(e.peering ?? "-")),
                e.family,
                neutralise(e.change),
              ]),
              ctx.terminal.width,
            ),
          ].join("\n"),
        );
      const say = (text: string) => ctx.print(wrap(text, ctx.terminal.width, "  ").join("\n"));
      if (!runtime.sink && result.pendingInOutbox > 0) {
        say(
          `${counted(result.pendingInOutbox, "alert event")} ${result.pendingInOutbox === 1 ? "waits" : "wait"} in the outbox: ServiceBusConnection is not set, so this run does not publish them.`,
        );
      } else if (result.brokerError) {
        say(
          `Service Bus refused the events (${neutralise(result.brokerError)}); ${result.pendingInOutbox} stay in the outbox for the next sweep.`,
        );
      }
    }
    return finish(ctx, report, sightOf(report, scope), json);
  } finally {
    await runtime.sink?.close?.();
  }
}

export async function runSweep(ctx: Context, opts: SweepOptions): Promise<number> {
  if (opts.state) return runStatefulSweep(ctx, opts);
  const config = commandConfig.read(ctx.deps.env);
  warnIgnoredSettings(ctx, config.ignoredSettings);
  const { arm } = config;
  const scope = sweepScope(opts, arm);
  const credential = await credentialFor(ctx, arm);
  const runtime = buildReadRuntime(config, overrides(ctx, credential));
  const stderr = ctx.deps.stderr;
  const result = await scan(runtime.reader, scope, {
    ...(runtime.dataPlane ? { dataPlane: runtime.dataPlane } : {}),
    abortSignal: deadline(ctx, arm.timeoutMs * 40),
    policy: statelessPolicy(arm),
    now: clock(ctx),
    logger: ctx.logger,
    onCircuit: (done, total, name) => {
      if (stderr.isTTY && !ctx.signal.aborted)
        stderr.write(`\r\u001b[2K${neutralise(`read ${done}/${total} circuits (${name})`)}`);
    },
  });
  if (stderr.isTTY) stderr.write("\r\u001b[2K");
  throwIfInterrupted(ctx);
  const report = buildReport({ ...result, generatedAt: clock(ctx) });
  const json = opts.output === "json";
  if (json) ctx.printJson(report);
  else printSweep(ctx, report);
  return finish(ctx, report, sightOf(report, scope), json);
}
