// A Settlement that records what the dispatcher did with a message, one line
// each ("complete", "abandon: <reason>", "dead-letter <reason>: <description>",
// "reschedule <id>"), and the rescheduled copies. Shared by the dispatcher tests.

import type { Rescheduled, Settlement } from "../../src/app/dispatch/ports.js";

/** `withTime`: a reschedule line also says when ("reschedule <id> at <ISO>"). */
export function recordingSettlement(withTime = false): {
  s: Settlement;
  log: string[];
  copies: Rescheduled[];
} {
  const log: string[] = [];
  const copies: Rescheduled[] = [];
  const s: Settlement = {
    complete: async () => void log.push("complete"),
    abandon: async (reason) => void log.push(`abandon: ${reason}`),
    deadLetter: async (reason, description) =>
      void log.push(`dead-letter ${reason}: ${description}`),
    reschedule: async (copy) => {
      copies.push(copy);
      log.push(`reschedule ${copy.messageId}${withTime ? ` at ${copy.at.toISOString()}` : ""}`);
    },
  };
  return { s, log, copies };
}
