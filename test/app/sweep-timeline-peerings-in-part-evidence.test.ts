// A carrier takes its side of a circuit down while ARM sends the circuit's
// peering list with a null beside the private peering. The real timer on an
// injected clock, ARM on loopback, state in Azurite: the alert the sweep
// opens carried `peerings: null` in its evidence, as if no peering had been
// read, while the private peering beside the null was read and judged. Now
// it names the peering read and the entry that was not.

import { describe, expect, it } from "vitest";
import { editWire, healthyCircuit, setProviderState } from "../support/estate/index.js";
import { timerWorld } from "../support/timer-world.js";
import { worldPerTest } from "../support/world-per-test.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const worlds = worldPerTest();

describe("an alert on a circuit whose peering list was read in part", () => {
  it("opens with the peerings read and the entry that was not in its evidence", async () => {
    const t = await timerWorld(worlds, T0, [healthyCircuit({ name: "er-circuit-a" })]);
    await t.sweepUntil(0, 5);
    const c = t.w.estate.state.circuits.find((x) => x.name === "er-circuit-a")!;
    setProviderState(c, "NotProvisioned");
    editWire(c, { read: "circuit", field: "properties.peerings[1]", value: null });
    const before = t.sent().length;
    await t.sweepUntil(10, 20);
    const opened = t
      .sent()
      .slice(before)
      .filter((e) => e.family === "provider" && e.action === "open");
    expect(opened).toHaveLength(1);
    expect(opened[0]!.severity).toBe("Sev0");
    expect(opened[0]!.evidence).toEqual({
      serviceProviderProvisioningState: "NotProvisioned",
      circuitProvisioningState: "Enabled",
      peerings: ["AzurePrivatePeering"],
      peeringsListed: 2,
      peeringsUnreadable: 1,
      peeringsNotRead: ["peerings[1] is null"],
      wasProvisioned: true,
    });
  });
});
