// What the two delivery soaks (delivery.soak.test.ts, delivery-storage.soak.test.ts)
// do between sweeps: tell each receiver how to answer at this minute, drain the
// alerts queue now and whenever a rescheduled copy comes due before the next
// sweep (moving the simulated clock to it), and record what the broker took and
// parked and what each receiver was posted.

import type { AlertEvent } from "../../src/core/alert-event.js";
import { ALERTS_QUEUE, type World } from "../support/world.js";
import {
  answerFor,
  RECEIVERS,
  troubleAt,
  type Parked,
  type Post,
  type Published,
  type ReceiverName,
  type Trouble,
} from "./delivery-model.js";

export interface DeliveryRounds {
  posts: Record<ReceiverName, Post[]>;
  published: Published[];
  parked: Parked[];
  /** Records what is new since the last look. */
  look(): void;
  /** Drains now, then at each copy's due time before `until` (ms). */
  drainUntil(until: number): Promise<void>;
}

export function deliveryRounds(options: {
  world: World;
  receiverOf: Record<ReceiverName, World["pagerduty"]>;
  troubles: readonly Trouble[];
  /** The simulated clock the world reads, and a way to move it. */
  clock: { now(): Date; set(at: Date): void; minute(): number };
  /** Dispatches what the broker holds. */
  drain(): Promise<void>;
  /** Counts rescheduled copies the broker took. */
  tally: { copies: number };
  maxSteps: number;
}): DeliveryRounds {
  const { world: w, receiverOf, troubles, clock, tally } = options;
  const posts: Record<ReceiverName, Post[]> = { pagerduty: [], teams: [], itsm: [] };
  const published: Published[] = [];
  const parked: Parked[] = [];
  let acceptedSeen = 0;
  /** Dead letters already looked at, by message id: the queue keeps sequence order, so a new one may land before them. */
  const parkedSeen = new Set<string>();

  /** Each receiver answers as the plan says at this minute. */
  const behave = () => {
    for (const r of RECEIVERS) {
      const t = troubleAt(troubles, r, clock.minute());
      if (t === null) receiverOf[r].respondWith(202);
      else {
        const { status, ...rest } = answerFor(t, clock.now().getTime());
        receiverOf[r].respondWith(status ?? 202, rest);
      }
    }
  };
  const look = () => {
    const minute = clock.minute();
    for (const r of RECEIVERS) {
      const requests = receiverOf[r].requests;
      const t = troubleAt(troubles, r, minute);
      for (let i = posts[r].length; i < requests.length; i += 1)
        posts[r].push({ minute, status: undefined, body: requests[i]!.body, trouble: t });
    }
    const accepted = w.broker.accepted(ALERTS_QUEUE);
    for (const m of accepted.slice(acceptedSeen)) {
      if (String(m.messageId).includes("~r")) tally.copies += 1;
      else published.push({ event: m.body as AlertEvent, minute });
    }
    acceptedSeen = accepted.length;
    for (const m of w.broker.deadLettered(ALERTS_QUEUE)) {
      if (parkedSeen.has(String(m.messageId))) continue;
      parkedSeen.add(String(m.messageId));
      parked.push({
        minute,
        event: m.body as AlertEvent,
        reason: m.deadLetterReason ?? "",
        description: m.deadLetterErrorDescription ?? "",
      });
    }
  };
  const drainUntil = async (until: number) => {
    for (let step = 0; ; step += 1) {
      if (step > options.maxSteps)
        throw new Error(`more than ${options.maxSteps} drains before ${until}`);
      behave();
      await options.drain();
      look();
      const due = w.broker
        .scheduled(ALERTS_QUEUE)
        .map((m) => m.scheduledFor.getTime())
        .filter((t) => t < until);
      if (due.length === 0) return;
      clock.set(new Date(Math.max(clock.now().getTime(), Math.min(...due))));
    }
  };
  return { posts, published, parked, look, drainUntil };
}
