// IPv4 and IPv6 received-prefix counts on one peering, judged apart: each
// family against its own limit (private IPv4 4,000 Standard, IPv6 100) in the
// flap cause, the carrier ticket, the prefix drop, the growth trend, the
// near-limit warning and the route baseline. Sweeps run through
// evaluateCircuit every 5 minutes, carrying the snapshot and history as the
// stateful sweep does.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { diffSnapshot } from "../../src/core/diff.js";
import { evaluateCircuit, type Evaluation } from "../../src/core/evaluate.js";
import type { HistoryEntry, PrefixSample } from "../../src/core/history.js";
import type { BgpNeighborRow, Finding } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { droppedPathsIn, keepablePaths } from "../../src/core/route-tables.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { classifyCircuit } from "../../src/core/classify.js";
import {
  circuitReading,
  CIRCUIT_ID,
  neighbor,
  type CircuitSpec,
  type PathSpec,
} from "../support/readings.js";

const T = Date.parse("2026-11-22T09:00:00.000Z");
const at = (m: number) => new Date(T + m * 60_000);
const PRIVATE = "AzurePrivatePeering";

/** The IPv6 row as Azure lists it: v 4 (the BGP version), an IPv6 neighbor address. */
const v6 = (statePfxRcd: string, upDown = "1d02h"): BgpNeighborRow => ({
  ...neighbor(statePfxRcd, 6, upDown),
  v: 4,
});
const dual = (v4: string, v6count: string, v6UpDown?: string, v4UpDown?: string): PathSpec => ({
  bgp: [neighbor(v4, 4, v4UpDown), v6(v6count, v6UpDown)],
});
const both = (primary: PathSpec, secondary: PathSpec = dual("120", "40")): CircuitSpec => ({
  paths: { [PRIVATE]: { primary, secondary } },
});

/** Sweeps every 5 minutes over the specs, from an optional stored state. */
function sweeps(
  specs: CircuitSpec[],
  start: { snapshot?: Snapshot | null; history?: HistoryEntry[] } = {},
  alerts = DEFAULT_ALERT_POLICY,
): Evaluation[] {
  let previous = start.snapshot ?? null;
  const history = [...(start.history ?? [])];
  return specs.map((spec, i) => {
    const e = evaluateCircuit(
      circuitReading({ ...spec, readAt: at(i * 5).toISOString() }),
      previous,
      history,
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts },
      at(i * 5),
    );
    previous = e.snapshot;
    history.push(...e.changes);
    return e;
  });
}
const findingsOf = (e: Evaluation, code: Finding["code"]) =>
  e.verdict.findings.filter((f) => f.code === code);

describe("diffSnapshot samples each family against its own limit", () => {
  it("an IPv6 count at the warning share is sampled as IPv6 of 100; IPv4 keeps its unmarked rows", () => {
    const [first, second] = sweeps([both(dual("120", "90")), both(dual("121", "90"))]);
    const samples = (e: Evaluation) =>
      e.changes
        .filter((c): c is PrefixSample => c.kind === "prefixes" && c.path === "primary")
        .map((s) => [s.family ?? "(none)", s.before, s.after, s.limit]);
    expect(samples(first!)).toEqual([
      ["(none)", null, 120, 4000],
      ["ipv6", null, 90, 100],
    ]);
    // IPv4 changed; IPv6 is steady but at 90 % of its own limit, so it is sampled every sweep.
    expect(samples(second!)).toEqual([
      ["(none)", 120, 121, 4000],
      ["ipv6", 90, 90, 100],
    ]);
    expect(second!.snapshot.peerings[PRIVATE]!.ipv6Prefixes).toEqual({
      primary: 90,
      secondary: 40,
    });
  });
});

describe("flap cause: each family against its own limit", () => {
  /** Long up, then the primary path's `flapping` family reset between each later read. */
  const resetting = (v4: string, v6count: string, family: "ipv4" | "ipv6") =>
    [0, 5, 10].map((m) =>
      both(
        dual(
          v4,
          v6count,
          family === "ipv6" && m > 0 ? "00:02:00" : "1d02h",
          family === "ipv4" && m > 0 ? "00:02:00" : "1d02h",
        ),
      ),
    );
  it.each([
    {
      name: "IPv6 resets at 100 of 100 beside IPv4 at 120 of 4,000: the route limit, yours",
      specs: resetting("120", "100", "ipv6"),
      cause: "route-limit",
      owner: "you",
      ticket: false,
      why: /received IPv6 prefix count sat at 100 of 100 \(100 %\) on the primary path/,
    },
    {
      name: "IPv6 resets at 85 of 100 (over the 80 % warning line): the route limit",
      specs: resetting("120", "85", "ipv6"),
      cause: "route-limit",
      owner: "you",
      ticket: false,
      why: /IPv6 prefix count sat at 85 of 100/,
    },
    {
      name: "resets with both families healthy: layer 1, the why quotes each against its own limit",
      specs: [
        both(dual("120", "40")),
        both({ arp: "empty", bgp: [neighbor("Idle", 4, "never"), v6("Idle", "never")] }),
        both(dual("120", "40", "00:02:00", "00:02:00")),
        both({ arp: "empty", bgp: [neighbor("Idle", 4, "never"), v6("Idle", "never")] }),
        both(dual("120", "40", "00:02:00", "00:02:00")),
      ],
      cause: "layer-1",
      owner: "carrier",
      ticket: true,
      why: /at most 120 of 4,000 IPv4, 40 of 100 IPv6\)/,
    },
  ])("$name", ({ specs, cause, owner, ticket, why }) => {
    const last = sweeps(specs).at(-1)!;
    const [flap] = findingsOf(last, "session-flapping");
    expect([flap?.evidence.cause, flap?.owner, flap?.ticket !== undefined]).toEqual([
      cause,
      owner,
      ticket,
    ]);
    expect(flap!.evidence.why).toMatch(why);
  });

  it("the carrier ticket's route summary shows each family's count against its own limit", () => {
    const down: PathSpec = {
      arp: "empty",
      bgp: [neighbor("Idle", 4, "never"), v6("Idle", "never")],
    };
    const run = sweeps([
      both(dual("120", "40")),
      both(down),
      both(dual("120", "40", "00:02:00", "00:02:00")),
      both(down),
      both(dual("120", "40", "00:02:00", "00:02:00")),
    ]);
    const ticket = findingsOf(run.at(-1)!, "session-flapping")[0]!.ticket!;
    const section = ticket.split("Route summary over time (UTC):\n")[1]!.split("\nNow:")[0]!;
    expect(section).toContain(
      `${at(10).toISOString()}  primary   120 IPv4 prefixes received of 4,000`,
    );
    expect(section).toContain(
      `${at(10).toISOString()}  primary   40 IPv6 prefixes received of 100`,
    );
  });
});

describe("prefix drop: each family's own numbers", () => {
  const dropTitles = (run: Evaluation[]) =>
    run.map((e) => findingsOf(e, "prefix-drop").map((f) => `${f.severity} ${f.title}`));
  it.each([
    {
      name: "IPv6 75 → 10 beside IPv4 steady at 3,000 (3,075 → 3,010 added up) is a drop",
      counts: [
        ["3000", "75"],
        ["3000", "10"],
      ],
      expected: [
        [],
        [
          "Sev2 Received prefixes dropped on the primary path of AzurePrivatePeering: IPv6 75 → 10 while the session stayed Established",
        ],
      ],
    },
    {
      name: "IPv4 and IPv6 both dropping on one path: both in one alert",
      counts: [
        ["3000", "75"],
        ["40", "10"],
      ],
      expected: [
        [],
        [
          "Sev2 Received prefixes dropped on the primary path of AzurePrivatePeering: 3,000 → 40, IPv6 75 → 10 while the session stayed Established",
        ],
      ],
    },
  ])("$name", ({ counts, expected }) => {
    const run = sweeps(counts.map(([a, b]) => both(dual(a!, b!))));
    expect(dropTitles(run)).toEqual(expected);
  });

  // Each family still has its routes on the other path: redundancy at risk (Sev2) for
  // each, not the Sev1 of one family's routes gone from both paths.
  it.each([
    {
      name: "IPv4 dropping on the primary, IPv6 on the secondary: Sev2",
      specs: [
        both(dual("3000", "75"), dual("3000", "75")),
        both(dual("40", "75"), dual("3000", "10")),
      ],
      severity: "Sev2",
    },
    {
      name: "IPv4 dropping on both paths: Sev1",
      specs: [
        both(dual("3000", "75"), dual("3000", "75")),
        both(dual("40", "75"), dual("40", "75")),
      ],
      severity: "Sev1",
    },
    {
      name: "IPv4 dropping on the primary, IPv4 and IPv6 on the secondary: Sev1 (IPv4 on both)",
      specs: [
        both(dual("3000", "75"), dual("3000", "75")),
        both(dual("40", "75"), dual("40", "10")),
      ],
      severity: "Sev1",
    },
  ])("$name", ({ specs, severity }) => {
    const [drop, ...rest] = findingsOf(sweeps(specs)[1]!, "prefix-drop");
    expect(rest).toEqual([]);
    expect([drop?.severity, drop?.paths]).toEqual([severity, ["primary", "secondary"]]);
  });

  it("prefixDrop.minPrefixes set above IPv6's whole limit (200 of 100) still lets IPv6 drop", () => {
    const alerts = {
      ...DEFAULT_ALERT_POLICY,
      prefixDrop: { ...DEFAULT_ALERT_POLICY.prefixDrop, minPrefixes: 200 },
    };
    const run = sweeps([both(dual("3000", "75")), both(dual("3000", "10"))], {}, alerts);
    expect(dropTitles(run)[1]).toEqual([
      "Sev2 Received prefixes dropped on the primary path of AzurePrivatePeering: IPv6 75 → 10 while the session stayed Established",
    ]);
  });

  it("an IPv6 session's reset excuses no IPv4 drop, and an IPv4 reset no IPv6 drop", () => {
    // IPv6 reset between the reads (uptime 2 min) while IPv4 stayed up and fell 3,000 → 40.
    const v6Reset = sweeps([both(dual("3000", "40")), both(dual("40", "40", "00:02:00"))]);
    expect(dropTitles(v6Reset)[1]).toEqual([
      "Sev2 Received prefixes dropped on the primary path of AzurePrivatePeering: 3,000 → 40 while the session stayed Established",
    ]);
    const v4Reset = sweeps([
      both(dual("120", "75")),
      both(dual("120", "10", undefined, "00:02:00")),
    ]);
    expect(dropTitles(v4Reset)[1]).toEqual([
      "Sev2 Received prefixes dropped on the primary path of AzurePrivatePeering: IPv6 75 → 10 while the session stayed Established",
    ]);
    // The family's own reset still excuses its fall: a session that came back is refilling.
    const ownReset = sweeps([
      both(dual("3000", "40")),
      both(dual("40", "40", undefined, "00:02:00")),
    ]);
    expect(dropTitles(ownReset)[1]).toEqual([]);
  });

  it("an IPv6 fall from its own warning line (97 → 20 of 100) is the summarisation asked for, not a drop", () => {
    const run = sweeps([both(dual("3000", "97")), both(dual("3000", "20"))]);
    expect(dropTitles(run)).toEqual([[], []]);
  });

  it("an IPv6 drop is kept in the snapshot, freezes the path's route table, and clears on recovery", () => {
    const run = sweeps([
      both(dual("3000", "75")),
      both(dual("3000", "10")),
      both(dual("3000", "12")),
      both(dual("3000", "75")),
    ]);
    const kept = run[2]!.snapshot.peerings[PRIVATE]!;
    expect(kept.ipv6Drops?.primary).toEqual({
      at: at(5).toISOString(),
      before: 75,
      after: 10,
      limit: 100,
    });
    expect(kept.drops?.primary).toBeNull();
    expect(droppedPathsIn(run[2]!.snapshot)(PRIVATE)).toEqual(["primary"]);
    expect(findingsOf(run[2]!, "prefix-drop")[0]!.evidence.ipv6Drops).toEqual({
      primary: { at: at(5).toISOString(), before: 75, after: 10, now: 12, limit: 100 },
    });
    expect(findingsOf(run[3]!, "prefix-drop")).toEqual([]);
  });
});

describe("near-limit warning and its trend, per family", () => {
  it("a growing IPv6 count gets its own time to its own limit", () => {
    const run = sweeps(["80", "85", "90"].map((n) => both(dual("120", n), dual("120", n))));
    const [near] = findingsOf(run.at(-1)!, "prefix-limit-near");
    expect(near!.title).toBe(
      "Received IPv6 prefixes at 90% of the route limit on AzurePrivatePeering: 90 of 100 — reaches 100 in about 10 min",
    );
  });

  it.each([
    {
      name: "IPv6 near its limit does not hide IPv4 near its own",
      v4: "3400",
      v6count: "97",
      title:
        "Received IPv6 prefixes at 97% of the route limit on AzurePrivatePeering: 97 of 100; IPv4 at 85% of its own: 3,400 of 4,000",
    },
    {
      name: "IPv4 near its limit does not hide IPv6 near its own",
      v4: "3900",
      v6count: "85",
      title:
        "Received prefixes at 97.5% of the route limit on AzurePrivatePeering: 3,900 of 4,000; IPv6 at 85% of its own: 85 of 100",
    },
  ])("$name", ({ v4, v6count, title }) => {
    const [e] = sweeps([both(dual(v4, v6count), dual(v4, v6count))]);
    const [near] = findingsOf(e!, "prefix-limit-near");
    expect(near!.title).toBe(title);
    expect(near!.severity).toBe("Sev2");
  });

  it("an IPv6 session resetting meanwhile does not restart the IPv4 count's growth", () => {
    // The IPv6 session of both paths came back 2 minutes before the last read; IPv4 never went down.
    const run = sweeps([
      both(dual("3200", "40"), dual("3200", "40")),
      both(dual("3400", "40"), dual("3400", "40")),
      both(dual("3600", "40", "00:02:00"), dual("3600", "40", "00:02:00")),
    ]);
    const [near] = findingsOf(run.at(-1)!, "prefix-limit-near");
    expect(near!.title).toBe(
      "Received prefixes at 90% of the route limit on AzurePrivatePeering: 3,600 of 4,000 — reaches 4,000 in about 10 min",
    );
  });

  it("IPv6 samples at its warning line every sweep leave the IPv4 trend IPv4's", () => {
    const run = sweeps(["3200", "3400", "3600"].map((n) => both(dual(n, "82"), dual(n, "82"))));
    const [near] = findingsOf(run.at(-1)!, "prefix-limit-near");
    // 200 an hour every 5 minutes: 400 to go is 10 minutes; IPv6's flat 82s are not in the fit.
    expect(near!.title).toBe(
      "Received prefixes at 90% of the route limit on AzurePrivatePeering: 3,600 of 4,000; IPv6 at 82% of its own: 82 of 100 — reaches 4,000 in about 10 min",
    );
  });
});

describe("route baseline: a path receiving only IPv6 still has a table to keep", () => {
  it("keeps the table of an IPv6-only session", () => {
    const verdict = classifyCircuit(circuitReading(both({ bgp: [v6("60")] }, { bgp: [v6("60")] })));
    expect(keepablePaths(verdict, () => []).map((p) => p.path)).toEqual(["primary", "secondary"]);
  });
});

describe("state stored before IPv6 was counted reads as IPv4", () => {
  // Rows as the code before IPv6 sampling wrote them: no family, the IPv4 count and limit.
  const oldSample = (m: number, after: number): PrefixSample => ({
    kind: "prefixes",
    at: at(m).toISOString(),
    circuitId: CIRCUIT_ID,
    peering: PRIVATE,
    path: "primary",
    before: after,
    after,
    limit: 4000,
  });

  it("a stored sample without a family is an IPv4 count against the IPv4 limit", () => {
    const reset = (m: number): HistoryEntry => ({
      kind: "reset",
      at: at(m).toISOString(),
      circuitId: CIRCUIT_ID,
      peering: PRIVATE,
      path: "primary",
      upDown: "00:02:00",
      uptimeSeconds: 120,
      previousReadAt: at(m - 5).toISOString(),
      sincePreviousReadSeconds: 300,
    });
    const [e] = sweeps([both(dual("3000", "40"))], {
      history: [oldSample(-30, 3900), reset(-25), reset(-15)],
    });
    const [flap] = findingsOf(e!, "session-flapping");
    expect(flap!.evidence.cause).toBe("route-limit");
    expect(flap!.evidence.why).toMatch(
      /the received-prefix count sat at 3,900 of 4,000 \(97.5 %\)/,
    );
  });

  it("a stored snapshot without an IPv6 count starts IPv6 afresh: no drop from the IPv4 count", () => {
    const [first] = sweeps([both(dual("3000", "40"))]);
    const stored = structuredClone(first!.snapshot);
    delete stored.peerings[PRIVATE]!.ipv6Prefixes;
    const [next] = sweeps([both(dual("3000", "40"))], { snapshot: stored });
    expect(findingsOf(next!, "prefix-drop")).toEqual([]);
    expect(next!.snapshot.peerings[PRIVATE]!.ipv6Prefixes).toEqual({ primary: 40, secondary: 40 });
  });
});

describe("diffSnapshot keeps the IPv6 count through an unread circuit", () => {
  it("keeps the last IPv6 count when nothing was read", () => {
    const [first] = sweeps([both(dual("120", "40"))]);
    const blind = classifyCircuit(
      circuitReading({
        circuit: {
          ok: false,
          readAt: at(5).toISOString(),
          error: { kind: "timeout", call: "c", target: "t", message: "m" },
        },
      }),
    );
    const { next, prefixSamples } = diffSnapshot(first!.snapshot, blind, () => null, at(5));
    expect(next.peerings[PRIVATE]!.ipv6Prefixes).toEqual({ primary: 40, secondary: 40 });
    expect(prefixSamples).toEqual([]);
  });
});
