// Builds a Receiver from a resolved receiver config. Secrets are values here
// (config/dispatch.ts resolved them from app settings), so this is also where
// they are fenced in: the receivers keep their config in a closure, and
// describeReceiver is the only view of a config meant for logs.

import type { Receiver, ReceiverKind } from "../../app/dispatch/receiver.js";
import { hostOf, type SenderOptions } from "./http-post.js";
import type { LinkOptions } from "./links.js";
import { receiverConfigProblem, receiverConfigSchema } from "./config.js";
import { PAGERDUTY_EVENTS_URL, type PagerDutyConfigInput } from "./pagerduty/config.js";
import { createPagerDutyReceiver } from "./pagerduty/sender.js";
import type { TeamsConfig } from "./teams/config.js";
import { createTeamsReceiver } from "./teams/sender.js";
import type { WebhookConfig } from "./webhook/config.js";
import { createWebhookReceiver } from "./webhook/sender.js";

export { PAGERDUTY_EVENTS_URL };
export type { PagerDutyConfig, PagerDutyConfigInput } from "./pagerduty/config.js";
export type { TeamsConfig } from "./teams/config.js";
export type { WebhookConfig } from "./webhook/config.js";

export { receiverConfigProblem, receiverConfigSchema };

/** A receiver with its secrets resolved; PagerDuty's URL may be left to its default. */
export type ReceiverConfig = TeamsConfig | PagerDutyConfigInput | WebhookConfig;

/**
 * `statusUrl` (STATUS_PAGE_URL) is linked from Teams cards and PagerDuty
 * incidents when set; `cloud` (AZURE_CLOUD, default AzureCloud) picks the
 * Azure portal those links open the circuit in.
 */
export interface CreateReceiverOptions extends SenderOptions, LinkOptions {}

/**
 * Validates the config (https rule, non-empty key) and builds the receiver.
 * Throws on an invalid config — a startup error; the message names fields, never values.
 */
export function createReceiver(config: ReceiverConfig, options: CreateReceiverOptions): Receiver {
  const problem = receiverConfigProblem(config);
  if (problem !== null)
    // `name` is configuration, not a secret, and tells the operator which entry to fix.
    throw new Error(
      `receiver "${String(config.name)}" (${String(config.kind)}) is not valid: ${problem}`,
    );
  const valid = receiverConfigSchema.parse(config);
  switch (valid.kind) {
    case "teams":
      return createTeamsReceiver(valid, options);
    case "pagerduty":
      return createPagerDutyReceiver(valid, options);
    case "webhook":
      return createWebhookReceiver(valid, options);
  }
}

/**
 * Stands in for a receiver whose settings cannot be used, so the others still
 * deliver: every post fails at once and for good, and `problem` (which names
 * settings, never values) becomes the dead letter's reason.
 */
export function createUnusableReceiver(
  name: string,
  kind: ReceiverKind,
  problem: string,
): Receiver {
  return {
    name,
    kind,
    send: async () => ({
      ok: false,
      retryable: false,
      status: null,
      retryAfterMs: null,
      reason: `not sent: the receiver is not configured: ${problem}`,
    }),
  };
}

export interface ReceiverDescription {
  name: string;
  kind: ReceiverKind;
  /** Host (and port) only: paths, queries, keys and headers stay out of logs. */
  host: string;
}

export function describeReceiver(config: ReceiverConfig): ReceiverDescription {
  const url = config.kind === "pagerduty" ? (config.url ?? PAGERDUTY_EVENTS_URL) : config.url;
  return { name: config.name, kind: config.kind, host: hostOf(url) };
}
