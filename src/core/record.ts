// Stored rows, alert evidence and ARM bodies reach erwatch as unknown JSON,
// written by older versions or by hand. Each field is looked at only once its
// holder is known to be an object; an array is never taken for one, so a
// list kept where a map was expected reads as missing, not as keys "0", "1".

/** A JSON object: not null, not an array. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The fields of a stored map whose values are text (tags); none when it is no map. */
export const textFields = (value: unknown): Record<string, string> =>
  isRecord(value)
    ? Object.fromEntries(
        Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
      )
    : {};
