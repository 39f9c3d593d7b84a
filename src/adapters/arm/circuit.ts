// The circuit itself: one GET that carries the carrier's provisioning state,
// the peerings with their Global Reach connections, and the tags that hold
// the circuit's erwatch settings.

import type { CircuitTarget, ReadOptions } from "../../app/ports.js";
import type { CircuitFacts, Reading } from "../../core/model.js";
import type { ArmContext } from "./context.js";
import { toCircuitFacts } from "./to-domain.js";

export interface CircuitRead {
  facts: CircuitFacts;
  tags: Record<string, string>;
  location: string | null;
  id: string;
  name: string;
}

export function readCircuit(
  ctx: ArmContext,
  target: CircuitTarget,
  options: ReadOptions,
): Promise<Reading<CircuitRead>> {
  const circuits = ctx.clients.for(target.subscriptionId).expressRouteCircuits;
  return ctx.call({
    operation: "getCircuit",
    target: `circuit ${target.name}`,
    signal: options.abortSignal,
    onRead: options.onRead,
    run: async (abortSignal) => {
      const circuit = await circuits.get(target.resourceGroup, target.name, { abortSignal });
      return {
        facts: toCircuitFacts(circuit),
        tags: circuit.tags ?? {},
        location: circuit.location ?? null,
        id: circuit.id ?? target.id,
        name: circuit.name ?? target.name,
      };
    },
  });
}
