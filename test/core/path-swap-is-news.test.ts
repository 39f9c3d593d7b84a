// Found by a review: a one-path outage that moves to the other path in one
// sweep (the primary recovers while the secondary breaks: a carrier working
// through both links, or your edge failing over badly) keeps the same key and
// the same severity, so nothing was sent. The receivers kept "Layer 2 down on
// the primary — carrier ticket attached — redundancy holding (secondary
// Established)" while the secondary was down, for another owner (you: BGP
// Active on your edge) and layer, and the resolve named the primary. README:
// "A path newly down is news at once". Now the incident is updated ("Changed:
// … Now: …"), never resolved and opened again, and the resolve names what
// cleared last.

import { describe, expect, it } from "vitest";
import type { PathName } from "../../src/core/model.js";
import { chainTimeline } from "../support/chain-timeline.js";
import type { CircuitSpec, PathSpec } from "../support/readings.js";

const l2Down: PathSpec = { arp: "empty", bgp: "Idle" };
const bgpActive: PathSpec = { bgp: "Active" };
const paths = (p: Partial<Record<PathName, PathSpec>>): CircuitSpec => ({
  paths: { AzurePrivatePeering: p },
});
const every5 = (specs: CircuitSpec[]) => specs.map((spec, i) => ({ minute: i * 5, spec }));

describe("a one-path outage that swaps paths is news", () => {
  it("tells the receivers when the primary recovers and the secondary goes down in the same sweep", () => {
    const primaryL2 = paths({ primary: l2Down });
    const secondaryBgp = paths({ secondary: bgpActive });
    const { sent, changes } = chainTimeline(
      every5([primaryL2, primaryL2, secondaryBgp, secondaryBgp]),
    );
    // Opened about the primary (carrier, layer 2) at 02:05.
    expect(sent[1]).toBe("path-down:open:Sev2");
    expect(changes[0]).toMatch(/primary path/);
    // 02:10: the primary is back, the secondary's BGP is Active (yours). Not a
    // resolve and a new open (one incident), but the holder must hear it.
    expect(sent[2]).not.toBe("-");
    expect(sent[2]).not.toMatch(/resolve/);
    expect(changes.slice(1).join("\n")).toMatch(/BGP Active on the secondary path/);
  });

  it("does not resolve naming the primary while only the secondary was down", () => {
    const { changes } = chainTimeline(
      every5([
        paths({ primary: l2Down }),
        paths({ primary: l2Down }),
        paths({ secondary: bgpActive }),
        paths({ secondary: bgpActive }),
        paths({}),
        paths({}),
      ]),
    );
    const resolve = changes.find((c) => c.startsWith("Resolved"));
    expect(resolve).toBeDefined();
    // What cleared last was the secondary's BGP session, not the primary's
    // layer 2 (which the holder was told about, carrier ticket and all).
    expect(resolve).not.toMatch(/down on the primary path/);
  });
});
