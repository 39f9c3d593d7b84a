// Connection Monitor's verdict on traffic from on-premises to the workloads,
// localised with the layer table: a failure that a broken layer explains is
// that layer's alert (one alert, raised to the end-to-end severity if that is
// worse); a failure with every layer healthy points away from the circuit, to
// the impostors (gateway and connection, VNet route table, NSG / firewall,
// DNS, asymmetric routing).

import type { Finding, FindingCode, LayerCell, PathName, Severity } from "../model.js";
import { LAYERS, otherPath, PATHS } from "../model.js";
import { DIAGNOSE_CIRCUIT, sameName as same } from "../names.js";
import type { AddressFamily } from "../route-limits.js";
import { mostSevere } from "../severity.js";
import { LAYER_WORDS } from "../vocabulary.js";
import type { EndToEndFacts, EndToEndTest, MonitorRef, UnreadMonitor } from "./facts.js";
import { hhmm } from "./series.js";
import { ofMonitor, silentTests } from "./silent-tests.js";
import { endpointGone, ingestionWords, lateSilence, stoppedReporting } from "./stopped-tests.js";
import { unjudged, unreadMonitor, unreadWords } from "./unread-monitors.js";

export type Grade = "pass" | "warning" | "fail" | "indeterminate";

export interface EndToEndSummary {
  /** `none`: no Connection Monitor tests this circuit. */
  overall: Grade | "none";
  tests: (EndToEndTest & { grade: Grade })[];
  /**
   * Tests whose monitor no longer defines them (removed, renamed, group
   * disabled), or whose source or destination their group no longer names:
   * not judged.
   */
  gone: (EndToEndTest & { endpointGone?: NonNullable<ReturnType<typeof endpointGone>> })[];
  counts: Record<Grade, number>;
  monitors: string[];
  /** The window read, for "no results in the last N minutes". */
  minutes: number;
  /** Monitors none of whose results could be read: not judged, and the row is not "up". */
  unread: UnreadMonitor[];
  /**
   * Workspaces whose newest row of any monitor is older than a test's
   * frequency plus the ingestion allowance (Log Analytics ingesting late),
   * each with the words that say so and its tests left unjudged: the row is
   * not "up", and no endpoint is blamed.
   */
  late: { workspace: string; newest: string; words: string; tests: EndToEndTest[] }[];
  /**
   * Short of "up" only for those monitors, or for those workspaces: every
   * test judged passes and every monitor read sent something. The failed
   * read is monitoring-blind's then, with its remedy, and late ingestion is
   * Log Analytics'; e2e-indeterminate's (agents, listeners) would mislead,
   * and for late ingestion it opened on every circuit writing there at once.
   */
  onlyUnread: boolean;
  /** The window's end, the sweep's instant: the UTC day a time in the row is said against. */
  at: number;
}

export function gradeOf(result: string): Grade {
  switch (result.trim().toLowerCase()) {
    case "pass":
      return "pass";
    case "warning":
      return "warning";
    case "fail":
      return "fail";
    default:
      return "indeterminate";
  }
}

/**
 * Whether the test's monitor still defines it: an enabled test group of that
 * name listing that test configuration, or one of that name erwatch cannot
 * read. Known only when erwatch read the monitor's definition; a row whose
 * group or test could not be read is kept (it is judged Indeterminate and
 * says why). A test removed or renamed keeps its last rows in the look-back
 * for up to its length: those are no test.
 */
export function stillDefined(t: EndToEndTest, monitors: readonly MonitorRef[]): boolean {
  const defined = monitors.filter((m) => m.testGroups !== undefined && ofMonitor(m, t));
  if (defined.length === 0 || t.testGroup === "?" || t.test === "?") return true;
  return defined.some(
    (m) =>
      (m.testGroups ?? []).some(
        (g) => same(g.name, t.testGroup) && g.testConfigurations.some((c) => same(c, t.test)),
      ) ||
      // A group erwatch cannot read may still define it.
      (m.unreadGroups ?? []).some((g) => g.name === null || same(g.name, t.testGroup)),
  );
}

/**
 * Connection Monitor's own aggregation: Fail when every test that ran failed,
 * Warning when some did (or crossed a threshold), Indeterminate when the
 * monitor produced nothing to judge. Tests the monitor no longer defines are
 * left out, named apart; tests it defines that sent nothing are Indeterminate.
 */
export function summarise(facts: EndToEndFacts): EndToEndSummary {
  const gone: EndToEndSummary["gone"] = [];
  const kept: EndToEndTest[] = [];
  for (const t of facts.tests) {
    const endpoint = endpointGone(t, facts);
    if (!stillDefined(t, facts.monitors)) gone.push(t);
    else if (endpoint) gone.push({ ...t, endpointGone: endpoint });
    else kept.push(t);
  }
  const judged = [
    ...kept.map((t) => stoppedReporting(t, facts)),
    ...silentTests(facts).map((t) => lateSilence(t, facts)),
  ];
  const late = lateOf(
    judged.filter((t) => t.late),
    Date.parse(facts.to),
  );
  const tests = judged
    .filter((t) => !t.late)
    .map((t) => ({
      ...t,
      grade: gradeOf(t.result),
    }));
  const counts: Record<Grade, number> = { pass: 0, warning: 0, fail: 0, indeterminate: 0 };
  for (const t of tests) counts[t.grade] += 1;
  const ran = tests.length - counts.indeterminate;
  let overall: EndToEndSummary["overall"];
  const unread = unjudged(facts);
  if (facts.monitors.length === 0 && unread.length === 0) overall = "none";
  else if (ran > 0 && counts.fail === ran) overall = "fail";
  else if (counts.fail > 0 || counts.warning > 0) overall = "warning";
  else if (counts.indeterminate > 0 || tests.length === 0 || unread.length > 0 || late.length > 0)
    overall = "indeterminate";
  else overall = "pass";
  const minutes = Math.round((Date.parse(facts.to) - Date.parse(facts.from)) / 60_000);
  const monitors = [
    ...new Set([...facts.monitors.map((m) => m.name), ...unread.map((u) => u.monitor)]),
  ];
  const read = facts.monitors.filter((m) => !unreadMonitor(facts, m));
  const onlyUnread =
    overall === "indeterminate" &&
    counts.indeterminate === 0 &&
    read.every(
      (m) =>
        tests.some((t) => ofMonitor(m, t)) ||
        late.some((l) => l.tests.some((t) => ofMonitor(m, t))),
    );
  return {
    overall,
    tests,
    gone,
    counts,
    monitors,
    minutes,
    unread,
    late,
    onlyUnread,
    at: Date.parse(facts.to),
  };
}

/**
 * The workspaces Log Analytics ingests late, as the end-to-end row names
 * them, with how many minutes behind and how many tests wait on each.
 */
export function ingestionLate(
  facts: EndToEndFacts,
): { workspace: string; newest: string; minutes: number; tests: number }[] {
  const now = Date.parse(facts.to);
  return summarise(facts).late.map((l) => ({
    workspace: l.workspace,
    newest: l.newest,
    minutes: Math.floor((now - Date.parse(l.newest)) / 60_000),
    tests: l.tests.length,
  }));
}

/** The late tests by workspace, with since when it has ingested nothing. */
function lateOf(tests: EndToEndTest[], now: number): EndToEndSummary["late"] {
  const out: EndToEndSummary["late"] = [];
  for (const t of tests) {
    const { workspace, newest } = t.ingested!;
    const held = out.find((l) => same(l.workspace, workspace));
    if (held) held.tests.push(t);
    else out.push({ workspace, newest, words: "", tests: [t] });
  }
  for (const l of out)
    l.words = `${ingestionWords(l, now)}: ${l.tests.length === 1 ? "1 test" : `${l.tests.length} tests`} not judged until it catches up`;
  return out;
}

/** What was not judged, and why: monitors not read, workspaces ingesting late. */
function apartWords(summary: EndToEndSummary): string[] {
  return [
    ...(summary.unread.length > 0 ? [unreadWords(summary.unread, summary.at)] : []),
    ...summary.late.map((l) => l.words),
  ];
}

function rtt(tests: EndToEndSummary["tests"]): string {
  const values = tests.map((t) => t.roundTripMs).filter((v): v is number => v !== null);
  return values.length === 0 ? "" : ` (RTT ≤ ${Math.round(Math.max(...values))} ms)`;
}

export function endToEndCell(summary: EndToEndSummary, explainedBy: string | null): LayerCell {
  const { counts, tests } = summary;
  const apart = apartWords(summary);
  const unread = apart.length > 0 ? `; ${apart.join("; ")}` : "";
  const because = `${explainedBy ? `; explained by ${explainedBy}` : ""}${unread}`;
  const passing = counts.pass === 1 ? "1 test passes" : `${counts.pass} tests pass`;
  if (summary.onlyUnread)
    return {
      status: "unknown",
      detail: `${apart.join("; ")}${tests.length > 0 ? `; ${passing}${rtt(tests)}` : ""}`,
    };
  switch (summary.overall) {
    case "none":
      return { status: "n/a", detail: "no Connection Monitor tests this circuit" };
    case "pass":
      return {
        status: "up",
        detail: `${passing}${rtt(tests)}`,
      };
    case "fail":
      return { status: "down", detail: `Fail: ${counts.fail} of ${tests.length} tests${because}` };
    case "warning":
      return {
        status: "warn",
        detail: `Warning: ${counts.fail + counts.warning} of ${tests.length} tests${because}`,
      };
    case "indeterminate":
      return {
        status: "unknown",
        detail: `${
          tests.every((t) => t.silent)
            ? `Indeterminate: no results in the last ${summary.minutes} min`
            : unwatched(summary)
              ? `Indeterminate: no results since ${hhmm(lastHeard(summary))} UTC${silentWords(summary)}`
              : `Indeterminate: ${counts.indeterminate} of ${tests.length} tests${silentWords(summary)}`
        }${unread}`,
      };
  }
}

/** How many of the tests sent nothing in the window, and how many stopped partway through it. */
function silentWords(summary: EndToEndSummary): string {
  const silent = summary.tests.filter((t) => t.silent).length;
  const stopped = summary.tests.flatMap((t) => (t.stoppedAt ? [Date.parse(t.stoppedAt)] : []));
  const words = [
    ...(silent > 0 ? [`${silent} with no result in the last ${summary.minutes} min`] : []),
    ...(stopped.length === 1 ? [`1 stopped reporting at ${hhmm(stopped[0]!)} UTC`] : []),
    ...(stopped.length > 1
      ? [`${stopped.length} stopped reporting from ${hhmm(Math.min(...stopped))} UTC`]
      : []),
  ];
  return words.length === 0 ? "" : ` (${words.join(", ")})`;
}

/** Every test sent nothing lately: none in the window, or none since it stopped. */
const unwatched = (summary: EndToEndSummary) =>
  summary.tests.length > 0 && summary.tests.every((t) => t.silent || t.stoppedAt);

/** When the last of the tests that stopped reporting did. */
const lastHeard = (summary: EndToEndSummary) =>
  Math.max(...summary.tests.flatMap((t) => (t.stoppedAt ? [Date.parse(t.stoppedAt)] : [])));

const E2E_SEVERITY: Record<"fail" | "warning" | "indeterminate", Severity> = {
  fail: "Sev1",
  warning: "Sev2",
  indeterminate: "Sev3",
};

/** An IPv6 literal, a port after it allowed: hex groups and at least two colons. */
const IPV6 = /^[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*$/i;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}(:\d+)?$/;

/** The family of an address as Connection Monitor writes it ("10.1.0.4:443", "[fd00::4]:443"); null for a name. */
export function familyOfAddress(text: string | null | undefined): AddressFamily | null {
  const t = (text ?? "").trim();
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(t);
  if (bracketed) return IPV6.test(bracketed[1]!) ? "ipv6" : null;
  if (IPV4.test(t)) return "ipv4";
  return IPV6.test(t) ? "ipv6" : null;
}

/**
 * The family a test runs over: its destination's address, else its source's
 * (both ends of a test speak one family), as Log Analytics wrote them, else
 * as their names read; null when only names were given.
 */
export function testFamily(t: EndToEndTest): AddressFamily | null {
  return (
    familyOfAddress(t.destinationAddress) ??
    familyOfAddress(t.sourceAddress) ??
    familyOfAddress(t.destination) ??
    familyOfAddress(t.source)
  );
}

/**
 * Whether a finding's condition is IPv6's alone: an IPv6 session down, or
 * receiving nothing, while IPv4 carries on that path (its own finding, never
 * the path's lowest layer). IPv4 down stops IPv6 too unless IPv6 carries
 * beside it (familiesStopped).
 */
export function ipv6Only(f: Finding): boolean {
  return f.addressFamily === "ipv6" || f.evidence.family === "ipv6";
}

/** The codes of a path down, at whichever of its layers. */
export const PATH_DOWN_CODES: readonly FindingCode[] = [
  "arp-missing",
  "bgp-down",
  "no-prefixes-received",
];

const BOTH: readonly AddressFamily[] = ["ipv4", "ipv6"];

/** The families a test may run over: its own when its addresses tell, else either. */
function familiesOf(t: EndToEndTest): readonly AddressFamily[] {
  const family = testFamily(t);
  return family ? [family] : BOTH;
}

/**
 * Whether a finding is IPv4's outage alone on some of its paths: IPv4's
 * session down or receiving nothing there while IPv6 carries beside it.
 */
export function ipv4Only(f: Finding, ipv6CarriesOn: readonly PathName[]): boolean {
  return (
    (f.code === "bgp-down" || f.code === "no-prefixes-received") &&
    !ipv6Only(f) &&
    f.paths.some((p) => ipv6CarriesOn.includes(p))
  );
}

/**
 * The address families a path-down finding stops on one of its paths. Layer 2
 * down stops both. An outage of IPv6 alone stops only IPv6. IPv4's session
 * down (or receiving nothing) is the path down for both, unless IPv6 carries
 * on that path: then IPv6 traffic still flows there.
 */
export function familiesStopped(
  f: Finding,
  path: PathName,
  ipv6CarriesOn: readonly PathName[],
): AddressFamily[] {
  if (!f.paths.includes(path) || !PATH_DOWN_CODES.includes(f.code)) return [];
  if (f.code === "arp-missing") return ["ipv4", "ipv6"];
  if (ipv6Only(f)) return ["ipv6"];
  return ipv6CarriesOn.includes(path) ? ["ipv4"] : ["ipv4", "ipv6"];
}

export interface TestsStopped {
  /** The paths on which every family the failing tests may run over is stopped. */
  paths: PathName[];
  /** The path-down findings that stop them, each on every path it covers. */
  by: Finding[];
}

/**
 * Where the peering's path-down findings stop the failing tests' traffic. A
 * test's family is read from its addresses; a test known only by name may run
 * over either, so only an outage of both families stops it: an outage of one
 * family must never hide a failure of the other behind its alert.
 */
export function testsStopped(
  findings: Finding[],
  peering: string | null,
  failing: EndToEndTest[],
  ipv6CarriesOn: readonly PathName[],
): TestsStopped {
  const downs = findings.filter(
    (f) => peering !== null && same(f.peering, peering) && PATH_DOWN_CODES.includes(f.code),
  );
  const needed = [...new Set(failing.length > 0 ? failing.flatMap(familiesOf) : BOTH)];
  const stops = (f: Finding, p: PathName) =>
    familiesStopped(f, p, ipv6CarriesOn).some((family) => needed.includes(family));
  const paths = PATHS.filter((p) =>
    needed.every((family) =>
      downs.some((f) => familiesStopped(f, p, ipv6CarriesOn).includes(family)),
    ),
  );
  const by = downs.filter(
    (f) => f.paths.every((p) => paths.includes(p)) && f.paths.some((p) => stops(f, p)),
  );
  return { paths, by };
}

/**
 * The findings of the other layers that stop the failing tests' traffic over
 * the peering the tests ride: the circuit's, and that peering's (missing or
 * disabled included, so it is named even when the circuit no longer lists it).
 */
export function explainers(
  findings: Finding[],
  peering: string | null,
  failing: EndToEndTest[],
  ipv6CarriesOn: readonly PathName[],
): Finding[] {
  const onPeering = (f: Finding) => peering !== null && same(f.peering, peering);
  // The circuit itself broken stops every peering on it.
  const out = findings.filter(
    (f) => f.code === "provider-not-provisioned" || f.code === "circuit-not-enabled",
  );
  out.push(
    ...findings.filter(
      (f) =>
        onPeering(f) &&
        (f.code === "peering-missing" ||
          f.code === "peering-disabled" ||
          f.code === "gateway-not-connected" ||
          (f.code === "traffic-stopped" && f.paths.length === 2)),
    ),
  );
  // Path-down codes may differ per path (layer 2 on one, BGP on the other): together they stop traffic.
  const stopped = testsStopped(findings, peering, failing, ipv6CarriesOn);
  if (stopped.paths.length === PATHS.length) out.push(...stopped.by);
  // Traffic stopped on one path while the other carries nothing either (quiet, or down for
  // every family the failing tests may run over): nothing carries the peering, and the
  // stop is why the tests fail. Left apart, the same incident paged a second Sev1
  // (e2e-fail "redundancy is not carrying the traffic") beside the traffic-stopped Sev1.
  const downOn = (path: PathName) =>
    findings.some(
      (f) => onPeering(f) && PATH_DOWN_CODES.includes(f.code) && f.paths.includes(path),
    );
  out.push(
    ...findings.filter((f) => {
      if (!onPeering(f) || f.code !== "traffic-stopped" || f.paths.length !== 1) return false;
      if (f.evidence["nothingCarries"] !== true) return false;
      const beside = otherPath(f.paths[0]!);
      return !downOn(beside) || stopped.paths.includes(beside);
    }),
  );
  return [...out].sort((a, b) => LAYERS.indexOf(a.layer) - LAYERS.indexOf(b.layer));
}

function testLine(t: EndToEndSummary["tests"][number]): string {
  const checks =
    t.checksFailedPercent === null
      ? ""
      : `, checks failed ${t.checksFailedPercent}%${t.checksFailedPercentThreshold === null ? "" : ` (threshold ${t.checksFailedPercentThreshold}%)`}`;
  const round =
    t.roundTripMs === null
      ? ""
      : `, RTT ${Math.round(t.roundTripMs)} ms${t.roundTripThresholdMs === null ? "" : ` (threshold ${t.roundTripThresholdMs} ms)`}`;
  const on = (machine: string | undefined) => (machine ? ` (${machine})` : "");
  return `${t.monitor}/${t.testGroup}/${t.test}: ${t.source}${on(t.sourceMachine)} → ${t.destination}${on(t.destinationMachine)} ${t.result}${checks}${round}${t.reason ? ` — ${t.reason}` : ""}`;
}

export function evidenceOf(summary: EndToEndSummary): Record<string, unknown> {
  return {
    overall: summary.overall,
    monitors: summary.monitors,
    counts: summary.counts,
    windowMinutes: summary.minutes,
    tests: summary.tests.map((t) => ({
      monitor: t.monitor,
      testGroup: t.testGroup,
      test: t.test,
      result: t.result,
      source: t.source,
      destination: t.destination,
      ...(t.sourceMachine ? { sourceMachine: t.sourceMachine } : {}),
      ...(t.destinationMachine ? { destinationMachine: t.destinationMachine } : {}),
      checksFailedPercent: t.checksFailedPercent,
      checksFailedPercentThreshold: t.checksFailedPercentThreshold,
      roundTripMs: t.roundTripMs,
      roundTripThresholdMs: t.roundTripThresholdMs,
      at: t.at,
      ...(t.reason ? { reason: t.reason } : {}),
      ...(t.silent ? { silent: true } : {}),
      ...(t.stoppedAt ? { stoppedAt: t.stoppedAt } : {}),
    })),
    ...(summary.late.length > 0
      ? {
          ingestionLate: summary.late.map((l) => ({
            workspace: l.workspace,
            newest: l.newest,
            said: l.words,
            tests: l.tests.map(
              (t) =>
                `${t.monitor}/${t.testGroup}/${t.test}: ${t.source} → ${t.destination} — ${t.reason}`,
            ),
          })),
        }
      : {}),
    ...(summary.unread.length > 0
      ? {
          unread: summary.unread.map((u) => ({
            monitor: u.monitor,
            call: u.failure.call,
            target: u.failure.target,
            kind: u.failure.kind,
            message: u.failure.message,
          })),
        }
      : {}),
    ...(summary.gone.length > 0
      ? {
          notDefined: summary.gone.map((t) =>
            t.endpointGone
              ? `${t.monitor}/${t.testGroup}/${t.test}: ${t.source} → ${t.destination} ${t.result} at ${t.at}, its ${t.endpointGone.side} ${t.endpointGone.endpoint} no longer in the test group (not judged)`
              : `${t.monitor}/${t.testGroup}/${t.test}: ${t.result} at ${t.at}, no longer defined by the monitor (not judged)`,
          ),
        }
      : {}),
  };
}

/** Fold the end-to-end result into the finding of the layer that explains it. */
export function foldInto(explainer: Finding, summary: EndToEndSummary): Finding {
  const grade = summary.overall as "fail" | "warning";
  const severity = mostSevere([explainer.severity, E2E_SEVERITY[grade]]) ?? explainer.severity;
  const failing = summary.tests.filter((t) => t.grade === "fail" || t.grade === "warning");
  return {
    ...explainer,
    severity,
    evidence: {
      ...explainer.evidence,
      endToEnd: { ...evidenceOf(summary), explainedBy: explainer.code },
    },
    nextAction: `${explainer.nextAction} End-to-end tests fail too (${failing.length} of ${summary.tests.length}, Connection Monitor ${summary.monitors.join(", ")}): this layer is why; they need no separate action.`,
  };
}

/** Words for the impostors, in the order to check them. */
export const IMPOSTOR_CHECKS = [
  `the gateway and its connection (ARM reads Connected, but is the gateway healthy and learning the on-prem routes? \`${DIAGNOSE_CIRCUIT}\` reads its learned routes)`,
  "the VNet route table (a user-defined route or a 0.0.0.0/0 to a firewall that overrides the on-prem prefixes)",
  "NSGs and firewalls on the test's port between source and destination",
  "DNS, when the destination is a name (resolves by IP but not by name?)",
  "asymmetric routing (a VPN or second circuit advertising the same prefixes; stateful devices drop the return half)",
];

export interface UnexplainedContext {
  circuitName: string;
  peering: string | null;
  /** Paths down at some layer though the other holds (redundancy should carry the traffic). */
  singlePathDown: { path: PathName; code: string }[];
  /** Notes on the peering, e.g. a prefix-count asymmetry between the paths. */
  notes: string[];
  /**
   * The circuit's other findings, none of which stops this traffic: with any
   * open the circuit does not read healthy, and the finding must not say so.
   */
  open: Finding[];
  /** The paths of the tests' peering on which IPv6 carries (ipv6Carries). */
  ipv6CarriesOn: PathName[];
}

/** A finding open beside the failure, in a few words: what it is, of which family, and where. */
function openWords(f: Finding, ipv6CarriesOn: readonly PathName[]): string {
  const of = ipv6Only(f) ? " (IPv6)" : ipv4Only(f, ipv6CarriesOn) ? " (IPv4)" : "";
  const where = f.peering ? ` on ${f.peering}` : "";
  const paths = f.peering && f.paths.length === 1 ? ` ${f.paths[0]}` : "";
  return `${f.code}${of}${where}${paths}`;
}

export function endToEndFinding(summary: EndToEndSummary, ctx: UnexplainedContext): Finding | null {
  if (summary.overall === "none" || summary.overall === "pass") return null;
  // A read that failed is monitoring-blind's, with its remedy; the tests' reasons (agents, listeners) are not it.
  if (summary.onlyUnread) return null;
  const grade = summary.overall;
  const base = {
    layer: "endToEnd" as const,
    owner: "you" as const,
    severity: E2E_SEVERITY[grade],
    peering: ctx.peering,
    paths: [...PATHS],
    evidence: evidenceOf(summary),
  };
  if (grade === "indeterminate") {
    const blind = summary.tests.filter((t) => t.grade === "indeterminate");
    return {
      ...base,
      code: "e2e-indeterminate",
      title: summary.tests.every((t) => t.silent)
        ? `Connection Monitor ${summary.monitors.join(", ")} reported nothing for ${ctx.circuitName} in the last ${summary.minutes} min${summary.gone.length > 0 ? ` of the tests it defines now (the rows of ${summary.gone.length === 1 ? "1 test" : `${summary.gone.length} tests`} it no longer defines left out)` : ""}: end-to-end is unwatched`
        : unwatched(summary)
          ? `Connection Monitor ${summary.monitors.join(", ")} has reported nothing for ${ctx.circuitName} since ${hhmm(lastHeard(summary))} UTC${silentWords(summary)}: end-to-end is unwatched`
          : `Connection Monitor cannot judge ${blind.length} of ${summary.tests.length} tests for ${ctx.circuitName}${silentWords(summary)}: end-to-end is partly unwatched`,
      evidence: {
        ...base.evidence,
        reasons: [
          ...(summary.tests.some((t) => t.stoppedAt)
            ? [
                "a source or destination that stopped reporting when its rows stopped: its agent stopped, its server or VM shut down or deallocated",
              ]
            : []),
          "the Azure Monitor agent is not running on the on-premises source",
          "the TCP listener is not started on the test port",
          "the Network Watcher extension is still installing on the Azure VMs",
          "a monitor created less than 10 minutes ago has no first result yet",
        ],
      },
      nextAction:
        "The monitor is blind, not the circuit: on the on-premises servers check that the Azure Monitor agent runs and the TCP listener is started on the test port; on the Azure VMs that the Network Watcher extension finished installing. A new monitor needs up to 10 minutes for its first result.",
    };
  }
  const failing = summary.tests.filter((t) => t.grade === "fail" || t.grade === "warning");
  const lines = failing.map(testLine);
  const single = ctx.singlePathDown;
  const words = (f: Finding) => openWords(f, ctx.ipv6CarriesOn);
  const open = [...new Set(ctx.open.map(words))];
  const where =
    single.length > 0
      ? `while only the ${single.map((s) => `${s.path} path (${s.code})`).join(", ")} is down: redundancy is not carrying the traffic`
      : open.length > 0
        ? `while nothing open on the circuit explains it (${open.join(", ")}): look past the circuit`
        : "while every layer of the circuit reads healthy: look past the circuit";
  const checks = IMPOSTOR_CHECKS.map((c, i) => `(${i + 1}) ${c}`).join("; ");
  // Said when the family rule, not the facts, kept an outage of one family from explaining it.
  const unaddressed = failing.filter((t) => testFamily(t) === null);
  // One test run from several machines is named once.
  const named = (tests: EndToEndTest[]) =>
    [...new Set(tests.map((t) => `${t.testGroup}/${t.test}`))].join(", ");
  const downsOf = (only: (f: Finding) => boolean) => [
    ...new Set(ctx.open.filter((f) => PATH_DOWN_CODES.includes(f.code) && only(f)).map(words)),
  ];
  const ipv6Downs = downsOf(ipv6Only);
  const ipv4Downs = downsOf((f) => ipv4Only(f, ctx.ipv6CarriesOn));
  const overIpv6 = failing.filter((t) => testFamily(t) === "ipv6");
  const overIpv4 = failing.filter((t) => testFamily(t) === "ipv4");
  const carries = ctx.ipv6CarriesOn;
  const carriesOn = `IPv6 carries on the ${carries.join(" and ")} path${carries.length > 1 ? "s" : ""}`;
  const familyNote = [
    ...(ipv4Downs.length > 0 && overIpv6.length > 0
      ? [
          ` ${carriesOn} (IPv6 sessions Established with prefixes received), so ${ipv4Downs.join(", ")} does not stop the tests addressed in IPv6 (${named(overIpv6)})${overIpv4.length > 0 ? `; it is why those addressed in IPv4 fail (${named(overIpv4)})` : ""}.`,
        ]
      : []),
    ...(ipv6Downs.length > 0 && unaddressed.length > 0
      ? [
          ` erwatch cannot tell the address family of tests known only by name (${named(unaddressed)}): if they run over IPv6, ${ipv6Downs.join(", ")} is why. They stay apart so that an IPv4 outage cannot hide behind it.`,
        ]
      : []),
    ...(ipv4Downs.length > 0 && unaddressed.length > 0
      ? [
          ` erwatch cannot tell the address family of tests known only by name (${named(unaddressed)}): if they run over IPv4, ${ipv4Downs.join(", ")} is why. ${carriesOn}: they stay apart so that an IPv6 failure cannot hide behind it.`,
        ]
      : []),
  ].join("");
  return {
    ...base,
    code: grade === "fail" ? "e2e-fail" : "e2e-warning",
    title:
      grade === "fail"
        ? `End-to-end tests fail over ${ctx.circuitName} ${where}`
        : `End-to-end tests degraded over ${ctx.circuitName} (${failing.length} of ${summary.tests.length}) ${where}`,
    evidence: {
      ...base.evidence,
      failing: lines,
      impostors: IMPOSTOR_CHECKS,
      ...(single.length > 0 ? { singlePathDown: single } : {}),
      ...(ctx.notes.length > 0 ? { notes: ctx.notes } : {}),
      ...(open.length > 0 ? { openOnCircuit: open } : {}),
    },
    nextAction:
      single.length > 0
        ? `One path is down and the other should carry everything, yet the tests fail: check that on-premises and Azure prefer the surviving path in both directions (route preference, AS-path prepending, a VPN advertising the same prefixes).${familyNote} Then: ${checks}.`
        : open.length > 0
          ? `What is open on the circuit (${open.join(", ")}) is its own alert and does not explain these tests.${familyNote} Check, in order: ${checks}.`
          : `Not the circuit: every layer reads healthy. Check, in order: ${checks}.`,
  };
}

export function explainedByWords(explainer: Finding): string {
  const paths = explainer.paths.length === 2 ? "both paths" : explainer.paths.join(" and ");
  return `${LAYER_WORDS[explainer.layer].label} (${explainer.code}${explainer.peering ? `, ${paths}` : ""})`;
}
