// The alert event: what the sweep publishes and every receiver consumes.
// It is a public, versioned contract (README "Alert events"): add fields, never
// change the meaning of one; a breaking change bumps `version`.

import type {
  AlertAction,
  AlertFamily,
  BlindCause,
  FindingCode,
  Layer,
  Owner,
  PathName,
  PeeringVerdict,
  Severity,
} from "./model.js";

export const ALERT_EVENT_VERSION = 1 as const;

export interface AlertCircuit {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  tags: Record<string, string>;
  serviceKey: string | null;
  serviceProviderName: string | null;
  peeringLocation: string | null;
}

export interface AlertEvent {
  version: typeof ALERT_EVENT_VERSION;
  /** `${key}-${sequence}`: the same event re-sent carries the same id (Service Bus messageId). */
  id: string;
  action: AlertAction;
  /** Stable identity from circuit, peering and family; the PagerDuty dedup_key. */
  key: string;
  /** 1 for the open, +1 for every event after it on this key. */
  sequence: number;
  /**
   * One alert instance: `${key}-${sequence of its open}`. A new value each time
   * the key opens again, the same through its escalations, repeats and resolve
   * (ITSM tools pair tickets by it).
   */
  episodeId: string;
  family: AlertFamily;
  code: FindingCode;
  severity: Severity;
  /** Severity the receivers last heard, for escalate / deescalate / resolve. */
  previousSeverity: Severity | null;
  /**
   * Highest severity of this episode. Routing uses it, so the receivers that
   * were paged at the peak also hear the de-escalation and the resolve.
   */
  peakSeverity: Severity;
  layer: Layer;
  owner: Owner;
  title: string;
  /** One sentence on what changed since the last notification on this key. */
  change: string;
  /**
   * Blind notices only (a `repeat` whose change begins `Blind:`): the last
   * reading before erwatch lost sight of the alert. Absent on every other
   * event, and on blind notices sent before it was added (their change has it).
   */
  blindSince?: string;
  /**
   * Blind notices only, when erwatch lost sight of these paths alone and the
   * rest of what the alert names still reads as it says (a Sev0 whose
   * secondary cannot be read while the primary reads down). Absent when
   * nothing behind the alert reads, and on notices sent before it was added.
   */
  blindPaths?: PathName[];
  /**
   * Blind notices only, when what erwatch lost is not a reading of the
   * alert's layers, which still read, but what they are judged with:
   * "history", the circuit's history in Table Storage, which a flap alert is
   * counted from. Absent when erwatch cannot read the layers.
   */
  blindCause?: BlindCause;
  nextAction: string;
  /**
   * Resolves only: how the alert reads at the sweep that resolved it, in words
   * ("received prefixes on AzurePrivatePeering: primary 120 of 4,000"). The
   * title of a resolve is the one its receivers were last sent (by an erwatch
   * before 2026-12-06, the last firing sweep's), its evidence and ticket the
   * last firing sweep's: none of them is how it is now. Absent on every other
   * event, and on resolves sent before it was added.
   */
  resolution?: string;
  circuit: AlertCircuit;
  peering: string | null;
  paths: PathName[];
  evidence: Record<string, unknown>;
  ticket: string | null;
  /** The layer table of the affected peering at the time of the event. */
  layerTable: PeeringVerdict | null;
  /** When the condition was first seen (before hysteresis held it). */
  firstSeen: string;
  occurredAt: string;
}
