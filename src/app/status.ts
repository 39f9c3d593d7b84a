// The status page's data: stored state only. It never triggers an ARM read, so
// opening it during an incident costs nothing and cannot make things worse.
// Ordered for the person who opens it: the fleet's summary, then open alerts
// worst first, then the circuits worst first.

import type { HistoryEntry } from "../core/history.js";
import type { AlertState } from "../core/lifecycle.js";
import type { LayerStatus, PathName, Severity } from "../core/model.js";
import { PATHS, SEVERITIES } from "../core/model.js";
import { activeSilence } from "../core/silence.js";
import type { Silence } from "../core/policy.js";
import { severityRank } from "../core/severity.js";
import { SNAPSHOT_LAYERS, type SnapshotCell, type SnapshotLayer } from "../core/snapshot.js";
import { silenceStatus, type SilenceStore } from "./silences.js";
import type { StateStore, SweepRecord } from "./state-store.js";

export type StatusCell = SnapshotCell;

export interface StatusCircuit {
  id: string;
  name: string;
  lastReadAt: string;
  providerState: string | null;
  /** The carrier and peering location, when a read has seen them. */
  provider: string | null;
  peeringLocation: string | null;
  /** The most severe open alert on the circuit, null when none. */
  worstSeverity: Severity | null;
  /** The worst cell of its layer tables: down, warn, unknown or up. */
  worstStatus: LayerStatus;
  /** Minutes since its last read; the page marks a reading older than the stale line. */
  readAgeMinutes: number;
  peerings: {
    name: string;
    paths: Record<PathName, Record<SnapshotLayer, StatusCell>>;
    prefixes: Record<PathName, number | null>;
  }[];
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
  /** firing: receivers were told; held: firing but silenced, inhibited or not yet notified; resolving: clearing. */
  state: "firing" | "held" | "resolving";
  /** Minutes since first seen, null when unknown. */
  ageMinutes?: number | null;
  /** The silence covering it now (stored or configured), if any. */
  silencedBy?: string | null;
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
}

export interface StatusSummary {
  openBySeverity: Record<Severity, number>;
  lastSweep: SweepRecord | null;
  /** No completed sweep within `staleAfterMinutes`: the timer may have stopped. */
  stale: boolean;
  staleAfterMinutes: number;
  /** The reading that is oldest: how out of date the page can be. */
  oldestReading: { circuit: string; readAt: string; ageMinutes: number } | null;
  circuits: number;
}

export interface StatusModel {
  generatedAt: string;
  circuits: StatusCircuit[];
  openAlerts: StatusAlert[];
  recent: HistoryEntry[];
  summary?: StatusSummary;
  silences?: StatusSilence[];
  /** The filters applied, and the values they can take. */
  filters?: StatusFilters & { providers: string[]; locations: string[] };
}

export interface StatusOptions {
  recentHours: number;
  recentLimit: number;
  /** The timer's interval: three without a completed sweep is stale (the dead-man alert's 15 min). */
  sweepIntervalMinutes?: number;
  filters?: Partial<StatusFilters>;
  silenceStore?: SilenceStore;
  configuredSilences?: Silence[];
}

const STATUS_ORDER: LayerStatus[] = ["down", "warn", "unknown", "up", "n/a"];
const minutesBetween = (from: string | null, now: Date) =>
  from === null ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / 60_000));

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

async function storedSilences(store: SilenceStore | undefined, now: Date) {
  if (!store) return [];
  try {
    return (await store.list())
      .map((s) => s.value)
      .filter((s) => silenceStatus(s, now) !== "expired");
  } catch {
    // The page still draws without them; the sweep warns about unreadable silences.
    return [];
  }
}

export async function loadStatus(
  store: StateStore,
  now: Date,
  options: StatusOptions,
): Promise<StatusModel> {
  const [snapshots, alerts, recent, lastSweep, stored] = await Promise.all([
    store.listSnapshots(),
    store.listAlerts(),
    store.listRecentHistory(
      new Date(now.getTime() - options.recentHours * 3_600_000),
      options.recentLimit,
    ),
    store.lastSweep(),
    storedSilences(options.silenceStore, now),
  ]);
  const silences: (Silence & { author?: string; expiredAt?: string | null })[] = [
    ...(options.configuredSilences ?? []),
    ...stored,
  ];
  const storedIds = new Set(stored.map((s) => s.id));
  const allAlerts: StatusAlert[] = alerts
    .map((a) => a.value)
    .filter((a) => a.condition && (a.notified || a.phase === "firing" || a.phase === "resolving"))
    .map((a) => {
      const silence = activeSilence(
        silences,
        {
          circuitId: a.circuitId,
          circuitName: a.circuitName,
          peering: a.peering,
          paths: a.condition!.paths,
        },
        now,
      );
      return {
        key: a.key,
        circuitId: a.circuitId,
        circuitName: a.circuitName,
        peering: a.peering,
        family: a.family,
        code: a.condition!.code,
        severity: a.condition!.severity,
        owner: a.condition!.owner,
        title: a.condition!.title,
        nextAction: a.condition!.nextAction,
        paths: a.condition!.paths,
        firstSeen: a.firstSeen,
        state:
          a.phase === "resolving"
            ? ("resolving" as const)
            : a.notified
              ? ("firing" as const)
              : ("held" as const),
        ageMinutes: minutesBetween(a.firstSeen, now),
        silencedBy: silence?.id ?? null,
      };
    })
    // Worst first; among equals the longest-running first.
    .sort(
      (a, b) =>
        severityRank(a.severity) - severityRank(b.severity) ||
        (a.firstSeen ?? "").localeCompare(b.firstSeen ?? "") ||
        a.circuitName.localeCompare(b.circuitName),
    );
  const worstAlert = new Map<string, Severity>();
  for (const a of allAlerts) {
    const id = a.circuitId.toLowerCase();
    const seen = worstAlert.get(id);
    if (!seen || severityRank(a.severity) < severityRank(seen)) worstAlert.set(id, a.severity);
  }
  const allCircuits: StatusCircuit[] = snapshots.map((s) => {
    const c = {
      id: s.circuitId,
      name: s.circuitName,
      lastReadAt: s.takenAt,
      providerState: s.providerState,
      provider: s.provider ?? null,
      peeringLocation: s.peeringLocation ?? null,
      worstSeverity: worstAlert.get(s.circuitId.toLowerCase()) ?? null,
      readAgeMinutes: minutesBetween(s.takenAt, now) ?? 0,
      peerings: Object.entries(s.peerings).map(([name, p]) => ({
        name,
        paths: Object.fromEntries(
          PATHS.map((path) => [
            path,
            Object.fromEntries(SNAPSHOT_LAYERS.map((layer) => [layer, p.paths[path][layer]])),
          ]),
        ) as StatusCircuit["peerings"][number]["paths"],
        prefixes: p.prefixes,
      })),
    };
    return { ...c, worstStatus: worstStatus(c) };
  });
  // Worst circuit first: its worst open alert, then its worst cell, then by name.
  allCircuits.sort(
    (a, b) =>
      (a.worstSeverity ? severityRank(a.worstSeverity) : 99) -
        (b.worstSeverity ? severityRank(b.worstSeverity) : 99) ||
      STATUS_ORDER.indexOf(a.worstStatus) - STATUS_ORDER.indexOf(b.worstStatus) ||
      a.name.localeCompare(b.name),
  );

  const filters: StatusFilters = {
    severity: options.filters?.severity ?? null,
    provider: options.filters?.provider ?? null,
    location: options.filters?.location ?? null,
  };
  const keep = (c: StatusCircuit) =>
    (filters.severity === null ||
      (c.worstSeverity !== null &&
        severityRank(c.worstSeverity) <= severityRank(filters.severity))) &&
    (filters.provider === null || c.provider === filters.provider) &&
    (filters.location === null || c.peeringLocation === filters.location);
  const circuits = allCircuits.filter(keep);
  const shown = new Set(circuits.map((c) => c.id.toLowerCase()));
  const byCircuit = new Map(allCircuits.map((c) => [c.id.toLowerCase(), c]));
  const openAlerts = allAlerts.filter((a) => {
    const c = byCircuit.get(a.circuitId.toLowerCase());
    // An alert on a circuit without a snapshot is shown unless a provider or location filter hides it.
    const placed = c
      ? shown.has(c.id.toLowerCase())
      : filters.provider === null && filters.location === null;
    return (
      placed &&
      (filters.severity === null || severityRank(a.severity) <= severityRank(filters.severity))
    );
  });

  const interval = options.sweepIntervalMinutes ?? 5;
  const staleAfterMinutes = 3 * interval;
  const sweptAgo = minutesBetween(lastSweep?.finishedAt ?? null, now);
  const oldest = [...allCircuits].sort((a, b) => a.lastReadAt.localeCompare(b.lastReadAt))[0];
  const openBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<
    Severity,
    number
  >;
  for (const a of allAlerts) if (a.state !== "held") openBySeverity[a.severity] += 1;
  const distinct = (values: (string | null)[]) =>
    [...new Set(values.filter((v): v is string => v !== null && v !== ""))].sort();

  return {
    generatedAt: now.toISOString(),
    circuits,
    openAlerts,
    recent,
    summary: {
      openBySeverity,
      lastSweep,
      stale: sweptAgo === null || sweptAgo >= staleAfterMinutes,
      staleAfterMinutes,
      oldestReading: oldest
        ? { circuit: oldest.name, readAt: oldest.lastReadAt, ageMinutes: oldest.readAgeMinutes }
        : null,
      circuits: allCircuits.length,
    },
    silences: silences
      .map((s): StatusSilence | null => {
        const status = silenceStatus(s, now);
        if (status === "expired") return null;
        return {
          id: s.id,
          circuit: s.circuit,
          peering: s.peering ?? null,
          path: s.path ?? null,
          status,
          until: s.window.kind === "once" ? s.window.end : null,
          author: s.author ?? null,
          comment: s.comment ?? null,
          source: storedIds.has(s.id) ? "stored" : "setting",
        };
      })
      .filter((s): s is StatusSilence => s !== null),
    filters: {
      ...filters,
      providers: distinct(allCircuits.map((c) => c.provider)),
      locations: distinct(allCircuits.map((c) => c.peeringLocation)),
    },
  };
}
