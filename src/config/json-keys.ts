// JSON.parse keeps the last of two equal keys in one object and says
// nothing: a route list or a silence's end pasted in twice changed what
// erwatch did, unsaid. This finds them, so the reader can name them.

export interface DuplicateKey {
  /** Where the object holding the key is: property names and list indexes. */
  at: (string | number)[];
  key: string;
  /** How many times the key is given in that object (2 or more). */
  times: number;
}

/**
 * Keys given more than once in one object, in the order they first repeat in the text.
 * `text` must be JSON that JSON.parse has read: only its structure is walked.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  let i = 0;

  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i] ?? "")) i += 1;
  };

  /** The string starting at i (its opening quote), decoded as JSON does. */
  const readString = (): string => {
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i += 1;
    return JSON.parse(text.slice(start, i)) as string;
  };

  const readValue = (at: (string | number)[]): void => {
    skipSpace();
    const c = text[i];
    if (c === "{") {
      i += 1;
      const seen = new Map<string, DuplicateKey | null>();
      skipSpace();
      while (text[i] !== "}") {
        skipSpace();
        const key = readString();
        const before = seen.get(key);
        if (before) before.times += 1;
        else if (before === null) {
          const repeat = { at, key, times: 2 };
          found.push(repeat);
          seen.set(key, repeat);
        } else seen.set(key, null);
        skipSpace();
        i += 1; // ":"
        readValue([...at, key]);
        skipSpace();
        if (text[i] === ",") i += 1;
      }
      i += 1;
    } else if (c === "[") {
      i += 1;
      let index = 0;
      skipSpace();
      while (text[i] !== "]") {
        readValue([...at, index]);
        index += 1;
        skipSpace();
        if (text[i] === ",") i += 1;
        skipSpace();
      }
      i += 1;
    } else if (c === '"') {
      readString();
    } else {
      // A number, true, false or null: up to the next delimiter.
      while (i < text.length && !/[\s,\]}]/.test(text[i] ?? "")) i += 1;
    }
  };

  readValue([]);
  return found;
}
