import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import {
  evaluateCircuit,
  evaluateOrBlind,
  type EvaluationPolicy,
} from "../../src/core/evaluate.js";
import type { HistoryEntry, LayerTransition } from "../../src/core/history.js";
import type { Criticality, PathName, Severity } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  circuitReading,
  CIRCUIT_ID,
  CONNECTED_GATEWAY,
  failed,
  ok,
  type CircuitSpec,
} from "../support/readings.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const POLICY: EvaluationPolicy = {
  classify: DEFAULT_CLASSIFY_OPTIONS,
  alerts: DEFAULT_ALERT_POLICY,
};

const evaluate = (spec: CircuitSpec, history: HistoryEntry[] = []) =>
  evaluateCircuit(circuitReading(spec), null, history, [], POLICY, NOW);

/** `count` path transitions on one path in the last half hour: a flapping session. */
function flaps(path: PathName, count: number): LayerTransition[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: "transition" as const,
    at: new Date(NOW.getTime() - (count - i) * 4 * 60_000).toISOString(),
    circuitId: CIRCUIT_ID,
    peering: "AzurePrivatePeering",
    path,
    layer: "path" as const,
    before: i % 2 === 0 ? ("up" as const) : ("down" as const),
    after: i % 2 === 0 ? ("down" as const) : ("up" as const),
    beforeDetail: "",
    afterDetail: "",
  }));
}

describe("evaluateCircuit: the circuit's criticality grades every finding, in one place", () => {
  // Sev0 means traffic stopped; a tag cannot make that true, so nothing is raised into Sev0.
  it.each([
    { criticality: "normal", one: "Sev2", gateway: "Sev3", both: "Sev0", flap: "Sev2" },
    { criticality: "high", one: "Sev1", gateway: "Sev2", both: "Sev0", flap: "Sev1" },
    { criticality: "low", one: "Sev3", gateway: "Sev4", both: "Sev1", flap: "Sev3" },
  ] as {
    criticality: Criticality;
    one: Severity;
    gateway: Severity;
    both: Severity;
    flap: Severity;
  }[])(
    "criticality $criticality: one path $one, gateway $gateway, both paths $both, flapping $flap",
    ({ criticality, one, gateway, both, flap }) => {
      const settings = { criticality };
      const grade = (spec: CircuitSpec, history: HistoryEntry[] = []) =>
        evaluate({ ...spec, settings }, history).verdict.findings.map(
          (f) => `${f.code}:${f.severity}`,
        );
      expect(grade({ paths: { AzurePrivatePeering: { primary: { bgp: "Idle" } } } })).toEqual([
        `bgp-down:${one}`,
      ]);
      expect(grade({ gateway: ok([]) })).toEqual([`gateway-not-connected:${gateway}`]);
      expect(
        grade({
          paths: { AzurePrivatePeering: { primary: { bgp: "0" }, secondary: { bgp: "0" } } },
        }),
      ).toEqual([`no-prefixes-received:${both}`]);
      // The flap finding is made from history, after classification: it is graded too.
      expect(grade({}, flaps("secondary", 6))).toEqual([`session-flapping:${flap}`]);
    },
  );
});

describe("evaluateCircuit: one verdict with everything that decides", () => {
  it("puts the flap finding in the verdict and in the observations", () => {
    const { verdict, observations } = evaluate({}, flaps("primary", 6));
    expect(verdict.findings.map((f) => f.code)).toEqual(["session-flapping"]);
    expect(observations.map((o) => `${o.family}:${o.state}`)).toEqual(["session-flapping:firing"]);
  });

  it("adds the prefix trend to a near-limit finding", () => {
    const history: HistoryEntry[] = [
      {
        kind: "prefixes",
        at: new Date(NOW.getTime() - 60 * 60_000).toISOString(),
        circuitId: CIRCUIT_ID,
        peering: "AzurePrivatePeering",
        path: "primary",
        before: 3000,
        after: 3200,
        limit: 4000,
      },
    ];
    const { verdict } = evaluate(
      { paths: { AzurePrivatePeering: { primary: { bgp: "3400" } } } },
      history,
    );
    const near = verdict.findings.find((f) => f.code === "prefix-limit-near")!;
    expect(near.evidence.trend).toMatchObject({ primary: { perHour: 200, samples: 2 } });
  });

  it("returns the next snapshot and the changes against the previous one", () => {
    const first = evaluate({});
    const second = evaluateCircuit(
      circuitReading({
        paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } },
      }),
      first.snapshot,
      [],
      [],
      POLICY,
      new Date(NOW.getTime() + 5 * 60_000),
    );
    const paths = second.changes.filter((c) => c.kind === "transition" && c.layer === "path");
    expect(paths).toMatchObject([{ path: "secondary", before: "up", after: "down" }]);
    expect(second.snapshot.peerings.AzurePrivatePeering?.paths.secondary.path.status).toBe("down");
  });
});

describe("evaluateOrBlind: a verdict that throws makes the circuit UNKNOWN, not gone", () => {
  it("returns a blind verdict and the error", () => {
    const reading = circuitReading({});
    // A shape the adapter never produces: a peering without a name.
    const odd = {
      ...reading,
      circuit: reading.circuit.ok
        ? { ...reading.circuit, value: { ...reading.circuit.value, peerings: [{} as never] } }
        : reading.circuit,
    };
    expect(() => evaluateCircuit(odd, null, [], [], POLICY, NOW)).toThrow();
    const judged = evaluateOrBlind(odd, null, [], [], POLICY, NOW);
    expect(judged.error).toBeInstanceOf(Error);
    expect(judged.verdict.circuitRead).toBe(false);
    expect(judged.verdict.findings.map((f) => `${f.code}:${f.severity}`)).toEqual([
      "monitoring-blind:Sev3",
    ]);
    expect(judged.verdict.failedReads[0]).toMatchObject({ kind: "internal", call: "erwatch" });
  });
});

describe("a stored snapshot with a field its row's check does not reach (a hand edit, an older erwatch)", () => {
  // Judged blind on a throw, the circuit was judged again with the same
  // snapshot, which threw again: it was recorded at no sweep, paged for nothing.
  type Odd = Record<string, unknown> & { peerings: Record<string, Record<string, unknown>> };
  const stored = (edit: (s: Odd) => void): Snapshot => {
    const s = structuredClone(
      evaluateCircuit(circuitReading(), null, [], [], POLICY, new Date(NOW.getTime() - 300_000))
        .snapshot,
    );
    edit(s as unknown as Odd);
    return s;
  };
  const cellsOf = (s: Odd) =>
    (s.peerings.AzurePrivatePeering!.paths as Record<string, Record<string, unknown>>).primary!;
  const lost = circuitReading({
    gateway: ok([{ ...CONNECTED_GATEWAY[0]!, status: "NotConnected" }]),
  });
  const codes = (e: { verdict: { findings: { code: string; severity: string }[] } }) =>
    e.verdict.findings.map((f) => `${f.code}:${f.severity}`);

  it.each<[string, unknown]>([
    ["a number", 5],
    ["an object", { AzurePrivatePeering: true }],
    ["true", true],
    ["text", "AzurePrivatePeering"],
  ])("peeringsGone %s: judged, and only names are kept", (_, gone) => {
    const previous = stored((s) => (s.peeringsGone = gone));
    const down = circuitReading({
      paths: { AzurePrivatePeering: { primary: { arp: "empty", bgp: "Idle" } } },
    });
    const judged = evaluateOrBlind(down, previous, [], [], POLICY, NOW);
    expect(judged.error).toBeUndefined();
    // Judged as without it: its one path down.
    expect(codes(judged)).toEqual(
      codes(
        evaluateCircuit(
          down,
          stored(() => {}),
          [],
          [],
          POLICY,
          NOW,
        ),
      ),
    );
    expect(codes(judged)).toEqual(["arp-missing:Sev2"]);
    expect(judged.snapshot.peeringsGone).toBeUndefined();
    const unread = evaluateOrBlind(
      circuitReading({ circuit: failed({ kind: "timeout" }) }),
      stored((s) => (s.peeringsGone = [gone, null, "MicrosoftPeering"])),
      [],
      [],
      POLICY,
      NOW,
    );
    expect(unread.error).toBeUndefined();
    expect(unread.snapshot.peeringsGone).toEqual([
      ...(typeof gone === "string" ? [gone] : []),
      "MicrosoftPeering",
    ]);
  });

  it.each<{ name: string; edit: (s: Odd) => void; was: boolean }>([
    {
      // Kept before the memory was, by an erwatch that kept no gateway row.
      name: "no gateway memory and no gateway row: not known to have been Connected",
      edit: (s) => {
        delete s.peerings.AzurePrivatePeering!.gatewayWasConnected;
        delete s.peerings.AzurePrivatePeering!.gatewayConnections;
        delete cellsOf(s).gateway;
      },
      was: false,
    },
    {
      name: "a gateway memory that is not true or false: the row says",
      edit: (s) => (s.peerings.AzurePrivatePeering!.gatewayWasConnected = "no"),
      was: true,
    },
  ])("$name", ({ edit, was }) => {
    const judged = evaluateOrBlind(lost, stored(edit), [], [], POLICY, NOW);
    expect(judged.error).toBeUndefined();
    expect(codes(judged)).toEqual([`gateway-not-connected:${was ? "Sev1" : "Sev3"}`]);
    expect(judged.snapshot.peerings.AzurePrivatePeering!.gatewayWasConnected).toBe(was);
  });
});
