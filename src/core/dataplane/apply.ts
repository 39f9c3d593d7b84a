// The data plane's part of one circuit's verdict, applied after the layers are
// classified: the capacity and end-to-end rows, traffic stopped and saturation
// from Azure Monitor, Connection Monitor localised with the layer table, drift
// against the declared baseline, and the notes that page nobody. Pure: the
// previous sweep's traffic memory, the policy and the clock come in.

import { withoutImpossibleThroughput } from "./plausible.js";
import { blindFindings, onceEachRead, type BlindRead } from "../blind.js";
import { blindReadsOf } from "../blind-reads.js";
import { ipv6Carries, sessionCarries } from "../path-analysis.js";
import { isDirect } from "../path-findings.js";
import type {
  CircuitReading,
  CircuitVerdict,
  Finding,
  LayerCell,
  PathLayers,
  PathName,
  PeeringVerdict,
  Severity,
  TableLayer,
} from "../model.js";
import { otherPath, PATHS, readablePeerings } from "../model.js";
import { citeDrift, driftFinding, driftItems } from "./drift.js";
import {
  endToEndCell,
  endToEndFinding,
  explainedByWords,
  explainers,
  foldInto,
  PATH_DOWN_CODES,
  summarise,
  testsStopped,
} from "./end-to-end.js";
import type { CircuitMetrics } from "./facts.js";
import {
  judgeReach,
  peerCircuitOf,
  reachDetail,
  reachNote,
  reachOddReads,
} from "./global-reach.js";
import {
  corroborate,
  dipNotes,
  judgeLink,
  judgeTraffic,
  oddNotes,
  oddReads,
  nextCarryRun,
  pathCarry,
  runAtReading,
  standbyIdle,
  standbyJudged,
  type RunAtReading,
  type CarryReading,
  type CarryRuns,
  type LinkLoad,
  type PathTraffic,
  type TrafficMemory,
  type TrafficSeen,
} from "./metrics.js";
import { baselineFor, type DataPlanePolicy } from "./policy.js";
import { asymmetryNote } from "./routes.js";
import { capacityCell, cell, standbyBack, trafficFinding } from "./traffic-verdict.js";
import { bps } from "./series.js";
import { byName, sameName as same } from "../names.js";
import { endToEndReadFailedWords } from "./read-failed-words.js";

export interface DataPlaneResult {
  verdict: CircuitVerdict;
  /** When each path last carried traffic, for the next sweep's snapshot. */
  memory: TrafficMemory;
  /** Each path's run of readings able to carry (nextCarryRun), for the next sweep's snapshot. */
  runs: CarryRuns;
  /** What each path's throughput showed this sweep (empty: not judged), for a pair partner. */
  seen: TrafficSeen;
}

/** What the data plane keeps between sweeps (the snapshot's). */
export interface DataPlaneMemory {
  lastCarriedAt: TrafficMemory | null;
  carryRuns: CarryRuns | null;
}

/** The minutes the judgements look back over: what notes about the metrics cover. */
const lookBack = (policy: DataPlanePolicy, now: Date) =>
  now.getTime() - Math.max(policy.trafficStopped.minutes, policy.saturation.minutes) * 60_000;

/**
 * Only these paths can carry traffic: Established with prefixes (near the limit
 * counts). A provider row at `warn` is an odd ARP table under that working
 * session, which proves layer 2: such a path carries too.
 */
const carrying = (l: PathLayers) =>
  (l.provider.status === "up" || l.provider.status === "warn") &&
  sessionCarries(l.bgp) &&
  (l.routes.status === "up" || l.routes.status === "warn");

/** Able to carry, read down below the data plane (whatever else went unread), or neither. */
const carryReading = (l: PathLayers): CarryReading =>
  carrying(l)
    ? "carrying"
    : [l.provider, l.bgp, l.peering, l.routes].some((c) => c.status === "down")
      ? "down"
      : "unread";

/** Each path's next run; `judged` what the metrics said of it this sweep (null: not judged). */
function nextRuns(
  peerings: PeeringVerdict[],
  previous: CarryRuns,
  judged: (peering: string, path: PathName) => boolean | null,
  now: Date,
): CarryRuns {
  const out: CarryRuns = {};
  for (const p of peerings)
    for (const path of PATHS) {
      const run = nextCarryRun(
        byName(previous, p.name)?.[path] ?? null,
        carryReading(p.paths[path]),
        judged(p.name, path),
        now,
      );
      if (run !== null) out[p.name] = { ...out[p.name], [path]: run };
    }
  return out;
}

function copyPeering(p: PeeringVerdict): PeeringVerdict {
  return {
    ...p,
    paths: { primary: { ...p.paths.primary }, secondary: { ...p.paths.secondary } },
    notes: [...(p.notes ?? [])],
  };
}

function setRow(
  p: PeeringVerdict,
  layer: TableLayer,
  value: LayerCell,
  paths: readonly PathName[] = PATHS,
) {
  for (const path of paths) p.paths[path][layer] = value;
}

function saturationFinding(
  loads: Record<PathName, LinkLoad>,
  bandwidth: number,
  policy: DataPlanePolicy,
): Finding | null {
  const paths = PATHS.filter((p) => loads[p].saturated.length > 0);
  if (paths.length === 0) return null;
  const words = paths
    .map(
      (p) =>
        `${p} ${loads[p].saturated.map((d) => `${d} ≥ ${loads[p].floorPercent[d]}%`).join(", ")}`,
    )
    .join("; ");
  return {
    code: "saturation",
    layer: "capacity",
    owner: "you",
    severity: "Sev3",
    peering: null,
    paths,
    title: `Sustained throughput at ${policy.saturation.percent}% or more of the ${bps(bandwidth * 1e6)} bandwidth for ${policy.saturation.minutes} min (${words}): capacity planning, not an incident`,
    evidence: {
      bandwidthMbps: bandwidth,
      thresholdPercent: policy.saturation.percent,
      minutes: policy.saturation.minutes,
      load: Object.fromEntries(
        PATHS.map((p) => [
          p,
          { percent: loads[p].percent, bps: loads[p].bps, saturated: loads[p].saturated },
        ]),
      ),
    },
    nextAction:
      "Capacity planning, not an incident: raise the circuit bandwidth (an in-place upgrade where the port allows), move to a larger gateway SKU, or shed traffic. If one path fails, the other must carry all of it.",
  };
}

/**
 * The Global Reach row of each peering with Connected connections: their
 * newest throughput in the detail, and a quiet one as a note. The row's status
 * stays the control plane's; without Global Reach series nothing changes.
 * Values that cannot be and leave a connection's throughput unknown are
 * returned as reads erwatch could not understand, as a capacity row's are.
 */
function applyGlobalReach(
  reading: CircuitReading,
  peerings: PeeringVerdict[],
  metrics: CircuitMetrics | null,
  policy: DataPlanePolicy,
  now: Date,
): BlindRead[] {
  const blind: BlindRead[] = [];
  if (!reading.circuit.ok) return blind;
  if (metrics !== null && !metrics.globalReach && !metrics.globalReachFailed) return blind;
  const facts = readablePeerings(reading.circuit.value);
  const all = facts.flatMap((f) => f.globalReach);
  if (all.length === 0) return blind;
  // A list that could not be read may hold another connection: the series are not surely this one's.
  // An unreadable peering beside the one read holds none: only the private peering has Global Reach.
  const sole = all.length === 1 && !facts.some((f) => f.globalReachUnread);
  const keys = reading.dataPlane?.peerServiceKeys ?? {};
  for (const p of peerings) {
    const connected = (facts.find((f) => same(f.name, p.name))?.globalReach ?? []).filter(
      (g) => g.status === "Connected",
    );
    if (connected.length === 0) continue;
    if (metrics !== null) p.notes?.push(...oddNotes(metrics, null, lookBack(policy, now)));
    const before = p.paths.primary.globalReach;
    const parts: string[] = [];
    // Said once per peering, as monitoring-blind names the call and why.
    const reachFailed = metrics?.globalReachFailed;
    if (reachFailed) blind.push({ peering: p.name, path: null, failure: reachFailed });
    for (const g of connected) {
      if (metrics === null || reachFailed) {
        parts.push(
          `${g.name} Connected · throughput unknown (${reachFailed ? `Global Reach metrics read failed: ${reachFailed.kind}` : "metrics read failed"})`,
        );
        continue;
      }
      const match = {
        peerServiceKey: keys[peerCircuitOf(g.peerCircuitPeeringId)] ?? null,
        sole,
      };
      const traffic = judgeReach(metrics, match, policy, now);
      const odd =
        traffic.kind === "unknown" ? reachOddReads(metrics, g, match, lookBack(policy, now)) : [];
      for (const failure of odd) blind.push({ peering: p.name, path: null, failure });
      parts.push(
        odd.length > 0
          ? `${reachDetail(g, traffic)}; Azure Monitor sent values that cannot be (see notes)`
          : reachDetail(g, traffic),
      );
      const note = reachNote(g, traffic);
      if (note) p.notes?.push(note);
    }
    const detail =
      before.status === "up" ? parts.join("; ") : `${before.detail}; ${parts.join("; ")}`;
    setRow(p, "globalReach", cell(before.status, detail));
  }
  return blind;
}

function applyMetrics(
  reading: CircuitReading,
  peerings: PeeringVerdict[],
  findings: Finding[],
  policy: DataPlanePolicy,
  kept: DataPlaneMemory,
  now: Date,
): {
  findings: Finding[];
  memory: TrafficMemory;
  runs: CarryRuns;
  blind: BlindRead[];
  seen: TrafficSeen;
} {
  const previous = kept.lastCarriedAt ?? {};
  const previousRuns = kept.carryRuns ?? {};
  const got = reading.dataPlane?.metrics;
  if (!got) return { findings, memory: previous, runs: previousRuns, blind: [], seen: {} };
  if (!got.ok) {
    for (const p of peerings)
      setRow(p, "capacity", cell("unknown", `metrics read failed: ${got.error.kind}`));
    applyGlobalReach(reading, peerings, null, policy, now);
    // The control plane still says which paths went down or came back.
    const runs = nextRuns(peerings, previousRuns, () => null, now);
    return { findings, memory: previous, runs, blind: [], seen: {} };
  }
  const bandwidth = reading.circuit.ok ? reading.circuit.value.bandwidthInMbps : null;
  const metrics = withoutImpossibleThroughput(got.value, bandwidth, {
    direct: reading.circuit.ok && isDirect(reading.circuit.value),
  });
  const blind = applyGlobalReach(reading, peerings, metrics, policy, now);
  const read = peerings.filter((p) => reading.paths[p.name] !== undefined);
  const loads = Object.fromEntries(
    PATHS.map((path) => [
      path,
      judgeLink(
        metrics,
        read.map((p) => p.name),
        path,
        bandwidth,
        policy,
        now,
      ),
    ]),
  ) as Record<PathName, LinkLoad>;
  const memory: TrafficMemory = {};
  const seen: TrafficSeen = {};
  const judged = new Map<string, boolean | null>();
  const out = [...findings];
  for (const p of peerings) {
    if (!read.includes(p)) {
      setRow(p, "capacity", cell("n/a", "peering not read"));
      // A peering ARM could not be read about (its state left out) is the
      // same peering next sweep: what it carried is kept. One read disabled
      // keeps nothing (its traffic before is no measure after).
      const kept = byName(previous, p.name);
      if (kept && PATHS.some((path) => p.paths[path].peering.status === "unknown"))
        memory[p.name] = kept;
      continue;
    }
    const traffic = {} as Record<PathName, PathTraffic>;
    const readings = {} as Record<PathName, CarryReading>;
    const runs = {} as Record<PathName, RunAtReading | null>;
    for (const path of PATHS) {
      readings[path] = carryReading(p.paths[path]);
      runs[path] =
        readings[path] === "carrying"
          ? runAtReading(byName(previousRuns, p.name)?.[path] ?? null, now)
          : null;
      traffic[path] = judgeTraffic(
        metrics,
        p.name,
        path,
        carrying(p.paths[path]),
        byName(previous, p.name)?.[path] ?? null,
        policy,
        now,
        runs[path],
      );
    }
    // Back from an outage it was stopped before, a path is stopped again at
    // once only when nothing else holds the stop: with the other path still
    // stopped the alert goes on as it is, and the returning one is judged a
    // window after it came back (a session reset to apply the fix, traffic
    // minutes behind, is no new escalation).
    for (const path of PATHS) {
      const s = traffic[path].state;
      const other = traffic[otherPath(path)].state;
      const othersStop = other.kind === "stopped" && other.afterOutage === undefined;
      if (s.kind === "stopped" && s.afterOutage !== undefined && othersStop)
        traffic[path] = {
          ...traffic[path],
          state: { kind: "idle", at: s.at, afterOutage: s.afterOutage },
        };
    }
    const standbyPath = reading.settings.standbyPath;
    if (standbyPath) {
      const active = otherPath(standbyPath);
      // An active path ARM could not read is judged by Azure Monitor alone for
      // the standby's sake: with no throughput either, nothing is seen of it.
      const unseen =
        readings[active] === "unread" &&
        ["unknown", "contradicted"].includes(
          judgeTraffic(
            metrics,
            p.name,
            active,
            true,
            byName(previous, p.name)?.[active] ?? null,
            policy,
            now,
          ).state.kind,
        );
      const judged = standbyJudged(
        metrics,
        p.name,
        traffic,
        standbyPath,
        readings[active] === "down",
        runs[standbyPath],
        policy,
        unseen,
      );
      if (judged) traffic[standbyPath] = judged;
    }
    const standby = standbyIdle(traffic, standbyPath, policy);
    // Judged as the capacity row is: a partner in its pair reads whether it carries the site.
    seen[p.name] = Object.fromEntries(
      PATHS.map((path) => [path, pathCarry(traffic[path].state, readings[path])]),
    );
    for (const path of PATHS) {
      // Kept as a time that is not an instant and not carrying since: kept
      // as it was (it carried, when is not known); forgotten, the path was
      // "never seen carrying" from the next sweep and its stop resolved.
      const last = traffic[path].lastCarriedAt ?? byName(previous, p.name)?.[path] ?? null;
      if (last !== null) memory[p.name] = { ...memory[p.name], [path]: last };
      const state = traffic[path].state;
      if (state.kind === "contradicted") p.notes?.push(state.detail);
      const row = capacityCell(
        traffic[path],
        loads[path],
        bandwidth,
        policy,
        standby?.path === path ? standby : standbyBack(traffic, path, standbyPath),
      );
      const odd = oddNotes(metrics, p.name, lookBack(policy, now), path);
      const unreadable = row.status === "unknown" && odd.length > 0;
      p.paths[path].capacity = unreadable
        ? cell("unknown", `${row.detail}; Azure Monitor sent values that cannot be (see notes)`)
        : row;
      // Values that leave the row unknown are a read erwatch cannot understand, as a bad ARM body is.
      if (unreadable)
        for (const failure of oddReads(metrics, p.name, path, lookBack(policy, now)))
          blind.push({ peering: p.name, path, failure });
    }
    p.notes?.push(...oddNotes(metrics, p.name, lookBack(policy, now)));
    const idle = standby?.path ?? null;
    const stopped = PATHS.filter((path) => traffic[path].state.kind === "stopped" && path !== idle);
    if (stopped.length > 0)
      out.push(trafficFinding(p.name, traffic, readings, stopped, metrics, policy));
    // What the run keeps: stopped as paged (a standby's quiet by design is not), or not.
    for (const path of PATHS) {
      const kind = traffic[path].state.kind;
      judged.set(
        `${p.name}|${path}`,
        kind === "stopped"
          ? stopped.includes(path)
          : kind === "flowing" || kind === "idle"
            ? false
            : null,
      );
    }
    const healthy = PATHS.filter(
      (path) => p.paths[path].provider.status === "up" && sessionCarries(p.paths[path].bgp),
    );
    p.notes?.push(...dipNotes(metrics, p.name, healthy, policy, now));
  }
  if (bandwidth !== null) {
    const saturated = saturationFinding(loads, bandwidth, policy);
    if (saturated) out.push(saturated);
  }
  // Agreement of Azure Monitor with a control-plane outage, shown in its evidence.
  const corroborated = out.map((f) => {
    if ((f.code !== "arp-missing" && f.code !== "bgp-down") || f.peering === null) return f;
    const metric = f.code === "arp-missing" ? "ArpAvailability" : "BgpAvailability";
    const view = corroborate(metrics, f.peering, f.paths, metric, policy, now);
    return { ...f, evidence: { ...f.evidence, azureMonitor: view } };
  });
  const worded = notHolding(corroborated);
  const runs = nextRuns(
    peerings,
    previousRuns,
    (peering, path) => judged.get(`${peering}|${path}`) ?? null,
    now,
  );
  return { findings: worded, memory, runs, blind, seen };
}

/**
 * A path down "redundancy holding (primary Established, 120 prefixes)" is
 * judged on the control plane, before the traffic: beside a Sev1 saying the
 * primary carries nothing, it told the on-call the opposite of what holds.
 */
function notHolding(findings: Finding[]): Finding[] {
  const empty = findings.filter(
    (f) => f.code === "traffic-stopped" && f.evidence["nothingCarries"] === true,
  );
  if (empty.length === 0) return findings;
  return findings.map((f) => {
    if (!PATH_DOWN_CODES.includes(f.code) || f.paths.length !== 1) return f;
    const carrier = otherPath(f.paths[0]!);
    const stopped = empty.some((t) => t.peering === f.peering && t.paths.includes(carrier));
    if (!stopped || !REDUNDANCY_HOLDING.test(f.title)) return f;
    return {
      ...f,
      title: f.title.replace(
        REDUNDANCY_HOLDING,
        ` — redundancy not holding: the ${carrier} path is Established but carries no traffic`,
      ),
    };
  });
}

const REDUNDANCY_HOLDING = / — redundancy holding \(.*\)$/;

function applyEndToEnd(
  verdict: CircuitVerdict,
  reading: CircuitReading,
  peerings: PeeringVerdict[],
  findings: Finding[],
  now: Date,
): Finding[] {
  const got = reading.dataPlane?.endToEnd;
  if (!got || !reading.circuit.ok) return findings;
  // Connection Monitor tests run between VNets and on-premises: over private
  // peering. One gone from the circuit is still the one they ride, and its
  // peering-missing is why they fail: ARM names each peering after its type.
  // A list not read whole may hold it: it is not called absent.
  const facts = reading.circuit.value;
  const privateName =
    readablePeerings(facts).find((p) => same(p.peeringType, "AzurePrivatePeering"))?.name ??
    findings.find((f) => f.code === "peering-missing" && same(f.peering, "AzurePrivatePeering"))
      ?.peering ??
    (facts.peerings === null ? "AzurePrivatePeering" : null);
  const rides =
    privateName === null ? null : (peerings.find((p) => same(p.name, privateName)) ?? null);
  for (const p of peerings)
    if (p !== rides)
      setRow(
        p,
        "endToEnd",
        cell("n/a", privateName ? `tests ride ${privateName}` : "no private peering"),
      );
  if (!got.ok) {
    if (rides)
      setRow(rides, "endToEnd", cell("unknown", endToEndReadFailedWords(got.error, now.getTime())));
    return findings;
  }
  const summary = summarise(got.value);
  let out = [...findings];
  let explainedBy: string | null = null;
  if (summary.overall === "fail" || summary.overall === "warning") {
    const failing = summary.tests.filter((t) => t.grade === "fail" || t.grade === "warning");
    // IPv6 carrying on a path where IPv4 is down keeps IPv6 traffic flowing there.
    const sessions = rides ? byName(reading.paths, rides.name) : undefined;
    const ipv6CarriesOn = PATHS.filter((path) => {
      const summaryRead = sessions?.[path]?.summary;
      return summaryRead?.ok === true && ipv6Carries(summaryRead.value);
    });
    const ex = explainers(out, privateName, failing, ipv6CarriesOn);
    const first = ex[0];
    if (first) {
      explainedBy = explainedByWords(first);
      out = out.map((f) => (f === first ? foldInto(f, summary) : f));
    } else {
      // A path down for the other family only is no path down for these tests.
      const stopped = testsStopped(out, rides?.name ?? null, failing, ipv6CarriesOn);
      const downs = stopped.by;
      const found = endToEndFinding(summary, {
        circuitName: verdict.name,
        peering: rides?.name ?? privateName,
        singlePathDown: downs.flatMap((f) => f.paths.map((path) => ({ path, code: f.code }))),
        notes: rides?.notes ?? [],
        open: out.filter((f) => !downs.includes(f)),
        ipv6CarriesOn,
      });
      if (found) out.push(found);
    }
  } else {
    const found = endToEndFinding(summary, {
      circuitName: verdict.name,
      peering: rides?.name ?? privateName,
      singlePathDown: [],
      notes: [],
      open: [],
      ipv6CarriesOn: [],
    });
    if (found) out.push(found);
  }
  if (rides) setRow(rides, "endToEnd", endToEndCell(summary, explainedBy));
  return out;
}

/**
 * The Azure Monitor reads erwatch could not use, counted with the ARM reads
 * classify found failed on the same peering: one monitoring-blind finding a
 * peering. Two findings under one alert key each counted only their own
 * reads; merged, the alert's evidence kept the first's alone, so a 403 beside
 * a throttled metrics batch read as refused for good (refused-reads.ts), and
 * the title ran two findings' words together.
 */
function withDataPlaneBlind(
  findings: Finding[],
  reading: CircuitReading,
  dataPlane: BlindRead[],
  verdict: CircuitVerdict,
  severity: Severity,
  now: Date,
): Finding[] {
  if (dataPlane.length === 0) return findings;
  const arm = blindReadsOf(reading);
  // The alert key ignores a peering's case; blindFindings groups by spelling.
  const samePeering = (a: string | null, b: string | null) =>
    a === null || b === null ? a === b : same(a, b);
  const touched = (peering: string | null) =>
    dataPlane.some((r) => samePeering(r.peering, peering));
  const spelt = (peering: string | null) =>
    arm.find((r) => samePeering(r.peering, peering))?.peering ?? peering;
  const reads = onceEachRead([
    ...arm.filter((r) => touched(r.peering)),
    ...dataPlane.map((r) => ({ ...r, peering: spelt(r.peering) })),
  ]);
  const fresh = blindFindings(reads, verdict.subscriptionId, severity, now.getTime());
  const freshFor = (peering: string | null) => fresh.find((f) => samePeering(f.peering, peering));
  const replaced = findings.map((f) =>
    f.code === "monitoring-blind" && touched(f.peering) ? (freshFor(f.peering) ?? f) : f,
  );
  return [...replaced, ...fresh.filter((f) => !replaced.includes(f))];
}

export function applyDataPlane(
  verdict: CircuitVerdict,
  reading: CircuitReading,
  policy: DataPlanePolicy,
  previous: DataPlaneMemory,
  now: Date,
  /** The severity of `monitoring-blind` (classify's `severity.blind`). */
  blindSeverity: Severity = "Sev3",
): DataPlaneResult {
  if (!verdict.circuitRead)
    return {
      verdict,
      memory: previous.lastCarriedAt ?? {},
      runs: previous.carryRuns ?? {},
      seen: {},
    };
  const peerings = verdict.peerings.map(copyPeering);
  let findings = [...verdict.findings];

  for (const p of peerings) {
    const note = asymmetryNote(p, policy.asymmetryPercent);
    if (note && PATHS.every((path) => sessionCarries(p.paths[path].bgp))) p.notes?.push(note);
  }

  const baseline = baselineFor(policy, verdict);
  if (baseline) {
    const items = driftItems(reading, baseline);
    findings = findings.map((f) => citeDrift(f, items));
    const drift = driftFinding(verdict.name, items);
    if (drift) findings.push(drift);
  }

  const metrics = applyMetrics(reading, peerings, findings, policy, previous, now);
  findings = applyEndToEnd(verdict, reading, peerings, metrics.findings, now);
  findings = withDataPlaneBlind(findings, reading, metrics.blind, verdict, blindSeverity, now);
  const failedReads = [...verdict.failedReads, ...metrics.blind.map((b) => b.failure)];

  for (const p of peerings) if (p.notes && p.notes.length === 0) delete p.notes;
  return {
    verdict: { ...verdict, peerings, findings, failedReads },
    memory: metrics.memory,
    runs: metrics.runs,
    seen: metrics.seen,
  };
}
