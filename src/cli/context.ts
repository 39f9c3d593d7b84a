// What every CLI command shares: its dependencies, the exit codes, the
// credential check, the terminal it prints to, and the runtime overrides.

import type { TokenCredential } from "@azure/identity";
import type { DestinationStream } from "pino";
import type { ArmClientOptions } from "../adapters/arm/clients.js";
import type { ArmConfig } from "../config/arm.js";
import type { Env } from "../config/settings.js";
import type { Logger } from "../logging.js";
import {
  neutralise,
  terminalJson,
  terminalOf,
  terminalSafe,
  type Stream,
  type Terminal,
} from "./terminal.js";

export type { Stream } from "./terminal.js";

export interface CliDeps {
  env: Env;
  stdout: Stream;
  stderr: Stream;
  /** Injected by tests and the demo; DefaultAzureCredential otherwise. */
  credential?: TokenCredential;
  armClientOptions?: ArmClientOptions;
  now?: () => Date;
  logDestination?: DestinationStream;
  /** Aborted on Ctrl-C by main.ts: reads stop at once and the command exits 130. */
  signal?: AbortSignal;
}

/**
 * Exit codes, documented in `--help` and the README. A run that found
 * something at Sev2 or worse exits 1 even when it was also partly blind: the
 * network comes first, and the output says what could not be read.
 */
export const EXIT = {
  ok: 0,
  findings: 1,
  cannotRun: 2,
  blind: 3,
  interrupted: 130,
  /** SIGTERM (a service manager, `kill`): 128 + 15, as shells read it (process.ts). */
  terminated: 143,
} as const;

/** What each command's exit code means, in its `--help` (README, "Exit codes"). */
export const EXIT_CODE_HELP = {
  /** diagnose and sweep: what the run read. */
  report: [
    "Exit codes:",
    "  0    everything in scope was read; nothing at Sev2 or worse",
    "  1    something at Sev2 or worse (even if some reads failed)",
    "  2    erwatch could not run: bad arguments or settings, no credential,",
    "       Table Storage not answering;",
    "       or it could not judge or record a circuit (whatever else it found)",
    "  3    partly blind: a read failed, a subscription could not be listed or",
    "       held no circuit, or nothing was read at all",
    "  130  interrupted (Ctrl-C); 143 stopped by SIGTERM",
  ].join("\n"),
  /** alerts: what is open now, for a script or a health check. */
  alerts: [
    "Exit codes:",
    "  0    nothing at Sev2 or worse needs a human (none open, or each one",
    "       resolving or held by a silence), and the list is whole and current",
    "  1    an alert at Sev2 or worse is open and no silence holds it now",
    "       (one resolving is not counted: its condition reads clean; one",
    "       another alert inhibits is)",
    "  2    erwatch could not run: bad settings, Table Storage not answering",
    "  3    partly blind: Table Storage did not give part of the state, no",
    "       sweep completed lately, a circuit with an alert is not being read,",
    "       or an alert row cannot be read (erwatch cannot resolve it)",
    "  130  interrupted (Ctrl-C); 143 stopped by SIGTERM",
  ].join("\n"),
  /** silence: it does, rather than reports, and only with Table Storage. */
  silence: [
    "Exit codes:",
    "  0    done",
    "  2    erwatch could not run: bad arguments or settings, Table Storage not",
    "       answering",
    "  130  interrupted (Ctrl-C) before it was done; 143 stopped by SIGTERM",
  ].join("\n"),
  /** dispatch: it delivers until stopped, keeping its deliveries in Table Storage. */
  dispatch: [
    "Exit codes:",
    "  0    stopped (Ctrl-C or SIGTERM) with what it held settled or given back,",
    "       or with --once the queue drained",
    "  2    erwatch could not run: bad arguments or settings, Table Storage or",
    "       Service Bus not answering",
    "  130  with --once, interrupted (Ctrl-C) before the queue drained; 143 the",
    "       same by SIGTERM",
  ].join("\n"),
} as const;

export type ExitCodeHelp = keyof typeof EXIT_CODE_HELP;

export class CannotRun extends Error {}
export class Interrupted extends Error {}

export interface Context {
  deps: CliDeps;
  logger: Logger;
  /** stdout as the person sees it: its width and whether to colour. */
  terminal: Terminal;
  /** Writes a line (or lines) to stdout; control characters never reach the terminal raw. */
  print(text: string): void;
  /** Writes JSON to stdout, unchanged for a parser, harmless on a terminal. */
  printJson(value: unknown): void;
  /** Writes to stderr, likewise guarded. */
  warn(text: string): void;
  /** Never aborted when main.ts gave none (tests). */
  signal: AbortSignal;
}

export function createContext(deps: CliDeps, logger: Logger): Context {
  return {
    deps,
    logger,
    terminal: terminalOf(deps.stdout, deps.env),
    print: (text) => deps.stdout.write(terminalSafe(`${text}\n`)),
    printJson: (value) => deps.stdout.write(`${terminalJson(value)}\n`),
    warn: (text) => deps.stderr.write(terminalSafe(`${text}\n`)),
    signal: deps.signal ?? new AbortController().signal,
  };
}

/**
 * Entries of settings left out as invalid (config/reader.ts), told on stderr
 * before the command runs: the command goes on with the rest.
 */
export function warnIgnoredSettings(ctx: Context, ignored: readonly string[]): void {
  for (const line of ignored) ctx.warn(`erwatch: warning: ${line}`);
}

/** The sweep's own deadline, cut short by Ctrl-C. */
export function deadline(ctx: Context, ms: number): AbortSignal {
  return AbortSignal.any([ctx.signal, AbortSignal.timeout(ms)]);
}

export function throwIfInterrupted(ctx: Context): void {
  if (ctx.signal.aborted) throw new Interrupted("interrupted");
}

/**
 * Why no token: every credential the chain tried, each in its own words
 * ("Azure CLI could not be found…", "Please run 'az login'…"), not only the
 * chain's first line.
 */
export function credentialCauses(error: unknown): string[] {
  const e = error as { message?: unknown; errors?: unknown };
  if (Array.isArray(e?.errors) && e.errors.length > 0) return e.errors.flatMap(credentialCauses);
  const lines = String(e?.message ?? error)
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^ChainedTokenCredential authentication failed\.?$/.test(l))
    .map((l) => l.replace(/^(?:CredentialUnavailableError|AuthenticationError): /, ""));
  return lines.length > 0 ? lines.map((l) => neutralise(l).slice(0, 400)) : ["no reason given"];
}

export async function credentialFor(ctx: Context, config: ArmConfig): Promise<TokenCredential> {
  // Loaded here, not at import: @azure/identity is paid only by commands that need a token.
  const credential =
    ctx.deps.credential ?? (await import("../runtime/common.js")).credentials(config.cloud, {})();
  try {
    // Fail fast and clearly rather than as a blind finding on every read.
    const token = await credential.getToken(config.tokenScope, {
      abortSignal: deadline(ctx, 60_000),
    });
    if (!token) throw new Error("no token was returned");
  } catch (error) {
    throwIfInterrupted(ctx);
    const causes = [...new Set(credentialCauses(error))];
    throw new CannotRun(
      [
        `could not get a token for ${config.tokenScope}:`,
        ...causes.map((c) => `  - ${c}`),
        "Run `az login` (and `az account set`), or set AZURE_TOKEN_CREDENTIALS to the credential you use.",
      ].join("\n"),
    );
  }
  return credential;
}

/** What every runtime the CLI builds is given: its credential, logger and, in tests, the fake's TLS. */
export function overrides(ctx: Context, credential: TokenCredential) {
  return {
    credential,
    logger: ctx.logger,
    ...(ctx.deps.armClientOptions ? { armClientOptions: ctx.deps.armClientOptions } : {}),
    ...(ctx.deps.now ? { now: ctx.deps.now } : {}),
  };
}

export const clock = (ctx: Context) => (ctx.deps.now ?? (() => new Date()))();
