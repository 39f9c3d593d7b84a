// A peering whose ARM reads failed (classify's) and whose Azure Monitor reads
// failed too (the data plane's) is one monitoring-blind alert, one key: it was
// two findings under that key, each counting only its own reads. Merged, the
// alert named both titles run together and kept the first's failed reads
// alone in its evidence, so a 403 beside a throttled metrics batch read as
// refused for good (refused-reads.ts), and the metrics read was lost.

import { describe, expect, it } from "vitest";
import type { GlobalReachConnection } from "../../src/core/model.js";
import { alertChain } from "../support/alert-chain.js";
import { circuitReading, failed, peering } from "../support/readings.js";
import { metrics, NOW } from "./dataplane/builders.js";
import { namesNoReadMends } from "../../src/core/refused-reads.js";

const PRIVATE = "AzurePrivatePeering";
const MINUTE = 60_000;

const toDr: GlobalReachConnection = {
  name: "gr-to-dr",
  peerCircuitPeeringId:
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-circuit-dr/peerings/AzurePrivatePeering",
  status: "Connected",
  direction: "outbound",
};

/** ARP refused on the primary (ARM), the Global Reach metrics batch throttled (Azure Monitor). */
function bothBlind(now: Date, metricsFail = true) {
  return circuitReading({
    readAt: now.toISOString(),
    peerings: [peering({ globalReach: [toDr] })],
    paths: {
      [PRIVATE]: {
        primary: {
          arp: failed({
            kind: "forbidden",
            statusCode: 403,
            missingPermission: "Microsoft.Network/expressRouteCircuits/peerings/arpTables/action",
          }),
        },
      },
    },
    dataPlane: {
      metrics: {
        ok: true,
        readAt: now.toISOString(),
        value: {
          ...metrics(),
          ...(metricsFail
            ? {
                globalReachFailed: {
                  kind: "throttled",
                  statusCode: 429,
                  call: "Microsoft.Insights/metrics/read",
                  target: "Global Reach metrics of er-circuit-prod",
                  message: "Too many requests",
                },
              }
            : {}),
        },
      },
    },
  });
}

describe("a peering blind in its ARM reads and its metrics reads", () => {
  it("is one monitoring-blind finding counting both reads, and its alert opens naming both", () => {
    const sweep = alertChain();
    const opened = [];
    for (let m = 0; m <= 30 && opened.length === 0; m += 5) {
      const now = new Date(NOW.getTime() + m * MINUTE);
      const sent = sweep(bothBlind(now), now);
      opened.push(...sent.filter((s) => s.family === "monitoring-blind" && s.action === "open"));
    }
    expect(opened).toHaveLength(1);
    const { event, verdict } = opened[0]!;
    const blind = verdict.findings.filter((f) => f.code === "monitoring-blind");
    expect(blind.map((f) => f.peering)).toEqual([PRIVATE]);
    expect(blind[0]!.title).toBe(
      "erwatch cannot read ARP table AzurePrivatePeering/primary: forbidden (missing Microsoft.Network/expressRouteCircuits/peerings/arpTables/action); 1 more read failed too",
    );
    const reads = event.condition.evidence["failedReads"] as { kind: string; call: string }[];
    expect(reads.map((r) => `${r.kind} ${r.call}`)).toEqual([
      "forbidden Microsoft.Network/expressRouteCircuits/peerings/arpTables/read",
      "throttled Microsoft.Insights/metrics/read",
    ]);
    expect(event.condition.title).toBe(blind[0]!.title);
    // A throttled read mends on its own: the alert is not one refused for good.
    expect(namesNoReadMends(event.condition)).toBe(false);
  });

  it("stays one alert as the metrics read heals: it counts the ARP read alone then, and nothing resolves", () => {
    const counted: string[] = [];
    const sweep = alertChain((step) => {
      const o = step.observation;
      if (o.family !== "monitoring-blind") return;
      const reads = (o.finding?.evidence["failedReads"] ?? []) as unknown[];
      const merged = (o.finding?.evidence["findings"] ?? []) as unknown[];
      counted.push(`${o.state} ${reads.length} read(s), ${merged.length} merged`);
    });
    const heard: string[] = [];
    for (let m = 0; m <= 40; m += 5) {
      const now = new Date(NOW.getTime() + m * MINUTE);
      for (const s of sweep(bothBlind(now, m < 25), now))
        if (s.family === "monitoring-blind") heard.push(`${m} ${s.action}`);
    }
    expect(counted).toEqual([
      ...Array.from({ length: 5 }, () => "firing 2 read(s), 0 merged"),
      ...Array.from({ length: 4 }, () => "firing 1 read(s), 0 merged"),
    ]);
    expect(heard).toEqual(["10 open"]);
  });
});
