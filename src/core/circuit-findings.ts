// Findings that belong to the circuit or a whole peering rather than a path:
// the carrier's provisioning state, expected peerings and Global Reach (the
// gateway wiring's are in gateway-findings.ts).

import type {
  CircuitFacts,
  CircuitRef,
  CircuitSettings,
  Finding,
  GlobalReachConnection,
  Owner,
  PeeringFacts,
  Severity,
  UnreadPeeringKind,
} from "./model.js";
import { PATHS, readablePeerings } from "./model.js";
import { sameName } from "./names.js";
import { peerDetail, peerOf, type ReachPeer } from "./reach-peers.js";
import { buildCarrierTicket } from "./ticket.js";
import { reachStatusText, type GlobalReachAssessment } from "./wiring.js";
import { connectingWords, type Connecting } from "./reach-memory.js";

/**
 * The circuit's peerings as evidence. A list read in part gives the peerings
 * read and the entries that were not (by their place in the list, as the
 * monitoring-blind names them): a bare null hid that the private peering was
 * read and Enabled beside one null. null only when ARM left the list out.
 */
function peeringEvidence(circuit: CircuitFacts): Record<string, unknown> {
  if (circuit.peerings !== null) return { peerings: circuit.peerings.map((p) => p.name) };
  const unread = circuit.peeringsUnread;
  if (!unread) return { peerings: null };
  return {
    peerings: readablePeerings(circuit).map((p) => p.name),
    peeringsListed: unread.listed,
    peeringsUnreadable: unread.unreadable,
    ...(unread.entries ? { peeringsNotRead: notRead(unread.entries, unread.kinds) } : {}),
  };
}

const KIND_WORDS: Readonly<Record<UnreadPeeringKind, string>> = {
  null: "null",
  text: "text",
  number: "a number",
  boolean: "a boolean",
  list: "a list",
  unnamed: "an object without a name",
};

/** "peerings[1] is text"; only the place when the reading kept no kinds (planned by the erwatch before). */
function notRead(entries: readonly number[], kinds: readonly UnreadPeeringKind[] = []): string[] {
  return entries.map((i, n) => {
    const kind = kinds[n];
    return kind === undefined ? `peerings[${i}]` : `peerings[${i}] is ${KIND_WORDS[kind]}`;
  });
}

export function providerFinding(
  ref: CircuitRef,
  circuit: CircuitFacts,
  wasProvisioned: boolean,
  readAt: string,
): Finding {
  const state = circuit.serviceProviderProvisioningState ?? "unknown";
  const provider = circuit.serviceProviderName ?? "the connectivity provider";
  // Peerings can only be created once the carrier has provisioned the circuit,
  // so their presence is proof it was lit before, even without history; so is
  // Deprovisioning, the carrier taking down what it provisioned.
  // A peering listed that could not be read is one the circuit has all the same.
  const listed = circuit.peerings?.length ?? circuit.peeringsUnread?.listed ?? 0;
  const lost = wasProvisioned || listed > 0 || sameName(state, "Deprovisioning");
  // NotProvisioned is both a circuit never lit and one whose de-provisioning
  // finished: with its peerings unread and no sweep that saw it Provisioned,
  // which is not known. It is not called an outage (Sev0) on what was not
  // read, nor a circuit awaiting provisioning, which sent the on-call to
  // complete a provisioning when it may be a live circuit lost.
  const unsure = !lost && circuit.peerings === null && !sameName(state, "Provisioning");
  const title = lost
    ? `Carrier de-provisioned the circuit: service provider state ${state}; both paths of every peering are down`
    : unsure
      ? `Circuit not provisioned by its carrier: service provider state ${state}; whether it carried traffic before is unknown (its peerings could not be read, and no earlier sweep saw it Provisioned)`
      : `Circuit awaits carrier provisioning: service provider state ${state}`;
  return {
    code: "provider-not-provisioned",
    layer: "provider",
    owner: "carrier",
    severity: lost ? "Sev0" : "Sev3",
    peering: null,
    paths: [...PATHS],
    title,
    evidence: {
      serviceProviderProvisioningState: state,
      circuitProvisioningState: circuit.circuitProvisioningState,
      ...peeringEvidence(circuit),
      wasProvisioned: lost,
    },
    nextAction: lost
      ? `Open a ticket with ${provider} now (service key ${circuit.serviceKey ?? "?"}): their side reads ${state}. Nothing on your routers or gateways can bring the circuit up.`
      : unsure
        ? `If this circuit carried traffic, every peering on it is down: open a ticket with ${provider} now (service key ${circuit.serviceKey ?? "?"}). If it is new, send them the service key to complete provisioning. erwatch raises this to Sev0 once it reads peerings on the circuit.`
        : `Send the service key ${circuit.serviceKey ?? "?"} to ${provider} to complete provisioning.`,
    ticket: buildCarrierTicket({
      ref,
      circuit,
      peering: null,
      affected: [...PATHS],
      problem: title,
      analyses: [],
      readAt,
    }),
  };
}

/**
 * The Azure side of the circuit (`circuitProvisioningState`) is not Enabled:
 * the resource itself, yours, not the carrier's provisioning. Sev1: Microsoft's
 * edge may stop carrying every peering; paths that already stopped page on
 * their own (Sev0) and are not held by this.
 */
export function circuitStateFinding(circuit: CircuitFacts): Finding | null {
  const state = circuit.circuitProvisioningState;
  if (state === null || state === "Enabled") return null;
  const carrier = circuit.serviceProviderProvisioningState ?? "unknown";
  return {
    code: "circuit-not-enabled",
    layer: "provider",
    owner: "you",
    severity: "Sev1",
    peering: null,
    paths: [...PATHS],
    title: `The Azure side of the circuit is ${state} (circuitProvisioningState), not Enabled; the carrier's side reads ${carrier}`,
    evidence: {
      circuitProvisioningState: state,
      serviceProviderProvisioningState: circuit.serviceProviderProvisioningState,
      ...peeringEvidence(circuit),
    },
    nextAction:
      "This is the circuit resource in your subscription, not the carrier: look in its activity log for the operation that disabled it or failed, and re-enable it (re-run the last update, e.g. `az network express-route update`). No carrier ticket.",
  };
}

/** Only on a list read whole: one read in part may hold the peering among its unread entries. */
export function missingPeeringFinding(
  name: string,
  settings: CircuitSettings,
  circuit: CircuitFacts & { peerings: readonly PeeringFacts[] },
  seenBefore: boolean,
): Finding {
  const carrier = settings.connectivityModel === "provider-managed";
  return {
    code: "peering-missing",
    layer: "peering",
    owner: carrier ? "carrier" : "shared",
    severity: seenBefore ? "Sev0" : "Sev2",
    peering: name,
    paths: [...PATHS],
    title: seenBefore
      ? `${name} is gone from the circuit; it was there at an earlier sweep`
      : `${name} is expected but not configured on the circuit`,
    evidence: {
      expected: settings.expectedPeerings,
      present: circuit.peerings.map((p) => p.name),
    },
    nextAction: carrier
      ? `Provider-managed circuit: ask ${circuit.serviceProviderName ?? "the provider"} to complete the layer-3 provisioning of ${name}; a circuit refresh in the portal can populate a peering the carrier already configured.`
      : `Create ${name} with the /30 subnets, VLAN and peer ASN from your records, or remove it from the erwatch:peerings tag if it is not meant to exist.`,
  };
}

/**
 * A Disabled peering: Sev0 when it is expected or carried traffic at an
 * earlier sweep (both its paths stopped), else a Sev3 note.
 */
export function disabledPeeringFinding(
  peering: PeeringFacts,
  settings: CircuitSettings,
  expected: boolean,
  carried = false,
): Finding {
  return {
    code: "peering-disabled",
    layer: "peering",
    owner: settings.connectivityModel === "provider-managed" ? "carrier" : "shared",
    severity: expected ? "Sev0" : "Sev3",
    peering: peering.name,
    paths: [...PATHS],
    title: carried
      ? `${peering.name} is Disabled: no traffic on either path; it carried traffic at an earlier sweep`
      : `${peering.name} is Disabled: no traffic on either path`,
    evidence: { state: peering.state, vlanId: peering.vlanId, peerASN: peering.peerASN },
    nextAction: `Set ${peering.name} back to Enabled if nobody disabled it on purpose; if it is maintenance, add a silence for the circuit.`,
  };
}

/**
 * Global Reach connections that are not Connected. One whose peer circuit is
 * known to be down (`peers`: read in this sweep, or its stored snapshot,
 * dated) says so: nothing on this circuit needs recreating, it comes back
 * with the peer, and the owner is the one of the peer's broken layer (its
 * carrier, for one it de-provisioned). One whose peer erwatch did not read is
 * yours to check: Disconnected, to recreate if it was removed; Connecting
 * after it was up, a drop re-establishing (nothing to recreate); Connecting
 * since it appeared for longer than a set-up takes, stuck (reach-memory.ts).
 */
export function globalReachFinding(
  peering: PeeringFacts,
  reach: GlobalReachAssessment,
  severity: Severity,
  /** The sweep's reading of this circuit: a time on another UTC day is dated. */
  readAt: string,
  peers?: readonly ReachPeer[],
  connecting: (g: GlobalReachConnection) => Connecting | null = () => null,
): Finding | null {
  if (reach.down.length === 0) return null;
  const told = reach.down.map((g) => ({ g, peer: peerOf(peers, g), how: connecting(g) }));
  const explained = told.filter((t) => t.peer?.state === "down");
  const unexplained = told.filter((t) => t.peer?.state !== "down");
  const part = ({ g, peer, how }: (typeof told)[number]) =>
    peer?.state === "down"
      ? `${g.name} ${reachStatusText(g)} — the peer circuit ${peer.name} is down (${peerDetail(peer, readAt)})`
      : `${g.name} ${reachStatusText(g)}${how ? ` — ${connectingWords(how, readAt)}` : ""}`;
  const known = told.flatMap(({ g, peer }) => (peer ? [{ connection: g.name, ...peer }] : []));
  const circuits = [...new Set(explained.map((t) => t.peer!.name))];
  const them = circuits.length === 1 ? "it does" : "they do";
  const owner = unexplained.length > 0 ? "you" : ownerOfPeers(explained.map((t) => t.peer!));
  // The carrier's ticket is the peer's own alert: a second one from here would be a duplicate.
  const follow = `follow ${circuits.map((c) => `${c}'s`).join(" and ")} own alert${owner === "carrier" ? ", which carries the carrier ticket" : ""}`;
  const groups = (["disconnected", "dropped", "stuck"] as const)
    .map((kind) => ({
      kind,
      names: unexplained
        .filter((t) => (t.how?.kind ?? "disconnected") === kind)
        .map((t) => t.g.name),
    }))
    .filter((x) => x.names.length > 0);
  const advice = groups.map((x) => `For ${x.names.join(", ")}: ${ADVICE[x.kind]}`).join(" ");
  return {
    code: "global-reach-down",
    layer: "globalReach",
    owner,
    severity,
    peering: peering.name,
    paths: [...PATHS],
    title: `Global Reach not connected: ${told.map(part).join(explained.length > 0 ? "; " : ", ")}`,
    evidence: {
      connections: reach.all,
      ...(known.length > 0 ? { peers: known } : {}),
      ...connectingEvidence(told, readAt),
    },
    nextAction:
      explained.length === 0
        ? `Site-to-site traffic between the two on-premises networks is cut while each circuit looks healthy: ${groups.length === 1 ? ADVICE[groups[0]!.kind] : advice}`
        : unexplained.length === 0
          ? `Nothing needs recreating on this circuit: the peer circuit ${circuits.join(" and ")} ${circuits.length === 1 ? "is" : "are"} down, and Global Reach comes back when ${them}; ${follow}. Site-to-site traffic between the two on-premises networks is cut meanwhile.`
          : `${explained.map((t) => t.g.name).join(", ")} come${explained.length === 1 ? "s" : ""} back when the peer circuit ${circuits.join(" and ")} ${circuits.length === 1 ? "does" : "do"} (down; nothing to recreate for ${explained.length === 1 ? "it" : "them"}): ${follow}. ${advice}`,
  };
}

const ADVICE = {
  disconnected:
    "check the Global Reach connection on both circuits (authorization, /29 address prefix) and recreate it if it was removed.",
  dropped:
    "it was up and is re-establishing, so there is nothing to recreate: look at the peer circuit's private paths and at any change made to either circuit just before (maintenance, the /29, the authorization).",
  stuck:
    "it has never come up: check the authorization it was created with (redeemed on the peer circuit, not revoked) and its /29 (unused, overlapping neither network); remove and add it again only once both check out.",
} as const;

/** When each connection that reads Connecting began to, for the card and the status page. */
function connectingEvidence(
  told: { g: GlobalReachConnection; how: Connecting | null }[],
  readAt: string,
): { connecting?: Record<string, string> } {
  const words = told.flatMap(({ g, how }) => (how ? [[g.name, connectingWords(how, readAt)]] : []));
  return words.length > 0 ? { connecting: Object.fromEntries(words) } : {};
}

/** The one owner the peers' broken layers name, or shared when they name several. */
function ownerOfPeers(peers: readonly ReachPeer[]): Owner {
  const owners = new Set(peers.map((p) => p.owner ?? "you"));
  return owners.size === 1 ? [...owners][0]! : "shared";
}
