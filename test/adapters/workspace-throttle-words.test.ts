// A workspace's kept 429 or 503 says until when in its message: it said the
// ISO instant ("2026-11-22T02:12:00.000Z"), where the end-to-end row and
// every alert say "02:12 UTC", dated when the wait ends on another UTC day
// than the sweep asking.

import { describe, expect, it } from "vitest";
import { throttledWorkspaces } from "../../src/adapters/monitor/workspace-throttle.js";
import type { ReadFailure } from "../../src/core/model.js";

const got = (kind: ReadFailure["kind"], statusCode: number): ReadFailure => ({
  kind,
  call: "Microsoft.OperationalInsights/workspaces/query/read",
  target: "Connection Monitor results in workspace law-network",
  message: `status ${statusCode}`,
  statusCode,
});

const at = (iso: string) => new Date(iso);

describe("a kept workspace's message, as the sweep asking reads it", () => {
  it.each([
    {
      name: "a 429, the wait ending on the sweep's day",
      failure: got("throttled", 429),
      keptAt: "2026-11-22T02:00:00.000Z",
      askedAt: "2026-11-22T02:05:00.000Z",
      message: "status 429 (not asked again before 02:12 UTC, as Log Analytics' Retry-After asked)",
    },
    {
      name: "a 503, the wait ending on the sweep's day",
      failure: got("server-error", 503),
      keptAt: "2026-11-22T02:00:00.000Z",
      askedAt: "2026-11-22T02:05:00.000Z",
      message:
        "status 503 (Log Analytics was unavailable, not throttling erwatch: not asked again before 02:12 UTC, as its Retry-After asked)",
    },
    {
      name: "a 503 before midnight, its wait ending after it",
      failure: got("server-error", 503),
      keptAt: "2026-11-22T23:50:00.000Z",
      askedAt: "2026-11-22T23:55:00.000Z",
      message:
        "status 503 (Log Analytics was unavailable, not throttling erwatch: not asked again before 2026-11-23 00:02 UTC, as its Retry-After asked)",
    },
    {
      name: "the same wait, asked after midnight",
      failure: got("server-error", 503),
      keptAt: "2026-11-22T23:50:00.000Z",
      askedAt: "2026-11-23T00:00:00.000Z",
      message:
        "status 503 (Log Analytics was unavailable, not throttling erwatch: not asked again before 00:02 UTC, as its Retry-After asked)",
    },
  ])("$name", ({ failure, keptAt, askedAt, message }) => {
    const workspaces = throttledWorkspaces();
    workspaces.keep("law-network", failure, 12 * 60_000, at(keptAt));
    const reading = workspaces.waiting("law-network", at(askedAt));
    expect(reading).toMatchObject({ ok: false, error: { ...failure, message } });
  });
});
