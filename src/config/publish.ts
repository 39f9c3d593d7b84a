import type { SettingsReader } from "./reader.js";
import {
  isUnresolvedKeyVaultReference,
  quotable,
  UNRESOLVED_KEY_VAULT_REFERENCE,
} from "./secret-shape.js";

/** SERVICEBUS_ENTITY when unset: where the sweep publishes and the dispatcher reads. */
export const DEFAULT_ALERTS_ENTITY = "erwatch-alerts";

export type ServiceBusConnection =
  | { kind: "connection-string"; value: string }
  | { kind: "identity"; fullyQualifiedNamespace: string; clientId?: string };

export interface PublishConfig {
  connection: ServiceBusConnection;
  entity: string;
  /** Deadline for one call to Service Bus (a send, a receive beyond its wait, a settlement), the SDK's retries included. */
  timeoutMs: number;
}

/**
 * Key=Value pairs: a connection string pasted into a setting that takes a
 * name. Such a value holds a key, and a problem message is logged on every
 * invocation: it is described, never quoted.
 */
function looksLikeConnectionString(value: string): boolean {
  return /(?:^|;)\s*[A-Za-z]+\s*=/.test(value);
}

/**
 * A queue, topic or subscription name, checked at start with the other
 * settings: a bad one otherwise fails only when first used (the first park,
 * the first fan-out), mid-incident. Undefined when unset.
 */
export function readEntityName(r: SettingsReader, setting: string): string | undefined {
  const name = r.raw(setting);
  if (name === undefined) return undefined;
  if (!isEntityName(name))
    r.problem(
      setting,
      looksLikeConnectionString(name)
        ? `is a connection string, not a queue, topic or subscription name (the value is not shown: it holds a key)`
        : quotable(name)
          ? `"${name}" is not a valid queue, topic or subscription name`
          : "is not a valid queue, topic or subscription name (the value is not shown: it does not read as a name, and may be a key or a SAS token)",
    );
  return name;
}

function isEntityName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,259}$/.test(name);
}

/**
 * Service Bus names are not case-sensitive: two settings naming one entity
 * make one queue of two, whose readers take each other's messages (alert
 * events handed to the sweep's workers, parked events back to the
 * dispatcher). Reported under the setting that was set; only valid names are
 * compared, as an invalid one is reported on its own and may hold a key.
 * With `involving`, only pairs with that setting: the rest are another
 * entry's to check.
 */
export function refuseSharedEntities(
  r: SettingsReader,
  entities: [setting: string, name: string | null][],
  involving?: string,
): void {
  const valid = entities.filter((e): e is [string, string] => e[1] !== null && isEntityName(e[1]));
  valid.forEach((later, i) => {
    for (const earlier of valid.slice(0, i)) {
      if (involving !== undefined && ![later[0], earlier[0]].includes(involving)) continue;
      if (later[1].toLowerCase() !== earlier[1].toLowerCase()) continue;
      const [setting, other] = r.raw(later[0]) !== undefined ? [later, earlier] : [earlier, later];
      const how = r.raw(other[0]) !== undefined ? "names" : "names by default";
      r.problem(
        setting[0],
        `"${setting[1]}" is the entity ${other[0]} ${how} ("${other[1]}"; Service Bus names are not case-sensitive): the alert events, the sweep's work and the parked dead letters each need an entity of their own`,
      );
    }
  });
}

/** Null when Service Bus is not configured at all (the CLI then leaves events in the outbox). */
export function readPublishConfig(r: SettingsReader, required: boolean): PublishConfig | null {
  const cs = r.raw("ServiceBusConnection");
  const namespace = r.raw("ServiceBusConnection__fullyQualifiedNamespace");
  const clientId = r.raw("ServiceBusConnection__clientId");
  const entity = readEntityName(r, "SERVICEBUS_ENTITY") ?? DEFAULT_ALERTS_ENTITY;
  // Read (and checked) even when Service Bus is not configured, so a bad value is reported with the rest.
  const timeoutMs = r.tunable("SERVICEBUS_TIMEOUT_MS", 30_000, { min: 100, max: 120_000 });
  if (cs) {
    if (isUnresolvedKeyVaultReference(cs))
      r.problem("ServiceBusConnection", UNRESOLVED_KEY_VAULT_REFERENCE);
    else if (!/Endpoint=sb:\/\//i.test(cs))
      r.problem("ServiceBusConnection", "is not a Service Bus connection string (Endpoint=sb://…)");
    return { connection: { kind: "connection-string", value: cs }, entity, timeoutMs };
  }
  if (namespace) {
    if (!/^[A-Za-z0-9-]+\.[A-Za-z0-9.-]+$/.test(namespace)) {
      r.problem(
        "ServiceBusConnection__fullyQualifiedNamespace",
        looksLikeConnectionString(namespace)
          ? "is a connection string, not a host name like <namespace>.servicebus.windows.net (the value is not shown: it holds a key); a connection string goes in ServiceBusConnection"
          : quotable(namespace)
            ? `"${namespace}" is not a host name like <namespace>.servicebus.windows.net`
            : "is not a host name like <namespace>.servicebus.windows.net (the value is not shown: it does not read as one, and may be a key or a SAS token)",
      );
    }
    return {
      connection: {
        kind: "identity",
        fullyQualifiedNamespace: namespace,
        ...(clientId ? { clientId } : {}),
      },
      entity,
      timeoutMs,
    };
  }
  if (required)
    r.problem(
      "ServiceBusConnection",
      "set ServiceBusConnection (connection string) or ServiceBusConnection__fullyQualifiedNamespace (managed identity)",
    );
  return null;
}
