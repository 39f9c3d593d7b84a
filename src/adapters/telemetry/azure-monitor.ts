// Exports erwatch's metrics to Application Insights through the Azure Monitor
// OpenTelemetry distro. Started once per process, only when
// APPLICATIONINSIGHTS_CONNECTION_STRING is set. The Functions host already
// records requests, dependencies and logs, so the distro's automatic
// instrumentations stay off: this adds erwatch's own numbers, nothing twice.

import { shutdownAzureMonitor, useAzureMonitor } from "@azure/monitor-opentelemetry";
import type { TokenCredential } from "@azure/identity";
import { metrics } from "@opentelemetry/api";
import type { Telemetry } from "../../app/telemetry.js";
import { otelTelemetry } from "./otel.js";

let started: Telemetry | null = null;

export function startAzureMonitor(options: {
  connectionString: string;
  /** With local authentication off (infra/ turns it off): Entra ID. */
  credential?: TokenCredential;
  version: string;
}): Telemetry {
  if (started) return started;
  const off = { enabled: false };
  useAzureMonitor({
    azureMonitorExporterOptions: {
      connectionString: options.connectionString,
      ...(options.credential ? { credential: options.credential } : {}),
    },
    enableLiveMetrics: false,
    enableStandardMetrics: false,
    instrumentationOptions: {
      azureSdk: off,
      http: off,
      mongoDb: off,
      mySql: off,
      postgreSql: off,
      redis: off,
      redis4: off,
      bunyan: off,
      winston: off,
      console: off,
    },
  });
  started = otelTelemetry(metrics.getMeter("erwatch", options.version));
  return started;
}

export async function stopAzureMonitor(): Promise<void> {
  if (!started) return;
  started = null;
  await shutdownAzureMonitor();
}
