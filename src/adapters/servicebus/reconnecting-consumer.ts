// `erwatch dispatch` runs for days. A broker that restarts, a connection that
// drops or a namespace that stops answering must cost it a new connection,
// not the process: the events wait in Service Bus meanwhile.

import type { ServiceBusClient } from "@azure/service-bus";
import type { Dispatcher } from "../../app/dispatch/dispatcher.js";
import { closeWithin } from "./close-within.js";
import { EventConsumer, MAX_IN_FLIGHT, type ConsumerOptions } from "./consumer.js";
import { DispatchFlow } from "./flow.js";

interface Connected {
  client: ServiceBusClient;
  consumer: EventConsumer;
}

export class ReconnectingConsumer {
  private current: Connected | null = null;
  /** One for every connection: the bound on messages held, and each alert's turn, outlive a reconnect. */
  private readonly flow: DispatchFlow;

  constructor(
    private readonly connect: () => ServiceBusClient,
    private readonly dispatcher: Dispatcher,
    private readonly options: ConsumerOptions,
  ) {
    this.flow = new DispatchFlow(options.maxInFlight ?? MAX_IN_FLIGHT);
  }

  /**
   * One receive; what arrived is being dispatched when it returns (see
   * EventConsumer.receive). A receive that fails drops the connection and
   * rethrows; a connection on which a call missed its deadline (a receive,
   * or a settlement of a message dispatched meanwhile) is dropped before the
   * next receive. Its locked messages come back to the next receiver. A
   * sender's client given up while connecting is known to wedge
   * (deadline.ts); a receiver's has not been seen to, but a connection whose
   * calls failed is not trusted with the next ones: a fresh one costs a
   * handshake.
   */
  async receive(signal: AbortSignal): Promise<number> {
    if (this.current?.consumer.wedged) this.drop(this.current);
    const current = (this.current ??= this.open());
    try {
      return await current.consumer.receive(signal);
    } catch (error) {
      this.drop(current);
      throw error;
    } finally {
      if (current.consumer.wedged) this.drop(current);
    }
  }

  /** Resolves once every message taken is settled; how many were settled since it last resolved. */
  settled(): Promise<number> {
    return this.flow.settled();
  }

  private open(): Connected {
    const client = this.connect();
    const consumer = new EventConsumer(client, this.dispatcher, this.options, this.flow);
    return { client, consumer };
  }

  /**
   * Not awaited: closing a client whose peer answers nothing must not hold the
   * next connection. Its messages still being dispatched are settled on it
   * first (or fail to be, within SERVICEBUS_TIMEOUT_MS): closed under them,
   * each would come back only when its lock ran out.
   */
  private drop(connected: Connected): void {
    if (this.current !== connected) return;
    this.current = null;
    void connected.consumer
      .settled()
      .then(() => connected.client.close())
      .catch(() => undefined);
  }

  /**
   * Closes the connection once every message taken is settled, waiting at
   * most SERVICEBUS_TIMEOUT_MS for a broker that may not answer.
   */
  async close(): Promise<void> {
    await this.flow.settled();
    const connected = this.current;
    this.current = null;
    if (connected)
      await closeWithin(connected.client.close(), this.options.timeoutMs, this.options.time);
  }
}
