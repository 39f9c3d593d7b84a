// Which circuits to read: every circuit listed in the watched subscriptions
// (tags known from the listing), plus circuits named by id. A subscription
// that cannot be listed is reported, not fatal: the others still sweep.

import type { CircuitTarget, DiscoveryFailure } from "../../app/ports.js";
import { parseCircuitId, sameId } from "../../core/resource-id.js";
import { collect } from "./call.js";
import type { ArmContext } from "./context.js";
import { parseListedCircuit } from "./wire/circuit-body.js";

export async function discoverCircuits(
  ctx: ArmContext,
  scope: { subscriptions: string[]; circuitIds: string[] },
  options: { abortSignal: AbortSignal },
): Promise<{ targets: CircuitTarget[]; failures: DiscoveryFailure[] }> {
  const targets: CircuitTarget[] = [];
  const failures: DiscoveryFailure[] = [];
  for (const subscriptionId of scope.subscriptions) {
    const circuits = ctx.clients.for(subscriptionId).expressRouteCircuits;
    const listed = await ctx.call({
      operation: "listCircuits",
      target: `circuits in subscription ${subscriptionId}`,
      signal: options.abortSignal,
      run: async (abortSignal) =>
        (await collect(circuits.listAll({ abortSignal }))).map(parseListedCircuit),
    });
    if (!listed.ok) {
      failures.push({ subscriptionId, failure: listed.error });
      continue;
    }
    for (const circuit of listed.value) {
      const id = circuit.id ? parseCircuitId(circuit.id) : null;
      if (!id) continue;
      // The region lets the data plane batch Azure Monitor reads before the circuit is read.
      targets.push({
        ...id,
        tags: circuit.tags,
        ...(circuit.location ? { location: circuit.location } : {}),
      });
    }
  }
  for (const text of scope.circuitIds) {
    const id = parseCircuitId(text);
    if (id && !targets.some((t) => sameId(t.id, id.id))) targets.push(id);
  }
  return { targets, failures };
}
