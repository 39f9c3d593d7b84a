// End to end on loopback: simulated estate → the timer function's sweep →
// Azurite → AMQP broker (real @azure/service-bus client) → dispatcher →
// recording PagerDuty / Teams / webhook receivers. Time is injected; the
// dispatcher's backoff sleeps are recorded, not waited.

import { ServiceBusClient } from "@azure/service-bus";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SweepResult } from "../../src/app/sweep.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import {
  carrierDown,
  estateOf,
  healthyCircuit,
  restorePath,
  type SimCircuit,
} from "../support/estate/index.js";
import {
  ALERTS_QUEUE,
  ROUTING_KEY,
  startWorld,
  TEAMS_SIG,
  WEBHOOK_SIG,
  type World,
} from "../support/world.js";

const PRIVATE = "AzurePrivatePeering";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

interface Harness {
  world: World;
  circuit: SimCircuit;
  logLines: string[];
  sleeps: number[];
  /** Runs the timer function at T0 + minutes. */
  tick(minutes: number): Promise<SweepResult>;
  /** Moves the clock to T0 + minutes without sweeping. */
  at(minutes: number): void;
}

let current: Harness | null = null;
afterEach(async () => {
  await current?.world.close();
  current = null;
});

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const bundle = healthyCircuit();
  let now = new Date(T0);
  const logLines: string[] = [];
  const sleeps: number[] = [];
  const world = await startWorld({
    estate: estateOf(bundle),
    azurite,
    now: () => now,
    env: { LOG_LEVEL: "debug", ...env },
    logDestination: new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  current = {
    world,
    circuit: bundle.circuit,
    logLines,
    sleeps,
    async tick(minutes) {
      now = new Date(T0 + minutes * 60_000);
      return world.timerSweep();
    },
    at(minutes) {
      now = new Date(T0 + minutes * 60_000);
    },
  };
  return current;
}

interface PdBody {
  event_action: string;
  dedup_key: string;
  routing_key: string;
  payload?: { severity: string; summary: string };
}

const pdEvents = (w: World) => w.pagerduty.requests.map((r) => r.body as PdBody);
const cardText = (body: unknown) => JSON.stringify(body);

describe("secondary down → primary down → both up, delivered", () => {
  it("pages once, escalates the same incident, resolves it, and tells Teams what changed each time", async () => {
    const h = await harness();
    const { world, circuit } = h;

    await h.tick(0);
    carrierDown(circuit, PRIVATE, "secondary");
    expect((await h.tick(5)).events).toEqual([]); // held: one sweep is not yet an outage
    const opened = await h.tick(10);
    expect(opened.events.map((e) => `${e.action} ${e.severity}`)).toEqual(["open Sev2"]);
    expect(opened.pendingInOutbox).toBe(0);
    await world.dispatchPending();

    carrierDown(circuit, PRIVATE, "primary");
    const escalated = await h.tick(15);
    expect(escalated.events.map((e) => `${e.action} ${e.severity}`)).toEqual(["escalate Sev0"]);
    await world.dispatchPending();

    restorePath(circuit, PRIVATE, "primary");
    restorePath(circuit, PRIVATE, "secondary");
    expect((await h.tick(20)).events).toEqual([]); // held: one clean sweep is not yet healed
    const resolved = await h.tick(25);
    expect(resolved.events.map((e) => e.action)).toEqual(["resolve"]);
    await world.dispatchPending();

    // The broker saw exactly three events, each with its deterministic id.
    const accepted = world.broker.accepted(ALERTS_QUEUE);
    expect(accepted.map((m) => m.subject)).toEqual(["open", "escalate", "resolve"]);
    expect(accepted.map((m) => m.messageId)).toEqual([
      opened.events[0]!.id,
      escalated.events[0]!.id,
      resolved.events[0]!.id,
    ]);
    expect(accepted[0]!.applicationProperties).toMatchObject({
      severity: "Sev2",
      circuit: "er-circuit-prod",
      peering: PRIVATE,
      layer: "provider",
      owner: "carrier",
      code: "arp-missing",
    });

    // PagerDuty: trigger, trigger (escalated), resolve, on one dedup key = the alert key.
    const pd = pdEvents(world);
    expect(pd.map((e) => e.event_action)).toEqual(["trigger", "trigger", "resolve"]);
    expect(new Set(pd.map((e) => e.dedup_key))).toEqual(new Set([opened.events[0]!.key]));
    expect(pd.map((e) => e.payload?.severity ?? null)).toEqual(["warning", "critical", null]);
    expect(pd.every((e) => e.routing_key === ROUTING_KEY)).toBe(true);

    // Teams: three cards, each saying what changed.
    const cards = world.teams.requests.map((r) => r.body);
    expect(cards).toHaveLength(3);
    expect(cardText(cards[0])).toMatch(/redundancy holding/i);
    expect(cardText(cards[1])).toMatch(/ESCALATED/);
    expect(cardText(cards[1])).toMatch(/Sev2.{0,40}Sev0|both paths/i);
    expect(cardText(cards[2])).toMatch(/RESOLVED/i);
    expect(world.teams.requests[0]!.path).toContain("/workflows/");

    // The webhook hears the same three in the Azure Monitor common alert schema.
    const conditions = world.webhook.requests.map(
      (r) =>
        (r.body as { data: { essentials: { monitorCondition: string } } }).data.essentials
          .monitorCondition,
    );
    expect(conditions).toEqual(["Fired", "Fired", "Resolved"]);

    expect(world.broker.deadLettered(ALERTS_QUEUE)).toEqual([]);
  });
});

describe("a receiver slower than RECEIVER_TIMEOUT_MS", () => {
  // The soaks' slow receivers used to be given up after a real 300 ms, which on
  // a loaded machine also ran out on receivers answering at once.
  it("is given up as soon as it has each post, without waiting the timeout out, while the others are heard once", async () => {
    // The longest timeout erwatch takes: nine posts waiting it out would take 18 minutes.
    const h = await harness({ RECEIVER_TIMEOUT_MS: "120000" });
    const { world, circuit } = h;
    world.pagerduty.respondWith(202, { delayMs: 120_000 });
    await h.tick(0);
    carrierDown(circuit, PRIVATE, "primary");
    carrierDown(circuit, PRIVATE, "secondary");
    const opened = await h.tick(5);
    expect(opened.events.map((e) => e.action)).toEqual(["open"]);
    await world.dispatchPending(30_000);
    // Three posts in each of the three deliveries, none answered in time.
    expect(world.pagerduty.requests.map((r) => r.status)).toEqual(Array(9).fill(undefined));
    expect(world.teams.requests.map((r) => r.status)).toEqual([202]);
    expect(world.webhook.requests.map((r) => r.status)).toEqual([202]);
    const [copy] = world.broker.scheduled(ALERTS_QUEUE);
    expect(JSON.stringify(copy?.applicationProperties)).toContain(
      "PagerDuty timed out after 120000 ms",
    );
  });
});

describe("faults: nothing lost, nothing delivered twice, no secret in logs", () => {
  it("survives a broker outage, PagerDuty 500s, a Teams 429 and a poison message", async () => {
    const h = await harness();
    const { world, circuit } = h;
    await h.tick(0);

    // Both paths down while Service Bus is unreachable: the event waits in the outbox.
    await world.stopBroker();
    carrierDown(circuit, PRIVATE, "primary");
    carrierDown(circuit, PRIVATE, "secondary");
    const during = await h.tick(5);
    expect(during.events.map((e) => `${e.action} ${e.severity}`)).toEqual(["open Sev0"]);
    expect(during.pendingInOutbox).toBe(1);
    expect(during.brokerError).toBeTruthy();
    // Said once for the batch, at warn, not once per event.
    const outageLines = h.logLines.filter((l) => l.includes("stay in the outbox"));
    expect(outageLines).toHaveLength(1);
    expect(JSON.parse(outageLines[0]!)).toMatchObject({ level: 40 });

    // Broker back: the next sweep publishes it with the same id, and nothing new is decided.
    await world.restartBroker();
    const after = await h.tick(10);
    expect(after.events).toEqual([]);
    expect(after.pendingInOutbox).toBe(0);
    expect(world.broker.accepted(ALERTS_QUEUE).map((m) => m.messageId)).toEqual([
      during.events[0]!.id,
    ]);

    // PagerDuty fails twice then takes it; Teams is throttled once with Retry-After.
    world.pagerduty.failNext(2, { status: 500 });
    world.teams.failNext(1, { status: 429, retryAfter: "7" });
    await world.dispatchPending();
    expect(world.pagerduty.requests.map((r) => (r.body as PdBody).dedup_key)).toEqual([
      during.events[0]!.key,
      during.events[0]!.key,
      during.events[0]!.key,
    ]);
    expect(world.teams.requests).toHaveLength(2);
    expect(world.webhook.requests).toHaveLength(1);
    expect(h.sleeps).toContain(7_000); // Retry-After honoured over the shorter backoff
    expect(world.broker.deadLettered(ALERTS_QUEUE)).toEqual([]);

    // A poison message is dead-lettered at once with the reason, and nobody is called.
    const sb = new ServiceBusClient(world.broker.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 3_000 },
    });
    try {
      await sb
        .createSender(ALERTS_QUEUE)
        .sendMessages({ body: "{not json", messageId: "poison-1" });
    } finally {
      await sb.close();
    }
    const before = [world.pagerduty, world.teams, world.webhook].map((r) => r.requests.length);
    await world.dispatchPending();
    const poisoned = world.broker.deadLettered(ALERTS_QUEUE);
    expect(poisoned.map((m) => m.messageId)).toEqual(["poison-1"]);
    expect(poisoned[0]!.deadLetterReason).toBeTruthy();
    expect(poisoned[0]!.deliveryCount).toBe(1);
    expect([world.pagerduty, world.teams, world.webhook].map((r) => r.requests.length)).toEqual(
      before,
    );

    // Teams down across a whole delivery: the message comes back, and only Teams is retried.
    restorePath(circuit, PRIVATE, "primary");
    restorePath(circuit, PRIVATE, "secondary");
    await h.tick(15);
    const resolve = (await h.tick(20)).events;
    expect(resolve.map((e) => e.action)).toEqual(["resolve"]);
    world.teams.failNext(3, { status: 503 });
    await world.dispatchPending();
    const resolves = pdEvents(world).filter((e) => e.event_action === "resolve");
    expect(resolves).toHaveLength(1);
    expect(world.webhook.requests).toHaveLength(2);
    expect(world.teams.requests).toHaveLength(2 + 4); // 3 failed attempts, then the redelivery
    expect(world.broker.accepted(ALERTS_QUEUE).at(-1)!.messageId).toBe(resolve[0]!.id);

    // Every successful post is for a distinct (event, receiver): nothing was delivered twice.
    const okPosts = world.pagerduty.requests
      .slice(2) // the two 500s
      .map((r) => `${(r.body as PdBody).event_action}`);
    expect(okPosts).toEqual(["trigger", "resolve"]);

    // No secret anywhere in what erwatch logged.
    const logs = h.logLines.join("\n");
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [ROUTING_KEY, TEAMS_SIG, WEBHOOK_SIG, "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1"])
      expect(logs).not.toContain(secret);
  });

  it("backs off after the last delivery, then dead-letters past the horizon naming the receiver and its last status, not its secret", async () => {
    const h = await harness();
    const { world, circuit } = h;
    await h.tick(0);
    carrierDown(circuit, PRIVATE, "primary");
    carrierDown(circuit, PRIVATE, "secondary");
    const opened = await h.tick(5);
    const id = opened.events[0]!.id;
    world.pagerduty.respondWith(500);
    await world.dispatchPending();
    // Three quick deliveries, then copies a doubling pause apart (1, 2, 4, 8,
    // 15, 15 … minutes) until an hour after the event.
    const due: string[] = [];
    for (
      let copy = 0;
      copy < 12 && world.broker.deadLettered(ALERTS_QUEUE).length === 0;
      copy += 1
    ) {
      const waiting = world.broker.scheduled(ALERTS_QUEUE);
      expect(waiting).toHaveLength(1);
      due.push(`${waiting[0]!.messageId} +${(waiting[0]!.scheduledFor.getTime() - T0) / 60_000}`);
      h.at((waiting[0]!.scheduledFor.getTime() - T0) / 60_000);
      await world.dispatchPending();
    }
    expect(due).toEqual([
      `${id}~r1 +6`,
      `${id}~r2 +8`,
      `${id}~r3 +12`,
      `${id}~r4 +20`,
      `${id}~r5 +35`,
      `${id}~r6 +50`,
      `${id}~r7 +65`,
    ]);
    const parked = world.broker.deadLettered(ALERTS_QUEUE);
    expect(parked).toHaveLength(1);
    expect(parked[0]!.deadLetterReason).toBe("ReceiverUnavailable");
    expect(parked[0]!.deadLetterErrorDescription).toMatch(/receiver pagerduty \(pagerduty\)/);
    expect(parked[0]!.deadLetterErrorDescription).toMatch(/500/);
    expect(parked[0]!.deadLetterErrorDescription).not.toContain(ROUTING_KEY);
    expect(parked[0]!.deadLetterErrorDescription).toMatch(/retrying past/);
    // Teams and the webhook got it exactly once across every delivery and copy.
    expect(world.teams.requests).toHaveLength(1);
    expect(world.webhook.requests).toHaveLength(1);
    // Three posts a delivery: three deliveries of the original, then one of
    // each of the seven copies (each copy had its burst already).
    expect(world.pagerduty.requests).toHaveLength(3 * 3 + 7 * 3);
  });

  it("gives a receiver back before the horizon one last try at the horizon, whatever the phase of its pauses", async () => {
    const h = await harness();
    const { world, circuit } = h;
    await h.tick(0);
    carrierDown(circuit, PRIVATE, "primary");
    carrierDown(circuit, PRIVATE, "secondary");
    const opened = await h.tick(5);
    const id = opened.events[0]!.id;
    // PagerDuty throttles once (150 s), which shifts every later pause, then
    // fails for most of the hour: it is back 55 minutes after the event.
    world.pagerduty.respondWith(500);
    world.pagerduty.failNext(1, { status: 429, retryAfter: "150" });
    await world.dispatchPending();
    const due: string[] = [];
    for (let copy = 0; copy < 12; copy += 1) {
      const waiting = world.broker.scheduled(ALERTS_QUEUE);
      if (waiting.length === 0) break;
      const at = (waiting[0]!.scheduledFor.getTime() - T0) / 60_000;
      due.push(`${waiting[0]!.messageId} +${at}`);
      if (at >= 60) world.pagerduty.respondWith(202);
      h.at(at);
      await world.dispatchPending();
    }
    // Doubling pauses from +7.5 land at +51.5 and then +66.5, past the
    // horizon (+65): the last copy is due at the horizon itself.
    expect(due).toEqual([
      `${id}~r1 +7.5`,
      `${id}~r2 +9.5`,
      `${id}~r3 +13.5`,
      `${id}~r4 +21.5`,
      `${id}~r5 +36.5`,
      `${id}~r6 +51.5`,
      `${id}~r7 +65`,
    ]);
    expect(world.broker.deadLettered(ALERTS_QUEUE)).toEqual([]);
    expect(world.pagerduty.requests.at(-1)!.status).toBe(202);
    expect(
      pdEvents(world)
        .map((e) => e.event_action)
        .at(-1),
    ).toBe("trigger");
  });

  it("pages PagerDuty and the webhook when the Teams URL setting is a Key Vault reference that did not resolve", async () => {
    // App Service hands the app the reference's own text when it cannot resolve it.
    const reference =
      "@Microsoft.KeyVault(SecretUri=https://erwatch-kv.vault.azure.net/secrets/teams-webhook/)";
    const h = await harness({ TEAMS_WEBHOOK_URL: reference });
    const { world, circuit } = h;
    // The dispatcher started, and said at once which receiver it cannot use and why.
    const startLog = h.logLines.join("\n");
    expect(startLog).toMatch(/receiver cannot be used/);
    expect(startLog).toMatch(
      /TEAMS_WEBHOOK_URL: is a Key Vault reference the Functions host could not resolve/,
    );
    await h.tick(0);
    carrierDown(circuit, PRIVATE, "primary");
    carrierDown(circuit, PRIVATE, "secondary");
    const opened = await h.tick(5);
    expect(opened.events.map((e) => `${e.action} ${e.severity}`)).toEqual(["open Sev0"]);
    await world.dispatchPending();
    expect(pdEvents(world).map((e) => e.event_action)).toEqual(["trigger"]);
    expect(world.webhook.requests).toHaveLength(1);
    expect(world.teams.requests).toHaveLength(0);
    // Parked at once, naming the receiver and the setting to fix, not its value.
    const parked = world.broker.deadLettered(ALERTS_QUEUE);
    expect(parked).toHaveLength(1);
    expect(parked[0]!.deadLetterReason).toBe("ReceiverRejected");
    expect(parked[0]!.deadLetterErrorDescription).toMatch(
      /receiver teams \(teams\).*not configured: TEAMS_WEBHOOK_URL: is a Key Vault reference the Functions host could not resolve/,
    );
    expect(parked[0]!.deadLetterErrorDescription).not.toContain("erwatch-kv");
    expect(h.logLines.join("\n")).not.toContain("erwatch-kv");
  });

  it("reschedules a Sev0 PagerDuty throttles for two minutes instead of dead-lettering it", async () => {
    const h = await harness();
    const { world, circuit } = h;
    await h.tick(0);
    carrierDown(circuit, PRIVATE, "primary");
    carrierDown(circuit, PRIVATE, "secondary");
    const opened = await h.tick(5);
    expect(opened.events.map((e) => `${e.action} ${e.severity}`)).toEqual(["open Sev0"]);
    world.pagerduty.failNext(1, { status: 429, retryAfter: "120" });
    await world.dispatchPending();
    expect(world.pagerduty.requests).toHaveLength(1);
    expect(world.broker.deadLettered(ALERTS_QUEUE)).toEqual([]);
    const waiting = world.broker.scheduled(ALERTS_QUEUE);
    expect(waiting.map((m) => [m.messageId, m.scheduledFor.toISOString()])).toEqual([
      [`${opened.events[0]!.id}~r1`, new Date(T0 + 7 * 60_000).toISOString()],
    ]);
    // As published: a topic subscription filtered on the subject still receives the copy.
    expect(waiting[0]).toMatchObject({ subject: "open", contentType: "application/json" });
    // Two minutes later the copy is due: PagerDuty is paged; Teams and the webhook are not told twice.
    h.at(7);
    await world.dispatchPending();
    expect(pdEvents(world).map((e) => e.event_action)).toEqual(["trigger", "trigger"]);
    expect(world.pagerduty.requests.at(-1)!.status).toBe(202);
    expect(world.teams.requests).toHaveLength(1);
    expect(world.webhook.requests).toHaveLength(1);
    expect(world.broker.scheduled(ALERTS_QUEUE)).toEqual([]);
    expect(world.broker.deadLettered(ALERTS_QUEUE)).toEqual([]);
  });

  it("pages an open PagerDuty refused before its resolve once its pause is over, then the resolve: PagerDuty ends resolved", async () => {
    const h = await harness();
    const { world, circuit } = h;
    await h.tick(0);
    carrierDown(circuit, PRIVATE, "primary");
    carrierDown(circuit, PRIVATE, "secondary");
    await h.tick(5);
    // PagerDuty asks for 15 minutes; the outage is over before the open can be retried.
    world.pagerduty.failNext(1, { status: 429, retryAfter: "900" });
    await world.dispatchPending();
    restorePath(circuit, PRIVATE, "primary");
    restorePath(circuit, PRIVATE, "secondary");
    await h.tick(10);
    const resolved = await h.tick(15);
    expect(resolved.events.map((e) => e.action)).toEqual(["resolve"]);
    await world.dispatchPending();
    // The resolve alone would close nothing: PagerDuty never took the open.
    // Nor is the open posted again inside the 15 minutes PagerDuty asked for:
    // the resolve waits them out for PagerDuty (Teams has it now).
    expect(world.pagerduty.requests.map((r) => r.status)).toEqual([429]);
    expect(h.logLines.join("\n")).toContain(
      "the late page waits out the pause PagerDuty asked for",
    );
    h.at(20);
    await world.dispatchPending();
    // Then the open (its own copy, due at the same time), and the resolve.
    expect(pdEvents(world).map((e) => e.event_action)).toEqual(["trigger", "trigger", "resolve"]);
    expect(world.pagerduty.requests.map((r) => r.status)).toEqual([429, 202, 202]);
    expect(world.broker.deadLettered(ALERTS_QUEUE)).toEqual([]);
  });

  it("never lets one oversized circuit block the outbox: both outages page, the big one visibly truncated", async () => {
    // A 300 KB tag value: more than a Service Bus message holds, and a circuit's alert carries its tags.
    const big = healthyCircuit({ name: "er-big", tags: { note: "n".repeat(300_000) } });
    // Elsewhere, so the two outages are not one fleet outage.
    const small = healthyCircuit({ name: "er-small", peeringLocation: "London" });
    let now = new Date(T0);
    const world = await startWorld({
      estate: estateOf(big, small),
      azurite,
      now: () => now,
      sleep: async () => undefined,
    });
    current = {
      world,
      circuit: big.circuit,
      logLines: [],
      sleeps: [],
      tick: async () => world.timerSweep(),
      at: () => undefined,
    };
    await world.timerSweep();
    for (const c of [big.circuit, small.circuit]) {
      carrierDown(c, PRIVATE, "primary");
      carrierDown(c, PRIVATE, "secondary");
    }
    // Quiet in the listing: the rotation reads both within two 5-minute sweeps.
    const events = [];
    for (const minutes of [5, 10]) {
      now = new Date(T0 + minutes * 60_000);
      const result = await world.timerSweep();
      expect(result.errors).toEqual([]);
      expect(result.pendingInOutbox).toBe(0);
      expect(result.brokerError).toBeNull();
      events.push(...result.events);
    }
    expect(events.map((e) => `${e.circuit.name} ${e.action} ${e.severity}`).sort()).toEqual([
      "er-big open Sev0",
      "er-small open Sev0",
    ]);
    await world.dispatchPending();
    const pages = pdEvents(world).map((e) => e.payload?.summary ?? "");
    expect(pages.filter((s) => s.startsWith("er-big:"))).toHaveLength(1);
    expect(pages.filter((s) => s.startsWith("er-small:"))).toHaveLength(1);
    const sent = world.broker
      .accepted(ALERTS_QUEUE)
      .find((m) => JSON.stringify(m.body).includes("er-big"));
    expect(JSON.stringify(sent!.body)).toMatch(/truncated: \d+ more characters/);
  });
});
