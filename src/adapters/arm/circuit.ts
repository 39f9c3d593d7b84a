// The circuit itself: one GET that carries the carrier's provisioning state,
// the peerings with their Global Reach connections, and the tags that hold
// the circuit's erwatch settings. Fields that could not be understood come
// back as failures of this read, each naming its field.

import type { CircuitTarget, ReadOptions } from "../../app/ports.js";
import type { CircuitFacts, ReadFailure, Reading } from "../../core/model.js";
import type { ArmContext } from "./context.js";
import { ARM_OPERATIONS, type ArmOperation } from "./operations.js";
import { parseCircuit } from "./wire/circuit-body.js";
import { sentence, type FieldProblem } from "./wire/fields.js";

export interface CircuitRead {
  facts: CircuitFacts;
  tags: Record<string, string>;
  location: string | null;
  id: string;
  name: string;
  /** Values in the body that were missing or not understood; each is null in `facts`. */
  problems: ReadFailure[];
}

/** A field that could not be understood in an otherwise good read, as the blind finding reports it. */
export function fieldFailure(
  operation: ArmOperation,
  target: string,
  problem: FieldProblem,
): ReadFailure {
  return {
    kind: "malformed",
    call: ARM_OPERATIONS[operation],
    target,
    message: `${target}: ${sentence(problem)}`,
  };
}

export function readCircuit(
  ctx: ArmContext,
  target: Pick<CircuitTarget, "subscriptionId" | "resourceGroup" | "name">,
  options: Pick<ReadOptions, "abortSignal" | "onRead">,
): Promise<Reading<CircuitRead>> {
  const circuits = ctx.clients.for(target.subscriptionId).expressRouteCircuits;
  const what = `circuit ${target.name}`;
  return ctx.call({
    operation: "getCircuit",
    target: what,
    signal: options.abortSignal,
    onRead: options.onRead,
    run: async (abortSignal) => {
      const body = parseCircuit(
        await circuits.get(target.resourceGroup, target.name, { abortSignal }),
      );
      return {
        facts: body.facts,
        tags: body.tags,
        location: body.location,
        id: body.id,
        name: body.name ?? target.name,
        problems: body.problems.map((p) => fieldFailure("getCircuit", what, p)),
      };
    },
  });
}
