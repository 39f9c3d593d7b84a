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
