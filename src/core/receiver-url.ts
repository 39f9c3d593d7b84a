// The one rule for a URL erwatch posts alerts to. Config validation at start
// and the sender before each post both ask it, so a URL the app accepted is a
// URL the sender will use, and the other way round.
//
// Its answers never quote the value: receiver URLs carry their secret in the
// path or query (a Workflows signature, a Functions key).

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Why `value` cannot be a receiver URL, or null when it can. */
export function receiverUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  // fetch refuses a URL with credentials in it ("Request cannot be constructed
  // from a URL that includes credentials"): every post would fail, so say so now.
  if (url.username !== "" || url.password !== "")
    return "must not contain a user name or password (user:password@); send credentials in a header";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return "must be an https URL (http only for 127.0.0.1, localhost or [::1])";
}
