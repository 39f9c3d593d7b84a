// `erwatch silence add|list|expire` and `erwatch alerts`, in the manner of
// Alertmanager's amtool: run-time silences kept in Table Storage beside
// ERWATCH_SILENCES (the next sweep honours them, no restart), and the alerts
// open now with their age, owner and next action. Storage only: no ARM read.

import { randomUUID } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import {
  expired,
  newSilence,
  silenceProblems,
  silenceStatus,
  type NewSilence,
  type StoredSilence,
} from "../app/silences.js";
import { isConflict, isStorageFailure } from "../app/state-store.js";
import { loadStatus, NOT_OPEN_YET, type StatusAlert } from "../app/status.js";
import { ageText, endedWords } from "../app/status-html.js";
import { CLOUDS, readCloud, type CloudName } from "../config/arm.js";
import { ConfigError, SettingsReader } from "../config/reader.js";
import { PATHS, type PathName } from "../core/model.js";
import type { Silence, SilenceWindow } from "../core/policy.js";
import {
  instantOf,
  isTimeZone,
  MAX_WINDOW_MINUTES,
  nextOpening,
  silenceCircuit,
} from "../core/silence.js";
import { parseCircuitId } from "../core/resource-id.js";
import { credentials } from "../runtime/common.js";
import { buildStatusRuntime, type StatusRuntime } from "../runtime/status.js";
import { commandConfig } from "./command-config.js";
import { alertsExitCode } from "./alerts-exit.js";
import { CannotRun, clock, EXIT, warnIgnoredSettings, type Context } from "./context.js";
import { paint } from "./render-table.js";
import { neutralise, renderTable, shortPeering, wrapIndented } from "./terminal.js";
import { counted } from "../core/text.js";

function stateRuntime(ctx: Context): StatusRuntime {
  const config = commandConfig.state(ctx.deps.env);
  warnIgnoredSettings(ctx, config.ignoredSettings);
  const runtime = buildStatusRuntime(config, {
    logger: ctx.logger,
    ...(ctx.deps.credential ? { credential: ctx.deps.credential } : {}),
  });
  // Ctrl-C ends a call to storage that does not answer, now, not at its deadline.
  return {
    ...runtime,
    store: runtime.store.withSignal(ctx.signal, ctx.logger),
    silences: runtime.silences.withSignal?.(ctx.signal) ?? runtime.silences,
    ...(runtime.claims ? { claims: runtime.claims.withSignal(ctx.signal) } : {}),
  };
}

/** "90m", "2h", "1d", "1h30m" → minutes. */
export function parseDuration(text: string): number | null {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (!m || text.trim() === "") return null;
  const minutes = Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return minutes > 0 ? minutes : null;
}

/**
 * Who is signed in, from the claims of an ARM token: cheap when `az login` has
 * one cached. Asked of the cloud AZURE_CLOUD names: a login to Azure
 * Government or China has no token for the public cloud's ARM.
 */
async function signedInUser(ctx: Context, cloud: CloudName): Promise<string | null> {
  try {
    const credential: TokenCredential = ctx.deps.credential ?? credentials(cloud, {})();
    const token = await credential.getToken(`${CLOUDS[cloud].arm}/.default`, {
      abortSignal: AbortSignal.any([ctx.signal, AbortSignal.timeout(20_000)]),
    });
    const payload = token?.token.split(".")[1];
    if (!payload) return null;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
    for (const claim of ["upn", "unique_name", "preferred_username", "email"])
      if (typeof claims[claim] === "string" && claims[claim] !== "") return String(claims[claim]);
    return typeof claims.appid === "string" ? `app ${claims.appid}` : null;
  } catch {
    return null;
  }
}

export interface SilenceAddOptions {
  circuit: string;
  peering?: string;
  path?: string;
  start?: string;
  end?: string;
  duration?: string;
  cron?: string;
  timezone?: string;
  reason: string;
  author?: string;
  output: string;
}

function windowOf(opts: SilenceAddOptions, now: Date, problems: string[]): SilenceWindow {
  const minutes = opts.duration !== undefined ? parseDuration(opts.duration) : null;
  if (opts.duration !== undefined && minutes === null)
    problems.push(
      `--duration "${neutralise(opts.duration)}": use minutes, hours or days, e.g. 90m, 2h, 1d`,
    );
  if (minutes !== null && minutes > MAX_WINDOW_MINUTES)
    problems.push(
      `--duration "${neutralise(opts.duration ?? "")}": at most 30d (${MAX_WINDOW_MINUTES} minutes)${opts.cron === undefined ? "; a longer one-off window takes --end" : ""}`,
    );
  if (opts.cron !== undefined) {
    if (minutes === null) problems.push("--cron needs --duration (how long each window lasts)");
    if (opts.start !== undefined || opts.end !== undefined)
      problems.push("--cron cannot be combined with --start / --end");
    return {
      kind: "recurring",
      cron: opts.cron,
      durationMinutes: minutes ?? 0,
      timezone: opts.timezone ?? "UTC",
    };
  }
  // Read here, once, and stored as instants: a time without an offset was
  // read in the laptop's zone for one end and the host's for the other.
  let zone = opts.timezone ?? "UTC";
  if (!isTimeZone(zone)) {
    problems.push(
      `--timezone "${neutralise(zone)}" is not an IANA time zone (e.g. Europe/Amsterdam)`,
    );
    zone = "UTC";
  }
  const instant = (flag: string, text: string): number | null => {
    const at = instantOf(text, zone);
    if (at === null)
      problems.push(
        `${flag} "${neutralise(text)}": an ISO 8601 time such as 2026-03-29T01:00Z or 2026-03-29T01:00+01:00 (without an offset, read in --timezone, UTC when none is given)`,
      );
    return at;
  };
  const start = opts.start === undefined ? now.getTime() : instant("--start", opts.start);
  if (opts.end !== undefined && minutes !== null)
    problems.push("give --end or --duration, not both");
  if (opts.end === undefined && opts.duration === undefined)
    problems.push("say how long: --duration (e.g. 2h) or --end <ISO time>");
  const end =
    opts.end !== undefined
      ? instant("--end", opts.end)
      : minutes !== null && start !== null
        ? start + minutes * 60_000
        : null;
  // A time past what a Date holds (year 275760) is kept as given, and refused as unreadable.
  const iso = (at: number | null, given: string | undefined) =>
    at === null || !Number.isFinite(new Date(at).getTime())
      ? (given ?? "")
      : new Date(at).toISOString();
  return { kind: "once", start: iso(start, opts.start), end: iso(end, opts.end) };
}

/**
 * The circuit a silence is for, as an id when erwatch knows it: a name held
 * every circuit of that name, in every subscription, and a misspelt one was
 * stored "active" and held nothing. A name that matches no circuit erwatch has
 * read, or several, is refused (each named); an id it has not read yet is
 * taken, with a warning (a circuit new since the last sweep).
 */
async function resolveCircuit(
  ctx: Context,
  runtime: StatusRuntime,
  given: string,
  problems: string[],
): Promise<string | null> {
  const wanted = silenceCircuit(given);
  if (wanted === null) return null;
  // No table yet (no sweep has run) or storage failing: nothing known, said below.
  const known = await runtime.store.listSnapshots().catch((error: unknown) => {
    if (!isStorageFailure(error)) throw error;
    return null;
  });
  if (wanted.startsWith("/")) {
    const found = known?.find((s) => s.circuitId.toLowerCase() === wanted.toLowerCase());
    if (!found)
      ctx.warn(
        `erwatch: no sweep has read ${neutralise(wanted)} yet${known === null ? " (or its readings could not be listed)" : ""}; the silence holds its alerts once one does`,
      );
    return found?.circuitId ?? wanted;
  }
  if (known === null) {
    problems.push(
      `--circuit "${neutralise(wanted)}": erwatch has no readings to find the name in (no sweep has run, or Table Storage did not list them); give the circuit's resource id`,
    );
    return null;
  }
  const named = known.filter((s) => s.circuitName.toLowerCase() === wanted.toLowerCase());
  if (named.length === 1) return named[0]!.circuitId;
  if (named.length === 0)
    problems.push(
      `--circuit "${neutralise(wanted)}": no circuit erwatch has read is named so (see \`erwatch alerts\` or the status page; a circuit no sweep has read yet takes its resource id)`,
    );
  else
    problems.push(
      `--circuit "${neutralise(wanted)}" names ${named.length} circuits; give the resource id of the one to silence:${named.map((s) => `\n      ${neutralise(s.circuitId)}`).join("")}`,
    );
  return null;
}

export async function runSilenceAdd(ctx: Context, opts: SilenceAddOptions): Promise<number> {
  const now = clock(ctx);
  const problems: string[] = [];
  if (opts.path !== undefined && !PATHS.includes(opts.path as PathName))
    problems.push(`--path must be ${PATHS.join(" or ")}`);
  const window = windowOf(opts, now, problems);
  const windowFlagsRead = problems.length === 0;
  // The settings' problems are kept, not thrown, so that one run names them
  // beside the arguments' (a typo and a missing setting are one correction).
  let runtime: StatusRuntime | null = null;
  let settingProblems: string[] = [];
  try {
    runtime = stateRuntime(ctx);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    settingProblems = error.problems;
  }
  // Asked of the cloud AZURE_CLOUD names, read on its own: it stands whatever else is wrong.
  const cloud = runtime?.config.cloud ?? readCloud(new SettingsReader(ctx.deps.env));
  const author = opts.author ?? (await signedInUser(ctx, cloud));
  if (author === null)
    problems.push(
      "--author: erwatch could not tell who is signed in (`az login`); say who is silencing",
    );
  const input: NewSilence = {
    circuit: opts.circuit,
    window,
    comment: opts.reason,
    author: author ?? "",
    ...(opts.peering ? { peering: opts.peering } : {}),
    ...(opts.path ? { path: opts.path as PathName } : {}),
  };
  // The signed-in user's absence is named once, above, in its own words.
  problems.push(
    ...silenceProblems(input, now, windowFlagsRead).filter(
      (p) => author !== null || !p.startsWith("--author:"),
    ),
  );
  if (problems.length === 0 && runtime) {
    const circuit = await resolveCircuit(ctx, runtime, opts.circuit, problems);
    if (circuit !== null) input.circuit = circuit;
  }
  if (problems.length > 0 || !runtime) {
    const lines = (list: string[]) => list.map((p) => `\n  - ${p}`).join("");
    const settings =
      settingProblems.length > 0 ? `\nInvalid configuration:${lines(settingProblems)}` : "";
    throw new CannotRun(`the silence was not added:${lines(problems)}${settings}`);
  }
  const silence = newSilence(input, `s-${randomUUID().slice(0, 8)}`, now);
  await runtime.silences.ensureTable();
  await runtime.silences.add(silence);
  if (opts.output === "json") ctx.printJson(silence);
  else
    ctx.print(
      `${silence.id}  ${silenceStatus(silence, now)}  ${neutralise(describe(silence))}\nThe next sweep honours it; \`erwatch silence expire ${silence.id}\` ends it early.`,
    );
  return EXIT.ok;
}

/** A circuit silenced by id, as a person tells it apart: its name and resource group. */
function circuitLabel(circuit: string): string {
  const id = parseCircuitId(circuit);
  return id ? `${id.name} (${id.resourceGroup})` : circuit;
}

function describe(s: Silence): string {
  const where = [circuitLabel(s.circuit), s.peering, s.path].filter(Boolean).join(" ");
  const w = s.window;
  return w.kind === "once"
    ? `${where} from ${w.start} until ${w.end}`
    : `${where} every "${w.cron}" (${w.timezone}) for ${w.durationMinutes} min`;
}

interface ListedSilence {
  id: string;
  source: "stored" | "setting";
  status: string;
  circuit: string;
  peering: string | null;
  path: string | null;
  window: SilenceWindow;
  author: string | null;
  reason: string | null;
  createdAt: string | null;
  expiredAt: string | null;
  /** The span it is open now, or its next one; null when none is ahead. */
  next: { opensAt: string; closesAt: string } | null;
}

/** A window that cannot be evaluated (a broken cron) has no next opening to show. */
function openingOf(s: Silence & { expiredAt?: string | null }, now: Date) {
  if (s.expiredAt && Date.parse(s.expiredAt) <= now.getTime()) return null;
  try {
    return nextOpening(s.window, now);
  } catch {
    return null;
  }
}

export async function runSilenceList(
  ctx: Context,
  opts: { expired?: boolean; output: string },
): Promise<number> {
  const now = clock(ctx);
  const runtime = stateRuntime(ctx);
  const stored = (await runtime.silences.list()).map((s) => s.value);
  const listed: ListedSilence[] = [
    ...runtime.config.state.silences.map((s) => ({ ...s, source: "setting" as const })),
    ...stored.map((s) => ({ ...s, source: "stored" as const })),
  ]
    .map((s) => ({
      id: s.id,
      source: s.source,
      status: silenceStatus(s, now),
      circuit: s.circuit,
      peering: s.peering ?? null,
      path: s.path ?? null,
      window: s.window,
      author: "author" in s ? (s as StoredSilence).author : null,
      reason: s.comment ?? null,
      createdAt: "createdAt" in s ? (s as StoredSilence).createdAt : null,
      expiredAt: "expiredAt" in s ? (s as StoredSilence).expiredAt : null,
      // When it is open next (now, or its next window): what someone checking tonight's maintenance asks.
      next: openingOf(s, now),
    }))
    .filter((s) => opts.expired || s.status !== "expired");
  if (opts.output === "json") {
    ctx.printJson({ silences: listed });
    return EXIT.ok;
  }
  if (listed.length === 0) {
    ctx.print(opts.expired ? "No silences." : "No silence in force or waiting.");
    return EXIT.ok;
  }
  // To the minute, as an instant: "2027-12-01T10:30Z" read "10Z", and an offset stayed raw.
  const minute = (iso: string) => {
    const at = Date.parse(iso);
    return Number.isNaN(at) ? iso : `${new Date(at).toISOString().slice(0, 16).replace("T", " ")}Z`;
  };
  const windowText = (w: SilenceWindow) =>
    w.kind === "once" ? `→ ${minute(w.end)}` : `"${w.cron}" ${w.timezone} ${w.durationMinutes}m`;
  // A recurring window's row cannot say when it opens; the line under it does.
  const nextText = (s: ListedSilence) =>
    s.window.kind === "once" || s.next === null
      ? null
      : s.status === "active"
        ? `open until ${minute(s.next.closesAt)}`
        : `next ${minute(s.next.opensAt)} → ${minute(s.next.closesAt)}`;
  const { width } = ctx.terminal;
  const table = renderTable(
    [
      { header: "ID", min: 10 },
      { header: "STATUS", min: 7 },
      { header: "CIRCUIT", min: 12 },
      { header: "WHERE", min: 8 },
      { header: "WINDOW", min: 12, flex: true },
    ],
    listed.map((s) => [
      s.id,
      s.status,
      neutralise(parseCircuitId(s.circuit)?.name ?? s.circuit),
      neutralise([s.peering && shortPeering(s.peering), s.path].filter(Boolean).join(" ") || "all"),
      neutralise(windowText(s.window)),
    ]),
    width,
  );
  const lines = [table[0]!];
  listed.forEach((s, i) => {
    lines.push(table[i + 1]!);
    const by = s.author ?? (s.source === "setting" ? "ERWATCH_SILENCES" : "?");
    lines.push(...wrapIndented(neutralise(`by ${by}: ${s.reason ?? ""}`), width, "    "));
    // A name is not unique across subscriptions: the id says which circuit it holds.
    if (parseCircuitId(s.circuit)) lines.push(`    ${neutralise(s.circuit)}`);
    const next = nextText(s);
    if (next) lines.push(`    ${next}`);
  });
  ctx.print(lines.join("\n"));
  return EXIT.ok;
}

export async function runSilenceExpire(ctx: Context, ids: string[]): Promise<number> {
  const now = clock(ctx);
  const runtime = stateRuntime(ctx);
  const problems: string[] = [];
  for (const id of ids) {
    for (let attempt = 0; ; attempt += 1) {
      const found = (await runtime.silences.list()).find((s) => s.value.id === id);
      if (!found) {
        problems.push(
          runtime.config.state.silences.some((s) => s.id === id)
            ? `${neutralise(id)} is configured in ERWATCH_SILENCES: remove it there`
            : `${neutralise(id)}: no such silence (see \`erwatch silence list\`)`,
        );
        break;
      }
      if (silenceStatus(found.value, now) === "expired") {
        ctx.print(`${id} had already ended.`);
        break;
      }
      try {
        await runtime.silences.update({ ...found, value: expired(found.value, now) });
        ctx.print(`${id} expired: alerts it held are notified from the next sweep.`);
        break;
      } catch (error) {
        if (!isConflict(error) || attempt >= 2) throw error;
      }
    }
  }
  if (problems.length > 0) throw new CannotRun(problems.join("\n"));
  return EXIT.ok;
}

/** The STATE column: held by what kind of thing, and told or clearing beside it. */
function stateWord(a: StatusAlert): string {
  const by =
    a.heldBy?.kind === "alert" ? "inhibited" : a.heldBy || a.silencedBy ? "silenced" : null;
  if (!by) return a.state;
  return a.state === "held" ? by : `${a.state}, ${by}`;
}

/** What holds it back, in words; null when nothing does. */
function holdLine(a: StatusAlert): string | null {
  const hold =
    a.heldBy ??
    (a.silencedBy ? { kind: "silence" as const, id: a.silencedBy, comment: null } : null);
  if (!hold) {
    if (!a.holdEnded) return null;
    const ended = endedWords(a.holdEnded);
    return neutralise(`${ended.charAt(0).toUpperCase()}${ended.slice(1)}.`);
  }
  if (hold.kind === "silence")
    return `Silence: ${neutralise(hold.id)}${hold.comment ? ` (${neutralise(hold.comment)})` : ""}`;
  const holder = hold.code
    ? `${neutralise(hold.severity ?? "")} ${neutralise(hold.code)}${hold.circuitName && hold.circuitName !== a.circuitName ? ` on ${neutralise(hold.circuitName)}` : ""}${hold.pending ? NOT_OPEN_YET : ""}${hold.title ? `: ${neutralise(hold.title)}` : ""}`
    : `alert ${neutralise(hold.key)}`;
  return `Held by ${holder} (${neutralise(hold.rule)})`;
}

export async function runAlerts(ctx: Context, opts: { output: string }): Promise<number> {
  const now = clock(ctx);
  const runtime = stateRuntime(ctx);
  const model = await loadStatus(runtime.store, now, {
    recentHours: 0,
    recentLimit: 0,
    sweepIntervalMinutes: runtime.config.state.policy.sweepIntervalMinutes,
    maxReadAgeMinutes: runtime.config.sweep.maxReadAgeMinutes,
    log: ctx.logger,
    silenceStore: runtime.silences,
    configuredSilences: runtime.config.state.silences,
    ...(runtime.claims ? { work: runtime.claims } : {}),
  });
  const alerts = model.openAlerts;
  // Said beside the alerts, never one: nothing pages for a tag erwatch cannot use.
  const tagsLeftOut = model.circuits
    .filter((c) => (c.tagsLeftOut ?? []).length > 0)
    .map((c) => ({ circuit: c.name, circuitId: c.id, tags: c.tagsLeftOut ?? [] }));
  if (opts.output === "json") {
    ctx.printJson({
      generatedAt: model.generatedAt,
      alerts,
      lastSweep: model.summary?.lastSweep ?? null,
      unsent: model.summary?.unsent ?? null,
      workers: model.summary?.workers ?? null,
      unread: model.unread ?? [],
      unreadableAlerts: model.unreadableAlerts ?? [],
      tagsLeftOut,
    });
    return alertsExitCode(model);
  }
  // Recent changes are not listed here.
  const missing = (model.unread ?? []).filter((part) => part !== "recent changes");
  if (missing.length > 0)
    ctx.print(
      `Warning: Table Storage did not give ${missing.join(", ")} just now; left out of what follows.`,
    );
  const { width, colour } = ctx.terminal;
  if (model.summary?.stale)
    ctx.print(
      `Warning: no sweep has completed in the last ${model.summary.staleAfterMinutes} min; this may be out of date.`,
    );
  const unsent = model.summary?.unsent;
  if (unsent)
    ctx.print(
      `Warning: ${counted(unsent.events, "alert event")} decided but not published, the oldest ${ageText(unsent.ageMinutes)} ago: Service Bus is not taking them, so nobody was notified of them.`,
    );
  const workers = model.summary?.workers;
  if (workers?.over && workers.failedCount + workers.unfinished > 0)
    ctx.print(
      `Warning: the workers recorded ${workers.recorded} of the ${counted(workers.handedOut, "deep read")} of the last sweep (${workers.failedCount} read but not recorded${workers.failed.length > 0 ? `: ${workers.failed.map((f) => `${neutralise(f.name)} (${neutralise(f.why)})`).join("; ")}${workers.failedCount > workers.failed.length ? "; …" : ""}` : ""}; ${workers.unfinished} not read by the deadline): their alerts were not decided.`,
    );
  for (const row of model.unreadableAlerts ?? [])
    ctx.print(
      `Warning: alert ${neutralise(row.key)} cannot be read (${neutralise(row.reason)}; ${row.table} row ${neutralise(row.partitionKey)} / ${neutralise(row.rowKey)}): it is not listed below, and erwatch cannot resolve it. Resolve its incident at the receivers (the key is the PagerDuty dedup_key), then delete the row.`,
    );
  for (const t of tagsLeftOut)
    ctx.print(
      `Warning: circuit ${neutralise(t.circuit)} is read without ${t.tags.length === 1 ? "a tag" : "tags"} (defaults apply in their place; nothing pages for them): ${t.tags.map((tag) => neutralise(tag)).join("; ")}.`,
    );
  if (alerts.length === 0) {
    ctx.print("No open alerts.");
    return alertsExitCode(model);
  }
  const table = renderTable(
    [
      { header: "SEV", min: 4 },
      { header: "AGE", min: 6 },
      { header: "CIRCUIT", min: 12 },
      { header: "PEERING", min: 8 },
      { header: "PATHS", min: 9 },
      { header: "OWNER", min: 7 },
      { header: "STATE", min: 20 },
    ],
    alerts.map((a) => [
      a.severity,
      ageText(a.ageMinutes),
      neutralise(a.circuitName),
      neutralise(shortPeering(a.peering ?? "circuit")),
      a.paths.length === 2 ? "both" : a.paths.join("+") || "-",
      // Stored text, as every field of a row: a hand edit or an older erwatch wrote it.
      neutralise(a.owner),
      stateWord(a),
    ]),
    width,
    (row, column, text) =>
      column === 0
        ? paint(text, ["Sev0", "Sev1"].includes(alerts[row]!.severity) ? "down" : "warn", {
            colour,
          })
        : text,
  );
  const lines = [table[0]!];
  alerts.forEach((a, i) => {
    lines.push(table[i + 1]!);
    lines.push(...wrapIndented(`${neutralise(a.code)}: ${neutralise(a.title)}`, width, "      "));
    // What holds it, the silence id whole (wrap keeps a word whole): a person copies it.
    const held = holdLine(a);
    if (held) lines.push(...wrapIndented(held, width, "      ", "            "));
    // Held as last read: its age runs on while nobody reads it (the status page says the same).
    if (a.stale)
      lines.push(
        `      Stale: ${a.notReadSince ? `not read since ${neutralise(a.notReadSince)}, ` : ""}its subscription cannot be listed.`,
      );
    // Its circuit's own read fails: held as last read, and why it cannot be read (stored text, escaped).
    else if (a.readFailed)
      lines.push(
        ...wrapIndented(
          `Not read: the circuit's read has failed since ${neutralise(a.readFailed.since)}, so this is as last read: ${neutralise(a.readFailed.why)}`,
          width,
          "      ",
          "            ",
        ),
      );
    lines.push(
      ...wrapIndented(`Next: ${neutralise(a.nextAction)}`, width, "      ", "            "),
    );
  });
  ctx.print(lines.join("\n"));
  return alertsExitCode(model);
}
