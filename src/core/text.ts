// Text rules every edge shares: cutting a string to a budget without breaking
// a character, and the forms a secret takes once it is written into text.
// One definition each, so the log scrubber, the receivers' error reasons and
// the payload builders cannot disagree on what "safe" or "short enough" means.

/** The character that marks a cut: one UTF-16 unit, so budgets stay exact. */
export const ELLIPSIS = "…";

/**
 * The largest index ≤ `index` at which `value` can be cut without splitting a
 * surrogate pair (an emoji cut in half is an invalid string for JSON consumers).
 */
export function safeCut(value: string, index: number): number {
  const i = Math.max(0, Math.min(index, value.length));
  const code = value.charCodeAt(i - 1);
  return i > 0 && code >= 0xd800 && code <= 0xdbff ? i - 1 : i;
}

/** At most `max` UTF-16 units including the ellipsis; unchanged when it fits. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  if (max <= 0) return "";
  return `${value.slice(0, safeCut(value, max - ELLIPSIS.length))}${ELLIPSIS}`;
}

/**
 * Shorter whole values would scrub ordinary words out of every log line; a
 * secret that short is not worth the name anyway.
 */
export const MIN_SECRET_LENGTH = 6;
/**
 * Pieces of a secret (a URL's path segment or query value, a connection
 * string's key) must be long to count: "invoke" or "2016-06-01" are not
 * secrets, a signature is.
 */
export const MIN_SECRET_PIECE_LENGTH = 16;

/** Connection-string keys whose values leak on their own (an AccountKey quoted in an error). */
const KEY_PARTS = /(?:AccountKey|SharedAccessKey|SharedAccessSignature)=([^;]+)/gi;
/** Query parameters that hold a credential whatever their length (Logic Apps `sig`, Functions `code`). */
const SECRET_PARAMS = /^(?:sig|signature|code|token|key|apikey|api[-_]key|access_token)$/i;

/**
 * Every form in which a secret can show up in text that erwatch writes or
 * receives: whole, JSON-escaped, with escaped slashes, URL-encoded and
 * decoded; for a URL also its href, host+path, path, query and their long
 * pieces (a Teams Workflows URL carries its signature as a query value); for a
 * header value its words ("Bearer <token>"); for a connection string its keys.
 * Longest first, so a whole URL is replaced before its path is.
 */
export function secretForms(secrets: Iterable<string>): string[] {
  const whole: string[] = [];
  const pieces: string[] = [];
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret === "") continue;
    whole.push(secret);
    pieces.push(...secret.split(/\s+/));
    for (const m of secret.matchAll(KEY_PARTS)) {
      if (!m[1]) continue;
      whole.push(m[1]);
      // A SAS in a connection string: its signature on its own, as an SDK
      // re-encodes it into request URLs (`:` as %3A) and the whole SAS no longer matches.
      for (const [name, value] of new URLSearchParams(m[1]))
        if (SECRET_PARAMS.test(name)) whole.push(value);
    }
    const url = parseUrl(secret);
    if (url) {
      whole.push(url.href, `${url.host}${url.pathname}`, url.pathname, url.search.slice(1));
      pieces.push(...url.pathname.split("/"));
      for (const [name, value] of url.searchParams) {
        pieces.push(value, `${name}=${value}`);
        if (SECRET_PARAMS.test(name)) whole.push(value);
      }
    }
  }
  const forms = new Set<string>();
  const add = (value: string) => {
    forms.add(value);
    forms.add(JSON.stringify(value).slice(1, -1));
    forms.add(value.replaceAll("/", "\\/"));
    forms.add(encodeURIComponent(value));
    try {
      forms.add(decodeURIComponent(value));
    } catch {
      // not percent-encoded: nothing to add
    }
  };
  whole.filter((v) => v.length >= MIN_SECRET_LENGTH).forEach(add);
  pieces.filter((v) => v.length >= MIN_SECRET_PIECE_LENGTH).forEach(add);
  return [...forms]
    .filter((v) => v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/** `text` with every one of `forms` (from secretForms) replaced by `marker`. */
export function redact(text: string, forms: readonly string[], marker: string): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(marker);
  return out;
}

function parseUrl(value: string): URL | null {
  // Only absolute http(s) URLs have pieces worth listing; anything else is kept whole.
  if (!/^https?:\/\//i.test(value)) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * "1 circuit", "3 circuits": a count as it is read aloud. "1 circuit(s)" on a
 * status page or a card reads as a form nobody finished filling in.
 */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A count as an operator reads it in a title or a cell: "3,000 prefixes", not
 * "3000 prefixes" beside a "3,000 of 4,000" elsewhere in the same alert.
 */
export function thousands(n: number): string {
  return n.toLocaleString("en-US");
}
