// A CircuitReader over domain readings: app-level tests of the sweep without
// the wire. The wire itself is covered by the simulated-estate tests.

import type { CircuitReader, CircuitTarget } from "../../src/app/ports.js";
import type { ReadFailure } from "../../src/core/model.js";
import { withoutRouteTables } from "../../src/core/route-tables.js";
import { circuitReading, CIRCUIT_ID, type CircuitSpec } from "./readings.js";

export class FakeReader implements CircuitReader {
  spec: CircuitSpec = {};
  /** Stamped on every read unless the spec gives its own time (a harness sets its clock here). */
  readAt: string | null = null;
  reads = 0;
  /** When set, read() throws it: a reader bug. */
  throwing: Error | null = null;
  /** The options of every read, in order (e.g. whether the full route tables were asked for). */
  readOptions: { routes: boolean }[] = [];
  readonly target: CircuitTarget = {
    id: CIRCUIT_ID,
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg-hybrid-core",
    name: "er-circuit-prod",
  };

  /** What the subscription listing says: the circuit is in it (default), not in it, or the listing fails. */
  listing: "listed" | "absent" | ReadFailure = "listed";
  /** The circuit is tagged erwatch:ignore: read() skips it. */
  ignored = false;
  /** Its erwatch tags the reader could not use, each with why (resolveCircuitSettings' problems). */
  settingProblems: string[] = [];

  async discover(scope?: { subscriptions: string[]; circuitIds: string[] }) {
    if (!scope) return { targets: [this.target], failures: [] };
    const failures =
      typeof this.listing === "object"
        ? scope.subscriptions.map((subscriptionId) => ({
            subscriptionId,
            failure: this.listing as ReadFailure,
          }))
        : [];
    return { targets: this.listing === "listed" ? [this.target] : [], failures };
  }

  async read(_target?: CircuitTarget, options?: { routes?: boolean }) {
    this.reads += 1;
    if (this.throwing) throw this.throwing;
    if (this.ignored)
      return { kind: "ignored" as const, id: this.target.id, name: this.target.name };
    this.readOptions.push({ routes: options?.routes ?? false });
    const spec =
      this.readAt && !this.spec.readAt ? { ...this.spec, readAt: this.readAt } : this.spec;
    const reading = circuitReading(spec);
    // Like the ARM reader: full route tables only when asked for.
    return {
      kind: "read" as const,
      reading: options?.routes ? reading : withoutRouteTables(reading),
      settingProblems: this.settingProblems,
    };
  }
}
