// The shared text rules: one cut that never splits a character, one list of
// the forms a secret takes. Logs, receiver reasons and payloads all use them.

import { describe, expect, it } from "vitest";
import {
  counted,
  redact,
  safeCut,
  secretForms,
  truncate,
  MIN_SECRET_LENGTH,
  MIN_SECRET_PIECE_LENGTH,
} from "../../src/core/text.js";

describe("truncate", () => {
  it.each([
    ["fits", "abc", 3, "abc"],
    ["one over", "abcd", 3, "ab…"],
    ["budget of one", "abcd", 1, "…"],
    ["budget of zero", "abcd", 0, ""],
    // The cut would fall between the two halves of 🔥: the whole emoji goes.
    ["emoji at the cut", `ab${"🔥"}cd`, 4, "ab…"],
    ["emoji before the cut", `a${"🔥"}cd`, 4, `a${"🔥"}…`],
  ])("%s", (_name, value, max, expected) => {
    const out = truncate(value, max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
  });

  it("never leaves a lone high surrogate", () => {
    const value = "🔥".repeat(50);
    for (let max = 0; max < 100; max += 1)
      expect(truncate(value, max)).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe("safeCut", () => {
  it("steps back over a high surrogate and clamps to the string", () => {
    expect(safeCut("a🔥", 2)).toBe(1);
    expect(safeCut("a🔥", 3)).toBe(3);
    expect(safeCut("abc", 10)).toBe(3);
    expect(safeCut("abc", -1)).toBe(0);
  });
});

describe("secretForms", () => {
  const URL_SECRET =
    "https://prod-11.westeurope.logic.azure.com/workflows/5f2b8c1d9e3a4b7c8d0e/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sig=S3cr3tSig";

  it.each([
    ["the whole URL", URL_SECRET],
    ["the URL JSON-escaped with slashes", URL_SECRET.replaceAll("/", "\\/")],
    ["the URL percent-encoded", encodeURIComponent(URL_SECRET)],
    ["host and path", "prod-11.westeurope.logic.azure.com/workflows/5f2b8c1d9e3a4b7c8d0e"],
    ["a short signature, because its parameter is a credential", "S3cr3tSig"],
    ["a long path segment", "5f2b8c1d9e3a4b7c8d0e"],
  ])("covers %s", (_name, text) => {
    expect(redact(`posting to ${text} failed`, secretForms([URL_SECRET]), "[x]")).not.toMatch(
      /S3cr3tSig|5f2b8c1d9e3a4b7c8d0e/,
    );
  });

  it("leaves ordinary short pieces of a URL alone", () => {
    const forms = secretForms([URL_SECRET]);
    for (const word of ["invoke", "2016-06-01", "workflows", "manual"])
      expect(forms).not.toContain(word);
  });

  it("covers a connection string's key on its own", () => {
    const cs =
      "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=AbCdEf0123456789==";
    expect(redact("bad key AbCdEf0123456789==", secretForms([cs]), "[x]")).toBe("bad key [x]");
  });

  it("covers a storage SAS's signature on its own, however an SDK re-encodes the SAS around it", () => {
    const cs =
      "BlobEndpoint=https://acct.blob.core.windows.net/;TableEndpoint=https://acct.table.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=t&srt=sco&sp=rwdlacu&se=2027-01-01T00:00:00Z&sig=Zx9%2BAbCdEf0123456789%3D";
    const forms = secretForms([cs]);
    // The SDK's request URL: the expiry's colons encoded, so the whole SAS is not in it.
    const url =
      "https://acct.table.core.windows.net/erwatchsnapshots?sv=2022-11-02&ss=t&srt=sco&sp=rwdlacu&se=2027-01-01T00%3A00%3A00Z&sig=Zx9%2BAbCdEf0123456789%3D";
    expect(redact(`GET ${url} failed`, forms, "[x]")).not.toContain("Zx9");
    expect(redact("sig Zx9+AbCdEf0123456789=", forms, "[x]")).toBe("sig [x]");
  });

  it("covers the token of a header value on its own", () => {
    const forms = secretForms(["Bearer t0k3n-that-must-never-leak"]);
    expect(redact("got t0k3n-that-must-never-leak", forms, "[x]")).toBe("got [x]");
  });

  it("covers JSON escapes of quotes and backslashes", () => {
    const secret = 'pa"ss\\word-123';
    const line = JSON.stringify({ msg: `x ${secret} y` });
    expect(redact(line, secretForms([secret]), "[x]")).toBe('{"msg":"x [x] y"}');
  });

  it("ignores values too short to be secrets, and lists longest first", () => {
    expect(secretForms(["abc", ""])).toEqual([]);
    expect(MIN_SECRET_LENGTH).toBeLessThan(MIN_SECRET_PIECE_LENGTH);
    const forms = secretForms([URL_SECRET]);
    expect(forms).toEqual([...forms].sort((a, b) => b.length - a.length));
  });
});

describe("counted", () => {
  // "1 circuit(s)" on the status page and in the CLI read as a form nobody finished.
  it.each([
    [0, "circuit", undefined, "0 circuits"],
    [1, "circuit", undefined, "1 circuit"],
    [2, "alert event", undefined, "2 alert events"],
    [1, "more read", "more reads", "1 more read"],
    [3, "more read", "more reads", "3 more reads"],
  ])("%i %s", (n, one, many, said) => {
    expect(counted(n, one, many)).toBe(said);
  });
});
