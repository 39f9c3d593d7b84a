// A read that waits on another fails with that read's failure: the Connection
// Monitor search of a circuit whose gateway wiring could not be read is the
// wiring's failure again. The circuit's failed reads, and its monitoring-blind
// evidence, name each failed read once; different reads stay apart.

import { describe, expect, it } from "vitest";
import { classifyCircuit } from "../../src/core/classify.js";
import type { ArpRow, Reading, ReadFailure } from "../../src/core/model.js";
import { circuitReading, failed } from "../support/readings.js";

const WIRING: ReadFailure = {
  kind: "malformed",
  call: "Microsoft.Network/connections/read",
  target: "gateway connection conn-er-ams",
  message: "gateway connection conn-er-ams: virtualNetworkGateway1 is missing",
};
const as = <T>(failure: Partial<ReadFailure>): Reading<T> => failed<T>({ ...WIRING, ...failure });

describe("each failed read once", () => {
  it.each<[string, Partial<ReadFailure>, number]>([
    ["the wiring's failure, inherited by the Connection Monitor search", {}, 1],
    ["another target", { target: "gateway connection conn-er-fra" }, 2],
    ["another kind", { kind: "timeout" }, 2],
    ["another message", { message: "gateway connection conn-er-ams: id is missing" }, 2],
  ])("%s", (_what, endToEnd, count) => {
    const verdict = classifyCircuit(
      circuitReading({ gateway: as({}), dataPlane: { endToEnd: as(endToEnd) } }),
    );
    expect(verdict.failedReads).toHaveLength(count);
    expect(verdict.failedReads[0]).toEqual(WIRING);
    const blind = verdict.findings.filter((f) => f.code === "monitoring-blind");
    expect(blind).toHaveLength(1);
    expect(blind[0]!.evidence).toMatchObject({ failedReads: expect.any(Array) });
    expect((blind[0]!.evidence["failedReads"] as unknown[]).length).toBe(count);
  });

  it("the same failure on two paths is two reads", () => {
    const arp = failed<ArpRow[]>({ kind: "timeout" });
    const verdict = classifyCircuit(
      circuitReading({
        paths: { AzurePrivatePeering: { primary: { arp }, secondary: { arp } } },
      }),
    );
    expect(verdict.failedReads).toHaveLength(2);
  });
});
