// Vitest's own order on a clean clone (no results cache) is largest file
// first, so a short file with a long run (the bench smoke) started last and
// held the build up while the other worker sat idle. Longest first instead:
// these are seconds measured by `.ci/run` on the 2-core CI machine (at
// 8b059af). They only order the run; a file missing here, or measured
// differently now, runs in Vitest's order after them.

import { relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const MEASURED_S: Record<string, number> = {
  "test/fuzz/lifecycle-storage.soak.test.ts": 197,
  "test/fuzz/chain.fuzz.test.ts": 167,
  "test/bench/bench-smoke.test.ts": 93,
  // Split at e7735bb, when the two ran 162 s as one file in .ci/run: shared out by their own run alone (62 s / 37 s).
  "test/app/sweep-timeline-traffic.test.ts": 100,
  "test/fuzz/delivery.soak.test.ts": 90,
  "test/packaging/function-package.test.ts": 83,
  "test/e2e/fan-out-fleet.test.ts": 79,
  "test/fuzz/delivery-storage.soak.test.ts": 77,
  "test/fuzz/lifecycle-blind.soak.test.ts": 71,
  "test/fuzz/lifecycle-fan-out.soak.test.ts": 67,
  "test/e2e/fleet-storage.test.ts": 62,
  "test/fuzz/lifecycle-fan-out-blind.soak.test.ts": 56,
  "test/fuzz/lifecycle.soak.test.ts": 53,
  "test/e2e/fan-out-fleet-blind.test.ts": 53,
  "test/app/sweep-timeline-dataplane.test.ts": 60,
  "test/demo/demo-stop.test.ts": 44,
  "test/e2e/fleet.test.ts": 30,
  "test/e2e/cli-process.test.ts": 30,
  "test/e2e/delivery.test.ts": 26,
  "test/app/sweep-timeline-flaps.test.ts": 25,
  "test/demo/demo.test.ts": 24,
  "test/e2e/timelines-estate.test.ts": 20,
  "test/app/sweep-timeline-cheap-dataplane.test.ts": 20,
  "test/e2e/data-plane-estate.test.ts": 19,
  "test/e2e/cli-dispatch-outage.test.ts": 18,
  "test/app/storage-faults.test.ts": 17,
  "test/e2e/tiered-sweep.test.ts": 16,
  "test/e2e/fan-out.test.ts": 16,
  "test/functions/status-fleet.browser.test.ts": 14,
  "test/app/sweep-timeline-sight.test.ts": 12,
  "test/adapters/servicebus-locks.test.ts": 12,
  "test/adapters/receivers/teams.test.ts": 12,
  "test/adapters/arm/pacing.test.ts": 12,
};

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const inVitestOrder = await super.sort(files);
    const seconds = (file: TestSpecification) =>
      MEASURED_S[relative(file.project.config.root, file.moduleId).replaceAll("\\", "/")] ?? 0;
    return inVitestOrder
      .map((file, index) => ({ file, index, s: seconds(file) }))
      .sort((a, b) => b.s - a.s || a.index - b.index)
      .map(({ file }) => file);
  }
}
