// Flapping, as table-driven cases: the session uptime column, resets between
// reads, the flap's cause and grade, and the no-hold-more-severe rule.

import { describe, expect, it } from "vitest";
import { parseUptime } from "../../src/core/bgp-state.js";
import { classifyCircuit } from "../../src/core/classify.js";
import { alertKey } from "../../src/core/alert-identity.js";
import { flappingFindings } from "../../src/core/flapping.js";
import type { HistoryEntry, LayerTransition } from "../../src/core/history.js";
import { inhibitions, type ActiveAlert } from "../../src/core/inhibit.js";
import type { Finding, PathName } from "../../src/core/model.js";
import { observe } from "../../src/core/observe.js";
import { sessionResets } from "../../src/core/session-resets.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import {
  circuitReading,
  CIRCUIT_ID,
  failed,
  neighbor,
  type CircuitSpec,
} from "../support/readings.js";

describe("parseUptime (the route summary's upDown column)", () => {
  it.each([
    ["00:03:12", { kind: "uptime", seconds: 192, resolutionSeconds: 1 }],
    ["0:00:05", { kind: "uptime", seconds: 5, resolutionSeconds: 1 }],
    ["23:59:59", { kind: "uptime", seconds: 86_399, resolutionSeconds: 1 }],
    [" 01:00:00 ", { kind: "uptime", seconds: 3_600, resolutionSeconds: 1 }],
    ["1d02:03:04", { kind: "uptime", seconds: 93_784, resolutionSeconds: 1 }],
    ["3d04h", { kind: "uptime", seconds: 273_600, resolutionSeconds: 3_600 }],
    ["1d02h", { kind: "uptime", seconds: 93_600, resolutionSeconds: 3_600 }],
    ["1w2d", { kind: "uptime", seconds: 777_600, resolutionSeconds: 86_400 }],
    ["1y2w", { kind: "uptime", seconds: 32_745_600, resolutionSeconds: 604_800 }],
    ["5d", { kind: "uptime", seconds: 432_000, resolutionSeconds: 86_400 }],
    ["never", { kind: "never" }],
    ["Never", { kind: "never" }],
    ["", { kind: "unknown", raw: "" }],
    ["   ", { kind: "unknown", raw: "" }],
    [null, { kind: "unknown", raw: "" }],
    [undefined, { kind: "unknown", raw: "" }],
    ["n/a", { kind: "unknown", raw: "n/a" }],
    ["garbage", { kind: "unknown", raw: "garbage" }],
    ["00:61:00", { kind: "unknown", raw: "00:61:00" }],
    ["4h3d", { kind: "unknown", raw: "4h3d" }],
    ["3d3d", { kind: "unknown", raw: "3d3d" }],
    ["-00:01:00", { kind: "unknown", raw: "-00:01:00" }],
    ["12", { kind: "unknown", raw: "12" }],
  ])("%j", (raw, expected) => {
    expect(parseUptime(raw as string | null | undefined)).toEqual(expected);
  });
});

describe("sessionResets: a reset is an uptime shorter than the gap since the last Established read", () => {
  const T = Date.parse("2026-11-22T02:00:00.000Z");
  const at = (s: number) => new Date(T + s * 1000).toISOString();
  const previous = (mark: { readAt: string; upDown: string } | null): Snapshot => ({
    circuitId: CIRCUIT_ID,
    circuitName: "er-circuit-prod",
    takenAt: at(0),
    providerState: "Provisioned",
    providerWasProvisioned: true,
    peerings: {
      AzurePrivatePeering: {
        paths: {} as Snapshot["peerings"][string]["paths"],
        prefixes: { primary: 120, secondary: 120 },
        sessions: { primary: mark, secondary: mark },
      },
    },
  });
  const readAtGap = (gap: number, spec: CircuitSpec) =>
    sessionResets(
      circuitReading({ ...spec, readAt: at(gap) }),
      previous({ readAt: at(0), upDown: "1d02h" }),
      new Date(at(gap)),
    );

  it.each([
    { name: "uptime well under the 5-min gap", gap: 300, upDown: "00:02:00", reset: true },
    { name: "uptime just over the gap", gap: 300, upDown: "00:05:10", reset: false },
    { name: "uptime inside the read-time slack", gap: 300, upDown: "00:04:40", reset: false },
    { name: "uptime beyond the slack", gap: 300, upDown: "00:04:20", reset: true },
    {
      name: "hour resolution never claims a reset within an hour",
      gap: 300,
      upDown: "0d00h",
      reset: false,
    },
    { name: "a day of uptime", gap: 300, upDown: "1d02h", reset: false },
    { name: "never (not Established in practice)", gap: 300, upDown: "never", reset: false },
    { name: "empty", gap: 300, upDown: "", reset: false },
    { name: "garbage", gap: 300, upDown: "??", reset: false },
    { name: "a long blind gap and a short uptime", gap: 3_600, upDown: "00:20:00", reset: true },
  ])("$name: $upDown after $gap s → reset $reset", ({ gap, upDown, reset }) => {
    const r = readAtGap(gap, { paths: { AzurePrivatePeering: { primary: { upDown } } } });
    expect(r.resets.map((x) => x.path)).toEqual(reset ? ["primary"] : []);
    // Established is what matters for the mark; an uptime that cannot be read is kept as "".
    expect(r.marks.AzurePrivatePeering?.primary?.readAt).toBe(at(gap));
  });

  it("records the reset with the uptime and the gap", () => {
    const r = readAtGap(300, {
      paths: { AzurePrivatePeering: { secondary: { upDown: "00:01:30" } } },
    });
    expect(r.resets).toEqual([
      {
        kind: "reset",
        at: at(300),
        circuitId: CIRCUIT_ID,
        peering: "AzurePrivatePeering",
        path: "secondary",
        upDown: "00:01:30",
        uptimeSeconds: 90,
        previousReadAt: at(0),
        sincePreviousReadSeconds: 300,
      },
    ]);
  });

  it("takes the shortest uptime of the path's neighbors (IPv4 and IPv6)", () => {
    const r = readAtGap(300, {
      paths: {
        AzurePrivatePeering: {
          primary: { bgp: [neighbor("120", 4, "3d04h"), neighbor("12", 6, "00:00:40")] },
        },
      },
    });
    expect(r.resets.map((x) => [x.path, x.upDown])).toEqual([["primary", "00:00:40"]]);
  });

  it("is never a reset when the previous read did not see it Established, or this one does not", () => {
    const fromDown = sessionResets(
      circuitReading({
        readAt: at(300),
        paths: { AzurePrivatePeering: { primary: { upDown: "00:01:00" } } },
      }),
      previous(null),
      new Date(at(300)),
    );
    expect(fromDown.resets).toEqual([]);
    const nowDown = readAtGap(300, {
      paths: { AzurePrivatePeering: { primary: { bgp: "Idle", upDown: "never" } } },
    });
    expect(nowDown.resets).toEqual([]);
    expect(nowDown.marks.AzurePrivatePeering?.primary).toBeNull();
  });

  it("keeps the last mark through a failed read, so the next good read compares with it", () => {
    const blind = readAtGap(300, {
      paths: { AzurePrivatePeering: { primary: { bgp: failed({ kind: "throttled" }) } } },
    });
    expect(blind.resets).toEqual([]);
    expect(blind.marks.AzurePrivatePeering?.primary).toEqual({ readAt: at(0), upDown: "1d02h" });
    const circuitFailed = sessionResets(
      circuitReading({ circuit: failed({ kind: "throttled" }) }),
      previous({ readAt: at(0), upDown: "1d02h" }),
      new Date(at(300)),
    );
    expect(circuitFailed.marks.AzurePrivatePeering?.primary).toEqual({
      readAt: at(0),
      upDown: "1d02h",
    });
  });

  it.each([
    {
      name: "an IPv6 session reset between reads is IPv6's, apart from IPv4's",
      previousMarks: { ipv4: "1d02h", ipv6: "1d02h" },
      rows: [neighbor("120", 4, "3d04h"), neighbor("100", 6, "00:01:20")],
      resets: [["primary", "ipv6", "00:01:20"]],
    },
    {
      // The IPv6 neighbor shut at its limit used to wipe the path's only mark.
      name: "an IPv4 reset while the IPv6 neighbor is Idle (PfxCt) is still seen",
      previousMarks: { ipv4: "1d02h", ipv6: null },
      rows: [neighbor("120", 4, "00:02:00"), neighbor("Idle (PfxCt)", 6, "never")],
      resets: [["primary", "ipv4", "00:02:00"]],
    },
    {
      name: "an IPv6 session back from Idle is no reset: its transitions are counted instead",
      previousMarks: { ipv4: "1d02h", ipv6: null },
      rows: [neighbor("120", 4, "3d04h"), neighbor("100", 6, "00:01:20")],
      resets: [],
    },
  ] as {
    name: string;
    previousMarks: { ipv4: string; ipv6: string | null };
    rows: ReturnType<typeof neighbor>[];
    resets: [PathName, string, string][];
  }[])("$name", ({ previousMarks, rows, resets }) => {
    const mark = (upDown: string | null) => (upDown ? { readAt: at(0), upDown } : null);
    const before = previous(mark(previousMarks.ipv4));
    before.peerings.AzurePrivatePeering!.ipv6Sessions = {
      primary: mark(previousMarks.ipv6),
      secondary: mark(previousMarks.ipv6),
    };
    const r = sessionResets(
      circuitReading({
        readAt: at(300),
        paths: { AzurePrivatePeering: { primary: { bgp: rows } } },
      }),
      before,
      new Date(at(300)),
    );
    expect(r.resets.map((x) => [x.path, x.family ?? "ipv4", x.upDown])).toEqual(resets);
  });

  it("marks IPv4 and IPv6 apart: an Idle IPv6 neighbor keeps IPv4's mark", () => {
    const r = readAtGap(300, {
      paths: {
        AzurePrivatePeering: {
          primary: { bgp: [neighbor("120", 4, "3d04h"), neighbor("Idle (PfxCt)", 6, "never")] },
        },
      },
    });
    expect(r.marks.AzurePrivatePeering?.primary).toEqual({ readAt: at(300), upDown: "3d04h" });
    expect(r.ipv6Marks.AzurePrivatePeering?.primary).toBeNull();
  });

  it("ignores a clock that went backwards", () => {
    const r = sessionResets(
      circuitReading({
        readAt: at(-60),
        paths: { AzurePrivatePeering: { primary: { upDown: "00:00:10" } } },
      }),
      previous({ readAt: at(0), upDown: "1d02h" }),
      new Date(at(0)),
    );
    expect(r.resets).toEqual([]);
  });
});

describe("flappingFindings: cause and grade", () => {
  const now = new Date("2026-11-22T03:00:00Z");
  const base = { circuitId: CIRCUIT_ID, peering: "AzurePrivatePeering" };
  const ago = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();
  const pathFlap = (path: PathName, minutes: number[]): LayerTransition[] =>
    minutes.map((m, i) => ({
      ...base,
      kind: "transition",
      at: ago(m),
      path,
      layer: "path",
      before: i % 2 === 0 ? "up" : "down",
      after: i % 2 === 0 ? "down" : "up",
      beforeDetail: "",
      afterDetail: "",
    }));
  const bgp = (path: PathName, min: number, afterDetail: string): HistoryEntry => ({
    ...base,
    kind: "transition",
    at: ago(min),
    path,
    layer: "bgp",
    before: "up",
    after: "down",
    beforeDetail: "Established",
    afterDetail,
  });
  const sample = (path: PathName, min: number, after: number): HistoryEntry => ({
    ...base,
    kind: "prefixes",
    at: ago(min),
    path,
    before: after,
    after,
    limit: 4000,
  });
  const reset = (path: PathName, min: number): HistoryEntry => ({
    ...base,
    kind: "reset",
    at: ago(min),
    path,
    upDown: "00:02:00",
    uptimeSeconds: 120,
    previousReadAt: ago(min + 5),
    sincePreviousReadSeconds: 300,
  });
  const policy = { transitions: 3, windowMinutes: 60 };
  const run = (history: HistoryEntry[], spec: CircuitSpec = {}) =>
    flappingFindings(classifyCircuit(circuitReading(spec)), history, policy, 80, now);
  const four = (path: PathName) => pathFlap(path, [50, 40, 30, 20]);

  it.each([
    {
      name: "healthy count: layer 1, the carrier's",
      history: [...four("primary"), sample("primary", 40, 120)],
      spec: {},
      cause: "layer-1",
      owner: "carrier",
      ticket: true,
    },
    {
      name: "count near the limit in the window: the route limit",
      history: [...four("primary"), sample("primary", 40, 3_900)],
      spec: {},
      cause: "route-limit",
      owner: "you",
      ticket: false,
    },
    {
      name: "Idle (PfxCt) in the window, whatever the count",
      history: [
        ...four("primary"),
        bgp("primary", 50, "Idle (PfxCt) (192.168.10.17)"),
        sample("primary", 40, 120),
      ],
      spec: {},
      cause: "route-limit",
      owner: "you",
      ticket: false,
    },
    {
      name: "Idle (PfxCt) now",
      history: four("primary"),
      spec: { paths: { AzurePrivatePeering: { primary: { bgp: "Idle (PfxCt)" } } } },
      cause: "route-limit",
      owner: "you",
      ticket: false,
    },
    {
      // No carrier on ExpressRoute Direct: your optic and cross-connect, then Microsoft's port.
      name: "healthy count on ExpressRoute Direct: layer 1, yours, no carrier ticket",
      history: [...four("primary"), sample("primary", 40, 120)],
      spec: { direct: true },
      cause: "layer-1",
      owner: "you",
      ticket: false,
    },
    {
      name: "a near-limit sample outside the window does not count",
      history: [...four("primary"), sample("primary", 90, 3_900)],
      spec: {},
      cause: "layer-1",
      owner: "carrier",
      ticket: true,
    },
  ] as {
    name: string;
    history: HistoryEntry[];
    spec: CircuitSpec;
    cause: string;
    owner: string;
    ticket: boolean;
  }[])("$name", ({ history, spec, cause, owner, ticket }) => {
    const [f] = run(history, spec);
    expect([f?.evidence.cause, f?.owner, f?.ticket !== undefined]).toEqual([cause, owner, ticket]);
  });

  it("a carrier ticket does not claim ARP was read at reads whose sessions proved layer 2", () => {
    const [f] = run([...four("primary"), sample("primary", 40, 120)]);
    expect(f?.ticket).toMatch(
      /ARP over time \(UTC\):\n {2}\(layer 2 never down at a read: ARP resolved, or a session Established with prefixes proved it\)\n/,
    );
  });

  it.each([
    {
      name: "three changes is not a flap",
      history: pathFlap("primary", [50, 40, 30]),
      expected: [],
    },
    {
      name: "four changes on one path: Sev2",
      history: four("primary"),
      expected: [["Sev2", ["primary"]]],
    },
    {
      name: "both paths: Sev1",
      history: [...four("primary"), ...four("secondary")],
      expected: [["Sev1", ["primary", "secondary"]]],
    },
    {
      name: "two resets between reads count as four changes",
      history: [reset("secondary", 30), reset("secondary", 10)],
      expected: [["Sev2", ["secondary"]]],
    },
    {
      name: "one reset and two changes",
      history: [...pathFlap("primary", [50, 40]), reset("primary", 10)],
      expected: [["Sev2", ["primary"]]],
    },
    { name: "one reset alone is not a flap", history: [reset("primary", 10)], expected: [] },
  ])("$name", ({ history, expected }) => {
    expect(run(history).map((f) => [f.severity, f.paths])).toEqual(expected);
  });
});

describe("flappingFindings: an IPv6 session's changes are IPv6's, counted apart from IPv4's", () => {
  const now = new Date("2026-11-22T03:00:00Z");
  const base = { circuitId: CIRCUIT_ID, peering: "AzurePrivatePeering" };
  const ago = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();
  /** The BGP row warning and back: the IPv6 neighbor down beside an Established IPv4 one. */
  const v6Cycles = (path: PathName, minutes: number[], state = "Idle (PfxCt)"): HistoryEntry[] =>
    minutes.map((m, i) => {
      const warn = `IPv6 ${state} (3ffe:ffff:0:cd30::1); IPv4 Established`;
      const down = i % 2 === 0;
      return {
        ...base,
        kind: "transition",
        at: ago(m),
        path,
        layer: "bgp",
        before: down ? "up" : "warn",
        after: down ? "warn" : "up",
        beforeDetail: down ? "Established" : warn,
        afterDetail: down ? warn : "Established",
      };
    });
  const pathFlap = (path: PathName, minutes: number[]): HistoryEntry[] =>
    minutes.map((m, i) => ({
      ...base,
      kind: "transition",
      at: ago(m),
      path,
      layer: "path",
      before: i % 2 === 0 ? "up" : "down",
      after: i % 2 === 0 ? "down" : "up",
      beforeDetail: "",
      afterDetail: "",
    }));
  /** A link outage starting `m` minutes ago, read every 5: both sessions down, IPv4 back, IPv6 back a read later. */
  const linkOutageIpv6Late = (path: PathName, m: number): HistoryEntry[] => {
    const warn = "IPv6 Active (3ffe:ffff:0:cd30::1); IPv4 Established";
    const t = (at: number, layer: "path" | "bgp", before: string, after: string, detail = "") => ({
      ...base,
      kind: "transition" as const,
      at: ago(at),
      path,
      layer,
      before,
      after,
      beforeDetail: before === "warn" ? warn : detail,
      afterDetail: after === "warn" ? warn : detail,
    });
    return [
      t(m, "path", "up", "down"),
      t(m, "bgp", "up", "down", "Idle"),
      t(m - 5, "path", "down", "up"),
      t(m - 5, "bgp", "down", "warn", "Idle"),
      t(m - 10, "bgp", "warn", "up", "Established"),
    ] as HistoryEntry[];
  };
  const reset = (path: PathName, min: number, family?: "ipv6"): HistoryEntry => ({
    ...base,
    kind: "reset",
    at: ago(min),
    path,
    ...(family ? { family } : {}),
    upDown: "00:01:20",
    uptimeSeconds: 80,
    previousReadAt: ago(min + 5),
    sincePreviousReadSeconds: 300,
  });
  const sample = (path: PathName, min: number, after: number, family?: "ipv6"): HistoryEntry => ({
    ...base,
    kind: "prefixes",
    at: ago(min),
    path,
    ...(family ? { family } : {}),
    before: after,
    after,
    limit: family ? 100 : 4000,
  });
  const dualNow = (path: PathName, v6: string): CircuitSpec => ({
    paths: {
      AzurePrivatePeering: {
        [path]: { bgp: [neighbor("120", 4, "3d04h"), neighbor(v6, 6, "00:01:00")] },
      },
    },
  });
  const policy = { transitions: 3, windowMinutes: 60 };
  const run = (history: HistoryEntry[], spec: CircuitSpec = {}) =>
    flappingFindings(classifyCircuit(circuitReading(spec)), history, policy, 80, now);

  it.each([
    {
      name: "IPv6 shut at its limit and back, twice, on one path: one IPv6 route-limit flap, Sev3",
      history: [...v6Cycles("secondary", [50, 40, 30, 20]), sample("secondary", 40, 100, "ipv6")],
      spec: {},
      expected: {
        severity: "Sev3",
        paths: ["secondary"],
        cause: "route-limit",
        owner: "you",
        ticket: false,
        title:
          "IPv6 BGP session flapping on the secondary path of AzurePrivatePeering at the route limit: 4 changes in 60 min — IPv6 redundancy at risk; IPv4 carries on",
      },
    },
    {
      name: "IPv6 resets at its limit on both paths: Sev2, IPv6 keeps stopping, IPv4 carries on",
      history: [
        reset("primary", 40, "ipv6"),
        reset("primary", 10, "ipv6"),
        reset("secondary", 35, "ipv6"),
        reset("secondary", 5, "ipv6"),
        sample("primary", 10, 100, "ipv6"),
      ],
      spec: {},
      expected: {
        severity: "Sev2",
        paths: ["primary", "secondary"],
        cause: "route-limit",
        owner: "you",
        ticket: false,
        title:
          "IPv6 BGP session flapping on the primary and secondary paths of AzurePrivatePeering at the route limit: 4 / 4 changes in 60 min (4 resets between reads) — IPv6 traffic keeps stopping; IPv4 carries on",
      },
    },
    {
      // The link carries IPv4 throughout: not layer 1, and not IPv4's count near its own limit.
      name: "IPv6 flapping at a healthy IPv6 count beside IPv4 at 3,900 of 4,000: the IPv6 session's, yours, no ticket",
      history: [
        ...v6Cycles("primary", [50, 40, 30, 20], "Active"),
        sample("primary", 40, 3_900),
        sample("primary", 40, 40, "ipv6"),
      ],
      spec: {},
      expected: {
        severity: "Sev3",
        paths: ["primary"],
        cause: "ipv6-session",
        owner: "you",
        ticket: false,
        title:
          "IPv6 BGP session flapping on the primary path of AzurePrivatePeering: 4 changes in 60 min — IPv6 redundancy at risk; IPv4 carries on",
      },
    },
    {
      name: "the same on a provider-managed circuit: the provider's, still no layer-1 ticket",
      history: [
        ...v6Cycles("primary", [50, 40, 30, 20], "Active"),
        sample("primary", 40, 40, "ipv6"),
      ],
      spec: { settings: { connectivityModel: "provider-managed" } },
      expected: {
        severity: "Sev3",
        paths: ["primary"],
        cause: "ipv6-session",
        owner: "carrier",
        ticket: false,
        title:
          "IPv6 BGP session flapping on the primary path of AzurePrivatePeering: 4 changes in 60 min — IPv6 redundancy at risk; IPv4 carries on",
      },
    },
    {
      name: "IPv6 Idle (PfxCt) right now names the route limit",
      history: v6Cycles("secondary", [50, 40, 30, 20], "Active"),
      spec: dualNow("secondary", "Idle (PfxCt)"),
      expected: {
        severity: "Sev3",
        paths: ["secondary"],
        cause: "route-limit",
        owner: "you",
        ticket: false,
        title:
          "IPv6 BGP session flapping on the secondary path of AzurePrivatePeering at the route limit: 4 changes in 60 min — IPv6 redundancy at risk; IPv4 carries on",
      },
    },
  ] as {
    name: string;
    history: HistoryEntry[];
    spec: CircuitSpec;
    expected: Record<string, unknown>;
  }[])("$name", ({ history, spec, expected }) => {
    const found = run(history, spec);
    expect(
      found.map((f) => ({
        severity: f.severity,
        paths: f.paths,
        cause: f.evidence.cause,
        owner: f.owner,
        ticket: f.ticket !== undefined,
        title: f.title,
      })),
    ).toEqual([expected]);
  });

  it.each([
    {
      // Three IPv4 changes and an IPv6 reset are not four of either: no flap, no carrier ticket.
      name: "IPv4's changes and IPv6's resets are never added up",
      history: [...pathFlap("primary", [50, 40, 30]), reset("primary", 10, "ipv6")],
      expected: [],
    },
    {
      name: "three IPv6 changes beside three IPv4 ones: no flap",
      history: [...pathFlap("primary", [55, 45, 35]), ...v6Cycles("primary", [50, 40, 30])],
      expected: [],
    },
    {
      // The link drops both sessions; IPv4 is back a read before IPv6 each time
      // (down → warn → up). Four such outages are the carrier's flap, not also
      // an IPv6 session fault of yours.
      name: "IPv6 back a read after IPv4 from each of four link outages: the path's flap only",
      history: [58, 43, 28, 13].flatMap((m) => linkOutageIpv6Late("primary", m)),
      expected: [["Sev2", ["primary"], "layer-1"]],
    },
    {
      name: "an outage's late IPv6 beside three changes of the IPv6 session's own: three, no flap",
      history: [
        ...linkOutageIpv6Late("secondary", 58),
        ...v6Cycles("secondary", [40, 30, 20], "Active"),
      ],
      expected: [],
    },
    {
      // A reset stored before resets had a family was the path's: still counted as IPv4's.
      name: "a reset stored without a family still counts as the path's",
      history: [reset("secondary", 30), reset("secondary", 10)],
      expected: [["Sev2", ["secondary"], "layer-1"]],
    },
  ] as { name: string; history: HistoryEntry[]; expected: unknown[] }[])(
    "$name",
    ({ history, expected }) => {
      expect(run(history).map((f) => [f.severity, f.paths, f.evidence.cause])).toEqual(expected);
    },
  );

  /** What on-call reads of each flap alert, in the order found. */
  const judged = (found: Finding[]) =>
    found.map((f) => ({
      family: f.addressFamily ?? "ipv4",
      severity: f.severity,
      paths: f.paths,
      cause: f.evidence.cause,
      owner: f.owner,
      ticket: f.ticket !== undefined,
      title: f.title,
    }));
  const ipv4Layer1 = (paths: PathName[]) => ({
    family: "ipv4",
    severity: paths.length === 2 ? "Sev1" : "Sev2",
    paths,
    cause: "layer-1",
    owner: "carrier",
    ticket: true,
  });

  it.each([
    {
      name: "IPv4 at layer 1 on the primary, the IPv6 session shut at its limit on the secondary: two alerts, each family's own owner, cause and path",
      history: [
        ...pathFlap("primary", [50, 40, 30, 20]),
        sample("primary", 40, 120),
        ...v6Cycles("secondary", [52, 42, 32, 22]),
        sample("secondary", 42, 100, "ipv6"),
      ],
      expected: [
        {
          ...ipv4Layer1(["primary"]),
          title:
            "BGP session flapping on the primary path of AzurePrivatePeering: 4 changes in 60 min",
        },
        {
          family: "ipv6",
          severity: "Sev3",
          paths: ["secondary"],
          cause: "route-limit",
          owner: "you",
          ticket: false,
          title:
            "IPv6 BGP session flapping on the secondary path of AzurePrivatePeering at the route limit: 4 changes in 60 min — IPv6 redundancy at risk; IPv4 flaps on the primary path (its own alert)",
        },
      ],
    },
    {
      // IPv4 still has the secondary and IPv6 the primary: neither family lost both paths.
      name: "IPv4 at layer 1 on the primary, the IPv6 session at a healthy count on the secondary: redundancy at risk for each, never both paths",
      history: [
        ...pathFlap("primary", [50, 40, 30, 20]),
        ...v6Cycles("secondary", [52, 42, 32, 22], "Active"),
        sample("secondary", 40, 40, "ipv6"),
      ],
      expected: [
        {
          ...ipv4Layer1(["primary"]),
          title:
            "BGP session flapping on the primary path of AzurePrivatePeering: 4 changes in 60 min",
        },
        {
          family: "ipv6",
          severity: "Sev3",
          paths: ["secondary"],
          cause: "ipv6-session",
          owner: "you",
          ticket: false,
          title:
            "IPv6 BGP session flapping on the secondary path of AzurePrivatePeering: 4 changes in 60 min — IPv6 redundancy at risk; IPv4 flaps on the primary path (its own alert)",
        },
      ],
    },
    {
      name: "both families flapping on both paths, for different reasons: IPv4 Sev1 the carrier's, IPv6 Sev2 the route limit's",
      history: [
        ...pathFlap("primary", [50, 40, 30, 20]),
        ...pathFlap("secondary", [49, 39, 29, 19]),
        sample("primary", 40, 120),
        ...v6Cycles("primary", [47, 37, 27, 17]),
        ...v6Cycles("secondary", [46, 36, 26, 16]),
        sample("secondary", 36, 100, "ipv6"),
      ],
      expected: [
        {
          ...ipv4Layer1(["primary", "secondary"]),
          title:
            "BGP session flapping on the primary and secondary paths of AzurePrivatePeering: 4 / 4 changes in 60 min — traffic on the peering keeps stopping",
        },
        {
          family: "ipv6",
          severity: "Sev2",
          paths: ["primary", "secondary"],
          cause: "route-limit",
          owner: "you",
          ticket: false,
          title:
            "IPv6 BGP session flapping on the primary and secondary paths of AzurePrivatePeering at the route limit: 4 / 4 changes in 60 min — IPv6 traffic keeps stopping; IPv4 flaps on the primary and secondary paths (its own alert)",
        },
      ],
    },
    {
      name: "both families on the same path, for different reasons: one alert each on that path",
      history: [
        ...pathFlap("primary", [50, 40, 30, 20]),
        ...v6Cycles("primary", [47, 37, 27, 17]),
        sample("primary", 37, 100, "ipv6"),
      ],
      expected: [
        {
          ...ipv4Layer1(["primary"]),
          title:
            "BGP session flapping on the primary path of AzurePrivatePeering: 4 changes in 60 min",
        },
        {
          family: "ipv6",
          severity: "Sev3",
          paths: ["primary"],
          cause: "route-limit",
          owner: "you",
          ticket: false,
          title:
            "IPv6 BGP session flapping on the primary path of AzurePrivatePeering at the route limit: 4 changes in 60 min — IPv6 redundancy at risk; IPv4 flaps on the primary path (its own alert)",
        },
      ],
    },
    {
      // Microsoft shuts only the neighbor over its limit: IPv6 at 100 of 100 resets no IPv4 session.
      name: "an IPv4 flap beside an IPv6 count at its own limit (IPv6 not flapping) stays layer 1",
      history: [
        ...pathFlap("primary", [50, 40, 30, 20]),
        sample("primary", 40, 120),
        sample("secondary", 40, 100, "ipv6"),
      ],
      expected: [
        {
          ...ipv4Layer1(["primary"]),
          title:
            "BGP session flapping on the primary path of AzurePrivatePeering: 4 changes in 60 min",
        },
      ],
    },
    {
      // The link dropped both sessions between reads: the path's flap, not an IPv6 session fault.
      name: "both sessions reset in the same reads (the link): one IPv4 layer-1 flap, no IPv6 alert",
      history: [
        reset("secondary", 30),
        reset("secondary", 30, "ipv6"),
        reset("secondary", 10),
        reset("secondary", 10, "ipv6"),
      ],
      expected: [
        {
          ...ipv4Layer1(["secondary"]),
          title:
            "BGP session flapping on the secondary path of AzurePrivatePeering: 4 changes in 60 min (2 resets between reads)",
        },
      ],
    },
  ] as { name: string; history: HistoryEntry[]; expected: unknown[] }[])(
    "$name",
    ({ history, expected }) => {
      expect(judged(run(history))).toEqual(expected);
    },
  );

  it("the IPv4 flap's carrier ticket and next action keep to the link: the IPv6 session's own flap is named as a separate alert", () => {
    const [v4, v6] = run([
      ...pathFlap("primary", [50, 40, 30, 20]),
      sample("primary", 40, 120),
      ...v6Cycles("secondary", [52, 42, 32, 22]),
      sample("secondary", 42, 100, "ipv6"),
    ]);
    expect([v4?.owner, v4?.evidence.cause, v4?.ticket !== undefined]).toEqual([
      "carrier",
      "layer-1",
      true,
    ]);
    expect(v4?.ticket).toContain("Peering: AzurePrivatePeering; affected path(s): primary\n");
    expect(v4?.ticket).toContain(
      `Why layer 1: the received IPv4 prefixes stayed healthy (at most 120 of 4,000) and no IPv4 neighbor was shut as Idle (PfxCt); the IPv6 session at its own limit (${ago(52)} secondary: IPv6 Idle (PfxCt) (3ffe:ffff:0:cd30::1); IPv4 Established) resets IPv6 alone, never the path.`,
    );
    expect(v4?.ticket).not.toContain("Established -> IPv6 Idle (PfxCt)");
    expect(v4?.nextAction).toMatch(
      /Open a ticket with .*\. The IPv6 session flapping on the secondary path is its own alert\.$/,
    );
    expect(v4?.evidence).toMatchObject({
      family: "ipv4",
      counts: { primary: 4, secondary: 0 },
      ipv6Counts: { primary: 0, secondary: 4 },
      families: { ipv4: ["primary"], ipv6: ["secondary"] },
      pfxCt: null,
    });
    expect(v6?.evidence).toMatchObject({ family: "ipv6", cause: "route-limit" });
    expect(v6?.nextAction).toMatch(
      /the carrier cannot fix this\. IPv4's flap on the primary path is its own alert\.$/,
    );
  });

  it("a reset both sessions share in one read is the path's: counted once, as IPv4's, never as an IPv6 flap", () => {
    const [f] = run([
      reset("secondary", 30),
      reset("secondary", 30, "ipv6"),
      reset("secondary", 10),
      reset("secondary", 10, "ipv6"),
      // The IPv6 session's own reset, with IPv4 up through it, is still IPv6's.
      reset("primary", 20, "ipv6"),
    ]);
    expect(f?.evidence).toMatchObject({
      counts: { primary: 0, secondary: 4 },
      ipv6Counts: { primary: 2, secondary: 0 },
      families: { ipv4: ["secondary"], ipv6: [] },
    });
  });

  it("a reset both sessions share in one read leaves the window as one: the IPv6 half is never counted as IPv6's own", () => {
    // The link dropped both sessions between the reads at 62 and 57 min ago;
    // IPv4 was back 4 min before the read, IPv6 a minute before (it comes up
    // later). Counted where each session came back, the IPv4 half left the
    // 60-min window at 61 min, its IPv6 half no longer had an IPv4 reset
    // beside it and counted as the IPv6 session's own: with the IPv6
    // session's one drop of its own, "4 changes in 60 min", an IPv6 flap alert
    // sending you to your IPv6 BGP configuration for the carrier's link.
    const shared = (family: "ipv4" | "ipv6", upDown: string, uptimeSeconds: number) =>
      ({
        ...base,
        kind: "reset",
        at: ago(57),
        path: "secondary",
        ...(family === "ipv6" ? { family } : {}),
        upDown,
        uptimeSeconds,
        previousReadAt: ago(62),
        sincePreviousReadSeconds: 300,
      }) as HistoryEntry;
    const findings = run([
      shared("ipv4", "00:04:00", 240),
      shared("ipv6", "00:01:00", 60),
      ...v6Cycles("secondary", [40, 35], "Active"),
    ]);
    expect(findings.map((f) => [f.addressFamily ?? "ipv4", f.severity, f.title])).toEqual([]);
  });
  it("keys the IPv4 flap as every flap alert was keyed, and the IPv6 flap apart", () => {
    const verdict = classifyCircuit(circuitReading({}));
    const findings = flappingFindings(
      verdict,
      [...pathFlap("primary", [50, 40, 30, 20]), ...v6Cycles("secondary", [52, 42, 32, 22])],
      policy,
      80,
      now,
    );
    const keys = observe({ ...verdict, findings }, []).map((o) => [o.finding?.title, o.key]);
    const ipv4Key = alertKey(CIRCUIT_ID, "AzurePrivatePeering", "session-flapping");
    expect(keys).toEqual([
      [expect.stringMatching(/^BGP session flapping/), ipv4Key],
      [expect.stringMatching(/^IPv6 BGP session flapping/), expect.not.stringMatching(ipv4Key)],
    ]);
    // A single-family IPv4 flap keeps the key it always had.
    const alone = flappingFindings(verdict, pathFlap("primary", [50, 40, 30, 20]), policy, 80, now);
    expect(observe({ ...verdict, findings: alone }, []).map((o) => o.key)).toEqual([ipv4Key]);
  });
});

describe("inhibitions never hold an alert more severe than their source", () => {
  const alert = (
    key: string,
    family: ActiveAlert["family"],
    extra: Partial<ActiveAlert> = {},
  ): ActiveAlert => ({
    key,
    family,
    code: "arp-missing",
    severity: "Sev2",
    circuitId: "c1",
    peering: "AzurePrivatePeering",
    paths: ["secondary"],
    active: true,
    ...extra,
  });
  it.each([
    {
      name: "a Sev2 flap holds a Sev2 path alert entirely",
      alerts: [
        alert("f", "session-flapping", { code: "session-flapping" }),
        alert("t", "path-down"),
      ],
      held: { t: { by: "f", only: undefined } },
    },
    {
      name: "a Sev2 flap does not hold a Sev0 both-paths outage, only its resolve",
      alerts: [
        alert("f", "session-flapping", { code: "session-flapping" }),
        alert("t", "path-down", { severity: "Sev0", paths: ["primary", "secondary"] }),
      ],
      held: { t: { by: "f", only: "resolve" } },
    },
    {
      name: "a Sev1 flap (both paths) holds the resolve of a Sev0 outage",
      alerts: [
        alert("f", "session-flapping", { code: "session-flapping", severity: "Sev1" }),
        alert("t", "path-down", { severity: "Sev0" }),
      ],
      held: { t: { by: "f", only: "resolve" } },
    },
    {
      name: "a Sev3 IPv6 flap holds the Sev3 IPv6 bgp-down it explains entirely",
      alerts: [
        alert("f", "session-flapping", { code: "session-flapping", severity: "Sev3" }),
        alert("t", "path-down", { code: "bgp-down", severity: "Sev3" }),
      ],
      held: { t: { by: "f", only: undefined } },
    },
    // An IPv6-only alert (the IPv6 session's flap, IPv6 down or empty beside IPv4 carrying)
    // explains nothing of IPv4's: it holds only IPv6's own alerts.
    {
      name: "a Sev2 IPv6 flap (both paths) does not hold an IPv4 path-down of Sev2, nor its resolve",
      alerts: [
        alert("f", "session-flapping", { code: "session-flapping", addressFamily: "ipv6" }),
        alert("t", "path-down", { code: "bgp-down" }),
      ],
      held: {},
    },
    {
      name: "a Sev2 IPv6 flap holds an IPv6 bgp-down entirely",
      alerts: [
        alert("f", "session-flapping", { code: "session-flapping", addressFamily: "ipv6" }),
        alert("t", "path-down", { code: "bgp-down", severity: "Sev3", addressFamily: "ipv6" }),
      ],
      held: { t: { by: "f", only: undefined } },
    },
    {
      name: "IPv6 down on both paths (Sev1) does not hold the gateway's Sev1 (VNet traffic stopped)",
      alerts: [
        alert("p", "path-down", {
          code: "bgp-down",
          severity: "Sev1",
          paths: ["primary", "secondary"],
          addressFamily: "ipv6",
        }),
        alert("g", "gateway", { code: "gateway-not-connected", severity: "Sev1", paths: [] }),
        alert("r", "route-limit", { code: "prefix-limit-near", severity: "Sev2" }),
      ],
      held: {},
    },
    {
      name: "IPv4 down on both paths (Sev0) holds the gateway's Sev1 as before",
      alerts: [
        alert("p", "path-down", {
          code: "bgp-down",
          severity: "Sev0",
          paths: ["primary", "secondary"],
        }),
        alert("g", "gateway", { code: "gateway-not-connected", severity: "Sev1", paths: [] }),
      ],
      held: { g: { by: "p", only: undefined } },
    },
    {
      name: "a flap keeps the near-limit warning on its peering open (its resolve only)",
      alerts: [
        alert("f", "session-flapping", { code: "session-flapping", severity: "Sev3" }),
        alert("r", "route-limit", { code: "prefix-limit-near", severity: "Sev2" }),
      ],
      held: { r: { by: "f", only: "resolve" } },
    },
    {
      name: "a Sev3 provider alert (awaiting provisioning) does not hold a Sev2",
      alerts: [
        alert("p", "provider", {
          code: "provider-not-provisioned",
          severity: "Sev3",
          peering: null,
        }),
        alert("r", "route-limit", { code: "prefix-limit-near", severity: "Sev2" }),
      ],
      held: {},
    },
  ])("$name", ({ alerts, held }) => {
    const result = Object.fromEntries(
      [...inhibitions(alerts).entries()].map(([k, v]) => [k, { by: v.by, only: v.only }]),
    );
    expect(result).toEqual(held);
  });
});
