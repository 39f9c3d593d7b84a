// Simulated estates that live for one test, closed after it whatever the test
// did: the faults and the requests one test left must not reach the next.

import { afterEach } from "vitest";
import { startEstate, type SimulatedEstate } from "./estate/index.js";

/** Call at a test file's top level; each test starts its estates with the returned function. */
export function estatePerTest(): (
  ...args: Parameters<typeof startEstate>
) => Promise<SimulatedEstate> {
  const started: SimulatedEstate[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.close()));
  });
  return async (...args) => {
    const estate = await startEstate(...args);
    started.push(estate);
    return estate;
  };
}
