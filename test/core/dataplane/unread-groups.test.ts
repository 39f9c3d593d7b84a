// One test group of a monitor's definition that erwatch cannot read used to
// drop the whole definition: the readable groups' removed and silent tests
// went unjudged. Now the readable groups are judged as ever; a row of the
// unreadable group is kept (never taken for a removed test), and that group
// is a blind read of its own.

import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../../src/core/classify.js";
import { stillDefined } from "../../../src/core/dataplane/end-to-end.js";
import type { MonitorRef } from "../../../src/core/dataplane/facts.js";
import type { ReadFailure } from "../../../src/core/model.js";
import { circuitReading, ok } from "../../support/readings.js";
import { e2e, test, testGroup } from "./builders.js";

const UNREAD: ReadFailure = {
  kind: "malformed",
  call: "Microsoft.Network/networkWatchers/connectionMonitors/read",
  target: "connection monitor cm-er-circuit-prod",
  message: "connection monitor cm-er-circuit-prod: testGroups[1] is null, not an object",
};

function monitor(unread: string | null): MonitorRef {
  return {
    ...e2e([]).monitors[0]!,
    testGroups: [testGroup()],
    unreadGroups: [{ name: unread, failure: UNREAD }],
  };
}

describe("a row's test, beside a test group erwatch cannot read", () => {
  it.each<[string, { testGroup: string; test: string }, string | null, boolean]>([
    ["a readable group's test", { testGroup: "onprem-to-vnet", test: "tcp-443" }, "to-hub", true],
    [
      "a test the readable group no longer defines: removed",
      { testGroup: "onprem-to-vnet", test: "tcp-22" },
      "to-hub",
      false,
    ],
    ["the unreadable group's test: kept", { testGroup: "to-hub", test: "icmp" }, "to-hub", true],
    [
      "another group's test, the unreadable one named otherwise: removed",
      { testGroup: "old-group", test: "icmp" },
      "to-hub",
      false,
    ],
    [
      "any group's test when the unreadable one's name is not known: kept",
      { testGroup: "old-group", test: "icmp" },
      null,
      true,
    ],
  ])("%s", (_what, row, unread, defined) => {
    expect(stillDefined(test("Fail", row), [monitor(unread)])).toBe(defined);
  });

  it("the unreadable group is the circuit's blind read, named once", () => {
    const facts = {
      ...e2e([test("Pass"), test("Fail", { testGroup: "to-hub", test: "icmp" })]),
      monitors: [monitor("to-hub")],
    };
    const verdict = classifyCircuit(circuitReading({ dataPlane: { endToEnd: ok(facts) } }));
    expect(verdict.failedReads).toEqual([UNREAD]);
    expect(verdict.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
  });
});
