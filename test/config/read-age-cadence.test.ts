// SWEEP_MAX_READ_AGE_MINUTES against SWEEP_SCHEDULE: a schedule of 10 or 15
// minutes with the default 15-minute limit read every circuit deep every
// sweep and still let readings pass the limit, and nothing said so. It is
// said with the settings left out (every sweep, the status page, the health
// alert), named as they are, and both settings apply as set.

import { describe, expect, it } from "vitest";
import { readAgeCadenceProblem } from "../../src/config/sweep.js";
import { loadSweepConfig } from "../../src/runtime/config.js";

const APP = {
  ERWATCH_STORAGE: "UseDevelopmentStorage=true",
  ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
  ServiceBusConnection: "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=x",
  PAGERDUTY_ROUTING_KEY: "0123456789abcdef0123456789abcdef",
};

const leftOut = (env: Record<string, string>) =>
  loadSweepConfig({ ...APP, ...env }, { publish: "required", functions: true }).ignoredSettings;

describe("the timer's cadence against the read-age limit, said at start", () => {
  it.each([
    [
      "0 */10 * * * *",
      "SWEEP_MAX_READ_AGE_MINUTES: 15 cannot be held with SWEEP_SCHEDULE every 10 min (a sweep reads for up to 9 min): every circuit is read deep every sweep (the tiered sweep spares none), and still a reading taken early in one sweep is read again late in the next, up to 19.3 min old; set it to 20 or more to hold it (30 or more for the rotation to spread the reads over sweeps), or shorten SWEEP_SCHEDULE (both apply as set)",
    ],
    [
      "0 */15 * * * *",
      "SWEEP_MAX_READ_AGE_MINUTES: 15 cannot be held with SWEEP_SCHEDULE every 15 min (a sweep reads for up to 9.3 min): every circuit is read deep every sweep (the tiered sweep spares none), and still a reading taken early in one sweep is read again late in the next, up to 24.5 min old; set it to 25 or more to hold it (40 or more for the rotation to spread the reads over sweeps), or shorten SWEEP_SCHEDULE (both apply as set)",
    ],
  ])("SWEEP_SCHEDULE %j with the default limit is named", (schedule, said) => {
    expect(leftOut({ SWEEP_SCHEDULE: schedule })).toEqual([said]);
  });

  it.each([
    [{}],
    [{ SWEEP_SCHEDULE: "0 */10 * * * *", SWEEP_MAX_READ_AGE_MINUTES: "30" }],
    [{ SWEEP_SCHEDULE: "0 */15 * * * *", SWEEP_MAX_READ_AGE_MINUTES: "40" }],
    // Held, the rotation reading every circuit each sweep: the limit asked for, not a problem.
    [{ SWEEP_MAX_READ_AGE_MINUTES: "10" }],
    [{ SWEEP_SCHEDULE: "0 */1 * * * *" }],
  ])("%j: nothing said", (env) => {
    expect(leftOut(env)).toEqual([]);
  });

  it("a limit held only by reading every circuit every sweep says so", () => {
    // 5 + 4.75 + 0.25 late = 10: held to the second, with no sweep to wait for.
    expect(readAgeCadenceProblem(10, 5, 4.75 * 60_000)).toBe(
      "SWEEP_MAX_READ_AGE_MINUTES: 10 is held with SWEEP_SCHEDULE every 5 min (a sweep reads for up to 4.8 min) only as every circuit is read deep every sweep (the tiered sweep spares none); set it to 15 or more for the rotation to spread the reads over sweeps, or shorten SWEEP_SCHEDULE (both apply as set)",
    );
  });
});
