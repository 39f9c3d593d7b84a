// A one-shot, stateless sweep: discover, read, classify. The CLI's `sweep`
// and the stateful sweep both start here.

import pLimit from "p-limit";
import { classifyCircuit, type ClassifyOptions } from "../core/classify.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { Logger } from "../logging.js";
import type { CircuitReader, CircuitTarget, DiscoveryFailure, ReadOptions } from "./ports.js";
import { createReadSession } from "./ports.js";

export interface ScanResult {
  verdicts: CircuitVerdict[];
  readings: CircuitReading[];
  ignored: { id: string; name: string }[];
  discoveryFailures: DiscoveryFailure[];
  /** Circuits erwatch failed on for a reason other than a read (a bug): shown, never dropped. */
  errors: { id: string; name: string; message: string }[];
}

export interface ScanOptions {
  abortSignal: AbortSignal;
  classify: ClassifyOptions | ((reading: CircuitReading) => ClassifyOptions);
  logger: Logger;
  /** Circuits read at once; ARM calls are bounded separately inside the reader. */
  circuitConcurrency?: number;
  onCircuit?: (done: number, total: number, name: string) => void;
  read?: Omit<ReadOptions, "abortSignal" | "session">;
}

export async function readTargets(
  reader: CircuitReader,
  targets: CircuitTarget[],
  options: ScanOptions,
): Promise<Pick<ScanResult, "readings" | "ignored" | "errors">> {
  const session = createReadSession();
  const limit = pLimit(options.circuitConcurrency ?? 8);
  const readings: CircuitReading[] = [];
  const ignored: ScanResult["ignored"] = [];
  const errors: ScanResult["errors"] = [];
  let done = 0;
  await Promise.all(
    targets.map((target) =>
      limit(async () => {
        const log = options.logger.child({ circuitId: target.id, circuit: target.name });
        // A failure here is a bug, not a read error (those are readings); keep
        // the other circuits going and say which one broke.
        try {
          const result = await reader.read(target, {
            ...options.read,
            abortSignal: options.abortSignal,
            session,
          });
          if (result.kind === "ignored") {
            log.info("circuit skipped: tagged erwatch:ignore");
            ignored.push({ id: result.id, name: result.name });
          } else {
            for (const problem of result.settingProblems)
              log.warn({ problem }, "circuit tag ignored");
            readings.push(result.reading);
          }
        } catch (error) {
          log.error({ err: error }, "reading the circuit failed unexpectedly");
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
  // Stable order regardless of which read finished first.
  readings.sort((a, b) => a.ref.id.localeCompare(b.ref.id));
  return { readings, ignored, errors };
}

export async function scan(
  reader: CircuitReader,
  scope: { subscriptions: string[]; circuitIds: string[] },
  options: ScanOptions,
): Promise<ScanResult> {
  const { targets, failures } = await reader.discover(scope, { abortSignal: options.abortSignal });
  for (const f of failures) {
    options.logger.warn(
      { subscriptionId: f.subscriptionId, failure: f.failure },
      "listing circuits failed",
    );
  }
  const { readings, ignored, errors } = await readTargets(reader, targets, options);
  const verdicts = readings.map((reading) =>
    classifyCircuit(
      reading,
      typeof options.classify === "function" ? options.classify(reading) : options.classify,
    ),
  );
  return { verdicts, readings, ignored, discoveryFailures: failures, errors };
}
