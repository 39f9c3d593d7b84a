// Posts the card to a Teams Workflows webhook and reports what happened.
// Workflows answers 202 once it has queued the flow run; whether the flow
// then posts into the channel is invisible from here.

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
      const message = buildTeamsMessage(event, {
        statusUrl: options.statusUrl,
        cloud: options.cloud,
      });
      return postJson({
        url: config.url,
        body: message,
        target: "Teams webhook",
        timeoutMs: options.timeoutMs,
        abortSignal,
        fetch: options.fetch,
        now: options.now,
      });
    },
  };
}
