// Starts the Application Insights exporter when the settings ask for it, and
// only then loads it (and @azure/identity, with the credential): the CLI, the
// tests and a function entry's import never pay for either.

import { NO_TELEMETRY, type Telemetry } from "../app/telemetry.js";
import type { Base } from "./config.js";
import { erwatchVersion } from "./version.js";

export async function startTelemetry(config: Base): Promise<Telemetry> {
  const { telemetry, cloud } = config;
  if (!telemetry.connectionString) return NO_TELEMETRY;
  const [{ startAzureMonitor }, { credentials }] = await Promise.all([
    import("../adapters/telemetry/azure-monitor.js"),
    import("./common.js"),
  ]);
  return startAzureMonitor({
    connectionString: telemetry.connectionString,
    ...(telemetry.entra
      ? { credential: credentials(cloud, {})(telemetry.entraClientId ?? undefined) }
      : {}),
    version: erwatchVersion(),
  });
}
