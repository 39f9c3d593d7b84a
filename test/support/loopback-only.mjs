// Tests talk only to 127.0.0.1 / ::1. Loaded into every test worker (vitest
// setupFiles) and into the erwatch processes tests spawn (node --import), it
// refuses any TCP connection elsewhere, before DNS, so a default endpoint that
// slipped into a test (a real Azure host) fails loudly instead of reaching out.
import net from "node:net";
import { appendFileSync } from "node:fs";
import process from "node:process";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);

function targetOf(args) {
  const first = args[0];
  if (Array.isArray(first)) return targetOf(first);
  if (first !== null && typeof first === "object") return { host: first.host, path: first.path };
  return { host: typeof args[1] === "string" ? args[1] : undefined, path: undefined };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const { host, path } = targetOf(args);
  if (path === undefined && host !== undefined && !LOOPBACK.has(String(host).toLowerCase())) {
    const error = new Error(`tests talk only to loopback; refused a connection to ${host}`);
    // Written down for the run's teardown: a refusal a test swallowed still fails the suite.
    if (process.env.LOOPBACK_REFUSALS) appendFileSync(process.env.LOOPBACK_REFUSALS, `${host}\n`);
    error.code = "ELOOPBACKONLY";
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};
