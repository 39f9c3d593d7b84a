// The client side of the estate tests: the REAL @azure/arm-network client
// pointed at an estate, raw HTTPS for what the SDK never sends, and estates
// that close themselves after each test.

import { request } from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import {
  NetworkManagementClient,
  type NetworkManagementClientOptionalParams,
} from "@azure/arm-network";
import type { TokenCredential } from "@azure/identity";
import { afterEach } from "vitest";
import {
  estateOf,
  healthyCircuit,
  startEstate,
  type EstateOptions,
  type EstateState,
  type RecordedRequest,
  type SimulatedEstate,
} from "./estate/index.js";

export const SUB = "00000000-0000-0000-0000-000000000001";
export const RG = "rg-hybrid-core";
export const PRIVATE = "AzurePrivatePeering";
export const FAST = { updateIntervalInMs: 10 };
export const noRetry = { retryOptions: { maxRetries: 0 } };

const credential: TokenCredential = {
  getToken: async () => ({ token: "fake-token", expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const open: SimulatedEstate[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** An estate closed after the test that started it. */
export async function estateWith(
  state: EstateState,
  options?: EstateOptions,
): Promise<SimulatedEstate> {
  const estate = await startEstate(state, options);
  open.push(estate);
  return estate;
}

export function clientFor(
  estate: SimulatedEstate,
  extra: NetworkManagementClientOptionalParams = {},
  subscriptionId = SUB,
) {
  return new NetworkManagementClient(credential, subscriptionId, {
    endpoint: estate.url,
    tlsOptions: { ca: estate.ca },
    credentials: { scopes: [`${estate.url}/.default`] },
    ...extra,
  });
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

export interface SdkError {
  name: string;
  code?: string;
  statusCode?: number;
  message: string;
}

/** Resolves with the error the promise rejects with; fails the test if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error("expected a failure, got a result");
}

export const of = (estate: SimulatedEstate, operation: RecordedRequest["operation"]) =>
  estate.requests.filter((r) => r.operation === operation);

/** A request without the SDK, for what the SDK never sends (no token, no api-version). */
export function raw(
  estate: SimulatedEstate,
  path: string,
  headers: Record<string, string> = { authorization: "Bearer fake-token" },
  method = "GET",
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, estate.url),
      { method, headers, ca: estate.ca, agent: false, signal: AbortSignal.timeout(5_000) },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export function circuits(...names: string[]): EstateState {
  return estateOf(...names.map((name) => healthyCircuit({ name })));
}
