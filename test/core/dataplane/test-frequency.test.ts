// A testFrequencySec that no Connection Monitor test runs at (1e308, a day)
// was taken as sent: a row was "stopped" only once older than that, so a
// stopped agent's last Pass read "1 test passes" until it left the look-back,
// and its silence was never judged. Past the longest Connection Monitor
// runs, or given twice for one test with two values, a frequency is not
// known: taken at the longest, 30 minutes, as one erwatch cannot read is.

import { describe, expect, it } from "vitest";
import { summarise } from "../../../src/core/dataplane/end-to-end.js";
import type { EndToEndFacts, MonitorRef } from "../../../src/core/dataplane/facts.js";
import { frequencyOf } from "../../../src/core/dataplane/silent-tests.js";
import { e2e, NOW, test } from "./builders.js";

type Frequencies = MonitorRef["frequencies"];

describe("a test's frequency", () => {
  it.each<[string, Frequencies, number | null]>([
    ["as given", [{ test: "tcp-443", seconds: 30 }], 30],
    ["the longest Connection Monitor runs", [{ test: "tcp-443", seconds: 1800 }], 1800],
    ["another case of the test's name", [{ test: "TCP-443", seconds: 60 }], 60],
    ["not given", undefined, null],
    ["given for another test only", [{ test: "tcp-1433", seconds: 30 }], null],
    ["1e308", [{ test: "tcp-443", seconds: 1e308 }], null],
    ["a day", [{ test: "tcp-443", seconds: 86_400 }], null],
    ["just past 30 minutes", [{ test: "tcp-443", seconds: 1801 }], null],
    ["Infinity", [{ test: "tcp-443", seconds: Infinity }], null],
    ["NaN", [{ test: "tcp-443", seconds: NaN }], null],
    ["0", [{ test: "tcp-443", seconds: 0 }], null],
    ["negative", [{ test: "tcp-443", seconds: -30 }], null],
    [
      "twice, the same",
      [
        { test: "tcp-443", seconds: 60 },
        { test: "tcp-443", seconds: 60 },
      ],
      60,
    ],
    [
      "twice, differently: the longer",
      [
        { test: "tcp-443", seconds: 30 },
        { test: "tcp-443", seconds: 900 },
      ],
      900,
    ],
    [
      "twice, once absurd",
      [
        { test: "tcp-443", seconds: 30 },
        { test: "tcp-443", seconds: 1e308 },
      ],
      null,
    ],
  ])("%s → %j", (_what, frequencies, seconds) => {
    expect(frequencyOf(frequencies ? { frequencies } : {}, "tcp-443")).toBe(seconds);
  });
});

const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

function facts(seconds: number, rows: EndToEndFacts["tests"], windowMin = 30): EndToEndFacts {
  const base = e2e(rows);
  return {
    ...base,
    from: ago(windowMin),
    monitors: base.monitors.map((m) => ({
      ...m,
      testGroups: [
        {
          name: "onprem-to-vnet",
          testConfigurations: ["tcp-443"],
          sources: ["onprem-app-01"],
          destinations: ["vnet-prod"],
        },
      ],
      frequencies: [{ test: "tcp-443", seconds }],
    })),
  };
}

describe("a stopped agent's last Pass under an absurd frequency", () => {
  it.each([1e308, 86_400, 1801])("%s s: a Pass 45 minutes old (look-back 60) stopped", (s) => {
    const summary = summarise(facts(s, [test("Pass", { at: ago(45) })], 60));
    expect(summary.overall).toBe("indeterminate");
    expect(summary.tests.map((t) => t.reason)).toEqual([
      "stopped reporting at 01:15 UTC (its last result Pass)",
    ]);
  });

  it.each([1e308, 86_400])("%s s: no row in a 60-minute look-back is silence", (s) => {
    const summary = summarise(facts(s, [], 60));
    expect(summary.tests.map((t) => t.reason)).toEqual(["no result in the last 60 min"]);
  });

  it("30 s as given: a Pass 12 minutes old stopped, said with its frequency", () => {
    const summary = summarise(facts(30, [test("Pass", { at: ago(12) })]));
    expect(summary.tests.map((t) => t.reason)).toEqual([
      "stopped reporting at 01:48 UTC (its last result Pass; it runs every 30 s)",
    ]);
  });
});
