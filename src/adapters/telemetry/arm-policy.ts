// Counts every HTTP request the ARM SDK sends, retries included (a per-retry
// pipeline policy sees each attempt), so throttling shows as 429s even when a
// retry then succeeds and no read fails.

import type { Telemetry } from "../../app/telemetry.js";

interface PipelineRequestLike {
  method: string;
}
interface PipelineResponseLike {
  status: number;
}

/** An `additionalPolicies` entry for the ARM clients. */
export function armRequestCounter(telemetry: Telemetry) {
  return {
    position: "perRetry" as const,
    policy: {
      name: "erwatchArmRequestCounter",
      async sendRequest<Req extends PipelineRequestLike, Res extends PipelineResponseLike>(
        request: Req,
        next: (request: Req) => Promise<Res>,
      ): Promise<Res> {
        try {
          const response = await next(request);
          telemetry.armRequest(response.status, request.method);
          return response;
        } catch (error) {
          const status = (error as { statusCode?: number }).statusCode;
          // A status here was already counted by an inner attempt's response; 0 is "no answer".
          if (status === undefined) telemetry.armRequest(0, request.method);
          throw error;
        }
      },
    },
  };
}
