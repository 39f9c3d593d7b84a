// The status page's data: stored state only. It never triggers an ARM read, so
// opening it during an incident costs nothing and cannot make things worse.
// Ordered for the person who opens it: the fleet's summary, then open alerts
// worst first, then the circuits worst first.

import type { HistoryEntry } from "../core/history.js";
import type { Logger } from "../logging.js";
import type { AlertState, HeldBy } from "../core/lifecycle.js";
import type { LayerStatus, PathName, ReadFailure, Severity } from "../core/model.js";
import { PATHS, SEVERITIES } from "../core/model.js";
import { fleetAt } from "../core/fleet.js";
import { parseCircuitId, sameId } from "../core/resource-id.js";
import { distinctPlaceWords, placeWord } from "../core/place.js";
import { activeSilence, onceSpan } from "../core/silence.js";
import { staleCircuitIds } from "../core/sight.js";
import { DEFAULT_MAX_READ_AGE_MINUTES } from "../core/sweep-plan.js";
import { DEFAULT_ALERT_POLICY, type Silence } from "../core/policy.js";
import { storedReadAges, type ReadAges, type ReadFailedNote } from "../core/read-age.js";
import { CLOCK_SKEW_MS, storedInstant } from "../core/instant.js";
import { isRecord } from "../core/record.js";
import { severityRank } from "../core/severity.js";
import { sessionCarries } from "../core/path-analysis.js";
import { keptNoNeighbor } from "../core/ipv6-neighbors.js";
import { keptTagProblems } from "../core/tag-problems.js";
import { STATUS_WORDS } from "../core/vocabulary.js";
import {
  keptCircuitUnread,
  SNAPSHOT_LAYERS,
  type CircuitUnread,
  type Snapshot,
  type SnapshotCell,
  type SnapshotLayer,
} from "../core/snapshot.js";
import { silenceStatus, type SilenceStore } from "./silences.js";
import { sweepWindow } from "./sweep-window.js";
import {
  workersProgress,
  workersStopped,
  type WorkClaimsReader,
  type WorkersProgress,
} from "./work-progress.js";
import {
  isStorageFailure,
  type OutboxRow,
  type StateStore,
  type Stored,
  type SweepRecord,
  type UnreadableAlert,
} from "./state-store.js";

export type StatusCell = SnapshotCell;

export interface StatusCircuit {
  id: string;
  name: string;
  /**
   * Its oldest reading had, as really read (a failed read keeps the last good
   * one); a reading never had is in `neverRead`, not here. Null when none was.
   */
  lastReadAt: string | null;
  /**
   * Its readings never had, each path's ARP table or route summary, with why
   * the last try failed. A role without the ARP action fails it every sweep:
   * the circuit read "read ? ago (stale)" for good, though all else was fresh.
   */
  neverRead: StatusNeverRead[];
  /** Not read since its subscription's listing began failing: what is shown may be old. */
  stale: boolean;
  /** When each reading was last good (the tiered sweep reads quiet circuits' paths in rotation); null before it was kept. */
  reads: ReadAges | null;
  providerState: string | null;
  /** The carrier and peering location, when a read has seen them. */
  provider: string | null;
  peeringLocation: string | null;
  /** The most severe open alert on the circuit, null when none. */
  worstSeverity: Severity | null;
  /** The worst cell of its layer tables: down, warn, unknown or up. */
  worstStatus: LayerStatus;
  /**
   * Minutes since its last read (`lastReadAt`); the page marks one at or past
   * `summary.readStaleAfterMinutes`. Null when a reading was never read, or its
   * stored time is not a time: the page marks it late too, as a reading of
   * unknown age may be old.
   */
  readAgeMinutes: number | null;
  /** Minutes since its oldest path reading (ARP or prefix count) worked; null when none is kept, or its time cannot be read. */
  pathAgeMinutes: number | null;
  /**
   * The circuit's own read failed at its last evaluation (ARM refused it, or
   * erwatch failed on it): since the first sweep that could not read it, and
   * why, as stored. Every cell then reads unknown, naming its last known
   * state. Null when the last evaluation read it.
   */
  readFailed: StatusReadFailed | null;
  /**
   * Its erwatch tags erwatch reads it without (a misspelt name, a value it
   * does not take), each with why, as its last reading had them: defaults
   * apply in their place. Said, never paged.
   */
  tagsLeftOut?: string[];
  peerings: {
    name: string;
    paths: Record<PathName, Record<SnapshotLayer, StatusCell>>;
    /** IPv4 prefixes received, null while the path's session does not carry (down, or not read). */
    prefixes: Record<PathName, number | null>;
    /**
     * IPv6 prefixes received, null while the path's IPv6 sessions are not
     * Established (down, not understood, or not read). Absent when the
     * peering has had no IPv6 session Established.
     */
    ipv6Prefixes?: Record<PathName, number | null>;
    /**
     * Paths whose IPv6 sessions were never seen Established (no IPv6 count
     * ever had): the peering line gave IPv4's count alone, nothing of an IPv6
     * neighbor that never came up. Absent with `ipv6Prefixes`.
     */
    ipv6NeverUp?: PathName[];
    /**
     * Paths whose last route summary read listed no IPv6 neighbor (taken out
     * of the configuration, or never configured there): not "never up".
     * Absent when none; when every path has none, the peering has no IPv6
     * side and `ipv6Prefixes` is absent too.
     */
    ipv6NoNeighbor?: PathName[];
  }[];
}

export interface StatusNeverRead {
  peering: string;
  path: PathName;
  reading: "ARP table" | "route summary";
  /** Why its last try failed ("permission missing: …", "throttled"); null when not kept. */
  why: string | null;
}

export interface StatusReadFailed {
  since: string;
  /** The failure in words: its kind, the permission missing, ARM's message and request id. */
  why: string;
}

export interface StatusAlert {
  key: string;
  circuitId: string;
  circuitName: string;
  peering: string | null;
  family: AlertState["family"];
  code: string;
  severity: Severity;
  owner: string;
  title: string;
  nextAction: string;
  paths: PathName[];
  firstSeen: string | null;
  /**
   * firing: receivers were told; held: firing but silenced, inhibited or not
   * yet notified; resolving: clearing (its condition reads clean), its
   * resolve not sent yet (hysteresis, or held by a silence or an inhibition).
   */
  state: "firing" | "held" | "resolving";
  /** Its circuit is not being read (its subscription cannot be listed): held as it was, possibly old. */
  stale: boolean;
  /** When stale: its circuit's last read, what the alert is as of. */
  notReadSince?: string | null;
  /** Its circuit's own read fails (StatusCircuit.readFailed): held as last read, possibly old. */
  readFailed?: StatusReadFailed | null;
  /** Minutes since first seen, null when unknown. */
  ageMinutes?: number | null;
  /**
   * The silence covering it now (stored or configured), or else the one the
   * last sweep held it by (a setting of the sweep's this reader may not have).
   */
  silencedBy?: string | null;
  /**
   * What holds it (held; resolving with its resolve held back; a repeat held):
   * that silence with its comment, or the alert that inhibits it and the rule,
   * as the last sweep decided. Null when nothing does.
   */
  heldBy?: StatusHold | null;
  /**
   * What the last sweep held it by is over: the silence has ended since (its
   * window closed, or it was expired), as this reader has it, or the alert
   * that inhibited it has resolved. Nothing holds it now, and the next sweep
   * that reads it acts on that. Null when not.
   */
  holdEnded?: StatusHoldEnded | null;
}

export type StatusHoldEnded =
  | {
      silence: string;
      /** When it ended, when that is known (a one-off window's end, or when it was expired). */
      endedAt: string | null;
    }
  | {
      /** The inhibiting alert's key, and what it was when it cleared. */
      alert: string;
      rule: string;
      severity: Severity | null;
      code: string | null;
      title: string | null;
      /** When its resolve was sent, and how long it was open then; null when not known. */
      resolvedAt?: string | null;
      openMinutes?: number | null;
    };

/** Beside a holder not among the open alerts yet (`pending`), on the page and in `erwatch alerts`. */
export const NOT_OPEN_YET = ", seen, not open yet";

export type StatusHold =
  | { kind: "silence"; id: string; comment: string | null }
  | {
      kind: "alert";
      /** The holding alert's key; what follows is read from it, null when it is no longer stored. */
      key: string;
      rule: string;
      severity: Severity | null;
      code: string | null;
      title: string | null;
      circuitName: string | null;
      /**
       * Its condition is read but its alert still waits out its open count,
       * so it is not among the open alerts: a resolve is held by what a sweep
       * reads, before that alert opens (core/inhibit.ts).
       */
      pending: boolean;
    };

/**
 * An alert row erwatch cannot read (cut off, an older schema, a hand edit):
 * left out of the open alerts, and while its condition reads clean nothing
 * resolves it, so an incident it opened stays open at the receivers.
 */
export interface StatusUnreadableAlert {
  /** The PagerDuty dedup_key and the webhook's alert key. */
  key: string;
  /** Where it lives: the partition names the circuit. */
  table: string;
  partitionKey: string;
  rowKey: string;
  reason: string;
}

export interface StatusSilence {
  id: string;
  circuit: string;
  peering: string | null;
  path: PathName | null;
  status: "active" | "pending";
  /** One-off windows: when it ends. */
  until: string | null;
  author: string | null;
  comment: string | null;
  source: "stored" | "setting";
}

export interface StatusFilters {
  /** Circuits with an open alert at this severity or worse. */
  severity: Severity | null;
  provider: string | null;
  location: string | null;
  /** Circuits whose name has this in it, in any case: the page draws them in full. */
  circuit: string | null;
}

export interface StatusSummary {
  /** Alerts firing at the receivers (told, condition still there); not held ones, not resolving ones. */
  openBySeverity: Record<Severity, number>;
  /**
   * Alerts still open at the receivers whose condition reads clean (resolve
   * hysteresis, or a silence or an inhibition holding the resolve back): said
   * apart, as a Sev0 clearing on a healthy circuit is no Sev0 firing.
   */
  resolvingBySeverity?: Record<Severity, number>;
  lastSweep: SweepRecord | null;
  /** No completed sweep within `staleAfterMinutes`: the timer may have stopped. */
  stale: boolean;
  staleAfterMinutes: number;
  /**
   * A circuit read this long ago or longer is late: the rotation reads a
   * quiet circuit within the age limit (within an interval when every sweep
   * reads it), and a sweep's reads land within its interval.
   */
  readStaleAfterMinutes: number;
  /** The reading that is oldest (one whose time cannot be read first): how out of date the page can be. */
  oldestReading: { circuit: string; readAt: string | null; ageMinutes: number | null } | null;
  circuits: number;
  /**
   * Alert events decided longer than a sweep interval ago, by a sweep that
   * has ended (unsentOf), and still in the outbox: a sweep since should have
   * published them, so Service Bus is not
   * taking them (down, or not answering) and nobody was paged. Null when
   * none, or when the outbox could not be read.
   */
  unsent?: { events: number; oldest: string; ageMinutes: number } | null;
  /**
   * The last sweep was fanned out: how far its workers got. Null when it was
   * not, or when their claims could not be read (`unread` says which).
   */
  workers?: WorkersProgress | null;
}

export interface StatusModel {
  generatedAt: string;
  circuits: StatusCircuit[];
  openAlerts: StatusAlert[];
  recent: HistoryEntry[];
  /**
   * More changes than the page lists: `recent` is the `shown` newest of the
   * last `hours`. Cut without a word, the list read as all that changed.
   */
  recentCut?: { shown: number; hours: number };
  summary?: StatusSummary;
  silences?: StatusSilence[];
  /** The filters applied, and the values they can take. */
  filters?: StatusFilters & { providers: string[]; locations: string[] };
  /**
   * Parts Table Storage did not give this time (recent changes, the last
   * sweep, stored silences, the outbox): the page draws without them and says
   * so. Circuits and alerts are the page: without them it is not drawn.
   */
  unread?: StatusPart[];
  /** Alert rows that cannot be read (README "State"): resolve their incidents by hand. */
  unreadableAlerts?: StatusUnreadableAlert[];
}

export type StatusPart =
  "recent changes" | "the last sweep" | "stored silences" | "the outbox" | "the workers' progress";

export interface StatusOptions {
  recentHours: number;
  recentLimit: number;
  /** The timer's interval: three without a completed sweep is stale (the dead-man alert's 15 min). */
  sweepIntervalMinutes?: number;
  /** SWEEP_MAX_READ_AGE_MINUTES: the rotation reads every quiet circuit within it. */
  maxReadAgeMinutes?: number;
  filters?: Partial<StatusFilters>;
  silenceStore?: SilenceStore;
  configuredSilences?: Silence[];
  /** Told why a part was left out (the page names the part, not the cause). */
  log?: Logger;
  /** The fan-out workers' claims (<prefix>Work): how far a fanned-out last sweep got. */
  work?: WorkClaimsReader;
}

/**
 * A layer the stored reading has no cell for: kept by an erwatch that did not
 * read it yet (a circuit no longer swept keeps such a reading for good).
 */
const notKept = (takenAt: string): StatusCell => ({
  status: "unknown",
  detail: "not in this stored reading (an earlier erwatch did not keep this layer)",
  since: takenAt,
});

/**
 * A stored cell as its latest reading shows it: a status kept from before
 * for the memories' sake (snapshot.ts `shown`) is not what the sweep said.
 */
function shownCell(cell: SnapshotCell | undefined): StatusCell | undefined {
  const shown: unknown = cell?.shown;
  if (!cell || typeof shown !== "object" || shown === null) return cell;
  const { status, detail, since } = shown as Record<string, unknown>;
  if (typeof status !== "string") return cell;
  const { shown: _kept, ...stored } = cell;
  const now = typeof detail === "string" ? detail : "";
  // The kept state is context, not the state: "last known ok since …, 1 test passes".
  const lastKnown =
    status === "unknown"
      ? `last known ${STATUS_WORDS[stored.status] ?? stored.status} since ${stored.since}: ${stored.detail}`
      : "";
  return {
    ...stored,
    status: status as LayerStatus,
    detail: [now, lastKnown].filter((d) => d !== "").join("; "),
    since: typeof since === "string" ? since : stored.since,
  };
}

/** "forbidden (missing …): message [x-ms-request-id …]", as `erwatch diagnose` says it. */
function failureWords(f: ReadFailure): string {
  const permission = f.missingPermission ? ` (missing ${f.missingPermission})` : "";
  const request = f.requestId ? ` [x-ms-request-id ${f.requestId}]` : "";
  return `${f.kind}${permission}: ${f.message}${request}`;
}

/**
 * A cell of a circuit whose own read failed: not read this sweep, whatever
 * it was. The kept picture drew every layer as last read, green and all,
 * with only the circuit's read age to say that none of it was current.
 */
function unreadCell(cell: StatusCell, stored: SnapshotCell | undefined, failed: CircuitUnread) {
  // The last reading's state: what it showed, unless that was itself unknown (then what is kept).
  const { shown: _shown, ...kept } = stored ?? cell;
  const last = cell.status !== "unknown" || !stored ? cell : kept;
  const lastKnown =
    last.status === "unknown"
      ? last.detail
      : `last known ${STATUS_WORDS[last.status] ?? last.status} since ${last.since}: ${last.detail}`;
  return {
    status: "unknown" as const,
    detail: [`circuit read failed: ${failed.failure.kind}`, lastKnown]
      .filter((d) => d !== "")
      .join("; "),
    since: failed.since,
  };
}

/**
 * Whether a path's IPv6 sessions receive what is kept: its BGP row read
 * (not unknown) and its IPv6 sessions Established at that read. The
 * snapshot keeps the last IPv6 count for the drop and the trend.
 */
function ipv6Carries(
  peering: Snapshot["peerings"][string],
  path: PathName,
  bgp: StatusCell,
): boolean {
  if (bgp.status === "unknown") return false;
  const marks: unknown = peering.ipv6Sessions;
  // Kept before IPv6 sessions were marked apart: an up row has every session Established.
  if (!isRecord(marks)) return bgp.status === "up";
  return isRecord(marks[path]);
}

/**
 * A prefix count as stored where the row's schema does not check it (IPv6's):
 * any value a hand edit or another erwatch left, shown and put in the JSON as
 * a count ("60</b>", an object) unless it is one.
 */
const storedCount = (value: unknown): number | null =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : null;

const STATUS_ORDER: LayerStatus[] = ["down", "warn", "unknown", "up", "n/a"];

/**
 * Whole minutes from a stored time to now; null when it is not known, or is
 * ahead of now by more than clocks differ (an `erwatch sweep` from a laptop
 * whose clock runs hours fast): shown "read 0 min ago", a circuit nobody read
 * since looked fresh until real time caught up.
 */
export function minutesBetween(from: string | null, now: Date): number | null {
  const at = storedInstant(from);
  if (at === null || at - now.getTime() > CLOCK_SKEW_MS) return null;
  return Math.max(0, Math.floor((now.getTime() - at) / 60_000));
}

/**
 * When what erwatch knows of the circuit was read: its oldest reading, as the
 * planner ages it (core/read-age.ts oldestPathAt), null when one was never
 * read. Each path reading keeps when it was really read: the sweep's start
 * (the listing, the snapshot's instant) made a circuit read late in a long
 * sweep older than it was, by up to a sweep window, and stale while the
 * rotation had it in time. A read that failed keeps the last that worked, so
 * a circuit whose reads fail is as old as its last good read: a sweep that
 * could not read it still records an evaluation, and the page said "read 1
 * min ago" of a circuit not read for half an hour. A snapshot from before
 * reads were kept: its evaluation, or its body's last good read when older.
 */
function lastRead(s: Snapshot): string | null {
  const reads: unknown = s.reads;
  if (isRecord(reads) && "oldestPathAt" in reads) {
    const oldest: unknown = reads.oldestPathAt;
    if (typeof oldest === "string") return oldest;
    // A reading never had (neverReadOf says which): the age is of those that were.
    return oldestHad(storedReadAges(reads));
  }
  const body: unknown = s.reads?.circuitAt;
  const bodyAt = storedInstant(body);
  const takenAt = storedInstant(s.takenAt);
  return typeof body === "string" && bodyAt !== null && takenAt !== null && bodyAt < takenAt
    ? body
    : s.takenAt;
}

/** The earliest reading had; one whose time is not an instant first, as it may be the earliest. */
function oldestHad(ages: ReadAges | undefined): string | null {
  const had = Object.values(ages?.paths ?? {})
    .flatMap((paths) => PATHS.flatMap((path) => [paths[path].arp, paths[path].summary]))
    .filter((at): at is string => at !== null);
  return [...had].sort(earliestFirst)[0] ?? null;
}

/** "permission missing: …" for what a role lacks, else the failure's kind. */
function noteWords(note: ReadFailedNote | undefined): string | null {
  if (!note) return null;
  if (note.kind !== "forbidden") return note.kind;
  return `permission missing${note.missingPermission ? `: ${note.missingPermission}` : ""}`;
}

/** Each path reading never had, with why its last try failed. */
function neverReadOf(s: Snapshot): StatusNeverRead[] {
  const ages = storedReadAges(s.reads);
  return Object.entries(ages?.paths ?? {}).flatMap(([peering, paths]) =>
    PATHS.flatMap((path) => [
      ...(paths[path].arp === null
        ? [{ peering, path, reading: "ARP table" as const, why: noteWords(paths[path].arpFailed) }]
        : []),
      ...(paths[path].summary === null
        ? [
            {
              peering,
              path,
              reading: "route summary" as const,
              why: noteWords(paths[path].summaryFailed),
            },
          ]
        : []),
    ]),
  );
}

/** Earliest first; a time not known before any, as it may be the earliest. */
function earliestFirst(a: string | null, b: string | null): number {
  const x = storedInstant(a) ?? Number.NEGATIVE_INFINITY;
  const y = storedInstant(b) ?? Number.NEGATIVE_INFINITY;
  return x < y ? -1 : x > y ? 1 : 0;
}

function worstStatus(c: Pick<StatusCircuit, "peerings">): LayerStatus {
  let worst: LayerStatus = "up";
  for (const p of c.peerings)
    for (const path of PATHS)
      for (const layer of SNAPSHOT_LAYERS) {
        const status = p.paths[path][layer].status;
        if (STATUS_ORDER.indexOf(status) < STATUS_ORDER.indexOf(worst)) worst = status;
      }
  return c.peerings.length === 0 ? "unknown" : worst;
}

/** Ended ones too: one the last sweep held an alert by may have ended since. */
async function storedSilences(store: SilenceStore | undefined) {
  if (!store) return [];
  return (await store.list()).map((s) => s.value);
}

type ListedSilence = Silence & { author?: string; expiredAt?: string | null };

/** Circuits not read since their subscription's listing began failing (lower-case id → last read). */
type StaleReads = Map<string, string>;

/** A stored hold as the row has it (a field any erwatch may have written); null when it is not one. */
function storedHold(value: unknown): HeldBy | null {
  if (typeof value !== "object" || value === null) return null;
  const h = value as Record<string, unknown>;
  if (typeof h.silence === "string")
    return typeof h.comment === "string"
      ? { silence: h.silence, comment: h.comment }
      : { silence: h.silence };
  if (typeof h.alert === "string" && typeof h.rule === "string")
    return { alert: h.alert, rule: h.rule };
  return null;
}

/** Its silence now, else what the last sweep held it by, with the holding alert's words. */
function holdOf(
  a: AlertState,
  live: Silence | null,
  silences: ListedSilence[],
  byKey: Map<string, AlertState>,
): StatusHold | null {
  const held = storedHold(a.heldBy);
  // The comment as this reader has the silence, else as the sweep had it.
  const keptComment = (id: string) =>
    held && "silence" in held && held.silence === id ? (held.comment ?? null) : null;
  if (live)
    return { kind: "silence", id: live.id, comment: live.comment?.trim() || keptComment(live.id) };
  if (!held) return null;
  if ("silence" in held) {
    const listed = silences.find((s) => s.id === held.silence);
    return {
      kind: "silence",
      id: held.silence,
      comment: listed?.comment?.trim() || keptComment(held.silence),
    };
  }
  const holder = byKey.get(held.alert);
  return {
    kind: "alert",
    key: held.alert,
    rule: held.rule,
    severity: holder?.condition?.severity ?? null,
    code: holder?.condition?.code ?? null,
    title: holder?.condition?.title ?? null,
    circuitName: holder?.circuitName ?? null,
    pending: holder?.phase === "pending",
  };
}

/** When a silence that is over ended, when that is known. */
function endedAt(s: ListedSilence, now: Date): string | null {
  const expiredAt = storedInstant(s.expiredAt);
  if (expiredAt !== null && expiredAt <= now.getTime()) return new Date(expiredAt).toISOString();
  const span = s.window.kind === "once" ? onceSpan(s.window) : null;
  return span !== null && span.end <= now.getTime() ? new Date(span.end).toISOString() : null;
}

/**
 * The silence the last sweep held the alert by, when this reader has it and
 * it no longer holds the alert (`live` is none): shown as holding it until the
 * next sweep, the page read silenced, and `erwatch alerts` exited 0, on a
 * Sev0 whose maintenance window was over. One this reader does not have (the
 * Function App's ERWATCH_SILENCES) keeps the sweep's word.
 */
function endedHold(
  a: AlertState,
  live: Silence | null,
  known: ListedSilence[],
  now: Date,
  byKey: Map<string, AlertState>,
): StatusHoldEnded | null {
  const held = storedHold(a.heldBy);
  if (live || !held) return null;
  if ("alert" in held) return resolvedHolder(held, byKey);
  const silence = known.find((s) => s.id === held.silence);
  return silence ? { silence: silence.id, endedAt: endedAt(silence, now) } : null;
}

/**
 * The inhibiting alert, when it has resolved since it held this one: a sweep
 * holds by alerts firing or resolving, and a resolve also by a condition
 * read but not open yet (pending). The held alert keeps the hold
 * its last decision stored while its own layer cannot be read (a blind
 * reading keeps its state), so the page said "held by" a Sev1 long cleared
 * over an alert nothing explains any more. One not stored (a row that cannot
 * be read) keeps the sweep's word.
 */
function resolvedHolder(
  held: Extract<HeldBy, { alert: string }>,
  byKey: Map<string, AlertState>,
): StatusHoldEnded | null {
  const holder = byKey.get(held.alert);
  if (!holder || ["firing", "resolving", "pending"].includes(holder.phase)) return null;
  return {
    alert: held.alert,
    rule: held.rule,
    severity: holder.condition?.severity ?? null,
    code: holder.condition?.code ?? null,
    title: holder.condition?.title ?? null,
    ...resolvedWhen(holder),
  };
}

/**
 * When the holder's resolve was sent and how long it had been open: only
 * while that resolve is the last word on it (its receivers hold nothing
 * since). Cleared with its resolve held back, it has none of this episode.
 */
function resolvedWhen(holder: AlertState): {
  resolvedAt: string | null;
  openMinutes: number | null;
} {
  const told: unknown = holder.resolved;
  if (holder.notified || !isRecord(told)) return { resolvedAt: null, openMinutes: null };
  const at = storedInstant(told["at"] as string | null | undefined);
  if (at === null) return { resolvedAt: null, openMinutes: null };
  const from = storedInstant(told["firstSeen"] as string | null | undefined);
  return {
    resolvedAt: new Date(at).toISOString(),
    openMinutes: from === null || from > at ? null : Math.round((at - from) / 60_000),
  };
}

function alertRow(
  a: AlertState,
  silences: ListedSilence[],
  known: ListedSilence[],
  stale: StaleReads,
  now: Date,
  byKey: Map<string, AlertState>,
): StatusAlert {
  const condition = a.condition!;
  const silence = activeSilence(
    silences,
    {
      circuitId: a.circuitId,
      circuitName: a.circuitName,
      peering: a.peering,
      paths: condition.paths,
    },
    now,
  );
  const holdEnded = endedHold(a, silence, known, now, byKey);
  const heldBy = holdEnded ? null : holdOf(a, silence, silences, byKey);
  return {
    key: a.key,
    circuitId: a.circuitId,
    circuitName: a.circuitName,
    peering: a.peering,
    family: a.family,
    code: condition.code,
    severity: condition.severity,
    owner: condition.owner,
    title: condition.title,
    nextAction: condition.nextAction,
    paths: condition.paths,
    firstSeen: a.firstSeen,
    // Cleared with its resolve held (a silence, an inhibition): the receivers
    // still hold it, but it is clearing, not firing, whatever they last heard.
    state: a.phase !== "firing" ? "resolving" : a.notified ? "firing" : "held",
    stale: stale.has(a.circuitId.toLowerCase()),
    notReadSince: stale.get(a.circuitId.toLowerCase()) ?? null,
    ageMinutes: minutesBetween(a.firstSeen, now),
    silencedBy: heldBy?.kind === "silence" ? heldBy.id : null,
    heldBy,
    holdEnded,
  };
}

/** Open alerts, worst first; among equals the longest-running first. */
function statusAlerts(
  alerts: AlertState[],
  silences: ListedSilence[],
  known: ListedSilence[],
  stale: StaleReads,
  now: Date,
): StatusAlert[] {
  const byKey = new Map(alerts.map((a) => [a.key, a]));
  return alerts
    .filter((a) => a.condition && (a.notified || a.phase === "firing" || a.phase === "resolving"))
    .map((a) => alertRow(a, silences, known, stale, now, byKey))
    .sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        earliestFirst(a.firstSeen, b.firstSeen) ||
        a.circuitName.localeCompare(b.circuitName),
    );
}

/** Every circuit's grid rows, worst circuit first: its worst open alert, then its worst cell, then by name. */
function statusCircuits(
  snapshots: Snapshot[],
  alerts: StatusAlert[],
  stale: StaleReads,
  now: Date,
): StatusCircuit[] {
  const worstAlert = new Map<string, Severity>();
  for (const a of alerts) {
    const id = a.circuitId.toLowerCase();
    const seen = worstAlert.get(id);
    if (!seen || severityRank(a.severity) < severityRank(seen)) worstAlert.set(id, a.severity);
  }
  const circuits = snapshots.map((s) => {
    const unread = keptCircuitUnread(s.circuitUnread);
    const cellOf = (stored: SnapshotCell | undefined) => {
      const shown = shownCell(stored) ?? notKept(s.takenAt);
      return unread ? unreadCell(shown, stored, unread) : shown;
    };
    const c = {
      id: s.circuitId,
      name: s.circuitName,
      lastReadAt: lastRead(s),
      neverRead: neverReadOf(s),
      stale: stale.has(s.circuitId.toLowerCase()),
      reads: s.reads ?? null,
      providerState: s.providerState,
      provider: s.provider ?? null,
      peeringLocation: s.peeringLocation ?? null,
      worstSeverity: worstAlert.get(s.circuitId.toLowerCase()) ?? null,
      readAgeMinutes: minutesBetween(lastRead(s), now),
      // A quiet circuit's paths are read in rotation: this is how old its ARP and prefixes are.
      pathAgeMinutes: minutesBetween(s.reads?.oldestPathAt ?? null, now),
      readFailed: unread ? { since: unread.since, why: failureWords(unread.failure) } : null,
      tagsLeftOut: keptTagProblems(s.tagProblems),
      peerings: Object.entries(s.peerings).map(([name, p]) => {
        const paths = Object.fromEntries(
          PATHS.map((path) => [
            path,
            Object.fromEntries(
              SNAPSHOT_LAYERS.map((layer) => [layer, cellOf(p.paths[path][layer])]),
            ),
          ]),
        ) as StatusCircuit["peerings"][number]["paths"];
        // The snapshot keeps a path's last count for the drop and the trend; a
        // path whose session is down (or not read) receives none that is known.
        const received = (path: PathName) =>
          sessionCarries(paths[path].bgp) ? (p.prefixes[path] ?? null) : null;
        // IPv6 apart (its own sessions, its own limit): the line gave IPv4's alone.
        const ipv6 = p.ipv6Prefixes;
        const ipv6Received = (path: PathName) =>
          ipv6Carries(p, path, paths[path].bgp) ? storedCount(ipv6?.[path]) : null;
        // A count kept for the drop is no IPv6 side where no neighbor is left to carry it.
        const noNeighbor = keptNoNeighbor(p.ipv6NoNeighbor);
        return {
          name,
          paths,
          prefixes: { primary: received("primary"), secondary: received("secondary") },
          ...(ipv6 && noNeighbor.length < PATHS.length
            ? {
                ipv6Prefixes: {
                  primary: ipv6Received("primary"),
                  secondary: ipv6Received("secondary"),
                },
                // A count, once had, is kept: none kept is a session never up.
                ipv6NeverUp: PATHS.filter(
                  (path) => ipv6[path] === null && !noNeighbor.includes(path),
                ),
                ...(noNeighbor.length > 0 ? { ipv6NoNeighbor: noNeighbor } : {}),
              }
            : {}),
        };
      }),
    };
    return { ...c, worstStatus: worstStatus(c) };
  });
  return circuits.sort(
    (a, b) =>
      (a.worstSeverity ? severityRank(a.worstSeverity) : 99) -
        (b.worstSeverity ? severityRank(b.worstSeverity) : 99) ||
      STATUS_ORDER.indexOf(a.worstStatus) - STATUS_ORDER.indexOf(b.worstStatus) ||
      a.name.localeCompare(b.name),
  );
}

function filtered(
  allCircuits: StatusCircuit[],
  allAlerts: StatusAlert[],
  filters: StatusFilters,
): { circuits: StatusCircuit[]; openAlerts: StatusAlert[] } {
  const severe = (s: Severity | null) =>
    filters.severity === null || (s !== null && severityRank(s) <= severityRank(filters.severity));
  // In any case, as a fleet alert's place matches: "equinix" shows its circuits and its fleet alert.
  const same = (wanted: string | null, actual: string | null) =>
    wanted === null || (actual !== null && placeWord(actual) === placeWord(wanted));
  // A resource id (what POST /api/sweep's ?circuit= takes, URL-decoded, a
  // trailing slash, any case) names its circuit: read as a part of a name it
  // matched none, and a script read the empty view as "no trouble".
  const byId = filters.circuit === null ? null : parseCircuitId(filters.circuit);
  const named = (c: StatusCircuit) =>
    filters.circuit === null ||
    (byId
      ? sameId(c.id, byId.id)
      : c.name.toLowerCase().includes(filters.circuit.trim().toLowerCase()));
  const keep = (c: StatusCircuit) =>
    severe(c.worstSeverity) &&
    same(filters.provider, c.provider) &&
    same(filters.location, c.peeringLocation) &&
    named(c);
  const circuits = allCircuits.filter(keep);
  const shown = new Set(circuits.map((c) => c.id.toLowerCase()));
  const known = new Set(allCircuits.map((c) => c.id.toLowerCase()));
  const openAlerts = allAlerts.filter((a) => {
    const id = a.circuitId.toLowerCase();
    // A fleet alert is at its own place; one with neither a snapshot nor a
    // place (a subscription erwatch cannot list) may be about any carrier, so
    // a filter to the carrier that is down must not hide the alert that paged.
    // Nor one to a circuit's name: such an alert may be about that circuit.
    const placed = known.has(id)
      ? shown.has(id)
      : (fleetAt(a.circuitId, { provider: filters.provider, location: filters.location }) ?? true);
    return placed && severe(a.severity);
  });
  return { circuits, openAlerts };
}

function summaryOf(
  allCircuits: StatusCircuit[],
  allAlerts: StatusAlert[],
  lastSweep: SweepRecord | null,
  now: Date,
  intervalMinutes: number,
  maxReadAgeMinutes: number,
): StatusSummary {
  const staleAfterMinutes = 3 * intervalMinutes;
  const sweptAgo = minutesBetween(lastSweep?.finishedAt ?? null, now);
  const oldest = [...allCircuits].sort((a, b) => earliestFirst(a.lastReadAt, b.lastReadAt))[0];
  const openBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<
    Severity,
    number
  >;
  const resolvingBySeverity = { ...openBySeverity };
  for (const a of allAlerts)
    if (a.state === "firing") openBySeverity[a.severity] += 1;
    else if (a.state === "resolving") resolvingBySeverity[a.severity] += 1;
  return {
    openBySeverity,
    resolvingBySeverity,
    lastSweep,
    stale: sweptAgo === null || sweptAgo >= staleAfterMinutes,
    staleAfterMinutes,
    readStaleAfterMinutes: Math.max(maxReadAgeMinutes, intervalMinutes) + intervalMinutes,
    oldestReading: oldest
      ? { circuit: oldest.name, readAt: oldest.lastReadAt, ageMinutes: oldest.readAgeMinutes }
      : null,
    circuits: allCircuits.length,
  };
}

/**
 * Events a sweep since should have published (see StatusSummary.unsent), and
 * that the sweep which decided them can no longer publish, by when it
 * decided them (OutboxRow.decidedAt, else the event's time). A sweep publishes
 * until its hard stop, which on a schedule of a minute or two comes after the
 * next tick (a sweep gets at least a minute): a page asked then called an
 * event unsent before its own sweep's publish had had its chance. Its sweep is
 * over once the last completed sweep began with the event or after it (a
 * fanned-out one, once its workers stopped), or once a sweep that began when
 * the event was decided has passed its hard stop.
 */
export function unsentOf(
  outbox: Stored<OutboxRow>[] | null,
  now: Date,
  intervalMinutes: number,
  lastSweep: SweepRecord | null = null,
): StatusSummary["unsent"] {
  const stopMs = sweepWindow(intervalMinutes).stopMs;
  const lastStarted = storedInstant(lastSweep?.startedAt);
  const lastOver =
    lastSweep !== null &&
    (!lastSweep.fannedOut || workersStopped(lastSweep.fannedOut.deadline, now));
  const sweepOver = (at: number) =>
    now.getTime() - at >= stopMs || (lastOver && lastStarted !== null && lastStarted >= at);
  const late = (outbox ?? [])
    // When its sweep decided it: a fleet alert the fan-out timer judges as of
    // its workers' earlier readings is dated a sweep before the one that may
    // still publish it, and was called unsent as soon as that sweep began.
    .map((r) => storedInstant(r.value.decidedAt ?? r.value.createdAt))
    .filter(
      (at): at is number =>
        at !== null && now.getTime() - at > intervalMinutes * 60_000 && sweepOver(at),
    )
    .sort((a, b) => a - b);
  const oldest = late[0];
  if (oldest === undefined) return null;
  return {
    events: late.length,
    oldest: new Date(oldest).toISOString(),
    ageMinutes: Math.floor((now.getTime() - oldest) / 60_000),
  };
}

function silenceRows(
  silences: ListedSilence[],
  storedIds: Set<string>,
  now: Date,
): StatusSilence[] {
  return silences
    .map((s): StatusSilence | null => {
      const status = silenceStatus(s, now);
      if (status === "expired") return null;
      return {
        id: s.id,
        circuit: s.circuit,
        peering: s.peering ?? null,
        path: s.path ?? null,
        status,
        until: s.window.kind === "once" ? onceUntil(s.window) : null,
        author: s.author ?? null,
        comment: s.comment ?? null,
        source: storedIds.has(s.id) ? "stored" : "setting",
      };
    })
    .filter((s): s is StatusSilence => s !== null);
}

export async function loadStatus(
  store: StateStore,
  now: Date,
  options: StatusOptions,
): Promise<StatusModel> {
  // What only a part of the page says must not take the page down: the rest still shows.
  const unread: StatusPart[] = [];
  const warn = (name: StatusPart, error: unknown) =>
    options.log?.warn(
      { err: error, part: name },
      "a part of the status could not be read; left out",
    );
  // Said only once the circuits and alerts are read: when they fail there is
  // no status to leave a part out of, and whether a warning came before the
  // error depended on which answer arrived first.
  let leftOut: { name: StatusPart; error: unknown }[] | null = [];
  const part = <T>(name: StatusPart, read: Promise<T>): Promise<T | null> =>
    read.catch((error: unknown) => {
      if (!isStorageFailure(error)) throw error;
      unread.push(name);
      if (leftOut) leftOut.push({ name, error });
      else warn(name, error);
      return null;
    });
  const unreadable: UnreadableAlert[] = [];
  const [snapshots, alerts, recent, lastSweep, stored, outbox] = await Promise.all([
    store.listSnapshots(),
    store.listAlerts(undefined, unreadable),
    part(
      "recent changes",
      // One more than is listed: whether there were more is what the page says.
      store.listRecentHistory(
        new Date(now.getTime() - options.recentHours * 3_600_000),
        options.recentLimit + 1,
      ),
    ),
    part("the last sweep", store.lastSweep()),
    part("stored silences", storedSilences(options.silenceStore)),
    part("the outbox", store.listOutbox()),
  ]);
  for (const { name, error } of leftOut) warn(name, error);
  leftOut = null;
  // Read only when the last sweep says it handed work out: one partition, that sweep's.
  const claims =
    lastSweep?.fannedOut && options.work
      ? await part("the workers' progress", options.work.progress(lastSweep.sweepId))
      : [];
  // Every silence this reader has; those in force or to come hold and are listed.
  const known: ListedSilence[] = [...(options.configuredSilences ?? []), ...(stored ?? [])];
  const silences = known.filter((s) => silenceStatus(s, now) !== "expired");
  const staleIds = staleCircuitIds(
    alerts.map((a) => a.value),
    snapshots.map((s) => ({ circuitId: s.circuitId, takenAt: s.takenAt })),
  );
  const stale: StaleReads = new Map(
    snapshots
      .filter((s) => staleIds.has(s.circuitId.toLowerCase()))
      .map((s) => [s.circuitId.toLowerCase(), s.takenAt]),
  );
  const allAlerts = statusAlerts(
    alerts.map((a) => a.value),
    silences,
    known,
    stale,
    now,
  );
  const allCircuits = statusCircuits(snapshots, allAlerts, stale, now);
  // An alert on a circuit that cannot be read is held as last read: said beside it.
  const unreadCircuits = new Map(
    allCircuits.map((c) => [c.id.toLowerCase(), c.readFailed] as const),
  );
  for (const a of allAlerts) a.readFailed = unreadCircuits.get(a.circuitId.toLowerCase()) ?? null;
  const filters: StatusFilters = {
    severity: options.filters?.severity ?? null,
    provider: options.filters?.provider ?? null,
    location: options.filters?.location ?? null,
    circuit: options.filters?.circuit ?? null,
  };
  const intervalMinutes = options.sweepIntervalMinutes ?? DEFAULT_ALERT_POLICY.sweepIntervalMinutes;
  return {
    generatedAt: now.toISOString(),
    ...filtered(allCircuits, allAlerts, filters),
    recent: (recent ?? []).slice(0, options.recentLimit),
    ...((recent?.length ?? 0) > options.recentLimit && options.recentLimit > 0
      ? { recentCut: { shown: options.recentLimit, hours: options.recentHours } }
      : {}),
    summary: {
      ...summaryOf(
        allCircuits,
        allAlerts,
        lastSweep,
        now,
        intervalMinutes,
        options.maxReadAgeMinutes ?? DEFAULT_MAX_READ_AGE_MINUTES,
      ),
      // Not known, not stale: the page says the last sweep could not be read instead.
      ...(unread.includes("the last sweep") ? { stale: false } : {}),
      unsent: unsentOf(outbox, now, intervalMinutes, lastSweep),
      workers:
        claims === null
          ? null
          : workersProgress(
              lastSweep,
              claims,
              new Map(snapshots.map((s) => [s.circuitId.toLowerCase(), s.circuitName])),
              now,
            ),
    },
    silences: silenceRows(silences, new Set((stored ?? []).map((s) => s.id)), now),
    filters: {
      ...filters,
      providers: distinctPlaceWords(allCircuits.map((c) => c.provider)),
      locations: distinctPlaceWords(allCircuits.map((c) => c.peeringLocation)),
    },
    unread,
    unreadableAlerts: unreadable.map(({ key, table, partitionKey, rowKey, reason }) => ({
      key,
      table,
      partitionKey,
      rowKey,
      reason,
    })),
  };
}

/** A one-off window's end as an instant (it may be written without an offset, in its time zone). */
function onceUntil(window: Extract<Silence["window"], { kind: "once" }>): string {
  const span = onceSpan(window);
  return span === null ? window.end : new Date(span.end).toISOString();
}
