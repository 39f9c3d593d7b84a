// erwatch's own per-circuit health rules against a tiered estate at the
// product's cadence: a timer sweep every 5 minutes on an injected clock,
// SWEEP_MAX_READ_AGE_MINUTES at its default, six circuits read deep three a
// sweep by the rotation, Table Storage behind the loopback fault proxy. A
// circuit is recorded (its history read, its changes written) only in the
// sweeps that read it deep, so a rule counting one circuit's sweeps sees it
// in those sweeps only. Each test collects the lines the sweeps wrote and
// plays the rule as infra/ deploys it against them, at every phase of its
// evaluations against the sweeps'.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import { DEFAULT_MAX_READ_AGE_MINUTES } from "../../src/core/sweep-plan.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import {
  carrierDownBoth,
  estateOf,
  healthyCircuit,
  restorePath,
  type CircuitBundle,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import {
  firing,
  healthRule,
  looksFor,
  type HealthLine,
  type HealthRule,
} from "../support/health-rule.js";
import {
  startTableFaultProxy,
  type TableFault,
  type TableFaultProxy,
  type TableRequest,
} from "../support/table-fault-proxy.js";
import { startWorld, type World } from "../support/world.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
// A sweep of six circuits through the proxy takes a second or two; a loaded
// machine takes more, and a timeline is a dozen sweeps and more.
const TIMELINE_MS = 240_000;
const REFUSED: TableFault = {
  kind: "status",
  status: 403,
  code: "AuthorizationPermissionMismatch",
};

let azurite: Azurite;
let proxy: TableFaultProxy;
beforeAll(async () => {
  azurite = await startAzurite();
  proxy = await startTableFaultProxy(azurite);
});
afterAll(async () => {
  await proxy?.close();
  await azurite?.stop();
});

const sixCircuits = (): CircuitBundle[] =>
  Array.from({ length: 6 }, (_, i) =>
    healthyCircuit({ name: `er-circuit-${String.fromCharCode(97 + i)}` }),
  );

interface Timeline {
  world: World;
  /** One timer sweep at T0 + m minutes; the names of the circuits it read deep. */
  sweep(m: number): Promise<string[]>;
  /** The lines the rule looks for, each stamped within its sweep's window, with the circuit it names. */
  lines(rule: HealthRule): (HealthLine & { circuitId: string })[];
  close(): Promise<void>;
}

async function timeline(bundles: CircuitBundle[]): Promise<Timeline> {
  let now = new Date(T0);
  const written: { m: number; line: Record<string, unknown> }[] = [];
  let minute = 0;
  const world = await startWorld({
    estate: estateOf(...bundles),
    now: () => now,
    // Table Storage only through the proxy; the file's Azurite outlives the world.
    azurite: { ...azurite, connectionString: proxy.connectionString, stop: async () => {} },
    logDestination: {
      write: (chunk: string) => {
        for (const l of chunk.split("\n").filter(Boolean))
          written.push({ m: minute, line: JSON.parse(l) as Record<string, unknown> });
        return true;
      },
    },
  });
  return {
    world,
    async sweep(m) {
      minute = m;
      now = new Date(T0 + m * 60_000);
      const result = await world.timerSweep();
      return result.plan.deep.map((d) => d.name);
    },
    lines: (rule) =>
      written
        .filter(({ line }) => looksFor(rule, String(line.msg)))
        .map(({ m, line }) => ({
          sweep: String(line.sweepId),
          key: rule.by ? String(line[rule.by]) : "",
          circuitId: String(line.circuitId),
          // Traces land as the sweep records the circuit, within its window.
          at: m + 0.5,
        })),
    close: () => world.close(),
  };
}

const refusing = (rule: (r: TableRequest) => boolean) => {
  proxy.rule = (r) => (rule(r) ? REFUSED : null);
};
const table = (r: TableRequest, name: string) => r.table.endsWith(name);

/**
 * At every phase of the rule's evaluations: open from its first firing to its
 * last line without a gap, and resolved within the rule's recent part (or its
 * window) and an evaluation after the last line. The minutes it first fired.
 */
function heldOpen(rule: HealthRule, lines: HealthLine[], until: number): number[] {
  const last = Math.max(...lines.map((l) => l.at));
  const firsts: number[] = [];
  for (let phase = 0; phase < rule.everyMinutes; phase += 1) {
    const at = firing(rule, lines, phase, until);
    expect(at.length, `phase ${phase}`).toBeGreaterThan(0);
    const open: number[] = [];
    for (let t = at[0]!; t <= last; t += rule.everyMinutes) open.push(t);
    expect(
      at.filter((t) => t <= last),
      `phase ${phase}`,
    ).toEqual(open);
    expect(Math.max(...at) - last, `phase ${phase}`).toBeLessThan(
      Math.min(rule.recentMinutes, rule.windowMinutes) + rule.everyMinutes,
    );
    firsts.push(at[0]!);
  }
  return firsts;
}

describe("erwatch's per-circuit health rules while the rotation alone reads the circuits", () => {
  it(
    "erwatch-history-unreadable fires while the History table refuses reads, though each circuit's history is read only in its turn, every other sweep, and resolves once it reads again",
    async () => {
      const t = await timeline(sixCircuits());
      try {
        const reads = new Map<string, number>();
        for (let m = 0; m <= 110; m += 5) {
          if (m === 10) refusing((r) => table(r, "History") && r.operation === "query");
          if (m === 75) proxy.rule = () => null;
          const deep = await t.sweep(m);
          if (m >= 10 && m < 75)
            for (const name of deep) reads.set(name, (reads.get(name) ?? 0) + 1);
        }
        const rule = healthRule("historyUnreadable");
        const lines = t.lines(rule);
        // Every circuit said so, each only in the sweeps that read it deep: of
        // the 13 sweeps the reads failed, never two running.
        const perCircuit = new Map<string, number[]>();
        for (const l of lines) perCircuit.set(l.key, [...(perCircuit.get(l.key) ?? []), l.at]);
        expect(perCircuit.size).toBe(6);
        for (const [circuit, at] of perCircuit) {
          expect(at.length, circuit).toBeLessThanOrEqual(7);
          for (let i = 1; i < at.length; i += 1) expect(at[i]! - at[i - 1]!, circuit).toBe(10);
        }
        expect([...reads.values()].reduce((a, b) => a + b, 0)).toBe(lines.length);
        const firsts = heldOpen(rule, lines, 150);
        // Told within the three sweeps' rotation: three reads of a circuit, its age limit apart.
        for (const first of firsts)
          expect(first - 10).toBeLessThanOrEqual(3 * DEFAULT_MAX_READ_AGE_MINUTES);
        // Counted as not-recorded counts (three in 20 minutes), as it was: never fired on these lines.
        const asNotRecorded = { ...rule, windowMinutes: 20, recentMinutes: Infinity };
        for (let phase = 0; phase < rule.everyMinutes; phase += 1)
          expect(firing(asNotRecorded, lines, phase, 150), `phase ${phase}`).toEqual([]);
      } finally {
        proxy.rule = () => null;
        await t.close();
      }
    },
    TIMELINE_MS,
  );

  it(
    "erwatch-circuit-not-recorded fires while one circuit's snapshot is refused: never recorded, its readings age and it is read every sweep",
    async () => {
      const bundles = sixCircuits();
      const partition = circuitPartition(circuitId(bundles[3]!.circuit));
      const t = await timeline(bundles);
      try {
        for (let m = 0; m <= 80; m += 5) {
          if (m === 10)
            refusing(
              (r) =>
                table(r, "Snapshots") &&
                r.operation !== "query" &&
                r.operation !== "get" &&
                r.text.includes(partition),
            );
          if (m === 50) proxy.rule = () => null;
          await t.sweep(m);
        }
        const rule = healthRule("circuitNotRecorded");
        const lines = t.lines(rule);
        expect(new Set(lines.map((l) => l.key))).toEqual(new Set([circuitId(bundles[3]!.circuit)]));
        // Every sweep once its oldest reading is due.
        const sweeps = [...new Set(lines.map((l) => l.at - 0.5))];
        expect(sweeps.filter((m) => m >= 20)).toEqual([20, 25, 30, 35, 40, 45]);
        for (const first of heldOpen(rule, lines, 120)) expect(first).toBeLessThanOrEqual(35);
      } finally {
        proxy.rule = () => null;
        await t.close();
      }
    },
    TIMELINE_MS,
  );

  it(
    "erwatch-history-not-written fires before a slow flap's changes, lost while the History table refuses writes, could have opened its flap alert",
    async () => {
      const bundles = sixCircuits();
      const t = await timeline(bundles);
      try {
        const flapping = t.world.estate.state.circuits.find((c) => c.name === "er-circuit-e")!;
        // Four changes 15 minutes apart: more than 3 in the flap window's 60.
        const flaps = new Map<number, boolean>([
          [10, true],
          [25, false],
          [40, true],
          [55, false],
        ]);
        for (let m = 0; m <= 70; m += 5) {
          // Once the first sweep has written the circuits' first history: only the flap's are lost.
          if (m === 5) refusing((r) => table(r, "History") && r.operation !== "query");
          const down = flaps.get(m);
          if (down === true) carrierDownBoth(flapping, "AzurePrivatePeering");
          if (down === false)
            for (const path of ["primary", "secondary"] as const)
              restorePath(flapping, "AzurePrivatePeering", path);
          await t.sweep(m);
        }
        const rule = healthRule("historyNotWritten");
        const lines = t.lines(rule);
        // Said in a few sweeps an hour, of the flapping circuit alone.
        expect(new Set(lines.map((l) => l.at)).size).toBeLessThanOrEqual(flaps.size * 2);
        expect(new Set(lines.map((l) => l.circuitId))).toEqual(
          new Set([circuitId(bundles[4]!.circuit)]),
        );
        // Heard before the fourth change, which would have proven the flap, and held while they are lost.
        for (const first of heldOpen(rule, lines, 150)) expect(first).toBeLessThan(55);
      } finally {
        proxy.rule = () => null;
        await t.close();
      }
    },
    TIMELINE_MS,
  );
});
