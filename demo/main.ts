// `npm run demo`: erwatch on a simulated estate, no Azure account. Everything
// runs on loopback (the ARM fake over HTTPS, Azurite, an AMQP broker, recording
// PagerDuty / Teams / webhook receivers) and the real timer function sweeps it
// through a scripted night. Exits by itself unless --keep-running, and stops
// everything it started however it ends (lifetime.ts).

// First, before anything registers a function: see host-notices.ts.
import { heldHostNotices } from "./host-notices.js";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { setTimeout as delay } from "node:timers/promises";
import { buildReport } from "../src/app/report.js";
import { renderCircuit } from "../src/cli/render-table.js";
import { estateOf, healthyCircuit, withConnectionMonitor } from "../test/support/estate/index.js";
import type { RecordingReceiver } from "../test/support/recording-receiver.js";
import { startWorld, type World } from "../test/support/world.js";
import { pagerDutyText, teamsText, trendLine, webhookText } from "./notifications.js";
import { demoLifetime } from "./lifetime.js";
import { serveStatus, type StatusServer } from "./status-server.js";
import { maintenanceSilence, TIMELINE } from "./timeline.js";
import { counted } from "../src/core/text.js";

interface Options {
  keepRunning?: boolean;
  interval: number;
  port: number;
}

// Long enough for Azurite's own 5 s stop deadline and the servers behind it.
const CLEANUP_DEADLINE_MS = 15_000;
const life = demoLifetime(CLEANUP_DEADLINE_MS);
const out = (text = "") => life.out(text);
const colour = process.stdout.isTTY === true;
const bold = (s: string) => (colour ? `\u001b[1m${s}\u001b[0m` : s);
const dim = (s: string) => (colour ? `\u001b[2m${s}\u001b[0m` : s);

function printNew(world: World, seen: Map<RecordingReceiver, number>): void {
  const channels: [RecordingReceiver, string, (r: RecordingReceiver["requests"][0]) => string[]][] =
    [
      [world.pagerduty, "PagerDuty", (r) => [pagerDutyText(r)]],
      [world.teams, "Teams", (r) => teamsText(r)],
      [world.webhook, "ITSM webhook", (r) => [webhookText(r)]],
    ];
  for (const [receiver, label, show] of channels) {
    const from = seen.get(receiver) ?? 0;
    for (const request of receiver.requests.slice(from)) {
      const [first, ...rest] = show(request);
      out(`  ${bold(`▶ ${label}`)}  ${first ?? ""}`);
      for (const line of rest) out(`      ${line}`);
    }
    seen.set(receiver, receiver.requests.length);
  }
}

async function run(options: Options): Promise<void> {
  const interval = options.interval;
  const bundle = healthyCircuit();
  // Connection Monitor tests from an on-premises server into the VNet behind the gateway.
  const scene = { monitor: withConnectionMonitor(bundle) };
  const stop = life.signal;
  let now = new Date(TIMELINE[0]!.at);
  out(
    bold(
      "erwatch demo: a simulated ExpressRoute estate, read over the real ARM, Azure Monitor and Log Analytics SDKs",
    ),
  );
  if (heldHostNotices() > 0)
    out(
      dim(
        "the Functions handlers run in this process, without the Functions host: @azure/functions' test-mode notices are expected and hidden",
      ),
    );
  out(
    dim(
      "starting the loopback estate (ARM, Azure Monitor, Log Analytics), Azurite, the AMQP broker and the receivers…",
    ),
  );
  const world = await startWorld({
    estate: estateOf(bundle),
    now: () => now,
    routing: "defaults",
    env: { ERWATCH_SILENCES: JSON.stringify([maintenanceSilence(bundle.circuit.name)]) },
    // The demo must not wait out a real backoff; nothing fails in this script anyway.
    sleep: async () => undefined,
  });
  let status: StatusServer | null = null;
  try {
    if (stop.aborted) return;
    status = await serveStatus(world.statusDeps, options.port);
    out(`status page: ${bold(status.url)}  (JSON with Accept: application/json)`);
    out(
      dim(
        "routing: Sev0–Sev1 page on-call (PagerDuty + Teams), Sev2–Sev3 go to Teams, the ITSM webhook hears Sev3 and worse",
      ),
    );
    const seen = new Map<RecordingReceiver, number>();
    for (const step of TIMELINE) {
      if (stop.aborted) break;
      now = new Date(step.at);
      step.change?.(bundle.circuit, scene);
      out();
      out(bold(`── ${step.at.slice(11, 16)} UTC ── ${step.story}`));
      const result = await world.timerSweep();
      const report = buildReport({ ...result, generatedAt: now });
      for (const circuit of report.circuits) out(renderCircuit(circuit, { colour, brief: true }));
      for (const e of result.events) {
        out(`  ${bold(`alert ${e.action} ${e.severity}`)}  ${e.title}`);
        const trend = trendLine(e, now);
        if (trend) out(`    ${trend}`);
      }
      const held = result.decisions.filter((d) => d.reason === "held-by-hysteresis");
      const silenced = result.decisions.filter((d) => d.reason === "silenced");
      if (result.events.length === 0)
        out(
          dim(
            silenced.length > 0
              ? `  no notification: held by ${silenced[0]!.detail ?? "a silence"}`
              : held.length > 0
                ? "  no notification: held by hysteresis until the next sweep confirms it"
                : "  no notification",
          ),
        );
      await world.dispatchPending();
      printNew(world, seen);
      await delay(interval, undefined, { signal: stop }).catch(() => undefined);
    }
    out();
    out(
      `done: ${counted(world.pagerduty.requests.length, "PagerDuty event")}, ${counted(world.teams.requests.length, "Teams card")}, ${counted(world.webhook.requests.length, "webhook call")}.`,
    );
    if (options.keepRunning && !stop.aborted) {
      out(`the status page stays up at ${status.url}; Ctrl-C to stop.`);
      await new Promise<void>((resolve) =>
        stop.addEventListener("abort", () => resolve(), { once: true }),
      );
    }
  } finally {
    await status?.close();
    await world.close();
    if (stop.aborted) life.note("demo stopped; nothing it started is still running.");
  }
}

/**
 * A whole number from 0 to `max`, or a usage error, checked before anything
 * starts: `--interval abc` was refused with a stack trace (a plain Error is no
 * usage error to commander), and `--port abc` only once the whole estate was
 * up (ERR_SOCKET_BAD_PORT).
 */
const wholeNumber = (what: string, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > max) throw new InvalidArgumentError(`give ${what}`);
  return n;
};

const program = new Command("demo")
  .description("Run erwatch on the simulated estate through a scripted incident night.")
  .option("--keep-running", "keep the status page up after the timeline until Ctrl-C")
  .addOption(
    new Option("--interval <ms>", "real milliseconds between sweeps")
      .default(1500)
      .argParser(wholeNumber("whole milliseconds from 0 to 3600000 (an hour)", 3_600_000)),
  )
  .addOption(
    new Option("--port <port>", "status page port (0 = any free port)")
      .default(0)
      .argParser(wholeNumber("a port number from 0 to 65535 (0: any free port)", 65_535)),
  )
  // A usage mistake exits 2, as erwatch's own do, not commander's 1.
  .exitOverride()
  .action(run);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
    return;
  }
  process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
