// The rows of the three long-running reads. A row is judged as a whole (an ARP
// table with one unreadable row cannot say whether both sides resolve), so
// these parse strictly: the first value that cannot be understood fails the
// read as malformed, naming the field, and that path's layer is UNKNOWN.

import { z } from "zod";
import { parseStatePfxRcd } from "../../../core/bgp-state.js";
import type { ArpRow, BgpNeighborRow, RouteRow } from "../../../core/model.js";
import {
  describe,
  filledText,
  number,
  numericText,
  parseStrict,
  requiredText,
  text,
} from "./fields.js";

/** BGP implementations count received prefixes in 32 bits; anything larger is not a count. */
export const MAX_PREFIX_COUNT = 4_294_967_295;

type Ctx = z.core.$RefinementCtx;

function bad(ctx: Ctx, value: unknown, problem: string): never {
  ctx.addIssue({ code: "custom", message: problem, input: value });
  return z.NEVER as never;
}

/**
 * One column, two meanings: a received-prefix count when Established, else
 * the BGP state name ("Idle", "Active (Admin)", …). Anything else ("Established",
 * "1e3", "") is neither, and must not be read as either.
 */
const statePfxRcd = z
  .unknown()
  .optional()
  .transform((v, ctx): string => {
    if (v === undefined || v === null) return bad(ctx, v, "is missing");
    const text = typeof v === "number" ? String(v) : v;
    if (typeof text !== "string") return bad(ctx, v, `is ${describe(v)}`);
    const session = parseStatePfxRcd(text);
    if (session.kind === "established" && session.prefixes <= MAX_PREFIX_COUNT)
      return String(session.prefixes);
    if (session.kind === "down")
      return session.qualifier ? `${session.state} (${session.qualifier})` : session.state;
    // A state-like word erwatch does not know ("NoNeg": an address family not
    // negotiated) is kept for an IPv6 row (routesSummary below): beside IPv4
    // Established it must not make the whole summary, IPv4 included, unread.
    if (session.kind === "unrecognised" && STATE_WORD.test(session.raw)) return session.raw;
    return bad(ctx, v, `is ${describe(v)}: neither a prefix count nor a BGP state`);
  });

/** A word, perhaps with a qualifier in brackets, that is not "Established" (a state without its count). */
const STATE_WORD = /^(?!established\b)[A-Za-z][A-Za-z-]{0,31}(\s*\([^)]{0,32}\))?$/i;

/** 4 or 6, as a number or as text. */
const ipVersion = z
  .unknown()
  .optional()
  .transform((v, ctx): 4 | 6 | null => {
    if (v === undefined || v === null) return null;
    const n = typeof v === "string" && /^\s*[46]\s*$/.test(v) ? Number(v) : v;
    return n === 4 || n === 6 ? n : bad(ctx, v, `is ${describe(v)}, not 4 or 6`);
  });

const arpTable = z.object({
  value: z.array(
    z.object({
      age: number({ min: 0 }),
      interface: requiredText(),
      ipAddress: filledText(),
      macAddress: filledText(),
    }),
  ),
});

const routesSummary = z.object({
  value: z.array(
    z
      .object({
        neighbor: text(),
        v: ipVersion,
        as: number({ integer: true, min: 0 }),
        upDown: numericText(),
        statePfxRcd,
      })
      .superRefine((row, ctx) => {
        // Only IPv6 is judged apart when its state is not understood; an IPv4
        // (or unversioned) row's state decides the path, so it stays malformed.
        if (row.v !== 6 && parseStatePfxRcd(row.statePfxRcd).kind === "unrecognised")
          ctx.addIssue({
            code: "custom",
            path: ["statePfxRcd"],
            message: `is ${describe(row.statePfxRcd)}: neither a prefix count nor a BGP state`,
            input: row.statePfxRcd,
          });
      }),
  ),
});

const routesTable = z.object({
  value: z.array(
    z.object({
      network: text(),
      nextHop: text(),
      locPrf: numericText(),
      weight: number(),
      path: numericText(),
    }),
  ),
});

export function toArpRows(body: unknown): ArpRow[] {
  return parseStrict(arpTable, body).value.map((r) => ({
    age: r.age,
    interface: r.interface,
    ipAddress: r.ipAddress,
    macAddress: r.macAddress,
  }));
}

export function toNeighborRows(body: unknown): BgpNeighborRow[] {
  return parseStrict(routesSummary, body).value.map((r) => ({
    neighbor: r.neighbor ?? "",
    v: r.v,
    as: r.as,
    upDown: r.upDown ?? "",
    statePfxRcd: r.statePfxRcd,
  }));
}

export function toRouteRows(body: unknown): RouteRow[] {
  return parseStrict(routesTable, body).value.map((r) => ({
    network: r.network ?? "",
    nextHop: r.nextHop ?? "",
    locPrf: r.locPrf ?? "",
    weight: r.weight,
    path: r.path ?? "",
  }));
}
