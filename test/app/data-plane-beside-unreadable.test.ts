// What the sweep asks Azure Monitor for, and what it attaches, for a circuit
// whose peering list holds an entry that cannot be read ([peering, null]):
// the peering read beside it is asked for and judged as a whole list's is
// (its Global Reach throughput, its peer's service key, its state Disabled
// as the cheap tier reads it); a peering Azure Monitor sends that is not
// among those read may be the unreadable entry, and its dip is news.

import { describe, expect, it } from "vitest";
import { globalReachPeersOf, startDataPlane } from "../../src/app/data-plane.js";
import { metricSignals } from "../../src/app/metric-signals.js";
import {
  createReadSession,
  metricsTargetOf,
  type CircuitTarget,
  type DataPlaneReader,
  type MetricsTarget,
} from "../../src/app/ports.js";
import type { CircuitMetrics } from "../../src/core/dataplane/facts.js";
import { DEFAULT_DATA_PLANE_POLICY } from "../../src/core/dataplane/policy.js";
import { dipWords } from "../../src/core/dataplane/signal.js";
import type { CircuitReading, PeeringFacts, Reading } from "../../src/core/model.js";
import {
  circuitReading,
  CIRCUIT_ID,
  microsoftPeering,
  peering,
  readInPart,
} from "../support/readings.js";

const NOW = new Date("2026-12-01T03:00:00.000Z");
const at = (ago: number) => new Date(NOW.getTime() - ago * 60_000).toISOString();
const KEY = CIRCUIT_ID.toLowerCase();
const DR =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hybrid-dr/providers/Microsoft.Network/expressRouteCircuits/er-circuit-dr";
const DR_KEY = "11111111-aaaa-4aaa-8aaa-000000000001";
const withReach = peering({
  globalReach: [
    {
      name: "gr-to-dr",
      peerCircuitPeeringId: `${DR}/peerings/AzurePrivatePeering`,
      status: "Connected",
      direction: "outbound",
    },
  ],
});

const whole = (peerings: PeeringFacts[]) => circuitReading({ peerings });
const inPart = (peerings: PeeringFacts[]) => readInPart({ peerings });

function targetOf(reading: CircuitReading, location: string | undefined = "westus"): CircuitTarget {
  if (!reading.circuit.ok) throw new Error("no facts");
  return {
    id: CIRCUIT_ID,
    name: "er-circuit-prod",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg-hybrid-core",
    ...(location ? { location } : {}),
    listed: {
      id: CIRCUIT_ID,
      name: "er-circuit-prod",
      location: "westus",
      tags: {},
      facts: reading.circuit.value,
      problems: [],
      readAt: NOW.toISOString(),
    },
  };
}

/** A reader that answers every metrics call with `metrics` and keeps what it was asked for. */
function readerOf(metrics: CircuitMetrics): { reader: DataPlaneReader; asked: MetricsTarget[] } {
  const asked: MetricsTarget[] = [];
  const reader: DataPlaneReader = {
    readMetrics: async (targets) => {
      asked.push(...targets);
      return new Map<string, Reading<CircuitMetrics>>([
        [KEY, { ok: true, value: metrics, readAt: NOW.toISOString() }],
      ]);
    },
    readEndToEnd: async () => undefined,
    readLearnedRoutes: async () => [],
  };
  return { reader, asked };
}

const options = () => ({
  abortSignal: new AbortController().signal,
  now: NOW,
  session: createReadSession(),
});
const NO_SERIES: CircuitMetrics = { from: at(45), to: NOW.toISOString(), series: [] };

/** What the sweep's data-plane session attached, and what it asked Azure Monitor for. */
async function attached(reading: CircuitReading, location: string | undefined) {
  const { reader, asked } = readerOf(NO_SERIES);
  const session = startDataPlane(
    reader,
    [targetOf(reading, location)],
    options(),
    undefined,
    new Map([[DR.toLowerCase(), DR_KEY]]),
  );
  const got = await session.attach(reading);
  return { globalReach: asked.map((t) => t.globalReach), keys: got.dataPlane?.peerServiceKeys };
}

describe("the Global Reach connection of a peering read beside an unreadable entry", () => {
  // Each row: what one reader makes of the peering read whole, and of [that peering, null].
  it.each<{ name: string; judge: (r: CircuitReading) => unknown; read: unknown }>([
    {
      name: "its throughput is asked for in the sweep's batch",
      judge: (r) => metricsTargetOf(targetOf(r))?.globalReach,
      read: true,
    },
    {
      name: "its peer circuit is known to the sweep",
      judge: (r) => globalReachPeersOf(targetOf(r)),
      read: [DR.toLowerCase()],
    },
    {
      name: "its peer's service key is attached",
      judge: (r) => attached(r, "westus"),
      read: { globalReach: [true], keys: { [DR.toLowerCase()]: DR_KEY } },
    },
    {
      name: "its throughput is asked for when its region is only known once read",
      judge: (r) => attached(r, undefined),
      read: { globalReach: [true], keys: { [DR.toLowerCase()]: DR_KEY } },
    },
  ])("$name", async ({ judge, read }) => {
    expect(await judge(whole([withReach]))).toEqual(read);
    expect(await judge(inPart([withReach]))).toEqual(read);
  });
});

describe("the cheap signal of a circuit whose peering list is read in part", () => {
  /** BgpAvailability of `peering`'s primary at 0 % for the last 44 minutes. */
  const dipOn = (peering: string): CircuitMetrics => ({
    from: at(45),
    to: NOW.toISOString(),
    series: [
      {
        metric: "BgpAvailability",
        peering,
        path: "primary",
        points: Array.from({ length: 44 }, (_, i) => ({ at: at(45 - i), value: 0 })),
      },
    ],
  });

  async function signalOf(reading: CircuitReading, metrics: CircuitMetrics) {
    const { reader } = readerOf(metrics);
    const { troubled, dips } = await metricSignals(reader, 8, DEFAULT_DATA_PLANE_POLICY).read(
      [targetOf(reading)],
      { abortSignal: new AbortController().signal, now: NOW },
    );
    return [dipWords(dips?.get(KEY) ?? []), troubled.get(KEY) ?? null].filter((w) => w !== null);
  }

  it.each([
    {
      name: "a peering read Disabled beside the entry is down by design, as in a whole list: no signal",
      peerings: [peering(), microsoftPeering("Configured", { state: "Disabled" })],
      dip: "MicrosoftPeering",
      signal: [],
    },
    {
      name: "a peering read Enabled beside the entry: its dip is news",
      peerings: [microsoftPeering("Configured")],
      dip: "MicrosoftPeering",
      signal: ["Azure Monitor: BgpAvailability 0 % on MicrosoftPeering primary at " + at(8)],
    },
    {
      name: "a peering Azure Monitor sends that is not among those read may be the entry: its dip is news",
      peerings: [peering()],
      dip: "MicrosoftPeering",
      signal: ["Azure Monitor: BgpAvailability 0 % on MicrosoftPeering primary at " + at(8)],
    },
  ])("$name", async ({ peerings, dip, signal }) => {
    expect(await signalOf(inPart(peerings), dipOn(dip))).toEqual(signal);
  });

  it("a whole list's peering Azure Monitor sends that the list has not is not judged (as before)", async () => {
    expect(await signalOf(whole([peering()]), dipOn("MicrosoftPeering"))).toEqual([]);
  });
});
