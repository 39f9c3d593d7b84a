// Network Watcher and gateway bodies, parsed at the edge: the watchers of a
// subscription, their Connection Monitors (endpoints and the workspace they
// write to), a VNet gateway's IP configurations and location (which VNet and
// region it lives in), and the routes it learned. Fields that cannot be
// understood are left out of the match rather than guessed.

import { z } from "zod";
import type { LearnedRoute } from "../../../core/dataplane/facts.js";
import { isRecord } from "../../../core/record.js";
import {
  list,
  MalformedResponseError,
  number,
  numericText,
  obj,
  parseLenient,
  parseStrict,
  requiredText,
  tags,
  text,
} from "./fields.js";

export interface WatcherFacts {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
}

export interface MonitorFacts {
  id: string;
  name: string;
  location: string | null;
  tags: Record<string, string>;
  /** Resource ids of its endpoints (VNets, subnets, VMs, Arc machines). */
  endpointResourceIds: string[];
  /** Log Analytics workspace resource ids its results go to. */
  workspaces: string[];
  /**
   * Its enabled test groups and their test configurations, as defined now;
   * null when the body leaves them out or they cannot be understood (then no
   * test is taken for removed). Each group's sources and destinations,
   * endpoint names: the agents that send its results, and the endpoints
   * those results are of.
   */
  testGroups:
    | { name: string; testConfigurations: string[]; sources: string[]; destinations: string[] }[]
    | null;
  /** How often each test configuration runs, for those whose testFrequencySec can be read. */
  frequencies: { test: string; seconds: number }[];
  /** Test groups erwatch cannot read, beside the readable ones: each named, its name null when not sent as text. */
  unreadGroups: { name: string | null; problem: string }[];
}

const resourceGroupOf = (id: string) => /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? null;

const watcher = z.object({ id: text(), name: text(), location: text() });

export function parseWatcher(body: unknown): WatcherFacts | null {
  const { value } = parseLenient(watcher, body);
  const resourceGroup = value.id ? resourceGroupOf(value.id) : null;
  if (!value.id || !value.name || !value.location || !resourceGroup) return null;
  return { id: value.id, name: value.name, resourceGroup, location: value.location };
}

const monitor = z.object({
  id: requiredText(),
  name: requiredText(),
  location: text(),
  tags: tags(),
  endpoints: list(z.object({ resourceId: text() }).passthrough()),
  outputs: list(
    z.object({ workspaceSettings: obj({ workspaceResourceId: text() }) }).passthrough(),
  ),
});

// Sources and destinations are required by the REST contract (the SDK's own
// model maps them unguarded): a group without a list of either is not one
// erwatch knows the ends of. Judged without its destinations an endpoint no
// row was of (a VM deallocated) read "passes"; without its sources, every
// row's source was "?" and an agent that stopped sending was never named.
const testGroup = z
  .object({
    name: requiredText(),
    disable: z.boolean().nullish(),
    testConfigurations: z.array(z.string()),
    sources: z.array(z.string()),
    destinations: z.array(z.string()),
  })
  .passthrough();

const fieldsOf = (body: unknown) => (isRecord(body) ? body : {});

/**
 * Read apart and leniently: a definition erwatch cannot read costs the check,
 * never the monitor, and one group it cannot read costs that group alone.
 */
function testGroupsOf(body: unknown): Pick<MonitorFacts, "testGroups" | "unreadGroups"> {
  const sent = fieldsOf(body).testGroups;
  if (!Array.isArray(sent)) return { testGroups: null, unreadGroups: [] };
  const testGroups: NonNullable<MonitorFacts["testGroups"]> = [];
  const unreadGroups: MonitorFacts["unreadGroups"] = [];
  sent.forEach((raw, i) => {
    let g: z.output<typeof testGroup>;
    try {
      g = parseStrict(testGroup, raw);
    } catch (error) {
      if (!(error instanceof MalformedResponseError)) throw error;
      const at = error.message.startsWith("the body ")
        ? `testGroups[${i}]${error.message.slice("the body".length)}`
        : `testGroups[${i}].${error.message}`;
      unreadGroups.push({ name: isRecord(raw) ? textOf(raw.name) : null, problem: at });
      return;
    }
    if (g.disable === true) return;
    testGroups.push({
      name: g.name,
      testConfigurations: g.testConfigurations,
      sources: g.sources,
      destinations: g.destinations,
    });
  });
  return { testGroups, unreadGroups };
}

/** Given as text ("60") it is that number, as ARM's other numbers are. */
const frequency = z.object({ name: z.string(), testFrequencySec: number({ positive: true }) });

/** Each configuration on its own: one erwatch cannot read is taken at the longest frequency. */
function frequenciesOf(body: unknown): MonitorFacts["frequencies"] {
  const configurations = fieldsOf(body).testConfigurations;
  if (!Array.isArray(configurations)) return [];
  return configurations.flatMap((c) => {
    const got = frequency.safeParse(c);
    const seconds = got.success ? got.data.testFrequencySec : null;
    return got.success && seconds !== null ? [{ test: got.data.name, seconds }] : [];
  });
}

export function parseMonitor(body: unknown): MonitorFacts {
  const m = parseStrict(monitor, body);
  return {
    id: m.id,
    name: m.name,
    location: m.location,
    tags: m.tags ?? {},
    endpointResourceIds: (m.endpoints ?? []).flatMap((e) => (e.resourceId ? [e.resourceId] : [])),
    workspaces: (m.outputs ?? []).flatMap((o) =>
      o.workspaceSettings?.workspaceResourceId ? [o.workspaceSettings.workspaceResourceId] : [],
    ),
    ...testGroupsOf(body),
    frequencies: frequenciesOf(body),
  };
}

/**
 * A monitor parseMonitor cannot read, and what of it still tells which
 * circuits it might test: which monitor it is, and its endpoints' resources.
 */
export interface OddMonitor {
  /** Null when not sent as text. */
  id: string | null;
  /** As sent, else the last segment of its id; null when neither says. */
  name: string | null;
  /** Its endpoints' resource ids; null when one endpoint cannot be read (it might be any resource). */
  endpointResourceIds: string[] | null;
  /** What could not be read: "endpoints[0] is null, not an object". */
  problem: string;
}

const textOf = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);

/** Endpoints read as parseMonitor reads them, or null as soon as one is not understood. */
function endpointIdsOf(endpoints: unknown): string[] | null {
  if (endpoints === undefined || endpoints === null) return [];
  if (!Array.isArray(endpoints)) return null;
  const ids: string[] = [];
  for (const e of endpoints) {
    if (!isRecord(e)) return null;
    const resourceId = e.resourceId;
    if (resourceId === undefined || resourceId === null) continue;
    if (typeof resourceId !== "string") return null;
    ids.push(resourceId);
  }
  return ids;
}

/** One monitor of a listing: its facts, or what can be told of it when they cannot be read. */
export function readMonitor(
  body: unknown,
): { ok: true; facts: MonitorFacts } | { ok: false; odd: OddMonitor } {
  try {
    return { ok: true, facts: parseMonitor(body) };
  } catch (error) {
    if (!(error instanceof MalformedResponseError)) throw error;
    const shaped = isRecord(body);
    const raw: Record<string, unknown> = shaped ? body : {};
    const id = textOf(raw.id);
    return {
      ok: false,
      odd: {
        id,
        name: textOf(raw.name) ?? textOf(id?.split("/").pop()),
        endpointResourceIds: shaped ? endpointIdsOf(raw.endpoints) : null,
        problem: error.message,
      },
    };
  }
}

const gateway = z.object({
  ipConfigurations: list(z.object({ subnet: obj({ id: text() }) }).passthrough()),
});

/** Where a VNet gateway is: the VNet it lives in, and its region (each null when its body does not say). */
export interface GatewayPlace {
  vnet: string | null;
  location: string | null;
}

/**
 * The gateway's VNet (its GatewaySubnet's parent) and its region. The region
 * is read apart: one erwatch cannot read costs only the search of that
 * region's Network Watcher, never the VNet the circuit's monitors are matched on.
 */
export function parseGatewayPlace(body: unknown): GatewayPlace {
  const g = parseStrict(gateway, body);
  const location = textOf(fieldsOf(body).location);
  for (const config of g.ipConfigurations ?? []) {
    const subnet = config.subnet?.id;
    const vnet = subnet ? /^(.*\/virtualNetworks\/[^/]+)\/subnets\//i.exec(subnet)?.[1] : null;
    if (vnet) return { vnet, location };
  }
  return { vnet: null, location };
}

const routes = z.object({
  value: z.array(
    z.object({
      network: requiredText(),
      nextHop: text(),
      origin: text(),
      asPath: numericText(),
      sourcePeer: text(),
    }),
  ),
});

export function parseLearnedRoutes(body: unknown): LearnedRoute[] {
  return parseStrict(routes, body).value.map((r) => ({
    network: r.network,
    nextHop: r.nextHop,
    origin: r.origin,
    asPath: r.asPath,
    sourcePeer: r.sourcePeer,
  }));
}
