// A loopback HTTP receiver for tests and the demo: records every request
// (failed ones too, so attempts can be counted) and answers as told.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  /** Date.now() when the request body had arrived. */
  at: number;
  method: string;
  path: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when it is not JSON. */
  body: unknown;
  rawBody: string;
  /** The status this receiver answered with; undefined while unanswered or when the socket was dropped. */
  status?: number;
}

export interface ScriptedResponse {
  status?: number;
  retryAfter?: string;
  /**
   * Answer only after this long (a timeout test sets it above the sender's
   * timeoutMs; a post whose `deadline` came from here is then given up at once).
   */
  delayMs?: number;
  body?: string;
  /** Drop the connection without answering. */
  destroySocket?: boolean;
}

export interface RecordingReceiver {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  name: string;
  requests: RecordedRequest[];
  /** The answer to every following request that has no one-shot queued (slow or dropped too). */
  respondWith(status: number, options?: Omit<ScriptedResponse, "status">): void;
  /** Queue `count` one-shot answers; then back to the default. */
  failNext(count: number, response: ScriptedResponse): void;
  /** Resolves once `count` requests have been recorded; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs: number): Promise<void>;
  /**
   * The deadline of a post to this receiver (erwatch's `PostDeadline`). A post
   * scripted to be answered no sooner than its `timeoutMs` is given up as soon
   * as it is here, as it would be in the end: a slow receiver costs no real
   * time, and `timeoutMs` of real time is only a backstop, far from any post
   * answered at once (a short real one, 300 ms, also ran out on those on a
   * loaded machine).
   */
  deadline(post: { body: string; timeoutMs: number }): AbortSignal;
  close(): Promise<void>;
}

export async function startRecordingReceiver(
  options: { name?: string } = {},
): Promise<RecordingReceiver> {
  const name = options.name ?? "recording-receiver";
  const requests: RecordedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  let fallback: ScriptedResponse | null = null;
  const waiters = new Set<{ count: number; resolve: () => void }>();
  /** Deadlines of posts on their way here. */
  const deadlines: { body: string; timeoutMs: number; giveUp: () => void }[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const notify = () => {
    for (const waiter of waiters) {
      if (requests.length >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  const answer = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => {
    const scripted = queue.shift() ?? fallback;
    // Every deadline waiting for this body: one left by a post that never got
    // here (its connection failed) must not hold up its retry's.
    for (const post of deadlines.filter((d) => d.body === recorded.rawBody)) {
      deadlines.splice(deadlines.indexOf(post), 1);
      if (scripted?.delayMs !== undefined && scripted.delayMs >= post.timeoutMs) post.giveUp();
    }
    const respond = () => {
      if (res.destroyed || res.writableEnded) return;
      if (scripted?.destroySocket) {
        req.socket.destroy();
        return;
      }
      if (!scripted) return sendDefault(res, recorded);
      const headers: Record<string, string> = {};
      if (scripted.retryAfter !== undefined) headers["retry-after"] = scripted.retryAfter;
      if (scripted.body !== undefined)
        headers["content-type"] = looksLikeJson(scripted.body) ? "application/json" : "text/plain";
      recorded.status = scripted.status ?? 202;
      res.writeHead(recorded.status, headers);
      res.end(scripted.body ?? "");
    };
    if (scripted?.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, scripted.delayMs);
      timers.add(timer);
    } else respond();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const recorded: RecordedRequest = {
        at: Date.now(),
        method: req.method ?? "",
        path: req.url ?? "",
        headers: flattenHeaders(req.headers),
        body: parseBody(rawBody),
        rawBody,
      };
      requests.push(recorded);
      answer(req, res, recorded);
      notify();
    });
  });

  // An idle connection stays open until the receiver closes, as the estate's
  // (18ab144): a dispatcher posts again on the socket its last post left, and
  // Node's default (5 s) closed one as it was reused when a loaded machine
  // spaced two dispatches further apart: "socket hang up", a failed post no
  // test scripted.
  server.keepAliveTimeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    name,
    requests,
    respondWith(status, opts = {}) {
      fallback = { status, ...opts };
    },
    failNext(count, response) {
      for (let i = 0; i < count; i += 1) queue.push(response);
    },
    waitForRequests(count, timeoutMs) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `${name}: expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    deadline({ body, timeoutMs }) {
      const given = new AbortController();
      deadlines.push({
        body,
        timeoutMs,
        giveUp: () =>
          given.abort(
            new DOMException(
              `${name} has the post and answers after ${timeoutMs} ms`,
              "TimeoutError",
            ),
          ),
      });
      return AbortSignal.any([given.signal, AbortSignal.timeout(timeoutMs)]);
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from fetch would hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

function sendDefault(res: ServerResponse, recorded: RecordedRequest): void {
  const dedupKey =
    isRecord(recorded.body) && typeof recorded.body.dedup_key === "string"
      ? recorded.body.dedup_key
      : undefined;
  const body = {
    status: "success",
    message: "Event processed",
    ...(dedupKey ? { dedup_key: dedupKey } : {}),
  };
  recorded.status = 202;
  res.writeHead(202, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function flattenHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined)
      out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function parseBody(raw: string): unknown {
  if (raw === "") return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function looksLikeJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
