// A circuit whose own read fails keeps its whole last picture (snapshot.ts):
// the snapshot says so, since the first sweep of the run, with the failure as
// read, so the status page does not draw the kept layers as current. What is
// stored is any text to the row: one that is not what erwatch wrote is not kept.

import { describe, expect, it } from "vitest";
import { circuitUnreadOf, keptCircuitUnread, type Snapshot } from "../../src/core/snapshot.js";
import { failed, ok } from "../support/readings.js";

const AT = "2026-11-22T01:15:00.000Z";
const FAILURE = {
  kind: "throttled" as const,
  call: "Microsoft.Network/expressRouteCircuits/read",
  target: "circuit er-circuit-prod",
  message: "Too many requests",
};
const previous = (circuitUnread: unknown) => ({ circuitUnread }) as unknown as Snapshot;

describe("circuitUnreadOf", () => {
  it("says nothing of a circuit read", () => {
    expect(circuitUnreadOf({ circuit: ok({} as never) }, previous(undefined), AT)).toEqual({});
  });

  it("keeps the first failed sweep's time through the run, with this sweep's failure", () => {
    const first = circuitUnreadOf({ circuit: failed(FAILURE) }, null, AT);
    expect(first).toEqual({ circuitUnread: { since: AT, failure: FAILURE } });
    const next = circuitUnreadOf(
      { circuit: failed({ ...FAILURE, kind: "timeout", message: "no answer" }) },
      previous(first.circuitUnread),
      "2026-11-22T01:20:00.000Z",
    );
    expect(next.circuitUnread).toEqual({
      since: AT,
      failure: { ...FAILURE, kind: "timeout", message: "no answer" },
    });
  });

  it("starts afresh from a stored one that is not an instant", () => {
    const next = circuitUnreadOf(
      { circuit: failed(FAILURE) },
      previous({ since: "yesterday", failure: FAILURE }),
      AT,
    );
    expect(next.circuitUnread?.since).toBe(AT);
  });
});

describe("keptCircuitUnread", () => {
  it.each([
    ["nothing", undefined],
    ["text", "forbidden"],
    ["no failure", { since: AT }],
    ["a failure without its message", { since: AT, failure: { kind: "forbidden" } }],
    ["a since that is no instant", { since: "", failure: FAILURE }],
  ])("is null for %s", (_name, value) => {
    expect(keptCircuitUnread(value)).toBeNull();
  });

  it("keeps only the fields erwatch writes, each of its type", () => {
    expect(
      keptCircuitUnread({
        since: AT,
        failure: { ...FAILURE, statusCode: "429", requestId: "r-1", extra: 1 },
      }),
    ).toEqual({ since: AT, failure: { ...FAILURE, requestId: "r-1" } });
  });
});
