// An IPv6 neighbor in a BGP state erwatch does not know ("NoNeg": the address
// family not negotiated) beside the IPv4 session Established with 120
// prefixes, through the real SDK: the surviving path still carries. Before,
// the ARM reader refused the whole route summary as malformed, IPv4 included,
// and one path down beside it paged Sev1 "redundancy unverified" instead of
// Sev2 "redundancy holding" (found by a review of grading).

import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import {
  carrierDown,
  editWire,
  estateOf,
  healthyCircuit,
  startEstate,
  type EstateState,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { diagnoseReport } from "../support/estate-cli.js";

const PRIVATE = "AzurePrivatePeering";
const world = (): EstateState => estateOf(healthyCircuit({ name: "er-dual" }));

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(world());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.state = world();
});

it("one path down beside a survivor whose IPv6 state is not understood: redundancy holding, Sev2", async () => {
  const circuit = estate.state.circuits[0]!;
  carrierDown(circuit, PRIVATE, "primary");
  editWire(circuit, {
    read: "routeTablesSummary",
    peering: PRIVATE,
    path: "secondary",
    field: "value[1]",
    value: { neighbor: "2001:db8:10::1", v: 6, as: 65010, upDown: "1d02h", statePfxRcd: "NoNeg" },
  });
  const report = await diagnoseReport(estate, "er-dual");
  const peering = report.peerings.find((p) => p.name === PRIVATE)!;
  expect(peering.paths.secondary.bgp.status).toBe("warn");
  expect(peering.paths.secondary.bgp.detail).toContain('"NoNeg" not understood');
  expect(report.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(
    expect.arrayContaining([expect.stringMatching(/ Sev2$/)]),
  );
  expect(report.findings.some((f) => f.severity === "Sev1" || f.severity === "Sev0")).toBe(false);
  expect(report.findings.find((f) => f.paths.includes("primary"))?.title).toMatch(
    /redundancy holding/,
  );
});
