// The delivery log on real Table Storage (Azurite): one claim wins a race, a
// live claim is busy for others and expires, delivered raises the receiver's
// sequence for the alert and never lowers it, the posting lease records the
// highest sequence attempted in its own write and keeps it when released.

import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableDeliveryLog } from "../../src/adapters/tables/delivery-log.js";
import { startAzurite, type Azurite } from "../support/azurite.js";

let azurite: Azurite;
let n = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function log(now: () => Date) {
  return (await logOn(now)).deliveries;
}

async function logOn(now: () => Date) {
  n += 1;
  const table = TableClient.fromConnectionString(
    azurite.connectionString,
    `dl${process.pid}n${n}`,
    {
      allowInsecureConnection: true,
    },
  );
  const deliveries = new TableDeliveryLog(table, now);
  await deliveries.ensureTable();
  return { deliveries, table };
}

/** The lease row of `erw-k` for `receiver`, as stored. */
const LEASE_ROW = (receiver: string) => ["erw-k", `event|erw-k_posting|${receiver}`] as const;

const T = new Date("2026-11-22T02:00:00.000Z");
const later = (ms: number) => new Date(T.getTime() + ms);
const detail = { status: 202, at: T.toISOString(), attempts: 1 };

describe("TableDeliveryLog", () => {
  it("lets exactly one of two concurrent deliveries claim an (event, receiver) row", async () => {
    const d = await log(() => T);
    const results = await Promise.all(
      ["a", "b", "c"].map((claimant) =>
        d.claim("erw-k", "erw-k-1", "pagerduty", claimant, later(60_000)),
      ),
    );
    expect(results.filter((r) => r.kind === "claimed")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "busy")).toHaveLength(2);
  });

  it("is busy for others while a claim lives, free after it expires or is released", async () => {
    let now = T;
    const d = await log(() => now);
    expect(await d.claim("erw-k", "erw-k-1", "teams", "a", later(60_000))).toEqual({
      kind: "claimed",
    });
    expect(await d.claim("erw-k", "erw-k-1", "teams", "b", later(60_000))).toEqual({
      kind: "busy",
      until: later(60_000),
    });
    now = later(61_000);
    expect(await d.claim("erw-k", "erw-k-1", "teams", "b", later(120_000))).toEqual({
      kind: "claimed",
    });
    await d.release("erw-k", "erw-k-1", "teams", "a"); // not a's any more: nothing happens
    expect((await d.claim("erw-k", "erw-k-1", "teams", "c", later(180_000))).kind).toBe("busy");
    await d.release("erw-k", "erw-k-1", "teams", "b");
    expect((await d.claim("erw-k", "erw-k-1", "teams", "c", later(180_000))).kind).toBe("claimed");
  });

  it("says delivered once recorded, and keeps the highest sequence per receiver and alert", async () => {
    const d = await log(() => T);
    await d.claim("erw-k", "erw-k-2", "pagerduty", "a", later(60_000));
    await d.delivered("erw-k", "erw-k-2", "pagerduty", 2, detail);
    expect(await d.claim("erw-k", "erw-k-2", "pagerduty", "b", later(60_000))).toEqual({
      kind: "delivered",
    });
    expect(await d.lastSequence("erw-k", "pagerduty")).toBe(2);
    // A late, older event recorded as skipped does not lower it.
    await d.delivered("erw-k", "erw-k-1", "pagerduty", 1, { ...detail, skipped: "stale" });
    expect(await d.lastSequence("erw-k", "pagerduty")).toBe(2);
    expect(await d.lastSequence("erw-k", "teams")).toBe(0);
    expect(await d.lastSequence("erw-other", "pagerduty")).toBe(0);
  });

  it("records the attempted sequence in the lease's own write, before anything is posted", async () => {
    const { deliveries: d, table } = await logOn(() => T);
    expect(await d.lease("erw-k", "pagerduty", "a", later(60_000), 2)).toEqual({
      kind: "claimed",
      attempted: 0,
    });
    // Held, not yet released or posted: the row says so already.
    expect(await table.getEntity(...LEASE_ROW("pagerduty"))).toMatchObject({
      state: "claimed",
      claimant: "a",
      attempted: 2,
    });
    expect(await d.attempted("erw-k", "pagerduty")).toBe(2);
    expect(await d.attempted("erw-k", "teams")).toBe(0);
    expect(await d.attempted("erw-other", "pagerduty")).toBe(0);
    // Attempted is not heard.
    expect(await d.lastSequence("erw-k", "pagerduty")).toBe(0);
  });

  it("keeps the highest attempted sequence across releases and leases of older events", async () => {
    let now = T;
    const d = await log(() => now);
    await d.lease("erw-k", "pagerduty", "resolve", later(60_000), 2);
    // Busy for another delivery while it lives, whatever its event.
    expect(await d.lease("erw-k", "pagerduty", "open", later(60_000), 1)).toEqual({
      kind: "busy",
      until: later(60_000),
    });
    await d.unlease("erw-k", "pagerduty", "resolve");
    expect(await d.attempted("erw-k", "pagerduty")).toBe(2);
    // The older event's lease is taken, says 2 was attempted, and does not lower it.
    expect(await d.lease("erw-k", "pagerduty", "open", later(60_000), 1)).toEqual({
      kind: "claimed",
      attempted: 2,
    });
    await d.unlease("erw-k", "pagerduty", "open");
    expect(await d.attempted("erw-k", "pagerduty")).toBe(2);
    // A lease that ran out, never released, is taken over; the sequence still rises.
    await d.lease("erw-k", "pagerduty", "escalate", later(60_000), 3);
    now = later(61_000);
    expect(await d.lease("erw-k", "pagerduty", "repeat", later(120_000), 4)).toEqual({
      kind: "claimed",
      attempted: 3,
    });
    await d.unlease("erw-k", "pagerduty", "escalate"); // not its lease any more: nothing happens
    expect((await d.lease("erw-k", "pagerduty", "other", later(120_000), 5)).kind).toBe("busy");
    await d.unlease("erw-k", "pagerduty", "repeat");
    expect(await d.attempted("erw-k", "pagerduty")).toBe(4);
    // An event's own earlier attempt is what it reads back, not a later one.
    expect(await d.lease("erw-k", "pagerduty", "repeat again", later(120_000), 4)).toEqual({
      kind: "claimed",
      attempted: 4,
    });
  });

  it("lets exactly one of concurrent leases win, and loses no attempted sequence to the race", async () => {
    let now = T;
    const d = await log(() => now);
    const results = await Promise.all(
      [3, 5, 4].map((sequence) =>
        d.lease("erw-k", "teams", `c${sequence}`, later(60_000), sequence),
      ),
    );
    const won = results.flatMap((r, i) => (r.kind === "claimed" ? [[3, 5, 4][i]!] : []));
    expect(won).toHaveLength(1);
    expect(await d.attempted("erw-k", "teams")).toBe(won[0]);
    now = later(61_000);
    await d.lease("erw-k", "teams", "late", later(120_000), 1);
    expect(await d.attempted("erw-k", "teams")).toBe(won[0]);
  });

  it("reads a lease row an older erwatch wrote (no attempted) as nothing attempted, and respects its live lease", async () => {
    let now = T;
    const { deliveries: d, table } = await logOn(() => now);
    const [partitionKey, rowKey] = LEASE_ROW("itsm");
    // What erwatch wrote before it recorded attempts: a claim on a row no event has.
    await table.createEntity({
      partitionKey,
      rowKey,
      eventId: "erw-k~posting",
      receiver: "itsm",
      state: "claimed",
      claimant: "old",
      until: later(60_000).toISOString(),
    });
    expect(await d.attempted("erw-k", "itsm")).toBe(0);
    // Both versions running in a rollout exclude each other.
    expect(await d.lease("erw-k", "itsm", "new", later(60_000), 2)).toEqual({
      kind: "busy",
      until: later(60_000),
    });
    now = later(61_000);
    expect(await d.lease("erw-k", "itsm", "new", later(120_000), 2)).toEqual({
      kind: "claimed",
      attempted: 0,
    });
    await d.unlease("erw-k", "itsm", "new");
    expect(await table.getEntity(partitionKey, rowKey)).toMatchObject({
      state: "released",
      attempted: 2,
    });
    // An older erwatch's release (a delete) takes the row: back to nothing attempted.
    await table.deleteEntity(partitionKey, rowKey);
    expect(await d.attempted("erw-k", "itsm")).toBe(0);
    expect(await d.lease("erw-k", "itsm", "new", later(120_000), 1)).toEqual({
      kind: "claimed",
      attempted: 0,
    });
  });

  it.each(["42", "yesterday", ""])(
    "a claim of another delivery dated %j (not an instant) holds nothing",
    async (until) => {
      const { deliveries: d, table } = await logOn(() => T);
      const [partitionKey, rowKey] = LEASE_ROW("pagerduty");
      await table.createEntity({
        partitionKey,
        rowKey,
        eventId: "erw-k~posting",
        receiver: "pagerduty",
        state: "claimed",
        claimant: "a-delivery-long-gone",
        until,
        attempted: 1,
      });
      expect(await d.lease("erw-k", "pagerduty", "new", later(60_000), 2)).toEqual({
        kind: "claimed",
        attempted: 1,
      });
    },
  );
  it("keeps the pause a refused post asked for on the lease row, for the alert's next lease to read", async () => {
    const { deliveries: d, table } = await logOn(() => T);
    const [partitionKey, rowKey] = LEASE_ROW("pagerduty");
    await d.lease("erw-k", "pagerduty", "open", later(60_000), 1);
    await d.unlease("erw-k", "pagerduty", "open", later(60_000));
    expect(await d.lease("erw-k", "pagerduty", "resolve", later(60_000), 2)).toEqual({
      kind: "claimed",
      attempted: 1,
      pausedUntil: later(60_000),
    });
    // Released without a refusal, or with a shorter one: the pause stays as it was.
    await d.unlease("erw-k", "pagerduty", "resolve", later(30_000));
    expect(await table.getEntity(partitionKey, rowKey)).toMatchObject({
      state: "released",
      attempted: 2,
      pausedUntil: later(60_000).toISOString(),
    });
    await d.lease("erw-k", "pagerduty", "repeat", later(60_000), 2);
    await d.unlease("erw-k", "pagerduty", "repeat", later(90_000));
    expect(await d.lease("erw-k", "pagerduty", "again", later(60_000), 2)).toMatchObject({
      pausedUntil: later(90_000),
    });
    // A time that is not an instant (a hand edit) keeps no pause.
    const other = LEASE_ROW("teams");
    await table.createEntity({
      partitionKey: other[0],
      rowKey: other[1],
      eventId: "erw-k~posting",
      receiver: "teams",
      state: "released",
      attempted: 1,
      pausedUntil: "42",
    });
    expect(await d.lease("erw-k", "teams", "new", later(60_000), 2)).toEqual({
      kind: "claimed",
      attempted: 1,
    });
  });
});
