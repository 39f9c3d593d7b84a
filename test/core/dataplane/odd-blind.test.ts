// Metric values that cannot be (oddValue) are gaps named in the notes; when
// they leave a path's capacity row unknown, erwatch cannot judge traffic or
// saturation there, and says so as it does for any read it cannot understand:
// a `monitoring-blind` finding (kind "malformed") for that peering and path.
// Odd minutes among enough good ones are a note only.

import { describe, expect, it } from "vitest";
import { alertKey } from "../../../src/core/alert-identity.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../../src/core/classify.js";
import type { CircuitMetrics, MetricName } from "../../../src/core/dataplane/facts.js";
import { evaluateCircuit, type EvaluationPolicy } from "../../../src/core/evaluate.js";
import type { PathName } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";
import { circuitReading } from "../../support/readings.js";
import { dp, metrics, NOW, type Shape } from "./builders.js";

const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};
const PRIVATE = "AzurePrivatePeering";
const MINUTE = 60_000;
/** The builders' newest point: Azure Monitor is two minutes late. */
const NEWEST = NOW.getTime() - 2 * MINUTE;

interface Odd {
  metrics: MetricName[];
  paths: PathName[];
  /** Minutes back from the newest point that Azure Monitor sent `value` for. */
  minutes: number[];
  value: string;
  reason: string;
}

/** Healthy series, with the odd minutes left out as the reader leaves them (a gap) and named in `odd`. */
function withOdd(odd: Odd): CircuitMetrics {
  const hit = (metric: MetricName, path: PathName, ago: number) =>
    odd.metrics.includes(metric) && odd.paths.includes(path) && odd.minutes.includes(ago);
  const shape: Shape = (metric, _peering, path, ago) =>
    hit(metric, path, ago) ? null : (undefined as unknown as null);
  return {
    ...metrics(shape),
    odd: odd.metrics.flatMap((metric) =>
      odd.paths.flatMap((path) =>
        odd.minutes.map((ago) => ({
          metric,
          peering: PRIVATE,
          path,
          at: new Date(NEWEST - ago * MINUTE).toISOString(),
          value: odd.value,
          reason: odd.reason,
        })),
      ),
    ),
  };
}

const every = Array.from({ length: 60 }, (_, i) => i);
const judge = (m: CircuitMetrics) =>
  evaluateCircuit(
    circuitReading({ dataPlane: dp.metrics(m) }),
    null,
    [],
    [
      {
        key: alertKey(circuitReading().ref.id, PRIVATE, "path-down"),
        family: "path-down",
        peering: PRIVATE,
      },
    ],
    POLICY,
    NOW,
  );
const blind = (m: CircuitMetrics) =>
  judge(m)
    .verdict.findings.filter((f) => f.code === "monitoring-blind")
    .map((f) => ({ severity: f.severity, peering: f.peering, paths: f.paths, title: f.title }));

describe("odd metric values that leave a path's capacity row unknown are a monitoring-blind read", () => {
  it.each<{ name: string; odd: Odd; expected: ReturnType<typeof blind> }>([
    {
      name: "negative bits/s both ways on the primary for the whole look-back",
      odd: {
        metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
        paths: ["primary"],
        minutes: every,
        value: "-5",
        reason: "negative bits/s",
      },
      expected: [
        {
          severity: "Sev3",
          peering: PRIVATE,
          paths: ["primary"],
          title: expect.stringMatching(
            /^erwatch cannot understand what Azure answered for BitsInPerSecond of AzurePrivatePeering\/primary: -5 \(negative bits\/s\), 14 minutes since 01:45 UTC; 1 more answer it cannot understand$/,
          ) as unknown as string,
        },
      ],
    },
    {
      name: "1e30 bits/s in on the secondary for the whole look-back",
      odd: {
        metrics: ["BitsInPerSecond"],
        paths: ["secondary"],
        minutes: every,
        value: "1e+30",
        reason: "more bits/s than any ExpressRoute port carries",
      },
      expected: [
        {
          severity: "Sev3",
          peering: PRIVATE,
          paths: ["secondary"],
          title: expect.stringContaining(
            "BitsInPerSecond of AzurePrivatePeering/secondary: 1e+30 (more bits/s than any ExpressRoute port carries)",
          ) as unknown as string,
        },
      ],
    },
    {
      name: "text on both paths: one finding naming both",
      odd: {
        metrics: ["BitsOutPerSecond"],
        paths: ["primary", "secondary"],
        minutes: every,
        value: '"NaN"',
        reason: "not a number",
      },
      expected: [
        {
          severity: "Sev3",
          peering: PRIVATE,
          paths: ["primary", "secondary"],
          title: expect.stringContaining(
            'BitsOutPerSecond of AzurePrivatePeering/primary: "NaN" (not a number)',
          ) as unknown as string,
        },
      ],
    },
    {
      name: "one odd minute among good ones: a note only",
      odd: {
        metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
        paths: ["primary"],
        minutes: [7],
        value: "-5",
        reason: "negative bits/s",
      },
      expected: [],
    },
    {
      name: "odd minutes before the look-back: nothing",
      odd: {
        metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
        paths: ["primary"],
        minutes: every.filter((m) => m >= 45),
        value: "-5",
        reason: "negative bits/s",
      },
      expected: [],
    },
  ])("$name", ({ odd, expected }) => {
    expect(blind(withOdd(odd))).toEqual(expected);
  });

  it("is a failed read of the verdict, and holds no control-plane alert: path-down stays judged", () => {
    const judged = judge(
      withOdd({
        metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
        paths: ["primary"],
        minutes: every,
        value: "-5",
        reason: "negative bits/s",
      }),
    );
    expect(judged.verdict.failedReads).toEqual([
      expect.objectContaining({
        kind: "malformed",
        call: "Microsoft.Insights/metrics/read",
        target: "BitsInPerSecond of AzurePrivatePeering/primary",
      }),
      expect.objectContaining({ target: "BitsOutPerSecond of AzurePrivatePeering/primary" }),
    ]);
    expect(judged.verdict.peerings[0]!.paths.primary.capacity.status).toBe("unknown");
    expect(
      judged.observations.map((o) => `${o.family}:${o.state}:${(o.unreadPaths ?? []).join("+")}`),
    ).toEqual(["monitoring-blind:firing:", "path-down:clean:"]);
  });

  it("a note, not a read, when the odd minutes leave the row judged", () => {
    const judged = judge(
      withOdd({
        metrics: ["BitsInPerSecond"],
        paths: ["primary"],
        minutes: [7],
        value: "-5",
        reason: "negative bits/s",
      }),
    );
    expect(judged.verdict.failedReads).toEqual([]);
    expect(judged.verdict.peerings[0]!.paths.primary.capacity.status).toBe("up");
    expect(judged.verdict.peerings[0]!.notes?.join("\n")).toMatch(
      /BitsInPerSecond -5 for the primary path/,
    );
  });
});
