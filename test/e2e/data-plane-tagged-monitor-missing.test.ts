// Users saw a circuit whose erwatch:connection-monitor tag names a monitor
// its region's Network Watcher does not have (renamed, deleted and
// recreated, or misspelt) read end to end "n/a: no Connection Monitor tests
// this circuit", with no finding and no failed read; with two names and one
// missing, the missing one was dropped in silence and the row read "up" on
// the other. Now each such name is a failed read (monitoring-blind) naming
// it, listing the monitors there and suggesting the resource id: alone, the
// end-to-end read is UNKNOWN; beside monitors found, those are judged and the
// row is not "up" on them alone. The row named neither the monitor nor
// where it was looked for ("Connection Monitor read failed: not-found"), nor
// which Network Watcher refused erwatch ("…: forbidden"): it names both now,
// with the action a refusal lacks, each monitor when several are not there.
// Real clients against the loopback estate.

import { describe, expect, it } from "vitest";
import { circuitId } from "../support/estate/ids.js";
import {
  estateOf,
  healthyCircuit,
  passingTest,
  withConnectionMonitor,
} from "../support/estate/index.js";
import { readersPerTest } from "../support/data-plane-readers.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const { judgedEndToEnd, readersOn, readingOf, options } = readersPerTest(NOW);

describe("a tag naming a Connection Monitor the Network Watcher does not have", () => {
  it("is not 'no Connection Monitor tests this circuit'", async () => {
    const bundle = healthyCircuit();
    // The monitor that really tests the circuit was recreated under a new
    // name and fails; the tag still names the old one.
    const monitor = withConnectionMonitor(bundle, [
      passingTest({ result: "Fail", checksFailed: 20, checksTotal: 20 }),
    ]);
    monitor.name = "cm-er-circuit-prod-v2";
    bundle.circuit.tags = { "erwatch:connection-monitor": "cm-er-circuit-prod" };
    const { got, verdict } = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    const cell = verdict.peerings[0]!.paths.primary.endToEnd;
    expect(cell).toEqual({
      status: "unknown",
      detail:
        "Connection Monitor cm-er-circuit-prod read failed in Network Watcher NetworkWatcher_westeurope: not-found",
    });
    expect(got).toMatchObject({
      ok: false,
      error: {
        kind: "not-found",
        target:
          "connection monitor cm-er-circuit-prod named by the circuit's erwatch:connection-monitor tag",
      },
    });
    const message = got!.ok ? "" : got!.error.message;
    // The monitor there is named, and the id to tag is shown.
    expect(message).toMatch(
      /it has cm-er-circuit-prod-v2 \(\/subscriptions\/.*\/connectionMonitors\/cm-er-circuit-prod-v2\)/,
    );
    expect(message).toMatch(/its resource id/);
    const blind = verdict.findings.find((f) => f.code === "monitoring-blind");
    expect(blind?.nextAction).toMatch(/Fix the circuit's erwatch:connection-monitor tag/);
    expect(blind?.nextAction).not.toMatch(/ERWATCH_CIRCUITS|erwatch:ignore/);
  });

  it("one of two monitors the tag names missing is not dropped in silence: the circuit is not 'up' on the other alone", async () => {
    const bundle = healthyCircuit();
    const present = withConnectionMonitor(bundle);
    bundle.circuit.tags = {
      "erwatch:connection-monitor": `${present.name},cm-er-circuit-prod-dc2`,
    };
    const { verdict } = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "unknown",
      detail:
        "cm-er-circuit-prod-dc2 not read in Network Watcher NetworkWatcher_westeurope (not-found); 1 test passes (RTT ≤ 14 ms)",
    });
    expect(verdict.failedReads.map((f) => f.target)).toEqual([
      "connection monitor cm-er-circuit-prod-dc2 named by the circuit's erwatch:connection-monitor tag",
    ]);
    expect(verdict.findings.map((f) => f.code)).not.toContain("e2e-indeterminate");
  });

  it("the other tagged monitor's Fail still pages beside the missing one", async () => {
    const bundle = healthyCircuit();
    const present = withConnectionMonitor(bundle, [
      passingTest({ result: "Fail", checksFailed: 20, checksTotal: 20 }),
    ]);
    bundle.circuit.tags = {
      "erwatch:connection-monitor": `cm-er-circuit-prod-dc2, ${present.name}`,
    };
    const { verdict } = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(verdict.findings.map((f) => `${f.code} ${f.severity}`)).toContain("e2e-fail Sev1");
    expect(verdict.peerings[0]!.paths.primary.endToEnd.detail).toBe(
      "Fail: 1 of 1 tests; cm-er-circuit-prod-dc2 not read in Network Watcher NetworkWatcher_westeurope (not-found)",
    );
  });

  it("two tagged monitors, neither there: the row names each, not the first alone", async () => {
    const bundle = healthyCircuit();
    withConnectionMonitor(bundle).name = "cm-er-circuit-prod-v2";
    bundle.circuit.tags = {
      "erwatch:connection-monitor": "cm-er-circuit-prod,cm-er-circuit-prod-dc2",
    };
    const { verdict } = await judgedEndToEnd(estateOf(bundle), circuitId(bundle.circuit));
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "unknown",
      detail:
        "Connection Monitor read failed: cm-er-circuit-prod in Network Watcher NetworkWatcher_westeurope (not-found); cm-er-circuit-prod-dc2 in Network Watcher NetworkWatcher_westeurope (not-found)",
    });
    // Each is a failed read the tag's remedy names.
    expect(verdict.failedReads.map((f) => f.target)).toEqual([
      "connection monitor cm-er-circuit-prod named by the circuit's erwatch:connection-monitor tag",
      "connection monitor cm-er-circuit-prod-dc2 named by the circuit's erwatch:connection-monitor tag",
    ]);
  });

  it("its Network Watcher refusing erwatch (403): the row names the tagged monitor, the Network Watcher and the action lacking", async () => {
    const bundle = healthyCircuit();
    const monitor = withConnectionMonitor(bundle);
    bundle.circuit.tags = { "erwatch:connection-monitor": monitor.name };
    const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
    const reading = await readingOf(reader, circuitId(bundle.circuit));
    estate.addFault({
      match: { operation: "listConnectionMonitors" },
      behaviour: { kind: "status", status: 403 },
    });
    const got = await dataPlane.readEndToEnd(reading, options());
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got! } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      NOW,
    );
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "unknown",
      detail: `Connection Monitor ${monitor.name} read failed in Network Watcher NetworkWatcher_westeurope: forbidden, missing Microsoft.Network/networkWatchers/connectionMonitors/read`,
    });
  });

  it("its region having no Network Watcher: the row says so, the monitor named once", async () => {
    const bundle = healthyCircuit();
    bundle.circuit.tags = { "erwatch:connection-monitor": "cm-er-circuit-prod" };
    const { subscriptionId, location } = bundle.circuit;
    const { got, verdict } = await judgedEndToEnd(
      { ...estateOf(bundle), withoutNetworkWatcher: [{ subscriptionId, location }] },
      circuitId(bundle.circuit),
    );
    expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
      status: "unknown",
      detail:
        "Connection Monitor cm-er-circuit-prod read failed: no Network Watcher in westeurope (not-found)",
    });
    // The remedy points at no NetworkWatcher_westeurope, which is not there.
    const message = got!.ok ? "" : got!.error.message;
    expect(message).toMatch(/has no Network Watcher in westeurope/);
    expect(message).not.toMatch(/NetworkWatcher_westeurope|it has none/);
    // The monitoring-blind finding's next action says the same, not that the
    // region's Network Watcher lacks the monitor.
    const blind = verdict.findings.find((f) => f.code === "monitoring-blind");
    expect(blind?.nextAction).toMatch(/there is no Network Watcher in westeurope/);
    expect(blind?.nextAction).toMatch(/enable Network Watcher in westeurope/);
    expect(blind?.nextAction).not.toMatch(/Network Watcher does not have/);
  });

  it.each<{ name: string; tags: Record<string, string>; what: string }>([
    {
      name: "the monitors the tag names",
      tags: { "erwatch:connection-monitor": "cm-er-circuit-prod" },
      what: "Connection Monitor cm-er-circuit-prod",
    },
    { name: "no tag: the monitors not yet known", tags: {}, what: "Connection Monitor" },
  ])(
    "the subscription's Network Watchers refusing erwatch (403), $name: the row names the listing and the action lacking",
    async ({ tags, what }) => {
      const bundle = healthyCircuit();
      withConnectionMonitor(bundle);
      bundle.circuit.tags = tags;
      const { estate, reader, dataPlane } = await readersOn(estateOf(bundle));
      const reading = await readingOf(reader, circuitId(bundle.circuit));
      estate.addFault({
        match: { operation: "listNetworkWatchers" },
        behaviour: { kind: "status", status: 403 },
      });
      const got = await dataPlane.readEndToEnd(reading, options());
      const { verdict } = evaluateCircuit(
        { ...reading, dataPlane: { endToEnd: got! } },
        null,
        [],
        [],
        { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
        NOW,
      );
      expect(verdict.peerings[0]!.paths.primary.endToEnd).toEqual({
        status: "unknown",
        detail: `${what} read failed on Network Watchers of subscription ${bundle.circuit.subscriptionId}: forbidden, missing Microsoft.Network/networkWatchers/read`,
      });
    },
  );
});
