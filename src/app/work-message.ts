// A work message as it arrives on the fan-out queue, checked before anything
// acts on it: a message from an older or newer erwatch (a deployment in
// progress) or a hand-sent one is named with what is wrong, never half-read.

import { z } from "zod";
import { PLAN_REASONS } from "../core/sweep-plan.js";
import type { ListedCircuit } from "./ports.js";
import { WORK_VERSION, type WorkMessage } from "./work.js";

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "not a date-time");

const target = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    subscriptionId: z.string().min(1),
    resourceGroup: z.string().min(1),
    // Text whatever the listing carried: one odd tag must not drop a batch.
    tags: z
      .record(
        z.string(),
        z
          .union([z.string(), z.number(), z.boolean(), z.null()])
          .transform((v) => (v === null ? "" : String(v))),
      )
      .optional(),
    location: z.string().optional(),
    // The listing's body, built by this same code on the timer: its shape is the reader's to judge.
    listed: z
      .record(z.string(), z.unknown())
      .transform((v) => v as unknown as ListedCircuit)
      .optional(),
  })
  .passthrough();

const itemSchema = z.object({ target, reason: z.enum(PLAN_REASONS) });

const workSchema = z.object({
  version: z.literal(WORK_VERSION),
  sweepId: z.string().min(1),
  subscriptionId: z.string().min(1),
  batch: z.number().int().min(1),
  batches: z.number().int().min(1),
  now: instant,
  // Absent from an older planner's message: judged as on demand, by time alone.
  tick: z.boolean().optional(),
  // Absent from an older planner's message: its repeats count the time since.
  tickDue: instant.optional(),
  // Absent from an older planner's message: its fleet alerts are left to the timer.
  named: z.boolean().optional(),
  deadline: instant,
  // Each item on its own (below): one this erwatch cannot read must not cost the batch.
  items: z.array(z.unknown()),
  peerServiceKeys: z.record(z.string(), z.string()).optional(),
  // Absent from an older planner's message: the worker reads every subscription's witness.
  arpWitness: z.array(z.string().min(1)).optional(),
});

/** An item of the batch that could not be read: where, the circuit when it names one, and why. */
export interface DroppedItem {
  index: number;
  circuitId: string | null;
  problem: string;
}

export type ParsedWork =
  { ok: true; work: WorkMessage; dropped: DroppedItem[] } | { ok: false; problem: string };

const problemOf = (issues: z.core.$ZodIssue[], at: string) =>
  issues
    .slice(0, 5)
    .map((i) => `${[at, ...i.path.map(String)].filter(Boolean).join(".") || "body"}: ${i.message}`)
    .join("; ");

export function parseWorkMessage(body: unknown): ParsedWork {
  let value = body;
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(body.toString());
    } catch {
      return { ok: false, problem: "the body is not JSON" };
    }
  }
  const parsed = workSchema.safeParse(value);
  if (!parsed.success) return { ok: false, problem: problemOf(parsed.error.issues, "") };
  const items: WorkMessage["items"] = [];
  const dropped: DroppedItem[] = [];
  parsed.data.items.forEach((raw, index) => {
    const item = itemSchema.safeParse(raw);
    if (item.success) {
      items.push(item.data as WorkMessage["items"][number]);
      return;
    }
    const id = (raw as { target?: { id?: unknown } } | null)?.target?.id;
    dropped.push({
      index,
      circuitId: typeof id === "string" && id !== "" ? id : null,
      problem: problemOf(item.error.issues, `items.${index}`),
    });
  });
  return { ok: true, work: { ...parsed.data, items } as WorkMessage, dropped };
}
