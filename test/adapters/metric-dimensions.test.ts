// Azure Monitor's dimension values name the peering and the path in Azure's
// own words; whatever the wire carries instead (another case, a number, an
// object, nothing) names no peering or path rather than failing the batch.

import { describe, expect, it } from "vitest";
import { pathOf, peeringOf } from "../../src/adapters/monitor/metrics.js";

describe("metric dimensions", () => {
  it.each<[unknown, string | null]>([
    ["Private", "AzurePrivatePeering"],
    ["AZURE_PRIVATE_PEERING", "AzurePrivatePeering"],
    ["MicrosoftPeering", "MicrosoftPeering"],
    ["public", "AzurePublicPeering"],
    ["SomethingNew", "SomethingNew"],
    ["", null],
    [null, null],
    [undefined, null],
    [7, null],
    [{ value: "Private" }, null],
  ])("peering %j → %j", (value, want) => {
    expect(peeringOf(value)).toBe(want);
  });

  it.each<[unknown, string | null]>([
    ["Primary-IPv4", "primary"],
    ["SECONDARY", "secondary"],
    ["secondary-ipv6", "secondary"],
    ["Tertiary", null],
    [null, null],
    [42, null],
    [["Primary"], null],
  ])("path %j → %j", (value, want) => {
    expect(pathOf(value)).toBe(want);
  });
});
