// Users saw Log Analytics ingesting a whole workspace 15 minutes late read as
// every source and destination writing there stopping at once: every test
// "stopped reporting", e2e-indeterminate on every circuit, the endpoints
// blamed for the pipeline's delay. Now a stale row in a workspace whose
// newest row of any monitor is as stale is late, not stopped: the end-to-end
// row is UNKNOWN naming Log Analytics and the workspace, no finding opens,
// and one endpoint that stopped while others there report still reads
// "stopped reporting at HH:MM UTC".

import { describe, expect, it } from "vitest";
import {
  endToEndCell,
  endToEndFinding,
  evidenceOf,
  summarise,
} from "../../../src/core/dataplane/end-to-end.js";
import type { EndToEndFacts, EndToEndTest } from "../../../src/core/dataplane/facts.js";
import { e2e, NOW, test } from "./builders.js";

const WORKSPACE =
  "/subscriptions/s/resourceGroups/rg-obs/providers/Microsoft.OperationalInsights/workspaces/law-network";
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

function facts(rows: EndToEndTest[], seconds = 30): EndToEndFacts {
  const base = e2e(rows);
  return {
    ...base,
    monitors: base.monitors.map((m) => ({
      ...m,
      workspace: WORKSPACE,
      testGroups: [
        {
          name: "onprem-to-vnet",
          testConfigurations: ["tcp-443"],
          sources: ["onprem-app-01", "onprem-app-02"],
          destinations: ["vm-app-01"],
        },
      ],
      frequencies: [{ test: "tcp-443", seconds }],
    })),
  };
}

/** A row from `source`, `minutes` old, read from a workspace whose newest row is `newest` minutes old. */
const row = (source: string, minutes: number, newest: number, more: Partial<EndToEndTest> = {}) =>
  test("Pass", {
    source,
    destination: "vm-app-01:443",
    at: ago(minutes),
    ingested: { workspace: WORKSPACE, newest: ago(newest) },
    ...more,
  });

const CTX = {
  circuitName: "er-circuit-prod",
  peering: "AzurePrivatePeering",
  singlePathDown: [],
  notes: [],
  open: [],
  ipv6CarriesOn: [],
};

describe("a workspace whose newest row of any monitor is older than a test's frequency plus 10 minutes", () => {
  it.each([12, 15, 20])(
    "ingestion %i min late: unknown naming Log Analytics and the workspace, no e2e-indeterminate",
    (lag) => {
      const summary = summarise(
        facts([row("onprem-app-01", lag, lag), row("onprem-app-02", lag + 0.5, lag)]),
      );
      expect(summary.tests).toEqual([]);
      expect(summary.onlyUnread).toBe(true);
      const since = ago(lag).slice(11, 16);
      expect(endToEndCell(summary, null)).toEqual({
        status: "unknown",
        detail: `Log Analytics has ingested nothing in workspace law-network since ${since} UTC (${lag} min): 2 tests not judged until it catches up`,
      });
      expect(endToEndFinding(summary, CTX)).toBeNull();
    },
  );

  it("a Fail in the late rows is not judged either: what happens since is not known", () => {
    const summary = summarise(
      facts([row("onprem-app-01", 15, 15), row("onprem-app-02", 15, 15, { result: "Fail" })]),
    );
    expect(summary.overall).toBe("indeterminate");
    expect(endToEndFinding(summary, CTX)).toBeNull();
  });

  it("late rows beside a stop in another workspace: the stop is e2e-indeterminate, the late rows named apart", () => {
    const other = "5b5a8a1e-0000-4000-8000-00000000000b";
    const f = facts([
      row("onprem-app-01", 15, 15),
      row("onprem-app-02", 14, 1, { ingested: { workspace: other, newest: ago(1) } }),
    ]);
    const summary = summarise(f);
    const finding = endToEndFinding(summary, CTX)!;
    expect(finding.code).toBe("e2e-indeterminate");
    expect(finding.title).toMatch(/1 stopped reporting at 01:46 UTC/);
    expect(evidenceOf(summary)["ingestionLate"]).toEqual([
      expect.objectContaining({
        workspace: WORKSPACE,
        newest: ago(15),
        tests: [
          expect.stringMatching(/onprem-app-01 → vm-app-01:443 — Log Analytics has ingested/),
        ],
      }),
    ]);
    expect(endToEndCell(summary, null).detail).toMatch(
      /^Indeterminate: no results since 01:46 UTC \(1 stopped reporting at 01:46 UTC\); Log Analytics has ingested nothing in workspace law-network since 01:45 UTC \(15 min\): 1 test not judged/,
    );
  });

  it("a test every 20 min is not late at 15 min: judged on its row as ever", () => {
    const summary = summarise(
      facts([row("onprem-app-01", 15, 15), row("onprem-app-02", 15, 15)], 1200),
    );
    expect(endToEndCell(summary, null)).toEqual({
      status: "up",
      detail: "2 tests pass (RTT ≤ 12 ms)",
    });
  });
});

describe("one endpoint stopped while others in the workspace report", () => {
  it("is Indeterminate 'stopped reporting at HH:MM UTC', as before", () => {
    const summary = summarise(facts([row("onprem-app-01", 2, 2), row("onprem-app-02", 13, 2)]));
    expect(summary.late).toEqual([]);
    expect(endToEndCell(summary, null)).toEqual({
      status: "unknown",
      detail: "Indeterminate: 1 of 2 tests (1 stopped reporting at 01:47 UTC)",
    });
    expect(endToEndFinding(summary, CTX)?.code).toBe("e2e-indeterminate");
  });

  it("every endpoint of this monitor stopped while another monitor's rows there are recent: stopped", () => {
    const summary = summarise(facts([row("onprem-app-01", 15, 1), row("onprem-app-02", 15, 1)]));
    expect(endToEndFinding(summary, CTX)?.title).toMatch(
      /has reported nothing for er-circuit-prod since 01:45 UTC .*end-to-end is unwatched/,
    );
  });

  it("rows read without the workspace's newest (an answer that did not say) stop as before", () => {
    const rows = [row("onprem-app-01", 15, 15), row("onprem-app-02", 15, 15)];
    for (const r of rows) delete r.ingested;
    expect(endToEndFinding(summarise(facts(rows)), CTX)?.code).toBe("e2e-indeterminate");
  });
});

describe("a workspace holding no row at all in the look-back", () => {
  /** No row of this monitor in the window; the workspace's newest of any monitor as given. */
  const silentIn = (newest: string | null) => ({
    ...facts([]),
    ...(newest ? { ingested: [{ workspace: WORKSPACE, newest }] } : {}),
  });

  it("ingestion later than the whole look-back (its newest row 45 min old): unknown naming Log Analytics, no e2e-indeterminate", () => {
    const summary = summarise(silentIn(ago(45)));
    expect(summary.tests).toEqual([]);
    expect(summary.onlyUnread).toBe(true);
    expect(endToEndCell(summary, null)).toEqual({
      status: "unknown",
      detail:
        "Log Analytics has ingested nothing in workspace law-network since 01:15 UTC (45 min): 2 tests not judged until it catches up",
    });
    expect(endToEndFinding(summary, CTX)).toBeNull();
    expect(evidenceOf(summary)["ingestionLate"]).toEqual([
      expect.objectContaining({ workspace: WORKSPACE, newest: ago(45) }),
    ]);
  });

  it("this monitor silent the whole look-back while another monitor's rows there are recent: no results, e2e-indeterminate, as before", () => {
    const summary = summarise(silentIn(ago(1)));
    expect(summary.late).toEqual([]);
    expect(endToEndFinding(summary, CTX)?.code).toBe("e2e-indeterminate");
    expect(endToEndCell(summary, null).detail).toMatch(
      /^Indeterminate: no results in the last 30 min/,
    );
  });

  it("a workspace without a row in the day before the look-back either (newest unknown): silent, e2e-indeterminate, as before", () => {
    const summary = summarise(silentIn(null));
    expect(summary.late).toEqual([]);
    expect(endToEndFinding(summary, CTX)?.code).toBe("e2e-indeterminate");
  });

  it("a monitor writing to two workspaces, one of them recent: silent, not late", () => {
    const other = "5b5a8a1e-0000-4000-8000-00000000000b";
    const base = facts([]);
    const summary = summarise({
      ...base,
      monitors: [...base.monitors, { ...base.monitors[0]!, workspace: other }],
      ingested: [
        { workspace: WORKSPACE, newest: ago(45) },
        { workspace: other, newest: ago(1) },
      ],
    });
    expect(summary.late).toEqual([]);
    expect(endToEndFinding(summary, CTX)?.code).toBe("e2e-indeterminate");
  });
});
