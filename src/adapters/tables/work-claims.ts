// Who reads which circuit of a fanned-out sweep: one row per (sweep, circuit)
// in <prefix>Work, written with ETags. A worker inserts the row to claim the
// circuit; a row another worker holds with a live lease is theirs; a row
// whose lease ran out (the worker died), or that an earlier delivery of the
// same work message holds (Service Bus delivers again only once that one's
// lock is gone), is taken over with a conditional update; a finished row is
// never read again. Partition = sweep, so a whole
// sweep's claims are pruned together.

import { storedInstant } from "../../core/instant.js";
import { odata, type TableClient } from "@azure/data-tables";
import type { ClaimOutcome, WorkClaims } from "../../app/work.js";
import type { WorkClaimRow } from "../../app/work-progress.js";
import { supersedes } from "../../core/claim-holder.js";
import { ensureTable } from "./create-table.js";
import { utcMinute } from "../../core/utc-time.js";
import { isAbort } from "../aborted.js";
import { rethrowStorage, StateStoreError, type StorageWait } from "./errors.js";
import { circuitPartition } from "./keys.js";
import { pruneClaims, type PruneCursor } from "./work-claims-prune.js";
import { deadlineOn, realTimers, type Timers } from "../../time.js";

interface ClaimRow {
  partitionKey: string;
  rowKey: string;
  circuitId: string;
  worker: string;
  until: string;
  state: "reading" | "done";
  /** Read but not recorded: why (for the status page). */
  failed?: string;
  etag?: string;
}

const status = (error: unknown) => (error as { statusCode?: number }).statusCode;

export class TableWorkClaims implements WorkClaims {
  constructor(
    private readonly table: TableClient,
    /** STORAGE_TIMEOUT_MS: a claims table that hangs must not hold a worker's batch. */
    private readonly timeoutMs: number,
    private readonly now: () => Date = () => new Date(),
    /** Ends every call at once too (Ctrl-C on the CLI). */
    private readonly signal?: AbortSignal,
    /**
     * The clock a prune's budget and cut-off run on: the sweep's, which the
     * timer counts the budget from. Real time unless a test moves it.
     */
    private readonly time: Timers = realTimers,
  ) {}

  /** Where the last prune stopped, on this instance (work-claims-prune.ts). */
  private readonly pruning: PruneCursor = {};

  /** The same claims, every call also ended by `signal`. */
  withSignal(signal: AbortSignal): TableWorkClaims {
    return new TableWorkClaims(this.table, this.timeoutMs, this.now, signal, this.time);
  }

  private call(): { abortSignal: AbortSignal } {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    return { abortSignal: this.signal ? AbortSignal.any([deadline, this.signal]) : deadline };
  }

  private wait(): StorageWait {
    return { timeoutMs: this.timeoutMs, stops: [this.signal] };
  }

  private fail(error: unknown, doing: string): never {
    return rethrowStorage(error, doing, this.wait());
  }

  async ensureTable(): Promise<void> {
    await ensureTable(this.table, () => this.call(), this.wait());
  }

  async claim(
    sweepId: string,
    circuitId: string,
    worker: string,
    until: Date,
  ): Promise<ClaimOutcome> {
    const row: ClaimRow = {
      partitionKey: sweepId,
      rowKey: circuitPartition(circuitId),
      circuitId,
      worker,
      until: until.toISOString(),
      state: "reading",
    };
    try {
      await this.table.createEntity(row, this.call());
      return "mine";
    } catch (error) {
      if (status(error) !== 409) this.fail(error, `claiming ${circuitId}`);
    }
    let held: ClaimRow;
    try {
      held = (await this.table.getEntity<ClaimRow>(
        row.partitionKey,
        row.rowKey,
        this.call(),
      )) as ClaimRow;
    } catch (error) {
      return this.fail(error, `reading the claim on ${circuitId}`);
    }
    if (held.state === "done") return "done";
    if (
      held.worker !== worker &&
      // A claim dated with text that is not an instant holds nothing (core/instant.ts).
      (storedInstant(held.until) ?? Number.NEGATIVE_INFINITY) > this.now().getTime() &&
      !supersedes(worker, held.worker)
    )
      return "taken";
    try {
      // Its worker is gone (or it is this worker's own, delivered again): take it over, if nobody else did first.
      await this.table.updateEntity(row, "Replace", { etag: held.etag!, ...this.call() });
      return "mine";
    } catch (error) {
      if (status(error) !== 412) return this.fail(error, `taking over the claim on ${circuitId}`);
    }
    // The takeover written, its answer lost, its retry meeting the new ETag: read
    // as another's, the circuit went unread until this worker's own lease ran out.
    const now = await this.ownUnread(sweepId, circuitId, worker);
    return now?.until === row.until ? "mine" : "taken";
  }

  async finish(sweepId: string, circuitId: string, worker: string): Promise<void> {
    try {
      await this.table.updateEntity(
        { partitionKey: sweepId, rowKey: circuitPartition(circuitId), worker, state: "done" },
        "Merge",
        this.call(),
      );
    } catch (error) {
      this.fail(error, `finishing the claim on ${circuitId}`);
    }
  }

  /**
   * `worker`'s own claim on the circuit while it is still being read, or null:
   * a claim another worker took over, or recorded, is not its to change.
   */
  private async ownUnread(
    sweepId: string,
    circuitId: string,
    worker: string,
  ): Promise<ClaimRow | null> {
    let held: ClaimRow;
    try {
      held = (await this.table.getEntity<ClaimRow>(
        sweepId,
        circuitPartition(circuitId),
        this.call(),
      )) as ClaimRow;
    } catch (error) {
      if (status(error) === 404) return null;
      return this.fail(error, `reading the claim on ${circuitId}`);
    }
    return held.worker === worker && held.state === "reading" ? held : null;
  }

  /** Changed only as `held` was read: one taken over or recorded since is left as it is. */
  private async ifStill(held: ClaimRow, doing: string, change: (etag: string) => Promise<unknown>) {
    try {
      await change(held.etag!);
    } catch (error) {
      if (status(error) === 404 || status(error) === 412) return;
      this.fail(error, doing);
    }
  }

  async failed(sweepId: string, circuitId: string, worker: string, why: string): Promise<void> {
    const held = await this.ownUnread(sweepId, circuitId, worker);
    if (!held) return;
    // Left "reading": its lease runs out as before, and a later delivery that
    // takes it over (Replace) or records it (state done) says otherwise.
    await this.ifStill(held, `marking the claim on ${circuitId} as not recorded`, (etag) =>
      this.table.updateEntity(
        { partitionKey: sweepId, rowKey: circuitPartition(circuitId), failed: why },
        "Merge",
        { etag, ...this.call() },
      ),
    );
  }

  async release(sweepId: string, circuitId: string, worker: string): Promise<void> {
    const held = await this.ownUnread(sweepId, circuitId, worker);
    if (!held) return;
    await this.ifStill(held, `giving back the claim on ${circuitId}`, (etag) =>
      this.table.deleteEntity(sweepId, circuitPartition(circuitId), { etag, ...this.call() }),
    );
  }

  /** Every claim of a sweep: its progress, circuit by circuit (the status page's workers line). */
  async progress(sweepId: string): Promise<(WorkClaimRow & { worker: string })[]> {
    const out: (WorkClaimRow & { worker: string })[] = [];
    try {
      for await (const row of this.table.listEntities<ClaimRow>({
        ...this.call(),
        queryOptions: { filter: odata`PartitionKey eq ${sweepId}` },
      }))
        // A row edited by hand, or of another version, counts as what it shows, never crashes the page.
        if (typeof row.circuitId === "string")
          out.push({
            circuitId: row.circuitId,
            worker: String(row.worker),
            state: row.state === "done" ? "done" : "reading",
            ...(typeof row.failed === "string" && row.failed !== "" ? { failed: row.failed } : {}),
            ...(typeof row.timestamp === "string" ? { at: row.timestamp } : {}),
          });
    } catch (error) {
      this.fail(error, `listing the claims of sweep ${sweepId}`);
    }
    return out;
  }

  async prune(before: Date, budgetMs: number): Promise<number> {
    // The page in hand when the budget is spent gets one call's deadline more, no longer.
    const cutOff = deadlineOn(this.time, budgetMs + this.timeoutMs);
    const call = () => ({
      abortSignal: AbortSignal.any([this.call().abortSignal, cutOff.signal]),
    });
    const pruned = await pruneClaims(
      this.table,
      before,
      budgetMs,
      this.pruning,
      call,
      cutOff.signal,
      this.time,
    ).finally(cutOff.cancel);
    if (!("failed" in pruned)) return pruned.deleted;
    const doing = `pruning work claims written before ${utcMinute(before.toISOString())} (${pruned.deleted} deleted)`;
    // Ended by the prune's own cut-off, not a call's deadline nor a stop: it
    // read "no answer within <one call's> ms", which the hung page was not
    // given, and nowhere said the prune had a bound of its own.
    if (isAbort(pruned.failed) && cutOff.signal.aborted && !this.signal?.aborted)
      throw new StateStoreError(
        `${doing} failed: cut off after ${budgetMs + this.timeoutMs} ms (the ${budgetMs} ms this tick gives pruning, and one call's ${this.timeoutMs} ms for the page in hand)`,
        { cause: pruned.failed },
      );
    return this.fail(pruned.failed, doing);
  }
}
