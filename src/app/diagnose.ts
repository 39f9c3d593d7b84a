// One circuit, read in the order the runbook teaches, for a person at a
// terminal: the verdict plus (with --routes) the full received route tables.

import { classifyCircuit, type ClassifyOptions } from "../core/classify.js";
import type { CircuitReading, CircuitVerdict } from "../core/model.js";
import type { CircuitId } from "../core/resource-id.js";
import type { CircuitReader, ReadProgress } from "./ports.js";

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
    classify: ClassifyOptions;
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
    },
  );
  if (result.kind === "ignored")
    throw new Error("the reader skipped a circuit it was told to read");
  return { verdict: classifyCircuit(result.reading, options.classify), reading: result.reading };
}
