// What the data plane keeps between sweeps in the snapshot (when each path
// last carried, each path's run since an outage) is not checked with the row:
// any text, or anything else. Date.parse read "42" as the year 2042, held to
// now: the path "carried now", so a stop that began was idle for a window,
// and a run "back from an outage now" took the stop for the outage's quiet.
// "yesterday" was NaN: a path that had carried, quiet longer than Azure
// Monitor's look-back, was "never seen carrying", its stop never paged (and an
// open one resolved for good, the memory forgotten). A time that is not an
// instant is neither: the path carried at a time not known, never within the
// window, and the run began at a time not known (before runs were kept). The
// current metrics still decide whether a path carries.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type { CarryRun } from "../../../src/core/dataplane/metrics.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import type { Snapshot } from "../../../src/core/snapshot.js";
import { circuitReading, type CircuitSpec } from "../../support/readings.js";
import { dp, metrics, NOW, quiet, type Shape } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};
const BOTH = ["primary", "secondary"] as const;
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString();

/** Kept values erwatch never writes: text that is not an instant, a time without its zone (an hour ahead), a number. */
const ODD: [string, unknown][] = [
  ["a number as text", "42"],
  ["empty", ""],
  ["a word", "yesterday"],
  ["a time without its zone", "2026-11-22T03:00:00"],
  ["a number", 1_795_312_800_000],
];

/** This sweep's judgement, the last snapshot keeping `memory` (both paths) and `runs`. */
function judged(
  shape: Shape | undefined,
  kept: { memory?: unknown; runs?: unknown },
  spec: CircuitSpec = {},
) {
  const before = evaluateCircuit(
    circuitReading({ dataPlane: dp.metrics(metrics()) }),
    null,
    [],
    [],
    POLICY,
    new Date(NOW.getTime() - 60 * 60_000),
  ).snapshot;
  const previous = {
    ...before,
    ...("memory" in kept
      ? { lastCarriedAt: { AzurePrivatePeering: { primary: kept.memory, secondary: kept.memory } } }
      : {}),
    ...("runs" in kept
      ? { carryRuns: { AzurePrivatePeering: { primary: kept.runs, secondary: kept.runs } } }
      : {}),
  } as unknown as Snapshot;
  const e = evaluateCircuit(
    circuitReading({ ...spec, dataPlane: dp.metrics(metrics(shape)) }),
    previous,
    [],
    [],
    POLICY,
    NOW,
  );
  const stop = e.verdict.findings.find((f) => f.code === "traffic-stopped");
  return {
    stop: stop ? `${stop.severity} ${stop.paths.join("+")}` : null,
    evidence: stop?.evidence.paths as Record<
      string,
      { lastCarriedAt: unknown; quietMinutes: number }
    >,
    capacity: e.verdict.peerings[0]!.paths.primary.capacity.detail,
    memory: e.snapshot.lastCarriedAt?.AzurePrivatePeering?.primary,
  };
}

describe("when a path last carried, kept as a time that is not one", () => {
  it.each(ODD)(
    "%s (%j): a stop that began 20 min ago is found now, dated by the metrics",
    (_, odd) => {
      const got = judged(quiet([...BOTH], 20), { memory: odd });
      expect(got.stop).toBe("Sev1 primary+secondary");
      expect(got.capacity).toBe("no traffic either way for 20 min (last carried 01:38 UTC)");
      expect(got.memory).toBe(at(22));
    },
  );

  it.each(ODD)(
    "%s (%j): quiet for all Azure Monitor returns, it carried at a time not known: a stop, and kept",
    (_, odd) => {
      const got = judged(quiet([...BOTH], 60), { memory: odd });
      expect(got.stop).toBe("Sev1 primary+secondary");
      expect(got.capacity).toBe(
        "no traffic either way for at least 59 min (when it last carried is not known)",
      );
      expect(got.evidence.primary).toMatchObject({ lastCarriedAt: null, quietMinutes: 59 });
      // Kept as it was: the next sweep knows no more, and no less, than this one.
      expect(got.memory).toEqual(odd);
    },
  );

  it.each(ODD)(
    "%s (%j): a path that carries is flowing, its memory now the metrics' minute",
    (_, odd) => {
      const got = judged(undefined, { memory: odd });
      expect(got.stop).toBeNull();
      expect(got.capacity).not.toMatch(/no traffic/);
      expect(got.memory).toBe(at(2));
    },
  );

  it("the controls: a readable memory an hour old is a stop; none, never seen carrying, is idle", () => {
    expect(judged(quiet([...BOTH], 60), { memory: at(61) })).toMatchObject({
      stop: "Sev1 primary+secondary",
      capacity: "no traffic either way for 59 min (last carried 00:59 UTC)",
    });
    expect(judged(quiet([...BOTH], 60), {}).stop).toBeNull();
    expect(judged(quiet([...BOTH], 60), { memory: null }).stop).toBeNull();
  });

  it("the standby quiet by design while the other path carries: not a stop, whatever its memory", () => {
    const got = judged(
      quiet(["secondary"], 60),
      { memory: "42" },
      { settings: { standbyPath: "secondary" } },
    );
    expect(got.stop).toBeNull();
  });
});

describe("a path's run since an outage, begun at a time that is not one", () => {
  const run = (since: unknown): CarryRun => ({ since, down: false, stopped: false }) as CarryRun;

  it.each(ODD.filter(([, odd]) => typeof odd === "string"))(
    "%s (%j): not back from an outage now: the stop is found",
    (_, odd) => {
      expect(judged(quiet([...BOTH], 60), { memory: at(61), runs: run(odd) }).stop).toBe(
        "Sev1 primary+secondary",
      );
    },
  );

  it("the control: a run begun this sweep (back from an outage) explains the quiet", () => {
    expect(judged(quiet([...BOTH], 60), { memory: at(61), runs: run(at(0)) }).stop).toBeNull();
  });
});
