// One circuit, read in the order the runbook teaches, for a person at a
// terminal: the verdict plus (with --routes) the full received route tables.

import { evaluateCircuit, type EvaluationPolicy } from "../core/evaluate.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { CircuitId } from "../core/resource-id.js";
import { createReadSession, type CircuitReader, type ReadProgress } from "./ports.js";

export interface DiagnoseResult {
  verdict: CircuitVerdict;
  reading: CircuitReading;
}

export async function diagnose(
  reader: CircuitReader,
  circuit: CircuitId,
  options: {
    routes: boolean;
    abortSignal: AbortSignal;
    policy: EvaluationPolicy;
    now: Date;
    onRead?: (progress: ReadProgress) => void;
  },
): Promise<DiagnoseResult> {
  const result = await reader.read(
    { ...circuit },
    {
      abortSignal: options.abortSignal,
      routes: options.routes,
      sequential: true,
      includeIgnored: true,
      onRead: options.onRead,
      session: createReadSession(),
    },
  );
  if (result.kind === "ignored")
    throw new Error("the reader skipped a circuit it was told to read");
  const { verdict } = evaluateCircuit(result.reading, null, [], [], options.policy, options.now);
  return { verdict, reading: result.reading };
}
