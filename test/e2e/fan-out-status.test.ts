// The status page and `erwatch alerts` on a fanned-out estate, at the
// product's cadence on an injected clock. The timer's record is written when
// it sends the work, so what the workers could not record is theirs to say:
// in their claims, which the page reads. Before, a worker that read a circuit
// but could not store it left the page saying nothing of it, though that
// circuit's alerts went undecided.

import { HttpRequest, InvocationContext } from "@azure/functions";
import { ServiceBusClient } from "@azure/service-bus";
import { expect, it } from "vitest";
import type { StatusModel } from "../../src/app/status.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { runCli } from "../../src/cli/program.js";
import { estateOf, healthyCircuit, setProviderState } from "../support/estate/index.js";
import { fanOutDriver } from "../support/fan-out-driver.js";
import { startTableFaultProxy } from "../support/table-fault-proxy.js";
import { worldPerTest } from "../support/world-per-test.js";

const QUEUE = "erwatch-sweep-work";
const SUBS = ["a1", "b2"].map((s) => `00000000-0000-0000-0000-0000000000${s}`);
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;

const worlds = worldPerTest();

const page = (accept: string) =>
  new HttpRequest({ method: "GET", url: "http://localhost/api/status", headers: { accept } });

it("names the circuit a worker read but could not record, with why, and says so no more once it is recorded", async () => {
  const proxy = await startTableFaultProxy(worlds.azurite());
  const bundles = SUBS.flatMap((subscriptionId, n) =>
    [0, 1, 2].map((i) =>
      healthyCircuit({
        subscriptionId,
        name: `er-${n}-${i}`,
        peeringLocation: ["Amsterdam", "London"][n]!,
      }),
    ),
  );
  let now = new Date(T0);
  const w = await worlds.start({
    estate: estateOf(...bundles),
    now: () => now,
    env: {
      ERWATCH_STORAGE: proxy.connectionString,
      STORAGE_TIMEOUT_MS: "1000",
      ERWATCH_SUBSCRIPTIONS: SUBS.join(","),
      SWEEP_WORK_QUEUE: QUEUE,
      SWEEP_WORK_BATCH: "2",
      SWEEP_SCHEDULE: "0 */5 * * * *",
    },
  });
  await w.runtime.work!.claims.ensureTable();
  const bus = new ServiceBusClient(w.broker.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
  });
  const fan = fanOutDriver(w.functionDeps, bus, QUEUE);
  const status = httpStatusHandler(async () => w.statusDeps);
  const model = async () =>
    JSON.parse(
      String((await status(page("application/json"), new InvocationContext())).body),
    ) as StatusModel;
  try {
    await fan.timer(0);
    await fan.drain();
    // Every circuit read deep (never read before), every one recorded.
    now = new Date(T0 + 4 * MIN + 59_000);
    expect((await model()).summary!.workers).toMatchObject({
      handedOut: 6,
      recorded: 6,
      failedCount: 0,
      unfinished: 0,
      over: true,
    });

    // At 5 the carrier de-provisions er-1-2 (the listing shows it, so a worker
    // reads it deep), and Table Storage refuses its snapshot, and only it: the
    // worker reads it and cannot store it.
    setProviderState(bundles[5]!.circuit, "NotProvisioned");
    proxy.rule = (r) =>
      r.table.endsWith("Snapshots") &&
      r.operation !== "get" &&
      r.operation !== "query" &&
      r.text.includes("er-1-2")
        ? { kind: "status", status: 500, code: "InternalError" }
        : null;
    now = new Date(T0 + 5 * MIN);
    await fan.timer(5);
    await fan.drain();
    expect(fan.errors).toEqual([]);

    // Before the workers' deadline: so far, not final.
    const during = (await model()).summary!.workers!;
    expect(during).toMatchObject({ over: false, failedCount: 1 });
    const handedOut = during.handedOut;
    expect(handedOut).toBeGreaterThan(0);

    // Past it: er-1-2 named with why, the rest recorded.
    now = new Date(T0 + 9 * MIN + 59_000);
    const after = (await model()).summary!.workers!;
    expect(after).toMatchObject({
      over: true,
      handedOut,
      recorded: handedOut - 1,
      failedCount: 1,
      unfinished: 0,
    });
    expect(after.failed).toHaveLength(1);
    expect(after.failed[0]!.name).toBe("er-1-2");
    expect(after.failed[0]!.why).toMatch(/\S/);
    expect(after.failed[0]!.why).not.toMatch(/https?:\/\//);
    const html = String((await status(page("text/html"), new InvocationContext())).body);
    expect(html).toMatch(/<p id="workers" class="stale" role="alert"[^>]*data-failed="1"/);
    expect(html).toContain("Read but not recorded: er-1-2 (");

    // `erwatch alerts` says the same, in words and in JSON.
    let out = "";
    const cli = (args: string[]) =>
      runCli(args, {
        env: w.env,
        now: () => now,
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: () => undefined },
      });
    await cli(["alerts"]);
    expect(out).toMatch(
      new RegExp(
        `Warning: the workers recorded ${handedOut - 1} of the ${handedOut} deep reads of the last sweep \\(1 read but not recorded: er-1-2 \\(`,
      ),
    );
    out = "";
    await cli(["alerts", "-o", "json"]);
    expect(JSON.parse(out).workers).toMatchObject({ failedCount: 1, over: true });

    // Storage takes it again: the next sweep records it, and the page says all were.
    proxy.rule = () => null;
    now = new Date(T0 + 10 * MIN);
    await fan.timer(10);
    await fan.drain();
    now = new Date(T0 + 14 * MIN + 59_000);
    expect((await model()).summary!.workers).toMatchObject({
      failedCount: 0,
      unfinished: 0,
      over: true,
    });
  } finally {
    proxy.rule = () => null;
    await bus.close();
    await proxy.close();
  }
}, 120_000);
