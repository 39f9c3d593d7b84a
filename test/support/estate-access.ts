// How code under test reaches the simulated estate: the real SDKs (ARM, Azure
// Monitor metrics, Log Analytics) pointed at the loopback estate with its
// self-signed CA trusted, and a static token (the estate checks that a bearer
// token is present, not what it says).

import type { AccessToken, TokenCredential } from "@azure/identity";
import type { ArmClientOptions } from "../../src/adapters/arm/clients.js";
import type { ArmContext } from "../../src/adapters/arm/context.js";
import {
  createArmContext,
  createArmReader,
  type ArmReaderDeps,
} from "../../src/adapters/arm/reader.js";
import type { CircuitReader } from "../../src/app/ports.js";
import type { Reading } from "../../src/core/model.js";
import { loadReadConfig } from "../../src/runtime/config.js";
import type { Env } from "../../src/config/settings.js";
import {
  DEFAULT_RESOURCE_GROUP,
  DEFAULT_SUBSCRIPTION,
  type SimulatedEstate,
} from "./estate/index.js";

export const staticCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "estate-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

export interface EstateAccess {
  env: Env;
  credential: TokenCredential;
  armClientOptions: ArmClientOptions;
}

export function estateAccess(estate: SimulatedEstate, env: Env = {}): EstateAccess {
  return {
    env: {
      ARM_ENDPOINT: estate.url,
      // Azure Monitor and Log Analytics on the same loopback server (and CA), region in the path.
      METRICS_ENDPOINT: `${estate.url}/metrics/{region}`,
      LOGS_ENDPOINT: `${estate.url}/loganalytics/v1`,
      // The estate answers at once; a short deadline keeps fault tests quick.
      ARM_MAX_RETRIES: "0",
      // Its long-running reads are done at once too: poll soon after the POST.
      ARM_LRO_POLL_INTERVAL_MS: "20",
      // ARM's budgets are modelled only when the estate's cost model is on
      // (the bench, the pacing tests); otherwise hundreds of sweeps in a test
      // file would be paced at ARM's real refill rate.
      ...(estate.cost
        ? {}
        : {
            ARM_READ_BURST: "100000",
            ARM_READS_PER_SECOND: "10000",
            ARM_WRITE_BURST: "100000",
            ARM_WRITES_PER_SECOND: "10000",
          }),
      ...env,
    },
    credential: staticCredential,
    armClientOptions: { pipeline: { tlsOptions: { ca: estate.ca } } },
  };
}

/** The clocks a test may hand ARM's reader: the sweep's, the budget's, the read's deadline's. */
export type ArmClocks = Pick<ArmReaderDeps, "now" | "budgetTime" | "readTime">;

function armDepsOn(estate: SimulatedEstate, env: Env, clocks: ArmClocks): ArmReaderDeps {
  const access = estateAccess(estate, env);
  return {
    credential: access.credential,
    config: loadReadConfig(access.env, { scope: true }).arm,
    clientOptions: access.armClientOptions,
    ...clocks,
  };
}

/** The real ARM reader (SDK, pacer, poll timing) on the estate, configured by `env` over estateAccess's. */
export function armReaderOn(
  estate: SimulatedEstate,
  env: Env = {},
  clocks: ArmClocks = {},
): CircuitReader {
  return createArmReader(armDepsOn(estate, env, clocks));
}

/** ARM's context (clients, pacer, the call with its deadline) on the estate, as armReaderOn's reader has it. */
export function armContextOn(
  estate: SimulatedEstate,
  env: Env = {},
  clocks: ArmClocks = {},
): ArmContext {
  return createArmContext(armDepsOn(estate, env, clocks));
}

/** One GET of circuit `name` through the context's call, as a sweep's read makes it: its deadline, its kinds of failure. */
export function readCircuitVia(
  ctx: ArmContext,
  name: string,
  signal: AbortSignal,
  subscription = DEFAULT_SUBSCRIPTION,
): Promise<Reading<unknown>> {
  const circuits = ctx.clients.for(subscription).expressRouteCircuits;
  return ctx.call({
    operation: "getCircuit",
    target: `circuit ${name}`,
    signal,
    run: (abortSignal) => circuits.get(DEFAULT_RESOURCE_GROUP, name, { abortSignal }),
  });
}
