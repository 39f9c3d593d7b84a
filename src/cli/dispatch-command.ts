// `erwatch dispatch`: deliver alert events from Service Bus as the Functions
// dispatcher does, until interrupted (or, with --once, until the queue is empty).

import { buildDispatchRuntime, createEventConsumer } from "../runtime/dispatch.js";
import { commandConfig } from "./command-config.js";
import { EXIT, warnIgnoredSettings, type Context } from "./context.js";

export async function runDispatchCommand(ctx: Context, opts: { once?: boolean }): Promise<number> {
  const config = commandConfig.dispatch(ctx.deps.env);
  warnIgnoredSettings(ctx, config.ignoredSettings);
  const runtime = buildDispatchRuntime(config, {
    logger: ctx.logger,
    ...(ctx.deps.credential ? { credential: ctx.deps.credential } : {}),
  });
  await runtime.deliveries.ensureTable();
  const consumer = createEventConsumer(runtime);
  const signal = ctx.signal;
  let total = 0;
  try {
    while (!signal.aborted) {
      const handled = await consumer.drainOnce(signal).catch((error: unknown) => {
        if (signal.aborted) return 0;
        throw error;
      });
      total += handled;
      if (opts.once && handled === 0) break;
    }
  } finally {
    await consumer.close();
  }
  ctx.warn(`erwatch dispatch: handled ${total} message(s)`);
  return EXIT.ok;
}
