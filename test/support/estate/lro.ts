// Long-running POST reads. The answer is computed when the POST arrives (the
// estate may change while the client polls, as the real router state would
// not be re-read), then handed out once the configured pending polls are used.

import { randomUUID } from "node:crypto";
import type { LroOperationName } from "./model.js";

export interface Operation {
  id: string;
  kind: LroOperationName;
  subscriptionId: string;
  location: string;
  circuit: string;
  peering: string;
  devicePath: string;
  /** The final 200 body, serialised at POST time. */
  body: string;
  pollsLeft: number;
  neverEnding: boolean;
}

export class OperationStore {
  private readonly operations = new Map<string, Operation>();

  create(input: Omit<Operation, "id">): Operation {
    const operation: Operation = { ...input, id: randomUUID() };
    this.operations.set(operation.id, operation);
    return operation;
  }

  get(id: string): Operation | undefined {
    return this.operations.get(id.toLowerCase());
  }
}

/** Where the client polls; the SDK uses it verbatim. */
export function locationUrl(baseUrl: string, operation: Operation): string {
  const region = operation.location.toLowerCase().replace(/\s+/g, "");
  return `${baseUrl}/subscriptions/${operation.subscriptionId}/providers/Microsoft.Network/locations/${region}/operationResults/${operation.id}?api-version=2026-01-01`;
}
