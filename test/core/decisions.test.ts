import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../src/core/classify.js";
import { diffSnapshot } from "../../src/core/diff.js";
import { flappingFindings } from "../../src/core/flapping.js";
import type { HistoryEntry } from "../../src/core/history.js";
import { inhibitions, type ActiveAlert } from "../../src/core/inhibit.js";
import { observe } from "../../src/core/observe.js";
import type { Silence } from "../../src/core/policy.js";
import { activeSilence } from "../../src/core/silence.js";
import { prefixTrend } from "../../src/core/trend.js";
import { alertKey } from "../../src/core/alert-identity.js";
import {
  circuitReading,
  CIRCUIT_ID,
  failed,
  peering,
  type CircuitSpec,
} from "../support/readings.js";

const verdictOf = (spec: CircuitSpec) => classifyCircuit(circuitReading(spec));

describe("alertKey", () => {
  it("should be stable, case-insensitive on the id and independent of text", () => {
    const a = alertKey(CIRCUIT_ID, "AzurePrivatePeering", "path-down");
    expect(alertKey(CIRCUIT_ID.toUpperCase(), "azureprivatepeering", "path-down")).toBe(a);
    expect(alertKey(CIRCUIT_ID, "AzurePrivatePeering", "route-limit")).not.toBe(a);
    expect(alertKey(CIRCUIT_ID, "MicrosoftPeering", "path-down")).not.toBe(a);
    expect(a).toMatch(/^erw-[0-9a-f]{32}$/);
  });
});

describe("activeSilence", () => {
  const target = {
    circuitId: CIRCUIT_ID,
    circuitName: "er-circuit-prod",
    peering: "AzurePrivatePeering",
    paths: ["secondary" as const],
  };
  const once = (extra: Partial<Silence> = {}): Silence => ({
    id: "s1",
    circuit: "er-circuit-prod",
    window: { kind: "once", start: "2026-11-22T01:00:00Z", end: "2026-11-22T05:00:00Z" },
    ...extra,
  });
  const cases: { name: string; silence: Silence; now: string; active: boolean }[] = [
    {
      name: "inside a one-off window, by circuit name",
      silence: once(),
      now: "2026-11-22T02:00:00Z",
      active: true,
    },
    {
      name: "by circuit resource id, any case",
      silence: once({ circuit: CIRCUIT_ID.toUpperCase() }),
      now: "2026-11-22T02:00:00Z",
      active: true,
    },
    {
      name: "as an earlier erwatch stored it: an id ending in / and the peering as the tables show it",
      silence: once({ circuit: ` ${CIRCUIT_ID}/`, peering: "private" }),
      now: "2026-11-22T02:00:00Z",
      active: true,
    },
    {
      name: "at the end instant the window is over",
      silence: once(),
      now: "2026-11-22T05:00:00Z",
      active: false,
    },
    {
      name: "other circuit",
      silence: once({ circuit: "er-other" }),
      now: "2026-11-22T02:00:00Z",
      active: false,
    },
    {
      name: "scoped to the affected path",
      silence: once({ path: "secondary" }),
      now: "2026-11-22T02:00:00Z",
      active: true,
    },
    {
      name: "scoped to the other path does not cover it",
      silence: once({ path: "primary" }),
      now: "2026-11-22T02:00:00Z",
      active: false,
    },
    {
      name: "scoped to another peering",
      silence: once({ peering: "MicrosoftPeering" }),
      now: "2026-11-22T02:00:00Z",
      active: false,
    },
    {
      name: "weekly Sunday 02:00 UTC for 4 h, at 03:59",
      silence: {
        id: "w",
        circuit: "er-circuit-prod",
        window: { kind: "recurring", cron: "0 2 * * 0", durationMinutes: 240, timezone: "UTC" },
      },
      now: "2026-11-22T05:59:00Z",
      active: true,
    },
    {
      name: "weekly window, exactly at the start",
      silence: {
        id: "w",
        circuit: "er-circuit-prod",
        window: { kind: "recurring", cron: "0 2 * * 0", durationMinutes: 240, timezone: "UTC" },
      },
      now: "2026-11-22T02:00:00Z",
      active: true,
    },
    {
      name: "weekly window, after it",
      silence: {
        id: "w",
        circuit: "er-circuit-prod",
        window: { kind: "recurring", cron: "0 2 * * 0", durationMinutes: 240, timezone: "UTC" },
      },
      now: "2026-11-22T06:00:00Z",
      active: false,
    },
    {
      name: "weekly window in a time zone (02:00 Amsterdam = 01:00 UTC)",
      silence: {
        id: "w",
        circuit: "er-circuit-prod",
        window: {
          kind: "recurring",
          cron: "0 2 * * 0",
          durationMinutes: 60,
          timezone: "Europe/Amsterdam",
        },
      },
      now: "2026-11-22T01:30:00Z",
      active: true,
    },
  ];
  it.each(cases)("$name", ({ silence, now, active }) => {
    expect(activeSilence([silence], target, new Date(now)) !== null).toBe(active);
  });
});

describe("a weekly window across the 2027 daylight-saving changes, at the 5-minute cadence", () => {
  // Sweeps every 5 minutes from Saturday noon UTC for a day: the stretches a
  // silence holds, as [first sweep held, first sweep not held) in UTC. A
  // window is kept on the local clock: it neither vanishes, doubles nor moves
  // an hour on the change weekend.
  function held(cron: string, durationMinutes: number, timezone: string, saturday: string) {
    const silence: Silence = {
      id: "weekly",
      circuit: "er-circuit-prod",
      window: { kind: "recurring", cron, durationMinutes, timezone },
    };
    const target = {
      circuitId: CIRCUIT_ID,
      circuitName: "er-circuit-prod",
      peering: null,
      paths: [],
    };
    const spans: string[][] = [];
    const from = Date.parse(`${saturday}T12:00:00Z`);
    let open: string | null = null;
    for (let t = from; t <= from + 24 * 3_600_000; t += 5 * 60_000) {
      const iso = new Date(t).toISOString().slice(0, 16);
      const active = activeSilence([silence], target, new Date(t)) !== null;
      if (active && open === null) open = iso;
      if (!active && open !== null) {
        spans.push([open, iso]);
        open = null;
      }
    }
    return spans;
  }
  const ams = "Europe/Amsterdam";
  const ny = "America/New_York";
  it.each<{
    name: string;
    cron: string;
    minutes: number;
    tz: string;
    saturday: string;
    spans: string[][];
  }>([
    {
      name: "Amsterdam Sun 01:00–05:00, an ordinary week (CET): 4 h",
      ...{ cron: "0 1 * * 0", minutes: 240, tz: ams, saturday: "2027-03-20" },
      spans: [["2027-03-21T00:00", "2027-03-21T04:00"]],
    },
    {
      // Was until 06:00 CEST (04:00Z).
      name: "Amsterdam Sun 01:00–05:00, spring forward: 01:00 CET to 05:00 CEST, 3 h",
      ...{ cron: "0 1 * * 0", minutes: 240, tz: ams, saturday: "2027-03-27" },
      spans: [["2027-03-28T00:00", "2027-03-28T03:00"]],
    },
    {
      // Was until 04:00 CET (03:00Z): the last hour of the carrier's window paged.
      name: "Amsterdam Sun 01:00–05:00, fall back: 01:00 CEST to 05:00 CET, 5 h",
      ...{ cron: "0 1 * * 0", minutes: 240, tz: ams, saturday: "2027-10-30" },
      spans: [["2027-10-30T23:00", "2027-10-31T04:00"]],
    },
    {
      name: "Amsterdam Sun 01:00–05:00, the week after (CET again): 4 h",
      ...{ cron: "0 1 * * 0", minutes: 240, tz: ams, saturday: "2027-11-06" },
      spans: [["2027-11-07T00:00", "2027-11-07T04:00"]],
    },
    {
      // Was until 06:00 EDT (10:00Z).
      name: "New York Sun 01:00–05:00, spring forward: 01:00 EST to 05:00 EDT, 3 h",
      ...{ cron: "0 1 * * 0", minutes: 240, tz: ny, saturday: "2027-03-13" },
      spans: [["2027-03-14T06:00", "2027-03-14T09:00"]],
    },
    {
      // 01:00 is shown twice: the window opens at the first and does not open again.
      name: "New York Sun 01:00–05:00, fall back: 01:00 EDT to 05:00 EST, 5 h",
      ...{ cron: "0 1 * * 0", minutes: 240, tz: ny, saturday: "2027-11-06" },
      spans: [["2027-11-07T05:00", "2027-11-07T10:00"]],
    },
    {
      // Was never: the clock skips 02:30, so the window vanished that week.
      name: "Amsterdam Sun 02:30–04:30, spring forward: opens as the clock jumps to 03:00 CEST",
      ...{ cron: "30 2 * * 0", minutes: 120, tz: ams, saturday: "2027-03-27" },
      spans: [["2027-03-28T01:00", "2027-03-28T02:30"]],
    },
    {
      name: "New York Sun 02:30–04:30, spring forward: opens as the clock jumps to 03:00 EDT",
      ...{ cron: "30 2 * * 0", minutes: 120, tz: ny, saturday: "2027-03-13" },
      spans: [["2027-03-14T07:00", "2027-03-14T08:30"]],
    },
    {
      name: "Amsterdam Sun 02:30–04:30, fall back: from the first 02:30 (CEST) to 04:30 CET, once",
      ...{ cron: "30 2 * * 0", minutes: 120, tz: ams, saturday: "2027-10-30" },
      spans: [["2027-10-31T00:30", "2027-10-31T03:30"]],
    },
    {
      name: "New York Sun 01:30–03:30, fall back: from the first 01:30 (EDT) to 03:30 EST, once",
      ...{ cron: "30 1 * * 0", minutes: 120, tz: ny, saturday: "2027-11-06" },
      spans: [["2027-11-07T05:30", "2027-11-07T08:30"]],
    },
    {
      // Ends at the first 02:30 and does not reopen while 02:00–02:30 is shown again.
      name: "Amsterdam Sun 00:00–02:30, fall back: ends at the first 02:30 and stays over",
      ...{ cron: "0 0 * * 0", minutes: 150, tz: ams, saturday: "2027-10-30" },
      spans: [["2027-10-30T22:00", "2027-10-31T00:30"]],
    },
  ])("$name", ({ cron, minutes, tz, saturday, spans }) => {
    expect(held(cron, minutes, tz, saturday)).toEqual(spans);
  });
});

describe("inhibitions", () => {
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
      name: "provider down holds the path alert",
      alerts: [
        alert("p", "provider", {
          code: "provider-not-provisioned",
          peering: null,
          paths: ["primary", "secondary"],
        }),
        alert("t", "path-down"),
      ],
      held: { t: "p" },
    },
    {
      name: "an inactive source holds nothing",
      alerts: [alert("p", "provider", { peering: null, active: false }), alert("t", "path-down")],
      held: {},
    },
    {
      name: "another circuit's provider holds nothing",
      alerts: [alert("p", "provider", { peering: null, circuitId: "c2" }), alert("t", "path-down")],
      held: {},
    },
    {
      name: "both paths down holds route-limit on the same peering",
      alerts: [
        alert("b", "path-down", { paths: ["primary", "secondary"] }),
        alert("r", "route-limit", { code: "prefix-limit-near" }),
      ],
      held: { r: "b" },
    },
    {
      // Only its resolve (the test below): a session down has no count to clear.
      name: "one path's session down holds the resolve of route-limit on that path",
      alerts: [alert("b", "path-down"), alert("r", "route-limit", { code: "prefix-limit-near" })],
      held: { r: "b" },
    },
    {
      name: "one path down does not hold route-limit on the other path",
      alerts: [
        alert("b", "path-down", { paths: ["primary"] }),
        alert("r", "route-limit", { code: "prefix-limit-near" }),
      ],
      held: {},
    },
    {
      name: "a path receiving 0 prefixes has a count: route-limit is not held",
      alerts: [
        alert("b", "path-down", { code: "no-prefixes-received" }),
        alert("r", "route-limit", { code: "prefix-limit-near" }),
      ],
      held: {},
    },
    {
      name: "flapping holds the path churn",
      alerts: [
        alert("f", "session-flapping", { code: "session-flapping" }),
        alert("t", "path-down"),
      ],
      held: { t: "f" },
    },
    {
      name: "pending prefix validation does not hide a BGP outage",
      alerts: [
        alert("v", "peering-config", {
          code: "public-prefixes-not-validated",
          paths: ["primary", "secondary"],
        }),
        alert("t", "path-down"),
      ],
      held: {},
    },
    {
      name: "a disabled peering holds its gateway alert",
      alerts: [
        alert("d", "peering-config", { code: "peering-disabled", paths: ["primary", "secondary"] }),
        alert("g", "gateway", { code: "gateway-not-connected" }),
      ],
      held: { g: "d" },
    },
    {
      name: "the Azure side of the circuit not Enabled keeps the end-to-end alert it explains open",
      alerts: [
        alert("c", "circuit-state", {
          code: "circuit-not-enabled",
          severity: "Sev1",
          peering: null,
          paths: ["primary", "secondary"],
        }),
        alert("e", "end-to-end", { code: "e2e-fail", severity: "Sev1", active: false }),
      ],
      held: { e: "c" },
    },
    {
      name: "the private peering gone keeps the end-to-end alert it explains open",
      alerts: [
        alert("m", "peering-config", { code: "peering-missing", paths: ["primary", "secondary"] }),
        alert("e", "end-to-end", { code: "e2e-fail", severity: "Sev1", active: false }),
      ],
      held: { e: "m" },
    },
    {
      name: "a path down keeps the traffic-stopped alert of that path open",
      alerts: [
        alert("d", "path-down"),
        alert("s", "traffic", { code: "traffic-stopped", active: false }),
      ],
      held: { s: "d" },
    },
    {
      // The stop on the other path is its own: it resolves when traffic is back there.
      name: "a path down holds nothing of a traffic-stopped alert on the other path",
      alerts: [
        alert("d", "path-down", { paths: ["primary"] }),
        alert("s", "traffic", { code: "traffic-stopped", active: false }),
      ],
      held: {},
    },
    {
      // Its stop on the path that is down is not known to be over.
      name: "one path down keeps a traffic-stopped alert on both open",
      alerts: [
        alert("d", "path-down"),
        alert("s", "traffic", { code: "traffic-stopped", paths: ["primary", "secondary"] }),
      ],
      held: { s: "d" },
    },
    {
      // Narrowed to the primary after the receivers were told of both: the secondary's stop is not known over.
      name: "a path down keeps a traffic-stopped alert open that its receivers were told named it",
      alerts: [
        alert("d", "path-down"),
        alert("s", "traffic", {
          code: "traffic-stopped",
          paths: ["primary"],
          toldPaths: ["primary", "secondary"],
          active: false,
        }),
      ],
      held: { s: "d" },
    },
    {
      // IPv6 down beside IPv4 carrying: the path still carries, its stop is judged as ever.
      name: "IPv6 alone down on the path holds nothing of its traffic-stopped alert",
      alerts: [
        alert("d", "path-down", { addressFamily: "ipv6" }),
        alert("s", "traffic", { code: "traffic-stopped", active: false }),
      ],
      held: {},
    },
  ])("$name", ({ alerts, held }) => {
    const result = Object.fromEntries(
      [...inhibitions(alerts).entries()].map(([k, v]) => [k, v.by]),
    );
    expect(result).toEqual(held);
  });

  it("a session down on its path holds only the near-limit warning's resolve, whatever its severity", () => {
    const hold = inhibitions([
      alert("b", "path-down", { code: "bgp-down", severity: "Sev3" }),
      alert("r", "route-limit", { code: "prefix-limit-near", severity: "Sev2" }),
    ]).get("r");
    expect(hold).toMatchObject({ by: "b", only: "resolve" });
  });
});

describe("diffSnapshot", () => {
  const limits = () => 4000;
  it("should record transitions with before/after and never count UNKNOWN", () => {
    const t1 = new Date("2026-11-22T02:00:00Z");
    const first = diffSnapshot(null, verdictOf({}), limits, t1);
    expect(first.transitions).toEqual([]);
    expect(first.next.peerings.AzurePrivatePeering?.paths.primary.bgp).toEqual({
      status: "up",
      detail: "Established",
      since: t1.toISOString(),
    });

    const t2 = new Date("2026-11-22T02:05:00Z");
    const down = diffSnapshot(
      first.next,
      verdictOf({ paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } } }),
      limits,
      t2,
    );
    expect(
      down.transitions
        .filter((t) => t.path === "secondary")
        .map((t) => `${t.layer}:${t.before}->${t.after}`),
    ).toEqual(["provider:up->down", "bgp:up->down", "routes:up->n/a", "path:up->down"]);

    const t3 = new Date("2026-11-22T02:10:00Z");
    const blind = diffSnapshot(
      down.next,
      verdictOf({
        paths: {
          AzurePrivatePeering: {
            secondary: { arp: failed({ kind: "throttled" }), bgp: failed({ kind: "throttled" }) },
          },
        },
      }),
      limits,
      t3,
    );
    expect(blind.transitions).toEqual([]);
    // The last known value and its time are kept; what this reading shows is beside it.
    expect(blind.next.peerings.AzurePrivatePeering?.paths.secondary.provider).toEqual({
      status: "down",
      detail: "ARP table empty",
      since: t2.toISOString(),
      shown: { status: "unknown", detail: "ARP read failed: throttled", since: t3.toISOString() },
    });

    const whole = diffSnapshot(
      down.next,
      verdictOf({
        circuit: failed({ kind: "throttled", call: "Microsoft.Network/expressRouteCircuits/read" }),
      }),
      limits,
      t3,
    );
    expect(whole.transitions).toEqual([]);
    expect(whole.next.peerings).toEqual(down.next.peerings);
  });

  // The operator review: Recent changes said "path: up → down down" and
  // "path: down → up carrying traffic" when nothing had measured traffic.
  it("says what the control plane shows of a path, never traffic, never its status twice", () => {
    const t1 = new Date("2026-11-22T02:00:00Z");
    const first = diffSnapshot(null, verdictOf({}), limits, t1);
    const broken = verdictOf({
      paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } },
    });
    const down = diffSnapshot(first.next, broken, limits, new Date("2026-11-22T02:05:00Z"));
    const back = diffSnapshot(down.next, verdictOf({}), limits, new Date("2026-11-22T02:10:00Z"));
    const path = (d: typeof down) => d.transitions.find((t) => t.layer === "path");
    expect(path(down)).toMatchObject({ after: "down", afterDetail: "L2: ARP table empty" });
    expect(path(back)).toMatchObject({ after: "up" });
    expect(path(back)?.afterDetail).toMatch(/^Established, \d+ prefixes$/);
    expect(first.next.peerings.AzurePrivatePeering?.paths.primary.path.detail).toMatch(
      /^Established, \d+ prefixes$/,
    );
  });

  it("should sample the prefix count only when it changes", () => {
    const a = diffSnapshot(
      null,
      verdictOf({
        paths: { AzurePrivatePeering: { primary: { bgp: "100" }, secondary: { bgp: "100" } } },
      }),
      limits,
      new Date("2026-11-22T00:00:00Z"),
    );
    expect(a.prefixSamples.map((s) => [s.path, s.before, s.after, s.limit])).toEqual([
      ["primary", null, 100, 4000],
      ["secondary", null, 100, 4000],
    ]);
    const b = diffSnapshot(
      a.next,
      verdictOf({
        paths: { AzurePrivatePeering: { primary: { bgp: "150" }, secondary: { bgp: "100" } } },
      }),
      limits,
      new Date("2026-11-22T01:00:00Z"),
    );
    expect(b.prefixSamples.map((s) => [s.path, s.before, s.after])).toEqual([
      ["primary", 100, 150],
    ]);
  });
});

describe("prefixTrend", () => {
  it("should estimate growth per hour and when the limit is reached", () => {
    const samples = [
      { at: "2026-11-22T00:00:00Z", after: 3000 },
      { at: "2026-11-22T01:00:00Z", after: 3100 },
    ];
    const trend = prefixTrend(samples, { at: new Date("2026-11-22T02:00:00Z"), count: 3200 }, 4000);
    expect(trend).toEqual({
      samples: 3,
      perHour: 100,
      reachesLimitAt: "2026-11-22T10:00:00.000Z",
      since: "2026-11-22T00:00:00.000Z",
    });
  });
  it.each([
    { name: "flat", counts: [3000, 3000], perHour: 0, eta: null },
    { name: "shrinking", counts: [3200, 3100], perHour: -100, eta: null },
  ])("should give no time to the limit when $name", ({ counts, perHour, eta }) => {
    const trend = prefixTrend(
      [{ at: "2026-11-22T00:00:00Z", after: counts[0]! }],
      { at: new Date("2026-11-22T01:00:00Z"), count: counts[1]! },
      4000,
    );
    expect([trend.perHour, trend.reachesLimitAt]).toEqual([perHour, eta]);
  });
  it("should not guess from one sample", () => {
    expect(prefixTrend([], { at: new Date(), count: 10 }, 4000).perHour).toBeNull();
  });
});

describe("flappingFindings", () => {
  const now = new Date("2026-11-22T02:30:00Z");
  const flap = (minute: number, after: "up" | "down"): HistoryEntry => ({
    kind: "transition",
    at: new Date(now.getTime() - (30 - minute) * 60_000).toISOString(),
    circuitId: CIRCUIT_ID,
    peering: "AzurePrivatePeering",
    path: "primary",
    layer: "path",
    before: after === "up" ? "down" : "up",
    after,
    beforeDetail: "",
    afterDetail: "",
  });
  const five = [flap(2, "down"), flap(6, "up"), flap(12, "down"), flap(18, "up"), flap(24, "down")];
  it("should raise one session-flapping finding past K transitions, pointing at layer 1 by default", () => {
    const findings = flappingFindings(
      verdictOf({}),
      five,
      { transitions: 4, windowMinutes: 30 },
      80,
      now,
    );
    expect(findings.map((f) => [f.code, f.owner, f.severity, f.paths])).toEqual([
      ["session-flapping", "carrier", "Sev2", ["primary"]],
    ]);
    expect(findings[0]?.ticket).toContain("Path up/down (UTC):");
  });
  // Proven over its window, but opened only on a sweep that read a session of the peering.
  it.each([
    ["both paths read", "firing", {}],
    [
      "one path's session unread",
      "firing",
      { paths: { AzurePrivatePeering: { primary: { bgp: failed({ kind: "timeout" }) } } } },
    ],
    [
      "neither path's session read",
      "unknown",
      {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: failed({ kind: "timeout" }), bgp: failed({ kind: "timeout" }) },
            secondary: { arp: failed({ kind: "timeout" }), bgp: failed({ kind: "timeout" }) },
          },
        },
      },
    ],
    ["the circuit unread", "unknown", { circuit: failed({ kind: "throttled" }) }],
  ] as const)("with %s, a proven flap is observed %s", (_, state, spec) => {
    const verdict = verdictOf(spec as CircuitSpec);
    const findings = flappingFindings(
      verdict,
      five,
      { transitions: 4, windowMinutes: 30 },
      80,
      now,
    );
    expect(findings.map((f) => f.code)).toEqual(["session-flapping"]);
    const key = alertKey(CIRCUIT_ID, "AzurePrivatePeering", "session-flapping");
    const seen = observe({ ...verdict, findings: [...verdict.findings, ...findings] }, []);
    expect(seen.find((o) => o.key === key)?.state).toBe(state);
    // An open flap alert with no finding now: clean only when a session was read.
    const open = [{ key, family: "session-flapping" as const, peering: "AzurePrivatePeering" }];
    expect(observe(verdict, open).find((o) => o.key === key)?.state).toBe(
      state === "firing" ? "clean" : "unknown",
    );
  });
  it("should stay quiet at K transitions or when they are outside the window", () => {
    expect(
      flappingFindings(
        verdictOf({}),
        five.slice(1),
        { transitions: 4, windowMinutes: 30 },
        80,
        now,
      ),
    ).toEqual([]);
    expect(
      flappingFindings(verdictOf({}), five, { transitions: 4, windowMinutes: 20 }, 80, now),
    ).toEqual([]);
  });
  it("should point at the route limit when the prefix count sat near it", () => {
    const near: HistoryEntry = {
      kind: "prefixes",
      at: five[1]!.at,
      circuitId: CIRCUIT_ID,
      peering: "AzurePrivatePeering",
      path: "primary",
      before: 3800,
      after: 3990,
      limit: 4000,
    };
    const findings = flappingFindings(
      verdictOf({}),
      [...five, near],
      { transitions: 4, windowMinutes: 30 },
      80,
      now,
    );
    expect([findings[0]?.owner, findings[0]?.evidence.prefixNearLimit]).toEqual(["you", true]);
  });
});

describe("observe: a fact ARM left out never resolves the alert it feeds", () => {
  const existing = (
    family: "provider" | "peering-config" | "global-reach",
    peering: string | null,
  ) => [{ key: alertKey(CIRCUIT_ID, peering, family), family, peering }];
  it.each([
    {
      name: "provider alert while the provider state is missing",
      verdict: () => ({ ...verdictOf({}), providerState: null }),
      known: existing("provider", null),
    },
    {
      name: "peering alert while the peering's state is missing",
      verdict: () => verdictOf({ peerings: [peering({ state: null })] }),
      known: existing("peering-config", "AzurePrivatePeering"),
    },
    {
      name: "Global Reach alert while the connection status is missing",
      verdict: () =>
        verdictOf({
          peerings: [
            peering({
              globalReach: [
                { name: "gr", peerCircuitPeeringId: "x", status: null, direction: "outbound" },
              ],
            }),
          ],
        }),
      known: existing("global-reach", "AzurePrivatePeering"),
    },
  ])("$name is unknown, not clean", ({ verdict, known }) => {
    expect(observe(verdict(), known)[0]?.state).toBe("unknown");
  });

  it("a path alert while the provider has de-provisioned the circuit (nothing above it judged) is unknown, not clean", () => {
    const key = alertKey(CIRCUIT_ID, "AzurePrivatePeering", "path-down");
    const known = [{ key, family: "path-down" as const, peering: "AzurePrivatePeering" }];
    const gone = verdictOf({ providerState: "NotProvisioned" });
    expect(gone.findings.map((f) => f.code)).toEqual(["provider-not-provisioned"]);
    expect(observe(gone, known).find((o) => o.key === key)).toMatchObject({
      state: "unknown",
      // Read, and masked: no blindness (blind-notice.ts counts it as a reading).
      masked: true,
    });
    // Back, and the path read up: clean again.
    expect(observe(verdictOf({}), known)[0]?.state).toBe("clean");
  });

  it("a path-down alert unknown because a path, or the circuit, could not be read is not masked", () => {
    const key = alertKey(CIRCUIT_ID, "AzurePrivatePeering", "path-down");
    const known = [{ key, family: "path-down" as const, peering: "AzurePrivatePeering" }];
    const blind = observe(
      verdictOf({
        paths: { AzurePrivatePeering: { primary: { arp: failed({ kind: "forbidden" }) } } },
      }),
      known,
    );
    expect(blind.find((o) => o.key === key)).toMatchObject({ state: "unknown" });
    expect(blind.find((o) => o.key === key)?.masked).toBeUndefined();
    const unread = observe(verdictOf({ circuit: failed({ kind: "throttled" }) }), known);
    expect(unread.find((o) => o.key === key)?.masked).toBeUndefined();
  });

  it("is clean when the fact is there and healthy", () => {
    expect(observe(verdictOf({}), existing("provider", null))[0]?.state).toBe("clean");
    expect(
      observe(verdictOf({}), existing("peering-config", "AzurePrivatePeering"))[0]?.state,
    ).toBe("clean");
  });
});

describe("observe", () => {
  it("should merge findings of one family into one firing observation", () => {
    const verdict = verdictOf({
      paths: {
        AzurePrivatePeering: {
          primary: { arp: "empty", bgp: "Idle" },
          secondary: { bgp: "OpenSent" },
        },
      },
    });
    const obs = observe(verdict, []);
    expect(obs).toHaveLength(1);
    expect(obs[0]).toMatchObject({ family: "path-down", state: "firing" });
    expect(obs[0]?.finding).toMatchObject({
      code: "arp-missing",
      severity: "Sev0",
      paths: ["primary", "secondary"],
    });
  });
  it("should say clean for a known layer and unknown for an unreadable one", () => {
    const key = alertKey(CIRCUIT_ID, "AzurePrivatePeering", "path-down");
    const existing = [{ key, family: "path-down" as const, peering: "AzurePrivatePeering" }];
    expect(observe(verdictOf({}), existing)[0]?.state).toBe("clean");
    const blind = verdictOf({
      paths: { AzurePrivatePeering: { primary: { arp: failed({ kind: "forbidden" }) } } },
    });
    expect(observe(blind, existing).find((o) => o.key === key)?.state).toBe("unknown");
    const noCircuit = verdictOf({ circuit: failed({ kind: "throttled" }) });
    expect(observe(noCircuit, existing).find((o) => o.key === key)?.state).toBe("unknown");
  });
});
