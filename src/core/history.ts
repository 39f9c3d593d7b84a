// Append-only history rows: what changed, per layer and path, and what the
// alert lifecycle decided. Flap detection, the prefix trend and the status page
// read them; nothing rewrites them.

import type { AlertAction, AlertFamily, LayerStatus, PathName, Severity } from "./model.js";
import type { AddressFamily } from "./route-limits.js";
import type { SnapshotLayer } from "./snapshot.js";
import { LAYER_WORDS, STATUS_WORDS } from "./vocabulary.js";

export interface LayerTransition {
  kind: "transition";
  at: string;
  circuitId: string;
  peering: string;
  path: PathName;
  layer: SnapshotLayer;
  before: LayerStatus;
  after: LayerStatus;
  beforeDetail: string;
  afterDetail: string;
}

export interface PrefixSample {
  kind: "prefixes";
  at: string;
  circuitId: string;
  peering: string;
  path: PathName;
  /**
   * "ipv6" for the IPv6 session's count. Absent is IPv4: every sample written
   * before IPv6 was sampled holds the path's IPv4 count and IPv4 limit (the
   * only count a peering kept), so old rows keep their meaning unchanged.
   */
  family?: AddressFamily;
  before: number | null;
  after: number;
  limit: number | null;
}

/** A sample's (or reset's) address family; a row without one is IPv4 (see `PrefixSample.family`). */
export const sampleFamily = (s: Pick<PrefixSample, "family">): AddressFamily => s.family ?? "ipv4";

/**
 * The session reset between two reads that both saw it Established: its
 * uptime (`upDown`) is shorter than the time since the previous read. Flap
 * detection counts it as two transitions (down and up again).
 */
export interface SessionReset {
  kind: "reset";
  at: string;
  circuitId: string;
  peering: string;
  path: PathName;
  /**
   * "ipv6" for an IPv6 session's reset. Absent is IPv4: before the families
   * were marked apart a reset was the path's (any neighbor), counted as IPv4's.
   */
  family?: AddressFamily;
  /** The uptime as the route summary printed it, e.g. "00:02:10". */
  upDown: string;
  uptimeSeconds: number;
  previousReadAt: string;
  sincePreviousReadSeconds: number;
}

export interface AlertRecord {
  kind: "alert";
  at: string;
  circuitId: string;
  key: string;
  family: AlertFamily;
  peering: string | null;
  /** The event sent, or why none was. */
  outcome: AlertAction | "silenced" | "inhibited";
  severity: Severity;
  sequence: number | null;
  title: string;
  note?: string;
}

export type HistoryEntry = LayerTransition | PrefixSample | SessionReset | AlertRecord;

/**
 * A path's detail as versions before 2026-12 wrote it when the path was up:
 * derived from the control plane, it claimed traffic nothing had measured.
 */
const UNMEASURED_TRAFFIC = "carrying traffic";

/**
 * A transition as the status page's Recent changes says it: the layer by the
 * name the layer table gives it ("E2E", not the key "endToEnd"), and the
 * detail unless it only says the status again ("down → down down", as a
 * path's was written) or is a stored path row's traffic claim.
 */
export function transitionWords(t: Pick<LayerTransition, "layer" | "after" | "afterDetail">): {
  layer: string;
  detail: string | null;
} {
  // Stored rows are checked as text only (row-schemas.ts): a value this version
  // does not know is printed as it is, not looked up into a crash.
  const words: Partial<Record<string, { short: string }>> = LAYER_WORDS;
  const statuses: Partial<Record<string, string>> = STATUS_WORDS;
  const layer = t.layer === "path" ? "path" : (words[t.layer]?.short ?? t.layer);
  const detail = t.afterDetail.trim();
  const said = [t.after, statuses[t.after] ?? t.after].map((w) => w.toLowerCase());
  const repeats = said.includes(detail.toLowerCase());
  const claim = t.layer === "path" && detail === UNMEASURED_TRAFFIC;
  return { layer, detail: detail === "" || repeats || claim ? null : detail };
}
