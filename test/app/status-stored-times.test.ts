// A stored time is any text to its row's schema (a hand edit, a cut-off
// write). One that is not a time made every age on the status page NaN:
// "NaN min" in the HTML, null in the JSON where a number was promised, and a
// circuit whose read time was lost read as fresh (NaN is not at or past the
// late mark; "42", read as the year 2042, was 0 min old). Such an age is
// unknown: "?" as any unknown age, and a reading of unknown age is late.

import { describe, expect, it } from "vitest";
import type { StateStore, SweepRecord } from "../../src/app/state-store.js";
import { loadStatus } from "../../src/app/status.js";
import { ageText, drawnAs, renderStatusHtml } from "../../src/app/status-html.js";
import { alertsExitCode } from "../../src/cli/alerts-exit.js";
import { EXIT } from "../../src/cli/context.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import { SNAPSHOT_LAYERS, type Snapshot } from "../../src/core/snapshot.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const idOf = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
const cell = { status: "up", detail: "", since: "2026-11-01T00:00:00.000Z" };
const up = Object.fromEntries(SNAPSHOT_LAYERS.map((l) => [l, cell]));

/** er-a, every layer up, read at `at`; er-b, without a snapshot, has an alert open since `at`. */
const storeAt = (at: string) => {
  const snapshot: Snapshot = {
    circuitId: idOf("er-a"),
    circuitName: "er-a",
    takenAt: at,
    providerState: "Provisioned",
    providerWasProvisioned: true,
    reads: {
      circuitAt: at,
      fingerprint: null,
      paths: {},
      gatewayAt: at,
      oldestPathAt: at,
      incomplete: false,
    },
    peerings: {
      AzurePrivatePeering: {
        paths: { primary: up, secondary: up },
        prefixes: { primary: 3, secondary: 3 },
      } as unknown as Snapshot["peerings"][string],
    },
  };
  const alert = {
    key: "er-b|AzurePrivatePeering|path-down",
    family: "path-down",
    circuitId: idOf("er-b"),
    circuitName: "er-b",
    peering: "AzurePrivatePeering",
    phase: "firing",
    consecutiveFiring: 3,
    consecutiveClean: 0,
    firstSeen: at,
    condition: {
      code: "BGP_PRIMARY_DOWN",
      severity: "Sev2",
      layer: "bgp",
      owner: "network",
      paths: ["primary"],
      title: "Primary BGP session down",
      nextAction: "Check the session",
      evidence: {},
      ticket: null,
    },
    notified: null,
    sequence: 1,
    lastEvaluatedAt: "2026-11-22T01:55:00.000Z",
  } as unknown as AlertState;
  const sweep: SweepRecord = {
    sweepId: "sweep-1",
    startedAt: at,
    finishedAt: at,
    circuits: 2,
    ignored: 0,
    partlyBlind: 0,
    errors: 0,
  };
  return {
    listSnapshots: async () => [snapshot],
    listAlerts: async () => [{ value: alert, etag: "e" }],
    listRecentHistory: async () => [],
    lastSweep: async () => sweep,
    listOutbox: async () => [],
  } as unknown as StateStore;
};

describe("status: a stored time that is not a time", () => {
  it.each([
    // The control: 10 minutes before NOW, written as erwatch writes it.
    { case: "a time erwatch wrote", at: "2026-11-22T01:50:00.000Z", age: 10 },
    { case: "the same time written by hand", at: "2026-11-22T02:50:00+01:00", age: 10 },
    { case: "empty", at: "", age: null },
    { case: "a word", at: "yesterday", age: null },
    { case: "a number Date.parse reads as a year", at: "42", age: null },
    { case: "a number Date.parse reads as a month", at: "5", age: null },
    { case: "milliseconds as text", at: String(Date.parse("2026-11-22T01:50:00Z")), age: null },
  ])("$case: every age it gives is $age", async ({ at, age }) => {
    const model = await loadStatus(storeAt(at), NOW, { recentHours: 24, recentLimit: 50 });
    const html = renderStatusHtml(model);
    const [circuit] = model.circuits;
    const [alert] = model.openAlerts;
    const summary = model.summary!;
    const text = age === null ? "?" : `${age} min`;

    expect([circuit!.readAgeMinutes, circuit!.pathAgeMinutes, alert!.ageMinutes]).toEqual([
      age,
      age,
      age,
    ]);
    expect(summary.oldestReading).toEqual({ circuit: "er-a", readAt: at, ageMinutes: age });
    // The JSON says what the model does: no NaN turned null, no age claimed.
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
    // A reading of unknown age may be old: late, never healthy; a last sweep of unknown age, stale.
    expect(drawnAs(circuit!, summary.readStaleAfterMinutes)).toBe(
      age === null ? "late" : "healthy",
    );
    expect(summary.stale).toBe(age === null);
    // The CLI draws an alert's age with ageText, as the page does.
    expect(ageText(alert!.ageMinutes)).toBe(text);
    expect(html).not.toContain("NaN");
    expect(html).toContain(
      age === null
        ? `data-read-age="">read ? ago (stale)</span>`
        : `data-read-age="10">read 10 min ago</span>`,
    );
    expect(html).toContain(`data-age="${age ?? ""}">down ${text}<`);
    expect(html).toContain(`Last completed sweep ${text} ago`);
    expect(html).toContain(`Oldest reading: er-a, ${text} ago.`);
  });
});

describe("status: a circuit of a blind subscription whose read time is not a time", () => {
  // Its subscription's listing fails, so it is not read, and its open alert is
  // held as last read. Date.parse read "yesterday" as NaN and "42" as 2042,
  // neither before the listing failed: the alert showed as current, and
  // `erwatch alerts` exited 0 for a list it could not vouch for.
  const LISTING_FAILED = "2026-11-22T01:59:00.000Z";
  const blindStore = (takenAt: string) => {
    const snapshot = {
      circuitId: idOf("er-a"),
      circuitName: "er-a",
      takenAt,
      providerState: "Provisioned",
      providerWasProvisioned: true,
      peerings: {
        AzurePrivatePeering: {
          paths: { primary: up, secondary: up },
          prefixes: { primary: 3, secondary: 3 },
        },
      },
    } as unknown as Snapshot;
    const base = {
      peering: null,
      consecutiveClean: 0,
      notified: null,
      sequence: 1,
      lastEvaluatedAt: LISTING_FAILED,
      lastFiringAt: LISTING_FAILED,
      lastCleanAt: null,
    };
    const held = {
      ...base,
      key: "er-a|AzurePrivatePeering|path-down",
      family: "path-down",
      circuitId: idOf("er-a"),
      circuitName: "er-a",
      peering: "AzurePrivatePeering",
      phase: "firing",
      consecutiveFiring: 3,
      firstSeen: "2026-11-22T01:00:00.000Z",
      condition: {
        code: "BGP_PRIMARY_DOWN",
        severity: "Sev3",
        layer: "bgp",
        owner: "network",
        paths: ["primary"],
        title: "Primary BGP session down",
        nextAction: "Check the session",
        evidence: {},
        ticket: null,
      },
    } as unknown as AlertState;
    const blind = {
      ...base,
      key: "sub|monitoring-blind",
      family: "monitoring-blind",
      circuitId: "/subscriptions/00000000-0000-0000-0000-000000000001",
      circuitName: "00000000-0000-0000-0000-000000000001",
      phase: "pending",
      consecutiveFiring: 1,
      firstSeen: null,
      condition: null,
    } as unknown as AlertState;
    const sweep: SweepRecord = {
      sweepId: "sweep-1",
      startedAt: LISTING_FAILED,
      finishedAt: LISTING_FAILED,
      circuits: 1,
      ignored: 0,
      partlyBlind: 1,
      errors: 0,
    };
    return {
      listSnapshots: async () => [snapshot],
      listAlerts: async () => [held, blind].map((value) => ({ value, etag: "e" })),
      listRecentHistory: async () => [],
      lastSweep: async () => sweep,
      listOutbox: async () => [],
    } as unknown as StateStore;
  };

  it.each([
    // The controls, written as erwatch writes them.
    { case: "read before the listing failed", takenAt: "2026-11-22T01:40:00.000Z", stale: true },
    {
      case: "read when it failed (named, read all the same)",
      takenAt: LISTING_FAILED,
      stale: false,
    },
    { case: "empty", takenAt: "", stale: true },
    { case: "a word", takenAt: "yesterday", stale: true },
    { case: "a number Date.parse reads as a year", takenAt: "42", stale: true },
    { case: "a time without its zone", takenAt: "2026-11-22T01:59:30", stale: true },
  ])("$case: its held alert is stale $stale", async ({ takenAt, stale }) => {
    const model = await loadStatus(blindStore(takenAt), NOW, { recentHours: 24, recentLimit: 50 });
    const [alert] = model.openAlerts;
    expect(alert).toMatchObject({
      circuitName: "er-a",
      stale,
      notReadSince: stale ? takenAt : null,
    });
    expect(model.circuits[0]!.stale).toBe(stale);
    const html = renderStatusHtml(model);
    expect(html.includes("its subscription cannot be listed</span>")).toBe(stale);
    // A Sev3 alone: `erwatch alerts` exits 0 only when the list can be vouched for.
    expect(alertsExitCode(model)).toBe(stale ? EXIT.blind : EXIT.ok);
  });
});
