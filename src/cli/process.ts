// The CLI as a process: Ctrl-C (or SIGTERM) aborts what runs — reads stop at
// once and the process exits 130 without waiting for open connections — and a
// closed pipe (`erwatch sweep | head`) ends output quietly, the run keeping its
// usual exit code. A second Ctrl-C kills outright, as terminals expect.

import { processEnv } from "../config/env.js";
import { EXIT } from "./context.js";
import { runCli } from "./program.js";
import type { Stream } from "./terminal.js";

/** How long an interrupted run may take to wind down before the process leaves anyway. */
const INTERRUPT_GRACE_MS = 2_000;

const closedPipe = (error: unknown) =>
  ["EPIPE", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END"].includes(
    String((error as { code?: unknown })?.code),
  );

/** stdout / stderr that stop writing, silently, once the reader has gone. */
export function pipeSafe(stream: NodeJS.WriteStream): Stream {
  let closed = false;
  stream.on("error", (error) => {
    if (closedPipe(error)) {
      closed = true;
      return;
    }
    throw error;
  });
  return {
    write(chunk: string) {
      if (closed) return true;
      try {
        return stream.write(chunk);
      } catch (error) {
        if (!closedPipe(error)) throw error;
        closed = true;
        return true;
      }
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
  };
}

/** 128 + the signal's number, as shells and service managers read a run a signal ended. */
const SIGNAL_EXIT = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;

export async function main(argv: string[]): Promise<void> {
  const stop = new AbortController();
  let exitAs: number = EXIT.interrupted;
  const interrupt = (signal: keyof typeof SIGNAL_EXIT) => {
    exitAs = SIGNAL_EXIT[signal];
    stop.abort();
    // Whatever still holds the event loop (keep-alive sockets, a read that
    // ignores its signal) must not hold the person who pressed Ctrl-C.
    setTimeout(() => {
      process.stderr.write("erwatch: interrupted\n");
      process.exit(exitAs);
    }, INTERRUPT_GRACE_MS).unref();
  };
  process.once("SIGINT", () => interrupt("SIGINT"));
  process.once("SIGTERM", () => interrupt("SIGTERM"));
  const code = await runCli(argv, {
    env: processEnv(),
    stdout: pipeSafe(process.stdout),
    stderr: pipeSafe(process.stderr),
    signal: stop.signal,
  });
  process.exitCode = code;
  if (stop.signal.aborted) process.exit(code === EXIT.interrupted ? exitAs : code);
}
