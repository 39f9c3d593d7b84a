// While the IPv6 session flaps, its downs (and reads of 0 IPv6 prefixes) on
// the paths it flaps on are that flap's churn, and its alert says them: they
// do not fire the peering's path alert. That alert's key is the one IPv4's
// outage has (alert-identity.ts: the stored keys predate IPv6), so each IPv6
// down re-fired an IPv4 "path down" the receivers still held, as an IPv6
// condition the flap then held, and it could not resolve while IPv6 flapped
// though IPv4 had been back and steady for an hour.
//
// Only what the flap speaks for: the flapping paths, at its severity or
// below. IPv6 down on both paths (Sev1) beside a one-path flap (Sev3) still
// fires, as no inhibition holds an alert more severe than its source.

import { FAMILY_OF } from "./alert-identity.js";
import { ipv6Only } from "./dataplane/end-to-end.js";
import type { Finding } from "./model.js";
import { sameName } from "./names.js";
import { severityRank } from "./severity.js";

const ipv6Flap = (f: Finding) => f.code === "session-flapping" && f.addressFamily === "ipv6";

/** The findings left for the alert keys: an IPv6 flap's own churn goes with the flap. */
export function withoutIpv6FlapChurn(findings: Finding[]): Finding[] {
  const flaps = findings.filter(ipv6Flap);
  if (flaps.length === 0) return findings;
  const churn = (f: Finding) =>
    FAMILY_OF[f.code] === "path-down" &&
    ipv6Only(f) &&
    flaps.some(
      (flap) =>
        sameName(flap.peering, f.peering) &&
        f.paths.every((p) => flap.paths.includes(p)) &&
        severityRank(f.severity) >= severityRank(flap.severity),
    );
  return findings.filter((f) => !churn(f));
}
