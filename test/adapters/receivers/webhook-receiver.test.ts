// The generic webhook: the Azure Monitor common alert schema, so consumers of
// Azure alerts (Logic Apps, ITSM connectors) take erwatch's alerts unchanged.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AlertAction } from "../../../src/core/model.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  createReceiver,
  receiverConfigProblem,
  type ReceiverConfig,
} from "../../../src/adapters/receivers/index.js";
import { webhookConfigSchema } from "../../../src/adapters/receivers/webhook/config.js";
import { buildCommonAlert } from "../../../src/adapters/receivers/webhook/payload.js";
import type { AlertEvent } from "../../../src/core/alert-event.js";
import {
  arpMissingBlind,
  arpMissingBlindSecondary,
  flapBlindHistory,
  arpMissingBlindSev1,
  arpMissingEscalated,
  arpMissingOpen,
  arpMissingRepeat,
  arpMissingResolved,
  BLIND_SINCE,
  FLEET_MEMBERS,
  fleetOutageOpen,
  fleetOutageResolved,
  noPrefixesOpen,
  SUBSCRIPTION_ID,
  subscriptionBlindOpen,
  sentBeforeBlindSince,
} from "../../support/alert-event-fixture.js";
import {
  startRecordingReceiver,
  type RecordingReceiver,
} from "../../support/recording-receiver.js";
import { assertLeaksNoSecret } from "../../support/secret-leak.js";

const SIG = "c2lnbmF0dXJlVGhhdE11c3ROZXZlckxlYWs";
const TOKEN = "Bearer t0k3n-that-must-never-leak-0123";

describe("buildCommonAlert", () => {
  it.each([
    ["open, carrier-owned arp-missing", arpMissingOpen()],
    ["escalate Sev2 → Sev0", arpMissingEscalated()],
    ["resolve", arpMissingResolved()],
    ["open, you-owned no-prefixes Sev0", noPrefixesOpen()],
    ["repeat, still firing Sev0", arpMissingRepeat()],
  ] as const)("renders %s", (_name, event) => {
    expect(buildCommonAlert(event)).toMatchSnapshot();
  });

  it.each<[AlertAction, string]>([
    ["open", "Fired"],
    ["escalate", "Fired"],
    ["deescalate", "Fired"],
    ["repeat", "Fired"],
    ["resolve", "Resolved"],
  ])("%s is %s", (action, condition) => {
    const alert = buildCommonAlert({ ...arpMissingOpen(), action });
    expect(alert.data.essentials.monitorCondition).toBe(condition);
    expect("resolvedDateTime" in alert.data.essentials).toBe(action === "resolve");
  });

  it("fills essentials the way Azure Monitor does", () => {
    const event = arpMissingOpen();
    const { schemaId, data } = buildCommonAlert(event);
    expect(schemaId).toBe("azureMonitorCommonAlertSchema");
    expect(data.essentials).toMatchObject({
      severity: event.severity,
      alertTargetIDs: [event.circuit.id.toLowerCase()],
      configurationItems: [event.circuit.name],
      originAlertId: event.episodeId,
      firedDateTime: event.firstSeen,
      essentialsVersion: "1.0",
      alertContextVersion: "1.0",
    });
    expect(data.essentials.alertRule).toContain(event.family);
  });

  it("keeps one alertId through an alert's open, escalation and resolve, so they pair up", () => {
    const fired = buildCommonAlert(arpMissingOpen()).data.essentials.alertId;
    expect(buildCommonAlert(arpMissingEscalated()).data.essentials.alertId).toBe(fired);
    const resolved = buildCommonAlert(arpMissingResolved()).data.essentials;
    expect(resolved.alertId).toBe(fired);
    expect(resolved.resolvedDateTime).toBe(arpMissingResolved().occurredAt);
  });

  it("gives a separate outage on the same key a new alertId, so no ITSM tool reopens the old ticket", () => {
    // 00:10 a Sev2 carrier outage opens and later resolves (sequence 1 … 3);
    // 02:00 a separate Sev0 outage opens on the same key (sequence 4).
    const first = arpMissingOpen();
    const second: AlertEvent = {
      ...arpMissingEscalated(),
      action: "open",
      id: `${first.key}-4`,
      sequence: 4,
      episodeId: `${first.key}-4`,
      previousSeverity: null,
      firstSeen: "2026-03-14T02:00:00.000Z",
      occurredAt: "2026-03-14T02:00:30.000Z",
    };
    const ids = [first, second].map((e) => buildCommonAlert(e).data.essentials);
    expect(ids[1]!.alertId).not.toBe(ids[0]!.alertId);
    expect(ids[1]!.originAlertId).not.toBe(ids[0]!.originAlertId);
    expect(ids[1]!.alertId).toMatch(/\/alerts\/erw-[0-9a-f]{32}-4$/);
    // The condition's own identity stays available for whoever wants it.
    expect(buildCommonAlert(second).data.alertContext).toMatchObject({ key: first.key });
  });

  it.each([
    ["open", arpMissingOpen()],
    ["escalate", arpMissingEscalated()],
    ["resolve", arpMissingResolved()],
    ["open, you-owned", noPrefixesOpen()],
  ] as const)("writes a %s description that does not repeat the title", (_name, event) => {
    const { description } = buildCommonAlert(event).data.essentials;
    expect(description).not.toContain(event.title);
    expect(description).toContain(event.nextAction);
    expect(buildCommonAlert(event).data.alertContext.title).toBe(event.title);
  });

  // The sweep no longer gives a fleet outage whose breaks are all yours a
  // carrier ticket, but an event queued by the version before, or the resolve
  // of one opened then, still carries one: Teams and PagerDuty hide it, and an
  // ITSM flow reading alertContext.ticket would file it with the carrier.
  it.each([
    ["a fleet outage the carrier owns", fleetOutageOpen(), true],
    ["a fleet outage you share with the carrier", { ...fleetOutageOpen(), owner: "shared" }, true],
    ["a fleet outage whose breaks are all yours", { ...fleetOutageOpen(), owner: "you" }, false],
    ["a circuit's carrier fault", arpMissingOpen(), true],
  ] satisfies [string, AlertEvent, boolean][])(
    "carries the carrier ticket of %s only when the carrier has a part in it",
    (_name, event, shown) => {
      expect(event.ticket).not.toBeNull();
      expect(buildCommonAlert(event).data.alertContext["ticket"]).toBe(shown ? event.ticket : null);
    },
  );

  // A fleet outage's open named its first member's subscription and its resolve
  // none ("/subscriptions//…"): two alertIds, so no ITSM tool closed the ticket.
  it.each([
    ["open → resolve", fleetOutageOpen(), fleetOutageResolved()],
    [
      "open → a member elsewhere joins, sorted first",
      fleetOutageOpen(),
      {
        ...fleetOutageOpen(),
        action: "repeat",
        sequence: 2,
        circuit: {
          ...fleetOutageOpen().circuit,
          subscriptionId: "0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b",
        },
      },
    ],
  ] as const)(
    "keeps one alertId through a fleet outage's %s",
    (_name, first: AlertEvent, later: AlertEvent) => {
      const fired = buildCommonAlert(first).data.essentials.alertId;
      expect(buildCommonAlert(later).data.essentials.alertId).toBe(fired);
      expect(fired).toBe(`/providers/Microsoft.AlertsManagement/alerts/${first.episodeId}`);
    },
  );

  // A fleet outage's place key is no Azure resource and its name no CI; a
  // subscription's CI is the subscription, not the sentence naming it.
  it.each([
    [
      "a fleet outage",
      fleetOutageOpen(),
      FLEET_MEMBERS.map((m) => m.id.toLowerCase()),
      ["er-ams-a", "er-ams-b", "er-ams-c"],
    ],
    [
      "a fleet outage's resolve",
      fleetOutageResolved(),
      FLEET_MEMBERS.map((m) => m.id.toLowerCase()),
      ["er-ams-a", "er-ams-b", "er-ams-c"],
    ],
    [
      "a fleet outage whose evidence lost its circuits",
      { ...fleetOutageOpen(), evidence: {} },
      [fleetOutageOpen().circuit.id],
      ["Equinix at Amsterdam (provider)"],
    ],
    [
      "a subscription whose circuits cannot be listed",
      subscriptionBlindOpen(),
      [`/subscriptions/${SUBSCRIPTION_ID}`],
      [SUBSCRIPTION_ID],
    ],
    [
      "a circuit",
      arpMissingOpen(),
      [arpMissingOpen().circuit.id.toLowerCase()],
      ["er-ams-prod-01"],
    ],
  ] as const)(
    "targets the Azure resources %s is about",
    (_name, event: AlertEvent, targets: readonly string[], items: readonly string[]) => {
      const { essentials } = buildCommonAlert(event).data;
      expect(essentials.alertTargetIDs).toEqual(targets);
      expect(essentials.configurationItems).toEqual(items);
    },
  );

  it("carries erwatch's evidence, owner, next action and ticket in alertContext", () => {
    const event = arpMissingOpen();
    expect(buildCommonAlert(event).data.alertContext).toMatchObject({
      action: "open",
      code: event.code,
      layer: event.layer,
      owner: "carrier",
      peering: event.peering,
      paths: event.paths,
      nextAction: event.nextAction,
      ticket: event.ticket,
      evidence: event.evidence,
    });
  });
});

// A resolve's title and evidence are the last firing sweep's. Consumers read
// them as they always did (no field renamed or changed in meaning); how it
// reads now is added beside them, and the description leads with it.
describe("a resolve at the webhook", () => {
  const older = (): AlertEvent => {
    const { resolution: _, ...rest } = arpMissingResolved();
    return rest;
  };

  it("adds how it reads now, keeping every field a Fired had", () => {
    const resolved = buildCommonAlert(arpMissingResolved()).data;
    const fired = buildCommonAlert(arpMissingEscalated()).data;
    expect(Object.keys(resolved.alertContext)).toEqual(
      expect.arrayContaining(Object.keys(fired.alertContext)),
    );
    expect(resolved.alertContext).toMatchObject({
      title: arpMissingResolved().title,
      evidence: arpMissingResolved().evidence,
      resolution:
        "provider / L2 ok · ARP complete (2 entries) on both paths of AzurePrivatePeering",
    });
    expect(Object.keys(fired.alertContext)).not.toContain("resolution");
  });

  it("says in its description how it reads now, and that the title is what it was", () => {
    expect(buildCommonAlert(arpMissingResolved()).data.essentials.description).toBe(
      "Resolved after 1 h 12 min. Now: provider / L2 ok · ARP complete (2 entries) on both paths of AzurePrivatePeering. The title is what it was as last told, the evidence what it was at the last firing sweep. Owner: the carrier. Next action: Nothing to do: confirm traffic is back and close any carrier ticket.",
    );
  });

  it("claims nothing about now for a resolve an older erwatch sent", () => {
    const { essentials, alertContext } = buildCommonAlert(older()).data;
    expect(alertContext.resolution).toBeNull();
    expect(essentials.description).not.toContain("Now:");
    expect(essentials.description).toContain(
      "The title is what it was as last told, the evidence what it was at the last firing sweep.",
    );
  });
});

describe("a blind notice at the webhook", () => {
  it.each([
    ["a Sev0 on both paths", arpMissingBlind()],
    ["a Sev1 path alert", arpMissingBlindSev1()],
    ["a notice sent before events carried blindSince", sentBeforeBlindSince(arpMissingBlind())],
  ] as const)("carries for %s since when erwatch cannot see it, as a field", (_name, event) => {
    const { essentials, alertContext } = buildCommonAlert(event).data;
    expect(essentials).toMatchObject({ monitorCondition: "Fired", severity: event.severity });
    expect(alertContext).toMatchObject({
      action: "repeat",
      blindSince: BLIND_SINCE,
      change: event.change,
      evidence: event.evidence,
    });
  });

  it("carries the only paths it cannot see when the rest still reads as paged", () => {
    expect(buildCommonAlert(arpMissingBlindSecondary()).data.alertContext).toMatchObject({
      blindSince: BLIND_SINCE,
      blindPaths: ["secondary"],
    });
    expect(Object.keys(buildCommonAlert(arpMissingBlind()).data.alertContext)).not.toContain(
      "blindPaths",
    );
  });

  // The README's webhook section named `blindSince` alone: an ITSM mapping
  // built from it missed which paths were lost and why.
  it("has every blind field it carries named in the README's webhook section", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
    const section = readme.split("\n- **Webhook**:")[1]?.split("\n\n")[0] ?? "";
    const carried = new Set(
      [arpMissingBlind(), arpMissingBlindSecondary(), flapBlindHistory()].flatMap((event) =>
        Object.keys(buildCommonAlert(event).data.alertContext).filter((k) => k.startsWith("blind")),
      ),
    );
    expect([...carried].sort()).toEqual(["blindCause", "blindPaths", "blindSince"]);
    for (const field of carried) expect(section, field).toContain(`\`${field}\``);
  });

  it("carries why when the circuit still reads and only its history cannot be", () => {
    expect(buildCommonAlert(flapBlindHistory()).data.alertContext).toMatchObject({
      blindSince: BLIND_SINCE,
      blindCause: "history",
    });
    expect(Object.keys(buildCommonAlert(arpMissingBlind()).data.alertContext)).not.toContain(
      "blindCause",
    );
  });

  it("adds no blindSince to a normal repeat", () => {
    const { alertContext } = buildCommonAlert(arpMissingRepeat()).data;
    expect(alertContext.action).toBe("repeat");
    expect(Object.keys(alertContext)).not.toContain("blindSince");
  });
});

describe("webhook config", () => {
  it.each([
    ["plain http to a remote host", { url: "http://itsm.example.com/hook" }],
    // fetch cannot send it: refused when the receiver is built, not on the first page.
    ["a URL with user:password@", { url: "https://svc:Pa55w0rd@itsm.example.com/hook" }],
    ["a header that smuggles another", { headers: { Authorization: "x\r\nX-Evil: 1" } }],
    ["a content-type override", { headers: { "Content-Type": "text/plain" } }],
  ])("refuses %s", (_name, overrides) => {
    const config = {
      kind: "webhook",
      name: "itsm",
      url: "https://itsm.example.com/hook",
      ...overrides,
    };
    expect(webhookConfigSchema.safeParse(config).success).toBe(false);
  });

  // The start-up check asks this same rule: what it says is what the dispatcher would refuse.
  it.each([
    [{ "X Api Key": "t" }, "headers.X Api Key: must be an HTTP header name"],
    [{ "Content-Type": "t" }, "headers: content-type is always application/json"],
    [{ Authorization: "S3cret\nX-Evil: 1" }, "headers.Authorization: must not contain line breaks"],
    [{ "X-Api-Key": "t" }, null],
  ])("names what is wrong with headers %j, never a value", (headers, problem) => {
    const config = { kind: "webhook", name: "itsm", url: "https://itsm.example.com/h", headers };
    expect(receiverConfigProblem(config)).toBe(problem);
    if (problem !== null)
      expect(() => createReceiver(config as ReceiverConfig, { timeoutMs: 1_000 })).toThrow(
        `receiver "itsm" (webhook) is not valid: ${problem}`,
      );
  });

  it("accepts https and loopback http", () => {
    for (const url of ["https://prod-1.westeurope.logic.azure.com/x?sig=1", "http://127.0.0.1:9/x"])
      expect(webhookConfigSchema.safeParse({ kind: "webhook", name: "itsm", url }).success).toBe(
        true,
      );
  });
});

describe("webhook sender", () => {
  let server: RecordingReceiver | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  const start = async () => {
    server = await startRecordingReceiver({ name: "webhook" });
    const config: ReceiverConfig = {
      kind: "webhook",
      name: "itsm",
      url: `${server.url}/workflows/run?sig=${SIG}`,
      headers: { Authorization: TOKEN },
    };
    return { server, config, receiver: createReceiver(config, { timeoutMs: 2_000 }) };
  };
  const send = (
    receiver: ReturnType<typeof createReceiver>,
    event: AlertEvent = arpMissingOpen(),
  ) => receiver.send(event, { abortSignal: new AbortController().signal });

  it("posts the common alert schema with the configured headers", async () => {
    const { server, receiver } = await start();
    server.respondWith(202);
    expect(await send(receiver)).toEqual({ ok: true, status: 202 });
    const request = server.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toMatch(/^application\/json/);
    expect(request.headers.authorization).toBe(TOKEN);
    expect(request.body).toEqual(buildCommonAlert(arpMissingOpen()));
  });

  it.each([
    [500, true],
    [503, true],
    [408, true],
    [429, true],
    [400, false],
    [404, false],
  ])("classifies %i as retryable=%s", async (status, retryable) => {
    const { server, receiver } = await start();
    server.respondWith(status);
    expect(await send(receiver)).toMatchObject({ ok: false, status, retryable });
  });

  it("passes Retry-After on", async () => {
    const { server, receiver } = await start();
    server.respondWith(429, { retryAfter: "12" });
    expect(await send(receiver)).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 12_000,
    });
  });

  it("a timeout and a dropped connection are retryable", async () => {
    const { server, receiver } = await start();
    server.failNext(1, { delayMs: 5_000 });
    server.failNext(1, { destroySocket: true });
    expect(await send(receiver)).toMatchObject({ ok: false, retryable: true });
    expect(await send(receiver)).toMatchObject({ ok: false, retryable: true });
  });

  it.each([
    ["the URL signature", SIG],
    ["the authorization header", TOKEN],
  ])("leaks %s nowhere when it fails", async (_name, secret) => {
    const { server, config } = await start();
    server.respondWith(500, { body: "upstream broke" });
    await assertLeaksNoSecret(secret, async (log) => {
      const receiver = createReceiver(config, { timeoutMs: 2_000 });
      const outcome = await send(receiver);
      log.error({ outcome, receiver: receiver.name, kind: receiver.kind }, "webhook failed");
      log.info({ receiverObject: receiver }, "the receiver object itself");
      return outcome;
    });
  });
});
