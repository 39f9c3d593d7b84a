// A DeliveryLog in memory with the Table adapter's semantics: claims are
// atomic, a live claim of another delivery is "busy", delivered raises the
// receiver's sequence for the alert, a lease raises the highest sequence
// attempted and its release keeps it, with the latest pause the receiver asked for.

import type {
  ClaimResult,
  DeliveryDetail,
  DeliveryLog,
  LeaseResult,
} from "../../src/app/dispatch/ports.js";

interface Row {
  state: "claimed" | "delivered";
  claimant?: string;
  until?: Date;
  detail?: DeliveryDetail;
}

export class MemoryDeliveries implements DeliveryLog {
  readonly rows = new Map<string, Row>();
  readonly sequences = new Map<string, number>();
  /** Posting leases by `<key>|<receiver>`: held (claimant, until) or released, and the highest sequence attempted. */
  readonly leases = new Map<
    string,
    { claimant?: string; until?: Date; attempted: number; pausedUntil?: Date }
  >();
  constructor(private readonly now: () => Date = () => new Date()) {}

  async claim(
    key: string,
    eventId: string,
    receiver: string,
    claimant: string,
    until: Date,
  ): Promise<ClaimResult> {
    const id = `${eventId}|${receiver}`;
    const row = this.rows.get(id);
    if (row?.state === "delivered") return { kind: "delivered" };
    if (row && row.claimant !== claimant && (row.until?.getTime() ?? 0) > this.now().getTime())
      return { kind: "busy", until: row.until! };
    this.rows.set(id, { state: "claimed", claimant, until });
    return { kind: "claimed" };
  }

  async delivered(
    key: string,
    eventId: string,
    receiver: string,
    sequence: number,
    detail: DeliveryDetail,
  ): Promise<void> {
    this.rows.set(`${eventId}|${receiver}`, { state: "delivered", detail });
    const seq = `${key}|${receiver}`;
    this.sequences.set(seq, Math.max(this.sequences.get(seq) ?? 0, sequence));
  }

  async release(key: string, eventId: string, receiver: string, claimant: string): Promise<void> {
    const id = `${eventId}|${receiver}`;
    if (this.rows.get(id)?.claimant === claimant && this.rows.get(id)?.state === "claimed")
      this.rows.delete(id);
  }

  async lastSequence(key: string, receiver: string): Promise<number> {
    return this.sequences.get(`${key}|${receiver}`) ?? 0;
  }

  async lease(
    key: string,
    receiver: string,
    claimant: string,
    until: Date,
    sequence: number,
  ): Promise<LeaseResult> {
    const id = `${key}|${receiver}`;
    const row = this.leases.get(id);
    if (
      row?.claimant !== undefined &&
      row.claimant !== claimant &&
      (row.until?.getTime() ?? 0) > this.now().getTime()
    )
      return { kind: "busy", until: row.until! };
    const attempted = row?.attempted ?? 0;
    const paused = row?.pausedUntil;
    this.leases.set(id, {
      claimant,
      until,
      attempted: Math.max(attempted, sequence),
      ...(paused ? { pausedUntil: paused } : {}),
    });
    return paused
      ? { kind: "claimed", attempted, pausedUntil: paused }
      : { kind: "claimed", attempted };
  }

  async unlease(
    key: string,
    receiver: string,
    claimant: string,
    pausedUntil?: Date,
  ): Promise<void> {
    const id = `${key}|${receiver}`;
    const row = this.leases.get(id);
    if (row?.claimant !== claimant) return;
    const kept = Math.max(
      row.pausedUntil?.getTime() ?? -Infinity,
      pausedUntil?.getTime() ?? -Infinity,
    );
    this.leases.set(id, {
      attempted: row.attempted,
      ...(Number.isFinite(kept) ? { pausedUntil: new Date(kept) } : {}),
    });
  }

  async attempted(key: string, receiver: string): Promise<number> {
    return this.leases.get(`${key}|${receiver}`)?.attempted ?? 0;
  }

  /** Receivers that have the event (delivered or skipped as stale). */
  deliveredTo(eventId: string): string[] {
    return [...this.rows.entries()]
      .filter(([id, row]) => id.startsWith(`${eventId}|`) && row.state === "delivered")
      .map(([id]) => id.slice(eventId.length + 1));
  }
}
