// Long-running path reads poll Location, not the status document: through the
// real SDK against the estate answering as the Network RP does (both headers),
// a read is its POST and the Location polls, the last of which carries the
// result — one request fewer per read than following Azure-AsyncOperation.

import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { preferLocationPolicy } from "../../../src/adapters/arm/lro-location.js";
import { createReadSession } from "../../../src/app/ports.js";
import {
  DEFAULT_SUBSCRIPTION as SUB,
  estateOf,
  healthyCircuit,
} from "../../support/estate/index.js";
import { armReaderOn } from "../../support/estate-access.js";
import { estatePerTest } from "../../support/estate-per-test.js";

const BOTH = {
  location: "https://arm/locations/x/operationResults/1",
  "azure-asyncoperation": "https://arm/locations/x/operations/1",
};

async function answer(method: string, status: number, headers: Record<string, string>) {
  const request = createPipelineRequest({ url: "https://arm/op", method: method as "POST" });
  const response: PipelineResponse = {
    request,
    status,
    headers: createHttpHeaders(headers),
  };
  return preferLocationPolicy().sendRequest(request, async () => response);
}

describe("which answers are handed to the SDK with Location only", () => {
  it.each([
    ["POST 202 with both", "POST", 202, BOTH, false],
    ["POST 201 with both", "POST", 201, BOTH, false],
    [
      "POST 202 with Azure-AsyncOperation only (nothing else to poll)",
      "POST",
      202,
      { "azure-asyncoperation": BOTH["azure-asyncoperation"] },
      true,
    ],
    ["POST 200 (answered at once)", "POST", 200, BOTH, true],
    ["GET poll 202", "GET", 202, BOTH, true],
    ["PUT 201 (not a read erwatch makes)", "PUT", 201, BOTH, true],
  ] as const)("%s", async (_, method, status, headers, keepsStatusUrl) => {
    const response = await answer(method, status, headers);
    expect(response.headers.has("azure-asyncoperation")).toBe(keepsStatusUrl);
    expect(response.headers.get("location")).toBe(
      "location" in headers ? headers.location : undefined,
    );
  });
});

const startEstate = estatePerTest();

async function readOne(pendingPolls: number) {
  const estate = await startEstate(
    estateOf(healthyCircuit({ name: "er-0", microsoftPeering: true })),
    {
      pendingPolls,
    },
  );
  const reader = armReaderOn(estate, {
    ERWATCH_SUBSCRIPTIONS: SUB,
    ARM_LRO_POLL_INTERVAL_MS: "20",
  });
  const signal = new AbortController().signal;
  const { targets } = await reader.discover(
    { subscriptions: [SUB], circuitIds: [] },
    { abortSignal: signal },
  );
  const from = estate.requests.length;
  const result = await reader.read(targets[0]!, {
    abortSignal: signal,
    session: createReadSession(),
  });
  expect(result.kind).toBe("read");
  if (result.kind !== "read") throw new Error("not read");
  for (const peering of Object.values(result.reading.paths))
    for (const path of Object.values(peering)) {
      // A healthy circuit's sessions prove layer 2: its ARP tables are read only on
      // the sweep's first peering of the subscription (the ARP witness).
      expect([true, "proven"]).toContain(path.arp.ok);
      expect(path.summary.ok).toBe(true);
    }
  const lro = estate.requests
    .slice(from)
    .filter(
      (r) =>
        (r.method === "POST" && r.operation !== "queryResourceGraph") ||
        r.operation.startsWith("poll"),
    );
  return lro.map((r) => `${r.method} ${r.operation} ${r.status}`);
}

describe("a circuit's path reads against the Network RP's two headers", () => {
  it("are each a POST and one Location poll with the result: no status poll", async () => {
    const steps = await readOne(0);
    // Two peerings × two paths × route summary, and the witness peering's two ARP tables.
    expect(steps.filter((s) => s.startsWith("POST"))).toHaveLength(6);
    expect(steps.filter((s) => s === "GET pollOperation 200")).toHaveLength(6);
    expect(steps).toHaveLength(12);
  });

  it("a read still running is polled at Location until it answers 200", async () => {
    const steps = await readOne(2);
    expect(steps.filter((s) => s.includes("pollAsyncOperation"))).toEqual([]);
    expect(steps.filter((s) => s === "GET pollOperation 202")).toHaveLength(12);
    expect(steps.filter((s) => s === "GET pollOperation 200")).toHaveLength(6);
  });
});
