// The soaks' judge on hand-built timelines: a wrong judge fails a soak on a
// hunt seed long after the change that made it wrong, so the cases a hunt
// found are pinned here, each with the blip the judge must still catch.

import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { alertKey } from "../../src/core/alert-identity.js";
import type { AlertFamily, Severity } from "../../src/core/model.js";
import { fleetPlacePrefix } from "../../src/core/fleet.js";
import { fleetOutageOpen, prefixLimitOpen } from "../support/alert-event-fixture.js";
import { circuitId } from "../support/estate/ids.js";
import type { PathName } from "../support/estate/index.js";
import {
  HEALTHY,
  Judge,
  PRIVATE,
  SITE,
  soakEstate,
  type CircuitName,
  type ReadTrouble,
  type Truth,
} from "./lifecycle-model.js";

const NAME: CircuitName = "soak-ams-b";
const { sims } = soakEstate();
const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
const ID = ids.get(NAME)!;

const over = (paths: Partial<Truth["paths"]> = {}): Truth => ({
  ...HEALTHY,
  paths: { ...HEALTHY.paths, ...paths },
  level: "over",
});
const down = (path: PathName): Truth => ({
  ...HEALTHY,
  paths: { ...HEALTHY.paths, [path]: "carrier-down" },
});

function opened(family: AlertFamily, severity: Severity, paths: PathName[]): AlertEvent {
  const key = alertKey(ID, PRIVATE, family);
  const fixture = prefixLimitOpen();
  return {
    ...fixture,
    id: `${key}-1`,
    key,
    episodeId: `${key}-1`,
    family,
    severity,
    peakSeverity: severity,
    paths,
    peering: PRIVATE,
    circuit: { ...fixture.circuit, id: ID, name: NAME },
  };
}

/**
 * Sweeps 0..15 healthy and read; then `shown` per sweep from 16, the
 * secondary's reads failing in `unread` sweeps, the publish hung (storage
 * failed, as the fan-out soak judges it) in `hung`; `event` heard at the last.
 */
function judged(opts: {
  shown: Truth[];
  unread: number[];
  hung: number[];
  event: AlertEvent;
}): string[] {
  const trouble = (s: number): ReadTrouble[] =>
    opts.unread.includes(s)
      ? [
          {
            subject: NAME,
            path: "secondary",
            kind: "server-error",
            action: "Microsoft.Network/expressRouteCircuits/routeTables/action",
          },
        ]
      : [];
  const judge = new Judge(
    ids,
    { trouble, silences: () => [] },
    { storageFailed: (name, s) => name === NAME && opts.hung.includes(s) },
  );
  const last = 16 + opts.shown.length - 1;
  for (let s = 0; s <= last; s += 1) {
    judge.truths[s] = new Map([[NAME, s < 16 ? HEALTHY : opts.shown[s - 16]!]]);
    judge.observe(s, s === last ? [opts.event] : []);
  }
  return judge.violations;
}

describe("the lifecycle judge's hysteresis", () => {
  it("counts a hung sweep that read the primary's count over the limit, the secondary unread (seed 854)", () => {
    expect(
      judged({
        shown: [over(), over()],
        unread: [16, 17],
        hung: [16],
        event: opened("route-limit", "Sev2", ["primary"]),
      }),
    ).toEqual([]);
  });

  it("counts a hung sweep that read the primary down, the secondary unread", () => {
    expect(
      judged({
        shown: [down("primary"), down("primary")],
        unread: [16],
        hung: [16],
        event: opened("path-down", "Sev2", ["primary"]),
      }),
    ).toEqual([]);
  });

  it("still calls a route-limit opened after a hung sweep that showed it nowhere a blip", () => {
    expect(
      judged({
        shown: [HEALTHY, over()],
        unread: [16, 17],
        hung: [16],
        event: opened("route-limit", "Sev2", ["primary"]),
      }),
    ).toEqual([expect.stringMatching(/^sweep 17 .*: opened on a one-sweep blip$/)]);
  });

  it("does not count a hung sweep whose only read path was down: it carried no count", () => {
    expect(
      judged({
        shown: [over({ primary: "carrier-down" }), over()],
        unread: [16, 17],
        hung: [16],
        event: opened("route-limit", "Sev2", ["primary"]),
      }),
    ).toEqual([expect.stringMatching(/^sweep 17 .*: opened on a one-sweep blip$/)]);
  });
});

describe("the lifecycle judge's coverage across sweeps whose publish hung", () => {
  const both: Truth = { ...HEALTHY, paths: { primary: "carrier-down", secondary: "carrier-down" } };
  const idle: Truth = { ...HEALTHY, paths: { ...HEALTHY.paths, primary: "bgp-idle" } };
  const open0 = opened("path-down", "Sev0", ["primary", "secondary"]);
  const resolved: AlertEvent = { ...open0, action: "resolve", sequence: 2, id: `${open0.key}-2` };

  /** `shown` from sweep 0, the publish hung in `hung`, `events` heard at their sweeps. */
  function timeline(shown: Truth[], hung: number[], events: Map<number, AlertEvent[]>): string[] {
    const judge = new Judge(ids, undefined, {
      storageFailed: (name, s) => name === NAME && hung.includes(s),
    });
    shown.forEach((t, s) => {
      judge.truths[s] = new Map([[NAME, t]]);
      judge.observe(s, events.get(s) ?? []);
    });
    return judge.violations;
  }

  // Seed 859 (there soak-ams-a): both paths down at sweeps 4–13, repaired at 14 and 15
  // (each sweep's publish hung, the resolve heard at 15), then the primary's session Idle
  // for one sweep at 16: erwatch read it once (pending), as it must.
  const outageThenBlip = [
    ...Array<Truth>(4).fill(HEALTHY),
    ...Array<Truth>(10).fill(both),
    HEALTHY,
    HEALTHY,
    idle,
  ];
  const heard = new Map([
    [4, [open0]],
    [15, [resolved]],
  ]);

  it("does not join a fault after a hung sweep the estate was clean in to the one before (seed 859)", () => {
    expect(timeline(outageThenBlip, [14, 15], heard)).toEqual([]);
  });

  it("still calls the new fault unpaged once it has lasted its hysteresis and a sweep of read lag", () => {
    expect(timeline([...outageThenBlip, idle, idle], [14, 15], heard)).toEqual([
      expect.stringMatching(/^sweep 18 .*: soak-ams-b: a path down and nothing open for it$/),
    ]);
  });

  it("still passes over a hung sweep the fault was there in: it neither counts nor breaks the run", () => {
    const down4 = [...Array<Truth>(16).fill(HEALTHY), idle, idle, idle, idle];
    expect(timeline(down4, [17], new Map())).toEqual([
      expect.stringMatching(/^sweep 19 .*: soak-ams-b: a path down and nothing open for it$/),
    ]);
  });
});

describe("the lifecycle judge's blind notices across a sweep whose publish hung", () => {
  const both: Truth = { ...HEALTHY, paths: { primary: "carrier-down", secondary: "carrier-down" } };
  const open0 = opened("path-down", "Sev0", ["primary", "secondary"]);
  const notice = (sequence: number): AlertEvent => ({
    ...open0,
    action: "repeat",
    sequence,
    id: `${open0.key}-${sequence}`,
    change: "Blind: erwatch has not read this circuit's layers since 01:05 UTC",
    blindSince: "2026-11-22T01:05:00.000Z",
  });
  const unreadBoth: ReadTrouble = {
    subject: NAME,
    kind: "server-error",
    action: "Microsoft.Network/expressRouteCircuits/read",
  };

  /**
   * Both paths down throughout, paged at 1; nothing read at 2–4 (a blind
   * notice at 4) and 6–8 (another at 8); at 5 read, its publish hung.
   */
  function judgedNotices(readLost: boolean): string[] {
    const unread = [2, 3, 4, 6, 7, 8];
    const judge = new Judge(
      ids,
      { trouble: (s) => (unread.includes(s) ? [unreadBoth] : []), silences: () => [] },
      {
        storageFailed: (name, s) => name === NAME && s === 5,
        readLost: (name, s) => readLost && name === NAME && s === 5,
      },
    );
    const heard = new Map([
      [1, [open0]],
      [4, [notice(2)]],
      [8, [notice(3)]],
    ]);
    for (let s = 0; s <= 8; s += 1) {
      judge.truths[s] = new Map([[NAME, both]]);
      judge.observe(s, heard.get(s) ?? []);
    }
    return judge.violations;
  }

  it("takes a sweep that read the circuit, its pages waiting, for a reading: a second notice may follow (seed 866)", () => {
    expect(judgedNotices(false)).toEqual([]);
  });

  it("still calls a second notice with nothing kept between a repeat", () => {
    expect(judgedNotices(true)).toEqual([
      expect.stringMatching(
        /^sweep 8 .*: a second blind notice \(after sweep 4\) with no reading between$/,
      ),
    ]);
  });
});

describe("the lifecycle judge's blind notices over a circuit the carrier de-provisioned", () => {
  const both: Truth = { ...HEALTHY, paths: { primary: "carrier-down", secondary: "carrier-down" } };
  const deprovisioned: Truth = { ...both, providerDown: true };
  const open0 = opened("path-down", "Sev0", ["primary", "secondary"]);
  const provider = (action: "open" | "resolve", sequence: number): AlertEvent => {
    const event = opened("provider", "Sev0", ["primary", "secondary"]);
    const key = alertKey(ID, null, "provider");
    return {
      ...event,
      key,
      id: `${key}-${sequence}`,
      episodeId: `${key}-1`,
      action,
      sequence,
      peering: null,
    };
  };
  const notice: AlertEvent = {
    ...open0,
    action: "repeat",
    sequence: 2,
    id: `${open0.key}-2`,
    change: "Blind: erwatch has not read this circuit's layers since 01:20 UTC",
    blindSince: "2026-11-22T01:20:00.000Z",
  };
  const blindOpen: AlertEvent = {
    ...opened("monitoring-blind", "Sev3", ["primary", "secondary"]),
    title:
      "erwatch cannot read soak-ams-b: forbidden (missing Microsoft.Network/expressRouteCircuits/routeTables/action)",
  };
  const pathsUnread = (path: PathName): ReadTrouble => ({
    subject: NAME,
    path,
    kind: "forbidden",
    action: "Microsoft.Network/expressRouteCircuits/routeTables/action",
  });

  /**
   * Both paths down throughout, paged at 1; de-provisioned at 2–3 (the
   * provider's Sev0 opens at 3, resolves at 5); the path reads failing from 2
   * on (monitoring-blind opens at 6), the listing read throughout; the path
   * alert's notice heard at `at`.
   */
  function judgedMasked(at: number): string[] {
    const judge = new Judge(
      ids,
      {
        trouble: (s) => (s >= 2 ? [pathsUnread("primary"), pathsUnread("secondary")] : []),
        silences: () => [],
      },
      {},
    );
    const heard = new Map<number, AlertEvent[]>([
      [1, [open0]],
      [3, [provider("open", 1)]],
      [5, [provider("resolve", 2)]],
      [6, [blindOpen]],
    ]);
    heard.set(at, [...(heard.get(at) ?? []), notice]);
    for (let s = 0; s <= 8; s += 1) {
      judge.truths[s] = new Map([[NAME, s === 2 || s === 3 ? deprovisioned : both]]);
      judge.observe(s, heard.get(s) ?? []);
    }
    return judge.violations;
  }

  it("takes a sweep that read the circuit de-provisioned for a reading of its path alert, whatever its path reads did (seed 869)", () => {
    expect(judgedMasked(6)).toEqual([]);
  });

  it("still calls a path alert blind too long once the provider is back and its paths stay unread", () => {
    expect(judgedMasked(8).filter((v) => v.includes("no Blind: notice"))).toEqual([
      expect.stringMatching(/^sweep 7 .*path-down Sev0 .*: unread 4 sweeps and no Blind: notice$/),
    ]);
  });
});

describe("the lifecycle judge's monitoring-blind across a sweep whose publish hung", () => {
  const blindOpen: AlertEvent = {
    ...opened("monitoring-blind", "Sev3", ["secondary"]),
    title: "erwatch cannot read soak-ams-b: server-error",
  };
  /** The secondary's reads failing from sweep 2; the publish hung at `hung`; monitoring-blind heard at `at`. */
  function judgedBlind(hung: number[], at: number): string[] {
    const trouble: ReadTrouble = {
      subject: NAME,
      path: "secondary",
      kind: "server-error",
      action: "Microsoft.Network/expressRouteCircuits/routeTables/action",
    };
    const judge = new Judge(
      ids,
      { trouble: (s) => (s >= 2 ? [trouble] : []), silences: () => [] },
      { storageFailed: (name, s) => name === NAME && hung.includes(s) },
    );
    for (let s = 0; s <= 7; s += 1) {
      judge.truths[s] = new Map([[NAME, HEALTHY]]);
      judge.observe(s, s === at ? [blindOpen] : []);
    }
    return judge.violations.filter((v) => v.includes("no monitoring-blind"));
  }

  it("takes a monitoring-blind decided at a sweep whose publish hung as heard a sweep later (seed 872)", () => {
    expect(judgedBlind([5], 6)).toEqual([]);
  });

  it("still calls it missing when nothing held it back", () => {
    expect(judgedBlind([], 6)).toEqual([
      expect.stringMatching(
        /^sweep 5 .*soak-ams-b: its reads have failed 4 sweeps and no monitoring-blind/,
      ),
    ]);
  });
});

describe("the lifecycle judge's monitoring-blind on reads refused for good (read in the circuit's turn)", () => {
  const action = "Microsoft.Network/expressRouteCircuits/routeTables/action";
  /** Both paths' reads failing from sweep 2 with `kinds` (by sweep); monitoring-blind heard at `at`. */
  function judgedBlind(kinds: (s: number) => ReadTrouble["kind"][], at: number): string[] {
    const judge = new Judge(
      ids,
      {
        trouble: (s) =>
          s >= 2 ? kinds(s).map((kind) => ({ subject: NAME, kind, action }) as ReadTrouble) : [],
        silences: () => [],
      },
      {},
    );
    const blindOpen: AlertEvent = {
      ...opened("monitoring-blind", "Sev3", ["primary", "secondary"]),
      title: `erwatch cannot read soak-ams-b: ${kinds(at)[0]}${kinds(at)[0] === "forbidden" ? ` (missing ${action})` : ""}`,
    };
    for (let s = 0; s <= 8; s += 1) {
      judge.truths[s] = new Map([[NAME, HEALTHY]]);
      judge.observe(s, s === at ? [blindOpen] : []);
    }
    return judge.violations.filter((v) => v.includes("no monitoring-blind"));
  }

  it("allows one sweep more for a blind on refused reads alone: read in its turn, a read off its turn moves it on (seed 960)", () => {
    expect(judgedBlind(() => ["forbidden"], 6)).toEqual([]);
  });

  it("allows no more than that one sweep", () => {
    expect(judgedBlind(() => ["forbidden"], 7)).toEqual([
      expect.stringMatching(
        /^sweep 6 .*soak-ams-b: its reads have failed 5 sweeps \(refused alone\) and no monitoring-blind/,
      ),
    ]);
  });

  it("keeps the count where a read a later try may mend failed in the run", () => {
    const mixed = (s: number): ReadTrouble["kind"][] => (s === 3 ? ["throttled"] : ["forbidden"]);
    expect(judgedBlind(mixed, 6)).toEqual([
      expect.stringMatching(
        /^sweep 5 .*soak-ams-b: its reads have failed 4 sweeps and no monitoring-blind/,
      ),
    ]);
    expect(judgedBlind(() => ["forbidden", "server-error"], 6)).toEqual([
      expect.stringMatching(
        /^sweep 5 .*soak-ams-b: its reads have failed 4 sweeps and no monitoring-blind/,
      ),
    ]);
  });
});

describe("the lifecycle judge's blind notices of a fleet outage (its members de-provisioned, or down)", () => {
  const members = ["soak-ams-a", "soak-ams-b"] as const;
  const place = `${fleetPlacePrefix(SITE.provider, SITE.location)}provider-soak`;
  const key = alertKey(place, null, "fleet");
  const open = fleetOutageOpen();
  const fleet = (action: AlertEvent["action"], sequence: number, blind: boolean): AlertEvent => ({
    ...open,
    id: `${key}-${sequence}`,
    key,
    episodeId: `${key}-1`,
    action,
    sequence,
    circuit: { ...open.circuit, id: place, name: "Equinix at Amsterdam (provider)" },
    evidence: {
      ...open.evidence,
      circuits: members.map((m) => ({
        id: ids.get(m)!,
        name: m,
        code: "provider-not-provisioned",
        severity: "Sev0",
        owner: "carrier",
        paths: ["primary", "secondary"],
        title: "Carrier de-provisioned the circuit",
      })),
    },
    ...(blind
      ? {
          change: "Blind: erwatch has not been able to read this outage's circuits since 01:05 UTC",
          blindSince: "2026-11-22T01:05:00.000Z",
        }
      : {}),
  });
  const deprovisioned: Truth = { ...HEALTHY, providerDown: true };
  const listing: ReadTrouble = {
    subject: "listing",
    kind: "throttled",
    action: "Microsoft.Network/expressRouteCircuits/read",
  };
  const secondaryUnread: ReadTrouble = {
    subject: "soak-ams-b",
    path: "secondary",
    kind: "server-error",
    action: "Microsoft.Network/expressRouteCircuits/routeTables/action",
  };

  /**
   * Both members de-provisioned throughout, the fleet paged at 1; the listing
   * failing at 2–4 (a notice at 5, fan-out's sweep of lag) and 7–9 (another
   * at 10); at 6 listed, soak-ams-b's secondary path read failing.
   */
  function judgedFleet(lostAt6: boolean): string[] {
    const judge = new Judge(
      ids,
      {
        trouble: (s) =>
          [2, 3, 4, 7, 8, 9].includes(s) ? [listing] : s === 6 ? [secondaryUnread] : [],
        silences: () => [],
      },
      { fleetResolveLag: 1, readLost: (name, s) => lostAt6 && name === "soak-ams-b" && s === 6 },
    );
    const heard = new Map<number, AlertEvent[]>([
      [1, [fleet("open", 1, false)]],
      [5, [fleet("repeat", 2, true)]],
      [10, [fleet("repeat", 3, true)]],
    ]);
    for (let s = 0; s <= 10; s += 1) {
      judge.truths[s] = new Map(members.map((m) => [m, s === 0 ? HEALTHY : deprovisioned]));
      judge.observe(s, heard.get(s) ?? []);
    }
    return judge.violations.filter((v) => v.includes("second blind notice"));
  }

  it("takes a sweep that listed a member de-provisioned for a reading of it, whatever its path reads did (seed 874)", () => {
    expect(judgedFleet(false)).toEqual([]);
  });

  /** The listing failing at `failing`, the one notice at `at`: what the judge says of its timing. */
  function noticeAt(failing: number[], at: number): string[] {
    const judge = new Judge(
      ids,
      { trouble: (s) => (failing.includes(s) ? [listing] : []), silences: () => [] },
      { fleetResolveLag: 1 },
    );
    const heard = new Map<number, AlertEvent[]>([
      [1, [fleet("open", 1, false)]],
      [at, [fleet("repeat", 2, true)]],
    ]);
    for (let s = 0; s <= at; s += 1) {
      judge.truths[s] = new Map(members.map((m) => [m, s === 0 ? HEALTHY : deprovisioned]));
      judge.observe(s, heard.get(s) ?? []);
    }
    return judge.violations.filter((v) => v.includes("but it was read"));
  }

  it("takes a notice told by a worker that could not read a member this sweep, not only the timer's a sweep later (seed 887)", () => {
    expect({ worker: noticeAt([2, 3, 4], 4), timer: noticeAt([2, 3, 4], 5) }).toEqual({
      worker: [],
      timer: [],
    });
  });

  it("still calls a notice early when a member was read within the window either way", () => {
    expect(noticeAt([3, 4], 4)).toEqual([
      expect.stringMatching(/^sweep 4 .*blind-notice fleet Sev0 .*: but it was read at sweep 1$/),
    ]);
  });

  it("still calls a second notice when that member's reading was lost", () => {
    expect(judgedFleet(true)).toEqual([
      expect.stringMatching(
        /^sweep 10 .*blind-notice fleet Sev0 .*: a second blind notice \(after sweep 5\) with no reading between$/,
      ),
    ]);
  });

  /**
   * Fan-out soak seed 936: the site down on both paths from 1, the fleet paged
   * then; the listing failing at 4–7 (the one notice at 7) and 9–13; at 8
   * listed, soak-ams-b's reads refused, soak-ams-a read with `amsAAt8`.
   */
  function spellAfterOneMember(amsAAt8: Truth): string[] {
    const bothDown: Truth = {
      ...HEALTHY,
      paths: { primary: "carrier-down", secondary: "carrier-down" },
    };
    const refused: ReadTrouble = {
      subject: "soak-ams-b",
      kind: "forbidden",
      action: "Microsoft.Network/expressRouteCircuits/arpTables/action",
    };
    const judge = new Judge(
      ids,
      {
        trouble: (s) =>
          [4, 5, 6, 7, 9, 10, 11, 12, 13].includes(s) ? [listing] : s === 8 ? [refused] : [],
        silences: () => [],
      },
      { fleetResolveLag: 1 },
    );
    const heard = new Map<number, AlertEvent[]>([
      [1, [fleet("open", 1, false)]],
      [7, [fleet("repeat", 2, true)]],
    ]);
    for (let s = 0; s <= 13; s += 1) {
      const amsA = s === 0 ? HEALTHY : s === 8 ? amsAAt8 : bothDown;
      judge.truths[s] = new Map([
        ["soak-ams-a", amsA],
        ["soak-ams-b", s === 0 ? HEALTHY : bothDown],
      ]);
      judge.observe(s, heard.get(s) ?? []);
    }
    return judge.violations.filter((v) => v.includes("no Blind: notice"));
  }

  it("takes a member read without the outage, the other unread, for no sighting: the spell and its one notice go on (seed 936)", () => {
    expect(spellAfterOneMember(down("primary"))).toEqual([]);
  });

  it("still calls a second notice missing when a member was read still with the outage", () => {
    expect(
      spellAfterOneMember({
        ...HEALTHY,
        paths: { primary: "carrier-down", secondary: "carrier-down" },
      }),
    ).toEqual([
      expect.stringMatching(
        /^sweep 13 .*fleet Sev0 .*: none of them read 5 sweeps and no Blind: notice$/,
      ),
    ]);
  });

  /**
   * Lifecycle-blind soak seed 965: the site de-provisioned at 1, the fleet
   * paged then; soak-ams-b back at 2, soak-ams-a still de-provisioned with its
   * secondary path's reads throttled 2–7; the listing failing from 8, the one
   * notice heard at `notice`.
   */
  function oneMemberDeprovisioned(notice: number): string[] {
    const throttled: ReadTrouble = {
      subject: "soak-ams-a",
      path: "secondary",
      kind: "throttled",
      action: "Microsoft.Network/expressRouteCircuits/routeTables/action",
    };
    const judge = new Judge(
      ids,
      {
        trouble: (s) => (s >= 8 ? [listing] : s >= 2 ? [throttled] : []),
        silences: () => [],
      },
      { fleetResolveLag: 1 },
    );
    const heard = new Map<number, AlertEvent[]>([
      [1, [fleet("open", 1, false)]],
      [notice, [fleet("repeat", 2, true)]],
    ]);
    for (let s = 0; s <= 12; s += 1) {
      judge.truths[s] = new Map([
        ["soak-ams-a", s === 0 ? HEALTHY : deprovisioned],
        ["soak-ams-b", s === 1 ? deprovisioned : HEALTHY],
      ]);
      judge.observe(s, heard.get(s) ?? []);
    }
    return judge.violations.filter((v) => v.includes("no Blind: notice"));
  }

  it("takes a member listed still de-provisioned for a sighting of the outage, whatever its path reads did (seed 965)", () => {
    expect(oneMemberDeprovisioned(12)).toEqual([]);
  });

  it("still calls the notice missing once the listing itself has failed long enough", () => {
    expect(oneMemberDeprovisioned(20)).toEqual([
      expect.stringMatching(
        /^sweep 12 .*fleet Sev0 .*: none of them read 5 sweeps and no Blind: notice$/,
      ),
    ]);
  });
});

describe("the lifecycle judge's blind notices of a flap alert whose history cannot be read", () => {
  const flapping = opened("session-flapping", "Sev1", ["primary", "secondary"]);
  const notice = (cause: "history" | undefined): AlertEvent => ({
    ...flapping,
    id: `${flapping.key}-2`,
    action: "repeat",
    sequence: 2,
    previousSeverity: "Sev1",
    change: `Blind: erwatch has not been able to read ${cause ? "this circuit's history" : "the layers behind this alert"} since …`,
    blindSince: "2026-11-22T02:15:00.000Z",
    ...(cause ? { blindCause: cause } : {}),
  });

  /** Opened at 10, read healthy throughout; its history unreadable at `historyUnread`; `event` heard at 18. */
  function noticeOfFlap(historyUnread: number[], event: AlertEvent): string[] {
    const judge = new Judge(
      ids,
      { trouble: () => [], silences: () => [] },
      { historyUnread: (name, s) => name === NAME && historyUnread.includes(s) },
    );
    for (let s = 0; s <= 18; s += 1) {
      judge.truths[s] = new Map([[NAME, HEALTHY]]);
      judge.observe(s, s === 10 ? [flapping] : s === 18 ? [event] : []);
    }
    return judge.violations.filter((v) => v.includes("blind-notice"));
  }

  // Storage soak seed 937: History hung from sweep 16; at 18 the holder heard its flaps cannot be counted.
  it("takes the notice that blames the history, once it has been unreadable as long as monitoring-blind waits (seed 937)", () => {
    expect(noticeOfFlap([16, 17, 18], notice("history"))).toEqual([]);
  });

  it("still calls it early when the history was read within the window", () => {
    expect(noticeOfFlap([17, 18], notice("history"))).toEqual([
      expect.stringMatching(/: but it was read at sweep 16$/),
    ]);
  });

  it("calls a notice that says the circuit cannot be seen when only its history could not be read", () => {
    expect(noticeOfFlap([16, 17, 18], notice(undefined))).toEqual([
      expect.stringMatching(
        /: says the circuit cannot be seen, but only its history could not be read$/,
      ),
    ]);
  });

  it("calls a notice that blames the history when it was read", () => {
    expect(noticeOfFlap([], notice("history"))).toEqual([
      expect.stringMatching(/: blames the history, but it was read \(or the circuit was not\)$/),
      expect.stringMatching(/: but it was read at sweep 16$/),
    ]);
  });
});
