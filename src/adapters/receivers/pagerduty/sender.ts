// Enqueues the event with PagerDuty. 202 is the only success the Events API
// gives; a 400 means the key or the event is wrong, and sending it again
// cannot help, so it is permanent (outcome.ts says so for every 4xx but 408/429).

import type { Receiver } from "../../../app/dispatch/receiver.js";
import { postJson, type SenderOptions } from "../http-post.js";
import type { LinkOptions } from "../links.js";
import type { PagerDutyConfig } from "./config.js";
import { buildPagerDutyEvent } from "./payload.js";

export function createPagerDutyReceiver(
  config: PagerDutyConfig,
  options: SenderOptions & LinkOptions,
): Receiver {
  return {
    name: config.name,
    kind: "pagerduty",
    async send(event, { abortSignal }) {
      return postJson({
        url: config.url,
        body: buildPagerDutyEvent(event, config.routingKey, {
          statusUrl: options.statusUrl,
          cloud: options.cloud,
        }),
        target: "PagerDuty",
        timeoutMs: options.timeoutMs,
        abortSignal,
        // PagerDuty's 400 body quotes the offending routing key back.
        secrets: [config.routingKey],
        fetch: options.fetch,
        deadline: options.deadline,
        now: options.now,
      });
    },
  };
}
