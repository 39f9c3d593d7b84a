// Settings keyed by circuit: which keys match nothing, and which are a name
// several circuits share (names are unique within a resource group only).

import { describe, expect, it } from "vitest";
import { sharedCircuitNames, unmatchedCircuitKeys } from "../../src/core/policy.js";

const id = (sub: number, name: string) =>
  `/subscriptions/0000000${sub}-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`;
const CIRCUITS = [
  { id: id(1, "er-ams"), name: "er-ams" },
  { id: id(2, "er-ams"), name: "er-ams" },
  { id: id(1, "er-lon"), name: "er-lon" },
];

describe("circuit keys of a setting", () => {
  it.each<[string, string[], { key: string; ids: string[] }[]]>([
    [
      "a name two subscriptions share",
      ["er-ams"],
      [{ key: "er-ams", ids: [id(1, "er-ams"), id(2, "er-ams")] }],
    ],
    [
      "that name in another case, padded",
      [" ER-AMS "],
      [{ key: " ER-AMS ", ids: [id(1, "er-ams"), id(2, "er-ams")] }],
    ],
    ["a name one circuit has", ["er-lon"], []],
    ["a resource id, even of a shared name", [id(2, "er-ams").toLowerCase()], []],
    ["a name no circuit has", ["er-par"], []],
  ])("%s", (_, keys, shared) => {
    expect(sharedCircuitNames(keys, CIRCUITS)).toEqual(shared);
  });

  it("names the keys that match no circuit, by name or id in any case", () => {
    expect(
      unmatchedCircuitKeys(["er-par", "ER-LON", id(2, "er-ams").toLowerCase()], CIRCUITS),
    ).toEqual(["er-par"]);
  });
});
