// The first lifecycle soak's promises with fan-out on (SWEEP_WORK_QUEUE): the
// real timer function plans each 5-minute sweep and sends its deep reads to
// the work queue, two in-process workers (the Service Bus–triggered function,
// on concurrent sessions) read the batches and decide, and the same judge
// (lifecycle-model.ts) holds what the broker accepted against the model of the
// estate. One difference is the product's own (README, "With fan-out"): a
// fleet alert is resolved by the timer from what the workers stored, a sweep
// later than the single-process sweep resolves it. Smaller than the first
// soak (fewer runs); fixed seed, FUZZ_SEED / FUZZ_RUNS; loopback only.

import { ServiceBusClient } from "@azure/service-bus";
import fc from "fast-check";
import { guardsApply } from "./vacuity.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf } from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { ALERTS_QUEUE, startWorld } from "../support/world.js";
import {
  apply,
  FAULT_SWEEPS,
  faultArb,
  FULL_SIGHT,
  HEALTHY,
  INTERVAL_MIN,
  Judge,
  MIN,
  RESOLVE_AFTER,
  sweepOfEvent,
  T0,
  TAIL_SWEEPS,
  troubled,
  truthAt,
  type CircuitName,
  type Fault,
  type Truth,
  soakEstate,
  endOfRun,
} from "./lifecycle-model.js";
import { fanOutDriver } from "../support/fan-out-driver.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3);
const QUEUE = "erwatch-sweep-work";

let azurite: Azurite;
let simulatedMinutes = 0;
let runs = 0;
const heard = new Map<string, number>();

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  console.info(
    `fan-out lifecycle soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours; heard ${[...heard].map(([k, n]) => `${k} ×${n}`).join(", ")}`,
  );
  const count = (re: RegExp) =>
    [...heard].filter(([k]) => re.test(k)).reduce((n, [, c]) => n + c, 0);
  if (guardsApply) {
    expect(count(/^open /)).toBeGreaterThan(0);
    expect(count(/^resolve /)).toBeGreaterThan(0);
  }
});

async function soak(schedule: readonly Fault[]): Promise<void> {
  runs += 1;
  const { bundles, sims } = soakEstate();
  let now = new Date(T0);
  const w = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    sleep: async () => undefined,
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "2",
    },
  });
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  try {
    await w.runtime.work!.claims.ensureTable();
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    /** The timer, then two workers on concurrent sessions until the work queue is empty. */
    const round = async (k: number) => {
      await fan.timer(k);
      await fan.drain();
      expect(w.broker.active(QUEUE)).toEqual([]);
      expect(fan.errors).toEqual([]);
    };

    const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
    // The timer resolves a fleet alert from what the workers stored: a sweep later.
    const judge = new Judge(ids, FULL_SIGHT, { fleetResolveLag: 1, decidedAt: sweepOfEvent });
    let accepted = 0;
    const sweep = async (k: number) => {
      const perCircuit = new Map<CircuitName, Truth>();
      for (const [name, circuit] of sims) {
        const want = k < FAULT_SWEEPS ? truthAt(schedule, name, k) : HEALTHY;
        apply(circuit, judge.truth(name, k - 1), want);
        perCircuit.set(name, want);
      }
      judge.truths[k] = perCircuit;
      now = new Date(T0 + k * INTERVAL_MIN * MIN);
      await round(k);
      const all = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
      judge.observe(k, all.slice(accepted));
      accepted = all.length;
    };

    let k = 0;
    for (; k < FAULT_SWEEPS; k += 1) await sweep(k);
    const lastTrouble = Math.max(
      -1,
      ...judge.truths.flatMap((perCircuit, s) =>
        [...perCircuit.values()].some(troubled) ? [s] : [],
      ),
    );
    for (; k < FAULT_SWEEPS + TAIL_SWEEPS; k += 1) {
      await sweep(k);
      if (judge.openKeys().length === 0 && k >= lastTrouble + RESOLVE_AFTER + 1) break;
    }
    await sweep(k + 1);
    simulatedMinutes += (k + 1) * INTERVAL_MIN;

    const events = await endOfRun(w, judge);
    for (const e of events) {
      const what = `${e.action} ${e.family} ${e.severity}`;
      heard.set(what, (heard.get(what) ?? 0) + 1);
    }

    if (judge.violations.length > 0)
      throw new Error(
        `${judge.violations.slice(0, 12).join("\n")}\n--- timeline ---\n${judge.timeline(schedule)}`,
      );
  } finally {
    await bus.close().catch(() => undefined);
    await w.close();
  }
}

it("with fan-out, the alert lifecycle keeps the first soak's promises through random faults and repairs", async () => {
  await fc.assert(fc.asyncProperty(fc.array(faultArb, { minLength: 2, maxLength: 8 }), soak), {
    seed: SEED,
    numRuns: RUNS,
    endOnFailure: process.env.FUZZ_SHRINK === "0",
  });
}, 900_000);
