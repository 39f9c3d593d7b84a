// A session that keeps going up and down gets one alert, not a stream of
// open/resolve pairs. Whether the prefix count sat near the limit while it
// flapped tells route limit (yours) from layer 1 (the carrier's).

import type { HistoryEntry, LayerTransition, PrefixSample } from "./history.js";
import type { CircuitVerdict, Finding, PathName } from "./model.js";
import { PATHS } from "./model.js";

export interface FlapPolicy {
  transitions: number;
  windowMinutes: number;
}

export function flappingFindings(
  verdict: CircuitVerdict,
  history: HistoryEntry[],
  policy: FlapPolicy,
  warnPercent: number,
  now: Date,
): Finding[] {
  const since = now.getTime() - policy.windowMinutes * 60_000;
  const inWindow = (e: HistoryEntry) =>
    Date.parse(e.at) >= since && e.circuitId.toLowerCase() === verdict.id.toLowerCase();
  const transitions = history.filter(
    (e): e is LayerTransition => e.kind === "transition" && e.layer === "path" && inWindow(e),
  );
  const samples = history.filter((e): e is PrefixSample => e.kind === "prefixes" && inWindow(e));
  const peerings = [...new Set(transitions.map((t) => t.peering))];
  const findings: Finding[] = [];
  for (const peering of peerings) {
    const mine = transitions.filter((t) => t.peering === peering);
    const counts = Object.fromEntries(
      PATHS.map((p) => [p, mine.filter((t) => t.path === p).length]),
    ) as Record<PathName, number>;
    const flapping = PATHS.filter((p) => counts[p] > policy.transitions);
    if (flapping.length === 0) continue;
    const current = verdict.peerings.find((p) => p.name === peering);
    const nearLimit = samples.some(
      (s) =>
        s.peering === peering &&
        s.limit !== null &&
        s.limit > 0 &&
        (s.after / s.limit) * 100 >= warnPercent,
    );
    const title = `BGP session flapping on the ${flapping.join(" and ")} path${flapping.length > 1 ? "s" : ""} of ${peering}: ${flapping.map((p) => counts[p]).join(" / ")} changes in ${policy.windowMinutes} min`;
    findings.push({
      code: "session-flapping",
      layer: "bgp",
      owner: nearLimit ? "you" : "carrier",
      severity: "Sev2",
      peering,
      paths: flapping,
      title,
      evidence: {
        counts,
        windowMinutes: policy.windowMinutes,
        transitions: mine.map((t) => ({ at: t.at, path: t.path, from: t.before, to: t.after })),
        prefixNearLimit: nearLimit,
        prefixSamples: samples
          .filter((s) => s.peering === peering)
          .map((s) => ({ at: s.at, path: s.path, count: s.after, limit: s.limit })),
        currentPrefixes: current?.prefixes ?? null,
      },
      nextAction: nearLimit
        ? "The received-prefix count sat near the route limit while the session flapped: the limit is resetting it. Summarise advertisements well under the limit."
        : "The flaps do not follow the prefix count: layer-1 evidence (marginal optic, errored link). Open a ticket with the carrier and attach these transitions.",
      ...(nearLimit
        ? {}
        : {
            ticket: [
              `ExpressRoute session flapping: ${title}`,
              `Circuit: ${verdict.name} (${verdict.id})`,
              `Service key: ${verdict.serviceKey ?? "unknown"}`,
              `Provider: ${verdict.serviceProviderName ?? "unknown"}; peering location: ${verdict.peeringLocation ?? "unknown"}`,
              "Transitions (UTC):",
              ...mine.map(
                (t) =>
                  `  ${t.at}  ${t.path.padEnd(9)} ${t.before} -> ${t.after} (${t.afterDetail})`,
              ),
            ].join("\n"),
          }),
    });
  }
  return findings;
}
