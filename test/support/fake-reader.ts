// A CircuitReader over domain readings: app-level tests of the sweep without
// the wire. The wire itself is covered by the simulated-estate tests.

import type { CircuitReader, CircuitTarget } from "../../src/app/ports.js";
import { circuitReading, CIRCUIT_ID, type CircuitSpec } from "./readings.js";

export class FakeReader implements CircuitReader {
  spec: CircuitSpec = {};
  reads = 0;
  /** When set, read() throws it: a reader bug. */
  throwing: Error | null = null;
  readonly target: CircuitTarget = {
    id: CIRCUIT_ID,
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg-hybrid-core",
    name: "er-circuit-prod",
  };

  async discover() {
    return { targets: [this.target], failures: [] };
  }

  async read() {
    this.reads += 1;
    if (this.throwing) throw this.throwing;
    return { kind: "read" as const, reading: circuitReading(this.spec), settingProblems: [] };
  }
}
