// Sentences every receiver writes the same way from an alert event.

import type { AlertCircuit } from "../../core/alert-event.js";

/** "Equinix at Amsterdam", "Equinix", or null: what responders group carrier faults by. */
export function providerAt(
  circuit: Pick<AlertCircuit, "serviceProviderName" | "peeringLocation">,
): string | null {
  const name = circuit.serviceProviderName;
  if (!name) return null;
  return circuit.peeringLocation ? `${name} at ${circuit.peeringLocation}` : name;
}

/**
 * What changed, without the title it quotes: the title is already the first
 * thing every receiver shows. "New since X: <title>" → "New since X.",
 * "Worse: Sev2 → Sev0; now also the primary path. Now: <title>" → "Worse: Sev2
 * → Sev0; now also the primary path.", "Resolved after 1 h: <title> has
 * cleared." → "Resolved after 1 h." A change that does not quote the title is
 * returned as it is.
 */
export function changeWithoutTitle(change: string, title: string): string {
  const at = title === "" ? -1 : change.indexOf(title);
  if (at < 0) return change;
  const before = change
    .slice(0, at)
    .replace(/\s*(?:Now|Still)?\s*[:;,—-]?\s*$/u, "")
    .replace(/[\s:;,—-]+$/u, "");
  const after = change
    .slice(at + title.length)
    .replace(/^\s*has cleared\b/u, "")
    .replace(/^[\s.:;,—-]+/u, "")
    .trim();
  const sentence = [before, after].filter((s) => s !== "").join(" ");
  if (sentence === "") return "";
  return /[.!?]$/u.test(sentence) ? sentence : `${sentence}.`;
}
