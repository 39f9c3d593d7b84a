// The circuit GET (and each item of the circuit listing) → domain facts. Parsed
// field by field: a value that cannot be understood, or a fact a verdict needs
// that ARM left out, is null (its layer UNKNOWN) and reported as a problem
// naming the field, while everything else in the body is still used.

import { z } from "zod";
import type {
  CircuitFacts,
  GlobalReachConnection,
  PeeringFacts,
  UnreadPeeringKind,
} from "../../../core/model.js";
import { isRecord } from "../../../core/record.js";
import { sameName } from "../../../core/names.js";
import { MAX_BITS_PER_SECOND } from "../../../core/dataplane/points.js";
import {
  list,
  MalformedResponseError,
  number,
  obj,
  decidingEnum,
  describe,
  openEnum,
  parseLenient,
  tags,
  text,
  type FieldProblem,
} from "./fields.js";

// The documented values of ARM's open-string enums, in their canonical spelling.
const PROVIDER_STATES = [
  "NotProvisioned",
  "Provisioning",
  "Provisioned",
  "Deprovisioning",
  "DeProvisioned",
];
const PEERING_STATES = ["Enabled", "Disabled"];
/** The Azure side of the circuit: decides `circuit-not-enabled`. */
const CIRCUIT_STATES = ["Enabled", "Disabled"];
const PEERING_TYPES = ["AzurePrivatePeering", "MicrosoftPeering", "AzurePublicPeering"];
const PREFIX_STATES = ["NotConfigured", "Configuring", "Configured", "ValidationNeeded"];
const REACH_STATES = ["Connected", "Connecting", "Disconnected"];
const SKU_TIERS = ["Standard", "Premium", "Basic", "Local", "MultiCloud"];
const SKU_FAMILIES = ["UnlimitedData", "MeteredData"];
/** An authorization InUse was redeemed by a connection, perhaps in a subscription erwatch does not watch. */
const AUTHORIZATION_USE = ["Available", "InUse"];

// Ranges outside which a number is no value of its field: read as one, a VLAN
// 0 or AS 0 would be config drift nobody made, and a bandwidth of 0 would
// leave saturation unjudged while the capacity row read healthy. So would one
// no port carries (1e308 Mbps: "in 0% · out 0% of Infinity Gbps", never
// saturated): the ceiling is the most bits/s Azure Monitor's figures are read
// as (ten times the fastest ExpressRoute port).
const asn = () =>
  number({ integer: true, min: 1, max: 4_294_967_295, what: "an AS number (1–4294967295)" });
const vlan = () => number({ integer: true, min: 1, max: 4094, what: "a VLAN id (1–4094)" });
const bandwidth = (bitsPerUnit: number) =>
  number({ positive: true, max: MAX_BITS_PER_SECOND / bitsPerUnit, what: "a bandwidth" });

const reference = obj({ id: text() });

const globalReach = obj({
  name: text(),
  connectionName: text(),
  peerExpressRouteCircuitPeering: reference,
  circuitConnectionStatus: decidingEnum(REACH_STATES),
  // Only outbound connections carry it (the SDK's model of an inbound one has no IPv6).
  ipv6CircuitConnectionConfig: obj({
    addressPrefix: text(),
    circuitConnectionStatus: decidingEnum(REACH_STATES),
  }),
});

const peering = obj({
  name: text(),
  peeringType: openEnum(PEERING_TYPES),
  state: decidingEnum(PEERING_STATES),
  // Azure's own AS: ARM has been seen sending 0 while a peering is still being
  // provisioned, and erwatch judges nothing on it, so 0 is "not yet", not a fault.
  azureASN: number({ integer: true, min: 0, max: 4_294_967_295 }),
  peerASN: asn(),
  primaryPeerAddressPrefix: text(),
  secondaryPeerAddressPrefix: text(),
  vlanId: vlan(),
  microsoftPeeringConfig: obj({
    advertisedPublicPrefixes: list(text()),
    advertisedPublicPrefixesState: decidingEnum(PREFIX_STATES),
  }),
  ipv6PeeringConfig: obj({
    state: decidingEnum(PEERING_STATES),
    microsoftPeeringConfig: obj({
      advertisedPublicPrefixes: list(text()),
      advertisedPublicPrefixesState: decidingEnum(PREFIX_STATES),
    }),
  }),
  connections: list(globalReach),
  peeredConnections: list(globalReach),
});

const circuitSchema = z.object({
  id: text(),
  name: text(),
  location: text(),
  tags: tags(),
  circuitProvisioningState: decidingEnum(CIRCUIT_STATES),
  serviceProviderProvisioningState: decidingEnum(PROVIDER_STATES),
  serviceKey: text(),
  sku: obj({ name: text(), tier: openEnum(SKU_TIERS), family: openEnum(SKU_FAMILIES) }),
  serviceProviderProperties: obj({
    serviceProviderName: text(),
    peeringLocation: text(),
    bandwidthInMbps: bandwidth(1e6),
  }),
  /** ExpressRoute Direct: the circuit rides your own port, with no provider properties. */
  bandwidthInGbps: bandwidth(1e9),
  expressRoutePort: obj({ id: text() }),
  peerings: list(peering),
  // The SDK flattens each authorization's properties; its key is left unread.
  authorizations: list(obj({ name: text(), authorizationUseStatus: openEnum(AUTHORIZATION_USE) })),
});

/**
 * The tier spelled in `sku.name` (`Premium_MeteredData`: tier, then family),
 * for a body that leaves `sku.tier` out: without it the route limit would be
 * Standard's by default, 4,000 routes where Premium has 10,000.
 */
function tierFromSkuName(name: string | null | undefined): string | null {
  const tier = name?.split("_")[0]?.trim() ?? "";
  if (tier === "") return null;
  return SKU_TIERS.find((known) => known.toLowerCase() === tier.toLowerCase()) ?? tier;
}

type WirePeering = NonNullable<z.output<typeof peering>>;
type WireReach = z.output<typeof globalReach>;

export interface CircuitBody {
  id: string;
  name: string | null;
  location: string | null;
  tags: Record<string, string>;
  facts: CircuitFacts;
  problems: FieldProblem[];
}

/** An IPv6 configuration with neither a prefix nor a status configures nothing. */
const ipv6Of = (c: WireReach): GlobalReachConnection["ipv6"] => {
  const v6 = c?.ipv6CircuitConnectionConfig;
  if (!v6 || (v6.addressPrefix === null && v6.circuitConnectionStatus === null)) return undefined;
  return { status: v6.circuitConnectionStatus };
};

function reachOf(
  c: WireReach,
  direction: GlobalReachConnection["direction"],
): GlobalReachConnection {
  const ipv6 = ipv6Of(c);
  return {
    name: c?.connectionName ?? c?.name ?? "unnamed",
    peerCircuitPeeringId: c?.peerExpressRouteCircuitPeering?.id ?? "",
    status: c?.circuitConnectionStatus ?? null,
    direction,
    ...(ipv6 ? { ipv6 } : {}),
  };
}

/**
 * One entry per connection. Listed twice, a connection was said twice in the
 * row and the finding ("gr-to-dr Disconnected, gr-to-dr Disconnected"), and
 * its peer circuit's throughput went unjudged, the circuit no longer having a
 * sole connection. The same entry again is dropped; one whose status says
 * otherwise leaves its status unknown (either could be the truth), named.
 * Inbound connections from two circuits may share a name: the peer tells them apart.
 */
function distinctReach(
  all: GlobalReachConnection[],
  contradicted: (index: number, name: string) => void,
): GlobalReachConnection[] {
  const out: GlobalReachConnection[] = [];
  const key = (g: GlobalReachConnection) =>
    `${g.name.toLowerCase()}|${g.peerCircuitPeeringId.replace(/\/+$/, "").toLowerCase()}`;
  all.forEach((g, i) => {
    const at = out.findIndex((x) => key(x) === key(g));
    if (at < 0) return void out.push(g);
    const first = out[at]!;
    if (first.status === g.status && first.ipv6?.status === g.ipv6?.status) return;
    contradicted(i, g.name);
    const v6 = first.ipv6?.status === g.ipv6?.status ? first.ipv6?.status : null;
    out[at] = {
      ...first,
      status: first.status === g.status ? first.status : null,
      ...(first.ipv6 || g.ipv6 ? { ipv6: { status: v6 ?? null } } : {}),
    };
  });
  return out;
}

/**
 * A list in an entry as ARM sent it (under `properties`, or lifted as the
 * SDK's model has it) when it is as long as the model's list, else the
 * model's own.
 */
function sentList(entry: unknown, key: string, model: readonly unknown[]): readonly unknown[] {
  if (!isRecord(entry)) return model;
  const inner = isRecord(entry.properties) ? entry.properties[key] : entry[key];
  return Array.isArray(inner) && inner.length === model.length ? inner : model;
}

/** A peering, or null when it cannot even be told apart from the others. `sent`: the peering as ARM sent it. */
function peeringOf(
  p: WirePeering,
  sent: unknown,
  at: string,
  missing: (field: string) => void,
  odd: (field: string, problem: string) => void,
  unreadable: (field: string) => boolean,
): PeeringFacts | null {
  // An empty name is no name: the type still tells the peering apart.
  const name = p.name || p.peeringType;
  // Named by peeringsOf with the others not read.
  if (!name) return null;
  if (p.state === null) missing(`${at}.state`);
  // Without a type, the name says it (a peering's name is its type), spelt as
  // the type would be: "azureprivatepeering" is AzurePrivatePeering.
  const type = p.peeringType || (PEERING_TYPES.find((t) => sameName(t, name.trim())) ?? name);
  const microsoft = sameName(type, "MicrosoftPeering");
  const prefixesState = p.microsoftPeeringConfig?.advertisedPublicPrefixesState ?? null;
  if (microsoft && prefixesState === null)
    missing(`${at}.microsoftPeeringConfig.advertisedPublicPrefixesState`);
  const reach = (key: "connections" | "peeredConnections", direction: "outbound" | "inbound") => {
    const wire = p[key] ?? [];
    const asSent = sentList(sent, key, wire);
    return distinctReach(
      wire.map((c, i) => {
        // An entry that is no connection is named once, as what ARM sent (the
        // SDK makes `{}` of "x"): "its status is missing" sent the reader
        // looking for a connection's status. Its status stays unknown.
        const kind = kindOf(asSent[i]);
        if (kind !== "object") {
          odd(`${at}.${key}[${i}]`, entryProblem(kind, asSent[i]));
          return reachOf(null, direction);
        }
        if ((c?.circuitConnectionStatus ?? null) === null)
          missing(`${at}.${key}[${i}].circuitConnectionStatus`);
        const reach = reachOf(c, direction);
        if (reach.ipv6?.status === null)
          missing(`${at}.${key}[${i}].ipv6CircuitConnectionConfig.circuitConnectionStatus`);
        return reach;
      }),
      (i, name) =>
        odd(
          `${at}.${key}[${i}]`,
          `lists Global Reach connection ${name} again with another status`,
        ),
    );
  };
  const outbound = reach("connections", "outbound");
  const inbound = reach("peeredConnections", "inbound");
  const v6 = p.ipv6PeeringConfig;
  // IPv6 prefixes are validated apart: left out beside IPv6 enabled, the row
  // read "public prefixes validated" and nothing said IPv6 was not judged.
  if (
    microsoft &&
    v6 &&
    v6.state !== "Disabled" &&
    (v6.microsoftPeeringConfig?.advertisedPublicPrefixesState ?? null) === null
  )
    missing(`${at}.ipv6PeeringConfig.microsoftPeeringConfig.advertisedPublicPrefixesState`);
  const ipv6 = v6
    ? {
        ipv6: {
          state: v6.state,
          advertisedPublicPrefixesState:
            v6.microsoftPeeringConfig?.advertisedPublicPrefixesState ?? null,
          advertisedPublicPrefixes: (
            v6.microsoftPeeringConfig?.advertisedPublicPrefixes ?? []
          ).filter((x): x is string => x !== null),
        },
      }
    : {};
  return {
    name,
    peeringType: type,
    state: p.state,
    azureASN: p.azureASN,
    peerASN: p.peerASN,
    primaryPeerAddressPrefix: p.primaryPeerAddressPrefix,
    secondaryPeerAddressPrefix: p.secondaryPeerAddressPrefix,
    vlanId: p.vlanId,
    advertisedPublicPrefixesState: prefixesState,
    advertisedPublicPrefixes: (p.microsoftPeeringConfig?.advertisedPublicPrefixes ?? []).filter(
      (x): x is string => x !== null,
    ),
    globalReach: [...outbound, ...inbound],
    // A list sent as something else (an object, a string) is not "no connections".
    ...(unreadable(`${at}.connections`) || unreadable(`${at}.peeredConnections`)
      ? { globalReachUnread: true }
      : {}),
    ...ipv6,
  };
}

/**
 * What an entry of a list (peerings, Global Reach connections,
 * authorizations) was as ARM sent it, or "object" for one that may be what
 * the list holds. The SDK makes an object of any entry ("x", 7 and a list all
 * come out as `{}`), so this reads the body as sent when there is one.
 */
function kindOf(entry: unknown): UnreadPeeringKind | "object" {
  if (entry === null || entry === undefined) return "null";
  if (typeof entry === "string") return "text";
  if (typeof entry === "number") return "number";
  if (typeof entry === "boolean") return "boolean";
  if (Array.isArray(entry)) return "list";
  return "object";
}

/** An entry that is not what its list holds, in the words every other odd value is named in. */
function entryProblem(kind: UnreadPeeringKind, sent: unknown): string {
  if (kind === "null") return "is null";
  if (kind === "unnamed") return "is an object without a name";
  return `is ${describe(sent)}, not an object`;
}

/**
 * The peerings, or null (UNKNOWN) when the list, or any peering in it, cannot
 * be read; `unread` then counts what the list held, when it was one, and says
 * where each entry not read sits and what it was. `sent`: the list as ARM
 * sent it, beside the SDK's model of it.
 */
function peeringsOf(
  wire: (WirePeering | null | undefined)[] | null | undefined,
  sent: unknown,
  missing: (field: string) => void,
  odd: (field: string, problem: string) => void,
  unreadable: (field: string) => boolean,
): Pick<CircuitFacts, "peerings" | "peeringsUnread" | "peeringsRead"> {
  if (wire === null || wire === undefined) {
    missing("peerings");
    return { peerings: null };
  }
  const asSent: unknown[] = Array.isArray(sent) && sent.length === wire.length ? sent : wire;
  const out: PeeringFacts[] = [];
  const skipped: { at: number; kind: UnreadPeeringKind }[] = [];
  for (const [i, p] of wire.entries()) {
    // Without it, which peerings exist is unknown. Each is named once, below,
    // with the count; the parser's own word on an entry that is no object is
    // dropped (parseCircuit): "x" was named as text, then as the null the
    // parser left in its place.
    const kind = kindOf(asSent[i]);
    if (kind !== "object" || !p) {
      skipped.push({ at: i, kind: kind === "object" ? "unnamed" : kind });
      continue;
    }
    const facts = peeringOf(p, asSent[i], `peerings[${i}]`, missing, odd, unreadable);
    if (!facts) {
      skipped.push({ at: i, kind: "unnamed" });
      continue;
    }
    // Listed twice, each path would be read twice and every change counted twice
    // (one down and up, a flap). The same entry again is dropped; one that
    // says otherwise is a body that contradicts itself.
    const first = out.find((x) => sameName(x.name, facts.name));
    if (!first) out.push(facts);
    else if (JSON.stringify(first) !== JSON.stringify({ ...facts, name: first.name }))
      odd(
        `peerings[${i}]`,
        `lists peering ${facts.name} again with other values; the first is used`,
      );
  }
  if (skipped.length === 0) return { peerings: out };
  // An entry not read is a peering the circuit has that cannot be read, not
  // one that is missing: "is missing" sent the reader looking for a peering
  // to create, and the count of peerings listed was lost with the list.
  const count =
    wire.length === 1
      ? "the one peering listed cannot be read"
      : `${skipped.length} of the ${wire.length} peerings listed cannot be read`;
  for (const { at, kind } of skipped)
    odd(`peerings[${at}]`, `${entryProblem(kind, asSent[at])}: ${count}`);
  return {
    peerings: null,
    peeringsUnread: {
      listed: wire.length,
      unreadable: skipped.length,
      entries: skipped.map((x) => x.at),
      kinds: skipped.map((x) => x.kind),
    },
    ...(out.length > 0 ? { peeringsRead: out } : {}),
  };
}

/**
 * The authorizations as far as they can be read: a null list, or a null
 * among them, only means none is known to be in use (the wiring is then
 * judged on the connections found, as before they were read). Any other
 * entry that is no object is named once, as what ARM sent (the SDK makes
 * `{}` of "x", and nothing was said), and left out as a null is.
 */
function authorizationsOf(
  wire: z.output<typeof circuitSchema>["authorizations"],
  sent: unknown,
  odd: (field: string, problem: string) => void,
) {
  const all = wire ?? [];
  const asSent = Array.isArray(sent) && sent.length === all.length ? sent : all;
  return all.flatMap((a, i) => {
    const kind = kindOf(asSent[i]);
    if (kind !== "object" && kind !== "null")
      odd(`authorizations[${i}]`, entryProblem(kind, asSent[i]));
    return a && kind === "object"
      ? [{ name: a.name ?? "(unnamed)", useStatus: a.authorizationUseStatus }]
      : [];
  });
}

/**
 * An entry that is no object, in a list whose entries this parser names
 * itself as what ARM sent; the schema's own word on it would name it twice.
 */
const ENTRY =
  /^(peerings\[\d+\](\.(connections|peeredConnections)\[\d+\])?|authorizations\[\d+\])$/;

/**
 * `sent`: the body as ARM sent it (`properties` lifted), when `body` is the
 * SDK's model of it; what a peering entry that is no peering was is read
 * there.
 */
export function parseCircuit(body: unknown, sent: unknown = body): CircuitBody {
  const { value: c, problems: all } = parseLenient(circuitSchema, body);
  if (!c.id) throw new MalformedResponseError("id is missing: the response is not a circuit");
  const seen = new Set(all.map((p) => p.field));
  const problems = all.filter((p) => !ENTRY.test(p.field));
  const missing = (field: string) => {
    if (!seen.has(field)) problems.push({ field, problem: "is missing" });
    seen.add(field);
  };
  const providerState = c.serviceProviderProvisioningState;
  if (providerState === null) missing("serviceProviderProvisioningState");
  if (c.circuitProvisioningState === null) missing("circuitProvisioningState");
  const facts: CircuitFacts = {
    circuitProvisioningState: c.circuitProvisioningState,
    serviceProviderProvisioningState: providerState,
    skuTier: c.sku?.tier ?? tierFromSkuName(c.sku?.name),
    skuFamily: c.sku?.family ?? null,
    // A provider circuit gives Mbps; an ExpressRoute Direct circuit only Gbps (its larger links
    // would otherwise have no bandwidth, and so never a saturation finding).
    bandwidthInMbps:
      c.serviceProviderProperties?.bandwidthInMbps ??
      (c.bandwidthInGbps === null ? null : c.bandwidthInGbps * 1000),
    serviceKey: c.serviceKey,
    serviceProviderName: c.serviceProviderProperties?.serviceProviderName ?? null,
    peeringLocation: c.serviceProviderProperties?.peeringLocation ?? null,
    expressRoutePortId: c.expressRoutePort?.id ?? null,
    ...peeringsOf(
      c.peerings,
      isRecord(sent) ? sent.peerings : undefined,
      missing,
      (field, problem) => problems.push({ field, problem }),
      (field) => seen.has(field),
    ),
    authorizations: authorizationsOf(
      c.authorizations,
      isRecord(sent) ? sent.authorizations : undefined,
      (field, problem) => problems.push({ field, problem }),
    ),
  };
  // A peering not read is named once, as an entry: what the schema said of
  // its fields (its state, its VLAN) was a second word on the same entry.
  const notRead = (facts.peeringsUnread?.entries ?? []).map((i) => `peerings[${i}].`);
  return {
    id: c.id,
    name: c.name,
    location: c.location,
    tags: c.tags ?? {},
    facts,
    problems: problems.filter((p) => !notRead.some((at) => p.field.startsWith(at))),
  };
}

const listedCircuit = z.object({ id: text(), location: text(), tags: tags() });

/** A circuit from the subscription listing: only what discovery needs, each field on its own. */
export function parseListedCircuit(body: unknown): {
  id: string | null;
  location: string | null;
  tags: Record<string, string>;
} {
  const { value } = parseLenient(listedCircuit, body);
  return { id: value.id, location: value.location, tags: value.tags ?? {} };
}
