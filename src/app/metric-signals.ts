// Azure Monitor as the cheap signal of the tiered sweep: one metrics batch per
// (subscription, region) group of up to 50 circuits, judged by
// core/dataplane/signal.ts: the availability dips in the look-back (the plan
// keeps those the circuit's last deep read has not seen), or what the
// data-plane families would alert on (traffic stopped, saturation) judged
// with the deep read's own thresholds, and the paths whose throughput it can
// judge (a capacity row left UNKNOWN reads again). What it read is handed on, so a
// circuit read deep this sweep does not have its metrics asked for twice.

import { standbyPathOf, tag, TAGS } from "../core/circuit-settings.js";
import type { CircuitMetrics } from "../core/dataplane/facts.js";
import { readablePeerings, type CircuitFacts, type PathName } from "../core/model.js";
import { sameName } from "../core/names.js";
import { isDirect } from "../core/path-findings.js";
import type { DataPlanePolicy } from "../core/dataplane/policy.js";
import { withoutImpossibleThroughput } from "../core/dataplane/plausible.js";
import {
  availabilityDips,
  dataPlaneSignal,
  judgedThroughput,
  peeringsOf,
  type AvailabilityDip,
  type SignalCircuit,
} from "../core/dataplane/signal.js";
import {
  createReadSession,
  metricsTargetOf,
  type CircuitTarget,
  type DataPlaneReader,
  type MetricsTarget,
} from "./ports.js";
import type { CheapSignals } from "./sweep-plan.js";

/** The erwatch:standby-path tag as the deep read takes it (a value it cannot take: none). */
function standbyOf(tags: Record<string, string> | undefined): PathName | null {
  const path = tags ? standbyPathOf(tag(tags, TAGS.standbyPath)) : null;
  return path === "invalid" ? null : path;
}

/**
 * The peerings the cheap tier judges; null: every one Azure Monitor sent.
 * Only a peering the listing shows Disabled is down by design: one whose
 * state it leaves out may be carrying, and its dip is news. Beside an entry
 * of the list that could not be read, the readable peerings are judged as a
 * whole list's are, and any other peering Azure Monitor sent may be that entry.
 */
function signalPeeringsOf(facts: CircuitFacts, metrics: CircuitMetrics): string[] | null {
  if (facts.peerings === null && !facts.peeringsRead) return null;
  const read = readablePeerings(facts);
  const judged = read.filter((p) => p.state !== "Disabled").map((p) => p.name);
  if (facts.peerings !== null) return judged;
  const unread = peeringsOf(metrics).filter((name) => !read.some((p) => sameName(p.name, name)));
  return [...judged, ...unread];
}

/** The circuit's body in this sweep's listing, as the data-plane signal needs it. */
function signalCircuitOf(t: CircuitTarget | undefined, metrics: CircuitMetrics): SignalCircuit {
  const facts = t?.listed?.facts;
  return {
    bandwidthMbps: facts?.bandwidthInMbps ?? null,
    direct: facts ? isDirect(facts) : false,
    peerings: facts ? signalPeeringsOf(facts, metrics) : null,
    standbyPath: standbyOf(t?.tags),
  };
}

/**
 * `windowMinutes`: how far back a dip is looked for (the interval, and as late
 * as Azure may deliver a minute still taken as fresh). `policy`: the data
 * plane's thresholds, the ones the deep read judges by.
 */
export function metricSignals(
  reader: DataPlaneReader,
  windowMinutes: number,
  policy: DataPlanePolicy,
): CheapSignals {
  return {
    async read(targets, { abortSignal, now }) {
      const planned: MetricsTarget[] = targets.flatMap((t) => metricsTargetOf(t) ?? []);
      const troubled = new Map<string, string>();
      const dips = new Map<string, AvailabilityDip[]>();
      const throughput = new Map<string, string[]>();
      if (planned.length === 0) return { troubled, dips, throughput };
      const byId = new Map(targets.map((t) => [t.id.toLowerCase(), t]));
      const metrics = await reader.readMetrics(planned, {
        abortSignal,
        now,
        session: createReadSession(),
      });
      for (const [id, reading] of metrics) {
        if (!reading.ok) continue;
        const key = id.toLowerCase();
        try {
          const circuit = signalCircuitOf(byId.get(key), reading.value);
          // Judged as the deep read judges it: a minute the circuit cannot carry hides no stop.
          const sane = withoutImpossibleThroughput(reading.value, circuit.bandwidthMbps, circuit);
          const dipped = availabilityDips(sane, now, windowMinutes, circuit.peerings);
          const signal = dataPlaneSignal(sane, circuit, policy, now);
          const judged = judgedThroughput(sane, circuit, policy, now);
          if (dipped.length > 0) dips.set(key, dipped);
          if (judged.length > 0) throughput.set(key, judged);
          if (signal !== null) troubled.set(key, signal);
        } catch (error) {
          // One circuit's metrics that erwatch fails on must not silence the
          // others: thrown out of the loop, the whole cheap tier was given up
          // and every circuit planned by the listing and age alone. This one
          // is read deep, its metrics failed (kind internal, named) so the deep
          // read judges its other layers and does not trip on them again.
          const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
          const name = byId.get(key)?.name ?? id;
          metrics.set(id, {
            ok: false,
            readAt: reading.readAt,
            error: {
              kind: "internal",
              call: "erwatch",
              target: `metrics of ${name}`,
              message: `erwatch could not judge the metrics of ${name}: ${message}`.slice(0, 500),
            },
          });
          troubled.set(key, `erwatch could not judge its Azure Monitor metrics (${message})`);
        }
      }
      return { troubled, dips, throughput, metrics };
    },
  };
}
