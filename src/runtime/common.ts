// What every entry's runtime shares: the logger (secrets scrubbed) and the
// credential. Tests and the demo override both to point at loopback fakes.

import type { TokenCredential } from "@azure/identity";
import type { DestinationStream } from "pino";
import { azureCredential } from "../adapters/credential.js";
import type { Telemetry } from "../app/telemetry.js";
import { CLOUDS, type CloudName } from "../config/arm.js";
import { addSecrets, createLogger, type Logger } from "../logging.js";

export interface CommonOverrides {
  credential?: TokenCredential;
  logDestination?: DestinationStream;
  logger?: Logger;
  extraSecrets?: string[];
  /** erwatch's own metrics (runtime/telemetry.ts starts the exporter); none when absent. */
  telemetry?: Telemetry;
  /** The Functions host: the lines health alerts count are written at any LOG_LEVEL (logging.ts healthLine). */
  healthLines?: boolean;
}

export function runtimeLogger(
  level: string,
  secrets: string[],
  overrides: CommonOverrides,
): Logger {
  const all = [...secrets, ...(overrides.extraSecrets ?? [])];
  // A logger made before the settings were read (the CLI's) scrubs what they hold from now on.
  if (overrides.logger) {
    addSecrets(overrides.logger, all);
    return overrides.logger;
  }
  return createLogger({
    level,
    secrets: all,
    ...(overrides.healthLines ? { healthLines: true } : {}),
    ...(overrides.logDestination ? { destination: overrides.logDestination } : {}),
  });
}

/** A credential per user-assigned identity; the override wins in tests. */
export type CredentialFor = (clientId?: string) => TokenCredential;

export function credentials(cloud: CloudName, overrides: CommonOverrides): CredentialFor {
  return (clientId) =>
    overrides.credential ??
    azureCredential({
      authorityHost: CLOUDS[cloud].authorityHost,
      ...(clientId ? { managedIdentityClientId: clientId } : {}),
    });
}
