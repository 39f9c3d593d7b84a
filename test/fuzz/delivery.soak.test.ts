// Property-based soak of delivery at the product's cadence: the lifecycle
// soak's small estate swept by the real timer function every 5 minutes on an
// injected clock, while the dispatcher drains the alerts queue after each
// sweep and again whenever a rescheduled copy comes due on that clock, through
// the real Service Bus client and Table Storage, to three receivers that a
// random schedule makes hostile for spans of time: 429 with Retry-After in
// seconds and as an HTTP-date, or with none (PagerDuty's), 500 / 503, answers slower than
// RECEIVER_TIMEOUT_MS, dropped sockets, 400 rejections; and Service Bus down
// for a sweep's interval now and then. Backoffs are recorded, not waited. The
// judge holds what README "Delivery" and "Guarantees" promise:
//
// - a receiver takes each event at most once (a 2xx answer), and is never
//   posted an event of an alert older than one it was posted, taken or not;
// - a receiver that is healthy when an event is published takes it in that
//   very drain, whatever the other receivers and the other events do;
// - an event routed to a receiver reaches it (or a later event of its alert
//   was posted to it: the older is dropped as stale), or is dead-lettered
//   naming the receiver and its last status: for
//   a 400 at once, otherwise only for a receiver not back before the horizon;
// - PagerDuty ends with every incident resolved, unless its resolve was
//   visibly given up.
//
// Fixed seed, bounded runs (FUZZ_SEED / FUZZ_RUNS); loopback only.

import fc from "fast-check";
import { guardsApply, replay } from "./vacuity.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf } from "../support/estate/index.js";
import { mulberry32 } from "../support/table-fault-proxy.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";
import {
  DeliveryJudge,
  HORIZON_MIN,
  MAX_WAIT_MS,
  RECEIVER_TIMEOUT_MS,
  RECEIVERS,
  recoveredAt,
  everyTroubleArb,
  troubleArb,
  type Mode,
  type ReceiverName,
  type Trouble,
} from "./delivery-model.js";
import { deliveryRounds } from "./delivery-rounds.js";
import {
  apply,
  HEALTHY,
  INTERVAL_MIN,
  MIN,
  PATHS,
  soakEstate,
  T0,
  truthAt,
  type CircuitName,
  type Fault,
  type Kind,
  type Truth,
} from "./lifecycle-model.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3);

/** Sweeps in which circuits break and heal (an hour); every fault is repaired by the last. */
const ALERT_SWEEPS = 12;
/** Most sweeps a run takes: the receivers' last trouble, the horizon, the resolves. */
const MAX_SWEEPS = 40;
/** Most drains between two sweeps (copies coming due): a bound, not a target. */
const MAX_STEPS = 150;

/** Faults that open, escalate, de-escalate and resolve in a few sweeps (no flaps, which hold an hour). */
const ALERT_KINDS: Kind[] = [
  "carrier-one-path",
  "carrier-both-paths",
  "bgp-idle-one-path",
  "prefixes-near-limit",
  "prefixes-over-limit",
  "provider-not-provisioned",
];
const alertArb: fc.Arbitrary<Fault> = fc.record({
  target: fc.constantFrom<Fault["target"]>("soak-ams-a", "soak-ams-b", "soak-lon", "site"),
  kind: fc.constantFrom(...ALERT_KINDS),
  path: fc.constantFrom(...PATHS),
  start: fc.integer({ min: 1, max: ALERT_SWEEPS - 2 }),
  sweeps: fc.integer({ min: 2, max: 6 }),
});

interface Plan {
  alerts: Fault[];
  troubles: Trouble[];
  /** Sweeps at which Service Bus is down until the next sweep. */
  brokerDown: number[];
  /** Seeds where in its spread each pause of a bare 429 falls. */
  spreadSeed: number;
}
const planArb: fc.Arbitrary<Plan> = fc.record({
  alerts: fc.array(alertArb, { minLength: 3, maxLength: 8 }),
  troubles: fc
    .tuple(everyTroubleArb, fc.array(troubleArb, { maxLength: 5 }))
    // The forced spans last, so a random one never hides them (the last span covering a minute wins).
    .map(([every, more]) => [...more, ...every]),
  brokerDown: fc.uniqueArray(fc.integer({ min: 1, max: ALERT_SWEEPS + 2 }), { maxLength: 2 }),
  spreadSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

let azurite: Azurite;
let runs = 0;
let simulatedMinutes = 0;
/** What the receivers answered erwatch, by the trouble they were in ("ok": healthy). */
const answered = new Map<Mode | "ok", number>();
const tally = {
  sweeps: 0,
  events: 0,
  copies: 0,
  parked: 0,
  brokerOutages: 0,
  sleeps: 0,
  longestSleepMs: 0,
  stale: 0,
};

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  console.info(
    `delivery soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours, ${tally.sweeps} sweeps, ${tally.events} events, ${tally.copies} rescheduled copies, ${tally.parked} dead letters, ${tally.stale} stale drops, ${tally.brokerOutages} broker outages, ${tally.sleeps} backoffs (longest ${tally.longestSleepMs / 1000} s); answers ${[...answered].map(([k, n]) => `${k} ×${n}`).join(", ")}`,
  );
  if (guardsApply) {
    // A soak that never saw a receiver misbehave proves nothing.
    // Each way of misbehaving answered something. A span is only answered when an event is
    // posted inside it, so the forms of one way (a 429's Retry-After as seconds or as a date;
    // 500 or 503; a timeout or a dropped socket) count together.
    const families: (readonly Mode[])[] = [
      ["429-seconds", "429-date", "429-bare"],
      ["500", "503"],
      ["timeout", "drop"],
      ["400"],
    ];
    for (const modes of families)
      expect(
        modes.reduce((n, m) => n + (answered.get(m) ?? 0), 0),
        `answers under ${modes.join(" or ")}`,
      ).toBeGreaterThan(0);
    expect(answered.get("ok") ?? 0).toBeGreaterThan(0);
    expect(tally.copies).toBeGreaterThan(0);
    expect(tally.parked).toBeGreaterThan(0);
    expect(tally.brokerOutages).toBeGreaterThan(0);
  }
  expect(tally.longestSleepMs).toBeLessThanOrEqual(MAX_WAIT_MS);
});

async function soak(plan: Plan): Promise<void> {
  runs += 1;
  const { bundles, sims } = soakEstate();
  let now = new Date(T0);
  const minute = () => (now.getTime() - T0) / MIN;
  const logLines: string[] = [];
  const w: World = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    random: mulberry32(plan.spreadSeed),
    sleep: async (ms) => {
      tally.sleeps += 1;
      tally.longestSleepMs = Math.max(tally.longestSleepMs, ms);
    },
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      RECEIVER_TIMEOUT_MS: String(RECEIVER_TIMEOUT_MS),
      DISPATCH_RETRY_HORIZON_MINUTES: String(HORIZON_MIN),
    },
    logDestination: {
      write: (line: string) => {
        if (line.includes("not delivered: stale")) logLines.push(line);
        return true;
      },
    },
  });
  const receiverOf: Record<ReceiverName, World["pagerduty"]> = {
    pagerduty: w.pagerduty,
    teams: w.teams,
    itsm: w.webhook,
  };
  /** Dispatches what the broker holds (an empty receive waits out its 200 ms: skipped). */
  const drain = async () => {
    if (w.broker.active(ALERTS_QUEUE).length === 0) return;
    // As `erwatch dispatch` does: a receive that finds its connection gone (the
    // broker restarted under it) fails, and the next one reconnects.
    await w.dispatchPending(60_000).catch(() => w.dispatchPending(60_000));
  };
  const { posts, published, parked, look, drainUntil } = deliveryRounds({
    world: w,
    receiverOf,
    troubles: plan.troubles,
    clock: { now: () => now, set: (at) => (now = at), minute },
    drain,
    tally,
    maxSteps: MAX_STEPS,
  });
  try {
    const lastTrouble = Math.max(0, ...RECEIVERS.map((r) => recoveredAt(plan.troubles, r)));
    let had = new Map<CircuitName, Truth>([...sims.keys()].map((n) => [n, HEALTHY]));
    let k = 0;
    /** Past the alerts, with nothing open: a sweep of the healthy estate publishes nothing, so only the clock moves. */
    let quiet = false;
    for (; k < MAX_SWEEPS; k += 1) {
      now = new Date(T0 + k * INTERVAL_MIN * MIN);
      const want = new Map<CircuitName, Truth>();
      for (const [name, circuit] of sims) {
        const truth = k < ALERT_SWEEPS ? truthAt(plan.alerts, name, k) : HEALTHY;
        apply(circuit, had.get(name)!, truth);
        want.set(name, truth);
      }
      had = want;
      const down = plan.brokerDown.includes(k);
      if (down) {
        tally.brokerOutages += 1;
        await w.stopBroker();
      }
      if (!quiet) {
        const result = await w.timerSweep();
        tally.sweeps += 1;
        expect(result.errors).toEqual([]);
        quiet =
          k >= ALERT_SWEEPS &&
          result.pendingInOutbox === 0 &&
          (await w.runtime.store.listAlerts()).every((a) => a.value.phase === "clear");
      }
      if (down) {
        // Down until the next sweep: nothing is published or delivered meanwhile.
        await w.restartBroker();
        continue;
      }
      look();
      await drainUntil(T0 + (k + 1) * INTERVAL_MIN * MIN);
      const done =
        quiet &&
        minute() >= lastTrouble + HORIZON_MIN &&
        w.broker.scheduled(ALERTS_QUEUE).length === 0 &&
        w.broker.active(ALERTS_QUEUE).length === 0;
      if (done) break;
    }
    simulatedMinutes += minute();
    tally.events += published.length;
    tally.parked += parked.length;
    tally.stale += logLines.length;

    // What each post was answered, now that the slow ones have had their say.
    for (const r of RECEIVERS) {
      receiverOf[r].requests.forEach((req, i) => {
        const post = posts[r][i]!;
        // A slow answer lands after erwatch gave up: the receiver took it, erwatch never heard.
        post.status = post.trouble?.mode === "timeout" ? undefined : req.status;
        const mode = post.trouble?.mode ?? "ok";
        answered.set(mode, (answered.get(mode) ?? 0) + 1);
      });
    }
    const judge = new DeliveryJudge(published, posts, parked, plan.troubles, T0, {
      cloud: w.dispatch.config.cloud,
      ...(w.dispatch.config.dispatch.statusPageUrl
        ? { statusUrl: w.dispatch.config.dispatch.statusPageUrl }
        : {}),
    });
    if (k >= MAX_SWEEPS) judge.violations.push(`not calm after ${MAX_SWEEPS} sweeps`);
    judge.judge();
    judge.pagerDutyEnds();
    if (judge.violations.length > 0)
      throw new Error(
        `${judge.violations.slice(0, 12).join("\n")}\n--- plan ---\n${JSON.stringify(plan)}\n--- timeline ---\n${judge.timeline()}`,
      );
  } finally {
    await w.close();
  }
}

it("every event reaches every receiver it is routed to, at most once and in order, or is parked visibly, however hostile the receivers", async () => {
  await fc.assert(fc.asyncProperty(planArb, soak), {
    seed: SEED,
    numRuns: RUNS,
    ...replay(),
    endOnFailure: true,
  });
}, 900_000);
