// The delivery log on real Table Storage (Azurite): one claim wins a race, a
// live claim is busy for others and expires, delivered raises the receiver's
// sequence for the alert and never lowers it.

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
  return deliveries;
}

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
});
