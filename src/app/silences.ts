// Run-time silences, as Alertmanager's `amtool silence` gives: added, listed
// and expired by a person (`erwatch silence …`), kept in Table Storage beside
// the ones configured in ERWATCH_SILENCES, and read once at the start of every
// sweep, so a new silence holds from the next sweep on without a restart.

import {
  onceSpan,
  peeringNamed,
  silenceCircuit,
  validateWindow,
  windowActive,
} from "../core/silence.js";
import { storedInstant } from "../core/instant.js";
import { PEERING_SPELLINGS, type PathName } from "../core/model.js";
import type { Silence, SilenceWindow } from "../core/policy.js";
import type { Logger } from "../logging.js";
import { deadlineOn, realTimers, type Timers } from "../time.js";
import type { Stored } from "./state-store.js";

export interface StoredSilence extends Silence {
  author: string;
  createdAt: string;
  /** Set by `silence expire`: the silence ends then, whatever its window says. */
  expiredAt: string | null;
}

export interface SilenceStore {
  ensureTable(): Promise<void>;
  /** Every silence that can be read; one that cannot is named (in `log`, when given) and left out. */
  list(options?: { abortSignal?: AbortSignal; log?: Logger }): Promise<Stored<StoredSilence>[]>;
  /** Fails when the id is taken. */
  add(silence: StoredSilence): Promise<void>;
  /** Conditional on the ETag read; throws ConflictError when someone else changed it first. */
  update(silence: Stored<StoredSilence>): Promise<void>;
  /** The same store, every call also ended by `signal`. */
  withSignal?(signal: AbortSignal): SilenceStore;
}

export type SilenceStatus = "active" | "pending" | "expired";

/** Where a silence stands now: covering alerts, waiting for its (next) window, or over for good. */
export function silenceStatus(
  silence: Silence & { expiredAt?: string | null },
  now: Date,
): SilenceStatus {
  // Someone ended it (`silence expire` writes the time; never expired is
  // null): a time kept that is not an instant (core/instant.ts), "" too,
  // still says so. Read with Date.parse, "yesterday" was never past, and the
  // silence kept silencing.
  if (silence.expiredAt !== null && silence.expiredAt !== undefined) {
    const at = storedInstant(silence.expiredAt);
    if (at === null || at <= now.getTime()) return "expired";
  }
  const w = silence.window;
  if (w.kind === "once") {
    const span = onceSpan(w);
    // Unreadable, it silences nothing (windowActive): shown as not silencing.
    if (span === null) return "pending";
    if (span.end <= now.getTime()) return "expired";
    return span.start <= now.getTime() ? "active" : "pending";
  }
  try {
    return windowActive(w, now) ? "active" : "pending";
  } catch {
    // Broken windows fail open at sweep time; here they are shown as not silencing.
    return "pending";
  }
}

export interface NewSilence {
  circuit: string;
  peering?: string;
  path?: PathName;
  window: SilenceWindow;
  comment: string;
  author: string;
}

/** Validates a silence the way ERWATCH_SILENCES is validated; every problem at once. */
export function silenceProblems(
  input: NewSilence,
  now: Date,
  /** False when the window's own flags were already found wrong: its half-built form would only add noise. */
  checkWindow = true,
): string[] {
  const problems: string[] = [];
  if (input.circuit.trim() === "") problems.push("--circuit: name or resource id of the circuit");
  else if (silenceCircuit(input.circuit) === null)
    problems.push(
      `--circuit "${input.circuit.trim()}" is not an ExpressRoute circuit resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/expressRouteCircuits/<name>)`,
    );
  if (input.peering !== undefined && peeringNamed(input.peering) === null)
    problems.push(`--peering "${input.peering.trim()}" is not a peering: ${PEERING_SPELLINGS}`);
  if (input.comment.trim() === "")
    problems.push("--reason: say why (the carrier's ticket, the change)");
  if (input.author.trim() === "") problems.push("--author: who is silencing");
  if (!checkWindow) return problems;
  try {
    validateWindow(input.window);
    if (input.window.kind === "once" && (onceSpan(input.window)?.end ?? 0) <= now.getTime())
      problems.push("the window ends in the past: nothing would be silenced");
  } catch (error) {
    problems.push((error as Error).message);
  }
  return problems;
}

export function newSilence(input: NewSilence, id: string, now: Date): StoredSilence {
  const silence: StoredSilence = {
    id,
    circuit: silenceCircuit(input.circuit) ?? input.circuit.trim(),
    window: input.window,
    comment: input.comment.trim(),
    author: input.author.trim(),
    createdAt: now.toISOString(),
    expiredAt: null,
  };
  if (input.peering) silence.peering = peeringNamed(input.peering) ?? input.peering;
  if (input.path) silence.path = input.path;
  return silence;
}

/** Ends a silence now; one already over stays as it was. */
export function expired(silence: StoredSilence, now: Date): StoredSilence {
  return { ...silence, expiredAt: now.toISOString() };
}

/** Storage that does not answer must not hold the sweep: the configured silences hold meanwhile. */
const LIST_DEADLINE_MS = 15_000;

const spoken = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/**
 * The failure said as what ended it: the listing's own bound fired first, so
 * erwatch gave up on the store. Its words came from the store, to which the
 * bound was a stop like Ctrl-C ("stopped before storage answered"): read as
 * the sweep stopped, not as storage that did not answer.
 */
function gaveUp(error: unknown, signal: AbortSignal, deadline: AbortSignal, ms: number): unknown {
  // AbortSignal.any keeps the reason of the signal that fired first.
  if (!deadline.aborted || signal.reason !== deadline.reason) return error;
  // Without the store's error as its cause: its words are the stop's.
  return new Error(
    `listing the stored silences failed: gave up after ${spoken(ms)} with no answer from storage`,
  );
}

/**
 * The silences a sweep honours at any instant, from one read of the store:
 * the configured ones and the stored ones still in force then. Storage that
 * cannot be read fails open: the configured silences hold, the stored ones do
 * not, and a warning says so (an alert that goes out during maintenance is
 * better than one that never does). `time`: what the read's deadline runs
 * on, real time unless a test moves it.
 */
export async function silencesOverTime(
  configured: Silence[],
  store: SilenceStore | null | undefined,
  log: Logger,
  abortSignal?: AbortSignal,
  time: Timers = realTimers,
): Promise<(at: Date) => Silence[]> {
  if (!store) return () => configured;
  const deadline = deadlineOn(time, LIST_DEADLINE_MS);
  const signal = abortSignal ? AbortSignal.any([abortSignal, deadline.signal]) : deadline.signal;
  try {
    const stored = (await store.list({ abortSignal: signal, log })).map((s) => s.value);
    return (at) => [...configured, ...stored.filter((s) => silenceStatus(s, at) !== "expired")];
  } catch (error) {
    log.warn(
      { err: gaveUp(error, signal, deadline.signal, LIST_DEADLINE_MS) },
      "stored silences could not be read; only ERWATCH_SILENCES holds this sweep",
    );
    return () => configured;
  } finally {
    deadline.cancel();
  }
}

/** The silences a sweep honours at its own instant (silencesOverTime). */
export async function silencesForSweep(
  configured: Silence[],
  store: SilenceStore | null | undefined,
  now: Date,
  log: Logger,
  abortSignal?: AbortSignal,
  time?: Timers,
): Promise<Silence[]> {
  return (await silencesOverTime(configured, store, log, abortSignal, time))(now);
}
