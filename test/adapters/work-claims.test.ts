// The fan-out workers' claims on real Table Storage (Azurite): a claim of
// another worker dated with text that is not an instant (a hand edit, "42"
// read as the year 2042) holds nothing; a live one does.

import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, expect, it } from "vitest";
import { circuitPartition } from "../../src/adapters/tables/keys.js";
import { TableWorkClaims } from "../../src/adapters/tables/work-claims.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { startTableFaultProxy } from "../support/table-fault-proxy.js";

let azurite: Azurite;
let n = 0;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const T = new Date("2026-11-22T02:00:00.000Z");
const CIRCUIT =
  "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-a";

async function claimsHeldUntil(until: string) {
  n += 1;
  const table = TableClient.fromConnectionString(
    azurite.connectionString,
    `wc${process.pid}n${n}`,
    {
      allowInsecureConnection: true,
    },
  );
  const claims = new TableWorkClaims(table, 5_000, () => T);
  await claims.ensureTable();
  await table.createEntity({
    partitionKey: "sweep-1",
    rowKey: circuitPartition(CIRCUIT),
    circuitId: CIRCUIT,
    worker: "worker-gone",
    until,
    state: "reading",
  });
  return claims;
}

it.each([
  ["a year as text", "42", "mine"],
  ["not a time", "yesterday", "mine"],
  ["empty", "", "mine"],
  ["over", "2026-11-22T01:59:00.000Z", "mine"],
  ["live", "2026-11-22T02:05:00.000Z", "taken"],
])("another worker's claim dated %s: %s", async (_name, until, expected) => {
  const claims = await claimsHeldUntil(until);
  expect(await claims.claim("sweep-1", CIRCUIT, "worker-new", new Date(T.getTime() + 60_000))).toBe(
    expected,
  );
});

// A claim written whose answer never arrived (the SDK retries and meets what
// it already did: 409 on a new row, 412 on a taken-over one) is this worker's:
// read as another's, the circuit went unread until the lease ran out.
it.each([
  ["a new claim", "insert", null],
  ["taking over a gone worker's claim", "update", "2026-11-22T01:59:00.000Z"],
] as const)(
  "%s written, its answer lost: mine, and nobody else's",
  async (_name, operation, stale) => {
    const proxy = await startTableFaultProxy(azurite);
    try {
      n += 1;
      const name = `wc${process.pid}n${n}`;
      const direct = TableClient.fromConnectionString(azurite.connectionString, name, {
        allowInsecureConnection: true,
      });
      const through = TableClient.fromConnectionString(proxy.connectionString, name, {
        allowInsecureConnection: true,
      });
      const claims = new TableWorkClaims(through, 5_000, () => T);
      await claims.ensureTable();
      if (stale)
        await direct.createEntity({
          partitionKey: "sweep-1",
          rowKey: circuitPartition(CIRCUIT),
          circuitId: CIRCUIT,
          worker: "worker-gone",
          until: stale,
          state: "reading",
        });
      let lost = 0;
      proxy.rule = (r) =>
        r.operation === operation && lost++ === 0 ? { kind: "lose-answer" } : null;
      const until = new Date(T.getTime() + 60_000);
      expect(await claims.claim("sweep-1", CIRCUIT, "worker-new", until)).toBe("mine");
      proxy.rule = () => null;
      expect(proxy.take().map((f) => f.fault.kind)).toEqual(["lose-answer"]);
      const other = new TableWorkClaims(direct, 5_000, () => T);
      expect(await other.claim("sweep-1", CIRCUIT, "worker-other", until)).toBe("taken");
    } finally {
      await proxy.close();
    }
  },
);
