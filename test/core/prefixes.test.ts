// The received-prefix count as table-driven cases: IPv6 next to IPv4.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS, classifyCircuit } from "../../src/core/classify.js";
import { evaluateCircuit, type Evaluation } from "../../src/core/evaluate.js";
import type { HistoryEntry } from "../../src/core/history.js";
import type { Severity } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { DEFAULT_PREFIX_DROP_POLICY, isDrop } from "../../src/core/prefix-drop.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { familyOf } from "../../src/core/path-analysis.js";
import { circuitReading, failed, neighbor, type CircuitSpec } from "../support/readings.js";

const dual = (v4: string, v6: string) => [neighbor(v4, 4), neighbor(v6, 6)];

describe("IPv6 next to IPv4 on a private peering", () => {
  it.each([
    {
      name: "IPv6 at 97 of 100 quotes the IPv6 numbers",
      primary: dual("120", "97"),
      secondary: dual("120", "12"),
      expected: ["prefix-limit-near", "Sev2", ["primary"]],
      title: "Received IPv6 prefixes at 97% of the route limit on AzurePrivatePeering: 97 of 100",
      evidence: { family: "ipv6", limit: 100, percent: 97, counts: { primary: 97 } },
    },
    {
      name: "IPv4 near its limit with a quiet IPv6 quotes IPv4",
      primary: dual("3400", "10"),
      secondary: dual("3400", "10"),
      expected: ["prefix-limit-near", "Sev3", ["primary", "secondary"]],
      title: "Received prefixes at 85% of the route limit on AzurePrivatePeering: 3,400 of 4,000",
      evidence: { family: "ipv4", limit: 4000, counts: { primary: 3400, secondary: 3400 } },
    },
    // IPv4 carries beside it: graded as IPv6 sessions down beside IPv4 are (the
    // same loss of IPv6 routes), never the path down.
    {
      name: "IPv6 Established with 0 prefixes on one path: IPv6 redundancy lost (Sev3)",
      primary: dual("120", "0"),
      secondary: dual("120", "12"),
      expected: ["no-prefixes-received", "Sev3", ["primary"]],
      title:
        "IPv6 session up but 0 prefixes received on the primary path of AzurePrivatePeering; IPv4 Established and carrying — IPv6 redundancy lost",
      evidence: { family: "ipv6" },
    },
    {
      name: "IPv6 Established with 0 prefixes on both paths: IPv6 traffic stopped (Sev1, not Sev0)",
      primary: dual("120", "0"),
      secondary: dual("120", "0"),
      expected: ["no-prefixes-received", "Sev1", ["primary", "secondary"]],
      title:
        "IPv6 session up but 0 prefixes received on the primary and secondary paths of AzurePrivatePeering; IPv4 Established and carrying — IPv6 traffic stopped",
      evidence: { family: "ipv6" },
    },
    {
      name: "IPv4 with 0 and IPv6 with some is the IPv4 outage",
      primary: dual("0", "12"),
      secondary: dual("120", "12"),
      expected: ["no-prefixes-received", "Sev2", ["primary"]],
      title:
        "Session up but 0 prefixes received on the primary path of AzurePrivatePeering — redundancy holding (secondary Established, 120 prefixes)",
      evidence: { family: "ipv4" },
    },
    {
      // "3000 prefixes" beside "3,000 of 4,000" in the same alert read as two numbers.
      name: "the surviving path's count is written with thousands separators",
      primary: dual("0", "12"),
      secondary: dual("3000", "12"),
      expected: ["no-prefixes-received", "Sev2", ["primary"]],
      title:
        "Session up but 0 prefixes received on the primary path of AzurePrivatePeering — redundancy holding (secondary Established, 3,000 prefixes)",
      evidence: { family: "ipv4" },
    },
  ] as {
    name: string;
    primary: ReturnType<typeof dual>;
    secondary: ReturnType<typeof dual>;
    expected: [string, Severity, string[]];
    title: string;
    evidence: Record<string, unknown>;
  }[])("$name", ({ primary, secondary, expected, title, evidence }) => {
    const spec: CircuitSpec = {
      paths: { AzurePrivatePeering: { primary: { bgp: primary }, secondary: { bgp: secondary } } },
    };
    const [finding, ...rest] = classifyCircuit(circuitReading(spec)).findings;
    expect(rest).toEqual([]);
    expect([finding?.code, finding?.severity, finding?.paths]).toEqual(expected);
    expect(finding?.title).toBe(title);
    expect(finding?.evidence).toMatchObject(evidence);
  });
});

describe("0 IPv6 prefixes beside IPv4 carrying is IPv6's outage, never the path down", () => {
  it.each([
    {
      name: "IPv4 Idle on the primary, IPv6 empty on the secondary where IPv4 carries: IPv4 redundancy holding (Sev2), not Sev0",
      primary: [neighbor("Idle", 4)],
      secondary: dual("120", "0"),
      expected: [
        ["bgp-down", "Sev2", ["primary"]],
        ["no-prefixes-received", "Sev3", ["secondary"]],
      ],
      carrying: ["secondary"],
    },
    {
      name: "IPv6 empty on both paths: both paths still carry IPv4",
      primary: dual("120", "0"),
      secondary: dual("120", "0"),
      expected: [["no-prefixes-received", "Sev1", ["primary", "secondary"]]],
      carrying: ["primary", "secondary"],
    },
    {
      name: "IPv6 empty near IPv4 at its limit: both alerts",
      primary: dual("3900", "0"),
      secondary: dual("120", "12"),
      expected: [
        ["no-prefixes-received", "Sev3", ["primary"]],
        ["prefix-limit-near", "Sev2", ["primary"]],
      ],
      carrying: ["primary", "secondary"],
    },
    {
      name: "IPv4 and IPv6 both empty: the path down, as before",
      primary: dual("0", "0"),
      secondary: dual("120", "12"),
      expected: [["no-prefixes-received", "Sev2", ["primary"]]],
      carrying: ["secondary"],
    },
  ] as {
    name: string;
    primary: ReturnType<typeof dual>;
    secondary: ReturnType<typeof dual>;
    expected: [string, Severity, string[]][];
    carrying: string[];
  }[])("$name", ({ primary, secondary, expected, carrying }) => {
    const spec: CircuitSpec = {
      paths: { AzurePrivatePeering: { primary: { bgp: primary }, secondary: { bgp: secondary } } },
    };
    const verdict = classifyCircuit(circuitReading(spec));
    expect(verdict.findings.map((f) => [f.code, f.severity, f.paths])).toEqual(expected);
    // The path's layer table: a row that only warns, so the path is not down (no path flap,
    // the gateway and traffic above it still judged).
    const rows = verdict.peerings[0]!.paths;
    expect(
      (["primary", "secondary"] as const).filter(
        (p) => rows[p].bgp.status !== "down" && rows[p].routes.status !== "down",
      ),
    ).toEqual(carrying);
  });
});

// ARM's `v` is the BGP version spoken to the neighbor (the REST spec's words), which is 4
// for an IPv6 session too: the family is in the neighbor's address, as Azure returns it.
describe("IPv6 sessions as Azure reports them (v: 4, an IPv6 neighbor address)", () => {
  const v6Row = (statePfxRcd: string) => ({
    neighbor: "3ffe:ffff:0:cd30::1",
    v: 4,
    as: 65010,
    upDown: "1d02h",
    statePfxRcd,
  });
  const spec = (primary: unknown[], secondary: unknown[]): CircuitSpec => ({
    paths: {
      AzurePrivatePeering: {
        primary: { bgp: primary as ReturnType<typeof dual> },
        secondary: { bgp: secondary as ReturnType<typeof dual> },
      },
    },
  });

  it("IPv6 at 97 of 100 warns against the IPv6 limit, not 97 of 4,000", () => {
    const verdict = classifyCircuit(
      circuitReading(spec([neighbor("120"), v6Row("97")], [neighbor("120"), v6Row("12")])),
    );
    expect(verdict.findings.map((f) => [f.code, f.severity, f.paths])).toEqual([
      ["prefix-limit-near", "Sev2", ["primary"]],
    ]);
    expect(verdict.findings[0]?.evidence).toMatchObject({ family: "ipv6", limit: 100 });
    expect(verdict.peerings[0]?.paths.primary.routes.detail).toBe("97/100 prefixes (97%)");
  });

  it("an IPv6 row listed first is not the path's IPv4 count", () => {
    const verdict = classifyCircuit(
      circuitReading(spec([v6Row("12"), neighbor("3400")], [v6Row("12"), neighbor("3400")])),
    );
    expect(verdict.peerings[0]?.prefixes).toEqual({ primary: 3400, secondary: 3400 });
    expect(verdict.peerings[0]?.limits).toEqual({ primary: 4000, secondary: 4000 });
    expect(verdict.findings.map((f) => [f.code, f.severity])).toEqual([
      ["prefix-limit-near", "Sev3"],
    ]);
  });
});

describe("isDrop: below 50 % of the previous count and by at least 50 prefixes", () => {
  it.each([
    [3000, 40, true],
    [3000, 1499, true],
    [3000, 1500, false],
    [3000, 2900, false],
    [120, 40, true],
    [90, 41, false],
    [90, 40, true],
    [60, 0, true],
    [40, 3000, false],
  ])("%d → %d: %s", (before, after, expected) => {
    expect(isDrop(before, after, DEFAULT_PREFIX_DROP_POLICY)).toBe(expected);
  });

  // minPrefixes set for a private peering's 4,000 routes must not switch drops
  // off for a family whose whole count is below it: at most half its limit.
  const SET_HIGH = { ...DEFAULT_PREFIX_DROP_POLICY, minPrefixes: 200 };
  it.each([
    { family: "IPv6 (limit 100)", before: 75, after: 10, limit: 100, expected: true },
    { family: "IPv6 (limit 100)", before: 75, after: 40, limit: 100, expected: false },
    { family: "Microsoft IPv4 (limit 200)", before: 180, after: 40, limit: 200, expected: true },
    { family: "private IPv4 (limit 4,000)", before: 300, after: 120, limit: 4000, expected: false },
    {
      family: "private IPv4 (limit 4,000)",
      before: 3000,
      after: 1000,
      limit: 4000,
      expected: true,
    },
    { family: "limit unknown", before: 75, after: 10, limit: null, expected: false },
  ])(
    "minPrefixes 200, $family: $before → $after is a drop: $expected",
    ({ before, after, limit, expected }) => {
      expect(isDrop(before, after, SET_HIGH, limit)).toBe(expected);
    },
  );
});

describe("prefix-drop through evaluateCircuit, sweep after sweep", () => {
  const T = Date.parse("2026-11-22T09:00:00.000Z");
  const at = (m: number) => new Date(T + m * 60_000);
  /** Sweeps every 5 minutes over the given specs, carrying the snapshot and history. */
  function sweeps(
    specs: CircuitSpec[],
    /** Edits a snapshot as stored before the next sweep reads it (a hand edit). */
    edit: (snapshot: Snapshot, i: number) => Snapshot = (x) => x,
  ): Evaluation[] {
    let previous: Snapshot | null = null;
    const history: HistoryEntry[] = [];
    return specs.map((spec, i) => {
      const e = evaluateCircuit(
        circuitReading({ ...spec, readAt: at(i * 5).toISOString() }),
        previous && edit(previous, i),
        history,
        [],
        { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
        at(i * 5),
      );
      previous = e.snapshot;
      history.push(...e.changes);
      return e;
    });
  }
  const counts = (primary: string, secondary = "3000", upDown?: string): CircuitSpec => ({
    paths: {
      AzurePrivatePeering: {
        primary: { bgp: primary, ...(upDown ? { upDown } : {}) },
        secondary: { bgp: secondary },
      },
    },
  });
  const drops = (e: Evaluation) =>
    e.verdict.findings
      .filter((f) => f.code === "prefix-drop")
      .map((f) => `${f.severity} ${f.paths.join("+")}: ${f.title}`);

  it("the summary listing its IPv6 row (v: 4, as Azure reports it) first is no drop", () => {
    const v6 = {
      neighbor: "3ffe:ffff:0:cd30::1",
      v: 4,
      as: 65010,
      upDown: "1d02h",
      statePfxRcd: "12",
    };
    const v4 = neighbor("3000");
    const order = (rows: (typeof v4)[]): CircuitSpec => ({
      paths: { AzurePrivatePeering: { primary: { bgp: rows }, secondary: { bgp: [v4, v6] } } },
    });
    expect(sweeps([order([v4, v6]), order([v6, v4])]).flatMap(drops)).toEqual([]);
  });

  it("3,000 → 40 on one path is a Sev2 with before and after, kept while the count stays down", () => {
    const run = sweeps([counts("3000"), counts("40"), counts("42"), counts("3000")]);
    expect(drops(run[0]!)).toEqual([]);
    expect(drops(run[1]!)).toEqual([
      "Sev2 primary: Received prefixes dropped on the primary path of AzurePrivatePeering: 3,000 → 40 while the session stayed Established",
    ]);
    expect(drops(run[2]!)).toEqual([
      "Sev2 primary: Received prefixes dropped on the primary path of AzurePrivatePeering: 3,000 → 40 (now 42) while the session stayed Established",
    ]);
    const finding = run[2]!.verdict.findings.find((f) => f.code === "prefix-drop")!;
    expect(finding.evidence.drops).toEqual({
      primary: { at: at(5).toISOString(), before: 3000, after: 40, now: 42, limit: 4000 },
    });
    expect(finding.owner).toBe("you");
    expect(finding.ticket).toBeUndefined();
    expect(drops(run[3]!)).toEqual([]);
    expect(run[3]!.snapshot.peerings.AzurePrivatePeering?.drops).toEqual({
      primary: null,
      secondary: null,
    });
  });

  it("both paths is Sev1", () => {
    const run = sweeps([counts("3000"), counts("40", "38")]);
    expect(drops(run[1]!)).toEqual([
      "Sev1 primary+secondary: Received prefixes dropped on the primary and secondary paths of AzurePrivatePeering: primary 3,000 → 40, secondary 3,000 → 38 while the session stayed Established",
    ]);
  });

  it.each([
    {
      name: "not after the session was down (routes re-learning)",
      specs: [counts("3000"), counts("Idle"), counts("40")],
    },
    {
      name: "not when the session reset between the reads",
      specs: [counts("3000", "3000", "1d02h"), counts("40", "3000", "00:01:00")],
    },
    {
      name: "not a fall to 0 (no-prefixes-received says it)",
      specs: [counts("3000"), counts("0")],
    },
    { name: "not a small fall", specs: [counts("3000"), counts("2800")] },
    {
      // 3,820 of 4,000 is past the warning line: the fall is the summarisation the warning asked for.
      name: "not the summarisation a near-limit warning asked for",
      specs: [counts("3820", "3820"), counts("120", "120")],
    },
    { name: "not on the first sweep", specs: [counts("40")] },
  ])("$name", ({ specs }) => {
    expect(sweeps(specs).flatMap(drops)).toEqual([]);
  });

  it("expires after holdHours: the lower count is the new normal", () => {
    const specs = [counts("3000"), ...Array.from({ length: 12 * 12 + 1 }, () => counts("40"))];
    const run = sweeps(specs);
    expect(drops(run[1]!)).toHaveLength(1);
    expect(drops(run[12 * 12]!)).toHaveLength(1);
    expect(drops(run[12 * 12 + 1]!)).toEqual([]);
  });

  // The tick that saw the drop ran a moment late, or the one 12 h on a moment
  // early: measured to the millisecond, the drop was held a sweep more.
  it.each([
    { name: "the drop's tick 0.9 s late", seen: 0.9, expiry: 0 },
    { name: "the tick 12 h on 0.3 s early", seen: 0, expiry: -0.3 },
  ])("expires at the tick holdHours after it was seen: $name", ({ seen, expiry }) => {
    const seconds = (i: number) => (i === 1 ? seen : i === 12 * 12 + 1 ? expiry : 0);
    let previous: Snapshot | null = null;
    const history: HistoryEntry[] = [];
    const run = [counts("3000"), ...Array.from({ length: 12 * 12 + 1 }, () => counts("40"))].map(
      (spec, i) => {
        const now = new Date(at(i * 5).getTime() + seconds(i) * 1000);
        const e = evaluateCircuit(
          circuitReading({ ...spec, readAt: now.toISOString() }),
          previous,
          history,
          [],
          { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
          now,
        );
        previous = e.snapshot;
        history.push(...e.changes);
        return e;
      },
    );
    expect(drops(run[1]!)).toHaveLength(1);
    expect(drops(run[12 * 12]!)).toHaveLength(1);
    expect(drops(run[12 * 12 + 1]!)).toEqual([]);
  });

  it.each(["yesterday", "", "42"])(
    "a drop kept with a time %j that is not a time has an unknown age: it is over, not held for good",
    (odd) => {
      const run = sweeps([counts("3000"), counts("40"), counts("40")], (snapshot, i) => {
        if (i !== 2) return snapshot;
        const p = snapshot.peerings.AzurePrivatePeering!;
        return {
          ...snapshot,
          peerings: {
            AzurePrivatePeering: {
              ...p,
              drops: { primary: { ...p.drops!.primary!, at: odd }, secondary: null },
            },
          },
        };
      });
      expect(drops(run[1]!)).toHaveLength(1);
      expect(drops(run[2]!)).toEqual([]);
    },
  );

  it("keeps the drop through an unread sweep and a down session", () => {
    const run = sweeps([
      counts("3000"),
      counts("40"),
      { circuit: failed({ kind: "throttled" }) },
      counts("Idle"),
      counts("40"),
    ]);
    expect(run[2]!.snapshot.peerings.AzurePrivatePeering?.drops?.primary?.before).toBe(3000);
    expect(drops(run[3]!)).toEqual([]);
    expect(drops(run[4]!)).toHaveLength(1);
  });
});

describe("familyOf: the neighbor's address decides", () => {
  const row = (address: string, v: number | null = 4) => ({
    neighbor: address,
    v,
    as: 65010,
    upDown: "1d02h",
    statePfxRcd: "120",
  });
  it.each([
    ["192.168.10.17", 4, "ipv4"],
    ["3ffe:ffff:0:cd30::1", 4, "ipv6"],
    ["2001:DB8::2", null, "ipv6"],
    ["::ffff:192.168.10.17", 4, "ipv6"],
    // Text that merely holds a colon is not an IPv6 address.
    ["192.168.10.17 https://evil.example", 4, "ipv4"],
    ["", 4, "ipv4"],
    ["", 6, "ipv6"],
  ] as const)("%j (v %j) is %s", (address, v, family) => {
    expect(familyOf(row(address, v))).toBe(family);
  });
});

// A count over the route limit shuts the session (Idle (PfxCt)); it never
// leaves it Established with 0 prefixes. The zero-prefix advice sent on-call
// after a limit that could not be the cause.
describe("what the zero-prefix next action blames", () => {
  const spec = (primary: ReturnType<typeof dual>): CircuitSpec => ({
    paths: {
      AzurePrivatePeering: { primary: { bgp: primary }, secondary: { bgp: dual("120", "12") } },
    },
  });
  const only = (primary: ReturnType<typeof dual>, code: string) => {
    const found = classifyCircuit(circuitReading(spec(primary))).findings.filter(
      (f) => f.code === code,
    );
    expect(found).toHaveLength(1);
    return found[0]!.nextAction;
  };

  it.each([
    ["IPv4", dual("0", "12")],
    ["IPv6", dual("120", "0")],
  ])("%s Established with 0 prefixes: route policy, never a limit just crossed", (_, primary) => {
    const next = only(primary, "no-prefixes-received");
    expect(next).toMatch(/route policy, summarisation/);
    expect(next).not.toMatch(/crossed|limit/);
  });

  it.each([
    ["IPv4", [neighbor("Idle (PfxCt)", 4), neighbor("12", 6)]],
    ["IPv6", dual("120", "Idle (PfxCt)")],
  ])("%s shut for the limit (Idle (PfxCt)): the limit is named there", (_, primary) => {
    expect(only(primary, "bgp-down")).toMatch(/maximum-prefix limit/);
  });
});
