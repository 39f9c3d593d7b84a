// Times on the card: relative ("12 min before this message", which needs no
// time zone) and absolute in the reader's own time zone through the card's
// DATE() / TIME() functions, which the Teams client expands on the reader's
// device.

/** "45 s", "12 min", "1 h 12 min", "3 d 4 h". */
export function span(fromIso: string, toIso: string): string | null {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms)) return null;
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/**
 * span(), when `fromIso` is not after `toIso`: "… before this message" of a
 * time dated after the message (stored by a clock that has since stepped
 * back) is not a fact, so none is said; the absolute time still is.
 */
export function spanBefore(fromIso: string, toIso: string): string | null {
  return Date.parse(fromIso) <= Date.parse(toIso) ? span(fromIso, toIso) : null;
}

/**
 * `{{DATE(…, SHORT)}} {{TIME(…)}}` for an ISO instant, or null when it is not
 * one. The functions accept RFC 3339 without fractions only ("…:52:00Z").
 */
export function readerTime(iso: string): string | null {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return null;
  const plain = new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z");
  return `{{DATE(${plain}, SHORT)}} {{TIME(${plain})}}`;
}
