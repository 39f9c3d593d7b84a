// Property-based soak of the alert lifecycle at the product's cadence: a small
// estate (two circuits through one carrier's site, one elsewhere) read by the
// real timer function every 5 minutes on an injected clock, through the real
// ARM SDK, Table Storage, Service Bus and the receivers, while a random
// schedule of carrier outages, BGP sessions going Idle, prefix counts creeping
// to and past the route limit and de-provisioned circuits comes and goes —
// some for several sweeps, some for one (noise). A model of what the estate
// shows at each sweep judges what the broker accepted and what PagerDuty got
// against what design.md and the README promise the person on call:
//
// - a fault that lasts pages (its circuit's own alert, or a fleet alert that
//   names it) within its hysteresis plus the sweep a quiet circuit may wait
//   for its deep read; both paths down is Sev0 by then;
// - a one-sweep blip below Sev0 never pages (hysteresis);
// - one path down with the other carrying routes is Sev2, never Sev0/Sev1;
//   both paths down is Sev0; near / over the route limit is Sev3 / Sev2;
// - no key opens twice without a resolve between, none is touched after its
//   resolve, sequences count up by one;
// - no resolve while the condition it is about is still there;
// - everything opened resolves within its resolve hysteresis of the repair
//   (a flap episode's hour when a flap holds it), and nothing is left open;
// - events about a circuit carry that circuit's own key; a fleet alert names
//   only circuits of its provider and location;
// - PagerDuty hears exactly the events routed to it, trigger/resolve paired
//   on the dedup_key, and ends resolved.
//
// What the product deliberately does otherwise is not asserted: a flap alert
// holds its paths' alerts and keeps them open until it calms, a fleet alert
// holds its members' alerts, the provider's alert holds what rides on the
// circuit. Fixed seed, bounded runs (FUZZ_SEED / FUZZ_RUNS); loopback only.

import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { alertKey } from "../../src/core/alert-identity.js";
import { fleetPlacePrefix } from "../../src/core/fleet.js";
import { fleetMembersOf } from "../../src/core/fleet-members.js";
import type { AlertFamily, Severity } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  restorePath,
  setBgpState,
  setPrefixes,
  setProviderState,
  type PathName,
  type SimCircuit,
} from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const MIN = 60_000;
const INTERVAL_MIN = 5;
const PRIVATE = "AzurePrivatePeering";
const PATHS: readonly PathName[] = ["primary", "secondary"];

/** Sweeps in which faults come and go (100 minutes); every fault is repaired by the last. */
const FAULT_SWEEPS = 20;
/**
 * Most sweeps after the last repair for everything to resolve: a flap alert
 * calms once its hour (12 sweeps) holds no more than 3 changes, then resolves
 * after its 2 clean sweeps, and the path alerts it held with it.
 */
const TAIL_SWEEPS = 18;
/** The default hysteresis (README: opens after 1 sweep for Sev0, 2 otherwise; resolves after 2 clean). */
const OPEN_AFTER_SEV0 = 1;
const OPEN_AFTER = 2;
const RESOLVE_AFTER = 2;
/**
 * A quiet circuit is read deep at the latest when its oldest reading would
 * pass 15 minutes before the next sweep: a fault is read at most one sweep
 * after it begins (sooner when the listing or Azure Monitor shows it).
 */
const READ_LAG = 1;
/** Flap window (60 minutes) in sweeps, plus the resolve hysteresis of the flap alert. */
const FLAP_HOLD = 60 / INTERVAL_MIN + RESOLVE_AFTER;

/** Standard tier: 4,000 private IPv4 prefixes. Near is ≥ 80 % (Sev3), over is ≥ 95 % (Sev2). */
const PREFIXES = { normal: 2_500, near: 3_400, over: 4_100 } as const;
type Level = keyof typeof PREFIXES;
const LEVEL_RANK: Record<Level, number> = { normal: 0, near: 1, over: 2 };

const SITE = { provider: "Equinix", location: "Amsterdam" };
const CIRCUITS = [
  { name: "soak-ams-a", ...SITE },
  { name: "soak-ams-b", ...SITE },
  { name: "soak-lon", provider: "Colt", location: "London" },
] as const;
type CircuitName = (typeof CIRCUITS)[number]["name"];
const AT_SITE: CircuitName[] = CIRCUITS.filter((c) => c.location === SITE.location).map(
  (c) => c.name,
);

const KINDS = [
  "carrier-one-path",
  "carrier-both-paths",
  /** A marginal link: down one sweep, up the next, for as long as the fault lasts. */
  "carrier-flapping-path",
  "bgp-idle-one-path",
  "prefixes-near-limit",
  "prefixes-over-limit",
  "provider-not-provisioned",
] as const;
type Kind = (typeof KINDS)[number];

interface Fault {
  /** One circuit, or the carrier's whole site (both circuits there, at once). */
  target: CircuitName | "site";
  kind: Kind;
  path: PathName;
  /** First sweep it shows in. */
  start: number;
  /** Sweeps it lasts; 1 is noise. */
  sweeps: number;
}

const faultArb: fc.Arbitrary<Fault> = fc.record({
  target: fc.constantFrom<Fault["target"]>(...CIRCUITS.map((c) => c.name), "site"),
  kind: fc.constantFrom(...KINDS),
  path: fc.constantFrom<PathName>(...PATHS),
  start: fc.integer({ min: 1, max: FAULT_SWEEPS - 1 }),
  sweeps: fc.oneof(
    { weight: 1, arbitrary: fc.constant(1) },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 10 }) },
  ),
});

/** What one circuit shows at one sweep. */
interface Truth {
  providerDown: boolean;
  paths: Record<PathName, "up" | "carrier-down" | "bgp-idle">;
  level: Level;
}

const HEALTHY: Truth = {
  providerDown: false,
  paths: { primary: "up", secondary: "up" },
  level: "normal",
};

function truthAt(schedule: readonly Fault[], circuit: CircuitName, sweep: number): Truth {
  const t: Truth = structuredClone(HEALTHY);
  for (const f of schedule) {
    const hits = f.target === circuit || (f.target === "site" && AT_SITE.includes(circuit));
    const end = Math.min(f.start + f.sweeps, FAULT_SWEEPS);
    if (!hits || sweep < f.start || sweep >= end) continue;
    switch (f.kind) {
      case "carrier-one-path":
        t.paths[f.path] = "carrier-down";
        break;
      case "carrier-both-paths":
        t.paths.primary = t.paths.secondary = "carrier-down";
        break;
      case "carrier-flapping-path":
        if ((sweep - f.start) % 2 === 0) t.paths[f.path] = "carrier-down";
        break;
      case "bgp-idle-one-path":
        // An empty ARP table explains an Idle session: the carrier's break is the lower layer.
        if (t.paths[f.path] === "up") t.paths[f.path] = "bgp-idle";
        break;
      case "prefixes-near-limit":
      case "prefixes-over-limit": {
        const level: Level = f.kind === "prefixes-near-limit" ? "near" : "over";
        if (LEVEL_RANK[level] > LEVEL_RANK[t.level]) t.level = level;
        break;
      }
      case "provider-not-provisioned":
        t.providerDown = true;
    }
  }
  return t;
}

const downPaths = (t: Truth) => PATHS.filter((p) => t.paths[p] !== "up");
const troubled = (t: Truth) => t.providerDown || downPaths(t).length > 0 || t.level !== "normal";
/** Traffic stopped: the design's Sev0. */
const outage = (t: Truth) => t.providerDown || downPaths(t).length === 2;

/** Moves the simulated circuit from what it showed to what it shows now, with the estate's own mutators. */
function apply(circuit: SimCircuit, had: Truth, want: Truth): void {
  if (want.providerDown !== had.providerDown)
    setProviderState(circuit, want.providerDown ? "NotProvisioned" : "Provisioned");
  for (const p of PATHS) {
    if (want.paths[p] === had.paths[p]) continue;
    if (want.paths[p] === "carrier-down") {
      carrierDown(circuit, PRIVATE, p);
      continue;
    }
    restorePath(circuit, PRIVATE, p);
    if (want.paths[p] === "bgp-idle") setBgpState(circuit, PRIVATE, p, "Idle");
  }
  // After the paths: a restored path comes back with the count it had, then takes the new one.
  if (want.level !== had.level)
    for (const p of PATHS) setPrefixes(circuit, PRIVATE, p, PREFIXES[want.level]);
}

interface KeyTrack {
  family: AlertFamily;
  /** The circuit a circuit's key is about; for a fleet key, its pseudo-circuit. */
  circuitId: string;
  circuitName: string;
  open: boolean;
  sequence: number;
  severity: Severity;
  /** Fleet keys: the circuits its last event named. */
  members: string[];
}

const ALLOWED_FAMILIES = new Set<AlertFamily>([
  "path-down",
  "provider",
  "route-limit",
  "session-flapping",
  "fleet",
]);

/** The judge of one run: the model's truth per sweep against what the broker accepted. */
class Judge {
  readonly violations: string[] = [];
  readonly keys = new Map<string, KeyTrack>();
  /** Per sweep, per circuit: what the estate showed. */
  readonly truths: Map<CircuitName, Truth>[] = [];
  readonly log: string[] = [];
  /** Circuits a flap alert was heard about in this run. */
  readonly flapped = new Set<string>();

  constructor(private readonly ids: Map<CircuitName, string>) {}

  truth(name: CircuitName, sweep: number): Truth {
    return sweep < 0 ? HEALTHY : (this.truths[sweep]?.get(name) ?? HEALTHY);
  }

  private fail(sweep: number, what: string): void {
    this.violations.push(`sweep ${sweep} (+${sweep * INTERVAL_MIN} min): ${what}`);
  }

  private nameOf(circuitId: string): CircuitName | undefined {
    for (const [name, id] of this.ids)
      if (id.toLowerCase() === circuitId.toLowerCase()) return name;
    return undefined;
  }

  /** Consecutive sweeps up to `sweep` in which `holds` was true for the circuit. */
  private run(name: CircuitName, sweep: number, holds: (t: Truth) => boolean): number {
    let n = 0;
    while (sweep - n >= 0 && holds(this.truth(name, sweep - n))) n += 1;
    return n;
  }

  /**
   * Changes of any one path between up and down in the flap window ending at
   * `sweep`. The provider's side is the bottom row of every path: a circuit
   * de-provisioned and back takes each path down and up.
   */
  private pathChanges(name: CircuitName, sweep: number): number {
    const down = (s: number, p: PathName) => {
      const t = this.truth(name, s);
      return t.providerDown || t.paths[p] !== "up";
    };
    let most = 0;
    for (const p of PATHS) {
      let n = 0;
      for (let s = Math.max(1, sweep - 60 / INTERVAL_MIN - 1); s <= sweep; s += 1)
        if (down(s, p) !== down(s - 1, p)) n += 1;
      most = Math.max(most, n);
    }
    return most;
  }

  /** Open keys about the circuit: its own, or a fleet alert that names it. */
  private covering(name: CircuitName): KeyTrack[] {
    return [...this.keys.values()].filter(
      (k) => k.open && (k.family === "fleet" ? k.members.includes(name) : k.circuitName === name),
    );
  }

  observe(sweep: number, events: AlertEvent[]): void {
    for (const e of events) this.event(sweep, e);
    this.coverage(sweep);
    this.resolvedInTime(sweep);
  }

  private event(sweep: number, e: AlertEvent): void {
    const say = `${e.action} ${e.family} ${e.severity} [${e.paths.join("+")}] ${e.circuit.name}`;
    this.log.push(`  sweep ${sweep}: ${say}`);
    if (!ALLOWED_FAMILIES.has(e.family))
      this.fail(sweep, `${say}: a family this estate cannot cause (nothing here reads it)`);

    // Identity: a circuit's events on that circuit's own key; a fleet's on its place.
    let name: CircuitName | undefined;
    let members: string[] = [];
    if (e.family === "fleet") {
      if (!e.circuit.id.startsWith(fleetPlacePrefix(SITE.provider, SITE.location)))
        this.fail(sweep, `${say}: fleet alert outside ${SITE.provider} at ${SITE.location}`);
      members = fleetMembersOf(e).map((m) => m.name);
      for (const m of members)
        if (!(AT_SITE as string[]).includes(m))
          this.fail(sweep, `${say}: names ${m}, not a circuit of the site`);
    } else {
      name = this.nameOf(e.circuit.id);
      if (!name || name !== e.circuit.name)
        this.fail(sweep, `${say}: circuit ${e.circuit.id} is not the estate's ${e.circuit.name}`);
      if (e.key !== alertKey(e.circuit.id, e.peering, e.family))
        this.fail(sweep, `${say}: key ${e.key} is not (circuit, peering, family)'s`);
    }
    if (e.id !== `${e.key}-${e.sequence}`) this.fail(sweep, `${say}: id ${e.id}`);

    // Lifecycle per key: open, then updates, then resolve; never twice open.
    const k = this.keys.get(e.key);
    if (k && k.circuitId !== e.circuit.id)
      this.fail(sweep, `${say}: key ${e.key} was ${k.circuitName}'s`);
    if (e.sequence !== (k?.sequence ?? 0) + 1)
      this.fail(sweep, `${say}: sequence ${e.sequence} after ${k?.sequence ?? 0}`);
    const wasOpen = k?.open ?? false;
    if (e.action === "open" && wasOpen) this.fail(sweep, `${say}: opened twice without a resolve`);
    if (e.action !== "open" && !wasOpen)
      this.fail(sweep, `${say}: ${e.action} on a key that is not open`);
    if (e.action === "open" && e.episodeId !== `${e.key}-${e.sequence}`)
      this.fail(sweep, `${say}: episode ${e.episodeId}`);
    const track: KeyTrack = {
      family: e.family,
      circuitId: e.circuit.id,
      circuitName: e.circuit.name,
      open: e.action !== "resolve",
      sequence: e.sequence,
      severity: e.severity,
      members: e.family === "fleet" ? members : [],
    };
    this.keys.set(e.key, track);
    // A flap holds its paths' alerts open until it calms, a fleet of flaps its members'.
    if (e.family === "session-flapping" && name) this.flapped.add(name);
    if (e.family === "fleet")
      for (const m of fleetMembersOf(e))
        if (m.code === "session-flapping") this.flapped.add(m.name);

    if (e.action === "resolve") this.resolve(sweep, e, say, name, members);
    else if (e.action !== "repeat") this.firing(sweep, e, say, name, members);
  }

  /** Open / escalate / deescalate are decided on this sweep's reading: the model must agree. */
  private firing(
    sweep: number,
    e: AlertEvent,
    say: string,
    name: CircuitName | undefined,
    members: string[],
  ): void {
    if (e.family === "fleet") {
      if (members.length < 2) this.fail(sweep, `${say}: a group of ${members.length}`);
      for (const m of members as CircuitName[])
        if (!troubled(this.truth(m, sweep)) && !troubled(this.truth(m, sweep - 1)))
          this.fail(sweep, `${say}: names ${m}, healthy at this sweep and the one before`);
      return;
    }
    if (!name) return;
    const now = this.truth(name, sweep);
    const before = this.truth(name, sweep - 1);
    const down = downPaths(now);
    const sev0 = e.severity === "Sev0";
    // Hysteresis: below Sev0, nothing opens on one sweep's sighting.
    const heldBefore = (holds: (t: Truth) => boolean) =>
      e.action !== "open" || sev0 || holds(before);
    switch (e.family) {
      case "path-down": {
        if (down.length === 0) this.fail(sweep, `${say}: both paths are up`);
        else if (down.length === 2 && e.severity !== "Sev0")
          this.fail(sweep, `${say}: both paths down must be Sev0`);
        else if (down.length === 1 && e.severity !== "Sev2")
          this.fail(sweep, `${say}: one path down, redundancy holding, must be Sev2`);
        if (down.length > 0 && [...e.paths].sort().join() !== [...down].sort().join())
          this.fail(sweep, `${say}: down are ${down.join(" and ")}`);
        if (!heldBefore((t) => downPaths(t).length > 0))
          this.fail(sweep, `${say}: opened on a one-sweep blip`);
        break;
      }
      case "route-limit": {
        const want: Severity | null =
          now.level === "over" ? "Sev2" : now.level === "near" ? "Sev3" : null;
        if (e.severity !== want)
          this.fail(sweep, `${say}: prefixes ${now.level}, want ${want ?? "no alert"}`);
        if (!heldBefore((t) => t.level !== "normal"))
          this.fail(sweep, `${say}: opened on a one-sweep blip`);
        break;
      }
      case "provider":
        if (!now.providerDown || e.severity !== "Sev0")
          this.fail(sweep, `${say}: provider ${now.providerDown ? "down" : "Provisioned"}`);
        break;
      case "session-flapping":
        // More than 3 changes of a path in 60 minutes, as erwatch saw them: the estate changed at least as often.
        if (this.pathChanges(name, sweep) < 4)
          this.fail(
            sweep,
            `${say}: at most ${this.pathChanges(name, sweep)} path changes in the hour`,
          );
        break;
    }
  }

  /** A resolve says the condition is gone: it must be gone, for the resolve count of clean sweeps. */
  private resolve(
    sweep: number,
    e: AlertEvent,
    say: string,
    name: CircuitName | undefined,
    members: string[],
  ): void {
    const recent = Array.from({ length: RESOLVE_AFTER }, (_, i) => sweep - i);
    if (e.family === "fleet") {
      for (const m of members as CircuitName[])
        if (outage(this.truth(m, sweep))) this.fail(sweep, `${say}: ${m} still has the outage`);
      return;
    }
    if (!name) return;
    switch (e.family) {
      case "path-down":
        for (const s of recent)
          if (downPaths(this.truth(name, s)).length > 0)
            this.fail(
              sweep,
              `${say}: ${downPaths(this.truth(name, s)).join("+")} down at sweep ${s}`,
            );
        break;
      case "route-limit":
        if (this.truth(name, sweep).level !== "normal")
          this.fail(sweep, `${say}: prefixes still ${this.truth(name, sweep).level}`);
        break;
      case "provider":
        for (const s of recent)
          if (this.truth(name, s).providerDown)
            this.fail(sweep, `${say}: provider still not provisioned at sweep ${s}`);
        break;
    }
  }

  /** A fault that lasts is heard about, within hysteresis and one sweep of read lag. */
  private coverage(sweep: number): void {
    for (const { name } of CIRCUITS) {
      const covering = this.covering(name);
      // The listing carries the provider's state: no read lag, and Sev0 opens on its first sweep.
      if (this.truth(name, sweep).providerDown && !covering.some((k) => k.severity === "Sev0"))
        this.fail(sweep, `${name}: de-provisioned and no Sev0 open for it`);
      if (this.run(name, sweep, outage) >= OPEN_AFTER_SEV0 + READ_LAG) {
        if (!covering.some((k) => k.severity === "Sev0"))
          this.fail(sweep, `${name}: traffic stopped and no Sev0 open for it`);
      }
      if (this.run(name, sweep, (t) => downPaths(t).length > 0) >= OPEN_AFTER + READ_LAG) {
        if (covering.length === 0) this.fail(sweep, `${name}: a path down and nothing open for it`);
      }
      const limitSeen = (t: Truth) => t.level !== "normal" && !outage(t);
      if (this.run(name, sweep, limitSeen) >= OPEN_AFTER + READ_LAG) {
        if (!covering.some((k) => k.family === "route-limit"))
          this.fail(
            sweep,
            `${name}: prefixes ${this.truth(name, sweep).level} and no route-limit open`,
          );
      }
    }
  }

  /** Once a circuit is clean for the resolve count, nothing about it stays open (longer after a flap). */
  private resolvedInTime(sweep: number): void {
    for (const [key, k] of this.keys) {
      if (!k.open) continue;
      const names = (k.family === "fleet" ? k.members : [k.circuitName]) as CircuitName[];
      const clean = Math.min(...names.map((n) => this.run(n, sweep, (t) => !troubled(t))));
      const allowed = names.some((n) => this.flapped.has(n)) ? FLAP_HOLD : RESOLVE_AFTER - 1;
      if (clean > allowed)
        this.fail(
          sweep,
          `${k.family} ${k.severity} ${key} of ${names.join("+")} open ${clean} clean sweeps on`,
        );
    }
  }

  openKeys(): KeyTrack[] {
    return [...this.keys.values()].filter((k) => k.open);
  }

  timeline(schedule: readonly Fault[]): string {
    const lines = [`schedule: ${JSON.stringify(schedule)}`];
    this.truths.forEach((perCircuit, sweep) => {
      const shown = [...perCircuit]
        .filter(([, t]) => troubled(t))
        .map(
          ([n, t]) =>
            `${n} ${[t.providerDown ? "provider-down" : "", ...PATHS.map((p) => (t.paths[p] === "up" ? "" : `${p}:${t.paths[p]}`)), t.level === "normal" ? "" : `prefixes-${t.level}`].filter(Boolean).join(",")}`,
        );
      const events = this.log.filter((l) => l.startsWith(`  sweep ${sweep}:`));
      if (shown.length > 0 || events.length > 0)
        lines.push(
          `sweep ${sweep} (+${sweep * INTERVAL_MIN} min): ${shown.join(" | ") || "healthy"}`,
          ...events,
        );
    });
    return lines.join("\n");
  }
}

interface PdBody {
  event_action: string;
  dedup_key: string;
}

/** PagerDuty is routed Sev2 and worse, by the episode's peak: it hears exactly those events, in order. */
function pagerDutyMismatches(w: World, events: AlertEvent[]): string[] {
  const wanted = new Map<string, string[]>();
  for (const e of events) {
    if (!["Sev0", "Sev1", "Sev2"].includes(e.peakSeverity)) continue;
    const action = e.action === "resolve" ? "resolve" : "trigger";
    wanted.set(e.key, [...(wanted.get(e.key) ?? []), action]);
  }
  const got = new Map<string, string[]>();
  for (const r of w.pagerduty.requests) {
    const body = r.body as PdBody;
    got.set(body.dedup_key, [...(got.get(body.dedup_key) ?? []), body.event_action]);
  }
  const out: string[] = [];
  for (const key of new Set([...wanted.keys(), ...got.keys()])) {
    const want = wanted.get(key) ?? [];
    const have = got.get(key) ?? [];
    if (want.join() !== have.join())
      out.push(`PagerDuty ${key}: got [${have.join(", ")}], routed [${want.join(", ")}]`);
    if (have.length > 0 && have.at(-1) !== "resolve")
      out.push(`PagerDuty ${key}: left triggered (${have.join(", ")})`);
  }
  return out;
}

let azurite: Azurite;
let simulatedMinutes = 0;
let runs = 0;
/** What the runs made erwatch say (action family severity → count): a soak that pages nothing proves nothing. */
const heard = new Map<string, number>();

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  console.info(
    `lifecycle soak: ${runs} run(s), ${(simulatedMinutes / 60).toFixed(1)} simulated hours; heard ${[...heard].map(([k, n]) => `${k} ×${n}`).join(", ")}`,
  );
  const count = (re: RegExp) =>
    [...heard].filter(([k]) => re.test(k)).reduce((n, [, c]) => n + c, 0);
  expect(count(/^open path-down Sev0/)).toBeGreaterThan(0);
  expect(count(/^open path-down Sev2/)).toBeGreaterThan(0);
  expect(count(/^open route-limit/)).toBeGreaterThan(0);
  expect(count(/^resolve /)).toBeGreaterThan(0);
});

async function soak(schedule: readonly Fault[]): Promise<void> {
  runs += 1;
  const bundles = CIRCUITS.map((c) =>
    healthyCircuit({
      name: c.name,
      serviceProviderName: c.provider,
      peeringLocation: c.location,
      prefixes: PREFIXES.normal,
    }),
  );
  const sims = new Map(bundles.map((b) => [b.circuit.name as CircuitName, b.circuit]));
  let now = new Date(T0);
  const w = await startWorld({
    estate: estateOf(...bundles),
    azurite,
    now: () => now,
    sleep: async () => undefined,
    env: { SWEEP_SCHEDULE: "0 */5 * * * *" },
  });
  try {
    const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
    const judge = new Judge(ids);
    let accepted = 0;
    const sweep = async (k: number) => {
      const perCircuit = new Map<CircuitName, Truth>();
      for (const [name, circuit] of sims) {
        const want = k < FAULT_SWEEPS ? truthAt(schedule, name, k) : HEALTHY;
        apply(circuit, judge.truth(name, k - 1), want);
        perCircuit.set(name, want);
      }
      judge.truths[k] = perCircuit;
      now = new Date(T0 + k * INTERVAL_MIN * MIN);
      const result = await w.timerSweep();
      expect(result.errors).toEqual([]);
      const all = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
      judge.observe(k, all.slice(accepted));
      accepted = all.length;
    };

    let k = 0;
    for (; k < FAULT_SWEEPS; k += 1) await sweep(k);
    // The quiet tail: until nothing is open and the resolve count has passed, then one sweep to be sure.
    const lastTrouble = Math.max(
      -1,
      ...judge.truths.flatMap((perCircuit, s) =>
        [...perCircuit.values()].some(troubled) ? [s] : [],
      ),
    );
    for (; k < FAULT_SWEEPS + TAIL_SWEEPS; k += 1) {
      await sweep(k);
      if (judge.openKeys().length === 0 && k >= lastTrouble + RESOLVE_AFTER) break;
    }
    await sweep(k + 1);
    simulatedMinutes += (k + 1) * INTERVAL_MIN;

    const left = judge.openKeys().map((o) => `${o.family} ${o.severity} of ${o.circuitName}`);
    if (left.length > 0) judge.violations.push(`left open at the end: ${left.join("; ")}`);
    const stored = (await w.runtime.store.listAlerts()).filter((a) => a.value.phase !== "clear");
    for (const a of stored)
      judge.violations.push(
        `stored ${a.value.family} of ${a.value.circuitName} still ${a.value.phase} at the end`,
      );

    await w.dispatchPending(30_000);
    const events = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
    for (const e of events) {
      const what = `${e.action} ${e.family} ${e.severity}`;
      heard.set(what, (heard.get(what) ?? 0) + 1);
    }
    judge.violations.push(...pagerDutyMismatches(w, events));

    if (judge.violations.length > 0)
      throw new Error(
        `${judge.violations.slice(0, 12).join("\n")}\n--- timeline ---\n${judge.timeline(schedule)}`,
      );
  } finally {
    await w.close();
  }
}

it("the alert lifecycle holds its promises through hours of random faults and repairs", async () => {
  await fc.assert(fc.asyncProperty(fc.array(faultArb, { minLength: 2, maxLength: 10 }), soak), {
    seed: SEED,
    numRuns: RUNS,
  });
}, 900_000);
