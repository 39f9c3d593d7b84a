// The estate's long-running reads in both shapes ARM uses, exercised through
// the REAL SDK and checked against ../shared/contracts/lro-wire-transcripts.txt:
// with Azure-AsyncOperation + Location (the Network RP) the SDK polls the
// status document and then GETs Location once; with Location only it polls
// Location until 200. Each poll URL is authorised as its own RBAC action.

import { describe, expect, it } from "vitest";
import { RBAC_ACTIONS } from "./estate/index.js";
import {
  circuits,
  clientFor,
  estateWith,
  failure,
  FAST,
  noRetry,
  of,
  PRIVATE,
  raw,
  RG,
  SUB,
} from "./estate-sdk.js";

const OPS = `^/subscriptions/${SUB}/providers/Microsoft.Network/locations/westeurope`;
const GUID = "[0-9a-f-]{36}";
const POST_SUMMARY = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/expressRouteCircuits/er-a/peerings/${PRIVATE}/routeTablesSummary/secondary?api-version=2026-01-01`;
const SUMMARY_ROW = {
  neighbor: "192.168.10.21",
  v: 4,
  as: 65010,
  upDown: "1d02h",
  statePfxRcd: "120",
};

const steps = (estate: { requests: { method: string; operation: string; status: number }[] }) =>
  estate.requests.map((r) => `${r.method} ${r.operation} ${r.status}`);

describe("Network RP shape (the default): Azure-AsyncOperation + Location", () => {
  it("answers the POST with 202 and both headers as absolute URLs on the estate, same operation id", async () => {
    const estate = await estateWith(circuits("er-a"));
    const answer = await raw(estate, POST_SUMMARY, { authorization: "Bearer x" }, "POST");
    expect(answer.status).toBe(202);
    expect(answer.body).toBe("");
    const location = String(answer.headers.location);
    const status = String(answer.headers["azure-asyncoperation"]);
    const api = "\\?api-version=2026-01-01$";
    expect(location).toMatch(
      new RegExp(`^${estate.url}${OPS.slice(1)}/operationResults/${GUID}${api}`),
    );
    expect(status).toMatch(new RegExp(`^${estate.url}${OPS.slice(1)}/operations/${GUID}${api}`));
    expect(location.split("/").pop()).toBe(status.split("/").pop());
  });

  it("the SDK polls the status document, then GETs Location once for the result", async () => {
    const estate = await estateWith(circuits("er-a"), { pendingPolls: 2 });
    const result = await clientFor(estate).expressRouteCircuits.listRoutesTableSummary(
      RG,
      "er-a",
      PRIVATE,
      "secondary",
      FAST,
    );
    expect(result.value).toEqual([SUMMARY_ROW]);
    // As recorded from the real SDK in lro-wire-transcripts.txt (async+location, PENDING=2).
    expect(steps(estate)).toEqual([
      "POST routeTablesSummary 202",
      "GET pollAsyncOperation 200",
      "GET pollAsyncOperation 200",
      "GET pollAsyncOperation 200",
      "GET pollOperation 200",
    ]);
    const [status, result_] = [
      of(estate, "pollAsyncOperation")[0]!,
      of(estate, "pollOperation")[0]!,
    ];
    expect(status.path).toMatch(new RegExp(`${OPS}/operations/${GUID}$`));
    expect(result_.path).toMatch(new RegExp(`${OPS}/operationResults/${GUID}$`));
    expect(status).toMatchObject({ lroOperation: "routeTablesSummary", devicePath: "secondary" });
  });

  it("the status document goes InProgress → Succeeded, then Location carries the result", async () => {
    const estate = await estateWith(circuits("er-a"), { pendingPolls: 1 });
    const posted = await raw(estate, POST_SUMMARY, undefined, "POST");
    const statusUrl = String(posted.headers["azure-asyncoperation"]);
    const first = await raw(estate, statusUrl);
    const second = await raw(estate, statusUrl);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(JSON.parse(first.body)).toMatchObject({ status: "InProgress" });
    expect(JSON.parse(second.body)).toMatchObject({
      status: "Succeeded",
      endTime: expect.any(String),
    });
    const final = await raw(estate, String(posted.headers.location));
    expect(final.status).toBe(200);
    expect(JSON.parse(final.body)).toEqual({ value: [SUMMARY_ROW] });
  });

  it("Retry-After on an InProgress status document overrides the caller's poll interval", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.setLro({ pendingPolls: 1, retryAfterSeconds: 1 });
    await clientFor(estate).expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST);
    const polls = of(estate, "pollAsyncOperation");
    expect(polls).toHaveLength(2);
    expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it("a Failed operation: the status document carries the error and the SDK never reads Location", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "arpTable" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "Router busy." },
      times: 1,
    });
    const posted = await raw(
      estate,
      POST_SUMMARY.replace("routeTablesSummary", "arpTables"),
      undefined,
      "POST",
    );
    const document = JSON.parse(
      (await raw(estate, String(posted.headers["azure-asyncoperation"]))).body,
    );
    expect(document).toMatchObject({
      status: "Failed",
      error: { code: "InternalServerError", message: "Router busy." },
    });

    estate.addFault({
      match: { operation: "arpTable" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "Router busy." },
      times: 1,
    });
    const before = of(estate, "pollOperation").length;
    const error = await failure(
      clientFor(estate).expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST),
    );
    expect(error.message).toBe(
      "The long-running operation has failed. InternalServerError. Router busy.",
    );
    expect(error.statusCode).toBeUndefined();
    expect(of(estate, "pollOperation").length).toBe(before);
  });

  it("never-ending: the status document stays InProgress until the caller's abort signal stops the poller", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "arpTable", circuit: "er-a" },
      behaviour: { kind: "never-ending" },
    });
    const error = await failure(
      clientFor(estate).expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", {
        ...FAST,
        abortSignal: AbortSignal.timeout(300),
      }),
    );
    expect(error.name).toBe("AbortError");
    const polls = of(estate, "pollAsyncOperation");
    expect(polls.length).toBeGreaterThan(3);
    expect(polls.every((r) => r.status === 200 || r.status === 0)).toBe(true);
    expect(of(estate, "pollOperation")).toEqual([]);
  });

  it("never-ending on a poll with times acts as extra pending polls for that read only", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.addFault({
      match: { operation: "pollAsyncOperation", lroOperation: "routeTablesSummary" },
      behaviour: { kind: "never-ending" },
      times: 2,
    });
    const client = clientFor(estate);
    await client.expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST);
    await client.expressRouteCircuits.listRoutesTableSummary(RG, "er-a", PRIVATE, "primary", FAST);
    expect(of(estate, "pollAsyncOperation").map((r) => r.lroOperation)).toEqual([
      "arpTable",
      "routeTablesSummary",
      "routeTablesSummary",
      "routeTablesSummary",
    ]);
    expect(of(estate, "pollOperation")).toHaveLength(2);
  });
});

describe("Location-only shape", () => {
  it("answers the POST with 202 + Location and no Azure-AsyncOperation", async () => {
    const estate = await estateWith(circuits("er-a"), { lroShape: "location" });
    const answer = await raw(estate, POST_SUMMARY, undefined, "POST");
    expect(answer.status).toBe(202);
    expect(answer.headers["azure-asyncoperation"]).toBeUndefined();
    expect(answer.headers.location).toMatch(
      new RegExp(`/operationResults/${GUID}\\?api-version=2026-01-01$`),
    );
  });

  it("the SDK polls Location: 202 while pending, then 200 with the result", async () => {
    const estate = await estateWith(circuits("er-a"), { lroShape: "location", pendingPolls: 2 });
    const result = await clientFor(estate).expressRouteCircuits.listRoutesTableSummary(
      RG,
      "er-a",
      PRIVATE,
      "secondary",
      FAST,
    );
    expect(result.value).toEqual([SUMMARY_ROW]);
    // As recorded from the real SDK in lro-wire-transcripts.txt (location, PENDING=2).
    expect(steps(estate)).toEqual([
      "POST routeTablesSummary 202",
      "GET pollOperation 202",
      "GET pollOperation 202",
      "GET pollOperation 200",
    ]);
  });

  it("Retry-After on a 202 poll overrides the caller's poll interval", async () => {
    const estate = await estateWith(circuits("er-a"));
    estate.setLro({ shape: "location", pendingPolls: 1, retryAfterSeconds: 1 });
    await clientFor(estate).expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST);
    const polls = of(estate, "pollOperation");
    expect(polls.map((r) => r.status)).toEqual([202, 200]);
    // 10 ms was asked for; the 202 poll's Retry-After of 1 s wins. (The SDK polls
    // once immediately after the POST, whatever the POST's Retry-After says.)
    expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it("a Failed operation answers the Location poll with the error status", async () => {
    const estate = await estateWith(circuits("er-a"), { lroShape: "location" });
    estate.addFault({
      match: { operation: "arpTable" },
      behaviour: { kind: "operation-failed" },
    });
    // Without retries: the default policy would retry the 500 with backoff.
    const client = clientFor(estate, noRetry);
    const error = await failure(
      client.expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST),
    );
    expect(error).toMatchObject({
      name: "RestError",
      statusCode: 500,
      code: "InternalServerError",
    });
  });
});

describe("RBAC: every URL is checked against its own action", () => {
  const all = Object.values(RBAC_ACTIONS);
  const without = (action: string) => all.filter((a) => a !== action);

  it("without locations/operations/read the Network RP shape fails on the status poll, worded as ARM words it", async () => {
    const estate = await estateWith(circuits("er-a"), {
      grantedActions: without("Microsoft.Network/locations/operations/read"),
    });
    const error = await failure(
      clientFor(estate).expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST),
    );
    expect(error).toMatchObject({
      name: "RestError",
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    expect(error.message).toMatch(
      new RegExp(
        `^The client '[0-9a-f-]{36}' with object id '[0-9a-f-]{36}' does not have authorization to perform action 'Microsoft\\.Network/locations/operations/read' over scope '/subscriptions/${SUB}/providers/Microsoft\\.Network/locations/westeurope/operations/${GUID}' or the scope is invalid\\.`,
      ),
    );
    expect(steps(estate)).toEqual(["POST arpTable 202", "GET pollAsyncOperation 403"]);
  });

  it("the Location-only shape needs only locations/operationResults/read", async () => {
    const estate = await estateWith(circuits("er-a"), {
      lroShape: "location",
      grantedActions: without("Microsoft.Network/locations/operations/read"),
    });
    await expect(
      clientFor(estate).expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST),
    ).resolves.toBeDefined();

    estate.grant(without("Microsoft.Network/locations/operationResults/read"));
    const error = await failure(
      clientFor(estate).expressRouteCircuits.listArpTable(RG, "er-a", PRIVATE, "primary", FAST),
    );
    expect(error).toMatchObject({ statusCode: 403 });
    expect(error.message).toContain("'Microsoft.Network/locations/operationResults/read'");
  });

  it("actions compare case-insensitively and grant(undefined) grants everything again", async () => {
    const estate = await estateWith(circuits("er-a"), {
      grantedActions: all.map((a) => a.toUpperCase()),
    });
    const client = clientFor(estate);
    await expect(client.expressRouteCircuits.get(RG, "er-a")).resolves.toBeDefined();
    estate.grant([]);
    expect(await failure(client.expressRouteCircuits.get(RG, "er-a"))).toMatchObject({
      statusCode: 403,
    });
    estate.grant(undefined);
    await expect(client.expressRouteCircuits.get(RG, "er-a")).resolves.toBeDefined();
  });
});
