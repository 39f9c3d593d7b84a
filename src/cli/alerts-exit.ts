// `erwatch alerts` in a script or a health check (`erwatch alerts || page`):
// its exit code says whether something serious is open, and whether the list
// can be trusted to say so. A list that may be incomplete or out of date is
// not a clean bill of health.

import { isAtOrAbove } from "../core/severity.js";
import type { StatusModel } from "../app/status.js";
import { EXIT } from "./context.js";

export function alertsExitCode(
  model: Pick<StatusModel, "openAlerts" | "summary" | "unread" | "unreadableAlerts">,
): number {
  // Resolving: its condition reads clean, it waits out the resolve hysteresis.
  const serious = model.openAlerts.some(
    (a) => a.state !== "resolving" && !a.silencedBy && isAtOrAbove(a.severity, "Sev2"),
  );
  if (serious) return EXIT.findings;
  // Recent changes are not part of the list.
  const missing = (model.unread ?? []).some((part) => part !== "recent changes");
  const notRead = model.openAlerts.some((a) => a.stale);
  // An alert row that cannot be read may be a Sev0 nobody will resolve: not a clean bill either.
  const unreadable = (model.unreadableAlerts ?? []).length > 0;
  return missing || model.summary?.stale || notRead || unreadable ? EXIT.blind : EXIT.ok;
}
