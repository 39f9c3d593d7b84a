// Values given where a name belongs (an app setting's name, a queue's, a
// namespace's host) are quoted back when refused, and a name is quoted in
// "setting X is not set". A key pasted there instead is never registered
// with the log scrubber (it was taken for a name): quoted, it went into the
// start-up log, every dead-letter reason Service Bus keeps, and the CLI's
// output. So a value is quoted only when it plainly reads as a name: none of
// the characters keys are made of, and no part that looks drawn at random.

const DIGIT = /\d/;
const LETTER = /[A-Za-z]/;

function classOf(c: string): string {
  if (c >= "A" && c <= "Z") return "U";
  if (c >= "a" && c <= "z") return "l";
  if (c >= "0" && c <= "9") return "d";
  return "o";
}

/**
 * One part of a name (between `_`, `-`, `.` or `/`) that reads as random:
 * several digits among letters (keys, tokens: `kQz…7R2iO9xq`, `51HcXq…`), or
 * long with its kind of character changing at most steps (words in
 * CamelCase change about every fifth character; random text about two in three).
 */
export function looksRandom(part: string): boolean {
  const chars = [...part];
  const digits = chars.filter((c) => DIGIT.test(c)).length;
  const letters = chars.filter((c) => LETTER.test(c)).length;
  if (chars.length >= 8 && digits >= 3 && letters >= 2) return true;
  if (chars.length < 16) return false;
  let turns = 0;
  for (let i = 1; i < chars.length; i += 1)
    if (classOf(chars[i]!) !== classOf(chars[i - 1]!)) turns += 1;
  return turns / (chars.length - 1) >= 0.5;
}

/** Whether a value given for a name may be a secret: one of its parts reads as random. */
export function mayBeSecret(value: string): boolean {
  return value.split(/[_\-./ ]/).some(looksRandom);
}

/**
 * Whether a value given for a name may be quoted in a message: short, none
 * of the characters keys, SAS tokens and connection strings are made of
 * (base64's `+` and `=`, a query's `&` and `%`, `;`), and no random part.
 */
export function quotable(value: string): boolean {
  return /^[^=+&%;\p{Cc}]{1,100}$/u.test(value) && !mayBeSecret(value);
}

/**
 * App Service hands over a Key Vault reference's own text when it cannot
 * resolve it (no access to the vault, a secret renamed): a value that reads
 * as that is no value at all, and the problem is the reference, not its text.
 */
export function isUnresolvedKeyVaultReference(value: string): boolean {
  return /^@Microsoft\.KeyVault\(/i.test(value.trim());
}

/** Said of a setting whose value is such a reference; never quotes it. */
export const UNRESOLVED_KEY_VAULT_REFERENCE =
  "is a Key Vault reference the Functions host could not resolve; give the app's identity read access to the secret (Key Vault Secrets User) and check the secret's name; the portal's Environment variables blade shows why it failed";
