// The Table Storage state store, built from its configuration.

import { createTableClient, TableStateStore, tableNames } from "../adapters/tables/state-store.js";
import type { StateStore } from "../app/state-store.js";
import type { StateConfig } from "../config/state.js";
import type { CredentialFor } from "./common.js";

export function buildStateStore(config: StateConfig, credentialFor: CredentialFor): StateStore {
  const names = tableNames(config.tablePrefix);
  return new TableStateStore(
    {
      snapshots: createTableClient(config, names.snapshots, credentialFor),
      alerts: createTableClient(config, names.alerts, credentialFor),
      history: createTableClient(config, names.history, credentialFor),
    },
    { timeoutMs: config.timeoutMs },
  );
}
