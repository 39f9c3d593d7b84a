// A carrier's site is its provider and peering location, as ARM and people
// spell them: in any case, with a stray, doubled or non-breaking space (pasted
// from a provider's portal). One site spelt two ways is still one place, so a
// carrier outage there is one fleet alert, not one page per circuit.

/**
 * A provider or peering location as places are keyed and compared: runs of
 * whitespace as one space, trimmed, lower case. A place already spelt with
 * single spaces keys as it always did (trimmed, lower case), so fleet alerts
 * open under those keys keep their ids.
 */
export function placeWord(text: string): string {
  return text.replace(/\s+/g, " ").trim().toLowerCase();
}

/** One key per site (provider and peering location); null when either is missing. */
export function placeKey(
  provider: string | null | undefined,
  location: string | null | undefined,
): string | null {
  const p = provider ? placeWord(provider) : "";
  const l = location ? placeWord(location) : "";
  return p && l ? `${p}|${l}` : null;
}

/**
 * Each provider (or each location) once, as first spelt (whitespace runs as
 * one space), sorted: the status page's filter choices. One site spelt two ways filters to the same circuits,
 * so offering both spellings offers one choice twice.
 */
export function distinctPlaceWords(values: readonly (string | null)[]): string[] {
  const first = new Map<string, string>();
  for (const v of values) {
    if (v === null) continue;
    const word = placeWord(v);
    if (word !== "" && !first.has(word)) first.set(word, v.replace(/\s+/g, " ").trim());
  }
  return [...first.values()].sort();
}
