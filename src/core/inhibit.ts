// Inhibition as data, in the spirit of Alertmanager's inhibit_rules: while a
// lower-layer alert is active, the alerts it explains are held. As in
// Alertmanager's practice, no rule holds an alert more severe than its source:
// a both-paths outage pages even while a flap alert is open. A rule may instead
// hold only the resolve (`holds: "resolve"`): the alert was heard, and its
// all-clear waits until the source is gone. Such a hold comes from the
// source's condition as read this sweep, its alert open or not: a Sev3
// Disabled peering opens at its second sweep, and a gateway alert above it
// read a bare "resolving" at the first (resolving on one clean sweep, it
// said "recovered" there, before any hold existed). Holding everything
// waits for the source's open, as Alertmanager's inhibition waits for a
// firing alert: a source that never opens must not have kept a page unheard.

import type { AlertFamily, FindingCode, PathName, Severity } from "./model.js";
import { isRecord } from "./record.js";
import { severityRank } from "./severity.js";

export interface InhibitRule {
  name: string;
  source: {
    family: AlertFamily;
    /** Only these codes of the family (default: any). */
    codes?: FindingCode[];
    /** Only when the source covers both paths. */
    bothPaths?: boolean;
    /**
     * Only when the source is down on a path the target is about, now or as
     * its receivers were told (a stop on that path is not known to be over).
     */
    targetPaths?: boolean;
    /**
     * Only while no path of its peering carries, as read this sweep (both
     * down, or one down and the other's public prefixes validating): the
     * rows above it read "held: no path carrying".
     */
    noPathCarrying?: boolean;
  };
  targets: AlertFamily[];
  /** Fields that must be equal between source and target. */
  equal: ("circuit" | "peering")[];
  /**
   * `all` (default): every notification of a target no more severe than the
   * source, while the source's alert is open. `resolve`: only the resolve of
   * a target, whatever its severity, while the source's alert is open or its
   * condition was read this sweep.
   */
  holds?: "all" | "resolve";
  /**
   * A source about IPv6 alone holds only IPv6's own alerts; with this set, the
   * resolve of the others too. Only for what such a source explains whatever
   * its family (an end-to-end test to an IPv6 address, failing while IPv6 is
   * down on both paths), never for a flap: the IPv6 session flapping says
   * nothing of whether IPv4's outage on its path is over.
   */
  ipv6HoldsResolveOfOthers?: boolean;
}

export const DEFAULT_INHIBIT_RULES: InhibitRule[] = [
  {
    name: "provider down holds everything on the circuit",
    source: { family: "provider" },
    targets: [
      "path-down",
      "route-limit",
      "session-flapping",
      "peering-config",
      "gateway",
      "global-reach",
    ],
    equal: ["circuit"],
  },
  {
    name: "the Azure side of the circuit not Enabled holds what rides on it",
    source: { family: "circuit-state" },
    targets: [
      "path-down",
      "route-limit",
      "session-flapping",
      "peering-config",
      "gateway",
      "global-reach",
    ],
    equal: ["circuit"],
  },
  {
    name: "a missing or disabled peering holds what rides on it",
    // Not prefix validation: a pending validation must not hide a BGP outage.
    source: { family: "peering-config", codes: ["peering-missing", "peering-disabled"] },
    targets: ["path-down", "route-limit", "session-flapping", "gateway", "global-reach"],
    equal: ["circuit", "peering"],
  },
  {
    // With the peering Disabled (or gone) its paths are not read: the path
    // alert read clean, and a Sev1 (one path down, the other unread) above a
    // Sev3 peering nobody expected said "recovered" two sweeps later, its path
    // no more carrying than before. It resolves once the peering is back and
    // the path reads up; still down then, it fires on as the same incident.
    name: "a missing or disabled peering keeps the outage of its paths open",
    source: { family: "peering-config", codes: ["peering-missing", "peering-disabled"] },
    targets: ["path-down"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    // Nor are its counts and session resets: the near-limit warning and the
    // flap read clean though nothing was read. A peering that carried them is
    // Sev0 when Disabled and holds them whole once its alert opens, but a Sev0
    // made to wait (ERWATCH_ALERT_POLICY openAfter) left a gap where either
    // said "has cleared", the sessions shut, while the path alert beside them
    // was held. They resolve once the peering is back and reads under the
    // line, or calm.
    name: "a missing or disabled peering keeps the near-limit warning and the flap on it open",
    source: { family: "peering-config", codes: ["peering-missing", "peering-disabled"] },
    targets: ["route-limit", "session-flapping"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    name: "both paths down holds single-path and higher-layer alerts on the peering",
    source: { family: "path-down", bothPaths: true },
    targets: ["route-limit", "gateway", "global-reach"],
    equal: ["circuit", "peering"],
  },
  {
    name: "a flapping session holds the open/resolve churn of its paths",
    // Its own paths' only: a Sev2 flap on the primary held the secondary's hard
    // outage unheard (each reset then dropped the site), and a silence on the
    // primary alone silenced both.
    source: { family: "session-flapping", targetPaths: true },
    targets: ["path-down"],
    equal: ["circuit", "peering"],
  },
  {
    // A path-down more severe than the flap (both paths down: Sev0) pages; it
    // then stays open through the flap episode instead of resolving and
    // re-opening on every cycle. The IPv6 session's flap keeps only an outage
    // of IPv6 alone open: IPv4 back and steady on its path is news, whatever
    // IPv6 does beside it.
    name: "a flapping session keeps its paths' outage open until it calms",
    source: { family: "session-flapping" },
    targets: ["path-down"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    // A session reset at its route limit is back at the limit each time it is up
    // and has no count while it is shut: the near-limit warning is heard once and
    // stays open through the flap instead of resolving and re-opening every cycle.
    name: "a flapping session keeps the near-limit warning on its peering open until it calms",
    source: { family: "session-flapping" },
    targets: ["route-limit"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  // A lower layer that stops the traffic is the alert for end-to-end failures
  // and a stop that come after it (dataplane/end-to-end.ts folds them in): an
  // end-to-end or traffic-stopped alert already open then leaves the verdict,
  // and must not say "resolved" while the outage that explains it goes on.
  {
    name: "the provider not provisioned keeps the data-plane alerts it explains open",
    source: { family: "provider" },
    targets: ["end-to-end", "traffic"],
    equal: ["circuit"],
    holds: "resolve",
  },
  {
    name: "the Azure side of the circuit not Enabled keeps the end-to-end alert it explains open",
    source: { family: "circuit-state" },
    targets: ["end-to-end"],
    equal: ["circuit"],
    holds: "resolve",
  },
  {
    name: "a missing or disabled peering keeps the data-plane alerts it explains open",
    source: { family: "peering-config", codes: ["peering-missing", "peering-disabled"] },
    targets: ["end-to-end", "traffic"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    name: "both paths down keeps the data-plane alerts it explains open",
    source: { family: "path-down", bothPaths: true },
    targets: ["end-to-end", "traffic"],
    equal: ["circuit", "peering"],
    holds: "resolve",
    ipv6HoldsResolveOfOthers: true,
  },
  {
    // A stop on a path that then goes down is not over: back, it is stopped
    // again at once (dataplane/metrics.ts runs). Resolved meanwhile it told
    // on-call "recovered" and paged anew a sweep after the return; so did a
    // both-paths stop whose other path recovered while this one was down.
    name: "a path down keeps the traffic-stopped alert of that path open",
    source: { family: "path-down", targetPaths: true },
    targets: ["traffic"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    // A session not Established has no count: the near-limit warning about
    // its path is not over. Most often the session is down because of it
    // (Idle (PfxCt): shut at the limit the warning announced); resolved
    // meanwhile, the warning told on-call "has cleared" beside the outage it
    // foretold. Its resolve waits until the path is read again under the
    // line. A session Established with 0 received has a count: not held.
    name: "a session down keeps the near-limit warning of its path open",
    source: { family: "path-down", codes: ["arp-missing", "bgp-down"], targetPaths: true },
    targets: ["route-limit"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  // The gateway and Global Reach rows above such an outage say "held: …"
  // (held-beneath.ts): their connection is still down, only not judged apart.
  // The rules above hold them only up to the source's severity, so a Sev1
  // gateway alert (opened while an unread path counted as carrying) beneath a
  // peering nobody expected, Disabled at Sev3, resolved "recovered" beside a
  // row saying "held: peering Disabled", the connection still NotConnected.
  {
    name: "the provider not provisioned keeps the gateway and Global Reach alerts above it open",
    source: { family: "provider" },
    targets: ["gateway", "global-reach"],
    equal: ["circuit"],
    holds: "resolve",
  },
  {
    name: "a missing or disabled peering keeps the gateway and Global Reach alerts above it open",
    source: { family: "peering-config", codes: ["peering-missing", "peering-disabled"] },
    targets: ["gateway", "global-reach"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    name: "both paths down keeps the gateway and Global Reach alerts above them open",
    source: { family: "path-down", bothPaths: true },
    targets: ["gateway", "global-reach"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    // One path down and the other not carrying either (its public prefixes
    // validating) is no both-paths outage, yet the rows above read "held: no
    // path carrying" and raise nothing: an alert already open there cleared,
    // and resolved "recovered" beside that row, the connection still down.
    name: "a path down with no path carrying keeps the gateway and Global Reach alerts above it open",
    source: { family: "path-down", noPathCarrying: true },
    targets: ["gateway", "global-reach"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    // Both paths validating anew hold the rows above alike, no path down.
    name: "public prefixes not validated, with no path carrying, keep the gateway and Global Reach alerts above them open",
    source: {
      family: "peering-config",
      codes: ["public-prefixes-not-validated"],
      noPathCarrying: true,
    },
    targets: ["gateway", "global-reach"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
  {
    name: "a gateway not connected keeps the end-to-end alert it explains open",
    source: { family: "gateway" },
    targets: ["end-to-end"],
    equal: ["circuit", "peering"],
    holds: "resolve",
  },
];

export interface ActiveAlert {
  key: string;
  family: AlertFamily;
  code: FindingCode;
  severity: Severity;
  circuitId: string;
  peering: string | null;
  paths: PathName[];
  /** Firing (open or still resolving) this sweep. */
  active: boolean;
  /**
   * Its condition was read this sweep, whether its alert has opened or still
   * waits out its open count (pending): enough to hold a resolve.
   */
  seen?: boolean;
  /** The alert is about IPv6 alone (the IPv6 session's flap, IPv6 down or empty beside IPv4 carrying). */
  addressFamily?: "ipv6";
  /** The paths it holds others than IPv6's alone for (heldPaths); absent: `paths`. */
  ipv4Paths?: PathName[];
  /** The paths its receivers were last told of, when told. */
  toldPaths?: PathName[];
  /** Read this sweep with no path of its peering carrying (observe.ts). */
  noPathCarrying?: boolean;
}

/**
 * The paths an alert holds others for. A merge of IPv4's findings and IPv6's
 * alone (IPv4 lost on the primary, IPv6 down beside IPv4 carrying on the
 * secondary) is IPv4 lost on the primary, not both paths down: its IPv6
 * findings' paths are left out, so it does not hold the near-limit, gateway
 * or Global Reach alert of the path IPv4 still carries on (an alert about
 * IPv6 alone is still held by IPv6 stopped on both paths).
 */
export function heldPaths(
  paths: PathName[],
  evidence: Record<string, unknown> | null | undefined,
): PathName[] {
  const merged = evidence?.findings;
  if (!Array.isArray(merged) || ipv6Alone(evidence)) return paths;
  const ipv4 = merged.filter((f): f is { paths?: unknown } => isRecord(f) && f.family !== "ipv6");
  const named = ipv4.flatMap((f) => (Array.isArray(f.paths) ? (f.paths as unknown[]) : []));
  return paths.filter((p) => named.includes(p));
}

/**
 * Whether an alert's condition is IPv6's alone, from its evidence: its
 * `family`, or, merged, every finding it merges (a merge stored before the
 * findings named their family counts as IPv4's too: it pages rather than hides).
 */
export function ipv6Alone(evidence: Record<string, unknown> | null | undefined): boolean {
  const merged = evidence?.findings;
  if (Array.isArray(merged))
    return merged.length > 0 && merged.every((f) => isRecord(f) && f.family === "ipv6");
  return evidence?.family === "ipv6";
}

export interface Hold {
  by: string;
  rule: string;
  /** Only this action is held (absent: every action). */
  only?: "resolve";
  /** The holding alert's severity now. */
  severity?: Severity;
}

function sourceFor(rule: InhibitRule, target: ActiveAlert, alerts: ActiveAlert[]) {
  if (!rule.targets.includes(target.family)) return undefined;
  // The paths a source is down on, as far as the target is concerned (heldPaths).
  const downOn = (s: ActiveAlert) =>
    target.addressFamily === "ipv6" ? s.paths : (s.ipv4Paths ?? s.paths);
  return alerts.find(
    (s) =>
      (s.active || (rule.holds === "resolve" && s.seen === true)) &&
      s.key !== target.key &&
      s.family === rule.source.family &&
      (!rule.source.codes || rule.source.codes.includes(s.code)) &&
      (!rule.source.bothPaths || downOn(s).length === 2) &&
      (!rule.source.noPathCarrying || s.noPathCarrying === true) &&
      (!rule.source.targetPaths ||
        [...target.paths, ...(target.toldPaths ?? [])].some((p) => downOn(s).includes(p))) &&
      // IPv6 alone explains nothing of IPv4's, which is most of the traffic: an
      // IPv6 flap (or IPv6 down on both paths beside IPv4 carrying) held an IPv4
      // path lost, a gateway not connected or IPv4 near its limit unheard behind
      // an alert that says "IPv4 carries on", and an IPv6 flap held IPv4's path
      // down open after IPv4 was back. It holds only IPv6's own alerts, and the
      // resolve of others only where a rule says it explains them.
      (s.addressFamily !== "ipv6" ||
        target.addressFamily === "ipv6" ||
        (rule.holds === "resolve" && rule.ipv6HoldsResolveOfOthers === true)) &&
      // Never hold an alert more severe than its source (a resolve-only hold
      // keeps nothing from being heard, so it may).
      ((rule.holds ?? "all") === "resolve" ||
        severityRank(target.severity) >= severityRank(s.severity)) &&
      rule.equal.every((field) =>
        field === "circuit"
          ? s.circuitId.toLowerCase() === target.circuitId.toLowerCase()
          : (s.peering ?? "").toLowerCase() === (target.peering ?? "").toLowerCase(),
      ),
  );
}

/** key → the key of the alert (and rule) holding it; a hold of everything wins over a resolve-only hold. */
export function inhibitions(
  alerts: ActiveAlert[],
  rules: InhibitRule[] = DEFAULT_INHIBIT_RULES,
): Map<string, Hold> {
  const held = new Map<string, Hold>();
  const ordered = [
    ...rules.filter((r) => (r.holds ?? "all") === "all"),
    ...rules.filter((r) => r.holds === "resolve"),
  ];
  for (const target of alerts) {
    for (const rule of ordered) {
      const source = sourceFor(rule, target, alerts);
      if (!source) continue;
      held.set(
        target.key,
        rule.holds === "resolve"
          ? { by: source.key, rule: rule.name, only: "resolve", severity: source.severity }
          : { by: source.key, rule: rule.name, severity: source.severity },
      );
      break;
    }
  }
  return held;
}
