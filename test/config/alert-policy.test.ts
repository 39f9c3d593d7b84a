// ERWATCH_ALERT_POLICY is validated at start: overrides merge over the
// defaults, and a value out of range names the setting and the field, and is
// left out (its default applies) without stopping the start.

import { describe, expect, it } from "vitest";
import { SettingsReader } from "../../src/config/reader.js";
import { readStateConfig } from "../../src/config/state.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";

const reading = (policy?: unknown) => {
  const r = new SettingsReader({
    ERWATCH_STORAGE: "UseDevelopmentStorage=true",
    ...(policy === undefined ? {} : { ERWATCH_ALERT_POLICY: JSON.stringify(policy) }),
  });
  const config = readStateConfig(r, "AzureCloud");
  r.throwIfProblems();
  return { policy: config.policy, ignored: r.ignored };
};
const read = (policy?: unknown) => reading(policy).policy;

describe("ERWATCH_ALERT_POLICY", () => {
  it("defaults the flap window and the prefix-drop threshold", () => {
    const policy = read();
    expect(policy.flap).toEqual({ transitions: 3, windowMinutes: 60 });
    expect(policy.prefixDrop).toEqual({ belowPercent: 50, minPrefixes: 50, holdHours: 12 });
    expect(policy).toEqual(DEFAULT_ALERT_POLICY);
  });

  it("keeps a route table baseline by default, and can be turned off", () => {
    expect(read().routeTables).toEqual({ keepEveryHours: 24, perSweep: 2 });
    expect(read({ routeTables: { perSweep: 0 } }).routeTables).toEqual({
      keepEveryHours: 24,
      perSweep: 0,
    });
  });

  it("merges a partial prefixDrop over the defaults", () => {
    expect(read({ prefixDrop: { minPrefixes: 500 } }).prefixDrop).toEqual({
      belowPercent: 50,
      minPrefixes: 500,
      holdHours: 12,
    });
  });

  it.each([
    [{ prefixDrop: { belowPercent: 150 } }, /prefixDrop\.belowPercent/],
    [{ prefixDrop: { minPrefixes: 0 } }, /prefixDrop\.minPrefixes/],
    [{ prefixDrop: { holdHours: 1.5 } }, /prefixDrop\.holdHours/],
    [{ prefixDrop: { percent: 50 } }, /ERWATCH_ALERT_POLICY/],
    [{ flap: { windowMinutes: 0 } }, /flap\.windowMinutes/],
    [{ routeTables: { perSweep: -1 } }, /routeTables\.perSweep/],
    [{ routeTables: { keepEveryHours: 0 } }, /routeTables\.keepEveryHours/],
  ])(
    "leaves out the field of %j, naming it; its default applies and nothing stops",
    (policy, message) => {
      const { policy: read, ignored } = reading(policy);
      expect(ignored.length).toBeGreaterThan(0);
      for (const line of ignored) {
        expect(line).toMatch(message);
        expect(line).toMatch(/\(left out: its default applies\)$/);
      }
      expect(read).toEqual(DEFAULT_ALERT_POLICY);
    },
  );

  it.each([
    [
      // One severity out of range: the others given still apply.
      { openAfter: { Sev1: 1, Sev2: 1, Sev3: 0 } },
      (p: typeof DEFAULT_ALERT_POLICY) => p.openAfter,
      { ...DEFAULT_ALERT_POLICY.openAfter, Sev1: 1, Sev2: 1 },
      /^ERWATCH_ALERT_POLICY\.openAfter\.Sev3: /,
    ],
    [
      { repeatEveryMinutes: { Sev0: 15, Sev4: 0 } },
      (p: typeof DEFAULT_ALERT_POLICY) => p.repeatEveryMinutes,
      { ...DEFAULT_ALERT_POLICY.repeatEveryMinutes, Sev0: 15 },
      /^ERWATCH_ALERT_POLICY\.repeatEveryMinutes\.Sev4: /,
    ],
    [
      { resolveAfter: { Sev0: 6, Sev9: 1 } },
      (p: typeof DEFAULT_ALERT_POLICY) => p.resolveAfter,
      { ...DEFAULT_ALERT_POLICY.resolveAfter, Sev0: 6 },
      /^ERWATCH_ALERT_POLICY\.resolveAfter: .*Sev9/,
    ],
    [
      { prefixDrop: { minPrefixes: 500, belowPercent: 150 } },
      (p: typeof DEFAULT_ALERT_POLICY) => p.prefixDrop,
      { ...DEFAULT_ALERT_POLICY.prefixDrop, minPrefixes: 500 },
      /^ERWATCH_ALERT_POLICY\.prefixDrop\.belowPercent: /,
    ],
  ])(
    "in %j leaves out only the entry named, not the others the field gives",
    (policy, part, expected, named) => {
      const { policy: read, ignored } = reading(policy);
      expect(part(read)).toEqual(expected);
      expect(ignored).toHaveLength(1);
      expect(ignored[0]).toMatch(named);
      expect(ignored[0]).toMatch(/\(left out: its default applies\)$/);
    },
  );
});
