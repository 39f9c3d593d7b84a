// A Monitor call that Azure throttles with a Retry-After, however short,
// waits it out with its slot given back (retry-after.ts keeps it from the
// SDK): the other Monitor calls go on meanwhile. On an injected clock:
// nothing really waits.

import {
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  RestError,
  type HttpClient,
} from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import type { Timekeeper } from "../../src/adapters/arm/token-bucket.js";
import { createMonitorCall } from "../../src/adapters/monitor/call.js";
import {
  ASKED_HEADER,
  boundedRetryAfterPolicy,
  MAX_ASKED_MS,
} from "../../src/adapters/retry-after.js";
import { skippingTime } from "../support/skipping-time.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");

/** A 429 as the SDK throws it once the policy kept its Retry-After (`ms`) from the SDK's own wait. */
const throttled = (ms: number) =>
  Object.assign(new Error("Too Many Requests"), {
    name: "RestError",
    statusCode: 429,
    response: {
      headers: { get: (name: string) => (name === ASKED_HEADER ? String(ms) : undefined) },
    },
  });

/**
 * A clock whose timers end when the test says; `held`, those not cancelled.
 * A call's deadline is one while the call is under way, and is cancelled
 * once it is over: after it, only its waits are held.
 */
function heldTime() {
  let at = 0;
  const held: { ms: number; end: () => void }[] = [];
  const time: Timekeeper = {
    now: () => at,
    after(ms, fn) {
      const timer = {
        ms,
        end: () => {
          at += ms;
          fn();
        },
      };
      held.push(timer);
      return () => {
        const i = held.indexOf(timer);
        if (i >= 0) held.splice(i, 1);
      };
    },
  };
  /** The wait of `ms` once it is asked for. */
  const waitOf = async (ms: number) => {
    await expect.poll(() => held.some((h) => h.ms === ms)).toBe(true);
    return held.find((h) => h.ms === ms)!;
  };
  return { time, held, waitOf };
}

/** A Monitor call with one slot: a call holding it through a wait would stop every other. */
const oneSlot = (time: Timekeeper) =>
  createMonitorCall({ concurrency: 1, timeoutMs: 30_000, maxRetries: 2 }, () => NOW, time);

const spec = <T>(target: string, run: (abortSignal: AbortSignal) => Promise<T>) => ({
  action: "Microsoft.OperationalInsights/workspaces/query/read",
  target,
  signal: new AbortController().signal,
  run,
});

describe("a Monitor call asked to wait longer than the SDK waits", () => {
  it("waits within its deadline with its slot given back, then asks again", async () => {
    const { time, held } = heldTime();
    // One slot: a call holding it through the wait would stop the other.
    const call = oneSlot(time);
    let asked = 0;
    const first = call(
      spec("Connection Monitor results", async () => {
        asked += 1;
        if (asked === 1) throw throttled(20_000);
        return "answered";
      }),
    );
    const second = call(spec("another workspace", async () => "also answered"));
    // Before: the first failed at once as throttled, unwaited.
    expect(await second).toMatchObject({ ok: true, value: "also answered" });
    expect(held.map((h) => h.ms)).toEqual([20_000]);
    expect(asked).toBe(1);
    held[0]!.end();
    expect(await first).toMatchObject({ ok: true, value: "answered" });
    expect(asked).toBe(2);
  });

  it("past what is left of its deadline, fails at once as throttled", async () => {
    const { time, held } = heldTime();
    const call = oneSlot(time);
    let asked = 0;
    const got = await call(
      spec("Connection Monitor results", async () => {
        asked += 1;
        throw throttled(45_000);
      }),
    );
    expect(got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
    expect(held).toEqual([]);
    expect(asked).toBe(1);
  });

  it("asked again and throttled for longer than is left, fails then: the deadline runs from its first turn", async () => {
    const { time, waitOf, held } = heldTime();
    const call = oneSlot(time);
    let asked = 0;
    const got = call(
      spec("Connection Monitor results", async () => {
        asked += 1;
        throw throttled(20_000);
      }),
    );
    (await waitOf(20_000)).end();
    expect(await got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
    // 20 s waited of 30: the second 20 s would end past the deadline.
    expect(asked).toBe(2);
    expect(held.map((h) => h.ms)).toEqual([20_000]);
  });
});

describe("a Monitor call that does not answer", () => {
  it("is let go of at its deadline on the call's clock, as a timeout, its request told to stop and its slot given back", async () => {
    const { time, waitOf, held } = heldTime();
    const call = oneSlot(time);
    let told: AbortSignal | undefined;
    const got = call(
      // Never answers, as a hung query whose client drops the signal.
      spec("Connection Monitor results", (abortSignal) => {
        told = abortSignal;
        return new Promise<never>(() => {});
      }),
    );
    // Before: the deadline ran on real time, 30 s of it; nothing on the call's clock.
    (await waitOf(30_000)).end();
    expect(await got).toMatchObject({
      ok: false,
      error: { kind: "timeout", message: "no answer within the deadline" },
    });
    expect(told?.aborted).toBe(true);
    expect((told?.reason as Error | undefined)?.name).toBe("TimeoutError");
    expect(await call(spec("another workspace", async () => "answered"))).toMatchObject({
      ok: true,
      value: "answered",
    });
    // Each deadline is let go of with its call: none is left behind.
    expect(held).toEqual([]);
  });

  // Before: the SDK's "The operation was aborted due to timeout", which named
  // neither deadline; the call's own says "no answer within the deadline".
  it("stopped by the sweep's deadline, says so in erwatch's words, naming its setting", async () => {
    const { time } = heldTime();
    const call = oneSlot(time);
    const sweep = new AbortController();
    const got = call({
      ...spec("Connection Monitor results", () => new Promise<never>(() => {})),
      signal: sweep.signal,
    });
    sweep.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    expect(await got).toMatchObject({
      ok: false,
      error: {
        kind: "timeout",
        message: "stopped at the sweep's deadline",
      },
    });
  });

  it("stopped otherwise (Ctrl-C, a worker let go), does not blame the deadline", async () => {
    const { time } = heldTime();
    const call = oneSlot(time);
    const stop = new AbortController();
    const got = call({
      ...spec("Connection Monitor results", () => new Promise<never>(() => {})),
      signal: stop.signal,
    });
    stop.abort();
    const reading = await got;
    expect(reading).toMatchObject({ ok: false, error: { kind: "timeout" } });
    expect(reading.ok ? "" : reading.error.message).not.toMatch(/deadline/);
  });
});

/**
 * The Monitor clients' pipeline as the SDK builds it (its retries, the
 * policy after them), answered in process: each request's answer from
 * `answer`, every request's target in `asked`. A status that is not 2xx is
 * thrown as the clients throw it.
 */
function sdkLike(answer: (target: string) => { status: number; retryAfter?: string }) {
  const asked: string[] = [];
  const pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: 2, maxRetryDelayInMs: 10_000 },
  });
  pipeline.addPolicy(boundedRetryAfterPolicy(Date.now), { afterPhase: "Sign" });
  const client: HttpClient = {
    sendRequest(request) {
      const target = new URL(request.url).pathname.slice(1);
      asked.push(target);
      const { status, retryAfter } = answer(target);
      const headers = createHttpHeaders(
        retryAfter === undefined ? {} : { "retry-after": retryAfter },
      );
      return Promise.resolve({ request, status, headers, bodyAsText: "{}" });
    },
  };
  const run = (target: string) => async (abortSignal: AbortSignal) => {
    const request = createPipelineRequest({ url: `https://127.0.0.1/${target}`, abortSignal });
    const response = await pipeline.sendRequest(client, request);
    if (response.status >= 300)
      throw new RestError(`status ${response.status}`, {
        statusCode: response.status,
        request,
        response,
      });
    return target;
  };
  return { asked, run };
}

/** One call through sdkLike whose every request gets `answer`, its waits (a second at most) skipped. */
async function answeredAlways(answer: { status: number; retryAfter: string }) {
  const { time, waits } = skippingTime((ms) => ms <= 1_000);
  const { asked, run } = sdkLike(() => answer);
  const got = await oneSlot(time)(spec("westeurope", run("westeurope")));
  return { got, asked, waits };
}

describe("a Monitor call asked to wait for as long as the SDK would wait", () => {
  it("a Retry-After of 1 s is waited with its slot given back: another circuit's call goes first", async () => {
    const { time, held } = heldTime();
    // One slot: a call holding it through the wait would stop the other.
    const call = oneSlot(time);
    let throttled = false;
    const { asked, run } = sdkLike((target) => {
      if (target !== "westeurope" || throttled) return { status: 200 };
      throttled = true;
      return { status: 429, retryAfter: "1" };
    });
    const first = call(spec("westeurope", run("westeurope")));
    const second = call(spec("northeurope", run("northeurope")));
    // Before: the SDK slept the second in the call's slot, and northeurope waited behind it.
    expect(await second).toMatchObject({ ok: true, value: "northeurope" });
    expect(asked).toEqual(["westeurope", "northeurope"]);
    expect(held.map((h) => h.ms)).toEqual([1_000]);
    held[0]!.end();
    expect(await first).toMatchObject({ ok: true, value: "westeurope" });
    expect(asked).toEqual(["westeurope", "northeurope", "westeurope"]);
  });

  it("throttled each time it asks, is asked again as often as the SDK would have, then fails as throttled", async () => {
    const { got, asked, waits } = await answeredAlways({ status: 429, retryAfter: "0" });
    expect(got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
    // Retry-After 0 fits any deadline: only the count ends it.
    expect(asked).toHaveLength(3);
    expect(waits).toEqual([0, 0]);
  });
});

describe("a Monitor call's 429 or 503 it does not wait out, told to its caller", () => {
  const call = (time: Timekeeper) =>
    createMonitorCall({ concurrency: 1, timeoutMs: 30_000, maxRetries: 2 }, () => NOW, time);

  it("past its deadline: the wait asked for, in full, for the caller to keep past the call", async () => {
    const { time } = heldTime();
    const told: number[] = [];
    const { run } = sdkLike(() => ({ status: 429, retryAfter: "720" }));
    const got = await call(time)({
      ...spec("law-network", run("law-network")),
      askedToWait: (ms) => told.push(ms),
    });
    expect(got).toMatchObject({ ok: false, error: { kind: "throttled", statusCode: 429 } });
    // Before: cut to ARM's five minutes, shorter than a 12-minute ask.
    expect(told).toEqual([720_000]);
  });

  it("a Retry-After of hours is told as an hour", async () => {
    const { time } = heldTime();
    const told: number[] = [];
    const { run } = sdkLike(() => ({ status: 429, retryAfter: String(5 * 3600) }));
    await call(time)({
      ...spec("law-network", run("law-network")),
      askedToWait: (ms) => told.push(ms),
    });
    expect(told).toEqual([MAX_ASKED_MS]);
    expect(MAX_ASKED_MS).toBe(60 * 60_000);
  });

  it("waited out and answered: nothing to keep", async () => {
    const { time, waitOf } = heldTime();
    const told: number[] = [];
    let throttledOnce = false;
    const { run } = sdkLike(() => {
      if (throttledOnce) return { status: 200 };
      throttledOnce = true;
      return { status: 429, retryAfter: "20" };
    });
    const got = call(time)({
      ...spec("law-network", run("law-network")),
      askedToWait: (ms) => told.push(ms),
    });
    (await waitOf(20_000)).end();
    expect(await got).toMatchObject({ ok: true });
    expect(told).toEqual([]);
  });

  it("a 503's wait past its deadline is told as a 429's: Azure Monitor sheds overload so", async () => {
    const { time } = heldTime();
    const told: number[] = [];
    const { run } = sdkLike(() => ({ status: 503, retryAfter: "720" }));
    const got = await call(time)({
      ...spec("law-network", run("law-network")),
      askedToWait: (ms) => told.push(ms),
    });
    expect(got).toMatchObject({ ok: false, error: { kind: "server-error", statusCode: 503 } });
    // Before: forgotten, and the next sweep asked the overloaded workspace again.
    expect(told).toEqual([720_000]);
  });
});

describe("a Monitor call Azure answers 503 with a Retry-After", () => {
  it("waits it out with its slot given back and asks again as often as for a 429, not also on the SDK's own backoff inside the slot", async () => {
    const { got, asked, waits } = await answeredAlways({ status: 503, retryAfter: "1" });
    expect(got).toMatchObject({ ok: false, error: { statusCode: 503 } });
    // Before: the SDK asked three times per turn, 1 s and 2 s apart in the slot (nine asks).
    expect(asked).toHaveLength(3);
    expect(waits).toEqual([1_000, 1_000]);
  });
});
