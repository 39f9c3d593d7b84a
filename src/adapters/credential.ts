// DefaultAzureCredential, so `az login`, managed identity, workload identity
// and AZURE_TOKEN_CREDENTIALS all behave as Azure users expect.

import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";

const cache = new Map<string, TokenCredential>();

/** One credential per (login host, identity) per process: tokens are cached inside it. */
export function azureCredential(options: {
  authorityHost: string;
  managedIdentityClientId?: string;
}): TokenCredential {
  const key = `${options.authorityHost}|${options.managedIdentityClientId ?? ""}`;
  let credential = cache.get(key);
  if (!credential) {
    credential = options.managedIdentityClientId
      ? new DefaultAzureCredential({
          authorityHost: options.authorityHost,
          managedIdentityClientId: options.managedIdentityClientId,
        })
      : new DefaultAzureCredential({ authorityHost: options.authorityHost });
    cache.set(key, credential);
  }
  return credential;
}
