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
//   on the dedup_key, and ends resolved.
//
// What the product deliberately does otherwise is not asserted: a flap alert
// holds its paths' alerts and keeps them open until it calms, a fleet alert
// holds its members' alerts, the provider's alert holds what rides on the
// circuit. Fixed seed, bounded runs (FUZZ_SEED / FUZZ_RUNS); loopback only.

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
  HEALTHY,
  INTERVAL_MIN,
  Judge,
  MIN,
  RESOLVE_AFTER,
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

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  console.info(
    `lifecycle soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours; heard ${[...heard].map(([k, n]) => `${k} ×${n}`).join(", ")}`,
  );
  const count = (re: RegExp) =>
    [...heard].filter(([k]) => re.test(k)).reduce((n, [, c]) => n + c, 0);
  if (guardsApply) {
    expect(count(/^open path-down Sev0/)).toBeGreaterThan(0);
    expect(count(/^open path-down Sev2/)).toBeGreaterThan(0);
    expect(count(/^open route-limit/)).toBeGreaterThan(0);
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
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  try {
    const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
    const judge = new Judge(ids);
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
      const result = await w.timerSweep();
      expect(result.errors).toEqual([]);
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
  await fc.assert(fc.asyncProperty(fc.array(faultArb, { minLength: 2, maxLength: 10 }), soak), {
    seed: SEED,
    numRuns: RUNS,
  });
}, 900_000);
