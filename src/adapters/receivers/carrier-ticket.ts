// The carrier ticket a receiver offers the reader, or none. The sweep attaches
// a circuit's ticket only when the carrier or a shared owner acts (a
// you-owned break's next action says "Not a carrier ticket"), and that stays
// its decision. A fleet outage's finding lists its circuits' service keys
// whoever owns them, so a fleet of you-owned breaks (BGP configuration, route
// advertisement) offered "paste into a ticket with Equinix" beside a next
// action that sends you to your own routers.

import type { AlertEvent } from "../../core/alert-event.js";
import { alertSubject } from "./subject.js";

export function carrierTicket(
  event: Pick<AlertEvent, "family" | "circuit" | "evidence" | "owner" | "ticket">,
): string | null {
  if (event.owner === "you" && alertSubject(event).kind === "site") return null;
  return event.ticket;
}
