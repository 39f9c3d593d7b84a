import { describe, expect, it } from "vitest";
import {
  MAX_WAITING_SWEEPS,
  SweepCoordinator,
  type Admission,
} from "../../src/app/sweep-coordinator.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The admission of a sweep that was let in. */
function admitted<T>(a: Admission<T>) {
  if (a.busy) throw new Error("refused as busy");
  return a;
}

describe("SweepCoordinator", () => {
  it("should let a request join a running full sweep and share its result", async () => {
    const c = new SweepCoordinator<string>();
    const d = deferred<string>();
    let starts = 0;
    const first = admitted(c.run({ circuitIds: null }, () => (starts++, d.promise)));
    const second = admitted(
      c.run({ circuitIds: ["/subscriptions/x/a"] }, () => (starts++, Promise.resolve("other"))),
    );
    expect(second.joined).toBe(true);
    d.resolve("full");
    expect(await first.result).toBe("full");
    expect(await second.result).toBe("full");
    expect(starts).toBe(1);
  });

  it("should queue a request the running sweep does not cover, never running two at once", async () => {
    const c = new SweepCoordinator<string>();
    const d = deferred<string>();
    let active = 0;
    let maxActive = 0;
    const wrap = (p: Promise<string>) => () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      return p.finally(() => (active -= 1));
    };
    const one = admitted(c.run({ circuitIds: ["/a"] }, wrap(d.promise)));
    const two = admitted(c.run({ circuitIds: null }, wrap(Promise.resolve("full"))));
    expect(two.joined).toBe(false);
    d.resolve("a");
    expect([await one.result, await two.result]).toEqual(["a", "full"]);
    expect(maxActive).toBe(1);
    expect(c.running).toBe(false);
  });

  it("should share a failure with whoever joined and recover for the next sweep", async () => {
    const c = new SweepCoordinator<string>();
    const d = deferred<string>();
    const one = admitted(c.run({ circuitIds: null }, () => d.promise));
    const joined = admitted(c.run({ circuitIds: null }, () => Promise.resolve("never")));
    d.reject(new Error("ARM down"));
    await expect(one.result).rejects.toThrow("ARM down");
    await expect(joined.result).rejects.toThrow("ARM down");
    expect(await admitted(c.run({ circuitIds: null }, () => Promise.resolve("ok"))).result).toBe(
      "ok",
    );
  });

  it("should let a request join a waiting sweep that covers it, not only the running one", async () => {
    const c = new SweepCoordinator<string>();
    const d = deferred<string>();
    let starts = 0;
    admitted(c.run({ circuitIds: ["/a"] }, () => d.promise));
    const waiting = admitted(
      c.run({ circuitIds: ["/b", "/c"] }, () => (starts++, Promise.resolve("bc"))),
    );
    const joins = admitted(c.run({ circuitIds: ["/C"] }, () => (starts++, Promise.resolve("c"))));
    expect(joins.joined).toBe(true);
    d.resolve("a");
    expect(await joins.result).toBe(await waiting.result);
    expect(starts).toBe(1);
  });

  it("should run the timer's sweep next, ahead of on-demand sweeps still waiting, and refuse on-demand ones past the limit", async () => {
    const c = new SweepCoordinator<string>();
    const running = deferred<string>();
    const order: string[] = [];
    const named = (id: string) => () => (order.push(id), Promise.resolve(id));
    admitted(c.run({ circuitIds: ["/running"] }, () => (order.push("running"), running.promise)));
    const waiting = Array.from({ length: MAX_WAITING_SWEEPS }, (_, i) =>
      admitted(c.run({ circuitIds: [`/w${i}`] }, named(`w${i}`))),
    );
    // A burst: one more on-demand sweep waits no longer; it is told to come back.
    expect(c.run({ circuitIds: ["/late"] }, named("late"))).toEqual({ busy: true });
    // The timer is never refused, and does not wait behind the on-demand queue.
    const timer = admitted(
      c.run({ circuitIds: null, tiered: true }, named("timer"), "t", { urgent: true }),
    );
    expect(timer.joined).toBe(false);
    running.resolve("running");
    await Promise.all([timer.result, ...waiting.map((w) => w.result)]);
    expect(order).toEqual(["running", "timer", ...waiting.map((_, i) => `w${i}`)]);
    // Once they are done, on-demand sweeps are taken again.
    expect(c.run({ circuitIds: ["/late"] }, named("late")).busy).toBe(false);
  });

  it("should not let the timer's sweep join a waiting on-demand one: it runs next, and answers the estate requests it covers", async () => {
    const c = new SweepCoordinator<string>();
    const running = deferred<string>();
    const order: string[] = [];
    const started = (id: string) => () => (order.push(id), Promise.resolve(id));
    admitted(c.run({ circuitIds: ["/running"] }, () => (order.push("running"), running.promise)));
    const named = admitted(c.run({ circuitIds: ["/x"] }, started("x")));
    const estate = admitted(
      c.run({ circuitIds: null, tiered: true }, started("estate on demand"), "od"),
    );
    const timer = admitted(
      c.run({ circuitIds: null, tiered: true }, started("timer"), "t", { urgent: true }),
    );
    // Not joined to the waiting estate request: that is behind /x, in that request's window, and no tick.
    expect([timer.joined, timer.id]).toEqual([false, "t"]);
    running.resolve("running");
    expect(await timer.result).toBe("timer");
    // The waiting estate request is answered by the timer's sweep, not swept again.
    expect(await estate.result).toBe("timer");
    expect(await named.result).toBe("x");
    expect(order).toEqual(["running", "timer", "x"]);
  });

  it("should not let the timer's sweep join a running on-demand estate sweep: it runs right after it, and estate requests meanwhile join the timer's", async () => {
    // An on-demand sweep is no tick (hysteresis counts the timer's): joined, the
    // timer's slot had none, and a Sev0 that sweep first saw waited for the next.
    const c = new SweepCoordinator<string>();
    const onDemand = deferred<string>();
    const timerSweep = deferred<string>();
    const timerStarted = deferred<void>();
    const order: string[] = [];
    admitted(
      c.run(
        { circuitIds: null, tiered: true },
        () => (order.push("on demand"), onDemand.promise),
        "od",
      ),
    );
    const timer = admitted(
      c.run(
        { circuitIds: null, tiered: true },
        () => (order.push("timer"), timerStarted.resolve(), timerSweep.promise),
        "t",
        { urgent: true },
      ),
    );
    expect([timer.joined, timer.id]).toEqual([false, "t"]);
    // While it waits, and while it runs, an estate request is answered by the timer's sweep.
    const waiting = admitted(
      c.run({ circuitIds: null, tiered: true }, () => Promise.resolve("never"), "od2"),
    );
    expect([waiting.joined, waiting.id]).toEqual([true, "t"]);
    onDemand.resolve("on demand");
    await timerStarted.promise;
    expect(order).toEqual(["on demand", "timer"]);
    const running = admitted(
      c.run({ circuitIds: null, tiered: true }, () => Promise.resolve("never"), "od3"),
    );
    expect([running.joined, running.id]).toEqual([true, "t"]);
    timerSweep.resolve("timer");
    expect([await timer.result, await waiting.result, await running.result]).toEqual([
      "timer",
      "timer",
      "timer",
    ]);
    expect(order).toEqual(["on demand", "timer"]);
  });

  it("should let a second tick join the timer's sweep running: that one is a tick", async () => {
    const c = new SweepCoordinator<string>();
    const d = deferred<string>();
    let starts = 0;
    const tick = { circuitIds: null, tiered: true };
    const first = admitted(c.run(tick, () => (starts++, d.promise), "t1", { urgent: true }));
    const second = admitted(
      c.run(tick, () => (starts++, Promise.resolve("t2")), "t2", { urgent: true }),
    );
    expect([second.joined, second.id]).toEqual([true, "t1"]);
    d.resolve("t1");
    expect([await first.result, await second.result]).toEqual(["t1", "t1"]);
    expect(starts).toBe(1);
  });

  it("should let a second tick join the timer's sweep still waiting behind an on-demand one: the estate is read once, not twice back to back", async () => {
    // The waiting one starts after this tick fired: it reads for this tick too.
    const c = new SweepCoordinator<string>();
    const onDemand = deferred<string>();
    const order: string[] = [];
    const tick = { circuitIds: null, tiered: true };
    admitted(c.run({ circuitIds: null }, () => (order.push("on demand"), onDemand.promise), "od"));
    const first = admitted(
      c.run(tick, () => (order.push("t1"), Promise.resolve("t1")), "t1", { urgent: true }),
    );
    const second = admitted(
      c.run(tick, () => (order.push("t2"), Promise.resolve("t2")), "t2", { urgent: true }),
    );
    expect([second.joined, second.id]).toEqual([true, "t1"]);
    onDemand.resolve("on demand");
    expect([await first.result, await second.result]).toEqual(["t1", "t1"]);
    expect(order).toEqual(["on demand", "t1"]);
    expect(c.running).toBe(false);
  });

  it("should start a timer's sweep that waited with the latest tick it answers for; one running keeps its own", async () => {
    // Its window is measured from that tick: from the first, it could be over before it starts.
    const c = new SweepCoordinator<string>();
    const onDemand = deferred<string>();
    const running = deferred<string>();
    const ticks: (number | undefined)[] = [];
    const tick = { circuitIds: null, tiered: true };
    const at = (m: number) => ({ wallMs: m * 60_000, dueMs: m * 60_000 });
    const sweep = (result: Promise<string>) => (t: { wallMs: number } | undefined) => (
      ticks.push(t && t.wallMs / 60_000),
      result
    );
    admitted(c.run({ circuitIds: null }, () => onDemand.promise, "od"));
    admitted(c.run(tick, sweep(running.promise), "t5", { urgent: true, tick: at(5) }));
    admitted(c.run(tick, sweep(Promise.resolve("t10")), "t10", { urgent: true, tick: at(10) }));
    // An earlier tick arriving late does not take the window back.
    admitted(c.run(tick, sweep(Promise.resolve("t9")), "t9", { urgent: true, tick: at(9) }));
    onDemand.resolve("on demand");
    await onDemand.promise;
    await Promise.resolve();
    expect(ticks).toEqual([10]);
    // Running now: a tick that joins it changes nothing it already started with.
    admitted(c.run(tick, sweep(Promise.resolve("t15")), "t15", { urgent: true, tick: at(15) }));
    running.resolve("t5");
    await running.promise;
    expect(ticks).toEqual([10]);
  });

  it("should fail a sweep whose start throws, and run the next", async () => {
    const c = new SweepCoordinator<string>();
    const broken = admitted(
      c.run({ circuitIds: ["/a"] }, () => {
        throw new Error("no deps");
      }),
    );
    await expect(broken.result).rejects.toThrow("no deps");
    expect(await admitted(c.run({ circuitIds: ["/b"] }, () => Promise.resolve("b"))).result).toBe(
      "b",
    );
  });
});
