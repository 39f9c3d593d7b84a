// Long-running POST reads, in the two shapes ARM uses. The Network resource
// provider answers with BOTH `Azure-AsyncOperation` (a status document at
// .../locations/<region>/operations/<id>) and `Location` (the result, at
// .../operationResults/<id>); the SDK then polls the status document and reads
// the result from Location once it says Succeeded. Other providers send
// `Location` only, polled until it answers 200. Each URL is checked against
// its own RBAC action, which is why a role must grant both.
//
// The answer is computed when the POST arrives (the estate may change while
// the client polls, as the real router state would not be re-read), then
// handed out once the configured pending polls are used.

import { randomUUID } from "node:crypto";
import { errorBody } from "./arm-errors.js";
import type { LroOperationName, LroShape } from "./model.js";

export interface OperationFailure {
  code: string;
  message: string;
}

export interface Operation {
  id: string;
  kind: LroOperationName;
  shape: LroShape;
  subscriptionId: string;
  location: string;
  circuit: string;
  peering: string;
  devicePath: string;
  /** The final 200 body, serialised at POST time. */
  body: string;
  pollsLeft: number;
  neverEnding: boolean;
  /** Set when the operation ends Failed instead of Succeeded. */
  failure?: OperationFailure;
  startedAt: string;
  /** With the cost model on: the read runs until this time (by `clock`), however often it is polled. */
  readyAt?: number;
  clock?: () => number;
}

export interface LroAnswer {
  status: number;
  body?: string;
  headers: Record<string, string>;
}

export class OperationStore {
  private readonly operations = new Map<string, Operation>();

  /** `timing`: the cost model's latency, instead of a count of pending polls. */
  constructor(private readonly timing?: { readyAt(): number; now(): number }) {}

  create(input: Omit<Operation, "id" | "startedAt">): Operation {
    const operation: Operation = {
      ...input,
      id: randomUUID(),
      startedAt: new Date().toISOString(),
    };
    if (this.timing) {
      operation.readyAt = this.timing.readyAt();
      operation.clock = () => this.timing!.now();
    }
    this.operations.set(operation.id, operation);
    return operation;
  }

  get(id: string): Operation | undefined {
    return this.operations.get(id.toLowerCase());
  }
}

const regionOf = (operation: Operation) => operation.location.toLowerCase().replace(/\s+/g, "");
const base = (baseUrl: string, operation: Operation) =>
  `${baseUrl}/subscriptions/${operation.subscriptionId}/providers/Microsoft.Network/locations/${regionOf(operation)}`;

/** Where the result is read; the SDK uses it verbatim. */
export function locationUrl(baseUrl: string, operation: Operation): string {
  return `${base(baseUrl, operation)}/operationResults/${operation.id}?api-version=2026-01-01`;
}

/** Where the status document is polled (Network RP shape only). */
export function asyncOperationUrl(baseUrl: string, operation: Operation): string {
  return `${base(baseUrl, operation)}/operations/${operation.id}?api-version=2026-01-01`;
}

const retryAfter = (seconds: number | undefined): Record<string, string> =>
  seconds === undefined ? {} : { "Retry-After": String(seconds) };

/** The POST's 202, and what a Location poll answers while the operation runs. */
export function accepted(
  baseUrl: string,
  operation: Operation,
  retryAfterSeconds: number | undefined,
): LroAnswer {
  const headers: Record<string, string> = {
    Location: locationUrl(baseUrl, operation),
    ...retryAfter(retryAfterSeconds),
  };
  if (operation.shape === "network-rp")
    headers["Azure-AsyncOperation"] = asyncOperationUrl(baseUrl, operation);
  return { status: 202, headers };
}

/** One poll consumes one pending poll, whichever URL it came to. */
function stillRunning(operation: Operation): boolean {
  if (operation.neverEnding) return true;
  if (operation.readyAt !== undefined && operation.clock && operation.clock() < operation.readyAt)
    return true;
  if (operation.pollsLeft <= 0) return false;
  operation.pollsLeft -= 1;
  return true;
}

export function pollLocation(
  baseUrl: string,
  operation: Operation,
  retryAfterSeconds: number | undefined,
): LroAnswer {
  if (stillRunning(operation)) return accepted(baseUrl, operation, retryAfterSeconds);
  if (operation.failure) {
    const { code, message } = operation.failure;
    return { status: 500, body: errorBody(code, message), headers: {} };
  }
  return { status: 200, body: operation.body, headers: {} };
}

/** The Azure-AsyncOperation status document: always 200; the state is in the body. */
export function pollStatus(operation: Operation, retryAfterSeconds: number | undefined): LroAnswer {
  const document: Record<string, unknown> = {
    id: `/subscriptions/${operation.subscriptionId}/providers/Microsoft.Network/locations/${regionOf(operation)}/operations/${operation.id}`,
    name: operation.id,
    startTime: operation.startedAt,
  };
  if (stillRunning(operation)) {
    document.status = "InProgress";
    return { status: 200, body: JSON.stringify(document), headers: retryAfter(retryAfterSeconds) };
  }
  document.endTime = new Date().toISOString();
  if (operation.failure) {
    document.status = "Failed";
    document.error = { ...operation.failure };
  } else {
    document.status = "Succeeded";
  }
  return { status: 200, body: JSON.stringify(document), headers: {} };
}
