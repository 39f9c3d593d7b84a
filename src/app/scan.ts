// Discover and read circuits. The stateless sweep (`erwatch sweep`) judges
// each reading on its own; the stateful sweep records each one as it arrives.

import pLimit from "p-limit";
import { evaluateCircuit, type EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { Logger } from "../logging.js";
import { startDataPlane } from "./data-plane.js";
import type {
  CircuitReader,
  CircuitTarget,
  DataPlaneReader,
  DiscoveryFailure,
  ReadOptions,
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
}

export interface ReadEachOptions {
  abortSignal: AbortSignal;
  logger: Logger;
  /** Circuits read at once; ARM calls are bounded separately inside the reader. */
  circuitConcurrency?: number;
  onCircuit?: (done: number, total: number, name: string) => void;
  read?: Omit<ReadOptions, "abortSignal" | "session">;
  /** Azure Monitor and Connection Monitor, attached to each reading before it is handed on. */
  dataPlane?: { reader: DataPlaneReader; now: Date };
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
): Promise<{ ignored: ScanResult["ignored"]; errors: CircuitError[] }> {
  const session = createReadSession();
  const dataPlane = startDataPlane(options.dataPlane?.reader, targets, {
    abortSignal: options.abortSignal,
    now: options.dataPlane?.now ?? new Date(0),
    session,
  });
  const limit = pLimit(options.circuitConcurrency ?? 8);
  const ignored: ScanResult["ignored"] = [];
  const errors: CircuitError[] = [];
  let done = 0;
  await Promise.all(
    targets.map((target) =>
      limit(async () => {
        const log = options.logger.child({ circuitId: target.id, circuit: target.name });
        // A failure here is a bug or a storage fault, not a read error (those
        // are readings); keep the other circuits going and say which one broke.
        try {
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
          for (const problem of result.settingProblems)
            log.warn({ problem }, "circuit tag ignored");
          await onReading(await dataPlane.attach(result.reading), log);
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
  return { ignored, errors };
}

/** The stateless sweep: no history, so no flaps or trends; every reading judged on its own. */
export async function scan(
  reader: CircuitReader,
  scope: Scope,
  options: Omit<ReadEachOptions, "dataPlane"> & {
    policy: EvaluationPolicy;
    now: Date;
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
  const { ignored, errors } = await readEach(reader, targets, each, (reading) => {
    verdicts.push(evaluateCircuit(reading, null, [], [], options.policy, options.now).verdict);
    readings.push(reading);
  });
  // Stable order regardless of which read finished first.
  readings.sort((a, b) => a.ref.id.localeCompare(b.ref.id));
  verdicts.sort((a, b) => a.id.localeCompare(b.id));
  return { verdicts, readings, ignored, discoveryFailures: failures, errors };
}
