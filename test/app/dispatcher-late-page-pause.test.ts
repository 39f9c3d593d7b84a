// PagerDuty throttles each integration key per minute: a page it refused with
// a 429 (Retry-After or none) must not be posted there again inside the pause
// it asked for. The late page a resolve posts first (core/late-page.ts) came
// from the resolve's message, which knew nothing of the pause the open's own
// rescheduled copy carried: a resolve 20 s behind a throttled open posted the
// page inside the minute that refused it. The pause is kept with the alert's
// posting lease, and the resolve waits it out, page and resolve together.
// On the injected clock: no timing luck.

import { describe, expect, it } from "vitest";
import type { Receiver, SendOutcome } from "../../src/app/dispatch/receiver.js";
import { buildPagerDutyEvent } from "../../src/adapters/receivers/pagerduty/payload.js";
import type { Routing } from "../../src/core/routing.js";
import { recordingSettlement } from "../support/settlement.js";
import {
  copyOf,
  escalation,
  msg,
  OPEN,
  pausedDispatch,
  RESOLVE,
  signal,
  T0,
  THROTTLED,
} from "../support/paused-dispatch.js";

const ESCALATE = escalation("2026-11-22T02:30:05.000Z");
const RESOLVE3 = { ...RESOLVE, id: "erw-abc-3", sequence: 3 };

const ROUTING: Routing = {
  actionGroups: [{ name: "on-call", receivers: ["pd", "teams"] }],
  routes: [{ name: "page", match: {}, actionGroups: ["on-call"] }],
};

/** `answers`: PagerDuty's answers to its first posts, in order; 202 after them. */
function setup(...answers: SendOutcome[]) {
  /** What PagerDuty was posted, when, and whether it took it. */
  const pd: { at: number; action: string; summary: string; taken: boolean }[] = [];
  const teams: string[] = [];
  let posts = 0;
  const world = pausedDispatch(
    (now) =>
      new Map<string, Receiver>([
        [
          "pd",
          {
            name: "pd",
            kind: "pagerduty",
            send: async (e) => {
              const body = buildPagerDutyEvent(e, "routing-key");
              const answer: SendOutcome = answers[posts++] ?? { ok: true, status: 202 };
              pd.push({
                at: now.t,
                action: body.event_action,
                summary: "payload" in body ? body.payload.summary : "",
                taken: answer.ok,
              });
              return answer;
            },
          },
        ],
        [
          "teams",
          {
            name: "teams",
            kind: "teams",
            send: async (e) => (teams.push(e.action), { ok: true, status: 202 }),
          },
        ],
      ]),
    ROUTING,
  );
  return { ...world, pd, teams };
}

describe("a resolve behind a page PagerDuty throttled", () => {
  it("posts nothing to PagerDuty inside the refused minute, then the late page and the resolve", async () => {
    const { now, dispatcher, pd, teams, lines } = setup(THROTTLED);
    const open = recordingSettlement(true);
    await dispatcher.dispatch(msg(OPEN), open.s, signal());
    expect(open.log).toEqual(["reschedule erw-abc-1~r1 at 2026-11-22T02:31:00.000Z"]);

    now.t = T0 + 20_000;
    const resolve = recordingSettlement(true);
    const waited = await dispatcher.dispatch(msg(RESOLVE), resolve.s, signal());
    // Teams hears the resolve now; PagerDuty's page and resolve wait for the minute's end.
    expect(waited).toMatchObject({ settled: "rescheduled", at: "2026-11-22T02:31:00.000Z" });
    expect(teams).toEqual(["open", "resolve"]);
    expect(pd.map((p) => p.action)).toEqual(["trigger"]);
    expect(lines().join("\n")).toContain("the late page waits out the pause PagerDuty asked for");

    now.t = T0 + 60_000;
    const late = await dispatcher.dispatch(
      copyOf(resolve.copies[0]!),
      recordingSettlement().s,
      signal(),
    );
    expect(late).toMatchObject({ settled: "complete", delivered: ["pd"] });
    // The open's own copy comes due too: PagerDuty has its page already.
    const openCopy = await dispatcher.dispatch(
      copyOf(open.copies[0]!),
      recordingSettlement().s,
      signal(),
    );
    expect(openCopy).toMatchObject({ settled: "complete", delivered: [] });

    // Refused at T0; nothing posted before T0 + 60 s; then page, then resolve.
    expect(pd.map((p) => [p.at - T0, p.action, p.taken])).toEqual([
      [0, "trigger", false],
      [60_000, "trigger", true],
      [60_000, "resolve", true],
    ]);
    expect(pd[1]!.summary).toContain("LATE, already resolved");
  });

  it("keeps a stated Retry-After too, and the open's own copy pages first when it comes first", async () => {
    const { now, dispatcher, pd } = setup({ ...THROTTLED, retryAfterMs: 90_000 });
    const open = recordingSettlement(true);
    await dispatcher.dispatch(msg(OPEN), open.s, signal());

    now.t = T0 + 20_000;
    const resolve = recordingSettlement(true);
    expect(await dispatcher.dispatch(msg(RESOLVE), resolve.s, signal())).toMatchObject({
      settled: "rescheduled",
      at: "2026-11-22T02:31:30.000Z",
    });
    // A copy of the resolve arriving early (a redelivery) still posts nothing there.
    now.t = T0 + 60_000;
    expect(
      await dispatcher.dispatch(msg(RESOLVE), recordingSettlement().s, signal()),
    ).toMatchObject({ settled: "rescheduled", at: "2026-11-22T02:31:30.000Z" });
    expect(pd).toHaveLength(1);

    now.t = T0 + 90_000;
    await dispatcher.dispatch(copyOf(open.copies[0]!), recordingSettlement().s, signal());
    await dispatcher.dispatch(copyOf(resolve.copies[0]!), recordingSettlement().s, signal());
    // The open went itself, so no late page: trigger, then resolve, after the pause.
    expect(pd.map((p) => [p.at - T0, p.action, p.taken])).toEqual([
      [0, "trigger", false],
      [90_000, "trigger", true],
      [90_000, "resolve", true],
    ]);
    expect(pd[1]!.summary).not.toContain("LATE");
  });

  it("posts the resolve at once when PagerDuty took the open", async () => {
    const { now, dispatcher, pd } = setup({ ok: true, status: 202 });
    await dispatcher.dispatch(msg(OPEN), recordingSettlement().s, signal());
    now.t = T0 + 20_000;
    expect(
      await dispatcher.dispatch(msg(RESOLVE), recordingSettlement().s, signal()),
    ).toMatchObject({ settled: "complete", delivered: ["pd", "teams"] });
    expect(pd.map((p) => [p.at - T0, p.action])).toEqual([
      [0, "trigger"],
      [20_000, "resolve"],
    ]);
  });
  it("holds the late update (an escalation PagerDuty throttled) until the refused minute ends", async () => {
    const { now, dispatcher, pd } = setup({ ok: true, status: 202 }, THROTTLED);
    await dispatcher.dispatch(msg(OPEN), recordingSettlement().s, signal());
    now.t = T0 + 5_000;
    await dispatcher.dispatch(msg(ESCALATE), recordingSettlement().s, signal());
    now.t = T0 + 25_000;
    const resolve = recordingSettlement(true);
    expect(await dispatcher.dispatch(msg(RESOLVE3), resolve.s, signal())).toMatchObject({
      settled: "rescheduled",
      at: "2026-11-22T02:31:05.000Z",
    });
    now.t = T0 + 65_000;
    await dispatcher.dispatch(copyOf(resolve.copies[0]!), recordingSettlement().s, signal());
    expect(pd.map((p) => [p.at - T0, p.action, p.taken])).toEqual([
      [0, "trigger", true],
      [5_000, "trigger", false],
      [65_000, "trigger", true],
      [65_000, "resolve", true],
    ]);
    expect(pd[2]!.summary).toContain("LATE, already resolved");
  });
});
