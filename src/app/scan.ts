// Discover and read circuits. The stateless sweep (`erwatch sweep`) judges
// each reading on its own; the stateful sweep records each one as it arrives.

import pLimit from "p-limit";
import { evaluateCircuit, type EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { Logger } from "../logging.js";
import type { CircuitReader, CircuitTarget, DiscoveryFailure, ReadOptions } from "./ports.js";
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
  /** Circuits not read because the scan was stopped (Ctrl-C, SIGTERM). */
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
  logger: Logger;
  /** Circuits read at once; ARM calls are paced separately inside the reader. */
  circuitConcurrency?: number;
  /** Asked before each circuit is read: false skips it (another worker has it). */
  admit?: (target: CircuitTarget) => Promise<boolean>;
  /** No circuit is started at or after this time (ms since the epoch, by `clock`). */
  deadline?: number;
  clock?: () => number;
  onCircuit?: (done: number, total: number, name: string) => void;
  read?: Omit<ReadOptions, "abortSignal" | "session">;
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
  return found;
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
  // Enough circuits in progress to keep each subscription's budget busy while
  // their reads wait on the routers; the pacer decides how fast ARM is called.
  const limit = pLimit(options.circuitConcurrency ?? 32);
  const clock = options.clock ?? Date.now;
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
        if (late || options.abortSignal.aborted) {
          unreached.push({
            id: target.id,
            name: target.name,
            reason: late ? "deadline" : "stopped",
          });
          done += 1;
          return;
        }
        // A failure here is a bug or a storage fault, not a read error (those
        // are readings); keep the other circuits going and say which one broke.
        try {
          if (options.admit && !(await options.admit(target))) {
            skipped.push({ id: target.id, name: target.name });
            return;
          }
          const result = await reader.read(target, {
            ...options.read,
            abortSignal: options.abortSignal,
            session,
          });
          if (result.kind === "ignored") {
            log.info("circuit skipped: tagged erwatch:ignore");
            ignored.push({ id: result.id, name: result.name });
            return;
          }
          // Stopped mid-read: what failed was erwatch's own abort, not ARM. Not a reading.
          if (options.abortSignal.aborted) {
            unreached.push({ id: target.id, name: target.name, reason: "stopped" });
            return;
          }
          for (const problem of result.settingProblems)
            log.warn({ problem }, "circuit tag ignored");
          await onReading(result.reading, log);
        } catch (error) {
          log.error({ err: error }, "the circuit could not be judged");
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
  options: ReadEachOptions & { policy: EvaluationPolicy; now: Date },
): Promise<ScanResult> {
  const { targets, failures } = await discoverTargets(reader, scope, options);
  const readings: CircuitReading[] = [];
  const verdicts: CircuitVerdict[] = [];
  const { ignored, errors, unreached } = await readEach(reader, targets, options, (reading) => {
    verdicts.push(evaluateCircuit(reading, null, [], [], options.policy, options.now).verdict);
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
