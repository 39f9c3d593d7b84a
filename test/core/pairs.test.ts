import { describe, expect, it } from "vitest";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { Finding } from "../../src/core/model.js";
import {
  gradeForPair,
  siteStatusOfSnapshot,
  siteStatusOfVerdict,
  type PairContext,
  type SiteStatus,
} from "../../src/core/pairs.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import {
  CONNECTED_GATEWAY,
  circuitReading,
  failed,
  microsoftPeering,
  ok,
  type CircuitSpec,
} from "../support/readings.js";

const NOW = new Date("2026-11-22T02:00:00.000Z");
const POLICY = { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY };
const judge = (spec: CircuitSpec) =>
  evaluateCircuit(circuitReading(spec), null, [], [], POLICY, NOW);

const bothDown: CircuitSpec = {
  paths: {
    AzurePrivatePeering: {
      primary: { arp: "empty", bgp: "Idle" },
      secondary: { arp: "empty", bgp: "Idle" },
    },
  },
};
const noGateway: CircuitSpec = { gateway: ok([]) };
const oneDown: CircuitSpec = {
  paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } },
};

describe("site status of a circuit", () => {
  it.each([
    { name: "healthy", spec: {}, status: "carrying" },
    { name: "one path down", spec: oneDown, status: "carrying" },
    { name: "both paths down", spec: bothDown, status: "down" },
    { name: "provider de-provisioned", spec: { providerState: "NotProvisioned" }, status: "down" },
    { name: "not read", spec: { circuit: failed({ kind: "throttled" }) }, status: "unknown" },
    { name: "no gateway connection where one is expected", spec: noGateway, status: "down" },
    {
      name: "no gateway connection, none expected",
      spec: { ...noGateway, settings: { expectGateway: false } },
      status: "carrying",
    },
    {
      name: "its gateway connection NotConnected",
      spec: { gateway: ok([{ ...CONNECTED_GATEWAY[0]!, status: "NotConnected" }]) },
      status: "down",
    },
    {
      name: "its gateway connection reporting Unknown",
      spec: { gateway: ok([{ ...CONNECTED_GATEWAY[0]!, status: "Unknown" }]) },
      status: "carrying",
    },
    {
      name: "gateway connections not read",
      spec: { gateway: failed({ kind: "throttled" }) },
      status: "carrying",
    },
    {
      name: "gateway connections not read, a path unreadable, the other down",
      spec: {
        gateway: failed({ kind: "throttled" }),
        paths: {
          AzurePrivatePeering: {
            primary: { arp: failed({ kind: "forbidden" }), bgp: failed({ kind: "forbidden" }) },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      },
      status: "unknown",
    },
    {
      name: "private peering expected, missing; Microsoft peering up",
      spec: {
        peerings: [microsoftPeering("Configured")],
        settings: { expectedPeerings: ["AzurePrivatePeering", "MicrosoftPeering"] },
      },
      status: "down",
    },
    {
      name: "Microsoft peering alone, no private peering expected",
      spec: {
        peerings: [microsoftPeering("Configured")],
        settings: { expectedPeerings: ["MicrosoftPeering"] },
      },
      status: "unknown",
    },
    {
      name: "a path unreadable, the other down",
      spec: {
        paths: {
          AzurePrivatePeering: {
            primary: { arp: failed({ kind: "forbidden" }), bgp: failed({ kind: "forbidden" }) },
            secondary: { arp: "empty", bgp: "Idle" },
          },
        },
      },
      status: "unknown",
    },
  ] as { name: string; spec: CircuitSpec; status: SiteStatus }[])(
    "$name: $status",
    ({ spec, status }) => {
      const { verdict, snapshot } = judge(spec);
      expect(siteStatusOfVerdict(verdict)).toBe(status);
      // The same answer from what a later sweep reads back, while it is fresh.
      if (verdict.circuitRead)
        expect(siteStatusOfSnapshot(snapshot, NOW, 15 * 60_000)).toBe(status);
    },
  );

  it("a partner read too long ago proves nothing", () => {
    const { snapshot } = judge({});
    expect(siteStatusOfSnapshot(snapshot, new Date(NOW.getTime() + 16 * 60_000), 15 * 60_000)).toBe(
      "unknown",
    );
    expect(siteStatusOfSnapshot(null, NOW, 15 * 60_000)).toBe("unknown");
  });
});

describe("grading a circuit by its pair", () => {
  const traffic = () => judge(bothDown).verdict.findings;
  const pair = (...statuses: SiteStatus[]): PairContext => ({
    name: "ams",
    partners: statuses.map((status, i) => ({
      id: `/c/${i}`,
      name: `er-ams-${i + 2}`,
      status,
      traffic: "unknown" as const,
    })),
  });
  const brief = (fs: Finding[]) => fs.map((f) => `${f.code} ${f.severity}`);

  it("is Sev1, site redundancy holding, when the pair carries traffic", () => {
    const graded = gradeForPair(traffic(), pair("carrying"));
    expect(brief(graded)).toEqual(["arp-missing Sev1"]);
    expect(graded[0]!.title).toMatch(
      /site redundancy holding \(pair ams: er-ams-2 carrying traffic\)$/,
    );
    expect(graded[0]!.evidence.pair).toMatchObject({ name: "ams" });
  });

  it("stays Sev0 when both circuits of the pair are down", () => {
    const graded = gradeForPair(traffic(), pair("down"));
    expect(brief(graded)).toEqual(["arp-missing Sev0"]);
    expect(graded[0]!.title).toMatch(/both circuits of pair ams are down/);
  });

  it("stays Sev0, unverified, when the pair could not be read", () => {
    const graded = gradeForPair(traffic(), pair("unknown"));
    expect(brief(graded)).toEqual(["arp-missing Sev0"]);
    // Said of every partner not known to carry: not read, stale, read but
    // undecided, or without a private peering expected ("not read" was said
    // of all of them).
    expect(graded[0]!.title).toMatch(
      /site redundancy unverified \(pair [^:]+: [^)]+ not known to carry the site\)$/,
    );
  });

  // Only a whole-circuit loss is graded by the partners' private peering: it
  // carries nothing of another peering's traffic.
  it.each([
    {
      what: "the private peering's ARP gone on both paths",
      code: "arp-missing",
      peering: "AzurePrivatePeering",
      severity: "Sev1",
    },
    {
      what: "the private peering's BGP down on both paths",
      code: "bgp-down",
      peering: "AzurePrivatePeering",
      severity: "Sev1",
    },
    {
      what: "no prefixes on either private path",
      code: "no-prefixes-received",
      peering: "AzurePrivatePeering",
      severity: "Sev1",
    },
    {
      what: "the private peering, spelt in another case",
      code: "bgp-down",
      peering: "azureprivatepeering",
      severity: "Sev1",
    },
    {
      what: "the carrier's side de-provisioned",
      code: "provider-not-provisioned",
      peering: null,
      severity: "Sev1",
    },
    {
      what: "the private peering Disabled",
      code: "peering-disabled",
      peering: "AzurePrivatePeering",
      severity: "Sev1",
    },
    {
      what: "the private peering gone (there at an earlier sweep)",
      code: "peering-missing",
      peering: "AzurePrivatePeering",
      severity: "Sev1",
    },
    {
      what: "the Microsoft peering Disabled",
      code: "peering-disabled",
      peering: "MicrosoftPeering",
      severity: "Sev0",
    },
    {
      what: "the Microsoft peering's BGP down on both paths",
      code: "bgp-down",
      peering: "MicrosoftPeering",
      severity: "Sev0",
    },
    {
      what: "the Microsoft peering's ARP gone on both paths",
      code: "arp-missing",
      peering: "MicrosoftPeering",
      severity: "Sev0",
    },
  ] as { what: string; code: Finding["code"]; peering: string | null; severity: string }[])(
    "$what with a partner carrying: $severity",
    ({ code, peering, severity }) => {
      const finding = { ...traffic()[0]!, code, peering };
      const [graded] = gradeForPair([finding], pair("carrying"));
      expect(graded!.severity).toBe(severity);
      expect(/site redundancy holding/.test(graded!.title)).toBe(severity === "Sev1");
    },
  );

  it("leaves one path down, and circuits without a pair, as they are", () => {
    const single = judge(oneDown).verdict.findings;
    expect(gradeForPair(single, pair("carrying"))).toEqual(single);
    expect(gradeForPair(traffic(), null)).toEqual(traffic());
  });
});
