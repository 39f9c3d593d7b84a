// Who else a circuit's Connection Monitor tests, as one run of deep reads
// knows it: the circuits judged earlier in the run, else the voices their
// stored snapshots keep while fresh (another fan-out worker's batch, a
// circuit the rotation did not read this sweep). The snapshots are listed
// once per run, and only when a circuit has an end-to-end alert; whether a
// possible holder's receivers hold its alert is what this run decided for
// it, else its stored alert. Storage that fails, or routes that cannot be
// read, hold nothing: each circuit pages for itself, as before. A stored
// circuit the sweep's listing does not show as watched (tagged
// erwatch:ignore, gone, or in a subscription whose listing failed) speaks for
// nothing though its snapshot is fresh: its alerts may be being retired.

import type { Holds } from "../core/alert-step.js";
import {
  opensNoLater,
  reachesAllOf,
  sharedMonitorHolds,
  storedVoices,
  voiceKey,
  type EndToEndVoice,
  type Heard,
  type MonitorSpeaker,
  type Standing,
} from "../core/dataplane/shared-monitor.js";
import type { AlertEvent } from "../core/alert-event.js";
import { storedInstant } from "../core/instant.js";
import { textFields } from "../core/record.js";
import { severityRank } from "../core/severity.js";
import type { AlertState } from "../core/lifecycle.js";
import { PATHS } from "../core/model.js";
import type { AlertPolicy, Silence } from "../core/policy.js";
import type { Routing } from "../core/routing.js";
import { activeSilence, SILENCE_EDGE_MS } from "../core/silence.js";
import type { Logger } from "../logging.js";
import type { PreparedCircuit } from "./record-circuit.js";
import type { StateStore } from "./state-store.js";

export interface SharedMonitorsOptions {
  store: StateStore;
  now: Date;
  /** A voice judged longer ago (or further ahead) than this speaks for nothing. */
  maxAgeMs: number;
  silences: Silence[];
  /** Hysteresis per circuit: a holder that waits longer does not hold. */
  policy: AlertPolicy;
  /** Who hears what; null: not known, and nothing is held. */
  routing: Routing | null;
  /** The timer's own sweep: its hysteresis counts ticks (opensNoLater). */
  tick?: boolean;
  /** The circuits the sweep's listing found and watches (lower-case ids); absent: not known. */
  watched?: ReadonlySet<string>;
  log: Logger;
}

const lower = (id: string) => id.toLowerCase();

/** Where an alert stands before this sweep's decision, for a condition judged at `severity` now. */
export function standingOf(
  state: AlertState | null | undefined,
  severity: EndToEndVoice["severity"],
): Standing {
  if (state?.notified) return "heard";
  const before = state?.phase === "firing" ? state.condition?.severity : undefined;
  return before !== undefined && severityRank(before) <= severityRank(severity) ? "due" : "new";
}

/** What the receivers hold of an alert, from its stored state. */
const heardOf = (state: AlertState | null | undefined): Heard | null =>
  state?.notified
    ? { severity: state.notified.severity, peakSeverity: state.notified.peakSeverity }
    : null;

export class SharedMonitors {
  private readonly inRun = new Map<string, MonitorSpeaker>();
  /** Alert key → what its receivers hold of it, as this run decided (null: nothing). */
  private readonly heard = new Map<string, Heard | null>();
  /** End-to-end alerts are decided one circuit at a time, each seeing the last one's news. */
  private chain: Promise<unknown> = Promise.resolve();
  private routingUnknownSaid = false;
  private stored: Promise<MonitorSpeaker[]> | null = null;

  constructor(private readonly o: SharedMonitorsOptions) {}

  /** A circuit judged in this run: what it says now replaces its snapshot's. */
  judged(prepared: Pick<PreparedCircuit, "verdict" | "endToEnd" | "alerts">): void {
    const { id, name, tags } = prepared.verdict;
    const voices = prepared.endToEnd ?? [];
    this.inRun.set(lower(id), { circuitId: id, circuitName: name, tags: tags ?? {}, voices });
    for (const v of voices) {
      const key = voiceKey(id, v);
      if (!this.heard.has(key)) this.heard.set(key, heardOf(prepared.alerts.get(key)?.value));
    }
  }

  /** Its events: what the receivers hold of an end-to-end alert from now on. */
  committed(events: readonly AlertEvent[]): void {
    for (const e of events)
      if (e.family === "end-to-end")
        this.heard.set(
          e.key,
          e.action === "resolve" ? null : { severity: e.severity, peakSeverity: e.peakSeverity },
        );
  }

  /**
   * Decide a circuit's alerts with the holds on its end-to-end alerts, one
   * circuit with such alerts at a time: two judged side by side each saw the
   * other's alert not yet paged, and both paged (one maintenance window over
   * both ending with the fault still on).
   */
  async decide<T extends { events: AlertEvent[] }>(
    prepared: PreparedCircuit,
    commit: (holds: Holds) => Promise<T>,
  ): Promise<T> {
    if ((prepared.endToEnd ?? []).length === 0) return commit(new Map());
    const turn = this.chain.then(async () => {
      const record = await commit(await this.holdsFor(prepared));
      this.committed(record.events);
      return record;
    });
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  /** The holds on the circuit's end-to-end alerts by another circuit its monitors test. */
  async holdsFor(prepared: PreparedCircuit): Promise<Holds> {
    const voices = prepared.endToEnd ?? [];
    const { routing, policy, silences } = this.o;
    if (voices.length === 0) return new Map();
    if (routing === null) {
      if (!this.routingUnknownSaid)
        this.o.log.warn(
          "the dispatcher's routes cannot be read here (ERWATCH_ACTION_GROUPS, or no receiver set): each circuit's end-to-end alert pages for itself, though one Connection Monitor tests several",
        );
      this.routingUnknownSaid = true;
      return new Map();
    }
    const { id, name, tags } = prepared.verdict;
    const self: MonitorSpeaker = { circuitId: id, circuitName: name, tags: tags ?? {}, voices };
    const monitors = new Set(voices.map((v) => v.monitors));
    const now = this.o.now.getTime();
    // A voice kept through readings that could not judge it speaks for as long as a snapshot would.
    const fresh = (v: EndToEndVoice) =>
      Math.abs(now - (storedInstant(v.at) ?? Number.NEGATIVE_INFINITY)) <= this.o.maxAgeMs;
    // One judged in this run speaks as judged; a stored one only while the sweep still watches it.
    const stored = (await this.listed()).filter(
      (s) =>
        !this.inRun.has(lower(s.circuitId)) && (this.o.watched?.has(lower(s.circuitId)) ?? true),
    );
    const others = await Promise.all(
      [...this.inRun.values(), ...stored]
        .filter((s) => lower(s.circuitId) !== lower(id))
        .map(async (s) => ({
          ...s,
          voices: await Promise.all(
            s.voices
              .filter((v) => monitors.has(v.monitors) && fresh(v))
              .map(async (v) => ({ ...v, heard: await this.heardOf(s.circuitId, v) })),
          ),
        })),
    );
    // As decideStep judges silences: a tick a moment early counts as after an edge.
    const at = new Date(now + SILENCE_EDGE_MS);
    const silenced = (o: MonitorSpeaker, v: EndToEndVoice) =>
      activeSilence(
        silences,
        {
          circuitId: o.circuitId,
          circuitName: o.circuitName,
          peering: v.peering,
          paths: [...PATHS],
        },
        at,
      ) !== null;
    return sharedMonitorHolds(
      self,
      others,
      (key, mine) => standingOf(prepared.alerts.get(key)?.value, mine.severity),
      (holder, voice, mine) =>
        reachesAllOf(routing, holder, voice, self, mine) &&
        // Heard at this grade, it speaks for the monitor whatever holds its own
        // news now; otherwise its news must go out: not silenced, and its open
        // (when it has none yet) no later than this one's.
        ((voice.heard != null &&
          severityRank(voice.heard.severity) <= severityRank(mine.severity)) ||
          (!silenced(holder, voice) &&
            (voice.heard != null ||
              opensNoLater(policy, holder, voice, self, mine, this.o.tick === true)))),
      this.o.now.toISOString(),
    );
  }

  /** What a possible holder's receivers hold of its alert: this run's news, else storage's. */
  private async heardOf(circuitId: string, voice: EndToEndVoice): Promise<Heard | null> {
    const key = voiceKey(circuitId, voice);
    const known = this.heard.get(key);
    if (known !== undefined) return known;
    try {
      const stored = heardOf((await this.o.store.getAlert(circuitId, key))?.value);
      this.heard.set(key, stored);
      return stored;
    } catch (error) {
      // Not known to be heard: it holds only as one not paged yet may.
      this.o.log.warn(
        { err: error, holder: circuitId, key },
        "the end-to-end alert of a circuit testing the same Connection Monitor could not be read",
      );
      return null;
    }
  }

  private listed(): Promise<MonitorSpeaker[]> {
    this.stored ??= this.list();
    return this.stored;
  }

  private async list(): Promise<MonitorSpeaker[]> {
    const { store, now, maxAgeMs, log } = this.o;
    const fresh = (v: EndToEndVoice) => Math.abs(now.getTime() - Date.parse(v.at)) <= maxAgeMs;
    try {
      const snapshots = await store.listSnapshots();
      return snapshots.flatMap((s) => {
        const voices =
          typeof s.circuitId === "string" ? storedVoices(s.endToEnd).filter(fresh) : [];
        // Kept by an older erwatch or by hand: a list is no tags, a name that is no text names it by id.
        const circuitName =
          typeof s.circuitName === "string" && s.circuitName !== "" ? s.circuitName : s.circuitId;
        return voices.length > 0
          ? [{ circuitId: s.circuitId, circuitName, tags: textFields(s.circuitTags), voices }]
          : [];
      });
    } catch (error) {
      log.warn(
        { err: error },
        "snapshots could not be listed: each circuit's end-to-end alert pages for itself this run, though one Connection Monitor tests several",
      );
      return [];
    }
  }
}
