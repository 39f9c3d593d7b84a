// Which work message of a fanned-out sweep reads each subscription's ARP
// witness (adapters/arm/path-reads.ts: the first peering of the subscription
// to reach its path reads reads its ARP tables whatever its sessions prove).
// The witness is per read session, and each work message is a session of its
// own: unmarked, a subscription split into N messages read N witnesses a
// sweep, N − 1 of them throttled POSTs that told nothing new. So one message
// per subscription per sweep carries it:
//
// - the one most likely to read it: holding a circuit of the subscription
//   whose listing shows an Enabled peering (those are the peerings read),
//   else one the listing did not give (a named circuit: its GET may show
//   one);
// - of those, one in the subscription's own session, at its lowest batch:
//   Service Bus hands a session's messages out in order, so the sweep's
//   deadline reaches it last.
//
// Any circuit of the subscription in that message serves (the first to reach
// its paths), so one skipped or ignored leaves the others to read it. A
// message that fails is delivered again as it was, witness and all. One that
// never completes (dead-lettered, or cut short by the deadline) leaves its
// sweep without that subscription's witness, with its circuits named unread;
// the next sweep plans its own witness afresh. Only the ARP early warning is
// a sweep late: every circuit's reads and findings are as before.

import { isIgnored } from "./circuit-settings.js";
import { readablePeerings } from "./model.js";

/** Whether a planned read is expected to reach a peering's path reads, where the witness is read. */
export type PathPromise = "enabled" | "unknown" | "none";

export interface WitnessBatch {
  /** The message's session (its subscription). */
  session: string;
  /** 1-based within its session: the order the session hands it out in. */
  batch: number;
  items: readonly { subscriptionId: string; paths: PathPromise }[];
}

const RANK: Record<PathPromise, number> = { enabled: 0, unknown: 1, none: 2 };

/** What a circuit to be read promises, from its listing (none: a named circuit, read by GET). */
export function pathPromise(circuit: {
  tags?: Record<string, string>;
  listed?:
    | {
        facts: {
          peerings?: readonly { state?: string | null }[] | null;
          peeringsRead?: readonly { state?: string | null }[];
        };
      }
    | undefined;
}): PathPromise {
  if (circuit.tags && isIgnored(circuit.tags)) return "none";
  if (!circuit.listed) return "unknown";
  return readablePeerings(circuit.listed.facts).some((p) => p.state === "Enabled")
    ? "enabled"
    : "none";
}

const before = (a: readonly number[], b: readonly number[]) => {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
};

/**
 * For each batch, in order: the subscriptions (lower-case, sorted) whose ARP
 * witness its reads take. Each subscription with a circuit in any batch is
 * in exactly one.
 */
export function arpWitnesses(batches: readonly WitnessBatch[]): string[][] {
  const chosen = new Map<string, { index: number; order: number[] }>();
  batches.forEach((b, index) => {
    const rank = new Map<string, number>();
    for (const item of b.items) {
      const subscription = item.subscriptionId.toLowerCase();
      rank.set(subscription, Math.min(rank.get(subscription) ?? Infinity, RANK[item.paths]));
    }
    for (const [subscription, r] of rank) {
      const order = [r, b.session.toLowerCase() === subscription ? 0 : 1, b.batch];
      const held = chosen.get(subscription);
      if (!held || before(order, held.order)) chosen.set(subscription, { index, order });
    }
  });
  const out = batches.map((): string[] => []);
  for (const [subscription, { index }] of chosen) out[index]!.push(subscription);
  return out.map((list) => list.sort());
}
