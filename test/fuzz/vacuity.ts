// The soaks' after-all guards say a run was not vacuous ("a soak that never went
// blind proves nothing"). They hold for each soak's own seed, the one CI runs. A
// seed being hunted (FUZZ_SEED) may draw plans with, say, no silence at all: no
// defect of erwatch, and its property was still checked on every sweep.
export const guardsApply = process.env.FUZZ_SEED === undefined;
