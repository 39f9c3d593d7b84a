// Per-circuit settings live in the circuit's own tags, so the people who own a
// circuit can opt it out or raise its criticality without touching erwatch.

import { editDistance } from "./edit-distance.js";
import {
  PEERING_TYPES,
  type CircuitSettings,
  type ConnectivityModel,
  type Criticality,
  type PathName,
} from "./model.js";

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
const falsy = (value: string | undefined) => /^(false|no|0)$/i.test(value ?? "");

export function isIgnored(tags: Record<string, string>): boolean {
  return truthy(tag(tags, TAGS.ignore));
}

/** A comma-separated list of peering names; the word `none` is the empty list. */
function parsePeeringList(text: string): string[] {
  if (text.trim().toLowerCase() === "none") return [];
  return text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * The peerings a circuit must have, as ERWATCH_EXPECTED_PEERINGS and the
 * erwatch:peerings tag give them. ARM names a peering after its type, so a
 * name outside the three types is a typo: expected, it would page
 * peering-missing. Only `none` may expect nothing: commas alone, or an empty
 * tag, would switch peering-missing off as quietly. Names match in any case
 * and are kept as ARM spells them, each once. The problems name no setting:
 * the caller says whose they are.
 */
export function readPeeringList(text: string): { peerings: string[]; problems: string[] } {
  const problems: string[] = [];
  const items = parsePeeringList(text);
  // A stray comma beside none changes nothing, as it changes nothing beside a
  // peering and in ERWATCH_DATA_PLANE: "none," names no peering to combine with.
  const named = items.filter((item) => item.toLowerCase() !== "none");
  if (items.length === 0 && text.trim().toLowerCase() !== "none")
    problems.push(
      `"${text}" names no peering: list peerings (${PEERING_TYPES.join(", ")}) or say none`,
    );
  if (named.length > 0 && named.length < items.length)
    problems.push("none cannot be combined with peerings");
  const peerings: string[] = [];
  for (const item of named) {
    const name = PEERING_TYPES.find((p) => p.toLowerCase() === item.toLowerCase());
    if (name === undefined)
      problems.push(`"${item}" is not a peering (${PEERING_TYPES.join(", ")}; or none)`);
    else if (!peerings.includes(name)) peerings.push(name);
  }
  return { peerings, problems };
}

/**
 * A yes/no word in erwatch:pair is a flag someone meant to switch pairing on
 * with, and "none" (the word erwatch:peerings and erwatch:standby-path take
 * for nothing) one meant to switch it off: taken as a site, either would join
 * every circuit so tagged, and one of them carrying would hold another's
 * unrelated outage at Sev1 (or its traffic stop at Sev2, off the pager).
 */
const flagWord = (value: string) => truthy(value) || falsy(value) || /^(on|off|none)$/i.test(value);

/** The site an erwatch:pair tag names; undefined when unset, empty or a yes/no word. */
export function pairTag(tags: Record<string, string>): string | undefined {
  const value = tag(tags, TAGS.pair);
  return value && !flagWord(value) ? value : undefined;
}

/** A tag that reads as meant for erwatch: its prefix, then a separator (erwatch-ignore). */
const ERWATCH_TAG = /^erwatch[:_.\-\s]/i;
const KNOWN_TAGS: readonly string[] = Object.values(TAGS);
const tagLetters = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * Tags named for erwatch that it does not read, each with the tag it most
 * likely meant: erwatch:expect-gateways=false on a Global Reach-only circuit
 * paged its missing gateway every sweep, the tag ignored unsaid.
 */
function unknownTags(tags: Record<string, string>): string[] {
  return Object.keys(tags)
    .filter((k) => ERWATCH_TAG.test(k) && !KNOWN_TAGS.includes(k.toLowerCase()))
    .map((k) => {
      const meant = KNOWN_TAGS.find(
        (t) => tagLetters(t) === tagLetters(k) || editDistance(t, k.toLowerCase(), 2) <= 2,
      );
      const instead = meant ? `; did you mean ${meant}?` : ` (it reads ${KNOWN_TAGS.join(", ")})`;
      return `tag ${k} is not a tag erwatch reads, so it changes nothing${instead}`;
    });
}

/** Tag values that cannot be understood fall back to the default and are reported. */
export function resolveCircuitSettings(
  tags: Record<string, string>,
  defaults: CircuitDefaults,
): { settings: CircuitSettings; problems: string[] } {
  const problems: string[] = unknownTags(tags);
  // Any case, as ERWATCH_CONNECTIVITY_MODEL and the other tags' words: "High"
  // from the portal fell back to normal, the circuit paged a grade too low.
  const model = tag(tags, TAGS.connectivityModel)?.toLowerCase();
  const criticality = tag(tags, TAGS.criticality)?.toLowerCase();
  const peerings = tag(tags, TAGS.peerings);
  const gateway = tag(tags, TAGS.expectGateway);
  const pairValue = tag(tags, TAGS.pair);
  const pair = pairTag(tags);
  const standby = tag(tags, TAGS.standbyPath);
  const ignore = tag(tags, TAGS.ignore);

  let connectivityModel = defaults.connectivityModel;
  if (model !== undefined) {
    if (model === "own-edge" || model === "provider-managed") connectivityModel = model;
    else
      problems.push(
        `tag ${TAGS.connectivityModel}="${tag(tags, TAGS.connectivityModel)}" is not own-edge or provider-managed`,
      );
  }
  let level: Criticality = "normal";
  if (criticality !== undefined) {
    if (criticality === "high" || criticality === "normal" || criticality === "low")
      level = criticality;
    else
      problems.push(
        `tag ${TAGS.criticality}="${tag(tags, TAGS.criticality)}" is not high, normal or low`,
      );
  }
  let expectGateway = true;
  if (gateway !== undefined) {
    if (/^(true|false)$/i.test(gateway)) expectGateway = gateway.toLowerCase() === "true";
    else problems.push(`tag ${TAGS.expectGateway}="${gateway}" is not true or false`);
  }
  // Not ignored: isIgnored honours only the true words, so the circuit stays watched.
  if (ignore !== undefined && !truthy(ignore) && !falsy(ignore))
    problems.push(
      `tag ${TAGS.ignore}="${ignore}" is not true or false (true, yes, 1; false, no, 0): the circuit is watched`,
    );
  let expectedPeerings = defaults.expectedPeerings;
  if (peerings !== undefined) {
    const read = readPeeringList(peerings);
    if (read.problems.length === 0) expectedPeerings = read.peerings;
    else problems.push(`tag ${TAGS.peerings}="${peerings}": ${read.problems.join("; ")}`);
  }
  if (pairValue && flagWord(pairValue))
    problems.push(
      `tag ${TAGS.pair}="${pairValue}" names no site: give the circuits that serve one site the same site name`,
    );
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
