// A worker's calls on the claims table around its reads. A claim only keeps
// two workers from reading a circuit twice; a claim left behind runs out by
// itself (CLAIM_MS), and the next delivery of the same message takes over
// the last one's claims at once (core/claim-holder.ts). So none of these
// calls may hold the worker: a claims table that fails is logged and the
// batch goes on, and past the worker's stop what is not settled is left.

import pLimit from "p-limit";
import type { Logger } from "../logging.js";
import type { CircuitTarget } from "./ports.js";
import { isStorageFailure } from "./state-store.js";
import type { WorkClaims } from "./work.js";
import { failureText } from "./work-progress.js";

/** How long a worker holds a circuit: past this, another worker may take it over. */
export const CLAIM_MS = 5 * 60_000;

/**
 * How long past its stop a worker may spend settling its claims: a claim given
 * back is two storage calls (read, then delete), each with STORAGE_TIMEOUT_MS;
 * capped so a long timeout still leaves the worker inside its message lock
 * (WORK_HARD_STOP_MS is a minute short of it).
 */
export function workWindDownMs(storageTimeoutMs: number): number {
  return Math.min(2 * storageTimeoutMs, 30_000);
}

/**
 * Claim calls a worker settles at once after its reads: one after another,
 * each with its own STORAGE_TIMEOUT_MS, a hung claims table held a batch of
 * 20 for 200 s past the worker's stop.
 */
export const SETTLE_CONCURRENCY = 16;

/**
 * A claim keeps two workers from reading one circuit twice; alerts are
 * committed with ETags, so a circuit read twice costs ARM calls, never a page
 * twice. One not read is blind. So when the claims table fails (it hangs,
 * answers 503) the circuit is read anyway. `claimed` collects the circuits
 * this delivery holds (lower-case ids): only those are its to give back.
 */
export async function admitted(
  claims: WorkClaims,
  sweepId: string,
  target: CircuitTarget,
  worker: string,
  clock: () => number,
  log: Logger,
  claimed: Set<string>,
): Promise<boolean> {
  try {
    const outcome = await claims.claim(sweepId, target.id, worker, new Date(clock() + CLAIM_MS));
    if (outcome === "mine") claimed.add(target.id.toLowerCase());
    return outcome === "mine";
  } catch (error) {
    if (!isStorageFailure(error)) throw error;
    log.warn(
      { err: error, circuitId: target.id },
      "the circuit could not be claimed (Table Storage); it is read anyway: read twice costs ARM calls, unread is blind",
    );
    return true;
  }
}

/** Recorded is recorded: a claim that cannot be marked done runs out by itself. */
export async function finished(
  claims: WorkClaims,
  sweepId: string,
  circuitId: string,
  worker: string,
  log: Logger,
): Promise<void> {
  try {
    await claims.finish(sweepId, circuitId, worker);
  } catch (error) {
    if (!isStorageFailure(error)) throw error;
    log.warn(
      { err: error, circuitId },
      "the claim could not be marked done (Table Storage); it runs out by itself",
    );
  }
}

/** What a batch leaves to say on its claims once its reads are over. */
export interface ClaimsToSettle {
  /** Claimed by this delivery and not read (stopped): given back, so the next delivery reads them whoever it is. */
  unread: readonly string[];
  /** Tagged erwatch:ignore: nothing to record and nothing left to read. */
  ignored: readonly string[];
  /** Read but not recorded, and why: said on the claim, so the status page names it. */
  failed: readonly { id: string; message: string }[];
}

/**
 * Settles a batch's claims, a bounded number at once. `by` is when the
 * worker must be gone (its stop and a short wind-down): no call starts
 * after it, and the claims passed to it end theirs then too; what is left
 * runs out by itself.
 */
export async function settleClaims(
  claims: WorkClaims,
  sweepId: string,
  worker: string,
  todo: ClaimsToSettle,
  log: Logger,
  by?: AbortSignal,
): Promise<void> {
  const calls: { circuitId: string; call: () => Promise<void>; failure: string }[] = [];
  const release = claims.release?.bind(claims);
  if (release)
    for (const id of todo.unread)
      calls.push({
        circuitId: id,
        call: () => release(sweepId, id, worker),
        failure:
          "the claim on a circuit not read could not be given back (Table Storage); it runs out by itself",
      });
  for (const id of todo.ignored)
    calls.push({
      circuitId: id,
      call: () => claims.finish(sweepId, id, worker),
      failure: "the claim could not be marked done (Table Storage); it runs out by itself",
    });
  const failed = claims.failed?.bind(claims);
  if (failed)
    for (const { id, message } of todo.failed)
      calls.push({
        circuitId: id,
        call: () => failed(sweepId, id, worker, failureText(message)),
        failure:
          "the claim on a circuit not recorded could not say so (Table Storage); the status page counts it as unfinished",
      });
  const limit = pLimit(SETTLE_CONCURRENCY);
  let left = 0;
  await Promise.all(
    calls.map(({ circuitId, call, failure }) =>
      limit(async () => {
        if (by?.aborted) {
          left += 1;
          return;
        }
        try {
          await call();
        } catch (error) {
          if (!isStorageFailure(error)) throw error;
          log.warn({ err: error, circuitId }, failure);
        }
      }),
    ),
  );
  if (left > 0)
    log.warn(
      { left },
      "the worker's stop came before every claim of its batch was settled; the rest run out by themselves",
    );
}
