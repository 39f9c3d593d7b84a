// Every send to Service Bus has a deadline, the SDK's own retries included.
// Left to its defaults the SDK waits 60 s for each attempt and 30 s between
// four of them: a broker that stops answering (a black-holed network, a
// namespace that hangs) would hold a sweep five minutes past its interval,
// into the next tick and the host's functionTimeout, with its decisions made
// and nothing sent. Stopped at the deadline, the events stay in the outbox and
// the next sweep sends them again under the same message ids.

import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from "@azure/service-bus";
import { isAbort } from "../aborted.js";
import { deadlineOn, realTimers, type Timers } from "../../time.js";
import { closeWithin } from "./close-within.js";

/**
 * A sender on a connection of its own. A send given up while the connection
 * was still opening leaves the SDK's client waiting on that opening for good:
 * every later send fails the same way, long after the broker answers again.
 * So a send that misses its deadline drops the whole client, and the next
 * one connects afresh.
 */
export class DeadlineSender {
  private client: ServiceBusClient | null = null;
  private sender: ServiceBusSender | null = null;

  constructor(
    private readonly connect: () => ServiceBusClient,
    private readonly entity: string,
    /** SERVICEBUS_TIMEOUT_MS: one send, every batch and retry in it. */
    private readonly timeoutMs: number,
    /**
     * The time the deadline and the close's bound run on: real time unless a
     * test moves it. Left out, the close's bound keeps the process up while it
     * waits, as an exit's last wait must.
     */
    private readonly time?: Timers,
  ) {}

  /** Runs one send under the deadline and the caller's signal (the sweep being stopped). */
  async send<T>(
    doing: string,
    caller: AbortSignal | undefined,
    body: (sender: ServiceBusSender, abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = deadlineOn(this.time ?? realTimers, this.timeoutMs);
    const abortSignal = caller ? AbortSignal.any([deadline.signal, caller]) : deadline.signal;
    try {
      this.client ??= this.connect();
      this.sender ??= this.client.createSender(this.entity);
      return await body(this.sender, abortSignal);
    } catch (error) {
      // The SDK throws an AbortError; the deadline's own TimeoutError, rethrown
      // or wrapped as a cause, is the same stall and must drop the client too.
      if (!isAbort(error)) throw error;
      this.drop();
      throw new Error(`${doing} failed: ${givenUp(abortSignal, caller, this.timeoutMs)}`, {
        cause: error,
      });
    } finally {
      deadline.cancel();
    }
  }

  /** One message under the deadline alone: what the dispatcher parks or reschedules. */
  sendMessages(message: ServiceBusMessage): Promise<void> {
    return this.send(
      `sending message ${String(message.messageId)} to ${this.entity}`,
      undefined,
      (sender, abortSignal) => sender.sendMessages(message, { abortSignal }),
    );
  }

  /** Not awaited: closing a client whose peer answers nothing must not hold the sweep either. */
  private drop(): void {
    const client = this.client;
    this.client = null;
    this.sender = null;
    void client?.close().catch(() => undefined);
  }

  /** Waits at most SERVICEBUS_TIMEOUT_MS: a broker that stopped answering must not hold a CLI run at its exit. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.sender = null;
    if (client) await closeWithin(client.close(), this.timeoutMs, this.time);
  }
}

/**
 * Which end gave the send up. The joined signal keeps the reason of the first
 * to fire, so a sweep stopped a moment after the deadline still reads as the
 * deadline, and the reverse. An abort neither fired (the deadline's error
 * thrown by hand) is the stall the deadline stands for.
 */
function givenUp(joined: AbortSignal, caller: AbortSignal | undefined, timeoutMs: number): string {
  if (caller && joined.aborted && joined.reason === caller.reason) return "stopped with the sweep";
  return `Service Bus did not answer within ${timeoutMs} ms (SERVICEBUS_TIMEOUT_MS)`;
}
