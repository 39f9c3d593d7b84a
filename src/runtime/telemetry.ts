// Starts the Application Insights exporter when the settings ask for it, and
// only then loads it (and @azure/identity, with the credential): the CLI, the
// tests and a function entry's import never pay for either.

import { NO_TELEMETRY, type Telemetry } from "../app/telemetry.js";
import type { Base } from "./config.js";
import { erwatchVersion } from "./version.js";

export interface StartedTelemetry {
  telemetry: Telemetry;
  /** The exporter refused to start: erwatch runs without its own metrics, and says so. */
  failure: Error | null;
}

/**
 * Never throws: erwatch's own metrics are not worth a sweep or a page. An
 * exporter that refuses a connection string the start check let through
 * would otherwise fail every invocation of the function that starts it.
 */
export async function startTelemetry(config: Base): Promise<StartedTelemetry> {
  const { telemetry, cloud } = config;
  if (!telemetry.connectionString) return { telemetry: NO_TELEMETRY, failure: null };
  try {
    const [{ startAzureMonitor }, { credentials }] = await Promise.all([
      import("../adapters/telemetry/azure-monitor.js"),
      import("./common.js"),
    ]);
    return {
      telemetry: startAzureMonitor({
        connectionString: telemetry.connectionString,
        ...(telemetry.entra
          ? { credential: credentials(cloud, {})(telemetry.entraClientId ?? undefined) }
          : {}),
        version: erwatchVersion(),
      }),
      failure: null,
    };
  } catch (error) {
    return {
      telemetry: NO_TELEMETRY,
      failure: error instanceof Error ? error : new Error(String(error)),
    };
  }
}

export const TELEMETRY_FAILED =
  "erwatch's own metrics could not be started (APPLICATIONINSIGHTS_CONNECTION_STRING); sweeps and paging go on without them";
