// A circuit whose erwatch:connection-monitor tag names its monitor beside an
// erwatch:workspace tag was never looked up in ARM: a monitor deleted,
// renamed or misspelt read end to end "Indeterminate: no results in the last
// 30 min", silence that was in fact a monitor that is not there, while the
// same tag without erwatch:workspace already failed the read naming it.
// Now both agree: the monitor is looked up (a name in the Network Watchers
// searched for it without that tag, an id also in the Network Watcher the
// id names), one not there is a failed read naming it, and the look-up
// shares the sweep's listings. Real clients against the loopback estate.

import { describe, expect, it } from "vitest";
import { createReadSession } from "../../src/app/ports.js";
import { circuitId } from "../support/estate/ids.js";
import {
  estateOf,
  healthyCircuit,
  passingTest,
  WORKSPACE_ID,
  withConnectionMonitor,
} from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { judgedEndToEnd, readersOn, readingOf, options } = readersPerTest(NOW);
const FAILING = passingTest({ result: "Fail", checksFailed: 20, checksTotal: 20 });

const OTHER = "00000000-0000-0000-0000-0000000000c3";

/** A circuit whose failing monitor is in another subscription's northeurope Network Watcher, tagged by its id and the workspace. */
function taggedInOtherSubscription() {
  const bundle = healthyCircuit();
  const monitor = withConnectionMonitor(bundle, [FAILING]);
  monitor.subscriptionId = OTHER;
  monitor.location = "northeurope";
  const id = `/subscriptions/${OTHER}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_northeurope/connectionMonitors/${monitor.name}`;
  bundle.circuit.tags = { "erwatch:connection-monitor": id, "erwatch:workspace": WORKSPACE_ID };
  return { bundle, monitor, id };
}

describe("a monitor named by tag with erwatch:workspace", () => {
  it("that is not there is a failed read naming it, not 'no results'", async () => {
    const bundle = healthyCircuit();
    // Recreated under a new name; the tag still names the old one.
    withConnectionMonitor(bundle).name = "cm-er-circuit-prod-v2";
    bundle.circuit.tags = {
      "erwatch:connection-monitor": "cm-er-circuit-prod",
      "erwatch:workspace": WORKSPACE_ID,
    };
    const { got, verdict } = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(got).toMatchObject({
      ok: false,
      error: {
        kind: "not-found",
        target:
          "connection monitor cm-er-circuit-prod named by the circuit's erwatch:connection-monitor tag",
        message: expect.stringMatching(/it has cm-er-circuit-prod-v2 \(/),
      },
    });
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "unknown",
      detail:
        "Connection Monitor cm-er-circuit-prod read failed in Network Watcher NetworkWatcher_westeurope: not-found",
    });
    const blind = verdict.findings.find((f) => f.code === "monitoring-blind");
    expect(blind?.nextAction).toMatch(/Fix the circuit's erwatch:connection-monitor tag/);
    expect(verdict.findings.map((f) => f.code)).not.toContain("e2e-indeterminate");
  });

  it("one of two missing: the other is judged, its Fail pages, and the row names the missing one", async () => {
    const bundle = healthyCircuit();
    const present = withConnectionMonitor(bundle, [FAILING]);
    bundle.circuit.tags = {
      "erwatch:connection-monitor": `${present.name},cm-er-circuit-prod-dc2`,
      "erwatch:workspace": WORKSPACE_ID,
    };
    const { verdict } = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(verdict.peerings[0]!.paths.primary.endToEnd.detail).toBe(
      "Fail: 1 of 1 tests; cm-er-circuit-prod-dc2 not read in Network Watcher NetworkWatcher_westeurope (not-found)",
    );
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
  });

  it("a resource id in another subscription's Network Watcher is read; deleted, it is a failed read naming that Network Watcher", async () => {
    const { bundle, monitor, id } = taggedInOtherSubscription();
    const found = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(found.got).toMatchObject({ ok: true, value: { monitors: [{ id, how: "tagged" }] } });
    expect(found.verdict.findings.map((f) => f.code)).toContain("e2e-fail");

    bundle.circuit.tags = {
      "erwatch:connection-monitor": `${id}-old`,
      "erwatch:workspace": WORKSPACE_ID,
    };
    const gone = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(gone.got).toMatchObject({
      ok: false,
      error: {
        kind: "not-found",
        message: expect.stringMatching(
          new RegExp(
            `^the Network Watcher NetworkWatcher_northeurope \\(resource group NetworkWatcherRG, subscription ${OTHER}\\) has no Connection Monitor of that id .*it has ${monitor.name} `,
          ),
        ),
      },
    });

    // Its Network Watcher gone too: the monitor is, not a read that failed for another reason.
    bundle.circuit.tags = {
      "erwatch:connection-monitor": id.replace("northeurope/", "southindia/"),
      "erwatch:workspace": WORKSPACE_ID,
    };
    const watcherGone = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(watcherGone.got).toMatchObject({
      ok: false,
      error: {
        kind: "not-found",
        message: expect.stringMatching(/is not there, nor is the monitor/),
      },
    });
  });

  // The documented way to read a monitor of a subscription erwatch does not
  // watch: its resource id and the workspace its results are in. erwatch's
  // role may not reach that subscription's Network Watcher at all; the
  // look-up must not blind a circuit read so before it was added.
  it("a resource id in a subscription whose Network Watcher erwatch may not list is read by the tags, and its Fail pages", async () => {
    const { bundle, monitor, id } = taggedInOtherSubscription();
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    estate.addFault({
      match: { operation: "listConnectionMonitors", subscription: OTHER },
      behaviour: { kind: "status", status: 403 },
    });
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(
      estate.requests.some((r) => r.operation === "listConnectionMonitors" && r.status === 403),
    ).toBe(true);
    expect(got).toMatchObject({
      ok: true,
      value: { monitors: [{ id, name: monitor.name, how: "tagged" }] },
    });
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got! } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
    expect(verdict.findings.map((f) => f.code)).not.toContain("monitoring-blind");
  });

  // That tag says where its results are: a monitor erwatch cannot read from
  // ARM (a null among its outputs) is read by the tags, as before.
  it("one whose ARM body erwatch cannot read is still read by the tags, and its Fail pages", async () => {
    const bundle = healthyCircuit();
    const monitor = withConnectionMonitor(bundle, [FAILING]);
    monitor.wire = [{ read: "monitor", field: "properties.outputs[0]", value: null }];
    bundle.circuit.tags = {
      "erwatch:connection-monitor": monitor.name,
      "erwatch:workspace": WORKSPACE_ID,
    };
    const { got, verdict } = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(got).toMatchObject({
      ok: true,
      value: { monitors: [{ id: null, name: monitor.name, how: "tagged" }] },
    });
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
  });

  // An id names its Network Watcher, which is listed for it: searching the
  // gateways' regions for it as well read each circuit's gateway, one ARM
  // read per circuit per sweep that the tags had never cost.
  it("a resource id is looked for in its own Network Watcher only: no gateway is read for it", async () => {
    const bundle = healthyCircuit();
    const monitor = withConnectionMonitor(bundle, [FAILING]);
    // The circuit's subscription has a Network Watcher in another region, as most do.
    monitor.location = "northeurope";
    const id = `/subscriptions/${monitor.subscriptionId}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_northeurope/connectionMonitors/${monitor.name}`;
    bundle.circuit.tags = { "erwatch:connection-monitor": id, "erwatch:workspace": WORKSPACE_ID };
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    expect(reading.gateway).toMatchObject({ ok: true, value: [{ gatewayId: expect.any(String) }] });
    estate.requests.splice(0);
    const got = await dataPlane.readEndToEnd(reading, options());
    expect(got).toMatchObject({ ok: true, value: { monitors: [{ id, how: "tagged" }] } });
    expect(estate.requests.map((r) => r.operation)).not.toContain("getVirtualNetworkGateway");
  });

  it("costs no ARM read per circuit: circuits of one region share one listing per sweep", async () => {
    const a = healthyCircuit({ name: "er-a" });
    const b = healthyCircuit({ name: "er-b" });
    for (const bundle of [a, b]) {
      const monitor = withConnectionMonitor(bundle);
      bundle.circuit.tags = {
        "erwatch:connection-monitor": monitor.name,
        "erwatch:workspace": WORKSPACE_ID,
      };
    }
    const { estate, reader, dataPlane } = await readersOn(estateOf(a, b));
    const readings = [
      await readingOf(reader, circuitId(a.circuit)),
      await readingOf(reader, circuitId(b.circuit)),
    ];
    estate.requests.splice(0);
    const session = createReadSession();
    for (const reading of readings) {
      const got = await dataPlane.readEndToEnd(reading, { ...options(), session });
      expect(got).toMatchObject({ ok: true, value: { monitors: [{ how: "tagged" }] } });
    }
    const arm = estate.requests.filter((r) => r.operation !== "queryLogs");
    expect(arm.map((r) => r.operation).sort()).toEqual([
      "listConnectionMonitors",
      "listNetworkWatchers",
    ]);
  });
});
