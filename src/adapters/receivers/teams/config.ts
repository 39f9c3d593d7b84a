// A Teams Workflows webhook. The URL is the secret: its query carries the
// signature that lets anyone post into the channel.

import { z } from "zod";
import { receiverUrlSchema } from "../http-post.js";

export const teamsConfigSchema = z
  .object({
    kind: z.literal("teams"),
    name: z.string().min(1),
    url: receiverUrlSchema,
  })
  .strict();

export type TeamsConfig = z.infer<typeof teamsConfigSchema>;
