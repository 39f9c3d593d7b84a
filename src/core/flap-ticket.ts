// The carrier ticket for a layer-1 flap: the service key, the affected paths,
// and the ARP and route summaries over time that show the link, not the route
// limit, dropping the session.

import { sampleFamily, type LayerTransition } from "./history.js";
import { thousands } from "./text.js";
import type { FlapHistory } from "./flap-history.js";
import type { CircuitVerdict, PathName } from "./model.js";
import { PATHS } from "./model.js";

export function flapTicket(
  verdict: CircuitVerdict,
  peering: string,
  flapping: PathName[],
  title: string,
  why: string,
  h: FlapHistory,
): string {
  const current = verdict.peerings.find((p) => p.name === peering);
  // With IPv6 on the peering each count names its family, so the carrier reads
  // 98 of 100 as IPv6's and 120 of 4,000 as IPv4's.
  const dual = current?.ipv6 !== undefined || h.samples.some((s) => sampleFamily(s) === "ipv6");
  const line = (t: LayerTransition) =>
    `  ${t.at}  ${t.path.padEnd(9)} ${t.beforeDetail || t.before} -> ${t.afterDetail || t.after}`;
  const summaryLines = [
    ...h.bgp.map((t) => ({ at: t.at, text: line(t) })),
    ...h.resets.map((r) => ({
      at: r.at,
      text: `  ${r.at}  ${r.path.padEnd(9)} reset between reads: uptime ${r.upDown}, previous read ${r.sincePreviousReadSeconds} s earlier (still Established)`,
    })),
    ...h.samples.map((s) => ({
      at: s.at,
      text: `  ${s.at}  ${s.path.padEnd(9)} ${thousands(s.after)} ${dual ? `${sampleFamily(s) === "ipv6" ? "IPv6" : "IPv4"} ` : ""}prefixes received${s.limit ? ` of ${thousands(s.limit)}` : ""}`,
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return [
    `ExpressRoute session flapping: ${title}`,
    `Circuit: ${verdict.name} (${verdict.id})`,
    `Service key: ${verdict.serviceKey ?? "unknown"}`,
    `Provider: ${verdict.serviceProviderName ?? "unknown"}; peering location: ${verdict.peeringLocation ?? "unknown"}`,
    `Peering: ${peering}; affected path(s): ${flapping.join(", ")}`,
    `Why layer 1: ${why}.`,
    "Path up/down (UTC):",
    ...h.paths.map(line),
    "ARP over time (UTC):",
    // A read whose sessions proved layer 2 did not read ARP: say so, never "resolved".
    ...(h.arp.length > 0
      ? h.arp.map(line)
      : [
          "  (layer 2 never down at a read: ARP resolved, or a session Established with prefixes proved it)",
        ]),
    "Route summary over time (UTC):",
    ...(summaryLines.length > 0 ? summaryLines.map((l) => l.text) : ["  (no change recorded)"]),
    ...(current
      ? [
          "Now:",
          ...PATHS.map(
            (p) =>
              `  ${p.padEnd(9)} ARP ${current.paths[p].provider.detail}; BGP ${current.paths[p].bgp.detail}; routes ${current.paths[p].routes.detail}`,
          ),
        ]
      : []),
  ].join("\n");
}
