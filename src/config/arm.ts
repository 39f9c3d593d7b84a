import type { ClassifyOptions } from "../core/classify.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../core/classify.js";
import { readPeeringList } from "../core/circuit-settings.js";
import type { ConnectivityModel } from "../core/model.js";
import { DEFAULT_ROUTE_LIMITS } from "../core/route-limits.js";
import { isSubscriptionId, parseCircuitId, uniqueIds } from "../core/resource-id.js";
import { readDataPlaneConfig, type DataPlaneConfig } from "./data-plane.js";
import type { SettingsReader } from "./reader.js";

export type CloudName = "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud";

/** ARM endpoint, login host and storage suffix per sovereign cloud. */
export const CLOUDS: Record<
  CloudName,
  { arm: string; authorityHost: string; storageSuffix: string; serviceBusSuffix: string }
> = {
  AzureCloud: {
    arm: "https://management.azure.com",
    authorityHost: "https://login.microsoftonline.com",
    storageSuffix: "core.windows.net",
    serviceBusSuffix: "servicebus.windows.net",
  },
  AzureUSGovernment: {
    arm: "https://management.usgovcloudapi.net",
    authorityHost: "https://login.microsoftonline.us",
    storageSuffix: "core.usgovcloudapi.net",
    serviceBusSuffix: "servicebus.usgovcloudapi.net",
  },
  AzureChinaCloud: {
    arm: "https://management.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    storageSuffix: "core.chinacloudapi.cn",
    serviceBusSuffix: "servicebus.chinacloudapi.cn",
  },
};

export interface ArmConfig {
  cloud: CloudName;
  endpoint: string;
  tokenScope: string;
  authorityHost: string;
  subscriptions: string[];
  circuitIds: string[];
  /** HTTP requests to ARM on the wire at once; the waits of long-running reads hold none. */
  concurrency: number;
  /** ARM's per-subscription token buckets, mirrored by the client. */
  pacing: {
    reads: { capacity: number; perSecond: number };
    writes: { capacity: number; perSecond: number };
  };
  timeoutMs: number;
  lroPollIntervalMs: number;
  maxRetries: number;
  defaults: { connectivityModel: ConnectivityModel; expectedPeerings: string[] };
  classify: ClassifyOptions;
  /** Azure Monitor and Connection Monitor reads, and the thresholds they are judged by. */
  dataPlane: DataPlaneConfig;
}

export function readCloud(r: SettingsReader): CloudName {
  return r.oneOf<CloudName>(
    "AZURE_CLOUD",
    ["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"],
    "AzureCloud",
  );
}

export function readArmConfig(r: SettingsReader, cloud: CloudName = readCloud(r)): ArmConfig {
  const endpoint = r.url("ARM_ENDPOINT") ?? CLOUDS[cloud].arm;
  // One mistyped entry among many leaves that entry out, not every other
  // circuit's watch; only a scope with nothing valid left stops the start.
  const unusable: [setting: string, why: string][] = [];
  const subscriptions: string[] = [];
  for (const s of r.list("ERWATCH_SUBSCRIPTIONS")) {
    if (isSubscriptionId(s)) subscriptions.push(s);
    else unusable.push(["ERWATCH_SUBSCRIPTIONS", `"${s}" is not a subscription id (a GUID)`]);
  }
  const circuitIds: string[] = [];
  for (const text of r.list("ERWATCH_CIRCUITS")) {
    const parsed = parseCircuitId(text);
    if (parsed) circuitIds.push(parsed.id);
    else
      unusable.push([
        "ERWATCH_CIRCUITS",
        `"${text}" is not an ExpressRoute circuit resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/expressRouteCircuits/<name>)`,
      ]);
  }
  const nothingLeft = subscriptions.length === 0 && circuitIds.length === 0;
  for (const [setting, why] of unusable) {
    if (nothingLeft) r.problem(setting, why);
    else r.ignored.push(`${setting}: ${why} (this entry is left out; the rest apply)`);
  }
  // Thresholds: one that cannot apply is left out and named, its default in
  // its place (SettingsReader.tunable); the sweep goes on watching.
  const limits = DEFAULT_ROUTE_LIMITS;
  const routeLimit = (name: string, fallback: number) =>
    r.tunable(name, fallback, { min: 1, max: 1_000_000 });
  let warn = r.tunable("PREFIX_WARN_PERCENT", limits.warnPercent, { min: 1, max: 100 });
  const critical = r.tunable("PREFIX_CRITICAL_PERCENT", limits.criticalPercent, {
    min: 1,
    max: 100,
  });
  // Which of the two was meant cannot be told: both are drawn at the lower,
  // so neither page comes later than either line says. Back to the defaults,
  // PREFIX_CRITICAL_PERCENT=70 set alone (under the default warning) paged
  // at 95 %, a few prefixes short of the limit that drops the BGP session.
  if (critical < warn) {
    r.ignored.push(
      `PREFIX_CRITICAL_PERCENT: must be at least PREFIX_WARN_PERCENT (${warn}) (left out with PREFIX_WARN_PERCENT: both lines are drawn at the lower, ${critical})`,
    );
    warn = critical;
  }
  let clearMargin = r.tunable("PREFIX_CLEAR_MARGIN_PERCENT", limits.clearMarginPercent, {
    min: 0,
    max: 50,
  });
  // At or over the warning line, a count that once warned could never clear.
  if (clearMargin >= warn) {
    const fallback = Math.min(limits.clearMarginPercent, warn - 1);
    r.ignored.push(
      `PREFIX_CLEAR_MARGIN_PERCENT: must be under PREFIX_WARN_PERCENT (${warn}): a warning could never clear (left out: a margin of ${fallback} applies)`,
    );
    clearMargin = fallback;
  }
  const expectedPeerings = readExpectedPeerings(r);
  const tokenScope = r.raw("ARM_TOKEN_SCOPE") ?? `${endpoint}/.default`;
  const dataPlane = readDataPlaneConfig(r, cloud, tokenScope);
  return {
    cloud,
    endpoint,
    tokenScope,
    authorityHost: CLOUDS[cloud].authorityHost,
    subscriptions: uniqueIds(subscriptions.map((s) => s.toLowerCase())),
    circuitIds: uniqueIds(circuitIds),
    concurrency: r.tunable("ARM_CONCURRENCY", 16, { min: 1, max: 64 }),
    pacing: {
      reads: {
        capacity: r.tunable("ARM_READ_BURST", 250, { min: 1, max: 100_000 }),
        perSecond: r.tunable("ARM_READS_PER_SECOND", 25, { min: 1, max: 10_000 }),
      },
      writes: {
        capacity: r.tunable("ARM_WRITE_BURST", 200, { min: 1, max: 100_000 }),
        perSecond: r.tunable("ARM_WRITES_PER_SECOND", 10, { min: 1, max: 10_000 }),
      },
    },
    timeoutMs: r.tunable("ARM_TIMEOUT_MS", 30_000, { min: 100, max: 600_000 }),
    lroPollIntervalMs: r.tunable("ARM_LRO_POLL_INTERVAL_MS", 5_000, { min: 1, max: 60_000 }),
    maxRetries: r.tunable("ARM_MAX_RETRIES", 2, { min: 0, max: 10 }),
    defaults: {
      connectivityModel: r.oneOf<ConnectivityModel>(
        "ERWATCH_CONNECTIVITY_MODEL",
        ["own-edge", "provider-managed"],
        "own-edge",
      ),
      expectedPeerings,
    },
    classify: {
      ...DEFAULT_CLASSIFY_OPTIONS,
      routeLimits: {
        privateStandardIpv4: routeLimit("ROUTE_LIMIT_PRIVATE_STANDARD", limits.privateStandardIpv4),
        privatePremiumIpv4: routeLimit("ROUTE_LIMIT_PRIVATE_PREMIUM", limits.privatePremiumIpv4),
        privateIpv6: routeLimit("ROUTE_LIMIT_PRIVATE_IPV6", limits.privateIpv6),
        microsoft: routeLimit("ROUTE_LIMIT_MICROSOFT", limits.microsoft),
        warnPercent: warn,
        criticalPercent: critical,
        clearMarginPercent: clearMargin,
      },
      dataPlane: dataPlane.policy,
    },
    dataPlane,
  };
}

/** Refused at start: expected of every circuit, a typo would page peering-missing on each one. */
function readExpectedPeerings(r: SettingsReader): string[] {
  const text = r.raw("ERWATCH_EXPECTED_PEERINGS");
  if (text === undefined) return ["AzurePrivatePeering"];
  const { peerings, problems } = readPeeringList(text);
  for (const problem of problems) r.problem("ERWATCH_EXPECTED_PEERINGS", problem);
  return peerings;
}

/** Sweeps need something to watch; diagnose takes its circuit on the command line. */
export function requireScope(r: SettingsReader, arm: ArmConfig): void {
  // Entries that were given but are not ids are named already.
  const named = r.problems.some((p) => /^ERWATCH_(SUBSCRIPTIONS|CIRCUITS):/.test(p));
  if (arm.subscriptions.length === 0 && arm.circuitIds.length === 0 && !named) {
    r.problem(
      "ERWATCH_SUBSCRIPTIONS",
      "set ERWATCH_SUBSCRIPTIONS and/or ERWATCH_CIRCUITS: erwatch has nothing to watch",
    );
  }
}
