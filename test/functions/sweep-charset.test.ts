// POST /api/sweep reads the body in the charset its Content-Type declares. A
// resource group may hold any Unicode letter ("rg-zürich", resource-id.ts);
// sent as ISO-8859-1 (Windows PowerShell 5.1 encodes a string -Body so) and
// read as UTF-8, the id was refused as "not an ExpressRoute circuit resource
// id": a 400 telling the operator a valid id is malformed (found by a review).
// A charset the runtime cannot decode is a 415 naming it.

import functions from "@azure/functions";
import { describe, expect, it } from "vitest";
import { httpSweepHandler } from "../../src/functions/http-sweep.js";

const { HttpRequest, InvocationContext } = functions;
const ID =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-zürich/providers/Microsoft.Network/expressRouteCircuits/er-1";

const ask = async (charset: string) => {
  let reached = false;
  const handler = httpSweepHandler(async () => {
    reached = true;
    throw new Error("parsed: the runtime is asked for");
  });
  const request = new HttpRequest({
    method: "POST",
    url: "http://localhost/api/sweep",
    body: { bytes: Buffer.from(JSON.stringify({ circuits: [ID] }), "latin1") },
    headers: { "content-type": `application/json; charset=${charset}` },
  });
  const context = new InvocationContext({
    invocationId: "t",
    functionName: "sweep",
    logHandler: () => {},
  });
  const answer = await handler(request, context).catch(() => null);
  return { reached, answer };
};

describe("POST /api/sweep: a body in a declared charset other than UTF-8", () => {
  it.each(["iso-8859-1", "ISO-8859-1", '"latin1"', "windows-1252"])(
    "is read in that charset (%s): the id is valid, the sweep goes on",
    async (charset) => {
      expect((await ask(charset)).reached).toBe(true);
    },
  );

  it("is refused 415, naming it, when it cannot be read", async () => {
    const { reached, answer } = await ask("x-klingon");
    expect(reached).toBe(false);
    expect(answer?.status).toBe(415);
    expect(String(answer?.body)).toContain("x-klingon");
  });
});
