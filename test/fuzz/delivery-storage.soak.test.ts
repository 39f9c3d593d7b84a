// The delivery soak (delivery.soak.test.ts) with the dispatcher's storage made
// hostile: erwatch's Table Storage goes through the loopback fault proxy
// (test/support/table-fault-proxy.ts), and on a random schedule of sweeps the
// `<prefix>Deliveries` table fails in the drains that follow: every call, one
// operation (reads, claims, releases, the "delivered" transaction), one
// receiver's rows, one alert's partition, or a share of calls; hung (a low
// STORAGE_TIMEOUT_MS fires), 503 ServerBusy, 500 OperationTimedOut, 5xx
// without a code, a reset socket, a write done and its answer lost, or slow
// inside the deadline. The receivers misbehave too, less than in the
// delivery soak. The judge (delivery-model.ts) keeps the delivery promises,
// relaxed only where the README's "Guarantees" allow:
//
// - a receiver takes an event twice only in "the one window": it answered
//   2xx, and no record of that delivery was written before the next post
//   while the proxy failed a call on that alert's partition (the proxy's
//   record says which "delivered" transactions landed and which did not);
//   otherwise at most once, and never an older event of an alert after a
//   newer one it was posted, taken or not (the window included: the attempt
//   is recorded on the posting lease before the post);
// - nothing is lost silently: delivered, or superseded (a later event of the
//   alert was posted to the receiver, or parked naming it after storage
//   failed for it, its attempt perhaps recorded), or parked naming the
//   receiver (a delivery log that cannot be read or written counts as that
//   receiver's failure, README "Delivery");
// - one event's storage trouble never holds back another alert's events: a
//   receiver healthy when an event is published takes it in that very drain
//   unless the proxy failed a call on that event's own alert partition in
//   that drain or within a claim's length before it (a lease that could not be
//   released holds only its own alert, until it runs out);
// - every hung call is given up within STORAGE_TIMEOUT_MS.
//
// Fixed seed, bounded runs (FUZZ_SEED / FUZZ_RUNS); loopback only.

import fc from "fast-check";
import { guardsApply, replay } from "./vacuity.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf } from "../support/estate/index.js";
import {
  BEHAVIOURS,
  faultOf,
  mulberry32,
  type Behaviour,
  startTableFaultProxy,
  type TableFault,
  type TableOperation,
  type TableRequest,
} from "../support/table-fault-proxy.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";
import {
  DeliveryJudge,
  HORIZON_MIN,
  MAX_WAIT_MS,
  RECEIVER_TIMEOUT_MS,
  RECEIVERS,
  recoveredAt,
  troubleArb,
  type Mode,
  type ReceiverName,
  type StorageRelief,
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

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2);

/** Low, to keep hung calls cheap, with room for a healthy Azurite call on a loaded 2-core machine. */
const STORAGE_TIMEOUT_MS = 2_000;
/** How late past its deadline a hung call may be given up on a loaded 2-core machine. */
const DEADLINE_SLACK_MS = 1_500;
/** A claim's length (runtime/dispatch.ts longestDeliveryMs with DISPATCH_ATTEMPTS 3), in minutes. */
const CLAIM_MIN = (3 * RECEIVER_TIMEOUT_MS + 2 * MAX_WAIT_MS + 30_000) / MIN;

const ALERT_SWEEPS = 12;
const MAX_SWEEPS = 40;
const MAX_STEPS = 150;

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

type StorageScope =
  | { kind: "everything" }
  | { kind: "operation"; operation: TableOperation }
  | { kind: "receiver"; receiver: ReceiverName }
  /** The alert of the n-th event published so far (modulo), chosen when the sweep's drains start. */
  | { kind: "alert"; nth: number }
  | { kind: "fraction"; percent: number };

interface StorageFault {
  scope: StorageScope;
  behaviour: Behaviour;
  /** The sweep from whose drains on it is in force, until its budget is spent. */
  sweep: number;
  /** Requests it fails, in its sweep's drains or the next with matching calls: a hung call costs STORAGE_TIMEOUT_MS of real time. */
  budget: number;
}

const scopeArb: fc.Arbitrary<StorageScope> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<StorageScope>({ kind: "everything" }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<TableOperation>("get", "insert", "update", "delete")
      .map((operation): StorageScope => ({ kind: "operation", operation })),
  },
  // The "delivered" transaction: the one window opens here.
  { weight: 3, arbitrary: fc.constant<StorageScope>({ kind: "operation", operation: "batch" }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...RECEIVERS)
      .map((receiver): StorageScope => ({ kind: "receiver", receiver })),
  },
  { weight: 3, arbitrary: fc.nat(50).map((nth): StorageScope => ({ kind: "alert", nth })) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 10, max: 50 })
      .map((percent): StorageScope => ({ kind: "fraction", percent })),
  },
);
/** A hung call costs STORAGE_TIMEOUT_MS of real time: a few per sweep. */
const faultAs = (f: StorageFault, behaviour: Behaviour): StorageFault =>
  behaviour === "hang" ? { ...f, behaviour, budget: 1 + (f.budget % 3) } : { ...f, behaviour };
const storageFaultArb: fc.Arbitrary<StorageFault> = fc
  .record({
    scope: scopeArb,
    behaviour: fc.constantFrom(...BEHAVIOURS),
    sweep: fc.integer({ min: 1, max: ALERT_SWEEPS + 2 }),
    budget: fc.integer({ min: 1, max: 8 }),
  })
  .map((f) => faultAs(f, f.behaviour));

interface Plan {
  alerts: Fault[];
  troubles: Trouble[];
  storage: StorageFault[];
  seed: number;
}
const planArb: fc.Arbitrary<Plan> = fc.record({
  alerts: fc.array(alertArb, { minLength: 4, maxLength: 10 }),
  troubles: fc.array(troubleArb, { minLength: 1, maxLength: 3 }),
  // Each way of failing once at least, so every run sees them all, and more at random.
  storage: fc
    .tuple(
      fc.tuple(...BEHAVIOURS.map((b) => storageFaultArb.map((f) => faultAs(f, b)))),
      fc.array(storageFaultArb, { minLength: 2, maxLength: 9 }),
    )
    .map(([every, more]) => [...every, ...more]),
  seed: fc.nat(),
});

/** Whether a faulted write reaches Azurite all the same. */
const lands = (f: TableFault | null) => f === null || f.kind === "lose-answer" || f.kind === "slow";

/** A "delivered" transaction the dispatcher sent, and where it stood among the receiver's posts. */
interface RecordWrite {
  eventId: string;
  receiver: ReceiverName;
  /** Posts the receiver had been sent when the write reached the proxy. */
  postsBefore: number;
  landed: boolean;
}
/** A fault injected on the Deliveries table, with the simulated minute and the receiver's posts so far. */
interface Injected {
  minute: number;
  text: string;
  postsBefore: Record<ReceiverName, number>;
  kind: string;
}

let azurite: Azurite;
let runs = 0;
let simulatedMinutes = 0;
const answered = new Map<Mode | "ok", number>();
const injectedBy = new Map<string, number>();
const tally = {
  sweeps: 0,
  events: 0,
  copies: 0,
  parked: 0,
  delivered: 0,
  windows: 0,
  recordsLost: 0,
  recordsLanded: 0,
  slowestHangMs: 0,
};
const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} ×${n}`).join(", ");
  console.info(
    `delivery storage soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours, ${tally.sweeps} sweeps, ${tally.events} events, ${tally.delivered} deliveries taken, ${tally.copies} rescheduled copies, ${tally.parked} dead letters; Deliveries requests faulted ${list(injectedBy)}; "delivered" records failed ${tally.recordsLost}, landed despite a fault ${tally.recordsLanded}; ${tally.windows} taken twice in the one window; slowest hung call given up after ${tally.slowestHangMs} ms; receiver answers ${list(answered)}`,
  );
  if (guardsApply) {
    // A soak that never failed storage, or never delivered, proves nothing.
    for (const b of ["hang", "status", "reset", "lose-answer", "slow"])
      expect(injectedBy.get(b) ?? 0, `faults: ${b}`).toBeGreaterThan(0);
    expect(tally.delivered).toBeGreaterThan(0);
    expect(tally.recordsLost, '"delivered" records not written').toBeGreaterThan(0);
    expect(answered.get("ok") ?? 0).toBeGreaterThan(0);
    expect(
      [...answered.keys()].filter((k) => k !== "ok").length,
      "receiver faults",
    ).toBeGreaterThan(0);
  }
});

async function soak(plan: Plan): Promise<void> {
  runs += 1;
  const random = mulberry32(plan.seed);
  const { bundles, sims } = soakEstate();
  let now = new Date(T0);
  const minute = () => (now.getTime() - T0) / MIN;
  const proxy = await startTableFaultProxy(azurite);
  const w: World = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    sleep: async () => undefined,
    // Its own stream: drawing from the faults' would shift every fault after a throttle.
    random: mulberry32(plan.seed ^ 0x5bd1e995),
    env: {
      SWEEP_SCHEDULE: "0 */5 * * * *",
      RECEIVER_TIMEOUT_MS: String(RECEIVER_TIMEOUT_MS),
      DISPATCH_RETRY_HORIZON_MINUTES: String(HORIZON_MIN),
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: String(STORAGE_TIMEOUT_MS),
    },
  });
  const deliveriesTable = `${w.env.ERWATCH_TABLE_PREFIX}Deliveries`;
  const receiverOf: Record<ReceiverName, World["pagerduty"]> = {
    pagerduty: w.pagerduty,
    teams: w.teams,
    itsm: w.webhook,
  };
  const { posts, published, parked, look, drainUntil } = deliveryRounds({
    world: w,
    receiverOf,
    troubles: plan.troubles,
    clock: { now: () => now, set: (at) => (now = at), minute },
    drain: () => drain(),
    tally,
    maxSteps: MAX_STEPS,
  });
  const postsNow = () =>
    Object.fromEntries(RECEIVERS.map((r) => [r, receiverOf[r].requests.length])) as Record<
      ReceiverName,
      number
    >;
  const writes: RecordWrite[] = [];
  const injected: Injected[] = [];

  /** The rule in force for one sweep's drains: faults only the Deliveries table. */
  const budgets = plan.storage.map((f) => ({ f, left: f.budget }));
  const ruleFor = (sweep: number) => {
    // Storage is healthy again a while after the alerts end, so every run ends calm.
    const active = budgets.filter(({ f }) => f.sweep <= sweep && sweep <= ALERT_SWEEPS + 4);
    const keys = [...new Set(published.map((p) => p.event.key))];
    const alertOf = (nth: number) => (keys.length ? keys[nth % keys.length]! : "none");
    const matches = (f: StorageFault, r: TableRequest) => {
      switch (f.scope.kind) {
        case "everything":
          return true;
        case "operation":
          return r.operation === f.scope.operation;
        case "receiver":
          return r.text.includes(`|${f.scope.receiver}`);
        case "alert":
          return r.text.includes(alertOf(f.scope.nth));
        case "fraction":
          return random() * 100 < f.scope.percent;
      }
    };
    return (r: TableRequest): TableFault | null => {
      if (r.table !== deliveriesTable) return null;
      let fault: TableFault | null = null;
      for (const a of active)
        if (a.left > 0 && matches(a.f, r)) {
          a.left -= 1;
          fault = faultOf(a.f.behaviour, random);
          break;
        }
      return fault;
    };
  };
  /** Wraps a rule: every "delivered" transaction, and every fault, is written down. */
  const recording = (rule: (r: TableRequest) => TableFault | null) => (r: TableRequest) => {
    if (r.table !== deliveriesTable) return null;
    const fault = rule(r);
    const before = postsNow();
    if (r.operation === "batch" && /"state":\s*"delivered"/.test(r.text))
      for (const row of new Set(
        [...r.text.matchAll(/event\|[A-Za-z0-9._-]+\|[A-Za-z0-9._-]+/g)].map((m) => m[0]),
      )) {
        const [, eventId, receiver] = row.split("|") as [string, string, ReceiverName];
        if (!RECEIVERS.includes(receiver)) continue;
        writes.push({
          eventId,
          receiver,
          postsBefore: before[receiver],
          landed: lands(fault),
        });
      }
    if (fault)
      injected.push({
        minute: minute(),
        text: r.text,
        postsBefore: before,
        kind: fault.kind,
      });
    return fault;
  };
  proxy.rule = recording(() => null);

  const drain = async () => {
    if (w.broker.active(ALERTS_QUEUE).length === 0) return;
    await w.dispatchPending(120_000).catch(() => w.dispatchPending(120_000));
  };
  try {
    const lastTrouble = Math.max(0, ...RECEIVERS.map((r) => recoveredAt(plan.troubles, r)));
    const lastStorage = (ALERT_SWEEPS + 5) * INTERVAL_MIN;
    let had = new Map<CircuitName, Truth>([...sims.keys()].map((n) => [n, HEALTHY]));
    let k = 0;
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
      // The sweep's own storage is healthy: only the dispatcher's Deliveries table fails.
      proxy.rule = recording(() => null);
      if (!quiet) {
        const result = await w.timerSweep();
        tally.sweeps += 1;
        expect(result.errors).toEqual([]);
        quiet =
          k >= ALERT_SWEEPS &&
          result.pendingInOutbox === 0 &&
          (await w.runtime.store.listAlerts()).every((a) => a.value.phase === "clear");
      }
      look();
      proxy.rule = recording(ruleFor(k));
      await drainUntil(T0 + (k + 1) * INTERVAL_MIN * MIN);
      const done =
        quiet &&
        minute() >= Math.max(lastTrouble, lastStorage) + HORIZON_MIN &&
        w.broker.scheduled(ALERTS_QUEUE).length === 0 &&
        w.broker.active(ALERTS_QUEUE).length === 0;
      if (done) break;
    }
    proxy.rule = () => null;
    const faults = proxy.take();
    simulatedMinutes += minute();
    tally.events += published.length;
    tally.parked += parked.length;
    for (const f of faults) {
      bump(injectedBy, f.fault.kind);
      if (f.fault.kind === "hang")
        tally.slowestHangMs = Math.max(tally.slowestHangMs, f.waitedMs ?? 0);
    }
    for (const x of writes) if (!x.landed) tally.recordsLost += 1;
    tally.recordsLanded += writes.filter(
      (x) =>
        x.landed &&
        injected.some(
          (i) => i.kind === "lose-answer" && i.text.includes(`event|${x.eventId}|${x.receiver}`),
        ),
    ).length;

    for (const r of RECEIVERS) {
      receiverOf[r].requests.forEach((req, i) => {
        const post = posts[r][i]!;
        post.status = post.trouble?.mode === "timeout" ? undefined : req.status;
        const mode = post.trouble?.mode ?? "ok";
        answered.set(mode, (answered.get(mode) ?? 0) + 1);
        if (post.status !== undefined && post.status >= 200 && post.status < 300)
          tally.delivered += 1;
      });
    }

    /** Posts taken again in the one window. */
    const windows = new Set<string>();
    const relief: StorageRelief = {
      window: (r, e, earlier, index) => {
        // A record of it written after the first 2xx and before this post: no window.
        const recorded = writes.some(
          (x) =>
            x.eventId === e.id &&
            x.receiver === r &&
            x.landed &&
            x.postsBefore > earlier &&
            x.postsBefore <= index,
        );
        const failed = injected.some(
          (i) =>
            i.text.includes(e.key) &&
            i.postsBefore[r] > earlier &&
            i.postsBefore[r] <= index &&
            i.kind !== "slow",
        );
        const open = !recorded && failed;
        if (open) windows.add(`${r} ${index}`);
        return open;
      },
      failedFor: (e, at) =>
        injected.some(
          (i) =>
            i.text.includes(e.key) &&
            i.kind !== "slow" &&
            i.minute <= at &&
            i.minute >= at - CLAIM_MIN,
        ),
      everFailedFor: (e) => injected.some((i) => i.text.includes(e.key) && i.kind !== "slow"),
    };
    const judge = new DeliveryJudge(
      published,
      posts,
      parked,
      plan.troubles,
      T0,
      {
        cloud: w.dispatch.config.cloud,
        ...(w.dispatch.config.dispatch.statusPageUrl
          ? { statusUrl: w.dispatch.config.dispatch.statusPageUrl }
          : {}),
      },
      relief,
    );
    if (k >= MAX_SWEEPS) judge.violations.push(`not calm after ${MAX_SWEEPS} sweeps`);
    for (const f of faults)
      if (f.fault.kind === "hang" && (f.waitedMs ?? 0) > STORAGE_TIMEOUT_MS + DEADLINE_SLACK_MS)
        judge.violations.push(
          `a hung ${f.request.operation} on ${f.request.table} was waited on ${f.waitedMs} ms (STORAGE_TIMEOUT_MS ${STORAGE_TIMEOUT_MS})`,
        );
    judge.judge();
    judge.pagerDutyEnds();
    tally.windows += windows.size;
    if (judge.violations.length > 0) {
      const storageLines = injected.map(
        (i) =>
          `  storage +${i.minute.toFixed(2)} min ${i.kind} ${i.text.split("\n")[0]!.slice(0, 160)} (posts so far ${RECEIVERS.map((r) => `${r} ${i.postsBefore[r]}`).join(", ")})`,
      );
      const writeLines = writes.map(
        (x) =>
          `  record ${x.eventId} ${x.receiver} after post #${x.postsBefore} ${x.landed ? "landed" : "not written"}`,
      );
      throw new Error(
        `${judge.violations.slice(0, 12).join("\n")}\n--- plan ---\n${JSON.stringify(plan)}\n--- timeline ---\n${judge.timeline()}\n${storageLines.join("\n")}\n${writeLines.join("\n")}`,
      );
    }
  } finally {
    proxy.rule = () => null;
    await w.close();
    await proxy.close();
  }
}

it("with the Deliveries table failing, every event still reaches each receiver at most once (but for the one window) and in order, or is parked visibly, and one alert's storage never holds back another's", async () => {
  await fc.assert(fc.asyncProperty(planArb, soak), {
    seed: SEED,
    numRuns: RUNS,
    ...replay(),
    endOnFailure: true,
  });
}, 900_000);
