// `erwatch sweep --state`: the stateful sweep from the CLI against a storage
// connection string, publishing to Service Bus when one is configured.

import { createServer, type Socket } from "node:net";
import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { carrierDown, estateOf, healthyCircuit } from "../support/estate/index.js";
import { estateAccess } from "../support/estate-access.js";
import { REQUIRED_ACTIONS } from "../../src/adapters/arm/operations.js";
import { startTableFaultProxy } from "../support/table-fault-proxy.js";
import { ALERTS_QUEUE, startWorld, type World } from "../support/world.js";

let azurite: Azurite;
let world: World;
beforeAll(async () => {
  azurite = await startAzurite();
  const bundle = healthyCircuit();
  carrierDown(bundle.circuit, "AzurePrivatePeering", "primary");
  carrierDown(bundle.circuit, "AzurePrivatePeering", "secondary");
  world = await startWorld({ estate: estateOf(bundle), azurite, now: () => new Date() });
});
afterAll(async () => {
  await world?.close();
  await azurite?.stop();
});

async function cli(argv: string[], env: Record<string, string | undefined>, now?: () => Date) {
  const access = estateAccess(world.estate);
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env,
    credential: access.credential,
    armClientOptions: access.armClientOptions,
    ...(now ? { now } : {}),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe("erwatch sweep --state", () => {
  it("keeps state in Table Storage, opens the alert once and publishes it", async () => {
    const first = await cli(["sweep", "--state", "--output", "json"], world.env);
    expect(first.code, first.stderr).toBe(1);
    const json = JSON.parse(first.stdout) as {
      events: { action: string; severity: string; id: string }[];
      pendingInOutbox: number;
    };
    expect(json.events.map((e) => `${e.action} ${e.severity}`)).toEqual(["open Sev0"]);
    expect(json.pendingInOutbox).toBe(0);
    await world.broker.waitForAccepted(ALERTS_QUEUE, 1, 5_000);
    expect(world.broker.accepted(ALERTS_QUEUE).map((m) => m.messageId)).toEqual([
      json.events[0]!.id,
    ]);

    // The same state read again: nothing new to say.
    const second = await cli(["sweep", "--state"], world.env);
    expect(second.stdout).not.toMatch(/^alert /m);
    expect(second.stdout).toMatch(/1 circuit read/);
  });

  it("without Service Bus, says the events wait in the outbox", async () => {
    const env = { ...world.env, ServiceBusConnection: undefined, ERWATCH_TABLE_PREFIX: "cliout" };
    const ran = await cli(["sweep", "--state"], env);
    expect(ran.stdout).toMatch(/^ALERT +SEV +CIRCUIT +PEERING +FAMILY +CHANGE$/m);
    // Set apart from the sweep's summary by a blank line, not run on from it.
    expect(ran.stdout).toMatch(/\S\n\nALERT +SEV +CIRCUIT/);
    expect(ran.stdout).toMatch(/^open +Sev0 +er-circuit-prod +Private +path-down +New since/m);
    expect(ran.stdout).toMatch(
      /1 alert event waits in the outbox: ServiceBusConnection is not set/,
    );
    // Ten minutes on, nothing has sent it: `erwatch alerts` says nobody was told.
    const later = () => new Date(Date.now() + 10 * 60_000);
    const alerts = await cli(["alerts"], env, later);
    // A Sev0 is open and nothing holds it: a script reading the exit code knows.
    expect(alerts.code, alerts.stderr).toBe(1);
    expect(alerts.stdout).toMatch(
      /^Warning: 1 alert event decided but not published, the oldest 10 min ago: Service Bus is not taking them/m,
    );
    const json = await cli(["alerts", "--output", "json"], env, later);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).unsent).toMatchObject({ events: 1, ageMinutes: 10 });

    // The Silences table hanging: the alerts are still listed, and what is missing is said.
    const proxy = await startTableFaultProxy(azurite);
    try {
      proxy.rule = (request) => (request.table.endsWith("Silences") ? { kind: "hang" } : null);
      const behind = { ...env, ERWATCH_STORAGE: proxy.connectionString, STORAGE_TIMEOUT_MS: "500" };
      const partly = await cli(["alerts"], behind, later);
      expect(partly.code, partly.stderr).toBe(1);
      expect(partly.stdout).toMatch(
        /^Warning: Table Storage did not give stored silences just now; left out of what follows\.$/m,
      );
      expect(partly.stdout).toMatch(/^Sev0 /m);
      const partlyJson = await cli(["alerts", "--output", "json"], behind, later);
      expect(JSON.parse(partlyJson.stdout).unread).toEqual(["stored silences"]);
    } finally {
      await proxy.close();
    }
  });

  it("alerts says which open alert is held as last read while its subscription cannot be listed", async () => {
    const env = { ...world.env, ServiceBusConnection: undefined, ERWATCH_TABLE_PREFIX: "clistale" };
    const opened = await cli(["sweep", "--state"], env);
    expect(opened.code, opened.stderr).toBe(1);
    // The identity loses the listing: the circuit is no longer read, its Sev0 held as it was.
    world.estate.grant(
      REQUIRED_ACTIONS.filter((a) => a !== "Microsoft.Network/expressRouteCircuits/read"),
    );
    try {
      await cli(["sweep", "--state"], env);
      const ran = await cli(["alerts"], env);
      expect(ran.stdout).toMatch(
        /^ {6}Stale: not read since \S+, its subscription cannot be listed\.$/m,
      );
      const json = JSON.parse((await cli(["alerts", "--output", "json"], env)).stdout);
      expect(json.alerts[0]).toMatchObject({ stale: true });
    } finally {
      world.estate.grant(undefined);
    }
  });

  it("alerts on tables no sweep has written says so in a line, not Azure's JSON (exit 2)", async () => {
    const env = { ...world.env, ERWATCH_TABLE_PREFIX: "clinew" };
    const ran = await cli(["alerts"], env);
    expect(ran.code, ran.stderr).toBe(2);
    expect(ran.stderr.trim()).toMatch(
      /^erwatch: Table Storage: listing \w+ failed: the table does not exist; no sweep has written state there yet \(the first creates it\), or ERWATCH_STORAGE \/ ERWATCH_TABLE_PREFIX name other tables than the Function App's$/,
    );
  });

  it("alerts with an alert row it cannot read: warns of it by key, lists the rest, exit 3", async () => {
    const env = { ...world.env, ServiceBusConnection: undefined, ERWATCH_TABLE_PREFIX: "clibad" };
    const swept = await cli(["sweep", "--state", "--output", "json"], env);
    expect(swept.code, swept.stderr).toBe(1);
    const key = (JSON.parse(swept.stdout) as { events: { key: string }[] }).events[0]!.key;
    const alerts = TableClient.fromConnectionString(azurite.connectionString, "clibadAlerts", {
      allowInsecureConnection: true,
    });
    const rows: { partitionKey?: string; rowKey?: string }[] = [];
    for await (const found of alerts.listEntities({
      queryOptions: { filter: `RowKey eq 'alert|${key}'` },
    }))
      rows.push(found);
    const [row] = rows;
    await alerts.updateEntity(
      { partitionKey: row!.partitionKey!, rowKey: row!.rowKey!, jsonParts: 1, json: '{"key":"erw' },
      "Replace",
    );
    const ran = await cli(["alerts"], env);
    expect(ran.code, ran.stderr).toBe(3);
    expect(ran.stdout).toContain(`Warning: alert ${key} cannot be read (`);
    expect(ran.stdout).toMatch(/erwatch cannot resolve it\. Resolve its incident at the receivers/);
    expect(ran.stdout).toMatch(/^No open alerts\.$/m);
    const json = await cli(["alerts", "--output", "json"], env);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).unreadableAlerts).toEqual([
      expect.objectContaining({ key, rowKey: `alert|${key}` }),
    ]);
  });

  it("names the missing storage setting and exits 2", async () => {
    const env = { ...world.env, ERWATCH_STORAGE: undefined };
    const ran = await cli(["sweep", "--state"], env);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/ERWATCH_STORAGE/);
  });
});

describe("Table Storage that does not answer", () => {
  it("is named in one line and exit 2, not an unexpected failure with a stack", async () => {
    const sockets = new Set<Socket>();
    // Accepts, reads, never answers.
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("data", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const env = {
        ...world.env,
        ERWATCH_STORAGE: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`,
        STORAGE_TIMEOUT_MS: "300",
      };
      const ran = await cli(["alerts"], env);
      expect(ran.code).toBe(2);
      expect(ran.stderr).toMatch(
        /^erwatch: Table Storage: listing \w+ failed: no answer within 300 ms/m,
      );
      expect(ran.stderr).not.toMatch(/unexpected failure|"stack"/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
