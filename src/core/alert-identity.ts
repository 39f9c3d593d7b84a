// An alert's identity comes from what it is about — circuit, peering,
// condition family — never from message text, so the same incident keeps one
// key (and one PagerDuty incident) while its wording and severity change.

import { createHash } from "node:crypto";
import type { AlertFamily, FindingCode } from "./model.js";

export const FAMILY_OF: Record<FindingCode, AlertFamily> = {
  "provider-not-provisioned": "provider",
  "circuit-not-enabled": "circuit-state",
  "arp-missing": "path-down",
  "bgp-down": "path-down",
  "no-prefixes-received": "path-down",
  "prefix-limit-near": "route-limit",
  "prefix-drop": "prefix-drop",
  "peering-missing": "peering-config",
  "peering-disabled": "peering-config",
  "public-prefixes-not-validated": "peering-config",
  "gateway-not-connected": "gateway",
  "global-reach-down": "global-reach",
  "traffic-stopped": "traffic",
  saturation: "capacity",
  "e2e-fail": "end-to-end",
  "e2e-warning": "end-to-end",
  "e2e-indeterminate": "end-to-end",
  "config-drift": "config-drift",
  "monitoring-blind": "monitoring-blind",
  "session-flapping": "session-flapping",
  "fleet-outage": "fleet",
};

/**
 * Short enough for a Service Bus messageId with a sequence suffix (≤ 128).
 * `addressFamily` only for a condition IPv6 has apart from IPv4 (its flap):
 * without it the key is the one stored alerts have always had.
 */
export function alertKey(
  circuitId: string,
  peering: string | null,
  family: AlertFamily,
  addressFamily?: "ipv6",
): string {
  const identity = [
    circuitId.toLowerCase(),
    (peering ?? "").toLowerCase(),
    family,
    ...(addressFamily ? [addressFamily] : []),
  ].join("|");
  return `erw-${createHash("sha256").update(identity).digest("hex").slice(0, 32)}`;
}

export function eventId(key: string, sequence: number): string {
  return `${key}-${sequence}`;
}
