import { describe, expect, it } from "vitest";
import {
  classifyStatus,
  parseRetryAfter,
  toSendOutcome,
  type HttpResult,
} from "../../../src/adapters/receivers/outcome.js";
import {
  errorCode,
  MAX_DETAIL_CHARS,
  postJson,
  sanitiseDetail,
} from "../../../src/adapters/receivers/http-post.js";
import { secretForms } from "../../../src/core/text.js";

const NOW = new Date("2026-03-14T02:00:00.000Z");

describe("classifyStatus", () => {
  it.each([
    [200, "ok"], // webhooks: any 2xx
    [202, "ok"], // PagerDuty and Teams Workflows
    [204, "ok"],
    [301, "permanent"], // redirects are not followed: the URL is wrong
    [302, "permanent"],
    [400, "permanent"], // PagerDuty: bad routing key or event
    [401, "permanent"],
    [403, "permanent"],
    [404, "permanent"], // a deleted workflow
    [408, "retryable"], // request timeout: the server asks for another try
    [413, "permanent"], // too large will stay too large
    [429, "retryable"], // throttled
    [500, "retryable"],
    [502, "retryable"],
    [503, "retryable"],
    [504, "retryable"],
    [599, "retryable"],
    [101, "permanent"], // nothing sane answers a POST with 1xx as its final status
  ] as const)("%i is %s", (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });
});

describe("parseRetryAfter", () => {
  it.each([
    ["120", 120_000], // delta-seconds
    ["0", 0],
    [" 7 ", 7_000], // whitespace around the value is tolerated
    ["Sat, 14 Mar 2026 02:00:30 GMT", 30_000], // HTTP-date, 30 s after NOW
    ["Sat, 14 Mar 2026 01:59:00 GMT", 0], // a date in the past means "now"
    ["-5", null], // not delta-seconds, not a date
    ["1.5", null], // fractions are not delta-seconds, and must not parse as a year
    ["soon", null],
    ["", null],
  ] as const)("%j → %j", (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it("is null without a header", () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
  });
});

describe("toSendOutcome", () => {
  const cases: [string, HttpResult, ReturnType<typeof toSendOutcome>][] = [
    [
      "202 is delivered",
      { kind: "response", status: 202, retryAfter: null },
      { ok: true, status: 202 },
    ],
    [
      "500 is retryable, with the standard phrase",
      { kind: "response", status: 500, retryAfter: null },
      {
        ok: false,
        retryable: true,
        status: 500,
        retryAfterMs: null,
        reason: "PagerDuty answered 500 Internal Server Error",
      },
    ],
    [
      "429 carries Retry-After seconds",
      { kind: "response", status: 429, retryAfter: "30" },
      {
        ok: false,
        retryable: true,
        status: 429,
        retryAfterMs: 30_000,
        reason: "PagerDuty answered 429 Too Many Requests",
      },
    ],
    [
      "503 carries a Retry-After date",
      { kind: "response", status: 503, retryAfter: "Sat, 14 Mar 2026 02:01:00 GMT" },
      {
        ok: false,
        retryable: true,
        status: 503,
        retryAfterMs: 60_000,
        reason: "PagerDuty answered 503 Service Unavailable",
      },
    ],
    [
      "400 is permanent and says why",
      { kind: "response", status: 400, retryAfter: null, detail: "Event object is invalid" },
      {
        ok: false,
        retryable: false,
        status: 400,
        retryAfterMs: null,
        reason: "PagerDuty answered 400 Bad Request: Event object is invalid",
      },
    ],
    [
      "an unknown status keeps its number",
      { kind: "response", status: 499, retryAfter: null },
      {
        ok: false,
        retryable: false,
        status: 499,
        retryAfterMs: null,
        reason: "PagerDuty answered 499",
      },
    ],
    [
      "a timeout is retryable with no status",
      { kind: "timeout", timeoutMs: 10_000 },
      {
        ok: false,
        retryable: true,
        status: null,
        retryAfterMs: null,
        reason: "PagerDuty timed out after 10000 ms",
      },
    ],
    [
      "a network error is retryable and names the code",
      { kind: "network", code: "ECONNREFUSED" },
      {
        ok: false,
        retryable: true,
        status: null,
        retryAfterMs: null,
        reason: "network error ECONNREFUSED reaching PagerDuty",
      },
    ],
    [
      "a network error without a code still says so",
      { kind: "network", code: null },
      {
        ok: false,
        retryable: true,
        status: null,
        retryAfterMs: null,
        reason: "network error (no code) reaching PagerDuty",
      },
    ],
    [
      "a cancelled post is retryable: nothing is known to have arrived",
      { kind: "aborted" },
      {
        ok: false,
        retryable: true,
        status: null,
        retryAfterMs: null,
        reason: "post to PagerDuty was cancelled before an answer arrived",
      },
    ],
    [
      "a request that could not be built is permanent",
      { kind: "invalid-request", problem: "the configured URL is not a URL" },
      {
        ok: false,
        retryable: false,
        status: null,
        retryAfterMs: null,
        reason: "PagerDuty request not sent: the configured URL is not a URL",
      },
    ],
  ];
  it.each(cases)("%s", (_name, result, expected) => {
    expect(toSendOutcome("PagerDuty", result, NOW)).toEqual(expected);
  });

  it("ignores Retry-After on a success", () => {
    expect(
      toSendOutcome("webhook", { kind: "response", status: 200, retryAfter: "30" }, NOW),
    ).toEqual({ ok: true, status: 200 });
  });
});

describe("postJson failure reduction", () => {
  const url =
    "https://prod-12.westeurope.logic.azure.com/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?sig=S1gnatureS1gnatureS1gnature";
  const signal = () => new AbortController().signal;

  it("reduces a fetch error whose cause names the URL to its code", async () => {
    const failingFetch: typeof fetch = () =>
      Promise.reject(
        new TypeError("fetch failed", {
          cause: Object.assign(new Error(`connect ECONNREFUSED ${url}`), { code: "ECONNREFUSED" }),
        }),
      );
    const outcome = await postJson({
      url,
      body: {},
      target: "Teams webhook",
      timeoutMs: 1000,
      abortSignal: signal(),
      fetch: failingFetch,
    });
    expect(outcome).toEqual({
      ok: false,
      retryable: true,
      status: null,
      retryAfterMs: null,
      reason: "network error ECONNREFUSED reaching Teams webhook",
    });
  });

  it("finds the code inside an AggregateError cause", () => {
    const error = new TypeError("fetch failed", {
      cause: new AggregateError([Object.assign(new Error("x"), { code: "ETIMEDOUT" })]),
    });
    expect(errorCode(error)).toBe("ETIMEDOUT");
    expect(errorCode(new Error("no code"))).toBeNull();
  });

  it("reports the caller's cancellation, not a network error", async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await postJson({
      url,
      body: {},
      target: "webhook",
      timeoutMs: 1000,
      abortSignal: controller.signal,
      fetch: (_u, init) => Promise.reject(init?.signal?.reason),
    });
    expect(outcome).toMatchObject({
      ok: false,
      retryable: true,
      reason: "post to webhook was cancelled before an answer arrived",
    });
  });

  it("gives up when the injected deadline fires, as when the real one runs out", async () => {
    const given = new AbortController();
    const seen: unknown[] = [];
    const outcome = await postJson({
      url,
      body: { a: 1 },
      target: "webhook",
      timeoutMs: 120_000,
      abortSignal: signal(),
      deadline: (post) => {
        seen.push(post);
        return given.signal;
      },
      fetch: (_u, init) =>
        new Promise((_, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
          given.abort(new DOMException("slow", "TimeoutError"));
        }),
    });
    expect(seen).toEqual([{ url, body: '{"a":1}', timeoutMs: 120_000 }]);
    expect(outcome).toMatchObject({
      ok: false,
      retryable: true,
      status: null,
      reason: "webhook timed out after 120000 ms",
    });
  });

  it("refuses a plain-http URL to a remote host without sending", async () => {
    let called = false;
    const outcome = await postJson({
      url: "http://example.com/hook",
      body: {},
      target: "webhook",
      timeoutMs: 1000,
      abortSignal: signal(),
      fetch: () => {
        called = true;
        return Promise.resolve(new Response(null, { status: 202 }));
      },
    });
    expect(called).toBe(false);
    expect(outcome).toMatchObject({ ok: false, retryable: false, status: null });
    expect(JSON.stringify(outcome)).not.toContain("example.com/hook");
  });

  it("refuses a header that cannot be sent without quoting its value", async () => {
    const outcome = await postJson({
      url,
      body: {},
      headers: { authorization: "Bearer tok\u0000en-value-secret" },
      target: "webhook",
      timeoutMs: 1000,
      abortSignal: signal(),
      fetch: () => Promise.reject(new Error("not reached")),
    });
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(JSON.stringify(outcome)).not.toContain("en-value-secret");
  });

  it("explains a rejection from the body, scrubbed of secrets and URLs", async () => {
    const body = JSON.stringify({
      error: {
        code: "WorkflowTriggerIsNotEnabled",
        message: `The workflow behind ${url} is disabled; sig S1gnatureS1gnatureS1gnature`,
      },
    });
    const outcome = await postJson({
      url,
      body: {},
      target: "Teams webhook",
      timeoutMs: 1000,
      abortSignal: signal(),
      fetch: () =>
        Promise.resolve(
          new Response(body, { status: 404, headers: { "content-type": "application/json" } }),
        ),
    });
    expect(outcome).toEqual({
      ok: false,
      retryable: false,
      status: 404,
      retryAfterMs: null,
      reason:
        "Teams webhook answered 404 Not Found: WorkflowTriggerIsNotEnabled; The workflow behind [redacted] is disabled; sig [redacted]",
    });
  });

  /** A webhook post the receiver rejects with 400 and this JSON body. */
  const rejectedWith = (json: unknown) =>
    postJson({
      url,
      body: {},
      target: "webhook",
      timeoutMs: 1000,
      abortSignal: signal(),
      fetch: () =>
        Promise.resolve(
          new Response(JSON.stringify(json), {
            status: 400,
            headers: { "content-type": "application/json" },
          }),
        ),
    });

  it.each([
    ["error as a list", { error: ["Invalid payload"] }, "Invalid payload"],
    ["error.message as a list", { error: { message: ["a", "b"] } }, "a; b"],
    [
      "error.code beside error.message as a list",
      { error: { code: "BadRequest", message: ["summary too long"] } },
      "BadRequest; summary too long",
    ],
    [
      "message as a list beside error",
      {
        statusCode: 400,
        message: ["title must be text", "severity unknown"],
        error: "Bad Request",
      },
      "title must be text; severity unknown; Bad Request",
    ],
    [
      "a list whose entries are not all text",
      { error: ["Invalid", 7, null, { a: 1 }, " ", "payload"] },
      "Invalid; payload",
    ],
    [
      "a list with control characters",
      { error: ["line one\r\n\tline two\u0007"] },
      "line one line two",
    ],
    ["a list of no text", { error: [7, null] }, '{"error":[7,null]}'],
  ])("explains a rejection whose body gives %s", async (_name, json, reason) => {
    const outcome = await rejectedWith(json);
    expect(outcome).toMatchObject({ reason: `webhook answered 400 Bad Request: ${reason}` });
  });

  it("bounds the reason a long list of texts gives", async () => {
    const json = {
      error: { message: Array.from({ length: 100 }, (_, i) => `field ${i} is wrong`) },
    };
    const outcome = await rejectedWith(json);
    const prefix = "webhook answered 400 Bad Request: ";
    expect(outcome.ok).toBe(false);
    const reason = outcome.ok ? "" : outcome.reason;
    expect(reason.startsWith(`${prefix}field 0 is wrong; field 1 is wrong`)).toBe(true);
    expect(reason.length).toBe(prefix.length + MAX_DETAIL_CHARS);
    expect(reason.endsWith("…")).toBe(true);
  });

  it("leaves a proxy's HTML error page out of the reason", async () => {
    const outcome = await postJson({
      url,
      body: {},
      target: "webhook",
      timeoutMs: 1000,
      abortSignal: signal(),
      fetch: () =>
        Promise.resolve(
          new Response("<html><body>Bad gateway</body></html>", {
            status: 502,
            headers: { "content-type": "text/html" },
          }),
        ),
    });
    expect(outcome).toMatchObject({ reason: "webhook answered 502 Bad Gateway" });
  });
});

describe("sanitiseDetail", () => {
  it("flattens, strips control characters and URLs, and caps the length", () => {
    const detail = sanitiseDetail(
      `line one\r\n\tline two \u0007 see https://other.example/x?token=abc ${"x".repeat(400)}`,
      [],
    );
    expect(detail.startsWith("line one line two see [url] xxx")).toBe(true);
    expect(detail.length).toBe(200);
    expect(detail.endsWith("…")).toBe(true);
  });

  it("scrubs every encoded form of a secret", () => {
    const secrets = secretForms([
      "https://h.example/hooks/AbCdEf0123456789AbCdEf?code=Zz9Yy8Xx7Ww6Vv5Uu4",
      "Bearer tokentokentokentoken",
      "R0utingKeyR0utingKeyR0utingKey12",
    ]);
    const text = [
      "AbCdEf0123456789AbCdEf",
      "Zz9Yy8Xx7Ww6Vv5Uu4",
      "\\/hooks\\/AbCdEf0123456789AbCdEf",
      "%2Fhooks%2FAbCdEf0123456789AbCdEf",
      "tokentokentokentoken",
      "R0utingKeyR0utingKeyR0utingKey12",
    ].join(" ");
    const detail = sanitiseDetail(text, secrets);
    for (const piece of [
      "AbCdEf0123456789AbCdEf",
      "Zz9Yy8Xx7Ww6Vv5Uu4",
      "tokentokentokentoken",
      "R0utingKeyR0utingKey",
    ])
      expect(detail).not.toContain(piece);
  });
});
