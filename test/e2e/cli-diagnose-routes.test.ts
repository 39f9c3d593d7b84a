// `erwatch diagnose --routes` with state configured: the real ARM SDK reads the
// simulated estate's full route tables, Table Storage (Azurite) keeps them per
// path, and the next diagnose lists the prefixes that vanished since.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type Azurite } from "../support/azurite.js";
import {
  estateOf,
  healthyCircuit,
  setPrefixes,
  startEstate,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { cliOn } from "../support/estate-cli.js";

const PRIVATE = "AzurePrivatePeering";
let azurite: Azurite;
let estate: SimulatedEstate;
const bundle = healthyCircuit();
const id = `/subscriptions/${bundle.circuit.subscriptionId}/resourceGroups/${bundle.circuit.resourceGroup}/providers/Microsoft.Network/expressRouteCircuits/${bundle.circuit.name}`;

beforeAll(async () => {
  azurite = await startAzurite();
  setPrefixes(bundle.circuit, PRIVATE, "primary", 300);
  setPrefixes(bundle.circuit, PRIVATE, "secondary", 300);
  estate = await startEstate(estateOf(bundle));
});
afterAll(async () => {
  await estate?.close();
  await azurite?.stop();
});

const cli = (
  argv: string[],
  state: boolean,
  tables = `dr${process.pid}`,
  at = "2026-11-22T09:00:00Z",
) =>
  cliOn(estate, argv, {
    now: () => new Date(at),
    ...(state
      ? {
          env: {
            ERWATCH_STORAGE: azurite.connectionString,
            ERWATCH_TABLE_PREFIX: tables,
          },
        }
      : {}),
  });

describe("erwatch diagnose --routes with state", () => {
  it("keeps each path's table, then lists the prefixes that vanished", async () => {
    const first = await cli(["diagnose", id, "--routes"], true);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^Routes AzurePrivatePeering primary: 300 received; no table was kept for this path before/m,
    );

    setPrefixes(estate.state.circuits[0]!, PRIVATE, "primary", 40);
    const second = await cli(["diagnose", id, "--routes"], true);
    expect(second.stdout).toMatch(
      /^Routes AzurePrivatePeering primary: 40 received now, 300 in the table kept at .*: 260 vanished, 0 appeared\.$/m,
    );
    const listed = second.stdout.split("\n").filter((l) => l.startsWith("  - "));
    expect(listed).toHaveLength(50);
    expect(listed[0]).toBe("  - 10.16.40.0/24");
    expect(second.stdout).toMatch(/… and 210 more \(--output json lists them all\)/);
    expect(second.stdout).toMatch(/^Routes AzurePrivatePeering secondary: .*: 0 vanished/m);

    const json = await cli(["diagnose", id, "--routes", "--output", "json"], true);
    const changes = (
      JSON.parse(json.stdout) as { routeChanges: { path: string; vanished: string[] }[] }
    ).routeChanges;
    // Without a drop in force the second diagnose kept the 40: nothing more vanished since.
    expect(changes.map((c) => [c.path, c.vanished.length])).toEqual([
      ["primary", 0],
      ["secondary", 0],
    ]);
  });

  it("without state configured, reads the tables and compares nothing", async () => {
    const ran = await cli(["diagnose", id, "--routes"], false);
    expect(ran.stdout).not.toMatch(/^Routes /m);
    const json = JSON.parse(
      (await cli(["diagnose", id, "--routes", "--output", "json"], false)).stdout,
    ) as Record<string, unknown>;
    expect(json.routeChanges).toBeUndefined();
  });

  it("a peering ARM spells in another case since a table was kept: compared with the newest table, not the one kept under the old spelling", async () => {
    const tables = `drc${process.pid}`;
    const circuit = estate.state.circuits[0]!;
    setPrefixes(circuit, PRIVATE, "primary", 300);
    await cli(["diagnose", id, "--routes"], true, tables, "2026-11-22T09:00:00Z");
    circuit.peerings[0]!.name = "azureprivatepeering";
    try {
      setPrefixes(circuit, "azureprivatepeering", "primary", 40);
      const dropped = await cli(["diagnose", id, "--routes"], true, tables, "2026-11-22T10:00:00Z");
      expect(dropped.stdout).toMatch(
        /^Routes azureprivatepeering primary: 40 received now, 300 in the table kept at .*: 260 vanished/m,
      );
      // That diagnose kept the 40 (under the new spelling): nothing has vanished since.
      const again = await cli(["diagnose", id, "--routes"], true, tables, "2026-11-22T11:00:00Z");
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(
        /^Routes azureprivatepeering primary: 40 received now, 40 in the table kept at 2026-11-22T10:00:00.000Z: 0 vanished, 0 appeared\.$/m,
      );
    } finally {
      circuit.peerings[0]!.name = PRIVATE;
    }
  });
});
