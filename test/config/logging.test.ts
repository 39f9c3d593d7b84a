import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import pino from "pino";
import { addSecrets, createLogger, healthLine } from "../../src/logging.js";
import { runtimeLogger } from "../../src/runtime/common.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { destination, lines };
}

describe("logging", () => {
  const secret =
    "https://prod-00.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=S3cr3tSig";
  const key =
    "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=AbCdEf0123456789==";

  it("should redact registered secrets wherever they appear, and secret-named fields", () => {
    const { destination, lines } = capture();
    const log = createLogger({ destination, secrets: [secret, key], level: "trace" });
    const child = log.child({ sweepId: "sweep-1", circuitId: "/subscriptions/s/x/er1" });
    child.info(
      { receiver: { name: "noc", url: "https://example.invalid/hook" } },
      `posting to ${secret}`,
    );
    child.error({ err: new Error(`connect failed for ${key}`) }, "publish failed");
    child.warn({ detail: { routingKey: "R0utingKey123456" } }, "pd");
    child.info({ nested: JSON.stringify({ u: secret }) }, "escaped");
    const all = lines.join("");
    expect(all).not.toContain("S3cr3tSig");
    expect(all).not.toContain("AbCdEf0123456789");
    expect(all).not.toContain("R0utingKey123456");
    expect(all).not.toContain("example.invalid");
    expect(all).toContain("[REDACTED]");
  });

  it("should scrub a signature or a key that shows up without the rest of its secret", () => {
    const { destination, lines } = capture();
    const log = createLogger({ destination, secrets: [secret, key] });
    log.warn("upstream said: sig S3cr3tSig is invalid");
    log.warn("amqp: key AbCdEf0123456789== rejected");
    log.warn({ hint: encodeURIComponent("AbCdEf0123456789==") }, "encoded");
    const all = lines.join("");
    expect(all).not.toContain("S3cr3tSig");
    expect(all).not.toContain("AbCdEf0123456789");
    expect(all).toContain("invalid");
  });

  it("a logger made before the settings were read (the CLI's) scrubs their secrets once a runtime is built on it", () => {
    const { destination, lines } = capture();
    const log = createLogger({ destination, level: "trace" });
    const child = log.child({ command: "alerts" });
    // Nested deeper than the redact paths reach: only the scrub by value catches it.
    child.error({ err: { request: { url: secret } } }, "before");
    expect(lines.join("")).toContain("S3cr3tSig");
    lines.length = 0;
    expect(runtimeLogger("info", [secret, key], { logger: log })).toBe(log);
    child.error({ err: { request: { url: secret } } }, "after");
    log.warn(`connect failed for ${key}`);
    const after = lines.join("");
    expect(after).not.toContain("S3cr3tSig");
    expect(after).not.toContain("AbCdEf0123456789");
    expect(after).toContain("[REDACTED]");
  });

  it("a logger that cannot scrub is refused, not handed secrets it would print", () => {
    const foreign = pino({ level: "info" }, capture().destination);
    expect(() => runtimeLogger("info", [secret], { logger: foreign })).toThrow(
      /not made by createLogger/,
    );
    expect(() => addSecrets(foreign, [secret])).toThrow(/cannot scrub/);
  });

  it("should write JSON lines carrying the sweep and circuit ids", () => {
    const { destination, lines } = capture();
    createLogger({ destination })
      .child({ sweepId: "sweep-7", circuitId: "c-1" })
      .info("read circuit");
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(line).toMatchObject({
      sweepId: "sweep-7",
      circuitId: "c-1",
      msg: "read circuit",
      service: "erwatch",
    });
    expect(typeof line.time).toBe("string");
  });
});

describe("the lines health alerts count, at any LOG_LEVEL under the Functions host", () => {
  const levels = ["warn", "error", "fatal", "silent"] as const;

  it.each(levels)(
    "LOG_LEVEL=%s: a health line is written at its level, other info lines are not",
    (level) => {
      const { destination, lines } = capture();
      const log = createLogger({ destination, level, healthLines: true }).child({ sweepId: "s1" });
      log.info("sweep started");
      healthLine(log).info({ scope: "estate" }, "sweep finished");
      healthLine(log).warn("could not publish 1 alert event(s)");
      const written = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(written).toEqual([
        expect.objectContaining({
          level: 30,
          msg: "sweep finished",
          sweepId: "s1",
          scope: "estate",
        }),
        expect.objectContaining({ level: 40, msg: "could not publish 1 alert event(s)" }),
      ]);
      // What the child writes afterwards still follows LOG_LEVEL.
      log.info("later");
      expect(lines).toHaveLength(2);
    },
  );

  it("a logger not made for the host (the CLI's) keeps its level for them too", () => {
    const { destination, lines } = capture();
    const log = createLogger({ destination, level: "warn" });
    healthLine(log).info("sweep finished");
    expect(lines).toEqual([]);
  });

  it("at info or below the line is written once, by the logger itself", () => {
    const { destination, lines } = capture();
    const log = createLogger({ destination, level: "debug", healthLines: true });
    expect(healthLine(log)).toBe(log);
    healthLine(log).info("sweep finished");
    expect(lines).toHaveLength(1);
  });

  it("runtimeLogger marks the logger when the host asks, and secrets are still scrubbed", () => {
    const { destination, lines } = capture();
    const log = runtimeLogger("error", ["S3cr3tValue"], {
      logDestination: destination,
      healthLines: true,
    });
    healthLine(log.child({ circuitId: "c1" })).info({ note: "S3cr3tValue" }, "work done");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("S3cr3tValue");
  });
});
