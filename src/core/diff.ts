// Previous snapshot + this sweep's verdict → next snapshot and the changes.
// UNKNOWN never counts: a cell that could not be read keeps its last known
// value and its `since`, and produces no transition.
//
// Prefix samples feed the flap cause and the trend, so a sample is kept when
// the count changes, when the session comes back (the count it returns with is
// what tells a route-limit flap from layer 1), and at every sweep while the
// count is at or above the warning share of its limit (the trend needs the
// flat stretches too). Below the warning line a steady count writes nothing.
// IPv4 and IPv6 are sampled apart, each with its own limit: IPv6 at 98 of 100
// is the route limit even while IPv4 sits at 120 of 4,000.

import { sessionCarries } from "./path-analysis.js";
import type { CircuitVerdict, LayerCell, LayerStatus, PathLayers, PathName } from "./model.js";
import { PATHS } from "./model.js";
import type { LayerTransition, PrefixSample } from "./history.js";
import type { AddressFamily } from "./route-limits.js";
import {
  pathStatus,
  SNAPSHOT_LAYERS,
  type Snapshot,
  type SnapshotCell,
  type SnapshotLayer,
  type SnapshotPeering,
} from "./snapshot.js";
import { byName } from "./names.js";
import { LAYER_WORDS } from "./vocabulary.js";

export interface DiffResult {
  next: Snapshot;
  transitions: LayerTransition[];
  prefixSamples: PrefixSample[];
}

function cellsOf(
  verdict: CircuitVerdict,
  peering: string,
  path: PathName,
): Record<SnapshotLayer, LayerCell> | null {
  const p = verdict.peerings.find((x) => x.name === peering);
  if (!p) return null;
  const cells = p.paths[path];
  const status = pathStatus(cells);
  return { ...cells, path: { status, detail: pathDetail(status, cells) } };
}

/**
 * A cell kept from before for the memories, with what this reading shows
 * beside it (snapshot.ts `shown`) when that differs, since the first sweep
 * that showed it.
 */
function keptBeside(
  kept: SnapshotCell,
  now: { status: LayerStatus; detail: string },
  at: string,
): SnapshotCell {
  const { shown: was, ...cell } = kept;
  if (now.status === cell.status) return cell;
  const since = was?.status === now.status && typeof was.since === "string" ? was.since : at;
  return { ...cell, shown: { status: now.status, detail: now.detail, since } };
}

const ipv6StateUnknown = (verdict: CircuitVerdict, peering: string, path: PathName): boolean =>
  verdict.peerings.find((x) => x.name === peering)?.ipv6StateUnknown?.includes(path) ?? false;

/** The layers below traffic that make a path's status, bottom-up (snapshot.ts pathStatus). */
const CONTROL_PLANE = ["provider", "bgp", "peering", "routes"] as const;

/**
 * What the control plane shows of a path: "Established, 120 prefixes" when up,
 * the lowest layer that is not ("BGP: Idle (192.168.10.17)") otherwise. Not
 * "carrying traffic": these layers say the path can carry it, and the status
 * page read it as traffic seen flowing when nothing measured any. Never the
 * status word again either ("down → down down").
 */
function pathDetail(status: LayerStatus, cells: PathLayers): string {
  if (status === "up")
    return [cells.bgp.detail, cells.routes.detail].filter((d) => d !== "").join(", ");
  const lowest = CONTROL_PLANE.find((layer) => cells[layer].status === status);
  return lowest ? `${LAYER_WORDS[lowest].short}: ${cells[lowest].detail}` : "";
}

interface FamilySampling {
  family: AddressFamily;
  count: number | null;
  oldCount: number | null;
  cameBack: boolean;
}

export interface SampleOptions {
  /** Sample at every sweep while the count is at or above this share of its limit. */
  everySweepFromPercent?: number;
}

export function diffSnapshot(
  previous: Snapshot | null,
  verdict: CircuitVerdict,
  limits: (peering: string, path: PathName, family: AddressFamily) => number | null,
  now: Date,
  sampling: SampleOptions = {},
): DiffResult {
  const at = now.toISOString();
  const transitions: LayerTransition[] = [];
  const prefixSamples: PrefixSample[] = [];
  const circuitRead = verdict.circuitRead;

  // A failed circuit read tells nothing about any peering: keep the whole previous picture.
  const peeringNames = circuitRead
    ? verdict.peerings.map((p) => p.name)
    : Object.keys(previous?.peerings ?? {});
  const peerings: Record<string, SnapshotPeering> = {};

  for (const name of peeringNames) {
    const before = byName(previous?.peerings, name);
    const paths = {} as SnapshotPeering["paths"];
    const prefixes = { primary: null, secondary: null } as SnapshotPeering["prefixes"];
    const ipv6Prefixes = { primary: null, secondary: null } as SnapshotPeering["prefixes"];
    for (const path of PATHS) {
      const current = circuitRead ? cellsOf(verdict, name, path) : null;
      const ipv6Unknown = circuitRead && ipv6StateUnknown(verdict, name, path);
      const row = {} as Record<SnapshotLayer, SnapshotCell>;
      for (const layer of SNAPSHOT_LAYERS) {
        const old = before?.paths[path][layer];
        const now_ = current?.[layer];
        // The BGP row's up ↔ warn is IPv6 going down and back (flap history,
        // drops): a state not understood moves neither way, as UNKNOWN does
        // not. What the reading shows still reaches the status page: a warn
        // after an up row read green there while the sweep said amber.
        if (layer === "bgp" && ipv6Unknown && now_ && old && ["up", "warn"].includes(old.status)) {
          row[layer] = keptBeside({ ...old, detail: now_.detail }, now_, at);
          continue;
        }
        if (!now_ || now_.status === "unknown") {
          // Kept as last known, so an UNKNOWN is no change; what this reading
          // shows is said beside it: the status page drew the kept "ok" green
          // while the sweep read the layer UNKNOWN (an agent silent, a read
          // failed). A circuit not read at all keeps its whole picture.
          row[layer] = !old
            ? { status: "unknown", detail: now_?.detail ?? "never read", since: at }
            : now_ && old.status !== "unknown"
              ? keptBeside(old, now_, at)
              : old;
          continue;
        }
        if (old && old.status !== "unknown" && old.status !== now_.status) {
          transitions.push({
            kind: "transition",
            at,
            circuitId: verdict.id,
            peering: name,
            path,
            layer,
            before: old.status,
            after: now_.status,
            beforeDetail: old.detail,
            afterDetail: now_.detail,
          });
        }
        const unchanged = old && old.status === now_.status;
        row[layer] = {
          status: now_.status,
          detail: now_.detail,
          since: unchanged ? old.since : at,
        };
      }
      paths[path] = row;
      const verdictPeering = circuitRead
        ? verdict.peerings.find((p) => p.name === name)
        : undefined;
      const bgpBefore = before?.paths[path].bgp;
      // IPv4 as before. IPv6 only where the peering has it; its session coming back is also a
      // BGP row that was a warning (IPv6 down beside IPv4 Established) and is up now.
      const families: FamilySampling[] = [
        {
          family: "ipv4",
          count: verdictPeering?.prefixes[path] ?? null,
          oldCount: before?.prefixes[path] ?? null,
          cameBack: bgpBefore !== undefined && !sessionCarries(bgpBefore),
        },
      ];
      if (verdictPeering?.ipv6 || before?.ipv6Prefixes)
        families.push({
          family: "ipv6",
          count: verdictPeering?.ipv6?.prefixes[path] ?? null,
          oldCount: before?.ipv6Prefixes?.[path] ?? null,
          cameBack: bgpBefore !== undefined && bgpBefore.status !== "up",
        });
      for (const f of families) {
        const kept = f.count ?? f.oldCount;
        if (f.family === "ipv4") prefixes[path] = kept;
        else ipv6Prefixes[path] = kept;
        const limit = limits(name, path, f.family);
        const nearLimit =
          f.count !== null &&
          limit !== null &&
          limit > 0 &&
          sampling.everySweepFromPercent !== undefined &&
          (f.count / limit) * 100 >= sampling.everySweepFromPercent;
        if (f.count !== null && (f.count !== f.oldCount || f.cameBack || nearLimit)) {
          prefixSamples.push({
            kind: "prefixes",
            at,
            circuitId: verdict.id,
            peering: name,
            path,
            ...(f.family === "ipv6" ? { family: "ipv6" as const } : {}),
            before: f.oldCount,
            after: f.count,
            limit,
          });
        }
      }
    }
    // Kept while the peering has an IPv6 neighbor, counts or none: a count
    // never had (null) is IPv6 never up, which the status page says; kept as
    // it was while the circuit is not read.
    const hasIpv6 =
      (circuitRead && verdict.peerings.find((p) => p.name === name)?.ipv6 !== undefined) ||
      (!circuitRead && before?.ipv6Prefixes !== undefined) ||
      ipv6Prefixes.primary !== null ||
      ipv6Prefixes.secondary !== null;
    peerings[name] = { paths, prefixes, ...(hasIpv6 ? { ipv6Prefixes } : {}) };
  }

  const providerState = circuitRead ? verdict.providerState : (previous?.providerState ?? null);
  return {
    next: {
      circuitId: verdict.id,
      circuitName: verdict.name,
      takenAt: at,
      providerState,
      providerWasProvisioned:
        (previous?.providerWasProvisioned ?? false) || providerState === "Provisioned",
      peerings,
      provider: circuitRead ? verdict.serviceProviderName : (previous?.provider ?? null),
      peeringLocation: circuitRead ? verdict.peeringLocation : (previous?.peeringLocation ?? null),
      serviceKey: circuitRead ? verdict.serviceKey : (previous?.serviceKey ?? null),
    },
    transitions,
    prefixSamples,
  };
}
