// A layer outage (path-down) repeated on a short ERWATCH_ALERT_POLICY while
// one of its paths cannot be read, at the product's 5-minute cadence through
// the real timer (test/support/dataplane-timeline.ts). A repeat at the same
// grade names only the paths read down: on a circuit whose pair carries the
// site, a both-paths outage (Sev1) is repeated as the secondary's alone. What
// on-call hears, minute by minute: never a resolve while a path it was paged
// for is not read up, and no "now also the primary path" for the path it was
// paged for at the open.

import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { PathName } from "../../src/core/model.js";
import { carrierDownBoth, restorePath } from "../support/estate/index.js";
import {
  PRIVATE,
  timeline as timelineOf,
  verdictOf,
  type Timeline,
} from "../support/dataplane-timeline.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

const REPEATS = [10, 15, 20] as const;

/** A world repeating every grade each `every` minutes; `paired`: a second circuit carrying the site. */
async function timeline(every: number, paired: boolean): Promise<Timeline> {
  const repeatEveryMinutes = { Sev0: every, Sev1: every, Sev2: every };
  const t = await timelineOf(worlds, {
    env: { ERWATCH_ALERT_POLICY: JSON.stringify({ repeatEveryMinutes }) },
    ...(paired ? { other: true, tags: { "erwatch:pair": "site-ams" } } : {}),
  });
  if (paired) t.other!.circuit.tags["erwatch:pair"] = "site-ams";
  return t;
}

/** Every read of the path's layers fails (ARP, route summary, routes): the path is unknown. */
function unreadable(t: Timeline, path: PathName) {
  for (const operation of ["arpTable", "routeTablesSummary", "routeTables"] as const)
    t.w.estate.addFault({
      match: { operation, circuit: "er-circuit-prod", path },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "busy" },
    });
}

const blindNotice = (e: AlertEvent) => e.action === "repeat" && e.change.startsWith("Blind:");

/** Sweeps every 5 minutes over [from, to]: the path-down events each heard, as "minute action:severity". */
async function heard(t: Timeline, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let m = from; m <= to; m += 5) {
    const before = t.sent().length;
    await t.sweep(m);
    for (const e of t.sent().slice(before))
      if (e.family === "path-down" && !blindNotice(e)) out.push(`${m} ${e.action}:${e.severity}`);
  }
  return out;
}

const pathDownEvents = (t: Timeline) =>
  t.sent().filter((e) => e.family === "path-down" && !blindNotice(e));

/** Minutes `from`, `from + every`, … up to `to`: when a repeat told at `from - every` falls. */
const repeatsAt = (from: number, to: number, every: number, tag: string): string[] => {
  const out: string[] = [];
  for (let m = from; m <= to; m += every) out.push(`${m} repeat:${tag}`);
  return out;
};

describe.each(REPEATS)(
  "a layer outage repeated every %i min while a path cannot be read",
  (every) => {
    it("both paths down (Sev0), the primary unread, the secondary back meanwhile: no resolve until the primary is read up", async () => {
      const t = await timeline(every, false);
      await t.sweep(0);
      carrierDownBoth(t.bundle.circuit, PRIVATE);
      expect(await heard(t, 5, 20)).toEqual([
        "5 open:Sev0",
        ...repeatsAt(5 + every, 20, every, "Sev0"),
      ]);
      unreadable(t, "primary");
      // The secondary reads down beside an unread primary: Sev1 for want of a
      // reading, so the Sev0 stands as told (blind), neither eased nor repeated.
      const unread = await heard(t, 25, 40);
      restorePath(t.bundle.circuit, PRIVATE, "secondary");
      const back = await heard(t, 45, 60);
      expect({ unread, back }).toEqual({ unread: [], back: [] });
      t.w.estate.clearFaults();
      const read = await heard(t, 65, 65);
      expect(read).toEqual(["65 deescalate:Sev2"]);
      expect(pathDownEvents(t).at(-1)!.change).toMatch(
        /^Better: Sev0 → Sev2; the secondary path recovered\. Still: /,
      );
      restorePath(t.bundle.circuit, PRIVATE, "primary");
      const end = await heard(t, 70, 90);
      expect(end.filter((h) => h.includes("resolve"))).toEqual(["75 resolve:Sev2"]);
    });

    it("both paths down on a circuit whose pair carries the site (Sev1), repeated as the secondary's alone while the primary is unread, the secondary back meanwhile: no resolve, and the primary read down again is the secondary recovered, not the primary newly down", async () => {
      const t = await timeline(every, true);
      await t.sweep(0);
      carrierDownBoth(t.bundle.circuit, PRIVATE);
      const down = await heard(t, 5, 20);
      expect(down.filter((h) => !h.includes("repeat"))).toEqual(["15 open:Sev1"]);
      const told = down.length;
      unreadable(t, "primary");
      const unread = await t.sweeps(25, 40);
      // The same grade on the secondary alone: the repeats name it alone.
      const still = verdictOf(unread.at(-1)!).findings.find((f) => f.code === "arp-missing");
      expect({ severity: still?.severity, paths: still?.paths }).toEqual({
        severity: "Sev1",
        paths: ["secondary"],
      });
      const repeats = pathDownEvents(t).slice(told);
      expect(repeats.length).toBeGreaterThan(0);
      expect(repeats.map((e) => `${e.action}:${e.severity}:${e.paths.join("+")}`)).toEqual(
        repeats.map(() => "repeat:Sev1:secondary"),
      );
      restorePath(t.bundle.circuit, PRIVATE, "secondary");
      expect(await heard(t, 45, 60)).toEqual([]);
      t.w.estate.clearFaults();
      expect(await heard(t, 65, 65)).toEqual(["65 deescalate:Sev2"]);
      expect(pathDownEvents(t).at(-1)!.change).toMatch(
        /^Better: Sev1 → Sev2; the secondary path recovered\. Still: /,
      );
      restorePath(t.bundle.circuit, PRIVATE, "primary");
      const end = await heard(t, 70, 90);
      expect(end.filter((h) => h.includes("resolve"))).toEqual(["75 resolve:Sev2"]);
      expect(
        pathDownEvents(t).filter((e) => e.action === "resolve" || e.action === "open"),
      ).toHaveLength(2);
    });

    it("the same pair outage, the primary read down again while the secondary is still down: no 'Changed: now also the primary path', one open and one resolve", async () => {
      const t = await timeline(every, true);
      await t.sweep(0);
      carrierDownBoth(t.bundle.circuit, PRIVATE);
      await t.sweeps(5, 20);
      unreadable(t, "primary");
      await t.sweeps(25, 40);
      t.w.estate.clearFaults();
      const again = await heard(t, 45, 60);
      // Still both paths, at the grade told: only the timed repeats.
      expect(again.every((h) => h.endsWith("repeat:Sev1"))).toBe(true);
      expect(
        pathDownEvents(t)
          .map((e) => e.change)
          .filter((c) => c.startsWith("Changed:")),
      ).toEqual([]);
      restorePath(t.bundle.circuit, PRIVATE, "primary");
      restorePath(t.bundle.circuit, PRIVATE, "secondary");
      const end = await heard(t, 65, 80);
      expect(end.filter((h) => !h.includes("repeat"))).toEqual(["70 resolve:Sev1"]);
      expect(
        pathDownEvents(t)
          .filter((e) => e.action !== "repeat")
          .map((e) => e.action),
      ).toEqual(["open", "resolve"]);
    });
  },
);

describe("a pair outage eased by one path back, the other then unread", () => {
  it.each(REPEATS)(
    "repeated every %i min: the secondary back is Sev2 for the primary, which unread neither resolves nor repeats; read up, it resolves",
    async (every) => {
      const t = await timeline(every, true);
      await t.sweep(0);
      carrierDownBoth(t.bundle.circuit, PRIVATE);
      await t.sweeps(5, 20);
      restorePath(t.bundle.circuit, PRIVATE, "secondary");
      expect(await heard(t, 25, 25)).toEqual(["25 deescalate:Sev2"]);
      unreadable(t, "primary");
      expect(await heard(t, 30, 50)).toEqual([]);
      restorePath(t.bundle.circuit, PRIVATE, "primary");
      expect(await heard(t, 55, 55)).toEqual([]);
      t.w.estate.clearFaults();
      // Read up at 60, resolved a clean sweep later.
      const read = await heard(t, 60, 75);
      expect(read.filter((h) => h.includes("resolve"))).toEqual(["65 resolve:Sev2"]);
    },
  );
});
