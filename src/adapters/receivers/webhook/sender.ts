// Posts the common-alert-schema document to a webhook. Any 2xx is success:
// Logic Apps answer 202, most endpoints 200.

import type { Receiver } from "../../../app/dispatch/receiver.js";
import { postJson, type SenderOptions } from "../http-post.js";
import type { WebhookConfig } from "./config.js";
import { buildCommonAlert } from "./payload.js";

export function createWebhookReceiver(config: WebhookConfig, options: SenderOptions): Receiver {
  return {
    name: config.name,
    kind: "webhook",
    async send(event, { abortSignal }) {
      return postJson({
        url: config.url,
        body: buildCommonAlert(event),
        headers: config.headers,
        target: "webhook",
        timeoutMs: options.timeoutMs,
        abortSignal,
        fetch: options.fetch,
        deadline: options.deadline,
        now: options.now,
      });
    },
  };
}
