// The demo calls the real Functions handlers directly, without the Functions
// host (which Azure runs, and `func start` runs locally). Registering a function
// outside the host makes @azure/functions print "Failed to detect the Azure
// Functions runtime … test mode" and one "Skipping call to register function"
// per function: expected here, alarming to a newcomer. This module, imported
// before anything that registers a function, holds back exactly those lines;
// the demo says once, in plain words, what they would have said.

const NOTICE =
  /^WARNING: (Failed to detect the Azure Functions runtime\.|Skipping call to register function ")/;

let held = 0;
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === "string" && NOTICE.test(args[0])) held += 1;
  else warn(...args);
};

/** How many of @azure/functions' test-mode notices were held back. */
export const heldHostNotices = () => held;
