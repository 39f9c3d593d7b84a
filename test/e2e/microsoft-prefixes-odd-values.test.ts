// A Microsoft peering's public prefix validation as ARM may send it, read
// through the REAL SDK and judged by the CLI's public JSON report: a state in
// another case is understood, one left out or not understood leaves the row
// UNKNOWN and named (never paged on), and IPv6's validation, apart from
// IPv4's, is never read as validated when ARM leaves it out.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ReportCircuit } from "../../src/app/report.js";
import {
  editWire,
  setPrefixes,
  setPublicPrefixesState,
  startEstate,
  wholeCatalog,
  type SimCircuit,
  type SimulatedEstate,
  type WireEdit,
} from "../support/estate/index.js";
import { diagnoseReport } from "../support/estate-cli.js";

const MICROSOFT = "MicrosoftPeering";
const GET_CIRCUIT = "Microsoft.Network/expressRouteCircuits/read";
const CIRCUIT = "microsoft-configuring";
/** The circuit's second peering is its Microsoft peering. */
const M = "properties.peerings[1].properties";
const STATE = `${M}.microsoftPeeringConfig.advertisedPublicPrefixesState`;

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(wholeCatalog());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.state = wholeCatalog();
});

/** Validated, its sessions receiving the three advertised prefixes. */
function circuit(): SimCircuit {
  const found = estate.state.circuits.find((c) => c.name === CIRCUIT);
  if (!found) throw new Error(`no circuit ${CIRCUIT} in the estate`);
  setPublicPrefixesState(found, "Configured");
  return found;
}

const set = (field: string, value: unknown): WireEdit => ({ read: "circuit", field, value });
const drop = (field: string): WireEdit => ({ read: "circuit", field, remove: true });
const ipv6 = (config: Record<string, unknown>): WireEdit =>
  set(`${M}.ipv6PeeringConfig`, {
    primaryPeerAddressPrefix: "2001:db8:0:1::/126",
    secondaryPeerAddressPrefix: "2001:db8:0:1::4/126",
    ...config,
  });

const row = (c: ReportCircuit) => {
  const p = c.peerings.find((x) => x.name === MICROSOFT);
  if (!p) throw new Error(`${c.name} has no ${MICROSOFT}`);
  return p.paths.primary.peering;
};

interface Case {
  name: string;
  edits: WireEdit[];
  peering: { status: string; detail: string };
  /** The Microsoft peering's findings, `code severity owner`, and any blind one. */
  findings: string[];
  named?: RegExp;
}

const cases: Case[] = [
  {
    name: "configured in lower case is Configured",
    edits: [set(STATE, "configured")],
    peering: { status: "up", detail: "public prefixes validated" },
    findings: [],
  },
  {
    name: "VALIDATIONNEEDED in upper case: not validated, yours (Sev2)",
    edits: [set(STATE, "VALIDATIONNEEDED")],
    peering: { status: "down", detail: "public prefixes ValidationNeeded" },
    findings: ["public-prefixes-not-validated Sev2 you"],
  },
  {
    name: "Configuring: validation in progress, a Sev3 note",
    edits: [set(STATE, "Configuring")],
    peering: { status: "warn", detail: "public prefixes validating" },
    findings: ["public-prefixes-not-validated Sev3 you"],
  },
  ...(
    [
      ["left out", drop(STATE), /advertisedPublicPrefixesState is missing/],
      ["null", set(STATE, null), /advertisedPublicPrefixesState is missing/],
      [
        "not a state ARM documents",
        set(STATE, "Validated"),
        /advertisedPublicPrefixesState is "Validated", not one of/,
      ],
      ["a number", set(STATE, 3), /advertisedPublicPrefixesState is a number/],
      [
        "its whole configuration null",
        set(`${M}.microsoftPeeringConfig`, null),
        /advertisedPublicPrefixesState is missing/,
      ],
    ] as const
  ).map(([how, edit, named]) => ({
    name: `the state ${how}: the row UNKNOWN and the field named, nothing paged`,
    edits: [edit],
    peering: { status: "unknown", detail: "public prefix validation not reported" },
    findings: ["monitoring-blind Sev3 you"],
    named,
  })),
  {
    name: "IPv6 enabled with its validation left out: IPv4 decides the row, IPv6 is said not reported and named",
    edits: [
      ipv6({
        state: "Enabled",
        microsoftPeeringConfig: { advertisedPublicPrefixes: ["2001:db8::/48"] },
      }),
    ],
    peering: {
      status: "up",
      detail: "IPv4 public prefixes validated; IPv6 public prefix validation not reported",
    },
    findings: ["monitoring-blind Sev3 you"],
    named: /ipv6PeeringConfig\.microsoftPeeringConfig\.advertisedPublicPrefixesState is missing/,
  },
  {
    name: "IPv6 enabled without its Microsoft configuration: the same",
    edits: [ipv6({ state: "Enabled" })],
    peering: {
      status: "up",
      detail: "IPv4 public prefixes validated; IPv6 public prefix validation not reported",
    },
    findings: ["monitoring-blind Sev3 you"],
    named: /ipv6PeeringConfig\.microsoftPeeringConfig\.advertisedPublicPrefixesState is missing/,
  },
  {
    name: "IPv6 Disabled with its validation left out: nothing to judge",
    edits: [ipv6({ state: "Disabled" })],
    peering: { status: "up", detail: "public prefixes validated" },
    findings: [],
  },
  {
    name: "IPv6 validationneeded in lower case beside IPv4 validated: IPv6's own Sev2",
    edits: [
      ipv6({
        state: "enabled",
        microsoftPeeringConfig: {
          advertisedPublicPrefixes: ["2001:db8::/48"],
          advertisedPublicPrefixesState: "validationneeded",
        },
      }),
    ],
    peering: {
      status: "warn",
      detail: "IPv4 public prefixes validated; IPv6 public prefixes ValidationNeeded",
    },
    findings: ["public-prefixes-not-validated Sev2 you"],
  },
];

describe("Microsoft peering public prefix validation as ARM may send it", () => {
  it.each(cases)("$name", async ({ edits, peering, findings, named }) => {
    const c0 = circuit();
    for (const edit of edits) editWire(c0, edit);
    const c = await diagnoseReport(estate, CIRCUIT);
    expect(row(c)).toEqual(peering);
    expect(
      c.findings
        .filter((f) => f.peering === MICROSOFT || f.code === "monitoring-blind")
        .map((f) => `${f.code} ${f.severity} ${f.owner}`),
    ).toEqual(findings);
    // The private peering beside it is judged as ever.
    expect(c.findings.filter((f) => f.peering === "AzurePrivatePeering")).toEqual([]);
    if (named)
      expect(c.failedReads).toEqual([
        expect.objectContaining({
          kind: "malformed",
          call: GET_CIRCUIT,
          message: expect.stringMatching(named),
        }),
      ]);
    else expect(c.failedReads).toEqual([]);
  });
});

describe("Microsoft peering receiving nothing while its validation is not reported", () => {
  // Microsoft accepts none of your prefixes on either path: that is read, not
  // unknown, so it pages Sev0 as any peering receiving nothing does. What is
  // unknown is why, and validation pending is the likeliest reason on a
  // Microsoft peering: the page names it instead of a bare "layer below
  // could not be read", before sending anyone to change their edge.
  it("Sev0 on both paths, the next action naming the validation state to read first", async () => {
    const c0 = circuit();
    editWire(c0, set(STATE, null));
    for (const path of ["primary", "secondary"] as const) setPrefixes(c0, MICROSOFT, path, 0);
    const c = await diagnoseReport(estate, CIRCUIT);
    const down = c.findings.filter((f) => f.peering === MICROSOFT);
    expect(down.map((f) => `${f.code} ${f.severity} ${f.owner} ${f.paths.join("+")}`)).toEqual([
      "no-prefixes-received Sev0 you primary+secondary",
    ]);
    expect(down[0]!.nextAction).toContain(
      "Microsoft's public prefix validation state was not reported: ValidationNeeded or Configuring would explain 0 prefixes received",
    );
    expect(down[0]!.nextAction).not.toContain("Layer(s) below could not be read");
  });
});
