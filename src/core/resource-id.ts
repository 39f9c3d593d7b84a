// ExpressRoute circuit resource ids arrive from people (settings, CLI, HTTP);
// parse them once, strictly, so a typo is a clear error and not a 404 later.

export interface CircuitId {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Canonical form, as ARM spells it. */
  id: string;
}

/** A subscription id is a GUID: 36 characters are not enough, the dashes must be where a GUID has them. */
const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

// A resource group's name may hold any Unicode letter or digit ("rg-zürich");
// a circuit's, only ASCII. Refused here, a circuit in such a group would never be watched.
const PATTERN = new RegExp(
  String.raw`^/subscriptions/(${GUID})/resourceGroups/([-\p{L}\p{N}_.()]+)/providers/Microsoft\.Network/expressRouteCircuits/([-\w._]+)/?$`,
  "iu",
);

export function parseCircuitId(text: string): CircuitId | null {
  const match = PATTERN.exec(text.trim());
  if (!match) return null;
  const [, subscriptionId, resourceGroup, name] = match as unknown as [
    string,
    string,
    string,
    string,
  ];
  return {
    subscriptionId: subscriptionId.toLowerCase(),
    resourceGroup,
    name,
    id: `/subscriptions/${subscriptionId.toLowerCase()}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/expressRouteCircuits/${name}`,
  };
}

const SUBSCRIPTION_ID = new RegExp(`^${GUID}$`);

export const isSubscriptionId = (text: string): boolean => SUBSCRIPTION_ID.test(text.trim());

/** Ids compare case-insensitively in ARM. */
export const sameId = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * Each id once, compared as ARM compares them (case-insensitively), the first
 * spelling kept: a subscription pasted twice, or once in capitals, is watched
 * once, not read (and paged) twice.
 */
export function uniqueIds(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const key = id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
