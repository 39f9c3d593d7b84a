// When a peering's route summaries stand in for its ARP reads: every session
// of both paths Established with prefixes received, and nothing less. What
// stands in is judged as layer 2 proven from above, never as an ARP table.

import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { layer2Proofs, sessionsProveLayer2 } from "../../src/core/layer2-proof.js";
import type { BgpNeighborRow, Reading } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitReading, failed } from "../support/readings.js";

const AT = "2026-11-22T02:00:00.000Z";
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const row = (statePfxRcd: string, neighbor = "10.0.0.1"): BgpNeighborRow => ({
  neighbor,
  v: 4,
  as: 65020,
  upDown: "1d02h",
  statePfxRcd,
});
const summary = (...rows: BgpNeighborRow[]): Reading<BgpNeighborRow[]> => ({
  ok: true,
  value: rows,
  readAt: AT,
});

describe("sessions that prove layer 2 on a path", () => {
  it.each([
    [
      "one session Established with prefixes",
      summary(row("120")),
      "BGP Established with 120 prefixes received",
    ],
    [
      "IPv4 and IPv6 both Established: their prefixes together",
      summary(row("120"), row("3", "2001:db8::1")),
      "BGP Established with 123 prefixes received",
    ],
    [
      "Established with no prefixes (route advertisement: ARP is the evidence)",
      summary(row("0")),
      null,
    ],
    ["IPv6 down beside IPv4 Established", summary(row("120"), row("Idle", "2001:db8::1")), null],
    ["Idle", summary(row("Idle")), null],
    ["shut at its prefix limit", summary(row("Idle (PfxCt)")), null],
    ["a state erwatch does not recognise", summary(row("Wedged")), null],
    [
      "a count with spaces around it",
      summary(row(" 42 ")),
      "BGP Established with 42 prefixes received",
    ],
    ["no neighbor reported", summary(), null],
    ["the summary read failed", failed({ kind: "throttled" }), null],
  ] as const)("%s", (_, reading, expected) => {
    expect(sessionsProveLayer2(reading as Reading<BgpNeighborRow[]>)).toBe(expected);
  });

  it("stand in for ARP only when both paths prove it, each with its own summary's time", () => {
    const later = { ...summary(row("80")), readAt: "2026-11-22T02:00:04.000Z" };
    expect(layer2Proofs({ primary: summary(row("120")), secondary: later })).toEqual({
      primary: { ok: "proven", by: "BGP Established with 120 prefixes received", readAt: AT },
      secondary: {
        ok: "proven",
        by: "BGP Established with 80 prefixes received",
        readAt: "2026-11-22T02:00:04.000Z",
      },
    });
    // One path down: both ARP tables are read, the working one for comparison.
    expect(layer2Proofs({ primary: summary(row("120")), secondary: summary(row("Idle")) })).toBe(
      null,
    );
    expect(
      layer2Proofs({ primary: failed({ kind: "timeout" }), secondary: summary(row("120")) }),
    ).toBe(null);
  });
});

describe("a peering whose IPv6 side is Disabled", () => {
  const idle6 = (v4: string) => summary(row(v4), row("Idle", "2001:db8::1"));
  it.each([
    [
      "Disabled: the IPv6 neighbor listed Idle on both paths proves nothing against it",
      true,
      idle6("120"),
      "BGP Established with 120 prefixes received",
    ],
    ["Enabled: an IPv6 session down is a reason to read ARP", false, idle6("120"), null],
    ["Disabled, IPv4 down: ARP is read", true, idle6("Active"), null],
    [
      "Disabled, only the IPv6 neighbor listed: nothing proves layer 2",
      true,
      summary(row("Idle", "2001:db8::1")),
      null,
    ],
    ["Disabled, the summary read failed", true, failed({ kind: "timeout" }), null],
  ] as const)("%s", (_, disabled, reading, by) => {
    const r = reading as Reading<BgpNeighborRow[]>;
    const proofs = layer2Proofs({ primary: r, secondary: r }, disabled);
    expect(proofs?.primary.by ?? null).toBe(by);
    expect(proofs?.secondary.by ?? null).toBe(by);
  });
});

describe("a path whose ARP was not read", () => {
  const proof = {
    ok: "proven" as const,
    by: "BGP Established with 120 prefixes received",
    readAt: AT,
  };

  it("is layer 2 up with what proved it, and raises nothing", () => {
    const reading = circuitReading({
      paths: { AzurePrivatePeering: { primary: { arp: proof }, secondary: { arp: proof } } },
    });
    const { verdict } = evaluateCircuit(reading, null, [], [], POLICY, new Date(AT));
    const paths = verdict.peerings[0]!.paths;
    expect(paths.primary.provider).toEqual({
      status: "up",
      detail: "ARP not read: BGP Established with 120 prefixes received",
    });
    expect(paths.secondary.provider.status).toBe("up");
    expect(verdict.findings).toEqual([]);
    expect(verdict.failedReads).toEqual([]);
  });

  it("never hides a path above it that is down", () => {
    // Proofs only stand in when both paths prove layer 2; a reading that says
    // otherwise (built by hand) still shows what the summary shows.
    const reading = circuitReading({
      paths: {
        AzurePrivatePeering: { primary: { arp: proof }, secondary: { arp: proof, bgp: "0" } },
      },
    });
    const { verdict } = evaluateCircuit(reading, null, [], [], POLICY, new Date(AT));
    expect(verdict.findings.map((f) => [f.code, f.paths])).toEqual([
      ["no-prefixes-received", ["secondary"]],
    ]);
  });
});
