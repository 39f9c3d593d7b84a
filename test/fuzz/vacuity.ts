// The soaks' after-all guards say a run was not vacuous ("a soak that never went
// blind proves nothing"). They hold for each soak's own seed and run count, the
// ones CI runs. A seed being hunted (FUZZ_SEED) may draw plans with, say, no
// silence at all, and a replay of one failing run (FUZZ_PATH) is one plan: no
// defect of erwatch, and its property was still checked on every sweep.
export const guardsApply =
  process.env.FUZZ_SEED === undefined && process.env.FUZZ_PATH === undefined;

/**
 * A failing run replayed alone: fast-check prints `{ seed, path }` for the
 * counterexample; FUZZ_SEED=<seed> FUZZ_PATH=<path> runs just that plan (and
 * what it shrinks to) instead of the seed's runs before it. One run: given a
 * path, fast-check starts there and would go on through the seed's next plans.
 */
export function replay(): { path?: string; numRuns?: number } {
  const path = process.env.FUZZ_PATH?.trim();
  return path ? { path, numRuns: 1 } : {};
}
