// Findings for one enabled peering from its two path analyses. The rule that
// matters most at 2 a.m.: one path down is redundancy lost (Sev2, "redundancy
// holding" — only when the other path was read and carries routes; one that
// could not be read is "redundancy unverified", Sev1), both paths down is
// traffic stopped (Sev0) — same layer or not.

import { thousands } from "./text.js";
import type {
  CircuitFacts,
  CircuitRef,
  ConnectivityModel,
  Finding,
  FindingCode,
  Owner,
  PathName,
  PeeringFacts,
  Severity,
} from "./model.js";
import { otherPath, PATHS } from "./model.js";
import { layer2NextAction } from "./layer2-action.js";
import {
  bgpHintFor,
  familyOf,
  ipv6Carries,
  ipv6Unvalidated,
  sessionCarries,
  type PathAnalysis,
} from "./path-analysis.js";
import { parseStatePfxRcd } from "./bgp-state.js";
import { limitAssumption } from "./route-limits.js";
import { DIAGNOSE_CIRCUIT, sameName } from "./names.js";
import { buildCarrierTicket } from "./ticket.js";

export interface PeeringContext {
  ref: CircuitRef;
  circuit: CircuitFacts;
  peering: PeeringFacts;
  model: ConnectivityModel;
  analyses: Record<PathName, PathAnalysis>;
  readAt: string;
}

type DownCode = Extract<FindingCode, "arp-missing" | "bgp-down" | "no-prefixes-received">;

function downCodeOf(a: PathAnalysis): DownCode | null {
  if (a.lowest === "provider") return "arp-missing";
  if (a.lowest === "bgp") return "bgp-down";
  if (a.lowest === "routes" && a.cells.routes.status === "down") return "no-prefixes-received";
  return null;
}

/** What the surviving path looks like, in the words an on-call engineer wants. */
function survivorSummary(a: PathAnalysis): string {
  const prefixes = a.prefixes === null ? "" : `, ${thousands(a.prefixes)} prefixes`;
  const session =
    a.cells.bgp.status === "up"
      ? "Established"
      : a.ipv6Down || a.ipv6Unknown
        ? "IPv4 Established"
        : a.cells.bgp.detail;
  // Holding is IPv4's claim: IPv6 there is named as unknown, not as carrying.
  const ipv6 = a.ipv6Unknown ? `; ${a.ipv6Unknown}` : "";
  return `${a.path} ${session}${prefixes}${ipv6}`;
}

/**
 * Redundancy holds only when the other path was read and carries routes: its
 * session Established with prefixes received. Anything less (a read that
 * failed, a state not understood) is not known to hold.
 */
export function survivorHolds(a: PathAnalysis): boolean {
  return (
    sessionCarries(a.cells.bgp) &&
    (a.cells.routes.status === "up" || a.cells.routes.status === "warn")
  );
}

/** Why the other path is not known to carry traffic, from its lowest unknown row. */
function unverifiedDetail(a: PathAnalysis): string {
  const unknown = (["bgp", "routes", "provider"] as const).find(
    (l) => a.cells[l].status === "unknown",
  );
  return unknown ? a.cells[unknown].detail : a.cells.bgp.detail;
}

/** The ARP problems that put your side in question: the on-prem entry missing or Incomplete. */
const onPremSide = (a: PathAnalysis) =>
  a.arpVerdict !== null &&
  !a.arpVerdict.healthy &&
  (a.arpVerdict.problem === "incomplete" || a.arpVerdict.problem === "microsoft-only");

function layerEvidence(ctx: PeeringContext): Record<string, unknown> {
  const table: Record<string, unknown> = {};
  for (const path of ["primary", "secondary"] as const) {
    const a = ctx.analyses[path];
    table[path] = {
      provider: a.cells.provider,
      bgp: a.cells.bgp,
      peering: a.cells.peering,
      routes: a.cells.routes,
      prefixes: a.prefixes,
      ...(a.unknownBelow.length > 0 ? { unknownBelow: a.unknownBelow } : {}),
    };
  }
  return table;
}

/** ExpressRoute Direct: no connectivity provider between your router and Microsoft's port. */
export const isDirect = (circuit: CircuitFacts): boolean => !!circuit.expressRoutePortId?.trim();

function ownerOf(
  code: DownCode,
  model: ConnectivityModel,
  affected: PathAnalysis[],
  direct: boolean,
): Owner {
  // On Direct layer 2 is your port and cross-connect first; Microsoft's support, not a carrier, after.
  if (code === "arp-missing" && direct) return "you";
  // The on-prem row missing or Incomplete: your VLAN tag or /30, or the
  // carrier. On a provider-managed circuit the carrier configured both and
  // runs the router that should answer there: theirs alone.
  if (code === "arp-missing")
    return model !== "provider-managed" && affected.every(onPremSide) ? "shared" : "carrier";
  // A session Microsoft's router shut itself says why, whoever runs BGP: over
  // your prefix limit, or shut in Azure's configuration. A carrier ticket fixes neither.
  if (code === "bgp-down" && affected.every((a) => shutBy(a) !== null)) return "you";
  if (code === "bgp-down") return model === "provider-managed" ? "carrier" : "you";
  return "you";
}

/** "PfxCt" or "Admin" when Microsoft's router shut the path's session for that reason. */
function shutBy(a: PathAnalysis): "PfxCt" | "Admin" | null {
  const state = bgpHintFor(a)?.state ?? "";
  return /\(pfxct\)/i.test(state) ? "PfxCt" : /\(admin\)/i.test(state) ? "Admin" : null;
}

function caveat(paths: PathAnalysis[], named: readonly string[] = []): string {
  const unknown = [...new Set(paths.flatMap((a) => a.unknownBelow))].filter(
    (l) => !named.includes(l),
  );
  return unknown.length > 0
    ? ` Layer(s) below could not be read (${unknown.join(", ")}): confirm them before acting.`
    : "";
}

function downFinding(
  ctx: PeeringContext,
  code: DownCode,
  paths: PathName[],
  bothDown: boolean,
): Finding {
  const { peering, circuit, model } = ctx;
  const affected = paths.map((p) => ctx.analyses[p]);
  const direct = isDirect(circuit);
  const owner = ownerOf(code, model, affected, direct);
  const first = affected[0] as PathAnalysis;
  const where = `${paths.join(" and ")} path${paths.length > 1 ? "s" : ""} of ${peering.name}`;
  const partner = bothDown ? null : ctx.analyses[otherPath(first.path)];
  // "Holding" is a claim about the other path: only a path read and carrying routes makes it.
  const survivor = partner && survivorHolds(partner) ? partner : null;
  const unverified = partner && !survivor ? partner : null;
  const severity: Severity = bothDown ? "Sev0" : unverified ? "Sev1" : "Sev2";
  // IPv4's session down (or empty) on both paths while IPv6 carries beside it:
  // IPv4's traffic stopped, not all of it (still Sev0: most of it rides IPv4).
  const v6 =
    code === "no-prefixes-received" &&
    affected.every((a) => a.cells.routes.detail.includes("IPv6"));
  const ipv6Still =
    bothDown && code !== "arp-missing" && !v6
      ? PATHS.filter((p) => {
          const rows = ctx.analyses[p].neighborRows;
          return rows !== null && ipv6Carries(rows);
        })
      : [];
  const stopped =
    ipv6Still.length > 0
      ? `IPv4 traffic stopped; IPv6 still carries on the ${ipv6Still.join(" and ")} path${ipv6Still.length > 1 ? "s" : ""}`
      : "traffic stopped";
  const redundancy = survivor
    ? ` — redundancy holding (${survivorSummary(survivor)})`
    : unverified
      ? ` — redundancy unverified: the ${unverified.path} path could not be confirmed (${unverifiedDetail(unverified)})`
      : bothDown && paths.length === 1
        ? ` — the ${otherPath(first.path)} path is down too: ${stopped}`
        : ` — ${stopped}`;
  const evidence: Record<string, unknown> = { layers: layerEvidence(ctx) };
  if (ipv6Still.length > 0) evidence.ipv6CarriesOn = ipv6Still;
  let title: string;
  let nextAction: string;
  let validationUnread = false;
  const provider = circuit.serviceProviderName ?? "the connectivity provider";

  if (code === "arp-missing") {
    title = `Layer 2 down on the ${where}: ${first.cells.provider.detail}${redundancy}`;
    evidence.arp = Object.fromEntries(affected.map((a) => [a.path, a.arpRows]));
    nextAction = layer2NextAction({
      circuit,
      peering,
      owner,
      direct,
      providerManaged: model === "provider-managed",
      paths,
      halfFormed: affected.some(
        (a) => a.arpVerdict && !a.arpVerdict.healthy && a.arpVerdict.problem !== "empty",
      ),
    });
    if (unverified)
      nextAction += ` Confirm the ${unverified.path} path before treating this as redundancy lost only.`;
  } else if (code === "bgp-down") {
    const hint = bgpHintFor(first);
    // A route summary that lists no neighbor has no state to name ("BGP none" read as one Azure reported).
    title =
      hint?.state === "none"
        ? `No BGP neighbor reported on the ${where}${redundancy}`
        : `BGP ${hint?.state ?? "down"} on the ${where}${redundancy}`;
    evidence.bgpState = hint?.state ?? null;
    evidence.hint = hint?.hint ?? null;
    evidence.neighbors = Object.fromEntries(affected.map((a) => [a.path, a.neighborRows]));
    const shut = owner === "you" ? shutBy(first) : null;
    nextAction =
      model === "provider-managed" && shut === "PfxCt"
        ? `${hint?.hint ?? ""}. On this provider-managed circuit ${provider}'s routers advertise your routes to Microsoft: if you cannot summarise them on your side, ask ${provider} to aggregate them; a connectivity ticket will not bring the session back.`
        : model === "provider-managed" && shut === null
          ? `Open a ticket with ${provider}: on this circuit they run the BGP session (provider-managed model). ${hint?.hint ?? ""}`.trim()
          : `${hint?.hint ?? "Check the BGP configuration on your edge."}${survivor ? `; compare with the ${survivor.path} path, which works.` : "."}`;
    if (unverified)
      nextAction += ` Confirm the ${unverified.path} path: erwatch could not see it carry traffic.`;
  } else {
    title = `${v6 ? "IPv6 session" : "Session"} up but 0 prefixes received on the ${where}${redundancy}`;
    evidence.family = v6 ? "ipv6" : "ipv4";
    evidence.prefixes = Object.fromEntries(affected.map((a) => [a.path, a.prefixes]));
    evidence.prefixLimit = first.prefixLimit;
    // Not the route limit: a count over it shuts the session (Idle (PfxCt),
    // bgp-down says so), it does not leave it Established with 0 prefixes.
    const edge = `check what your edge announces to AS 12076 (route policy, summarisation). Read the received routes with \`${DIAGNOSE_CIRCUIT} --routes\`. Not a carrier ticket.`;
    // Microsoft accepts none of a peering's public prefixes until they are
    // validated: with that state not reported, it is the first thing to read,
    // before anyone changes an edge that may be right.
    validationUnread =
      !v6 &&
      peering.peeringType.toLowerCase() === "microsoftpeering" &&
      peering.advertisedPublicPrefixesState === null;
    nextAction = validationUnread
      ? `Microsoft's public prefix validation state was not reported: ValidationNeeded or Configuring would explain 0 prefixes received (Microsoft accepts none until they are validated), so read it first (\`az network express-route peering show\`, advertisedPublicPrefixesState). If it is Configured, this is route advertisement: ${edge}`
      : `Route advertisement, not connectivity: ${edge}`;
    if (unverified)
      nextAction += ` Confirm the ${unverified.path} path: erwatch could not see it carry traffic.`;
  }

  const finding: Finding = {
    code,
    layer: first.lowest === "provider" ? "provider" : first.lowest === "bgp" ? "bgp" : "routes",
    owner,
    severity,
    peering: peering.name,
    paths,
    title,
    evidence,
    nextAction: nextAction + caveat(affected, validationUnread ? ["peering"] : []),
  };
  // Shared layer 2 still gets the ticket: it is the next step once your side checks out.
  if (owner !== "you") {
    finding.ticket = buildCarrierTicket({
      ref: ctx.ref,
      circuit,
      peering,
      affected: paths,
      problem: title,
      analyses: [ctx.analyses.primary, ctx.analyses.secondary],
      readAt: ctx.readAt,
    });
  }
  return finding;
}

function validationFinding(
  ctx: PeeringContext,
  paths: PathName[],
  family: "ipv4" | "ipv6" = "ipv4",
): Finding {
  const { peering } = ctx;
  const v6 = family === "ipv6";
  const state =
    (v6 ? peering.ipv6?.advertisedPublicPrefixesState : peering.advertisedPublicPrefixesState) ??
    "unknown";
  const prefixes = (v6 ? peering.ipv6?.advertisedPublicPrefixes : undefined) ?? [];
  const advertised = v6 ? prefixes : peering.advertisedPublicPrefixes;
  const pending = state === "Configuring";
  return {
    code: "public-prefixes-not-validated",
    layer: "peering",
    owner: "you",
    severity: pending ? "Sev3" : "Sev2",
    peering: peering.name,
    paths,
    title: v6
      ? `Microsoft peering IPv6 public prefixes ${state}: Microsoft accepts none of them (IPv4 ${peering.advertisedPublicPrefixesState === "Configured" ? "validated" : (peering.advertisedPublicPrefixesState ?? "unknown")})`
      : `Microsoft peering public prefixes ${state}: Microsoft accepts none of them`,
    evidence: {
      ...(v6 ? { family: "ipv6" } : {}),
      advertisedPublicPrefixesState: state,
      advertisedPublicPrefixes: advertised,
      layers: layerEvidence(ctx),
    },
    nextAction: pending
      ? "Validation is in progress; if it stays Configuring for more than a few business days, open a Microsoft support case."
      : `Register ${advertised.join(", ") || "the advertised prefixes"} to your AS in a routing registry (or give Microsoft proof of ownership) so validation passes; the session and the carrier are fine.`,
  };
}

const fmt = (n: number | null) => (n === null ? "?" : thousands(n));

function limitFinding(ctx: PeeringContext, paths: PathName[]): Finding {
  const analyses = paths.map((p) => ctx.analyses[p]);
  // Quote the neighbor that is near its limit (an IPv6 session at 97/100 is not
  // "2.5 % of 4,000"), and the same family's count on each path.
  const loaded = analyses
    .flatMap((a) =>
      a.neighbors
        .filter((n) => n.load === "critical" || n.load === "warn")
        .map((n) => ({ path: a.path, n })),
    )
    .sort((x, y) => (y.n.percent ?? 0) - (x.n.percent ?? 0));
  const worst = loaded[0]?.n ?? null;
  const family = worst?.family ?? "ipv4";
  const countOf = (a: PathAnalysis) => {
    const n = a.neighbors.find((x) => x.family === family && x.session.kind === "established");
    return n && n.session.kind === "established" ? n.session.prefixes : null;
  };
  const critical = loaded.some((l) => l.n.load === "critical");
  const counts = Object.fromEntries(analyses.map((a) => [a.path, countOf(a)]));
  const count = worst && worst.session.kind === "established" ? worst.session.prefixes : null;
  const limit = worst?.limit ?? null;
  const v6 = family === "ipv6";
  const assumed = limitAssumption(ctx.peering.peeringType, ctx.circuit.skuTier, family);
  const premiumHint =
    !v6 &&
    sameName(ctx.peering.peeringType, "AzurePrivatePeering") &&
    (ctx.circuit.skuTier ?? "").toLowerCase() !== "premium";
  // The other family near its own limit too: named beside the worst, so one
  // alert about IPv6 at 97 of 100 does not hide IPv4 at 3,400 of 4,000.
  const also = loaded.find((l) => l.n.family !== family)?.n ?? null;
  const alsoNear =
    also && also.session.kind === "established"
      ? {
          family: also.family,
          counts: Object.fromEntries(
            analyses.map((a) => {
              const n = a.neighbors.find(
                (x) => x.family === also.family && x.session.kind === "established",
              );
              return [a.path, n && n.session.kind === "established" ? n.session.prefixes : null];
            }),
          ),
          limit: also.limit,
          percent: also.percent,
          count: also.session.prefixes,
        }
      : null;
  const tierAdvice = assumed
    ? ` The limit is Standard's by assumption (${assumed}): check the circuit's SKU; on Premium the limit is higher and this warns early.`
    : premiumHint
      ? " Premium raises the private IPv4 limit to 10,000 if the count is legitimately large."
      : "";
  return {
    code: "prefix-limit-near",
    layer: "routes",
    owner: "you",
    severity: critical ? "Sev2" : "Sev3",
    peering: ctx.peering.name,
    paths,
    title:
      `Received ${v6 ? "IPv6 " : ""}prefixes at ${worst?.percent ?? "?"}% of the route limit on ${ctx.peering.name}: ${fmt(count)} of ${fmt(limit)}${assumed ? " (Standard limit assumed: SKU tier unknown)" : ""}` +
      (alsoNear
        ? `; ${alsoNear.family === "ipv6" ? "IPv6" : "IPv4"} at ${alsoNear.percent}% of its own: ${fmt(alsoNear.count)} of ${fmt(alsoNear.limit)}`
        : ""),
    evidence: {
      family,
      counts,
      limit,
      percent: worst?.percent ?? null,
      ...(alsoNear
        ? {
            alsoNear: {
              family: alsoNear.family,
              counts: alsoNear.counts,
              limit: alsoNear.limit,
              percent: alsoNear.percent,
            },
          }
        : {}),
      skuTier: ctx.circuit.skuTier,
      ...(assumed ? { limitAssumed: `Standard: ${assumed}` } : {}),
      peeringType: ctx.peering.peeringType,
    },
    nextAction: `Summarise on-premises ${alsoNear ? "IPv4 and IPv6 " : v6 ? "IPv6 " : ""}advertisements before the count reaches ${fmt(limit)}${alsoNear ? ` (${fmt(alsoNear.limit)} for ${alsoNear.family === "ipv6" ? "IPv6" : "IPv4"})` : ""}: at the limit Microsoft drops the session rather than the extra routes.${tierAdvice}`,
  };
}

/**
 * The other path, when IPv6 does not carry there either: read, listing an IPv6
 * neighbor, none Established with prefixes (a path listing no IPv6 neighbor
 * claims nothing: IPv6 may not be configured on it). An IPv6
 * finding covers only paths where IPv4 carries, so without this IPv6 down
 * beside a path lost for both families read as "IPv6 redundancy lost" (Sev3),
 * and an open Sev1 "IPv6 traffic stopped" de-escalated when IPv4 then failed
 * on one path, while IPv6 carried nowhere. An unread path claims nothing.
 */
function ipv6StoppedBeside(ctx: PeeringContext, paths: PathName[]): PathName | null {
  if (paths.length !== 1) return null;
  const rest = otherPath(paths[0]!);
  const rows = ctx.analyses[rest].neighborRows;
  const listsIpv6 = rows?.some((r) => familyOf(r) === "ipv6") ?? false;
  // An IPv6 state not understood there claims nothing either, as an unread path does.
  const understood = !rows?.some(
    (r) => familyOf(r) === "ipv6" && parseStatePfxRcd(r.statePfxRcd).kind === "unrecognised",
  );
  return rows !== null && listsIpv6 && understood && !ipv6Carries(rows) ? rest : null;
}

/** IPv6's consequence on a peering: traffic stopped (on both paths, or here with the other path lost too), or redundancy lost. */
function ipv6Consequence(ctx: PeeringContext, paths: PathName[]): { both: boolean; words: string } {
  const beside = ipv6StoppedBeside(ctx, paths);
  if (paths.length === 2) return { both: true, words: "IPv6 traffic stopped" };
  if (beside)
    return {
      both: true,
      words: `IPv6 traffic stopped (IPv6 does not carry on the ${beside} path either)`,
    };
  return { both: false, words: "IPv6 redundancy lost" };
}

/**
 * Only IPv6 sessions down while IPv4 is Established on those paths: IPv4
 * traffic flows, so this is not the Sev0 "traffic stopped" of a session down.
 * IPv6 on both paths is IPv6 traffic stopped (Sev1); on one, IPv6 redundancy
 * lost (Sev3). Same code and alert as a session down on the peering.
 */
function ipv6DownFinding(ctx: PeeringContext, affected: PathAnalysis[]): Finding {
  const { peering, model } = ctx;
  const paths = affected.map((a) => a.path);
  const { both, words } = ipv6Consequence(ctx, paths);
  const hint = bgpHintFor(affected[0]!);
  const where = `${paths.join(" and ")} path${paths.length === 2 ? "s" : ""} of ${peering.name}`;
  const provider = ctx.circuit.serviceProviderName ?? "the connectivity provider";
  return {
    code: "bgp-down",
    layer: "bgp",
    owner: model === "provider-managed" ? "carrier" : "you",
    severity: both ? "Sev1" : "Sev3",
    peering: peering.name,
    paths,
    title: `IPv6 BGP ${hint?.state ?? "down"} on the ${where}; IPv4 Established and carrying — ${words}`,
    evidence: {
      family: "ipv6",
      bgpState: hint?.state ?? null,
      hint: hint?.hint ?? null,
      neighbors: Object.fromEntries(affected.map((a) => [a.path, a.neighborRows])),
      layers: layerEvidence(ctx),
    },
    nextAction:
      model === "provider-managed"
        ? `Open a ticket with ${provider} for the IPv6 sessions (provider-managed model); IPv4 is unaffected. ${hint?.hint ?? ""}`.trim()
        : `Check the IPv6 BGP configuration on your edge for this peering (its IPv6 /126 and neighbor statements); IPv4 is unaffected. ${hint?.hint ?? ""}`.trim(),
  };
}

/**
 * IPv6 Established with 0 prefixes received while IPv4 carries on those paths:
 * IPv6 has no routes there and IPv4 traffic flows, so it is graded as IPv6
 * sessions down beside IPv4 are (ipv6DownFinding): IPv6 traffic stopped on both
 * paths (Sev1), IPv6 redundancy lost on one (Sev3). Never the path down.
 */
function ipv6EmptyFinding(ctx: PeeringContext, affected: PathAnalysis[]): Finding {
  const { peering } = ctx;
  const paths = affected.map((a) => a.path);
  const { both, words } = ipv6Consequence(ctx, paths);
  const where = `${paths.join(" and ")} path${paths.length === 2 ? "s" : ""} of ${peering.name}`;
  const limit = affected[0]?.ipv6Limit ?? null;
  return {
    code: "no-prefixes-received",
    layer: "routes",
    owner: "you",
    severity: both ? "Sev1" : "Sev3",
    peering: peering.name,
    paths,
    title: `IPv6 session up but 0 prefixes received on the ${where}; IPv4 Established and carrying — ${words}`,
    evidence: {
      family: "ipv6",
      prefixes: Object.fromEntries(affected.map((a) => [a.path, a.ipv6Prefixes])),
      prefixLimit: limit,
      ipv4Prefixes: Object.fromEntries(affected.map((a) => [a.path, a.prefixes])),
      layers: layerEvidence(ctx),
    },
    // Not the IPv6 limit: over it the session is shut (Idle (PfxCt)), not Established with 0.
    nextAction: `IPv6 route advertisement, not connectivity: check what your edge announces to AS 12076 over the IPv6 sessions (IPv6 route policy, summarisation); IPv4 is unaffected. Read the received routes with \`${DIAGNOSE_CIRCUIT} --routes\`. Not a carrier ticket.`,
  };
}

export function pathFindings(ctx: PeeringContext): { findings: Finding[]; carrying: PathName[] } {
  const analyses = [ctx.analyses.primary, ctx.analyses.secondary];
  const down = analyses.filter((a) => downCodeOf(a) !== null);
  const bothDown = down.length === 2;
  const findings: Finding[] = [];

  const byCode = new Map<DownCode, PathName[]>();
  for (const a of down) {
    const code = downCodeOf(a) as DownCode;
    byCode.set(code, [...(byCode.get(code) ?? []), a.path]);
  }
  for (const [code, paths] of byCode) findings.push(downFinding(ctx, code, paths, bothDown));

  const unvalidated = analyses.filter((a) => a.lowest === "peering").map((a) => a.path);
  if (unvalidated.length > 0) findings.push(validationFinding(ctx, unvalidated));
  // IPv6 prefixes waiting on validation while IPv4 ones carry: on paths not down below it.
  // Also beside IPv4's own validation pending or failing: IPv6's is validated
  // apart and may need your action (ValidationNeeded) while IPv4's only waits
  // (Configuring); before, only IPv4's Sev3 "in progress, wait" was said.
  const v6State = ipv6Unvalidated(ctx.peering);
  const unvalidatedV6 = analyses
    .filter(
      (a) =>
        (a.ipv6Validation !== null && (a.lowest === null || a.lowest === "routes")) ||
        (a.lowest === "peering" && v6State !== null),
    )
    .map((a) => a.path);
  if (unvalidatedV6.length > 0) findings.push(validationFinding(ctx, unvalidatedV6, "ipv6"));

  // IPv6 sessions down on paths that otherwise carry (or only near the limit).
  // Not beside IPv4 receiving nothing (routes down): that path is down for both
  // families, its own finding says so, and an IPv6 one beside it claimed
  // "IPv4 Established and carrying" inside a Sev0 "traffic stopped".
  const ipv4Carries = (a: PathAnalysis) =>
    a.lowest === null || (a.lowest === "routes" && a.cells.routes.status === "warn");
  const v6Down = analyses.filter((a) => a.ipv6Down !== null && ipv4Carries(a));
  if (v6Down.length > 0) findings.push(ipv6DownFinding(ctx, v6Down));
  // IPv6 receiving nothing on paths where IPv4 carries.
  const v6Empty = analyses.filter((a) => a.ipv6Empty !== null && ipv4Carries(a));
  if (v6Empty.length > 0) findings.push(ipv6EmptyFinding(ctx, v6Empty));

  // A peering row that only warns (public prefixes being validated, for days:
  // the sessions stay up on the prefixes already validated) must not hide a
  // count nearing its limit below it: at the limit Microsoft shuts both sessions.
  const nearLimit = (a: PathAnalysis) =>
    a.cells.routes.status === "warn" &&
    a.neighbors.some((n) => n.load === "critical" || n.load === "warn");
  const near = analyses
    .filter(
      (a) =>
        (a.lowest === "routes" && a.cells.routes.status === "warn") ||
        (a.lowest === "peering" && a.cells.peering.status === "warn" && nearLimit(a)),
    )
    .map((a) => a.path);
  if (near.length > 0) findings.push(limitFinding(ctx, near));

  // Paths that can carry traffic: what sits above them (gateway, Global Reach)
  // is worth a finding; above a dead peering it is only evidence.
  const carrying = analyses
    .filter((a) => a.lowest === null || (a.lowest === "routes" && a.cells.routes.status === "warn"))
    .map((a) => a.path);
  return { findings, carrying };
}
