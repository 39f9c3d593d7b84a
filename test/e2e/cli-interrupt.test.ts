// Ctrl-C while Table Storage accepts the connection and never answers: the
// storage-only commands stop at once and say so, exit 130. They waited for
// STORAGE_TIMEOUT_MS (or the process's 2 s forced exit), printing nothing.

import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";

let server: Server;
let port = 0;
const sockets: Socket[] = [];
beforeAll(async () => {
  server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

it.each([[["alerts"]], [["silence", "list"]], [["silence", "expire", "s-1"]]])(
  "%j stops at Ctrl-C, exit 130, saying so",
  async (argv) => {
    const stop = new AbortController();
    let stderr = "";
    const started = Date.now();
    const ran = runCli(argv, {
      env: {
        ERWATCH_STORAGE: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
        STORAGE_TIMEOUT_MS: "60000",
      },
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      signal: stop.signal,
    });
    setTimeout(() => stop.abort(), 300);
    const code = await Promise.race([
      ran,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("still running 10 s after Ctrl-C")), 10_000),
      ),
    ]);
    expect(code).toBe(130);
    expect(stderr).toContain("erwatch: interrupted");
    expect(Date.now() - started).toBeLessThan(10_000);
  },
  20_000,
);
