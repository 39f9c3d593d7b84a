// A Service Bus client's close() waits for its peer: after a broker restart no
// receive noticed, or a broker that stopped answering, it never settles, and a
// shutdown or a CLI run's exit would wait with it.

/** Waits for `closing` at most `ms`; a close that fails in time fails this. */
export async function closeWithin(closing: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([closing, bound]);
  } finally {
    clearTimeout(timer);
  }
}
