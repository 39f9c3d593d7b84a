// Routes one alert event to its receivers. Each receiver hears it at most once
// (deliveries are recorded, a redelivery skips who already has it) and no
// receiver's failure is lost: retry with backoff honouring Retry-After, hand
// the message back to Service Bus, and after the last delivery dead-letter it
// naming the receiver and its last status. The whole retry rule lives here.

import type { AlertEvent } from "../../core/alert-event.js";
import { route, type Routing } from "../../core/routing.js";
import type { Logger } from "../../logging.js";
import type { Receiver, SendOutcome } from "./receiver.js";
import { parseEvent } from "./event-schema.js";
import type { DeliveryLog, InboundMessage, Settlement } from "./ports.js";

export interface RetryPolicy {
  attemptsPerDelivery: number;
  baseDelayMs: number;
  maxWaitMs: number;
  maxDeliveries: number;
}

export interface DispatcherDeps {
  receivers: Map<string, Receiver>;
  routing: Routing;
  deliveries: DeliveryLog;
  retry: RetryPolicy;
  logger: Logger;
  now: () => Date;
  /** Injected so tests neither wait nor depend on timing. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

type ReceiverResult =
  | { receiver: string; ok: true; status: number; attempts: number; skipped: boolean }
  | {
      receiver: string;
      ok: false;
      permanent: boolean;
      last: Extract<SendOutcome, { ok: false }>;
      attempts: number;
    };

export type DispatchOutcome =
  | { settled: "complete"; delivered: string[]; skipped: string[] }
  | { settled: "abandon"; reason: string }
  | { settled: "dead-letter"; reason: string; description: string };

/** Exponential backoff; a longer Retry-After wins. */
export function backoffMs(
  attempt: number,
  outcome: Extract<SendOutcome, { ok: false }>,
  policy: RetryPolicy,
): number {
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.max(exponential, outcome.retryAfterMs ?? 0);
}

const describe = (r: Extract<ReceiverResult, { ok: false }>, kind: string) =>
  `receiver ${r.receiver} (${kind}) failed after ${r.attempts} attempt(s): ${r.last.status ?? "no response"}: ${r.last.reason}`;

export function createDispatcher(deps: DispatcherDeps) {
  async function deliver(
    receiver: Receiver,
    event: AlertEvent,
    signal: AbortSignal,
    log: Logger,
  ): Promise<ReceiverResult> {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await receiver.send(event, { abortSignal: signal });
      if (outcome.ok)
        return {
          receiver: receiver.name,
          ok: true,
          status: outcome.status,
          attempts: attempt,
          skipped: false,
        };
      if (!outcome.retryable)
        return {
          receiver: receiver.name,
          ok: false,
          permanent: true,
          last: outcome,
          attempts: attempt,
        };
      const wait = backoffMs(attempt, outcome, deps.retry);
      // Out of attempts, or asked to wait longer than a delivery may: Service Bus redelivers later.
      if (attempt >= deps.retry.attemptsPerDelivery || wait > deps.retry.maxWaitMs) {
        return {
          receiver: receiver.name,
          ok: false,
          permanent: false,
          last: outcome,
          attempts: attempt,
        };
      }
      // Debug, not warn: a post that is about to be retried is not yet a problem.
      log.debug(
        { receiver: receiver.name, attempt, status: outcome.status, waitMs: wait },
        "receiver failed; retrying",
      );
      await deps.sleep(wait, signal);
    }
  }

  async function dispatch(
    message: InboundMessage,
    settlement: Settlement,
    signal: AbortSignal,
  ): Promise<DispatchOutcome> {
    const log = deps.logger.child({
      messageId: message.messageId,
      deliveryCount: message.deliveryCount,
    });
    const parsed = parseEvent(message.body);
    if (!parsed.ok) {
      log.error(
        { reason: parsed.reason, description: parsed.description },
        "message is not a valid alert event; dead-lettering it",
      );
      await settlement.deadLetter(parsed.reason, parsed.description);
      return { settled: "dead-letter", reason: parsed.reason, description: parsed.description };
    }
    const event = parsed.event;
    const eventLog = log.child({
      key: event.key,
      action: event.action,
      severity: event.severity,
      circuitId: event.circuit.id,
    });
    const routed = route(deps.routing, event);
    if (routed.receivers.length === 0) {
      eventLog.info(
        { peakSeverity: event.peakSeverity },
        "no route matches this event; nothing to deliver",
      );
      await settlement.complete();
      return { settled: "complete", delivered: [], skipped: [] };
    }
    const already = await deps.deliveries.delivered(message.messageId);
    const results = await Promise.all(
      routed.receivers.map(async (name): Promise<ReceiverResult> => {
        if (already.has(name))
          return { receiver: name, ok: true, status: 0, attempts: 0, skipped: true };
        const receiver = deps.receivers.get(name);
        if (!receiver)
          throw new Error(
            `route names receiver "${name}" that was not built; configuration validation should have caught this`,
          );
        const result = await deliver(receiver, event, signal, eventLog);
        if (result.ok) {
          await deps.deliveries.record(message.messageId, name, {
            status: result.status,
            at: deps.now().toISOString(),
            attempts: result.attempts,
          });
          eventLog.info(
            { receiver: name, status: result.status, attempts: result.attempts },
            "delivered",
          );
        }
        return result;
      }),
    );
    const failures = results.filter((r): r is Extract<ReceiverResult, { ok: false }> => !r.ok);
    const delivered = results.filter((r) => r.ok && !r.skipped).map((r) => r.receiver);
    const skipped = results.filter((r) => r.ok && r.skipped).map((r) => r.receiver);
    if (failures.length === 0) {
      await settlement.complete();
      return { settled: "complete", delivered, skipped };
    }
    const kindOf = (name: string) => deps.receivers.get(name)?.kind ?? "unknown";
    const description = failures.map((f) => describe(f, kindOf(f.receiver))).join("; ");
    const permanent = failures.some((f) => f.permanent);
    if (permanent || message.deliveryCount >= deps.retry.maxDeliveries) {
      const reason = permanent ? "ReceiverRejected" : "ReceiverUnavailable";
      eventLog.error({ reason, description, delivered }, "dead-lettering the alert event");
      await settlement.deadLetter(reason, description);
      return { settled: "dead-letter", reason, description };
    }
    eventLog.warn(
      {
        description,
        delivered,
        deliveryCount: message.deliveryCount,
        maxDeliveries: deps.retry.maxDeliveries,
      },
      "giving the alert event back to Service Bus for another delivery",
    );
    await settlement.abandon(description);
    return { settled: "abandon", reason: description };
  }

  return { dispatch };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
