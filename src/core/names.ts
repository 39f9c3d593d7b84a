// Azure resource names (peerings, gateways, circuits) are case-insensitive,
// and ARM, a tag or a stored alert may spell one differently: matched as
// Azure matches them, an alert or a reading is never lost to a letter's case.

export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

/** A record's entry under `name`, exact spelling first, else any case. */
export function byName<T>(
  record: Readonly<Record<string, T>> | undefined,
  name: string,
): T | undefined {
  if (!record) return undefined;
  if (Object.hasOwn(record, name)) return record[name];
  const key = Object.keys(record).find((k) => sameName(k, name));
  return key === undefined ? undefined : record[key];
}

/**
 * The peering whose reads say whether a circuit's paths were read (fleet
 * members, read-age.ts), of the names given: the private peering, else the
 * first (a circuit with Microsoft peering alone). A failed read of the first
 * makes a circuit unread, never read well. Whether a pair partner carries
 * its site is another question: pairs.ts judges the private peering alone.
 */
export function sitePeering(names: readonly string[]): string | undefined {
  return names.find((n) => sameName(n, "AzurePrivatePeering")) ?? names[0];
}

/**
 * How a next action names the diagnose command of the circuit it is about:
 * the finding cannot know the name it will be sent under (a fleet alert
 * quotes a member's next action for all of them), so the event fills it in.
 */
export const DIAGNOSE_CIRCUIT = "erwatch diagnose <circuit>";

/**
 * `text` with the diagnose command of `circuitName`, to paste at 2 a.m.
 * Azure names a circuit with letters, digits, '_', '.' and '-' (a shell
 * takes them unquoted); any other name keeps the placeholder.
 */
export function diagnoseCommandFor(text: string, circuitName: string): string {
  if (!/^[A-Za-z0-9_.-]{1,80}$/.test(circuitName)) return text;
  return text.replaceAll(DIAGNOSE_CIRCUIT, `erwatch diagnose ${circuitName}`);
}

/** The names of a record's entries that `keep` holds for (a snapshot's peerings that remember something). */
export function namesWhere<T>(
  record: Readonly<Record<string, T>> | undefined,
  keep: (value: T) => boolean,
): string[] {
  return Object.entries(record ?? {})
    .filter(([, value]) => keep(value))
    .map(([name]) => name);
}
