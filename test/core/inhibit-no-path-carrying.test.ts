// "held: no path carrying" without both paths down (one path down, the
// other's public prefixes validating) held no resolve: the gateway or Global
// Reach alert above it resolved beside that row. The classifier says when no
// path carries, and what is down beneath holds the resolve then, and only then.

import { describe, expect, it } from "vitest";
import { classifyCircuit, DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { inhibitions, type ActiveAlert } from "../../src/core/inhibit.js";
import type { AlertFamily, FindingCode, PathName } from "../../src/core/model.js";
import { circuitReading, microsoftPeering, type CircuitSpec } from "../support/readings.js";

const CIRCUIT =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er";
const down = { arp: "empty", bgp: "Idle" } as const;
const settings = { expectedPeerings: ["MicrosoftPeering"] };

const alert = (
  key: string,
  family: AlertFamily,
  code: FindingCode,
  paths: PathName[],
  noPathCarrying: boolean,
): ActiveAlert => ({
  key,
  family,
  code,
  severity: "Sev3",
  circuitId: CIRCUIT,
  peering: "MicrosoftPeering",
  paths,
  active: true,
  ...(noPathCarrying ? { noPathCarrying: true } : {}),
});

describe("whether a path of the peering carries, as the classifier reads it", () => {
  it.each<{ name: string; spec: CircuitSpec; none: boolean }>([
    {
      name: "one path down, the other's public prefixes validating",
      spec: {
        settings,
        peerings: [microsoftPeering("Configuring")],
        paths: { MicrosoftPeering: { primary: down } },
      },
      none: true,
    },
    {
      name: "both paths' public prefixes validating",
      spec: { settings, peerings: [microsoftPeering("Configuring")] },
      none: true,
    },
    {
      name: "one path down, the other carrying",
      spec: {
        settings,
        peerings: [microsoftPeering("Configured")],
        paths: { MicrosoftPeering: { primary: down } },
      },
      none: false,
    },
  ])("$name: no path carrying is $none", ({ spec, none }) => {
    const verdict = classifyCircuit(circuitReading(spec), DEFAULT_CLASSIFY_OPTIONS);
    const p = verdict.peerings.find((x) => x.name === "MicrosoftPeering")!;
    expect(p.noPathCarrying === true).toBe(none);
  });
});

describe("what is down beneath a peering no path of which carries", () => {
  it.each<{ name: string; source: ActiveAlert; rule: string | null }>([
    {
      name: "one path down",
      source: alert("beneath", "path-down", "arp-missing", ["primary"], true),
      rule: "a path down with no path carrying keeps the gateway and Global Reach alerts above it open",
    },
    {
      name: "public prefixes validating, no path down",
      source: alert(
        "beneath",
        "peering-config",
        "public-prefixes-not-validated",
        ["primary", "secondary"],
        true,
      ),
      rule: "public prefixes not validated, with no path carrying, keep the gateway and Global Reach alerts above them open",
    },
    {
      name: "one path down beside a path carrying",
      source: alert("beneath", "path-down", "arp-missing", ["primary"], false),
      rule: null,
    },
    {
      name: "public prefixes validating beside a path carrying",
      source: alert(
        "beneath",
        "peering-config",
        "public-prefixes-not-validated",
        ["primary"],
        false,
      ),
      rule: null,
    },
  ])("$name: holds the Global Reach alert's resolve only then", ({ source, rule }) => {
    const reach = alert("gr", "global-reach", "global-reach-down", ["primary", "secondary"], false);
    const held = inhibitions([source, { ...reach, severity: "Sev1" }]);
    expect(held.get("gr") ?? null).toEqual(
      rule ? { by: "beneath", rule, only: "resolve", severity: "Sev3" } : null,
    );
  });
});
