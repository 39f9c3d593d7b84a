// A circuit whose Connection Monitor test passed, then sent nothing to Log
// Analytics in the window (its on-premises agent stopped): the sweep reads end
// to end Indeterminate (UNKNOWN, e2e-indeterminate opens). The snapshot keeps
// a layer it cannot judge at its last known state, and the status page drew
// that: green "1 test passes" beside the open e2e-indeterminate, on every
// sweep the agent stayed silent. Real timer, estate and Log Analytics on
// loopback; the page through its HTTP handler.

import { HttpRequest, InvocationContext } from "@azure/functions";
import { expect, it } from "vitest";
import type { StatusModel } from "../../src/app/status.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { at, PRIVATE, timeline } from "../support/dataplane-timeline.js";
import { worldPerTest } from "../support/world-per-test.js";

const worlds = worldPerTest();

it("end to end Indeterminate after a pass reads unknown on the page, with the pass as last known", async () => {
  const t = await timeline(worlds, { monitor: true });
  await t.sweeps(0, 5);
  const status = httpStatusHandler(async () => t.w.statusDeps);
  const model = async () =>
    JSON.parse(
      String(
        (
          await status(
            new HttpRequest({
              method: "GET",
              url: "http://localhost/api/status",
              headers: { accept: "application/json" },
            }),
            new InvocationContext(),
          )
        ).body,
      ),
    ) as StatusModel;
  const e2e = async () =>
    (await model()).circuits[0]!.peerings.find((p) => p.name === PRIVATE)!.paths.primary.endToEnd;
  expect((await e2e()).status).toBe("up");

  t.monitor!.tests[0]!.result = "none";
  const [silent] = await t.sweeps(10, 10);
  const live = silent!.verdicts[0]!.peerings.find((p) => p.name === PRIVATE)!;
  expect(live.paths.primary.endToEnd).toMatchObject({ status: "unknown" });
  expect(live.paths.primary.endToEnd.detail).toMatch(/^Indeterminate/);

  // Observed: { status: "up", detail: "1 test passes (RTT ≤ 14 ms)" }.
  const shown = await e2e();
  expect(shown.status).toBe("unknown");
  expect(shown.detail).toMatch(/^Indeterminate: no results in the last \d+ min/);
  expect(shown.detail).toMatch(/last known ok .*1 test passes/);
  expect(shown.since).toBe(at(10));
  expect((await model()).circuits[0]!.worstStatus).not.toBe("up");

  // A sweep later: since the first sweep that could not judge it.
  await t.sweeps(15, 15);
  expect((await e2e()).since).toBe(at(10));

  // Its agent back: up again, and said so.
  t.monitor!.tests[0]!.result = "Pass";
  await t.sweeps(20, 20);
  expect(await e2e()).toMatchObject({ status: "up" });
});
