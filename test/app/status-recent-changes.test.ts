// The status page's Recent changes as on-call reads them: the layer by the
// name the layer table gives it, and a path's detail as the control plane
// shows it, never its status word twice nor traffic nothing measured. Rows
// written by earlier versions are in storage still and are read the same way.

import { describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import type { StatusModel } from "../../src/app/status.js";
import type { LayerTransition } from "../../src/core/history.js";

const CIRCUIT =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-x";

function transition(
  layer: string,
  before: string,
  after: string,
  afterDetail: string,
): LayerTransition {
  return {
    kind: "transition",
    at: "2026-11-22T02:05:00.000Z",
    circuitId: CIRCUIT,
    peering: "AzurePrivatePeering",
    path: "primary",
    layer,
    before,
    after,
    beforeDetail: "",
    afterDetail,
  } as LayerTransition;
}

/** The Recent changes lines, tags stripped. */
function recent(...rows: LayerTransition[]): string[] {
  const model: StatusModel = {
    generatedAt: "2026-11-22T02:06:00.000Z",
    circuits: [],
    openAlerts: [],
    recent: rows,
  };
  const html = renderStatusHtml(model);
  const list = html.slice(html.indexOf("<h2>Recent changes</h2>"));
  return [...list.matchAll(/<li>(.*?)<\/li>/g)].map((m) =>
    m[1]!.replace(/<[^>]+>/g, "").replace(/^\S+ /, ""),
  );
}

describe("Recent changes", () => {
  it.each([
    [
      "a path going down: the layer that broke",
      transition("path", "up", "down", "L2: ARP table empty"),
      "AzurePrivatePeering primary path: up → down (L2: ARP table empty)",
    ],
    [
      "a path back: what the control plane shows",
      transition("path", "down", "up", "Established, 120 prefixes"),
      "AzurePrivatePeering primary path: down → up (Established, 120 prefixes)",
    ],
    [
      "a stored path row that said its status again",
      transition("path", "up", "down", "down"),
      "AzurePrivatePeering primary path: up → down",
    ],
    [
      "a stored path row that claimed traffic",
      transition("path", "down", "up", "carrying traffic"),
      "AzurePrivatePeering primary path: down → up",
    ],
    [
      "end to end, by the table's name",
      transition("endToEnd", "up", "down", "Fail: 2 of 2 tests"),
      "AzurePrivatePeering primary E2E: up → down (Fail: 2 of 2 tests)",
    ],
    [
      "layer 2, by the table's name",
      transition("provider", "up", "down", "ARP table empty"),
      "AzurePrivatePeering primary L2: up → down (ARP table empty)",
    ],
    [
      "a layer this version does not know, as stored",
      transition("someday", "up", "down", "gone"),
      "AzurePrivatePeering primary someday: up → down (gone)",
    ],
  ])("%s", (_name, row, line) => {
    const [said] = recent(row);
    expect(said).toBe(`${CIRCUIT} ${line}`);
    expect(said).not.toMatch(/\b(\w+) \(?\1\b/);
  });
});
