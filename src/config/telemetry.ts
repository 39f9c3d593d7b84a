// erwatch's own metrics go to Application Insights only where the Functions
// app has it (infra/ sets both settings); elsewhere, nowhere.

import type { SettingsReader } from "./reader.js";

export interface TelemetryConfig {
  /** Null: no exporter is started. */
  connectionString: string | null;
  /** With `Authorization=AAD` (local auth off): the client id of the identity that sends. */
  entraClientId: string | null;
  /** True when Entra ID authentication is asked for, with or without a client id. */
  entra: boolean;
}

export function readTelemetryConfig(r: SettingsReader): TelemetryConfig {
  const connectionString = r.raw("APPLICATIONINSIGHTS_CONNECTION_STRING") ?? null;
  if (
    connectionString !== null &&
    !/(?:^|;)\s*(?:InstrumentationKey|IngestionEndpoint)=/i.test(connectionString)
  )
    r.problem(
      "APPLICATIONINSIGHTS_CONNECTION_STRING",
      "is not an Application Insights connection string (InstrumentationKey=…;IngestionEndpoint=…)",
    );
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
