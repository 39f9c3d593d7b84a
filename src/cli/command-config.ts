// How each command loads its settings: the one function its run calls, and
// the one its `--help` runs against a recording environment to list the
// settings it reads (help.ts), so the list cannot drift from the code. Only
// the loaders are imported here, never a command's runtime.

import type { Env } from "../config/settings.js";
import {
  loadDiagnoseConfig,
  loadDispatchConfig,
  loadReadConfig,
  loadStatusConfig,
  loadSweepConfig,
} from "../runtime/config.js";

export const commandConfig = {
  /** `diagnose` and the stateless `sweep`: the scope comes from the flags, checked by sweepScope. */
  read: (env: Env) => loadReadConfig(env, { scope: false }),
  /** `diagnose --routes`: ARM, and Table Storage when a connection is configured. */
  diagnoseRoutes: (env: Env) => loadDiagnoseConfig(env),
  /**
   * `sweep --state`: without Service Bus the events wait in the outbox. Its
   * hysteresis counts SWEEP_SCHEDULE's interval, so a schedule the timer
   * could not run is named here too, not counted as the default unsaid.
   */
  sweepState: (env: Env) =>
    loadSweepConfig(env, { publish: "optional", scope: false, functions: true }),
  /** `silence …` and `alerts`: stored state only. */
  state: (env: Env) => loadStatusConfig(env),
  dispatch: (env: Env) => loadDispatchConfig(env),
};

export type ConfigLoad = (env: Env) => unknown;
