// An EventSink that keeps what it was given, and can be told to fail like a
// broker that is down.

import type { AlertEvent } from "../../src/core/alert-event.js";
import type { EventSink } from "../../src/app/state-store.js";

export class InMemoryEventSink implements EventSink {
  readonly published: AlertEvent[] = [];
  failWith: Error | null = null;
  async publish(events: AlertEvent[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(...events);
  }
}
