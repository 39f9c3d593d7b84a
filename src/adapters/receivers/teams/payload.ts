// The Teams card: facts first, short, readable on a phone at 2 a.m. — what
// broke, which path, whose problem, what to do, since when — then the details
// (circuit facts, the layer table, evidence in words, the carrier ticket).
// Pure: everything comes in as arguments.
//
// Teams Workflows webhooks take an Adaptive Card (≤ 1.4) in a message
// envelope and reject messages over about 28 KB, so evidence and the carrier
// ticket are shortened with a visible marker when they would not fit. A
// compact card (no layer table, evidence or ticket) is what the sender posts
// when Teams refuses the full one as too large anyway.
//
// Every string that came from Azure (names, provider, location, details,
// messages) or from the event is Markdown-escaped; only erwatch's own labels
// and the DATE()/TIME() functions are written as Markdown.

import type { AlertEvent } from "../../../core/alert-event.js";
import type { AlertAction, BlindCause, PathName, Severity } from "../../../core/model.js";
import { BLIND_NOTICE } from "../../../core/blind-notice.js";
import { CHANGED, WIDER } from "../../../core/lifecycle.js";
import { safeCut, truncate } from "../../../core/text.js";
import { LAYER_WORDS, OWNER_WORDS } from "../../../core/vocabulary.js";
import {
  blindLookAt,
  blindness,
  blindNow,
  blindWhat,
  changeWithoutTitle,
  dataPlaneBlind,
  LAST_FIRING,
  LAST_TOLD,
  NO_DATA_PLANE_READING,
  providerAt,
  resolvedNow,
} from "../alert-words.js";
import { carrierTicket } from "../carrier-ticket.js";
import { alertLinks, type LinkOptions } from "../links.js";
import { alertSubject } from "../subject.js";
import { evidenceLines, trendMarkdown } from "./evidence.js";
import { layerTable, text, type Element } from "./layer-table.js";
import { escapeMarkdown } from "./markdown.js";
import { readerTime, spanBefore } from "./when.js";

/**
 * Teams' limit is "about 28 KB" of what it stores, not of the request: a
 * Workflows flow counted a 24,453-byte request as 28,897 bytes of message
 * properties against 28,672 (MicrosoftDocs/msteams-docs#11274), and failed
 * after answering 202, where erwatch cannot see it. A legacy connector has
 * refused smaller ones with 413. 20,000 bytes of request stays under both by
 * a margin; a 413 all the same gets the compact card (sender.ts).
 */
export const TEAMS_MAX_MESSAGE_BYTES = 20_000;

// Caps for the free-text fields so evidence and ticket always have room left.
const MAX_HEADLINE = 600;
const MAX_SENTENCE = 2_000;
const MAX_FACT = 500;

export type TeamsMessageOptions = LinkOptions & {
  /**
   * Teams refused the full card as too large: what broke, where, whose, what
   * to do, the circuit's facts and the buttons; the layer table, evidence and
   * ticket left out, saying so.
   */
  compact?: boolean;
};

/**
 * Where the compact card sends a reader for what it left out: only what the
 * full card would have shown (a fleet outage has no layer table, a you-owned
 * alert no ticket), and a site's or a subscription's reading is no one
 * circuit's.
 */
export function leftOut(event: AlertEvent): string {
  const ticket = carrierTicket(event) !== null;
  const parts = [
    ...(event.layerTable ? ["layer table"] : []),
    ...(evidenceLines(event.evidence, ticket, factKeys(event)).length > 0 ? ["evidence"] : []),
    ...(ticket ? ["carrier ticket"] : []),
  ];
  const what = parts.length === 0 ? "details" : listed(parts);
  const where = [
    wholeReading(event),
    `PagerDuty and webhook receivers have ${parts.length > 1 ? "them" : "it"}`,
  ].filter((part) => part !== null);
  return `${what.charAt(0).toUpperCase()}${what.slice(1)} left out: the full card is too large for Teams. ${where.join("; ")}.`;
}

/** Where the whole of a circuit's reading is printed; a subscription that cannot be listed has none. */
function wholeReading(event: AlertEvent): string | null {
  switch (alertSubject(event).kind) {
    case "site":
      return "erwatch diagnose <circuit> prints each circuit's whole reading";
    case "subscription":
      return null;
    case "circuit":
      return "erwatch diagnose prints the circuit's whole reading";
  }
}

/** "a", "a and b", "a, b and c". */
function listed(parts: string[]): string {
  return parts.length === 1
    ? parts[0]!
    : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]!}`;
}

export function buildTeamsMessage(event: AlertEvent, options: TeamsMessageOptions = {}): object {
  if (options.compact) return envelope(buildCard(event, options, "", null, false));
  const shown = carrierTicket(event);
  const evidence = evidenceLines(event.evidence, shown !== null, factKeys(event)).join("\n");
  const ticket = shown ?? "";
  const whole = wholeReading(event) ?? "PagerDuty and webhook receivers have all of it";
  const render = (keep: number) =>
    envelope(
      buildCard(
        event,
        options,
        shorten(evidence, keep, whole),
        shown === null ? null : shorten(ticket, keep, whole),
      ),
    );

  const full = render(Infinity);
  if (size(full) <= TEAMS_MAX_MESSAGE_BYTES) return full;
  // Largest per-block character allowance that fits: the shorter block stays
  // whole, the longer one gives up the rest.
  let low = 0;
  let high = Math.max(evidence.length, ticket.length);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size(render(mid)) <= TEAMS_MAX_MESSAGE_BYTES) low = mid;
    else high = mid - 1;
  }
  const cut = render(low);
  // Even without evidence and ticket the card can pass the limit (a layer
  // table of many peerings, long names in a script of three bytes a
  // character): sent as it is, Workflows would drop it after its 202.
  return size(cut) <= TEAMS_MAX_MESSAGE_BYTES
    ? cut
    : envelope(buildCard(event, options, "", null, false));
}

function envelope(card: Element): object {
  return {
    type: "message",
    attachments: [
      { contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card },
    ],
  };
}

function size(message: object): number {
  return Buffer.byteLength(JSON.stringify(message), "utf8");
}

function buildCard(
  event: AlertEvent,
  options: TeamsMessageOptions,
  evidence: string,
  ticket: string | null,
  full = true,
): Element {
  const blind = blindness(event);
  const body: Element[] = [
    header(event, blind !== null),
    ...(blind ? [blindFacts(event, blind, options, evidence !== "", ticket !== null)] : []),
    ...factsFirst(event, blind !== null),
    details(event),
    // A blind notice's table is the reading that failed, not the incident's
    // last one; a resolve's is the reading that resolved it, unlike its evidence.
    ...(full
      ? layerTable(
          event,
          blind
            ? blind.cause === null
              ? " as read now: UNKNOWN is what erwatch cannot read, not a recovery"
              : // The layers read: what is lost is the history judging them.
                " as read now (the layers read; their history does not)"
            : event.action === "resolve"
              ? " now"
              : "",
        )
      : [text(escapeMarkdown(leftOut(event)), { spacing: "Large", isSubtle: true })]),
  ];
  if (evidence !== "") {
    const heading = blind
      ? lastSeen("Evidence", blind.since)
      : event.action === "resolve"
        ? `Evidence ${LAST_FIRING}`
        : "Evidence";
    body.push(
      text(heading, {
        weight: "Bolder",
        spacing: "Large",
      }),
    );
    body.push(
      ...evidence.split("\n").map((line) => text(escapeMarkdown(line), { spacing: "Small" })),
    );
  }
  if (ticket !== null) {
    const subject = alertSubject(event);
    const provider = escapeMarkdown(
      (subject.kind === "site" ? subject.provider : event.circuit.serviceProviderName) ??
        "the carrier",
    );
    // On a resolve the ticket is the record of what was broken, not a call to open one.
    const use =
      event.action === "resolve"
        ? `for reference: the fault has cleared, close any ticket open with ${provider}`
        : `paste into a ticket with ${provider}`;
    body.push(
      text(`${blind ? lastSeen("Carrier ticket", null) : "Carrier ticket"} — ${use}`, {
        weight: "Bolder",
        spacing: "Large",
      }),
    );
    body.push(monospace(ticket));
  }
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    msteams: { width: "Full" },
    body,
    actions: alertLinks(event, options).map((link) => ({
      type: "Action.OpenUrl",
      title: link.label,
      url: link.href,
    })),
  };
}

/** Severity in the header's background; its text keeps the style's own, readable colour. */
const HEADER_STYLE: Record<Severity, string> = {
  Sev0: "attention",
  Sev1: "attention",
  Sev2: "warning",
  Sev3: "warning",
  Sev4: "default",
};

/**
 * "OPEN Sev2", "ESCALATED Sev2 → Sev0", "WIDER Sev0" (a fleet outage took in
 * more circuits), "CHANGED Sev2" (a path newly down or another owner at the
 * same grade), "BLIND Sev0" (erwatch cannot read what it stands on), "RESOLVED".
 */
export function headline(
  event: Pick<AlertEvent, "action" | "severity" | "previousSeverity"> &
    Partial<Pick<AlertEvent, "change">>,
): string {
  const from = event.previousSeverity;
  const moved = (verb: string) =>
    from ? `${verb} ${from} → ${event.severity}` : `${verb} to ${event.severity}`;
  const words: Record<AlertAction, () => string> = {
    open: () => `OPEN ${event.severity}`,
    escalate: () => moved("ESCALATED"),
    deescalate: () => moved("DE-ESCALATED"),
    repeat: () =>
      event.change?.startsWith(WIDER)
        ? `WIDER ${event.severity}`
        : event.change?.startsWith(BLIND_NOTICE)
          ? `BLIND ${event.severity}`
          : event.change?.startsWith(CHANGED)
            ? `CHANGED ${event.severity}`
            : `STILL FIRING ${event.severity}`,
    resolve: () => "RESOLVED",
  };
  return words[event.action]();
}

/**
 * What broke, in the header: the verdict and what it is about (the circuit,
 * the site of a fleet outage, the subscription), then the title (as last seen
 * when blind). A resolve leads with how it reads now; its title is what it
 * was as last told, the words of the card or page it closes.
 */
function header(event: AlertEvent, blind: boolean): Element {
  const resolved = event.action === "resolve";
  const now = resolvedNow(event);
  return {
    type: "Container",
    style: resolved ? "good" : (HEADER_STYLE[event.severity] ?? "default"),
    bleed: true,
    items: [
      text(`${headline(event)} · ${md(alertSubject(event).name, MAX_HEADLINE)}`, {
        size: "Large",
        weight: "Bolder",
      }),
      ...(now === null
        ? []
        : [text(`Now: ${md(now, MAX_HEADLINE)}`, { weight: "Bolder", spacing: "Small" })]),
      resolved
        ? text(`Was, ${LAST_TOLD}: ${md(event.title, MAX_HEADLINE)}`, { spacing: "Small" })
        : text(`${blind ? "Last seen: " : ""}${md(event.title, MAX_HEADLINE)}`, {
            weight: "Bolder",
            spacing: "Small",
          }),
    ],
  };
}

/**
 * A blind notice, before anything else: erwatch cannot see the circuit since
 * when, the incident stands as last seen, and where to look.
 */
function blindFacts(
  event: AlertEvent,
  {
    since,
    paths,
    cause,
  }: { since: string | null; paths: PathName[] | null; cause: BlindCause | null },
  options: TeamsMessageOptions,
  hasEvidence: boolean,
  hasTicket: boolean,
): Element {
  const ago = since ? spanBefore(since, event.occurredAt) : null;
  const when = since
    ? ` since ${[readerTime(since), ago ? `(${ago} before this message)` : null].filter((p) => p !== null).join(" ")}`
    : "";
  const subject = alertSubject(event);
  const rows = dataPlaneBlind(event, subject, cause);
  const lines = [
    cause === "history"
      ? `**Blind:** erwatch cannot read this circuit's history${when}, which its flaps are counted from: the circuit itself still reads, but whether it still flaps cannot be told.`
      : rows !== null
        ? `**Blind:** erwatch has ${paths ? "not had a reading behind this alert on every path" : "had no reading behind this alert"}${when} (${NO_DATA_PLANE_READING})${blindNow(paths, event.family)}.`
        : `**Blind:** erwatch cannot see ${blindWhat(paths, event.family === "fleet" ? "the circuits of this outage" : "this circuit")}${when}${blindNow(paths, event.family)}.`,
    // Only what the card shows: a you-owned alert has no ticket, a compact card no evidence.
    `**Stands:** as last seen, neither resolved nor changed: ${lastReading(hasEvidence, hasTicket)} its last reading, not news.`,
    `**Look at:** ${blindLookAt(subject, cause, rows)}${options.statusUrl ? "; the erwatch status page (button below)" : ""}.`,
  ];
  return {
    type: "Container",
    style: "emphasis",
    spacing: "Medium",
    items: lines.map((line, i) => text(line, { spacing: i === 0 ? "None" : "Small" })),
  };
}

/**
 * "the title above and the evidence and ticket below are", or as much of it as
 * the card shows: the title is in the header, over this block.
 */
function lastReading(hasEvidence: boolean, hasTicket: boolean): string {
  const below = [
    ...(hasEvidence ? ["the evidence"] : []),
    ...(hasTicket ? [hasEvidence ? "ticket" : "the ticket"] : []),
  ];
  return below.length === 0
    ? "the title above is"
    : `the title above and ${listed(below)} below are`;
}

/** "Evidence as last seen, up to {{DATE(…)}} {{TIME(…)}}". */
function lastSeen(label: string, since: string | null): string {
  const when = since ? readerTime(since) : null;
  return when ? `${label} as last seen, up to ${when}` : `${label} as last seen`;
}

/**
 * One short line each: which path, whose problem, what to do, since when, what
 * changed (a blind notice's change is its own block above).
 */
function factsFirst(event: AlertEvent, blind: boolean): Element[] {
  const resolved = event.action === "resolve";
  const lines: [string, string | null][] = [
    ["Where", where(event)],
    ["Owner", owner(event)],
    ["Do", md(event.nextAction, MAX_SENTENCE)],
    // A resolved alert is no longer "since" anything: say when it started.
    [resolved ? "Started" : "Since", since(event)],
    // The post may come late (a broker outage, a receiver's pause): when it
    // resolved is the sweep's time, not the message's.
    ["Resolved", resolved ? resolvedWhen(event) : null],
    // A resolve carries the last firing reading: its trend is of a count that
    // has since fallen back (the layer table shows it now), not a forecast.
    ["Prefix trend", resolved ? null : trendMarkdown(event.evidence, event.occurredAt)],
  ];
  if (event.action !== "open" && !blind) {
    const change = changeWithoutTitle(event.change, event.title);
    // "Resolved after 1 h 12 min." says again what the Resolved line says.
    const said = resolved && PLAIN_RESOLVE.test(change) && resolvedWhen(event) !== null;
    if (change !== "" && !said) lines.push(["Changed", md(change, MAX_SENTENCE)]);
  }
  return lines
    .filter((line): line is [string, string] => line[1] !== null && line[1] !== "")
    .map(([label, value], i) =>
      text(`**${label}:** ${value}`, { spacing: i === 0 ? "Medium" : "Small" }),
    );
}

function where(event: AlertEvent): string {
  // Alerts about a place or a subscription, not one circuit: "the whole
  // circuit" named one circuit where thirty, or none yet listed, were meant.
  const subject = alertSubject(event);
  if (subject.kind === "site") {
    const count = subject.members.length;
    return count > 0 && subject.provider && subject.peeringLocation
      ? `${count} circuits through ${md(subject.name, MAX_FACT)}`
      : "every circuit the title names";
  }
  if (subject.kind === "subscription")
    return `every circuit of subscription ${md(subject.subscriptionId, MAX_FACT)}`;
  const peering = event.peering ? md(event.peering, MAX_FACT) : null;
  const paths =
    event.paths.length === 2
      ? "both paths"
      : event.paths.length === 1
        ? `the ${event.paths[0]} path`
        : null;
  // A path without a peering is the link itself (saturation): every peering rides it.
  if (!peering) return paths ? `${paths}, every peering on it` : "the whole circuit";
  return paths ? `${paths} of ${peering}` : peering;
}

function owner(event: AlertEvent): string {
  const words = OWNER_WORDS[event.owner] ?? md(String(event.owner), MAX_FACT);
  // Resolved: the fault has cleared, there is no ticket left to open.
  if (event.owner !== "carrier" || event.action === "resolve") return words;
  // A Global Reach connection is the carrier's only as the peer circuit's
  // outage (core/reach-peers.ts): that circuit's alert carries the ticket, and
  // "open a ticket" here had a second one opened for the same fault.
  return event.code === "global-reach-down"
    ? `${words} — the ticket is on the peer circuit's alert; open no second one`
    : `${words} — open a ticket`;
}

/** "12 min before this message · {{DATE(…)}} {{TIME(…)}}" (the reader's own time zone). */
function since(event: AlertEvent): string | null {
  const relative = spanBefore(event.firstSeen, event.occurredAt);
  const absolute = readerTime(event.firstSeen);
  if (!relative && !absolute) return null;
  return [relative ? `${relative} before this message` : null, absolute]
    .filter((part) => part !== null)
    .join(" · ");
}

/** A resolve's change that says no more than how long it was open (core/lifecycle.ts changeFor). */
const PLAIN_RESOLVE = /^Resolved after [^.:;]+\.$/u;

/**
 * "{{DATE(…)}} {{TIME(…)}}, open 1 h 12 min": when the sweep resolved it, in
 * the reader's time zone, and how long it was open.
 */
function resolvedWhen(event: AlertEvent): string | null {
  const open = spanBefore(event.firstSeen, event.occurredAt);
  const parts = [readerTime(event.occurredAt), open ? `open ${open}` : null];
  const said = parts.filter((part) => part !== null);
  return said.length === 0 ? null : said.join(", ");
}

/** The facts a responder copies into a ticket or a search. */
function details(event: AlertEvent): Element {
  const rows: [string, string | null | undefined][] = [
    ...subjectRows(event),
    ["Layer", LAYER_WORDS[event.layer]?.label ?? String(event.layer)],
    ["Code", event.code],
    ["First seen", `${event.firstSeen} (UTC)`],
  ];
  return {
    type: "FactSet",
    spacing: "Large",
    facts: rows
      .filter((row): row is [string, string] => typeof row[1] === "string" && row[1] !== "")
      .map(([title, value]) => ({ title, value: md(value, MAX_FACT) })),
  };
}

/**
 * What the alert is about, by what it is: a fleet outage's site is no
 * circuit ("Circuit: Equinix at Amsterdam (provider)" read as one), nor is a
 * subscription.
 */
function subjectRows(event: AlertEvent): [string, string | null | undefined][] {
  const c = event.circuit;
  const subject = alertSubject(event);
  switch (subject.kind) {
    case "site": {
      const names = subject.members.map((m) => m.name);
      return [
        ["Site", subject.name],
        ["Circuits", names.length > 0 ? `${names.length} (${names.join(", ")})` : null],
      ];
    }
    case "subscription":
      return [["Subscription", subject.subscriptionId]];
    case "circuit":
      return [
        ["Circuit", c.name],
        ["Provider", providerAt(c)],
        ["Service key", c.serviceKey],
      ];
  }
}

/**
 * Evidence keys the subject's facts already say. A site is named by its
 * provider at its peering location, so "Provider: Equinix" and "Peering
 * location: Amsterdam" under "Site: Equinix at Amsterdam" said it again; a
 * subscription's evidence repeated its Subscription fact.
 */
function factKeys(event: AlertEvent): ReadonlySet<string> {
  const subject = alertSubject(event);
  switch (subject.kind) {
    case "site":
      // Without a provider the site goes by its subject's name, which need not name the place.
      return new Set(subject.provider ? ["provider", "peeringLocation"] : []);
    case "subscription":
      // The event crossed a queue unchecked: its evidence may be no object at all.
      return new Set(
        (event.evidence as Record<string, unknown> | null)?.["subscriptionId"] ===
          subject.subscriptionId
          ? ["subscriptionId"]
          : [],
      );
    case "circuit":
      return new Set();
  }
}

/**
 * Teams renders TextBlock text as Markdown, where a single line break is
 * ignored: every line becomes its own paragraph, and runs of spaces become
 * no-break spaces so ARP rows stay aligned.
 */
function monospace(value: string): Element {
  const lines = escapeMarkdown(value)
    .split(/\r?\n/)
    .map((line) => line.replace(/ {2,}/g, (m) => "\u00a0".repeat(m.length)));
  return text(lines.join("\n\n"), { fontType: "Monospace", spacing: "Small" });
}

/** Azure- or event-sourced text, capped and made inert for Markdown. */
function md(value: string, max: number): string {
  return escapeMarkdown(truncate(value, max));
}

/**
 * Keep `keep` characters of `value`; say how many were left out and where
 * the whole is (`whole`), never drop silently.
 */
export function shorten(value: string, keep: number, whole: string): string {
  if (value.length <= keep) return value;
  const cut = safeCut(value, keep);
  const hidden = value.length - cut;
  return `${value.slice(0, cut)}\n… (truncated: ${hidden} characters not shown here; ${whole})`;
}
