// The received-prefix count as table-driven cases: IPv6 next to IPv4.

import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../src/core/classify.js";
import type { Severity } from "../../src/core/model.js";
import { circuitReading, neighbor, type CircuitSpec } from "../support/readings.js";

const dual = (v4: string, v6: string) => [neighbor(v4, 4), neighbor(v6, 6)];

describe("IPv6 next to IPv4 on a private peering", () => {
  it.each([
    {
      name: "IPv6 at 97 of 100 quotes the IPv6 numbers",
      primary: dual("120", "97"),
      secondary: dual("120", "12"),
      expected: ["prefix-limit-near", "Sev2", ["primary"]],
      title: "Received IPv6 prefixes at 97% of the route limit on AzurePrivatePeering: 97 of 100",
      evidence: { family: "ipv6", limit: 100, percent: 97, counts: { primary: 97 } },
    },
    {
      name: "IPv4 near its limit with a quiet IPv6 quotes IPv4",
      primary: dual("3400", "10"),
      secondary: dual("3400", "10"),
      expected: ["prefix-limit-near", "Sev3", ["primary", "secondary"]],
      title: "Received prefixes at 85% of the route limit on AzurePrivatePeering: 3,400 of 4,000",
      evidence: { family: "ipv4", limit: 4000, counts: { primary: 3400, secondary: 3400 } },
    },
    {
      name: "IPv6 Established with 0 prefixes on one path: redundancy holding",
      primary: dual("120", "0"),
      secondary: dual("120", "12"),
      expected: ["no-prefixes-received", "Sev2", ["primary"]],
      title:
        "IPv6 session up but 0 prefixes received on the primary path of AzurePrivatePeering — redundancy holding (secondary Established, 120 prefixes)",
      evidence: { family: "ipv6" },
    },
    {
      name: "IPv6 Established with 0 prefixes on both paths: IPv6 traffic stopped",
      primary: dual("120", "0"),
      secondary: dual("120", "0"),
      expected: ["no-prefixes-received", "Sev0", ["primary", "secondary"]],
      title:
        "IPv6 session up but 0 prefixes received on the primary and secondary paths of AzurePrivatePeering — traffic stopped",
      evidence: { family: "ipv6" },
    },
    {
      name: "IPv4 with 0 and IPv6 with some is the IPv4 outage",
      primary: dual("0", "12"),
      secondary: dual("120", "12"),
      expected: ["no-prefixes-received", "Sev2", ["primary"]],
      title:
        "Session up but 0 prefixes received on the primary path of AzurePrivatePeering — redundancy holding (secondary Established, 120 prefixes)",
      evidence: { family: "ipv4" },
    },
  ] as {
    name: string;
    primary: ReturnType<typeof dual>;
    secondary: ReturnType<typeof dual>;
    expected: [string, Severity, string[]];
    title: string;
    evidence: Record<string, unknown>;
  }[])("$name", ({ primary, secondary, expected, title, evidence }) => {
    const spec: CircuitSpec = {
      paths: { AzurePrivatePeering: { primary: { bgp: primary }, secondary: { bgp: secondary } } },
    };
    const [finding, ...rest] = classifyCircuit(circuitReading(spec)).findings;
    expect(rest).toEqual([]);
    expect([finding?.code, finding?.severity, finding?.paths]).toEqual(expected);
    expect(finding?.title).toBe(title);
    expect(finding?.evidence).toMatchObject(evidence);
  });
});
