// The status page's data: stored state only. It never triggers an ARM read, so
// opening it during an incident costs nothing and cannot make things worse.

import type { HistoryEntry } from "../core/history.js";
import type { AlertState } from "../core/lifecycle.js";
import type { PathName } from "../core/model.js";
import { PATHS } from "../core/model.js";
import type { ReadAges } from "../core/read-age.js";
import { SNAPSHOT_LAYERS, type SnapshotCell, type SnapshotLayer } from "../core/snapshot.js";
import type { StateStore } from "./state-store.js";

export type StatusCell = SnapshotCell;

export interface StatusCircuit {
  id: string;
  name: string;
  lastReadAt: string;
  /** When each reading was last good (the tiered sweep reads quiet circuits' paths in rotation); null before it was kept. */
  reads: ReadAges | null;
  providerState: string | null;
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
  severity: string;
  owner: string;
  title: string;
  nextAction: string;
  paths: PathName[];
  firstSeen: string | null;
  /** firing: receivers were told; held: firing but silenced, inhibited or not yet notified; resolving: clearing. */
  state: "firing" | "held" | "resolving";
}

export interface StatusModel {
  generatedAt: string;
  circuits: StatusCircuit[];
  openAlerts: StatusAlert[];
  recent: HistoryEntry[];
}

const SEVERITY_ORDER = ["Sev0", "Sev1", "Sev2", "Sev3", "Sev4"];

export async function loadStatus(
  store: StateStore,
  now: Date,
  options: { recentHours: number; recentLimit: number },
): Promise<StatusModel> {
  const [snapshots, alerts, recent] = await Promise.all([
    store.listSnapshots(),
    store.listAlerts(),
    store.listRecentHistory(
      new Date(now.getTime() - options.recentHours * 3_600_000),
      options.recentLimit,
    ),
  ]);
  const circuits: StatusCircuit[] = snapshots
    .map((s) => ({
      id: s.circuitId,
      name: s.circuitName,
      lastReadAt: s.takenAt,
      reads: s.reads ?? null,
      providerState: s.providerState,
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
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const openAlerts: StatusAlert[] = alerts
    .map((a) => a.value)
    .filter((a) => a.condition && (a.notified || a.phase === "firing" || a.phase === "resolving"))
    .map((a) => ({
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
    }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
        a.circuitName.localeCompare(b.circuitName),
    );
  return { generatedAt: now.toISOString(), circuits, openAlerts, recent };
}
