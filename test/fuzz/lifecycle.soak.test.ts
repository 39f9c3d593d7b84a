// Property-based soak of the alert lifecycle at the product's cadence: a small
// estate (two circuits through one carrier's site, one elsewhere) read by the
// real timer function every 5 minutes on an injected clock, through the real
// ARM SDK, Table Storage, Service Bus and the receivers, while a random
// schedule of carrier outages, BGP sessions going Idle, prefix counts creeping
// to and past the route limit and de-provisioned circuits comes and goes —
// some for several sweeps, some for one (noise). A model of what the estate
// shows at each sweep judges what the broker accepted and what PagerDuty got
// against what design.md and the README promise the person on call:
//
// - a fault that lasts pages (its circuit's own alert, or a fleet alert that
//   names it) within its hysteresis plus the sweep a quiet circuit may wait
//   for its deep read; both paths down is Sev0 by then;
// - a one-sweep blip below Sev0 never pages (hysteresis);
// - one path down with the other carrying routes is Sev2, never Sev0/Sev1;
//   both paths down is Sev0; near / over the route limit is Sev3 / Sev2;
// - no key opens twice without a resolve between, none is touched after its
//   resolve, sequences count up by one;
// - no resolve while the condition it is about is still there;
// - everything opened resolves within its resolve hysteresis of the repair
//   (a flap episode's hour when a flap holds it), and nothing is left open;
// - events about a circuit carry that circuit's own key; a fleet alert names
//   only circuits of its provider and location;
// - PagerDuty hears exactly the events routed to it, trigger/resolve paired
//   on the dedup_key, and ends resolved;
// - Service Bus that stops answering for a sweep now and then (a hung
//   namespace, the Service Bus client as the product builds it) costs that
//   sweep's pages one SERVICEBUS_TIMEOUT_MS and a sweep of lateness (README
//   "Delivery"): each goes out, once, in the next sweep that can send, judged
//   against the reading of the sweep that decided it.
//
// What the product deliberately does otherwise is not asserted: a flap alert
// holds its paths' alerts and keeps them open until it calms, a fleet alert
// holds its members' alerts, the provider's alert holds what rides on the
// circuit. Fixed seed, bounded runs (FUZZ_SEED / FUZZ_RUNS); loopback only.

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

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);

let azurite: Azurite;
let simulatedMinutes = 0;
let runs = 0;
/** What the runs made erwatch say (action family severity → count): a soak that pages nothing proves nothing. */
const heard = new Map<string, number>();
/** Sweeps the broker hung through while the sweep had events to send. */
let hungWithPages = 0;
/** Real time: far below the SDK's own 60 s per attempt. */
const SEND_DEADLINE_MS = 500;

interface Plan {
  faults: readonly Fault[];
  /** Sweeps during which Service Bus answers nothing. */
  hung: readonly number[];
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  faults: fc.array(faultArb, { minLength: 2, maxLength: 10 }),
  hung: fc.uniqueArray(fc.integer({ min: 1, max: FAULT_SWEEPS - 1 }), { maxLength: 4 }),
});

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  console.info(
    `lifecycle soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours, ${hungWithPages} sweep(s) with pages to send while Service Bus hung; heard ${[...heard].map(([k, n]) => `${k} ×${n}`).join(", ")}`,
  );
  const count = (re: RegExp) =>
    [...heard].filter(([k]) => re.test(k)).reduce((n, [, c]) => n + c, 0);
  if (guardsApply) {
    expect(count(/^open path-down Sev0/)).toBeGreaterThan(0);
    expect(count(/^open path-down Sev2/)).toBeGreaterThan(0);
    expect(count(/^open route-limit/)).toBeGreaterThan(0);
    expect(count(/^resolve /)).toBeGreaterThan(0);
    expect(hungWithPages).toBeGreaterThan(0);
  }
});

async function soak(plan: Plan): Promise<void> {
  runs += 1;
  const schedule = plan.faults;
  const hung = new Set(plan.hung);
  const { bundles, sims } = soakEstate();
  let now = new Date(T0);
  const w = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    sleep: async () => undefined,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *", SERVICEBUS_TIMEOUT_MS: String(SEND_DEADLINE_MS) },
    // The product's Service Bus client (the SDK's retry defaults under erwatch's own).
    serviceBusOptions: {},
  });
  try {
    const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
    // A sweep whose events could not leave the outbox is no sighting: its pages are late by it.
    const judge = new Judge(ids, undefined, {
      storageFailed: (_, s) => hung.has(s) || unsent.has(s),
      decidedAt: sweepOfEvent,
    });
    let accepted = 0;
    // A sweep whose pages did not all leave (its send missed the deadline on a loaded
    // machine, hung or not) is judged the same way: they go out with the next.
    const unsent = new Set<number>();
    const sweep = async (k: number) => {
      const perCircuit = new Map<CircuitName, Truth>();
      for (const [name, circuit] of sims) {
        const want = k < FAULT_SWEEPS ? truthAt(schedule, name, k) : HEALTHY;
        apply(circuit, judge.truth(name, k - 1), want);
        perCircuit.set(name, want);
      }
      judge.truths[k] = perCircuit;
      now = new Date(T0 + k * INTERVAL_MIN * MIN);
      w.broker.hang(hung.has(k));
      let result;
      try {
        result = await w.timerSweep();
      } finally {
        w.broker.hang(false);
      }
      expect(result.errors).toEqual([]);
      if (result.pendingInOutbox > 0) unsent.add(k);
      if (hung.has(k) && result.pendingInOutbox > 0) {
        hungWithPages += 1;
        expect(result.brokerError).toMatch(/did not answer within/);
      }
      const all = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
      judge.observe(k, all.slice(accepted));
      accepted = all.length;
    };

    let k = 0;
    for (; k < FAULT_SWEEPS; k += 1) await sweep(k);
    // The quiet tail: until nothing is open and the resolve count has passed, then one sweep to be sure.
    const lastTrouble = Math.max(
      -1,
      ...judge.truths.flatMap((perCircuit, s) =>
        [...perCircuit.values()].some(troubled) ? [s] : [],
      ),
    );
    for (; k < FAULT_SWEEPS + TAIL_SWEEPS; k += 1) {
      await sweep(k);
      if (judge.openKeys().length === 0 && k >= lastTrouble + RESOLVE_AFTER) break;
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
    await w.close();
  }
}

it("the alert lifecycle holds its promises through hours of random faults and repairs", async () => {
  await fc.assert(fc.asyncProperty(planArb, soak), {
    seed: SEED,
    numRuns: RUNS,
    ...replay(),
  });
}, 900_000);
