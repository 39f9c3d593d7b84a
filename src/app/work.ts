// Fan-out beyond one instance. The timer plans the sweep as usual (the cheap
// tier and the plan need one listing per subscription) and sends the deep
// reads as Service Bus work messages: per subscription, in batches, with the
// subscription as the session id, so Service Bus hands each subscription to
// one worker at a time and its ARM budget holds however far Functions scales
// out. A Service Bus–triggered worker reads and records each batch exactly as
// the single-process sweep does. Before reading a circuit a worker claims it
// (sweep, circuit) with an ETag in Table Storage, so a message delivered
// twice (a lock lost, a worker killed mid-batch) never reads a circuit twice;
// alerts are committed with ETags and published with deterministic ids, so
// none is sent twice either.

import { tickOf } from "./tick.js";
import { arpWitnesses, pathPromise } from "../core/arp-witness.js";
import { suspected, type PlanReason } from "../core/sweep-plan.js";
import { healthLine, type Logger } from "../logging.js";
import { globalReachPeersOf, listedServiceKeys } from "./data-plane.js";
import type { CircuitTarget } from "./ports.js";
import type { Unreached } from "./scan.js";
import { placeOfTarget, type CircuitPlace } from "./sweep-plan.js";
import { placeKey } from "../core/place.js";
import { FLEET_MIN_CIRCUITS } from "../core/fleet.js";
import { admitted, finished, settleClaims } from "./work-claiming.js";

export { WORK_CLAIMS_KEEP_MS, WORK_CLAIMS_PRUNE_MS, WORK_STOP_GRACE_MS } from "./work-progress.js";
export { CLAIM_MS, workWindDownMs } from "./work-claiming.js";
import type { Sweeper } from "./sweep.js";
import { usageSince, type SweepRequest } from "./sweep.js";

export const WORK_VERSION = 1;

export interface WorkItem {
  target: CircuitTarget;
  reason: PlanReason;
}

export interface WorkMessage {
  version: typeof WORK_VERSION;
  sweepId: string;
  subscriptionId: string;
  /** 1-based batch number within the subscription, and how many there are. */
  batch: number;
  batches: number;
  /** The sweep's clock: every worker judges as of the same time. */
  now: string;
  /** The timer's sweep: its hysteresis counts ticks (SweepRequest.tick). */
  tick?: boolean;
  /** ... and when its tick was due (SweepRequest.tickDue). */
  tickDue?: string;
  /**
   * A sweep of named circuits (POST /api/sweep): no planning half follows it
   * to say a fleet outage is over, so each batch settles the fleet alerts
   * whose members it read (Sweeper.settleReadFleets). Absent: the timer's, or
   * the estate's, whose next planning half does.
   */
  named?: boolean;
  /** No read starts after this; what is left is named unreached. */
  deadline: string;
  items: WorkItem[];
  /**
   * Service keys of the items' Global Reach peers, from the sweep's listing
   * (lower-case circuit id → key): a peer not in this batch is still known by
   * its key, so its connection's series can be told apart.
   */
  peerServiceKeys?: Record<string, string>;
  /**
   * The subscriptions (lower-case ids) whose ARP witness this message's reads
   * take: each subscription's in one message of the sweep (core/arp-witness.ts).
   * Absent from an older planner's message: every subscription's, as each
   * message read it then.
   */
  arpWitness?: string[];
}

export interface WorkQueue {
  /** Sends every message (session id = subscription), or throws: nothing partial is assumed. */
  send(messages: WorkMessage[], options?: { abortSignal?: AbortSignal }): Promise<void>;
}

export type ClaimOutcome = "mine" | "taken" | "done";

export interface WorkClaims {
  /** Claims (sweep, circuit) for `worker` until `until`, unless another worker holds it or it is done. */
  claim(sweepId: string, circuitId: string, worker: string, until: Date): Promise<ClaimOutcome>;
  /** The circuit was read and recorded. */
  finish(sweepId: string, circuitId: string, worker: string): Promise<void>;
  /** `worker` read the circuit but could not record it: why, for the status page. */
  failed?(sweepId: string, circuitId: string, worker: string, why: string): Promise<void>;
  /** `worker` gave up the circuit unread: the next to ask may take it at once. */
  release?(sweepId: string, circuitId: string, worker: string): Promise<void>;
  /**
   * Forgets claims written before `before`, as many as `budgetMs` allows (the
   * next call goes on where this one stopped); how many it forgot.
   */
  prune?(before: Date, budgetMs: number): Promise<number>;
  /** The same claims, every call also ended by `signal`. */
  withSignal?(signal: AbortSignal): WorkClaims;
}

export interface FanOutResult {
  sweepId: string;
  messages: number;
  deep: number;
  quiet: number;
  subscriptions: number;
}

/**
 * Provider and location as the listing put them, else (a named circuit,
 * which has no listing) as `stored` says it was last read; lower-cased, null
 * when either is missing.
 */
function placeOf(
  target: CircuitTarget,
  stored: ReadonlyMap<string, CircuitPlace> | undefined,
): string | null {
  const place = placeOfTarget(target, stored);
  return place ? placeKey(place.provider, place.location) : null;
}

/**
 * Splits the planned deep reads into work messages: per subscription,
 * `batchSize` circuits each (fewer when their bodies would pass
 * MAX_WORK_BYTES), in plan order. Outages group only within a run (one
 * message), so the circuits this sweep reads at one provider and location
 * (the listing's, or for a named circuit where it was last read) travel
 * together, suspects and the rotation's quiet reads alike, whatever their
 * subscriptions, in the session of the first one's subscription: a carrier's
 * site with a circuit in each of two subscriptions is one page, not one per
 * subscription, even when only the rotation's reads find it (the metrics lag
 * or stay well). A site of at most `batchSize` reads goes in one message.
 * A larger one is cut into messages of `batchSize` (a message is what a
 * worker reads within its 4-minute cap: grouped whole, a site's message held
 * three times that), read in turn in its session, so the first opens the
 * fleet alert and the next ones join it ("Wider:"): its suspects and due
 * reads first, at its first read's place, and never fewer than two of its
 * reads in that first message (alone there, a suspect that found the site's
 * outage paged on its own, and the rotation's reads of the rest, in a later
 * message, paged them as a fleet); its other rotation reads after every
 * site's trouble and due reads in the session (at its first read's place,
 * a deadline cut other sites' trouble and due circuits sweep after sweep).
 * With SWEEP_WORK_BATCH=1 a site's messages still hold two. A site with
 * more reads than `SITE_MESSAGES` messages hold keeps only its suspects
 * together (with one of its quiet reads when it has a single suspect): read
 * in turn by one worker, the
 * rotation's reads of a large site would cost fan-out its parallelism, and
 * what points at a large site's outage is its metrics, which make suspects.
 * The other subscriptions' reads go on meanwhile in their own sessions;
 * every ARM call still meets its own subscription's limits and answers.
 */
/** Messages a site's reads may fill and still all travel together (see workMessages). */
export const SITE_MESSAGES = 3;

/**
 * A work message's items, in UTF-8 bytes: room under Service Bus Standard's
 * 256 KB for the envelope, the peers' service keys and the properties. Each
 * item carries its circuit's listed body (tags twice, advertised prefixes,
 * Global Reach): counted by circuits alone, 100 typical ones were 343 KB, and
 * the broker refused the send, and with it the whole sweep's fan-out.
 */
export const MAX_WORK_BYTES = 192_000;

/** Circuits a message carries: SWEEP_WORK_BATCH, but a site's never fewer than a fleet alert needs. */
const workCap = (batchSize: number): number => Math.max(batchSize, FLEET_MIN_CIRCUITS);

const itemBytes = (item: WorkItem) => Buffer.byteLength(JSON.stringify(item), "utf8");

/** `unit` cut into runs of at most `batchSize` items and `maxBytes` (an item larger alone goes alone). */
function chunks(unit: WorkItem[], sizes: Map<WorkItem, number>, batchSize: number): WorkItem[][] {
  const out: WorkItem[][] = [];
  let bytes = 0;
  for (const item of unit) {
    const size = sizes.get(item)!;
    const open = out.at(-1);
    if (open && open.length < batchSize && bytes + size <= MAX_WORK_BYTES) {
      open.push(item);
      bytes += size;
    } else {
      out.push([item]);
      bytes = size;
    }
  }
  return out;
}

/**
 * A site's reads (plan order) as the parts that travel: whole when one
 * message holds them; else its suspects and due reads first, with as many
 * of its rotation reads as make them two, then its other rotation reads.
 */
function siteParts(site: WorkItem[], cap: number): { lead: WorkItem[]; rest: WorkItem[] } {
  if (site.length <= cap) return { lead: site, rest: [] };
  const rotation = site.filter((i) => i.reason === "rotation");
  const lead = site.length - rotation.length;
  const pad = new Set(rotation.slice(0, Math.max(0, FLEET_MIN_CIRCUITS - lead)));
  return {
    lead: site.filter((i) => i.reason !== "rotation" || pad.has(i)),
    rest: rotation.filter((i) => !pad.has(i)),
  };
}

export function workMessages(
  sweepId: string,
  items: WorkItem[],
  options: {
    now: Date;
    tick?: boolean;
    tickDue?: Date;
    named?: boolean;
    deadline: Date;
    batchSize: number;
    /** Where targets without a listing were last read, by lower-case id (sweep-plan.ts storedPlaces). */
    places?: ReadonlyMap<string, CircuitPlace>;
  },
): WorkMessage[] {
  const cap = workCap(options.batchSize);
  const placeOfItem = (item: WorkItem) => placeOf(item.target, options.places);
  const atPlace = new Map<string, WorkItem[]>();
  for (const item of items) {
    const place = placeOfItem(item);
    if (place)
      atPlace
        .set(place, atPlace.get(place) ?? [])
        .get(place)!
        .push(item);
  }
  for (const [place, list] of atPlace)
    if (list.length > SITE_MESSAGES * cap) {
      // A single suspect keeps one quiet read beside it, so it never reads the site's outage alone.
      const suspects = list.filter((i) => suspected(i.reason));
      const beside = suspects.length === 1 ? list.find((i) => !suspected(i.reason)) : undefined;
      atPlace.set(
        place,
        list.filter((i) => suspected(i.reason) || i === beside),
      );
    }
  const parts = new Map([...atPlace].map(([place, site]) => [place, siteParts(site, cap)]));
  // Units in plan order: a site's lead at its first read's place, the rest alone.
  // A site over one message spans several anyway: its other rotation reads go
  // at the first of them, after every site's trouble and due reads. Both parts
  // stay in the site's session, read in turn by one worker.
  const units: { session: string; items: WorkItem[]; site: boolean }[] = [];
  const placed = new Set<string>();
  const sessionOf = (item: WorkItem) => item.target.subscriptionId.toLowerCase();
  for (const item of items) {
    const place = placeOfItem(item);
    const site = place ? atPlace.get(place)! : [];
    if (!site.includes(item) || site.length === 1) {
      units.push({ session: sessionOf(item), items: [item], site: false });
      continue;
    }
    const { lead, rest } = parts.get(place!)!;
    const part = lead.includes(item) ? "lead" : "rest";
    if (placed.has(`${place}|${part}`)) continue;
    placed.add(`${place}|${part}`);
    units.push({ session: sessionOf(site[0]!), items: part === "lead" ? lead : rest, site: true });
  }
  const sizes = new Map(items.map((item) => [item, itemBytes(item)]));
  const bytesOf = (batch: WorkItem[]) => batch.reduce((n, item) => n + sizes.get(item)!, 0);
  const bySession = new Map<string, WorkItem[][]>();
  for (const { session: key, items: unit, site } of units) {
    const batches = bySession.get(key) ?? bySession.set(key, []).get(key)!;
    const open = batches.at(-1);
    if (
      open &&
      open.length + unit.length <= options.batchSize &&
      bytesOf(open) + bytesOf(unit) <= MAX_WORK_BYTES
    ) {
      open.push(...unit);
      continue;
    }
    batches.push(...chunks(unit, sizes, site ? cap : options.batchSize));
  }
  const out: WorkMessage[] = [];
  for (const [subscriptionId, batches] of bySession)
    batches.forEach((batch, i) =>
      out.push({
        version: WORK_VERSION,
        sweepId,
        subscriptionId,
        batch: i + 1,
        batches: batches.length,
        now: options.now.toISOString(),
        ...(options.tick ? { tick: true } : {}),
        ...(options.tick && options.tickDue ? { tickDue: options.tickDue.toISOString() } : {}),
        ...(options.named ? { named: true } : {}),
        deadline: options.deadline.toISOString(),
        items: batch,
      }),
    );
  const witnesses = arpWitnesses(
    out.map((m) => ({
      session: m.subscriptionId,
      batch: m.batch,
      items: m.items.map((i) => ({
        subscriptionId: i.target.subscriptionId,
        paths: pathPromise(i.target),
      })),
    })),
  );
  return out.map((m, i) => ({ ...m, arpWitness: witnesses[i]! }));
}

/** Each message with the service keys of its items' Global Reach peers that `keys` knows. */
export function withPeerKeys(
  messages: WorkMessage[],
  keys: ReadonlyMap<string, string>,
): WorkMessage[] {
  return messages.map((m) => {
    const peers = m.items.flatMap((i) => globalReachPeersOf(i.target));
    const known = peers.flatMap((id) => {
      const sk = keys.get(id);
      return sk ? [[id, sk] as const] : [];
    });
    return known.length > 0 ? { ...m, peerServiceKeys: Object.fromEntries(known) } : m;
  });
}

/**
 * The planning half (the timer's, and POST /api/sweep's when it fans out):
 * plan, send the deep reads as work, then what the listing could not see.
 * `sent` is told once the broker took every message, before that last part:
 * from then on the work is the workers', whatever happens here after.
 */
export async function fanOut(
  sweeper: Sweeper,
  queue: WorkQueue,
  request: SweepRequest & { sweepId: string; deadline: Date },
  options: {
    batchSize: number;
    logger: Logger;
    /** `deadline`: the workers', on the sweep's clock, as the last sweep's record says it. */
    sent?: (handedOut: { deep: number; messages: number; deadline: Date }) => Promise<void>;
  },
): Promise<FanOutResult> {
  const log = options.logger.child({ sweepId: request.sweepId });
  // The workers keep to `deadline` by the wall clock (the sweeper's, as the
  // timer set it); the status page judges it against the sweep's instant
  // (`now`): the same span from it.
  const budgetMs = request.deadline.getTime() - sweeper.time.now();
  log.info({ fannedOut: true }, "sweep started");
  const planned = await sweeper.plan(request, log);
  // Named circuits carry no listing: where each was last read sends a site's
  // together, as the timer's are, so its outage is one fleet page, not one per circuit.
  const unlisted = planned.deep.map((d) => d.target).filter((t) => !t.listed);
  const places =
    unlisted.length > 0 ? await sweeper.storedPlaces(unlisted, request, log) : undefined;
  const messages = withPeerKeys(
    workMessages(
      request.sweepId,
      planned.deep.map((d) => ({ target: d.target, reason: d.plan.reason })),
      {
        now: request.now,
        ...tickOf(request),
        ...(request.scope ? {} : { named: true }),
        deadline: request.deadline,
        batchSize: options.batchSize,
        ...(places ? { places } : {}),
      },
    ),
    listedServiceKeys(planned.found.targets),
  );
  const workers = { deadline: new Date(request.now.getTime() + budgetMs) };
  await queue.send(messages, { abortSignal: request.abortSignal });
  await options.sent?.({ deep: planned.deep.length, messages: messages.length, ...workers });
  // What the listing could not see is the timer's to say; the workers read and record.
  await sweeper.fannedOut(request, planned, request.sweepId, log, workers);
  const subscriptions = new Set(messages.map((m) => m.subscriptionId)).size;
  // The timer's sweep is done: every circuit listed, its deep reads handed to
  // the workers. The same line a single-process sweep ends with, so infra's
  // dead-man's switch (a "sweep finished" trace in 15 minutes) and the
  // README's KQL hear a fanned-out erwatch too; the workers' own failures are
  // function failures.
  healthLine(log).info(
    {
      // Named circuits fanned out by POST /api/sweep must not keep the dead-man's switch quiet.
      scope: request.scope ? "estate" : "named",
      fannedOut: true,
      deep: planned.deep.length,
      quiet: planned.quiet.length,
      messages: messages.length,
      subscriptions,
    },
    "sweep finished",
  );
  return {
    sweepId: request.sweepId,
    messages: messages.length,
    deep: planned.deep.length,
    quiet: planned.quiet.length,
    subscriptions,
  };
}

export interface WorkDone {
  read: string[];
  /** Read but not recorded: their alerts were not decided. */
  failed: { id: string; name: string; message: string }[];
  skipped: string[];
  unreached: Unreached[];
  events: number;
  arm: { requests: number; throttled: number } | null;
}

/**
 * Who holds a batch's claims: the message and which delivery of it. Service
 * Bus delivers a message again only once the last delivery's lock is gone
 * (it died, was scaled in, or gave up), so a later delivery of the same
 * message takes over that one's claims; named by invocation, it found them
 * "taken" by its own dead predecessor, skipped them and completed the
 * message, and they went unread that sweep. Each delivery is named by its
 * invocation too, so two copies of the same work (sent twice, read at once)
 * still never read a circuit twice.
 */
export function workerOf(
  message: Pick<WorkMessage, "sweepId" | "subscriptionId" | "batch">,
  delivery: { count?: number; id: string },
): string {
  const n = Number.isSafeInteger(delivery.count) && delivery.count! > 0 ? delivery.count! : 1;
  return `${message.sweepId}/${message.subscriptionId.toLowerCase()}/${message.batch}@${n}/${delivery.id}`;
}

/** The worker's half: claim, read, record, publish, one batch. */
export async function processWork(
  sweeper: Sweeper,
  claims: WorkClaims,
  message: WorkMessage,
  options: {
    worker: string;
    logger: Logger;
    abortSignal: AbortSignal;
    /** When `abortSignal` fires (the worker's cap), by the wall clock. */
    stopAt?: Date;
    /** When the worker must be gone (a little after its stop): every claim call ends by then. */
    settleBy?: AbortSignal;
    reader?: Parameters<typeof usageSince>[0];
  },
): Promise<WorkDone> {
  // Claims are held until a time on the clock the worker's stop and its reads' deadlines are on.
  const clock = () => sweeper.time.now();
  const log = options.logger.child({
    sweepId: message.sweepId,
    subscriptionId: message.subscriptionId,
    batch: `${message.batch}/${message.batches}`,
    worker: options.worker,
  });
  const before = options.reader?.usage?.() ?? null;
  const { settleBy } = options;
  // Calls made before it are already bounded each by STORAGE_TIMEOUT_MS; it
  // bounds those a stopped worker still makes after its reads.
  const bounded = settleBy && claims.withSignal ? claims.withSignal(settleBy) : claims;
  // Lower-case ids: a reading held back at the stop names its circuit as ARM spelt it.
  const claimed = new Set<string>();
  const done = await sweeper.deepRead(
    message.items.map((i) => i.target),
    {
      sweepId: message.sweepId,
      now: new Date(message.now),
      ...tickOf({
        ...(message.tick ? { tick: true } : {}),
        ...(message.tickDue ? { tickDue: new Date(message.tickDue) } : {}),
      }),
      deadline: new Date(message.deadline),
      abortSignal: options.abortSignal,
      ...(options.stopAt ? { stopAt: options.stopAt } : {}),
      log,
      admit: (target) =>
        admitted(bounded, message.sweepId, target, options.worker, clock, log, claimed),
      recorded: (circuitId) => finished(bounded, message.sweepId, circuitId, options.worker, log),
      // Outages of this batch group as in the single-process sweep; a fleet
      // alert another batch already sent this sweep takes them in.
      group: true,
      partial: true,
      ...(message.peerServiceKeys
        ? { serviceKeys: new Map(Object.entries(message.peerServiceKeys)) }
        : {}),
      suspects: new Set(
        message.items.filter((i) => suspected(i.reason)).map((i) => i.target.id.toLowerCase()),
      ),
      ...(message.arpWitness
        ? { arpWitnesses: new Set(message.arpWitness.map((s) => s.toLowerCase())) }
        : {}),
    },
  );
  // Only what this delivery holds is given back: a circuit the deadline or
  // the stop cut before its claim was never claimed, and asking the claims
  // table about each cost a late batch one storage timeout per circuit.
  // Tagged erwatch:ignore since the listing (or named by a person): marked
  // done, or the sweep's status URL waited for it until the deadline.
  await settleClaims(
    bounded,
    message.sweepId,
    options.worker,
    {
      unread: done.unreached.filter((u) => claimed.has(u.id.toLowerCase())).map((u) => u.id),
      ignored: done.ignored.map((i) => i.id),
      failed: done.errors,
    },
    log,
    settleBy,
  );
  const settled =
    message.named && !options.abortSignal.aborted
      ? await sweeper.settleReadFleets(done.verdicts, {
          sweepId: message.sweepId,
          now: new Date(message.now),
          abortSignal: options.abortSignal,
          log,
        })
      : [];
  const result: WorkDone = {
    read: done.verdicts.map((v) => v.id),
    failed: done.errors,
    skipped: done.skipped.map((s) => s.id),
    unreached: done.unreached,
    events: done.events.length + settled.length,
    arm: options.reader ? usageSince(options.reader, before) : null,
  };
  healthLine(log).info(
    {
      read: result.read.length,
      failed: result.failed.length,
      skipped: result.skipped.length,
      unreached: result.unreached.length,
      events: result.events,
      // Which ones: another worker holds them (or recorded them already).
      ...(result.skipped.length > 0 ? { skippedIds: result.skipped } : {}),
    },
    "work done",
  );
  return result;
}
