// The soaks' judge on hand-built timelines: a wrong judge fails a soak on a
// hunt seed long after the change that made it wrong, so the cases a hunt
// found are pinned here, each with the blip the judge must still catch.

import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { alertKey } from "../../src/core/alert-identity.js";
import type { AlertFamily, Severity } from "../../src/core/model.js";
import { prefixLimitOpen } from "../support/alert-event-fixture.js";
import { circuitId } from "../support/estate/ids.js";
import type { PathName } from "../support/estate/index.js";
import {
  HEALTHY,
  Judge,
  PRIVATE,
  soakEstate,
  type CircuitName,
  type ReadTrouble,
  type Truth,
} from "./lifecycle-model.js";

const NAME: CircuitName = "soak-ams-b";
const { sims } = soakEstate();
const ids = new Map([...sims].map(([name, c]) => [name, circuitId(c)]));
const ID = ids.get(NAME)!;

const over = (paths: Partial<Truth["paths"]> = {}): Truth => ({
  ...HEALTHY,
  paths: { ...HEALTHY.paths, ...paths },
  level: "over",
});
const down = (path: PathName): Truth => ({
  ...HEALTHY,
  paths: { ...HEALTHY.paths, [path]: "carrier-down" },
});

function opened(family: AlertFamily, severity: Severity, paths: PathName[]): AlertEvent {
  const key = alertKey(ID, PRIVATE, family);
  const fixture = prefixLimitOpen();
  return {
    ...fixture,
    id: `${key}-1`,
    key,
    episodeId: `${key}-1`,
    family,
    severity,
    peakSeverity: severity,
    paths,
    peering: PRIVATE,
    circuit: { ...fixture.circuit, id: ID, name: NAME },
  };
}

/**
 * Sweeps 0..15 healthy and read; then `shown` per sweep from 16, the
 * secondary's reads failing in `unread` sweeps, the publish hung (storage
 * failed, as the fan-out soak judges it) in `hung`; `event` heard at the last.
 */
function judged(opts: {
  shown: Truth[];
  unread: number[];
  hung: number[];
  event: AlertEvent;
}): string[] {
  const trouble = (s: number): ReadTrouble[] =>
    opts.unread.includes(s)
      ? [
          {
            subject: NAME,
            path: "secondary",
            kind: "server-error",
            action: "Microsoft.Network/expressRouteCircuits/routeTables/action",
          },
        ]
      : [];
  const judge = new Judge(
    ids,
    { trouble, silences: () => [] },
    { storageFailed: (name, s) => name === NAME && opts.hung.includes(s) },
  );
  const last = 16 + opts.shown.length - 1;
  for (let s = 0; s <= last; s += 1) {
    judge.truths[s] = new Map([[NAME, s < 16 ? HEALTHY : opts.shown[s - 16]!]]);
    judge.observe(s, s === last ? [opts.event] : []);
  }
  return judge.violations;
}

describe("the lifecycle judge's hysteresis", () => {
  it("counts a hung sweep that read the primary's count over the limit, the secondary unread (seed 854)", () => {
    expect(
      judged({
        shown: [over(), over()],
        unread: [16, 17],
        hung: [16],
        event: opened("route-limit", "Sev2", ["primary"]),
      }),
    ).toEqual([]);
  });

  it("counts a hung sweep that read the primary down, the secondary unread", () => {
    expect(
      judged({
        shown: [down("primary"), down("primary")],
        unread: [16],
        hung: [16],
        event: opened("path-down", "Sev2", ["primary"]),
      }),
    ).toEqual([]);
  });

  it("still calls a route-limit opened after a hung sweep that showed it nowhere a blip", () => {
    expect(
      judged({
        shown: [HEALTHY, over()],
        unread: [16, 17],
        hung: [16],
        event: opened("route-limit", "Sev2", ["primary"]),
      }),
    ).toEqual([expect.stringMatching(/^sweep 17 .*: opened on a one-sweep blip$/)]);
  });

  it("does not count a hung sweep whose only read path was down: it carried no count", () => {
    expect(
      judged({
        shown: [over({ primary: "carrier-down" }), over()],
        unread: [16, 17],
        hung: [16],
        event: opened("route-limit", "Sev2", ["primary"]),
      }),
    ).toEqual([expect.stringMatching(/^sweep 17 .*: opened on a one-sweep blip$/)]);
  });
});
