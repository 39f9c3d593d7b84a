// Discover and read circuits. The stateless sweep (`erwatch sweep`) judges
// each reading on its own; the stateful sweep records each one as it arrives.

import pLimit from "p-limit";
import { evaluateOrBlind, type EvaluationPolicy } from "../core/evaluate.js";
import { unjudgedReading } from "../core/unjudged.js";
import type { CircuitMetrics } from "../core/dataplane/facts.js";
import type { CircuitReading, CircuitVerdict, Reading } from "../core/model.js";
import { healthLine, type Logger } from "../logging.js";
import { startDataPlane } from "./data-plane.js";
import { logFailedReads } from "./failed-reads.js";
import type {
  CircuitReader,
  CircuitTarget,
  DataPlaneReader,
  DiscoveryFailure,
  ReadOptions,
  ReadSession,
} from "./ports.js";
import { createReadSession } from "./ports.js";

export interface Scope {
  subscriptions: string[];
  circuitIds: string[];
}

/** A circuit erwatch failed on for a reason other than a read (a bug): shown, never dropped. */
export interface CircuitError {
  id: string;
  name: string;
  message: string;
}

export interface ScanResult {
  verdicts: CircuitVerdict[];
  readings: CircuitReading[];
  ignored: { id: string; name: string }[];
  discoveryFailures: DiscoveryFailure[];
  errors: CircuitError[];
  /** Circuits not read because the scan was stopped (Ctrl-C, SIGTERM, its deadline). */
  unreached?: Unreached[];
}

/** A circuit the sweep planned but did not read: its deadline came first, or it was stopped. */
export interface Unreached {
  id: string;
  name: string;
  reason: "deadline" | "stopped";
}

export interface ReadEachOptions {
  abortSignal: AbortSignal;
  /**
   * A person stopped the run (Ctrl-C): readings that arrive after it are
   * dropped, not judged, so an interrupted sweep records nothing it did not
   * finish. A deadline (abortSignal alone) still records its reads as failed.
   */
  stopSignal?: AbortSignal;
  logger: Logger;
  /** The sweep's clock: a circuit erwatch fails on is stamped UNKNOWN at it. */
  now: Date;
  /** Circuits read at once; ARM calls are paced separately inside the reader. */
  circuitConcurrency?: number;
  /** Asked before each circuit is read: false skips it (another worker has it). */
  admit?: (target: CircuitTarget) => Promise<boolean>;
  /** No circuit is started at or after this time (ms since the epoch, by `clock`). */
  deadline?: number;
  clock?: () => number;
  onCircuit?: (done: number, total: number, name: string) => void;
  read?: Omit<ReadOptions, "abortSignal" | "session">;
  /** Also read the full route tables of these targets (the stateful sweep's baseline). */
  routesFor?: (target: CircuitTarget) => boolean;
  /** Azure Monitor and Connection Monitor, attached to each reading before it is handed on. */
  dataPlane?: {
    reader: DataPlaneReader;
    now: Date;
    /** The sweep the reads are part of (DataPlaneReadOptions.sweepId). */
    sweepId?: string;
    /** Metrics already read this sweep (the cheap signals), by lower-case circuit id. */
    metrics?: Map<string, Reading<CircuitMetrics>>;
    /** Service keys of circuits the listing gave that are not read here (Global Reach peers). */
    serviceKeys?: ReadonlyMap<string, string>;
  };
}

export async function discoverTargets(
  reader: CircuitReader,
  scope: Scope,
  options: { abortSignal: AbortSignal; logger: Logger },
): Promise<{ targets: CircuitTarget[]; failures: DiscoveryFailure[] }> {
  const found = await reader.discover(scope, { abortSignal: options.abortSignal });
  for (const f of found.failures) {
    options.logger.warn(
      { subscriptionId: f.subscriptionId, failure: f.failure },
      "listing circuits failed",
    );
  }
  for (const u of found.unwatchable ?? [])
    options.logger.warn(
      { subscriptionId: u.subscriptionId, listedId: u.id, why: u.why },
      "a circuit the listing gave cannot be watched",
    );
  return { targets: found.targets, failures: found.failures };
}

/**
 * One target: read, then hand the reading on. A read error is a reading
 * already; a reader that throws is a bug, and the circuit becomes UNKNOWN
 * (then blind) rather than vanishing. What can still fail is storage for this
 * circuit: the caller records it and keeps the others going.
 */
async function readOne(
  reader: CircuitReader,
  target: CircuitTarget,
  options: ReadEachOptions,
  session: ReadSession,
  log: Logger,
): Promise<CircuitReading | { ignored: { id: string; name: string } }> {
  try {
    const result = await reader.read(target, {
      ...options.read,
      ...(options.routesFor?.(target) ? { routes: true } : {}),
      abortSignal: options.abortSignal,
      session,
    });
    if (result.kind === "ignored") return { ignored: { id: result.id, name: result.name } };
    for (const problem of result.settingProblems) log.warn({ problem }, "circuit tag ignored");
    // Kept with its snapshot for the status page: the log is not where operators look.
    return result.settingProblems.length > 0
      ? { ...result.reading, tagProblems: result.settingProblems }
      : result.reading;
  } catch (error) {
    log.error({ err: error }, "reading the circuit failed unexpectedly; it is UNKNOWN");
    return unjudgedReading(target, error, options.now);
  }
}

/**
 * Reads every target and hands each reading to `onReading` as soon as it
 * arrives, so one slow circuit does not hold up what the others found.
 */
export async function readEach(
  reader: CircuitReader,
  targets: CircuitTarget[],
  options: ReadEachOptions,
  onReading: (reading: CircuitReading, log: Logger) => Promise<void> | void,
): Promise<{
  ignored: ScanResult["ignored"];
  errors: CircuitError[];
  unreached: Unreached[];
  skipped: { id: string; name: string }[];
}> {
  const session = createReadSession();
  const dataPlane = startDataPlane(
    options.dataPlane?.reader,
    targets,
    {
      abortSignal: options.abortSignal,
      now: options.dataPlane?.now ?? new Date(0),
      session,
      ...(options.dataPlane?.sweepId !== undefined ? { sweepId: options.dataPlane.sweepId } : {}),
    },
    options.dataPlane?.metrics,
    options.dataPlane?.serviceKeys,
  );
  // Enough circuits in progress to keep each subscription's budget busy while
  // their reads wait on the routers; the pacer decides how fast ARM is called.
  const limit = pLimit(options.circuitConcurrency ?? 32);
  const clock = options.clock ?? Date.now;
  const stopped = () => options.abortSignal.aborted || options.stopSignal?.aborted === true;
  const ignored: ScanResult["ignored"] = [];
  const errors: CircuitError[] = [];
  const unreached: Unreached[] = [];
  const skipped: { id: string; name: string }[] = [];
  let done = 0;
  await Promise.all(
    targets.map((target) =>
      limit(async () => {
        const log = options.logger.child({ circuitId: target.id, circuit: target.name });
        // Targets come in the order they matter; what the deadline leaves is named, not read.
        const late = options.deadline !== undefined && clock() >= options.deadline;
        if (late || stopped()) {
          unreached.push({
            id: target.id,
            name: target.name,
            reason: late ? "deadline" : "stopped",
          });
          done += 1;
          return;
        }
        try {
          if (options.admit && !(await options.admit(target))) {
            skipped.push({ id: target.id, name: target.name });
            return;
          }
          const reading = await readOne(reader, target, options, session, log);
          if ("ignored" in reading) {
            log.info("circuit skipped: tagged erwatch:ignore");
            ignored.push(reading.ignored);
            return;
          }
          // Stopped mid-read: what failed was erwatch's own abort, not ARM. Not a reading.
          if (stopped()) {
            unreached.push({ id: target.id, name: target.name, reason: "stopped" });
            return;
          }
          await onReading(await dataPlane.attach(reading), log);
        } catch (error) {
          healthLine(log).error({ err: error }, "the circuit could not be recorded");
          errors.push({
            id: target.id,
            name: target.name,
            message: (error as Error).message ?? String(error),
          });
        } finally {
          done += 1;
          options.onCircuit?.(done, targets.length, target.name);
        }
      }),
    ),
  );
  return { ignored, errors, unreached, skipped };
}

/** The stateless sweep: no history, so no flaps or trends; every reading judged on its own. */
export async function scan(
  reader: CircuitReader,
  scope: Scope,
  options: Omit<ReadEachOptions, "dataPlane"> & {
    policy: EvaluationPolicy;
    dataPlane?: DataPlaneReader;
  },
): Promise<ScanResult> {
  const { targets, failures } = await discoverTargets(reader, scope, options);
  const readings: CircuitReading[] = [];
  const verdicts: CircuitVerdict[] = [];
  const { dataPlane, ...rest } = options;
  const each = {
    ...rest,
    ...(dataPlane ? { dataPlane: { reader: dataPlane, now: options.now } } : {}),
  };
  const { ignored, errors, unreached } = await readEach(reader, targets, each, (reading, log) => {
    const judged = evaluateOrBlind(reading, null, [], [], options.policy, options.now);
    if (judged.error !== undefined)
      log.error({ err: judged.error }, "judging the circuit failed; it is UNKNOWN");
    logFailedReads(judged.verdict, log);
    verdicts.push(judged.verdict);
    readings.push(reading);
  });
  // Stable order regardless of which read finished first.
  readings.sort((a, b) => a.ref.id.localeCompare(b.ref.id));
  verdicts.sort((a, b) => a.id.localeCompare(b.id));
  return {
    verdicts,
    readings,
    ignored,
    discoveryFailures: failures,
    errors,
    ...(unreached.length > 0 ? { unreached } : {}),
  };
}
