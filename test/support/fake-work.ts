// A work queue and claims table in memory, for handler tests of fan-out: the
// queue keeps what was sent (or refuses, or holds the send), the claims are
// what workers would leave, set by the test playing them.

import type { ClaimOutcome, WorkMessage } from "../../src/app/work.js";
import type { WorkClaimRow } from "../../src/app/work-progress.js";
import type { SweepFunctionDeps } from "../../src/functions/deps.js";

type Work = NonNullable<SweepFunctionDeps["runtime"]["work"]>;

export class FakeWork {
  readonly name = "erwatch-sweep-work";
  /** Every send the broker took, in order. */
  readonly sends: WorkMessage[][] = [];
  /** When set, a send fails with it (the broker refused or did not answer). */
  failing: Error | null = null;
  /** When set, a send waits for it (or for its abort) first. */
  holding: Promise<void> | null = null;
  private readonly rows = new Map<string, Map<string, WorkClaimRow & { worker: string }>>();

  readonly queue: Work["queue"] = {
    send: async (messages, options) => {
      if (this.holding)
        await Promise.race([
          this.holding,
          new Promise<void>((_, reject) =>
            options?.abortSignal?.addEventListener("abort", () =>
              reject(new Error("sending work messages failed: stopped with the sweep")),
            ),
          ),
        ]);
      if (this.failing) throw this.failing;
      this.sends.push(messages);
    },
    close: async () => undefined,
  };

  readonly claims = {
    ensureTable: async () => undefined,
    claim: async (sweepId: string, circuitId: string, worker: string): Promise<ClaimOutcome> => {
      const held = this.of(sweepId).get(circuitId.toLowerCase());
      if (held?.state === "done") return "done";
      if (held && held.worker !== worker) return "taken";
      this.of(sweepId).set(circuitId.toLowerCase(), { circuitId, worker, state: "reading" });
      return "mine";
    },
    finish: async (sweepId: string, circuitId: string, worker: string) => {
      this.of(sweepId).set(circuitId.toLowerCase(), { circuitId, worker, state: "done" });
    },
    failed: async (sweepId: string, circuitId: string, worker: string, why: string) => {
      this.of(sweepId).set(circuitId.toLowerCase(), {
        circuitId,
        worker,
        state: "reading",
        failed: why,
      });
    },
    release: async (sweepId: string, circuitId: string) => {
      this.of(sweepId).delete(circuitId.toLowerCase());
    },
    progress: async (sweepId: string) => [...this.of(sweepId).values()],
    prune: async () => 0,
  } as unknown as Work["claims"];

  private of(sweepId: string) {
    return this.rows.get(sweepId) ?? this.rows.set(sweepId, new Map()).get(sweepId)!;
  }

  /** The circuits the sends handed out for `sweepId`. */
  handedOut(sweepId: string): string[] {
    return this.sends
      .flat()
      .filter((m) => m.sweepId === sweepId)
      .flatMap((m) => m.items.map((i) => i.target.id));
  }

  /** What a worker leaves: the circuit taken, recorded, or read but not recorded. */
  async worker(
    sweepId: string,
    circuitId: string,
    outcome: "reading" | "recorded" | { failed: string },
  ): Promise<void> {
    const worker = `${sweepId}/w`;
    await this.claims.claim(sweepId, circuitId, worker, new Date(8.64e15));
    if (outcome === "recorded") await this.claims.finish(sweepId, circuitId, worker);
    else if (outcome !== "reading")
      await this.claims.failed!(sweepId, circuitId, worker, outcome.failed);
  }

  /** `deps` with this as its fan-out (SWEEP_WORK_QUEUE). */
  on<D extends SweepFunctionDeps>(deps: D): D {
    deps.runtime = { ...deps.runtime, work: this as unknown as Work };
    return deps;
  }
}
