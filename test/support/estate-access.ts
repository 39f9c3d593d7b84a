// How code under test reaches the simulated estate: the real SDK pointed at the
// loopback ARM with its self-signed CA trusted, and a static token (the estate
// checks that a bearer token is present, not what it says).

import type { AccessToken, TokenCredential } from "@azure/identity";
import type { ArmClientOptions } from "../../src/adapters/arm/clients.js";
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
      // The estate answers at once; a short deadline keeps fault tests quick.
      ARM_MAX_RETRIES: "0",
      // Its long-running reads are done at once too: poll soon after the POST.
      ARM_LRO_POLL_INTERVAL_MS: "20",
      ...env,
    },
    credential: staticCredential,
    armClientOptions: { pipeline: { tlsOptions: { ca: estate.ca } } },
  };
}
