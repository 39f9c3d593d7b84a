// The status page says when pages are decided but not leaving the outbox
// (Service Bus down, or not answering): sweeps still finish and the alerts
// read "firing", yet nobody was notified. 5-minute timer on an injected clock.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus, unsentOf } from "../../src/app/status.js";
import type { OutboxRow, Stored, SweepRecord } from "../../src/app/state-store.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { freshStore } from "../support/state.js";
import { minute, sweepHarness, T0 } from "../support/sweep-harness.js";

const at = minute;

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe("unsentOf", () => {
  const row = (createdAt: string) => ({ value: { createdAt } }) as Stored<OutboxRow>;
  it.each([
    { case: "nothing waiting", rows: [], minute: 10, want: null },
    { case: "the outbox could not be read", rows: null, minute: 10, want: null },
    { case: "decided 5 minutes ago: the next drain's", rows: [0], minute: 5, want: null },
    { case: "a sweep since should have sent it", rows: [0], minute: 6, want: [1, 0, 6] },
    { case: "only the late ones count", rows: [7, 0, 2], minute: 9, want: [2, 0, 9] },
    // A stored time that cannot be read says nothing either way; it does not take the line down.
    {
      case: "a creation time that cannot be read",
      rows: ["yesterday", 0],
      minute: 9,
      want: [1, 0, 9],
    },
    // Date.parse reads "5" as May 2001: counted late, when it says nothing either way.
    { case: "a creation time that is a number", rows: ["5", 0], minute: 9, want: [1, 0, 9] },
  ])("$case", ({ rows, minute, want }) => {
    const outbox =
      rows === null ? null : rows.map((m) => row(typeof m === "string" ? m : at(m).toISOString()));
    const got = unsentOf(outbox, at(minute), 5) ?? null;
    expect(got === null ? null : [got.events, Date.parse(got.oldest) - T0, got.ageMinutes]).toEqual(
      want === null ? null : [want[0], want[1]! * 60_000, want[2]],
    );
  });
});

describe("unsentOf: not while the sweep that decided it can still publish it", () => {
  // Every 2 minutes: a sweep gets at least a minute to read, and stops 123 s
  // after it began, 3 s into the next tick's.
  const INTERVAL = 2;
  const row = (m: number) => ({ value: { createdAt: at(m).toISOString() } }) as Stored<OutboxRow>;
  const record = (started: number, fannedOut?: { deadline: number }): SweepRecord => ({
    sweepId: `sweep-${started}`,
    startedAt: at(started).toISOString(),
    finishedAt: at(started + 1).toISOString(),
    circuits: 1,
    ignored: 0,
    partlyBlind: 0,
    errors: 0,
    ...(fannedOut
      ? { fannedOut: { deep: 1, deadline: at(fannedOut.deadline).toISOString() } }
      : {}),
  });
  const S = 1 / 60;
  it.each([
    // The sweep that began at 0 runs to 2:03: at 2:01 it may still publish.
    { case: "its sweep still runs", last: record(-2), minute: 2 + S, want: null },
    { case: "its sweep's stop has passed", last: record(-2), minute: 2 + 3 * S, want: [1, 0, 2] },
    { case: "no sweep recorded yet, its stop not passed", last: null, minute: 2 + S, want: null },
    // Its own record says it ended: unsent once an interval has passed, as before.
    { case: "its sweep ended and said so", last: record(0), minute: 2 + S, want: [1, 0, 2] },
    { case: "a later sweep ended", last: record(2), minute: 2 + 2 * S, want: [1, 0, 2] },
    // Fanned out: the record is written when the work is sent; the workers stop 15 s after the deadline.
    {
      case: "fanned out, its workers still reading",
      last: record(0, { deadline: 1.8 }),
      minute: 2 + S,
      want: null,
    },
    {
      case: "fanned out, its workers stopped",
      last: record(0, { deadline: 1.7 }),
      minute: 2 + S,
      want: [1, 0, 2],
    },
  ])("$case", ({ last, minute, want }) => {
    const got = unsentOf([row(0)], at(minute), INTERVAL, last) ?? null;
    expect(got === null ? null : [got.events, Date.parse(got.oldest) - T0, got.ageMinutes]).toEqual(
      want === null ? null : [want[0], want[1]! * 60_000, want[2]],
    );
  });
});

describe("unsentOf: an event dated before the sweep that decided it", () => {
  // Fan-out: the timer's sweep at 5 judges a fleet alert as of its workers'
  // readings at 0, and may publish it until its own hard stop (4:45 in).
  const row = { value: { createdAt: at(0).toISOString(), decidedAt: at(5).toISOString() } };
  const record = (started: number, deadline: number): SweepRecord => ({
    sweepId: `sweep-${started}`,
    startedAt: at(started).toISOString(),
    finishedAt: at(started).toISOString(),
    circuits: 1,
    ignored: 0,
    partlyBlind: 0,
    errors: 0,
    fannedOut: { deep: 1, deadline: at(deadline).toISOString() },
  });
  it.each([
    // Dated 0, it was called unsent as the sweep at 5 began.
    { case: "its sweep just began", last: record(0, 4), minute: 5.5, want: null },
    {
      case: "its sweep's record says it handed out work",
      last: record(5, 9),
      minute: 6,
      want: null,
    },
    { case: "an interval after its sweep began", last: record(5, 9), minute: 10, want: null },
    { case: "its sweep's hard stop passed", last: record(5, 9), minute: 10.5, want: [1, 5, 5] },
  ])("$case", ({ last, minute, want }) => {
    const got = unsentOf([row as Stored<OutboxRow>], at(minute), 5, last) ?? null;
    expect(got === null ? null : [got.events, Date.parse(got.oldest) - T0, got.ageMinutes]).toEqual(
      want === null ? null : [want[0], want[1]! * 60_000, want[2]],
    );
  });
});

it("a page the broker would not take: the status page says so once a sweep since failed too, and stops once it is sent", async () => {
  const h = await sweepHarness(azurite.connectionString);
  h.bothDown();
  h.sink.failWith = new Error("Service Bus did not answer within 30000 ms");
  const page = async (m: number) => {
    const model = await loadStatus(h.store, minute(m), {
      recentHours: 1,
      recentLimit: 10,
      sweepIntervalMinutes: 5,
    });
    return { unsent: model.summary?.unsent ?? null, html: renderStatusHtml(model) };
  };
  expect((await h.run(0)).brokerError).toMatch(/did not answer/);
  // Decided at 0, the sweep at 5 is still to come: not yet late.
  expect((await page(3)).unsent).toBeNull();
  await h.run(5);
  const late = await page(6);
  expect(late.unsent).toEqual({ events: 1, oldest: minute(0).toISOString(), ageMinutes: 6 });
  expect(late.html).toMatch(/<p id="unsent" [^>]*data-events="1"><b>Not sent:<\/b> 1 alert event/);
  h.sink.failWith = null;
  await h.run(10);
  expect(h.sink.published.map((e) => e.action)).toEqual(["open"]);
  const sent = await page(11);
  expect(sent.unsent).toBeNull();
  expect(sent.html).not.toContain('id="unsent"');
});

it("the outbox not answering leaves the line out, not the page; a bug still fails", async () => {
  const { store } = await freshStore(azurite.connectionString);
  const failing = (name: string) => {
    const broken = Object.create(store) as typeof store;
    broken.listOutbox = async () => {
      throw Object.assign(new Error("listing the outbox failed: 503 ServerBusy"), { name });
    };
    return loadStatus(broken, at(0), { recentHours: 1, recentLimit: 10 });
  };
  expect((await failing("StateStoreError")).summary?.unsent).toBeNull();
  await expect(failing("TypeError")).rejects.toThrow(/listing the outbox/);
});
