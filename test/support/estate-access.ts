// How code under test reaches the simulated estate: the real SDKs (ARM, Azure
// Monitor metrics, Log Analytics) pointed at the loopback estate with its
// self-signed CA trusted, and a static token (the estate checks that a bearer
// token is present, not what it says).

import type { AccessToken, TokenCredential } from "@azure/identity";
import type { ArmClientOptions } from "../../src/adapters/arm/clients.js";
import { createArmReader } from "../../src/adapters/arm/reader.js";
import type { CircuitReader } from "../../src/app/ports.js";
import { loadReadConfig } from "../../src/runtime/config.js";
import type { Env } from "../../src/config/settings.js";
import type { SimulatedEstate } from "./estate/index.js";

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

/** The real ARM reader (SDK, pacer, poll timing) on the estate, configured by `env` over estateAccess's. */
export function armReaderOn(estate: SimulatedEstate, env: Env = {}): CircuitReader {
  const access = estateAccess(estate, env);
  const config = loadReadConfig(access.env, { scope: true });
  return createArmReader({
    credential: access.credential,
    config: config.arm,
    clientOptions: access.armClientOptions,
  });
}
