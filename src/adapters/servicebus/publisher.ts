// Alert events onto a Service Bus queue or topic. The messageId is the event
// id (alert key + sequence), so the broker's duplicate detection drops a
// re-send after a crash between "published" and "removed from the outbox".

import type { ServiceBusClient, ServiceBusMessage, ServiceBusSender } from "@azure/service-bus";
import type { EventSink } from "../../app/state-store.js";
import type { AlertEvent } from "../../core/alert-event.js";

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
  private sender: ServiceBusSender | null = null;

  constructor(
    private readonly client: ServiceBusClient,
    private readonly entity: string,
  ) {}

  private get senderOnce(): ServiceBusSender {
    this.sender ??= this.client.createSender(this.entity);
    return this.sender;
  }

  async publish(events: AlertEvent[]): Promise<void> {
    const sender = this.senderOnce;
    let batch = await sender.createMessageBatch();
    for (const event of events) {
      const message = toServiceBusMessage(event);
      if (batch.tryAddMessage(message)) continue;
      if (batch.count === 0)
        throw new Error(`alert event ${event.id} is larger than a Service Bus message may be`);
      // Full: send in order and start the next batch.
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      if (!batch.tryAddMessage(message))
        throw new Error(`alert event ${event.id} is larger than a Service Bus message may be`);
    }
    if (batch.count > 0) await sender.sendMessages(batch);
  }

  async close(): Promise<void> {
    await this.sender?.close();
    this.sender = null;
  }
}
