import { z } from "zod";
import {
  isUnresolvedKeyVaultReference,
  quotable,
  UNRESOLVED_KEY_VAULT_REFERENCE,
} from "./secret-shape.js";
import {
  ALERT_ACTIONS,
  ALERT_FAMILIES,
  FINDING_CODES,
  LAYERS,
  OWNERS,
  SEVERITIES,
} from "../core/model.js";
import { receiverUrlProblem } from "../core/receiver-url.js";
import { isRecord } from "../core/record.js";
import { pruneRouting, type RoutingPositions } from "../core/routing-check.js";
import type { Routing } from "../core/routing.js";
import { nearestSetting } from "./misspelt.js";
import { SettingsReader } from "./reader.js";
import type { Env } from "./settings.js";
import { readEntityName } from "./publish.js";

/**
 * A receiver with its secrets resolved from app settings. `unusable` says,
 * naming the setting and never its value, why it cannot be posted to.
 */
export type ResolvedReceiver = (
  | { kind: "teams"; name: string; url: string }
  | { kind: "pagerduty"; name: string; routingKey: string; url?: string }
  | { kind: "webhook"; name: string; url: string; headers?: Record<string, string> }
) & { unusable?: string };

export interface DispatchConfig {
  receivers: ResolvedReceiver[];
  routing: Routing;
  receiverTimeoutMs: number;
  attemptsPerDelivery: number;
  retryBaseMs: number;
  retryMaxWaitMs: number;
  maxDeliveries: number;
  /** How long after an event occurred it is still worth delivering late. */
  retryHorizonMinutes: number;
  subscription: string | null;
  statusPageUrl: string | null;
  /** Secret values, for log scrubbing. */
  secrets: string[];
}

const SEVERITY = z.enum(SEVERITIES);
/**
 * A key pasted where its setting's name belongs, plainly (20 or more letters
 * and digits, several of them digits: a PagerDuty integration key is 32 such
 * characters; or a known token prefix, `ghp_`, `sk_live_`): refused in words
 * that do not quote it, as every later message would repeat it. Only plainly:
 * a name refused drops its receiver at deploy, so TeamsWebhook001 or
 * PagerDutyKeyErAmsFra must pass. A name that merely may be a key is taken,
 * and never quoted (secret-shape.ts quotable).
 */
export function looksLikeSecret(value: string): boolean {
  return (
    (/^[A-Za-z0-9]{20,}$/.test(value) && (value.match(/\d/g) ?? []).length >= 4) ||
    TOKEN_PREFIX.test(value)
  );
}

/** Prefixes of well-known tokens (GitHub, Stripe, Slack): never a setting's name. */
const TOKEN_PREFIX = /^(gh[pousr]|github_pat|sk_live|sk_test|rk_live|xox[abpr])_/i;
const settingName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an app setting name")
  .refine(
    (value) => !looksLikeSecret(value),
    "looks like a secret value, not an app setting name: put the secret in an app setting (a Key Vault reference in Azure) and give that setting's name here",
  );
/** Not a secret when written into this JSON, but held to the same rule as every receiver URL. */
const receiverUrl = z.string().superRefine((value, ctx) => {
  const problem = receiverUrlProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const receiverSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("teams"), name: z.string().min(1), urlSetting: settingName }).strict(),
  z
    .object({
      kind: z.literal("pagerduty"),
      name: z.string().min(1),
      routingKeySetting: settingName,
      url: receiverUrl.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("webhook"),
      name: z.string().min(1),
      urlSetting: settingName,
      headerSettings: z.record(z.string(), settingName).optional(),
    })
    .strict(),
]);
const matchSchema = z
  .object({
    severityAtOrAbove: SEVERITY,
    severityAtOrBelow: SEVERITY,
    circuits: z.array(z.string()),
    circuitTags: z.record(z.string(), z.string()),
    layers: z.array(z.enum(LAYERS)),
    owners: z.array(z.enum(OWNERS)),
    codes: z.array(z.enum(FINDING_CODES)),
    families: z.array(z.enum(ALERT_FAMILIES)),
    actions: z.array(z.enum(ALERT_ACTIONS)),
  })
  .partial()
  .strict();
const actionGroupSchema = z
  .object({ name: z.string().min(1), receivers: z.array(z.string()) })
  .strict();
const routeSchema = z
  .object({
    name: z.string().min(1),
    match: matchSchema.default({}),
    actionGroups: z.array(z.string()),
  })
  .strict();
/**
 * The setting's shape; each receiver, action group and route is then checked
 * on its own. A field beside the three ("description", "$schema", a
 * misspelt one) is named and left out, not the setting: refused whole, it
 * fell back to the default routes, every owner's and circuit's route lost
 * and the one PagerDuty key paged for all (or, with none set, nothing paged).
 */
const ACTION_GROUPS_FIELDS = ["receivers", "actionGroups", "routes"] as const;
const actionGroupsSchema = z.looseObject({
  receivers: z.array(z.unknown()),
  actionGroups: z.array(z.unknown()),
  routes: z.array(z.unknown()),
});
interface ActionGroupsSetting {
  receivers: z.infer<typeof receiverSchema>[];
  actionGroups: z.infer<typeof actionGroupSchema>[];
  routes: z.infer<typeof routeSchema>[];
  /** Where each stands in the setting as written; absent for the defaults. */
  positions?: RoutingPositions;
}

/**
 * ERWATCH_ACTION_GROUPS entry by entry (SettingsReader.items): a receiver,
 * action group or route that cannot be read is left out and named, and the
 * rest are kept with their places in the setting, for the paths of what the
 * routing check then finds.
 */
function explicitSetting(r: SettingsReader): ActionGroupsSetting {
  const NAME = "ERWATCH_ACTION_GROUPS";
  // Unreadable as a whole (a comma too many from the portal), it stopped
  // every page though PAGERDUTY_ROUTING_KEY or TEAMS_WEBHOOK_URL was set:
  // those deliver by the default routes, and the setting is named every sweep.
  const fallback = defaults(r);
  const instead = `the default routes deliver to ${fallback.receivers.map((x) => x.name).join(", ")}`;
  const shell =
    fallback.receivers.length > 0
      ? r.optional(() => r.json(NAME, actionGroupsSchema, null), null, instead)
      : r.json(NAME, actionGroupsSchema, null);
  if (!shell)
    return fallback.receivers.length > 0
      ? fallback
      : { receivers: [], actionGroups: [], routes: [] };
  for (const key of Object.keys(shell).filter((k) => !isActionGroupsField(k))) {
    const meant = nearestSetting(key, ACTION_GROUPS_FIELDS);
    r.ignored.push(
      `${NAME}.${key}: is not a field of ${NAME} (${ACTION_GROUPS_FIELDS.join(", ")})${meant ? `; did you mean ${meant}?` : ""} (left out; the rest apply)`,
    );
  }
  const receivers = r.items(`${NAME}.receivers`, shell.receivers, receiverSchema);
  const actionGroups = r.items(`${NAME}.actionGroups`, shell.actionGroups, actionGroupSchema);
  const routes = r.items(`${NAME}.routes`, shell.routes, routeSchema);
  const values = <T>(list: [number, T][]) => list.map(([, v]) => v);
  const places = <T>(list: [number, T][]) => list.map(([i]) => i);
  return {
    receivers: values(receivers),
    actionGroups: values(actionGroups),
    routes: values(routes),
    positions: {
      receivers: places(receivers),
      actionGroups: places(actionGroups),
      routes: places(routes),
    },
  };
}

const isActionGroupsField = (key: string) =>
  (ACTION_GROUPS_FIELDS as readonly string[]).includes(key);

/**
 * The app settings ERWATCH_ACTION_GROUPS names for receivers' secrets, read
 * leniently (the setting is validated on its own): erwatch reads them too, so
 * they are no one's typo.
 */
export function settingsNamedBy(text: string | undefined): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "");
  } catch {
    return [];
  }
  const receivers = isRecord(value) ? value.receivers : undefined;
  if (!Array.isArray(receivers)) return [];
  // Only a map of header to setting names settings: a list there is no header, and names none.
  const names = receivers.flatMap((receiver: unknown) =>
    isRecord(receiver)
      ? [
          receiver.urlSetting,
          receiver.routingKeySetting,
          ...(isRecord(receiver.headerSettings) ? Object.values(receiver.headerSettings) : []),
        ]
      : [],
  );
  return names.filter((name): name is string => typeof name === "string");
}

/** Sev0–Sev1 page on-call (PagerDuty + Teams); Sev2–Sev3 go to Teams; the webhook hears Sev0–Sev3. */
function defaults(r: SettingsReader): ActionGroupsSetting {
  const receivers: ActionGroupsSetting["receivers"] = [];
  if (r.raw("PAGERDUTY_ROUTING_KEY"))
    receivers.push({
      kind: "pagerduty",
      name: "pagerduty",
      routingKeySetting: "PAGERDUTY_ROUTING_KEY",
    });
  if (r.raw("TEAMS_WEBHOOK_URL"))
    receivers.push({ kind: "teams", name: "teams", urlSetting: "TEAMS_WEBHOOK_URL" });
  if (r.raw("WEBHOOK_URL"))
    receivers.push({ kind: "webhook", name: "webhook", urlSetting: "WEBHOOK_URL" });
  const has = (name: string) => receivers.some((x) => x.name === name);
  const onCall = ["pagerduty", "teams"].filter(has);
  const actionGroups: ActionGroupsSetting["actionGroups"] = [];
  const routes: ActionGroupsSetting["routes"] = [];
  if (onCall.length > 0) {
    actionGroups.push({ name: "on-call", receivers: onCall });
    routes.push({
      name: "page-on-call",
      match: { severityAtOrAbove: "Sev1" },
      actionGroups: ["on-call"],
    });
  }
  if (has("teams")) {
    actionGroups.push({ name: "teams-only", receivers: ["teams"] });
    routes.push({
      name: "tell-the-channel",
      match: { severityAtOrBelow: "Sev2", severityAtOrAbove: "Sev3" },
      actionGroups: ["teams-only"],
    });
  }
  if (has("webhook")) {
    actionGroups.push({ name: "itsm", receivers: ["webhook"] });
    routes.push({ name: "itsm", match: { severityAtOrAbove: "Sev3" }, actionGroups: ["itsm"] });
  }
  return { receivers, actionGroups, routes };
}

/**
 * The longest one delivery of one event can take: a receiver's posts and the
 * waits between them (receivers are posted to side by side), with room for
 * the delivery log's calls. A claim on (event, receiver) lasts this long, and
 * erwatch's own consumer keeps the message locked at least this long.
 */
export function longestDeliveryMs(
  dispatch: Pick<DispatchConfig, "attemptsPerDelivery" | "receiverTimeoutMs" | "retryMaxWaitMs">,
): number {
  return (
    dispatch.attemptsPerDelivery * dispatch.receiverTimeoutMs +
    (dispatch.attemptsPerDelivery - 1) * dispatch.retryMaxWaitMs +
    30_000
  );
}

/**
 * The Functions dispatcher gives a delivery `budgetMs` (inside the host's
 * five-minute message lock); settings that let one take longer see it cut
 * short. Said at start with the values given and what to lower; null when
 * they fit.
 *
 * A warning, the values kept: the cut loses no page. A delivery's first post
 * always fits (RECEIVER_TIMEOUT_MS is at most 2 minutes), and the posts it
 * cuts are made by the event's next delivery, Service Bus giving it back at
 * once. Refused, every page stopped over a tuning number; put back to their
 * defaults, the waits an operator chose for a slow receiver were undone.
 */
export function deliveryBudgetProblem(
  dispatch: Pick<DispatchConfig, "attemptsPerDelivery" | "receiverTimeoutMs" | "retryMaxWaitMs">,
  budgetMs: number,
): string | null {
  const longest = longestDeliveryMs(dispatch);
  if (longest <= budgetMs) return null;
  const minutes = (ms: number) => `${Math.round((ms / 60_000) * 10) / 10} min`;
  const { attemptsPerDelivery: attempts, receiverTimeoutMs, retryMaxWaitMs } = dispatch;
  const waits = attempts - 1;
  return `DISPATCH_ATTEMPTS (${attempts}) × RECEIVER_TIMEOUT_MS (${receiverTimeoutMs}) + ${waits} ${waits === 1 ? "wait" : "waits"} of DISPATCH_RETRY_MAX_WAIT_MS (${retryMaxWaitMs}) + 30 s let one delivery take ${minutes(longest)}, longer than the ${minutes(budgetMs)} an invocation gives it: kept as set, but a receiver's posts past ${minutes(budgetMs)} are not made in that delivery; the event goes back to Service Bus and its next delivery posts again (counting towards DISPATCH_MAX_DELIVERIES), so a page that needs them is late, not lost. Lower one of them to fit`;
}

/** Problems of one receiver's secrets, each naming its setting. */
type Problems = string[];

function secretFrom(
  r: SettingsReader,
  setting: string,
  receiver: string,
  secrets: string[],
  problems: Problems,
): string {
  const value = r.raw(setting);
  if (!value) {
    // Quoted only when it plainly reads as a name: a key pasted in its place
    // (one looksLikeSecret lets through) would go into every dead-letter
    // reason of the receiver.
    problems.push(
      quotable(setting)
        ? `ERWATCH_ACTION_GROUPS: receiver "${receiver}" reads its secret from app setting ${setting}, which is not set`
        : `ERWATCH_ACTION_GROUPS: receiver "${receiver}" reads its secret from an app setting that is not set, its name not shown: it reads like a key (give the setting's name, not its value)`,
    );
    return "";
  }
  secrets.push(value);
  // App Service hands over the reference's own text when it cannot resolve it:
  // as a routing key it looks like any string, and every page would fail at PagerDuty.
  if (isUnresolvedKeyVaultReference(value)) {
    problems.push(
      `${setting}: ${UNRESOLVED_KEY_VAULT_REFERENCE.replace(/;/, ` (receiver "${receiver}");`)}`,
    );
    return "";
  }
  return value;
}

/** The receiver URL rule, reported against the setting; the value is a secret and never echoed. */
function checkUrl(setting: string, value: string, problems: Problems): void {
  if (value === "") return; // already reported as not set
  const problem = receiverUrlProblem(value);
  if (problem) problems.push(`${setting}: ${problem}`);
}

/** A Functions key in a URL's query (`code`, which the host reads in any case). */
function carriesFunctionKey(value: string): boolean {
  try {
    return [...new URL(value).searchParams.keys()].some((k) => k.toLowerCase() === "code");
  } catch {
    return false; // not a URL: reported as such
  }
}

const DEFAULT_MAX_DELIVERIES = 5;
const DEFAULT_RETRY_BASE_MS = 1_000;

/**
 * Deliveries before erwatch settles a message itself (a rescheduled copy, or
 * past the horizon a dead letter with the receiver and its last status). At
 * the entity's maxDeliveryCount Service Bus dead-letters it first, with only
 * "MaxDeliveryCountExceeded": so it must stay below that count.
 */
function readMaxDeliveries(r: SettingsReader): number {
  const entityCount = r.tunable("SERVICEBUS_MAX_DELIVERY_COUNT", 10, { min: 1, max: 2000 });
  const maxDeliveries = r.tunable("DISPATCH_MAX_DELIVERIES", DEFAULT_MAX_DELIVERIES, {
    min: 1,
    max: 100,
  });
  if (maxDeliveries < entityCount) return maxDeliveries;
  // The entity's count is a fact about the queue; erwatch's own count gives
  // way. Refused, the dispatcher delivered nothing and Service Bus
  // dead-lettered every event past that count, without a reason either.
  const fewer = Math.max(1, Math.min(DEFAULT_MAX_DELIVERIES, entityCount - 1));
  r.ignored.push(
    `DISPATCH_MAX_DELIVERIES: must be below SERVICEBUS_MAX_DELIVERY_COUNT (${entityCount}), the entity's maxDeliveryCount; got ${maxDeliveries}, so Service Bus would dead-letter the message without erwatch's reason (left out: ${fewer === DEFAULT_MAX_DELIVERIES ? `the default ${fewer}` : fewer} applies)`,
  );
  return fewer;
}

function resolveReceiver(
  r: SettingsReader,
  x: ActionGroupsSetting["receivers"][number],
  secrets: string[],
  problems: Problems,
): ResolvedReceiver {
  switch (x.kind) {
    case "teams": {
      const url = secretFrom(r, x.urlSetting, x.name, secrets, problems);
      checkUrl(x.urlSetting, url, problems);
      return { kind: "teams", name: x.name, url };
    }
    case "pagerduty":
      return {
        kind: "pagerduty",
        name: x.name,
        routingKey: secretFrom(r, x.routingKeySetting, x.name, secrets, problems),
        ...(x.url ? { url: x.url } : {}),
      };
    case "webhook": {
      const url = secretFrom(r, x.urlSetting, x.name, secrets, problems);
      checkUrl(x.urlSetting, url, problems);
      const headers = Object.fromEntries(
        Object.entries(x.headerSettings ?? {}).map(([h, s]) => [
          h,
          secretFrom(r, s, x.name, secrets, problems),
        ]),
      );
      return { kind: "webhook", name: x.name, url, ...(x.headerSettings ? { headers } : {}) };
    }
  }
}

/**
 * The routes the dispatcher will follow, read on their own for the sweep (an
 * end-to-end alert speaks for another circuit's only when it reaches everyone
 * that one would); null when ERWATCH_ACTION_GROUPS cannot be read as a whole
 * (the dispatcher and the sweep's start say why), or names no receiver or
 * route (a sweep run without the dispatcher's settings). Receivers' secrets
 * are not read: only who hears what.
 */
export function readRouting(env: Env): Routing | null {
  const r = new SettingsReader(env);
  const explicit = r.raw("ERWATCH_ACTION_GROUPS") !== undefined;
  const setting = explicit ? explicitSetting(r) : defaults(r);
  if (r.problems.length > 0 || setting.receivers.length === 0) return null;
  const { routing } = pruneRouting(
    { actionGroups: setting.actionGroups, routes: setting.routes },
    setting.receivers.map((x) => x.name),
    setting.positions,
  );
  // No receiver or no route: the dispatcher refuses to start, and a sweep run
  // without its settings (the CLI on a laptop) knows nothing of who hears what.
  return routing.routes.length > 0 ? routing : null;
}

export function readDispatchConfig(r: SettingsReader): DispatchConfig {
  const explicit = r.raw("ERWATCH_ACTION_GROUPS") !== undefined;
  const before = r.problems.length;
  const setting = explicit ? explicitSetting(r) : defaults(r);
  // An unreadable setting was reported; checks derived from its fallback would only mislead.
  const unreadable = r.problems.length > before;
  const secrets: string[] = [];
  const secretProblems: Problems = [];
  // One broken entry (a typo in a new route, a receiver named twice) is left
  // out and named; the routes that remain deliver as they did. Every matching
  // route applies, so no other route's receivers change.
  const pruned = pruneRouting(
    { actionGroups: setting.actionGroups, routes: setting.routes },
    setting.receivers.map((x) => x.name),
    setting.positions,
  );
  for (const problem of pruned.left)
    r.ignored.push(`ERWATCH_ACTION_GROUPS.${problem} (left out; the rest apply)`);
  for (const problem of pruned.kept)
    r.ignored.push(
      `ERWATCH_ACTION_GROUPS.${problem} (kept: each applies; rename one to tell them apart in the log)`,
    );
  const kept = setting.receivers.filter((x, i) => {
    const first = setting.receivers.findIndex((y) => y.name === x.name);
    return first === i && pruned.receivers.includes(x.name);
  });
  const receivers: ResolvedReceiver[] = kept.map((x): ResolvedReceiver => {
    const own: Problems = [];
    const resolved = resolveReceiver(r, x, secrets, own);
    if (own.length === 0) return resolved;
    secretProblems.push(...own);
    return { ...resolved, unusable: own.join("; ") };
  });
  const secretProblemsAt = r.problems.length;
  const routing: Routing = pruned.routing;
  if (explicit && !unreadable && routing.routes.length === 0)
    r.problem(
      "ERWATCH_ACTION_GROUPS",
      "no route is left to deliver anything (each one named below could not be used)",
    );
  if (receivers.length === 0 && !unreadable) {
    r.problem(
      "ERWATCH_ACTION_GROUPS",
      "no receivers: set PAGERDUTY_ROUTING_KEY, TEAMS_WEBHOOK_URL or WEBHOOK_URL, or define receivers in ERWATCH_ACTION_GROUPS",
    );
  }
  // Linked from every Teams card and PagerDuty incident: the receiver URL rule applies.
  const statusPageUrl = r.raw("STATUS_PAGE_URL") ?? null;
  if (statusPageUrl !== null) {
    const problems: Problems = [];
    checkUrl("STATUS_PAGE_URL", statusPageUrl, problems);
    r.problems.push(...problems);
    if (carriesFunctionKey(statusPageUrl))
      r.problem(
        "STATUS_PAGE_URL",
        "must not carry the function key (?code=): the link is on every Teams card and PagerDuty incident, for everyone who sees them; link the page without it",
      );
  }
  const retry = {
    receiverTimeoutMs: r.tunable("RECEIVER_TIMEOUT_MS", 10_000, { min: 100, max: 120_000 }),
    attemptsPerDelivery: r.tunable("DISPATCH_ATTEMPTS", 3, { min: 1, max: 10 }),
    retryBaseMs: r.tunable("DISPATCH_RETRY_BASE_MS", DEFAULT_RETRY_BASE_MS, {
      min: 1,
      max: 60_000,
    }),
    retryMaxWaitMs: r.tunable("DISPATCH_RETRY_MAX_WAIT_MS", 60_000, { min: 1, max: 300_000 }),
    maxDeliveries: readMaxDeliveries(r),
    retryHorizonMinutes: r.tunable("DISPATCH_RETRY_HORIZON_MINUTES", 60, { min: 1, max: 24 * 60 }),
  };
  // The first wait would already pass the longest one: no post retried
  // within a delivery. The first wait gives way, to its default where that fits.
  if (retry.retryBaseMs > retry.retryMaxWaitMs) {
    const first = Math.min(DEFAULT_RETRY_BASE_MS, retry.retryMaxWaitMs);
    r.ignored.push(
      `DISPATCH_RETRY_BASE_MS: must not be above DISPATCH_RETRY_MAX_WAIT_MS (${retry.retryMaxWaitMs}); got ${retry.retryBaseMs}, so the first wait between posts would already be too long: each post would be tried once per delivery, whatever DISPATCH_ATTEMPTS says (left out: ${first === DEFAULT_RETRY_BASE_MS ? `the default ${first}` : `${first}, DISPATCH_RETRY_MAX_WAIT_MS,`} applies)`,
    );
    retry.retryBaseMs = first;
  }
  // One receiver's secret that is unset or unusable (a Key Vault reference
  // that did not resolve arrives as its own text) must not stop the others
  // from paging: that receiver fails each event it is routed, and the dead
  // letter names the setting. It stops the start only when nothing could be
  // delivered anyway, or when the start fails for another reason (then every
  // problem is told at once).
  const usable = receivers.some((x) => x.unusable === undefined);
  if (!usable || r.problems.length > 0) r.problems.splice(secretProblemsAt, 0, ...secretProblems);
  return {
    receivers,
    routing,
    ...retry,
    subscription: readEntityName(r, "SERVICEBUS_SUBSCRIPTION") ?? null,
    statusPageUrl,
    secrets,
  };
}
