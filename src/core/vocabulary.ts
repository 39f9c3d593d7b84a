// The words people read for the domain's lists: one table each, used by the
// CLI, the status page and the Teams card, so the three never disagree on
// what a layer is called or what "unknown" looks like.

import type { Layer, LayerStatus, Owner, Severity, TableLayer } from "./model.js";
import { TABLE_LAYERS } from "./model.js";

/** `label` in sentences and wide tables; `short` in column headers. */
export const LAYER_WORDS: Record<Layer, { label: string; short: string }> = {
  provider: { label: "provider / L2", short: "L2" },
  bgp: { label: "BGP session", short: "BGP" },
  peering: { label: "peering", short: "Peering" },
  routes: { label: "routes", short: "Routes" },
  gateway: { label: "gateway wiring", short: "Gateway" },
  globalReach: { label: "Global Reach", short: "Global Reach" },
  endToEnd: { label: "end to end", short: "E2E" },
  capacity: { label: "capacity", short: "Capacity" },
  monitoring: { label: "erwatch's sight", short: "Sight" },
};

/** The layer table's rows, bottom-up, with their words. */
export const LAYER_ROWS: readonly { key: TableLayer; label: string; short: string }[] =
  TABLE_LAYERS.map((key) => ({ key, ...LAYER_WORDS[key] }));

/** A cell's state in one word; colour is never the only signal. */
export const STATUS_WORDS: Record<LayerStatus, string> = {
  up: "ok",
  warn: "WARN",
  down: "DOWN",
  unknown: "unknown",
  "n/a": "n/a",
};

export const OWNER_WORDS: Record<Owner, string> = {
  carrier: "the carrier",
  you: "you",
  shared: "shared (you and the carrier)",
};

/** Azure Monitor's names for its severities: Sev0 must never read like Sev2. */
export const SEVERITY_WORDS: Record<Severity, string> = {
  Sev0: "critical",
  Sev1: "error",
  Sev2: "warning",
  Sev3: "informational",
  Sev4: "verbose",
};
