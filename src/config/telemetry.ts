// erwatch's own metrics go to Application Insights only where the Functions
// app has it (infra/ sets both settings); elsewhere, nowhere.

import type { SettingsReader } from "./reader.js";
import { isUnresolvedKeyVaultReference, UNRESOLVED_KEY_VAULT_REFERENCE } from "./secret-shape.js";

export interface TelemetryConfig {
  /** Null: no exporter is started. */
  connectionString: string | null;
  /** With `Authorization=AAD` (local auth off): the client id of the identity that sends. */
  entraClientId: string | null;
  /** True when Entra ID authentication is asked for, with or without a client id. */
  entra: boolean;
}

const NO_TELEMETRY: TelemetryConfig = { connectionString: null, entraClientId: null, entra: false };

/**
 * Read leniently: metrics are erwatch's own, and a connection string that
 * cannot be used (an unresolved Key Vault reference) stopped every sweep and
 * page. It is left out and named; no metric is exported.
 */
export function readTelemetryConfig(r: SettingsReader): TelemetryConfig {
  return r.optional(() => readTelemetry(r), NO_TELEMETRY, "no metrics are exported");
}

function readTelemetry(r: SettingsReader): TelemetryConfig {
  const connectionString = r.raw("APPLICATIONINSIGHTS_CONNECTION_STRING") ?? null;
  if (connectionString !== null) {
    const problem = connectionStringProblem(connectionString);
    if (problem) r.problem("APPLICATIONINSIGHTS_CONNECTION_STRING", problem);
  }
  const auth = r.raw("APPLICATIONINSIGHTS_AUTHENTICATION_STRING") ?? "";
  const pairs = new Map(
    auth
      .split(";")
      .map((p) => p.split("=").map((s) => s.trim()))
      .filter((p): p is [string, string] => p.length === 2)
      .map(([k, v]) => [k.toLowerCase(), v]),
  );
  const entra = pairs.get("authorization")?.toUpperCase() === "AAD";
  if (auth !== "" && !entra)
    r.problem(
      "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
      'expected "Authorization=AAD" with an optional "ClientId=<guid>"',
    );
  return { connectionString, entra, entraClientId: entra ? (pairs.get("clientid") ?? null) : null };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the exporter would refuse, said at start with the other problems (its own error comes later). */
function connectionStringProblem(value: string): string | null {
  if (isUnresolvedKeyVaultReference(value)) return UNRESOLVED_KEY_VAULT_REFERENCE;
  const parts = new Map(
    value
      .split(";")
      .map((p) => p.trim())
      .filter((p) => p.includes("="))
      .map((p) => [
        p.slice(0, p.indexOf("=")).trim().toLowerCase(),
        p.slice(p.indexOf("=") + 1).trim(),
      ]),
  );
  const key = parts.get("instrumentationkey");
  if (key === undefined)
    return "is not an Application Insights connection string (InstrumentationKey=<guid>;IngestionEndpoint=https://…)";
  if (!GUID.test(key)) return "has an InstrumentationKey that is not a GUID";
  const endpoint = parts.get("ingestionendpoint");
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/i.test(endpoint))
    return "has an IngestionEndpoint that is not an http(s) URL";
  return null;
}
