// Publishes what the sweep recorded. A row leaves the outbox only after the
// broker accepted it; a broker that is down leaves everything for the next
// sweep. Claims keep two overlapping drains from publishing one event twice.

import type { AlertEvent } from "../core/alert-event.js";
import type { Logger } from "../logging.js";
import type { EventSink, OutboxRow, StateStore, Stored } from "./state-store.js";

export interface DrainResult {
  published: AlertEvent[];
  pending: number;
  brokerError: string | null;
}

const LEASE_MS = 2 * 60_000;

export async function drainOutbox(
  store: StateStore,
  sink: EventSink,
  options: { claimant: string; now: Date; logger: Logger },
): Promise<DrainResult> {
  const rows = await store.listOutbox();
  const heldElsewhere = new Set<string>();
  const claimed: Stored<OutboxRow>[] = [];
  for (const row of rows) {
    const key = row.value.event.key;
    const leased =
      row.value.claimedUntil !== null && Date.parse(row.value.claimedUntil) > options.now.getTime();
    // Keep each key's events in order: never jump ahead of one another drain holds.
    if (leased || heldElsewhere.has(key)) {
      heldElsewhere.add(key);
      continue;
    }
    const mine = await store.claimOutbox(
      row,
      options.claimant,
      new Date(options.now.getTime() + LEASE_MS),
    );
    if (mine) claimed.push(mine);
    else heldElsewhere.add(key);
  }
  if (claimed.length === 0) return { published: [], pending: rows.length, brokerError: null };
  const events = claimed.map((r) => r.value.event);
  try {
    const result = await sink.publish(events);
    for (const id of result?.shrunk ?? [])
      options.logger.error(
        { eventId: id },
        "alert event too large for Service Bus: sent without its evidence, ticket and layer table",
      );
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    // One line for the whole batch: the broker being down is one fact.
    options.logger.warn(
      { err: error, events: events.length },
      `could not publish ${events.length} alert event(s); they stay in the outbox for the next sweep`,
    );
    await Promise.all(claimed.map((r) => store.releaseOutbox(r)));
    return { published: [], pending: rows.length, brokerError: message };
  }
  await Promise.all(claimed.map((r) => store.deleteOutbox(r)));
  return { published: events, pending: rows.length - claimed.length, brokerError: null };
}
