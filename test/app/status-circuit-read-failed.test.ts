// The circuit's own read fails (ARM answers 403 for it): the sweep knows
// nothing of any layer, and the snapshot keeps the whole last picture for the
// memories. The status page drew that picture as current, green layers and
// all, with only "read N min ago (stale)" to say otherwise; `erwatch alerts`
// listed the open alert as if read. Now every layer reads unknown, naming
// its last known state, and the page, the JSON and `erwatch alerts` say why
// the circuit's read failed, as stored and escaped. Stored by the real
// sweeper (FakeReader, Azurite).

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import { runCli } from "../../src/cli/program.js";
import { SNAPSHOT_LAYERS } from "../../src/core/snapshot.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { failed } from "../support/readings.js";
import { minute, sweepHarness, type Harness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const PRIVATE = "AzurePrivatePeering";
const READ = "Microsoft.Network/expressRouteCircuits/read";
const MESSAGE = `The client 'er<b>watch' does not have authorization to perform action '${READ}'\u001b[2J`;

/** `erwatch alerts` over the harness's tables, 80 columns, no colour. */
async function alerts(h: Harness, m: number) {
  let stdout = "";
  const code = await runCli(["alerts"], {
    env: { ERWATCH_STORAGE: azurite.connectionString, ERWATCH_TABLE_PREFIX: h.prefix },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stdout += s) },
    now: () => minute(m),
  });
  return { code, stdout };
}

it("a circuit whose read fails shows every layer unknown with its last known state, and why", async () => {
  const h = await sweepHarness(azurite.connectionString);
  await h.run(0);
  // The secondary path goes down: path-down opens.
  h.reader.spec = { paths: { [PRIVATE]: { secondary: { arp: "empty", bgp: "Idle" } } } };
  await h.run(5);
  await h.run(10);
  const before = await loadStatus(h.store, minute(11), { recentHours: 1, recentLimit: 10 });
  expect(before.openAlerts.map((a) => a.family)).toContain("path-down");
  expect(before.circuits[0]!.readFailed ?? null).toBeNull();

  // Then ARM refuses the circuit itself.
  h.reader.spec = {
    circuit: failed({
      kind: "forbidden",
      call: READ,
      target: "circuit er-circuit-prod",
      message: MESSAGE,
      statusCode: 403,
      missingPermission: READ,
      requestId: "5f2d0c1e-0000-4000-8000-000000000001",
    }),
  };
  await h.run(15);
  await h.run(20);
  const model = await loadStatus(h.store, minute(21), { recentHours: 1, recentLimit: 10 });
  const circuit = model.circuits[0]!;
  const why = `forbidden (missing ${READ}): ${MESSAGE} [x-ms-request-id 5f2d0c1e-0000-4000-8000-000000000001]`;
  const peering = circuit.peerings.find((p) => p.name === PRIVATE)!;
  for (const path of ["primary", "secondary"] as const)
    for (const layer of SNAPSHOT_LAYERS) {
      // Observed: every layer as last read (the primary's ok, the secondary's down).
      expect(peering.paths[path][layer].status, `${path} ${layer}`).toBe("unknown");
      expect(peering.paths[path][layer].since).toBe(minute(15).toISOString());
      expect(peering.paths[path][layer].detail).toMatch(/^circuit read failed: forbidden; /);
    }
  expect(peering.paths.primary.bgp.detail).toBe(
    `circuit read failed: forbidden; last known ok since ${minute(0).toISOString()}: Established`,
  );
  expect(peering.paths.secondary.bgp.detail).toMatch(
    new RegExp(`; last known DOWN since ${minute(5).toISOString()}: Idle`),
  );
  expect(circuit.worstStatus).toBe("unknown");
  // Why, as stored.
  expect(circuit.readFailed).toEqual({ since: minute(15).toISOString(), why });
  // No count is known to be received while nothing is read.
  expect(peering.prefixes).toEqual({ primary: null, secondary: null });

  const pathDown = model.openAlerts.find((a) => a.family === "path-down")!;
  expect(pathDown.readFailed).toEqual({ since: minute(15).toISOString(), why });

  const html = renderStatusHtml(model);
  expect(html).toMatch(
    /data-path="primary" data-layer="bgp" data-status="unknown"[^>]*><span class="w">unknown<\/span><span class="d">circuit read failed: forbidden; last known ok/,
  );
  expect(html).not.toMatch(/data-status="up"/);
  // Said on the circuit's row and beside its alert, escaped.
  const said =
    /<span class="d read old" data-read-failed>circuit read failed since <time[^>]*>[^<]*<\/time>: forbidden \(missing Microsoft\.Network\/expressRouteCircuits\/read\): The client &#39;er&lt;b&gt;watch&#39;/g;
  expect(html.match(said)).toHaveLength(2);
  expect(html).not.toContain("er<b>watch");

  // `erwatch alerts`: the alert is held as last read, and why, with no escape sequence obeyed.
  const { stdout } = await alerts(h, 21);
  const flat = stdout.replace(/\s+/g, " ");
  expect(flat).toContain(
    `Not read: the circuit's read has failed since ${minute(15).toISOString()}, so this is as last read: forbidden (missing ${READ}): The client 'er<b>watch'`,
  );
  expect(stdout).not.toContain("\u001b[2J");

  // Read again: current, and nothing is said of the failure.
  h.reader.spec = {};
  await h.run(25);
  const back = await loadStatus(h.store, minute(26), { recentHours: 1, recentLimit: 10 });
  expect(back.circuits[0]!.readFailed).toBeNull();
  expect(back.circuits[0]!.peerings[0]!.paths.primary.bgp).toEqual({
    status: "up",
    detail: "Established",
    since: minute(0).toISOString(),
  });
  expect(renderStatusHtml(back)).not.toContain("data-read-failed");
});
