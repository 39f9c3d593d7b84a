// A read that failed makes erwatch blind to exactly the layers it feeds. That
// is its own finding, owned by whoever runs erwatch, and it never stands in for
// a verdict on the circuit.

import { TAGS } from "./circuit-settings.js";
import { logAnalyticsFailure, queryFailingAction } from "./dataplane/log-analytics.js";
import { PATHS, type Finding, type PathName, type ReadFailure, type Severity } from "./model.js";
import { counted } from "./text.js";
import { failureKindWords } from "./dataplane/kept-query.js";

/** A failed read and where it was aimed: `path` null for circuit-wide reads. */
export interface BlindRead {
  peering: string | null;
  path: PathName | null;
  failure: ReadFailure;
}

/**
 * Each failed read once: a read that waits on another (the Connection Monitor
 * search on the gateway wiring) fails with that read's failure, and an
 * operator shown it twice looks for two faults.
 */
export function onceEachRead(reads: readonly BlindRead[]): BlindRead[] {
  const seen = new Set<string>();
  return reads.filter(({ peering, path, failure: f }) => {
    const key = JSON.stringify([peering, path, f.kind, f.call, f.target, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const METRICS = /^Microsoft\.Insights\/metrics\//i;

/** A Connection Monitor not found is the tag's, not a circuit removed. */
const CONNECTION_MONITORS = /\/networkWatchers\/connectionMonitors\/read$/i;

/** A tagged monitor looked for where the subscription has no Network Watcher at all. */
function noWatcherAction(regions: readonly string[]): string {
  const each = [...new Set(regions)];
  const one = each.length === 1 ? each[0]! : null;
  return `The circuit's ${TAGS.connectionMonitor} tag names a Connection Monitor, but there is no Network Watcher in ${each.join(" or ")} (the failed read names the subscriptions searched), so no Connection Monitor there either. A monitor in another region or subscription: tag its resource id, with the circuit's ${TAGS.workspace} tag naming its workspace. A Network Watcher deleted: enable Network Watcher in ${one ?? "the region the monitor belongs in"} (Azure creates NetworkWatcher_${one ?? "<region>"} in resource group NetworkWatcherRG) and create the monitor there. The circuit is still watched; only that monitor's tests are not read.`;
}

function nextActionFor(failure: ReadFailure, subscriptionId: string): string {
  // Log Analytics is not ARM: its own throttle, its own grant on each
  // workspace, and a workspace gone is not the circuit gone (the ARM words
  // told the on-call to stop watching a live circuit). Classify says a failed
  // query once per workspace, not here; the words are the same wherever.
  if (logAnalyticsFailure(failure)) return queryFailingAction(failure);
  // The metrics batch has its own throttle: ARM_CONCURRENCY does not pace it.
  if (failure.kind === "throttled" && METRICS.test(failure.call))
    return "Azure Monitor is throttling erwatch's metrics batch calls (its own limit, apart from the ARM reads'): lengthen SWEEP_SCHEDULE, and look for other tools querying the subscription's metrics. The layers ARM reads are still judged; only capacity and traffic-stopped wait.";
  // No Network Watcher there: "the Network Watcher does not have it" sent the
  // on-call looking for a watcher that is not there.
  if (
    failure.kind === "not-found" &&
    CONNECTION_MONITORS.test(failure.call) &&
    failure.noNetworkWatcherIn?.length
  )
    return noWatcherAction(failure.noNetworkWatcherIn);
  if (failure.kind === "not-found" && CONNECTION_MONITORS.test(failure.call))
    return `Fix the circuit's ${TAGS.connectionMonitor} tag: it names a Connection Monitor its region's Network Watcher does not have (renamed, deleted, or misspelt). Name the monitor as it is now, or give its resource id; the evidence lists the monitors there. The circuit is still watched; only that monitor's tests are not read.`;
  switch (failure.kind) {
    case "forbidden":
      return `Grant '${failure.missingPermission ?? failure.call}' to erwatch's identity on subscription ${subscriptionId} (the erwatch reader role in infra/ has it).`;
    case "unauthenticated":
      return "erwatch's credential was refused; check the managed identity or `az login` session.";
    case "throttled":
      return "Azure Resource Manager is throttling erwatch's reads; lengthen SWEEP_SCHEDULE or lower ARM_CONCURRENCY, and look for other tools reading the same subscription.";
    case "not-found":
      return "The resource was not found; if the circuit or peering was removed on purpose, drop it from ERWATCH_CIRCUITS or tag it erwatch:ignore=true.";
    case "timeout":
    case "server-error":
    case "network":
      return "Azure did not answer in time or failed; erwatch tries again next sweep. Check Azure status for Microsoft.Network in the circuit's region if it persists.";
    case "internal":
      return "erwatch failed while judging this circuit (a bug, not an Azure problem); it tries again every sweep. Report it with the log line that has this circuit's id.";
    case "malformed":
      return "Azure answered with a body erwatch could not read; it tries again next sweep. Report it with the log line if it persists.";
  }
}

/** Most actionable first: a missing permission will not heal on its own. */
const KIND_ORDER: ReadFailure["kind"][] = [
  "forbidden",
  "unauthenticated",
  "not-found",
  "throttled",
  "timeout",
  "server-error",
  "network",
  "malformed",
  "internal",
];

/**
 * The failed reads the title does not name, said as what they are: "; 1 more
 * answer it cannot understand", "; 2 more reads failed too". A bare "and 1
 * more read" ran on from the worst's words ("14 minutes since 01:45 UTC and 1
 * more read") and read as part of them.
 */
function othersWords(others: readonly ReadFailure[]): string {
  if (others.length === 0) return "";
  if (others.every((f) => f.kind === "malformed"))
    return `; ${counted(others.length, "more answer it cannot understand", "more answers it cannot understand")}`;
  return `; ${counted(others.length, "more read", "more reads")} failed too`;
}

/** `sweepAt`: the sweep's instant, the UTC day a kept query's time is said against. */
export function blindFindings(
  failures: BlindRead[],
  subscriptionId: string,
  severity: Severity,
  sweepAt: number,
): Finding[] {
  const byPeering = new Map<string | null, BlindRead[]>();
  for (const read of failures) {
    byPeering.set(read.peering, [...(byPeering.get(read.peering) ?? []), read]);
  }
  return [...byPeering.entries()].map(([peering, reads]) => {
    const list = reads.map((r) => r.failure);
    // The paths erwatch cannot see; empty when the failed read was circuit-wide.
    const paths = reads.some((r) => r.path === null)
      ? []
      : PATHS.filter((p) => reads.some((r) => r.path === p));
    const first = [...list].sort(
      (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
    )[0] as ReadFailure;
    const permission = first.missingPermission ? ` (missing ${first.missingPermission})` : "";
    const more = othersWords(list.filter((_, i) => i !== list.indexOf(first)));
    return {
      code: "monitoring-blind",
      layer: "monitoring",
      owner: "you",
      severity,
      peering,
      paths,
      // A value erwatch cannot understand is named, field and all: that is what someone fixes or reports.
      title:
        first.kind === "malformed"
          ? `erwatch cannot understand what Azure answered for ${first.message}${more}`
          : `erwatch cannot read ${first.target}: ${failureKindWords(first, sweepAt)}${permission}${more}`,
      evidence: {
        failedReads: list.map((f) => ({
          call: f.call,
          target: f.target,
          kind: f.kind,
          statusCode: f.statusCode ?? null,
          missingPermission: f.missingPermission ?? null,
          message: f.message,
          requestId: f.requestId ?? null,
        })),
      },
      nextAction: nextActionFor(first, subscriptionId),
    } satisfies Finding;
  });
}
