// Users saw a circuit read end to end "up" for up to the look-back after a
// source's agent stopped (or a destination's VM died) partway through it:
// Log Analytics' latest row of the test was the last one it sent before, a
// Pass, and was judged until it left the window. Now a row older than its
// test's frequency plus the ingestion allowance is Indeterminate, "stopped
// reporting at HH:MM UTC"; rows a few minutes late are judged as ever. A row
// of an endpoint its test group no longer names (removed, renamed) is no
// test: it neither passes nor stops.

import { describe, expect, it } from "vitest";
import { endToEndCell, evidenceOf, summarise } from "../../../src/core/dataplane/end-to-end.js";
import type { EndToEndFacts, EndToEndTest, MonitorRef } from "../../../src/core/dataplane/facts.js";
import { endpointGone, stoppedReporting } from "../../../src/core/dataplane/stopped-tests.js";
import { e2e, NOW, test } from "./builders.js";

type Group = NonNullable<MonitorRef["testGroups"]>[number];
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const GROUP: Group = {
  name: "onprem-to-vnet",
  testConfigurations: ["tcp-443"],
  sources: ["onprem-app-01", "onprem-app-02"],
  destinations: ["vm-app-01"],
};

function facts(
  rows: EndToEndTest[],
  options: { seconds?: number | null; groups?: Group[] | null } = {},
): EndToEndFacts {
  const base = e2e(rows);
  const seconds = options.seconds === undefined ? 30 : options.seconds;
  return {
    ...base,
    monitors: base.monitors.map((m) => ({
      ...m,
      ...(options.groups === null ? {} : { testGroups: options.groups ?? [GROUP] }),
      ...(seconds === null ? {} : { frequencies: [{ test: "tcp-443", seconds }] }),
    })),
  };
}

/** A passing row from `source` to vm-app-01, `minutes` old. */
const row = (source: string, minutes: number, more: Partial<EndToEndTest> = {}) =>
  test("Pass", { source, destination: "vm-app-01:443", at: ago(minutes), ...more });

describe("a row older than its test's frequency plus the ingestion allowance", () => {
  it.each<{ name: string; facts: EndToEndFacts; judged: string[] }>([
    {
      name: "both sources a few minutes late (ingestion): both judged on their rows",
      facts: facts([row("onprem-app-01", 3), row("onprem-app-02", 9)]),
      judged: ["onprem-app-01 Pass", "onprem-app-02 Pass"],
    },
    {
      name: "one source silent since 01:47 (13 min, a 30-s test): stopped",
      facts: facts([row("onprem-app-01", 2), row("onprem-app-02", 13)]),
      judged: [
        "onprem-app-01 Pass",
        "onprem-app-02 Indeterminate: stopped reporting at 01:47 UTC (its last result Pass; it runs every 30 s)",
      ],
    },
    {
      name: "just at frequency + 10 min (10.5 min): still judged; a minute past: stopped",
      facts: facts([row("onprem-app-01", 10.5), row("onprem-app-02", 11.5)]),
      judged: [
        "onprem-app-01 Pass",
        "onprem-app-02 Indeterminate: stopped reporting at 01:48 UTC (its last result Pass; it runs every 30 s)",
      ],
    },
    {
      name: "a Fail that stopped is no Fail now: what happens since is not known",
      facts: facts([row("onprem-app-01", 2), row("onprem-app-02", 20, { result: "Fail" })]),
      judged: [
        "onprem-app-01 Pass",
        "onprem-app-02 Indeterminate: stopped reporting at 01:40 UTC (its last result Fail; it runs every 30 s)",
      ],
    },
    {
      name: "a test every 20 min: a row 25 min old is on time",
      facts: facts([row("onprem-app-01", 25), row("onprem-app-02", 2)], { seconds: 1200 }),
      judged: ["onprem-app-01 Pass", "onprem-app-02 Pass"],
    },
    {
      name: "its frequency not known: taken at 30 min, a row of a 30-min look-back is never stopped",
      facts: facts([row("onprem-app-01", 29), row("onprem-app-02", 2)], { seconds: null }),
      judged: ["onprem-app-01 Pass", "onprem-app-02 Pass"],
    },
    {
      name: "the monitor's definition not read (tags alone): kept, as a removed test's rows are",
      facts: facts([row("onprem-app-01", 25)], { groups: null }),
      judged: ["onprem-app-01 Pass"],
    },
  ])("$name", ({ facts: f, judged }) => {
    expect(
      summarise(f).tests.map((t) => `${t.source} ${t.result}${t.reason ? `: ${t.reason}` : ""}`),
    ).toEqual(judged);
  });

  it("the circuit is not 'up' on the source that still answers, and the cell says since when", () => {
    const summary = summarise(facts([row("onprem-app-01", 2), row("onprem-app-02", 13)]));
    expect(summary.overall).toBe("indeterminate");
    expect(endToEndCell(summary, null)).toEqual({
      status: "unknown",
      detail: "Indeterminate: 1 of 2 tests (1 stopped reporting at 01:47 UTC)",
    });
    expect(evidenceOf(summary)["tests"]).toContainEqual(
      expect.objectContaining({ source: "onprem-app-02", stoppedAt: ago(13) }),
    );
  });

  it("every source stopped: nothing since the last of them", () => {
    const summary = summarise(facts([row("onprem-app-01", 15), row("onprem-app-02", 12)]));
    expect(endToEndCell(summary, null)).toEqual({
      status: "unknown",
      detail: "Indeterminate: no results since 01:48 UTC (2 stopped reporting from 01:45 UTC)",
    });
  });

  it("a row of a test the monitor defines no more is left out, not stopped", () => {
    const f = facts([row("onprem-app-01", 2), row("onprem-app-02", 20, { test: "icmp" })]);
    expect(stoppedReporting(f.tests[1]!, f)).toBe(f.tests[1]);
    expect(summarise(f).gone.map((t) => t.test)).toEqual(["icmp"]);
  });
});

describe("a row of an endpoint its test group no longer names", () => {
  const removed: Group = { ...GROUP, sources: ["onprem-app-01"] };

  it.each<{ name: string; facts: EndToEndFacts; gone: string | null }>([
    {
      name: "a source removed from the group while another answers: gone",
      facts: facts([row("onprem-app-01", 2), row("onprem-app-02", 13)], { groups: [removed] }),
      gone: "source onprem-app-02",
    },
    {
      name: "a source renamed: its old name's rows are gone",
      facts: facts([row("onprem-app-11", 2), row("onprem-app-01", 8)], {
        groups: [{ ...GROUP, sources: ["onprem-app-11"] }],
      }),
      gone: "source onprem-app-01",
    },
    {
      name: "a destination removed while another is reached: gone",
      facts: facts(
        [row("onprem-app-01", 2), row("onprem-app-01", 2, { destination: "vm-db-01:443" })],
        { groups: [GROUP] },
      ),
      gone: "destination vm-db-01:443",
    },
    {
      name: "no row names a listed source (rows not by the endpoints' names): kept",
      facts: facts([row("vm-01", 2), row("onprem-app-02", 13)], { groups: [removed] }),
      gone: null,
    },
    {
      name: "a source written as its address: kept",
      facts: facts([row("onprem-app-01", 2), row("10.16.0.11", 2)], { groups: [removed] }),
      gone: null,
    },
    {
      name: "the group lists no source: kept",
      facts: facts([row("onprem-app-01", 2), row("onprem-app-02", 2)], {
        groups: [{ ...GROUP, sources: [] }],
      }),
      gone: null,
    },
  ])("$name", ({ facts: f, gone }) => {
    const found = endpointGone(f.tests[1]!, f);
    expect(found ? `${found.side} ${found.endpoint}` : null).toBe(gone);
  });

  it("is neither a pass nor a stop, and the evidence names it", () => {
    const summary = summarise(
      facts([row("onprem-app-01", 2), row("onprem-app-02", 13)], { groups: [removed] }),
    );
    expect(summary.overall).toBe("pass");
    expect(summary.counts.pass).toBe(1);
    expect(evidenceOf(summary)["notDefined"]).toEqual([
      `cm-er-circuit-prod/onprem-to-vnet/tcp-443: onprem-app-02 → vm-app-01:443 Pass at ${ago(13)}, its source onprem-app-02 no longer in the test group (not judged)`,
    ]);
  });
});
