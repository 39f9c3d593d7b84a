// Property-based: one Connection Monitor, one page, over the real wire at the
// product's cadence. Three circuits wired to one VNet gateway and one monitor
// into its VNet (found for all three); at random the monitor fails and
// passes, each circuit has its own maintenance silence and its own openAfter
// (ERWATCH_ALERT_POLICY `circuits`), and the sweep runs in one process or
// fanned out (each circuit its own worker batch). What the broker accepted is
// held against the world after every sweep:
// - never two end-to-end incidents open at once for the one fault;
// - never silent: failing long enough (the slowest circuit's openAfter and
//   two sweeps more) while some circuit is out of maintenance, an incident is
//   open;
// - passing long enough with no silence in the way, none is.
// openAfter of one sweep only in one process: fanned out, two circuits judged
// at once may both page at the onset (README, "One monitor, one page").
// Bounded runs with a fixed seed (FUZZ_SEED, FUZZ_RUNS override); loopback only.

import { ServiceBusClient } from "@azure/service-bus";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf, setTestResults, withConnectionMonitor } from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { gatewayBundles, GATEWAY_T0 as T0, sweepOf } from "../support/gateway-world.js";
import { ALERTS_QUEUE, startWorld } from "../support/world.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
const QUEUE = "erwatch-sweep-work";
const MIN = 60_000;
const SWEEPS = 18;
const NAMES = ["er-a", "er-b", "er-c"] as const;
type Name = (typeof NAMES)[number];
/** Sev1's default openAfter, in sweeps. */
const DEFAULT_OPEN_AFTER = 2;
const RESOLVE_AFTER = 2;

interface Plan {
  fanOut: boolean;
  /** Per sweep: the monitor's tests fail. */
  failing: boolean[];
  /** Per circuit: its Sev1 openAfter (sweeps), or the default. */
  openAfter: Partial<Record<Name, number>>;
  /** Per circuit: a maintenance window [from, to) in sweeps. */
  silences: Partial<Record<Name, [number, number]>>;
}

const runsArb = fc
  .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 6 })), { minLength: 2, maxLength: 8 })
  .map((segments) => {
    const out = segments.flatMap(([fail, n]) => Array<boolean>(n).fill(fail));
    return [false, ...out, ...Array<boolean>(SWEEPS).fill(false)].slice(0, SWEEPS);
  });
const windowArb = fc
  .tuple(fc.integer({ min: 0, max: SWEEPS - 1 }), fc.integer({ min: 1, max: 8 }))
  .map(([from, n]): [number, number] => [from, Math.min(SWEEPS, from + n)]);

const planArb: fc.Arbitrary<Plan> = fc.boolean().chain((fanOut) =>
  fc.record({
    fanOut: fc.constant(fanOut),
    failing: runsArb,
    openAfter: fc.record(
      Object.fromEntries(
        NAMES.map((n) => [n, fc.constantFrom(...(fanOut ? [2, 3] : [1, 2, 3]))]),
      ) as Record<Name, fc.Arbitrary<number>>,
      { requiredKeys: [] },
    ),
    silences: fc.record(
      Object.fromEntries(NAMES.map((n) => [n, windowArb])) as Record<
        Name,
        fc.Arbitrary<[number, number]>
      >,
      { requiredKeys: [] },
    ),
  }),
);

const silencedAt = (plan: Plan, name: Name, k: number) => {
  const w = plan.silences[name];
  return w !== undefined && w[0] <= k && k < w[1];
};

let azurite: Azurite;
let runs = 0;
const tally = { opens: 0, held: 0, lively: 0, quiet: 0 };

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  console.info(
    `shared-monitor fuzz: ${runs} run(s); ${tally.opens} open(s); checked ${tally.lively} sweeps that had to have an incident open and ${tally.quiet} that had to have none`,
  );
  // The property is only worth its name if its worlds reached both sides of it.
  if (RUNS >= 4) expect(tally.lively).toBeGreaterThan(0);
});

/** Which end-to-end alerts the receivers hold after each sweep (key → circuit). */
function openAfterEach(events: AlertEvent[]): Map<string, string>[] {
  const held = new Map<string, string>();
  const out: Map<string, string>[] = [];
  for (let k = 0; k < SWEEPS; k += 1) {
    for (const e of events.filter((x) => sweepOf(x) === k)) {
      if (e.action === "resolve") held.delete(e.key);
      else held.set(e.key, e.circuit.name);
    }
    out.push(new Map(held));
  }
  return out;
}

function violations(plan: Plan, open: Map<string, string>[]): string[] {
  const out: string[] = [];
  const slowest = Math.max(DEFAULT_OPEN_AFTER, ...Object.values(plan.openAfter));
  const lively = slowest + 2;
  for (let k = 0; k < SWEEPS; k += 1) {
    const now = open[k]!;
    if (now.size > 1) out.push(`sweep ${k}: ${now.size} incidents open (${[...now.values()]})`);
    const window = (n: number) => Array.from({ length: n }, (_, i) => k - i).filter((s) => s >= 0);
    const last = window(lively);
    if (
      last.length === lively &&
      last.every((s) => plan.failing[s]) &&
      NAMES.some((name) => last.every((s) => !silencedAt(plan, name, s)))
    ) {
      tally.lively += 1;
      if (now.size === 0) out.push(`sweep ${k}: failing for ${lively} sweeps, nothing open`);
    }
    const calm = window(RESOLVE_AFTER + 1);
    if (
      calm.length === RESOLVE_AFTER + 1 &&
      calm.every((s) => !plan.failing[s]) &&
      NAMES.every((name) => calm.every((s) => !silencedAt(plan, name, s)))
    ) {
      tally.quiet += 1;
      if (now.size > 0) out.push(`sweep ${k}: passing for ${calm.length} sweeps, still open`);
    }
  }
  return out;
}

async function run(plan: Plan): Promise<string[]> {
  runs += 1;
  const bundles = gatewayBundles(NAMES);
  const monitor = withConnectionMonitor(bundles[0]!);
  const silences = NAMES.flatMap((name) => {
    const w = plan.silences[name];
    return w
      ? [
          {
            id: `${name}-window`,
            circuit: circuitId(bundles[NAMES.indexOf(name)]!.circuit),
            start: new Date(T0 + w[0] * 5 * MIN).toISOString(),
            end: new Date(T0 + w[1] * 5 * MIN).toISOString(),
          },
        ]
      : [];
  });
  const circuits = Object.fromEntries(
    Object.entries(plan.openAfter).map(([name, n]) => [name, { openAfter: { Sev1: n } }]),
  );
  let now = new Date(T0);
  const w = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    sleep: async () => undefined,
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      SWEEP_MAX_READ_AGE_MINUTES: "5",
      ERWATCH_SILENCES: JSON.stringify(silences),
      ERWATCH_ALERT_POLICY: JSON.stringify({ circuits }),
      ...(plan.fanOut ? { SWEEP_WORK_QUEUE: QUEUE, SWEEP_WORK_BATCH: "1" } : {}),
    },
  });
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  try {
    if (plan.fanOut) await w.runtime.work!.claims.ensureTable();
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    for (let k = 0; k < SWEEPS; k += 1) {
      setTestResults(monitor, plan.failing[k] ? "Fail" : "Pass");
      now = new Date(T0 + k * 5 * MIN);
      if (plan.fanOut) {
        await fan.timer(k);
        await fan.drain();
        expect(fan.errors).toEqual([]);
      } else expect((await w.timerSweep()).errors).toEqual([]);
    }
    const events = w.broker
      .accepted(ALERTS_QUEUE)
      .map((m) => m.body as AlertEvent)
      .filter((e) => e.family === "end-to-end");
    tally.opens += events.filter((e) => e.action === "open").length;
    return violations(plan, openAfterEach(events)).map(
      (v) =>
        `${v}; events ${events.map((e) => `${e.action} ${e.circuit.name}@${sweepOf(e)}`).join(", ")}`,
    );
  } finally {
    await bus.close();
    await w.close();
  }
}

it(
  "one Connection Monitor, one page: never two incidents, never silent, never left open",
  async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        expect(await run(plan)).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  },
  30 * 60_000,
);
