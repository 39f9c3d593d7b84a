// Found by a review: a working Microsoft peering whose owner adds a public prefix: ARM
// reports advertisedPublicPrefixesState "Configuring" while Microsoft
// validates it (for days, as the product's own next action allows), and the
// sessions stay Established with the prefixes already validated. Meanwhile
// the received-prefix count is 196 of the Microsoft peering's 200: at 200
// Microsoft shuts the sessions (both paths, Sev0). erwatch's Sev2 "near the
// route limit" was not said: core/path-analysis.ts takes the IPv4 prefix
// state's "Configuring" warn on the peering row as the path's `lowest` layer
// (the `lowest` ORDER.find: a peering warn counts unless it is IPv6's
// validation), and core/path-findings.ts emits prefix-limit-near only for
// paths whose lowest is "routes". So the Sev3 "validation in progress, wait"
// was all the on-call heard, with the sessions 4 prefixes from being shut.
// (The same rule already kept IPv6's pending validation from hiding IPv4's
// near-limit; IPv4's own pending validation hid it.) Now both are said.
// Through the REAL SDK against the simulated estate (the CLI's JSON report).

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  editWire,
  estateOf,
  healthyCircuit,
  setPrefixes,
  startEstate,
  type EstateState,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { diagnoseReport } from "../support/estate-cli.js";

const MS = "MicrosoftPeering";
const world = (): EstateState =>
  estateOf(healthyCircuit({ name: "er-ms", microsoftPeering: true }));

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

function nearLimit(state: string | null) {
  const circuit = estate.state.circuits[0]!;
  for (const path of ["primary", "secondary"] as const) setPrefixes(circuit, MS, path, 196);
  if (state !== null)
    editWire(circuit, {
      read: "circuit",
      field:
        "properties.peerings[1].properties.microsoftPeeringConfig.advertisedPublicPrefixesState",
      value: state,
    });
}

describe("a Microsoft peering at 196 of its 200 routes", () => {
  it("control: prefixes validated, it is prefix-limit-near Sev2", async () => {
    nearLimit(null);
    const c = await diagnoseReport(estate, "er-ms");
    expect(c.findings.map((f) => `${f.code} ${f.severity} ${f.peering}`)).toEqual([
      `prefix-limit-near Sev2 ${MS}`,
    ]);
  });

  it("while a new prefix is Configuring, it is still prefix-limit-near Sev2", async () => {
    nearLimit("Configuring");
    const c = await diagnoseReport(estate, "er-ms");
    const ms = c.peerings.find((p) => p.name === MS)!;
    expect(ms.paths.primary.bgp.status).toBe("up");
    expect(ms.paths.primary.routes.status).toBe("warn");
    // Before: only ["public-prefixes-not-validated Sev3 MicrosoftPeering"].
    expect(c.findings.map((f) => `${f.code} ${f.severity} ${f.peering}`)).toEqual(
      expect.arrayContaining([`prefix-limit-near Sev2 ${MS}`]),
    );
  });
});
