// One NetworkManagementClient per subscription for the life of the process:
// clients hold pipelines and connection pools that are expensive to rebuild.
// Each pipeline paces its requests against its subscription's ARM budget,
// and waits out a 429's or 503's Retry-After only when it ends within the
// read's deadline (../retry-after.ts): one past it fails the read at once, as
// throttled, instead of being slept to the deadline and told as a timeout.

import {
  NetworkManagementClient,
  type NetworkManagementClientOptionalParams,
} from "@azure/arm-network";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { TokenCredential } from "@azure/identity";
import type { ArmConfig } from "../../config/arm.js";
import { boundedRetryAfterPolicy } from "../retry-after.js";
import { pageBodyPolicy } from "./listing.js";
import { preferLocationPolicy } from "./lro-location.js";
import { endsWithinRead, type Pacer } from "./pacer.js";
import { realTime, sleepOn, type Timekeeper } from "./token-bucket.js";

/** The SDK's longest backoff, and the longest Retry-After a request sent outside any read waits. */
const MAX_RETRY_DELAY_MS = 10_000;

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
    /** The sweep's clock, which a Retry-After given as a date is counted from. */
    private readonly now: () => number = () => Date.now(),
    /** The reads' clock, which a Retry-After they wait runs on, as their deadline does. */
    private readonly time: Timekeeper = realTime,
  ) {}

  private retryAfterPolicy() {
    return boundedRetryAfterPolicy(
      this.now,
      (ms) => endsWithinRead(ms, MAX_RETRY_DELAY_MS),
      async (ms, attempt, signal) => {
        // Its retries spent, the SDK gives the answer back at once: nothing to wait for.
        if (attempt > this.config.maxRetries) return false;
        await sleepOn(this.time, ms, signal);
        return true;
      },
    );
  }

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
        retryOptions: { maxRetries: this.config.maxRetries, maxRetryDelayInMs: MAX_RETRY_DELAY_MS },
        userAgentOptions: { userAgentPrefix: "erwatch" },
        // Inside the retry loop, so a retried request (a 429's) takes its turn
        // again; the pacer inside the Retry-After's, so it pauses the
        // subscription for what ARM asked even when the read does not wait it.
        additionalPolicies: [
          ...(this.options.pipeline?.additionalPolicies ?? []),
          { policy: this.retryAfterPolicy(), position: "perRetry" },
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
      retryOptions: { maxRetries: this.config.maxRetries, maxRetryDelayInMs: MAX_RETRY_DELAY_MS },
      userAgentOptions: { userAgentPrefix: "erwatch" },
      additionalPolicies: [
        ...(this.options.pipeline?.additionalPolicies ?? []),
        { policy: this.retryAfterPolicy(), position: "perRetry" },
      ],
    });
    return this.graphClient;
  }
}
