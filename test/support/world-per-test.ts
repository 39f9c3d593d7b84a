// The setup every end-to-end file shares: one Azurite for the file, and a
// world per test that is closed after it, whatever the test did. Call it at
// the top level of a test file.

import { afterAll, afterEach, beforeAll } from "vitest";
import { startAzurite, type Azurite } from "./azurite.js";
import { startWorld, type World, type WorldOptions } from "./world.js";

export interface Worlds {
  /** A world on the file's Azurite; closed after the test that started it. */
  start(options: Omit<WorldOptions, "azurite">): Promise<World>;
  /** The file's Azurite (a fault proxy in front of it, say). */
  azurite(): Azurite;
}

export function worldPerTest(): Worlds {
  let azurite: Azurite | undefined;
  let current: World | null = null;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return {
    async start(options) {
      if (!azurite) throw new Error("worldPerTest(): start() before the file's Azurite is up");
      current = await startWorld({ ...options, azurite });
      return current;
    },
    azurite() {
      if (!azurite) throw new Error("worldPerTest(): azurite() before the file's Azurite is up");
      return azurite;
    },
  };
}
