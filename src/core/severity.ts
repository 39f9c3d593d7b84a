import type { Criticality, Severity } from "./model.js";
import { SEVERITIES } from "./model.js";

/** Sev0 is rank 0: lower rank is more severe. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isAtOrAbove(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

export function mostSevere(severities: Severity[]): Severity | null {
  if (severities.length === 0) return null;
  return severities.reduce((a, b) => (severityRank(a) <= severityRank(b) ? a : b));
}

function shift(severity: Severity, by: number): Severity {
  const rank = Math.min(SEVERITIES.length - 1, Math.max(0, severityRank(severity) + by));
  return SEVERITIES[rank] as Severity;
}

/**
 * A circuit's criticality moves every grade one step, except that nothing is
 * raised into Sev0: Sev0 means traffic stopped, which a tag cannot make true.
 */
export function applyCriticality(severity: Severity, criticality: Criticality): Severity {
  if (criticality === "high") {
    return severity === "Sev0" || severity === "Sev1" ? severity : shift(severity, -1);
  }
  if (criticality === "low") return shift(severity, 1);
  return severity;
}
