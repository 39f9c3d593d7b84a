// The simulated estate: an HTTPS fake of Azure Resource Manager for the reads
// erwatch makes, driven by mutable scenario data.

export type * from "./model.js";
export * from "./scenarios.js";
export { API_VERSION, startEstate, type EstateOptions, type SimulatedEstate } from "./server.js";
export { RBAC_ACTIONS } from "./arm-errors.js";
export { MAX_DELAY_MS } from "./faults.js";
