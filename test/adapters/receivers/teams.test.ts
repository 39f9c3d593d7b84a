import type { Logger } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  createReceiver,
  describeReceiver,
  type ReceiverConfig,
} from "../../../src/adapters/receivers/index.js";
import {
  buildTeamsMessage,
  headline,
  TEAMS_MAX_MESSAGE_BYTES,
} from "../../../src/adapters/receivers/teams/payload.js";
import type { AlertEvent } from "../../../src/core/alert-event.js";
import { SEVERITIES } from "../../../src/core/model.js";
import { validateAdaptiveCard14, validateTeamsMessage } from "../../support/adaptive-card.js";
import {
  arpMissingEscalated,
  arpMissingOpen,
  arpMissingResolved,
  hugeArpMissing,
  noPrefixesOpen,
} from "../../support/alert-event-fixture.js";
import {
  startRecordingReceiver,
  type RecordingReceiver,
} from "../../support/recording-receiver.js";
import { assertLeaksNoSecret } from "../../support/secret-leak.js";

const STATUS_URL = "https://erwatch.example.net/status";
type Card = { body: Record<string, unknown>[]; actions?: unknown[]; version: string };
const cardOf = (message: object): Card =>
  (message as { attachments: { content: Card }[] }).attachments[0]!.content;
const allText = (message: object): string => JSON.stringify(message);

describe("buildTeamsMessage", () => {
  it.each([
    ["open, carrier-owned arp-missing with ticket", arpMissingOpen(), { statusUrl: STATUS_URL }],
    ["escalate Sev2 → Sev0", arpMissingEscalated(), {}],
    ["resolve", arpMissingResolved(), {}],
    ["open, you-owned no-prefixes Sev0", noPrefixesOpen(), {}],
  ] as const)("renders %s", (_name, event, options) => {
    const message = buildTeamsMessage(event, options);
    expect(validateTeamsMessage(message)).toEqual([]);
    expect(message).toMatchSnapshot();
  });

  it("is a Workflows message around one 1.4 card at full width", () => {
    const message = buildTeamsMessage(arpMissingOpen()) as Record<string, unknown>;
    expect(message.type).toBe("message");
    expect(message.attachments).toEqual([
      expect.objectContaining({
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
      }),
    ]);
    expect(cardOf(message)).toMatchObject({
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.4",
      msteams: { width: "Full" },
    });
  });

  it.each([
    ["open", "Sev2", null, "OPEN Sev2"],
    ["escalate", "Sev0", "Sev2", "ESCALATED Sev2 → Sev0"],
    ["deescalate", "Sev3", "Sev1", "DE-ESCALATED Sev1 → Sev3"],
    ["repeat", "Sev1", "Sev1", "STILL FIRING Sev1"],
    ["resolve", "Sev0", "Sev0", "RESOLVED"],
  ] as const)("titles %s %s as %j", (action, severity, previousSeverity, expected) => {
    expect(headline({ action, severity, previousSeverity })).toBe(expected);
  });

  it.each([
    ["Sev0", "attention"],
    ["Sev1", "attention"],
    ["Sev2", "warning"],
    ["Sev3", "warning"],
    ["Sev4", "default"],
  ] as const)("styles the %s header %s", (severity, style) => {
    const header = cardOf(buildTeamsMessage({ ...arpMissingOpen(), severity })).body[0];
    expect(header).toMatchObject({ type: "Container", style });
  });

  it("styles a resolve good whatever its severity", () => {
    for (const severity of SEVERITIES) {
      const header = cardOf(buildTeamsMessage({ ...arpMissingResolved(), severity })).body[0];
      expect(header).toMatchObject({ style: "good" });
    }
  });

  it.each([
    ["escalate", arpMissingEscalated()],
    ["resolve", arpMissingResolved()],
  ] as const)("says what changed right under the header on a %s", (_name, event) => {
    expect(cardOf(buildTeamsMessage(event)).body[1]).toMatchObject({
      type: "TextBlock",
      text: event.change,
    });
  });

  it("lists the facts an on-call engineer asks for first, owner in words", () => {
    const factSet = cardOf(buildTeamsMessage(arpMissingOpen())).body.find(
      (e) => e.type === "FactSet",
    );
    expect(factSet?.facts).toEqual([
      { title: "Circuit", value: "er-ams-prod-01" },
      { title: "Peering", value: "AzurePrivatePeering" },
      { title: "Affected paths", value: "secondary" },
      { title: "Layer", value: "provider" },
      { title: "Owner", value: "carrier — open a ticket" },
      { title: "Code", value: "arp-missing" },
      { title: "First seen", value: "2026-03-14T01:52:00.000Z" },
      { title: "Service key", value: "a7c1e9b2-5d3f-4e8a-9b6c-0f1e2d3c4b5a" },
      { title: "Provider", value: "Equinix at Amsterdam" },
    ]);
  });

  it("leaves out service key and provider when the circuit has none", () => {
    const event = noPrefixesOpen();
    event.circuit = {
      ...event.circuit,
      serviceKey: null,
      serviceProviderName: null,
      peeringLocation: null,
    };
    const facts = cardOf(buildTeamsMessage(event)).body.find((e) => e.type === "FactSet")
      ?.facts as { title: string }[];
    expect(facts.map((f) => f.title)).not.toContain("Service key");
    expect(facts.map((f) => f.title)).not.toContain("Provider");
    expect(facts).toContainEqual({ title: "Owner", value: "you" });
  });

  it("colours the layer table by status", () => {
    const text = allText(buildTeamsMessage(arpMissingOpen()));
    expect(text).toContain(
      '"text":"DOWN · no ARP entry for the on-prem side","wrap":true,"color":"attention"',
    );
    expect(text).toContain('"text":"ok · Established 3d 4h","wrap":true,"color":"good"');
    expect(text).toContain(
      '"text":"unknown · not evaluated: layer 2 down","wrap":true,"color":"default"',
    );
    expect(text).toContain('"text":"n/a · not configured","wrap":true,"color":"default"');
    expect(text).toContain("secondary (affected)");
  });

  it("shows the carrier ticket in monospace only when there is one", () => {
    const withTicket = cardOf(buildTeamsMessage(arpMissingOpen())).body;
    const block = withTicket[withTicket.length - 1];
    expect(block).toMatchObject({ type: "TextBlock", fontType: "Monospace", wrap: true });
    expect(block?.text).toContain("Service key: a7c1e9b2-5d3f-4e8a-9b6c-0f1e2d3c4b5a");
    expect(allText(buildTeamsMessage(noPrefixesOpen()))).not.toContain("Carrier ticket");
  });

  it("offers the status page only when it is known", () => {
    expect(cardOf(buildTeamsMessage(arpMissingOpen())).actions).toBeUndefined();
    expect(cardOf(buildTeamsMessage(arpMissingOpen(), { statusUrl: STATUS_URL })).actions).toEqual([
      { type: "Action.OpenUrl", title: "Open status page", url: STATUS_URL },
    ]);
  });

  it("stays under 28 KB with huge evidence and ticket, and says what it cut", () => {
    const message = buildTeamsMessage(hugeArpMissing());
    const bytes = Buffer.byteLength(JSON.stringify(message));
    expect(bytes).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
    expect(bytes).toBeGreaterThan(TEAMS_MAX_MESSAGE_BYTES - 2_000); // shortened, not emptied
    expect(validateTeamsMessage(message)).toEqual([]);
    const markers = allText(message).match(
      /… \(truncated: \d+ characters not shown; see the erwatch status page\)/g,
    );
    expect(markers).toHaveLength(2);
    expect(allText(message)).toContain("Service key: a7c1e9b2"); // the head of the ticket survives
  });

  it("leaves a message that fits untouched", () => {
    expect(allText(buildTeamsMessage(arpMissingOpen()))).not.toContain("truncated");
  });

  it("survives a huge title and change without breaking the limit", () => {
    const event: AlertEvent = {
      ...hugeArpMissing(),
      title: "t".repeat(50_000),
      change: "c".repeat(50_000),
      nextAction: "n".repeat(50_000),
    };
    const message = buildTeamsMessage(event);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
    expect(validateTeamsMessage(message)).toEqual([]);
  });
});

describe("validateAdaptiveCard14", () => {
  const card = (body: unknown[], extra: Record<string, unknown> = {}) => ({
    type: "AdaptiveCard",
    version: "1.4",
    body,
    ...extra,
  });

  it("accepts a minimal card", () => {
    expect(validateAdaptiveCard14(card([{ type: "TextBlock", text: "hi" }]))).toEqual([]);
  });

  it.each([
    [
      "a 1.5 version",
      { type: "AdaptiveCard", version: "1.5", body: [] },
      "card.version: 1.5 is newer than 1.4",
    ],
    [
      "a Table",
      card([{ type: "Table", rows: [] }]),
      "card.body[0]: Table is Adaptive Cards 1.5, not 1.4",
    ],
    [
      "a TextBlock without text",
      card([{ type: "TextBlock" }]),
      "card.body[0].text: required string",
    ],
    [
      "a fact without a value",
      card([{ type: "FactSet", facts: [{ title: "a" }] }]),
      "card.body[0].facts[0].value: required string",
    ],
    [
      "a column without items",
      card([{ type: "ColumnSet", columns: [{ type: "Column" }] }]),
      "card.body[0].columns[0].items: required array",
    ],
    [
      "a nested unknown element",
      card([{ type: "Container", items: [{ type: "Banner" }] }]),
      'card.body[0].items[0]: unknown element type "Banner"',
    ],
    [
      "an OpenUrl without a title",
      card([], { actions: [{ type: "Action.OpenUrl", url: "https://x" }] }),
      "card.actions[0].title: required string",
    ],
    [
      "a colour that does not exist",
      card([{ type: "TextBlock", text: "x", color: "red" }]),
      "card.body[0].color",
    ],
    [
      "a 1.5 property",
      card([{ type: "TextBlock", text: "x" }], { rtl: true }),
      "card.rtl: introduced in 1.5",
    ],
  ])("rejects %s", (_name, value, problem) => {
    expect(validateAdaptiveCard14(value).join("\n")).toContain(problem);
  });
});

describe("Teams sender", () => {
  let server: RecordingReceiver | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  const WORKFLOW_PATH = "/workflows/5f2b8c1d9e3a4b7c8d0e1f2a3b4c5d6e/triggers/manual/paths/invoke";
  const QUERY =
    "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=qW3rTy7uIoP9aSdFgHjKlZxCvBnM1234567890abcde";
  const start = async () => {
    server = await startRecordingReceiver({ name: "teams" });
    const config: ReceiverConfig = {
      kind: "teams",
      name: "ops-channel",
      url: `${server.url}${WORKFLOW_PATH}${QUERY}`,
    };
    return { server, config, receiver: createReceiver(config, { timeoutMs: 300 }) };
  };
  const send = (
    receiver: ReturnType<typeof createReceiver>,
    event: AlertEvent = arpMissingOpen(),
  ) => receiver.send(event, { abortSignal: new AbortController().signal });

  it("posts the card as JSON and takes 202 as delivered", async () => {
    const { server, receiver } = await start();
    const outcome = await send(receiver);
    expect(outcome).toEqual({ ok: true, status: 202 });
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe(`${WORKFLOW_PATH}${QUERY}`);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body).toEqual(buildTeamsMessage(arpMissingOpen()));
  });

  it("links the status page when the receiver is built with one", async () => {
    server = await startRecordingReceiver();
    const receiver = createReceiver(
      { kind: "teams", name: "t", url: `${server.url}/hook` },
      { timeoutMs: 300, statusUrl: STATUS_URL },
    );
    await send(receiver);
    expect(JSON.stringify(server.requests[0]?.body)).toContain("Open status page");
  });

  it.each([
    [
      "500 is retryable",
      { status: 500 },
      {
        ok: false,
        retryable: true,
        status: 500,
        retryAfterMs: null,
        reason: "Teams webhook answered 500 Internal Server Error",
      },
    ],
    [
      "429 honours Retry-After",
      { status: 429, retryAfter: "17" },
      {
        ok: false,
        retryable: true,
        status: 429,
        retryAfterMs: 17_000,
        reason: "Teams webhook answered 429 Too Many Requests",
      },
    ],
    [
      "400 is permanent",
      { status: 400 },
      {
        ok: false,
        retryable: false,
        status: 400,
        retryAfterMs: null,
        reason: "Teams webhook answered 400 Bad Request",
      },
    ],
    [
      "a slow answer is a timeout",
      { status: 202, delayMs: 5_000 },
      {
        ok: false,
        retryable: true,
        status: null,
        retryAfterMs: null,
        reason: "Teams webhook timed out after 300 ms",
      },
    ],
  ] as const)("%s", async (_name, response, expected) => {
    const { server, receiver } = await start();
    server.failNext(1, response);
    expect(await send(receiver)).toEqual(expected);
    await server.waitForRequests(1, 2_000);
  });

  it("reports a dropped connection as a retryable network error", async () => {
    const { server, receiver } = await start();
    server.failNext(1, { destroySocket: true });
    const outcome = await send(receiver);
    expect(outcome).toMatchObject({ ok: false, retryable: true, status: null, retryAfterMs: null });
    expect(outcome.ok === false && outcome.reason).toMatch(
      /^network error \S+ reaching Teams webhook$/,
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe("Teams secrets", () => {
  const WORKFLOW_PATH = "/workflows/5f2b8c1d9e3a4b7c8d0e1f2a3b4c5d6e/triggers/manual/paths/invoke";
  const SIG = "qW3rTy7uIoP9aSdFgHjKlZxCvBnM1234567890abcde";
  const SECRET_PATH = `${WORKFLOW_PATH}?api-version=2016-06-01&sv=1.0&sig=${SIG}`;

  it.each([
    ["a 500", { status: 500 }],
    [
      "a 400 that echoes the URL",
      {
        status: 400,
        body: JSON.stringify({
          error: { code: "BadRequest", message: `POST ${SECRET_PATH} refused; sig=${SIG}` },
        }),
      },
    ],
    [
      "a 400 that echoes the path as text",
      { status: 400, body: `no such workflow: ${WORKFLOW_PATH} (sig ${SIG})` },
    ],
    ["a timeout", { delayMs: 5_000 }],
  ] as const)(
    "leaks neither the workflow path nor the signature on %s",
    async (_name, response) => {
      const server = await startRecordingReceiver();
      try {
        const config: ReceiverConfig = {
          kind: "teams",
          name: "ops-channel",
          url: `${server.url}${SECRET_PATH}`,
        };
        for (const secret of [SECRET_PATH, WORKFLOW_PATH, SIG]) {
          server.failNext(1, response);
          await assertLeaksNoSecret(secret, async (log) => runAndLog(config, log));
        }
      } finally {
        await server.close();
      }
    },
  );

  it("leaks nothing on a network error to a closed port", async () => {
    const server = await startRecordingReceiver();
    const url = `${server.url}${SECRET_PATH}`;
    await server.close();
    const config: ReceiverConfig = { kind: "teams", name: "ops-channel", url };
    for (const secret of [SECRET_PATH, WORKFLOW_PATH, SIG])
      await assertLeaksNoSecret(secret, (log) => runAndLog(config, log));
  });

  it("leaks nothing when the config itself is refused", async () => {
    const config: ReceiverConfig = {
      kind: "teams",
      name: "ops-channel",
      url: `http://teams.example.com${SECRET_PATH}`,
    };
    await assertLeaksNoSecret(SIG, async (log) => {
      try {
        createReceiver(config, { timeoutMs: 300 });
      } catch (error) {
        log.error({ err: error, receiver: describeReceiver(config) }, "receiver config refused");
        throw error;
      }
      throw new Error("expected the config to be refused");
    });
  });

  it("describes itself by host only", () => {
    expect(
      describeReceiver({
        kind: "teams",
        name: "ops-channel",
        url: `https://prod-12.westeurope.logic.azure.com:443${SECRET_PATH}`,
      }),
    ).toEqual({
      name: "ops-channel",
      kind: "teams",
      host: "prod-12.westeurope.logic.azure.com",
    });
  });
});

/** What the dispatcher would do with the outcome: log it at every level. */
async function runAndLog(config: ReceiverConfig, log: Logger) {
  const receiver = createReceiver(config, { timeoutMs: 300 });
  const outcome = await receiver.send(arpMissingOpen(), {
    abortSignal: new AbortController().signal,
  });
  expect(outcome.ok).toBe(false);
  log.debug({ receiver: describeReceiver(config), outcome }, "receiver failed; retrying");
  log.error(
    { receiver: receiver.name, kind: receiver.kind, reason: outcome.ok ? null : outcome.reason },
    "dead-lettering",
  );
  log.info({ receiverObject: receiver }, "the receiver object itself");
  return outcome;
}
