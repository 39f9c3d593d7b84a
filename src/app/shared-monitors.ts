// Who else a circuit's Connection Monitor tests, as one run of deep reads
// knows it: the circuits judged earlier in the run, else the voices their
// stored snapshots keep while fresh (another fan-out worker's batch, a
// circuit the rotation did not read this sweep). The snapshots are listed
// once per run, and only when a circuit has an end-to-end alert; whether a
// possible holder's receivers hold its alert is what this run decided for
// it, else its stored alert. Storage that fails, or routes that cannot be
// read, hold nothing: each circuit pages for itself, as before. A circuit
// this sweep no longer watches (tagged erwatch:ignore, gone from its
// listing) speaks for nothing though its snapshot is fresh: its alerts are
// being retired.

import type { Holds } from "../core/alert-step.js";
import {
  opensNoLater,
  reachesAllOf,
  sharedMonitorHolds,
  storedVoices,
  voiceKey,
  type EndToEndVoice,
  type MonitorSpeaker,
  type Standing,
} from "../core/dataplane/shared-monitor.js";
import type { AlertState } from "../core/lifecycle.js";
import { PATHS } from "../core/model.js";
import type { AlertPolicy, Silence } from "../core/policy.js";
import type { Routing } from "../core/routing.js";
import { activeSilence, SILENCE_EDGE_MS } from "../core/silence.js";
import type { Logger } from "../logging.js";
import type { KeyDecision, PreparedCircuit } from "./record-circuit.js";
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
  /** The circuits the sweep's listing found and watches (lower-case ids); absent: not known. */
  watched?: ReadonlySet<string>;
  log: Logger;
}

const lower = (id: string) => id.toLowerCase();

/** Where an alert stands before this sweep's decision. */
export function standingOf(state: AlertState | null | undefined): Standing {
  if (state?.notified) return "heard";
  return state?.phase === "firing" ? "due" : "new";
}

export class SharedMonitors {
  private readonly inRun = new Map<string, MonitorSpeaker>();
  /** Alert key → whether its receivers hold it, as this run decided. */
  private readonly heard = new Map<string, boolean>();
  private stored: Promise<MonitorSpeaker[]> | null = null;

  constructor(private readonly o: SharedMonitorsOptions) {}

  /** A circuit judged in this run: what it says now replaces its snapshot's. */
  judged(prepared: Pick<PreparedCircuit, "verdict" | "endToEnd" | "alerts">): void {
    const { id, name, tags } = prepared.verdict;
    const voices = prepared.endToEnd ?? [];
    this.inRun.set(lower(id), { circuitId: id, circuitName: name, tags: tags ?? {}, voices });
    for (const v of voices) {
      const key = voiceKey(id, v);
      if (!this.heard.has(key))
        this.heard.set(key, Boolean(prepared.alerts.get(key)?.value.notified));
    }
  }

  /** Its alerts decided: an end-to-end alert opened or resolved now is heard, or not, from here on. */
  committed(decisions: readonly KeyDecision[]): void {
    for (const d of decisions) {
      if (d.family !== "end-to-end" || d.action === "none") continue;
      this.heard.set(d.key, d.action !== "resolve");
    }
  }

  /** The holds on the circuit's end-to-end alerts by another circuit its monitors test. */
  async holdsFor(prepared: PreparedCircuit): Promise<Holds> {
    const voices = prepared.endToEnd ?? [];
    const { routing, policy, silences } = this.o;
    if (voices.length === 0 || routing === null) return new Map();
    const { id, name, tags } = prepared.verdict;
    const self: MonitorSpeaker = { circuitId: id, circuitName: name, tags: tags ?? {}, voices };
    const monitors = new Set(voices.map((v) => v.monitors));
    const now = this.o.now.getTime();
    // A voice kept through readings that could not judge it speaks for as long as a snapshot would.
    const fresh = (v: EndToEndVoice) => Math.abs(now - Date.parse(v.at)) <= this.o.maxAgeMs;
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
              .map(async (v) => ({ ...v, announced: await this.announced(s.circuitId, v) })),
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
      (key) => standingOf(prepared.alerts.get(key)?.value),
      (holder, voice, mine) =>
        reachesAllOf(routing, holder, voice, self, mine) &&
        // Heard, it speaks for the monitor whatever holds its own news now.
        (voice.announced === true ||
          (!silenced(holder, voice) && opensNoLater(policy, holder, voice, self, mine))),
    );
  }

  /** Whether a possible holder's receivers hold its alert: this run's decision, else storage's. */
  private async announced(circuitId: string, voice: EndToEndVoice): Promise<boolean> {
    const key = voiceKey(circuitId, voice);
    const known = this.heard.get(key);
    if (known !== undefined) return known;
    try {
      const stored = await this.o.store.getAlert(circuitId, key);
      const heard = Boolean(stored?.value.notified);
      this.heard.set(key, heard);
      return heard;
    } catch (error) {
      // Not known to be heard: it holds only by sorting first, as before.
      this.o.log.warn(
        { err: error, holder: circuitId, key },
        "the end-to-end alert of a circuit testing the same Connection Monitor could not be read",
      );
      return false;
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
        const tags = s.circuitTags && typeof s.circuitTags === "object" ? s.circuitTags : {};
        return voices.length > 0
          ? [{ circuitId: s.circuitId, circuitName: String(s.circuitName), tags, voices }]
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
