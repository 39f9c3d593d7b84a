// The one place that reads the process environment. Everything else takes an
// Env argument, so tests pass plain objects and nothing reads settings behind
// the validation's back.

import type { Env } from "./settings.js";

export function processEnv(): Env {
  return process.env;
}
