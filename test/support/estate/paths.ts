// What one path (primary or secondary link) of a peering looks like from the
// Microsoft edge router, in each of the states the runbook distinguishes.
// Shared by the builders and the mutators so "restore" means "as built".

import { hostIn, stableMac } from "./ids.js";
import type { SimArpRow, SimNeighbor, SimPath, SimPeering } from "./model.js";

export type PathName = "primary" | "secondary";
export type ArpMode = "healthy" | "empty" | "microsoft-only" | "incomplete";

export const ESTABLISHED_UP_DOWN = "1d02h";
/** What a session that is not Established shows in upDown (the BGP "never" of the spec example). */
export const DOWN_UP_DOWN = "never";

function prefixOf(peering: SimPeering, path: PathName): string {
  return path === "primary" ? peering.primaryPeerAddressPrefix : peering.secondaryPeerAddressPrefix;
}

/**
 * ARP as the MSEE sees it: your router on the first usable address of the /30
 * ("On-Prem"), the MSEE itself on the second ("Microsoft").
 */
export function arpRows(
  seed: string,
  peering: SimPeering,
  path: PathName,
  mode: ArpMode,
): SimArpRow[] {
  const prefix = prefixOf(peering, path);
  const onPrem: SimArpRow = {
    age: 10,
    interface: "On-Prem",
    ipAddress: hostIn(prefix, 1),
    macAddress: stableMac(`on-prem:${seed}/${peering.name}/${path}`, "0050"),
  };
  const microsoft: SimArpRow = {
    age: 0,
    interface: "Microsoft",
    ipAddress: hostIn(prefix, 2),
    macAddress: stableMac(`msee:${seed}/${peering.name}/${path}`, "5c5eab"),
  };
  switch (mode) {
    case "healthy":
      return [onPrem, microsoft];
    case "empty":
      return [];
    case "microsoft-only":
      return [microsoft];
    case "incomplete":
      return [{ ...onPrem, macAddress: "Incomplete" }, microsoft];
  }
}

/** Your router as the MSEE's BGP neighbor: its address on the /30 and your ASN. */
export function neighborRow(
  peering: SimPeering,
  path: PathName,
  prefixes: number,
  state = "Established",
): SimNeighbor {
  const established = state === "Established";
  return {
    neighbor: hostIn(prefixOf(peering, path), 1),
    v: 4,
    as: peering.peerASN,
    upDown: established ? ESTABLISHED_UP_DOWN : DOWN_UP_DOWN,
    statePfxRcd: established ? String(prefixes) : state,
    establishedPrefixes: prefixes,
  };
}

export function healthyPath(
  seed: string,
  peering: SimPeering,
  path: PathName,
  prefixes: number,
): SimPath {
  return {
    arp: arpRows(seed, peering, path, "healthy"),
    neighbors: [neighborRow(peering, path, prefixes)],
  };
}

/** The prefix count a neighbor would report if its session were Established. */
export function neighborPrefixes(n: SimNeighbor, fallback: number): number {
  if (n.establishedPrefixes !== undefined) return n.establishedPrefixes;
  return /^\d+$/.test(n.statePfxRcd.trim()) ? Number(n.statePfxRcd.trim()) : fallback;
}

/** The prefix count a path would carry if its sessions were Established. */
export function carriedPrefixes(path: SimPath, fallback: number): number {
  const first = path.neighbors[0];
  return first ? neighborPrefixes(first, fallback) : fallback;
}
