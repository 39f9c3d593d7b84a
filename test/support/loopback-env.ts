// Environment for the processes tests spawn: the loopback-only guard loaded
// first (see loopback-only.mjs), whatever else the test passes.

import { join } from "node:path";
import { pathToFileURL } from "node:url";

const GUARD = pathToFileURL(join(import.meta.dirname, "loopback-only.mjs")).href;

export function loopbackOnly(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const options = [env.NODE_OPTIONS, `--import=${GUARD}`].filter(Boolean).join(" ");
  // Refusals in the child are written where the test file's teardown looks.
  const refusals = process.env.LOOPBACK_REFUSALS;
  return { ...env, NODE_OPTIONS: options, ...(refusals ? { LOOPBACK_REFUSALS: refusals } : {}) };
}
