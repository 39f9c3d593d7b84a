// What an alert is about, as every receiver names it: one circuit, a carrier's
// site (a fleet outage: its subject is a place key such as
// /erwatch/fleet/equinix/amsterdam/provider-…, no circuit and no Azure
// resource), or a subscription whose circuits cannot be listed. Shown as a
// circuit, a site read "Circuit: Equinix at Amsterdam (provider)" and sat in
// PagerDuty's "provider unknown" group, apart from its own members' alerts.

import type { AlertEvent } from "../../core/alert-event.js";
import { fleetMembersOf, type FleetMember } from "../../core/fleet-members.js";
import { subscriptionOfSubject } from "../../core/sight.js";
import { providerAt } from "./alert-words.js";

export type AlertSubject =
  | { kind: "circuit"; name: string }
  | {
      kind: "site";
      /** "Equinix at Amsterdam"; the subject's own name when the evidence lost the place. */
      name: string;
      provider: string | null;
      peeringLocation: string | null;
      /** As the event last named them (empty when its evidence was cut). */
      members: FleetMember[];
    }
  | { kind: "subscription"; name: string; subscriptionId: string };

export function alertSubject(
  event: Pick<AlertEvent, "family" | "circuit" | "evidence">,
): AlertSubject {
  const c = event.circuit;
  if (event.family === "fleet") {
    const provider = evidenceText(event.evidence["provider"]);
    const peeringLocation = evidenceText(event.evidence["peeringLocation"]);
    return {
      kind: "site",
      name: providerAt({ serviceProviderName: provider, peeringLocation }) ?? c.name,
      provider,
      peeringLocation,
      members: fleetMembersOf(event),
    };
  }
  const subscriptionId = subscriptionOfSubject(c.id);
  if (subscriptionId) return { kind: "subscription", name: c.name, subscriptionId };
  return { kind: "circuit", name: c.name };
}

/** A string of the event's evidence, or null: the event crossed a queue unchecked. */
const evidenceText = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : null;
