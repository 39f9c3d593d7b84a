// Found by a review: a Microsoft peering whose new public prefix is being
// validated (advertisedPublicPrefixesState Configuring, for days) keeps its
// sessions up on the prefixes already validated. Its count nearing the 200 limit was hidden: the peering row's warn was taken as
// the path's lowest layer, and prefix-limit-near is raised only above routes.
// At 200 Microsoft shuts both sessions. The limit warning now stands beside
// the validation note; validated, the count alone says it.

import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../src/core/classify.js";
import {
  circuitReading,
  CONNECTED_GATEWAY,
  microsoftPeering,
  ok,
  peering,
} from "../support/readings.js";

function codes(state: string, count: string) {
  const verdict = classifyCircuit(
    circuitReading({
      peerings: [peering(), microsoftPeering(state)],
      gateway: ok(CONNECTED_GATEWAY),
      paths: { MicrosoftPeering: { primary: { bgp: count }, secondary: { bgp: count } } },
    }),
  );
  return verdict.findings
    .filter((f) => f.peering === "MicrosoftPeering")
    .map((f) => `${f.code}:${f.severity}`)
    .sort();
}

describe("a Microsoft peering's count near its limit while a prefix is validated", () => {
  it.each([
    { state: "Configured", count: "196", near: true },
    { state: "Configuring", count: "196", near: true },
    { state: "Configuring", count: "20", near: false },
    { state: "Configured", count: "20", near: false },
  ])("$state at $count of 200: limit warning $near", ({ state, count, near }) => {
    const found = codes(state, count);
    expect(found.some((c) => c.startsWith("prefix-limit-near:Sev2"))).toBe(near);
    // The validation note is still said beside it.
    if (state !== "Configured")
      expect(found.some((c) => c.startsWith("public-prefixes-not-validated"))).toBe(true);
  });
});
