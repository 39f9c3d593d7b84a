// GET /api/status's query: a parameter the page does not take, or a filter
// given twice, is a 400 naming it before storage is asked anything. Ignored,
// a typo (?sev=Sev1, ?Severity=, ?circuits=) answered every circuit's state
// as if filtered, and a script reading the JSON's first circuit read another's.

import functions from "@azure/functions";
import { describe, expect, it } from "vitest";
import type { StatusFunctionDeps } from "../../src/functions/deps.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { statusDepsOver } from "../support/status-deps.js";

const { HttpRequest, InvocationContext } = functions;
const context = () =>
  new InvocationContext({ invocationId: "test", functionName: "status", logHandler: () => {} });

/** Stored state with nothing in it: enough to draw the page; `asked` counts its reads. */
function emptyDeps(): StatusFunctionDeps & { asked: () => number } {
  let asked = 0;
  const deps = statusDepsOver(async () => {
    asked += 1;
    return [];
  });
  return { ...deps, asked: () => asked };
}

const get = (query: string, accept = "application/json") =>
  new HttpRequest({
    method: "GET",
    url: `http://localhost/api/status${query}`,
    headers: { accept },
  });

async function answer(query: string) {
  const deps = emptyDeps();
  const response = await httpStatusHandler(async () => deps)(get(query), context());
  return { response, asked: deps.asked() };
}

describe("GET /api/status: its query", () => {
  it.each([
    ["a parameter it does not take", "?sev=Sev1", "sev"],
    ["a filter's name in another case", "?Severity=Sev1", "Severity"],
    ["the sweep's plural", "?circuits=er-a", "circuits"],
    ["a filter given twice with two values", "?provider=Equinix&provider=Megaport", "provider"],
  ])("answers %s with a 400 naming it, storage not asked", async (_what, query, field) => {
    const { response, asked } = await answer(query);
    expect(response.status).toBe(400);
    expect((response.headers as Record<string, string>)["content-type"]).toBe(
      "application/problem+json",
    );
    const problem = JSON.parse(String(response.body)) as {
      status: number;
      detail: string;
      errors: { field: string }[];
    };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((e) => e.field)).toEqual([field]);
    expect(problem.detail).toContain(field);
    expect(asked).toBe(0);
  });

  it("takes its filters and the function key, the form's empty 'all' and a value repeated alike", async () => {
    for (const query of [
      "",
      "?severity=sev1&provider=Equinix&location=Amsterdam&circuit=er-a&code=k",
      "?severity=&provider=&location=&circuit=",
      "?severity=Sev2&severity=Sev2",
    ]) {
      const { response } = await answer(query);
      expect(response.status, query).toBe(200);
    }
  });

  it("still names an unknown severity with the five it takes", async () => {
    const { response } = await answer("?severity=P1");
    expect(response.status).toBe(400);
    expect(JSON.parse(String(response.body)).detail).toMatch(/one of Sev0, Sev1/);
  });
});

describe("GET /api/status: its Accept", () => {
  it.each([
    ["Application/JSON", "application/json"],
    ["application/json;q=0.9, */*", "application/json"],
    ["application/json;q=0, text/html", "text/html; charset=utf-8"],
    ["*/*", "text/html; charset=utf-8"],
  ])("answers %j with %s", async (accept, type) => {
    const deps = emptyDeps();
    const response = await httpStatusHandler(async () => deps)(get("", accept), context());
    expect(response.status).toBe(200);
    expect((response.headers as Record<string, string>)["content-type"]).toBe(type);
  });
});
