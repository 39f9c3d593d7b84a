// `erwatch dispatch` runs for days. A broker that restarts, a connection that
// drops or a namespace that stops answering must cost it a new connection,
// not the process: the events wait in Service Bus meanwhile.

import type { ServiceBusClient } from "@azure/service-bus";
import type { Dispatcher } from "../../app/dispatch/dispatcher.js";
import { closeWithin } from "./close-within.js";
import { EventConsumer, type ConsumerOptions } from "./consumer.js";

interface Connected {
  client: ServiceBusClient;
  consumer: EventConsumer;
}

export class ReconnectingConsumer {
  private current: Connected | null = null;

  constructor(
    private readonly connect: () => ServiceBusClient,
    private readonly dispatcher: Dispatcher,
    private readonly options: ConsumerOptions,
  ) {}

  /**
   * One receive and the dispatch of what arrived. A receive that fails drops
   * the connection and rethrows; a batch in which a call missed its deadline
   * drops it once dispatched. Its locked messages come back to the next
   * receiver. A sender's client given up while connecting is known to wedge
   * (deadline.ts); a receiver's has not been seen to, but a connection whose
   * calls failed is not trusted with the next ones: a fresh one costs a
   * handshake.
   */
  async drainOnce(signal: AbortSignal): Promise<number> {
    const current = (this.current ??= this.open());
    try {
      return await current.consumer.drainOnce(signal);
    } catch (error) {
      this.drop(current);
      throw error;
    } finally {
      if (current.consumer.wedged) this.drop(current);
    }
  }

  private open(): Connected {
    const client = this.connect();
    return { client, consumer: new EventConsumer(client, this.dispatcher, this.options) };
  }

  /** Not awaited: closing a client whose peer answers nothing must not hold the next connection. */
  private drop(connected: Connected): void {
    if (this.current !== connected) return;
    this.current = null;
    void connected.client.close().catch(() => undefined);
  }

  /** Closes the connection, waiting at most SERVICEBUS_TIMEOUT_MS for a broker that may not answer. */
  async close(): Promise<void> {
    const connected = this.current;
    this.current = null;
    if (connected) await closeWithin(connected.client.close(), this.options.timeoutMs);
  }
}
