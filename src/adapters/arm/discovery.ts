// The cheap tier, and which circuits there are: every circuit listed in the
// watched subscriptions, with its whole body (provider state, peerings and
// their states, Global Reach, tags) parsed as a GET would be, so a deep read
// needs no GET per circuit; plus circuits named by id, one GET each. A
// subscription that cannot be listed is reported, not fatal: the others still
// sweep.

import type {
  CircuitTarget,
  DiscoveryFailure,
  ListedCircuit,
  UnwatchableCircuit,
} from "../../app/ports.js";
import { truncate } from "../../core/text.js";
import { parseCircuitId, sameId, uniqueIds } from "../../core/resource-id.js";
import { fieldFailure, readCircuit } from "./circuit.js";
import type { ArmContext } from "./context.js";
import { lifted, listing } from "./listing.js";
import { parseCircuit } from "./wire/circuit-body.js";

/** One item of a listing, as the deep read will use it; why not, when it cannot be watched. */
function listedOf(
  item: unknown,
  readAt: string,
  sent: unknown,
): ListedCircuit | { unwatchable: string; id: string | null } {
  let body: ReturnType<typeof parseCircuit>;
  try {
    body = parseCircuit(item, sent === undefined ? item : lifted(sent));
  } catch {
    return { unwatchable: "it has no id", id: null };
  }
  const id = parseCircuitId(body.id);
  if (!id)
    return {
      unwatchable: "its id is not an ExpressRoute circuit's resource id as erwatch reads one",
      id: body.id,
    };
  const name = body.name ?? id.name;
  const what = `circuit ${name}`;
  return {
    id: body.id,
    name,
    location: body.location,
    tags: body.tags,
    facts: body.facts,
    problems: body.problems.map((p) => fieldFailure("listCircuits", what, p)),
    readAt,
  };
}

/** The region lets the data plane batch Azure Monitor reads before the circuit is read. */
function targetOf(
  id: Omit<CircuitTarget, "tags" | "listed" | "location">,
  listed: ListedCircuit,
): CircuitTarget {
  return {
    ...id,
    tags: listed.tags,
    listed,
    ...(listed.location ? { location: listed.location } : {}),
  };
}

export async function discoverCircuits(
  ctx: ArmContext,
  scope: { subscriptions: string[]; circuitIds: string[] },
  options: { abortSignal: AbortSignal },
): Promise<{
  targets: CircuitTarget[];
  failures: DiscoveryFailure[];
  unwatchable: UnwatchableCircuit[];
}> {
  const targets: CircuitTarget[] = [];
  const failures: DiscoveryFailure[] = [];
  // Said, every sweep: skipped without a word, such a circuit was never watched.
  const unwatchable: UnwatchableCircuit[] = [];
  /** Circuits listed on a page the SDK could not take. */
  const untaken: string[] = [];
  // Listed once each, however the scope spelled them: a circuit read twice is paged twice.
  for (const subscriptionId of uniqueIds(scope.subscriptions)) {
    const circuits = ctx.clients.for(subscriptionId).expressRouteCircuits;
    const listed = await ctx.call({
      operation: "listCircuits",
      target: `circuits in subscription ${subscriptionId}`,
      signal: options.abortSignal,
      run: (abortSignal) => listing(() => circuits.listAll({ abortSignal }), { keepSent: true }),
    });
    if (!listed.ok) {
      failures.push({ subscriptionId, failure: listed.error });
      continue;
    }
    for (const [i, item] of listed.value.items.entries()) {
      const circuit = listedOf(item, listed.readAt, listed.value.sent?.[i]);
      if ("unwatchable" in circuit) {
        unwatchable.push({
          subscriptionId,
          id: circuit.id === null ? null : truncate(circuit.id, 300),
          why: circuit.unwatchable,
        });
        continue;
      }
      targets.push(targetOf(parseCircuitId(circuit.id)!, circuit));
    }
    // On a page the SDK could not take: each circuit read by its own GET, as a
    // circuit named by id is (below), so only the odd one fails.
    for (const item of listed.value.untaken) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === "string" && parseCircuitId(id)) untaken.push(id);
      else
        unwatchable.push({
          subscriptionId,
          id: typeof id === "string" ? truncate(id, 300) : null,
          why:
            typeof id === "string"
              ? "its id is not an ExpressRoute circuit's resource id as erwatch reads one"
              : "it has no id",
        });
    }
  }
  const named = [...untaken, ...scope.circuitIds]
    .map((text) => parseCircuitId(text))
    .filter((id): id is NonNullable<typeof id> => id !== null)
    .filter((id, i, all) => all.findIndex((o) => sameId(o.id, id.id)) === i)
    .filter((id) => !targets.some((t) => sameId(t.id, id.id)));
  // A circuit named by id has no listing: its GET is its cheap reading. One
  // that fails is still a target; its deep read says why.
  const got = await Promise.all(
    named.map((target) => readCircuit(ctx, target, { abortSignal: options.abortSignal })),
  );
  named.forEach((target, i) => {
    const read = got[i]!;
    targets.push(read.ok ? targetOf(target, { ...read.value, readAt: read.readAt }) : target);
  });
  return { targets, failures, unwatchable };
}
