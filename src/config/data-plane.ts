// The data-plane settings: which reads run, where Azure Monitor and Log
// Analytics answer for the cloud, the thresholds the judgements use, and the
// declared baseline (JSON in a setting or a file), all validated at start with
// every problem reported.

import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_DATA_PLANE_POLICY, type DataPlanePolicy } from "../core/dataplane/policy.js";
import { CONNECTIVITY_MODELS, PEERING_SPELLINGS } from "../core/model.js";
import { peeringNamed } from "../core/silence.js";
import type { CloudName } from "./arm.js";
import type { SettingsReader } from "./reader.js";

/** Azure Monitor's metrics batch endpoint (regional) and Log Analytics' query endpoint, per cloud. */
export const MONITOR_CLOUDS: Record<CloudName, { metrics: string; logs: string }> = {
  AzureCloud: {
    metrics: "https://{region}.metrics.monitor.azure.com",
    logs: "https://api.loganalytics.io/v1",
  },
  AzureUSGovernment: {
    metrics: "https://{region}.metrics.monitor.azure.us",
    logs: "https://api.loganalytics.us/v1",
  },
  AzureChinaCloud: {
    metrics: "https://{region}.metrics.monitor.azure.cn",
    logs: "https://api.loganalytics.azure.cn/v1",
  },
};

export const DATA_PLANE_READS = ["metrics", "connection-monitor"] as const;
export type DataPlaneRead = (typeof DATA_PLANE_READS)[number];

export interface DataPlaneConfig {
  reads: DataPlaneRead[];
  metrics: {
    /** URL with `{region}` where the circuit's region goes. */
    endpoint: string;
    /**
     * Token scope: ARM's, as ARM_ENDPOINT / ARM_TOKEN_SCOPE set it, since the
     * metrics batch is authorised against ARM; a private cloud's audience is
     * not the public cloud's. Given as an `audience`, the SDK would ask for the
     * bare URL, which client-credential flows (a service principal, workload
     * identity) refuse (AADSTS1002012).
     */
    scope: string;
    /** Look-back of every query: the longest window, plus Azure's lateness and some slack. */
    lookbackMinutes: number;
  };
  logs: {
    /** Including `/v1`: the client puts `/workspaces/<id>/query` right after it. */
    endpoint: string;
    scope: string;
    windowMinutes: number;
  };
  policy: DataPlanePolicy;
}

const asn = z.number().int().min(1).max(4_294_967_295);

function isSlash30(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/30$/.exec(text.trim());
  if (!m) return false;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) && (octets[3] as number) % 4 === 0;
}

const slash30 = z
  .string()
  .refine(isSlash30, { message: "is not an IPv4 /30 on a /30 boundary (e.g. 192.168.10.16/30)" });

const peeringSchema = z
  .object({
    peerASN: asn,
    vlanId: z.number().int().min(1).max(4094),
    primaryPeerAddressPrefix: slash30,
    secondaryPeerAddressPrefix: slash30,
  })
  .partial()
  .strict()
  .refine(
    (p) =>
      p.primaryPeerAddressPrefix === undefined ||
      p.primaryPeerAddressPrefix !== p.secondaryPeerAddressPrefix,
    { message: "the primary and secondary /30 must differ" },
  );

/**
 * A baseline's peerings, by the names the rest of erwatch takes (ARM's in any
 * case, or Private / Microsoft / Public), kept as ARM spells them: a key
 * "Private" matched no running peering and was drift of its own ("configured,
 * running absent") while the fields declared under it were never compared.
 */
function checkPeeringKeys(peerings: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const byName = new Map<string, string[]>();
  for (const key of Object.keys(peerings)) {
    const name = peeringNamed(key);
    if (name === null)
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `"${key}" is not a peering (${PEERING_SPELLINGS})`,
      });
    else byName.set(name, [...(byName.get(name) ?? []), key]);
  }
  for (const keys of byName.values())
    if (keys.length > 1)
      ctx.addIssue({
        code: "custom",
        message: `${keys.map((k) => `"${k}"`).join(", ")} name one peering`,
      });
}

const circuitSchema = z
  .object({
    skuTier: z.enum(["Standard", "Premium", "Basic", "Local", "MultiCloud"]),
    bandwidthInMbps: z.number().int().min(1).max(400_000),
    connectivityModel: z.enum(CONNECTIVITY_MODELS),
    gatewayConnections: z.array(z.string().min(1)),
    peerings: z
      .record(z.string().min(1), peeringSchema)
      .superRefine(checkPeeringKeys)
      .transform((peerings) =>
        Object.fromEntries(
          Object.entries(peerings).map(([key, p]) => [peeringNamed(key) ?? key, p]),
        ),
      ),
  })
  .partial()
  .strict();

/** The setting's shape; each circuit's entry is then checked on its own (SettingsReader.entries). */
const baselineEntriesSchema = z.record(z.string().min(1), z.unknown());

/**
 * Left out whole when it cannot be read (not JSON, a file that is not there,
 * both settings given): drift is a Sev3 comparison, and stopping the sweep
 * over it left every circuit unwatched.
 */
function readBaseline(r: SettingsReader): DataPlanePolicy["baseline"] {
  return r.optional(
    () => readWholeBaseline(r),
    {},
    "no circuit's configuration is compared with a baseline",
  );
}

function readWholeBaseline(r: SettingsReader): DataPlanePolicy["baseline"] {
  const inline = r.raw("ERWATCH_BASELINE");
  const file = r.raw("ERWATCH_BASELINE_FILE");
  if (inline !== undefined && file !== undefined) {
    r.problem("ERWATCH_BASELINE_FILE", "set ERWATCH_BASELINE or ERWATCH_BASELINE_FILE, not both");
    return {};
  }
  let declared: Record<string, unknown> = {};
  let setting = "ERWATCH_BASELINE";
  if (inline !== undefined) declared = r.json(setting, baselineEntriesSchema, {});
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      r.problem("ERWATCH_BASELINE_FILE", `cannot read ${file} (${code})`);
      return {};
    }
    // Validated like the inline setting, with the same problem paths.
    setting = "ERWATCH_BASELINE_FILE";
    declared = r.jsonText(setting, text, baselineEntriesSchema, {});
  }
  return Object.fromEntries(
    Object.entries(r.entries(setting, declared, circuitSchema)).map(([circuit, baseline]) => [
      circuit.toLowerCase(),
      baseline,
    ]),
  );
}

function metricsEndpoint(r: SettingsReader, cloud: CloudName): string {
  const text = r.raw("METRICS_ENDPOINT");
  if (text === undefined) return MONITOR_CLOUDS[cloud].metrics;
  try {
    const url = new URL(text.replaceAll("{region}", "westeurope"));
    if (url.protocol !== "https:") r.problem("METRICS_ENDPOINT", "must be an https URL");
    // The batch endpoint is regional: one fixed region would be asked every circuit's metrics.
    if (!text.includes("{region}"))
      r.problem(
        "METRICS_ENDPOINT",
        "has no {region}: the metrics batch endpoint is regional, and each circuit's metrics must be asked of its own region (e.g. https://{region}.metrics.monitor.azure.com)",
      );
  } catch {
    r.problem("METRICS_ENDPOINT", "is not a URL (with {region} where the circuit's region goes)");
  }
  return text.replace(/\/+$/, "");
}

function logsEndpoint(r: SettingsReader, cloud: CloudName): string {
  const given = r.url("LOGS_ENDPOINT");
  if (given === undefined) return MONITOR_CLOUDS[cloud].logs;
  if (!/\/v1$/.test(given))
    r.problem(
      "LOGS_ENDPOINT",
      "must end with /v1 (e.g. https://api.loganalytics.io/v1): the client adds /workspaces/<id>/query after it",
    );
  return given;
}

/** ERWATCH_DATA_PLANE: the reads listed (problems reported), or both when unset. */
function readDataPlaneReads(r: SettingsReader): DataPlaneRead[] {
  const listed = r.list("ERWATCH_DATA_PLANE").map((s) => s.toLowerCase());
  let reads: DataPlaneRead[] = [...DATA_PLANE_READS];
  if (listed.length > 0) {
    reads = [];
    for (const item of listed) {
      if (item === "none") continue;
      if ((DATA_PLANE_READS as readonly string[]).includes(item)) reads.push(item as DataPlaneRead);
      else
        r.problem(
          "ERWATCH_DATA_PLANE",
          `"${item}" is not one of ${DATA_PLANE_READS.join(", ")} or none`,
        );
    }
    if (listed.includes("none") && reads.length > 0)
      r.problem("ERWATCH_DATA_PLANE", "none cannot be combined with other reads");
  }
  return reads;
}

/** `armTokenScope`: the scope ARM reads are made with, which the metrics batch shares. */
export function readDataPlaneConfig(
  r: SettingsReader,
  cloud: CloudName,
  armTokenScope: string,
): DataPlaneConfig {
  // A list that cannot be read runs both reads, as unset does: a typo must
  // not leave a read meant to run off, nor stop the sweep.
  const reads = r.optional(
    () => readDataPlaneReads(r),
    [...DATA_PLANE_READS],
    "both reads run, as by default",
  );
  const d = DEFAULT_DATA_PLANE_POLICY;

  const saturation = {
    percent: r.tunable("SATURATION_PERCENT", d.saturation.percent, { min: 1, max: 100 }),
    minutes: r.tunable("SATURATION_MINUTES", d.saturation.minutes, { min: 2, max: 240 }),
  };
  const trafficStopped = {
    minutes: r.tunable("TRAFFIC_STOPPED_MINUTES", d.trafficStopped.minutes, { min: 2, max: 240 }),
    floorBps: r.tunable("TRAFFIC_FLOOR_BPS", d.trafficStopped.floorBps, {
      min: 0,
      max: 1_000_000_000,
    }),
  };
  const endpoint = logsEndpoint(r, cloud);
  return {
    reads,
    metrics: {
      endpoint: metricsEndpoint(r, cloud),
      scope: armTokenScope,
      lookbackMinutes: Math.max(saturation.minutes, trafficStopped.minutes) + 30,
    },
    logs: {
      endpoint,
      scope: `${MONITOR_CLOUDS[cloud].logs.replace(/\/v1$/, "")}/.default`,
      windowMinutes: r.tunable("CONNECTION_MONITOR_WINDOW_MINUTES", 30, { min: 5, max: 1440 }),
    },
    policy: {
      ...d,
      saturation,
      trafficStopped,
      asymmetryPercent: r.tunable("PATH_ASYMMETRY_PERCENT", d.asymmetryPercent, {
        min: 1,
        max: 100,
      }),
      baseline: readBaseline(r),
    },
  };
}
