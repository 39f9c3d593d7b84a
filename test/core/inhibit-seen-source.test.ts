// A hold of the resolve comes from the source's condition as read this
// sweep, not only from its open alert: a Sev3 Disabled peering waits a sweep
// to open, and the gateway alert above it resolved in that sweep with no hold
// (or read a bare "resolving"). A hold of everything still waits for the
// source to open: a condition that never opens must not have kept a page unheard.

import { describe, expect, it } from "vitest";
import { inhibitions, type ActiveAlert } from "../../src/core/inhibit.js";
import type { AlertFamily, FindingCode, Severity } from "../../src/core/model.js";

const CIRCUIT =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er";

const alert = (
  key: string,
  family: AlertFamily,
  code: FindingCode,
  severity: Severity,
  phase: Pick<ActiveAlert, "active" | "seen">,
): ActiveAlert => ({
  key,
  family,
  code,
  severity,
  circuitId: CIRCUIT,
  peering: "AzurePrivatePeering",
  paths: ["primary", "secondary"],
  ...phase,
});

const OPEN = { active: true, seen: false };
const PENDING = { active: false, seen: true };
const GONE = { active: false, seen: false };

describe("a source read this sweep whose alert has not opened yet", () => {
  it.each<{ name: string; severity: Severity }>([
    { name: "milder than the gateway alert (Sev3)", severity: "Sev3" },
    { name: "as severe as it would hold everything once open (Sev0)", severity: "Sev0" },
  ])("$name holds only the gateway alert's resolve", ({ severity }) => {
    const held = inhibitions([
      alert("beneath", "peering-config", "peering-disabled", severity, PENDING),
      alert("gw", "gateway", "gateway-not-connected", "Sev1", OPEN),
    ]);
    expect(held.get("gw")).toEqual({
      by: "beneath",
      rule: "a missing or disabled peering keeps the gateway and Global Reach alerts above it open",
      only: "resolve",
      severity,
    });
  });

  it("once open, the same source holds everything at or below its severity", () => {
    const held = inhibitions([
      alert("beneath", "peering-config", "peering-disabled", "Sev0", OPEN),
      alert("gw", "gateway", "gateway-not-connected", "Sev1", OPEN),
    ]);
    expect(held.get("gw")).toMatchObject({ by: "beneath", severity: "Sev0" });
    expect(held.get("gw")?.only).toBeUndefined();
  });

  it("neither open nor read this sweep, it holds nothing", () => {
    const held = inhibitions([
      alert("beneath", "peering-config", "peering-disabled", "Sev0", GONE),
      alert("gw", "gateway", "gateway-not-connected", "Sev1", OPEN),
    ]);
    expect(held.has("gw")).toBe(false);
  });
});
