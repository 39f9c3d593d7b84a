// Action groups and routes, in the spirit of Azure Monitor action groups and
// Alertmanager routes: named sets of receivers, and rules choosing them by
// severity, circuit, layer, owner and code. Every matching route applies;
// each receiver hears an event once however many routes name it.

import type { AlertEvent } from "./alert-event.js";
import { FAMILY_OF } from "./alert-identity.js";
import { fleetMembersOf } from "./fleet-members.js";
import { WIDER } from "./lifecycle.js";
import type { AlertAction, AlertFamily, FindingCode, Layer, Owner, Severity } from "./model.js";
import { isAtOrAbove, severityRank } from "./severity.js";

export interface RouteMatch {
  /** Sev0 is the most severe: "Sev1" matches Sev0 and Sev1. */
  severityAtOrAbove?: Severity;
  /** "Sev2" matches Sev2, Sev3 and Sev4. */
  severityAtOrBelow?: Severity;
  /** Circuit names or resource ids. */
  circuits?: string[];
  /** Every listed tag must be on the circuit with that value ("*" = any value). */
  circuitTags?: Record<string, string>;
  layers?: Layer[];
  owners?: Owner[];
  codes?: FindingCode[];
  families?: AlertFamily[];
  actions?: AlertAction[];
}

export interface Route {
  name: string;
  match: RouteMatch;
  actionGroups: string[];
}

export interface ActionGroup {
  name: string;
  receivers: string[];
}

export interface Routing {
  actionGroups: ActionGroup[];
  routes: Route[];
}

const lower = (s: string) => s.toLowerCase();

function matches(match: RouteMatch, event: AlertEvent): boolean {
  // Route on the episode's peak so whoever was paged also hears the way down.
  const severity = event.peakSeverity;
  if (match.severityAtOrAbove && !isAtOrAbove(severity, match.severityAtOrAbove)) return false;
  if (match.severityAtOrBelow && severityRank(severity) < severityRank(match.severityAtOrBelow))
    return false;
  if (
    match.circuits &&
    !match.circuits.some(
      (c) => lower(c) === lower(event.circuit.name) || lower(c) === lower(event.circuit.id),
    )
  )
    return false;
  if (match.circuitTags) {
    const tags = Object.fromEntries(
      Object.entries(event.circuit.tags).map(([k, v]) => [lower(k), v]),
    );
    for (const [k, v] of Object.entries(match.circuitTags)) {
      const actual = tags[lower(k)];
      if (actual === undefined || (v !== "*" && lower(actual) !== lower(v))) return false;
    }
  }
  if (match.layers && !match.layers.includes(event.layer)) return false;
  if (match.owners && !match.owners.includes(event.owner)) return false;
  if (match.codes && !match.codes.includes(event.code)) return false;
  if (match.families && !match.families.includes(event.family)) return false;
  if (match.actions && !match.actions.includes(event.action)) return false;
  return true;
}

export interface RouteResult {
  receivers: string[];
  /** Which routes matched, for the log. */
  routes: string[];
}

/**
 * A fleet alert speaks for its members (it holds their own outage alerts), so
 * a route that would page a member's own alert pages it too: matched as each
 * member, by the member's name, id, tags, code and family. Routed as its
 * site's pseudo-circuit alone (no tags, code fleet-outage), a carrier outage
 * on two of a team's circuits paged that team nothing, where one alone paged it.
 */
function asMembers(event: AlertEvent): AlertEvent[] {
  if (event.family !== "fleet") return [];
  // A member joining the group is told by the fleet alert's repeat ("Wider:"),
  // its own open held: to a route for opens only, that is the member's open.
  const joining = event.action === "repeat" && event.change.startsWith(WIDER);
  return fleetMembersOf(event).map((m) => {
    const code = m.code !== null && m.code in FAMILY_OF ? (m.code as FindingCode) : null;
    return {
      ...event,
      circuit: { ...event.circuit, id: m.id, name: m.name, tags: m.tags ?? {} },
      ...(code ? { code, family: FAMILY_OF[code] } : {}),
      // Owned and graded as its own alert would be: members owned differently
      // make the group "shared", which a route by owner never matched.
      ...(m.owner ? { owner: m.owner } : {}),
      ...(m.severity ? { severity: m.severity, peakSeverity: m.severity } : {}),
      ...(joining ? { action: "open" as const } : {}),
    };
  });
}

export function route(routing: Routing, event: AlertEvent): RouteResult {
  const members = asMembers(event);
  const matched = routing.routes.filter(
    (r) => matches(r.match, event) || members.some((m) => matches(r.match, m)),
  );
  const receivers = new Set<string>();
  for (const r of matched) {
    for (const groupName of r.actionGroups) {
      const group = routing.actionGroups.find((g) => g.name === groupName);
      for (const receiver of group?.receivers ?? []) receivers.add(receiver);
    }
  }
  return { receivers: [...receivers], routes: matched.map((r) => r.name) };
}

/**
 * A receiver told of an alert hears its resolve, whatever the routes say of
 * resolves (Alertmanager's send_resolved): a route filtered on `actions` that
 * sent the open but not the resolve would leave a PagerDuty incident
 * triggered, and a channel saying an outage is still on.
 */
export function withResolveAudience(
  routed: RouteResult,
  event: Pick<AlertEvent, "action">,
  /** Receivers that were delivered an earlier event of this alert. */
  told: readonly string[],
): RouteResult {
  if (event.action !== "resolve") return routed;
  const extra = told.filter((r) => !routed.receivers.includes(r));
  return extra.length === 0 ? routed : { ...routed, receivers: [...routed.receivers, ...extra] };
}

/**
 * The sequence of the `open` that began the event's episode: its `episodeId`
 * is that open's event id. Events from before episodes were recorded belong
 * to the key's first.
 */
export function episodeStart(event: Pick<AlertEvent, "key" | "episodeId">): number {
  const prefix = `${event.key}-`;
  const n = event.episodeId.startsWith(prefix)
    ? Number(event.episodeId.slice(prefix.length))
    : Number.NaN;
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * What a receiver's deliveries are recorded under: its name with anything but
 * letters, digits, ".", "_" and "-" as "_" (storage keys allow no more).
 */
export const receiverRecordName = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, "_");

/** Which owners each layer's findings can have (see the README codes table). */
export const POSSIBLE_OWNERS: Record<Layer, Owner[]> = {
  // circuit-not-enabled and ExpressRoute Direct's layer 2 are yours; the on-prem ARP row is shared.
  provider: ["carrier", "shared", "you"],
  // A fleet of own-edge and provider-managed circuits' bgp-down is shared.
  bgp: ["you", "carrier", "shared"],
  peering: ["shared", "carrier", "you"],
  routes: ["you"],
  gateway: ["you"],
  // A global-reach-down the peer circuit's outage explains is owned as that outage (core/reach-peers.ts).
  globalReach: ["you", "carrier", "shared"],
  endToEnd: ["you"],
  capacity: ["you"],
  monitoring: ["you"],
};
