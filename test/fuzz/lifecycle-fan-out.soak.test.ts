// The first lifecycle soak's promises with fan-out on (SWEEP_WORK_QUEUE): the
// real timer function plans each 5-minute sweep and sends its deep reads to
// the work queue, two in-process workers (the Service Bus–triggered function,
// on concurrent sessions) read the batches and decide, and the same judge
// (lifecycle-model.ts) holds what the broker accepted against the model of the
// estate. One difference is the product's own (README, "With fan-out"): a
// fleet alert is resolved by the timer from what the workers stored, a sweep
// later than the single-process sweep resolves it. Smaller than the first
// soak (fewer runs); fixed seed, FUZZ_SEED / FUZZ_RUNS; loopback only.
//
// Service Bus stops answering now and then, with the product's client options
// and a short SERVICEBUS_TIMEOUT_MS: while the timer sends a sweep's work (the
// timer fails saying so; what the hung send left in the socket may still
// arrive when the broker answers again), or while the workers publish (their
// events wait in the outbox; the driver's own receive and settlement, the
// host's in Azure, go through). Such a sweep is judged as the first soak
// judges one whose events could not leave: no sighting, its pages late by it.

import { ServiceBusClient } from "@azure/service-bus";
import fc from "fast-check";
import { guardsApply, replay } from "./vacuity.js";
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
/** Real time: far below the SDK's own 60 s per attempt. */
const SEND_DEADLINE_MS = 500;

/** Where Service Bus hangs in a sweep: the timer's send of the work, or the workers' publishes. */
type Hang = "timer" | "workers";
interface Plan {
  faults: readonly Fault[];
  hung: ReadonlyMap<number, Hang>;
}
/** Hangs fall on random sweeps, and as often where a fault starts or ends: where pages are decided. */
const planArb: fc.Arbitrary<Plan> = fc
  .array(faultArb, { minLength: 2, maxLength: 8 })
  .chain((faults) => {
    const edges = [
      ...new Set(
        faults.flatMap((f) => [f.start, f.start + 1, f.start + f.sweeps, f.start + f.sweeps + 1]),
      ),
    ].filter((s) => s >= 1 && s < FAULT_SWEEPS);
    const sweep = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...edges) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: FAULT_SWEEPS - 1 }) },
    );
    return fc
      .uniqueArray(fc.tuple(sweep, fc.constantFrom<Hang>("timer", "workers")), {
        minLength: 2,
        maxLength: 6,
        selector: ([s]) => s,
      })
      .map((pairs) => ({ faults, hung: new Map(pairs) }));
  });
/**
 * Run first, whatever the seed. Hunt seed 924 (path 2): soak-ams-b's path-down
 * paged on its own and its resolve was held by a flap (the receivers still held
 * its page, its alert read clear); when the site broke, the fleet alert named
 * it too: the outage paged twice.
 */
const HUNT_924: [Plan] = [
  {
    faults: [
      { target: "site", kind: "bgp-idle-one-path", path: "primary", start: 10, sweeps: 3 },
      { target: "soak-lon", kind: "prefixes-near-limit", path: "primary", start: 13, sweeps: 10 },
      { target: "soak-ams-b", kind: "bgp-idle-one-path", path: "secondary", start: 9, sweeps: 3 },
      { target: "site", kind: "carrier-both-paths", path: "primary", start: 16, sweeps: 1 },
      { target: "site", kind: "carrier-flapping-path", path: "secondary", start: 7, sweeps: 3 },
      { target: "site", kind: "prefixes-over-limit", path: "secondary", start: 9, sweeps: 2 },
    ],
    hung: new Map<number, Hang>([
      [7, "workers"],
      [9, "timer"],
      [4, "workers"],
      [10, "timer"],
      [16, "workers"],
    ]),
  },
];
/** Sweeps whose workers left events in the outbox while Service Bus hung, and timers it failed. */
let hungWithPages = 0;
let hungTimers = 0;
/** Timers the broker answered past the short send deadline (a loaded machine). */
let lateTimerCount = 0;

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
    `fan-out lifecycle soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours, ${hungTimers} timer(s) failed and ${hungWithPages} sweep(s) left pages waiting while Service Bus hung, ${lateTimerCount} timer(s) past the send deadline with it answering; heard ${[...heard].map(([k, n]) => `${k} ×${n}`).join(", ")}`,
  );
  const count = (re: RegExp) =>
    [...heard].filter(([k]) => re.test(k)).reduce((n, [, c]) => n + c, 0);
  if (guardsApply) {
    expect(count(/^open /)).toBeGreaterThan(0);
    expect(count(/^resolve /)).toBeGreaterThan(0);
    expect(hungTimers).toBeGreaterThan(0);
    expect(hungWithPages).toBeGreaterThan(0);
  }
});

async function soak(plan: Plan): Promise<void> {
  runs += 1;
  const schedule = plan.faults;
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
      SERVICEBUS_TIMEOUT_MS: String(SEND_DEADLINE_MS),
    },
    // The product's Service Bus client (the SDK's retry defaults under erwatch's own).
    serviceBusOptions: {},
  });
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  try {
    await w.runtime.work!.claims.ensureTable();
    const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
    const unsent = new Set<number>();
    const lateTimers = new Set<number>();
    const hang = async <T>(work: () => Promise<T>): Promise<T> => {
      w.broker.hang(true);
      try {
        return await work();
      } finally {
        w.broker.hang(false);
      }
    };
    /** The timer, then two workers on concurrent sessions until the work queue is empty. */
    const round = async (k: number) => {
      const hung = plan.hung.get(k);
      if (hung === "timer") {
        // Nothing to send sends nothing: only a timer with work fails.
        const failed = await hang(() => fan.timer(k)).then(
          () => null,
          (error: unknown) => error,
        );
        if (failed !== null) {
          hungTimers += 1;
          expect(String(failed)).toMatch(/Service Bus did not answer within/);
        }
      } else if ((await fan.timerMayMiss(k)) === "late") {
        // The broker answering, past the short deadline on a loaded machine:
        // judged as a timer Service Bus hung.
        lateTimers.add(k);
        lateTimerCount += 1;
      }
      if (hung === "workers") {
        // One worker: the driver's receive runs between batches, with the broker answering.
        await fan.drain(30_000, { workers: 1, around: hang });
      } else await fan.drain();
      // Pages that did not all leave (hung, or a send past its deadline on a loaded machine):
      // the sweep is judged as one whose publish failed; they go out with the next.
      if ((await w.runtime.store.listOutbox()).length > 0) {
        unsent.add(k);
        if (hung === "workers") hungWithPages += 1;
      }
      expect(w.broker.active(QUEUE)).toEqual([]);
      expect(fan.errors).toEqual([]);
    };

    const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
    // The timer resolves a fleet alert from what the workers stored: a sweep later.
    // A sweep Service Bus hung through is no sighting: its pages are late by it.
    const judge = new Judge(ids, FULL_SIGHT, {
      fleetResolveLag: 1,
      decidedAt: sweepOfEvent,
      storageFailed: (_, s) => plan.hung.has(s) || unsent.has(s) || lateTimers.has(s),
    });
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
  await fc.assert(fc.asyncProperty(planArb, soak), {
    seed: SEED,
    numRuns: RUNS,
    ...replay(),
    endOnFailure: process.env.FUZZ_SHRINK === "0",
    examples: [HUNT_924],
  });
}, 900_000);
