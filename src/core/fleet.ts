// Fleet grouping, as Alertmanager's group_by: circuits that share provider and
// peering location and break at the same layer in the same sweep are one
// incident (one page naming them all, one carrier ticket listing every service
// key), not one identical page per circuit.

import { createHash } from "node:crypto";
import type { CircuitReading, CircuitVerdict, Finding, Layer, Severity } from "./model.js";
import { alertKey, FAMILY_OF } from "./alert-identity.js";
import { advanceStep, decideStep, holdsOf, type AlertContext } from "./alert-step.js";
import { ipv6Alone, type Hold } from "./inhibit.js";
import { placeWord } from "./place.js";
import { fleetMembersOf, type FleetMember } from "./fleet-members.js";
import {
  alreadyEvaluated,
  CONCURRENT_SWEEP_MS,
  unverifiedEscalation,
  type AlertState,
} from "./lifecycle.js";
import type { Observation } from "./observe.js";
import { storedInstant } from "./instant.js";
import { pathsUnread } from "./read-age.js";
import { isRecord } from "./record.js";
import { mostSevere, severityRank } from "./severity.js";
import type { Snapshot } from "./snapshot.js";

/** A circuit's newly opening outage, a candidate for grouping. */
export interface FleetCandidate {
  circuitId: string;
  /** The member's own alert key for this outage (held while the fleet alert fires). */
  key: string;
  /** Breaking this sweep (its own alert was not open before): only such circuits start a group. */
  fresh: boolean;
  /**
   * Its own alert would open and page this sweep but for the fleet holding it
   * (a flap at once; a Sev1 outage only after its hysteresis; not while held
   * by its own circuit's alerts or silenced). A group with such a member opens
   * at once: grouping must never page later than the member alone would have.
   */
  pagesAlone: boolean;
  circuitName: string;
  subscriptionId: string;
  serviceKey: string | null;
  /** The circuit's tags: routes that page a circuit's owners by tag match the fleet alert naming it. */
  tags?: Record<string, string>;
  provider: string | null;
  location: string | null;
  finding: Finding;
  /** Paths of the finding's peering that could not be read this sweep. */
  unreadPaths?: readonly string[];
  /** Its own alert's last clean reading, as judged this sweep (null: none known): a new group's hysteresis counts from the earliest. */
  lastCleanAt?: string | null;
}

export interface FleetGroup {
  /** Stable identity: provider, location and layer, as places are keyed (core/place.ts). */
  id: string;
  provider: string;
  location: string;
  layer: Layer;
  members: FleetCandidate[];
}

/** Grouping starts at two circuits: one is just an outage. */
export const FLEET_MIN_CIRCUITS = 2;

/**
 * Only outages page grouped: the provider's side, paths down, and sessions
 * flapping on layer-1 evidence (a carrier's site that keeps dropping and
 * coming back flaps every circuit there at once).
 */
export const FLEET_FAMILIES = ["provider", "path-down", "session-flapping"] as const;
/** Only what pages now is worth a group's wait. */
const FLEET_WORST: Severity = "Sev1";

/**
 * The layers those outages are found at. A fleet alert is named by its place
 * and layer, so these are every fleet alert a place can have: read one by one
 * when the Alerts table cannot be listed (app/record-fleet.ts).
 */
export const FLEET_LAYERS = ["provider", "bgp", "routes"] as const satisfies readonly Layer[];

const groupable = (f: Pick<Finding, "code" | "severity" | "owner" | "layer" | "evidence">) =>
  (FLEET_FAMILIES as readonly string[]).includes(FAMILY_OF[f.code]) &&
  (FLEET_LAYERS as readonly string[]).includes(f.layer) &&
  severityRank(f.severity) <= severityRank(FLEET_WORST) &&
  // A session reset by its own route limit is that circuit's, not the place's.
  (f.code !== "session-flapping" || f.owner === "carrier") &&
  // IPv6 alone down (or receiving nothing, or flapping) beside IPv4 carrying is
  // that circuit's IPv6, not the place's: a site or a carrier's link takes both
  // families. Grouped, its Sev1 joined a Sev0 site outage at the same layer
  // (its own alert held, its service key on the carrier's ticket as broken,
  // "do not change router configuration" for what may be its IPv6 config).
  !ipv6Alone(f.evidence);

/** The pseudo-circuit a fleet alert lives under (its storage partition and alert key). */
const slug = (s: string) => placeWord(s).replace(/[^a-z0-9]+/g, "-");

/** What every fleet pseudo-circuit id of one provider and location starts with. */
export function fleetPlacePrefix(provider: string, location: string): string {
  return `/erwatch/fleet/${slug(provider)}/${slug(location)}/`;
}

export function fleetCircuitId(provider: string, location: string, layer: Layer): string {
  const hash = createHash("sha256")
    .update([provider, location, layer].map(placeWord).join("|"))
    .digest("hex")
    .slice(0, 12);
  return `${fleetPlacePrefix(provider, location)}${layer}-${hash}`;
}

/** Every fleet alert a provider and location can have (lower-case pseudo-circuit ids), one per layer. */
export function fleetIdsAt(provider: string, location: string): string[] {
  return FLEET_LAYERS.map((layer) => fleetCircuitId(provider, location, layer).toLowerCase());
}

/**
 * Whether a fleet alert's pseudo-circuit id is at this provider and peering
 * location (null: any), as the id spells them (lower case, punctuation as
 * dashes); null when the id is no fleet alert's. A fleet alert has no
 * snapshot of its own: its place is in its id.
 */
export function fleetAt(
  circuitId: string,
  where: { provider: string | null; location: string | null },
): boolean | null {
  const place = /^\/erwatch\/fleet\/([^/]*)\/([^/]*)\//i.exec(circuitId);
  if (!place) return null;
  const same = (wanted: string | null, spelled: string | undefined) =>
    wanted === null || slug(wanted) === spelled?.toLowerCase();
  return same(where.provider, place[1]) && same(where.location, place[2]);
}

/** Every group the candidates form, of any size. */
function groupAll(candidates: FleetCandidate[]): FleetGroup[] {
  const groups = new Map<string, FleetGroup>();
  for (const c of candidates) {
    if (!groupable(c.finding) || !c.provider || !c.location) continue;
    const id = fleetCircuitId(c.provider, c.location, c.finding.layer);
    const group = groups.get(id) ?? {
      id,
      provider: c.provider,
      location: c.location,
      layer: c.finding.layer,
      members: [],
    };
    if (!group.members.some((m) => m.circuitId.toLowerCase() === c.circuitId.toLowerCase()))
      group.members.push(c);
    groups.set(id, group);
  }
  return [...groups.values()].map((g) => ({
    ...g,
    members: g.members.sort((a, b) => a.circuitName.localeCompare(b.circuitName)),
  }));
}

export function fleetGroups(candidates: FleetCandidate[]): FleetGroup[] {
  return groupAll(candidates).filter((g) => g.members.length >= FLEET_MIN_CIRCUITS);
}

/** What the circuit's own alerts are judged by this sweep (the circuit is the verdict's). */
export type MemberJudgement = Omit<AlertContext, "circuit">;

/**
 * Not an outage the circuit paged on its own: none the receivers hold (a
 * resolve held back by a flap, an inhibition or a silence leaves its page
 * open there, whatever the phase: named by a fleet alert when the site broke,
 * the outage paged twice, hunt seed 924), and none firing. One resolving that
 * a fleet alert held from the receivers (never told) and that breaks again
 * rejoins the group instead of paging alone beside it (hunt seed 873). One
 * firing and never told stays out: its fleet alert could not be written, and
 * it pages on its own rather than be held for ever.
 */
const isFresh = (state: AlertState | undefined): boolean =>
  !state?.notified && state?.phase !== "firing";

/** A circuit's firing outages that may group: those with a provider and a peering location. */
export function fleetCandidates(
  verdict: CircuitVerdict,
  observations: Observation[],
  /** What storage held for the circuit's keys before this sweep. */
  previous: ReadonlyMap<string, AlertState>,
  judgement: MemberJudgement,
): FleetCandidate[] {
  const provider = verdict.serviceProviderName;
  const location = verdict.peeringLocation;
  if (!provider?.trim() || !location?.trim()) return [];
  // The circuit's alerts as the sweep will judge them, without any fleet's hold:
  // the same steps record-circuit takes, so "would page alone" is what it would do.
  const ctx: AlertContext = { ...judgement, circuit: { id: verdict.id, name: verdict.name } };
  const steps = observations.map((o) => advanceStep(o, previous.get(o.key) ?? null, ctx));
  const own = holdsOf(steps, verdict.id);
  return steps.flatMap((step) => {
    const o = step.observation;
    // Worse only because a path could not be read this sweep: its own alert
    // waits a sweep to say so (unverifiedEscalation), and so does the group.
    return o.state === "firing" &&
      o.finding &&
      groupable(o.finding) &&
      !unverifiedEscalation(step.previous, o)
      ? [
          {
            circuitId: verdict.id,
            key: o.key,
            fresh: isFresh(previous.get(o.key)),
            pagesAlone: decideStep(step, own, ctx)?.action === "open",
            circuitName: verdict.name,
            subscriptionId: verdict.subscriptionId,
            serviceKey: verdict.serviceKey,
            tags: verdict.tags ?? {},
            provider,
            location,
            finding: o.finding,
            unreadPaths: o.unreadPaths ?? [],
            lastCleanAt: step.advanced?.lastCleanAt ?? null,
          },
        ]
      : [];
  });
}

/**
 * Whether a circuit this run read counts as read for the fleet alerts that
 * name it, so that one it is the last member of may be clean: its outage's
 * layers were read. A member whose reads failed is UNKNOWN, named as last
 * seen, never "read without the outage": its outage alerts are observed
 * UNKNOWN then (observe.ts); one whose paths were not read (read-age.ts
 * `pathsUnread`) is not read either, though the outage alerts it has say
 * nothing of them (its provider's alert read clean from the listing, no
 * path-down alert because its paths were up when last read): a site back in
 * the listing with its paths unread is not known to carry (hunt seed 908).
 * One with no outage alert of its own (its write failed) is read when its
 * paths were: an outage read would have given it one. Its gateway or an ARP
 * table failing hides none of the fleet's outages, and held a site open for
 * as long as it failed (a role without the ARP action: for good). As the
 * timer judges it with fan-out (`fleetSettledAt`).
 */
export function fleetMemberRead(
  verdict: Pick<CircuitVerdict, "circuitRead">,
  observations: readonly Observation[],
  reading: CircuitReading,
): boolean {
  if (!verdict.circuitRead || pathsUnread(reading)) return false;
  const outages = observations.filter((o) =>
    (FLEET_FAMILIES as readonly string[]).includes(o.family),
  );
  if (outages.length === 0) return true;
  return !outages.some((o) => o.state === "unknown");
}

/** A fleet alert storage holds open (pending, firing or resolving). */
export interface OpenFleet {
  circuitId: string;
  name: string;
  /** Members it last named. */
  memberIds: string[];
  /** What it last said of each member. */
  members: FleetMember[];
  /**
   * Judged already at this sweep's instant, by another run of the same sweep
   * (a fan-out worker, or an earlier group of this run): it is not judged
   * again, but while firing or pending (opening: a group of Sev1 outages waits
   * their hysteresis) it takes in the circuits this run found.
   */
  judged: "joinable" | "other" | null;
  /** The receivers have heard of it (it opened); a group they never heard of may still dissolve. */
  announced: boolean;
}

export function openFleetOf(state: AlertState, now?: Date): OpenFleet | null {
  // Clear with its resolve held back (a silence over its circuits): the
  // receivers still hold it open, so it is judged until the resolve goes out.
  if (state.family !== "fleet" || (state.phase === "clear" && !state.notified)) return null;
  const members = fleetMembersOf(state.condition);
  const judged =
    now && alreadyEvaluated(state, now)
      ? state.phase === "firing" || state.phase === "pending"
        ? "joinable"
        : "other"
      : null;
  return {
    circuitId: state.circuitId,
    name: state.circuitName,
    memberIds: members.map((m) => m.id),
    members,
    judged,
    announced: state.notified !== null && state.notified !== undefined,
  };
}

/** One fleet alert's observation this sweep, with what the events say its subject is. */
export interface FleetObservation {
  subject: { id: string; name: string; subscriptionId: string };
  observation: Observation;
}

export interface FleetStep {
  observations: FleetObservation[];
  /** Member alert key → the fleet alert holding it. */
  holds: Map<string, Hold>;
}

export const FLEET_RULE = "a fleet outage holds the outage alerts of its circuits";

const subjectName = (provider: string, location: string, layer: Layer) =>
  `${provider} at ${location} (${layer})`;

/**
 * The fleet step of one sweep (pure): groups of two or more circuits breaking
 * this sweep fire a fleet alert (a circuit that already paged alone joins
 * none); an open fleet alert keeps firing while any member still has
 * the outage, is clean once every member it named was read without it, and
 * is unknown while one was not read. A member it named that this sweep did
 * not read is still named (as last seen): its outage is not known to be over,
 * and dropping it would let it page alone once read. So is a member read less
 * severe than it said only because a path it named down could not be read
 * (the fleet alert is unknown when every member it finds is such). A fleet alert already
 * judged at this instant (`judged`) is not judged again: while firing or
 * pending, the circuits this run found join it, named with every member it already names;
 * otherwise this run's outages there page on their own. Members' outage alerts
 * no more severe than the fleet alert are held by it; so it opens at once when
 * one of this run's members would page alone now (`pagesAlone`), and otherwise
 * follows its own hysteresis.
 */
export function fleetStep(
  candidates: FleetCandidate[],
  open: OpenFleet[],
  read: ReadonlySet<string>,
  /** This run reads part of the sweep: a member it did not read may be another run's, so it says nothing of "unknown". */
  partial = false,
  /**
   * Members erwatch no longer watches (deleted, or tagged erwatch:ignore: their
   * alerts resolved, their snapshots forgotten), lower-case ids. They are never
   * read again, so they count as read without the outage: a fleet alert that
   * named one still resolves once the others recover.
   */
  gone: ReadonlySet<string> = new Set(),
): FleetStep {
  const openById = new Map(open.map((o) => [o.circuitId.toLowerCase(), o]));
  const observations: FleetObservation[] = [];
  const holds = new Map<string, Hold>();
  const firing = new Set<string>();
  // A circuit that already paged on its own joins no new group; it stays in one it was named in.
  // Named by any open fleet alert at its place and layer, not only the one its
  // id hashes to now: one opened before places collapsed whitespace
  // (core/place.ts) hashed "Silicon  Valley" apart, and its members, held by
  // it and so not fresh, would otherwise join no group and page one by one.
  const member = (c: FleetCandidate) => {
    const at = `${fleetPlacePrefix(c.provider!, c.location!)}${c.finding.layer}-`;
    return open.some(
      (o) =>
        o.circuitId.toLowerCase().startsWith(at) &&
        o.memberIds.some((id) => id.toLowerCase() === c.circuitId.toLowerCase()),
    );
  };
  for (const group of groupAll(candidates.filter((c) => c.fresh || member(c)))) {
    const stored = openById.get(group.id.toLowerCase());
    if (group.members.length < FLEET_MIN_CIRCUITS && !stored) continue;
    if (stored?.judged === "other") {
      firing.add(group.id.toLowerCase());
      continue;
    }
    const same = (id: string) => (m: { circuitId: string }) =>
      m.circuitId.toLowerCase() === id.toLowerCase();
    const others = (stored?.members ?? []).filter((m) => !group.members.some(same(m.id)));
    // Joining a judgement of this instant: every member it names stays as it said.
    // Otherwise a member this run read without the outage is gone, one it did not read stays.
    // One no longer watched is gone, not unread.
    const named = stored?.judged
      ? others
      : others
          .filter((m) => !read.has(m.id.toLowerCase()) && !gone.has(m.id.toLowerCase()))
          .map((m) => ({ ...m, unread: true }));
    // A group the receivers never heard of (waiting its hysteresis) that is down
    // to one circuit is no group: it is over, and that circuit pages as itself.
    if (stored && !stored.announced && !stored.judged)
      if (group.members.length + named.length < FLEET_MIN_CIRCUITS) continue;
    firing.add(group.id.toLowerCase());
    const key = alertKey(group.id, null, "fleet");
    // A member less severe than the group said only because a path the group
    // named down could not be read is named as last seen, as a circuit's own
    // alert is kept (unreadDownPaths): a failed read is not a recovery.
    const asSeen = stored ? group.members.flatMap((c) => lastSeenOf(c, stored.members)) : [];
    const readNow = group.members.filter(
      (c) => !asSeen.some((m) => m.id.toLowerCase() === c.circuitId.toLowerCase()),
    );
    for (const m of group.members)
      if (!readNow.includes(m)) holds.set(m.key, { by: key, rule: FLEET_RULE });
    if (readNow.length === 0) {
      // Nothing this run read says more than the group last said: unknown, held as it was.
      observations.push({
        subject: {
          id: group.id,
          name: subjectName(group.provider, group.location, group.layer),
          subscriptionId: group.members[0]!.subscriptionId,
        },
        observation: fleetObservation(group.id, key, "unknown", null),
      });
      continue;
    }
    const finding = fleetFinding({ ...group, members: readNow }, [...named, ...asSeen]);
    observations.push({
      subject: {
        id: group.id,
        name: subjectName(group.provider, group.location, group.layer),
        subscriptionId: group.members[0]!.subscriptionId,
      },
      observation: {
        ...fleetObservation(group.id, key, "firing", finding),
        previousReadAt: earliestClean(readNow),
        ...(group.members.some((m) => m.pagesAlone) ? { opensAtOnce: true } : {}),
      },
    });
    for (const m of readNow)
      if (severityRank(m.finding.severity) >= severityRank(finding.severity))
        holds.set(m.key, { by: key, rule: FLEET_RULE });
  }
  for (const o of open) {
    if (firing.has(o.circuitId.toLowerCase()) || o.judged) continue;
    const seen =
      o.memberIds.length > 0 &&
      o.memberIds.every((id) => read.has(id.toLowerCase()) || gone.has(id.toLowerCase()));
    if (!seen && partial) continue;
    observations.push({
      subject: { id: o.circuitId, name: o.name, subscriptionId: "" },
      observation: fleetObservation(
        o.circuitId,
        alertKey(o.circuitId, null, "fleet"),
        seen ? "clean" : "unknown",
        null,
      ),
    });
  }
  return { observations, holds };
}

/**
 * When a new group was last read clean: its members' earliest last clean
 * reading, so it opens in the sweep its first member alone would, never
 * sooner. Counted as a circuit never read before (one interval before it was
 * first seen), an on-demand sweep 4 minutes after the group's first sighting
 * opened a Sev1 group its members' own alerts held to the next tick; null
 * (that count) when a member has none known.
 */
function earliestClean(members: readonly FleetCandidate[]): string | null {
  let earliest: { at: string; ms: number } | null = null;
  for (const m of members) {
    const ms = storedInstant(m.lastCleanAt);
    if (ms === null) return null;
    if (earliest === null || ms < earliest.ms) earliest = { at: m.lastCleanAt!, ms };
  }
  return earliest?.at ?? null;
}

/**
 * What the group last said of a member (as last seen) when this sweep's
 * finding is less severe only because a path the group named down could not
 * be read; nothing when the reading says anything new.
 */
function lastSeenOf(c: FleetCandidate, members: readonly FleetMember[]): FleetMember[] {
  const said = members.find((m) => m.id.toLowerCase() === c.circuitId.toLowerCase());
  if (!said?.severity || severityRank(c.finding.severity) <= severityRank(said.severity)) return [];
  const unread = c.unreadPaths ?? [];
  const unseen = said.paths.filter(
    (p) => !(c.finding.paths as readonly string[]).includes(p) && unread.includes(p),
  );
  return unseen.length > 0 ? [{ ...said, unread: true }] : [];
}

/**
 * Fan-out (pure): an open fleet alert's outage is over when none of the
 * members it names still has its own outage alert at the fleet's layer
 * pending or firing. Workers read parts of the sweep and never say a fleet is
 * over; the timer judges it from what they stored, one sweep later. One
 * cleared with its resolve held back (a silence over every circuit it names)
 * is still open at its receivers: no worker judges it (they decide only where
 * they find an outage), so the timer does until the resolve goes out, or it
 * stays open there for good.
 */
export function fleetOver(fleet: AlertState, alerts: readonly AlertState[]): boolean {
  if (fleet.family !== "fleet" || !fleet.condition) return false;
  if (fleet.phase === "clear" && !fleet.notified) return false;
  const layer = fleet.condition.layer;
  const members = new Set(fleetMembersOf(fleet.condition).map((m) => m.id.toLowerCase()));
  if (members.size === 0) return false;
  return !alerts.some(
    (a) =>
      members.has(a.circuitId.toLowerCase()) &&
      (FLEET_FAMILIES as readonly string[]).includes(a.family) &&
      (a.phase === "pending" || a.phase === "firing") &&
      a.condition?.layer === layer &&
      // Down to one path (Sev2, redundancy holding) is the circuit's own alert, not the place's outage.
      groupable(a.condition),
  );
}

/**
 * What the timer knows of a fleet member from its snapshot, asked only of a
 * member its alerts cannot settle (fleetMembersToLookUp): null when it has
 * none (erwatch no longer watches it: deleted, or tagged erwatch:ignore).
 */
export interface MemberSnapshot {
  /** Its last evaluation. */
  takenAt: string;
  /** That evaluation did not read its paths (core/read-age.ts `pathsFailed`; `incomplete` when not kept). */
  pathsFailed: boolean;
  /** The latest evaluation that read its paths (core/read-age.ts `pathsReadAt`); absent when not kept. */
  pathsReadAt?: string | null;
  /** The latest evaluation that did not (core/read-age.ts `pathsFailedAt`); absent when not kept. */
  pathsFailedAt?: string | null;
}

/**
 * What the timer takes from a member's stored snapshot. Its `reads` is not
 * checked with the row (adapters/tables/row-schemas.ts), so each part is read
 * here, and what is odd counts against the member having been read, never
 * for it: a `pathsFailed` that is not true or false is not known (as
 * `incomplete` says, else failed; "" or 0 were taken for "read"), a latest
 * reading of the paths that is not text is none known, and a latest failure
 * that is not text is as late as it can be, the snapshot's own (taken for
 * none, it said no evaluation had failed since, and a reading not known to
 * have read the paths resolved the fleet alert).
 */
export function memberSnapshotOf(snapshot: Pick<Snapshot, "takenAt" | "reads">): MemberSnapshot {
  const stored: unknown = snapshot.reads;
  const reads: Record<string, unknown> = isRecord(stored) ? stored : {};
  const flag = (value: unknown) => (typeof value === "boolean" ? value : undefined);
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    takenAt: snapshot.takenAt,
    pathsFailed: flag(reads.pathsFailed) ?? flag(reads.incomplete) ?? true,
    ...(reads.pathsReadAt !== undefined
      ? {
          pathsReadAt: text(reads.pathsReadAt) ?? null,
          pathsFailedAt:
            reads.pathsFailedAt === undefined || reads.pathsFailedAt === null
              ? null
              : (text(reads.pathsFailedAt) ?? snapshot.takenAt),
        }
      : {}),
  };
}

// The times below are stored ones (alert rows, snapshots), compared as
// instants (core/instant.ts storedInstant), never as text: erwatch writes
// toISOString, whose text order is time order, but a row is any text to its
// schema (a hand edit, a cut-off write, an older erwatch), and "yesterday"
// sorted after every date, "" before, and "2026-11-22T00:57:00-01:00" before
// 01:55Z. A time that is not an instant says nothing: never a reading since
// the fleet alert's judgement, never a sighting, never "no failure since".

/**
 * Whether the member's evaluation at `at` (an instant) read its paths, by its
 * snapshot. The snapshot may be of a later evaluation (this sweep's worker
 * wrote it after the timer listed the alerts): one after the latest that did
 * not read them did, and the latest that did says so of itself. Kept before
 * those times were, only an evaluation of its own instant can say (its
 * `pathsFailed`). A kept time that is not an instant cannot say.
 */
function pathsReadThen(snapshot: MemberSnapshot, at: number): boolean {
  const taken = storedInstant(snapshot.takenAt);
  if (taken === null) return false;
  if (taken === at) return !snapshot.pathsFailed;
  // Of an earlier evaluation (that reading's write failed), it knows nothing of `at`.
  if (taken < at || snapshot.pathsReadAt === undefined) return false;
  if (storedInstant(snapshot.pathsReadAt) === at) return true;
  // None kept: no evaluation since the times were kept failed to read them.
  if (snapshot.pathsFailedAt === null || snapshot.pathsFailedAt === undefined) return true;
  const failed = storedInstant(snapshot.pathsFailedAt);
  return failed !== null && failed < at;
}

/**
 * A fleet member as the timer sees it: settled, with the instant of the
 * reading that says so (null: none before `now`), or not. Settled by its own
 * alerts, `readAt` is that reading's instant, for its snapshot to say whether
 * its paths were read there.
 */
type MemberSight = { settled: true; at: number | null; readAt?: number } | { settled: false };

const isFleetFamily = (a: AlertState) => (FLEET_FAMILIES as readonly string[]).includes(a.family);

/**
 * Whether a reading at an instant came after the fleet alert's last
 * judgement (`since`; "read" without a reading kept as an instant: its last
 * judgement). A judgement dated more than a concurrent sweep after `now` was
 * made by a clock that has since stepped back (lifecycle.ts
 * `alreadyEvaluated`), and one that is no instant proves nothing: every reading
 * on this clock (not after `now`) came after it, and compared with it as text
 * none did until the clock caught up (a 2 h step back froze the alert 2 h).
 * The reading's own time is an instant: one that is not never came after.
 */
function readSince(
  fleet: AlertState,
  now: number,
  since: FleetSettledSince = "judged",
): (at: number) => boolean {
  const read = since === "read" ? readMarks(fleet) : [];
  const judged = read.length > 0 ? Math.max(...read) : storedInstant(fleet.lastEvaluatedAt);
  if (judged === null || judged - now > CONCURRENT_SWEEP_MS) return (at) => at <= now;
  return (at) => at > judged;
}

/**
 * Which of the fleet alert's own times its members' readings must come
 * after to settle it. "judged": its last judgement, the timer's (fan-out),
 * which commits as of those readings and so must come after whatever it
 * judged before. "read": its last judgement that read it (clean, firing or
 * masked), one process's, which commits at its own sweep's instant: there a
 * judgement that read nothing (a member left to the rotation's next turn)
 * moves only `lastEvaluatedAt`, every sweep, and taken as the bound it
 * counted only members read in that very sweep, so a site whose circuits the
 * rotation read one a sweep never resolved.
 */
export type FleetSettledSince = "judged" | "read";

/**
 * A member settled by its own alerts: read without the place's outage since
 * the fleet alert's last judgement, and not unreadable at its latest reading.
 * Its outage alerts are all observed at each reading of it (observe.ts), so
 * the latest reading is theirs: read clean there (`lastCleanAt`), or firing
 * (down to one path, at another layer: its own alerts carry that); UNKNOWN
 * (its reads failed) or masked moves only `lastEvaluatedAt`, and a member
 * erwatch could not read is not one that recovered. Null when it has no
 * outage alert at all: its snapshot says.
 */
function sightByAlerts(
  own: readonly AlertState[],
  now: number,
  after: (at: number) => boolean,
): MemberSight | null {
  if (own.length === 0) return null;
  const evaluated = own.map((a) => storedInstant(a.lastEvaluatedAt));
  // One whose latest evaluation is not an instant may be the latest: what it
  // read there is not known (its next evaluation writes the time again).
  if (evaluated.some((at) => at === null)) return { settled: false };
  const latest = Math.max(...(evaluated as number[]));
  const readable = own
    .filter((_, i) => evaluated[i] === latest)
    .every(
      (a) => storedInstant(a.lastCleanAt) === latest || storedInstant(a.lastFiringAt) === latest,
    );
  if (!readable || !after(latest)) return { settled: false };
  // Read again by this sweep's workers already: readable and without the
  // outage now, though what it read just before is written over.
  return { settled: true, at: latest < now ? latest : null, readAt: latest };
}

/**
 * A member without an outage alert of its own (its write failed; it never
 * had one) by its snapshot: an evaluation since the fleet alert's last
 * judgement read its paths (an outage read would have given it an alert). One erwatch no longer watches is never read again: it counts as
 * read without the outage, as in the fleet step (`gone`).
 */
function sightBySnapshot(
  snapshot: MemberSnapshot | null,
  now: number,
  after: (at: number) => boolean,
): MemberSight {
  if (snapshot === null) return { settled: true, at: null };
  const taken = storedInstant(snapshot.takenAt);
  if (snapshot.pathsFailed || taken === null || !after(taken)) return { settled: false };
  return { settled: true, at: taken < now ? taken : null };
}

const membersOf = (fleet: AlertState) => [
  ...new Map(fleetMembersOf(fleet.condition).map((m) => [m.id.toLowerCase(), m.id])),
];

const ownAlertsOf = (alerts: readonly AlertState[]) => {
  const own = new Map<string, AlertState[]>();
  for (const a of alerts.filter(isFleetFamily)) {
    const id = a.circuitId.toLowerCase();
    own.set(id, [...(own.get(id) ?? []), a]);
  }
  return own;
};

/**
 * Fan-out (pure): the members of an open fleet alert whose outage is over
 * (`fleetOver`) that its judgement needs the snapshots of (ids as the alert
 * names them): every one. Those whose own alerts do not settle them, for
 * whether erwatch still watches them and, without alerts, what their last
 * reading was; those they settle, for whether their paths were read at that
 * reading (their outage alerts cannot say so of paths they never named).
 */
export function fleetMembersToLookUp(fleet: AlertState, alerts: readonly AlertState[]): string[] {
  if (!fleetOver(fleet, alerts)) return [];
  return membersOf(fleet).map(([, id]) => id);
}

/**
 * Fan-out (pure): the instant at which the timer observes an open fleet alert
 * clean, or null when it must not. The members' own alerts were judged by the
 * previous sweep's workers, so the judgement belongs to that instant, not to
 * this sweep's: this sweep's workers can still find the outage back and keep
 * the fleet alert firing, instead of finding it judged clean at their instant
 * and paging one by one. Only readings before `now` count (a worker of this
 * sweep may already have written some), and only ones newer than the fleet
 * alert's last judgement: nothing read since says nothing new.
 *
 * It is clean only when every member it names was read without the outage
 * since that judgement (or its own alert carries what is left of it: down to
 * one path) and was not unreadable at its latest reading. A failed read is
 * UNKNOWN, not a recovery: such a member keeps it open, as in one process (a
 * member whose reads failed is not read there), and when none can be read for
 * long enough its holder is told so (`fleetBlindNow`). Its alerts' latest
 * evaluation moves on a failed read too, so taken alone it resolved a site
 * read clean once and dark since. `snapshots` (lower-case ids): what
 * `fleetMembersToLookUp` asked for; a member asked for and not given (storage
 * could not say) keeps it open.
 *
 * One process asks it too (`since` "read"), of an open fleet alert not every
 * member of which its own sweep read: the members need not have been read in
 * one sweep, only each since the fleet alert was last read, so a site whose
 * circuits the rotation reads one a sweep still resolves.
 */
export function fleetSettledAt(
  fleet: AlertState,
  alerts: readonly AlertState[],
  now: Date,
  snapshots: ReadonlyMap<string, MemberSnapshot | null> = new Map(),
  since: FleetSettledSince = "judged",
): Date | null {
  if (!fleetOver(fleet, alerts)) return null;
  const own = ownAlertsOf(alerts);
  const before = now.getTime();
  const after = readSince(fleet, before, since);
  let latest: number | null = null;
  for (const [id] of membersOf(fleet)) {
    const snapshot = snapshots.get(id);
    if (snapshot === undefined) return null;
    let sight = sightByAlerts(own.get(id) ?? [], before, after);
    // Not watched any more settles it whatever its alerts last said; without alerts, its snapshot says.
    if (snapshot === null || sight === null) sight = sightBySnapshot(snapshot, before, after);
    // Settled by its alerts only when its paths were read at that reading: its
    // provider's alert is read from the listing, and a site back there may
    // still carry nothing.
    else if (sight.settled && !pathsReadThen(snapshot, sight.readAt!)) return null;
    if (!sight.settled) return null;
    if (sight.at !== null && (latest === null || sight.at > latest)) latest = sight.at;
  }
  return latest !== null && after(latest) ? new Date(latest) : null;
}

/**
 * Fan-out (pure): whether the members' readings a fleet alert is judged as of
 * (`fleetSettledAt`) were the timer's tick: one of its members' own outage
 * alerts was evaluated there by a tick (`tickAt`). Judged as a tick because
 * the timer judged it, a POST /api/sweep handed to the workers at 10:18 was
 * counted as one, and the site resolved at the tick its circuits' own alerts
 * did, before the timer could see them read again (a recovery flap then paged
 * anew). A reading by an erwatch that keeps no `tickAt` is no tick: time alone.
 */
export function fleetReadByTick(
  fleet: AlertState,
  alerts: readonly AlertState[],
  at: Date,
): boolean {
  const members = new Set(membersOf(fleet).map(([id]) => id));
  const instant = at.getTime();
  return alerts.some(
    (a) =>
      isFleetFamily(a) &&
      members.has(a.circuitId.toLowerCase()) &&
      storedInstant(a.lastEvaluatedAt) === instant &&
      storedInstant(a.tickAt) === instant,
  );
}

/** The instants of an alert's readings; a mark that is not an instant is no reading. */
const readMarks = (a: AlertState): number[] =>
  [a.lastCleanAt, a.lastFiringAt, a.lastMaskedAt]
    .map(storedInstant)
    .filter((t): t is number => t !== null);

/**
 * A member's latest reading before `now` that read it (clean, firing, or
 * masked: README "Blind" takes masked for a reading) by its own outage
 * alerts, or null. They are all observed at each reading (observe.ts), so a
 * reading counts only when every one judged then was read there: an UNKNOWN
 * moves only `lastEvaluatedAt`, and one whose mark a later reading wrote
 * over cannot vouch for it (then an older reading, or none: the notice goes
 * out as before rather than late).
 */
function lastReadBy(own: readonly AlertState[], now: number): number | null {
  const instants = [...new Set(own.flatMap(readMarks))]
    .filter((t) => t < now)
    .sort((a, b) => b - a);
  // Evaluated at a time that is not an instant: maybe after `t`, so only its own mark vouches.
  const before = (a: AlertState, t: number) => {
    const evaluated = storedInstant(a.lastEvaluatedAt);
    return evaluated !== null && evaluated < t;
  };
  return instants.find((t) => own.every((a) => before(a, t) || readMarks(a).includes(t))) ?? null;
}

/**
 * Fan-out (pure): the latest instant before `now` by which every member an
 * open fleet alert names had been read (its own outage alerts, or without
 * them its snapshot, its paths read), or null. The timer advances the fleet
 * alert's own sightings only when it settles it: members read down to one
 * path whose own alert does not carry it yet, or one UNKNOWN now though read
 * a sweep before, settle nothing, and the holder heard "Blind:" about
 * circuits erwatch had read within `blindAfterSweeps` (hunt seed 870). The
 * earliest of the members' latest readings, so a member not read since keeps
 * it as old as that member's reading. `snapshots` as for `fleetSettledAt`: a
 * member no longer watched (null) is never read again and waits for nobody.
 */
export function fleetMembersReadAt(
  fleet: AlertState,
  alerts: readonly AlertState[],
  now: Date,
  snapshots: ReadonlyMap<string, MemberSnapshot | null> = new Map(),
): Date | null {
  if (fleet.family !== "fleet") return null;
  const own = ownAlertsOf(alerts);
  const before = now.getTime();
  let earliest: number | null = null;
  for (const [id] of membersOf(fleet)) {
    const snapshot = snapshots.get(id);
    if (snapshot === null) continue;
    const alertsOf = own.get(id) ?? [];
    const taken = snapshot ? storedInstant(snapshot.takenAt) : null;
    let read =
      alertsOf.length > 0
        ? lastReadBy(alertsOf, before)
        : snapshot && !snapshot.pathsFailed && taken !== null && taken < before
          ? taken
          : null;
    // Its outage alerts read (its provider's from the listing) while its paths
    // could not be: it was read whole only when they last were (when that is
    // not an instant, not known: no sighting).
    if (snapshot?.pathsFailed && snapshot.pathsReadAt !== undefined) {
      const whole = storedInstant(snapshot.pathsReadAt);
      read = read === null || whole === null ? null : Math.min(read, whole);
    }
    if (read === null) return null;
    if (earliest === null || read < earliest) earliest = read;
  }
  return earliest === null ? null : new Date(earliest);
}

/**
 * A count of failed sweeps some alert row keeps, and of them the timer's
 * ticks, since `readAt`, its last reading, as of before `now`: a member's
 * outage alert counts its blind sweeps; a monitoring-blind alert failing
 * still (a member's, or its subscription's when the circuits cannot be
 * listed: then no member alert is evaluated at all) counts its firing ones
 * since it last read clean. One this very sweep evaluated already (the
 * timer's sight of what it could not list, or a worker) counts as it did
 * before: this sweep, and its tick, taken off.
 */
function blindCountOf(
  a: AlertState,
  now: number,
): { readAt: number; evaluated: number; sweeps: number; ticks: number } | null {
  const evaluated = storedInstant(a.lastEvaluatedAt);
  // Counts another version left as they were (`ticksAt`) are none.
  if (evaluated === null || a.ticksAt !== a.lastEvaluatedAt) return null;
  let count: { readAt: number; sweeps: number; ticks: number } | null = null;
  if (a.family === "monitoring-blind") {
    const readAt = storedInstant(a.lastCleanAt);
    const failing =
      (a.phase === "pending" || a.phase === "firing") &&
      storedInstant(a.lastFiringAt) === evaluated;
    if (failing && readAt !== null && Number.isInteger(a.ticks))
      count = { readAt, sweeps: a.consecutiveFiring, ticks: a.ticks! };
  } else {
    const marks = readMarks(a);
    if (marks.length > 0 && Number.isInteger(a.blindSweeps) && Number.isInteger(a.blindTicks))
      count = { readAt: Math.max(...marks), sweeps: a.blindSweeps!, ticks: a.blindTicks! };
  }
  if (!count || evaluated < now) return count && { ...count, evaluated };
  const ticks = count.ticks - (storedInstant(a.tickAt) === evaluated ? 1 : 0);
  return count.sweeps > 1 && ticks >= 0
    ? { ...count, evaluated, sweeps: count.sweeps - 1, ticks }
    : null;
}

/** "/subscriptions/<id>" of a circuit's resource id, lower case; null when it has none. */
const subscriptionOf = (id: string) =>
  /^\/subscriptions\/[^/]+/i.exec(id)?.[0].toLowerCase() ?? null;

/**
 * Fan-out (pure): the sweeps, and of them the timer's ticks, that could not
 * read an open fleet alert by the sweep before `now`, as its members' alerts
 * (and their subscriptions' monitoring-blind) counted them, or null: the
 * timer judges its notice as of that sweep on that count, as one process
 * counts the ticks that judged it blind (blind-notice.ts). By time alone, a
 * site last read by a past-due tick (10:11:30) heard "Blind:" as of 10:30, a
 * sweep after its circuits' monitoring-blind opened (10:25) and two after one
 * process. Every sweep after the fleet alert's latest sighting (its own
 * reading, or `membersReadAt`) could not read it: one that read every member
 * moves `membersReadAt`, one that read a member with the outage its own. So a
 * count that runs from a reading no earlier than that sighting counts nothing
 * it was seen at, and the most any such count says is never more than one
 * process counts; a count older than two intervals is none.
 */
export function fleetBlindTicks(
  fleet: AlertState,
  alerts: readonly AlertState[],
  now: Date,
  membersReadAt: Date | null,
  intervalMs: number,
): { sweeps: number; ticks: number } | null {
  if (fleet.family !== "fleet" || fleet.phase === "clear") return null;
  const members = new Set(membersOf(fleet).map(([id]) => id));
  const subscriptions = new Set([...members].flatMap((id) => subscriptionOf(id) ?? []));
  const sightings = [...readMarks(fleet), ...(membersReadAt ? [membersReadAt.getTime()] : [])];
  const seen = sightings.length > 0 ? Math.max(...sightings) : Number.NEGATIVE_INFINITY;
  const before = now.getTime();
  let most: { sweeps: number; ticks: number } | null = null;
  for (const a of alerts) {
    const id = a.circuitId.toLowerCase();
    const counts =
      a.family === "monitoring-blind"
        ? members.has(id) || subscriptions.has(id)
        : isFleetFamily(a) && members.has(id);
    const c = counts ? blindCountOf(a, before) : null;
    if (
      c &&
      c.readAt >= seen &&
      c.readAt < c.evaluated &&
      before - c.evaluated <= 2 * intervalMs &&
      c.ticks > 0 &&
      c.ticks > (most?.ticks ?? 0)
    )
      most = { sweeps: Math.max(c.sweeps, c.ticks), ticks: c.ticks };
  }
  return most;
}

/**
 * Fan-out (pure): the observation by which the timer judges an open fleet
 * alert blind now, or null. Workers judge a fleet alert only when they read
 * a member with the outage, so one whose members none could read is judged by
 * nobody, and its holder would never hear that erwatch lost sight of it
 * (core/blind-notice.ts). Only when that judgement tells the holder: judged
 * blind every sweep (held by a silence, say), it would take the sweep's
 * instant before its workers could judge what they read. `membersReadAt`
 * (`fleetMembersReadAt`) is a sighting the alert itself does not record.
 */
export function fleetBlindNow(
  fleet: AlertState,
  ctx: AlertContext,
  membersReadAt: Date | null = null,
  /** On a tick, what its members counted (`fleetBlindTicks`): carried to the commit on the observation. */
  membersBlind: { sweeps: number; ticks: number } | null = null,
): Observation | null {
  if (fleet.family !== "fleet" || fleet.phase === "clear") return null;
  const observation: Observation = {
    ...fleetObservation(fleet.circuitId, fleet.key, "unknown", null),
    ...(membersBlind ? { membersBlind } : {}),
    // The commit judges the stored row again: without it, the notice said
    // "since" the fleet alert's own older reading, not the members' one
    // process names.
    ...(membersReadAt ? { membersReadAt: membersReadAt.toISOString() } : {}),
  };
  // Judged as the commit judges it: the stored row, the members' sighting on
  // the observation (blindNotice counts from the latest of them).
  const step = advanceStep(observation, fleet, ctx);
  if (!step.advanced || alreadyEvaluated(fleet, ctx.now)) return null;
  return decideStep(step, new Map(), ctx)?.action === "repeat" ? observation : null;
}

function fleetObservation(
  circuitId: string,
  key: string,
  state: Observation["state"],
  finding: Finding | null,
): Observation {
  return { key, family: "fleet", circuitId, peering: null, state, finding, previousReadAt: null };
}

/**
 * Characters of circuit names a fleet title spends. Every name went in before,
 * so thirty circuits filled the Teams headline (600) and the PagerDuty summary
 * (1,024) with names and the cut took what broke; the ticket and the evidence
 * still list every one.
 */
export const FLEET_TITLE_NAMES = 240;

/**
 * "a, b, c", or as many whole names as fit then "and 27 more (every one in the
 * ticket)": in the evidence when there is no carrier ticket.
 */
function someNames(names: string[], listedIn: "ticket" | "evidence"): string {
  const all = names.join(", ");
  if (all.length <= FLEET_TITLE_NAMES) return all;
  const shown: string[] = [];
  for (const name of names) {
    const next = [...shown, name].join(", ");
    // One name always, however long: a title that names none says less than a long one.
    if (shown.length > 0 && next.length > FLEET_TITLE_NAMES) break;
    shown.push(name);
  }
  return `${shown.join(", ")} and ${names.length - shown.length} more (every one in the ${listedIn})`;
}

/** A member's tags, kept with it (routes match a fleet alert by its members' tags); none: left out. */
const tagsOf = (tags: Record<string, string> | undefined) =>
  tags && Object.keys(tags).length > 0 ? { tags } : {};

/** The one finding a group pages with; `others`: members named before and named again as they were. */
export function fleetFinding(group: FleetGroup, others: FleetMember[] = []): Finding {
  const first = group.members[0]!.finding;
  const severity = mostSevere([
    ...group.members.map((m) => m.finding.severity),
    ...others.flatMap((m) => m.severity ?? []),
  ]) as Severity;
  const named = [
    ...group.members.map((m) => ({
      name: m.circuitName,
      serviceKey: m.serviceKey,
      paths: m.finding.paths as string[],
      note: "",
    })),
    ...others.map((m) => ({
      name: m.name,
      serviceKey: m.serviceKey,
      paths: m.paths,
      note: m.unread ? "  (as last seen; not read for this update)" : "",
    })),
  ].sort((a, b) => a.name.localeCompare(b.name));
  const names = named.map((m) => m.name);
  const where = `${group.provider} at ${group.location}`;
  const owners = [
    ...group.members.map((m) => m.finding.owner),
    ...others.flatMap((m) => m.owner ?? []),
  ];
  const carrier = owners.every((o) => o === "carrier");
  // One owner when every member has it; otherwise the owners share it.
  const owner = owners.every((o) => o === first.owner) ? first.owner : "shared";
  // As a circuit's finding (path-findings.ts): breaks that are all yours get no
  // carrier ticket, on any receiver; shared ones do, the next step once your
  // side checks out.
  const ticketed = owner !== "you";
  return {
    code: "fleet-outage",
    layer: group.layer,
    owner,
    severity,
    peering: null,
    paths: [],
    title: `${names.length} circuits through ${where} broke at the same layer: ${someNames(names, ticketed ? "ticket" : "evidence")} — ${first.title}`,
    evidence: {
      provider: group.provider,
      peeringLocation: group.location,
      circuits: [
        ...group.members.map((m) => ({
          id: m.circuitId,
          name: m.circuitName,
          serviceKey: m.serviceKey,
          code: m.finding.code,
          severity: m.finding.severity,
          owner: m.finding.owner,
          paths: m.finding.paths,
          title: m.finding.title,
          ...tagsOf(m.tags),
        })),
        ...others.map((m) => ({
          id: m.id,
          name: m.name,
          serviceKey: m.serviceKey,
          code: m.code,
          severity: m.severity,
          owner: m.owner,
          paths: m.paths,
          title: m.title,
          ...tagsOf(m.tags),
          ...(m.unread ? { unread: true } : {}),
        })),
      ],
    },
    nextAction: carrier
      ? `One outage at ${where}, not ${names.length}: open one ticket with ${group.provider} listing every service key (attached), and do not change router or gateway configuration.`
      : `The same failure on ${names.length} circuits through ${where} points at what they share (the provider's edge at ${group.location}, or a change pushed to several of your routers): ${first.nextAction}`,
    ...(ticketed ? { ticket: fleetTicket() } : {}),
  };

  function fleetTicket(): string {
    return [
      `ExpressRoute outage affecting ${names.length} circuits through ${where}`,
      `Layer: ${group.layer}`,
      "Circuits (service key, name, affected paths):",
      ...named.map(
        (m) =>
          `  ${m.serviceKey ?? "unknown"}  ${m.name}  ${m.paths.join(" and ") || "circuit"}${m.note}`,
      ),
      "",
      ...group.members.filter((m) => m.finding.ticket).map((m) => m.finding.ticket as string),
    ].join("\n");
  }
}
