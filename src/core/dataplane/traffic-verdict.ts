// The traffic rows of the layer table in words: each path's capacity cell
// (stopped, a standby's quiet by design, back from an outage, saturated, its
// load) and the traffic-stopped finding, graded by whether anything still
// carries the peering. Pure: what metrics.ts judged comes in.

import { DIAGNOSE_CIRCUIT } from "../names.js";
import { TAGS } from "../circuit-settings.js";
import { otherPath, type Finding, type LayerCell, type PathName } from "../model.js";
import type { CircuitMetrics } from "./facts.js";
import {
  loadDetail,
  quietWords,
  type CarryReading,
  type LinkLoad,
  type PathTraffic,
  type StandbyQuiet,
  type TrafficState,
} from "./metrics.js";
import type { DataPlanePolicy } from "./policy.js";
import { bps, hhmm } from "./series.js";

/** How a one-path stop beside a path that carries nothing either begins its next action. */
export const NOTHING_CARRIES_ACTION =
  "Nothing carries this peering: the failover onto this path did not happen, so traffic takes another route (a VPN, the internet) or none. ";

export const cell = (status: LayerCell["status"], detail: string): LayerCell => ({
  status,
  detail,
});

/**
 * The standby path back from an outage and quiet while the other path
 * carries: by design, not a stop waiting to happen (its "a stop only if still
 * quiet past" would never come true).
 */
export function standbyBack(
  traffic: Record<PathName, PathTraffic>,
  path: PathName,
  standbyPath: PathName | null | undefined,
): StandbyQuiet | null {
  const s = traffic[path].state;
  const other = traffic[otherPath(path)].state;
  return path === standbyPath &&
    s.kind === "idle" &&
    s.afterOutage !== undefined &&
    other.kind === "flowing"
    ? { path, until: null }
    : null;
}

/** What the standby path's quiet is, in words, when it is by design. */
function standbyWords(s: TrafficState, standby: StandbyQuiet, policy: DataPlanePolicy): string {
  const tag = `standby by design (${TAGS.standbyPath})`;
  if (s.kind === "idle" && s.afterOutage !== undefined)
    return `${tag}: quiet since it came back from an outage at ${hhmm(s.afterOutage)} UTC while the other path carries`;
  const quiet =
    s.kind === "stopped"
      ? `no traffic either way for ${s.since === null ? "at least " : ""}${s.minutes} min`
      : "quiet";
  if (standby.until === null) return `${tag}: ${quiet} while the other path carries`;
  const last = standby.until - policy.trafficStopped.minutes * 60_000;
  return `${tag}: ${quiet}; the other path last carried at ${hhmm(last)} UTC, so traffic fails over to this one: a stop only if still quiet past ${hhmm(standby.until)} UTC`;
}

export function capacityCell(
  traffic: PathTraffic,
  load: LinkLoad,
  bandwidth: number | null,
  policy: DataPlanePolicy,
  /** This path as the standby whose quiet is by design (standbyIdle), or null. */
  standby: StandbyQuiet | null,
): LayerCell {
  const s = traffic.state;
  if (s.kind === "path-down") return cell("n/a", "path down");
  if (s.kind === "stopped" && standby === null)
    return cell(
      "down",
      // A failover's stop is dated by the other path's last traffic, always known.
      s.failoverFrom && s.since !== null
        ? `no traffic either way for ${s.minutes} min since the ${s.failoverFrom} path last carried at ${hhmm(Date.parse(s.since))} UTC: the failover onto this standby did not happen`
        : quietWords(s),
    );
  if (s.kind === "unknown") return cell("unknown", s.detail);
  if (load.stale) return cell("unknown", "no recent throughput data");
  // The peerings riding a link share it: a quiet peering does not hide a saturated link.
  if (load.saturated.length > 0) {
    const words = load.saturated.map((d) => `${d} ≥ ${load.floorPercent[d]}%`).join(" · ");
    return cell(
      "warn",
      `${words} of ${bps((bandwidth ?? 0) * 1e6)} for ${policy.saturation.minutes} min`,
    );
  }
  if (standby !== null) return cell("up", standbyWords(s, standby, policy));
  if (s.kind === "idle" && s.afterOutage !== undefined)
    return cell(
      "up",
      `quiet since it came back from an outage at ${hhmm(s.afterOutage)} UTC, which explains it; a stop only if still quiet past ${hhmm(s.afterOutage + policy.trafficStopped.minutes * 60_000)} UTC`,
    );
  return cell("up", loadDetail(load, bandwidth));
}

/**
 * Whether anything still carries the peering beside its stopped paths, in
 * words for the title. Nothing does beside a path quiet for the whole window
 * too (stopped, idle), or read down and carrying nothing for a window (a
 * path down for a sweep or flapping carried within it: one blip is no Sev1).
 * A path that could not be read or judged is no evidence either way.
 */
function besideStop(
  traffic: Record<PathName, PathTraffic>,
  readings: Record<PathName, CarryReading>,
  paths: PathName[],
  policy: DataPlanePolicy,
): { nothingCarries: boolean; words: string; unjudged?: PathName } {
  if (paths.length === 2) return { nothingCarries: true, words: "" };
  const stop = traffic[paths[0]!].state;
  const other = otherPath(paths[0]!);
  const o = traffic[other];
  const last = o.lastCarriedAt === null ? Number.NaN : Date.parse(o.lastCarriedAt);
  const carriedInWindow =
    stop.kind === "stopped" && last + policy.trafficStopped.minutes * 60_000 > stop.at;
  const nothing = " carries nothing either: nothing carries this peering's traffic";
  switch (o.state.kind) {
    case "flowing":
      return { nothingCarries: false, words: " (the other path still carries traffic)" };
    case "path-down":
      if (readings[other] !== "down")
        return {
          nothingCarries: false,
          words: carriedInWindow
            ? ` (ARM could not read the ${other} path; Azure Monitor shows it carrying)`
            : ` (the ${other} path could not be read)`,
          ...(carriedInWindow ? {} : { unjudged: other }),
        };
      return carriedInWindow
        ? { nothingCarries: false, words: ` (the ${other} path is down)` }
        : {
            nothingCarries: true,
            words: ` while the ${other} path is down: nothing carries this peering's traffic`,
          };
    case "idle":
    case "stopped":
      return { nothingCarries: true, words: ` (the ${other} path${nothing})` };
    default:
      return {
        nothingCarries: false,
        words: ` (the ${other} path's traffic could not be judged)`,
        unjudged: other,
      };
  }
}

export function trafficFinding(
  peering: string,
  traffic: Record<PathName, PathTraffic>,
  readings: Record<PathName, CarryReading>,
  paths: PathName[],
  ctx: CircuitMetrics,
  policy: DataPlanePolicy,
): Finding {
  const both = paths.length === 2;
  const beside = besideStop(traffic, readings, paths, policy);
  const where = `${paths.join(" and ")} path${both ? "s" : ""} of ${peering}`;
  const detail = Object.fromEntries(
    paths.map((p) => {
      const s = traffic[p].state;
      return [
        p,
        s.kind === "stopped"
          ? {
              lastCarriedAt: s.since,
              quietMinutes: s.minutes,
              bgpAvailability: s.bgpAvailability,
              ...(s.failoverFrom ? { failoverFrom: s.failoverFrom } : {}),
            }
          : null,
      ];
    }),
  );
  return {
    code: "traffic-stopped",
    layer: "routes",
    owner: "you",
    severity: beside.nothingCarries ? "Sev1" : "Sev2",
    peering,
    paths,
    title: `Link up but carrying nothing on the ${where}: BGP Established with prefixes, ~0 bits both ways${beside.words}`,
    evidence: {
      paths: detail,
      // Sev2 only for want of a reading of the path beside it: no step down from a Sev1 (lifecycle.ts).
      ...(beside.unjudged ? { besideUnjudged: beside.unjudged } : {}),
      // One path stopped beside one that carries nothing either: the peering carries nothing,
      // which explains end-to-end failures as a stop on both paths does (end-to-end.ts explainers).
      ...(beside.nothingCarries && !both ? { nothingCarries: true } : {}),
      metricsWindow: { from: ctx.from, to: ctx.to },
      // A stop is judged on ARM's Established session; Azure Monitor's word is only quoted when it gave one.
      azureMonitor: paths.some((p) => {
        const s = traffic[p].state;
        return s.kind === "stopped" && s.bgpAvailability !== null;
      })
        ? "BgpAvailability reads up for the whole window: the session is up and moves nothing"
        : "Azure Monitor reported no BgpAvailability for the window; ARM reads the session Established, and it moves nothing",
    },
    nextAction:
      (beside.nothingCarries && !both ? NOTHING_CARRIES_ACTION : "") +
      `Route advertisement, not connectivity: the session is up but nothing is sent over it. Check what your edge advertises and prefers on this path (route-maps, local preference, AS-path prepending that moved all traffic away, a VPN preferred over ExpressRoute), and that the gateway connection's routing weight did not change. \`${DIAGNOSE_CIRCUIT} --routes\` shows the received routes.`,
  };
}
