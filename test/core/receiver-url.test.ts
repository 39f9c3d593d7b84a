// The one receiver URL rule: config at start and the sender before each post ask it.

import { describe, expect, it } from "vitest";
import { receiverUrlProblem } from "../../src/core/receiver-url.js";

describe("receiverUrlProblem", () => {
  it.each([
    ["https", "https://prod-1.westeurope.logic.azure.com/x?sig=abc", null],
    ["http to 127.0.0.1", "http://127.0.0.1:8080/hook", null],
    ["http to localhost", "http://localhost/hook", null],
    ["http to [::1]", "http://[::1]:9/hook", null],
    ["http to a remote host", "http://hooks.example.com/x", /must be an https URL/],
    ["another scheme", "ftp://hooks.example.com/x", /must be an https URL/],
    ["not a URL", "hooks.example.com/x", /^is not a URL$/],
    // fetch refuses these outright: every post would fail.
    ["user and password", "https://svc:Pa55w0rd@hooks.example.com/x", /user name or password/],
    ["user only", "https://svc@hooks.example.com/x", /user name or password/],
  ])("%s", (_name, url, expected) => {
    const problem = receiverUrlProblem(url);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it("never quotes the URL", () => {
    for (const url of ["https://svc:Pa55w0rd@h.example/x", "http://h.example/Pa55w0rd", "Pa55w0rd"])
      expect(receiverUrlProblem(url)).not.toContain("Pa55w0rd");
  });
});
