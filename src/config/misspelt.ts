// A setting erwatch does not read is invisible: PAGERDUTY_ROUTINGKEY set for
// PAGERDUTY_ROUTING_KEY left on-call without PagerDuty, and nothing said so.
// A name close to one erwatch reads is said, naming both, never the value.
//
// Said as a warning with the entries left out, not a start-up problem: the
// closeness is a guess about a name erwatch does not read, and refusing to
// start over it would stop every page for a setting that changes nothing.

import { editDistance } from "../core/edit-distance.js";
import type { Env } from "./settings.js";

/**
 * Names the Functions host, App Service, Application Insights and the Azure
 * SDKs set or read for themselves: never a typo of erwatch's, however close.
 */
const PLATFORM =
  /^(FUNCTIONS_|AZURE_FUNCTIONS_|AzureFunctions|AzureWebJobs|WEBSITE_|WEBSITES_|APPSETTING_|APPINSIGHTS_|APPLICATIONINSIGHTS_|SCM_|DOCKER_|CONTAINER_|IDENTITY_|MSI_|DIAGNOSTICS_|ASPNETCORE_|DOTNET_|ORYX_|NODE_)/i;

export function isPlatformSetting(name: string): boolean {
  return PLATFORM.test(name);
}

const letters = (name: string) => name.toUpperCase().replaceAll("_", "");
const words = (name: string) => name.toUpperCase().split(/_+/);

/**
 * `longer` is `shorter` with erwatch's prefix before it, in any case and with
 * any underscores: only some settings carry it (ERWATCH_SUBSCRIPTIONS, not
 * ARM_CONCURRENCY), so an operator who gives it to all, or to none, set
 * names erwatch never read, unsaid.
 */
function prefixedOnly(longer: string[], shorter: string[]): boolean {
  return (
    longer[0] === "ERWATCH" &&
    longer.length === shorter.length + 1 &&
    longer.slice(1).join("") === shorter.join("")
  );
}

/**
 * How close `name` is to the setting `known`: 0 for the same letters in
 * another case or with other underscores, 1–2 for that many edits, 1 for the
 * name with erwatch's prefix given it or left off (ERWATCH_ARM_CONCURRENCY,
 * ACTION_GROUPS; at least two words left), 3 for the name without its last
 * word (TEAMS_WEBHOOK for TEAMS_WEBHOOK_URL, at least two words left); null
 * when not close.
 */
export function closeness(name: string, known: string): number | null {
  if (letters(name) === letters(known)) return 0;
  const distance = editDistance(name.toUpperCase(), known.toUpperCase(), 2);
  if (distance <= 2) return distance;
  const [mine, theirs] = [words(name), words(known)];
  if (prefixedOnly(mine, theirs) || (mine.length >= 2 && prefixedOnly(theirs, mine))) return 1;
  const shortened = mine.length >= 2 && mine.length === theirs.length - 1;
  return shortened && mine.every((w, i) => w === theirs[i]) ? 3 : null;
}

/** The erwatch setting `name` most likely meant, or null; ties go to the first in `known`. */
export function nearestSetting(name: string, known: readonly string[]): string | null {
  if (known.includes(name) || isPlatformSetting(name)) return null;
  let best: { setting: string; score: number } | null = null;
  for (const setting of known) {
    const score = closeness(name, setting);
    if (score !== null && (best === null || score < best.score)) best = { setting, score };
  }
  return best?.setting ?? null;
}

/**
 * One line per set name that erwatch does not read but is close to one it
 * does. `known` is erwatch's own settings; `named` gives the further names it
 * reads (a receiver's secret, by the name ERWATCH_ACTION_GROUPS gives it),
 * never flagged but never suggested either. Only a close name's value is
 * looked at, and `named` asked only then: what a command reads stays what it
 * needs (its --help lists exactly that).
 */
export function misspeltSettings(
  env: Env,
  known: readonly string[],
  named: () => readonly string[] = () => [],
): string[] {
  const out: string[] = [];
  for (const name of Object.keys(env)) {
    const meant = nearestSetting(name, known);
    // Empty is unset to erwatch: such a name changes nothing either way.
    if (meant === null || (env[name] ?? "").trim() === "") continue;
    // Windows reads its environment in any case: there the other spelling is read.
    if (meant.toUpperCase() === name.toUpperCase() && env[meant] === env[name]) continue;
    if (named().includes(name)) continue;
    out.push(`${name} is not a setting erwatch reads; did you mean ${meant}?`);
  }
  return out;
}
