// The on-call CLI end to end: the real @azure/arm-network SDK reads the
// simulated estate over HTTPS, the classifier names the layer, and the CLI
// prints the public JSON contract and picks the exit code. Nothing between the
// wire and the JSON is faked.

import type { TokenCredential } from "@azure/identity";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CliDeps } from "../../src/cli/program.js";
import type { Report, ReportCircuit } from "../../src/app/report.js";
import {
  scenarioCatalog,
  startEstate,
  wholeCatalog,
  type SimulatedEstate,
} from "../support/estate/index.js";
import { circuitId, cliOn, SUB, sweepReport } from "../support/estate-cli.js";

let estate: SimulatedEstate;

beforeAll(async () => {
  estate = await startEstate(wholeCatalog());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.clearFaults();
  estate.state = wholeCatalog();
});

const cli = (argv: string[], extra: Partial<CliDeps> = {}) => cliOn(estate, argv, extra);
const sweepJson = (...more: string[]) => sweepReport(estate, ...more);

const byName = (report: Report, name: string): ReportCircuit => {
  const found = report.circuits.find((c) => c.name === name);
  if (!found) throw new Error(`circuit ${name} not in the report`);
  return found;
};

const summary = (c: ReportCircuit) =>
  c.findings.map((f) => `${f.code} ${f.severity} ${f.owner} ${f.peering} ${f.paths.join("+")}`);

describe("sweep over the whole scenario catalog", () => {
  // One row per scenario: exactly the findings an expert reading the seed would
  // name, at the lowest broken layer only.
  const expected: Record<string, string[]> = {
    healthy: [],
    "provider-not-provisioned": ["provider-not-provisioned Sev0 carrier null primary+secondary"],
    "carrier-down-both": ["arp-missing Sev0 carrier AzurePrivatePeering primary+secondary"],
    "carrier-maintenance-secondary": ["arp-missing Sev2 carrier AzurePrivatePeering secondary"],
    "arp-microsoft-only-primary": ["arp-missing Sev2 shared AzurePrivatePeering primary"],
    "arp-incomplete-secondary": ["arp-missing Sev2 shared AzurePrivatePeering secondary"],
    "bgp-idle-both": ["bgp-down Sev0 you AzurePrivatePeering primary+secondary"],
    "bgp-active-primary": ["bgp-down Sev2 you AzurePrivatePeering primary"],
    "bgp-connect-both": ["bgp-down Sev0 you AzurePrivatePeering primary+secondary"],
    "bgp-opensent-secondary": ["bgp-down Sev2 you AzurePrivatePeering secondary"],
    "bgp-openconfirm-both": ["bgp-down Sev0 you AzurePrivatePeering primary+secondary"],
    "provider-managed-bgp-down": ["bgp-down Sev0 carrier AzurePrivatePeering primary+secondary"],
    "peering-missing": ["peering-missing Sev2 shared AzurePrivatePeering primary+secondary"],
    "peering-disabled": ["peering-disabled Sev0 shared AzurePrivatePeering primary+secondary"],
    "microsoft-validation-pending": [
      "public-prefixes-not-validated Sev2 you MicrosoftPeering primary+secondary",
    ],
    "microsoft-configuring": [
      "public-prefixes-not-validated Sev3 you MicrosoftPeering primary+secondary",
    ],
    "global-reach-down": ["global-reach-down Sev3 you AzurePrivatePeering primary+secondary"],
    "zero-prefixes-both": ["no-prefixes-received Sev0 you AzurePrivatePeering primary+secondary"],
    "zero-prefixes-primary": ["no-prefixes-received Sev2 you AzurePrivatePeering primary"],
    "prefix-near-limit": ["prefix-limit-near Sev3 you AzurePrivatePeering primary+secondary"],
    "prefix-critical": ["prefix-limit-near Sev2 you AzurePrivatePeering primary+secondary"],
    "prefix-premium": ["prefix-limit-near Sev2 you AzurePrivatePeering primary+secondary"],
    "gateway-missing": ["gateway-not-connected Sev3 you AzurePrivatePeering primary+secondary"],
    "gateway-not-connected": [
      "gateway-not-connected Sev3 you AzurePrivatePeering primary+secondary",
    ],
    "vwan-healthy": [],
    "asymmetric-routing": [],
    "dns-impostor": [],
    "nsg-impostor": [],
  };

  let report: Report;
  let code: number;
  beforeAll(async () => {
    ({ report, code } = await sweepJson());
  });

  it("covers every scenario of the catalog, and the table covers every finding code", () => {
    const catalog = Object.keys(scenarioCatalog).filter((name) => name !== "ignored");
    expect(Object.keys(expected).sort()).toEqual(catalog.sort());
    const codes = new Set(
      Object.values(expected)
        .flat()
        .map((row) => row.split(" ")[0]),
    );
    expect([...codes].sort()).toEqual([
      "arp-missing",
      "bgp-down",
      "gateway-not-connected",
      "global-reach-down",
      "no-prefixes-received",
      "peering-disabled",
      "peering-missing",
      "prefix-limit-near",
      "provider-not-provisioned",
      "public-prefixes-not-validated",
    ]);
  });

  it.each(Object.entries(expected))("%s", (name, findings) => {
    const circuit = byName(report, name);
    expect(summary(circuit)).toEqual(findings);
    expect(circuit.failedReads).toEqual([]);
  });

  it("leaves the circuit tagged erwatch:ignore out without reading its peerings", () => {
    expect(report.ignored.map((c) => c.name)).toEqual(["ignored"]);
    expect(report.circuits.map((c) => c.name)).not.toContain("ignored");
    const touched = estate.requests.filter(
      (r) => r.circuit?.toLowerCase() === "ignored" && r.operation !== "listCircuits",
    );
    expect(touched.map((r) => r.operation)).toEqual([]);
  });

  it("exits 1 because something is at Sev2 or worse", () => {
    expect(code).toBe(1);
  });

  it("gives BGP hints by state, prefix counts against the SKU limit, and the state name", () => {
    const hint = (name: string) =>
      byName(report, name).findings[0]!.evidence as Record<string, unknown>;
    expect(JSON.stringify(hint("bgp-idle-both"))).toMatch(/layer 2|addressing/i);
    expect(JSON.stringify(hint("bgp-connect-both"))).toMatch(/TCP|firewall/i);
    expect(JSON.stringify(hint("bgp-openconfirm-both"))).toMatch(/ASN|MD5/i);
    expect(hint("prefix-critical")).toMatchObject({ limit: 4000 });
    expect(hint("prefix-premium")).toMatchObject({ limit: 10000 });
  });
});

describe("diagnose: the seed's incidents", () => {
  it("2 a.m.: both sessions Established with zero prefixes is Sev0, yours, at the routes layer", async () => {
    const ran = await cli([
      "diagnose",
      circuitId("zero-prefixes-both"),
      "--routes",
      "--output",
      "json",
    ]);
    expect(ran.code).toBe(1);
    const report = JSON.parse(ran.stdout) as Report;
    const circuit = report.circuits[0]!;
    expect(circuit.findings).toHaveLength(1);
    const finding = circuit.findings[0]!;
    expect(finding).toMatchObject({
      code: "no-prefixes-received",
      layer: "routes",
      owner: "you",
      severity: "Sev0",
      peering: "AzurePrivatePeering",
      paths: ["primary", "secondary"],
    });
    expect(finding.nextAction).toMatch(/advertis/i);
    const paths = circuit.peerings.find((p) => p.name === "AzurePrivatePeering")!.paths;
    for (const path of ["primary", "secondary"] as const) {
      expect(paths[path].provider.status).toBe("up");
      expect(paths[path].bgp.status).toBe("up");
      expect(paths[path].routes.status).toBe("down");
      expect(paths[path].prefixes).toBe(0);
      expect(paths[path].receivedRoutes).toEqual([]);
    }
    // diagnose reads full route tables only when asked.
    expect(estate.requests.some((r) => r.operation === "routeTables")).toBe(true);
  });

  it("carrier maintenance on the secondary: Sev2, carrier-owned, redundancy holding, ticket text ready", async () => {
    const ran = await cli([
      "diagnose",
      circuitId("carrier-maintenance-secondary"),
      "--output",
      "json",
    ]);
    expect(ran.code).toBe(1);
    const circuit = (JSON.parse(ran.stdout) as Report).circuits[0]!;
    const finding = circuit.findings[0]!;
    expect(finding).toMatchObject({
      code: "arp-missing",
      owner: "carrier",
      severity: "Sev2",
      paths: ["secondary"],
    });
    expect(`${finding.title} ${JSON.stringify(finding.evidence)}`).toMatch(/redundancy holding/i);
    expect(circuit.serviceKey).toBeTruthy();
    expect(finding.ticket).toContain(circuit.serviceKey!);
    expect(finding.ticket).toContain(circuit.provider!);
    expect(finding.ticket).toContain(circuit.peeringLocation!);
    expect(finding.ticket).toMatch(/secondary/);
    expect(finding.ticket).toMatch(/2026-11-22T02:07/);
    const paths = circuit.peerings.find((p) => p.name === "AzurePrivatePeering")!.paths;
    expect(paths.primary.provider.status).toBe("up");
    expect(paths.secondary.provider.status).toBe("down");
  });

  it("prints the layer table for a person by default", async () => {
    const ran = await cli(["diagnose", circuitId("carrier-maintenance-secondary")]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toMatch(/secondary/);
    expect(ran.stdout).toMatch(/arp-missing/);
    expect(ran.stdout).not.toContain("\u001b["); // not a TTY: no colour codes
  });

  it("a healthy circuit exits 0 and does not read full route tables without --routes", async () => {
    const before = estate.requests.length;
    const ran = await cli(["diagnose", circuitId("healthy"), "--output", "json"]);
    expect(ran.code).toBe(0);
    expect((JSON.parse(ran.stdout) as Report).circuits[0]!.findings).toEqual([]);
    expect(estate.requests.slice(before).some((r) => r.operation === "routeTables")).toBe(false);
  });
});

describe("reads that fail are UNKNOWN, never DOWN", () => {
  it("a throttled ARP read on one path is monitoring-blind for that path, not arp-missing", async () => {
    estate.addFault({
      match: { operation: "arpTable", circuit: "healthy", path: "secondary" },
      behaviour: { kind: "status", status: 429, retryAfterSeconds: 1 },
    });
    const ran = await cli(["diagnose", circuitId("healthy"), "--output", "json"]);
    const circuit = (JSON.parse(ran.stdout) as Report).circuits[0]!;
    expect(circuit.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    expect(circuit.findings[0]!.paths).toEqual(["secondary"]);
    // It names the failing call, so the person knows what to look at.
    expect(circuit.findings[0]!.title).toMatch(
      /ARP table AzurePrivatePeering\/secondary: throttled/,
    );
    expect(circuit.findings[0]!.evidence).toMatchObject({
      failedReads: [
        {
          call: "Microsoft.Network/expressRouteCircuits/peerings/arpTables/read",
          kind: "throttled",
        },
      ],
    });
    expect(circuit.failedReads).toEqual([expect.objectContaining({ kind: "throttled" })]);
    const paths = circuit.peerings.find((p) => p.name === "AzurePrivatePeering")!.paths;
    expect(paths.secondary.provider.status).toBe("unknown");
    expect(paths.primary.provider.status).toBe("up");
  });

  it("a 403 on ARP names the missing permission", async () => {
    estate.addFault({
      match: { operation: "arpTable", circuit: "healthy" },
      behaviour: { kind: "status", status: 403, code: "AuthorizationFailed" },
    });
    const ran = await cli(["diagnose", circuitId("healthy"), "--output", "json"]);
    const circuit = (JSON.parse(ran.stdout) as Report).circuits[0]!;
    expect(circuit.findings.map((f) => f.code)).toEqual(["monitoring-blind"]);
    expect(circuit.failedReads[0]).toMatchObject({
      kind: "forbidden",
      missingPermission: "Microsoft.Network/expressRouteCircuits/peerings/arpTables/read",
    });
    expect(circuit.findings.some((f) => f.code === "arp-missing")).toBe(false);
  });

  it("one circuit that cannot be read does not stop the others", async () => {
    // Its body comes from the listing (no GET per circuit): every read of its own fails.
    estate.addFault({
      match: { operation: "*", circuit: "healthy" },
      behaviour: { kind: "status", status: 500 },
    });
    const { report } = await sweepJson();
    const healthy = byName(report, "healthy");
    expect(healthy.failedReads[0]).toMatchObject({ kind: "server-error" });
    expect(summary(byName(report, "carrier-down-both"))).toEqual([
      "arp-missing Sev0 carrier AzurePrivatePeering primary+secondary",
    ]);
  });

  it("a malformed answer is UNKNOWN with kind malformed", async () => {
    estate.addFault({
      match: { operation: "routeTablesSummary", circuit: "healthy", path: "primary" },
      behaviour: { kind: "malformed", variant: "missing-value" },
    });
    const ran = await cli(["diagnose", circuitId("healthy"), "--output", "json"]);
    const circuit = (JSON.parse(ran.stdout) as Report).circuits[0]!;
    expect(circuit.failedReads[0]).toMatchObject({ kind: "malformed" });
    const paths = circuit.peerings.find((p) => p.name === "AzurePrivatePeering")!.paths;
    expect(paths.primary.bgp.status).toBe("unknown");
    expect(paths.primary.provider.status).toBe("up");
  });
});

describe("exit codes and errors an on-call engineer sees", () => {
  it("exit 2 with the expected shape when the id is not a circuit id", async () => {
    const ran = await cli(["diagnose", "/subscriptions/x/resourceGroups/y"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/is not an ExpressRoute circuit resource id/);
    expect(ran.stdout).toBe("");
  });

  it("exit 2 on an unknown option, with where the help is", async () => {
    const ran = await cli(["sweep", "--frobnicate"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/unknown option '--frobnicate'\n\(see `erwatch sweep --help`\)/);
  });

  it("exit 2 with a hint to az login when no credential works", async () => {
    const noLogin: TokenCredential = {
      getToken: async () => {
        throw new Error("Please run 'az login' to set up an account.\nmore detail");
      },
    };
    const before = estate.requests.length;
    const ran = await cli(["diagnose", circuitId("healthy")], { credential: noLogin });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/could not get a token/);
    expect(ran.stderr).toMatch(/az login/);
    // Fails before reading anything, rather than as a blind finding on every read.
    expect(estate.requests.length).toBe(before);
  });

  it("exit 2 when there is nothing to sweep", async () => {
    const ran = await cli(["sweep"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/nothing to sweep/);
  });

  it("exit 2 naming every bad setting at once", async () => {
    const ran = await cli(["sweep", "--subscription", SUB], {
      env: { ARM_ENDPOINT: estate.url, ARM_CONCURRENCY: "0", AZURE_CLOUD: "Mars" },
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(/ARM_CONCURRENCY/);
    expect(ran.stderr).toMatch(/AZURE_CLOUD/);
  });

  it("shows progress on stderr only when attached to a terminal", async () => {
    let tty = "";
    const ran = await cli(["sweep", "--circuit", circuitId("healthy")], {
      stderr: { write: (s: string) => (tty += s), isTTY: true },
    });
    expect(ran.code).toBe(0);
    expect(tty).toMatch(/read 1\/1 circuits \(healthy\)/);
    const piped = await cli(["sweep", "--circuit", circuitId("healthy")]);
    expect(piped.stderr).toBe("");
  });

  it("exit 0 when every circuit in scope is healthy", async () => {
    const ran = await cli(["sweep", "--circuit", circuitId("healthy"), circuitId("vwan-healthy")]);
    expect(ran.stdout).toMatch(/2 circuits read, 0 ignored; 0 findings, 0 at Sev2 or worse/);
    expect(ran.code).toBe(0);
  });
});
