// The Azure Resource Graph query that finds every ExpressRoute connection in
// the watched subscriptions, wherever it lives: VNet gateway connections
// (Microsoft.Network/connections of type ExpressRoute, peer = the circuit) and
// vWAN ExpressRoute connections (inside ExpressRoute gateways, pointing at one
// of the circuit's peerings). One query per sweep; each circuit picks its own
// rows. Resource Graph does not carry connectionStatus for every connection:
// a row without it says "GET me" (status null here), and so does a VNet
// connection's row without its gateway.

import { z } from "zod";
import type { GatewayConnectionFacts } from "../../../core/model.js";
import { isRecord } from "../../../core/record.js";
import { sameId } from "../../../core/resource-id.js";
import { MalformedResponseError, parseLenient, sentence, text } from "./fields.js";

/** KQL over `Resources`; the columns are the rows' shape below. */
export const WIRING_QUERY = [
  "Resources",
  "| where type =~ 'microsoft.network/connections' and properties.connectionType =~ 'ExpressRoute'",
  "| project kind = 'vnet-gateway', id, name, peer = tostring(properties.peer.id), status = tostring(properties.connectionStatus), gateway = tostring(properties.virtualNetworkGateway1.id), region = ''",
  "| union (Resources",
  "  | where type =~ 'microsoft.network/expressroutegateways'",
  // mv-expand makes one row of null for a null list and none for an empty
  // one: gateways with nothing connected are left out before it, so a row
  // of nothing after it is a null among a gateway's connections.
  "  | where array_length(properties.expressRouteConnections) > 0",
  "  | mv-expand c = properties.expressRouteConnections",
  "  | project kind = 'vwan', id = tostring(c.id), name = tostring(c.name), peer = tostring(c.properties.expressRouteCircuitPeering.id), status = tostring(c.properties.provisioningState), gateway = '', region = tostring(location))",
  "| order by id asc",
].join("\n");

/** A row of the query: one connection, with what it points at. */
export interface WiringRow {
  kind: "vnet-gateway" | "vwan";
  id: string;
  name: string;
  /** The circuit id (VNet gateway connection) or circuit peering id (vWAN). */
  peer: string;
  /** As Resource Graph has it; null when it does not (KQL's tostring of nothing is ""). */
  status: string | null;
  /**
   * The VNet gateway a connection attaches (null for vWAN, whose id lies under
   * its gateway's, or when not given): a connection replaced on the same
   * gateway is then known to be replaced, not lost. KQL's tostring of a
   * gateway left out, null or with a null id is "": blank is null, whatever
   * ARM holds, and the connection's GET tells which.
   */
  gateway: string | null;
  /** The region of a vWAN connection's ExpressRoute gateway (null for a VNet connection, or when not given). */
  region: string | null;
}

const row = z.object({
  kind: text(),
  id: text(),
  name: text(),
  peer: text(),
  status: text(),
  gateway: text(),
  region: text(),
});

/** One page's `data` (objectArray format) → rows. A row whose owner cannot be read fails the page. */
export function parseWiringRows(data: unknown): WiringRow[] {
  if (!Array.isArray(data)) throw new MalformedResponseError("data is not a list of rows");
  return data.flatMap((item, i) => {
    // A null among a gateway's connections (the query leaves out gateways with
    // none): it might be any circuit's, and dropped, that circuit would read
    // "not connected" and page. The page fails, as the ARM listing does for it.
    if (isRecord(item) && item.kind === "vwan" && !item.id && !item.peer)
      throw new MalformedResponseError(
        `data[${i}] is a vWAN connection with neither id nor peering (a null in its gateway's list)`,
      );
    const { value, problems } = parseLenient(row, item);
    const first = problems[0];
    if (first) throw new MalformedResponseError(`data[${i}].${sentence(first)}`);
    if (value.kind !== "vnet-gateway" && value.kind !== "vwan")
      throw new MalformedResponseError(
        `data[${i}].kind is not a connection kind erwatch asked for`,
      );
    if (!value.id || !value.peer)
      throw new MalformedResponseError(`data[${i}].${value.id ? "peer" : "id"} is missing`);
    return [
      {
        kind: value.kind,
        id: value.id,
        name: value.name || (value.id.split("/").pop() ?? ""),
        peer: value.peer,
        status: value.status ? value.status : null,
        gateway: value.gateway?.trim() ? value.gateway : null,
        region: value.region ? value.region : null,
      },
    ];
  });
}

/**
 * One row per connection. A connection repeated (Resource Graph pages are
 * not a snapshot: one may come on two) read "2 connected" for one; two
 * statuses for it say neither, so it is read as one without (a GET, for a
 * VNet connection).
 */
export function oncePerConnection(rows: readonly WiringRow[]): WiringRow[] {
  const byId = new Map<string, WiringRow>();
  for (const r of rows) {
    const key = r.id.toLowerCase();
    const held = byId.get(key);
    if (!held) byId.set(key, r);
    else if ((held.status ?? "").toLowerCase() !== (r.status ?? "").toLowerCase())
      byId.set(key, { ...held, status: null });
  }
  return [...byId.values()];
}

/** The rows that wire this circuit: connections whose peer is it, or one of its peerings. */
export function wiringOf(
  all: WiringRow[],
  circuitId: string,
): { vnet: WiringRow[]; vwan: GatewayConnectionFacts[] } {
  const rows = oncePerConnection(all);
  const prefix = `${circuitId}/peerings/`.toLowerCase();
  const vnet = rows.filter((r) => r.kind === "vnet-gateway" && sameId(r.peer, circuitId));
  const vwan = rows
    .filter((r) => r.kind === "vwan" && r.peer.toLowerCase().startsWith(prefix))
    .map((r): GatewayConnectionFacts => ({
      id: r.id,
      name: r.name,
      kind: "vwan",
      peering: r.peer.slice(prefix.length),
      status: canonicalProvisioning(r.status),
      ...(r.region ? { hubRegion: r.region } : {}),
    }));
  return { vnet, vwan };
}

/** "Provisioned" is what the REST spec's own examples of a vWAN ExpressRoute connection carry. */
const PROVISIONING = ["Succeeded", "Provisioned", "Updating", "Deleting", "Failed"];
const CONNECTION = ["Unknown", "Connecting", "Connected", "NotConnected"];

/** A state outside the documented list is not understood: null (UNKNOWN), as on the ARM reads. */
function canonical(values: string[], value: string | null): string | null {
  if (value === null) return null;
  return values.find((v) => v.toLowerCase() === value.trim().toLowerCase()) ?? null;
}
export const canonicalProvisioning = (value: string | null) => canonical(PROVISIONING, value);
export const canonicalConnectionStatus = (value: string | null) => canonical(CONNECTION, value);

/** /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Network/connections/<name> → its parts. */
export function connectionParts(
  id: string,
): { subscriptionId: string; resourceGroup: string; name: string } | null {
  const m =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/connections\/([^/]+)$/i.exec(
      id,
    );
  return m ? { subscriptionId: m[1]!, resourceGroup: m[2]!, name: m[3]! } : null;
}
