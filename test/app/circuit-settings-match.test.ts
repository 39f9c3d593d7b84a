// Settings keyed by circuit name or id (ERWATCH_BASELINE, ERWATCH_ALERT_POLICY
// circuits) that name no circuit the sweep found: a typo there made the drift
// check, or the override, silently apply to nothing. Each whole-estate sweep
// now says which keys match nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CircuitTarget } from "../../src/app/ports.js";
import { createSweeper } from "../../src/app/sweep.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_DATA_PLANE_POLICY } from "../../src/core/dataplane/policy.js";
import { DEFAULT_ALERT_POLICY, type Silence } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

/** The same name in another subscription (prod and dev name their circuits alike). */
class TwinReader extends FakeReader {
  readonly twin = {
    ...this.target,
    id: this.target.id.replace(
      "00000000-0000-0000-0000-000000000001",
      "00000000-0000-0000-0000-000000000002",
    ),
    subscriptionId: "00000000-0000-0000-0000-000000000002",
  };
  override async discover(scope?: { subscriptions: string[]; circuitIds: string[] }) {
    const found = await super.discover(scope);
    return { ...found, targets: [...found.targets, this.twin] };
  }
  override async read(target?: CircuitTarget, options?: { routes?: boolean }) {
    const read = await super.read(target, options);
    if (read.kind !== "read" || target?.id !== this.twin.id) return read;
    return {
      ...read,
      reading: {
        ...read.reading,
        ref: { ...read.reading.ref, id: this.twin.id, subscriptionId: this.twin.subscriptionId },
      },
    };
  }
}

async function sweepWith(reader: FakeReader) {
  const { store } = await freshStore(azurite.connectionString);
  const { logger, lines } = memoryLogger();
  const sweeper = createSweeper({
    reader,
    store,
    sink: new InMemoryEventSink(),
    policy: {
      classify: {
        ...DEFAULT_CLASSIFY_OPTIONS,
        dataPlane: {
          ...DEFAULT_DATA_PLANE_POLICY,
          // As config/data-plane.ts keeps them: lower-case names or ids.
          baseline: { "er-circuit-prod": { skuTier: "Standard" }, "er-circuit-prd": {} },
        },
      },
      alerts: {
        ...DEFAULT_ALERT_POLICY,
        circuits: { [reader.target.id.toLowerCase()]: { openAfter: { Sev2: 3 } }, "er-dr": {} },
      },
    },
    // One for a circuit it watches, one with a typo: that one would page through the maintenance.
    silences: [
      {
        id: "cfg-1",
        circuit: "er-circuit-prod",
        window: {
          kind: "once",
          start: "2026-11-22T00:00:00.000Z",
          end: "2026-11-23T00:00:00.000Z",
        },
      },
      {
        id: "cfg-2",
        circuit: "er-circiut-prod",
        peering: "AzurePrivatePeering",
        window: {
          kind: "once",
          start: "2026-11-22T00:00:00.000Z",
          end: "2026-11-23T00:00:00.000Z",
        },
      },
    ] as Silence[],
    historyRetentionDays: 30,
    logger,
  });
  await sweeper.sweep({
    scope: { subscriptions: [reader.target.subscriptionId], circuitIds: [] },
    now: new Date("2026-11-22T02:00:00.000Z"),
    abortSignal: AbortSignal.timeout(30_000),
  });
  return lines().map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("settings keyed by circuit", () => {
  it("warns about keys that match no circuit the sweep found, per setting, and not about those that do", async () => {
    const warned = (await sweepWith(new FakeReader())).filter(
      (l) => l.level === 40 && typeof l.setting === "string",
    );
    expect(warned.map((l) => [l.setting, l.circuits])).toEqual([
      ["ERWATCH_BASELINE", ["er-circuit-prd"]],
      ["ERWATCH_ALERT_POLICY.circuits", ["er-dr"]],
    ]);
    expect(String(warned[0]!.msg)).toMatch(/no circuit/);
  });

  it("warns about a silence that names no circuit the sweep found: it silences nothing", async () => {
    const warned = (await sweepWith(new FakeReader())).filter(
      (l) => l.level === 40 && Array.isArray(l.silences),
    );
    expect(warned.map((l) => l.silences)).toEqual([[{ id: "cfg-2", circuit: "er-circiut-prod" }]]);
    expect(String(warned[0]!.msg)).toMatch(/they silence nothing/);
  });

  it("warns about a silence, and a setting, naming by name a circuit another subscription names alike: it holds both", async () => {
    const reader = new TwinReader();
    const lines = await sweepWith(reader);
    const silences = lines.filter((l) => l.level === 40 && Array.isArray(l.silences));
    expect(silences.map((l) => l.silences)).toContainEqual([
      { id: "cfg-1", circuit: "er-circuit-prod", ids: [reader.target.id, reader.twin.id] },
    ]);
    const settings = lines.filter((l) => l.level === 40 && Array.isArray(l.shared));
    expect(settings.map((l) => [l.setting, l.shared])).toEqual([
      ["ERWATCH_BASELINE", [{ key: "er-circuit-prod", ids: [reader.target.id, reader.twin.id] }]],
    ]);
  });

  it("says nothing of a shared name when the names differ", async () => {
    const lines = await sweepWith(new FakeReader());
    expect(lines.filter((l) => Array.isArray(l.shared) || String(l.msg).includes("share"))).toEqual(
      [],
    );
  });

  it("says nothing when a listing failed: the circuit may be behind it", async () => {
    const reader = new FakeReader();
    reader.listing = {
      kind: "forbidden",
      call: "Microsoft.Network/expressRouteCircuits/read",
      target: "circuits in subscription 00000000-0000-0000-0000-000000000001",
      message: "no access",
    };
    const warned = (await sweepWith(reader)).filter((l) => typeof l.setting === "string");
    expect(warned).toEqual([]);
  });
});
