// Scenario data in one import: builders, the mutators tests call between
// sweeps, and the catalog.

export * from "./builders.js";
export * from "./catalog.js";
export * from "./mutators.js";
export type { ArpMode, PathName } from "./paths.js";
