// How old each of a circuit's readings is, kept with its snapshot. The tiered
// sweep reads a quiet circuit's paths only now and then, so "when was this
// last read" is a fact the planner plans by and the status page shows. A read
// that failed keeps the time of the last one that worked: the age is the age
// of what erwatch actually knows.

import { storedInstant } from "./instant.js";
import type {
  ArpReading,
  CircuitFacts,
  CircuitReading,
  PathName,
  ReadErrorKind,
  ReadFailure,
  Reading,
} from "./model.js";
import { PATHS } from "./model.js";
import { sitePeering } from "./names.js";
import { isRecord } from "./record.js";
import { bodyField, refusedForGood } from "./refused-reads.js";

export interface PathReadTimes {
  /** Last successful ARP table read, or null if none ever was. */
  arp: string | null;
  /** Last successful route table summary read (the prefix count), or null. */
  summary: string | null;
  /**
   * Why the last try of the ARP table failed; absent once one works. A
   * reading that always fails (a role without the ARP action) is never had,
   * and the status page says which and why, not only that the circuit's age
   * is unknown. Absent in snapshots kept before it was.
   */
  arpFailed?: ReadFailedNote;
  /** The same for the route summary. */
  summaryFailed?: ReadFailedNote;
}

/** A failed read, as much as is kept of it with the reading's times. */
export interface ReadFailedNote {
  kind: ReadErrorKind;
  missingPermission?: string;
}

export interface ReadAges {
  /** When the circuit body (the listing or a GET) was read for the last evaluation. */
  circuitAt: string | null;
  /** Fingerprint of the circuit body the last evaluation judged (see cheapFingerprint). */
  fingerprint: string | null;
  /** Peering → path → when its reads last worked. */
  paths: Record<string, Record<PathName, PathReadTimes>>;
  /** When the gateway wiring was last read successfully. */
  gatewayAt: string | null;
  /** Why the last try of the gateway wiring failed; absent once one works (and in snapshots kept before it was). */
  gatewayFailed?: ReadFailedNote;
  /** The oldest path reading (ARP or prefix count) of any enabled peering: what erwatch knows, and how old. */
  oldestPathAt: string | null;
  /**
   * The oldest path reading as the rotation ages it: a reading whose last
   * try was refused for good (refused-reads.ts) counts from that try, not as
   * never had nor from when it last worked, so it is tried again in the
   * circuit's turn, not every sweep. Absent in snapshots kept before it was:
   * `oldestPathAt` then.
   */
  oldestTriedAt?: string | null;
  /** Some read of the last evaluation failed. */
  incomplete: boolean;
  /**
   * A read of the last evaluation failed in a way the next try may mend (its
   * body, or any read throttled, timed out, a server or network error): the
   * circuit is read again first. False when every failed read was refused
   * for good. Absent in snapshots kept before it was: `incomplete` then.
   */
  retryFirst?: boolean;
  /**
   * The last evaluation did not read the circuit's paths (the body, or a
   * route summary of its private peering failed: `pathsUnread`): whether it
   * carries is not known, so a fleet alert naming it is not over on that
   * reading (core/fleet.ts). Absent from snapshots kept before it was:
   * `incomplete` says as much then.
   */
  pathsFailed?: boolean;
  /**
   * The latest evaluation (its instant) that read them, null for none kept:
   * how long a fleet alert's holder has not known whether the circuit
   * carries. Absent from snapshots kept before it was.
   */
  pathsReadAt?: string | null;
  /** The latest evaluation that did not read them, null for none kept; absent as `pathsReadAt`. */
  pathsFailedAt?: string | null;
  /**
   * The latest evaluation's instant (a deep read), whatever of it failed:
   * `pathsReadAt` stays at the last read that worked, so a read refused for
   * good left every availability dip before it unseen, and its circuit was
   * sent deep for each at every sweep whose look-back held it. Absent from
   * snapshots kept before it was.
   */
  deepReadAt?: string | null;
}

/**
 * The earlier of two path reading times; null (never read) before any. A
 * kept time that is not an instant (core/instant.ts: a hand edit, a cut-off
 * write) is of unknown age, so it may be the earliest: it is the one kept, and
 * the circuit's oldest reading is of unknown age too (due, not fresh).
 */
function earlier(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return null;
  const x = storedInstant(a);
  const y = storedInstant(b);
  if (x === null) return a;
  if (y === null) return b;
  return x < y ? a : b;
}

/** Some path read of this reading failed: an ARP table or a route summary. */
function pathReadFailed(reading: CircuitReading): boolean {
  return Object.values(reading.paths).some((paths) =>
    PATHS.some((path) => !paths[path].arp.ok || !paths[path].summary.ok),
  );
}

/**
 * Whether this reading leaves unknown if the circuit carries: its body was
 * not read, or a route summary (each session's state and what it receives) of
 * its private traffic's peering (names.ts sitePeering: the private peering,
 * else the first) failed. An ARP table alone is not: a subscription's
 * ARP witness whose role lacks the ARP action fails it every sweep while the
 * summaries prove layer 2, and another peering's reads say nothing of the
 * site's outage (a fleet alert was held open for good by either).
 */
export function pathsUnread(reading: CircuitReading): boolean {
  if (!reading.circuit.ok) return true;
  const name = sitePeering(Object.keys(reading.paths));
  const paths = name === undefined ? undefined : reading.paths[name];
  return paths !== undefined && PATHS.some((path) => !paths[path].summary.ok);
}

/** Some read of this reading failed: the circuit body, the gateway wiring, or a path's ARP table or route summary. */
export function readingIncomplete(reading: CircuitReading): boolean {
  return !reading.circuit.ok || !reading.gateway.ok || pathReadFailed(reading);
}

/** Some read of this reading failed in a way the next try may mend; its body failing always does. */
export function readingRetryable(reading: CircuitReading): boolean {
  if (!reading.circuit.ok) return true;
  const failed = [
    reading.gateway,
    ...Object.values(reading.paths).flatMap((paths) =>
      PATHS.flatMap((path) => [paths[path].arp, paths[path].summary]),
    ),
  ].flatMap((read) => (read.ok ? [] : [read.error.kind]));
  return failed.some((kind) => !refusedForGood(kind));
}

/** A kept time: text, or null (not kept) for anything else. Text that is not an instant stays, of unknown age. */
const keptTime = (value: unknown): string | null => (typeof value === "string" ? value : null);

/** A kept failure: its kind, and the permission missing when kept; undefined for anything else. */
function keptFailure(value: unknown): ReadFailedNote | undefined {
  if (!isRecord(value) || typeof value.kind !== "string") return undefined;
  return {
    kind: value.kind as ReadErrorKind,
    ...(typeof value.missingPermission === "string"
      ? { missingPermission: value.missingPermission }
      : {}),
  };
}

/**
 * Why this try of a reading failed; none when it worked, and the kept one
 * when it was not tried (a failed circuit read reads no path).
 */
function failedNote(
  read: ArpReading | Reading<unknown> | undefined,
  kept: ReadFailedNote | undefined,
): ReadFailedNote | undefined {
  if (read === undefined) return kept;
  if (read.ok) return undefined;
  const { kind, missingPermission } = read.error;
  return { kind, ...(missingPermission ? { missingPermission } : {}) };
}

/** A path's times with its failures, those there are. */
function pathTimes(
  arp: string | null,
  summary: string | null,
  arpFailed: ReadFailedNote | undefined,
  summaryFailed: ReadFailedNote | undefined,
): PathReadTimes {
  return {
    arp,
    summary,
    ...(arpFailed ? { arpFailed } : {}),
    ...(summaryFailed ? { summaryFailed } : {}),
  };
}

/** A kept time that may be absent (kept before it was): absent stays absent. */
const keptOptionalTime = (value: unknown): string | null | undefined =>
  value === undefined ? undefined : keptTime(value);

/**
 * A snapshot's `reads` as stored, each part checked. A row is any text to its
 * schema (a hand edit, a cut-off write, an older erwatch), and `reads` is not
 * checked with the row (adapters/tables/row-schemas.ts): a peering without
 * its `primary`, a `paths` that is null or text made readAgesOf throw for
 * the circuit at every sweep, and it was recorded at none. What is not what
 * erwatch writes is not kept: a path time, a peering or the whole of it.
 */
export function storedReadAges(value: unknown): ReadAges | undefined {
  if (!isRecord(value)) return undefined;
  const paths: ReadAges["paths"] = {};
  if (isRecord(value.paths))
    for (const [peering, kept] of Object.entries(value.paths)) {
      if (!isRecord(kept)) continue;
      const times = {} as Record<PathName, PathReadTimes>;
      for (const path of PATHS) {
        const t = kept[path];
        times[path] = isRecord(t)
          ? pathTimes(
              keptTime(t.arp),
              keptTime(t.summary),
              keptFailure(t.arpFailed),
              keptFailure(t.summaryFailed),
            )
          : { arp: null, summary: null };
      }
      paths[peering] = times;
    }
  const pathsReadAt = keptOptionalTime(value.pathsReadAt);
  const pathsFailedAt = keptOptionalTime(value.pathsFailedAt);
  const oldestTriedAt = keptOptionalTime(value.oldestTriedAt);
  const deepReadAt = keptOptionalTime(value.deepReadAt);
  const gatewayFailed = keptFailure(value.gatewayFailed);
  return {
    circuitAt: keptTime(value.circuitAt),
    fingerprint: keptTime(value.fingerprint),
    paths,
    gatewayAt: keptTime(value.gatewayAt),
    ...(gatewayFailed ? { gatewayFailed } : {}),
    oldestPathAt: keptTime(value.oldestPathAt),
    ...(oldestTriedAt !== undefined ? { oldestTriedAt } : {}),
    // Not known to be complete: read again first, as after a failed read.
    incomplete: typeof value.incomplete === "boolean" ? value.incomplete : true,
    ...(typeof value.retryFirst === "boolean" ? { retryFirst: value.retryFirst } : {}),
    ...(typeof value.pathsFailed === "boolean" ? { pathsFailed: value.pathsFailed } : {}),
    ...(pathsReadAt !== undefined ? { pathsReadAt } : {}),
    ...(pathsFailedAt !== undefined ? { pathsFailedAt } : {}),
    ...(deepReadAt !== undefined ? { deepReadAt } : {}),
  };
}

export function readAgesOf(
  reading: CircuitReading,
  /** The snapshot's `reads` as stored: checked here (storedReadAges), whatever it holds. */
  stored: unknown,
  /** The evaluation's instant (the snapshot's `takenAt`). */
  takenAt: string,
): ReadAges {
  const previous = storedReadAges(stored);
  const circuitOk = reading.circuit.ok;
  const pathsFailed = pathsUnread(reading);
  const incomplete = readingIncomplete(reading);
  const paths: ReadAges["paths"] = {};
  const peerings = circuitOk ? Object.keys(reading.paths) : Object.keys(previous?.paths ?? {});
  let oldest: string | null | undefined;
  let oldestTried: string | null | undefined;
  for (const peering of peerings) {
    const read = reading.paths[peering];
    const before =
      previous && Object.hasOwn(previous.paths, peering) ? previous.paths[peering] : undefined;
    const times = {} as Record<PathName, PathReadTimes>;
    for (const path of PATHS) {
      const arp = read?.[path].arp;
      const summary = read?.[path].summary;
      times[path] = pathTimes(
        arp?.ok ? arp.readAt : (before?.[path].arp ?? null),
        summary?.ok ? summary.readAt : (before?.[path].summary ?? null),
        failedNote(arp, before?.[path].arpFailed),
        failedNote(summary, before?.[path].summaryFailed),
      );
      const pathOldest = earlier(times[path].arp, times[path].summary);
      oldest = oldest === undefined ? pathOldest : earlier(oldest, pathOldest);
      const pathTried = earlier(
        triedAt(arp, times[path].arp, takenAt),
        triedAt(summary, times[path].summary, takenAt),
      );
      oldestTried = oldestTried === undefined ? pathTried : earlier(oldestTried, pathTried);
    }
    paths[peering] = times;
  }
  const gatewayFailed = failedNote(reading.gateway, previous?.gatewayFailed);
  const bodyOnly = circuitOk ? reading.circuit.readAt : (previous?.oldestPathAt ?? null);
  return {
    circuitAt: circuitOk ? reading.circuit.readAt : (previous?.circuitAt ?? null),
    fingerprint: circuitOk
      ? cheapFingerprint(reading.circuit.value, reading.ref.tags, reading.fieldFailures)
      : (previous?.fingerprint ?? null),
    paths,
    gatewayAt: reading.gateway.ok ? reading.gateway.readAt : (previous?.gatewayAt ?? null),
    ...(gatewayFailed ? { gatewayFailed } : {}),
    // No enabled peering: nothing to age but the circuit body itself.
    oldestPathAt: oldest === undefined ? bodyOnly : oldest,
    oldestTriedAt: oldestTried === undefined ? bodyOnly : oldestTried,
    incomplete,
    retryFirst: incomplete && readingRetryable(reading),
    pathsFailed,
    pathsReadAt: pathsFailed ? (previous?.pathsReadAt ?? null) : takenAt,
    pathsFailedAt: pathsFailed ? takenAt : (previous?.pathsFailedAt ?? null),
    deepReadAt: takenAt,
  };
}

/**
 * When a path reading was last tried, for the rotation: when it worked, or
 * this evaluation's instant when it was refused for good (tried, and no
 * sooner try would have worked); otherwise when it last worked (null: never).
 */
function triedAt(
  read: ArpReading | Reading<unknown> | undefined,
  lastWorked: string | null,
  takenAt: string,
): string | null {
  if (read !== undefined && !read.ok && refusedForGood(read.error.kind)) return takenAt;
  return lastWorked;
}

/** A value's JSON with object keys sorted, so equal facts give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** FNV-1a, 64-bit in two halves: short, stable, and enough to notice a change. */
function hash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193 ^ 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

/**
 * What the cheap tier sees of a circuit (its body in the listing: provider
 * state, peerings and their states, Global Reach, tags), as a short text. A
 * different fingerprint than at the last evaluation is a change worth a deep read.
 *
 * A field of the body erwatch cannot read is null in `facts` whatever Azure
 * sent, so the words naming it (`problems` of the body; others, the gateway
 * wiring's, are not the cheap tier's) are part of it: a circuit whose
 * monitoring-blind waits on such a field is read in its turn only while
 * Azure sends the same value (core/refused-reads.ts), and at once when it
 * sends another. A body with none hashes as it always has.
 *
 * Kept by an erwatch before the words were part of it, such a circuit's
 * fingerprint differs once: it is read deep at the first sweep after the
 * upgrade (`changed`), and its deep read keeps the words, so it is read in
 * its turn after. With its monitoring-blind open (read in its turn by that
 * erwatch too) it is one deep read more, once, judging what a read in turn
 * would: the open alert goes on as it was. Pending, that erwatch read it
 * every sweep, and the blind takes the read as one off its turn: it opens
 * 10 or 15 minutes after the value met it, as the README promises (a sweep
 * sooner or later than without the read, by how many reads it had). No
 * other alert opens or resolves for it.
 *
 * What each peering entry not read was (`peeringsUnread.kinds`) is left out:
 * the words name it already (`peerings[1] is null`, `is "x"`), and kept, it
 * made a circuit with a null peering, whose words did not change, cost a deep
 * read at the first sweep after the upgrade that began keeping it.
 */
export function cheapFingerprint(
  facts: CircuitFacts,
  tags: Record<string, string>,
  problems: readonly ReadFailure[] = [],
): string {
  const unread = problems.filter((p) => bodyField(p.kind, p.call)).map((p) => p.message);
  const seen = withoutKinds(facts);
  return hash(canonical(unread.length > 0 ? { facts: seen, tags, unread } : { facts: seen, tags }));
}

function withoutKinds(facts: CircuitFacts): CircuitFacts {
  if (facts.peeringsUnread?.kinds === undefined) return facts;
  const { kinds: _kinds, ...unread } = facts.peeringsUnread;
  return { ...facts, peeringsUnread: unread };
}

/**
 * When the oldest path reading was taken, in ms: "never" when a path was
 * never read (nothing kept), "unknown" when the kept time is not an instant
 * (core/instant.ts). A stored row is any text to its schema: "" or
 * "yesterday" gave Date.parse's NaN, an age no limit is ever passed by, and
 * "42" the year 2042, a reading that stayed 0 min old.
 */
export function oldestReadAt(ages: ReadAges | undefined): number | "never" | "unknown" {
  // As the rotation ages it: a refused reading from its last try (oldestTriedAt).
  const at: unknown =
    (ages?.oldestTriedAt !== undefined ? ages.oldestTriedAt : ages?.oldestPathAt) ?? null;
  if (at === null) return "never";
  return storedInstant(at) ?? "unknown";
}

/** Age in ms of the oldest path reading; null when a path was never read or its time cannot be read (oldestReadAt says which). */
export function oldestReadAgeMs(ages: ReadAges | undefined, now: Date): number | null {
  const at = oldestReadAt(ages);
  return typeof at === "number" ? Math.max(0, now.getTime() - at) : null;
}

/**
 * When the circuit's last deep read began, in ms: its evaluation's instant (a
 * sweep's, taken before any of its reads; `pathsReadAt` is that instant when
 * every read worked). A read of it that failed in a way a later try may mend
 * did not see what it could not read: null, every dip counts, as for a
 * circuit never read deep. One whose every failed read was refused for good
 * (retryFirst false) saw all a deep read can see until the role changes (a
 * refused route summary hides BGP from every try): its instant
 * (`deepReadAt`). null too when never read deep, when kept before the instant
 * was, or when the kept time is not a time.
 */
export function lastDeepReadAt(ages: ReadAges | undefined): number | null {
  if (!ages) return null;
  if (!ages.incomplete) return storedInstant(ages.pathsReadAt ?? null);
  return ages.retryFirst === false ? storedInstant(ages.deepReadAt ?? null) : null;
}
