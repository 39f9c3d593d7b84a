import {
  createTableClient,
  TableStateStore,
  tableNames,
} from "../../src/adapters/tables/state-store.js";
import { silenceTableName, TableSilenceStore } from "../../src/adapters/tables/silence-store.js";
import type { StateConfig } from "../../src/config/state.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import type { Logger } from "../../src/logging.js";
import { memoryLogger } from "./test-logger.js";

let counter = 0;

/**
 * A store on fresh tables (a unique prefix per call), created; rows it cannot
 * read are named in `log`. `timeoutMs`: each call's deadline (STORAGE_TIMEOUT_MS).
 */
export async function freshStore(
  connectionString: string,
  log: Logger = memoryLogger().logger,
  { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
): Promise<{
  store: TableStateStore;
  silences: TableSilenceStore;
  prefix: string;
  config: StateConfig;
}> {
  counter += 1;
  const prefix = `t${process.pid}n${counter}`;
  const config: StateConfig = {
    connection: { kind: "connection-string", value: connectionString, setting: "ERWATCH_STORAGE" },
    tablePrefix: prefix,
    historyRetentionDays: 30,
    timeoutMs,
    policy: DEFAULT_ALERT_POLICY,
    silences: [],
  };
  const names = tableNames(prefix);
  const noCredential = () => {
    throw new Error("a connection string needs no credential");
  };
  const store = new TableStateStore(
    {
      snapshots: createTableClient(config, names.snapshots, noCredential),
      alerts: createTableClient(config, names.alerts, noCredential),
      history: createTableClient(config, names.history, noCredential),
    },
    { timeoutMs: config.timeoutMs, log },
  );
  const silences = new TableSilenceStore(
    createTableClient(config, silenceTableName(prefix), noCredential),
    log,
  );
  await Promise.all([store.ensureTables(), silences.ensureTable()]);
  return { store, silences, prefix, config };
}
