// erwatch against ARM as the Network resource provider really answers its
// long-running reads (Azure-AsyncOperation + Location), with RBAC enforced the
// way ARM enforces it: the deployed role must be enough, and a missing action
// must be named in the blind finding rather than silently blinding every path.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/app/report.js";
import { REQUIRED_ACTIONS, ROLE_ACTIONS } from "../../src/adapters/arm/operations.js";
import {
  RBAC_ACTIONS,
  startEstate,
  wholeCatalog,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { diagnoseReport, summary, sweepReport } from "../support/estate-cli.js";
import { readerRoleActions } from "../support/reader-role.js";

const ASYNC_POLL = "Microsoft.Network/locations/operations/read";
const LOCATION_POLL = "Microsoft.Network/locations/operationResults/read";

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(wholeCatalog());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.clearFaults();
  estate.grant(undefined);
  estate.setLro({ shape: "network-rp" });
  estate.state = wholeCatalog();
});

const verdicts = (report: Report) =>
  Object.fromEntries(report.circuits.map((c) => [c.name, summary(c)]));

describe("the deployed reader role is enough for ARM as it really answers", () => {
  it("the role grants both poll actions, from the one list the reader declares", () => {
    expect(REQUIRED_ACTIONS).toContain(ASYNC_POLL);
    expect(REQUIRED_ACTIONS).toContain(LOCATION_POLL);
    expect([...readerRoleActions()].sort()).toEqual([...ROLE_ACTIONS].sort());
  });

  it("a sweep holding exactly the role's actions reads every circuit of the catalog: nothing blind", async () => {
    estate.grant(readerRoleActions());
    const from = estate.requests.length;
    const { report } = await sweepReport(estate);
    expect(report.circuits.length).toBeGreaterThan(20);
    const blind = report.circuits.filter(
      (c) => c.failedReads.length > 0 || c.findings.some((f) => f.code === "monitoring-blind"),
    );
    expect(blind.map((c) => `${c.name}: ${c.failedReads[0]?.missingPermission}`)).toEqual([]);
    const requests = estate.requests.slice(from);
    expect(requests.filter((r) => r.status === 403)).toEqual([]);
    // The reads polled Location (the status document is left alone when
    // Location is given), and every action checked is one the reader declares.
    const checked = new Set(
      requests.map((r) => (r.operation === "unknown" ? "unknown" : RBAC_ACTIONS[r.operation])),
    );
    expect(checked).toContain(LOCATION_POLL);
    expect(checked).not.toContain(ASYNC_POLL);
    for (const action of checked) expect(REQUIRED_ACTIONS).toContain(action);
  });
});

describe("both long-running read shapes", () => {
  it("Location only and Azure-AsyncOperation + Location give the same verdict for every circuit", async () => {
    estate.setLro({ shape: "location" });
    const before = estate.requests.length;
    const locationOnly = await sweepReport(estate);
    const polled = estate.requests.slice(before);
    expect(polled.some((r) => r.operation === "pollAsyncOperation")).toBe(false);

    estate.setLro({ shape: "network-rp" });
    const from = estate.requests.length;
    const networkRp = await sweepReport(estate);
    const next = estate.requests.slice(from);
    // Offered both, erwatch polls Location: the status document costs a request more.
    expect(next.some((r) => r.operation === "pollAsyncOperation")).toBe(false);
    const count = (rs: typeof next, op: string) => rs.filter((r) => r.operation === op).length;
    expect(count(next, "pollOperation")).toBe(count(polled, "pollOperation"));

    expect(verdicts(networkRp.report)).toEqual(verdicts(locationOnly.report));
    expect(networkRp.code).toBe(locationOnly.code);
  });
});

describe("an identity without one of the poll actions", () => {
  it("without the status poll's action still reads every path: Location is what is polled", async () => {
    estate.grant(REQUIRED_ACTIONS.filter((a) => a !== ASYNC_POLL));
    const circuit = await diagnoseReport(estate, "healthy");
    expect(circuit.findings).toEqual([]);
    expect(circuit.failedReads).toEqual([]);
    const paths = circuit.peerings.find((p) => p.name === "AzurePrivatePeering")!.paths;
    expect(paths.primary.bgp.status).toBe("up");
  });

  it("without the Location poll's action is blind on every path read, and the finding names it", async () => {
    estate.grant(REQUIRED_ACTIONS.filter((a) => a !== LOCATION_POLL));
    const circuit = await diagnoseReport(estate, "healthy");
    expect(circuit.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    const blind = circuit.findings[0]!;
    expect(blind.title).toContain(`(missing ${LOCATION_POLL})`);
    expect(blind.nextAction).toContain(`Grant '${LOCATION_POLL}'`);
    expect(circuit.failedReads.length).toBeGreaterThan(0);
    for (const failure of circuit.failedReads)
      expect(failure).toMatchObject({ kind: "forbidden", missingPermission: LOCATION_POLL });
    const paths = circuit.peerings.find((p) => p.name === "AzurePrivatePeering")!.paths;
    expect(paths.primary.provider.status).toBe("unknown");
    expect(paths.primary.bgp.status).toBe("unknown");
  });
});

describe("a long-running read that Azure ends Failed", () => {
  it("is UNKNOWN for that read as a server error, never a guessed state", async () => {
    estate.addFault({
      match: { operation: "routeTablesSummary", circuit: "healthy", path: "secondary" },
      behaviour: { kind: "operation-failed", code: "InternalServerError", message: "Router busy." },
    });
    const circuit = await diagnoseReport(estate, "healthy");
    expect(circuit.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    expect(circuit.failedReads).toEqual([
      expect.objectContaining({
        kind: "server-error",
        call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
        target: "route table summary AzurePrivatePeering/secondary",
        message: expect.stringContaining("Router busy."),
      }),
    ]);
    const paths = circuit.peerings.find((p) => p.name === "AzurePrivatePeering")!.paths;
    expect(paths.secondary.bgp.status).toBe("unknown");
    expect(paths.primary.bgp.status).toBe("up");
  });
});
