// One NetworkManagementClient per subscription for the life of the process:
// clients hold pipelines and connection pools that are expensive to rebuild.
// Each pipeline paces its requests against its subscription's ARM budget.

import {
  NetworkManagementClient,
  type NetworkManagementClientOptionalParams,
} from "@azure/arm-network";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { TokenCredential } from "@azure/identity";
import type { ArmConfig } from "../../config/arm.js";
import { pageBodyPolicy } from "./listing.js";
import { preferLocationPolicy } from "./lro-location.js";
import type { Pacer } from "./pacer.js";

export interface ArmClientOptions {
  /** Extra pipeline options, e.g. `tlsOptions: { ca }` to trust a private CA, or policies that count requests. */
  pipeline?: Pick<
    NetworkManagementClientOptionalParams,
    "tlsOptions" | "proxyOptions" | "additionalPolicies"
  >;
}

export class NetworkClients {
  private readonly clients = new Map<string, NetworkManagementClient>();
  private graphClient: ResourceGraphClient | undefined;

  constructor(
    private readonly credential: TokenCredential,
    private readonly config: ArmConfig,
    private readonly pacer: Pacer,
    private readonly options: ArmClientOptions = {},
  ) {}

  for(subscriptionId: string): NetworkManagementClient {
    const key = subscriptionId.toLowerCase();
    let client = this.clients.get(key);
    if (!client) {
      client = new NetworkManagementClient(this.credential, key, {
        ...this.options.pipeline,
        endpoint: this.config.endpoint,
        // The SDK defaults the scope to public-cloud ARM even when the endpoint
        // is a sovereign cloud, so it is always set explicitly.
        credentials: { scopes: [this.config.tokenScope] },
        retryOptions: { maxRetries: this.config.maxRetries, maxRetryDelayInMs: 10_000 },
        userAgentOptions: { userAgentPrefix: "erwatch" },
        // Inside the retry loop, so a retried request (a 429's) takes its turn again.
        additionalPolicies: [
          ...(this.options.pipeline?.additionalPolicies ?? []),
          { policy: this.pacer.policy(key), position: "perRetry" },
          { policy: preferLocationPolicy(), position: "perCall" },
          { policy: pageBodyPolicy(), position: "perCall" },
        ],
      });
      this.clients.set(key, client);
    }
    return client;
  }

  /** Azure Resource Graph: one client for every subscription (the query names them). */
  graph(): ResourceGraphClient {
    this.graphClient ??= new ResourceGraphClient(this.credential, {
      ...this.options.pipeline,
      endpoint: this.config.endpoint,
      credentials: { scopes: [this.config.tokenScope] },
      retryOptions: { maxRetries: this.config.maxRetries, maxRetryDelayInMs: 10_000 },
      userAgentOptions: { userAgentPrefix: "erwatch" },
    });
    return this.graphClient;
  }
}
