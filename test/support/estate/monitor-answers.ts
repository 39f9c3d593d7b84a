// The two endpoints of the estate that are not ARM, answered as Azure answers
// them to the real clients: Azure Monitor's metrics batch
// (POST {endpoint}/subscriptions/{sub}/metrics:getBatch?api-version=2024-02-01,
// at most 50 resources of one subscription, region and type; a dimension
// filter only with dimensions every asked-for metric has) and Log Analytics'
// query (POST {endpoint}/v1/workspaces/{id}/query, or on a workspace's
// resource id), one row per test and machine (SourceResourceId / SourceIP
// and their Destination counterparts). Served under /metrics/{region} and
// /loganalytics/v1 of the estate's own HTTPS server, so one CA serves every
// client.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Answer } from "./answers.js";
import {
  authorizationFailed,
  errorBody,
  faultError,
  RBAC_ACTIONS,
  unauthenticated,
} from "./arm-errors.js";
import type { FaultBook } from "./faults.js";
import { circuitId, sameName, stableUuid } from "./ids.js";
import type {
  EstateState,
  RecordedRequest,
  SimCircuit,
  SimConnectionMonitor,
  SimMachine,
  SimTest,
} from "./model.js";
import {
  isReachMetric,
  metricSeries,
  METRICS,
  PEERING_TYPE,
  reachSeries,
  type SimMetric,
} from "./monitor-metrics.js";
import { monitorId, monitorJson } from "./network-answers.js";
import { applyWireEdits } from "./wire-edits.js";

export const METRICS_API_VERSION = "2024-02-01";
const CIRCUITS_NAMESPACE = "microsoft.network/expressroutecircuits";

export type MonitorRoute =
  | { operation: "metricsBatch"; region: string | null; subscriptionId: string }
  | { operation: "queryLogs"; workspace: string };

export function monitorRouteOf(method: string, pathname: string): MonitorRoute | null {
  if (method !== "POST") return null;
  const metrics = /^\/metrics(?:\/([^/]+))?\/subscriptions\/([^/]+)\/metrics:getBatch$/i.exec(
    pathname,
  );
  if (metrics)
    return { operation: "metricsBatch", region: metrics[1] ?? null, subscriptionId: metrics[2]! };
  const byId = /^\/loganalytics\/v1\/workspaces\/([^/]+)\/query$/i.exec(pathname);
  if (byId) return { operation: "queryLogs", workspace: decodeURIComponent(byId[1]!) };
  const byResource =
    /^\/loganalytics\/v1(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+)\/query$/i.exec(
      pathname,
    );
  if (byResource) return { operation: "queryLogs", workspace: decodeURIComponent(byResource[1]!) };
  return null;
}

/** What server.ts lends the monitor endpoints: recording, RBAC, faults and transport. */
export interface MonitorHost {
  state(): EstateState;
  faults: FaultBook;
  granted(action: string): boolean;
  /** Records the request (and wakes waiters); false when the estate is closing. */
  record(record: RecordedRequest): boolean;
  pause(ms: number, res: ServerResponse): Promise<boolean>;
  send(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, answer: Answer): void;
}

const bad = (code: string, message: string, status = 400): Answer => ({
  status,
  body: errorBody(code, message),
});
const json = (value: unknown) => JSON.stringify(value);

/** Workspace customer ids are GUIDs derived from the resource id, as stable as the rest. */
export const workspaceGuid = (resourceId: string) =>
  stableUuid(`workspace:${resourceId.toLowerCase()}`);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 1_000_000) req.destroy(new Error("body too large"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function metricsAnswer(
  host: MonitorHost,
  route: Extract<MonitorRoute, { operation: "metricsBatch" }>,
  url: URL,
  body: string,
): Answer {
  const version = url.searchParams.get("api-version");
  if (version !== METRICS_API_VERSION)
    return bad(
      "BadRequest",
      `The api-version '${version ?? ""}' is not supported; use ${METRICS_API_VERSION}.`,
    );
  if ((url.searchParams.get("metricnamespace") ?? "").toLowerCase() !== CIRCUITS_NAMESPACE)
    return bad(
      "BadRequest",
      `Metric namespace '${url.searchParams.get("metricnamespace")}' is not supported by this fake.`,
    );
  let ids: string[];
  try {
    ids = (JSON.parse(body) as { resourceids?: string[] }).resourceids ?? [];
  } catch {
    return bad("BadRequest", "The request body is not valid JSON.");
  }
  if (ids.length === 0) return bad("BadRequest", "resourceids must name at least one resource.");
  if (ids.length > 50)
    return bad("BadRequest", `At most 50 resource ids per batch, got ${ids.length}.`);
  const names = (url.searchParams.get("metricnames") ?? "").split(",").map((n) => n.trim());
  const unknown = names.find((n) => !(n in METRICS));
  if (unknown !== undefined)
    return bad("BadRequest", `Metric '${unknown}' is not defined for ${CIRCUITS_NAMESPACE}.`);
  const filter = url.searchParams.get("filter") ?? "";
  const dimensions = [...filter.matchAll(/(\w+)\s+eq\s+'/g)].map((m) => m[1]!);
  for (const metric of names as SimMetric[])
    for (const d of dimensions)
      if (!(METRICS[metric].split as readonly string[]).includes(d))
        return bad("BadRequest", `Dimension '${d}' is not valid for metric '${metric}'.`);
  const start = Date.parse(url.searchParams.get("starttime") ?? "");
  const end = Date.parse(url.searchParams.get("endtime") ?? "");
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start)
    return bad("BadRequest", "starttime and endtime must be a valid interval.");
  const state = host.state();
  const values = [];
  for (const id of ids) {
    if (!id.toLowerCase().startsWith(`/subscriptions/${route.subscriptionId.toLowerCase()}/`))
      return bad("BadRequest", `Resource ${id} is not in subscription ${route.subscriptionId}.`);
    const circuit = state.circuits.find((c) => sameName(circuitId(c), id));
    if (!circuit) continue; // Azure leaves out what it has no data for
    const region = circuit.location.toLowerCase().replace(/\s+/g, "");
    if (route.region !== null && region !== route.region.toLowerCase())
      return bad(
        "BadRequest",
        `Resource ${id} is in ${region}, not ${route.region}: every resource of a batch must be in the endpoint's region.`,
      );
    values.push(metricsResourceJson(state, circuit, names as SimMetric[], start, end));
  }
  return { status: 200, body: json({ values }) };
}

const COLUMNS: [string, string][] = [
  ["TimeGenerated", "datetime"],
  ["ConnectionMonitorResourceId", "string"],
  ["TestGroupName", "string"],
  ["TestConfigurationName", "string"],
  ["TestResult", "string"],
  ["ChecksFailed", "int"],
  ["ChecksTotal", "int"],
  ["ChecksFailedPercentThreshold", "int"],
  ["AvgRoundTripTimeMs", "real"],
  ["RoundTripTimeMsThreshold", "real"],
  ["SourceName", "string"],
  ["SourceAddress", "string"],
  ["SourceResourceId", "string"],
  ["SourceIP", "string"],
  ["DestinationName", "string"],
  ["DestinationAddress", "string"],
  ["DestinationResourceId", "string"],
  ["DestinationIP", "string"],
  ["DestinationPort", "int"],
  ["AdditionalData", "string"],
];

/** The monitors the query names: `… in~ ("<id>", …)` and `… endswith "/connectionMonitors/<name>"`. */
function asked(query: string, monitors: SimConnectionMonitor[]): SimConnectionMonitor[] {
  const ids = [...(/in~\s*\(([^)]*)\)/.exec(query)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map(
    (m) => m[1]!,
  );
  const ends = [...query.matchAll(/endswith\s+"([^"]+)"/g)].map((m) => m[1]!.toLowerCase());
  return monitors.filter(
    (m) =>
      ids.some((id) => sameName(id, monitorId(m))) ||
      ends.some((e) => monitorId(m).toLowerCase().endsWith(e)),
  );
}

/** The endpoints a monitor's definition sends now (wire edits applied), as Connection Monitor tests them. */
interface SentEndpoints {
  /** As sent, position by position: anything ARM may send there. */
  raw: unknown[];
  /** Those that are endpoints at all (an object with a name). */
  named: { name: string; address: string }[];
  /** The estate's own endpoint names, which the tests name. */
  own: (string | undefined)[];
}

function sentEndpoints(m: SimConnectionMonitor): SentEndpoints {
  const body = monitorJson(m) as { properties?: { endpoints?: unknown } } | null;
  const raw: unknown[] = Array.isArray(body?.properties?.endpoints)
    ? body.properties.endpoints
    : [];
  const named = raw.flatMap((e) => {
    const { name, address } = (e ?? {}) as { name?: unknown; address?: unknown };
    return typeof name === "string"
      ? [{ name, address: typeof address === "string" ? address : "" }]
      : [];
  });
  return { raw, named, own: m.endpoints.map((e) => (e as { name?: string } | null)?.name) };
}

/**
 * What an endpoint a test names is called in the definition sent now: the
 * same name; the name sent in its place (renamed); or null, removed (or no
 * longer an endpoint erwatch or Connection Monitor could resolve). A name
 * the estate's endpoints never had is the test's own, tested as ever.
 */
function endpointNow(sent: SentEndpoints, name: string): string | null {
  const i = sent.own.indexOf(name);
  if (i < 0 || sent.named.some((e) => e.name === name)) return name;
  const there = sent.raw[i] as { name?: unknown } | null | undefined;
  return typeof there?.name === "string" && !sent.own.includes(there.name) ? there.name : null;
}

/**
 * The last row Log Analytics holds of each test under each pair of endpoint
 * names it ran between: a test whose endpoint was removed or renamed keeps
 * the rows it wrote before, while the look-back reaches them.
 */
interface HeldRow {
  at: number;
  source: string;
  destination: string;
  /** As the endpoints' definitions gave them when the row was written. */
  sourceAddress: string;
  destinationAddress: string;
}
const written = new WeakMap<SimTest, Map<string, HeldRow>>();

/** A test's rows as Log Analytics holds them when its newest run was at `ran`. */
function rowsOfTest(t: SimTest, sent: SentEndpoints, ran: number) {
  const held = written.get(t) ?? new Map<string, HeldRow>();
  written.set(t, held);
  const source = endpointNow(sent, t.source);
  const destination = endpointNow(sent, t.destination);
  const before = (pair: string | null) =>
    [...held].filter(([k]) => k !== pair).map(([, r]) => ({ test: t, ...r }));
  if (source === null || destination === null) return before(null);
  const address = (name: string) => sent.named.find((e) => e.name === name)?.address ?? "";
  const last = ran - (t.removedMinutesAgo ?? 0) * 60_000;
  const now: HeldRow = {
    at: t.stoppedAt ? Math.min(last, Date.parse(t.stoppedAt)) : last,
    source,
    destination,
    sourceAddress: address(source),
    destinationAddress: address(destination),
  };
  const pair = `${source}|${destination}`;
  if (now.at >= (held.get(pair)?.at ?? -Infinity)) held.set(pair, now);
  return [{ test: t, ...now }, ...before(pair)];
}

function logsAnswer(
  host: MonitorHost,
  route: Extract<MonitorRoute, { operation: "queryLogs" }>,
  body: string,
): Answer {
  let request: { query?: string; timespan?: string };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return bad("BadArgumentError", "The request body is not valid JSON.");
  }
  const query = request.query ?? "";
  // A `let` of the workspace's newest row may come first.
  const kql = query.trim().replace(/^(?:let [^;]*;\s*)*/, "");
  if (!/^NWConnectionMonitorTestResult\b/.test(kql))
    return bad("BadArgumentError", "This fake answers NWConnectionMonitorTestResult queries only.");
  const [spanFrom, to] = (request.timespan ?? "").split("/").map((t) => Date.parse(t));
  if (!Number.isFinite(spanFrom) || !Number.isFinite(to))
    return bad("BadArgumentError", `timespan "${request.timespan}" is not start/end.`);
  // The test rows' own look-back, when the query narrows the timespan to it.
  const between = /TimeGenerated between \(datetime\(([^)]+)\) \.\. datetime\(([^)]+)\)\)/.exec(
    kql,
  );
  const from = between ? Math.max(spanFrom!, Date.parse(between[1]!)) : spanFrom!;
  const state = host.state();
  const inWorkspace = (state.connectionMonitors ?? []).filter(
    (m) =>
      sameName(m.workspaceResourceId, route.workspace) ||
      sameName(workspaceGuid(m.workspaceResourceId), route.workspace),
  );
  if (inWorkspace.length === 0 && !(state.connectionMonitors ?? []).length)
    return bad(
      "PathNotFoundError",
      `The requested path does not exist: workspace ${route.workspace}`,
      404,
    );
  const ran = new Date(to! - (state.monitor?.logsDelayMinutes ?? 3) * 60_000);
  // Every monitor writing to the workspace holds rows in the timespan, asked for or not.
  const held = new Map(
    inWorkspace.map((m) => {
      const sent = sentEndpoints(m);
      return [
        m,
        ran.getTime() < spanFrom!
          ? []
          : m.tests
              .filter((t) => t.result !== "none")
              .flatMap((t) => rowsOfTest(t, sent, ran.getTime()))
              .filter((r) => r.at >= spanFrom! && r.at <= ran.getTime()),
      ] as const;
    }),
  );
  // toscalar(NWConnectionMonitorTestResult | summarize max(TimeGenerated)): of every monitor there.
  const newestOf = [...held.values()].flat().map((r) => r.at);
  const newest = newestOf.length > 0 ? new Date(Math.max(...newestOf)).toISOString() : null;
  // `| union (print WorkspaceNewest = newest)`: a row of its own, every other column empty.
  const withNewest = /\bprint WorkspaceNewest\b/.test(kql);
  const rows = [
    ...asked(kql, inWorkspace).flatMap((m) => {
      return held
        .get(m)!
        .filter((r) => r.at >= from)
        .map(({ test: t, at, source, destination, sourceAddress, destinationAddress }) => {
          // Log Analytics writes an empty string for a column a row leaves out.
          const machine = (address: string, given: SimMachine | undefined) => [
            given?.resourceId ?? "",
            given?.ip ?? address,
          ];
          return [
            new Date(at).toISOString(),
            t.monitorIdInLogs ?? monitorId(m),
            t.testGroup,
            t.test,
            t.result,
            t.checksFailed,
            t.checksTotal,
            t.checksFailedPercentThreshold,
            t.roundTripMs,
            t.roundTripThresholdMs,
            source,
            sourceAddress,
            ...machine(sourceAddress, t.sourceMachine),
            destination,
            destinationAddress,
            ...machine(destinationAddress, t.destinationMachine),
            t.port,
            t.additionalData ?? "",
            ...(withNewest ? [null] : []),
          ];
        });
    }),
    ...(withNewest ? [[...COLUMNS.map(() => null), newest]] : []),
  ];
  return {
    status: 200,
    body: json({
      tables: [
        {
          name: "PrimaryResult",
          columns: [...COLUMNS, ...(withNewest ? [["WorkspaceNewest", "datetime"]] : [])].map(
            ([name, type]) => ({ name, type }),
          ),
          rows,
        },
      ],
      ...(state.monitor?.logsPartialError
        ? {
            error: {
              code: "PartialError",
              message: "There were some errors when processing your query.",
              details: [state.monitor.logsPartialError],
            },
          }
        : {}),
    }),
  };
}

export async function serveMonitor(
  host: MonitorHost,
  route: MonitorRoute,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const body = await readBody(req);
  const record: RecordedRequest = {
    at: Date.now(),
    method: "POST",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    operation: route.operation,
    status: 0,
  };
  if (!host.record(record)) return;
  const answerOf = (): Answer => {
    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? "")) {
      const e = unauthenticated();
      return { status: e.status, body: errorBody(e.code, e.message), headers: e.headers ?? {} };
    }
    const action = RBAC_ACTIONS[route.operation];
    const scope =
      route.operation === "metricsBatch"
        ? `/subscriptions/${route.subscriptionId}`
        : route.workspace;
    if (!host.granted(action)) {
      const e = authorizationFailed(action, scope);
      return { status: e.status, body: errorBody(e.code, e.message), headers: e.headers ?? {} };
    }
    return route.operation === "metricsBatch"
      ? metricsAnswer(host, route, url, body)
      : logsAnswer(host, route, body);
  };
  const plan = host.faults.plan({
    operation: route.operation,
    ...(route.operation === "metricsBatch"
      ? { metrics: (url.searchParams.get("metricnames") ?? "").split(",") }
      : { workspace: route.workspace }),
  });
  if (plan.delayMs > 0 && !(await host.pause(plan.delayMs, res))) return;
  if (plan.answer?.kind === "status") {
    const e = faultError(plan.answer.status, route.operation, url.pathname, plan.answer);
    const { rawBody } = plan.answer;
    return host.send(req, res, record, {
      status: e.status,
      body: rawBody ?? errorBody(e.code, e.message),
      headers:
        rawBody === undefined ? (e.headers ?? {}) : { ...e.headers, "Content-Type": "text/html" },
    });
  }
  if (plan.answer?.kind === "malformed")
    return host.send(req, res, record, { status: 200, body: '{"values":[{"starttime":' });
  return host.send(req, res, record, answerOf());
}

/**
 * One circuit's entry of a metrics:getBatch answer, as Azure Monitor sends it,
 * with the circuit's `metrics` wire edits applied (odd values Azure could send).
 */
export function metricsResourceJson(
  state: EstateState,
  circuit: SimCircuit,
  names: SimMetric[],
  start: number,
  end: number,
): unknown {
  const region = circuit.location.toLowerCase().replace(/\s+/g, "");
  const resource = {
    starttime: new Date(start).toISOString(),
    endtime: new Date(end).toISOString(),
    interval: "PT1M",
    namespace: "Microsoft.Network/expressRouteCircuits",
    resourceregion: region,
    resourceid: circuitId(circuit),
    value: names.map((metric) => ({
      id: `${circuitId(circuit)}/providers/Microsoft.Insights/metrics/${metric}`,
      type: "Microsoft.Insights/metrics",
      name: { value: metric, localizedValue: METRICS[metric].display },
      displayDescription: METRICS[metric].display,
      unit: METRICS[metric].unit,
      errorCode: "Success",
      timeseries: isReachMetric(metric)
        ? reachSeries(state, circuit, metric, start, end).map((s) => ({
            metadatavalues: [
              {
                name: { value: "PeeredCircuitSKey", localizedValue: "PeeredCircuitSKey" },
                value: s.peerServiceKey,
              },
            ],
            data: s.data,
          }))
        : metricSeries(state, circuit, metric, start, end).map((s) => ({
            metadatavalues: [
              {
                name: { value: "PeeringType", localizedValue: "PeeringType" },
                value: PEERING_TYPE[s.peering.name] ?? s.peering.name,
              },
              METRICS[metric].split[1] === "Peer"
                ? {
                    name: { value: "Peer", localizedValue: "Peer" },
                    value: `${s.path === "primary" ? "Primary" : "Secondary"}-IPv4`,
                  }
                : {
                    name: { value: "DeviceRole", localizedValue: "DeviceRole" },
                    value: s.path === "primary" ? "Primary" : "Secondary",
                  },
            ],
            data: s.data,
          })),
    })),
  };
  return applyWireEdits(resource, circuit.wire, "metrics");
}
