// Posts the card to a Teams Workflows webhook and reports what happened.
// Workflows answers 202 once it has queued the flow run; whether the flow
// then posts into the channel is invisible from here. A legacy Office 365
// connector URL (…webhook.office.com/webhookb2/…) answers 200 whatever
// happened and says in the body when Teams refused the card: throttled
// (100 posts an hour), too large or malformed. Read as the status it names,
// a throttled card is retried and a refused one parked, not logged delivered.
// A card refused as too large (413) is posted again at once as the compact
// card: parked, the largest incidents (a fleet outage of dozens of circuits)
// were the ones the channel never saw.

import type { Receiver } from "../../../app/dispatch/receiver.js";
import { postJson, type SenderOptions } from "../http-post.js";
import type { LinkOptions } from "../links.js";
import type { TeamsConfig } from "./config.js";
import { buildTeamsMessage } from "./payload.js";

export type TeamsReceiverOptions = SenderOptions & LinkOptions;

export function createTeamsReceiver(config: TeamsConfig, options: TeamsReceiverOptions): Receiver {
  return {
    name: config.name,
    kind: "teams",
    async send(event, { abortSignal }) {
      const post = (compact: boolean) =>
        postJson({
          url: config.url,
          body: buildTeamsMessage(event, {
            statusUrl: options.statusUrl,
            cloud: options.cloud,
            compact,
          }),
          target: "Teams webhook",
          timeoutMs: options.timeoutMs,
          abortSignal,
          fetch: options.fetch,
          deadline: options.deadline,
          now: options.now,
          failureInBody: connectorFailure,
        });
      const full = await post(false);
      if (full.ok || full.status !== 413) return full;
      const compact = await post(true);
      if (compact.ok)
        return { ...compact, note: "the full card was refused as too large (413): sent compact" };
      return {
        ...compact,
        reason: `${compact.reason} (the compact card, after a 413 for the full one)`,
      };
    },
  };
}

/** "Microsoft Teams endpoint returned HTTP error 429 with ContextId …": the status; null otherwise. */
export function connectorFailure(body: string): number | null {
  const named = /returned HTTP error (\d{3})\b/i.exec(body);
  return named ? Number(named[1]) : null;
}
