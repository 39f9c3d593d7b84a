// Evidence in words for the Teams card. The event's evidence is JSON written
// for machines (PagerDuty's custom_details and the webhook carry it whole);
// a person reading a phone gets sentences, without what the card's layer
// table already shows, and with the prefix trend lifted out as a fact.
//
// The event crossed a queue and its evidence is not re-validated there, so
// everything is read defensively: an unexpected shape falls back to plain
// "key: value" words, never to an exception.

import { bps } from "../../../core/dataplane/series.js";
import { escapeMarkdown } from "./markdown.js";
import { span, readerTime } from "./when.js";
import { isRecord } from "../../../core/record.js";
import { thousands } from "../../../core/text.js";

/** Keys the layer table already shows, or that the card turns into facts. */
const SHOWN_ELSEWHERE = new Set([
  "layers",
  "prefixes",
  "prefixLimit",
  "counts",
  "limit",
  "percent",
  "currentPrefixes",
  "trend",
  // The data plane: the impostors and an indeterminate monitor's reasons are in the next action.
  "impostors",
  "reasons",
]);

type Json = Record<string, unknown>;

/**
 * One line per piece of evidence. ARP rows are left to the carrier ticket when
 * there is one (it quotes them), so they are not printed twice; nor are the
 * keys the card's facts already show (`shownAsFacts`).
 */
export function evidenceLines(
  evidence: unknown,
  hasTicket: boolean,
  shownAsFacts: ReadonlySet<string> = new Set(),
): string[] {
  if (!isRecord(evidence)) return [];
  const lines: string[] = [];
  // An end-to-end failure's `failing` lines are its failing tests again, in
  // the sweep's words: `tests` says each, with what it measured, once.
  const testsSaid = Array.isArray(evidence.tests) && evidence.tests.length > 0;
  for (const [key, value] of Object.entries(evidence)) {
    if (SHOWN_ELSEWHERE.has(key) || shownAsFacts.has(key)) continue;
    if (value === null || value === undefined) continue;
    if (key === "arp" && hasTicket) continue;
    if (key === "failing" && testsSaid) continue;
    const special = SPECIAL[key]?.(value);
    if (special) lines.push(...special);
    else lines.push(`${words(key)}: ${plain(value)}`);
  }
  return lines;
}

/** A Global Reach connection's IPv6 has its own status: "Connected" alone hid IPv6 Disconnected. */
function connectionLine(c: Json): string {
  const status =
    c.status === null || c.status === undefined ? "status not reported" : plain(c.status);
  if (!isRecord(c.ipv6)) return `Connection ${plain(c.name)}: ${status}`;
  const v6 = c.ipv6.status;
  return `Connection ${plain(c.name)}: IPv4 ${status}, IPv6 ${v6 === null || v6 === undefined ? "status not reported" : plain(v6)}`;
}

const FIXED_BY: Record<string, string> = {
  carrier: "the carrier's",
  you: "yours",
  shared: "yours and the carrier's",
};

/** "2026-12-05 01:55 UTC", or null when it is not an instant (the event crossed a queue unchecked). */
function utcWhen(value: unknown): string | null {
  if (typeof value !== "string" || !Number.isFinite(Date.parse(value))) return null;
  return `${new Date(value).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * "Peer circuit er-p (behind gr-to-p): DOWN — both private paths down; the
 * carrier's to fix; read down at 2026-12-05 01:55 UTC, the sweep before (not
 * read in this one)". Printed as key/value pairs the line was the peer's
 * resource ids, "this sweep false" and a raw timestamp: which circuit, is it
 * down, and as of when, is what the reader needs to decide whose alert to follow.
 * When erwatch's history of the peer says since when it is down, the line
 * says "down since" that: the time of the read alone read as a peer just gone.
 */
function peerLine(peer: unknown): string {
  if (!isRecord(peer)) return `Peer circuit: ${plain(peer)}`;
  const name =
    typeof peer.name === "string" && peer.name !== "" ? peer.name : plain(peer.circuitId);
  const via = typeof peer.connection === "string" ? ` (behind ${peer.connection})` : "";
  const state = peer.state === "down" ? "DOWN" : peer.state === "up" ? "up" : plain(peer.state);
  const detail = typeof peer.detail === "string" && peer.detail !== "" ? ` — ${peer.detail}` : "";
  const whose = typeof peer.owner === "string" ? FIXED_BY[peer.owner] : undefined;
  const owner = peer.state === "down" && whose ? `; ${whose} to fix` : "";
  const at = utcWhen(peer.readAt);
  const since = peer.state === "down" ? utcWhen(peer.downSince) : null;
  const as =
    since !== null ? `down since ${since}, as read` : peer.state === "down" ? "read down" : "read";
  const when =
    at === null
      ? ""
      : peer.thisSweep === false
        ? `; ${as} at ${at}, an earlier sweep (not read in this one)`
        : `; ${as} at ${at}, this sweep`;
  return `Peer circuit ${name}${via}: ${state}${detail}${owner}${when}`;
}

const SPECIAL: Record<string, (value: unknown) => string[] | null> = {
  arp: (value) =>
    isRecord(value)
      ? Object.entries(value).map(([path, rows]) =>
          Array.isArray(rows) && rows.length > 0
            ? `ARP ${path}: ${rows.map(arpRow).join("; ")}`
            : `ARP ${path}: no entries`,
        )
      : null,
  neighbors: (value) =>
    isRecord(value)
      ? Object.entries(value).map(
          ([path, rows]) =>
            `BGP ${path}: ${Array.isArray(rows) && rows.length > 0 ? rows.map(neighborRow).join("; ") : "no neighbors"}`,
        )
      : null,
  bgpState: (value) => [`BGP state: ${plain(value)}`],
  failedReads: (value) => (Array.isArray(value) ? value.map(failedRead) : null),
  connections: (value) =>
    Array.isArray(value)
      ? value.length === 0
        ? ["Connections: none"]
        : value.map((c) => (isRecord(c) ? connectionLine(c) : plain(c)))
      : null,
  transitions: (value) =>
    Array.isArray(value)
      ? value.map((t) =>
          isRecord(t)
            ? `${plain(t.at)} ${plain(t.path)}: ${plain(t.from)} → ${plain(t.to)}`
            : plain(t),
        )
      : null,
  peers: (value) => (Array.isArray(value) ? value.map(peerLine) : null),
  // Keyed by connection name: as a key it was read as words ("gr-to-p" said "gr to p").
  connecting: (value) =>
    isRecord(value)
      ? Object.entries(value).map(([name, words]) => `Connection ${name}: ${plain(words)}`)
      : null,
  azureMonitor: (value) => (isRecord(value) ? [plain(value.detail)] : null),
  // Saturation's throughput per path: "Load primary: in 86% (860 Mbps), out 9% (90 Mbps); saturated in".
  load: (value) =>
    isRecord(value)
      ? Object.entries(value).map(([path, load]) => `Load ${path}: ${loadWords(load)}`)
      : null,
  endToEnd: (value) =>
    isRecord(value)
      ? [
          `End to end: ${plain(value.overall)}${value.explainedBy ? ` (explained by ${plain(value.explainedBy)})` : ""}`,
          ...(Array.isArray(value.tests) ? value.tests.map(testLine) : []),
        ]
      : null,
  tests: (value) => (Array.isArray(value) ? value.map(testLine) : null),
  failing: (value) =>
    Array.isArray(value) ? value.map((line) => `Failing: ${plain(line)}`) : null,
  drift: (value) =>
    Array.isArray(value)
      ? value.map((d) =>
          isRecord(d)
            ? `Drift: ${plain(d.field)} expected ${plain(d.expected)}, running ${plain(d.running)}`
            : plain(d),
        )
      : null,
  learnedRoutes: (value) =>
    Array.isArray(value)
      ? value.map((v) => (isRecord(v) ? `Learned routes: ${plain(v.verdict)}` : plain(v)))
      : null,
  // A fleet outage's members: one line each, not one run-on line of every field of every circuit.
  circuits: (value) => (Array.isArray(value) ? value.map(memberLine) : null),
  findings: (value) =>
    Array.isArray(value)
      ? value.map((f) => (isRecord(f) ? `Also ${plain(f.code)} (${plain(f.owner)})` : plain(f)))
      : null,
};

/** "Circuit er-ams-a: Sev0 provider-not-provisioned, primary and secondary". */
function memberLine(member: unknown): string {
  if (!isRecord(member)) return `Circuit ${plain(member)}`;
  const what = [member.severity, member.code]
    .filter((v): v is string => typeof v === "string" && v !== "")
    .join(" ");
  const paths = Array.isArray(member.paths) ? member.paths.map((p) => plain(p)).join(" and ") : "";
  const unread = member.unread === true ? " (as last seen; not read for this update)" : "";
  const said = [what, paths].filter((part) => part !== "").join(", ");
  return `Circuit ${plain(member.name ?? member.id)}${said ? `: ${said}` : ""}${unread}`;
}

/**
 * "Test g/t: a → b Fail, checks failed 100% (threshold 30%) — <why>": what it
 * measured and why it cannot be judged (stopped reporting, Log Analytics
 * ingesting late) or failed, as PagerDuty and the webhook carry them; without
 * them an Indeterminate line did not say which test stopped, or when.
 */
function testLine(test: unknown): string {
  if (!isRecord(test)) return plain(test);
  const on = (machine: unknown) => (typeof machine === "string" ? ` (${plain(machine)})` : "");
  const measured = (value: unknown, threshold: unknown, what: string, unit: string) =>
    typeof value === "number" && Number.isFinite(value)
      ? `, ${what} ${thousands(Math.round(value))}${unit}${typeof threshold === "number" ? ` (threshold ${thousands(threshold)}${unit})` : ""}`
      : "";
  const checks = measured(
    test.checksFailedPercent,
    test.checksFailedPercentThreshold,
    "checks failed",
    "%",
  );
  const round = measured(test.roundTripMs, test.roundTripThresholdMs, "RTT", " ms");
  const why = typeof test.reason === "string" && test.reason !== "" ? ` — ${test.reason}` : "";
  // Two monitors may each define a test of the same group and name.
  const monitor = typeof test.monitor === "string" && test.monitor !== "" ? `${test.monitor}/` : "";
  return `Test ${monitor}${plain(test.testGroup)}/${plain(test.test)}: ${plain(test.source)}${on(test.sourceMachine)} → ${plain(test.destination)}${on(test.destinationMachine)} ${plain(test.result)}${checks}${round}${why}`;
}

function arpRow(row: unknown): string {
  if (!isRecord(row)) return plain(row);
  const age = row.age === null || row.age === undefined ? "" : ` age ${plain(row.age)}`;
  return `${plain(row.interface)} ${plain(row.ipAddress)} ${plain(row.macAddress)}${age}`;
}

function neighborRow(row: unknown): string {
  if (!isRecord(row)) return plain(row);
  return `${plain(row.neighbor)} AS ${plain(row.as)} ${plain(row.statePfxRcd)} (up/down ${plain(row.upDown)})`;
}

function failedRead(read: unknown): string {
  if (!isRecord(read)) return `Failed read: ${plain(read)}`;
  const status = typeof read.statusCode === "number" ? `, HTTP ${read.statusCode}` : "";
  const missing = read.missingPermission ? `, missing ${plain(read.missingPermission)}` : "";
  return `Failed read ${plain(read.call)} (${plain(read.target)}): ${plain(read.kind)}${status}${missing}: ${plain(read.message)}`;
}

/** "in 86% (860 Mbps), out 9% (90 Mbps); saturated in", from what the sweep measured of one path. */
function loadWords(load: unknown): string {
  if (!isRecord(load)) return plain(load);
  const percent = isRecord(load.percent) ? load.percent : {};
  const rate = isRecord(load.bps) ? load.bps : {};
  const directions = (["in", "out"] as const).map((d) => {
    const share = typeof percent[d] === "number" ? `${percent[d]}%` : null;
    const speed = typeof rate[d] === "number" ? bps(rate[d]) : null;
    if (share !== null && speed !== null) return `${d} ${share} (${speed})`;
    return `${d} ${share ?? speed ?? "no data"}`;
  });
  const saturated =
    Array.isArray(load.saturated) && load.saturated.length > 0
      ? `; saturated ${load.saturated.map((d) => plain(d)).join(" and ")}`
      : "";
  return `${directions.join(", ")}${saturated}`;
}

/**
 * Acronyms and units as network engineers write them: lower-cased, "peerASN"
 * read "Peer asn" and "bandwidthMbps" "Bandwidth mbps".
 */
const SPELLED: Record<string, string> = {
  arp: "ARP",
  asn: "ASN",
  bgp: "BGP",
  gbps: "Gbps",
  id: "ID",
  ids: "IDs",
  ip: "IP",
  ipv4: "IPv4",
  ipv6: "IPv6",
  kbps: "kbps",
  mac: "MAC",
  mbps: "Mbps",
  ms: "ms",
  sku: "SKU",
  url: "URL",
  vlan: "VLAN",
};

/**
 * "serviceProviderProvisioningState" → "service provider provisioning state",
 * "peerASN" → "peer ASN"; `capital`: the first word capitalised, as a line begins.
 */
function words(key: string, capital = true): string {
  const spaced = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/[_-]+/g, " ");
  const said = spaced
    .split(" ")
    .filter((w) => w !== "")
    .map((w) => SPELLED[w.toLowerCase()] ?? w.toLowerCase());
  const first = said[0] ?? "";
  if (capital && first !== "" && SPELLED[first.toLowerCase()] === undefined)
    said[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return said.join(" ");
}

/** How deep nested evidence is written out; below it a value is only "…". */
const MAX_DEPTH = 3;

/**
 * A value as words: strings as they are, lists joined, objects as "key value"
 * pairs ("family ipv4, counts primary 3400 · secondary 3400, limit 4000"). A
 * nested object's pairs are joined by " · " (in parentheses one level further
 * down), so the reader can tell its pairs from its parent's; never JSON, whose
 * quotes and braces Teams showed escaped.
 */
function plain(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (depth >= MAX_DEPTH && typeof value === "object") return "…";
  if (Array.isArray(value))
    return value.length === 0 ? "none" : value.map((v) => plain(v, depth + 1)).join(", ");
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "none";
    const pairs = entries.map(([k, v]) => `${words(k, false)} ${plain(v, depth + 1)}`);
    if (depth === 0) return pairs.join(", ");
    return depth === 1 ? pairs.join(" · ") : `(${pairs.join(" · ")})`;
  }
  return String(value);
}

/**
 * The prefix trend as a sentence per path: how fast the count grows and when
 * it reaches the limit, relative to the event and in the reader's time zone.
 * Already Markdown (escaped, with DATE()/TIME() left live); null when the
 * evidence has no trend.
 */
export function trendMarkdown(evidence: unknown, occurredAt: string): string | null {
  if (!isRecord(evidence) || !isRecord(evidence.trend)) return null;
  const parts: string[] = [];
  for (const [key, trend] of Object.entries(evidence.trend)) {
    const path = escapeMarkdown(key);
    if (!isRecord(trend)) continue;
    const perHour = typeof trend.perHour === "number" ? trend.perHour : null;
    const at = typeof trend.reachesLimitAt === "string" ? trend.reachesLimitAt : null;
    if (perHour === null) {
      parts.push(`${path}: too few samples for a trend`);
    } else if (perHour <= 0 || at === null) {
      parts.push(`${path}: not growing (${signed(perHour)} an hour)`);
    } else {
      const inTime = span(occurredAt, at);
      const when = readerTime(at);
      // span() is unsigned: a projected time already behind the message read
      // "at the limit in about 27 min" for a time 27 minutes gone.
      const passed = Date.parse(at) <= Date.parse(occurredAt);
      parts.push(
        passed
          ? `${path}: ${signed(perHour)} prefixes an hour, projected to reach the limit ${inTime ?? "?"} before this message${when ? ` (${when})` : ""}`
          : `${path}: ${signed(perHour)} prefixes an hour, at the limit in about ${inTime ?? "?"}${when ? ` (${when})` : ""}`,
      );
    }
  }
  return parts.length > 0 ? parts.join("; ") : null;
}

function signed(n: number): string {
  return n > 0 ? `+${thousands(n)}` : thousands(n);
}
