// Layer 2 is healthy on a path only when BOTH ends resolve: your router's
// interface (first usable address of the /30) and Microsoft's (second usable).
// One side alone means the adjacency is half-formed, which is still a layer-2
// fault as far as BGP is concerned.

import type { ArpRow } from "./model.js";

export type ArpVerdict =
  | { healthy: true; detail: string }
  | {
      healthy: false;
      /**
       * "unplaced": entries resolve, but erwatch cannot tell which end any
       * of the missing side's could be (an interface name it does not know
       * and no /30 to place them by): not known to be down, so UNKNOWN.
       */
      problem: "empty" | "microsoft-only" | "on-prem-only" | "incomplete" | "unplaced";
      detail: string;
    };

type Side = "on-prem" | "microsoft" | "unknown";

function sideOf(row: ArpRow, subnet: string | null): Side {
  const name = row.interface.toLowerCase();
  if (name.includes("microsoft")) return "microsoft";
  if (name.includes("prem") || name.includes("customer")) return "on-prem";
  const position = hostPositionIn30(row.ipAddress, subnet);
  if (position === 1) return "on-prem";
  if (position === 2) return "microsoft";
  return "unknown";
}

/** 1 or 2 for the usable hosts of an IPv4 /30, null when it cannot tell. */
function hostPositionIn30(ip: string, subnet: string | null): number | null {
  if (!subnet) return null;
  const [base, bits] = subnet.split("/");
  if (bits !== "30" || !base) return null;
  const a = ipv4ToNumber(base);
  const b = ipv4ToNumber(ip);
  if (a === null || b === null) return null;
  const offset = b - a;
  return offset === 1 || offset === 2 ? offset : null;
}

function ipv4ToNumber(ip: string): number | null {
  const parts = ip.trim().split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** Your router's address on a path: the first usable address of its /30; null when it cannot tell. */
export function onPremAddress(subnet: string | null): string | null {
  if (!subnet) return null;
  const [base, bits] = subnet.split("/");
  const n = base ? ipv4ToNumber(base) : null;
  if (bits !== "30" || n === null) return null;
  const first = n + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
}

export function isResolvedMac(mac: string): boolean {
  const text = mac.trim();
  if (text === "" || /incomplete/i.test(text)) return false;
  return !/^[0.:-]+$/.test(text);
}

export function assessArp(rows: ArpRow[], subnet: string | null): ArpVerdict {
  if (rows.length === 0) return { healthy: false, problem: "empty", detail: "ARP table empty" };
  const onPrem = rows.filter((r) => sideOf(r, subnet) === "on-prem");
  const microsoft = rows.filter((r) => sideOf(r, subnet) === "microsoft");
  const onPremResolved = onPrem.some((r) => isResolvedMac(r.macAddress));
  const microsoftResolved = microsoft.some((r) => isResolvedMac(r.macAddress));
  if (onPremResolved && microsoftResolved) {
    return { healthy: true, detail: "ARP resolves both sides" };
  }
  if (onPrem.length > 0 && !onPremResolved) {
    return { healthy: false, problem: "incomplete", detail: "on-prem MAC Incomplete" };
  }
  // A resolved entry erwatch cannot place may be the side it finds missing:
  // read as "no side resolves", it paged layer 2 down to the carrier.
  const unplaced = rows.filter(
    (r) => sideOf(r, subnet) === "unknown" && isResolvedMac(r.macAddress),
  );
  if (unplaced.length > 0) {
    const names = [...new Set(unplaced.map((r) => JSON.stringify(r.interface)))].join(", ");
    return {
      healthy: false,
      problem: "unplaced",
      detail: `${unplaced.length === 1 ? "an ARP entry" : `${unplaced.length} ARP entries`} erwatch cannot place on either side (interface ${names}${subnet ? `, outside ${subnet}` : ", no /30 to place by"})`,
    };
  }
  if (microsoftResolved) {
    return { healthy: false, problem: "microsoft-only", detail: "only Microsoft side resolves" };
  }
  if (onPremResolved) {
    return { healthy: false, problem: "on-prem-only", detail: "Microsoft side missing" };
  }
  return { healthy: false, problem: "incomplete", detail: "no side resolves" };
}
