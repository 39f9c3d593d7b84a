// Azure Monitor metrics for many circuits through @azure/monitor-query-metrics:
// MetricsClient.queryResources against the regional endpoint of each
// (subscription, region) group, at most 50 circuits per call. A dimension
// filter may only name dimensions every metric of the call has, so
// availability (split by PeeringType and Peer) and throughput (PeeringType and
// DeviceRole) are two calls per chunk. Global Reach throughput (split by
// PeeredCircuitSKey, the peer circuit's service key) is a third call, asked
// only for the circuits of the chunk that have Global Reach connections. The
// client reports `metric.name` in its display form, so metrics are matched by
// id (…/metrics/<name>) and by name with spaces and case ignored.

import { MetricsClient, type MetricsQueryResult } from "@azure/monitor-query-metrics";
import type { TokenCredential } from "@azure/identity";
import { planMetricBatches, type MetricsBatch } from "../../core/dataplane/batches.js";
import { oddValue, PackedPoints, type PointIn } from "../../core/dataplane/points.js";
import type {
  CircuitMetrics,
  GlobalReachMetric,
  GlobalReachSeries,
  MetricName,
  MetricSeries,
  OddPoint,
} from "../../core/dataplane/facts.js";
import type { PathName, Reading } from "../../core/model.js";
import type { MetricsTarget } from "../../app/ports.js";
import type { ArmClientOptions } from "../arm/clients.js";
import { toReadFailure } from "../arm/errors.js";
import { ARM_OPERATIONS } from "../arm/operations.js";
import type { MonitorCall } from "./call.js";
import { boundedRetryAfterPolicy } from "../retry-after.js";
import { counted } from "../../core/text.js";

export const CIRCUIT_NAMESPACE = "Microsoft.Network/expressRouteCircuits";

type AnyMetric = MetricName | GlobalReachMetric;

/** Each call: the metrics and the split that every one of them supports; `globalReach` calls only for circuits with Global Reach. */
const CALLS: { metrics: AnyMetric[]; filter: string; globalReach?: true }[] = [
  { metrics: ["BgpAvailability", "ArpAvailability"], filter: "PeeringType eq '*' and Peer eq '*'" },
  {
    metrics: ["BitsInPerSecond", "BitsOutPerSecond"],
    filter: "PeeringType eq '*' and DeviceRole eq '*'",
  },
  {
    metrics: ["GlobalReachBitsInPerSecond", "GlobalReachBitsOutPerSecond"],
    filter: "PeeredCircuitSKey eq '*'",
    globalReach: true,
  },
];

export interface MetricsReaderConfig {
  /** With `{region}` where the region goes. */
  endpoint: string;
  /** The token scope, "/.default" included (see config/data-plane.ts). */
  scope: string;
  lookbackMinutes: number;
  maxRetries: number;
}

// Dimension values are strings by contract; a number or an object from the
// wire names nothing, and must not fail the whole batch of 50 circuits.
const squash = (s: unknown) =>
  typeof s === "string" ? s.toLowerCase().replace(/[^a-z0-9]/g, "") : "";

/** Azure names the peering type in its own words; erwatch uses the peering's name. */
export function peeringOf(value: unknown): string | null {
  const v = squash(value);
  if (v === "") return null;
  if (v === "private" || v === "privatepeering" || v === "azureprivatepeering")
    return "AzurePrivatePeering";
  if (v === "microsoft" || v === "microsoftpeering") return "MicrosoftPeering";
  if (v === "public" || v === "azurepublicpeering") return "AzurePublicPeering";
  return typeof value === "string" ? value : null;
}

/** `Peer` ("Primary-IPv4") and `DeviceRole` ("Primary") both start with the path. */
export function pathOf(value: unknown): PathName | null {
  const v = squash(value);
  if (v.startsWith("primary")) return "primary";
  if (v.startsWith("secondary")) return "secondary";
  return null;
}

function metricNameOf(metric: { id: string; name: string }, wanted: AnyMetric[]): AnyMetric | null {
  const fromId = /\/metrics\/([^/]+)$/i.exec(metric.id ?? "")?.[1];
  return (
    wanted.find((w) => squash(w) === squash(fromId)) ??
    wanted.find((w) => squash(w) === squash(metric.name)) ??
    null
  );
}

class MetricsQueryFailed extends Error {
  /** A resource Azure Monitor no longer knows (deleted since the listing) is not-found, not malformed. */
  readonly statusCode: number | undefined;
  constructor(message: string) {
    super(message);
    this.name = "MalformedResponseError";
    this.statusCode = /NotFound/.test(message) ? 404 : undefined;
  }
}

type Where = Pick<OddPoint, "metric" | "peering" | "path" | "peerServiceKey">;

// A minute whose time cannot be read cannot be placed in the window: it is
// left out (judged as the gap it is), not allowed to break the series later.
// No value is Azure's gap; a value the metric cannot have (text, 250 %,
// negative or absurd bits/s) is a gap too, and is named in `odd`.
// Azure answers the timespan asked, in its own timestamps, aligned to the
// minute: a minute dated after the query's end cannot be, however little
// after (clock skew between erwatch and Azure moves what Azure holds, not the
// span it answers). Kept, it read as the newest traffic: a stopped path
// "flowing", and, remembered as "last carried", traffic-stopped held off a
// window past that date. Nor one dated before its start (a .NET default
// 0001-01-01): kept, a path that never carried "last carried" in year 1, and
// paged stopped for a billion minutes, every sweep.
//
// A minute sent twice with different values (100 and 0) cannot be read: one
// of them is the minute, and which is not said. Averaged, it read 50 %, a dip
// that never was, or half the traffic of a path that carried all or none. Its
// circuit's read fails (`clash`), as an entry sent twice with different
// minutes does; the same value twice is the minute once.
const pointsOf = (
  ts: MetricsQueryResult["metrics"][number]["timeseries"][number],
  where: Where,
  odd: OddPoint[],
  span: { earliestMs: number; latestMs: number },
  clash: string[],
) => {
  const points = (ts.data ?? []).flatMap((d): PointIn[] => {
    const atMs = d.timeStamp instanceof Date ? d.timeStamp.getTime() : Number.NaN;
    if (!Number.isFinite(atMs)) return [];
    if (atMs > span.latestMs || atMs < span.earliestMs) {
      odd.push({
        ...where,
        at: new Date(atMs).toISOString(),
        value: d.average === undefined || d.average === null ? "no value" : String(d.average),
        reason:
          atMs > span.latestMs ? "dated after the query's end" : "dated before the query's start",
      });
      return [];
    }
    const raw: unknown = d.average;
    if (raw === undefined || raw === null) return [{ atMs, value: null }];
    const reason = oddValue(where.metric, raw);
    if (reason === null) return [{ atMs, value: raw as number }];
    odd.push({
      ...where,
      at: new Date(atMs).toISOString(),
      value: typeof raw === "number" ? String(raw) : JSON.stringify(raw),
      reason,
    });
    return [{ atMs, value: null }];
  });
  const byMinute = new Map<number, number | null>();
  const once = points.filter(({ atMs, value }) => {
    const minute = Math.floor(atMs / GRAIN_MS) * GRAIN_MS;
    if (!byMinute.has(minute)) {
      byMinute.set(minute, value);
      return true;
    }
    const before = byMinute.get(minute)!;
    if (before !== value && clash.length === 0) {
      const said = (v: number | null) => (v === null ? "no value" : String(v));
      const path = where.peerServiceKey
        ? `Global Reach ${where.peerServiceKey}`
        : `${where.peering} ${where.path}`;
      clash.push(
        `${where.metric} ${path}: the minute ${new Date(minute).toISOString().slice(11, 16)} UTC sent twice (${said(before)} and ${said(value)})`,
      );
    }
    return false;
  });
  return new PackedPoints(once);
};

interface Parsed {
  series: MetricSeries[];
  globalReach: GlobalReachSeries[];
  odd: OddPoint[];
  /** Why Azure Monitor could not give this resource a metric it was asked for; null when it gave all. */
  failed: string | null;
}

/** How far before the query's start a minute may be dated: its start, aligned down to the minute. */
const GRAIN_MS = 60_000;

/** A series' dimensions in words, for a failure that names them ("PeeringType=Private, Role=Primary"). */
function dimensionsOf(ts: MetricsQueryResult["metrics"][number]["timeseries"][number]): string {
  const said = (ts.metadatavalues ?? []).map((m) => `${String(m.name)}=${String(m.value)}`);
  return said.length > 0 ? said.join(", ").slice(0, 200) : "no dimensions";
}

/** An ISO 8601 duration of hours, minutes and seconds ("PT1M", "PT60S") in ms; NaN otherwise. */
function durationMs(text: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(text.trim());
  if (!m || (!m[1] && !m[2] && !m[3])) return Number.NaN;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/**
 * Every judgement counts minutes (a window's coverage, its quiet, its
 * lowest load): an answer at another grain than the minute asked for is not
 * one erwatch can read. At five minutes a stopped path had "throughput data
 * for 3 of the last 15 minutes", UNKNOWN every sweep, and nobody was told.
 * Null when the grain is the minute, or not said.
 */
function grainRefused(granularity: unknown): string | null {
  if (granularity === undefined || granularity === null) return null;
  if (typeof granularity === "string" && durationMs(granularity) === 60_000) return null;
  const said = typeof granularity === "string" ? granularity : JSON.stringify(granularity);
  return `answered one point per ${said}, not one per minute (PT1M) as asked`;
}

function seriesOf(
  result: MetricsQueryResult,
  wanted: AnyMetric[],
  window: { from: Date; to: Date },
): Parsed {
  const span = {
    earliestMs: window.from.getTime() - GRAIN_MS,
    latestMs: window.to.getTime(),
  };
  const out: MetricSeries[] = [];
  const globalReach: GlobalReachSeries[] = [];
  const odd: OddPoint[] = [];
  const clash: string[] = [];
  let failed = grainRefused(result.granularity);
  const answered = new Set<AnyMetric>();
  for (const metric of result.metrics) {
    const name = metricNameOf(metric, wanted);
    if (!name) continue;
    answered.add(name);
    // Azure Monitor answers the batch and fails one resource's metric (a
    // circuit deleted since the listing): that circuit's reading fails, never
    // the batch's other 49.
    if (metric.errorCode && String(metric.errorCode).toLowerCase() !== "success") {
      failed ??= `${name}: ${metric.errorCode} ${metric.errorMessage ?? ""}`.trim();
      continue;
    }
    // How many series say which path (or Global Reach connection) they are; the first one's dimensions.
    let placed = 0;
    let firstSaid: string | null = null;
    for (const ts of metric.timeseries ?? []) {
      const dims = new Map((ts.metadatavalues ?? []).map((m) => [squash(m.name), m.value]));
      firstSaid ??= dimensionsOf(ts);
      if (name === "GlobalReachBitsInPerSecond" || name === "GlobalReachBitsOutPerSecond") {
        const peerServiceKey = dims.get("peeredcircuitskey");
        if (typeof peerServiceKey === "string" && peerServiceKey !== "") {
          placed += 1;
          globalReach.push({
            peerServiceKey,
            metric: name,
            points: pointsOf(
              ts,
              { metric: name, peering: null, path: null, peerServiceKey },
              odd,
              span,
              clash,
            ),
          });
        }
        continue;
      }
      const peering = peeringOf(dims.get("peeringtype"));
      const peer = dims.get("peer");
      const path = pathOf(peer ?? dims.get("devicerole"));
      if (!peering || !path) continue;
      placed += 1;
      // The BGP layer is judged on the IPv4 sessions; an IPv6 peer's availability is not the path's.
      if (squash(peer).includes("ipv6")) continue;
      // Traffic comes per path (DeviceRole), availability per IPv4 peer (above): one
      // series each; seriesOf still merges any second one a path gets.
      out.push({
        metric: name,
        peering,
        path,
        points: pointsOf(ts, { metric: name, peering, path }, odd, span, clash),
      });
    }
    // Dimensions renamed, or values erwatch cannot place: every series of the
    // metric left out read as no data, its capacity row UNKNOWN every sweep,
    // told to nobody. One stray series beside placed ones is only left out.
    if (placed === 0 && firstSaid !== null)
      failed ??= `${name}: no series says which peering and path it is (${firstSaid})`;
  }
  // A metric asked for and not in the entry has told nothing, as a circuit left
  // out of the answer has: read as no data, its path's capacity stayed UNKNOWN
  // every sweep and nobody was told (Azure sends a metric without data as one
  // with no series, which is a gap).
  if (clash[0]) failed ??= clash[0];
  const missing = wanted.find((w) => !answered.has(w));
  if (missing) failed ??= `${missing}: not in Azure Monitor's answer for this circuit`;
  return { series: out, globalReach, odd, failed };
}

/** What an entry of the answer says of its circuit, to tell one sent twice from two that differ (only then: it copies every minute). */
const contentOf = (entry: Parsed): string =>
  JSON.stringify([entry.series, entry.globalReach, entry.odd, entry.failed]);

export class MetricsReader {
  private readonly clients = new Map<string, MetricsClient>();

  constructor(
    private readonly credential: TokenCredential,
    private readonly config: MetricsReaderConfig,
    private readonly call: MonitorCall,
    private readonly options: ArmClientOptions,
    /** The sweep's clock: a Retry-After given as a date is a wait from it. */
    private readonly now: () => Date,
  ) {}

  private clientFor(region: string): MetricsClient {
    const endpoint = this.config.endpoint.replaceAll("{region}", region);
    let client = this.clients.get(endpoint);
    if (!client) {
      client = new MetricsClient(endpoint, this.credential, {
        ...this.options.pipeline,
        additionalPolicies: [
          ...(this.options.pipeline?.additionalPolicies ?? []),
          { policy: boundedRetryAfterPolicy(() => this.now().getTime()), position: "perRetry" },
        ],
        credentials: { scopes: [this.config.scope] },
        retryOptions: { maxRetries: this.config.maxRetries, maxRetryDelayInMs: 10_000 },
        userAgentOptions: { userAgentPrefix: "erwatch" },
      });
      this.clients.set(endpoint, client);
    }
    return client;
  }

  private async chunk(
    batch: MetricsBatch,
    withReach: ReadonlySet<string>,
    window: { from: Date; to: Date },
    signal: AbortSignal,
  ): Promise<Map<string, Reading<CircuitMetrics>>> {
    const client = this.clientFor(batch.region);
    const reachIds = batch.ids.filter((id) => withReach.has(id.toLowerCase()));
    const calls = CALLS.flatMap((c) => {
      const ids = c.globalReach ? reachIds : batch.ids;
      return ids.length > 0 ? [{ ...c, ids }] : [];
    });
    const query = (c: (typeof calls)[number]) =>
      this.call({
        action: ARM_OPERATIONS.metricsBatch,
        target: c.globalReach
          ? `Global Reach metrics of ${counted(c.ids.length, "circuit")} in ${batch.region}`
          : `metrics of ${counted(c.ids.length, "circuit")} in ${batch.region}`,
        signal,
        run: async (abortSignal) => {
          const results = await client.queryResources(c.ids, c.metrics, CIRCUIT_NAMESPACE, {
            startTime: window.from,
            endTime: window.to,
            interval: "PT1M",
            aggregation: "average",
            filter: c.filter,
            top: 50,
            // Passed through to the request; the public options type leaves it out.
            ...({ abortSignal } as object),
          });
          // An entry whose resource id is not text matches no circuit: theirs stay without data.
          return results.map((r) => ({
            id: typeof r.resourceId === "string" ? r.resourceId : "",
            ...seriesOf(r, c.metrics, window),
          }));
        },
      });
    type Call = (typeof calls)[number];
    type Asked = { call: Call; result: Awaited<ReturnType<typeof query>> };
    const callOf = (c: Call, ids: string[]): Call => ({ ...c, ids });
    // The SDK cannot take an answer in which one resource's entry is malformed
    // (a metric without `timeseries` or `name`, an entry without `value`): the
    // whole call fails. Asked again in halves, only that circuit's reading
    // fails, never the batch's other 49. Asked one by one, as before, one bad
    // entry cost up to 100 calls more per chunk, every sweep, against Azure
    // Monitor's throttle.
    const splittable = (r: Asked["result"]) => !r.ok && r.error.kind === "malformed";
    const settle = (c: Call, ids: string[], result: Asked["result"]): Asked => ({
      call: callOf(c, ids),
      result,
    });
    /**
     * Circuits `ids` of call `c` that fail together (`failure`): one half of
     * the suspects is asked. When it reads, the bad entry is in the other
     * half, which is split without being asked whole; when it fails, the
     * other half waits, and all that waited are asked in one call once the
     * bad circuit stands alone. One bad entry among 50 costs at most 8 calls.
     * `spare` bounds the calls when many entries are bad (or every one, as
     * when Azure Monitor's answers change shape): the circuits left then fail
     * with the call.
     */
    const apart = async (
      c: Call,
      ids: string[],
      failure: Asked["result"],
      spare: { calls: number },
    ): Promise<Asked[]> => {
      const settled: Asked[] = [];
      const waiting: string[] = [];
      let suspects = ids;
      /** What the suspects were answered on their own, when the last half asked was them. */
      let theirs: Asked["result"] | null = null;
      const leftWith = (result: Asked["result"]) => [
        ...settled,
        settle(c, [...suspects, ...waiting], result),
      ];
      while (suspects.length > 1) {
        if (spare.calls <= 0) return leftWith(failure);
        spare.calls -= 1;
        const left = suspects.slice(0, Math.ceil(suspects.length / 2));
        const result = await query(callOf(c, left));
        if (result.ok) {
          settled.push({ call: callOf(c, left), result });
          suspects = suspects.slice(left.length);
          theirs = null;
        } else if (splittable(result)) {
          waiting.push(...suspects.slice(left.length));
          suspects = left;
          theirs = result;
        } else {
          // Throttled, timed out, forbidden: every call asked now would be too.
          return leftWith(result);
        }
      }
      if (theirs === null) {
        if (spare.calls <= 0) return leftWith(failure);
        spare.calls -= 1;
        theirs = await query(callOf(c, suspects));
      }
      settled.push(settle(c, suspects, theirs));
      return waiting.length === 0
        ? settled
        : [...settled, ...(await readAll(c, waiting.splice(0), spare, failure))];
    };
    /** Circuits `ids` of call `c`, not known to fail: asked together, and apart when they fail together. */
    const readAll = async (
      c: Call,
      ids: string[],
      spare: { calls: number },
      failure: Asked["result"],
    ): Promise<Asked[]> => {
      if (spare.calls <= 0) return [settle(c, ids, failure)];
      spare.calls -= 1;
      const result = await query(callOf(c, ids));
      return splittable(result) && ids.length > 1
        ? apart(c, ids, result, spare)
        : [settle(c, ids, result)];
    };
    const asked: Asked[] = [];
    const wholes = await Promise.all(calls.map(async (c) => ({ call: c, result: await query(c) })));
    // One call type after another: a circuit whose reading has failed in an
    // earlier call (its availability entry bad, the call throttled, the calls
    // spared for the split spent) is not asked again for its throughput. Only
    // those failed alone were left out: with every entry bad the throughput
    // was split again for the circuits the availability's split had not
    // reached, and after an availability call throttled, all 50.
    for (const whole of wholes) {
      const { call: c, result } = whole;
      if (result.ok || !splittable(result) || c.ids.length === 1) {
        asked.push(whole);
        continue;
      }
      const failedBefore = new Set(
        asked
          .filter((a) => !a.result.ok && !a.call.globalReach)
          .flatMap((a) => a.call.ids.map((id) => id.toLowerCase())),
      );
      // As many calls as asking each circuit alone cost (one more in a chunk of
      // 2 or 3: what finding one bad entry takes there).
      const spare = { calls: Math.max(c.ids.length, Math.ceil(Math.log2(c.ids.length)) + 2) };
      const known = c.ids.filter((id) => failedBefore.has(id.toLowerCase()));
      if (known.length > 0) {
        asked.push({ call: callOf(c, known), result });
        const others = c.ids.filter((id) => !failedBefore.has(id.toLowerCase()));
        if (others.length > 0) asked.push(...(await readAll(c, others, spare, result)));
        continue;
      }
      if (result.error.statusCode === undefined) {
        asked.push(...(await apart(c, c.ids, result, spare)));
        continue;
      }
      // A refusal with an HTTP status (a 400 for a filter or api-version
      // Azure no longer takes) may be the same for every circuit: one is
      // asked first, and when it is refused alike the call fails for all,
      // not a call for every half, each refused.
      const [firstId, ...rest] = c.ids as [string, ...string[]];
      spare.calls -= 1;
      const first = await query(callOf(c, [firstId]));
      if (
        !first.ok &&
        first.error.kind === "malformed" &&
        first.error.statusCode === result.error.statusCode
      ) {
        asked.push(whole);
        continue;
      }
      asked.push(settle(c, [firstId], first));
      // The first read: the bad entry is among the rest, which is split at once.
      asked.push(
        ...(first.ok && rest.length > 1
          ? await apart(c, rest, result, spare)
          : await readAll(c, rest, spare, result)),
      );
    }
    const out = new Map<string, Reading<CircuitMetrics>>();
    /** What the calls that asked for circuit `id` said of it: its entries, or why not. */
    const answerOf = (id: string, results: (typeof asked)[number]["result"][]) => {
      const key = id.toLowerCase();
      const failed = results.find((r) => !r.ok);
      if (failed && !failed.ok) return { ok: false as const, error: failed.error };
      const entries = results.map((r) =>
        r.ok ? r.value.filter((v) => v.id.toLowerCase() === key) : [],
      );
      // An answer that leaves a circuit out has told nothing of it: not "no traffic".
      const answered = entries.every((e) => e.length > 0);
      // One that answers it twice: the same twice is once (summed, its traffic
      // read double); two different answers cannot both be its minutes, and
      // summed, one path's traffic hid the other's stop.
      const twice = entries.find((e) => e.length > 1 && new Set(e.map(contentOf)).size > 1);
      const own = entries.flatMap((e) => e.slice(0, 1));
      const refused = !answered
        ? "Azure Monitor's answer has no entry for this circuit"
        : twice
          ? `Azure Monitor's answer has ${twice.length} different entries for this circuit`
          : own.find((v) => v.failed !== null)?.failed;
      if (!refused) return { ok: true as const, own };
      const error = toReadFailure(new MetricsQueryFailed(refused), {
        call: ARM_OPERATIONS.metricsBatch,
        target: `metrics of ${id}`,
        timedOut: false,
      });
      return { ok: false as const, error };
    };
    for (const id of batch.ids) {
      const key = id.toLowerCase();
      const mine = asked.filter((a) => a.call.ids.includes(id));
      // The circuit's own metrics fail with any call that asked for them. The
      // Global Reach call stands apart: its failure leaves Global Reach
      // throughput unknown, never the paths' availability and capacity (a
      // stopped path would otherwise go unjudged for as long as it fails).
      const main = answerOf(
        id,
        mine.filter((a) => !a.call.globalReach).map((a) => a.result),
      );
      const readAt = mine[0]!.result.readAt;
      if (!main.ok) {
        out.set(key, { ok: false, error: main.error, readAt });
        continue;
      }
      const value: CircuitMetrics = {
        from: window.from.toISOString(),
        to: window.to.toISOString(),
        series: main.own.flatMap((v) => v.series),
      };
      const own = [...main.own];
      if (withReach.has(key)) {
        const reach = answerOf(
          id,
          mine.filter((a) => a.call.globalReach).map((a) => a.result),
        );
        if (reach.ok) {
          value.globalReach = reach.own.flatMap((v) => v.globalReach);
          own.push(...reach.own);
        } else value.globalReachFailed = reach.error;
      }
      const odd = own.flatMap((v) => v.odd);
      if (odd.length > 0) value.odd = odd;
      out.set(key, { ok: true, value, readAt });
    }
    return out;
  }

  async read(
    targets: MetricsTarget[],
    options: { abortSignal: AbortSignal; now: Date },
  ): Promise<Map<string, Reading<CircuitMetrics>>> {
    const to = options.now;
    const window = { from: new Date(to.getTime() - this.config.lookbackMinutes * 60_000), to };
    const withReach = new Set(targets.filter((t) => t.globalReach).map((t) => t.id.toLowerCase()));
    const chunks = await Promise.all(
      planMetricBatches(targets).map((b) => this.chunk(b, withReach, window, options.abortSignal)),
    );
    return new Map(chunks.flatMap((m) => [...m.entries()]));
  }
}
