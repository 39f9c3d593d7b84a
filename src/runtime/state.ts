// The Table Storage state store, built from its configuration.

import { silenceTableName, TableSilenceStore } from "../adapters/tables/silence-store.js";
import { createTableClient, TableStateStore, tableNames } from "../adapters/tables/state-store.js";
import { TableWorkClaims } from "../adapters/tables/work-claims.js";
import type { SilenceStore } from "../app/silences.js";
import type { StateStore } from "../app/state-store.js";
import type { StorageConfig } from "../config/state.js";
import type { Logger } from "../logging.js";
import type { Timers } from "../time.js";
import type { CredentialFor } from "./common.js";

export function buildStateStore(
  config: StorageConfig,
  credentialFor: CredentialFor,
  log: Logger,
): StateStore {
  const names = tableNames(config.tablePrefix);
  return new TableStateStore(
    {
      snapshots: createTableClient(config, names.snapshots, credentialFor),
      alerts: createTableClient(config, names.alerts, credentialFor),
      history: createTableClient(config, names.history, credentialFor),
    },
    { timeoutMs: config.timeoutMs, log },
  );
}

/** The fan-out workers' claims, one partition per sweep (<prefix>Work). */
export function buildWorkClaims(
  config: StorageConfig,
  credentialFor: CredentialFor,
  /** The sweep's clock, which the timer counts its prune's budget on (real time when absent). */
  time?: Timers,
): TableWorkClaims {
  return new TableWorkClaims(
    createTableClient(config, `${config.tablePrefix}Work`, credentialFor),
    config.timeoutMs,
    undefined,
    undefined,
    time,
  );
}

/** Run-time silences (`erwatch silence`), beside the state tables. */
export function buildSilenceStore(
  config: StorageConfig,
  credentialFor: CredentialFor,
  log: Logger,
): SilenceStore {
  return new TableSilenceStore(
    createTableClient(config, silenceTableName(config.tablePrefix), credentialFor),
    log,
    config.timeoutMs,
  );
}
