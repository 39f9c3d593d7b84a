// The one place that knows rhea's loose typings and the few internals the
// broker leans on. Everything else in the broker works with the narrow types
// declared here.

import { randomUUID } from "node:crypto";
import rhea from "rhea";
import type { Connection, Delivery, EventContext, Sender, Receiver, Typed } from "rhea";

/** An AMQP message as rhea decodes it: header and properties fields flattened onto one object. */
export interface AmqpMessage {
  message_id?: unknown;
  correlation_id?: unknown;
  subject?: string;
  content_type?: string;
  reply_to?: string;
  to?: string;
  delivery_count?: number;
  first_acquirer?: boolean;
  application_properties?: Record<string, unknown>;
  message_annotations?: Record<string, unknown>;
  body?: unknown;
  [field: string]: unknown;
}

/** What a receiving client asked the broker to do with a message it holds a lock on. */
export type Disposition =
  | { kind: "complete" }
  | { kind: "abandon"; propertiesToModify: Record<string, unknown> }
  | { kind: "defer" }
  | { kind: "deadLetter"; properties: Record<string, unknown> }
  | { kind: "reject"; condition: string | undefined };

export type { Connection, Delivery, EventContext, Sender, Receiver };

/** Service Bus batches: one outer message whose data sections each hold an encoded message. */
const BATCH_MESSAGE_FORMAT = 0x80013700;
const DATA_SECTION = 0x75;

interface RheaSection {
  typecode: number;
  content: unknown;
  multiple?: boolean;
}

interface OutcomeFactory {
  accepted(): { described(): unknown };
  rejected(fields: { error: { condition: string; description: string } }): { described(): unknown };
}

const outcomes = rhea.message as unknown as OutcomeFactory;

export function createContainer(): ReturnType<typeof rhea.create_container> {
  return rhea.create_container({ id: `erwatch-test-broker-${randomUUID()}` });
}

function isSection(value: unknown): value is RheaSection {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { typecode?: unknown }).typecode === "number" &&
    "content" in value
  );
}

function asMessage(decoded: unknown): AmqpMessage {
  // Copy the own fields only; rhea's Message prototype carries toJSON/toString.
  return { ...(decoded as AmqpMessage) };
}

/** The messages one incoming transfer carries: one, or several for a Service Bus batch. */
export function incomingMessages(context: EventContext): AmqpMessage[] {
  const format = (context as { format?: unknown }).format;
  const payload: unknown = context.message;
  if (format === BATCH_MESSAGE_FORMAT && Buffer.isBuffer(payload)) {
    const outer = rhea.message.decode(payload) as { body?: unknown };
    if (!isSection(outer.body) || outer.body.typecode !== DATA_SECTION) return [];
    const parts = outer.body.multiple ? (outer.body.content as unknown[]) : [outer.body.content];
    return parts
      .filter((part): part is Buffer => Buffer.isBuffer(part))
      .map((part) => asMessage(rhea.message.decode(part)));
  }
  return payload === undefined || Buffer.isBuffer(payload) ? [] : [asMessage(payload)];
}

/** The body as the SDK would hand it to application code (data sections are tried as JSON). */
export function decodeBody(body: unknown): unknown {
  if (!isSection(body)) return body;
  if (body.typecode === DATA_SECTION && !body.multiple && Buffer.isBuffer(body.content)) {
    try {
      return JSON.parse(body.content.toString("utf8")) as unknown;
    } catch {
      return body.content;
    }
  }
  return body.content;
}

export function messageIdText(id: unknown): string | undefined {
  if (id === undefined || id === null) return undefined;
  if (Buffer.isBuffer(id) && id.length === 16) return rhea.uuid_to_string(id);
  if (Buffer.isBuffer(id)) return id.toString("hex");
  return String(id);
}

/** A lock token: 16 bytes the SDK formats as a GUID. */
export function newLockToken(): Buffer {
  return Buffer.from(randomUUID().replace(/-/g, ""), "hex");
}

/**
 * The delivery tag (as hex) that a lock token in a `$management` request
 * names. Service Bus tags deliveries with a GUID's .NET byte layout (its first
 * three groups little-endian), and the SDK sends the token back as an AMQP
 * uuid (all big-endian): the same GUID, those groups' bytes reversed.
 */
export function lockTokenTag(uuid: Buffer): string {
  if (uuid.length !== 16) return uuid.toString("hex");
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Buffer.from(order.map((i) => uuid[i]!)).toString("hex");
}

export function amqpLong(value: number): Typed {
  return rhea.types.wrap_long(value);
}

/** An AMQP array of timestamps, as Service Bus types a renew-lock answer's `expirations`. */
export function timestampArray(times: Date[]): Typed {
  return rhea.types.wrap_array(times, 0x83, undefined);
}

export function acceptedOutcome(): unknown {
  return outcomes.accepted().described();
}

export function rejectedOutcome(condition: string, description: string): unknown {
  return outcomes.rejected({ error: { condition, description } }).described();
}

/** Reads the outcome a client sent for one of the broker's deliveries. */
export function dispositionOf(delivery: Delivery): Disposition {
  const state = delivery.remote_state as
    | {
        constructor: { composite_type?: string };
        error?: { condition?: string; info?: Record<string, unknown> };
        undeliverable_here?: boolean;
        message_annotations?: Record<string, unknown>;
      }
    | undefined;
  switch (state?.constructor.composite_type) {
    case "accepted":
      return { kind: "complete" };
    case "released":
      return { kind: "abandon", propertiesToModify: {} };
    case "modified":
      return state.undeliverable_here
        ? { kind: "defer" }
        : { kind: "abandon", propertiesToModify: state.message_annotations ?? {} };
    case "rejected":
      return state.error?.condition === "com.microsoft:dead-letter"
        ? { kind: "deadLetter", properties: state.error.info ?? {} }
        : { kind: "reject", condition: state.error?.condition };
    default:
      return { kind: "reject", condition: undefined };
  }
}

/**
 * Settles one of the broker's deliveries after the client's disposition.
 * With rcv-settle-mode "second" the client never sends a final settle back,
 * and rhea keeps a delivery until both ends have settled; marking the remote
 * end settled lets rhea free the slot in the session's fixed-size buffer.
 */
export function settle(delivery: Delivery, outcome: unknown): void {
  delivery.update(true, outcome);
  (delivery as { remote_settled: boolean }).remote_settled = true;
}

interface LinkInternals {
  credit: number;
  delivery_count: number;
  _draining: boolean;
  _drained: boolean;
  _get_drain: () => boolean;
  local: { attach: Record<string, unknown> };
}

function internals(link: Sender | Receiver): LinkInternals {
  return link as unknown as LinkInternals;
}

/**
 * The delivery limit the client granted: its delivery-count plus its credit.
 * rhea only lowers `credit` when a transfer is written (on the next tick), so
 * the broker counts its own sends against this limit instead.
 */
export function creditLimit(sender: Sender): number {
  const link = internals(sender);
  return link.credit + link.delivery_count;
}

/**
 * Makes a sender always answer a drain with drain=true. rhea only echoes the
 * drain while credit remains; if the broker used up the last credit in flight
 * the client would never see its drain complete and the SDK would close the link.
 */
export function echoEveryDrain(sender: Sender): void {
  const link = internals(sender);
  link._get_drain = function getDrain(this: LinkInternals): boolean {
    if (!this._draining || !this._drained) return false;
    this.delivery_count += this.credit;
    this.credit = 0;
    return true;
  };
}

/** Echoes the client's terminus and settle modes, as a broker accepting the attach does. */
export function acceptAttach(link: Sender | Receiver, maxMessageSize: number): void {
  const attach = internals(link).local.attach;
  attach.snd_settle_mode = link.snd_settle_mode;
  attach.rcv_settle_mode = link.rcv_settle_mode;
  attach.max_message_size = maxMessageSize;
  if (link.source) link.set_source(link.source);
  if (link.target) link.set_target(link.target);
}

/** Answers a session receiver's attach: the session it got, and until when it holds it (.NET ticks). */
export function sessionAttach(
  sender: Sender,
  filterName: string,
  session: string,
  lockedUntilTicks: Buffer,
): void {
  sender.set_source({ ...sender.source, filter: { [filterName]: session } } as Parameters<
    Sender["set_source"]
  >[0]);
  internals(sender).local.attach.properties = {
    "com.microsoft:locked-until-utc": rhea.types.wrap_long(lockedUntilTicks as unknown as number),
  };
}

export function sourceAddress(link: Sender | Receiver): string | undefined {
  return link.source?.address;
}

export function targetAddress(link: Sender | Receiver): string | undefined {
  return link.target?.address;
}

export function sendMessage(sender: Sender, message: AmqpMessage, tag?: Buffer): Delivery {
  return sender.send(message as Parameters<Sender["send"]>[0], tag);
}

/** The sender on `connection` that answers requests sent to `node` (CBS, management). */
export function replyLink(
  connection: Connection,
  node: string,
  replyTo: string | undefined,
): Sender | undefined {
  const matches = (sender: Sender, strict: boolean) =>
    sourceAddress(sender) === node && (!strict || targetAddress(sender) === replyTo);
  return (
    connection.find_sender((s: Sender) => matches(s, true)) ??
    connection.find_sender((s: Sender) => matches(s, false))
  );
}
