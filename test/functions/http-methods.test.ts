// HEAD and OPTIONS, as scripts and uptime checks send them. Registered for
// GET alone, the status page and the status URL heard HEAD as the Functions
// host's empty 404 ("no such endpoint", "no such sweep"), and OPTIONS of
// /api/sweep got the same (the README promised 405 with Allow to every other
// method). HEAD answers GET's status and headers without a body; OPTIONS
// says the route takes POST.

import functions from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { httpSweepHandler, httpSweepStatusHandler } from "../../src/functions/http-sweep.js";
import { statusDepsOver } from "../support/status-deps.js";

const { HttpRequest, InvocationContext } = functions;
const context = () =>
  new InvocationContext({ invocationId: "test", functionName: "http", logHandler: () => {} });
const statusDeps = statusDepsOver();
const headers = (r: { headers?: unknown }) => (r.headers ?? {}) as Record<string, string>;

describe("HEAD and OPTIONS", () => {
  it("HEAD /api/status: the page's status and headers, no body", async () => {
    const handler = httpStatusHandler(async () => statusDeps);
    const get = await handler(
      new HttpRequest({ method: "GET", url: "http://localhost/api/status" }),
      context(),
    );
    const head = await handler(
      new HttpRequest({ method: "HEAD", url: "http://localhost/api/status" }),
      context(),
    );
    expect(head.status).toBe(200);
    expect(headers(head)).toEqual(headers(get));
    expect(head.body).toBeUndefined();
    expect(head.jsonBody).toBeUndefined();
  });

  it("HEAD /api/sweep/{id}: GET's answer without its body, a 404 for an unknown sweep too", async () => {
    const runs = { find: async () => null };
    const handler = httpSweepStatusHandler(async () => ({ runs }) as unknown as SweepFunctionDeps);
    const id = "0b7c6f38-5d8e-4a51-9a37-2a8a4f0c8e11";
    const head = await handler(
      new HttpRequest({ method: "HEAD", url: `http://localhost/api/sweep/${id}`, params: { id } }),
      context(),
    );
    expect(head.status).toBe(404);
    expect(headers(head)["content-type"]).toBe("application/problem+json");
    expect(head.body).toBeUndefined();
  });

  it("OPTIONS /api/sweep: 204 with Allow: POST, nothing read", async () => {
    const handler = httpSweepHandler(async () => {
      throw new Error("OPTIONS must not build the sweep's runtime");
    });
    const answer = await handler(
      new HttpRequest({ method: "OPTIONS", url: "http://localhost/api/sweep" }),
      context(),
    );
    expect(answer.status).toBe(204);
    expect(headers(answer).allow).toBe("POST");
    expect(answer.body).toBeUndefined();
  });
});
