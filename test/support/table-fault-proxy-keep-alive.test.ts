// The table fault proxy never closes an idle keep-alive connection itself, as
// the estate and the recording receiver do not: the Azure SDK reuses its
// sockets, and one closed as it was reused is a reset no test injected. Its
// own answers give no Keep-Alive hint, so no client keeps a socket to it
// past the test on the proxy's word.

import { Agent, createServer, request, type Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { startTableFaultProxy, type TableFaultProxy } from "./table-fault-proxy.js";

/** One GET of a table through the proxy on `agent`: its status, Keep-Alive header, and socket reuse. */
function get(proxy: TableFaultProxy, agent: Agent) {
  return new Promise<{ status: number; keepAlive: string | undefined; reused: boolean }>(
    (resolve, reject) => {
      const req = request(
        `http://127.0.0.1:${proxy.port}/devstoreaccount1/alerts()`,
        { agent, signal: AbortSignal.timeout(10_000) },
        (res) => {
          res.resume();
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              keepAlive: res.headers["keep-alive"]?.toString(),
              reused: req.reusedSocket,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    },
  );
}

it("keeps an idle connection open past Node's default keep-alive timeout, and its own answers hint no keep-alive time", async () => {
  // A loopback table service in Azurite's place: the proxy only forwards to it.
  const table: Server = createServer((_req, res) => res.end("{}"));
  table.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => table.listen(0, "127.0.0.1", resolve));
  const address = table.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const proxy = await startTableFaultProxy({
    port,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    expect(await get(proxy, agent)).toEqual({ status: 200, keepAlive: undefined, reused: false });
    await sleep(createServer().keepAliveTimeout + 1_000);
    proxy.rule = () => ({ kind: "status", status: 503, code: "ServerBusy" });
    expect(await get(proxy, agent)).toEqual({ status: 503, keepAlive: undefined, reused: true });
    expect(proxy.take()).toHaveLength(1);
  } finally {
    agent.destroy();
    await proxy.close();
    table.closeAllConnections();
    await new Promise<void>((resolve) => table.close(() => resolve()));
  }
}, 30_000);
