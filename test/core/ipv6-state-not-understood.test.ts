// An IPv6 neighbor whose state erwatch cannot parse (e.g. Cisco's "NoNeg", an
// address family not negotiated) beside an IPv4 session Established with
// prefixes. On-call saw the primary lose layer 2 page Sev1 "redundancy
// unverified" (PagerDuty) instead of Sev2 "redundancy holding" (Teams): any
// unrecognised neighbor made the whole BGP row UNKNOWN, so the secondary,
// carrying 120 IPv4 prefixes, was "not known to hold". Now the row warns
// ("IPv6 state "NoNeg" not understood (…); IPv4 Established"), the path
// carries IPv4, and only IPv6's judgement is unknown: no IPv6 down or empty
// finding, no IPv6 count, nothing said of IPv6 on that path by the other
// path's IPv6 finding, and the snapshot keeps IPv6's last known state (the
// BGP row's up ↔ warn is IPv6 down and back to the flap history and the
// prefix drop). IPv4's own state not understood beside IPv6 carrying leaves
// the row UNKNOWN: IPv4 is the main family, the path is not read as carrying.

import { describe, expect, it } from "vitest";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit, type Evaluation } from "../../src/core/evaluate.js";
import type { HistoryEntry } from "../../src/core/history.js";
import type { CircuitFacts, LayerStatus, Severity } from "../../src/core/model.js";
import { analysePath } from "../../src/core/path-analysis.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { DEFAULT_ROUTE_LIMITS } from "../../src/core/route-limits.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  circuitReading,
  neighbor,
  pathReading,
  peering,
  type CircuitSpec,
  type PathSpec,
} from "../support/readings.js";

const T = Date.parse("2026-11-22T02:00:00.000Z");
const at = (m: number) => new Date(T + m * 60_000);
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const PRIVATE = "AzurePrivatePeering";
const dual = (v4: string, v6: string): PathSpec => ({ bgp: [neighbor(v4), neighbor(v6, 6)] });
const spec = (primary: PathSpec, secondary: PathSpec): CircuitSpec => ({
  paths: { [PRIVATE]: { primary, secondary } },
});

/** Sweeps every 5 minutes, carrying the snapshot and history as the stateful sweep does. */
function sweeps(specs: CircuitSpec[]): Evaluation[] {
  let previous: Snapshot | null = null;
  const history: HistoryEntry[] = [];
  return specs.map((s, i) => {
    const e = evaluateCircuit(
      circuitReading({ ...s, readAt: at(i * 5).toISOString() }),
      previous,
      history,
      [],
      POLICY,
      at(i * 5),
    );
    previous = e.snapshot;
    history.push(...e.changes);
    return e;
  });
}

describe("one path down beside the other's IPv6 state not understood", () => {
  it.each<{
    name: string;
    secondary: PathSpec;
    severity: Severity;
    title: RegExp;
    row: [LayerStatus, LayerStatus];
  }>([
    {
      name: 'IPv4 Established with 120 prefixes, IPv6 "NoNeg": redundancy holding, Sev2',
      secondary: dual("120", "NoNeg"),
      severity: "Sev2",
      title:
        /— redundancy holding \(secondary IPv4 Established, 120 prefixes; IPv6 state "NoNeg" not understood \(3ffe:ffff:0:cd30::1\)\)$/,
      row: ["warn", "up"],
    },
    {
      // The symmetric case: IPv4's own state unknown, the path is not read as carrying IPv4.
      name: 'IPv4 "NoNeg", IPv6 Established with 12 prefixes: redundancy unverified, Sev1',
      secondary: dual("NoNeg", "12"),
      severity: "Sev1",
      title:
        /— redundancy unverified: the secondary path could not be confirmed \(unrecognised BGP state "NoNeg"\)$/,
      row: ["unknown", "unknown"],
    },
    {
      // IPv4 carries nothing there: nothing holds, and IPv6 is not known to.
      name: 'IPv4 Established with 0 prefixes, IPv6 "NoNeg": unverified, Sev1',
      secondary: dual("0", "NoNeg"),
      severity: "Sev1",
      title: /— redundancy unverified: .*\(unrecognised BGP state "NoNeg"\)$/,
      row: ["unknown", "unknown"],
    },
  ])("$name", ({ secondary, severity, title, row }) => {
    const { verdict } = evaluateCircuit(
      circuitReading(spec({ arp: "empty", bgp: "Idle" }, secondary)),
      null,
      [],
      [],
      POLICY,
      at(0),
    );
    const down = verdict.findings.find((f) => f.code === "arp-missing")!;
    expect([down.severity, down.paths]).toEqual([severity, ["primary"]]);
    expect(down.title).toMatch(title);
    const cells = verdict.peerings[0]!.paths.secondary;
    expect([cells.bgp.status, cells.routes.status]).toEqual(row);
    // Nothing about IPv6 on its own: no IPv6 down, no IPv6 receiving nothing.
    expect(verdict.findings.filter((f) => f.evidence.family === "ipv6")).toEqual([]);
  });
});

describe("IPv6's state not understood is neither IPv6 down nor IPv6 up", () => {
  it("on a healthy peering: the row warns naming it, no finding, no IPv6 count", () => {
    const verdict = classifyCircuit(circuitReading(spec({}, dual("120", "NoNeg"))));
    expect(verdict.findings).toEqual([]);
    const p = verdict.peerings[0]!;
    expect(p.paths.secondary.bgp).toEqual({
      status: "warn",
      detail: 'IPv6 state "NoNeg" not understood (3ffe:ffff:0:cd30::1); IPv4 Established',
    });
    expect(p.paths.secondary.routes).toEqual({ status: "up", detail: "120 prefixes" });
    expect(p.prefixes.secondary).toBe(120);
    expect(p.ipv6?.prefixes.secondary).toBeNull();
    expect(p.ipv6StateUnknown).toEqual(["secondary"]);
  });

  it("IPv6 Idle on the primary beside IPv6 not understood on the secondary: IPv6 redundancy lost (Sev3), not 'IPv6 traffic stopped'", () => {
    const verdict = classifyCircuit(
      circuitReading(spec(dual("120", "Idle"), dual("120", "NoNeg"))),
    );
    const v6 = verdict.findings.filter((f) => f.evidence.family === "ipv6");
    expect(v6.map((f) => [f.code, f.severity, f.paths.join("+")])).toEqual([
      ["bgp-down", "Sev3", "primary"],
    ]);
    expect(v6[0]!.title).toMatch(/— IPv6 redundancy lost$/);
  });

  it("keeps IPv6's near-limit load while its state is not understood (says nothing of its count)", () => {
    const a = analysePath(
      "secondary",
      (circuitReading().circuit as { value: CircuitFacts }).value,
      peering(),
      pathReading("secondary", dual("120", "NoNeg")),
      DEFAULT_ROUTE_LIMITS,
      { ipv6: "warn" },
    );
    expect(a.ipv6Unknown).toBe('IPv6 state "NoNeg" not understood (3ffe:ffff:0:cd30::1)');
    expect(a.ipv6Down).toBeNull();
    expect(a.loads).toEqual({ ipv6: "warn" });
  });
});

describe("the snapshot keeps IPv6's last known state through a state not understood", () => {
  it.each<{ name: string; v6: string[]; bgp: LayerStatus[]; ipv6Changes: number }>([
    {
      name: "Established, not understood, Established: the row stays up, no IPv6 change",
      v6: ["40", "NoNeg", "40", "NoNeg", "40"],
      bgp: ["up", "up", "up", "up", "up"],
      ipv6Changes: 0,
    },
    {
      name: "Idle, not understood, Idle: the row stays warn (IPv6 down), no IPv6 change",
      v6: ["Idle", "NoNeg", "Idle"],
      bgp: ["warn", "warn", "warn"],
      ipv6Changes: 0,
    },
    {
      name: "Idle, not understood, Established: one IPv6 change, when it is seen up",
      v6: ["Idle", "NoNeg", "40"],
      bgp: ["warn", "warn", "up"],
      ipv6Changes: 1,
    },
  ])("$name", ({ v6, bgp, ipv6Changes }) => {
    const runs = sweeps(v6.map((s) => spec({}, dual("120", s))));
    expect(runs.map((e) => e.snapshot.peerings[PRIVATE]!.paths.secondary.bgp.status)).toEqual(bgp);
    const changes = runs
      .flatMap((e) => e.changes)
      .filter((c) => c.kind === "transition" && c.layer === "bgp" && c.path === "secondary");
    expect(changes).toHaveLength(ipv6Changes);
    const codes = runs.flatMap((e) => e.verdict.findings.map((f) => f.code));
    expect(codes.filter((c) => c !== "bgp-down")).toEqual([]);
  });

  it("the row's words still say IPv6 is not understood", () => {
    const [, second] = sweeps([spec({}, dual("120", "40")), spec({}, dual("120", "NoNeg"))]);
    expect(second!.snapshot.peerings[PRIVATE]!.paths.secondary.bgp.detail).toMatch(
      /IPv6 state "NoNeg" not understood/,
    );
  });

  it("IPv6's count is kept: a later count is judged against the last one read", () => {
    const runs = sweeps([
      spec({}, dual("120", "70")),
      spec({}, dual("120", "NoNeg")),
      spec({}, dual("120", "10")),
    ]);
    expect(runs[1]!.snapshot.peerings[PRIVATE]!.ipv6Prefixes?.secondary).toBe(70);
    const drop = runs[2]!.verdict.findings.filter((f) => f.code === "prefix-drop");
    expect(drop.map((f) => f.evidence.ipv6Drops)).toEqual([
      { secondary: expect.objectContaining({ before: 70, after: 10 }) },
    ]);
  });
});
