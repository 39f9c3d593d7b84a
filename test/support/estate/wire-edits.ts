// Raw edits to the JSON the estate sends: the odd values real ARM can send
// and the scenario data cannot express (a field left out, null, another case,
// a number where text belongs). Applied last, to exactly the body named, so
// every other byte stays as the examples in the REST specs show it.

import { sameName } from "./ids.js";
import type { WireEdit } from "./model.js";

type Key = string | number;

/** "properties.peerings[0].properties.state" → ["properties", "peerings", 0, "properties", "state"]. */
export function fieldPath(field: string): Key[] {
  const keys: Key[] = [];
  for (const part of field.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) throw new Error(`wire edit: cannot read field "${field}"`);
    if (match[1]) keys.push(match[1]);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) keys.push(Number(index[1]));
  }
  if (keys.length === 0) throw new Error(`wire edit: empty field "${field}"`);
  return keys;
}

function applyOne(body: unknown, edit: WireEdit): void {
  const keys = fieldPath(edit.field);
  let parent = body as Record<Key, unknown>;
  for (const key of keys.slice(0, -1)) {
    const next = parent?.[key];
    // A wrong path is a bug in the test, not an odd value: say so.
    if (typeof next !== "object" || next === null)
      throw new Error(`wire edit: "${edit.field}" does not exist in the ${edit.read} body`);
    parent = next as Record<Key, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (edit.remove) {
    if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
    else delete parent[last];
  } else {
    parent[last] = structuredClone(edit.value);
  }
}

/** Applies, in order, the edits meant for this read (and this peering and path, for the path reads). */
export function applyWireEdits(
  body: unknown,
  edits: readonly WireEdit[] | undefined,
  read: WireEdit["read"],
  where: { peering?: string; path?: string } = {},
): unknown {
  for (const edit of edits ?? []) {
    if (edit.read !== read) continue;
    if (edit.peering !== undefined && !sameName(edit.peering, where.peering ?? "")) continue;
    if (edit.path !== undefined && !sameName(edit.path, where.path ?? "")) continue;
    applyOne(body, edit);
  }
  return body;
}
