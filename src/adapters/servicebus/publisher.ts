// Alert events onto a Service Bus queue or topic. The messageId is the event
// id (alert key + sequence), so the broker's duplicate detection drops a
// re-send after a crash between "published" and "removed from the outbox".

import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from "@azure/service-bus";
import type { EventSink, PublishResult } from "../../app/state-store.js";
import { minimalEvent } from "../../core/budget.js";
import type { AlertEvent } from "../../core/alert-event.js";
import type { Timekeeper } from "../arm/token-bucket.js";
import { DeadlineSender } from "./deadline.js";
import { counted } from "../../core/text.js";

export function toServiceBusMessage(event: AlertEvent): ServiceBusMessage {
  return {
    messageId: event.id,
    subject: event.action,
    contentType: "application/json",
    // An object body travels as JSON in an AMQP data section.
    body: event,
    applicationProperties: {
      version: event.version,
      action: event.action,
      severity: event.severity,
      circuit: event.circuit.name,
      circuitId: event.circuit.id,
      peering: event.peering ?? "",
      layer: event.layer,
      owner: event.owner,
      code: event.code,
      family: event.family,
    },
  };
}

export class ServiceBusEventSink implements EventSink {
  private readonly line: DeadlineSender;

  constructor(
    /** A client of the sink's own: see DeadlineSender. */
    connect: () => ServiceBusClient,
    private readonly entity: string,
    /** SERVICEBUS_TIMEOUT_MS: one publish, every batch and retry in it. */
    timeoutMs: number,
    /** What SERVICEBUS_TIMEOUT_MS runs on: real time unless a test moves it. */
    time?: Timekeeper,
  ) {
    this.line = new DeadlineSender(connect, entity, timeoutMs, time);
  }

  publish(
    events: AlertEvent[],
    options: { abortSignal?: AbortSignal } = {},
  ): Promise<PublishResult> {
    return this.line.send(
      `publishing ${counted(events.length, "alert event")} to ${this.entity}`,
      options.abortSignal,
      (sender, abortSignal) => publishAll(sender, events, abortSignal),
    );
  }

  close(): Promise<void> {
    return this.line.close();
  }
}

async function publishAll(
  sender: ServiceBusSender,
  events: AlertEvent[],
  abortSignal: AbortSignal,
): Promise<PublishResult> {
  const shrunk: string[] = [];
  const refused: { id: string; reason: string }[] = [];
  let batch = await sender.createMessageBatch({ abortSignal });
  for (const event of events) {
    // One event that cannot be made a message is refused alone: thrown, it
    // failed the whole publish as if the broker were down, every sweep, and
    // no other circuit paged.
    let message: ServiceBusMessage;
    try {
      message = toServiceBusMessage(event);
    } catch (error) {
      refused.push({ id: String(event.id), reason: (error as Error).message });
      continue;
    }
    if (batch.tryAddMessage(message)) continue;
    // Full: send in order and start the next batch.
    if (batch.count > 0) {
      await sender.sendMessages(batch, { abortSignal });
      batch = await sender.createMessageBatch({ abortSignal });
      if (batch.tryAddMessage(message)) continue;
    }
    // Too large for any message: the page still goes out, without its evidence.
    message = toServiceBusMessage(minimalEvent(event));
    if (!batch.tryAddMessage(message)) {
      refused.push({
        id: event.id,
        reason: "it does not fit a Service Bus message even without its evidence",
      });
      continue;
    }
    shrunk.push(event.id);
  }
  if (batch.count > 0) await sender.sendMessages(batch, { abortSignal });
  return { shrunk, refused };
}
