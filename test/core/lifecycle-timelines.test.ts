// The alert lifecycle as on-call lives it: one circuit's readings through the
// whole pure chain (evaluate → advance → inhibition → decide) at the default
// 5-minute cadence, with what each sweep sends. The same chain as
// src/app/record-circuit.ts, without storage.

import { describe, expect, it } from "vitest";
import type { PathName } from "../../src/core/model.js";
import type { Silence } from "../../src/core/policy.js";
import { chainTimeline, TIMELINE_T0, type TimelineSweep } from "../support/chain-timeline.js";
import { failed, neighbor, type CircuitSpec, type PathSpec } from "../support/readings.js";

const T0 = TIMELINE_T0;
type Sweep = TimelineSweep;
const live = chainTimeline;

const down: PathSpec = { arp: "empty", bgp: "Idle" };
const unread: PathSpec = {
  arp: failed({ kind: "server-error" }),
  bgp: failed({
    kind: "server-error",
    call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/action",
  }),
};
const paths = (p: Partial<Record<PathName, PathSpec>>): CircuitSpec => ({
  paths: { AzurePrivatePeering: p },
});
const healthy = paths({});
const primaryDown = paths({ primary: down });
const bothDown = paths({ primary: down, secondary: down });
const every5 = (specs: CircuitSpec[], from = 0): Sweep[] =>
  specs.map((spec, i) => ({ minute: from + i * 5, spec }));

describe("a path that cannot be read is not a path that recovered", () => {
  it.each<{ name: string; sweeps: Sweep[]; sent: string[] }>([
    {
      // The secondary's read failing says nothing about it: the Sev0 stays as
      // the receivers have it, and no second page follows when it is read
      // down again.
      name: "both paths down, then the secondary cannot be read for a sweep",
      sweeps: every5([bothDown, paths({ primary: down, secondary: unread }), bothDown, bothDown]),
      sent: ["path-down:open:Sev0", "-", "-", "-"],
    },
    {
      name: "both paths down, the secondary unreadable, then read and up: the de-escalation is sent then",
      sweeps: every5([
        bothDown,
        paths({ primary: down, secondary: unread }),
        paths({ primary: down, secondary: unread }),
        primaryDown,
        primaryDown,
      ]),
      sent: ["path-down:open:Sev0", "-", "-", "path-down:deescalate:Sev2", "-"],
    },
    {
      // A read that failed once is not a second outage: no page for it.
      name: "one path down, the other unreadable for one sweep: no escalation",
      sweeps: every5([
        primaryDown,
        primaryDown,
        paths({ primary: down, secondary: unread }),
        primaryDown,
        primaryDown,
      ]),
      sent: ["-", "path-down:open:Sev2", "-", "-", "-"],
    },
    {
      // The documented grade for one path down while the other is unread, once
      // it is not a blip: it escalates a sweep later, as opening at Sev1 would.
      name: "one path down, the other unreadable for two sweeps: redundancy unverified escalates",
      sweeps: every5([
        primaryDown,
        primaryDown,
        paths({ primary: down, secondary: unread }),
        paths({ primary: down, secondary: unread }),
      ]),
      sent: ["-", "path-down:open:Sev2", "-", "path-down:escalate:Sev1"],
    },
    {
      // Nothing to escalate from: a new alert waits its hysteresis as before.
      name: "one path down with the other unreadable from the start: opens at Sev1 after two sweeps",
      sweeps: every5([
        paths({ primary: down, secondary: unread }),
        paths({ primary: down, secondary: unread }),
      ]),
      sent: ["-", "path-down:open:Sev1"],
    },
  ])("$name", ({ sweeps, sent }) => {
    expect(live(sweeps).sent).toEqual(sent);
  });

  it("never says an unread path recovered", () => {
    // The primary was down and cannot be read now; the secondary broke.
    const { sent, changes } = live(
      every5([primaryDown, primaryDown, paths({ primary: unread, secondary: down })]),
    );
    expect(sent).toEqual(["-", "path-down:open:Sev2", "path-down:escalate:Sev1"]);
    expect(changes[1]).toMatch(
      /^Worse: Sev2 → Sev1; now also the secondary path; the primary path could not be read\. Now: /,
    );
  });
});

describe("a silence on one path holds only news about that path", () => {
  const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
  // The carrier announced maintenance on the secondary link from 02:03.
  const secondaryMaintenance: Silence[] = [
    {
      id: "carrier-maint",
      circuit: "er-circuit-prod",
      path: "secondary",
      window: { kind: "once", start: at(3), end: at(120) },
    },
  ];
  const secondaryDown = paths({ secondary: down });
  const during = (specs: CircuitSpec[]): Sweep[] =>
    every5(specs).map((s) => ({ ...s, silences: secondaryMaintenance }));

  it.each<{ name: string; sweeps: Sweep[]; sent: string[] }>([
    {
      // The Sev0 was paged about both links: that the primary is back is not
      // news about the secondary alone. What is left is the secondary's, so
      // its resolve waits for the window's end like any silenced decision.
      name: "a Sev0 paged on both paths hears the primary recover, the rest after the window",
      sweeps: [
        ...during([bothDown, bothDown, secondaryDown, secondaryDown, healthy, healthy]),
        { minute: 120, spec: healthy, silences: secondaryMaintenance },
      ],
      sent: [
        "path-down:open:Sev0",
        "-",
        "path-down:deescalate:Sev2",
        "-",
        "-",
        "-",
        "path-down:resolve:Sev2",
      ],
    },
    {
      name: "a Sev0 paged on both paths that clears at once resolves in the window",
      sweeps: during([bothDown, bothDown, healthy, healthy]),
      sent: ["path-down:open:Sev0", "-", "-", "path-down:resolve:Sev0"],
    },
    {
      name: "the secondary alone going down in its window is recorded, not paged",
      sweeps: during([healthy, secondaryDown, secondaryDown, secondaryDown, healthy, healthy]),
      sent: ["-", "-", "-", "-", "-", "-"],
    },
    {
      name: "the primary breaking during the secondary's window pages",
      sweeps: during([secondaryDown, secondaryDown, bothDown, bothDown]),
      sent: ["-", "-", "path-down:open:Sev0", "-"],
    },
  ])("$name", ({ sweeps, sent }) => {
    expect(live(sweeps).sent).toEqual(sent);
  });
});

describe("an alert kept open through a flap is one episode", () => {
  // Healthy before; then the primary's session is down three sweeps and up two,
  // four times over, and calm after.
  const pattern = [1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0];
  const flapping: Sweep[] = [
    { minute: -5, spec: healthy },
    ...every5(pattern.map((d) => (d ? paths({ primary: { bgp: "Active" } }) : healthy))),
    ...every5(
      Array.from({ length: 12 }, () => healthy),
      100,
    ),
  ];

  it("resolves with the flap, timed from when the receivers were told", () => {
    const { sent, changes } = live(flapping);
    const pathDown = changes.filter((c) => !c.includes("flapping"));
    expect(sent.filter((s) => s !== "-")).toEqual([
      "path-down:open:Sev2",
      "path-down:resolve:Sev2",
      "path-down:open:Sev2",
      "session-flapping:open:Sev2",
      "path-down:resolve:Sev2 session-flapping:resolve:Sev2",
    ]);
    // Opened at 02:30 (first seen 02:25) and kept open until the flap calmed at 04:00.
    expect(pathDown[2]).toMatch(/^New since 2026-11-22 02:25 UTC: /);
    expect(pathDown[3]).toMatch(/^Resolved after 1 h 35 min: /);
  });
});

describe("an outage keeps its grade while it lasts", () => {
  const peeringGone: CircuitSpec = { peerings: [] };
  const unreadCircuit: CircuitSpec = {
    circuit: failed({
      kind: "server-error",
      call: "Microsoft.Network/expressRouteCircuits/read",
      target: "circuit er-circuit-prod",
    }),
  };
  it.each<{ name: string; sweeps: Sweep[]; sent: string[] }>([
    {
      // Gone is gone: the second sweep without it is not "better".
      name: "a private peering deleted stays Sev0 until it is back",
      sweeps: every5([healthy, peeringGone, peeringGone, peeringGone, healthy, healthy]),
      sent: ["-", "peering-config:open:Sev0", "-", "-", "-", "peering-config:resolve:Sev0"],
    },
    {
      name: "through a sweep that could not read the circuit",
      sweeps: every5([healthy, peeringGone, unreadCircuit, peeringGone, peeringGone]),
      sent: ["-", "peering-config:open:Sev0", "-", "-", "-"],
    },
    {
      name: "a peering never configured is Sev2 after two sweeps",
      sweeps: every5([peeringGone, peeringGone, peeringGone]),
      sent: ["-", "peering-config:open:Sev2", "-"],
    },
  ])("$name", ({ sweeps, sent }) => {
    expect(live(sweeps).sent).toEqual(sent);
  });
});

describe("a silence's edges are judged at the tick, not at the instant its clock read", () => {
  const iso = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
  // A timer tick 0.3 s before the minute it stands for.
  const early = (minute: number) => minute - 0.3 / 60;
  const window = (start: number, end: number): Silence[] => [
    {
      id: "carrier-maint",
      circuit: "er-circuit-prod",
      window: { kind: "once", start: iso(start), end: iso(end) },
    },
  ];

  it.each<{ name: string; sweeps: Sweep[]; sent: string[] }>([
    {
      name: "a window ending at 02:20: the early 02:20 tick pages the outage it held",
      sweeps: [0, 5, 10, 15, 20].map((m) => ({
        minute: m === 20 ? early(20) : m,
        spec: bothDown,
        silences: window(0, 20),
      })),
      sent: ["-", "-", "-", "-", "path-down:open:Sev0"],
    },
    {
      name: "a window starting at 02:10: the early 02:10 tick pages nothing",
      sweeps: [
        { minute: 0, spec: healthy, silences: window(10, 60) },
        { minute: 5, spec: healthy, silences: window(10, 60) },
        { minute: early(10), spec: bothDown, silences: window(10, 60) },
      ],
      sent: ["-", "-", "-"],
    },
    {
      name: "a window ending at 02:20 holds the 02:15 tick, however late",
      sweeps: [0, 5, 10, 15.5].map((m) => ({ minute: m, spec: bothDown, silences: window(0, 20) })),
      sent: ["-", "-", "-", "-"],
    },
  ])("$name", ({ sweeps, sent }) => {
    expect(live(sweeps).sent).toEqual(sent);
  });
});

describe("an incident whose source goes blind", () => {
  const unreadBoth = paths({ primary: unread, secondary: unread });

  it("tells whoever holds the Sev0 once, when monitoring-blind opens, and again only after a new blindness", () => {
    const { sent, changes, blindPaths } = live(
      every5([
        bothDown, // 0: paged
        unreadBoth, // 5
        unreadBoth, // 10
        unreadBoth, // 15: blind as long as monitoring-blind waits
        unreadBoth, // 20
        bothDown, // 25: read again, still down
        unreadBoth, // 30
        unreadBoth, // 35
        unreadBoth, // 40
      ]),
    );
    const pathDown = sent.map((line) =>
      line
        .split(" ")
        .filter((e) => e.startsWith("path-down:"))
        .join(" "),
    );
    expect(pathDown).toEqual([
      "path-down:open:Sev0",
      "",
      "",
      "path-down:repeat:Sev0",
      "",
      "",
      "",
      "",
      "path-down:repeat:Sev0",
    ]);
    const notices = changes.filter((c) => c.startsWith("Blind:"));
    expect(notices).toHaveLength(2);
    // Nothing behind it reads: no path is named as the only one lost.
    expect(blindPaths).toEqual([]);
    expect(notices[0]).toMatch(
      /^Blind: erwatch has not been able to read the layers behind this alert since 2026-11-22 02:00 UTC .*Last seen: /,
    );
    expect(notices[1]).toContain("since 2026-11-22 02:25 UTC");
  });

  // Blind for want of the secondary only: the primary still reads down. The
  // holder is told which path erwatch lost and that the rest still reads as
  // paged, not that nothing behind the Sev0 reads.
  it("tells whoever holds the Sev0 which path it lost when the rest still reads as paged", () => {
    const secondaryUnread = paths({ primary: down, secondary: unread });
    const { sent, changes, blindPaths } = live(
      every5([bothDown, secondaryUnread, secondaryUnread, secondaryUnread, secondaryUnread]),
    );
    expect(blindPaths).toEqual([["secondary"]]);
    expect(sent.filter((line) => line.includes("path-down:"))).toEqual([
      "path-down:open:Sev0",
      expect.stringContaining("path-down:repeat:Sev0"),
    ]);
    const notices = changes.filter((c) => c.startsWith("Blind:"));
    expect(notices).toEqual([
      expect.stringMatching(
        /^Blind: erwatch has not read every path this alert's severity rests on since 2026-11-22 02:00 UTC; at this sweep the secondary path could not be read \(see its monitoring-blind alert\), and the primary path read as the alert says; it stands as last seen, neither resolved nor changed\. Last seen: /,
      ),
    ]);
  });

  // Throttled per-path reads fail in turn: no path went unread since 02:00,
  // but the alert was not read whole since. The notice says that, and which
  // path was lost at the sweep it is sent on, not "the primary since 02:00".
  it("paths failing in turn: since the last whole reading, and the path lost at this sweep", () => {
    const primaryUnread = paths({ primary: unread, secondary: down });
    const secondaryUnread = paths({ primary: down, secondary: unread });
    const { changes, blindPaths } = live(
      every5([bothDown, secondaryUnread, primaryUnread, primaryUnread]),
    );
    expect(blindPaths).toEqual([["primary"]]);
    expect(changes.filter((c) => c.startsWith("Blind:"))).toEqual([
      expect.stringMatching(
        /^Blind: erwatch has not read every path this alert's severity rests on since 2026-11-22 02:00 UTC; at this sweep the primary path could not be read .*, and the secondary path read as the alert says;/,
      ),
    ]);
  });

  it("does not tell a Sev2's receivers (monitoring-blind reaches them already)", () => {
    const { sent } = live(every5([primaryDown, primaryDown, unreadBoth, unreadBoth, unreadBoth]));
    expect(sent.join(" ")).not.toContain("path-down:repeat");
  });
});

describe("a resolve a silence held back, and the outage back as the window ends", () => {
  // Paged at 02:00/02:05, recovered inside carrier maintenance 02:08–02:40
  // (its resolve held back), then down again around the window's end. The
  // holder of the incident must not hear "has cleared" while it is down, nor
  // "New since" a sweep after it broke.
  const iso = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
  const maintenance: Silence[] = [
    {
      id: "carrier-maint",
      circuit: "er-circuit-prod",
      window: { kind: "once", start: iso(8), end: iso(40) },
    },
  ];
  /** 02:00–02:05 `before`, healthy from 02:10, `after` from `backAt`, through 02:55. */
  const timeline = (before: CircuitSpec, backAt: number, after: CircuitSpec): Sweep[] =>
    Array.from({ length: 12 }, (_, i) => i * 5).map((minute) => ({
      minute,
      spec: minute < 10 ? before : minute < backAt ? healthy : after,
      silences: maintenance,
    }));
  const opened = "New since 2026-11-22 02:00 UTC: ";

  it.each<{ name: string; sweeps: Sweep[]; sent: Record<number, string>; changes: RegExp[] }>([
    {
      // The incident the receivers hold is down again: it goes on, one incident.
      name: "a Sev2 down again at the window's last sweep is the incident still held",
      sweeps: timeline(primaryDown, 35, primaryDown),
      sent: { 5: "path-down:open:Sev2" },
      changes: [new RegExp(`^${opened}`)],
    },
    {
      // The reviewer's case: was a resolve ("has cleared", while down) at
      // 02:40 and an open "New since 02:45" at 02:45.
      name: "a Sev2 down again at the sweep the window ends is the incident still held",
      sweeps: timeline(primaryDown, 40, primaryDown),
      sent: { 5: "path-down:open:Sev2" },
      changes: [new RegExp(`^${opened}`)],
    },
    {
      // Down again at the end on one path only: the holder of the Sev0 hears
      // at once that it is less, not a resolve and a new Sev2 a sweep late.
      name: "a Sev0 back on one path at the sweep the window ends de-escalates then",
      sweeps: timeline(bothDown, 40, primaryDown),
      sent: { 0: "path-down:open:Sev0", 40: "path-down:deescalate:Sev2" },
      changes: [new RegExp(`^${opened}`), /^Better: Sev0 → Sev2; the secondary path recovered\./],
    },
    {
      // Over when the window ended: the held resolve goes out at its end, and
      // the break after it is a new incident, new since the sweep that saw it.
      name: "a Sev2 down again the sweep after the window: resolve at the end, then a new one",
      sweeps: timeline(primaryDown, 45, primaryDown),
      sent: { 5: "path-down:open:Sev2", 40: "path-down:resolve:Sev2", 50: "path-down:open:Sev2" },
      changes: [
        new RegExp(`^${opened}`),
        /^Resolved after 40 min: /,
        /^New since 2026-11-22 02:45 UTC: /,
      ],
    },
    {
      // Down again for one sweep only at the end: resolved after two clean
      // sweeps as any open alert, never left open.
      name: "a one-sweep blip at the window's end resolves two clean sweeps later",
      sweeps: timeline(primaryDown, 40, primaryDown).map((s) =>
        s.minute > 40 ? { ...s, spec: healthy } : s,
      ),
      sent: { 5: "path-down:open:Sev2", 50: "path-down:resolve:Sev2" },
      changes: [new RegExp(`^${opened}`), /^Resolved after 50 min: /],
    },
  ])("$name", ({ sweeps, sent, changes }) => {
    const got = live(sweeps);
    expect(got.sent).toEqual(sweeps.map((s) => sent[s.minute] ?? "-"));
    expect(got.changes).toHaveLength(changes.length);
    got.changes.forEach((change, i) => expect(change).toMatch(changes[i]!));
  });
});

describe("a weekly maintenance window on the 2027 daylight-saving weekends", () => {
  // A Sev0 that breaks inside the window is held and pages at the sweep the
  // window ends; one that breaks right after it pages in that sweep. The
  // window is kept on the local clock (README, "Silences").
  const minute = (iso: string) => (Date.parse(iso) - T0) / 60_000;
  const weekly = (cron: string, durationMinutes: number, timezone: string): Silence[] => [
    {
      id: "weekly-maint",
      circuit: "er-circuit-prod",
      comment: "carrier's weekly window",
      window: { kind: "recurring", cron, durationMinutes, timezone },
    },
  ];
  const ams = "Europe/Amsterdam";
  const ny = "America/New_York";
  const sunday0100 = (tz: string) => weekly("0 1 * * 0", 240, tz);

  it.each<{ name: string; silences: Silence[]; broken: string; pages: string }>([
    {
      name: "Amsterdam 01:00–05:00, spring forward: broken at 03:00 CEST, pages at 05:00 CEST",
      silences: sunday0100(ams),
      broken: "2027-03-28T01:00:00Z",
      pages: "2027-03-28T03:00:00Z",
    },
    {
      name: "Amsterdam 01:00–05:00, spring forward: broken at 05:00 CEST, pages then",
      silences: sunday0100(ams),
      broken: "2027-03-28T03:00:00Z",
      pages: "2027-03-28T03:00:00Z",
    },
    {
      // Was paged at 04:00 CET, inside the carrier's window.
      name: "Amsterdam 01:00–05:00, fall back: broken at 03:00 CET, pages at 05:00 CET",
      silences: sunday0100(ams),
      broken: "2027-10-31T02:00:00Z",
      pages: "2027-10-31T04:00:00Z",
    },
    {
      name: "Amsterdam 01:00–05:00, fall back: broken at 05:00 CET, pages then",
      silences: sunday0100(ams),
      broken: "2027-10-31T04:00:00Z",
      pages: "2027-10-31T04:00:00Z",
    },
    {
      name: "New York 01:00–05:00, spring forward: broken at 03:00 EDT, pages at 05:00 EDT",
      silences: sunday0100(ny),
      broken: "2027-03-14T07:00:00Z",
      pages: "2027-03-14T09:00:00Z",
    },
    {
      name: "New York 01:00–05:00, spring forward: broken at 05:00 EDT, pages then",
      silences: sunday0100(ny),
      broken: "2027-03-14T09:00:00Z",
      pages: "2027-03-14T09:00:00Z",
    },
    {
      name: "New York 01:00–05:00, fall back: broken in the repeated 01:30 (EST), pages at 05:00 EST",
      silences: sunday0100(ny),
      broken: "2027-11-07T06:30:00Z",
      pages: "2027-11-07T10:00:00Z",
    },
    {
      name: "New York 01:00–05:00, fall back: broken at 05:00 EST, pages then",
      silences: sunday0100(ny),
      broken: "2027-11-07T10:00:00Z",
      pages: "2027-11-07T10:00:00Z",
    },
    {
      // Was paged at once: a start the clock skips made the window vanish.
      name: "Amsterdam 02:30–04:30 on spring-forward day: broken at 03:00 CEST, pages at 04:30 CEST",
      silences: weekly("30 2 * * 0", 120, ams),
      broken: "2027-03-28T01:00:00Z",
      pages: "2027-03-28T02:30:00Z",
    },
    {
      name: "New York 02:30–04:30 on spring-forward day: broken at 03:00 EDT, pages at 04:30 EDT",
      silences: weekly("30 2 * * 0", 120, ny),
      broken: "2027-03-14T07:00:00Z",
      pages: "2027-03-14T08:30:00Z",
    },
    {
      name: "Amsterdam 02:30–04:30 on fall-back day: broken in the repeated 02:00 (CET), pages at 04:30 CET",
      silences: weekly("30 2 * * 0", 120, ams),
      broken: "2027-10-31T01:00:00Z",
      pages: "2027-10-31T03:30:00Z",
    },
  ])("$name", ({ silences, broken, pages }) => {
    // Healthy for two sweeps before the break, through two sweeps after the page.
    const sweeps: Sweep[] = [];
    for (let m = minute(broken) - 10; m <= minute(pages) + 10; m += 5)
      sweeps.push({ minute: m, spec: m < minute(broken) ? healthy : bothDown, silences });
    expect(live(sweeps).sent).toEqual(
      sweeps.map((s) => (s.minute === minute(pages) ? "path-down:open:Sev0" : "-")),
    );
  });
});

describe("an IPv6 session's flap holds only IPv6's own alerts", () => {
  // IPv6 resets between every two reads on both paths (its own Sev2 flap) while IPv4
  // stays Established; then IPv4 is lost on the primary, or the gateway connection drops.
  const v4 = (state = "120") => neighbor(state, 4);
  const v6Resetting = neighbor("12", 6, "00:01:00");
  const flapping = paths({
    primary: { bgp: [v4(), v6Resetting] },
    secondary: { bgp: [v4(), v6Resetting] },
  });
  const ipv4LostOnPrimary = paths({
    primary: { bgp: [v4("Idle"), neighbor("Idle", 6)] },
    secondary: { bgp: [v4(), v6Resetting] },
  });
  it.each<{ name: string; sweeps: Sweep[]; sent: string[] }>([
    {
      name: "IPv4 down on the primary during an IPv6 flap on both paths: its Sev2 pages, carrier's outage not hidden behind IPv6's flap",
      sweeps: every5([
        flapping,
        flapping,
        flapping,
        flapping,
        ipv4LostOnPrimary,
        ipv4LostOnPrimary,
      ]),
      sent: ["-", "-", "session-flapping:open:Sev2", "-", "-", "path-down:open:Sev2"],
    },
    {
      // One path-down alert merges IPv4 lost on the primary and IPv6 down on the secondary
      // (IPv6 carries nowhere: Sev1); IPv4 is not down on both paths, so it holds nothing
      // as "both paths down": IPv4 at 97 % of its limit on the secondary, the only path
      // IPv4 has left, pages.
      name: "IPv4 lost on the primary, IPv6 down on the secondary, IPv4 near its limit there: the near-limit pages",
      sweeps: every5([
        paths({
          primary: { bgp: [v4("Active"), neighbor("Active", 6)] },
          secondary: { bgp: [v4("3900"), neighbor("Idle", 6)] },
        }),
        paths({
          primary: { bgp: [v4("Active"), neighbor("Active", 6)] },
          secondary: { bgp: [v4("3900"), neighbor("Idle", 6)] },
        }),
      ]),
      sent: ["-", "path-down:open:Sev1 route-limit:open:Sev2"],
    },
  ])("$name", ({ sweeps, sent }) => {
    expect(live(sweeps).sent).toEqual(sent);
  });
});
