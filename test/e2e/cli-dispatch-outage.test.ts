// `erwatch dispatch` runs unattended for days against Service Bus as the
// product builds its client (the SDK's defaults under erwatch's own). A broker
// that restarts, or one that stops answering while a connection opens or while
// a message is being settled, costs it a reconnect and a logged pause, never
// the process and never a page: each event reaches PagerDuty once, after the
// broker answers again. Only SERVICEBUS_TIMEOUT_MS and the retry pause are
// real time; every wait is bounded.

import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { estateOf, healthyCircuit, type SimCircuit } from "../support/estate/index.js";
import { setProviderState } from "../support/estate/mutators.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
/** Far below the SDK's 60 s per attempt, far above a loopback call. */
const DEADLINE_MS = 1_000;
/** Generous bounds on waits for what takes a loopback second or two. */
const BOUND_MS = 20_000;

let azurite: Azurite;
let world: World | null = null;
let stopCli: (() => Promise<number>) | null = null;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterEach(async () => {
  world?.broker.hang(false);
  await stopCli?.();
  stopCli = null;
  await world?.close();
  world = null;
});
afterAll(async () => {
  await azurite?.stop();
});

async function until(what: string, ok: () => boolean): Promise<void> {
  const give = Date.now() + BOUND_MS;
  while (!ok()) {
    if (Date.now() > give) throw new Error(`${what}: not within ${BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function site() {
  const bundles = [healthyCircuit({ name: "er-lon-a" }), healthyCircuit({ name: "er-lon-b" })];
  let now = new Date(T0);
  world = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *", SERVICEBUS_TIMEOUT_MS: String(DEADLINE_MS) },
  });
  const w = world;
  const circuits = bundles.map((b) => b.circuit as SimCircuit);
  /** Breaks a circuit and sweeps at T0 + m minutes: its open is published. */
  const breakAt = async (m: number, circuit: SimCircuit) => {
    setProviderState(circuit, "NotProvisioned");
    now = new Date(T0 + m * MIN);
    const result = await w.timerSweep();
    expect(result.pendingInOutbox).toBe(0);
  };
  await w.timerSweep();
  let stderr = "";
  /** `erwatch dispatch [--once]` on the world's settings, its stderr kept. */
  const dispatch = (args: string[], signal?: AbortSignal) =>
    runCli(["dispatch", ...args], {
      env: w.env,
      stdout: { write: () => true },
      stderr: {
        write: (s: string) => {
          stderr += s;
          return true;
        },
      },
      ...(signal ? { signal } : {}),
    });
  const cli = () => {
    const stop = new AbortController();
    const run = dispatch([], stop.signal);
    stopCli = () => {
      stop.abort();
      return run;
    };
    return run;
  };
  const paged = () =>
    w.pagerduty.requests.map((r) => {
      const body = r.body as { event_action: string; payload: { source: string } };
      return `${body.event_action} ${body.payload.source.split("/").at(-1)}`;
    });
  return { w, circuits, breakAt, cli, dispatch, stderr: () => stderr, paged };
}

it("a broker that restarts costs erwatch dispatch a logged pause, not the process: the page published after it goes out", async () => {
  const { w, circuits, breakAt, cli, stderr, paged } = await site();
  const exit = cli();
  await breakAt(5, circuits[0]!);
  await until("the first page", () => paged().length === 1);

  await w.stopBroker();
  await until("the failed receive logged", () =>
    stderr().includes("could not receive alert events from Service Bus"),
  );
  await w.restartBroker();
  await breakAt(10, circuits[1]!);
  await until("the second page", () => paged().length === 2);
  await until("the recovery logged", () =>
    stderr().includes("receiving alert events from Service Bus again"),
  );
  expect(paged()).toEqual(["trigger er-lon-a", "trigger er-lon-b"]);
  expect(await stopCli!()).toBe(0);
  stopCli = null;
  await exit;
}, 60_000);

it("a broker that hangs while the connection opens is named within SERVICEBUS_TIMEOUT_MS, and its waiting page goes out once it answers", async () => {
  const { w, circuits, breakAt, cli, stderr, paged } = await site();
  await breakAt(5, circuits[0]!);
  w.broker.hang(true);
  void cli();
  await until("the hung receive named", () =>
    stderr().includes(
      `receiving from ${ALERTS_QUEUE} failed: Service Bus did not answer within ${DEADLINE_MS} ms (SERVICEBUS_TIMEOUT_MS)`,
    ),
  );
  expect(paged()).toEqual([]);
  w.broker.hang(false);
  await until("the page", () => paged().length === 1);
  await until("the queue drained", () => w.broker.active(ALERTS_QUEUE).length === 0);
  expect(paged()).toEqual(["trigger er-lon-a"]);
}, 60_000);

it("a broker that hangs while a delivered event is being completed: the message comes back after it answers and is settled without a second page", async () => {
  const { w, circuits, breakAt, cli, stderr, paged } = await site();
  void cli();
  await breakAt(5, circuits[0]!);
  await until("the first page", () => paged().length === 1);

  // PagerDuty answers slowly: the broker stops answering between the post and its completion.
  w.pagerduty.respondWith(202, { delayMs: 1_500 });
  await breakAt(10, circuits[1]!);
  await until("the second post", () => paged().length === 2);
  w.broker.hang(true);
  await until("the hung completion named", () =>
    /completing \S+ failed: Service Bus did not answer within 1000 ms/.test(stderr()),
  );
  w.broker.hang(false);
  const second = w.broker
    .accepted(ALERTS_QUEUE)
    .map((m) => m.body as AlertEvent)
    .find((e) => e.circuit.name === "er-lon-b")!;
  await until("the second event completed", () =>
    w.broker.completed(ALERTS_QUEUE).some((m) => (m.body as AlertEvent).id === second.id),
  );
  expect(w.broker.active(ALERTS_QUEUE)).toEqual([]);
  expect(paged()).toEqual(["trigger er-lon-a", "trigger er-lon-b"]);
}, 60_000);

it("erwatch dispatch --once with Service Bus down exits 2 and says why, for the scheduler that runs it", async () => {
  const { w, dispatch, stderr } = await site();
  await w.stopBroker();
  expect(await dispatch(["--once"])).toBe(2);
  expect(stderr()).toContain("erwatch dispatch: handled 0 messages");
  expect(stderr()).toMatch(
    /erwatch dispatch: could not receive alert events from Service Bus: .*ECONNREFUSED/,
  );
}, 60_000);
