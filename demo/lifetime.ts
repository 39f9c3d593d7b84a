// How the demo stops. It owns a child process (Azurite) and loopback servers,
// and must stop them however it is asked to: Ctrl-C, SIGTERM, a closed
// terminal, or the reader of its output going away (`npm run demo | head`: the
// next write fails with EPIPE, which would otherwise crash the process past its
// cleanup). Each of these aborts `signal`; the demo then leaves its loop, its
// finally blocks stop what it started, and the process exits 0. Cleanup is
// bounded: past the deadline the process exits anyway, and Azurite, which
// exits when its parent does, goes with it.

export interface Lifetime {
  /** Aborted when the demo is asked to stop early. */
  signal: AbortSignal;
  /** One line to stdout; nothing once stdout is gone. */
  out(text?: string): void;
  /** One line to stderr; nothing once stderr is gone. */
  note(text: string): void;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export function demoLifetime(cleanupDeadlineMs: number): Lifetime {
  const stop = new AbortController();
  const open = new Map<NodeJS.WriteStream, boolean>([
    [process.stdout, true],
    [process.stderr, true],
  ]);
  const write = (stream: NodeJS.WriteStream, text: string) => {
    if (open.get(stream)) stream.write(`${text}\n`);
  };

  function halt(reason: string): void {
    // A second Ctrl-C (or tsx relaying the first) must not cut the cleanup short.
    if (stop.signal.aborted) return;
    stop.abort(reason);
    write(process.stderr, `demo stopping (${reason}): stopping everything it started…`);
    setTimeout(() => {
      write(process.stderr, `demo: cleanup took over ${cleanupDeadlineMs} ms; exiting anyway`);
      process.exit(1);
    }, cleanupDeadlineMs).unref();
  }

  // Installed for the life of the process: a signal or EPIPE that arrives while
  // the demo is already stopping must not kill it half way.
  for (const signal of SIGNALS) process.on(signal, () => halt(signal));
  for (const stream of open.keys())
    stream.on("error", (error: NodeJS.ErrnoException) => {
      open.set(stream, false);
      halt(error.code === "EPIPE" ? "its output was closed" : `output error ${error.code}`);
    });

  return {
    signal: stop.signal,
    out: (text = "") => write(process.stdout, text),
    note: (text) => write(process.stderr, text),
  };
}
