// What a sweep could not see. A sweep that read nothing, could not list a
// subscription, found no circuit in a subscription it was pointed at, or had
// reads fail is partly blind: its silence about those circuits means nothing,
// and whoever ran it must hear so.

import { failureKindWords } from "../core/dataplane/kept-query.js";
import {
  logAnalyticsFailure,
  workspaceName,
  workspaceOf,
} from "../core/dataplane/queried-workspace.js";
import type { ReadFailure } from "../core/model.js";
import { parseCircuitId } from "../core/resource-id.js";
import type { DiscoveryFailure } from "./ports.js";
import type { Report } from "./report.js";

export interface FailedReadGroup {
  kind: ReadFailure["kind"];
  /**
   * The kind as the end-to-end row and monitoring-blind say it: a kept Log
   * Analytics query's "Log Analytics unavailable, not asked again before
   * 02:12 UTC", where its kind alone read as a 5xx the next sweep asks again.
   */
  words: string;
  call: string;
  /**
   * A Log Analytics query's workspace, by its name: one refusal and another
   * workspace's read as one line, and the operator could not tell which
   * workspace to grant or mend.
   */
  workspace: string | null;
  missingPermission: string | null;
  count: number;
  /** Circuits with at least one read in this group. */
  circuits: string[];
  /** Azure's `x-ms-request-id` of one failed request, for a support case. */
  requestId: string | null;
}

export interface Sight {
  /** True when anything in scope went unseen. */
  blind: boolean;
  nothingRead: boolean;
  failedReads: FailedReadGroup[];
  /** Subscriptions that listed fine but held no circuit: a wrong id, or no access to it. */
  emptySubscriptions: string[];
  unlistedSubscriptions: (DiscoveryFailure & { words: string })[];
}

export function sightOf(report: Report, scope: { subscriptions: string[] }): Sight {
  const groups = new Map<string, FailedReadGroup>();
  // The report's time is the sweep's: the UTC day a kept query's time is said against.
  const sweepAt = Date.parse(report.generatedAt);
  for (const c of report.circuits)
    for (const f of c.failedReads) {
      const words = failureKindWords(f, sweepAt);
      const workspace = logAnalyticsFailure(f) ? workspaceName(workspaceOf(f)) : null;
      // The words stand for the kind: apart only where a kept wait says more.
      const key = `${words}|${f.call}|${f.missingPermission ?? ""}|${workspace?.toLowerCase() ?? ""}`;
      const group = groups.get(key) ?? {
        kind: f.kind,
        words,
        call: f.call,
        workspace,
        missingPermission: f.missingPermission ?? null,
        count: 0,
        circuits: [],
        requestId: null,
      };
      group.count += 1;
      if (!group.circuits.includes(c.name)) group.circuits.push(c.name);
      group.requestId ??= f.requestId ?? null;
      groups.set(key, group);
    }
  const subscriptionOf = (id: string) => parseCircuitId(id)?.subscriptionId.toLowerCase() ?? "";
  const seen = new Set(
    [...report.circuits, ...report.ignored, ...report.errors].map((c) => subscriptionOf(c.id)),
  );
  const unlisted = new Set(report.discoveryFailures.map((f) => f.subscriptionId.toLowerCase()));
  const emptySubscriptions = scope.subscriptions.filter(
    (s) => !seen.has(s.toLowerCase()) && !unlisted.has(s.toLowerCase()),
  );
  // One workspace's lines together, after the ARM reads'.
  const failedReads = [...groups.values()].sort(
    (a, b) => (a.workspace ?? "").localeCompare(b.workspace ?? "") || b.count - a.count,
  );
  const nothingRead = report.circuits.length === 0 && report.ignored.length === 0;
  return {
    blind:
      nothingRead ||
      failedReads.length > 0 ||
      emptySubscriptions.length > 0 ||
      report.discoveryFailures.length > 0,
    nothingRead,
    failedReads,
    emptySubscriptions,
    unlistedSubscriptions: report.discoveryFailures.map((f) => ({
      ...f,
      words: failureKindWords(f.failure, sweepAt),
    })),
  };
}
