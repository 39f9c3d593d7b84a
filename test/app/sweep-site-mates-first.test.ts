// A lone suspect's outage waits for the other reads of its site in the same
// sweep (circuit-recorder.ts), so a whole site found by one suspect and the
// rotation is one fleet page. Planned oldest first, those site-mates could be
// the last reads of a long sweep: on a throttled estate a real single-circuit
// Sev0 paged a whole sweep's reads later. The plan reads a suspect's
// site-mates straight after the suspects now.
//
// 64 circuits at 8 sites, one subscription, at the 5-minute cadence with the
// timer's 4.5-minute window, read one at a time, 4 s a read on the sweep's
// injected clock (ARM throttled). Every page committed before a read starts is
// sent before it ends: storage and the broker are quick next to ARM's reads.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  CircuitReader,
  CircuitReadResult,
  CircuitTarget,
  ListedCircuit,
} from "../../src/app/ports.js";
import type { StateStore } from "../../src/app/state-store.js";
import type { CheapSignals } from "../../src/app/sweep-plan.js";
import { createSweeper } from "../../src/app/sweep.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { CircuitFacts } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { withoutRouteTables } from "../../src/core/route-tables.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { circuitReading, type CircuitSpec } from "../support/readings.js";
import { freshStore } from "../support/state.js";
import { minute } from "../support/sweep-harness.js";
import { memoryLogger } from "../support/test-logger.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const SUB = "00000000-0000-0000-0000-000000000001";
const PRIVATE = "AzurePrivatePeering";
const READ_MS = 4_000;
const SITES = 8;
const PER_SITE = 8;
const WINDOW_MS = 4.5 * 60_000;

const name = (i: number) => `er-${String(i).padStart(2, "0")}`;
const siteOf = (i: number) => `Site ${Math.floor(i / PER_SITE)}`;

/** The circuit's body, the same in the listing and in its deep read (so nothing reads as changed). */
function factsOf(i: number): CircuitFacts {
  const r = circuitReading();
  if (!r.circuit.ok) throw new Error("the circuit reads");
  return {
    ...r.circuit.value,
    serviceProviderName: "Equinix",
    peeringLocation: siteOf(i),
    serviceKey: `key-${name(i)}`,
  };
}

function target(i: number): CircuitTarget {
  const n = name(i);
  const listed: ListedCircuit = {
    id: n,
    name: n,
    location: "westeurope",
    tags: {},
    facts: factsOf(i),
    problems: [],
    readAt: minute(0).toISOString(),
  };
  return {
    id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${n}`,
    subscriptionId: SUB,
    resourceGroup: "rg",
    name: n,
    location: "westeurope",
    tags: {},
    listed,
  };
}

/** Waits (bounded) until `done`, giving storage and the publisher their turns. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!done()) throw new Error(`not within 10 s: ${what}`);
}

async function estate() {
  const { store } = await freshStore(azurite.connectionString);
  const targets = Array.from({ length: SITES * PER_SITE }, (_, i) => target(i));
  let clock = minute(0).getTime();
  let committed = 0;
  const sent: { event: AlertEvent; at: number }[] = [];
  const specs = new Map<string, CircuitSpec>();
  const reads: { name: string; endedAt: number }[] = [];
  let sweepStart = 0;
  // Counts the events committed, whichever store the sweep works through.
  const counted = (s: StateStore): StateStore =>
    new Proxy(s, {
      get(t, prop, receiver) {
        if (prop === "withSignal")
          return (...args: Parameters<StateStore["withSignal"]>) => counted(t.withSignal(...args));
        if (prop === "commitAlert")
          return async (...args: Parameters<StateStore["commitAlert"]>) => {
            await t.commitAlert(...args);
            committed += args[2].length;
          };
        const value = Reflect.get(t, prop, receiver) as unknown;
        return typeof value === "function"
          ? (value as (...a: unknown[]) => unknown).bind(t)
          : value;
      },
    });
  const reader: CircuitReader = {
    async discover() {
      return { targets, failures: [] };
    },
    async read(t: CircuitTarget): Promise<CircuitReadResult> {
      await until(() => sent.length >= committed, "the pages committed are sent");
      clock += READ_MS;
      const i = targets.findIndex((x) => x.id === t.id);
      const r = circuitReading({
        ...specs.get(t.id),
        readAt: new Date(sweepStart + 20_000).toISOString(),
      });
      if (!r.circuit.ok) throw new Error("the circuit reads");
      const reading = {
        ...r,
        ref: { ...r.ref, id: t.id, name: t.name, subscriptionId: SUB, resourceGroup: "rg" },
        circuit: { ...r.circuit, value: factsOf(i) },
      };
      reads.push({ name: t.name, endedAt: clock });
      return { kind: "read", reading: withoutRouteTables(reading), settingProblems: [] };
    },
  };
  let troubled = new Map<string, string>();
  const signals: CheapSignals = { read: async () => ({ troubled }) };
  let n = 0;
  const sweeper = createSweeper({
    reader,
    store: counted(store),
    sink: {
      async publish(events) {
        for (const event of events) sent.push({ event, at: clock });
      },
    },
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    historyRetentionDays: 30,
    logger: memoryLogger().logger,
    newId: () => `sweep-${++n}`,
    clock: () => new Date(clock),
    signals,
    circuitConcurrency: 1,
  });
  return {
    targets,
    sent,
    reads,
    set: (i: number, spec: CircuitSpec) => specs.set(targets[i]!.id, spec),
    signal: (i: number, why: string) => {
      troubled = new Map([[targets[i]!.id.toLowerCase(), why]]);
    },
    async sweepAt(m: number) {
      sweepStart = minute(m).getTime();
      clock = sweepStart;
      reads.length = 0;
      const result = await sweeper.sweep({
        scope: { subscriptions: [SUB], circuitIds: [] },
        now: minute(m),
        deadline: new Date(sweepStart + WINDOW_MS),
        mode: "tiered",
        abortSignal: AbortSignal.timeout(60_000),
      });
      expect(result.errors).toEqual([]);
      expect(result.unreached).toEqual([]);
      return result;
    },
  };
}

describe("a lone suspect's site-mates are read straight after the suspects", () => {
  it("64 circuits, a paced reader: a single circuit's Sev0 found by a cheap signal pages long before the sweep's later reads end", async () => {
    const e = await estate();
    await e.sweepAt(0);
    await e.sweepAt(5);
    // The last circuit of the last site: its site-mates (the rotation's reads
    // due this sweep) are the youngest due, planned last of them.
    const lone = SITES * PER_SITE - PER_SITE;
    e.set(lone, {
      paths: {
        [PRIVATE]: {
          primary: { arp: "empty", bgp: "Idle" },
          secondary: { arp: "empty", bgp: "Idle" },
        },
      },
    });
    e.signal(lone, "BGP availability dipped to 0 on both paths");
    const before = e.sent.length;
    const result = await e.sweepAt(10);
    const reasons = result.plan.deep.map((d) => `${d.name}:${d.reason}`);
    expect(reasons[0]).toBe(`${name(lone)}:signal`);
    // The rest are the rotation's reads due this sweep, the suspect's site among them.
    expect(reasons.length).toBeGreaterThan(3 * PER_SITE);
    const mates = e.targets
      .map((_, i) => i)
      .filter((i) => i !== lone && siteOf(i) === siteOf(lone))
      .map((i) => `${name(i)}:due`);
    const pages = e.sent.slice(before).filter((s) => s.event.action === "open");
    expect(
      pages.map((p) => `${p.event.family} ${p.event.severity} ${p.event.circuit.name}`),
    ).toEqual([`path-down Sev0 ${name(lone)}`]);
    const sweepEnd = Math.max(...e.reads.map((r) => r.endedAt));
    const readsBeforePage = e.reads.filter((r) => r.endedAt <= pages[0]!.at).length;
    // Sent once its site was read (the suspect and its site-mates), not at the end of the sweep.
    expect(readsBeforePage).toBe(1 + mates.length);
    expect(sweepEnd - pages[0]!.at).toBeGreaterThanOrEqual(
      (e.reads.length - 1 - mates.length) * READ_MS,
    );
    // Because they were read straight after it.
    expect(reasons.slice(1, 1 + mates.length)).toEqual(mates);
  }, 120_000);
});
