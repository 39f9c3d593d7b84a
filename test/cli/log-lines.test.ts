// The CLI's log lines on an engineer's stderr: the sentence, its error's first
// line and its fields, one line each; the stack only at debug. It printed
// pino's JSON, whole stack traces and Azure's raw error bodies included.

import { describe, expect, it } from "vitest";
import { humanLine, humanLogDestination } from "../../src/cli/log-lines.js";
import { createLogger } from "../../src/logging.js";

const err = {
  type: "StateStoreError",
  message:
    'listing table erwatchHistory failed: 404 TableNotFound\n{"odata.error":{"code":"TableNotFound"}}',
  stack: "StateStoreError: listing table erwatchHistory failed\n    at list (state-store.ts:12:3)",
};

describe("humanLine", () => {
  it.each([
    {
      what: "a warning with an error: its first line, no stack",
      record: {
        level: 40,
        msg: "a part of the status could not be read; left out",
        err,
        part: "recent changes",
      },
      stacks: false,
      text: "erwatch: warning: a part of the status could not be read; left out: listing table erwatchHistory failed: 404 TableNotFound (part=recent changes)",
    },
    {
      what: "fields that are lists, as JSON",
      record: {
        level: 50,
        msg: "the dispatcher's settings are invalid",
        problems: ["A: x", "B: y"],
      },
      stacks: false,
      text: 'erwatch: error: the dispatcher\'s settings are invalid (problems=["A: x","B: y"])',
    },
    {
      what: "the bookkeeping left out",
      record: {
        level: 30,
        time: "2026-11-22T02:00:00Z",
        pid: 7,
        hostname: "h",
        service: "erwatch",
        msg: "sweep finished",
        circuits: 3,
      },
      stacks: false,
      text: "erwatch: info: sweep finished (circuits=3)",
    },
    {
      what: "control characters from Azure shown, not obeyed",
      record: { level: 40, msg: "odd \u001b[2J name", circuit: "er\u202e1" },
      stacks: false,
      text: "erwatch: warning: odd \\x1b[2J name (circuit=er\\u202e1)",
    },
  ])("$what", ({ record, stacks, text }) => {
    expect(humanLine(JSON.stringify(record), { stacks })).toBe(text);
  });

  it("adds the stack, indented, at debug", () => {
    const text = humanLine(JSON.stringify({ level: 50, msg: "erwatch failed", err }), {
      stacks: true,
    });
    expect(text.split("\n")).toEqual([
      "erwatch: error: erwatch failed: listing table erwatchHistory failed: 404 TableNotFound",
      "    StateStoreError: listing table erwatchHistory failed",
      "        at list (state-store.ts:12:3)",
    ]);
  });

  it("passes a line that is not JSON through", () => {
    expect(humanLine("plain text\n", { stacks: false })).toBe("plain text");
  });

  it("a logger writing through it still scrubs secrets, one line per record", () => {
    const out: string[] = [];
    const secret = "Endpoint=sb://ns/;SharedAccessKeyName=k;SharedAccessKey=S3cr3tKey==";
    const log = createLogger({
      level: "warn",
      secrets: [secret],
      destination: humanLogDestination((t) => out.push(t), { stacks: false }),
    });
    log.warn({ err: new Error(`could not connect with ${secret}`) }, "Service Bus failed");
    expect(out).toEqual([
      "erwatch: warning: Service Bus failed: could not connect with [REDACTED]\n",
    ]);
  });
});
