// Starts the Application Insights exporter when the settings ask for it, and
// only then loads it: the CLI and the tests never pay for it.

import { NO_TELEMETRY, type Telemetry } from "../app/telemetry.js";
import { credentials } from "./common.js";
import type { Base } from "./config.js";
import { erwatchVersion } from "./version.js";

export async function startTelemetry(config: Base): Promise<Telemetry> {
  const { telemetry, cloud } = config;
  if (!telemetry.connectionString) return NO_TELEMETRY;
  const { startAzureMonitor } = await import("../adapters/telemetry/azure-monitor.js");
  return startAzureMonitor({
    connectionString: telemetry.connectionString,
    ...(telemetry.entra
      ? { credential: credentials(cloud, {})(telemetry.entraClientId ?? undefined) }
      : {}),
    version: erwatchVersion(),
  });
}
