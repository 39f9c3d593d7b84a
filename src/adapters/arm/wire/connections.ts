// Gateway wiring bodies: the connections in a resource group (list, then a GET
// for the status only a GET carries) and the ExpressRoute gateways of virtual
// WANs. A connection whose owner cannot be read fails the read (it might be
// this circuit's, so "no connection" would be a guess), and so does a GET
// that names no gateway (left out, or its id blank); a status ARM left out is
// null (UNKNOWN) and reported.

import { z } from "zod";
import type { GatewayConnectionFacts } from "../../../core/model.js";
import { sameId } from "../../../core/resource-id.js";
import {
  describe,
  list,
  MalformedResponseError,
  obj,
  decidingEnum,
  openEnum,
  parseLenient,
  sentence,
  text,
  type FieldProblem,
} from "./fields.js";

const CONNECTION_TYPES = ["IPsec", "Vnet2Vnet", "ExpressRoute", "VPNClient"];
const CONNECTION_STATUSES = ["Unknown", "Connecting", "Connected", "NotConnected"];
/** "Provisioned" is what the REST spec's own examples of a vWAN ExpressRoute connection carry. */
const PROVISIONING_STATES = ["Succeeded", "Provisioned", "Updating", "Deleting", "Failed"];

const listedConnection = z.object({
  id: text(),
  name: text(),
  connectionType: openEnum(CONNECTION_TYPES),
  peer: obj({ id: text() }),
});

const prefixed = (at: string, problems: FieldProblem[]) =>
  problems.map((p) => ({ ...p, field: `${at}.${p.field}` }));

/** The ExpressRoute connections in a listing whose peer is the circuit: their names, for the GET. */
export function connectionsTo(items: unknown[], circuitId: string): string[] {
  const names: string[] = [];
  items.forEach((item, i) => {
    const { value: c, problems } = parseLenient(listedConnection, item);
    const peer = c.peer?.id ?? null;
    const mine = peer !== null && sameId(peer, circuitId);
    // Whose it is, or what it is, cannot be read: it may be this circuit's.
    if (problems.length > 0 && (peer === null || mine))
      throw new MalformedResponseError(sentence(prefixed(`value[${i}]`, problems)[0]!));
    if (!mine || c.connectionType !== "ExpressRoute") return;
    if (!c.name) throw new MalformedResponseError(`value[${i}].name is missing`);
    // Listed twice, it is still one connection (read "2 connected" otherwise).
    if (!names.some((n) => n.toLowerCase() === c.name!.toLowerCase())) names.push(c.name);
  });
  return names;
}

const gotConnection = z.object({
  id: text(),
  name: text(),
  connectionStatus: decidingEnum(CONNECTION_STATUSES),
  virtualNetworkGateway1: obj({ id: text() }),
});

export function parseConnection(
  body: unknown,
  listedName: string,
): { facts: GatewayConnectionFacts; problems: FieldProblem[] } {
  const { value: c, problems } = parseLenient(gotConnection, body);
  // Without its gateway the connection is not known to wire the circuit to
  // anything erwatch can follow (the gateway's VNet, its learned routes); a
  // gateway whose id is blank names none either, so it is not read as up.
  const gateway = problems.find((p) => /^virtualNetworkGateway1(\.|$)/.test(p.field));
  if (gateway) throw new MalformedResponseError(sentence(gateway));
  if (c.virtualNetworkGateway1 == null)
    throw new MalformedResponseError("virtualNetworkGateway1 is missing");
  const gatewayId = c.virtualNetworkGateway1.id;
  if (gatewayId === null || gatewayId.trim() === "")
    throw new MalformedResponseError(
      `virtualNetworkGateway1.id is ${describe(gatewayId ?? undefined)}`,
    );
  if (c.connectionStatus === null && !problems.some((p) => p.field === "connectionStatus"))
    problems.push({ field: "connectionStatus", problem: "is missing" });
  return {
    facts: {
      id: c.id ?? "",
      name: c.name ?? listedName,
      kind: "vnet-gateway",
      peering: null,
      status: c.connectionStatus,
      gatewayId,
    },
    problems,
  };
}

const OWN_FIELD = /^value\[\d+\]\.expressRouteConnections\[\d+\]\.(id|name|provisioningState)$/;

const gateways = z.object({
  value: z.array(
    obj({
      // Only whether they are there: a gateway that carries none of its
      // properties is not known to have no connections.
      provisioningState: z.unknown().optional(),
      virtualHub: z.unknown().optional(),
      expressRouteConnections: list(
        obj({
          id: text(),
          name: text(),
          expressRouteCircuitPeering: obj({ id: text() }),
          provisioningState: decidingEnum(PROVISIONING_STATES),
        }),
      ),
    }),
  ),
});

/** The vWAN ExpressRoute connections on the circuit's peerings, from one subscription's gateways. */
export function vwanConnectionsTo(
  body: unknown,
  circuitId: string,
): { facts: GatewayConnectionFacts[]; problems: FieldProblem[] } {
  // A listing without its value array would read as "no gateways": that is not known.
  if (typeof body !== "object" || body === null || !("value" in body) || !body.value)
    throw new MalformedResponseError("value is missing");
  const { value, problems } = parseLenient(gateways, body);
  // A connection's own name, id or state can be wrong without hiding whose it is; anything else can hide it.
  const unattributable = problems.find((p) => !OWN_FIELD.test(p.field));
  if (unattributable) throw new MalformedResponseError(sentence(unattributable));
  const prefix = `${circuitId}/peerings/`.toLowerCase();
  const facts: GatewayConnectionFacts[] = [];
  const mine: FieldProblem[] = [];
  const sent = (body as { value: unknown[] }).value;
  value.value.forEach((gateway, g) => {
    // A gateway, or a connection, that is null might be any circuit's: skipped,
    // the circuit would read "not connected" and page.
    if (!gateway) throw new MalformedResponseError(`value[${g}] is null`);
    // ARM's `properties: null` reaches here as a gateway with nothing but its
    // name: read as "no connections" it would page every circuit it connects.
    const bare =
      gateway.expressRouteConnections == null &&
      gateway.provisioningState == null &&
      gateway.virtualHub == null;
    if (bare) throw new MalformedResponseError(`value[${g}].properties is missing`);
    // Read apart, as a VNet gateway's is: one erwatch cannot read costs only
    // the search of that region's Network Watcher, never the wiring.
    const location = (sent[g] as { location?: unknown } | null)?.location;
    const hubRegion = typeof location === "string" && location.trim() !== "" ? location : null;
    (gateway.expressRouteConnections ?? []).forEach((c, i) => {
      const at = `value[${g}].expressRouteConnections[${i}]`;
      if (!c) throw new MalformedResponseError(`${at} is null`);
      // So might one that does not say which peering it uses.
      const peeringId = c.expressRouteCircuitPeering?.id ?? "";
      if (peeringId === "")
        throw new MalformedResponseError(
          `${at}.expressRouteCircuitPeering${c.expressRouteCircuitPeering ? ".id" : ""} is missing`,
        );
      if (!peeringId.toLowerCase().startsWith(prefix)) return;
      mine.push(...problems.filter((p) => p.field.startsWith(`${at}.`)));
      if (c.provisioningState === null && !mine.some((p) => p.field === `${at}.provisioningState`))
        mine.push({ field: `${at}.provisioningState`, problem: "is missing" });
      facts.push({
        id: c.id ?? "",
        name: c.name ?? "",
        kind: "vwan",
        peering: peeringId.slice(prefix.length),
        status: c.provisioningState,
        ...(hubRegion ? { hubRegion } : {}),
      });
    });
  });
  return { facts, problems: mine };
}
