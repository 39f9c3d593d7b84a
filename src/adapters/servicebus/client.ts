// One ServiceBusClient per connection per process: it owns the AMQP connection.

import { ServiceBusClient, type ServiceBusClientOptions } from "@azure/service-bus";
import type { TokenCredential } from "@azure/identity";
import type { ServiceBusConnection } from "../../config/publish.js";

const clients = new Map<string, ServiceBusClient>();

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
    client =
      connection.kind === "connection-string"
        ? new ServiceBusClient(connection.value, options)
        : new ServiceBusClient(
            connection.fullyQualifiedNamespace,
            credential(connection.clientId),
            options,
          );
    clients.set(key, client);
  }
  return client;
}

/** For tests and shutdown: close and forget every client. */
export async function closeServiceBusClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(all.map((c) => c.close()));
}
