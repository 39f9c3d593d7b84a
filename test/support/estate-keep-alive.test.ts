// The estate never closes an idle keep-alive connection itself: a client
// reusing one as the server closed it got "socket hang up", a failed read no
// test injected, whenever a loaded machine spaced two sweeps further apart
// than Node's default keep-alive timeout.

import { createServer } from "node:http";
import { Agent, request } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { API_VERSION } from "./estate/answers.js";
import type { SimulatedEstate } from "./estate/index.js";
import { circuits, estateWith, RG, SUB } from "./estate-sdk.js";

/** One GET of the circuit on `agent`: its status, and whether it went on a socket already open. */
function getCircuit(estate: SimulatedEstate, agent: Agent) {
  return new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
    const req = request(
      `${estate.url}/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Network/expressRouteCircuits/er-a?api-version=${API_VERSION}`,
      {
        agent,
        headers: { authorization: "Bearer estate-token" },
        signal: AbortSignal.timeout(10_000),
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

it("keeps an idle connection open past Node's default keep-alive timeout: the next read reuses it", async () => {
  const estate = await estateWith(circuits("er-a"));
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: estate.ca });
  try {
    expect(await getCircuit(estate, agent)).toEqual({ status: 200, reused: false });
    await sleep(createServer().keepAliveTimeout + 1_000);
    expect(await getCircuit(estate, agent)).toEqual({ status: 200, reused: true });
  } finally {
    agent.destroy();
  }
}, 30_000);
