// A peering whose IPv6 side is Disabled on purpose (ARM's
// ipv6PeeringConfig.state) has no IPv6 session to judge, whatever its route
// summaries list. Whether ARM then lists the IPv6 neighbor (Idle, Connect) or
// leaves it out is not documented, so either way its rows go here, before
// anything reads them: no bgp-down or 0-prefix finding, no near-limit, reset
// or flap, no IPv6 count, no IPv6 neighbor in the evidence. A side whose
// state ARM left out (null) keeps its rows: a neighbor it lists is judged as
// before, for an IPv6 outage must not go unpaged because one field was missing.

import type { CircuitReading, PathReading } from "./model.js";
import { PATHS, readablePeerings } from "./model.js";
import { sameName } from "./names.js";
import { familyOf } from "./path-analysis.js";

/** Whether the circuit read says this peering's IPv6 side is Disabled. */
export function ipv6Disabled(reading: CircuitReading, peering: string | null): boolean {
  if (!reading.circuit.ok) return false;
  return readablePeerings(reading.circuit.value).some(
    (p) => sameName(p.name, peering) && p.ipv6?.state === "Disabled",
  );
}

function ipv4Only(reading: PathReading): PathReading {
  const summary = reading.summary;
  if (!summary.ok) return reading;
  return {
    ...reading,
    summary: { ...summary, value: summary.value.filter((row) => familyOf(row) !== "ipv6") },
  };
}

/** The reading with the IPv6 neighbors of peerings whose IPv6 side is Disabled left out. */
export function withoutDisabledIpv6(reading: CircuitReading): CircuitReading {
  const paths = Object.fromEntries(
    Object.entries(reading.paths).map(([name, byPath]) => [
      name,
      ipv6Disabled(reading, name)
        ? Object.fromEntries(PATHS.map((path) => [path, ipv4Only(byPath[path])]))
        : byPath,
    ]),
  ) as CircuitReading["paths"];
  return { ...reading, paths };
}
