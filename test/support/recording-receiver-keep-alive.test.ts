// The recording receiver never closes an idle keep-alive connection itself,
// as the estate does not (estate-keep-alive.test.ts): a dispatcher reusing one
// as the receiver closed it got "socket hang up", a failed post no test
// scripted, whenever a loaded machine spaced two posts further apart than
// Node's default keep-alive timeout.

import { Agent, createServer, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { startRecordingReceiver, type RecordingReceiver } from "./recording-receiver.js";

/** One POST to the receiver on `agent`: its status, and whether it went on a socket already open. */
function post(receiver: RecordingReceiver, agent: Agent) {
  return new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
    const req = request(
      `${receiver.url}/hook`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
        signal: AbortSignal.timeout(10_000),
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ text: "page" }));
  });
}

it("keeps an idle connection open past Node's default keep-alive timeout: the next post reuses it", async () => {
  const receiver = await startRecordingReceiver();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    expect(await post(receiver, agent)).toEqual({ status: 202, reused: false });
    await sleep(createServer().keepAliveTimeout + 1_000);
    expect(await post(receiver, agent)).toEqual({ status: 202, reused: true });
    expect(receiver.requests).toHaveLength(2);
  } finally {
    agent.destroy();
    await receiver.close();
  }
}, 30_000);
