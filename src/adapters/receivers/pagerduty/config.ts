// A PagerDuty Events API v2 integration. The routing key is the secret; the
// URL is only configurable for the EU service region and for tests.

import { z } from "zod";
import { receiverUrlSchema } from "../http-post.js";

export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

export const pagerDutyConfigSchema = z
  .object({
    kind: z.literal("pagerduty"),
    name: z.string().min(1),
    /** Integration keys are 32 characters; only emptiness is refused so a new format still works. */
    routingKey: z.string().trim().min(1, "routing key must not be empty"),
    url: receiverUrlSchema.default(PAGERDUTY_EVENTS_URL),
  })
  .strict();

export type PagerDutyConfig = z.infer<typeof pagerDutyConfigSchema>;
/** Before defaults: `url` may be left out. */
export type PagerDutyConfigInput = z.input<typeof pagerDutyConfigSchema>;
