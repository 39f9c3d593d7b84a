// A layer outage (path-down) that escalates while a path it was paged for
// cannot be read, at the product's 5-minute cadence through the real timer
// (test/support/dataplane-timeline.ts), on a circuit whose pair carries the
// site. The primary is paged down (Sev2); its reads then fail in the sweep the
// secondary goes down too (Sev1: redundancy unverified). The escalation
// named the secondary alone, so the receivers were left holding the
// secondary: the primary read down again was "Changed: now also the primary
// path" of the path on-call was paged for at the open, and read up, the
// de-escalation never said it recovered. What on-call hears, message by
// message.

import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import type { PathName } from "../../src/core/model.js";
import { carrierDown, restorePath } from "../support/estate/index.js";
import { PRIVATE, timeline as timelineOf, type Timeline } from "../support/dataplane-timeline.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

async function paired(): Promise<Timeline> {
  const t = await timelineOf(worlds, { other: true, tags: { "erwatch:pair": "site-ams" } });
  t.other!.circuit.tags["erwatch:pair"] = "site-ams";
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

/**
 * Sweeps every 5 minutes over [from, to]: what the path-down alert's
 * receivers heard, "minute action:severity paths", and of an update what it
 * says changed (up to its "Now:" or "Still:").
 */
async function heard(t: Timeline, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let m = from; m <= to; m += 5) {
    const before = t.sent().length;
    await t.sweep(m);
    for (const e of t.sent().slice(before))
      if (e.family === "path-down" && !blindNotice(e))
        out.push(
          `${m} ${e.action}:${e.severity} ${e.paths.join("+")}${e.action === "open" || e.action === "resolve" ? "" : `: ${e.change.replace(/ ?(Now|Still): .*$/, "")}`}`,
        );
  }
  return out;
}

/** The primary paged down (Sev2), then unread in the sweep the secondary goes down (Sev1): the escalation. */
async function escalatedBesideUnreadPrimary(t: Timeline): Promise<string[]> {
  await t.sweep(0);
  carrierDown(t.bundle.circuit, PRIVATE, "primary");
  const opened = await heard(t, 5, 15);
  unreadable(t, "primary");
  carrierDown(t.bundle.circuit, PRIVATE, "secondary");
  return [...opened, ...(await heard(t, 20, 30))];
}

const OPENED_AND_ESCALATED = [
  "15 open:Sev2 primary",
  "20 escalate:Sev1 secondary: Worse: Sev2 → Sev1; now also the secondary path; the primary path could not be read.",
];

describe("a layer outage escalated while a path it was paged for cannot be read, on a paired circuit", () => {
  it("the primary read down again beside the secondary: no 'Changed: now also the primary path'; one open, one escalation, one resolve", async () => {
    const t = await paired();
    expect(await escalatedBesideUnreadPrimary(t)).toEqual(OPENED_AND_ESCALATED);
    t.w.estate.clearFaults();
    // Both paths read down (Sev1, its pair carrying): the grade and paths told.
    expect(await heard(t, 35, 50)).toEqual([]);
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    restorePath(t.bundle.circuit, PRIVATE, "secondary");
    expect(await heard(t, 55, 70)).toEqual(["60 resolve:Sev1 primary+secondary"]);
  });

  it("the primary read up beside the secondary still down: 'Better: the primary path recovered'", async () => {
    const t = await paired();
    expect(await escalatedBesideUnreadPrimary(t)).toEqual(OPENED_AND_ESCALATED);
    t.w.estate.clearFaults();
    restorePath(t.bundle.circuit, PRIVATE, "primary");
    expect(await heard(t, 35, 50)).toEqual([
      "35 deescalate:Sev2 secondary: Better: Sev1 → Sev2; the primary path recovered.",
    ]);
  });
});
