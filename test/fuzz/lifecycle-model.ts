// The model and judge of the lifecycle soaks (lifecycle.soak.test.ts,
// lifecycle-blind.soak.test.ts and their fan-out twins): a small estate, a random schedule of faults,
// what each circuit shows at each sweep, and the judge that holds what the
// broker accepted against what design.md and the README promise. What erwatch
// could read at each sweep, and the silences in force, come in as a `Sight`;
// without one it reads everything and nothing is silenced.

import fc from "fast-check";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { alertKey, FAMILY_OF } from "../../src/core/alert-identity.js";
import { fleetPlacePrefix } from "../../src/core/fleet.js";
import { fleetMembersOf } from "../../src/core/fleet-members.js";
import type { AlertFamily, FindingCode, Severity } from "../../src/core/model.js";
import { severityRank } from "../../src/core/severity.js";
import {
  carrierDown,
  healthyCircuit,
  restorePath,
  setBgpState,
  setPrefixes,
  setProviderState,
  type CircuitBundle,
  type PathName,
  type SimCircuit,
} from "../support/estate/index.js";
import { ALERTS_QUEUE, type World } from "../support/world.js";

export const T0 = Date.parse("2026-11-22T01:00:00.000Z");
export const MIN = 60_000;
export const INTERVAL_MIN = 5;
/**
 * The sweep an event was decided at, from its occurredAt: the sweep's own
 * unless it was published late (storage), or decided as of earlier readings
 * (with fan-out the timer settles a fleet alert as of the workers' last ones).
 */
export const sweepOfEvent = (e: { occurredAt: string }): number =>
  Math.round((Date.parse(e.occurredAt) - T0) / (INTERVAL_MIN * MIN));
export const PRIVATE = "AzurePrivatePeering";
export const PATHS: readonly PathName[] = ["primary", "secondary"];

/** Sweeps in which faults come and go (100 minutes); every fault is repaired by the last. */
export const FAULT_SWEEPS = 20;
/**
 * Most sweeps after the last repair for everything to resolve: a flap alert
 * calms once its hour (12 sweeps) holds no more than 3 changes, then resolves
 * after its 2 clean sweeps, and the path alerts it held with it.
 */
export const TAIL_SWEEPS = 18;
/** The default hysteresis (README: opens after 1 sweep for Sev0, 2 otherwise; resolves after 2 clean). */
export const OPEN_AFTER_SEV0 = 1;
export const OPEN_AFTER = 2;
export const RESOLVE_AFTER = 2;
/**
 * A quiet circuit is read deep at the latest when its oldest reading would
 * pass 15 minutes before the next sweep: a fault is read at most one sweep
 * after it begins (sooner when the listing or Azure Monitor shows it).
 */
export const READ_LAG = 1;
/** Flap window (60 minutes) in sweeps, plus the resolve hysteresis of the flap alert. */
export const FLAP_HOLD = 60 / INTERVAL_MIN + RESOLVE_AFTER;

/** Standard tier: 4,000 private IPv4 prefixes. Near is ≥ 80 % (Sev3), over is ≥ 95 % (Sev2). */
export const PREFIXES = { normal: 2_500, near: 3_400, over: 4_100 } as const;
export type Level = keyof typeof PREFIXES;
export const LEVEL_RANK: Record<Level, number> = { normal: 0, near: 1, over: 2 };

export const SITE = { provider: "Equinix", location: "Amsterdam" };
export const CIRCUITS = [
  { name: "soak-ams-a", ...SITE },
  { name: "soak-ams-b", ...SITE },
  { name: "soak-lon", provider: "Colt", location: "London" },
] as const;
export type CircuitName = (typeof CIRCUITS)[number]["name"];
/** The soak's estate, healthy, each circuit by name. */
export function soakEstate(): { bundles: CircuitBundle[]; sims: Map<CircuitName, SimCircuit> } {
  const bundles = CIRCUITS.map((c) =>
    healthyCircuit({
      name: c.name,
      serviceProviderName: c.provider,
      peeringLocation: c.location,
      prefixes: PREFIXES.normal,
    }),
  );
  return {
    bundles,
    sims: new Map(bundles.map((b) => [b.circuit.name as CircuitName, b.circuit as SimCircuit])),
  };
}

export const AT_SITE: CircuitName[] = CIRCUITS.filter((c) => c.location === SITE.location).map(
  (c) => c.name,
);

export const KINDS = [
  "carrier-one-path",
  "carrier-both-paths",
  /** A marginal link: down one sweep, up the next, for as long as the fault lasts. */
  "carrier-flapping-path",
  "bgp-idle-one-path",
  "prefixes-near-limit",
  "prefixes-over-limit",
  "provider-not-provisioned",
] as const;
export type Kind = (typeof KINDS)[number];

export interface Fault {
  /** One circuit, or the carrier's whole site (both circuits there, at once). */
  target: CircuitName | "site";
  kind: Kind;
  path: PathName;
  /** First sweep it shows in. */
  start: number;
  /** Sweeps it lasts; 1 is noise. */
  sweeps: number;
}

export const faultArb: fc.Arbitrary<Fault> = fc.record({
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
export interface Truth {
  providerDown: boolean;
  paths: Record<PathName, "up" | "carrier-down" | "bgp-idle">;
  level: Level;
}

export const HEALTHY: Truth = {
  providerDown: false,
  paths: { primary: "up", secondary: "up" },
  level: "normal",
};

export function truthAt(schedule: readonly Fault[], circuit: CircuitName, sweep: number): Truth {
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

export const downPaths = (t: Truth) => PATHS.filter((p) => t.paths[p] !== "up");
export const troubled = (t: Truth) =>
  t.providerDown || downPaths(t).length > 0 || t.level !== "normal";
/** Traffic stopped: the design's Sev0. */
export const outage = (t: Truth) => t.providerDown || downPaths(t).length === 2;

/** Moves the simulated circuit from what it showed to what it shows now, with the estate's own mutators. */
export function apply(circuit: SimCircuit, had: Truth, want: Truth): void {
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

export interface KeyTrack {
  family: AlertFamily;
  /** The circuit a circuit's key is about; for a fleet key, its pseudo-circuit; for a subscription's blind alert, the subscription. */
  circuitId: string;
  circuitName: string;
  open: boolean;
  sequence: number;
  severity: Severity;
  /** The paths the receivers were last told. */
  paths: PathName[];
  /** Fleet keys: the circuits its last event named. */
  members: string[];
  /** The sweep of its latest `Blind:` notice. */
  blindNoticeAt?: number;
}

export const ALLOWED_FAMILIES = new Set<AlertFamily>([
  "path-down",
  "provider",
  "route-limit",
  "session-flapping",
  "fleet",
  // Only where a read was made to fail (judged below); anywhere else it is a violation.
  "monitoring-blind",
]);

/** What a failed read looks like to erwatch (a `ReadFailure` kind) and the RBAC action of its call. */
export interface ReadTrouble {
  /** The subscription's circuit listing, or one circuit's ARP and route reads. */
  subject: CircuitName | "listing";
  /** Only this path's reads (a circuit's); both when absent. */
  path?: PathName;
  kind: "forbidden" | "throttled" | "server-error" | "timeout" | "malformed";
  /** The RBAC action of the call that fails. */
  action: string;
}

/** A silence in force at a sweep. */
export interface SilenceInForce {
  circuit: CircuitName;
  peering?: string;
  path?: PathName;
}

/** What erwatch could read at each sweep, and the silences in force. */
export interface Sight {
  trouble(sweep: number): readonly ReadTrouble[];
  silences(sweep: number): readonly SilenceInForce[];
}

/** The first soak's: every read answered, nothing silenced. */
export const FULL_SIGHT: Sight = { trouble: () => [], silences: () => [] };

/** Sweeps of failed reads before `monitoring-blind` opens (README: `blindAfterSweeps`, 3). */
export const BLIND_AFTER = 3;
/**
 * A circuit whose reads Azure refused for good (403) alone is read in its
 * turn, not every sweep (README "refused for good"): its monitoring-blind
 * opens at the first read that finds it refused once it has stood as long as
 * BLIND_AFTER sweeps take, counted from the first refused read. At the
 * default read age its turn comes every other sweep, so that read is due two
 * sweeps after the first; a read off its turn (a change, a signal) between
 * them moves its turn a sweep on. One sweep later at most.
 */
export const REFUSED_TURN_LAG = 1;
const SUBSCRIPTION_SUBJECT = /^\/subscriptions\/[^/]+$/i;

/** The judge of one run: the model's truth per sweep against what the broker accepted. */
export class Judge {
  readonly violations: string[] = [];
  readonly keys = new Map<string, KeyTrack>();
  /** Per sweep, per circuit: what the estate showed. */
  readonly truths: Map<CircuitName, Truth>[] = [];
  readonly log: string[] = [];
  /** Circuits a flap alert was heard about in this run. */
  readonly flapped = new Set<string>();

  constructor(
    private readonly ids: Map<CircuitName, string>,
    private readonly sight: Sight = FULL_SIGHT,
    private readonly options: {
      /** With fan-out the timer resolves a fleet alert from the workers' stored alerts: this many sweeps later. */
      fleetResolveLag?: number;
      /**
       * The storage soak: the circuit's storage failed at the sweep (nothing
       * about it was decided, or what was decided was not published). README:
       * "nothing about it is decided that sweep and the next sweep decides
       * again": such a sweep is not a sighting, and it neither counts towards
       * nor breaks a run of sightings, so a page is late by at most these sweeps.
       */
      storageFailed?: (name: CircuitName, sweep: number) => boolean;
      /**
       * Of the sweeps `storageFailed` names, those whose reading of the circuit
       * was not kept either (erwatch said it unread or unrecorded). A sweep
       * whose pages only waited (Service Bus hung as the workers published)
       * still stored what was read, and erwatch counts it as a reading: a
       * blind notice may follow it. Absent: every sweep `storageFailed` names.
       */
      readLost?: (name: CircuitName, sweep: number) => boolean;
      /**
       * The storage soak: erwatch could not read the circuit's history at the
       * sweep (every History query on its partition failed). README
       * "Guarantees": its flaps are not counted, so its flap alert neither
       * opens nor resolves: blind although the circuit was read, and its
       * holder told so (a `Blind:` whose blindCause is "history").
       */
      historyUnread?: (name: CircuitName, sweep: number) => boolean;
      /** The sweep an event was decided at, when it may differ from the one it arrived in (sweepOfEvent). */
      decidedAt?: (e: AlertEvent) => number;
      /**
       * The storage soak: the site's fleet alerts' own storage failed at the
       * sweep: a call on a fleet partition ("partition"), or erwatch could not
       * list the stored alerts at all ("unlisted": the listing, or the whole
       * sweep, failed). README "Guarantees": the sweep goes on; a fleet alert
       * whose write fails still holds its members that sweep (it may have
       * landed, its answer lost), its event may leave the outbox a sweep late,
       * and one that was not written holds nothing at the next sweep, so its
       * members page then on their own. So at such a sweep an outage of the
       * site may page late (fleet or members) and a fleet alert may resolve
       * late, each by at most those sweeps. Unlisted, erwatch cannot know a
       * fleet alert is open ("fleet alerts could not be listed; circuits page
       * one by one"): only then may a member page on its own while an open
       * fleet alert names it.
       */
      fleetStorageFailed?: (sweep: number) => "partition" | "unlisted" | null;
    } = {},
  ) {}

  /** The circuit's storage failed at the sweep (the storage soak; never otherwise). */
  storageFailed(name: CircuitName, sweep: number): boolean {
    return sweep >= 0 && (this.options.storageFailed?.(name, sweep) ?? false);
  }

  /** erwatch could not read the circuit's history at the sweep (the storage soak; never otherwise). */
  historyUnread(name: CircuitName, sweep: number): boolean {
    return sweep >= 0 && (this.options.historyUnread?.(name, sweep) ?? false);
  }

  /** The site's fleet alerts' storage failed at the sweep (the storage soak; never otherwise). */
  fleetStorageFailed(sweep: number): boolean {
    return sweep >= 0 && (this.options.fleetStorageFailed?.(sweep) ?? null) !== null;
  }

  /** erwatch could not list the stored fleet alerts at the sweep (the storage soak; never otherwise). */
  private fleetsUnlisted(sweep: number): boolean {
    return sweep >= 0 && this.options.fleetStorageFailed?.(sweep) === "unlisted";
  }

  truth(name: CircuitName, sweep: number): Truth {
    return sweep < 0 ? HEALTHY : (this.truths[sweep]?.get(name) ?? HEALTHY);
  }

  /**
   * Whether a path of the circuit changed more than three times in the hour to
   * this sweep, as the estate showed it (the provider down takes both paths
   * down). erwatch counts such a path as flapping from its reads and holds the
   * path's resolve through the episode, even while its flap alert is itself
   * held (by the provider's alert) and so never heard.
   */
  private flappedInTruth(name: CircuitName, sweep: number): boolean {
    const down = (t: Truth, path: PathName) => t.providerDown || t.paths[path] !== "up";
    const window = 60 / INTERVAL_MIN;
    return PATHS.some((path) => {
      let changes = 0;
      // The hour includes its first minute: a change 60 min before this sweep counts.
      for (let s = Math.max(1, sweep - window); s <= sweep; s += 1)
        if (down(this.truth(name, s), path) !== down(this.truth(name, s - 1), path)) changes += 1;
      return changes > 3;
    });
  }

  private fail(sweep: number, what: string): void {
    this.violations.push(`sweep ${sweep} (+${sweep * INTERVAL_MIN} min): ${what}`);
  }

  private nameOf(circuitId: string): CircuitName | undefined {
    for (const [name, id] of this.ids)
      if (id.toLowerCase() === circuitId.toLowerCase()) return name;
    return undefined;
  }

  /** The subscription's circuits were listed (provider state, peerings): every circuit's cheap tier. */
  listed(sweep: number): boolean {
    return sweep < 0 || !this.sight.trouble(sweep).some((t) => t.subject === "listing");
  }

  /** The circuit's paths whose reads erwatch could not make at the sweep (both when unlisted). */
  unread(name: CircuitName, sweep: number): PathName[] {
    if (sweep < 0) return [];
    if (!this.listed(sweep)) return [...PATHS];
    const hit = this.sight.trouble(sweep).filter((t) => t.subject === name);
    return PATHS.filter((p) => hit.some((t) => t.path === undefined || t.path === p));
  }

  /** Everything about the circuit was read at the sweep. */
  seen(name: CircuitName, sweep: number): boolean {
    return this.unread(name, sweep).length === 0 && !this.storageFailed(name, sweep);
  }

  private troubleOn(subject: CircuitName | "listing", sweep: number): ReadTrouble[] {
    return sweep < 0 ? [] : this.sight.trouble(sweep).filter((t) => t.subject === subject);
  }

  /** Any silence over the circuit in force at the sweep. */
  private silencedAt(name: CircuitName, sweep: number): boolean {
    return sweep >= 0 && this.sight.silences(sweep).some((s) => s.circuit === name);
  }

  /**
   * The silence that covers an alert of the circuit (README "Silences"): its
   * circuit, its peering when it names one, and when it names a path, only
   * an alert that is about that path alone, now and as the receivers have it.
   */
  private covers(
    name: CircuitName,
    peering: string | null,
    paths: PathName[],
    sweep: number,
  ): SilenceInForce | undefined {
    return this.sight
      .silences(sweep)
      .find(
        (s) =>
          s.circuit === name &&
          (s.peering === undefined || s.peering === peering) &&
          (s.path === undefined || (paths.length > 0 && paths.every((p) => p === s.path))),
      );
  }

  /**
   * Consecutive sweeps up to `sweep` in which `holds` was true for the
   * circuit, passing over those `passed` says were no sighting (by default
   * the sweeps its own storage failed in).
   */
  private run(
    name: CircuitName,
    sweep: number,
    holds: (t: Truth, s: number) => boolean,
    passed: (s: number) => boolean = (s) => this.storageFailed(name, s),
  ): number {
    let n = 0;
    for (let s = sweep; s >= 0; s -= 1) {
      // A sweep the circuit's storage failed in is no sighting: it neither counts nor breaks the run.
      if (passed(s)) continue;
      if (!holds(this.truth(name, s), s)) break;
      n += 1;
    }
    return n;
  }

  /** Consecutive sweeps up to `sweep` in which `holds` was true. */
  private runOf(sweep: number, holds: (s: number) => boolean): number {
    let n = 0;
    while (sweep - n >= 0 && holds(sweep - n)) n += 1;
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
    // erwatch dates a change by the sweep that saw it: sweeps it could not read the circuit
    // in (none in the first soak) move changes later, so the window reaches back by as many.
    let unseen = 0;
    for (let s = Math.max(0, sweep - 2 * (60 / INTERVAL_MIN)); s <= sweep; s += 1)
      if (!this.seen(name, s)) unseen += 1;
    let most = 0;
    for (const p of PATHS) {
      let n = 0;
      for (let s = Math.max(1, sweep - 60 / INTERVAL_MIN - 1 - unseen); s <= sweep; s += 1)
        if (down(s, p) !== down(s - 1, p)) n += 1;
      most = Math.max(most, n);
    }
    return most;
  }

  /** Open keys about the circuit's condition: its own, or a fleet alert that names it (not its blindness). */
  private covering(name: CircuitName): KeyTrack[] {
    return [...this.keys.values()].filter(
      (k) =>
        k.open &&
        k.family !== "monitoring-blind" &&
        (k.family === "fleet" ? k.members.includes(name) : k.circuitName === name),
    );
  }

  observe(sweep: number, events: AlertEvent[]): void {
    for (const e of events) this.event(sweep, e);
    this.coverage(sweep);
    this.blindCoverage(sweep);
    this.resolvedInTime(sweep);
  }

  private event(sweep: number, e: AlertEvent): void {
    const blindNotice = e.action === "repeat" && e.change.startsWith("Blind:");
    const say = `${blindNotice ? "blind-notice" : e.action} ${e.family} ${e.severity} [${e.paths.join("+")}] ${e.circuit.name}`;
    this.log.push(`  sweep ${sweep}: ${say}`);
    if (!ALLOWED_FAMILIES.has(e.family))
      this.fail(sweep, `${say}: a family this estate cannot cause (nothing here reads it)`);

    // Identity: a circuit's events on that circuit's own key; a fleet's on its place; a listing's on its subscription.
    let name: CircuitName | undefined;
    let members: string[] = [];
    const subscriptionBlind =
      e.family === "monitoring-blind" && SUBSCRIPTION_SUBJECT.test(e.circuit.id);
    if (e.family === "fleet") {
      if (!e.circuit.id.startsWith(fleetPlacePrefix(SITE.provider, SITE.location)))
        this.fail(sweep, `${say}: fleet alert outside ${SITE.provider} at ${SITE.location}`);
      members = fleetMembersOf(e).map((m) => m.name);
      for (const m of members)
        if (!(AT_SITE as string[]).includes(m))
          this.fail(sweep, `${say}: names ${m}, not a circuit of the site`);
    } else if (subscriptionBlind) {
      if (e.key !== alertKey(e.circuit.id, e.peering, e.family))
        this.fail(sweep, `${say}: key ${e.key} is not (subscription, peering, family)'s`);
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

    // Silences: nothing they cover is decided while they hold (README "Silences"; a held
    // resolve waits too). Judged at the sweep that decided it: one decided before a window
    // and kept in the outbox while Service Bus hung still goes out, late, not lost.
    const decided = this.options.decidedAt?.(e) ?? sweep;
    if (name) {
      const told = [...new Set([...e.paths, ...(k?.open ? k.paths : [])])];
      const by = this.covers(name, e.peering, told, decided);
      if (by)
        this.fail(
          sweep,
          `${say}: decided at sweep ${decided} while a silence holds (${JSON.stringify(by)})`,
        );
    } else if (e.family === "fleet" && members.length > 0) {
      const whole = (m: string) =>
        this.sight
          .silences(decided)
          .some((s) => s.circuit === m && s.peering === undefined && s.path === undefined);
      if (members.every(whole))
        this.fail(sweep, `${say}: every circuit it names is silenced at sweep ${decided}`);
    }

    const track: KeyTrack = {
      family: e.family,
      circuitId: e.circuit.id,
      circuitName: e.circuit.name,
      open: e.action !== "resolve",
      sequence: e.sequence,
      severity: e.severity,
      paths: [...e.paths],
      members: e.family === "fleet" ? members : [],
      ...(blindNotice
        ? { blindNoticeAt: sweep }
        : k?.blindNoticeAt !== undefined
          ? { blindNoticeAt: k.blindNoticeAt }
          : {}),
    };
    this.keys.set(e.key, track);
    // A flap holds its paths' alerts open until it calms, a fleet of flaps its members'.
    if (e.family === "session-flapping" && name) this.flapped.add(name);
    if (e.family === "fleet")
      for (const m of fleetMembersOf(e))
        if (m.code === "session-flapping") this.flapped.add(m.name);

    if (e.family === "fleet" && e.action !== "resolve" && !blindNotice)
      this.joinsNoGroupAfterPaging(sweep, e, say, k);

    if (e.family === "monitoring-blind") {
      // Judged against the reads of the sweep that decided it: one decided while
      // Service Bus hung goes out a sweep late, when the reads may work again.
      const said = decided === sweep ? say : `${say} (published at sweep ${sweep})`;
      this.blind(decided, e, said, subscriptionBlind ? "listing" : name);
      return;
    }
    if (blindNotice) {
      this.blindNotice(sweep, e, say, k, name, members);
      return;
    }
    if (e.action === "repeat") return;
    // Judged against the reading of the sweep that decided it (published then, unless storage held it back).
    const at = this.options.decidedAt?.(e) ?? sweep;
    const said = at === sweep ? say : `${say} (decided at sweep ${at})`;
    // Nothing about a circuit erwatch cannot read is decided: no open, change or resolve.
    if (name) {
      if (!this.listed(at))
        this.fail(sweep, `${said}: decided while the subscription could not be listed`);
      else if (e.family !== "provider" && this.unread(name, at).length === 2)
        this.fail(sweep, `${said}: decided while neither path could be read`);
    }
    if (name && e.action === "open") this.heldByFleet(sweep, at, e, said, name);
    if (e.action === "resolve") this.resolve(at, e, said, name, members, k);
    else this.firing(at, e, said, name, members);
  }

  /**
   * README "Severity and paging": "A circuit whose alert already paged on its
   * own joins no group." A fleet alert never tells the receivers of a member
   * (opening, or `Wider:`) whose own alert for that outage they already hold:
   * that outage would have paged twice ("never lost or doubled").
   */
  private joinsNoGroupAfterPaging(
    sweep: number,
    e: AlertEvent,
    say: string,
    before: KeyTrack | undefined,
  ): void {
    const told = before?.open ? before.members : [];
    for (const m of fleetMembersOf(e)) {
      if (told.includes(m.name) || !m.code || !(m.code in FAMILY_OF)) continue;
      const family = FAMILY_OF[m.code as FindingCode];
      const own = [...this.keys.values()].find(
        (o) =>
          o.open &&
          o.family === family &&
          o.circuitName === m.name &&
          (o.severity === "Sev0" || o.severity === "Sev1"),
      );
      if (own)
        this.fail(
          sweep,
          `${say}: names ${m.name}, whose own ${family} ${own.severity} already paged: the outage pages twice`,
        );
    }
  }

  /**
   * README "Severity and paging": a member's own outage alerts (no more
   * severe than the fleet alert) are held by the open fleet alert that names
   * it: one page for the group, not one per circuit. A fleet alert whose own
   * partition fails still holds them (README "Guarantees"); only a sweep that
   * could not list the stored alerts cannot know the fleet alert is there,
   * and pages its members one by one (each once: its key opens once).
   */
  private heldByFleet(
    sweep: number,
    at: number,
    e: AlertEvent,
    say: string,
    name: CircuitName,
  ): void {
    if (e.family !== "path-down" && e.family !== "provider") return;
    if (e.severity !== "Sev0" && e.severity !== "Sev1") return;
    const holder = [...this.keys.values()].find(
      (f) =>
        f.open &&
        f.family === "fleet" &&
        f.members.includes(name) &&
        severityRank(e.severity) >= severityRank(f.severity),
    );
    if (holder && !this.fleetsUnlisted(at))
      this.fail(
        sweep,
        `${say}: paged on its own while the open fleet ${holder.severity} alert naming it holds it`,
      );
  }

  /**
   * `monitoring-blind`: only where reads failed, Sev3, naming the call; resolved
   * only once they work. `sweep` is the one that decided it.
   */
  private blind(
    sweep: number,
    e: AlertEvent,
    say: string,
    subject: CircuitName | "listing" | undefined,
  ): void {
    if (!subject) return;
    if (e.severity !== "Sev3") this.fail(sweep, `${say}: monitoring-blind is Sev3`);
    const failing = (s: number) =>
      this.troubleOn(subject, s).length > 0 && (subject === "listing" || this.listed(s));
    if (e.action === "open") {
      for (let s = sweep - BLIND_AFTER + 1; s <= sweep; s += 1)
        if (!failing(s) && !(s < sweep && !this.listed(s)))
          this.fail(sweep, `${say}: opened, but ${subject}'s reads worked at sweep ${s}`);
    }
    if (e.action === "open" || e.action === "escalate" || e.action === "deescalate") {
      const now = this.troubleOn(subject, sweep);
      const kinds = new Set(now.map((t) => t.kind));
      const named =
        /: (forbidden|unauthenticated|not-found|throttled|timeout|server-error|network|malformed|internal)( \(missing ([^)]+)\))?/.exec(
          e.title,
        );
      if (now.length > 0 && !named && !now.some((t) => t.kind === "malformed"))
        this.fail(sweep, `${say}: title "${e.title}" names no failing call`);
      if (named && !kinds.has(named[1] as ReadTrouble["kind"]))
        this.fail(
          sweep,
          `${say}: title "${e.title}" names ${named[1]}, not ${[...kinds].join("/")}`,
        );
      if (named?.[3] && !now.some((t) => t.kind === "forbidden" && t.action === named[3]))
        this.fail(sweep, `${say}: title "${e.title}" names a permission nothing refused`);
      if (kinds.has("forbidden") && !named?.[3])
        this.fail(sweep, `${say}: title "${e.title}" does not name the missing permission`);
      const reads = (e.evidence["failedReads"] ?? []) as { call?: string }[];
      for (const r of reads)
        if (!now.some((t) => t.action === r.call))
          this.fail(sweep, `${say}: names call ${r.call}, which did not fail`);
    }
    if (e.action === "resolve") {
      for (const s of [sweep - 1, sweep])
        if (failing(s))
          this.fail(sweep, `${say}: resolved, but ${subject}'s reads failed at sweep ${s}`);
      if (subject !== "listing" && !this.listed(sweep))
        this.fail(sweep, `${say}: resolved while the circuits could not be listed`);
    }
  }

  /**
   * The one `Blind:` repeat: an open Sev0/Sev1 whose layers erwatch has not
   * read for as long as monitoring-blind waits, once until it is read again.
   */
  private blindNotice(
    sweep: number,
    e: AlertEvent,
    say: string,
    before: KeyTrack | undefined,
    name: CircuitName | undefined,
    members: string[],
  ): void {
    if (!before || !["Sev0", "Sev1"].includes(before.severity))
      this.fail(sweep, `${say}: a blind notice for a ${before?.severity ?? "closed"} alert`);
    if (e.severity !== before?.severity)
      this.fail(sweep, `${say}: a blind notice changed the severity from ${before?.severity}`);
    if (!e.blindSince) this.fail(sweep, `${say}: a blind notice without blindSince`);
    // A flap alert is counted from the circuit's history: unreadable, it cannot be judged though the circuit reads.
    const flaps = e.family === "session-flapping";
    const historyLost = (s: number) => flaps && name !== undefined && this.historyUnread(name, s);
    const blindAt = (s: number): boolean => {
      if (name)
        return e.family === "provider" ? !this.listed(s) : !this.seen(name, s) || historyLost(s);
      return members.some((m) => !this.seen(m as CircuitName, s));
    };
    // It says why: its history when the circuit's paths were read this sweep, never when they were not.
    const pathsRead = name !== undefined && this.unread(name, sweep).length === 0;
    if (e.blindCause === "history" && !(historyLost(sweep) && pathsRead))
      this.fail(sweep, `${say}: blames the history, but it was read (or the circuit was not)`);
    if (e.blindCause !== "history" && historyLost(sweep) && pathsRead)
      this.fail(
        sweep,
        `${say}: says the circuit cannot be seen, but only its history could not be read`,
      );
    // With fan-out the timer tells a fleet alert's holder as of the sweep before
    // (its workers' readings: this sweep's workers read after it); a worker that
    // read a member this sweep, and could not read it whole, tells it as of now.
    const lag = name ? 0 : (this.options.fleetResolveLag ?? 0);
    const readIn = (end: number) => {
      for (let s = end - BLIND_AFTER + 1; s <= end; s += 1) if (!blindAt(s)) return s;
      return null;
    };
    const read = readIn(sweep - lag);
    if (read !== null && (lag === 0 || readIn(sweep) !== null))
      this.fail(sweep, `${say}: but it was read at sweep ${read}`);
    const last = before?.blindNoticeAt;
    if (last !== undefined) {
      const lost = (m: CircuitName, s: number) =>
        (this.options.readLost ?? this.options.storageFailed)?.(m, s) === true;
      const kept = (m: CircuitName, s: number) => this.unread(m, s).length === 0 && !lost(m, s);
      // A member listed de-provisioned was read whatever its path reads did
      // (README "Blind": masked is a reading), as for a circuit's own alert.
      const masked = (m: CircuitName, s: number) =>
        this.listed(s) && this.truth(m, s).providerDown && !lost(m, s);
      const readAt = (s: number): boolean => {
        if (name)
          return e.family === "provider" ? this.listed(s) : kept(name, s) && !historyLost(s);
        return members.every((m) => kept(m as CircuitName, s) || masked(m as CircuitName, s));
      };
      let readBetween = false;
      for (let s = last + 1; s < sweep; s += 1) if (readAt(s)) readBetween = true;
      if (!readBetween)
        this.fail(
          sweep,
          `${say}: a second blind notice (after sweep ${last}) with no reading between`,
        );
    }
  }

  /** The latest sweep before `sweep` at which the circuit was listed, or -1. */
  private lastListedBefore(sweep: number): number {
    let s = sweep - 1;
    while (s >= 0 && !this.listed(s)) s -= 1;
    return s;
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
      // A group opens with two circuits at least; once the receivers hold it, it goes on
      // while any member has the outage, its severity following what is left of it
      // (README "Fleet outages": one member recovered, the other read Sev1 de-escalates it).
      const least = e.action === "open" ? 2 : 1;
      if (members.length < least) this.fail(sweep, `${say}: a group of ${members.length}`);
      // With fan-out a fleet alert still open a sweep longer (the timer resolves it) holds a flap a sweep longer too.
      const back = 1 + (this.options.fleetResolveLag ?? 0);
      for (const m of members as CircuitName[]) {
        let healthy = true;
        for (let s = sweep - back; s <= sweep; s += 1)
          if (troubled(this.truth(m, s)) || !this.seen(m, s)) healthy = false;
        // A site's flapping is judged over the hour, as a circuit's own is: a member up
        // now whose paths changed more than 3 times in it is flapping (seed 842: dropped
        // at sweeps 1 and 3, named at 5 when the provider alert holding its flap resolved).
        if (healthy && this.pathChanges(m, sweep) >= 4) healthy = false;
        if (healthy)
          this.fail(sweep, `${say}: names ${m}, healthy at this sweep and the ${back} before`);
      }
      return;
    }
    if (!name) return;
    const now = this.truth(name, sweep);
    const unread = this.unread(name, sweep);
    const down = downPaths(now);
    const seenDown = down.filter((p) => !unread.includes(p));
    const sev0 = e.severity === "Sev0";
    // Hysteresis: below Sev0, nothing opens on one sweep's sighting. The sweep before
    // that erwatch could list must have shown it too.
    // A sweep the circuit's storage failed in may still have recorded its sighting (the write
    // landed, its answer was lost): any of those back to the last one that surely counted will do.
    const priors = [this.lastListedBefore(sweep)];
    while (priors.at(-1)! >= 0 && this.storageFailed(name, priors.at(-1)!))
      priors.push(this.lastListedBefore(priors.at(-1)!));
    const prior = priors.at(-1)!;
    // A sighting is what fired the key on the paths erwatch read: a failed read is UNKNOWN for
    // its path alone (README "Guarantees"), so the other path's rows still fire the key and
    // count toward the open (observe.ts). Seed 854: the primary's count over the limit, the
    // secondary unread, at a sweep whose publish hung (its reading stored all the same).
    const heldBefore = (holds: (t: Truth, read: PathName[]) => boolean) =>
      e.action !== "open" ||
      sev0 ||
      prior < 0 ||
      !this.seen(name, prior) ||
      priors.some((p) => {
        if (p < 0) return false;
        const read = PATHS.filter((x) => !this.unread(name, p).includes(x));
        return read.length > 0 && holds(this.truth(name, p), read);
      });
    switch (e.family) {
      case "path-down": {
        if (unread.length === 0) {
          if (down.length === 0) this.fail(sweep, `${say}: both paths are up`);
          else if (down.length === 2 && e.severity !== "Sev0")
            this.fail(sweep, `${say}: both paths down must be Sev0`);
          else if (down.length === 1 && e.severity !== "Sev2")
            this.fail(sweep, `${say}: one path down, redundancy holding, must be Sev2`);
        } else if (seenDown.length === 0)
          this.fail(sweep, `${say}: no path read down (${unread.join("+")} unread)`);
        else if (e.severity !== "Sev1")
          this.fail(
            sweep,
            `${say}: ${seenDown.join("+")} down and ${unread.join("+")} unread is "redundancy unverified", Sev1`,
          );
        for (const p of e.paths)
          if (!down.includes(p) && !unread.includes(p))
            this.fail(sweep, `${say}: names ${p}, which is up and was read`);
        for (const p of seenDown)
          if (!e.paths.includes(p)) this.fail(sweep, `${say}: leaves out ${p}, read down`);
        if (!heldBefore((t, read) => read.some((p) => t.paths[p] !== "up")))
          this.fail(sweep, `${say}: opened on a one-sweep blip`);
        break;
      }
      case "route-limit": {
        const want: Severity | null =
          now.level === "over" ? "Sev2" : now.level === "near" ? "Sev3" : null;
        if (e.severity !== want)
          this.fail(sweep, `${say}: prefixes ${now.level}, want ${want ?? "no alert"}`);
        // A path carries its count only while its session is up: a down one fires no route-limit.
        if (!heldBefore((t, read) => t.level !== "normal" && read.some((p) => t.paths[p] === "up")))
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

  /** A resolve says the condition is gone: it must be gone, for the resolve count of clean readings. */
  private resolve(
    sweep: number,
    e: AlertEvent,
    say: string,
    name: CircuitName | undefined,
    members: string[],
    before: KeyTrack | undefined,
  ): void {
    if (e.family === "fleet") {
      for (const m of members as CircuitName[]) {
        if (outage(this.truth(m, sweep))) this.fail(sweep, `${say}: ${m} still has the outage`);
        if (!this.listed(sweep)) this.fail(sweep, `${say}: ${m} could not be listed`);
      }
      return;
    }
    if (!name) return;
    switch (e.family) {
      case "path-down": {
        const unread = this.unread(name, sweep);
        for (const p of before?.paths ?? [])
          if (unread.includes(p))
            this.fail(sweep, `${say}: ${p}, told down, could not be read: not a recovery`);
        const s = this.cleanBefore(
          name,
          sweep,
          (x) => this.unread(name, x).length === 0,
          (x) => downPaths(this.truth(name, x)).length === 0,
        );
        if (s !== null)
          this.fail(
            sweep,
            `${say}: ${downPaths(this.truth(name, s)).join("+")} down at sweep ${s}`,
          );
        break;
      }
      case "route-limit":
        if (this.truth(name, sweep).level !== "normal")
          this.fail(sweep, `${say}: prefixes still ${this.truth(name, sweep).level}`);
        break;
      case "provider": {
        const s = this.cleanBefore(
          name,
          sweep,
          (x) => this.listed(x),
          (x) => !this.truth(name, x).providerDown,
        );
        if (s !== null) this.fail(sweep, `${say}: provider still not provisioned at sweep ${s}`);
        break;
      }
    }
  }

  /**
   * A resolve needs its last RESOLVE_AFTER readings clean: the sweep that
   * breaks that, or null. A sweep the circuit's storage failed in may or may
   * not have been one of them (its write may have landed with its answer
   * lost), so the most lenient history that fits is taken: it counts when
   * clean and is passed over when not.
   */
  private cleanBefore(
    name: CircuitName,
    sweep: number,
    read: (s: number) => boolean,
    clean: (s: number) => boolean,
  ): number | null {
    let count = 0;
    for (let s = sweep; s >= 0 && count < RESOLVE_AFTER; s -= 1) {
      if (!read(s)) continue;
      if (clean(s)) count += 1;
      else if (s === sweep || !this.storageFailed(name, s)) return s;
    }
    return null;
  }

  /** A fault that lasts is heard about, within hysteresis and one sweep of read lag, where erwatch can read it and no silence holds it. */
  private coverage(sweep: number): void {
    for (const { name } of CIRCUITS) {
      const covering = this.covering(name);
      const judged = (s: number) => this.seen(name, s) && !this.silencedAt(name, s);
      // An outage of the site at a sweep its fleet alert's storage failed in may page late by
      // that sweep: the fleet alert's write, landed or not, held it; the fleet alert's page goes
      // out at the next, or its members page on their own then when it was not written.
      const late = (s: number) =>
        this.storageFailed(name, s) ||
        (AT_SITE.includes(name) && this.fleetStorageFailed(s) && outage(this.truth(name, s)));
      // A sweep passed over is one erwatch may not have seen, or may have seen: where the estate
      // was clean in it, erwatch may have read it clean and resolved on it (seed 859: the resolve
      // was heard), so a fault after it is a new one and starts its hysteresis anew.
      const lateWhile = (holds: (t: Truth) => boolean) => (s: number) =>
        late(s) && holds(this.truth(name, s));
      // The listing carries the provider's state: no read lag, and Sev0 opens on its first sweep.
      if (
        this.truth(name, sweep).providerDown &&
        this.listed(sweep) &&
        !late(sweep) &&
        !this.silencedAt(name, sweep) &&
        !covering.some((k) => k.severity === "Sev0")
      )
        this.fail(sweep, `${name}: de-provisioned and no Sev0 open for it`);
      // Each judged only while the fault is there now: a sweep passed over (its storage or
      // its publish failed) may still have read the repair, and the alert resolve on it.
      const now = this.truth(name, sweep);
      if (
        outage(now) &&
        this.run(name, sweep, (t, s) => outage(t) && judged(s), lateWhile(outage)) >=
          OPEN_AFTER_SEV0 + READ_LAG
      ) {
        if (!covering.some((k) => k.severity === "Sev0"))
          this.fail(sweep, `${name}: traffic stopped and no Sev0 open for it`);
      }
      if (
        downPaths(now).length > 0 &&
        this.run(
          name,
          sweep,
          (t, s) => downPaths(t).length > 0 && judged(s),
          lateWhile((t) => downPaths(t).length > 0),
        ) >=
          OPEN_AFTER + READ_LAG
      ) {
        if (covering.length === 0) this.fail(sweep, `${name}: a path down and nothing open for it`);
      }
      const limitSeen = (t: Truth, s: number) => t.level !== "normal" && !outage(t) && judged(s);
      if (
        now.level !== "normal" &&
        !outage(now) &&
        this.run(
          name,
          sweep,
          limitSeen,
          (s) => this.storageFailed(name, s) && this.truth(name, s).level !== "normal",
        ) >=
          OPEN_AFTER + READ_LAG
      ) {
        if (!covering.some((k) => k.family === "route-limit"))
          this.fail(
            sweep,
            `${name}: prefixes ${this.truth(name, sweep).level} and no route-limit open`,
          );
      }
    }
  }

  /** The open monitoring-blind keys about a subject. */
  private blindKeys(subject: CircuitName | "listing"): KeyTrack[] {
    return [...this.keys.values()].filter(
      (k) =>
        k.open &&
        k.family === "monitoring-blind" &&
        (subject === "listing"
          ? SUBSCRIPTION_SUBJECT.test(k.circuitId)
          : k.circuitName === subject),
    );
  }

  /**
   * Reads that keep failing open monitoring-blind (after BLIND_AFTER sweeps and one of read lag;
   * refused alone, REFUSED_TURN_LAG more at most);
   * an open Sev0/Sev1 erwatch has not seen that long has had its one `Blind:` notice.
   */
  private blindCoverage(sweep: number): void {
    if (this.runOf(sweep, (s) => !this.listed(s)) >= BLIND_AFTER + READ_LAG)
      if (this.blindKeys("listing").length === 0)
        this.fail(
          sweep,
          `the listing has failed since sweep ${sweep - BLIND_AFTER - READ_LAG + 1} and no monitoring-blind is open for the subscription`,
        );
    for (const { name } of CIRCUITS) {
      const failing = (s: number) =>
        this.troubleOn(name, s).length > 0 &&
        this.listed(s) &&
        !this.truth(name, s).providerDown &&
        !this.silencedAt(name, s);
      // Refused alone at every sweep of the run: read in its turn (REFUSED_TURN_LAG).
      const refusedAlone = (s: number) =>
        this.troubleOn(name, s).every((t) => t.kind === "forbidden");
      const run = this.runOf(sweep, failing);
      let turn = 0;
      if (run > 0 && this.runOf(sweep, (s) => failing(s) && refusedAlone(s)) === run)
        turn = REFUSED_TURN_LAG;
      // Decided at a sweep whose pages could not leave, it is heard a sweep later.
      if (
        run >= BLIND_AFTER + READ_LAG + turn &&
        this.blindKeys(name).length === 0 &&
        !this.storageFailed(name, sweep)
      )
        this.fail(
          sweep,
          `${name}: its reads have failed ${run} sweeps${turn > 0 ? " (refused alone)" : ""} and no monitoring-blind is open for it`,
        );
    }
    for (const [key, k] of this.keys) {
      if (!k.open || !["Sev0", "Sev1"].includes(k.severity)) continue;
      if (k.family === "fleet") {
        this.fleetBlindCoverage(sweep, key, k);
        continue;
      }
      if (k.family !== "path-down" && k.family !== "provider") continue;
      const name = k.circuitName as CircuitName;
      if (this.covering(name).some((c) => c.family === "fleet")) continue;
      // The provider's open Sev0 holds the circuit's path alerts and is as severe:
      // its own notice speaks for them (README "Blind": one as severe speaks for it).
      if (k.family === "path-down" && this.covering(name).some((c) => c.family === "provider"))
        continue;
      // A path alert under a listed circuit the carrier has de-provisioned is
      // masked, and masked is a reading (README "Blind"): erwatch saw the
      // circuit carry nothing, whatever its path reads did.
      const masked = (s: number) => this.listed(s) && this.truth(name, s).providerDown;
      const blind = (s: number) =>
        k.family === "provider" ? !this.listed(s) : this.unread(name, s).length === 2 && !masked(s);
      const n = this.runOf(sweep, blind);
      // A spell of a path alert begins where a path first went unread: with one
      // path unread erwatch cannot confirm the alert either, and its one notice
      // may already have gone out then (README: again only once read and lost anew).
      const partly = (s: number) =>
        k.family === "provider" ? !this.listed(s) : this.unread(name, s).length > 0 && !masked(s);
      const spell = Math.max(n, this.runOf(sweep, partly));
      // Only where no silence was in force over the circuit in the whole spell: what a silence withheld is not judged here.
      let quiet = true;
      for (let s = sweep - n + 1; s <= sweep; s += 1) if (this.silencedAt(name, s)) quiet = false;
      if (quiet && n >= BLIND_AFTER + READ_LAG && (k.blindNoticeAt ?? -1) <= sweep - spell)
        this.fail(
          sweep,
          `${k.family} ${k.severity} ${key} of ${name}: unread ${n} sweeps and no Blind: notice`,
        );
    }
  }

  /**
   * A fleet alert erwatch has not seen (the listing failed, or neither was
   * every member read nor any member read still with the outage) for as long
   * as monitoring-blind waits has had its one `Blind:` notice (README "Blind":
   * a fleet outage is too, blind when no member read says more; with fan-out
   * the timer sends it, a sweep later at most). A member read without the
   * outage while another is unread is no sighting: the alert can neither
   * resolve nor go on by it, so the spell and its one notice go on (seed 936
   * took such a sweep for a sighting and asked for a second notice). Not
   * judged where a silence was over a member in the spell: a fleet under a
   * silence is told nothing.
   */
  private fleetBlindCoverage(sweep: number, key: string, k: KeyTrack): void {
    const names = k.members as CircuitName[];
    if (names.length === 0) return;
    // A member listed de-provisioned is read still with the outage whatever its
    // path reads did (README "Blind": masked is a reading), as for the second
    // notice above (seed 965: soak-ams-a NotProvisioned, its secondary throttled).
    const masked = (m: CircuitName, s: number) =>
      this.listed(s) && this.truth(m, s).providerDown && !this.storageFailed(m, s);
    const blind = (s: number) =>
      !this.listed(s) ||
      !(
        names.every((m) => this.seen(m, s)) ||
        names.some((m) => (this.seen(m, s) && outage(this.truth(m, s))) || masked(m, s))
      );
    const n = this.runOf(sweep, blind);
    for (let s = sweep - n + 1; s <= sweep; s += 1)
      if (names.some((m) => this.silencedAt(m, s))) return;
    if (
      n >= BLIND_AFTER + READ_LAG + (this.options.fleetResolveLag ?? 0) &&
      (k.blindNoticeAt ?? -1) <= sweep - n
    )
      this.fail(
        sweep,
        `fleet ${k.severity} ${key} of ${names.join("+")}: none of them read ${n} sweeps and no Blind: notice`,
      );
  }

  /** Once a circuit is clean for the resolve count, nothing about it stays open (longer after a flap). */
  private resolvedInTime(sweep: number): void {
    for (const [key, k] of this.keys) {
      if (!k.open) continue;
      if (k.family === "monitoring-blind") {
        const subject = SUBSCRIPTION_SUBJECT.test(k.circuitId)
          ? "listing"
          : (k.circuitName as CircuitName);
        const clean = this.runOf(
          sweep,
          (s) =>
            this.troubleOn(subject, s).length === 0 &&
            this.listed(s) &&
            (subject === "listing" || !this.silencedAt(subject, s)),
        );
        if (clean > RESOLVE_AFTER - 1 + READ_LAG)
          this.fail(
            sweep,
            `monitoring-blind ${key} of ${subject} open ${clean} sweeps after its reads worked`,
          );
        continue;
      }
      const names = (k.family === "fleet" ? k.members : [k.circuitName]) as CircuitName[];
      // A fleet alert whose own storage failed is judged a sweep later: its resolve is late by those sweeps.
      // Such a sweep while the circuit was in trouble still ends the clean run: the
      // condition was there, seen or not (its events may have been decided and sent late).
      const passed = (n: CircuitName) => (s: number) =>
        (this.storageFailed(n, s) || (k.family === "fleet" && this.fleetStorageFailed(s))) &&
        !troubled(this.truth(n, s));
      const clean = Math.min(
        ...names.map((n) =>
          this.run(
            n,
            sweep,
            (t, s) => !troubled(t) && this.seen(n, s) && !this.silencedAt(n, s),
            passed(n),
          ),
        ),
      );
      // A circuit's alert a fleet alert holds resolves with it (its resolve is held
      // until the fleet's goes out): with fan-out, a sweep later too.
      const heldByFleet =
        k.family !== "fleet" &&
        this.covering(k.circuitName as CircuitName).some((c) => c.family === "fleet");
      // A flap holds the resolve once it is heard, or once the estate made one
      // (for the hour after it, the flap window) that erwatch may hold unheard.
      const flapping = (n: CircuitName) =>
        this.flapped.has(n) ||
        Array.from({ length: FLAP_HOLD }, (_, i) => sweep - i).some((s) =>
          this.flappedInTruth(n, s),
        );
      const allowed =
        (names.some(flapping) ? FLAP_HOLD : RESOLVE_AFTER - 1) +
        (k.family === "fleet" || heldByFleet ? (this.options.fleetResolveLag ?? 0) : 0);
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

  timeline(schedule: readonly unknown[]): string {
    const lines = [`schedule: ${JSON.stringify(schedule)}`];
    this.truths.forEach((perCircuit, sweep) => {
      const shown = [...perCircuit]
        .filter(([, t]) => troubled(t))
        .map(
          ([n, t]) =>
            `${n} ${[t.providerDown ? "provider-down" : "", ...PATHS.map((p) => (t.paths[p] === "up" ? "" : `${p}:${t.paths[p]}`)), t.level === "normal" ? "" : `prefixes-${t.level}`].filter(Boolean).join(",")}`,
        );
      const sight = [
        ...this.sight
          .trouble(sweep)
          .map((t) => `${t.subject}${t.path ? `/${t.path}` : ""} ${t.kind}`),
        ...this.sight
          .silences(sweep)
          .map(
            (s) =>
              `silenced ${s.circuit}${s.peering ? `/${s.peering}` : ""}${s.path ? `/${s.path}` : ""}`,
          ),
      ];
      const events = this.log.filter((l) => l.startsWith(`  sweep ${sweep}:`));
      if (shown.length > 0 || events.length > 0 || sight.length > 0)
        lines.push(
          `sweep ${sweep} (+${sweep * INTERVAL_MIN} min): ${shown.join(" | ") || "healthy"}${sight.length > 0 ? ` {${sight.join("; ")}}` : ""}`,
          ...events,
        );
    });
    return lines.join("\n");
  }
}

export interface PdBody {
  event_action: string;
  dedup_key: string;
}

/** PagerDuty is routed Sev2 and worse, by the episode's peak: it hears exactly those events, in order. */
export function pagerDutyMismatches(w: World, events: AlertEvent[]): string[] {
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

/**
 * What every soak checks once its faults are over and it has swept until
 * calm: nothing open at the broker, nothing stored but clear, and PagerDuty
 * holding exactly what was routed to it. Returns every event the broker took.
 */
export async function endOfRun(w: World, judge: Judge): Promise<AlertEvent[]> {
  const left = judge.openKeys().map((o) => `${o.family} ${o.severity} of ${o.circuitName}`);
  if (left.length > 0) judge.violations.push(`left open at the end: ${left.join("; ")}`);
  const stored = (await w.runtime.store.listAlerts()).filter((a) => a.value.phase !== "clear");
  for (const a of stored)
    judge.violations.push(
      `stored ${a.value.family} of ${a.value.circuitName} still ${a.value.phase} at the end`,
    );
  await w.dispatchPending(30_000);
  const events = w.broker.accepted(ALERTS_QUEUE).map((m) => m.body as AlertEvent);
  judge.violations.push(...pagerDutyMismatches(w, events));
  return events;
}
