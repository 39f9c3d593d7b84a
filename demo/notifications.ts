// Notifications as the people receiving them would see them: the PagerDuty
// incident line, the Teams card's text, the ITSM ticket's headline.

import type { AlertEvent } from "../src/core/alert-event.js";
import { thousands } from "../src/core/text.js";
import type { PrefixTrend } from "../src/core/trend.js";
import type { RecordedRequest } from "../test/support/recording-receiver.js";

interface CardElement {
  type?: string;
  text?: string;
  facts?: { title: string; value: string }[];
  items?: CardElement[];
}

function texts(element: CardElement): string[] {
  if (element.text) return [element.text];
  return (element.items ?? []).flatMap(texts);
}

/**
 * The top of the card, as it reads in the channel: headline, title, the facts
 * first (where, owner, what to do, since when, what changed) and the details
 * facts. The layer table, evidence and carrier ticket below them are
 * summarised in one line (the terminal shows the table already).
 */
export function teamsText(request: RecordedRequest): string[] {
  const body = request.body as { attachments?: { content?: { body?: CardElement[] } }[] };
  const elements = body.attachments?.[0]?.content?.body ?? [];
  const out: string[] = [];
  let rest = 0;
  let details = false;
  for (const element of elements) {
    if (details) rest += 1;
    else if (element.type === "FactSet") {
      out.push((element.facts ?? []).map((f) => `${f.title}: ${plain(f.value)}`).join(" · "));
      details = true;
    } else out.push(...texts(element).map(plain));
  }
  if (rest > 0)
    out.push("(+ per-path layer table, evidence and, when the carrier owns it, the ticket)");
  return out;
}

/** Card Markdown as a terminal shows it: no bold marks or escapes, DATE()/TIME() as the instant. */
function plain(markdown: string): string {
  return markdown
    .replace(/\{\{DATE\(([^,)]+)[^}]*\}\} \{\{TIME\([^)]*\)\}\}/g, "$1")
    .replace(/\*\*/g, "")
    .replace(/\\(.)/g, "$1");
}

export function pagerDutyText(request: RecordedRequest): string {
  const body = request.body as {
    event_action: string;
    dedup_key: string;
    payload?: { severity: string; summary: string };
  };
  return body.payload
    ? `${body.event_action.toUpperCase()} ${body.payload.severity}  ${body.payload.summary}  (dedup_key ${body.dedup_key})`
    : `${body.event_action.toUpperCase()}  (dedup_key ${body.dedup_key})`;
}

export function webhookText(request: RecordedRequest): string {
  const e = (
    request.body as {
      data?: { essentials?: { monitorCondition: string; severity: string; alertRule: string } };
    }
  ).data?.essentials;
  return e ? `${e.monitorCondition} ${e.severity} ${e.alertRule}` : request.rawBody.slice(0, 120);
}

/**
 * Actions after which the prefix trend still tells the reader something: the
 * count is growing toward the limit. A resolve or de-escalation came after
 * the growth stopped, and printed a time to the limit already past.
 */
const TREND_ACTIONS: ReadonlySet<AlertEvent["action"]> = new Set(["open", "escalate", "repeat"]);

/**
 * The terminal's line under a prefix-limit alert: how fast the count grows
 * and when it reaches the limit, or null when that is no news (another
 * action, no growth, a time not after `now`).
 */
export function trendLine(
  event: Pick<AlertEvent, "action" | "evidence">,
  now: Date,
): string | null {
  if (!TREND_ACTIONS.has(event.action)) return null;
  const trend = (event.evidence.trend as Record<string, PrefixTrend> | undefined)?.primary;
  if (!trend?.perHour || trend.perHour <= 0) return null;
  const reaches =
    trend.reachesLimitAt && Date.parse(trend.reachesLimitAt) > now.getTime()
      ? `, reaches the limit about ${trend.reachesLimitAt.slice(11, 16)} UTC`
      : "";
  return `trend: +${thousands(Math.round(trend.perHour))} prefixes/hour${reaches}`;
}
