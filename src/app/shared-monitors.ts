// Who else a circuit's Connection Monitor tests, as one run of deep reads
// knows it: the circuits judged earlier in the run, else their stored
// snapshots while fresh (another fan-out worker's batch, a circuit the
// rotation did not read this sweep). The snapshots are listed once per run,
// and only when a circuit has an end-to-end alert; a listing that fails holds
// nothing (each circuit pages for itself, as before).

import type { Holds } from "../core/alert-step.js";
import {
  sharedMonitorHolds,
  storedVoices,
  type EndToEndVoice,
  type MonitorSpeaker,
} from "../core/dataplane/shared-monitor.js";
import { PATHS } from "../core/model.js";
import type { Silence } from "../core/policy.js";
import { activeSilence } from "../core/silence.js";
import type { Logger } from "../logging.js";
import type { PreparedCircuit } from "./record-circuit.js";
import type { StateStore } from "./state-store.js";

export interface SharedMonitorsOptions {
  store: StateStore;
  now: Date;
  /** A stored snapshot older (or further ahead) than this speaks for nothing. */
  maxAgeMs: number;
  silences: Silence[];
  log: Logger;
}

const key = (id: string) => id.toLowerCase();

export class SharedMonitors {
  private readonly inRun = new Map<string, MonitorSpeaker>();
  private stored: Promise<MonitorSpeaker[]> | null = null;

  constructor(private readonly o: SharedMonitorsOptions) {}

  /** A circuit judged in this run: what it says now replaces its snapshot's. */
  judged(prepared: Pick<PreparedCircuit, "verdict" | "endToEnd">): void {
    const { id, name } = prepared.verdict;
    this.inRun.set(key(id), { circuitId: id, circuitName: name, voices: prepared.endToEnd ?? [] });
  }

  /** The holds on the circuit's end-to-end alerts by another circuit its monitors test. */
  async holdsFor(prepared: PreparedCircuit): Promise<Holds> {
    const voices = prepared.endToEnd ?? [];
    if (voices.length === 0) return new Map();
    const { id, name } = prepared.verdict;
    const stored = (await this.listed()).filter((s) => !this.inRun.has(key(s.circuitId)));
    const others = [...this.inRun.values(), ...stored].filter((s) => key(s.circuitId) !== key(id));
    const { silences, now } = this.o;
    return sharedMonitorHolds(
      { circuitId: id, circuitName: name, voices },
      others,
      (alertKey) => Boolean(prepared.alerts.get(alertKey)?.value.notified),
      (speaker: MonitorSpeaker, voice: EndToEndVoice) =>
        activeSilence(
          silences,
          {
            circuitId: speaker.circuitId,
            circuitName: speaker.circuitName,
            peering: voice.peering,
            paths: [...PATHS],
          },
          now,
        ) === null,
    );
  }

  private listed(): Promise<MonitorSpeaker[]> {
    this.stored ??= this.list();
    return this.stored;
  }

  private async list(): Promise<MonitorSpeaker[]> {
    const { store, now, maxAgeMs, log } = this.o;
    try {
      const snapshots = await store.listSnapshots();
      return snapshots.flatMap((s) => {
        const at = Date.parse(s.takenAt);
        const fresh = Number.isFinite(at) && Math.abs(now.getTime() - at) <= maxAgeMs;
        const voices = fresh && typeof s.circuitId === "string" ? storedVoices(s.endToEnd) : [];
        return voices.length > 0
          ? [{ circuitId: s.circuitId, circuitName: String(s.circuitName), voices }]
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
