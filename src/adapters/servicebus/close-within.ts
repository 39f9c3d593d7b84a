// A Service Bus client's close() waits for its peer: after a broker restart no
// receive noticed, or a broker that stopped answering, it never settles, and a
// shutdown or a CLI run's exit would wait with it.

import type { Timekeeper } from "../arm/token-bucket.js";

/**
 * Waits for `closing` at most `ms`, on `time` when given (a test moves it),
 * else on a timer that keeps the process up meanwhile; a close that fails in
 * time fails this.
 */
export async function closeWithin(
  closing: Promise<void>,
  ms: number,
  time?: Timekeeper,
): Promise<void> {
  let cancel = () => {};
  const bound = new Promise<void>((resolve) => {
    if (time) {
      cancel = time.after(ms, resolve);
    } else {
      const timer = setTimeout(resolve, ms);
      cancel = () => clearTimeout(timer);
    }
  });
  try {
    await Promise.race([closing, bound]);
  } finally {
    cancel();
  }
}
