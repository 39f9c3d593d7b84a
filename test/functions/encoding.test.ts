import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  acceptsGzip,
  COMPRESS_FROM_BYTES,
  encodeBody,
  wantsJson,
} from "../../src/functions/http/encoding.js";

describe("acceptsGzip (RFC 9110 §12.5.3)", () => {
  it.each([
    // No header: identity only.
    [null, false],
    ["", false],
    ["  ", false],
    // What browsers, curl --compressed and PowerShell send.
    ["gzip, deflate, br, zstd", true],
    ["gzip, deflate", true],
    ["deflate, gzip;q=1.0, *;q=0.5", true],
    ["GZIP", true],
    ["x-gzip", true],
    // Refused outright, or not named at all.
    ["gzip;q=0", false],
    ["gzip; q=0.000", false],
    ["br, deflate", false],
    ["identity", false],
    // `*` stands for every coding not named.
    ["*", true],
    ["*;q=0", false],
    ["*, gzip;q=0", false],
    ["br;q=1, *;q=0.1", true],
    // Identity asked for above gzip wins; at the same weight gzip is fine.
    ["identity;q=1, gzip;q=0.5", false],
    ["identity;q=0.5, gzip;q=0.5", true],
    ["gzip, identity;q=0", true],
    // A weight that is no qvalue is not read as a yes.
    ["gzip;q=abc", false],
    ["gzip;q=1e", false],
    ["gzip;q=2", false],
    ["gzip; q = 0.8", true],
    [",,gzip,,", true],
  ])("%j → %s", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe("encodeBody", () => {
  const large = JSON.stringify({
    circuits: Array.from({ length: 200 }, (_, i) => ({ name: `er-${i}`, bgp: "up", arp: "up" })),
  });

  it("compresses a body worth it, and it reads back as it was", async () => {
    expect(Buffer.byteLength(large)).toBeGreaterThan(COMPRESS_FROM_BYTES);
    const encoded = await encodeBody(large, "gzip, deflate, br");
    expect(encoded.headers).toEqual({ "content-encoding": "gzip" });
    expect(encoded.body).toBeInstanceOf(Uint8Array);
    expect(gunzipSync(encoded.body as Uint8Array).toString("utf8")).toBe(large);
    expect((encoded.body as Uint8Array).length).toBeLessThan(Buffer.byteLength(large) / 4);
  });

  it("sends as it is what the client cannot take, and what is too small to gain", async () => {
    expect(await encodeBody(large, null)).toEqual({ body: large, headers: {} });
    expect(await encodeBody(large, "gzip;q=0")).toEqual({ body: large, headers: {} });
    const small = "é".repeat(COMPRESS_FROM_BYTES / 2 - 1);
    expect(await encodeBody(small, "gzip")).toEqual({ body: small, headers: {} });
    // Counted in bytes, not characters: 1,400 bytes of two-byte characters is worth it.
    expect((await encodeBody(`${small}é`, "gzip")).headers).toEqual({
      "content-encoding": "gzip",
    });
  });
});

describe("wantsJson: the status page's JSON or HTML (RFC 9110 §12.5.1)", () => {
  it.each([
    [null, false],
    ["", false],
    ["*/*", false],
    // What a browser sends: the page.
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false],
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ["application/json;q=0.9, */*", true],
    ["application/json, text/html", true],
    // Media types are case-insensitive: it answered a page to these.
    ["Application/JSON", true],
    ["APPLICATION/JSON;Q=0.5", true],
    // Refused outright, or asked for below the page: it answered JSON to these.
    ["application/json;q=0", false],
    ["text/html, application/json;q=0.5", false],
    ["application/json-seq", false],
  ])("%j → %s", (header, expected) => {
    expect(wantsJson(header)).toBe(expected);
  });
});
