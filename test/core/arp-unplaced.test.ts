// An ARP table whose resolved entries erwatch cannot place on a side (an
// interface name it does not know, and no /30 to place them by) is not a
// layer 2 outage: read as "no side resolves", it opened arp-missing and sent
// the carrier a ticket whenever the session was down too.

import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../src/core/classify.js";
import type { ArpRow } from "../../src/core/model.js";
import { circuitReading, peering } from "../support/readings.js";

const READ_AT = "2026-11-22T02:00:00.000Z";
const rows: ArpRow[] = [
  { age: 1, interface: "eth0", ipAddress: "10.1.0.1", macAddress: "0050.56a1.2b3c" },
  { age: 0, interface: "eth1", ipAddress: "10.1.0.2", macAddress: "5c5e.abd1.0001" },
];
const arp = { ok: true as const, value: rows, readAt: READ_AT };

function verdict(bgp: string) {
  return classifyCircuit(
    circuitReading({
      peerings: [peering({ primaryPeerAddressPrefix: null })],
      paths: { AzurePrivatePeering: { primary: { arp, bgp } } },
    }),
  );
}

describe("ARP entries erwatch cannot place", () => {
  it("under a session that is down: layer 2 UNKNOWN, no layer 2 outage and no carrier ticket", () => {
    const v = verdict("Idle");
    const cell = v.peerings[0]!.paths.primary!.provider;
    expect(cell.status).toBe("unknown");
    expect(cell.detail).toMatch(/2 ARP entries erwatch cannot place on either side/);
    expect(v.findings.map((f) => f.code)).not.toContain("arp-missing");
    expect(v.findings.filter((f) => f.layer === "provider")).toEqual([]);
  });

  it("under a session that receives prefixes: layer 2 works, said so", () => {
    const cell = verdict("120").peerings[0]!.paths.primary!.provider;
    expect(cell.status).toBe("up");
    expect(cell.detail).toMatch(/cannot place on either side .*L2 works/);
  });
});
