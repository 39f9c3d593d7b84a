// A read refused for good (forbidden, not found) is not trouble by itself and
// is no "never read" for the rotation: the pure decisions, table-driven.
// Retryable failures stay trouble as before.

import { describe, expect, it } from "vitest";
import type { AlertCondition, AlertState } from "../../src/core/lifecycle.js";
import type { BgpNeighborRow, ReadErrorKind } from "../../src/core/model.js";
import {
  readAgesOf,
  storedReadAges,
  type ReadAges,
  type ReadFailedNote,
} from "../../src/core/read-age.js";
import { blindNoDeepReadMends, refusedForGood } from "../../src/core/refused-reads.js";
import type { Snapshot, SnapshotCell } from "../../src/core/snapshot.js";
import { planSweep, troubleOf, type PlanPolicy } from "../../src/core/sweep-plan.js";
import { circuitReading, failed } from "../support/readings.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const MIN = 60_000;
const POLICY: PlanPolicy = { maxReadAgeMs: 15 * MIN, intervalMs: 5 * MIN, budgetMs: 4.5 * MIN };
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const PRIVATE = "AzurePrivatePeering";

describe("refusedForGood: the error classification's kinds no retry mends", () => {
  it.each<[ReadErrorKind, boolean]>([
    ["forbidden", true],
    ["not-found", true],
    ["throttled", false],
    ["timeout", false],
    ["server-error", false],
    ["network", false],
    ["malformed", false],
    ["unauthenticated", false],
    ["internal", false],
  ])("%s → %s", (kind, refused) => {
    expect(refusedForGood(kind)).toBe(refused);
  });
});

/** Read a minute ago, its last evaluation's failures as given. */
function reads(over: {
  summaryFailed?: ReadFailedNote;
  arpFailed?: ReadFailedNote;
  gatewayFailed?: ReadFailedNote;
  retryFirst?: boolean;
}): ReadAges {
  const { summaryFailed, arpFailed, gatewayFailed, retryFirst } = over;
  const path = {
    arp: arpFailed ? null : ago(MIN),
    summary: summaryFailed ? null : ago(MIN),
    ...(arpFailed ? { arpFailed } : {}),
    ...(summaryFailed ? { summaryFailed } : {}),
  };
  const failedAny = Boolean(summaryFailed ?? arpFailed ?? gatewayFailed);
  return {
    circuitAt: ago(MIN),
    fingerprint: "f",
    paths: { [PRIVATE]: { primary: path, secondary: path } },
    gatewayAt: gatewayFailed ? null : ago(MIN),
    ...(gatewayFailed ? { gatewayFailed } : {}),
    oldestPathAt: summaryFailed || arpFailed ? null : ago(MIN),
    oldestTriedAt: ago(MIN),
    incomplete: failedAny,
    ...(retryFirst !== undefined ? { retryFirst } : {}),
  };
}

const cell = (status: SnapshotCell["status"], detail = ""): SnapshotCell => ({
  status,
  detail,
  since: NOW.toISOString(),
});

/** Every row up but those given, on both paths. */
function snapshot(rows: Partial<Record<string, SnapshotCell>>, r: ReadAges): Snapshot {
  const path = {
    provider: cell("up"),
    bgp: cell("up"),
    peering: cell("up"),
    routes: cell("up"),
    gateway: cell("up"),
    globalReach: cell("n/a"),
    endToEnd: cell("n/a"),
    capacity: cell("n/a"),
    path: cell("up"),
    ...rows,
  } as Snapshot["peerings"][string]["paths"]["primary"];
  return {
    circuitId: "x",
    circuitName: "x",
    takenAt: ago(MIN),
    providerState: "Provisioned",
    providerWasProvisioned: true,
    peerings: {
      [PRIVATE]: {
        paths: { primary: path, secondary: path },
        prefixes: { primary: null, secondary: null },
      },
    },
    reads: r,
  } as Snapshot;
}

const forbidden = (missingPermission: string): ReadFailedNote => ({
  kind: "forbidden",
  missingPermission,
});
const SUMMARY = forbidden(
  "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
);
const ARP = forbidden("Microsoft.Network/expressRouteCircuits/peerings/arpTables/read");
const unknownBgp = {
  bgp: cell("unknown", "route summary read failed: forbidden"),
  routes: cell("unknown", "session state unknown"),
};

describe("troubleOf: a read refused for good is not trouble by itself", () => {
  it.each<{ name: string; s: Snapshot; trouble: string | null }>([
    {
      name: "route summaries refused: BGP and routes UNKNOWN for it",
      s: snapshot(unknownBgp, reads({ summaryFailed: SUMMARY, retryFirst: false })),
      trouble: null,
    },
    {
      name: "route summaries not found",
      s: snapshot(unknownBgp, reads({ summaryFailed: { kind: "not-found" }, retryFirst: false })),
      trouble: null,
    },
    {
      name: "route summaries throttled (the next try may work)",
      s: snapshot(unknownBgp, reads({ summaryFailed: { kind: "throttled" }, retryFirst: true })),
      trouble: "a read failed last time",
    },
    {
      name: "route summaries timed out, kept before retryFirst was",
      s: snapshot(unknownBgp, reads({ summaryFailed: { kind: "timeout" } })),
      trouble: "a read failed last time",
    },
    {
      name: "refused, kept before retryFirst was: read again first, as before",
      s: snapshot(unknownBgp, reads({ summaryFailed: SUMMARY })),
      trouble: "a read failed last time",
    },
    {
      name: "BGP UNKNOWN from a summary that worked (a state not understood)",
      s: snapshot({ bgp: cell("unknown", 'unrecognised BGP state "X"') }, reads({})),
      trouble: "bgp unknown on AzurePrivatePeering/primary",
    },
    {
      name: "BGP down beside a refused ARP table",
      s: snapshot({ bgp: cell("down", "Idle") }, reads({ arpFailed: ARP, retryFirst: false })),
      trouble: "bgp down on AzurePrivatePeering/primary",
    },
    {
      name: "the ARP witness refused under summaries that worked: stays trouble, the witness stays put",
      s: snapshot(
        { provider: cell("unknown", "ARP read failed: forbidden") },
        reads({ arpFailed: ARP, retryFirst: false }),
      ),
      trouble: "provider unknown on AzurePrivatePeering/primary",
    },
    {
      name: "ARP tables and summaries refused (every circuit reads its ARP tables)",
      s: snapshot(
        { ...unknownBgp, provider: cell("unknown", "ARP read failed: forbidden") },
        reads({ arpFailed: ARP, summaryFailed: SUMMARY, retryFirst: false }),
      ),
      trouble: null,
    },
    {
      name: "the gateway wiring refused",
      s: snapshot(
        { gateway: cell("unknown", "connections read failed: forbidden") },
        reads({
          gatewayFailed: forbidden("Microsoft.Network/connections/read"),
          retryFirst: false,
        }),
      ),
      trouble: null,
    },
    {
      name: "the gateway wiring failing on the server",
      s: snapshot(
        { gateway: cell("unknown", "connections read failed: server-error") },
        reads({ gatewayFailed: { kind: "server-error" }, retryFirst: true }),
      ),
      trouble: "a read failed last time",
    },
  ])("$name → $trouble", ({ s, trouble }) => {
    expect(troubleOf(s, [])).toBe(trouble);
  });
});

describe("a monitoring-blind, pending or open, that names refused reads or body fields alone is not trouble", () => {
  /** A field of the circuit's body (the listing) ARM left out: the deep read judges that same body. */
  const BODY_FIELD = "body field";
  type Failed = ReadErrorKind | typeof BODY_FIELD;
  const failedRead = (kind: Failed) =>
    kind === BODY_FIELD
      ? {
          call: "Microsoft.Network/expressRouteCircuits/read",
          target: "circuit x",
          kind: "malformed",
          statusCode: null,
        }
      : { call: "c", target: "t", kind, statusCode: null };
  const condition = (kinds: Failed[]): AlertCondition => ({
    code: "monitoring-blind",
    severity: "Sev3",
    layer: "monitoring",
    owner: "you",
    paths: ["primary", "secondary"],
    title: "erwatch cannot read …",
    nextAction: "Grant …",
    evidence: { failedReads: kinds.map(failedRead) },
    ticket: null,
  });
  type Alert = Pick<AlertState, "family" | "phase" | "peering" | "condition">;
  const blind = (phase: AlertState["phase"], c: AlertCondition | null): Alert => ({
    family: "monitoring-blind",
    phase,
    peering: PRIVATE,
    condition: c,
  });
  const s = snapshot(unknownBgp, reads({ summaryFailed: SUMMARY, retryFirst: false }));
  it.each<{ name: string; alert: Alert; trouble: string | null }>([
    { name: "firing, forbidden", alert: blind("firing", condition(["forbidden"])), trouble: null },
    {
      name: "firing, forbidden and not found",
      alert: blind("firing", condition(["forbidden", "not-found"])),
      trouble: null,
    },
    {
      name: "firing, a field the listing left out (peerings[1].state is missing)",
      alert: blind("firing", condition([BODY_FIELD])),
      trouble: null,
    },
    {
      name: "firing, a body field beside a refused read",
      alert: blind("firing", condition([BODY_FIELD, "forbidden"])),
      trouble: null,
    },
    {
      name: "firing, a body field beside a throttled read",
      alert: blind("firing", condition([BODY_FIELD, "throttled"])),
      trouble: "alert monitoring-blind on AzurePrivatePeering is firing",
    },
    {
      name: "firing, a connection's field not understood (the gateway wiring, read deep)",
      alert: blind("firing", {
        ...condition([]),
        evidence: {
          failedReads: [
            { call: "Microsoft.Network/connections/read", target: "t", kind: "malformed" },
          ],
        },
      }),
      trouble: "alert monitoring-blind on AzurePrivatePeering is firing",
    },
    {
      name: "pending, a body field (the read that met the value was its one deep read)",
      alert: blind("pending", condition([BODY_FIELD])),
      trouble: null,
    },
    {
      name: "pending, a body field beside a server error",
      alert: blind("pending", condition([BODY_FIELD, "server-error"])),
      trouble: "alert monitoring-blind on AzurePrivatePeering is pending",
    },
    {
      name: "pending, a connection's field not understood (the gateway wiring, read deep)",
      alert: blind("pending", {
        ...condition([]),
        evidence: {
          failedReads: [
            { call: "Microsoft.Network/connections/read", target: "t", kind: "malformed" },
          ],
        },
      }),
      trouble: "alert monitoring-blind on AzurePrivatePeering is pending",
    },
    {
      name: "pending, refused reads alone (the read that met the 403 was its one deep read)",
      alert: blind("pending", condition(["forbidden", "not-found"])),
      trouble: null,
    },
    {
      name: "pending, a refused read beside a body field",
      alert: blind("pending", condition([BODY_FIELD, "forbidden"])),
      trouble: null,
    },
    {
      name: "pending, a refused read beside a throttled one",
      alert: blind("pending", condition(["forbidden", "throttled"])),
      trouble: "alert monitoring-blind on AzurePrivatePeering is pending",
    },
    {
      name: "resolving (a grant is read at once)",
      alert: blind("resolving", condition(["forbidden"])),
      trouble: "alert monitoring-blind on AzurePrivatePeering is resolving",
    },
    {
      name: "firing, a refused read beside a throttled one",
      alert: blind("firing", condition(["forbidden", "throttled"])),
      trouble: "alert monitoring-blind on AzurePrivatePeering is firing",
    },
    {
      name: "firing, its condition not kept",
      alert: blind("firing", null),
      trouble: "alert monitoring-blind on AzurePrivatePeering is firing",
    },
    {
      name: "firing, no failed reads named",
      alert: blind("firing", condition([])),
      trouble: "alert monitoring-blind on AzurePrivatePeering is firing",
    },
    {
      name: "another family firing",
      alert: { ...blind("firing", condition(["forbidden"])), family: "path-down" },
      trouble: "alert path-down on AzurePrivatePeering is firing",
    },
  ])("$name → $trouble", ({ alert, trouble }) => {
    expect(blindNoDeepReadMends(alert)).toBe(trouble === null);
    expect(troubleOf(s, [alert])).toBe(trouble);
  });
});

describe("readAgesOf: when a refused reading was tried, and whether to read again first", () => {
  const at = (minute: number) => `2026-11-22T02:${String(minute).padStart(2, "0")}:00.000Z`;
  /** Route summaries failing; every other read working at `readAt` (3). */
  const summaries = (kind: ReadErrorKind, readAt = at(3)) => {
    const bgp = failed<BgpNeighborRow[]>({ kind });
    return circuitReading({
      readAt,
      paths: { [PRIVATE]: { primary: { bgp }, secondary: { bgp } } },
    });
  };

  it("a summary refused: never had (for the page), tried at the evaluation (for the rotation), not read again first", () => {
    const ages = readAgesOf(summaries("forbidden"), undefined, at(2));
    expect(ages).toMatchObject({
      oldestPathAt: null,
      oldestTriedAt: at(2),
      incomplete: true,
      retryFirst: false,
    });
  });

  it("a summary throttled: never had nor tried for good, read again first", () => {
    const ages = readAgesOf(summaries("throttled"), undefined, at(2));
    expect(ages).toMatchObject({ oldestPathAt: null, oldestTriedAt: null, retryFirst: true });
  });

  it("a summary refused after it had worked: aged from the try, what was known kept as it was", () => {
    const first = readAgesOf(circuitReading({ readAt: at(1) }), undefined, at(1));
    const ages = readAgesOf(summaries("not-found", at(8)), first, at(7));
    expect(ages).toMatchObject({ oldestPathAt: at(1), oldestTriedAt: at(7), retryFirst: false });
  });

  it("the gateway wiring refused: kept why, not read again first; the body failing always is", () => {
    const refused = readAgesOf(
      circuitReading({
        readAt: at(3),
        gateway: failed({ kind: "forbidden", missingPermission: "p" }),
      }),
      undefined,
      at(2),
    );
    expect(refused).toMatchObject({
      gatewayFailed: { kind: "forbidden", missingPermission: "p" },
      incomplete: true,
      retryFirst: false,
    });
    const body = readAgesOf(
      circuitReading({ circuit: failed({ kind: "not-found" }) as never }),
      refused,
      at(7),
    );
    expect(body).toMatchObject({ incomplete: true, retryFirst: true });
    expect(readAgesOf(circuitReading({ readAt: at(8) }), refused, at(8))).not.toHaveProperty(
      "gatewayFailed",
    );
  });

  it("is kept as written, and a kept oldestTriedAt that is not a time stays (of unknown age)", () => {
    const ages = readAgesOf(summaries("forbidden"), undefined, at(2));
    expect(storedReadAges(JSON.parse(JSON.stringify(ages)))).toEqual(ages);
    expect(storedReadAges({ ...ages, oldestTriedAt: "yesterday" })?.oldestTriedAt).toBe(
      "yesterday",
    );
    expect(storedReadAges({ ...ages, oldestTriedAt: 42 })?.oldestTriedAt).toBeNull();
  });
});

describe("planSweep: a circuit whose reading was refused for good waits for its turn", () => {
  const circuit = { id: "x", name: "x", subscriptionId: "s", fingerprint: "f", signal: null };
  const plan = (r: ReadAges) =>
    planSweep(
      [circuit],
      new Map([["x", { fingerprint: "f", reads: r, trouble: null }]]),
      NOW,
      POLICY,
    );

  it("tried a minute ago: quiet, not never read", () => {
    const p = plan(reads({ summaryFailed: SUMMARY, retryFirst: false }));
    // One circuit: the rotation's quota takes it; its reason is its turn, not "new".
    expect(p.deep.map((d) => [d.reason, d.ageMs])).toEqual([["rotation", MIN]]);
  });

  it("tried 12 minutes ago: due, as any reading that old", () => {
    const r = {
      ...reads({ summaryFailed: SUMMARY, retryFirst: false }),
      oldestTriedAt: ago(12 * MIN),
    };
    expect(plan(r).deep.map((d) => d.reason)).toEqual(["due"]);
  });

  it("kept before oldestTriedAt was: never read, as before", () => {
    const r = { ...reads({ summaryFailed: SUMMARY, retryFirst: false }), oldestTriedAt: undefined };
    expect(plan(r).deep.map((d) => [d.reason, d.detail])).toEqual([
      ["new", "a path was never read"],
    ]);
  });
});
