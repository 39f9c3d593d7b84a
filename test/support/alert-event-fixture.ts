// Realistic alert events for the receiver tests: the two incidents people
// are paged for most, in the words the sweep really produces.
//   - arp-missing: carrier-owned, AzurePrivatePeering secondary path, with a ticket;
//     as an open (Sev2), an escalation (both paths, Sev0) and a resolve (its
//     title and evidence the last firing sweep's, its resolution how it reads now).
//   - no-prefixes-received: Sev0 on both paths, you-owned, no ticket.
//   - prefix-limit-near: Sev3 with the growth trend and when it reaches the limit.
//   - blind notices: the Sev0 (and a Sev1) again, as last seen, once erwatch
//     cannot read it; and the Sev0's normal repeat beside them.
//   - alerts about no single circuit: a fleet outage (a carrier's site, its
//     subject a place key) as its open and its resolve, which name different
//     subscriptions (its first member's, none) as the sweep writes them; and a
//     subscription whose circuits cannot be listed.

import type { AlertEvent } from "../../src/core/alert-event.js";
import { utcMinute } from "../../src/core/utc-time.js";
import type { LayerCell, PathLayers, PeeringVerdict } from "../../src/core/model.js";

export const SUBSCRIPTION_ID = "3f2d4487-b0fc-4125-8bd5-7ad17384221e";
export const CIRCUIT_ID = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-network-prod/providers/Microsoft.Network/expressRouteCircuits/er-ams-prod-01`;
export const SERVICE_KEY = "a7c1e9b2-5d3f-4e8a-9b6c-0f1e2d3c4b5a";
export const ARP_KEY = "erw-9d1c0b6e4a2f48e1b3c5d7e9f1a3b5c7";
export const PREFIX_KEY = "erw-4e6a8c0e2b4d46f8a0c2e4a6b8d0f2a4";

const up = (detail: string): LayerCell => ({ status: "up", detail });
const down = (detail: string): LayerCell => ({ status: "down", detail });
const na = (detail: string): LayerCell => ({ status: "n/a", detail });
const unknown = (detail: string): LayerCell => ({ status: "unknown", detail });

const healthyPath = (prefixes: number): PathLayers => ({
  provider: up("ARP complete (2 entries)"),
  bgp: up("Established 3d 4h"),
  peering: up("Enabled, VLAN 210"),
  routes: up(`${prefixes} prefixes received`),
  gateway: up("ergw-ams connected"),
  globalReach: na("not configured"),
  endToEnd: up("2 tests pass"),
  capacity: up("in 31% · out 9% of 1 Gbps"),
});

const arpDownPath: PathLayers = {
  provider: down("no ARP entry for the on-prem side"),
  bgp: unknown("not evaluated: layer 2 down"),
  peering: up("Enabled, VLAN 210"),
  routes: unknown("not evaluated: layer 2 down"),
  gateway: up("ergw-ams connected"),
  globalReach: na("not configured"),
  endToEnd: up("2 tests pass"),
  capacity: na("path down"),
};

const noPrefixesPath: PathLayers = {
  provider: up("ARP complete (2 entries)"),
  bgp: up("Established 0h 12m"),
  peering: up("Enabled, VLAN 210"),
  routes: down("0 prefixes received"),
  gateway: up("ergw-ams connected"),
  globalReach: na("not configured"),
  endToEnd: down("Fail: 2 of 2 tests; explained by the routes layer"),
  capacity: na("no prefixes"),
};

export const ARP_TICKET = [
  "ExpressRoute fault for the connectivity provider: no ARP entry from the customer edge on the secondary path",
  `Service key: ${SERVICE_KEY}`,
  "Provider: Equinix; peering location: Amsterdam; bandwidth: 1000 Mbps",
  `Circuit: er-ams-prod-01 (${CIRCUIT_ID})`,
  "Service provider provisioning state: Provisioned",
  "Peering: AzurePrivatePeering (VLAN 210, primary 10.250.0.0/30, secondary 10.250.0.4/30)",
  "Affected path(s): secondary",
  "First seen: 2026-03-14T01:52:00.000Z",
  "Read at: 2026-03-14T02:04:11.000Z",
  "ARP table AzurePrivatePeering primary (for comparison), read 2026-03-14T02:04:09.000Z:",
  "    On-Prem    10.250.0.1       0050.56a1.0b2c   age 12",
  "    Microsoft  10.250.0.2       a8b4.5612.9e01   age 0",
  "ARP table AzurePrivatePeering secondary (affected), read 2026-03-14T02:04:11.000Z:",
  "    Microsoft  10.250.0.6       a8b4.5612.9e02   age 0",
  "First seen by erwatch: 2026-03-14T01:52:00.000Z",
].join("\n");

const circuit: AlertEvent["circuit"] = {
  id: CIRCUIT_ID,
  name: "er-ams-prod-01",
  subscriptionId: SUBSCRIPTION_ID,
  resourceGroup: "rg-network-prod",
  tags: { "erwatch-criticality": "high", owner: "network-team" },
  serviceKey: SERVICE_KEY,
  serviceProviderName: "Equinix",
  peeringLocation: "Amsterdam",
};

function verdict(
  primary: PathLayers,
  secondary: PathLayers,
  prefixes: [number | null, number | null],
): PeeringVerdict {
  return {
    name: "AzurePrivatePeering",
    paths: { primary, secondary },
    prefixes: { primary: prefixes[0], secondary: prefixes[1] },
    limits: { primary: 4000, secondary: 4000 },
  };
}

/** Carrier-owned layer-2 loss on the secondary path: Sev2, redundancy holding. */
export function arpMissingOpen(): AlertEvent {
  return {
    version: 1,
    id: `${ARP_KEY}-1`,
    action: "open",
    key: ARP_KEY,
    sequence: 1,
    episodeId: `${ARP_KEY}-1`,
    family: "path-down",
    code: "arp-missing",
    severity: "Sev2",
    previousSeverity: null,
    peakSeverity: "Sev2",
    layer: "provider",
    owner: "carrier",
    title:
      "Layer 2 down on the secondary path of AzurePrivatePeering: no ARP entry for the on-prem side — redundancy holding (primary Established, 412 prefixes)",
    change:
      "New since 2026-03-14 01:52 UTC: Layer 2 down on the secondary path of AzurePrivatePeering: no ARP entry for the on-prem side — redundancy holding (primary Established, 412 prefixes)",
    nextAction: `Open a ticket with Equinix for the secondary path (service key ${SERVICE_KEY}); the ticket text is attached. Do not change router or gateway configuration.`,
    circuit: structuredClone(circuit),
    peering: "AzurePrivatePeering",
    paths: ["secondary"],
    evidence: {
      arp: {
        secondary: [
          { age: 0, interface: "Microsoft", ipAddress: "10.250.0.6", macAddress: "a8b4.5612.9e02" },
        ],
      },
      survivor: "primary Established, 412 prefixes",
    },
    ticket: ARP_TICKET,
    layerTable: verdict(healthyPath(412), arpDownPath, [412, null]),
    firstSeen: "2026-03-14T01:52:00.000Z",
    occurredAt: "2026-03-14T02:04:30.000Z",
  };
}

/** The same key after the primary path went too: Sev2 → Sev0. */
export function arpMissingEscalated(): AlertEvent {
  const open = arpMissingOpen();
  return {
    ...open,
    id: `${ARP_KEY}-2`,
    action: "escalate",
    sequence: 2,
    severity: "Sev0",
    previousSeverity: "Sev2",
    peakSeverity: "Sev0",
    paths: ["primary", "secondary"],
    title:
      "Layer 2 down on the primary and secondary paths of AzurePrivatePeering: no ARP entry for the on-prem side — traffic stopped",
    change:
      "Worse: Sev2 → Sev0; now also the primary path. Now: Layer 2 down on the primary and secondary paths of AzurePrivatePeering: no ARP entry for the on-prem side — traffic stopped",
    nextAction: `Open a ticket with Equinix for the primary and secondary path (service key ${SERVICE_KEY}); the ticket text is attached. Do not change router or gateway configuration.`,
    layerTable: verdict(arpDownPath, arpDownPath, [null, null]),
    occurredAt: "2026-03-14T02:19:30.000Z",
  };
}

/** The episode is over: resolve at the severity the receivers last heard. */
export function arpMissingResolved(): AlertEvent {
  const escalated = arpMissingEscalated();
  return {
    ...escalated,
    id: `${ARP_KEY}-3`,
    action: "resolve",
    sequence: 3,
    severity: "Sev0",
    previousSeverity: "Sev0",
    peakSeverity: "Sev0",
    change:
      "Resolved after 1 h 12 min: Layer 2 down on the primary and secondary paths of AzurePrivatePeering: no ARP entry for the on-prem side — traffic stopped has cleared.",
    nextAction: "Nothing to do: confirm traffic is back and close any carrier ticket.",
    // As core/resolve-action.ts reads the layer table below.
    resolution: "provider / L2 ok · ARP complete (2 entries) on both paths of AzurePrivatePeering",
    layerTable: verdict(healthyPath(412), healthyPath(409), [412, 409]),
    occurredAt: "2026-03-14T03:04:30.000Z",
  };
}

/** The reading that failed: what a blind notice's layer table shows (UNKNOWN where erwatch cannot read). */
const blindPath: PathLayers = {
  provider: unknown("ARP read failed: throttled"),
  bgp: unknown("route summary read failed: throttled"),
  peering: up("Enabled, VLAN 210"),
  routes: unknown("session state unknown"),
  gateway: up("ergw-ams connected"),
  globalReach: na("not configured"),
  endToEnd: na("not read"),
  capacity: na("not read"),
};

/** The last reading before erwatch lost sight of the circuit in the blind notices below. */
export const BLIND_SINCE = "2026-03-14T02:19:30.000Z";

/** The change core/blind-notice.ts writes: the last reading's time, then the title it stands on. */
export const blindChange = (since: string, title: string) =>
  `Blind: erwatch has not been able to read the layers behind this alert since ${utcMinute(since)} (see its monitoring-blind alert); it stands as last seen, neither resolved nor changed. Last seen: ${title}`;

/**
 * `event` as erwatch sent a blind notice before it carried `blindSince`: the
 * time only in its change, as the stored ISO string it then wrote there.
 */
export function sentBeforeBlindSince(event: AlertEvent): AlertEvent {
  const { blindSince, ...rest } = event;
  if (blindSince === undefined) return rest;
  return { ...rest, change: rest.change.replace(utcMinute(blindSince), blindSince) };
}

/**
 * erwatch cannot read the escalated Sev0 any more: the same incident again
 * (`repeat`), as last seen, 15 minutes after its last reading. Its evidence and
 * ticket are that last reading; its layer table is the reading that failed.
 */
export function arpMissingBlind(): AlertEvent {
  const escalated = arpMissingEscalated();
  return {
    ...escalated,
    id: `${ARP_KEY}-3`,
    action: "repeat",
    sequence: 3,
    previousSeverity: "Sev0",
    change: blindChange(BLIND_SINCE, escalated.title),
    blindSince: BLIND_SINCE,
    layerTable: verdict(blindPath, blindPath, [null, null]),
    occurredAt: "2026-03-14T02:34:30.000Z",
  };
}

/** A Sev1 path alert (one path down, the other unconfirmed) gone blind the same way. */
export function arpMissingBlindSev1(): AlertEvent {
  const open = arpMissingOpen();
  const title =
    "Layer 2 down on the secondary path of AzurePrivatePeering: no ARP entry for the on-prem side — redundancy unverified: the primary path could not be confirmed";
  return {
    ...open,
    id: `${ARP_KEY}-2`,
    action: "repeat",
    sequence: 2,
    severity: "Sev1",
    previousSeverity: "Sev1",
    peakSeverity: "Sev1",
    title,
    change: blindChange(BLIND_SINCE, title),
    blindSince: BLIND_SINCE,
    layerTable: verdict(blindPath, blindPath, [null, null]),
    occurredAt: "2026-03-14T02:34:30.000Z",
  };
}

/**
 * The escalated Sev0 blind for want of its secondary path only: the primary
 * still reads down (core/blind-notice.ts `partlyUnseen`).
 */
export function arpMissingBlindSecondary(): AlertEvent {
  const blind = arpMissingBlind();
  return {
    ...blind,
    change: `Blind: erwatch has not read every path this alert's severity rests on since ${utcMinute(BLIND_SINCE)}; at this sweep the secondary path could not be read (Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed, which its monitoring-blind alert names (a Log Analytics query's: erwatch's health alert for its workspace)), and the primary path read as the alert says; it stands as last seen, neither resolved nor changed. Last seen: ${blind.title}`,
    blindPaths: ["secondary"],
  };
}

/**
 * A Sev1 traffic stop on the primary path whose partner neither ARM nor Azure
 * Monitor can judge at the notice's sweep (core/blind-notice.ts `partlyUnseen`:
 * whether the secondary carries could not be told).
 */
export function trafficBlindSecondary(): AlertEvent {
  const blind = arpMissingBlindSev1();
  const title =
    "Traffic stopped on the primary path of AzurePrivatePeering of er-ams-prod-01: the secondary path carries nothing either";
  return {
    ...blind,
    family: "traffic",
    code: "traffic-stopped",
    layer: "capacity",
    owner: "you",
    paths: ["primary"],
    title,
    change: `Blind: erwatch has not read every path this alert's severity rests on since ${utcMinute(BLIND_SINCE)}; at this sweep erwatch could not tell whether the secondary path carries, and the primary path read as the alert says; it stands as last seen, neither resolved nor changed. Last seen: ${title}`,
    blindPaths: ["secondary"],
    ticket: null,
    layerTable: arpMissingOpen().layerTable,
  };
}

/** The same for a saturation alert, whose lost path the sweep says could not be read. */
export function capacityBlindSecondary(): AlertEvent {
  const traffic = trafficBlindSecondary();
  const title = "Saturated in on the primary and secondary paths of er-ams-prod-01: 86% of 1 Gbps";
  return {
    ...traffic,
    family: "capacity",
    code: "saturation",
    paths: ["primary", "secondary"],
    title,
    change: `Blind: erwatch has not read every path this alert's severity rests on since ${utcMinute(BLIND_SINCE)}; at this sweep the secondary path could not be read (Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed, which its monitoring-blind alert names (a Log Analytics query's: erwatch's health alert for its workspace)), and the primary path read as the alert says; it stands as last seen, neither resolved nor changed. Last seen: ${title}`,
  };
}

/**
 * A Sev1 flap alert whose circuit still reads, blind because its history
 * (Table Storage) cannot be read, so its flaps cannot be counted
 * (core/blind-notice.ts, blindCause "history").
 */
export function flapBlindHistory(): AlertEvent {
  const blind = arpMissingBlindSev1();
  const title =
    "BGP session flapping on the primary and secondary paths of AzurePrivatePeering: 4 / 4 changes in 60 min — traffic on the peering keeps stopping";
  return {
    ...blind,
    family: "session-flapping",
    code: "session-flapping",
    layer: "bgp",
    owner: "you",
    paths: ["primary", "secondary"],
    title,
    change: `Blind: erwatch has not been able to read this circuit's history (Table Storage), which its flaps are counted from, since ${utcMinute(BLIND_SINCE)}: the circuit itself still reads, but whether it still flaps cannot be told (erwatch's log says "history could not be read"; no monitoring-blind alert opens for storage); it stands as last seen, neither resolved nor changed. Last seen: ${title}`,
    blindCause: "history",
    layerTable: arpMissingOpen().layerTable,
  };
}

/**
 * A Sev1 end-to-end alert on a circuit whose layers all read, blind because
 * Log Analytics ingests its monitor's workspace late: no Connection Monitor
 * result to judge, and no monitoring-blind alert opens for that
 * (core/blind-notice.ts, a data-plane family).
 */
export function e2eFailBlind(): AlertEvent {
  const blind = arpMissingBlindSev1();
  const title =
    "End-to-end tests fail over er-ams-prod-01 while every layer of the circuit reads healthy: look past the circuit";
  return {
    ...blind,
    family: "end-to-end",
    code: "e2e-fail",
    layer: "endToEnd",
    owner: "you",
    paths: ["primary", "secondary"],
    title,
    change: `Blind: erwatch has had no reading behind this alert since ${utcMinute(BLIND_SINCE)} (Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed, which its monitoring-blind alert names (a Log Analytics query's: erwatch's health alert for its workspace)); it stands as last seen, neither resolved nor changed. Last seen: ${title}`,
    evidence: { overall: "fail", failing: ["cm-ams/web/https: onprem → vm Fail"] },
    ticket: null,
    layerTable: arpMissingOpen().layerTable,
  };
}

/** The escalated Sev0 still firing at its repeat interval: a normal repeat, not blind. */
export function arpMissingRepeat(): AlertEvent {
  const escalated = arpMissingEscalated();
  return {
    ...escalated,
    id: `${ARP_KEY}-3`,
    action: "repeat",
    sequence: 3,
    previousSeverity: "Sev0",
    change: `Still firing after 4 h 27 min (since 2026-03-14 01:52 UTC): ${escalated.title}`,
    occurredAt: "2026-03-14T06:19:30.000Z",
  };
}

/** Sessions up but nothing learned on either path: Sev0, your edge's route policy. */
export function noPrefixesOpen(): AlertEvent {
  return {
    version: 1,
    id: `${PREFIX_KEY}-1`,
    action: "open",
    key: PREFIX_KEY,
    sequence: 1,
    episodeId: `${PREFIX_KEY}-1`,
    family: "path-down",
    code: "no-prefixes-received",
    severity: "Sev0",
    previousSeverity: null,
    peakSeverity: "Sev0",
    layer: "routes",
    owner: "you",
    title:
      "Session up but 0 prefixes received on the primary and secondary paths of AzurePrivatePeering — traffic stopped",
    change:
      "New since 2026-03-14 09:30 UTC: Session up but 0 prefixes received on the primary and secondary paths of AzurePrivatePeering — traffic stopped",
    nextAction:
      "Route advertisement, not connectivity: check what your edge announces to AS 12076 (route policy, summarisation). Read the received routes with `erwatch diagnose <circuit> --routes`. Not a carrier ticket.",
    circuit: structuredClone(circuit),
    peering: "AzurePrivatePeering",
    paths: ["primary", "secondary"],
    evidence: { prefixes: { primary: 0, secondary: 0 }, prefixLimit: 4000 },
    ticket: null,
    layerTable: verdict(noPrefixesPath, noPrefixesPath, [0, 0]),
    firstSeen: "2026-03-14T09:30:00.000Z",
    occurredAt: "2026-03-14T09:34:00.000Z",
  };
}

/** The count climbs towards the route limit: Sev3, with its trend per path. */
export function prefixLimitOpen(): AlertEvent {
  const key = "erw-7a9c1e3b5d7f49a1b3c5d7e9f1a3b5c7";
  const growing = healthyPath(3300);
  return {
    version: 1,
    id: `${key}-1`,
    action: "open",
    key,
    sequence: 1,
    episodeId: `${key}-1`,
    family: "route-limit",
    code: "prefix-limit-near",
    severity: "Sev3",
    previousSeverity: null,
    peakSeverity: "Sev3",
    layer: "routes",
    owner: "you",
    title: "Received prefixes at 83% of the route limit on AzurePrivatePeering: 3300 of 4000",
    change:
      "New since 2026-03-14 08:00 UTC: Received prefixes at 83% of the route limit on AzurePrivatePeering: 3300 of 4000",
    nextAction:
      "Summarise on-premises advertisements before the count reaches 4000: at the limit Microsoft drops the session rather than the extra routes.",
    circuit: structuredClone(circuit),
    peering: "AzurePrivatePeering",
    paths: ["primary", "secondary"],
    evidence: {
      counts: { primary: 3300, secondary: 3300 },
      limit: 4000,
      percent: 83,
      skuTier: "Standard",
      peeringType: "AzurePrivatePeering",
      trend: {
        primary: { samples: 12, perHour: 12.5, reachesLimitAt: "2026-03-17T13:34:00.000Z" },
        secondary: { samples: 1, perHour: null, reachesLimitAt: null },
      },
    },
    ticket: null,
    layerTable: verdict(growing, growing, [3300, 3300]),
    firstSeen: "2026-03-14T08:00:00.000Z",
    occurredAt: "2026-03-14T09:34:00.000Z",
  };
}

/** An event whose evidence and ticket are far too big for one Teams message. */
export function hugeArpMissing(chars = 200_000): AlertEvent {
  const event = arpMissingOpen();
  const row = "    Microsoft  10.250.0.6       a8b4.5612.9e02   age 0\n";
  event.ticket = `${ARP_TICKET}\n${row.repeat(Math.ceil(chars / row.length))}`;
  event.evidence = {
    ...event.evidence,
    rawArp: "é".repeat(chars / 2),
    dump: Array.from({ length: 2000 }, (_, i) => `row ${i}`),
  };
  return event;
}

export const FLEET_KEY = "erw-519f4371921002825c1f429d6a525553";
export const FLEET_SUBJECT = "/erwatch/fleet/equinix/amsterdam/provider-82ee1a10960f";
const OTHER_SUBSCRIPTION = "9c8b7a65-4321-4fed-8cba-0987654321fe";
const memberId = (subscription: string, name: string) =>
  `/subscriptions/${subscription}/resourceGroups/rg-network-prod/providers/Microsoft.Network/expressRouteCircuits/${name}`;
export const FLEET_MEMBERS = [
  {
    id: memberId(SUBSCRIPTION_ID, "er-ams-a"),
    name: "er-ams-a",
    serviceKey: "fd8e5f79-1b06-4b15-aa40-fa3cbbc14119",
  },
  {
    id: memberId(SUBSCRIPTION_ID, "er-ams-b"),
    name: "er-ams-b",
    serviceKey: "5ac8386c-f37c-4f9b-a579-6d5785fd6d33",
  },
  {
    id: memberId(OTHER_SUBSCRIPTION, "er-ams-c"),
    name: "er-ams-c",
    serviceKey: "1819d37c-53f5-40fd-ad48-c12a69427bdd",
  },
];
const MEMBER_TITLE =
  "Carrier de-provisioned the circuit: service provider state NotProvisioned; both paths of every peering are down";
const FLEET_TITLE = `3 circuits through Equinix at Amsterdam broke at the same layer: er-ams-a, er-ams-b, er-ams-c — ${MEMBER_TITLE}`;

/** Three circuits through Equinix at Amsterdam de-provisioned in one sweep: one Sev0 page for the site. */
export function fleetOutageOpen(): AlertEvent {
  return {
    version: 1,
    id: `${FLEET_KEY}-1`,
    action: "open",
    key: FLEET_KEY,
    sequence: 1,
    episodeId: `${FLEET_KEY}-1`,
    family: "fleet",
    code: "fleet-outage",
    severity: "Sev0",
    previousSeverity: null,
    peakSeverity: "Sev0",
    layer: "provider",
    owner: "carrier",
    title: FLEET_TITLE,
    change: `New since 2026-11-22 01:05 UTC: ${FLEET_TITLE}`,
    nextAction:
      "One outage at Equinix at Amsterdam, not 3: open one ticket with Equinix listing every service key (attached), and do not change router or gateway configuration.",
    // As the sweep names a fleet outage's subject: its place, under its first member's subscription.
    circuit: {
      id: FLEET_SUBJECT,
      name: "Equinix at Amsterdam (provider)",
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: "",
      tags: {},
      serviceKey: null,
      serviceProviderName: null,
      peeringLocation: null,
    },
    peering: null,
    paths: [],
    evidence: {
      provider: "Equinix",
      peeringLocation: "Amsterdam",
      circuits: FLEET_MEMBERS.map((m) => ({
        ...m,
        code: "provider-not-provisioned",
        severity: "Sev0",
        owner: "carrier",
        paths: ["primary", "secondary"],
        title: MEMBER_TITLE,
      })),
    },
    ticket: [
      "ExpressRoute outage affecting 3 circuits through Equinix at Amsterdam",
      "First seen by erwatch: 2026-11-22T01:05:00.000Z",
      "Layer: provider",
      "Circuits (service key, name, affected paths):",
      ...FLEET_MEMBERS.map((m) => `  ${m.serviceKey}  ${m.name}  primary and secondary`),
    ].join("\n"),
    layerTable: null,
    firstSeen: "2026-11-22T01:05:00.000Z",
    occurredAt: "2026-11-22T01:05:00.000Z",
  };
}

/** The site is back: the timer resolves the fleet outage, its subject naming no subscription. */
export function fleetOutageResolved(): AlertEvent {
  const open = fleetOutageOpen();
  return {
    ...open,
    id: `${FLEET_KEY}-2`,
    action: "resolve",
    sequence: 2,
    previousSeverity: "Sev0",
    change: `Resolved after 35 min: ${open.title} has cleared.`,
    nextAction: "Nothing to do: confirm traffic is back and close any carrier ticket.",
    resolution:
      "the circuits are no longer down together at provider / L2; a circuit still broken alone has its own alert",
    circuit: { ...open.circuit, subscriptionId: "" },
    occurredAt: "2026-11-22T01:40:00.000Z",
  };
}

/** erwatch cannot list the circuits of a subscription: its own monitoring-blind alert. */
export function subscriptionBlindOpen(): AlertEvent {
  const key = "erw-2b4d6f8a0c2e4a6b8d0f2a4c6e8a0b2d";
  const title =
    "erwatch cannot read subscription 3f2d4487-b0fc-4125-8bd5-7ad17384221e: forbidden (missing Microsoft.Network/expressRouteCircuits/read): the open alerts of its circuits are held and stale";
  return {
    version: 1,
    id: `${key}-1`,
    action: "open",
    key,
    sequence: 1,
    episodeId: `${key}-1`,
    family: "monitoring-blind",
    code: "monitoring-blind",
    severity: "Sev1",
    previousSeverity: null,
    peakSeverity: "Sev1",
    layer: "monitoring",
    owner: "you",
    title,
    change: `New since 2026-11-22 01:00 UTC: ${title}`,
    nextAction:
      "Grant 'Microsoft.Network/expressRouteCircuits/read' to erwatch's identity on subscription 3f2d4487-b0fc-4125-8bd5-7ad17384221e (the erwatch reader role in infra/ has it). Until the circuits can be listed, erwatch reads none of them: their open alerts neither resolve nor repeat.",
    circuit: {
      id: `/subscriptions/${SUBSCRIPTION_ID}`,
      name: `subscription ${SUBSCRIPTION_ID}`,
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: "",
      tags: {},
      serviceKey: null,
      serviceProviderName: null,
      peeringLocation: null,
    },
    peering: null,
    paths: [],
    evidence: {
      failedReads: [
        {
          call: "listCircuits",
          target: `subscription ${SUBSCRIPTION_ID}`,
          kind: "forbidden",
          statusCode: 403,
          missingPermission: "Microsoft.Network/expressRouteCircuits/read",
          message: "AuthorizationFailed",
          requestId: null,
        },
      ],
      subscriptionId: SUBSCRIPTION_ID,
    },
    ticket: null,
    layerTable: null,
    firstSeen: "2026-11-22T01:00:00.000Z",
    occurredAt: "2026-11-22T01:15:00.000Z",
  };
}
