// Users saw "up — 1 test passes" while another test the Connection Monitor
// defines sent nothing in the window (its source's agent had stopped): only
// the rows Log Analytics returned were counted. Now a defined test, or a
// source of its group, with no row is Indeterminate "no result in the last N
// min", judged only when the window covers the test's frequency plus the
// ingestion delay (a frequency not known is taken at the longest, 30 min).

import { describe, expect, it } from "vitest";
import { summarise } from "../../../src/core/dataplane/end-to-end.js";
import type { EndToEndFacts, EndToEndTest } from "../../../src/core/dataplane/facts.js";
import { silentTests, toEndpoint } from "../../../src/core/dataplane/silent-tests.js";
import { e2e, NOW, test, type TestGroup as Group, testGroup } from "./builders.js";

function facts(
  rows: EndToEndTest[],
  groups: Group[] | undefined,
  options: { seconds?: number | null; windowMin?: number; monitors?: number } = {},
): EndToEndFacts {
  const base = e2e(rows, options.monitors ?? 1);
  const seconds = options.seconds === undefined ? 30 : options.seconds;
  return {
    ...base,
    from: new Date(NOW.getTime() - (options.windowMin ?? 30) * 60_000).toISOString(),
    monitors: base.monitors.map((m, i) => ({
      ...m,
      workspace: `${m.workspace}-${i}`,
      ...(groups ? { testGroups: groups } : {}),
      ...(seconds === null
        ? {}
        : {
            frequencies: [...new Set((groups ?? []).flatMap((g) => g.testConfigurations))].map(
              (t) => ({ test: t, seconds }),
            ),
          }),
    })),
  };
}

const g = (name: string, tests: string[], sources: string[] = [], destinations: string[] = []) =>
  testGroup(name, tests, { sources, destinations });
const PASS = test("Pass");
const silentOf = (f: EndToEndFacts) =>
  silentTests(f).map((t) => `${t.testGroup}/${t.test} from ${t.source}: ${t.reason}`);

describe("which defined tests sent nothing in the window", () => {
  it.each<{ name: string; facts: EndToEndFacts; silent: string[] }>([
    {
      name: "every defined test answered: none",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443"], ["onprem-app-01"])]),
      silent: [],
    },
    {
      name: "another group sent nothing: each of its sources",
      facts: facts(
        [PASS],
        [g("onprem-to-vnet", ["tcp-443"]), g("dc2-to-vnet", ["tcp-1433"], ["db-01", "db-02"])],
      ),
      silent: [
        "dc2-to-vnet/tcp-1433 from db-01: no result in the last 30 min (it runs every 30 s)",
        "dc2-to-vnet/tcp-1433 from db-02: no result in the last 30 min (it runs every 30 s)",
      ],
    },
    {
      name: "a test of a group listing no source sent nothing: the test, from '?'",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443", "tcp-1433"])]),
      silent: ["onprem-to-vnet/tcp-1433 from ?: no result in the last 30 min (it runs every 30 s)"],
    },
    {
      name: "one source of a test silent beside another that answered",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443"], ["onprem-app-01", "onprem-app-02"])]),
      silent: [
        "onprem-to-vnet/tcp-443 from onprem-app-02: no result in the last 30 min (it runs every 30 s)",
      ],
    },
    {
      name: "rows naming no defined source: which one is silent cannot be told, none",
      facts: facts(
        [test("Pass", { source: "vm-01" })],
        [g("onprem-to-vnet", ["tcp-443"], ["vnet-app", "vnet-db"])],
      ),
      silent: [],
    },
    {
      name: "names in another case are the same",
      facts: facts(
        [test("Pass", { testGroup: "OnPrem-To-VNet", test: "TCP-443", source: "OnPrem-App-01" })],
        [g("onprem-to-vnet", ["tcp-443"], ["onprem-app-01"])],
      ),
      silent: [],
    },
    {
      name: "another monitor's row for a test of that name is not this monitor's",
      facts: facts(
        [test("Pass", { monitor: "cm-other" })],
        [g("onprem-to-vnet", ["tcp-443"], ["onprem-app-01"])],
      ),
      silent: [
        "onprem-to-vnet/tcp-443 from onprem-app-01: no result in the last 30 min (it runs every 30 s)",
      ],
    },
    {
      name: "a monitor writing to two workspaces is judged once",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443", "icmp"], ["onprem-app-01"])], {
        monitors: 2,
      }),
      silent: [
        "onprem-to-vnet/icmp from onprem-app-01: no result in the last 30 min (it runs every 30 s)",
      ],
    },
    {
      name: "the definition not read (tags named the monitor): nothing is known to be missing",
      facts: facts([PASS], undefined),
      silent: [],
    },
    {
      name: "a test every 30 min in a 30-min window may rightly have no row yet: not judged",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443", "tcp-1433"])], { seconds: 1800 }),
      silent: [],
    },
    {
      name: "a test every 20 min in a 30-min window (plus 10 min ingestion): judged",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443", "tcp-1433"])], { seconds: 1200 }),
      silent: [
        "onprem-to-vnet/tcp-1433 from ?: no result in the last 30 min (it runs every 1200 s)",
      ],
    },
    {
      name: "a 30-s test in a 10-min window: shorter than the ingestion allowance, not judged",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443", "tcp-1433"])], { windowMin: 10 }),
      silent: [],
    },
    {
      name: "frequency unknown in a 30-min window: taken at 30 min, not judged",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443", "tcp-1433"])], { seconds: null }),
      silent: [],
    },
    {
      name: "frequency unknown in a 60-min window: even at 30 min it must have answered",
      facts: facts([PASS], [g("onprem-to-vnet", ["tcp-443", "tcp-1433"])], {
        seconds: null,
        windowMin: 60,
      }),
      silent: ["onprem-to-vnet/tcp-1433 from ?: no result in the last 60 min"],
    },
  ])("$name", ({ facts: f, silent }) => {
    expect(silentOf(f)).toEqual(silent);
  });
});

describe("the aggregate with silent tests", () => {
  const groups = [g("onprem-to-vnet", ["tcp-443"]), g("dc2-to-vnet", ["tcp-1433"], ["db-01"])];
  it.each<{ name: string; rows: EndToEndTest[]; overall: string }>([
    { name: "one passing, one silent: not pass", rows: [PASS], overall: "indeterminate" },
    { name: "the one that ran fails, one silent: Fail", rows: [test("Fail")], overall: "fail" },
    {
      name: "one failing, one passing, one silent: Warning",
      rows: [test("Fail"), test("Pass", { test: "tcp-443", source: "onprem-app-02" })],
      overall: "warning",
    },
    { name: "nothing at all: indeterminate", rows: [], overall: "indeterminate" },
  ])("$name → $overall", ({ rows, overall }) => {
    expect(summarise(facts(rows, groups)).overall).toBe(overall);
  });
});

// A destination of a test group that no row of a test was of, while the
// test's rows reached another destination of the group (a VM deallocated,
// an endpoint Connection Monitor no longer resolves): its tests sent nothing,
// and it read "up" on the others. The same window rule as a silent source.
describe("a destination of the group that no row of the test reached", () => {
  const to = (destination: string, more: Partial<EndToEndTest> = {}) =>
    test("Pass", { destination: `${destination}:443`, ...more });
  const silentTo = (f: EndToEndFacts) =>
    silentTests(f).map(
      (t) => `${t.testGroup}/${t.test} ${t.source} → ${t.destination}: ${t.reason}`,
    );
  const group = (sources: string[] = []) =>
    g("onprem-to-vnet", ["tcp-443"], sources, ["vm-app-01", "vm-db-01"]);

  it.each<{ name: string; facts: EndToEndFacts; silent: string[] }>([
    {
      name: "every destination reached: none",
      facts: facts([to("vm-app-01"), to("vm-db-01")], [group(["onprem-app-01"])]),
      silent: [],
    },
    {
      name: "one destination silent while the other reports: that one",
      facts: facts([to("vm-app-01")], [group(["onprem-app-01"])]),
      silent: [
        "onprem-to-vnet/tcp-443 ? → vm-db-01: no result in the last 30 min (it runs every 30 s)",
      ],
    },
    {
      name: "the group lists no source: still judged by the destinations the rows name",
      facts: facts([to("vm-app-01")], [group()]),
      silent: [
        "onprem-to-vnet/tcp-443 ? → vm-db-01: no result in the last 30 min (it runs every 30 s)",
      ],
    },
    {
      name: "reached from one source only is reached: pairs are not judged",
      facts: facts(
        [
          to("vm-app-01"),
          to("vm-db-01", { source: "onprem-app-02" }),
          to("vm-app-01", { source: "onprem-app-02" }),
        ],
        [group(["onprem-app-01", "onprem-app-02"])],
      ),
      silent: [],
    },
    {
      name: "a source silent too: the source is said, not the destination it may alone test",
      facts: facts([to("vm-app-01")], [group(["onprem-app-01", "onprem-app-02"])]),
      silent: [
        "onprem-to-vnet/tcp-443 onprem-app-02 → ?: no result in the last 30 min (it runs every 30 s)",
      ],
    },
    {
      name: "rows naming no defined destination: which one is silent cannot be told, none",
      facts: facts([to("10.1.1.4")], [group(["onprem-app-01"])]),
      silent: [],
    },
    {
      name: "a destination written without its port, or in another case, is reached",
      facts: facts(
        [test("Pass", { destination: "vm-app-01" }), to("VM-DB-01")],
        [group(["onprem-app-01"])],
      ),
      silent: [],
    },
    {
      name: "the same window rule: a test every 30 min in a 30-min window is not judged",
      facts: facts([to("vm-app-01")], [group(["onprem-app-01"])], { seconds: 1800 }),
      silent: [],
    },
    {
      name: "another test's rows do not reach this test's destinations",
      facts: facts(
        [to("vm-app-01"), to("vm-db-01", { test: "icmp" }), to("vm-app-01", { test: "icmp" })],
        [g("onprem-to-vnet", ["tcp-443", "icmp"], ["onprem-app-01"], ["vm-app-01", "vm-db-01"])],
      ),
      silent: [
        "onprem-to-vnet/tcp-443 ? → vm-db-01: no result in the last 30 min (it runs every 30 s)",
      ],
    },
  ])("$name", ({ facts: f, silent }) => {
    expect(silentTo(f)).toEqual(silent);
  });

  it("the circuit is not 'up' on the destination that reports", () => {
    const summary = summarise(facts([to("vm-app-01")], [group(["onprem-app-01"])]));
    expect(summary.overall).toBe("indeterminate");
    expect(summary.counts).toMatchObject({ pass: 1, indeterminate: 1 });
  });

  it.each([
    ["vm-app-01:443", "vm-app-01", true],
    ["vm-app-01", "VM-App-01", true],
    ["vm-app-01:https", "vm-app-01", false],
    ["vm-app-011:443", "vm-app-01", false],
    ["10.1.1.4:443", "vm-app-01", false],
  ])("%s is of endpoint %s: %s", (destination, endpoint, is) => {
    expect(toEndpoint(destination, endpoint)).toBe(is);
  });
});
