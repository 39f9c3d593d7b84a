// For a test that a close or a shutdown ends: whether it settled in time,
// without the test itself waiting past the bound.

/** Resolves to "closed" once `closing` settles, or to "hung" once `ms` have passed. */
export function settlesWithin(closing: Promise<void>, ms: number): Promise<"closed" | "hung"> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    closing.then(() => "closed" as const),
    new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), ms))),
  ]).finally(() => clearTimeout(timer));
}
