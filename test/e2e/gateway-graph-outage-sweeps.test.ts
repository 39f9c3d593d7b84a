// A Resource Graph outage over several sweeps, the wiring read per resource
// group meanwhile (a list that misses connections in other groups). Users saw
// a circuit tagged erwatch:expect-gateway=false, wired through the network
// team's group, flip its gateway row up → n/a at the outage's first sweep and
// back at its end, each flip a recent change on the status page; and a
// circuit with nothing remembered (new, or first swept during the outage)
// read "no connection" from that list and paged gateway-not-connected Sev3.
// What the list could not see is not known: the row stands as it was for the
// first, and is UNKNOWN, naming why, for the second. A list read whole still
// says "no connection" and pages.

import { describe, expect, it } from "vitest";
import { graphOutageTimeline, PRIVATE, wiredThrough } from "../support/graph-outage.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();
const gatewayAlerts = (sent: string[]) => sent.filter((s) => s.includes("gateway-not-connected"));

type Timeline = Awaited<ReturnType<typeof graphOutageTimeline>>;

/** Sweeps from..to, each as "n verdict-row/status-page-row". */
async function rows(t: Timeline, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let n = from; n <= to; n += 1) {
    const swept = await t.sweep(n);
    const live = swept.verdicts[0]!.peerings.find((p) => p.name === PRIVATE)!;
    out.push(`${n} ${live.paths.primary.gateway.status}/${(await t.gatewayRow()).status}`);
  }
  return out;
}

describe("the gateway row over a Resource Graph outage", () => {
  it("no gateway expected: the row stands through the outage, no change listed, no alert", async () => {
    const t = await graphOutageTimeline(
      worlds,
      wiredThrough({ own: false, elsewhere: true }, { "erwatch:expect-gateway": "false" }),
    );
    const before = await rows(t, 0, 1);
    t.graphDown();
    const during = await rows(t, 2, 6);
    const detail = (await t.gatewayRow()).detail;
    t.graphBack();
    const after = await rows(t, 7, 8);
    // Observed: "2 n/a/n/a" … "6 n/a/n/a", then "7 up/up".
    expect([...before, ...during, ...after]).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => `${n} up/up`),
    );
    expect(detail).toMatch(
      /conn-er-two-dr not in the list read per resource group \(Resource Graph failed\)/,
    );
    expect(await t.gatewayChanges()).toEqual([]);
    expect(gatewayAlerts(t.sent())).toEqual([]);
  });

  it("nothing remembered (first swept in the outage): UNKNOWN naming why, no Sev3; read whole, up", async () => {
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: false, elsewhere: true }));
    t.graphDown();
    const during = await rows(t, 0, 4);
    const detail = (await t.gatewayRow()).detail;
    t.graphBack();
    const after = await rows(t, 5, 6);
    // Observed: "down/down" ("no connection") and open:gateway-not-connected:Sev3.
    expect(during).toEqual([0, 1, 2, 3, 4].map((n) => `${n} unknown/unknown`));
    expect(detail).toMatch(
      /^no connection in the list read per resource group \(Resource Graph failed\)/,
    );
    expect(after).toEqual(["5 up/up", "6 up/up"]);
    expect(gatewayAlerts(t.sent())).toEqual([]);
  });

  it("no connection at all: UNKNOWN while read in part, then down and paged once read whole", async () => {
    const t = await graphOutageTimeline(worlds, wiredThrough({ own: false, elsewhere: false }));
    t.graphDown();
    const during = await rows(t, 0, 3);
    expect(gatewayAlerts(t.sent())).toEqual([]);
    t.graphBack();
    const after = await rows(t, 4, 6);
    expect(during).toEqual([0, 1, 2, 3].map((n) => `${n} unknown/unknown`));
    expect(after).toEqual(["4 down/down", "5 down/down", "6 down/down"]);
    expect(gatewayAlerts(t.sent())).toEqual(["open:gateway-not-connected:Sev3"]);
  });
});
