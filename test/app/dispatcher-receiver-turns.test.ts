// One process dispatching an alert's events side by side (`erwatch
// dispatch`) asks the dispatcher to keep them in the order it took them. A resolve taken
// while its open is still posting to PagerDuty waits there for the open, then
// follows it, in the same delivery: before, it found the receiver's lease
// busy and was rescheduled up to DISPATCH_RETRY_MAX_WAIT_MS later, leaving
// the incident triggered that long after the alert was over.

import { expect, it } from "vitest";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { DeliveryLog } from "../../src/app/dispatch/ports.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import type { Routing } from "../../src/core/routing.js";
import { event, RETRY } from "../support/dispatch-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:00:00Z");
const OPEN = event();
const RESOLVE = event({ id: "erw-abc-2", sequence: 2, action: "resolve" });
/** PagerDuty hears opens only; the resolve reaches it only because it heard the open. */
const OPENS_ONLY: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd"] }],
  routes: [{ name: "opens", match: { actions: ["open"] }, actionGroups: ["on-call"] }],
};

const ticks = async (n: number) => {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

// Taken while the open's claim is still being written (the resolve's reads
// find PagerDuty sent nothing: closing the alert there waits for the open's
// turn, or the open would be dropped as stale and PagerDuty never hear it),
// or once the open posts (the reads find it sent: the resolve goes there).
for (const taken of ["while the open is claimed", "once the open posts"] as const) {
  it(`a resolve taken ${taken} waits its turn at the receiver and follows it`, async () => {
    const heard: string[] = [];
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const pd: Receiver = {
      name: "pd",
      kind: "pagerduty",
      send: async (e) => {
        // The open's post is slow: the resolve's reads all happen meanwhile.
        if (e.action === "open") await answered;
        heard.push(e.action);
        return { ok: true, status: 202 };
      },
    };
    const log = new MemoryDeliveries(() => NOW);
    let claimed!: () => void;
    const claimWritten = new Promise<void>((resolve) => (claimed = resolve));
    const deliveries: DeliveryLog = {
      claim: async (...a) => {
        if (taken === "while the open is claimed" && a[1] === OPEN.id) await claimWritten;
        return log.claim(...a);
      },
      delivered: (...a) => log.delivered(...a),
      release: (...a) => log.release(...a),
      lastSequence: (...a) => log.lastSequence(...a),
      lease: (...a) => log.lease(...a),
      unlease: (...a) => log.unlease(...a),
      attempted: (...a) => log.attempted(...a),
    };
    const dispatcher = createDispatcher({
      receivers: new Map([["pd", pd]]),
      routing: OPENS_ONLY,
      deliveries,
      retry: RETRY,
      logger: memoryLogger().logger,
      now: () => NOW,
      sleep: async () => undefined,
    });
    const signal = AbortSignal.timeout(10_000);
    const open = recordingSettlement();
    const resolve = recordingSettlement();
    const openDone = dispatcher.dispatch(
      { messageId: OPEN.id, body: OPEN, deliveryCount: 1 },
      open.s,
      signal,
      true,
    );
    if (taken === "once the open posts") await ticks(20);
    const resolveDone = dispatcher.dispatch(
      { messageId: RESOLVE.id, body: RESOLVE, deliveryCount: 1 },
      resolve.s,
      signal,
      true,
    );
    await ticks(20);
    claimed();
    await ticks(20);
    answer();
    await Promise.all([openDone, resolveDone]);
    expect(heard).toEqual(["open", "resolve"]);
    expect(open.log).toEqual(["complete"]);
    expect(resolve.log).toEqual(["complete"]);
  });
}
