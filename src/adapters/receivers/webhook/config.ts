// A generic webhook (Logic Apps, an ITSM connector, a customer's endpoint).
// Both the URL and the header values may be secrets (a SAS signature, a bearer token).

import { z } from "zod";
import { receiverUrlSchema } from "../http-post.js";

// RFC 9110 token; values without CR, LF or NUL so no header can smuggle another.
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name");
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const headerValue = z.string().regex(/^[^\r\n\u0000]*$/, "must not contain line breaks");

export const webhookConfigSchema = z
  .object({
    kind: z.literal("webhook"),
    name: z.string().min(1),
    url: receiverUrlSchema,
    headers: z
      .record(headerName, headerValue)
      .refine(
        (h) => !Object.keys(h).some((n) => n.toLowerCase() === "content-type"),
        "content-type is always application/json",
      )
      .optional(),
  })
  .strict();

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
