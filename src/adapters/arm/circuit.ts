// The circuit itself: one GET that carries the carrier's provisioning state,
// the peerings with their Global Reach connections, and the tags that hold
// the circuit's erwatch settings. Fields that could not be understood come
// back as failures of this read, each naming its field.

import type { CircuitTarget, ReadOptions } from "../../app/ports.js";
import type { CircuitFacts, ReadFailure, Reading } from "../../core/model.js";
import { isRecord } from "../../core/record.js";
import type { ArmContext } from "./context.js";
import { ARM_OPERATIONS, type ArmOperation } from "./operations.js";
import { lifted } from "./listing.js";
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

const liftedList = (items: unknown): unknown =>
  Array.isArray(items) ? items.map((item) => lifted(item)) : items;

/** A circuit body as ARM sent it, shaped as the SDK's model: `properties` lifted down to the Global Reach connections. */
export function circuitAsModel(raw: unknown): unknown {
  const circuit = lifted(raw);
  if (!isRecord(circuit)) return circuit;
  const { peerings, authorizations } = circuit;
  const peeringOf = (item: unknown): unknown => {
    const p = lifted(item);
    if (!isRecord(p)) return p;
    const { connections, peeredConnections } = p;
    return {
      ...p,
      connections: liftedList(connections),
      peeredConnections: liftedList(peeredConnections),
    };
  };
  return {
    ...circuit,
    peerings: Array.isArray(peerings) ? peerings.map(peeringOf) : peerings,
    authorizations: liftedList(authorizations),
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
      let sent: unknown;
      const model: unknown = await circuits
        .get(target.resourceGroup, target.name, {
          abortSignal,
          onResponse: (response) => (sent = response.parsedBody),
        })
        .catch((error: unknown) => {
          // The SDK's model code tripped on what ARM sent (a null among the
          // peerings or a peering's Global Reach connections): the whole
          // circuit went blind, its paths unread, for one odd entry. The body
          // is read as sent instead, and the parser names that entry.
          if ((error as Error)?.name !== "TypeError" || sent === undefined) throw error;
          return circuitAsModel(sent);
        });
      // The SDK's model hides what an odd peering entry was ("x" comes out as
      // `{}`): the body as sent tells the parser.
      const body = parseCircuit(model, sent === undefined ? model : lifted(sent));
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
