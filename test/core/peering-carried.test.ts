// A peering that carried traffic and is then Disabled has stopped both its
// paths: Sev0, whether or not a tag or ERWATCH_EXPECTED_PEERINGS names it
// (found by a review: the default names only the private peering, so a
// working Microsoft peering disabled was a Sev3 note). The memory holds over
// the sweeps it stays Disabled (no de-escalation), is read from the rows of a
// snapshot kept before it was, and a peering never seen carrying stays Sev3.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  circuitReading,
  CONNECTED_GATEWAY,
  microsoftPeering,
  ok,
  peering,
} from "../support/readings.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};
const at = (minutes: number) => new Date(Date.parse("2026-11-22T02:00:00.000Z") + minutes * 60_000);

/** The circuit with its Microsoft peering in `state`; its paths carry when Enabled and `carrying`. */
function reading(state: "Enabled" | "Disabled", carrying = true) {
  const down = { bgp: "Idle" } as const;
  return circuitReading({
    peerings: [peering(), microsoftPeering("Configured", { state })],
    gateway: ok(CONNECTED_GATEWAY),
    ...(carrying ? {} : { paths: { MicrosoftPeering: { primary: down, secondary: down } } }),
  });
}

/** Evaluates each reading in turn, five minutes apart, from `start`; the Microsoft peering's findings at each. */
function sweeps(readings: ReturnType<typeof reading>[], start: Snapshot | null = null) {
  let previous = start;
  return readings.map((r, i) => {
    const judged = evaluateCircuit(r, previous, [], [], POLICY, at(5 * i));
    previous = judged.snapshot;
    return judged.verdict.findings
      .filter((f) => f.peering === "MicrosoftPeering")
      .map((f) => `${f.code}:${f.severity}`);
  });
}

describe("a Disabled peering that carried traffic", () => {
  it("is Sev0 from the first sweep it is Disabled, and stays Sev0 while it is", () => {
    expect(
      sweeps([reading("Enabled"), reading("Disabled"), reading("Disabled"), reading("Disabled")]),
    ).toEqual([
      [],
      ["peering-disabled:Sev0"],
      ["peering-disabled:Sev0"],
      ["peering-disabled:Sev0"],
    ]);
  });

  it("never seen carrying (configured, sessions never up): a Sev3 note", () => {
    expect(sweeps([reading("Enabled", false), reading("Disabled"), reading("Disabled")])).toEqual([
      expect.anything(),
      ["peering-disabled:Sev3"],
      ["peering-disabled:Sev3"],
    ]);
  });

  it("Disabled from the first sweep: nothing says it carried, a Sev3 note", () => {
    expect(sweeps([reading("Disabled")])).toEqual([["peering-disabled:Sev3"]]);
  });

  it("a snapshot kept before the memory was: its rows say it carried", () => {
    const first = evaluateCircuit(reading("Enabled"), null, [], [], POLICY, at(0)).snapshot;
    const older = structuredClone(first);
    for (const p of Object.values(older.peerings)) delete p.carried;
    expect(sweeps([reading("Disabled")], older)).toEqual([["peering-disabled:Sev0"]]);
  });

  it("says in its title that it carried traffic", () => {
    const first = evaluateCircuit(reading("Enabled"), null, [], [], POLICY, at(0)).snapshot;
    const judged = evaluateCircuit(reading("Disabled"), first, [], [], POLICY, at(5));
    expect(judged.verdict.findings.find((f) => f.code === "peering-disabled")?.title).toBe(
      "MicrosoftPeering is Disabled: no traffic on either path; it carried traffic at an earlier sweep",
    );
  });
});
