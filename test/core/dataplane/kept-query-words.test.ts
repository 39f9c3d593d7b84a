// A Log Analytics query's 503 kept past the sweep (Retry-After longer than
// the call waits) is Log Analytics being unavailable, not asked again before
// a time. Only the query-failing remedy said so; the end-to-end row, a
// monitor not read and monitoring-blind named it by its kind, "server-error",
// the words of a 5xx the next sweep asks again. Each surface, for each
// failure: kept or not, 503, 429, 500, timeout. The time is said as an
// alert's other times are, "02:12 UTC", dated on another UTC day than the
// sweep's: the ISO instant "2026-11-22T02:12:00.000Z" was read on a phone.

import { describe, expect, it } from "vitest";
import { blindFindings } from "../../../src/core/blind.js";
import { failureKindWords } from "../../../src/core/dataplane/kept-query.js";
import type { ReadFailure } from "../../../src/core/model.js";
import { failed, ok } from "../../support/readings.js";
import { e2e, NOW, test } from "./builders.js";
import { endToEndDetail } from "./end-to-end-detail.js";

const LAW =
  "/subscriptions/s/resourceGroups/rg-obs/providers/Microsoft.OperationalInsights/workspaces/law-network";
/** Twelve minutes after the sweep at NOW (02:00 UTC), on its UTC day. */
const UNTIL = "2026-11-22T02:12:00.000Z";
/** Past the sweep's UTC day: said with its date. */
const TOMORROW = "2026-11-23T00:12:00.000Z";

const query = (kind: ReadFailure["kind"], statusCode?: number, until?: string): ReadFailure => ({
  kind,
  call: "Microsoft.OperationalInsights/workspaces/query/read",
  target: "Connection Monitor results in workspace law-network",
  message: "m",
  workspace: LAW,
  ...(statusCode ? { statusCode } : {}),
  ...(until ? { notAskedBefore: until } : {}),
});

const CASES: { name: string; failure: ReadFailure; words: string }[] = [
  {
    name: "a 503 kept",
    failure: query("server-error", 503, UNTIL),
    words: "Log Analytics unavailable, not asked again before 02:12 UTC",
  },
  {
    name: "a 429 kept",
    failure: query("throttled", 429, UNTIL),
    words: "throttled, not asked again before 02:12 UTC",
  },
  {
    name: "a 503 kept past the sweep's UTC day",
    failure: query("server-error", 503, TOMORROW),
    words: "Log Analytics unavailable, not asked again before 2026-11-23 00:12 UTC",
  },
  {
    name: "a 503 waited out, or without a Retry-After",
    failure: query("server-error", 503),
    words: "server-error",
  },
  { name: "a 429 not kept", failure: query("throttled", 429), words: "throttled" },
  { name: "a 500", failure: query("server-error", 500), words: "server-error" },
  { name: "a timeout", failure: query("timeout"), words: "timeout" },
];

describe("a Log Analytics query's failure, as each surface names it", () => {
  it.each(CASES)("$name: the end-to-end row, every query failed", ({ failure, words }) => {
    expect(endToEndDetail(failed(failure))).toBe(
      `Connection Monitor read failed in workspace law-network: ${words}`,
    );
  });

  it.each(CASES)("$name: the end-to-end row, the monitor not read", ({ failure, words }) => {
    const read = ok({
      ...e2e([test("Pass")], 1),
      unread: [{ monitor: "cm-b", monitorId: null, failure, readElsewhere: false }],
    });
    expect(endToEndDetail(read)).toContain(`cm-b not read in workspace law-network (${words})`);
  });

  it.each(CASES)("$name: monitoring-blind's title", ({ failure, words }) => {
    const [finding] = blindFindings(
      [{ peering: null, path: null, failure }],
      "s",
      "Sev3",
      NOW.getTime(),
    );
    expect(finding!.title).toBe(
      `erwatch cannot read Connection Monitor results in workspace law-network: ${words}`,
    );
  });
});

describe("the time of a kept query's wait, against the sweep's UTC day", () => {
  const kept = (until: string) => query("server-error", 503, until);
  it.each([
    {
      name: "the same day",
      sweep: "2026-11-22T02:00:00.000Z",
      until: "2026-11-22T02:12:00.000Z",
      time: "02:12 UTC",
    },
    {
      name: "a wait across midnight",
      sweep: "2026-11-22T23:55:00.000Z",
      until: "2026-11-23T00:40:00.000Z",
      time: "2026-11-23 00:40 UTC",
    },
    {
      name: "seconds left off, never a minute later than the wait",
      sweep: "2026-11-22T01:00:00.000Z",
      until: "2026-11-22T01:12:20.000Z",
      time: "01:12 UTC",
    },
    {
      name: "an instant that is none",
      sweep: "2026-11-22T02:00:00.000Z",
      until: "soon",
      time: "an unknown time",
    },
  ])("$name: $time", ({ sweep, until, time }) => {
    expect(failureKindWords(kept(until), Date.parse(sweep))).toBe(
      `Log Analytics unavailable, not asked again before ${time}`,
    );
  });
});
