// `erwatch dispatch`: deliver alert events from Service Bus as the Functions
// dispatcher does, until interrupted (or, with --once, until the queue is empty).

import { consumeEvents } from "../app/dispatch/consume-loop.js";
import { buildDispatchRuntime, createEventConsumer } from "../runtime/dispatch.js";
import { commandConfig } from "./command-config.js";
import { EXIT, warnIgnoredSettings, type Context } from "./context.js";
import { counted } from "../core/text.js";

/** After a failed receive: 1 s, doubling to at most 30 s while Service Bus keeps failing. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** Resolves after `ms`, or at once on Ctrl-C. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export async function runDispatchCommand(ctx: Context, opts: { once?: boolean }): Promise<number> {
  const config = commandConfig.dispatch(ctx.deps.env);
  warnIgnoredSettings(ctx, config.ignoredSettings);
  const runtime = buildDispatchRuntime(config, {
    logger: ctx.logger,
    ...(ctx.deps.credential ? { credential: ctx.deps.credential } : {}),
  });
  await runtime.deliveries.ensureTable();
  const consumer = createEventConsumer(runtime);
  const result = await consumeEvents(consumer, {
    signal: ctx.signal,
    once: opts.once ?? false,
    logger: ctx.logger,
    sleep: pause,
    firstRetryMs: FIRST_RETRY_MS,
    maxRetryMs: MAX_RETRY_MS,
  }).finally(() => consumer.close());
  ctx.warn(`erwatch dispatch: handled ${counted(result.handled, "message")}`);
  // Stopping is how a long-running dispatcher ends (a service manager sends
  // SIGTERM): 0, with what it held settled or given back. A --once run
  // stopped before the queue drained is not done: a scheduler must not read
  // "drained" while pages still wait in Service Bus.
  if (result.stopped) return opts.once ? EXIT.interrupted : EXIT.ok;
  if (result.failure === null) return EXIT.ok;
  const why = result.failure instanceof Error ? result.failure.message : String(result.failure);
  ctx.warn(`erwatch dispatch: could not receive alert events from Service Bus: ${why}`);
  return EXIT.cannotRun;
}
