// `erwatch` for on-call engineers on their own `az login`, with az's habits:
// tables that fit the terminal, `-o json`, `--version`, NO_COLOR, help that
// lists the settings each command reads and the exit codes (context.ts).

import { Command, CommanderError, Option } from "commander";
import { isStorageFailure } from "../app/state-store.js";
import { ConfigError } from "../config/reader.js";
import { PEERING_SPELLINGS } from "../core/model.js";
import { createLogger } from "../logging.js";
import { logLevelOf } from "../runtime/config.js";
import { erwatchVersion } from "../runtime/version.js";
import {
  CannotRun,
  createContext,
  EXIT,
  Interrupted,
  type CliDeps,
  type Context,
  type ExitCodeHelp,
} from "./context.js";
import { commandConfig } from "./command-config.js";
import { commandHelp, type SettingsGroup } from "./help.js";
import { humanLogDestination } from "./log-lines.js";
import type { SweepOptions } from "./read-commands.js";
import { renderFinding } from "./render-table.js";
import type { SilenceAddOptions } from "./state-commands.js";
import { neutralise } from "./terminal.js";

export type { CliDeps, Stream } from "./context.js";
export { CannotRun, EXIT, renderFinding };
export type CliContext = Context;

// Each command's module (and through it the Azure SDKs it needs) loads when
// that command runs: \`--help\`, \`--version\` and a mistyped flag answer at
// once, and \`alerts\` never loads the ARM SDK.
const readCommands = () => import("./read-commands.js");
const stateCommands = () => import("./state-commands.js");
const dispatchCommand = () => import("./dispatch-command.js");

/**
 * A flag of `command` that takes one value, refused when given twice:
 * commander keeps the last, and `silence add --circuit a --circuit b
 * --duration 2h --duration 10m` silenced b alone for ten minutes without a
 * word. Refused through `command.error` rather than InvalidArgumentError,
 * which commander words as the value being invalid ("argument '3h' is
 * invalid"), when the value is fine and the repetition is the mistake.
 */
const once = (command: Command, flags: string, description: string) => {
  const option = new Option(flags, description);
  return option.argParser((value: string, previous: unknown) => {
    if (previous !== undefined)
      command.error(
        `error: ${option.long ?? flags} given twice; give it once (one silence per command)`,
        { exitCode: EXIT.cannotRun, code: "erwatch.givenTwice" },
      );
    return value;
  });
};

/**
 * A usage mistake is told in its one line and a pointer to the help, not
 * followed by the whole help (every setting the command reads): on a
 * terminal that scrolled the cause out of sight. Set on every command once
 * all exist, since commander copies the setting to a subcommand when it is
 * created, and each points to its own help.
 */
function pointToHelpAfterError(command: Command, path: string[] = []): void {
  command.showHelpAfterError(`(see \`${["erwatch", ...path, "--help"].join(" ")}\`)`);
  for (const sub of command.commands) pointToHelpAfterError(sub, [...path, sub.name()]);
}

/** `-o json` or `--output json` anywhere on the line (`--output=json` too). */
const wantsJson = (argv: string[]) =>
  argv.some(
    (a, i) =>
      a === "--output=json" ||
      a === "-ojson" ||
      ((a === "-o" || a === "--output") && argv[i + 1]?.toLowerCase() === "json"),
  );

const output = () =>
  new Option("-o, --output <format>", "table or json").choices(["table", "json"]).default("table");

export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const level = logLevelOf(deps.env, "warn");
  const logger = createLogger({
    level,
    destination:
      deps.logDestination ??
      humanLogDestination((text) => deps.stderr.write(text), {
        stacks: level === "debug" || level === "trace",
      }),
  });
  const ctx = createContext(deps, logger);
  const width = ctx.terminal.width;
  let exitCode: number = EXIT.ok;
  const program = new Command("erwatch")
    .description("Watch Azure ExpressRoute circuits layer by layer and path by path.")
    .version(erwatchVersion(), "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.stdout.write(s),
      writeErr: (s) => deps.stderr.write(s),
    })
    .configureHelp({ helpWidth: width })
    .addHelpText(
      "after",
      `\n${commandHelp([], width).trimStart()}\n\nThose are diagnose's and sweep's; alerts, silence and dispatch say\ntheirs in their own --help.`,
    );
  // Computed only when that command's help is shown: each runs its loaders.
  const help =
    (groups: SettingsGroup[], exits: ExitCodeHelp = "report") =>
    () =>
      commandHelp(groups, width, exits);
  const armAndMonitor = { label: "ARM and Azure Monitor", load: commandConfig.read };
  const tableStorage = { label: "Table Storage", load: commandConfig.state };

  program
    .command("diagnose")
    .description(
      "Read one circuit in runbook order and name the broken layer, its owner and the next action.",
    )
    .argument(
      "<circuit>",
      "the circuit's resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/ Microsoft.Network/expressRouteCircuits/<name>), or its name, found in ERWATCH_SUBSCRIPTIONS / ERWATCH_CIRCUITS",
    )
    .option("--routes", "also read the full received route table of every path")
    .addOption(output())
    .addHelpText(
      "after",
      help([
        armAndMonitor,
        { label: "with --routes (Table Storage, when set)", load: commandConfig.diagnoseRoutes },
      ]),
    )
    .action(async (id: string, opts: { routes?: boolean; output: string }) => {
      exitCode = await (await readCommands()).runDiagnose(ctx, id, opts);
    });

  program
    .command("sweep")
    .description("Read every circuit in scope: one row per finding, worst first.")
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
    .addHelpText(
      "after",
      help([armAndMonitor, { label: "with --state", load: commandConfig.sweepState }]),
    )
    .action(async (opts: SweepOptions) => {
      exitCode = await (await readCommands()).runSweep(ctx, opts);
    });

  const silence = program
    .command("silence")
    .description(
      "Silence a circuit, peering or path for a window (carrier maintenance): kept in Table Storage beside ERWATCH_SILENCES, honoured by the next sweep.",
    )
    .addHelpText("after", help([tableStorage], "silence"));
  const add = silence.command("add");
  add
    .description(
      "Add a silence: one-off (--duration or --end, from --start or now) or recurring (--cron with --duration).",
    )
    .addOption(
      once(
        add,
        "--circuit <name-or-id>",
        "the circuit's name or resource id",
      ).makeOptionMandatory(),
    )
    .addOption(once(add, "--peering <name>", `only this peering (${PEERING_SPELLINGS})`))
    .addOption(once(add, "--path <path>", "only alerts about this path: primary or secondary"))
    .addOption(
      once(
        add,
        "--start <time>",
        "ISO 8601 start (default now); without Z or an offset, a time in --timezone",
      ),
    )
    .addOption(once(add, "--end <time>", "ISO 8601 end, read as --start is"))
    .addOption(
      once(
        add,
        "--duration <length>",
        "how long: 90m, 2h, 1d, at most 30d (each window, with --cron)",
      ),
    )
    .addOption(once(add, "--cron <expression>", "recurring windows: minute hour day month weekday"))
    .addOption(
      once(
        add,
        "--timezone <zone>",
        "IANA time zone of --cron, and of --start / --end written without an offset (default UTC); a --cron window keeps to its wall clock across daylight-saving changes",
      ),
    )
    .addOption(
      once(
        add,
        "--reason <text>",
        "why: the carrier's notice or ticket, the change",
      ).makeOptionMandatory(),
    )
    .addOption(once(add, "--author <name>", "who silences (default: the signed-in user)"))
    .addOption(output())
    .addHelpText("after", help([tableStorage], "silence"))
    .action(async (opts: SilenceAddOptions) => {
      exitCode = await (await stateCommands()).runSilenceAdd(ctx, opts);
    });
  silence
    .command("list")
    .description("List silences in force or waiting (stored and from ERWATCH_SILENCES).")
    .option("--expired", "include silences that have ended")
    .addOption(output())
    .addHelpText("after", help([tableStorage], "silence"))
    .action(async (opts: { expired?: boolean; output: string }) => {
      exitCode = await (await stateCommands()).runSilenceList(ctx, opts);
    });
  silence
    .command("expire")
    .description("End stored silences now; alerts they held are notified from the next sweep.")
    .argument("<id...>", "silence id(s), as `silence list` shows them")
    .addHelpText("after", help([tableStorage], "silence"))
    .action(async (ids: string[]) => {
      exitCode = await (await stateCommands()).runSilenceExpire(ctx, ids);
    });

  program
    .command("alerts")
    .description(
      "List the alerts open now, worst first, with age, owner, next action and what holds them (a silence, or the alert that inhibits them).",
    )
    .addOption(output())
    .addHelpText("after", help([tableStorage], "alerts"))
    .action(async (opts: { output: string }) => {
      exitCode = await (await stateCommands()).runAlerts(ctx, opts);
    });

  program
    .command("dispatch")
    .description(
      "Deliver alert events from Service Bus to the receivers (what the Functions dispatcher does) until interrupted.",
    )
    .option("--once", "deliver what is waiting, then exit")
    .addHelpText(
      "after",
      help([{ label: "Service Bus and receivers", load: commandConfig.dispatch }], "dispatch"),
    )
    .action(async (opts: { once?: boolean }) => {
      exitCode = await (await dispatchCommand()).runDispatchCommand(ctx, opts);
    });

  pointToHelpAfterError(program);

  /** What the failure said on stderr, for `-o json`'s document. */
  let said: string | null = null;
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    const code = failed(error);
    // A script reading `-o json` gets a document on a failure too: it got
    // nothing on stdout, and `… -o json | jq` without pipefail saw no failure.
    if (code !== EXIT.ok && wantsJson(argv))
      deps.stdout.write(`${JSON.stringify({ error: said ?? "failed", exitCode: code })}\n`);
    return code;
  }

  function say(text: string): void {
    said = text.replace(/^erwatch: /, "");
    ctx.warn(text);
  }

  function failed(error: unknown): number {
    if (error instanceof CommanderError) {
      said = error.message.replace(/^error: /, "");
      // `erwatch` or `erwatch silence` alone shows help too, but as a mistake (commander.help, exit 1).
      return error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.exitCode === 0
        ? EXIT.ok
        : EXIT.cannotRun;
    }
    if (error instanceof Interrupted || ctx.signal.aborted) {
      say("erwatch: interrupted");
      return EXIT.interrupted;
    }
    if (error instanceof CannotRun || error instanceof ConfigError) {
      say(`erwatch: ${error.message}`);
      return EXIT.cannotRun;
    }
    // Storage that cannot be reached is the world, not a bug: say so, without a stack.
    if (isStorageFailure(error)) {
      logger.debug({ err: error }, "Table Storage failed");
      say(`erwatch: Table Storage: ${neutralise(error.message)}`);
      return EXIT.cannotRun;
    }
    logger.error({ err: error }, "erwatch failed");
    say(`erwatch: unexpected failure: ${neutralise((error as Error).message)}`);
    return EXIT.cannotRun;
  }
}
