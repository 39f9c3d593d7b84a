// An open alert whose owner changed at the same grade, from the sweep's
// readings through the real dispatcher to loopback PagerDuty and Teams
// receivers: once the new owner holds a second sweep the update reaches them
// at once, on the same incident (PagerDuty dedup_key, Teams "CHANGED"), not
// at the repeat up to 24 h later; the sweeps after, reading the same, send
// nothing.

import { afterEach, expect, it } from "vitest";
import { createReceiver } from "../../src/adapters/receivers/index.js";
import { createDispatcher } from "../../src/app/dispatch/dispatcher.js";
import type { Receiver } from "../../src/app/dispatch/receiver.js";
import { buildAlertEvent } from "../../src/app/alert-events.js";
import { alertChain, type Sent } from "../support/alert-chain.js";
import { TIMELINE_T0 } from "../support/chain-timeline.js";
import { RETRY } from "../support/dispatch-event.js";
import { MemoryDeliveries } from "../support/memory-deliveries.js";
import { circuitReading, type CircuitSpec, type PathSpec } from "../support/readings.js";
import { startRecordingReceiver, type RecordingReceiver } from "../support/recording-receiver.js";
import { recordingSettlement } from "../support/settlement.js";
import { memoryLogger } from "../support/test-logger.js";

const servers: RecordingReceiver[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The carrier's layer 2 gone on the primary path, then your BGP down there with layer 2 back. */
const l2Down: PathSpec = { arp: "empty", bgp: "Idle" };
const bgpActive: PathSpec = { bgp: "Active" };
const primary = (p: PathSpec): CircuitSpec => ({ paths: { AzurePrivatePeering: { primary: p } } });

it("another owner at the same grade reaches PagerDuty and Teams at once, as an update of the same incident", async () => {
  const [pdServer, teamsServer] = await Promise.all(
    ["pd", "teams"].map((name) => startRecordingReceiver({ name })),
  );
  servers.push(pdServer!, teamsServer!);
  const options = { timeoutMs: 2_000 };
  const receivers = new Map<string, Receiver>([
    [
      "pd",
      createReceiver(
        {
          kind: "pagerduty",
          name: "pd",
          routingKey: "R0ut1ngK3y",
          url: `${pdServer!.url}/v2/enqueue`,
        },
        options,
      ),
    ],
    [
      "teams",
      createReceiver({ kind: "teams", name: "teams", url: `${teamsServer!.url}/hook` }, options),
    ],
  ]);
  let now = new Date(TIMELINE_T0);
  const dispatcher = createDispatcher({
    receivers,
    routing: {
      actionGroups: [{ name: "on-call", receivers: ["pd", "teams"] }],
      routes: [{ name: "all", match: { severityAtOrAbove: "Sev3" }, actionGroups: ["on-call"] }],
    },
    deliveries: new MemoryDeliveries(() => now),
    retry: RETRY,
    logger: memoryLogger().logger,
    now: () => now,
    sleep: async () => undefined,
  });

  const sweep = alertChain();
  const heard: string[] = [];
  for (const [minute, spec] of [
    [0, primary(l2Down)],
    [5, primary(l2Down)],
    [10, primary(bgpActive)],
    [15, primary(bgpActive)],
    [20, primary(bgpActive)],
    [25, primary(bgpActive)],
  ] as const) {
    now = new Date(TIMELINE_T0 + minute * 60_000);
    const sent: Sent[] = sweep(circuitReading({ ...spec, readAt: now.toISOString() }), now);
    heard.push(sent.map((s) => `${minute}: ${s.family} ${s.action}`).join(", ") || `${minute}: -`);
    for (const s of sent) {
      const event = buildAlertEvent(s.state, s.event, s.verdict, now);
      // Only what crosses the queue: JSON.
      const body: unknown = JSON.parse(JSON.stringify(event));
      const { s: settle, log } = recordingSettlement(true);
      const outcome = await dispatcher.dispatch(
        { messageId: event.id, body, deliveryCount: 1 },
        settle,
        new AbortController().signal,
      );
      expect(log).toEqual(["complete"]);
      expect(outcome).toMatchObject({ delivered: ["pd", "teams"] });
    }
  }

  expect(heard).toEqual([
    "0: -",
    "5: path-down open",
    "10: -",
    "15: path-down repeat",
    "20: -",
    "25: -",
  ]);
  type Trigger = {
    event_action: string;
    dedup_key: string;
    payload: { summary: string; custom_details: Record<string, unknown> };
  };
  const [opened, updated] = pdServer!.requests.map((r) => r.body as Trigger);
  expect(pdServer!.requests).toHaveLength(2);
  expect(opened!.payload.custom_details).toMatchObject({ action: "open", owner: "carrier" });
  // The same PagerDuty incident, updated with whose it is now and what to do.
  expect(updated).toMatchObject({ event_action: "trigger", dedup_key: opened!.dedup_key });
  expect(updated!.payload.custom_details).toMatchObject({
    action: "repeat",
    owner: "you",
    sequence: 2,
    episodeId: opened!.payload.custom_details["episodeId"],
  });
  expect(updated!.payload.custom_details["change"]).toBe(
    "Changed: now yours, was the carrier's, and so is what to do.",
  );
  expect(updated!.payload.custom_details["nextAction"]).not.toBe(
    opened!.payload.custom_details["nextAction"],
  );

  const cards = teamsServer!.requests.map((r) => JSON.stringify(r.body));
  expect(cards).toHaveLength(2);
  expect(cards[1]).toContain("CHANGED Sev2");
  expect(cards[1]).not.toContain("STILL FIRING");
  expect(cards[1]).toContain(
    "**Changed:** Changed: now yours, was the carrier's, and so is what to do.",
  );
  expect(cards[1]).toContain("**Owner:** you");
});
