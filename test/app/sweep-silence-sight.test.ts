// A silence added at run time (`erwatch silence add`, kept in Table Storage)
// holds what the sweep could not see exactly as one in ERWATCH_SILENCES does:
// the open alerts of a subscription that cannot be listed are judged blind by
// the sweep's sight step (single process) or by the fan-out timer, and a
// silence over the circuit holds their `Blind:` notice (README "Silences":
// silenced decisions are recorded in history, not notified). Found by the
// fan-out blind soak: the sight step honoured ERWATCH_SILENCES only.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SilenceStore, StoredSilence } from "../../src/app/silences.js";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { ReadFailure } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY, type Silence } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const at = (sweep: number) => new Date(T0 + sweep * 5 * 60_000);
const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const forbidden: ReadFailure = {
  kind: "forbidden",
  statusCode: 403,
  call: "Microsoft.Network/expressRouteCircuits/read",
  target: `circuits in subscription ${SUBSCRIPTION}`,
  message: "AuthorizationFailed",
  missingPermission: "Microsoft.Network/expressRouteCircuits/read",
};

/** A store holding the given silences, as `erwatch silence add` leaves them. */
function storeOf(silences: StoredSilence[]): SilenceStore {
  return {
    ensureTable: async () => undefined,
    list: async () => silences.map((value) => ({ value, etag: "*" })),
    add: async () => undefined,
    update: async () => undefined,
  };
}

async function harness(where: "configured" | "run-time") {
  const { store } = await freshStore(azurite.connectionString);
  const reader = new FakeReader();
  const sink = new InMemoryEventSink();
  const { logger } = memoryLogger();
  // The carrier's maintenance over the whole circuit, from sweep 1 for two hours.
  const silence: Silence = {
    id: "carrier-maintenance",
    circuit: reader.target.name,
    window: { kind: "once", start: at(1).toISOString(), end: at(24).toISOString() },
  };
  const stored: StoredSilence = {
    ...silence,
    author: "on-call",
    createdAt: at(1).toISOString(),
    expiredAt: null,
  };
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: where === "configured" ? [silence] : [],
    silenceStore: where === "run-time" ? storeOf([stored]) : null,
    historyRetentionDays: 30,
    logger,
  });
  const request = (sweep: number) => ({
    scope: { subscriptions: [SUBSCRIPTION], circuitIds: [] },
    now: at(sweep),
    abortSignal: AbortSignal.timeout(30_000),
  });
  /** The single-process timer sweep. */
  const run = (sweep: number) => {
    reader.readAt = at(sweep).toISOString();
    return sweeper.sweep(request(sweep));
  };
  /** The fan-out timer's half: plan, then what the listing could not see (its deep reads go to workers). */
  const fanOutTimer = async (sweep: number) => {
    reader.readAt = at(sweep).toISOString();
    const planned = await sweeper.plan(request(sweep), logger);
    await sweeper.fannedOut(request(sweep), planned, `sweep-${sweep}`, logger);
  };
  const sent = () => sink.published.map((e) => `${e.action}:${e.code}:${e.severity}#${e.sequence}`);
  return { reader, sink, run, fanOutTimer, sent };
}

describe("a silence holds the Blind: notice of a circuit its subscription's listing cannot see", () => {
  for (const where of ["configured", "run-time"] as const)
    for (const mode of ["single process", "fan-out timer"] as const)
      it(`${where} silence, ${mode}`, async () => {
        const h = await harness(where);
        h.reader.spec = {
          paths: {
            AzurePrivatePeering: {
              primary: { arp: "empty", bgp: "Idle" },
              secondary: { arp: "empty", bgp: "Idle" },
            },
          },
        };
        // Sweep 0 reads and pages the Sev0 (both modes: the listing is what matters next).
        await h.run(0);
        expect(h.sent()).toEqual(["open:arp-missing:Sev0#1"]);
        // Then the maintenance window opens and the listing is refused for half an hour.
        h.reader.listing = forbidden;
        for (let s = 1; s <= 6; s += 1)
          await (mode === "single process" ? h.run(s) : h.fanOutTimer(s));
        // The subscription's own monitoring-blind is not the circuit's: it opens. The
        // silenced circuit's Sev0 tells no one it went blind while the window holds.
        expect(h.sent()).toEqual(["open:arp-missing:Sev0#1", "open:monitoring-blind:Sev3#1"]);
      });
});
