// Found by a review of the change that made a path-down alert's moves news:
// it also sent "Changed: … now yours / now the carrier's" whenever the owner
// differed from the one last told, so a one-path outage read alternately as
// the carrier's layer 2 and your BGP (a lossy layer 2 on an own-edge circuit)
// sent a Teams card and a PagerDuty trigger every 5 minutes. Only a path newly
// down is news now; an outage that alternates between the paths flaps, and
// the flap holds it.

import { describe, expect, it } from "vitest";
import { chainTimeline } from "../support/chain-timeline.js";
import type { CircuitSpec, PathSpec } from "../support/readings.js";

const l2Down: PathSpec = { arp: "empty", bgp: "Idle" };
const bgpActive: PathSpec = { bgp: "Active" };
const primary = (p: PathSpec): CircuitSpec => ({ paths: { AzurePrivatePeering: { primary: p } } });

describe("a one-path outage whose reading alternates between layers", () => {
  it("is not re-sent every sweep", () => {
    const specs = [
      l2Down,
      l2Down,
      bgpActive,
      l2Down,
      bgpActive,
      l2Down,
      bgpActive,
      l2Down,
      bgpActive,
      l2Down,
    ];
    const { sent, changes } = chainTimeline(
      specs.map((p, i) => ({ minute: i * 5, spec: primary(p) })),
    );
    expect(sent[1]).toBe("path-down:open:Sev2");
    // 40 minutes of the same Sev2 outage on the same path after the open:
    // well inside the Sev2 repeat interval. One update would be news; eight is noise.
    const updates = sent.slice(2).filter((s) => s !== "-");
    expect({ updates: updates.length, changes: changes.slice(1, 4) }).toEqual({
      updates: expect.toSatisfy((n: number) => n <= 1),
      changes: expect.anything(),
    });
  });
});

describe("a one-path outage that alternates between the paths every sweep", () => {
  it("is not re-sent every sweep: the paths flap", () => {
    const p = (which: "primary" | "secondary"): CircuitSpec => ({
      paths: { AzurePrivatePeering: { [which]: l2Down } },
    });
    const specs = [p("primary"), p("primary")];
    for (let i = 0; i < 8; i += 1) specs.push(p(i % 2 === 0 ? "secondary" : "primary"));
    const { sent } = chainTimeline(specs.map((spec, i) => ({ minute: i * 5, spec })));
    const updates = sent.slice(2).filter((s) => s.startsWith("path-down:"));
    expect(updates.length).toBeLessThanOrEqual(3);
  });
});
