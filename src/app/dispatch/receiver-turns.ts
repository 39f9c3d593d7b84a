// One process dispatching an alert's events side by side (`erwatch dispatch`)
// must keep them in order at each receiver, and only there. A turn per whole
// event made the same alert's PagerDuty escalation wait out Teams' Retry-After
// on the open before it (minutes, at 2 a.m.); a turn per (alert, receiver)
// lets it page while Teams waits, and Teams still hears open then escalate.
// Turns are taken in the order events are taken from Service Bus, before
// anything is awaited: the delivery log's lease would keep them apart anyway,
// but the later event would find it busy and be rescheduled a minute or more.

/** One event's place at each receiver of its alert. */
export interface Turn {
  /** Resolves once every earlier event of the alert is done with `receiver`. */
  wait(receiver: string): Promise<void>;
  /** This event is done with `receiver`: the next one's turn there may begin. Idempotent. */
  done(receiver: string): void;
  /** Done with every receiver left. */
  doneAll(): void;
}

/** No ordering: each receiver's lease alone keeps one event at a time (the Functions host, whose invocations each have their own budget). */
export const NO_TURN: Turn = {
  wait: () => Promise.resolve(),
  done: () => undefined,
  doneAll: () => undefined,
};

export class ReceiverTurns {
  /** The turn the next event of an alert at a receiver waits for, while one is held. */
  private readonly tails = new Map<string, Promise<void>>();

  /** How many (alert, receiver) places are held now; 0 once every event is done. */
  get size(): number {
    return this.tails.size;
  }

  /** Takes, now, this event's place at each of `receivers` behind the earlier events of alert `key`. */
  take(key: string, receivers: Iterable<string>): Turn {
    const mine = new Map<string, { before: Promise<void>; end: () => void }>();
    for (const receiver of receivers) {
      const place = JSON.stringify([key, receiver]);
      const before = this.tails.get(place) ?? Promise.resolve();
      let end = () => undefined as void;
      const ended = new Promise<void>((resolve) => (end = resolve));
      // Over only when this event is done and every one before it is: done()
      // called early (a receiver the event is not routed to) must not let the
      // next event past one still posting.
      const tail = Promise.all([before, ended]).then(() => undefined);
      this.tails.set(place, tail);
      void tail.then(() => {
        if (this.tails.get(place) === tail) this.tails.delete(place);
      });
      mine.set(receiver, { before, end });
    }
    return {
      wait: (receiver) => mine.get(receiver)?.before ?? Promise.resolve(),
      done: (receiver) => mine.get(receiver)?.end(),
      doneAll: () => {
        for (const { end } of mine.values()) end();
      },
    };
  }
}
