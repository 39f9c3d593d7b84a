// Every receiver kind's config rule in one schema, apart from the senders: the
// start-up check (runtime/config.ts) asks the same rule createReceiver does,
// without loading what posts.

import { z } from "zod";
import { pagerDutyConfigSchema } from "./pagerduty/config.js";
import { teamsConfigSchema } from "./teams/config.js";
import { webhookConfigSchema } from "./webhook/config.js";

export const receiverConfigSchema = z.discriminatedUnion("kind", [
  teamsConfigSchema,
  pagerDutyConfigSchema,
  webhookConfigSchema,
]);

/**
 * Why a receiver cannot be built from this config, naming fields and never
 * values (header values and URLs are secrets); null when it can.
 */
export function receiverConfigProblem(config: unknown): string | null {
  const parsed = receiverConfigSchema.safeParse(config);
  if (parsed.success) return null;
  return parsed.error.issues
    .map((issue) => {
      // A record key's own rule ("must be an HTTP header name") is kept under its key.
      const message =
        issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
      return `${issue.path.join(".") || "config"}: ${message}`;
    })
    .join("; ");
}
