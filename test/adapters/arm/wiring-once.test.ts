// One gateway connection Resource Graph sent twice (its pages are not a
// snapshot) read "2 connected" for one. Rows of one connection are one; two
// statuses for it say neither, and it is read as one without (a GET, for a
// VNet connection; UNKNOWN, named, for a vWAN one).

import { describe, expect, it } from "vitest";
import {
  oncePerConnection,
  wiringOf,
  type WiringRow,
} from "../../../src/adapters/arm/wire/graph.js";

const CIRCUIT =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-1";
const CONN = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/connections/conn-1";
const VWAN =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteGateways/hub/expressRouteConnections/c";
const vnetRow = (status: string | null, id = CONN): WiringRow => ({
  kind: "vnet-gateway",
  id,
  name: "conn-1",
  peer: CIRCUIT,
  status,
  gateway: null,
  region: null,
});
const vwanRow = (status: string | null): WiringRow => ({
  kind: "vwan",
  id: VWAN,
  name: "c",
  peer: `${CIRCUIT}/peerings/AzurePrivatePeering`,
  status,
  gateway: null,
  region: "westeurope",
});

describe("rows of one connection", () => {
  it.each<[string, WiringRow[], (string | null)[]]>([
    ["once", [vnetRow("Connected")], ["Connected"]],
    ["twice, the same", [vnetRow("Connected"), vnetRow("Connected")], ["Connected"]],
    [
      "twice, its id in another case",
      [vnetRow("Connected"), vnetRow("Connected", CONN.toUpperCase())],
      ["Connected"],
    ],
    [
      "twice, the status in another case",
      [vnetRow("Connected"), vnetRow("connected")],
      ["Connected"],
    ],
    ["twice, two statuses: none known", [vnetRow("Connected"), vnetRow("NotConnected")], [null]],
    ["twice, one without status: none known", [vnetRow("Connected"), vnetRow(null)], [null]],
    ["twice without status", [vnetRow(null), vnetRow(null)], [null]],
    [
      "three times, the third different",
      [vnetRow("Connected"), vnetRow("Connected"), vnetRow("NotConnected")],
      [null],
    ],
  ])("%s", (_what, rows, statuses) => {
    expect(oncePerConnection(rows).map((r) => r.status)).toEqual(statuses);
  });

  it("two connections are two", () => {
    const other = vnetRow("Connected", `${CONN}-2`);
    expect(oncePerConnection([vnetRow("Connected"), other])).toHaveLength(2);
  });

  it("a vWAN connection sent twice with two states is one, its state not known", () => {
    const { vwan } = wiringOf([vwanRow("Succeeded"), vwanRow("Failed")], CIRCUIT);
    expect(vwan.map((c) => c.status)).toEqual([null]);
  });

  it("a VNet connection sent twice alike is one row to judge", () => {
    const { vnet } = wiringOf([vnetRow("Connected"), vnetRow("Connected")], CIRCUIT);
    expect(vnet.map((r) => r.status)).toEqual(["Connected"]);
  });
});
