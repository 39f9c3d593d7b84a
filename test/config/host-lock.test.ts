// host.json's message lock against the code's own deadlines: a dispatch or a
// sweep worker still running when the host stops renewing its lock has its
// message handed to another instance (a page posted twice, a circuit read
// twice). Consistent today; this keeps a change to one side from drifting.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FUNCTIONS_DELIVERY_BUDGET_MS, WORK_HARD_STOP_MS } from "../../src/config/functions.js";

const host = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "host.json"), "utf8"),
) as {
  functionTimeout: string;
  extensions: { serviceBus: { maxAutoLockRenewalDuration: string } };
};

const ms = (span: string) => {
  const [h, m, s] = span.split(":").map(Number) as [number, number, number];
  return ((h * 60 + m) * 60 + s) * 1000;
};

describe("host.json's Service Bus lock holds what the code does under it", () => {
  const renewal = ms(host.extensions.serviceBus.maxAutoLockRenewalDuration);

  it.each([
    ["a dispatch's delivery budget (FUNCTIONS_DELIVERY_BUDGET_MS)", FUNCTIONS_DELIVERY_BUDGET_MS],
    ["a sweep worker's hard stop (WORK_HARD_STOP_MS)", WORK_HARD_STOP_MS],
  ])("%s ends before the lock stops being renewed", (_name, bound) => {
    expect(bound).toBeLessThan(renewal);
  });

  it("renews no longer than the function may run (functionTimeout)", () => {
    expect(renewal).toBeLessThanOrEqual(ms(host.functionTimeout));
  });
});
