import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { alertKey } from "../../src/core/alert-identity.js";
import type { EndToEndVoice } from "../../src/core/dataplane/shared-monitor.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import type { PreparedCircuit } from "../../src/app/record-circuit.js";
import {
  SharedMonitors,
  standingOf,
  type SharedMonitorsOptions,
} from "../../src/app/shared-monitors.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Routing } from "../../src/core/routing.js";
import type { StateStore } from "../../src/app/state-store.js";
import type { Logger } from "../../src/logging.js";

const NOW = new Date("2026-11-22T01:30:00.000Z");
const MAX_AGE_MS = 20 * 60_000;
const ID_A =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-a";
const ID_B =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-b";
const FAIL: EndToEndVoice = {
  monitors: "cm-1",
  peering: "AzurePrivatePeering",
  code: "e2e-fail",
  severity: "Sev1",
  at: new Date(NOW.getTime() - 5 * 60_000).toISOString(),
};
const keyOf = (id: string) => alertKey(id, "AzurePrivatePeering", "end-to-end");

const prepared = (
  id: string,
  voices: EndToEndVoice[],
  state: Record<string, unknown> | null = null,
): PreparedCircuit =>
  ({
    verdict: { id, name: id.split("/").pop(), tags: {} },
    observations: [],
    alerts: new Map(state ? [[keyOf(id), { value: { key: keyOf(id), ...state }, etag: "e" }]] : []),
    endToEnd: voices,
  }) as never;
const HEARD = { phase: "firing", notified: { severity: "Sev1", peakSeverity: "Sev1" } };
/** Due at Sev1 and held back: firing, never told. */
const DUE = { phase: "firing", notified: null, condition: { severity: "Sev1" } };

const snapshotOf = (id: string, minutesAgo: number, endToEnd?: unknown): Snapshot =>
  ({
    circuitId: id,
    circuitName: id.split("/").pop(),
    takenAt: new Date(NOW.getTime() - minutesAgo * 60_000).toISOString(),
    endToEnd,
  }) as never;

function monitors(
  list: () => Promise<Snapshot[]>,
  stored: Record<string, unknown> = {},
  getAlert: (circuitId: string, key: string) => Promise<unknown> = async (_c, key) =>
    stored[key] ? { value: stored[key], etag: "e" } : null,
  options: Partial<SharedMonitorsOptions> = {},
) {
  const warnings: string[] = [];
  let listed = 0;
  const store = {
    listSnapshots: () => {
      listed += 1;
      return list();
    },
    getAlert,
  } as unknown as StateStore;
  const log = {
    warn: (_o: unknown, message: string) => warnings.push(message),
  } as unknown as Logger;
  const shared = new SharedMonitors({
    store,
    now: NOW,
    maxAgeMs: MAX_AGE_MS,
    silences: [],
    policy: DEFAULT_ALERT_POLICY,
    routing: { actionGroups: [], routes: [] },
    ...options,
    log,
  });
  return { shared, warnings, listed: () => listed };
}

describe("SharedMonitors", () => {
  it("a fresh stored snapshot of the circuit sorting first holds; the snapshots are listed once per run", async () => {
    const { shared, listed } = monitors(async () => [snapshotOf(ID_A, 5, [FAIL])]);
    const b = prepared(ID_B, [FAIL]);
    expect((await shared.holdsFor(b)).get(keyOf(ID_B))?.by).toBe(keyOf(ID_A));
    await shared.holdsFor(b);
    expect(listed()).toBe(1);
  });

  it.each([
    [
      "whose voice is older than the bound",
      snapshotOf(ID_A, 0, [{ ...FAIL, at: new Date(NOW.getTime() - 21 * 60_000).toISOString() }]),
    ],
    [
      "whose voice is further ahead than the bound (a clock stepped back)",
      snapshotOf(ID_A, 0, [{ ...FAIL, at: new Date(NOW.getTime() + 21 * 60_000).toISOString() }]),
    ],
    ["whose voice's time is not a date", snapshotOf(ID_A, 0, [{ ...FAIL, at: "yesterday" }])],
    ["its voices cut off", snapshotOf(ID_A, 5, '[{"monitors":')],
  ])("a snapshot %s holds nothing", async (_name, snapshot) => {
    const { shared } = monitors(async () => [snapshot as Snapshot]);
    expect((await shared.holdsFor(prepared(ID_B, [FAIL]))).size).toBe(0);
  });

  it("on the timer's tick, a Sev1 whose openAfterMinutes wait longer than a Sev2's second tick holds it not; on demand it does", async () => {
    const policy = { ...DEFAULT_ALERT_POLICY, openAfterMinutes: { Sev1: 10 } };
    const warning: EndToEndVoice = { ...FAIL, code: "e2e-warning", severity: "Sev2" };
    const holds = async (tick: boolean) => {
      const { shared } = monitors(async () => [snapshotOf(ID_A, 5, [FAIL])], {}, undefined, {
        policy,
        ...(tick ? { tick: true } : {}),
      });
      return (await shared.holdsFor(prepared(ID_B, [warning]))).get(keyOf(ID_B))?.by ?? null;
    };
    expect(await holds(true)).toBeNull();
    expect(await holds(false)).toBe(keyOf(ID_A));
  });

  it("what a circuit says in this run replaces its snapshot: judged without the failure, it holds nothing", async () => {
    const { shared } = monitors(async () => [snapshotOf(ID_A, 5, [FAIL])]);
    shared.judged(prepared(ID_A, []));
    expect((await shared.holdsFor(prepared(ID_B, [FAIL]))).size).toBe(0);
  });

  it("a circuit judged earlier in the run holds without any snapshot", async () => {
    const { shared } = monitors(async () => []);
    shared.judged(prepared(ID_A, [FAIL]));
    expect((await shared.holdsFor(prepared(ID_B, [FAIL]))).get(keyOf(ID_B))?.by).toBe(keyOf(ID_A));
  });

  it("an alert already heard by its receivers is not held", async () => {
    const { shared } = monitors(async () => [snapshotOf(ID_A, 5, [FAIL])]);
    expect((await shared.holdsFor(prepared(ID_B, [FAIL], HEARD))).size).toBe(0);
  });

  it("a circuit sorting after holds one sorting first once its stored alert is heard (it paged while the other could not be read)", async () => {
    const { shared } = monitors(async () => [snapshotOf(ID_B, 5, [FAIL])], {
      [keyOf(ID_B)]: HEARD,
    });
    expect((await shared.holdsFor(prepared(ID_A, [FAIL]))).get(keyOf(ID_A))?.by).toBe(keyOf(ID_B));
  });

  it("an alert held back once is held again only by one heard: this run's decision counts", async () => {
    const { shared } = monitors(async () => [], {});
    shared.judged(prepared(ID_A, [FAIL]));
    const b = prepared(ID_B, [FAIL], DUE);
    expect((await shared.holdsFor(b)).size).toBe(0);
    shared.committed([
      {
        key: keyOf(ID_A),
        family: "end-to-end",
        action: "open",
        severity: "Sev1",
        peakSeverity: "Sev1",
      } as AlertEvent,
    ]);
    expect((await shared.holdsFor(b)).get(keyOf(ID_B))?.by).toBe(keyOf(ID_A));
  });

  it("a holder's alert that cannot be read is not known to be heard, and says so", async () => {
    const { shared, warnings } = monitors(
      async () => [snapshotOf(ID_B, 5, [FAIL])],
      {},
      async () => {
        throw new Error("table hung");
      },
    );
    expect((await shared.holdsFor(prepared(ID_A, [FAIL]))).size).toBe(0);
    expect(warnings).toEqual([expect.stringContaining("could not be read")]);
  });

  it("a circuit without an end-to-end alert costs no storage read", async () => {
    const { shared, listed } = monitors(async () => [snapshotOf(ID_A, 5, [FAIL])]);
    expect((await shared.holdsFor(prepared(ID_B, []))).size).toBe(0);
    expect(listed()).toBe(0);
  });

  it("snapshots that cannot be listed hold nothing, and say so", async () => {
    const { shared, warnings } = monitors(async () => {
      throw Object.assign(new Error("table hung"), { name: "StateStoreError" });
    });
    expect((await shared.holdsFor(prepared(ID_B, [FAIL]))).size).toBe(0);
    expect(warnings).toEqual([expect.stringContaining("pages for itself")]);
  });

  it("routes that cannot be read hold nothing, and cost no storage read", async () => {
    const { shared, listed } = monitors(async () => [snapshotOf(ID_A, 5, [FAIL])], {}, undefined, {
      routing: null,
    });
    expect((await shared.holdsFor(prepared(ID_B, [FAIL]))).size).toBe(0);
    expect(listed()).toBe(0);
  });

  it("a stored circuit the sweep no longer watches speaks for nothing; one it watches does", async () => {
    const list = async () => [snapshotOf(ID_A, 5, [FAIL])];
    const gone = monitors(list, {}, undefined, { watched: new Set([ID_B.toLowerCase()]) });
    expect((await gone.shared.holdsFor(prepared(ID_B, [FAIL]))).size).toBe(0);
    const kept = monitors(list, {}, undefined, {
      watched: new Set([ID_A.toLowerCase(), ID_B.toLowerCase()]),
    });
    expect((await kept.shared.holdsFor(prepared(ID_B, [FAIL]))).size).toBe(1);
  });

  it("a silence on the holder is judged as decisions judge it: one starting 2 s after a tick counts", async () => {
    const start = new Date(NOW.getTime() + 2_000).toISOString();
    const silence = {
      id: "er-a-window",
      circuit: ID_A,
      window: { kind: "once", start, end: new Date(NOW.getTime() + 3_600_000).toISOString() },
    };
    const { shared } = monitors(async () => [snapshotOf(ID_A, 5, [FAIL])], {}, undefined, {
      silences: [silence as never],
    });
    expect((await shared.holdsFor(prepared(ID_B, [FAIL]))).size).toBe(0);
  });

  it("a holder heard speaks for the monitor though a silence began since", async () => {
    const silence = {
      id: "er-a-window",
      circuit: ID_A,
      window: {
        kind: "once",
        start: NOW.toISOString(),
        end: new Date(NOW.getTime() + 3_600_000).toISOString(),
      },
    };
    const { shared } = monitors(
      async () => [snapshotOf(ID_A, 5, [FAIL])],
      { [keyOf(ID_A)]: HEARD },
      undefined,
      {
        silences: [silence as never],
      },
    );
    expect((await shared.holdsFor(prepared(ID_B, [FAIL]))).size).toBe(1);
  });

  it.each([
    ["a list", ["prod"], 0],
    ["a list of pairs", [["env", "prod"]], 0],
    ["text", "env=prod", 0],
    ["a number", 7, 0],
    ["null", null, 0],
    ["a map whose values are no text", { env: 5, "0": 5 }, 0],
    ["a map of text", { env: "prod", "0": "prod" }, 1],
  ])(
    "a holder whose stored tags are %s reaches the routes by tag those tags match",
    async (_name, circuitTags, held) => {
      // The held circuit's alert reaches the tagged group alone.
      const routing: Routing = {
        actionGroups: [{ name: "tagged", receivers: ["tagged-team"] }],
        routes: [
          { name: "env", match: { circuitTags: { env: "prod" } }, actionGroups: ["tagged"] },
          { name: "first", match: { circuitTags: { "0": "*" } }, actionGroups: ["tagged"] },
        ],
      };
      const snapshot = { ...snapshotOf(ID_A, 5, [FAIL]), circuitTags } as Snapshot;
      const { shared } = monitors(async () => [snapshot], {}, undefined, { routing });
      const b = prepared(ID_B, [FAIL]);
      const tagged = { ...b, verdict: { ...b.verdict, tags: { env: "prod", "0": "prod" } } };
      expect((await shared.holdsFor(tagged as never)).size).toBe(held);
    },
  );

  it.each([
    ["missing", undefined],
    ["null", null],
    ["empty", ""],
    ["a number", 7],
    ["a list", ["er-a"]],
  ])("a holder whose stored name is %s is named by its id", async (_name, circuitName) => {
    const snapshot = { ...snapshotOf(ID_A, 5, [FAIL]), circuitName } as Snapshot;
    const { shared } = monitors(async () => [snapshot]);
    const rule = (await shared.holdsFor(prepared(ID_B, [FAIL]))).get(keyOf(ID_B))?.rule;
    expect(rule).toContain(`it tests ${ID_A} too`);
  });

  it.each([
    ["never judged", null, "new"],
    ["pending", { phase: "pending", notified: null, condition: { severity: "Sev1" } }, "new"],
    ["held back at this grade", DUE, "due"],
    ["held back at a worse grade", { ...DUE, condition: { severity: "Sev0" } }, "due"],
    ["held back milder, worse now", { ...DUE, condition: { severity: "Sev2" } }, "new"],
    ["told", HEARD, "heard"],
  ])("standingOf: %s", (_name, state, expected) => {
    expect(standingOf(state as never, "Sev1")).toBe(expected);
  });

  it("end-to-end alerts are decided one circuit at a time, each seeing the news of the one before", async () => {
    const { shared } = monitors(async () => []);
    const a = prepared(ID_A, [FAIL], DUE);
    const b = prepared(ID_B, [FAIL], DUE);
    shared.judged(a);
    shared.judged(b);
    const opened = (id: string) => ({
      events: [
        {
          key: keyOf(id),
          family: "end-to-end",
          action: "open",
          severity: "Sev1",
          peakSeverity: "Sev1",
        } as AlertEvent,
      ],
    });
    const seen: number[] = [];
    // Both held back once, judged side by side: the first pages, the second is held by it.
    await Promise.all(
      [a, b].map((p) =>
        shared.decide(p, async (holds) => {
          seen.push(holds.size);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return holds.size === 0 ? opened(p.verdict.id) : { events: [] };
        }),
      ),
    );
    expect(seen).toEqual([0, 1]);
  });
});
