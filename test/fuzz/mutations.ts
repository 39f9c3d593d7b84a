// The fields ARM sends, taken from the REST spec examples, and the odd forms a
// value can take on the wire: left out, null, another case, another type,
// enlarged, laced with control characters. Each is a WireEdit the simulated
// estate applies to exactly one body.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { WireEdit } from "../support/estate/index.js";

const EXAMPLES = join(import.meta.dirname, "..", "fixtures", "arm-examples");
const example = (file: string) =>
  (
    JSON.parse(readFileSync(join(EXAMPLES, file), "utf8")) as {
      responses: { "200": { body: unknown } };
    }
  ).responses["200"].body;

/** "properties.peerings[0].properties.state" for every leaf of `value`. */
export function leafPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [] : leafPaths(value[0], `${prefix}[0]`);
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  return prefix ? [prefix] : [];
}

/**
 * Identity the listing and the reads are addressed by: the estate routes by
 * them, so mangling them tests the fake, not erwatch. Their case is fair game.
 */
const IDENTITY = /(^|\.)(id|name|type|etag)$/;

export interface FieldSpace {
  read: WireEdit["read"];
  fields: string[];
}

export function fieldSpaces(): FieldSpace[] {
  const circuit = leafPaths(example("expressRouteCircuits.get.json"));
  const peering = leafPaths(example("expressRouteCircuitPeerings.get.json")).map(
    (p) => `properties.peerings[0].${p}`,
  );
  const rows = (file: string) =>
    leafPaths(example(file)).flatMap((p) => [p, p.replace("value[0]", "value[1]")]);
  return [
    { read: "circuit", fields: [...new Set([...circuit, ...peering, "tags.owner"])] },
    { read: "arpTable", fields: rows("expressRouteCircuits.listArpTable.json") },
    {
      read: "routeTablesSummary",
      fields: rows("expressRouteCircuits.listRoutesTableSummary.json"),
    },
    {
      read: "connection",
      fields: leafPaths(example("virtualNetworkGatewayConnections.get.json")),
    },
  ];
}

export type Mutation =
  | { kind: "remove" }
  | { kind: "null" }
  | { kind: "recase"; upper: boolean }
  | { kind: "retype" }
  | { kind: "enlarge" }
  | { kind: "control" };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: "remove" }),
  fc.constant<Mutation>({ kind: "null" }),
  fc.boolean().map<Mutation>((upper) => ({ kind: "recase", upper })),
  fc.constant<Mutation>({ kind: "retype" }),
  fc.constant<Mutation>({ kind: "enlarge" }),
  fc.constant<Mutation>({ kind: "control" }),
);

const CONTROL = "\u0000\u001b[2J\u001b]8;;https://evil.example\u0007\r\n\u202e";

/** What to send instead of `current`; undefined when this mutation means nothing for that value. */
export function mutate(
  current: unknown,
  m: Mutation,
  field: string,
): Omit<WireEdit, "read" | "field"> | undefined {
  const identity = IDENTITY.test(field);
  switch (m.kind) {
    case "remove":
      return identity ? undefined : { remove: true };
    case "null":
      return identity ? undefined : { value: null };
    case "recase":
      return typeof current === "string"
        ? { value: m.upper ? current.toUpperCase() : current.toLowerCase() }
        : undefined;
    case "retype":
      if (identity) return undefined;
      if (typeof current === "number") return { value: String(current) };
      if (typeof current === "boolean") return { value: String(current) };
      if (typeof current === "string")
        return { value: /^-?\d+$/.test(current) ? Number(current) : 7 };
      return undefined;
    case "enlarge":
      if (identity) return undefined;
      if (typeof current === "string") return { value: `${current}${"x".repeat(100_000)}` };
      if (typeof current === "number") return { value: 1e20 };
      return undefined;
    case "control":
      return !identity && typeof current === "string"
        ? { value: `${current}${CONTROL}` }
        : undefined;
  }
}
