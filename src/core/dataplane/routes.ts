// Two route facts that page nobody: both paths Established but receiving
// clearly different prefix counts (a hint of the asymmetric-routing cause),
// and — for `erwatch diagnose` — whether the on-premises prefixes the circuit
// receives reached the ExpressRoute gateway.

import type { Finding, PeeringVerdict, RouteRow } from "../model.js";
import type { LearnedRoute } from "./facts.js";

export function asymmetryNote(peering: PeeringVerdict, percent: number): string | null {
  const { primary, secondary } = peering.prefixes;
  if (primary === null || secondary === null) return null;
  const high = Math.max(primary, secondary);
  if (high === 0) return null;
  const apart = (Math.abs(primary - secondary) / high) * 100;
  if (apart < percent) return null;
  return `Both paths Established but receiving different prefix counts (primary ${primary}, secondary ${secondary}): a hint of asymmetric routing (the paths are not advertised alike), not a fault`;
}

export interface LearnedRoutesVerdict {
  gatewayId: string;
  /** On-premises prefixes the circuit receives (its route tables). */
  expected: number;
  reached: string[];
  missing: string[];
  sentence: string;
}

const nameOf = (id: string) => id.split("/").pop() ?? id;

/** Networks received from on-premises on either path of the peering. */
export function receivedPrefixes(tables: RouteRow[][]): string[] {
  return [...new Set(tables.flat().map((r) => r.network.trim()))].filter(Boolean).sort();
}

export function learnedRoutesVerdict(
  gatewayId: string,
  received: string[],
  learned: LearnedRoute[],
): LearnedRoutesVerdict {
  // The gateway's own address space (origin Network) is not something it learned from the circuit.
  const heard = new Set(
    learned
      .filter((r) => (r.origin ?? "").toLowerCase() !== "network")
      .map((r) => r.network.trim()),
  );
  const reached = received.filter((p) => heard.has(p));
  const missing = received.filter((p) => !heard.has(p));
  const gateway = nameOf(gatewayId);
  let sentence: string;
  if (received.length === 0)
    sentence = `the circuit receives no on-premises prefixes to compare with gateway ${gateway}'s learned routes`;
  else if (missing.length === 0)
    sentence = `all ${received.length} on-premises prefixes the circuit receives reached gateway ${gateway}: the circuit and the gateway agree, so look at the VNet route table (UDRs), NSGs / firewalls, DNS and asymmetric routing`;
  else if (reached.length === 0)
    sentence = `none of the ${received.length} on-premises prefixes the circuit receives reached gateway ${gateway}: the break is between the circuit and the gateway (connection, gateway health)`;
  else
    sentence = `${missing.length} of ${received.length} on-premises prefixes the circuit receives did not reach gateway ${gateway} (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}): check the connection and the gateway's route limits`;
  return { gatewayId, expected: received.length, reached, missing, sentence };
}

/** `erwatch diagnose`: the learned-routes verdict joins the end-to-end finding it answers. */
export function withLearnedRoutes<T extends { findings: Finding[] }>(
  verdict: T,
  found: { verdicts: LearnedRoutesVerdict[]; failures: string[] },
): T {
  return {
    ...verdict,
    findings: verdict.findings.map((f) => {
      if (f.code !== "e2e-fail" && f.code !== "e2e-warning") return f;
      const sentences = [
        ...found.verdicts.map((v) => `Learned routes: ${v.sentence}.`),
        ...found.failures.map((failure) => `Learned routes could not be read: ${failure}.`),
      ];
      if (sentences.length === 0) return f;
      return {
        ...f,
        evidence: {
          ...f.evidence,
          learnedRoutes: found.verdicts.map((v) => ({
            gatewayId: v.gatewayId,
            expected: v.expected,
            reached: v.reached.length,
            missing: v.missing,
            verdict: v.sentence,
          })),
        },
        nextAction: `${sentences.join(" ")} ${f.nextAction}`,
      };
    }),
  };
}
