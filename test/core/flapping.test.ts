// Flapping, as table-driven cases: the session uptime column, resets between
// reads, the flap's cause and grade, and the no-hold-more-severe rule.

import { describe, expect, it } from "vitest";
import { parseUptime } from "../../src/core/bgp-state.js";
import { classifyCircuit } from "../../src/core/classify.js";
import { flappingFindings } from "../../src/core/flapping.js";
import type { HistoryEntry, LayerTransition } from "../../src/core/history.js";
import { inhibitions, type ActiveAlert } from "../../src/core/inhibit.js";
import type { PathName } from "../../src/core/model.js";
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
