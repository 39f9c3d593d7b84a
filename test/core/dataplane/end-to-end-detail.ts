// The end-to-end row as a circuit's verdict draws it from one Connection
// Monitor reading: the words the status page shows for a read that failed.

import { expect } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type { EndToEndFacts } from "../../../src/core/dataplane/facts.js";
import { evaluateCircuit } from "../../../src/core/evaluate.js";
import type { Reading } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading } from "../../support/readings.js";
import { NOW } from "./builders.js";

/** The end-to-end cell of the circuit's primary path, judged at NOW: unknown, and its words. */
export function endToEndDetail(read: Reading<EndToEndFacts>): string {
  const { verdict } = evaluateCircuit(
    circuitReading({ dataPlane: { endToEnd: read } }),
    null,
    [],
    [],
    { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    NOW,
  );
  const cell = verdict.peerings[0]!.paths.primary.endToEnd;
  expect(cell.status).toBe("unknown");
  return cell.detail;
}
