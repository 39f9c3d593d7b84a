// A receiver that refused a post of an alert asking to be left alone (a bare
// 429's minute, a Retry-After) is posted no event of that alert until the
// pause ends: PagerDuty throttles per integration key, and an escalation 20 s
// behind a throttled open went inside the minute that refused the open. Only
// a PagerDuty resolve's late page waited before; every event of the alert,
// at every kind of receiver, waits now, the others posted at once. On the
// injected clock: no timing luck.

import { describe, expect, it } from "vitest";
import type { InboundMessage } from "../../src/app/dispatch/ports.js";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import type { Routing } from "../../src/core/routing.js";
import { recordingSettlement } from "../support/settlement.js";
import {
  copyOf,
  escalation,
  msg,
  OPEN as OPENED,
  pausedDispatch,
  POLICY,
  RESOLVE,
  signal,
  T0,
  THROTTLED,
} from "../support/paused-dispatch.js";

const OPEN = { ...OPENED, severity: "Sev1" as const, peakSeverity: "Sev1" as const };
const ESCALATE = escalation("2026-11-22T02:30:20.000Z");

const ROUTING: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["x", "other"] }],
  routes: [{ name: "all", match: {}, actionGroups: ["on-call"] }],
};

type Kind = "pagerduty" | "teams" | "webhook";

/** `x` of `kind` answers `answers` to its first posts, then 202; `other` (Teams) takes all. */
function setup(kind: Kind, ...answers: SendOutcome[]) {
  const posts: Record<string, [number, string, boolean][]> = { x: [], other: [] };
  let xPosts = 0;
  const world = pausedDispatch((now) => {
    const receiver = (name: string, k: Kind): Receiver => ({
      name,
      kind: k,
      send: async (e) => {
        const answer: SendOutcome =
          name === "x"
            ? (answers[xPosts++] ?? { ok: true, status: 202 })
            : { ok: true, status: 202 };
        posts[name]!.push([now.t - T0, e.action, answer.ok]);
        return answer;
      },
    });
    return new Map([
      ["x", receiver("x", kind)],
      ["other", receiver("other", "teams")],
    ]);
  }, ROUTING);
  return { ...world, posts };
}

describe.each(["pagerduty", "teams", "webhook"] as const)(
  "a %s receiver that throttled an alert's open",
  (kind) => {
    /** The open refused at T0, the escalation dispatched at T0 + 20 s; both copies back. */
    async function throttledThenEscalated() {
      const world = setup(kind, THROTTLED);
      const open = recordingSettlement(true);
      await world.dispatcher.dispatch(msg(OPEN), open.s, signal());
      expect(open.log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:31:00.000Z"]);
      world.now.t = T0 + 20_000;
      const escalate = recordingSettlement(true);
      const waited = await world.dispatcher.dispatch(msg(ESCALATE), escalate.s, signal());
      return { ...world, open: open.copies[0]!, escalate: escalate.copies[0]!, waited };
    }

    it("is posted nothing of the alert before the refused minute ends; the other receiver is not held up", async () => {
      const { now, dispatcher, posts, lines, open, escalate, waited } =
        await throttledThenEscalated();
      expect(waited).toMatchObject({ settled: "rescheduled", at: "2026-11-22T02:31:00.000Z" });
      expect(posts.other).toEqual([
        [0, "open", true],
        [20_000, "escalate", true],
      ]);
      expect(posts.x).toEqual([[0, "open", false]]);
      expect(lines().join("\n")).toContain(
        "not posted yet: the receiver asked for a pause when it refused an earlier post of this alert",
      );

      now.t = T0 + 60_000;
      expect(
        await dispatcher.dispatch(copyOf(escalate), recordingSettlement().s, signal()),
      ).toMatchObject({ settled: "complete", delivered: ["x"] });
      // The open's own copy, behind the escalation: stale, never posted after it.
      expect(
        await dispatcher.dispatch(copyOf(open), recordingSettlement().s, signal()),
      ).toMatchObject({ settled: "complete", delivered: [] });
      expect(posts.x).toEqual([
        [0, "open", false],
        [60_000, "escalate", true],
      ]);
    });

    it("keeps the order when the open's own copy comes first: the escalation supersedes it", async () => {
      const { now, dispatcher, posts, open, escalate } = await throttledThenEscalated();
      now.t = T0 + 60_000;
      const first = recordingSettlement();
      expect(await dispatcher.dispatch(copyOf(open), first.s, signal())).toMatchObject({
        settled: "complete",
        delivered: [],
      });
      await dispatcher.dispatch(copyOf(escalate), recordingSettlement().s, signal());
      expect(posts.x).toEqual([
        [0, "open", false],
        [60_000, "escalate", true],
      ]);
    });

    it("posts a copy at its retry horizon, inside the pause: its last try, not parked unposted", async () => {
      const { now, dispatcher, posts } = setup(kind, THROTTLED);
      await dispatcher.dispatch(msg(OPEN), recordingSettlement().s, signal());
      now.t = T0 + 20_000;
      // A copy of the escalation whose hour ends at T0 + 40 s, before the pause's end.
      const hourAgo = new Date(T0 + 40_000 - POLICY.horizonMs).toISOString();
      const late: InboundMessage = {
        ...msg({ ...ESCALATE, occurredAt: hourAgo }),
        messageId: "erw-abc-2~r1",
        applicationProperties: {
          erwatchRescheduled: 1,
          erwatchFirstDispatchedAt: hourAgo,
        },
      };
      const cut = recordingSettlement(true);
      expect(await dispatcher.dispatch(late, cut.s, signal())).toMatchObject({
        settled: "rescheduled",
        at: "2026-11-22T02:30:40.000Z",
      });
      now.t = T0 + 40_000;
      expect(
        await dispatcher.dispatch(copyOf(cut.copies[0]!), recordingSettlement().s, signal()),
      ).toMatchObject({ settled: "complete", delivered: ["x"] });
      expect(posts.x).toEqual([
        [0, "open", false],
        [40_000, "escalate", true],
      ]);
    });
  },
);

describe.each(["teams", "webhook"] as const)(
  "a %s receiver that throttled an alert's open",
  (kind) => {
    it("is sent its resolve only after the refused minute, the other receiver at once", async () => {
      const { now, dispatcher, posts } = setup(kind, THROTTLED);
      await dispatcher.dispatch(msg(OPEN), recordingSettlement().s, signal());
      now.t = T0 + 20_000;
      const resolve = recordingSettlement(true);
      expect(await dispatcher.dispatch(msg(RESOLVE), resolve.s, signal())).toMatchObject({
        settled: "rescheduled",
        at: "2026-11-22T02:31:00.000Z",
      });
      expect(posts.other).toEqual([
        [0, "open", true],
        [20_000, "resolve", true],
      ]);
      expect(posts.x).toEqual([[0, "open", false]]);
      now.t = T0 + 60_000;
      await dispatcher.dispatch(copyOf(resolve.copies[0]!), recordingSettlement().s, signal());
      expect(posts.x).toEqual([
        [0, "open", false],
        [60_000, "resolve", true],
      ]);
    });
  },
);
