/**
 * An ISO 8601 duration as bicep holds it ('PT15M', 'PT1H', 'PT1H30M'), in
 * minutes; throws on anything else, so a rule's window is never read as NaN.
 */
export function isoMinutes(iso: string | undefined): number {
  const m = /^'PT(?:(\d+)H)?(?:(\d+)M)?'$/.exec(iso ?? "");
  if (!m || (m[1] === undefined && m[2] === undefined))
    throw new Error(`not a PTnH / PTnM duration: ${iso}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}
