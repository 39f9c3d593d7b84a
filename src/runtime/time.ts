// The real clock and timers, for the doorways that keep their own stops (the
// sweep worker): tests hand them a manual one (test/support/manual-time.ts).

export { realTime, type Timekeeper } from "../adapters/arm/token-bucket.js";
