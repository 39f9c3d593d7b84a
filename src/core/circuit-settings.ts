// Per-circuit settings live in the circuit's own tags, so the people who own a
// circuit can opt it out or raise its criticality without touching erwatch.

import type { CircuitSettings, ConnectivityModel, Criticality, PathName } from "./model.js";

export const TAGS = {
  ignore: "erwatch:ignore",
  connectivityModel: "erwatch:connectivity-model",
  criticality: "erwatch:criticality",
  peerings: "erwatch:peerings",
  expectGateway: "erwatch:expect-gateway",
  /** Two circuits serving one site (the second through another provider or location). */
  pair: "erwatch:pair",
  /** Extra resource groups ("rg" or "subscriptionId/rg") holding the circuit's gateway connections. */
  connectionResourceGroups: "erwatch:connection-resource-groups",
  /** Connection Monitors testing the circuit (names in its region's Network Watcher, or resource ids). */
  connectionMonitor: "erwatch:connection-monitor",
  /** The Log Analytics workspace (GUID or resource id) those monitors write to. */
  workspace: "erwatch:workspace",
  /** The path routing keeps idle by design (active/passive: AS-path prepending, local preference). */
  standbyPath: "erwatch:standby-path",
} as const;

export interface CircuitDefaults {
  connectivityModel: ConnectivityModel;
  expectedPeerings: string[];
}

export function tag(tags: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(tags).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : tags[key]?.trim();
}

const truthy = (value: string | undefined) => /^(true|yes|1)$/i.test(value ?? "");

export function isIgnored(tags: Record<string, string>): boolean {
  return truthy(tag(tags, TAGS.ignore));
}

/** A comma-separated list of peering names; the word `none` is the empty list. */
export function parsePeeringList(text: string): string[] {
  if (text.trim().toLowerCase() === "none") return [];
  return text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Tag values that cannot be understood fall back to the default and are reported. */
export function resolveCircuitSettings(
  tags: Record<string, string>,
  defaults: CircuitDefaults,
): { settings: CircuitSettings; problems: string[] } {
  const problems: string[] = [];
  const model = tag(tags, TAGS.connectivityModel);
  const criticality = tag(tags, TAGS.criticality);
  const peerings = tag(tags, TAGS.peerings);
  const gateway = tag(tags, TAGS.expectGateway);
  const pair = tag(tags, TAGS.pair) || undefined;
  const standby = tag(tags, TAGS.standbyPath);

  let connectivityModel = defaults.connectivityModel;
  if (model !== undefined) {
    if (model === "own-edge" || model === "provider-managed") connectivityModel = model;
    else
      problems.push(`tag ${TAGS.connectivityModel}="${model}" is not own-edge or provider-managed`);
  }
  let level: Criticality = "normal";
  if (criticality !== undefined) {
    if (criticality === "high" || criticality === "normal" || criticality === "low")
      level = criticality;
    else problems.push(`tag ${TAGS.criticality}="${criticality}" is not high, normal or low`);
  }
  let expectGateway = true;
  if (gateway !== undefined) {
    if (/^(true|false)$/i.test(gateway)) expectGateway = gateway.toLowerCase() === "true";
    else problems.push(`tag ${TAGS.expectGateway}="${gateway}" is not true or false`);
  }
  const expectedPeerings =
    peerings === undefined ? defaults.expectedPeerings : parsePeeringList(peerings);
  const standbyPath = standbyPathOf(standby);
  if (standbyPath === "invalid")
    problems.push(`tag ${TAGS.standbyPath}="${standby}" is not primary, secondary or none`);

  return {
    settings: {
      connectivityModel,
      criticality: level,
      expectedPeerings,
      expectGateway,
      ...(pair ? { pair } : {}),
      ...(standbyPath === "primary" || standbyPath === "secondary" ? { standbyPath } : {}),
    },
    problems,
  };
}

/** The erwatch:standby-path tag's path; null when absent or `none`. */
export function standbyPathOf(value: string | undefined): PathName | null | "invalid" {
  if (value === undefined) return null;
  const v = value.trim().toLowerCase();
  if (v === "" || v === "none") return null;
  return v === "primary" || v === "secondary" ? v : "invalid";
}
