// The status page as the held-row tests read it: one layer's cell on each
// path of a peering, the open alerts' families, and the page itself, loaded
// from what the harness's sweeps stored.

import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { SnapshotLayer } from "../../src/core/snapshot.js";
import { minute, type Harness } from "./sweep-harness.js";

/** The status page at T0 + `m` minutes: `layer`'s cell on each path of `peering` (private by default), as "status detail". */
export async function statusAt(
  h: Harness,
  m: number,
  layer: SnapshotLayer,
  peering = "AzurePrivatePeering",
) {
  const model = await loadStatus(h.store, minute(m), { recentHours: 1, recentLimit: 10 });
  const p = model.circuits[0]!.peerings.find((x) => x.name === peering)!;
  return {
    cells: [p.paths.primary[layer], p.paths.secondary[layer]].map((c) => `${c.status} ${c.detail}`),
    alerts: model.openAlerts.map((a) => a.family).sort(),
    html: renderStatusHtml(model),
  };
}
