// The loop of `erwatch dispatch`: a failed receive is logged and tried again
// after a doubling pause; --once stops at the first failure; Ctrl-C ends a
// pause at once; a run ends only once what it took is settled, and --once
// stops only at an empty receive with nothing settled since the last. A scripted
// source and a recorded sleep: no real time.

import { describe, expect, it } from "vitest";
import { consumeEvents, retryDelayMs } from "../../src/app/dispatch/consume-loop.js";
import { memoryLogger } from "../support/test-logger.js";

describe("retryDelayMs", () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [5, 16_000],
    [6, 30_000],
    [40, 30_000],
    [5_000, 30_000],
  ])("after %i failure(s) in a row: %i ms", (failures, ms) => {
    expect(retryDelayMs(failures, 1_000, 30_000)).toBe(ms);
  });
});

/** Each step: a count of messages taken, or an error the receive throws. */
type Step = number | Error;

function run(
  steps: Step[],
  options: {
    once?: boolean;
    abortAfterSleeps?: number;
    /** What each call of settled() finds settled since the last, in turn; 0 past the list. */
    inFlight?: number[];
  } = {},
) {
  const stop = new AbortController();
  const { logger, records } = memoryLogger();
  const slept: number[] = [];
  /** What the loop did, in order: each receive and each wait for what is in flight. */
  const calls: string[] = [];
  let receives = 0;
  let waits = 0;
  const source = {
    receive: async () => {
      const step = steps[receives];
      receives += 1;
      calls.push("receive");
      // Past the script: the operator presses Ctrl-C.
      if (step === undefined) {
        stop.abort();
        return 0;
      }
      if (step instanceof Error) throw step;
      return step;
    },
    settled: async () => {
      calls.push("settled");
      waits += 1;
      return options.inFlight?.[waits - 1] ?? 0;
    },
  };
  const result = consumeEvents(source, {
    signal: stop.signal,
    once: options.once ?? false,
    logger,
    sleep: async (ms) => {
      slept.push(ms);
      if (slept.length === options.abortAfterSleeps) stop.abort();
    },
    firstRetryMs: 1_000,
    maxRetryMs: 30_000,
  });
  return { result, slept, records, calls, receives: () => receives };
}

const refused = new Error("ECONNREFUSED");

describe("consumeEvents", () => {
  it("keeps going through failed receives, pausing longer each time, and says when Service Bus answers again", async () => {
    const r = run([2, refused, refused, refused, 1, refused, 0]);
    const result = await r.result;
    expect(result).toEqual({ handled: 3, failure: null, stopped: true });
    // The run of three failures doubles; a success starts the next run from the first pause.
    expect(r.slept).toEqual([1_000, 2_000, 4_000, 1_000]);
    const said = r.records().map((l) => [l.level, l.msg, l.failures, l.retryInMs]);
    expect(said).toEqual([
      [
        50,
        "could not receive alert events from Service Bus; connecting again after a pause",
        1,
        1_000,
      ],
      [
        50,
        "could not receive alert events from Service Bus; connecting again after a pause",
        2,
        2_000,
      ],
      [
        50,
        "could not receive alert events from Service Bus; connecting again after a pause",
        3,
        4_000,
      ],
      [40, "receiving alert events from Service Bus again", 3, undefined],
      [
        50,
        "could not receive alert events from Service Bus; connecting again after a pause",
        1,
        1_000,
      ],
      [40, "receiving alert events from Service Bus again", 1, undefined],
    ]);
    expect(r.records()[0]!.err).toMatchObject({ message: "ECONNREFUSED" });
  });

  it("--once stops when a receive comes back empty", async () => {
    const r = run([3, 2, 0, 5], { once: true });
    expect(await r.result).toEqual({ handled: 5, failure: null, stopped: false });
    expect(r.receives()).toBe(3);
  });

  it("--once does not stop at an empty receive while messages were being settled: one given back comes round again", async () => {
    const r = run([3, 0, 1, 0, 5], { once: true, inFlight: [2, 0] });
    expect(await r.result).toEqual({ handled: 4, failure: null, stopped: false });
    // After the second empty receive nothing was settled; the last wait is the run's own end.
    expect(r.calls).toEqual([
      "receive",
      "receive",
      "settled",
      "receive",
      "receive",
      "settled",
      "settled",
    ]);
  });

  it("--once stops at the first failure and hands it back, without a pause, once what it took is settled", async () => {
    const r = run([3, refused, 5], { once: true });
    expect(await r.result).toEqual({ handled: 3, failure: refused, stopped: false });
    expect(r.slept).toEqual([]);
    expect(r.receives()).toBe(2);
    expect(r.calls.at(-1)).toBe("settled");
  });

  it("Ctrl-C during a pause ends the run without another receive", async () => {
    const r = run([refused, refused, 4], { abortAfterSleeps: 1 });
    expect(await r.result).toEqual({ handled: 0, failure: null, stopped: true });
    expect(r.receives()).toBe(1);
  });

  it("Ctrl-C ends the run only once what was taken is settled", async () => {
    const r = run([2, 1]);
    expect(await r.result).toEqual({ handled: 3, failure: null, stopped: true });
    expect(r.calls).toEqual(["receive", "receive", "receive", "settled"]);
  });

  it("a receive that fails because of Ctrl-C is not a failure", async () => {
    const stop = new AbortController();
    const { logger, records } = memoryLogger();
    const result = await consumeEvents(
      {
        receive: async () => {
          stop.abort();
          throw new Error("The operation was aborted.");
        },
        settled: async () => 0,
      },
      {
        signal: stop.signal,
        once: true,
        logger,
        sleep: async () => undefined,
        firstRetryMs: 1_000,
        maxRetryMs: 30_000,
      },
    );
    // Stopped, not drained: `dispatch --once` exits 130, not 0.
    expect(result).toEqual({ handled: 0, failure: null, stopped: true });
    expect(records()).toEqual([]);
  });
});
