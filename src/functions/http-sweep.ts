import functions, {
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from "@azure/functions";
import { buildReport } from "../app/report.js";
import { parseSweepRequest, problem, type Problem } from "../app/sweep-request.js";
import type { SweepResult } from "../app/sweep.js";
import { parseCircuitId, sameId } from "../core/resource-id.js";
import { sweepDeps, type SweepFunctionDeps } from "./deps.js";

const problemResponse = (p: Problem): HttpResponseInit => ({
  status: p.status,
  headers: { "content-type": "application/problem+json" },
  body: JSON.stringify(p),
});

/** Ids outside what erwatch watches, or that do not exist there, are 404s before anything is read or written. */
async function unknownCircuits(
  deps: SweepFunctionDeps,
  ids: string[],
  signal: AbortSignal,
): Promise<Problem["errors"]> {
  const { arm } = deps.runtime.config;
  const errors: Problem["errors"] = [];
  const toList = new Set<string>();
  ids.forEach((id, i) => {
    if (arm.circuitIds.some((c) => sameId(c, id))) return;
    const subscription = parseCircuitId(id)?.subscriptionId ?? "";
    if (arm.subscriptions.includes(subscription)) toList.add(subscription);
    else
      errors.push({
        field: `circuits[${i}]`,
        message:
          "is not a circuit erwatch watches (not in ERWATCH_CIRCUITS, subscription not in ERWATCH_SUBSCRIPTIONS)",
      });
  });
  if (toList.size > 0) {
    const found = await deps.runtime.reader.discover(
      { subscriptions: [...toList], circuitIds: [] },
      { abortSignal: signal },
    );
    ids.forEach((id, i) => {
      const subscription = parseCircuitId(id)?.subscriptionId ?? "";
      if (
        !toList.has(subscription) ||
        found.failures.some((f) => f.subscriptionId === subscription)
      )
        return;
      if (!found.targets.some((t) => sameId(t.id, id)))
        errors.push({
          field: `circuits[${i}]`,
          message: "no such ExpressRoute circuit in its subscription",
        });
    });
  }
  return errors;
}

function respond(
  result: SweepResult,
  circuitIds: string[] | null,
  joined: boolean,
): HttpResponseInit {
  const wanted = (id: string) => circuitIds === null || circuitIds.some((c) => sameId(c, id));
  const verdicts = result.verdicts.filter((v) => wanted(v.id));
  const report = buildReport({
    verdicts,
    readings: result.readings.filter((r) => wanted(r.ref.id)),
    ignored: result.ignored.filter((i) => wanted(i.id)),
    discoveryFailures: circuitIds === null ? result.discoveryFailures : [],
    errors: result.errors.filter((e) => wanted(e.id)),
    generatedAt: new Date(result.startedAt),
  });
  return {
    status: 200,
    jsonBody: {
      ...report,
      sweepId: result.sweepId,
      joined,
      events: result.events.filter((e) => wanted(e.circuit.id)),
      pendingInOutbox: result.pendingInOutbox,
      brokerError: result.brokerError,
    },
  };
}

export function httpSweepHandler(getDeps: () => Promise<SweepFunctionDeps>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const input = parseSweepRequest(await request.text(), request.query);
    if (!input.ok) return problemResponse(input.problem);
    const deps = await getDeps();
    const log = deps.runtime.logger.child({ invocationId: context.invocationId, trigger: "http" });
    const signal = AbortSignal.timeout(9 * 60_000);
    if (input.circuitIds) {
      const unknown = await unknownCircuits(deps, input.circuitIds, signal);
      if (unknown.length > 0)
        return problemResponse(
          problem(404, "Unknown circuit", "Nothing was read or written.", unknown),
        );
    }
    const { arm } = deps.runtime.config;
    const { joined, result } = deps.coordinator.run({ circuitIds: input.circuitIds }, () =>
      deps.runtime.sweeper.sweep(
        input.circuitIds
          ? {
              targets: input.circuitIds.map((id) => parseCircuitId(id)!),
              now: deps.now(),
              abortSignal: signal,
            }
          : {
              scope: { subscriptions: arm.subscriptions, circuitIds: arm.circuitIds },
              now: deps.now(),
              abortSignal: signal,
            },
      ),
    );
    const done = await result;
    log.info(
      { sweepId: done.sweepId, joined, circuits: input.circuitIds ?? "all" },
      "on-demand sweep answered",
    );
    return respond(done, input.circuitIds, joined);
  };
}

functions.app.http("sweep", {
  methods: ["POST"],
  authLevel: "function",
  route: "sweep",
  handler: httpSweepHandler(sweepDeps),
});
