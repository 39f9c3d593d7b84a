// Service Bus clients. The dispatcher's and the fan-out worker's share one
// client per connection per process (it owns the AMQP connection); a sweep's
// senders each open their own (see deadline.ts), so one can be dropped and
// opened afresh without touching the others.

import { ServiceBusClient, type ServiceBusClientOptions } from "@azure/service-bus";
import type { TokenCredential } from "@azure/identity";
import type { ServiceBusConnection } from "../../config/publish.js";

const clients = new Map<string, ServiceBusClient>();

/**
 * The SDK waits 30 s between retries by default: inside one send's deadline
 * (SERVICEBUS_TIMEOUT_MS, 30 s by default; see deadline.ts) no retry would
 * ever run. A broker that answered ServerBusy once is asked again in 2 s.
 */
const RETRY_DELAY_MS = 2_000;

/** A client of its own, on a connection of its own. */
export function newServiceBusClient(
  connection: ServiceBusConnection,
  credential: (clientId?: string) => TokenCredential,
  options: ServiceBusClientOptions = {},
): ServiceBusClient {
  const withRetry: ServiceBusClientOptions = {
    ...options,
    retryOptions: { retryDelayInMs: RETRY_DELAY_MS, ...options.retryOptions },
  };
  return connection.kind === "connection-string"
    ? new ServiceBusClient(connection.value, withRetry)
    : new ServiceBusClient(
        connection.fullyQualifiedNamespace,
        credential(connection.clientId),
        withRetry,
      );
}

/** The process's shared client for a connection. */
export function serviceBusClient(
  connection: ServiceBusConnection,
  credential: (clientId?: string) => TokenCredential,
  options: ServiceBusClientOptions = {},
): ServiceBusClient {
  const key =
    connection.kind === "connection-string"
      ? connection.value
      : `${connection.fullyQualifiedNamespace}|${connection.clientId ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    client = newServiceBusClient(connection, credential, options);
    clients.set(key, client);
  }
  return client;
}

/** For tests and shutdown: close and forget every shared client. */
export async function closeServiceBusClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((c) => c.close()));
}
