// When erwatch itself fails on a circuit (a reader bug, a verdict that
// throws), the circuit is not dropped: it becomes a reading whose circuit read
// failed with kind "internal", so it is UNKNOWN and, after the usual count of
// sweeps, one monitoring-blind alert says erwatch cannot judge it.

import type { CircuitReading, CircuitRef, CircuitSettings } from "./model.js";

const SETTINGS: CircuitSettings = {
  connectivityModel: "own-edge",
  criticality: "normal",
  expectedPeerings: [],
  expectGateway: false,
};

export function unjudgedReading(
  ref: Pick<CircuitRef, "id" | "name" | "subscriptionId" | "resourceGroup"> &
    Partial<Pick<CircuitRef, "location" | "tags">>,
  error: unknown,
  at: Date,
  settings: CircuitSettings = SETTINGS,
): CircuitReading {
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  const failed = {
    ok: false as const,
    readAt: at.toISOString(),
    error: {
      kind: "internal" as const,
      call: "erwatch",
      target: `circuit ${ref.name}`,
      message: message.slice(0, 500),
    },
  };
  return {
    ref: { location: null, tags: {}, ...ref },
    settings,
    circuit: failed,
    paths: {},
    gateway: failed,
  };
}
