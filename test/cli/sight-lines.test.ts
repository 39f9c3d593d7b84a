// The CLI's "erwatch is partly blind:" summary names each group of failed
// reads by the words the end-to-end row and monitoring-blind use: a kept Log
// Analytics 503 read "server-error" there, the words of a 5xx the next sweep
// asks again, and a kept wait gave no time at all. Each line names the
// workspace of a Log Analytics query: one refusal in two workspaces read as
// one line, and the operator could not tell which workspace to grant.

import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/app/report.js";
import { sightOf } from "../../src/app/sight.js";
import { sightLines } from "../../src/cli/read-commands.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { EndToEndFacts } from "../../src/core/dataplane/facts.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { ReadFailure } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitReading, failed } from "../support/readings.js";

const QUERY = "Microsoft.OperationalInsights/workspaces/query/read";

const query = (failure: Partial<ReadFailure> & Pick<ReadFailure, "kind">): ReadFailure => ({
  call: QUERY,
  target: "Connection Monitor results in workspace law-network",
  message: "m",
  workspace: "law-network",
  ...failure,
});

/** The summary of a sweep at `sweptAt` whose circuits' end-to-end reads failed so. */
function summary(sweptAt: string, failures: ReadFailure[]): string[] {
  const now = new Date(sweptAt);
  const verdicts = failures.map((failure, i) => {
    const reading = circuitReading({ dataPlane: { endToEnd: failed<EndToEndFacts>(failure) } });
    const ref = { ...reading.ref, id: `${reading.ref.id}-${i}`, name: `er-${i}` };
    return evaluateCircuit(
      { ...reading, ref },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      now,
    ).verdict;
  });
  const report = buildReport({ verdicts, generatedAt: now });
  // Trimmed: what is said, whatever the indent the wrap gives it.
  return sightLines(sightOf(report, { subscriptions: [] }), 200).map((l) => l.trim());
}

describe("a failed read in the CLI's partly blind summary", () => {
  it.each([
    {
      name: "a kept 503: Log Analytics unavailable, until when",
      sweptAt: "2026-11-22T02:00:30.000Z",
      failures: [
        query({
          kind: "server-error",
          statusCode: 503,
          notAskedBefore: "2026-11-22T02:12:00.000Z",
        }),
      ],
      groups: [
        `1 × Log Analytics unavailable, not asked again before 02:12 UTC ${QUERY} in workspace law-network`,
      ],
    },
    {
      name: "a kept 429, its wait ending past the sweep's UTC day",
      sweptAt: "2026-11-22T23:55:00.000Z",
      failures: [
        query({ kind: "throttled", statusCode: 429, notAskedBefore: "2026-11-23T00:40:00.000Z" }),
      ],
      groups: [
        `1 × throttled, not asked again before 2026-11-23 00:40 UTC ${QUERY} in workspace law-network`,
      ],
    },
    {
      name: "a 503 not kept is a server error, as before",
      sweptAt: "2026-11-22T02:00:30.000Z",
      failures: [query({ kind: "server-error", statusCode: 503 })],
      groups: [`1 × server-error ${QUERY} in workspace law-network`],
    },
    {
      name: "kept and not kept of one kind are counted apart; the same words together",
      sweptAt: "2026-11-22T02:00:30.000Z",
      failures: [
        query({
          kind: "server-error",
          statusCode: 503,
          notAskedBefore: "2026-11-22T02:12:00.000Z",
        }),
        query({
          kind: "server-error",
          statusCode: 503,
          notAskedBefore: "2026-11-22T02:12:00.000Z",
        }),
        query({ kind: "server-error", statusCode: 500 }),
      ],
      groups: [
        `2 × Log Analytics unavailable, not asked again before 02:12 UTC ${QUERY} in workspace law-network`,
        `1 × server-error ${QUERY} in workspace law-network`,
      ],
    },
    {
      name: "one refusal in two workspaces: a line for each workspace, not one for both",
      sweptAt: "2026-11-22T02:00:30.000Z",
      failures: [
        query({ kind: "forbidden", statusCode: 403, workspace: "law-dr" }),
        query({ kind: "forbidden", statusCode: 403 }),
        query({ kind: "forbidden", statusCode: 403, workspace: "law-dr" }),
        query({ kind: "timeout", workspace: "law-dr" }),
      ],
      groups: [
        `2 × forbidden ${QUERY} in workspace law-dr`,
        `1 × timeout ${QUERY} in workspace law-dr`,
        `1 × forbidden ${QUERY} in workspace law-network`,
      ],
    },
    {
      name: "one circuit's read failing in two workspaces: each counted in its own",
      sweptAt: "2026-11-22T02:00:30.000Z",
      failures: [
        query({
          kind: "forbidden",
          statusCode: 403,
          alsoFailed: [query({ kind: "timeout", workspace: "law-dr" })],
        }),
      ],
      reads: 2,
      groups: [
        `1 × timeout ${QUERY} in workspace law-dr`,
        `1 × forbidden ${QUERY} in workspace law-network`,
      ],
    },
  ] as {
    name: string;
    sweptAt: string;
    failures: ReadFailure[];
    reads?: number;
    groups: string[];
  }[])("$name", ({ sweptAt, failures, groups, reads: count = failures.length }) => {
    const circuits = failures.length === 1 ? "1 circuit" : `${failures.length} circuits`;
    const reads = count === 1 ? "1 read" : `${count} reads`;
    expect(summary(sweptAt, failures)).toEqual([
      "erwatch is partly blind:",
      `${reads} failed on ${circuits}; those layers are UNKNOWN, not healthy:`,
      ...groups,
    ]);
  });
});
