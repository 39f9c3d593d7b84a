// What a sweep leaves behind besides its decisions: its numbers for
// telemetry, and the "last completed sweep" record the status page reads.

import type { CircuitVerdict } from "../core/model.js";
import { SEVERITIES, type Severity } from "../core/model.js";
import type { Logger } from "../logging.js";
import type { SweepDeps, SweepRequest } from "./sweep.js";
import { failureText } from "./work-progress.js";
import { NOT_RECORDED_SHOWN, SETTINGS_LEFT_OUT_SHOWN, type SweepRecord } from "./state-store.js";
import { NO_TELEMETRY, type Telemetry } from "./telemetry.js";

/**
 * After a sweep: its numbers to telemetry and, for a sweep of the whole scope,
 * the record the status page's "last completed sweep" reads. Neither may fail
 * the sweep.
 */
export async function measureSweep(
  deps: Pick<SweepDeps, "store" | "telemetry" | "ignoredSettings" | "ranBy">,
  telemetry: Telemetry,
  log: Logger,
  s: {
    request: SweepRequest;
    sweepId: string;
    now: Date;
    finishedAt: Date;
    durationMs: number;
    verdicts: CircuitVerdict[];
    /** Circuits covered without a verdict here: judged quiet from the listing, or handed to fan-out workers. */
    quiet?: number;
    ignored: number;
    errors: number;
    /** The circuits counted in `errors`, with why. */
    failed?: readonly { id: string; name: string; message: string }[];
    /** Fanned out: the deep reads handed to the workers, and their deadline. */
    fannedOut?: { deep: number; deadline: string };
  },
): Promise<void> {
  telemetry.sweepFinished({
    durationMs: s.durationMs,
    circuitsRead: s.verdicts.length,
    circuitsSkipped: { ignored: s.ignored, failed: s.errors },
    scope: s.request.scope ? "all" : "targets",
  });
  for (const v of s.verdicts) for (const f of v.failedReads) telemetry.readFailed(f.kind, f.call);
  if (deps.telemetry && deps.telemetry !== NO_TELEMETRY) {
    try {
      const open = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<
        Severity,
        number
      >;
      for (const a of await deps.store.listAlerts())
        if (a.value.notified) open[a.value.notified.severity] += 1;
      telemetry.openAlerts(open);
    } catch (error) {
      log.warn({ err: error }, "open alerts could not be counted for telemetry");
    }
  }
  if (!s.request.scope || s.request.abortSignal.aborted || s.request.stopSignal?.aborted) return;
  try {
    const settings =
      deps.ranBy === "cli"
        ? { sweptBy: "cli" as const, ...(await functionAppSettings(deps.store, log)) }
        : settingsLeftOut(deps.ignoredSettings ?? []);
    await deps.store.recordSweep({
      sweepId: s.sweepId,
      startedAt: s.now.toISOString(),
      finishedAt: s.finishedAt.toISOString(),
      circuits: s.verdicts.length + (s.quiet ?? 0),
      ignored: s.ignored,
      partlyBlind: s.verdicts.filter((v) => v.failedReads.length > 0).length + s.errors,
      errors: s.errors,
      ...(s.failed && s.failed.length > 0
        ? {
            notRecorded: s.failed.slice(0, NOT_RECORDED_SHOWN).map((f) => ({
              id: f.id,
              name: f.name,
              // Shown on the status page: no URL (a SAS token rides in one).
              why: failureText(f.message),
            })),
          }
        : {}),
      ...(s.fannedOut ? { fannedOut: s.fannedOut } : {}),
      ...settings,
    });
  } catch (error) {
    log.warn({ err: error }, "the completed sweep could not be recorded for the status page");
  }
}

/**
 * The function app's settings left out, from the record before, for a record
 * of `erwatch sweep --state`: the laptop's environment is not the function
 * app's, and its own list stood on the status page, said as what the sweeps
 * run without, until the next timer sweep (and the function app's, a
 * receiver posted nothing, was not). Nothing when that record cannot be read.
 */
async function functionAppSettings(
  store: SweepDeps["store"],
  log: Logger,
): Promise<Pick<SweepRecord, "settingsLeftOut" | "settingsLeftOutAt">> {
  const before = await store.lastSweep().catch((error: unknown) => {
    log.warn(
      { err: error },
      "the last sweep's record could not be read; its settings left out are not kept",
    );
    return null;
  });
  if (!before?.settingsLeftOut?.length) return {};
  return {
    settingsLeftOut: before.settingsLeftOut,
    settingsLeftOutAt: before.settingsLeftOutAt ?? before.finishedAt,
  };
}

/** The record's share of the settings left out: bounded, so one estate's many typos still fit a row. */
function settingsLeftOut(ignored: readonly string[]): { settingsLeftOut?: string[] } {
  if (ignored.length === 0) return {};
  const shown = ignored
    .slice(0, SETTINGS_LEFT_OUT_SHOWN)
    .map((line) => (line.length > 500 ? `${line.slice(0, 499)}…` : line));
  const more = ignored.length - shown.length;
  return {
    settingsLeftOut:
      more > 0 ? [...shown, `and ${more} more (the sweep's log lists them all)`] : shown,
  };
}
