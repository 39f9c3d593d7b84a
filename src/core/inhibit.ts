// Inhibition as data, in the spirit of Alertmanager's inhibit_rules: while a
// lower-layer alert is active, the alerts it explains are held.

import type { AlertFamily, FindingCode, PathName, Severity } from "./model.js";

export interface InhibitRule {
  name: string;
  source: {
    family: AlertFamily;
    /** Only these codes of the family (default: any). */
    codes?: FindingCode[];
    /** Only when the source covers both paths. */
    bothPaths?: boolean;
  };
  targets: AlertFamily[];
  /** Fields that must be equal between source and target. */
  equal: ("circuit" | "peering")[];
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
    name: "a missing or disabled peering holds what rides on it",
    // Not prefix validation: a pending validation must not hide a BGP outage.
    source: { family: "peering-config", codes: ["peering-missing", "peering-disabled"] },
    targets: ["path-down", "route-limit", "session-flapping", "gateway", "global-reach"],
    equal: ["circuit", "peering"],
  },
  {
    name: "both paths down holds single-path and higher-layer alerts on the peering",
    source: { family: "path-down", bothPaths: true },
    targets: ["route-limit", "gateway", "global-reach"],
    equal: ["circuit", "peering"],
  },
  {
    name: "a flapping session holds the open/resolve churn of its paths",
    source: { family: "session-flapping" },
    targets: ["path-down"],
    equal: ["circuit", "peering"],
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
}

/** key → the key of the alert (and rule) holding it. */
export function inhibitions(
  alerts: ActiveAlert[],
  rules: InhibitRule[] = DEFAULT_INHIBIT_RULES,
): Map<string, { by: string; rule: string }> {
  const held = new Map<string, { by: string; rule: string }>();
  for (const target of alerts) {
    for (const rule of rules) {
      if (!rule.targets.includes(target.family)) continue;
      const source = alerts.find(
        (s) =>
          s.active &&
          s.key !== target.key &&
          s.family === rule.source.family &&
          (!rule.source.codes || rule.source.codes.includes(s.code)) &&
          (!rule.source.bothPaths || s.paths.length === 2) &&
          rule.equal.every((field) =>
            field === "circuit"
              ? s.circuitId.toLowerCase() === target.circuitId.toLowerCase()
              : (s.peering ?? "").toLowerCase() === (target.peering ?? "").toLowerCase(),
          ),
      );
      if (source) {
        held.set(target.key, { by: source.key, rule: rule.name });
        break;
      }
    }
  }
  return held;
}
