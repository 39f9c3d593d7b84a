import { z } from "zod";
import { PATHS, PEERING_SPELLINGS, SEVERITIES } from "../core/model.js";
import { DEFAULT_ALERT_POLICY, type AlertPolicy, type Silence } from "../core/policy.js";
import { peeringNamed, silenceCircuit, validateWindow } from "../core/silence.js";
import { CLOUDS, type CloudName } from "./arm.js";
import { sweepIntervalMinutes } from "./functions.js";
import type { SettingsReader } from "./reader.js";
import { isUnresolvedKeyVaultReference, UNRESOLVED_KEY_VAULT_REFERENCE } from "./secret-shape.js";
import { counted } from "../core/text.js";

export type StorageConnection =
  | { kind: "connection-string"; value: string; setting: string }
  | { kind: "identity"; tableServiceUri: string; clientId?: string; setting: string };

/** Where erwatch's tables are: all the dispatcher and `diagnose --routes` read of state. */
export interface StorageConfig {
  connection: StorageConnection;
  /** Deadline for one Table Storage call, retries included. */
  timeoutMs: number;
  tablePrefix: string;
}

/** The stateful sweep's and the status page's: the tables, and how alerts open, resolve and are silenced. */
export interface StateConfig extends StorageConfig {
  historyRetentionDays: number;
  policy: AlertPolicy;
  silences: Silence[];
}

const count = z.number().int().min(1).max(1000);
const perSeverity = z.partialRecord(z.enum(SEVERITIES), count);
const minutes = z
  .number()
  .int()
  .min(1)
  .max(60 * 24 * 30);

/** Each field of ERWATCH_ALERT_POLICY, checked on its own (SettingsReader.fields). */
const POLICY_FIELDS = {
  openAfter: perSeverity,
  resolveAfter: perSeverity,
  openAfterMinutes: z.partialRecord(
    z.enum(SEVERITIES),
    z
      .number()
      .min(0)
      .max(60 * 24),
  ),
  resolveAfterMinutes: z.partialRecord(
    z.enum(SEVERITIES),
    z
      .number()
      .min(0)
      .max(60 * 24),
  ),
  repeatEveryMinutes: z.partialRecord(z.enum(SEVERITIES), minutes),
  blindAfterSweeps: count,
  flap: z.object({ transitions: count, windowMinutes: minutes }).partial().strict(),
  trendWindowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 90),
  prefixDrop: z
    .object({
      belowPercent: z.number().int().min(1).max(99),
      minPrefixes: z.number().int().min(1).max(100_000),
      holdHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30),
    })
    .partial()
    .strict(),
  routeTables: z
    .object({
      keepEveryHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 30),
      perSweep: z.number().int().min(0).max(100),
    })
    .partial()
    .strict(),
  // Checked circuit by circuit (SettingsReader.entries).
  circuits: z.record(z.string(), z.unknown()),
};
type PolicyOverrides = Partial<{
  [K in keyof typeof POLICY_FIELDS]: z.infer<(typeof POLICY_FIELDS)[K]>;
}>;

/**
 * ERWATCH_ALERT_POLICY field by field: one that cannot apply is left out and
 * its default applies, and a setting that is not a JSON object is left out
 * whole (every default applies). Hold times and repeats only tune when an
 * alert opens: a typo in one stopped every sweep.
 */
function readPolicyOverrides(r: SettingsReader): PolicyOverrides {
  const shell = r.optional(
    () => r.json("ERWATCH_ALERT_POLICY", z.record(z.string(), z.unknown()), {}),
    {},
    "every field's default applies",
  );
  return r.fields("ERWATCH_ALERT_POLICY", shell, POLICY_FIELDS) as PolicyOverrides;
}

/**
 * A circuit's own fields, each read as ERWATCH_ALERT_POLICY's are: a severity
 * out of range loses only itself (the whole entry left out over one, a Sev0
 * held to 1 sweep on a critical circuit went back to the policy's).
 */
const CIRCUIT_POLICY_FIELDS = { openAfter: perSeverity, resolveAfter: perSeverity };
const circuitEntrySchema = z.record(z.string(), z.unknown());
type CircuitOverrides = Partial<{
  [K in keyof typeof CIRCUIT_POLICY_FIELDS]: z.infer<(typeof CIRCUIT_POLICY_FIELDS)[K]>;
}>;

const silenceSchema = z
  .object({
    id: z.string().min(1).optional(),
    circuit: z.string().min(1),
    peering: z.string().min(1).optional(),
    path: z.enum(PATHS).optional(),
    comment: z.string().optional(),
    start: z.string().optional(),
    end: z.string().optional(),
    cron: z.string().optional(),
    durationMinutes: minutes.optional(),
    timezone: z.string().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const once = s.start !== undefined || s.end !== undefined;
    const recurring = s.cron !== undefined || s.durationMinutes !== undefined;
    if (once === recurring) {
      ctx.addIssue({
        code: "custom",
        message: "give either start and end (one-off) or cron and durationMinutes (recurring)",
      });
      return;
    }
    try {
      validateWindow(
        once
          ? {
              kind: "once",
              start: s.start ?? "",
              end: s.end ?? "",
              ...(s.timezone !== undefined ? { timezone: s.timezone } : {}),
            }
          : {
              kind: "recurring",
              cron: s.cron ?? "",
              durationMinutes: s.durationMinutes ?? 0,
              timezone: s.timezone ?? "UTC",
            },
      );
      if (recurring && s.durationMinutes === undefined)
        throw new Error("durationMinutes is required with cron");
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
    // Matched as ARM writes them: "Private" or an id ending in "/" matched nothing.
    if (silenceCircuit(s.circuit) === null)
      ctx.addIssue({
        code: "custom",
        path: ["circuit"],
        message: `"${s.circuit}" is not an ExpressRoute circuit resource id`,
      });
    if (s.peering !== undefined && peeringNamed(s.peering) === null)
      ctx.addIssue({
        code: "custom",
        path: ["peering"],
        message: `"${s.peering}" is not a peering (${PEERING_SPELLINGS})`,
      });
  });

/**
 * Why a storage connection string cannot work, or null. Checked here, with the
 * other settings, so the SDK's own TypeError at first use never hides the rest;
 * the value is a secret and is never quoted.
 */
export function connectionStringProblem(value: string): string | null {
  const pairs = new Map<string, string>();
  for (const part of value.split(";")) {
    // As the SDK reads a pair: padding around it goes, around its "=" it stays
    // part of the key ("DefaultEndpointsProtocol =https" names no protocol).
    const pair = part.trim();
    if (pair === "") continue;
    const at = pair.indexOf("=");
    if (at <= 0) return "is not a storage connection string (Key=Value pairs separated by ;)";
    pairs.set(pair.slice(0, at).toLowerCase(), pair.slice(at + 1));
  }
  if (pairs.get("usedevelopmentstorage")?.toLowerCase() === "true") return null;
  const has = (k: string) => (pairs.get(k.toLowerCase()) ?? "") !== "";
  const endpoint = pairs.get("tableendpoint");
  const endpointProblem =
    endpoint !== undefined && endpoint !== "" && !/^https?:\/\/[^\s/]+/i.test(endpoint)
      ? "has a TableEndpoint that is not an http(s) URL"
      : null;
  // As @azure/data-tables tells the two forms apart: an account key with
  // DefaultEndpointsProtocol, else a shared access signature. "AccountName=…;
  // AccountKey=…" alone passed here and failed in the SDK at first use, as an
  // "unexpected failure" with a stack naming a SAS connection string.
  if (pairs.has("defaultendpointsprotocol") && pairs.has("accountkey")) {
    const missing = ["AccountName", "AccountKey"].filter((k) => !has(k));
    if (!has("TableEndpoint")) {
      if (!/^https?$/i.test(pairs.get("defaultendpointsprotocol") ?? ""))
        missing.push("DefaultEndpointsProtocol (https)");
      if (!has("EndpointSuffix")) missing.push("EndpointSuffix (or TableEndpoint)");
    }
    if (missing.length > 0)
      return `lacks ${missing.join(", ")}: copy it whole from the storage account's Access keys`;
    return endpointProblem;
  }
  if (has("SharedAccessSignature") && has("TableEndpoint"))
    return (
      endpointProblem ??
      (accountInEndpoint(endpoint ?? "")
        ? null
        : "has a TableEndpoint that names no account (<account>.table.<suffix>, or the account as its path)")
    );
  if (has("AccountKey"))
    return "has an AccountKey but no DefaultEndpointsProtocol: copy it whole from the storage account's Access keys (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=…)";
  if (has("SharedAccessSignature")) return "has a SharedAccessSignature but no TableEndpoint";
  return "is not a storage connection string: it needs DefaultEndpointsProtocol, AccountName, AccountKey and EndpointSuffix, a SharedAccessSignature with TableEndpoint, or UseDevelopmentStorage=true";
}

/** Whether the SDK can tell the account from a SAS connection string's TableEndpoint. */
function accountInEndpoint(endpoint: string): boolean {
  try {
    const url = new URL(endpoint);
    const host = url.host.split(".");
    return host[1] === "table" ? (host[0] ?? "") !== "" : (url.pathname.split("/")[1] ?? "") !== "";
  } catch {
    return false;
  }
}

function readConnection(r: SettingsReader, cloud: CloudName): StorageConnection | null {
  // An identity named for a connection that names no account: left alone, the
  // fallback to AzureWebJobsStorage would sign in as another identity (or
  // none), and the one named here, with its role on the account, go unused.
  if (
    r.raw("ERWATCH_STORAGE__clientId") &&
    !r.raw("ERWATCH_STORAGE") &&
    !r.raw("ERWATCH_STORAGE__tableServiceUri") &&
    !r.raw("ERWATCH_STORAGE__accountName")
  )
    r.problem(
      "ERWATCH_STORAGE__clientId",
      "names the identity for Table Storage, but no account is set with it: set ERWATCH_STORAGE__accountName (or __tableServiceUri) too, or remove it to use AzureWebJobsStorage and its own identity",
    );
  for (const prefix of ["ERWATCH_STORAGE", "AzureWebJobsStorage"]) {
    const cs = r.raw(prefix);
    if (cs) {
      const problem = isUnresolvedKeyVaultReference(cs)
        ? UNRESOLVED_KEY_VAULT_REFERENCE
        : connectionStringProblem(cs);
      if (problem) r.problem(prefix, problem);
      return { kind: "connection-string", value: cs, setting: prefix };
    }
    const clientId = r.raw(`${prefix}__clientId`);
    const uri = r.raw(`${prefix}__tableServiceUri`);
    if (uri && !/^https:\/\/[^\s/]+/i.test(uri))
      r.problem(
        `${prefix}__tableServiceUri`,
        "must be an https URL like https://<account>.table.core.windows.net",
      );
    if (uri)
      return {
        kind: "identity",
        tableServiceUri: uri.replace(/\/+$/, ""),
        setting: `${prefix}__tableServiceUri`,
        ...(clientId ? { clientId } : {}),
      };
    const account = r.raw(`${prefix}__accountName`);
    // It becomes the host of the table URL: a typo, or a connection string
    // pasted here (its key then in every URL and error), is reported now;
    // such a value holds a key and is described, never quoted.
    if (account && !/^[a-z0-9]{3,24}$/.test(account))
      r.problem(
        `${prefix}__accountName`,
        account.includes("=")
          ? `is a connection string, not a storage account name (the value is not shown: it holds a key); a connection string goes in ${prefix}`
          : `"${account}" is not a storage account name (3 to 24 lower-case letters and digits)`,
      );
    if (account) {
      return {
        kind: "identity",
        tableServiceUri: `https://${account}.table.${CLOUDS[cloud].storageSuffix}`,
        setting: `${prefix}__accountName`,
        ...(clientId ? { clientId } : {}),
      };
    }
  }
  return null;
}

/** Whether a Table Storage connection is configured at all (optional state, e.g. `diagnose --routes`). */
export function hasStateConnection(r: SettingsReader): boolean {
  return ["ERWATCH_STORAGE", "AzureWebJobsStorage"].some(
    (prefix) =>
      r.raw(prefix) !== undefined ||
      r.raw(`${prefix}__tableServiceUri`) !== undefined ||
      r.raw(`${prefix}__accountName`) !== undefined,
  );
}

/**
 * The tables alone. The dispatcher reads no more of state: a silence, a hold
 * time or the history's retention changes nothing it delivers, and a typo in
 * one of them stopped every page.
 */
export function readStorageConfig(r: SettingsReader, cloud: CloudName): StorageConfig {
  const connection = readConnection(r, cloud);
  if (!connection) {
    r.problem(
      "ERWATCH_STORAGE",
      "no Table Storage connection: set ERWATCH_STORAGE (connection string), ERWATCH_STORAGE__accountName / __tableServiceUri (managed identity), or the same forms of AzureWebJobsStorage",
    );
  }
  const prefix = r.raw("ERWATCH_TABLE_PREFIX") ?? "erwatch";
  if (!/^[A-Za-z][A-Za-z0-9]{2,40}$/.test(prefix)) {
    r.problem(
      "ERWATCH_TABLE_PREFIX",
      "must start with a letter and hold 3 to 41 letters or digits (Azure table name rules)",
    );
  }
  return {
    connection: connection ?? { kind: "connection-string", value: "", setting: "ERWATCH_STORAGE" },
    tablePrefix: prefix,
    timeoutMs: r.tunable("STORAGE_TIMEOUT_MS", 10_000, { min: 100, max: 120_000 }),
  };
}

const DEFAULT_RETENTION_DAYS = 30;

export function readStateConfig(r: SettingsReader, cloud: CloudName): StateConfig {
  const storage = readStorageConfig(r, cloud);
  const overrides = readPolicyOverrides(r);
  const policy: AlertPolicy = {
    openAfter: { ...DEFAULT_ALERT_POLICY.openAfter, ...overrides.openAfter },
    resolveAfter: { ...DEFAULT_ALERT_POLICY.resolveAfter, ...overrides.resolveAfter },
    openAfterMinutes: { ...overrides.openAfterMinutes },
    resolveAfterMinutes: { ...overrides.resolveAfterMinutes },
    sweepIntervalMinutes: sweepIntervalMinutes(r),
    repeatEveryMinutes: {
      ...DEFAULT_ALERT_POLICY.repeatEveryMinutes,
      ...overrides.repeatEveryMinutes,
    },
    blindAfterSweeps: overrides.blindAfterSweeps ?? DEFAULT_ALERT_POLICY.blindAfterSweeps,
    flap: { ...DEFAULT_ALERT_POLICY.flap, ...overrides.flap },
    trendWindowHours: overrides.trendWindowHours ?? DEFAULT_ALERT_POLICY.trendWindowHours,
    prefixDrop: { ...DEFAULT_ALERT_POLICY.prefixDrop, ...overrides.prefixDrop },
    routeTables: { ...DEFAULT_ALERT_POLICY.routeTables, ...overrides.routeTables },
    circuits: Object.fromEntries(
      Object.entries(
        r.entries("ERWATCH_ALERT_POLICY.circuits", overrides.circuits ?? {}, circuitEntrySchema),
      ).map(([k, v]) => [
        k.toLowerCase(),
        r.fields(
          `ERWATCH_ALERT_POLICY.circuits.${k}`,
          v,
          CIRCUIT_POLICY_FIELDS,
          "the policy's value applies",
        ) as CircuitOverrides,
      ]),
    ),
  };
  // A list that cannot be read is left out whole: maintenance pages, which is
  // noise; stopping the sweep over it left every circuit unwatched.
  const listed = r.optional(
    () => r.json("ERWATCH_SILENCES", z.array(z.unknown()), []),
    [],
    "no silence of this setting applies, so their windows page",
  );
  const silences = r.items("ERWATCH_SILENCES", listed, silenceSchema).map(([i, s]): Silence => {
    const silence: Silence = {
      id: s.id ?? `silence-${i + 1}`,
      circuit: silenceCircuit(s.circuit) ?? s.circuit,
      window:
        s.cron !== undefined
          ? {
              kind: "recurring",
              cron: s.cron,
              durationMinutes: s.durationMinutes ?? 0,
              timezone: s.timezone ?? "UTC",
            }
          : {
              kind: "once",
              start: s.start ?? "",
              end: s.end ?? "",
              ...(s.timezone !== undefined ? { timezone: s.timezone } : {}),
            },
    };
    if (s.peering) silence.peering = peeringNamed(s.peering) ?? s.peering;
    if (s.path) silence.path = s.path;
    if (s.comment) silence.comment = s.comment;
    return silence;
  });
  let historyRetentionDays = r.tunable("HISTORY_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, {
    min: 1,
    max: 3650,
  });
  // Each sweep prunes history older than the retention before the next one
  // reads it back for the trend and the flap count: a window longer than what
  // is kept would silently see less. The retention gives way (more history
  // costs storage; less blinds the window), to its default where that holds
  // the windows.
  const short = (
    [
      ["trendWindowHours", policy.trendWindowHours],
      ["flap.windowMinutes", policy.flap.windowMinutes / 60],
    ] as const
  ).filter(([, hours]) => hours > historyRetentionDays * 24);
  if (short.length > 0) {
    const kept = Math.max(
      DEFAULT_RETENTION_DAYS,
      ...short.map(([, hours]) => Math.ceil(hours / 24)),
    );
    r.ignored.push(
      `HISTORY_RETENTION_DAYS: ${counted(historyRetentionDays, "day")} of history is shorter than ${short.map(([field, hours]) => `ERWATCH_ALERT_POLICY ${field} (${Math.ceil(hours)} h)`).join(" and ")}, which reads it back (left out: ${kept === DEFAULT_RETENTION_DAYS ? `the default ${kept}` : kept} days are kept)`,
    );
    historyRetentionDays = kept;
  }
  return {
    ...storage,
    historyRetentionDays,
    policy,
    silences,
  };
}
