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
import { LAYER_ROWS, LAYER_WORDS } from "../../../src/core/vocabulary.js";
import { SEVERITIES } from "../../../src/core/model.js";
import {
  lowContrast,
  renderTeamsMessage,
  teamsMessageProblems,
} from "../../support/adaptive-card.js";
import {
  arpMissingBlind,
  arpMissingBlindSecondary,
  capacityBlindSecondary,
  trafficBlindSecondary,
  e2eFailBlind,
  flapBlindHistory,
  arpMissingBlindSev1,
  arpMissingEscalated,
  arpMissingOpen,
  arpMissingRepeat,
  arpMissingResolved,
  BLIND_SINCE,
  blindChange,
  CIRCUIT_ID,
  fleetOutageOpen,
  fleetOutageResolved,
  hugeArpMissing,
  noPrefixesOpen,
  prefixLimitOpen,
  SUBSCRIPTION_ID,
  subscriptionBlindOpen,
  sentBeforeBlindSince,
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
type Block = Record<string, unknown>;
/** Every element of the card, depth first. */
const elements = (message: object): Block[] => {
  const out: Block[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== "object" || value === null) return;
    const block = value as Block;
    if (typeof block.type === "string") out.push(block);
    for (const key of ["body", "items", "columns"]) visit(block[key]);
  };
  visit(cardOf(message));
  return out;
};
const textsOf = (message: object): string[] =>
  elements(message)
    .filter((e) => e.type === "TextBlock")
    .map((e) => String(e.text));

describe("buildTeamsMessage", () => {
  it.each([
    ["open, carrier-owned arp-missing with ticket", arpMissingOpen(), { statusUrl: STATUS_URL }],
    ["escalate Sev2 → Sev0", arpMissingEscalated(), {}],
    ["resolve", arpMissingResolved(), {}],
    ["open, you-owned no-prefixes Sev0", noPrefixesOpen(), {}],
    ["open, prefix limit with a trend", prefixLimitOpen(), {}],
    ["repeat, still firing Sev0", arpMissingRepeat(), {}],
  ] as const)(
    "renders %s with the adaptivecards renderer, Teams host config, no warnings",
    (_name, event, options) => {
      const message = buildTeamsMessage(event, options);
      expect(teamsMessageProblems(message)).toEqual([]);
      expect(message).toMatchSnapshot();
    },
  );

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

  it("titles a repeat that says erwatch lost sight of the incident as BLIND", () => {
    const change = "Blind: erwatch has not been able to read the layers behind this alert since …";
    expect(headline({ action: "repeat", severity: "Sev0", previousSeverity: "Sev0", change })).toBe(
      "BLIND Sev0",
    );
  });

  it("titles a repeat that announces circuits joining a fleet outage as WIDER", () => {
    const change =
      "Wider: er-ams-c broke the same way since the last notification; 3 circuits now.";
    expect(headline({ action: "repeat", severity: "Sev0", previousSeverity: "Sev0", change })).toBe(
      "WIDER Sev0",
    );
    expect(
      headline({
        action: "repeat",
        severity: "Sev0",
        previousSeverity: "Sev0",
        change: "Still firing",
      }),
    ).toBe("STILL FIRING Sev0");
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

  it("puts the facts first: what broke, which path, whose problem, what to do, since when", () => {
    const body = cardOf(buildTeamsMessage(arpMissingOpen())).body;
    expect(body[0]).toMatchObject({
      items: [
        { text: "OPEN Sev2 · er-ams-prod-01" },
        { text: arpMissingOpen().title }, // what broke
      ],
    });
    expect(body.slice(1, 5).map((b) => b.text)).toEqual([
      "**Where:** the secondary path of AzurePrivatePeering",
      "**Owner:** the carrier — open a ticket",
      `**Do:** ${arpMissingOpen().nextAction}`,
      // 01:52:00 → 02:04:30, and the same instant in the reader's own time zone.
      "**Since:** 13 min before this message · {{DATE(2026-03-14T01:52:00Z, SHORT)}} {{TIME(2026-03-14T01:52:00Z)}}",
    ]);
    expect(body[5]).toMatchObject({ type: "FactSet" }); // then the details
  });

  it("says no time before the message for a first sighting dated after it (a clock that stepped back): only when", () => {
    const event = { ...arpMissingOpen(), firstSeen: "2026-03-14T04:04:30Z" };
    expect(textsOf(buildTeamsMessage(event))).toContain(
      "**Since:** {{DATE(2026-03-14T04:04:30Z, SHORT)}} {{TIME(2026-03-14T04:04:30Z)}}",
    );
  });

  it.each([
    ["open", arpMissingOpen()],
    ["escalate", arpMissingEscalated()],
    ["resolve", arpMissingResolved()],
    ["open, you-owned", noPrefixesOpen()],
  ] as const)("says the title once on a %s card", (_name, event) => {
    const texts = textsOf(buildTeamsMessage(event));
    expect(texts.filter((t) => t.includes(event.title))).toHaveLength(1);
  });

  it.each([
    ["escalate", arpMissingEscalated(), "Worse: Sev2 → Sev0; now also the primary path."],
    [
      "resolve of a circuit erwatch stopped watching",
      {
        ...arpMissingResolved(),
        change: `Resolved: circuit no longer exists. ${arpMissingResolved().title} is no longer watched.`,
      },
      "Resolved: circuit no longer exists.",
    ],
  ] as const)("says what changed on a %s, without the title", (_name, event, change) => {
    expect(textsOf(buildTeamsMessage(event))).toContain(`**Changed:** ${change}`);
  });

  // A message may be posted late (a broker outage, Teams' 429 pause): the
  // card said when the alert started and "Resolved after 1 h 12 min", never
  // when it resolved.
  it.each([
    ["full", {}],
    ["compact", { compact: true }],
  ] as const)(
    "says when a resolve cleared and how long it was open, once (%s card)",
    (_name, options) => {
      const texts = textsOf(buildTeamsMessage(arpMissingResolved(), options));
      expect(texts).toContain(
        "**Resolved:** {{DATE(2026-03-14T03:04:30Z, SHORT)}} {{TIME(2026-03-14T03:04:30Z)}}, open 1 h 13 min",
      );
      expect(texts.filter((t) => t.startsWith("**Changed:**"))).toEqual([]);
      expect(texts.indexOf(texts.find((t) => t.startsWith("**Resolved:**"))!)).toBe(
        texts.indexOf(texts.find((t) => t.startsWith("**Started:**"))!) + 1,
      );
    },
  );

  it("keeps the duration in Changed when the resolve's time is not one", () => {
    const texts = textsOf(
      buildTeamsMessage({ ...arpMissingResolved(), firstSeen: "?", occurredAt: "?" }),
    );
    expect(texts.filter((t) => t.startsWith("**Resolved:**"))).toEqual([]);
    expect(texts).toContain("**Changed:** Resolved after 1 h 12 min.");
  });

  it("says no Resolved line on any other card", () => {
    for (const event of [arpMissingOpen(), arpMissingEscalated(), arpMissingRepeat()])
      expect(
        textsOf(buildTeamsMessage(event)).filter((t) => t.startsWith("**Resolved:**")),
      ).toEqual([]);
  });

  it("says when a resolved alert started, not since when it fires", () => {
    const texts = textsOf(buildTeamsMessage(arpMissingResolved()));
    expect(texts.filter((t) => t.startsWith("**Since:**"))).toEqual([]);
    expect(texts).toContainEqual(expect.stringMatching(/^\*\*Started:\*\* 1 h 13 min before/));
  });

  it.each([
    [
      "a fleet outage of three circuits",
      {
        family: "fleet",
        code: "fleet-outage",
        peering: null,
        paths: [],
        evidence: {
          provider: "Equinix",
          peeringLocation: "Amsterdam",
          circuits: ["a", "b", "c"].map((n) => ({ id: `/subscriptions/s/x/${n}`, name: n })),
        },
      },
      "**Where:** 3 circuits through Equinix at Amsterdam",
    ],
    [
      "a fleet outage whose evidence was cut",
      { family: "fleet", code: "fleet-outage", peering: null, paths: [], evidence: {} },
      "**Where:** every circuit the title names",
    ],
    [
      "a saturated path, which every peering rides",
      { family: "capacity", code: "saturation", peering: null, paths: ["primary"] },
      "**Where:** the primary path, every peering on it",
    ],
    [
      "a subscription whose circuits cannot be listed",
      {
        family: "monitoring-blind",
        code: "monitoring-blind",
        peering: null,
        paths: [],
        circuit: { ...noPrefixesOpen().circuit, id: "/subscriptions/0a1b2c3d" },
      },
      "**Where:** every circuit of subscription 0a1b2c3d",
    ],
  ] satisfies [string, Partial<AlertEvent>, string][])(
    "names the place, not one circuit, for %s",
    (_name, patch, expected) => {
      const event: AlertEvent = { ...noPrefixesOpen(), ...patch };
      const texts = textsOf(buildTeamsMessage(event));
      expect(texts).toContain(expected);
      expect(texts.filter((t) => t.includes("the whole circuit"))).toEqual([]);
    },
  );

  it("lists the details a responder copies, layer in words", () => {
    const factSet = cardOf(buildTeamsMessage(arpMissingOpen())).body.find(
      (e) => e.type === "FactSet",
    );
    expect(factSet?.facts).toEqual([
      { title: "Circuit", value: "er-ams-prod-01" },
      { title: "Provider", value: "Equinix at Amsterdam" },
      { title: "Service key", value: "a7c1e9b2-5d3f-4e8a-9b6c-0f1e2d3c4b5a" },
      { title: "Layer", value: "provider / L2" },
      { title: "Code", value: "arp-missing" },
      { title: "First seen", value: "2026-03-14T01:52:00.000Z (UTC)" },
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
    const message = buildTeamsMessage(event);
    const facts = cardOf(message).body.find((e) => e.type === "FactSet")?.facts as {
      title: string;
    }[];
    expect(facts.map((f) => f.title)).not.toContain("Service key");
    expect(facts.map((f) => f.title)).not.toContain("Provider");
    expect(textsOf(message)).toContain("**Owner:** you");
  });

  // A fleet outage's subject is a place key: its card read "OPEN Sev0 · Equinix
  // at Amsterdam (provider)" and "Circuit: Equinix at Amsterdam (provider)", as
  // if the site were a circuit (the layer in brackets), beside a title and a
  // Where line naming three circuits there.
  it.each([
    [
      "a fleet outage",
      fleetOutageOpen(),
      "OPEN Sev0 · Equinix at Amsterdam",
      [
        { title: "Site", value: "Equinix at Amsterdam" },
        { title: "Circuits", value: "3 (er-ams-a, er-ams-b, er-ams-c)" },
      ],
    ],
    [
      "a fleet outage's resolve",
      fleetOutageResolved(),
      "RESOLVED · Equinix at Amsterdam",
      [
        { title: "Site", value: "Equinix at Amsterdam" },
        { title: "Circuits", value: "3 (er-ams-a, er-ams-b, er-ams-c)" },
      ],
    ],
    [
      "a fleet outage whose evidence was cut",
      { ...fleetOutageOpen(), evidence: {} },
      "OPEN Sev0 · Equinix at Amsterdam (provider)",
      [{ title: "Site", value: "Equinix at Amsterdam (provider)" }],
    ],
    [
      "a subscription whose circuits cannot be listed",
      subscriptionBlindOpen(),
      `OPEN Sev1 · subscription ${SUBSCRIPTION_ID}`,
      [{ title: "Subscription", value: SUBSCRIPTION_ID }],
    ],
  ] satisfies [string, AlertEvent, string, { title: string; value: string }[]][])(
    "names %s by what it is in the header and the details, not as a circuit",
    (_name, event, heading, subjectFacts) => {
      const message = buildTeamsMessage(event);
      expect(teamsMessageProblems(message)).toEqual([]);
      expect(textsOf(message)[0]).toBe(heading);
      const facts = cardOf(message).body.find((e) => e.type === "FactSet")?.facts;
      expect(facts).toEqual([
        ...subjectFacts,
        { title: "Layer", value: LAYER_WORDS[event.layer]!.label },
        { title: "Code", value: event.code },
        { title: "First seen", value: `${event.firstSeen} (UTC)` },
      ]);
    },
  );

  it.each([
    ["open", fleetOutageOpen(), "Carrier ticket — paste into a ticket with Equinix"],
    [
      "resolve",
      fleetOutageResolved(),
      "Carrier ticket — for reference: the fault has cleared, close any ticket open with Equinix",
    ],
  ] as const)(
    'names the carrier of a fleet outage\'s %s for its ticket, not "the carrier"',
    (_name, event, heading) => {
      expect(textsOf(buildTeamsMessage(event))).toContain(heading);
    },
  );

  it("writes a fleet outage's circuits one line each, not one line of every field", () => {
    const event = fleetOutageOpen();
    const circuits = event.evidence["circuits"] as Record<string, unknown>[];
    circuits[2] = { ...circuits[2], paths: [], unread: true };
    const texts = textsOf(buildTeamsMessage(event));
    const evidence = texts.slice(texts.indexOf("Evidence") + 1, texts.indexOf("Evidence") + 4);
    expect(evidence).toEqual([
      "Circuit er-ams-a: Sev0 provider-not-provisioned, primary and secondary",
      "Circuit er-ams-b: Sev0 provider-not-provisioned, primary and secondary",
      "Circuit er-ams-c: Sev0 provider-not-provisioned (as last seen; not read for this update)",
    ]);
  });

  // A fleet card's evidence began "Provider: Equinix", "Peering location:
  // Amsterdam" under the fact "Site: Equinix at Amsterdam", and a
  // subscription's ended "Subscription id: <its Subscription fact>".
  it.each([
    [
      "a fleet outage: its provider and location are its Site",
      fleetOutageOpen(),
      [
        "Circuit er-ams-a: Sev0 provider-not-provisioned, primary and secondary",
        "Circuit er-ams-b: Sev0 provider-not-provisioned, primary and secondary",
        "Circuit er-ams-c: Sev0 provider-not-provisioned, primary and secondary",
      ],
    ],
    [
      "a fleet outage that lost its provider: its Site is its subject, the location is news",
      {
        ...fleetOutageOpen(),
        evidence: { peeringLocation: "Amsterdam" },
      },
      ["Peering location: Amsterdam"],
    ],
    [
      "a subscription's monitoring-blind: its id is its Subscription",
      subscriptionBlindOpen(),
      [
        `Failed read listCircuits (subscription ${SUBSCRIPTION_ID}): forbidden, HTTP 403, missing Microsoft\\.Network/expressRouteCircuits/read: AuthorizationFailed`,
      ],
    ],
    [
      "a circuit, as it was",
      { ...noPrefixesOpen(), evidence: { subscriptionId: SUBSCRIPTION_ID, provider: "Equinix" } },
      [`Subscription ID: ${SUBSCRIPTION_ID}`, "Provider: Equinix"],
    ],
  ] satisfies [string, AlertEvent, string[]][])(
    "writes as evidence only what the facts do not say already: %s",
    (_name, event, lines) => {
      const texts = textsOf(buildTeamsMessage(event));
      const from = texts.indexOf("Evidence") + 1;
      const to = texts.findIndex((t, i) => i >= from && t.startsWith("Carrier ticket"));
      expect(texts.slice(from, to < 0 ? undefined : to)).toEqual(lines);
    },
  );

  // A fleet alert's finding always carries a ticket listing its service keys:
  // a fleet of you-owned breaks said "Do: … check what your edge announces …
  // Not a carrier ticket." above "Carrier ticket — paste into a ticket with
  // Equinix". A circuit's ticket is the sweep's to attach (only for the
  // carrier or a shared owner), and shows as it was.
  it.each([
    ["a fleet outage the carrier owns", fleetOutageOpen(), true],
    ["a fleet outage you share with the carrier", { ...fleetOutageOpen(), owner: "shared" }, true],
    ["a fleet outage whose breaks are all yours", { ...fleetOutageOpen(), owner: "you" }, false],
    [
      "the resolve of a fleet outage whose breaks were all yours",
      { ...fleetOutageResolved(), owner: "you" },
      false,
    ],
    ["a circuit's carrier fault", arpMissingOpen(), true],
    ["a circuit's shared fault", { ...arpMissingOpen(), owner: "shared" }, true],
    ["a circuit's own break, which the sweep gave no ticket", noPrefixesOpen(), false],
  ] satisfies [string, AlertEvent, boolean][])(
    "shows the carrier ticket of %s only when the carrier has a part in it",
    (_name, event, shown) => {
      const message = buildTeamsMessage(event);
      expect(teamsMessageProblems(message)).toEqual([]);
      expect(textsOf(message).some((t) => t.startsWith("Carrier ticket"))).toBe(shown);
      expect(allText(message).includes("Circuits (service key, name, affected paths)")).toBe(
        shown && event.family === "fleet",
      );
    },
  );

  // The compact card and the truncation marker sent a fleet outage's reader to
  // "the circuit's whole reading" and named a layer table a fleet card never has.
  it.each([
    [
      "a fleet outage",
      fleetOutageOpen(),
      "Evidence and carrier ticket left out: the full card is too large for Teams. erwatch diagnose \\<circuit\\> prints each circuit's whole reading; PagerDuty and webhook receivers have them.",
    ],
    [
      "a fleet outage whose breaks are all yours",
      { ...fleetOutageOpen(), owner: "you" },
      "Evidence left out: the full card is too large for Teams. erwatch diagnose \\<circuit\\> prints each circuit's whole reading; PagerDuty and webhook receivers have it.",
    ],
    [
      "a subscription's monitoring-blind",
      subscriptionBlindOpen(),
      "Evidence left out: the full card is too large for Teams. PagerDuty and webhook receivers have it.",
    ],
    [
      "a circuit",
      arpMissingOpen(),
      "Layer table, evidence and carrier ticket left out: the full card is too large for Teams. erwatch diagnose prints the circuit's whole reading; PagerDuty and webhook receivers have them.",
    ],
  ] satisfies [string, AlertEvent, string][])(
    "says on the compact card of %s what it left out and where it is",
    (_name, event, note) => {
      expect(textsOf(buildTeamsMessage(event, { compact: true }))).toContain(note);
    },
  );

  it("sends the reader of a cut fleet ticket to each circuit's reading, not to one circuit's", () => {
    const event = fleetOutageOpen();
    event.ticket = `${event.ticket!}\n${"  1819d37c-53f5-40fd-ad48-c12a69427bdd  er-ams-x  primary\n".repeat(600)}`;
    const message = buildTeamsMessage(event);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
    expect(allText(message)).toMatch(
      /… \(truncated: \d+ characters not shown here; erwatch diagnose \\\\<circuit\\\\> prints each circuit's whole reading\)/,
    );
    expect(allText(message)).not.toContain("the circuit's whole reading");
  });

  it("names layers in words on their own line, never in a narrow column", () => {
    const message = buildTeamsMessage(arpMissingOpen());
    const texts = textsOf(message);
    for (const layer of LAYER_ROWS) expect(texts).toContain(layer.label);
    // Code names stay out of the card.
    for (const code of ["bgp", "globalReach", "provider", "gateway"])
      expect(texts.filter((t) => t === code)).toEqual([]);
    // Every ColumnSet is equal stretch columns (one per path), so nothing is squeezed.
    const sets = elements(message).filter((e) => e.type === "ColumnSet");
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) {
      const columns = set.columns as Block[];
      expect(columns).toHaveLength(2);
      for (const column of columns) expect(column.width).toBe("stretch");
    }
  });

  it("shows status in words on a status background, never as coloured text", () => {
    const message = buildTeamsMessage(arpMissingOpen());
    expect(elements(message).filter((e) => "color" in e)).toEqual([]);
    const cells = elements(message).filter((e) => e.type === "Column" && "style" in e);
    const styled = cells.map((c) => [c.style, (c.items as Block[])[0]?.text]);
    expect(styled).toContainEqual(["attention", "DOWN · no ARP entry for the on-prem side"]);
    expect(styled).toContainEqual(["good", "ok · Established 3d 4h"]);
    expect(styled).toContainEqual(["emphasis", "unknown · not evaluated: layer 2 down"]);
    expect(styled).toContainEqual(["default", "n/a · not configured"]);
    expect(textsOf(message)).toContain("secondary path (affected)");
  });

  it("catches low-contrast text, as the warning colour was on the light theme", () => {
    const warningText = {
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            type: "AdaptiveCard",
            version: "1.4",
            body: [{ type: "TextBlock", text: "WARN · near the limit", color: "warning" }],
          },
        },
      ],
    };
    const { root } = renderTeamsMessage(warningText, "light");
    expect(lowContrast(root!)).toEqual([
      expect.stringMatching(/^contrast 1\.4\d:1 for "WARN · near the limit"/),
    ]);
  });

  it("writes evidence as words, without JSON and without repeating the layer table", () => {
    const event = noPrefixesOpen();
    event.evidence = {
      ...event.evidence,
      layers: { primary: { bgp: { status: "up", detail: "Established" } } },
      bgpState: "Established",
      neighbors: {
        primary: [
          { neighbor: "10.250.0.1", v: 4, as: 65010, upDown: "00:12:00", statePfxRcd: "0" },
        ],
      },
    };
    const message = buildTeamsMessage(event);
    const texts = textsOf(message);
    const evidence = texts.slice(texts.indexOf("Evidence") + 1);
    expect(evidence).toEqual([
      "BGP state: Established",
      "BGP primary: 10.250.0.1 AS 65010 0 (up/down 00:12:00)",
    ]);
    for (const line of evidence) expect(line).not.toMatch(/[{}"]/);
  });

  // The operator review: a saturation card read 'Load: primary \\{"percent":\\{"in":86,…'.
  it("writes nested evidence as words: a load per path, other objects as key value pairs", () => {
    const event: AlertEvent = {
      ...noPrefixesOpen(),
      family: "capacity",
      code: "saturation",
      layer: "capacity",
      peering: null,
      paths: ["primary"],
      evidence: {
        bandwidthMbps: 1000,
        load: {
          primary: {
            percent: { in: 86, out: 9 },
            bps: { in: 860_000_000, out: 90_100_000 },
            saturated: ["in"],
          },
          secondary: {
            percent: { in: null, out: null },
            bps: { in: 2_000, out: null },
            saturated: [],
          },
        },
        alsoNear: { family: "ipv6", counts: { primary: 97, secondary: 12 }, limit: 100 },
        singlePathDown: [{ path: "primary", code: "bgp-down" }],
        deep: { one: { two: { three: { four: "x" } } } },
      },
    };
    const texts = textsOf(buildTeamsMessage(event));
    const evidence = texts.slice(texts.indexOf("Evidence") + 1);
    expect(evidence).toEqual([
      "Bandwidth Mbps: 1000",
      "Load primary: in 86% (860 Mbps), out 9% (90.1 Mbps); saturated in",
      "Load secondary: in 2 kbps, out no data",
      "Also near: family ipv6, counts primary 97 · secondary 12, limit 100",
      "Single path down: path primary · code bgp-down",
      "Deep: one two (three …)",
    ]);
    for (const line of evidence) expect(line).not.toMatch(/[{}"]/);
  });

  // Lower-cased whole, "peerASN" read "Peer asn" and "bandwidthMbps" "Bandwidth mbps".
  it.each([
    ["peerASN", 65010, "Peer ASN: 65010"],
    ["vlanId", 210, "VLAN ID: 210"],
    ["bandwidthInMbps", 1000, "Bandwidth in Mbps: 1000"],
    ["privateIpv6", 100, "Private IPv6: 100"],
    ["roundTripMs", 42, "Round trip ms: 42"],
    [
      "serviceProviderProvisioningState",
      "Provisioned",
      "Service provider provisioning state: Provisioned",
    ],
    ["arp_entries", 2, "ARP entries: 2"],
    ["peer", { azureASN: 12076, circuitIds: ["a"] }, "Peer: azure ASN 12076, circuit IDs a"],
  ])("writes the evidence key %s as an engineer would", (key, value, line) => {
    const event: AlertEvent = { ...noPrefixesOpen(), evidence: { [key]: value } };
    const texts = textsOf(buildTeamsMessage(event));
    expect(texts.slice(texts.indexOf("Evidence") + 1)).toEqual([line]);
  });

  it("writes a fast prefix trend with thousands separators, as the counts beside it", () => {
    const open = prefixLimitOpen();
    const trend = (open.evidence.trend as Record<string, Record<string, unknown>>).primary!;
    const event = {
      ...open,
      evidence: { ...open.evidence, trend: { primary: { ...trend, perHour: 3233.4 } } },
    };
    expect(textsOf(buildTeamsMessage(event)).join("\n")).toMatch(
      /\*\*Prefix trend:\*\* primary: \+3,233\.4 prefixes an hour/,
    );
  });

  it("states the prefix trend and when the limit is reached as a fact, not as JSON", () => {
    const texts = textsOf(buildTeamsMessage(prefixLimitOpen()));
    expect(texts).toContain(
      "**Prefix trend:** primary: +12.5 prefixes an hour, at the limit in about 3 d 4 h ({{DATE(2026-03-17T13:34:00Z, SHORT)}} {{TIME(2026-03-17T13:34:00Z)}}); secondary: too few samples for a trend",
    );
    // The rest of the evidence is words; counts, limit and percent are in the layer table and title.
    expect(texts.slice(texts.indexOf("Evidence") + 1)).toEqual([
      "SKU tier: Standard",
      "Peering type: AzurePrivatePeering",
    ]);
  });

  it.each([
    // Seen in the demo at 09:45: the resolve of a count back at 120 still read
    // "at the limit in about 27 min" for a projected time 27 minutes gone.
    ["resolve", "2026-03-17T14:01:00.000Z"],
    ["resolve before the projected time", "2026-03-14T10:00:00.000Z"],
  ] as const)("leaves the prefix trend off a %s card", (_name, occurredAt) => {
    const event: AlertEvent = { ...prefixLimitOpen(), action: "resolve", occurredAt };
    const texts = textsOf(buildTeamsMessage(event));
    expect(texts.filter((t) => t.startsWith("**Prefix trend:**"))).toEqual([]);
  });

  it("never forecasts a projected limit time that is already past as still to come", () => {
    const event: AlertEvent = {
      ...prefixLimitOpen(),
      action: "repeat",
      occurredAt: "2026-03-17T14:01:00.000Z",
    };
    const trend = textsOf(buildTeamsMessage(event)).find((t) => t.startsWith("**Prefix trend:**"));
    expect(trend).toBe(
      "**Prefix trend:** primary: +12.5 prefixes an hour, projected to reach the limit 27 min before this message ({{DATE(2026-03-17T13:34:00Z, SHORT)}} {{TIME(2026-03-17T13:34:00Z)}}); secondary: too few samples for a trend",
    );
  });

  // The operator review: a resolve led with the last firing title ("3,820 of
  // 4,000 — reaches 4,000 in about 3 min") over its own layer table reading
  // 120 of 4000; a saturation's resolve showed its old load, an end-to-end
  // resolve "Overall: fail", all as if live.
  describe("a resolve leads with how it reads now; what it was is labelled so", () => {
    const FIRING_TITLE =
      "Received prefixes at 95% of the route limit on AzurePrivatePeering: 3,820 of 4,000 — reaches 4,000 in about 3 min";
    const prefixResolve = (): AlertEvent => {
      const open = prefixLimitOpen();
      const table = structuredClone(open.layerTable!);
      table.prefixes = { primary: 120, secondary: 118 };
      return {
        ...open,
        action: "resolve",
        title: FIRING_TITLE,
        change: `Resolved after 2 h: ${FIRING_TITLE} has cleared.`,
        nextAction: "Nothing to do: the received-prefix count is back under the warning line.",
        resolution:
          "received prefixes on AzurePrivatePeering: primary 120 of 4,000, secondary 118 of 4,000",
        layerTable: table,
        occurredAt: "2026-03-14T10:00:00.000Z",
      };
    };
    const headerOf = (event: AlertEvent) =>
      textsOf({ attachments: [{ content: { body: [cardOf(buildTeamsMessage(event)).body[0]] } }] });

    it("the route limit: the count now first, the title last told as what it was", () => {
      const message = buildTeamsMessage(prefixResolve());
      expect(teamsMessageProblems(message)).toEqual([]);
      expect(headerOf(prefixResolve())).toEqual([
        "RESOLVED · er-ams-prod-01",
        "Now: received prefixes on AzurePrivatePeering: primary 120 of 4,000, secondary 118 of 4,000",
        `Was, as last told: ${FIRING_TITLE}`,
      ]);
      const texts = textsOf(message);
      // The title is never said bare, as if it were how it is now.
      expect(texts.filter((t) => t.includes(FIRING_TITLE))).toEqual([
        `Was, as last told: ${FIRING_TITLE}`,
      ]);
      expect(texts).toContain("Layers of AzurePrivatePeering now");
      expect(texts).toContain("Evidence at the last firing sweep");
      expect(texts).not.toContain("Evidence");
    });

    it.each([
      [
        "saturation",
        {
          family: "capacity",
          code: "saturation",
          layer: "capacity",
          peering: null,
          paths: ["primary"],
          evidence: {
            load: {
              primary: {
                percent: { in: 86, out: 9 },
                bps: { in: 8.6e8, out: 9e7 },
                saturated: ["in"],
              },
            },
          },
          resolution: "capacity ok · in 31% · out 9% of 1 Gbps on the primary path",
        },
        "Load primary: in 86% (860 Mbps), out 9% (90 Mbps); saturated in",
      ],
      [
        "end to end",
        {
          family: "end-to-end",
          code: "e2e-fail",
          layer: "endToEnd",
          evidence: { overall: "fail", failing: ["web/https: onprem → vm fail"] },
          resolution: "end to end ok · 2 tests pass on both paths of AzurePrivatePeering",
        },
        "Overall: fail",
      ],
    ] as const)(
      "%s: the last firing evidence under its own heading, after how it reads now",
      (_name, over, oldLine) => {
        const event = { ...prefixResolve(), ...over } as unknown as AlertEvent;
        const texts = textsOf(buildTeamsMessage(event));
        expect(texts[1]).toBe(`Now: ${over.resolution}`);
        const heading = texts.indexOf("Evidence at the last firing sweep");
        expect(heading).toBeGreaterThan(1);
        expect(texts.indexOf(oldLine)).toBeGreaterThan(heading);
      },
    );

    it("a resolve from an older erwatch, which did not say how it reads: no Now, the title still what it was", () => {
      const { resolution: _said, ...older } = prefixResolve();
      expect(headerOf(older)).toEqual([
        "RESOLVED · er-ams-prod-01",
        `Was, as last told: ${FIRING_TITLE}`,
      ]);
    });

    it("the compact card leads the same way", () => {
      const header = cardOf(buildTeamsMessage(prefixResolve(), { compact: true })).body[0];
      expect(textsOf({ attachments: [{ content: { body: [header] } }] })[1]).toMatch(
        /^Now: received prefixes/,
      );
    });

    it.each([
      ["open", arpMissingOpen()],
      ["repeat", arpMissingRepeat()],
    ] as const)("a %s says its title as it is, with no Now or Was", (_name, event) => {
      const texts = textsOf(buildTeamsMessage({ ...event, resolution: "ignored" } as AlertEvent));
      expect(texts[1]).toBe(event.title);
      expect(texts.filter((t) => /^(Now: |Was, )/.test(t))).toEqual([]);
      expect(texts).toContain("Evidence");
    });
  });

  it("asks for no carrier ticket on a resolved card: the fault has cleared", () => {
    const texts = textsOf(buildTeamsMessage(arpMissingResolved()));
    expect(texts).toContain("**Owner:** the carrier");
    expect(texts).toContain(
      "Carrier ticket — for reference: the fault has cleared, close any ticket open with Equinix",
    );
    expect(texts.filter((t) => /open a ticket|paste into a ticket/.test(t))).toEqual([]);
  });

  it("sends a carrier-owned global-reach-down to the peer circuit's alert for the ticket, not to a second one", () => {
    // Owned by the carrier only as the peer circuit's outage, whose alert carries the ticket.
    const event: AlertEvent = {
      ...arpMissingOpen(),
      code: "global-reach-down",
      layer: "globalReach",
      owner: "carrier",
    };
    const texts = textsOf(buildTeamsMessage(event));
    expect(texts).toContain(
      "**Owner:** the carrier — the ticket is on the peer circuit's alert; open no second one",
    );
    expect(texts.filter((t) => /open a ticket/.test(t))).toEqual([]);
    // Any other carrier-owned card still asks for one.
    expect(textsOf(buildTeamsMessage(arpMissingOpen()))).toContain(
      "**Owner:** the carrier — open a ticket",
    );
  });

  it("shows the carrier ticket in monospace, last, only when there is one", () => {
    const withTicket = cardOf(buildTeamsMessage(arpMissingOpen())).body;
    const block = withTicket[withTicket.length - 1];
    expect(block).toMatchObject({ type: "TextBlock", fontType: "Monospace", wrap: true });
    expect(block?.text).toContain("Service key: a7c1e9b2-5d3f-4e8a-9b6c-0f1e2d3c4b5a");
    expect(allText(buildTeamsMessage(noPrefixesOpen()))).not.toContain("Carrier ticket");
    // The ticket quotes the ARP rows: the evidence does not print them again.
    expect(textsOf(buildTeamsMessage(arpMissingOpen())).join("\n")).not.toMatch(
      /^ARP (primary|secondary):/m,
    );
  });

  it("links the runbook of the code and the circuit in the portal, the status page when known", () => {
    expect(cardOf(buildTeamsMessage(arpMissingOpen())).actions).toEqual([
      {
        type: "Action.OpenUrl",
        title: "Azure portal",
        url: `https://portal.azure.com/#resource${CIRCUIT_ID}`,
      },
      {
        type: "Action.OpenUrl",
        title: "Runbook",
        url: "https://github.com/erwatch/erwatch/blob/main/docs/runbook.md#arp-missing",
      },
    ]);
    const actions = cardOf(
      buildTeamsMessage(arpMissingOpen(), { statusUrl: STATUS_URL, cloud: "AzureChinaCloud" }),
    ).actions as Block[];
    expect(actions[0]).toEqual({
      type: "Action.OpenUrl",
      title: "Status page",
      url: STATUS_URL,
    });
    expect(actions[1]?.url).toBe(`https://portal.azure.cn/#resource${CIRCUIT_ID}`);
  });

  it("stays under its budget with huge evidence and ticket, and says what it cut", () => {
    const message = buildTeamsMessage(hugeArpMissing());
    const bytes = Buffer.byteLength(JSON.stringify(message));
    expect(bytes).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
    expect(bytes).toBeGreaterThan(TEAMS_MAX_MESSAGE_BYTES - 2_000); // shortened, not emptied
    expect(teamsMessageProblems(message)).toEqual([]);
    const markers = allText(message).match(
      /… \(truncated: \d+ characters not shown here; erwatch diagnose prints the circuit's whole reading\)/g,
    );
    expect(markers).toHaveLength(2);
    expect(allText(message)).toContain("Service key: a7c1e9b2"); // the head of the ticket survives
  });

  it("leaves a message that fits untouched", () => {
    expect(allText(buildTeamsMessage(arpMissingOpen()))).not.toContain("truncated");
  });

  it("sends the compact card when the card passes the limit even without evidence and ticket (it was sent at 21 KB)", () => {
    const cjk = (n: number) => "回路_名".repeat(n);
    const base = hugeArpMissing();
    const event: AlertEvent = {
      ...base,
      title: cjk(20_000),
      change: cjk(20_000),
      nextAction: cjk(20_000),
      circuit: {
        ...base.circuit,
        name: cjk(200),
        serviceProviderName: cjk(200),
        peeringLocation: cjk(200),
      },
    };
    const message = buildTeamsMessage(event);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
    expect(teamsMessageProblems(message)).toEqual([]);
    expect(allText(message)).toContain("the full card is too large for Teams");
    expect(allText(message)).toContain("回路");
  });

  it("survives a huge title and change without breaking the limit", () => {
    const event: AlertEvent = {
      ...hugeArpMissing(),
      action: "escalate",
      title: "t".repeat(50_000),
      change: "c".repeat(50_000),
      nextAction: "n".repeat(50_000),
    };
    const message = buildTeamsMessage(event);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
    expect(teamsMessageProblems(message)).toEqual([]);
  });
});

describe("the layer table's received prefixes", () => {
  // The title said "3,820 of 4,000" and the table under it "3820 of 4000".
  it("are written with thousands separators, as the title and evidence write them", () => {
    const event = arpMissingOpen();
    const table = event.layerTable!;
    const texts = textsOf(
      buildTeamsMessage({
        ...event,
        layerTable: { ...table, prefixes: { primary: 3820, secondary: 12_345 } },
      }),
    );
    expect(texts).toContain("3,820 of 4,000");
    expect(texts).toContain("12,345 of 4,000");
  });
});

describe("the Teams card of a blind notice: erwatch cannot see the circuit", () => {
  // 2026-03-14T02:19:30Z in the reader's own time zone, 15 min before the notice.
  const SINCE = "{{DATE(2026-03-14T02:19:30Z, SHORT)}} {{TIME(2026-03-14T02:19:30Z)}}";
  const STANDS =
    "**Stands:** as last seen, neither resolved nor changed: the title above and the evidence and ticket below are its last reading, not news.";
  const LOOK_AT =
    "**Look at:** the monitoring-blind alert of this circuit or of its subscription (it names the read that fails and what to do)";
  /** The texts of the block right under the header, when it is the blind notice's. */
  const blindBlock = (message: object): string[] | null => {
    const block = cardOf(message).body[1]!;
    return block.type === "Container" && block.style === "emphasis"
      ? (block.items as Block[]).map((b) => String(b.text))
      : null;
  };

  it.each([
    ["a Sev0 on both paths", arpMissingBlind(), "BLIND Sev0"],
    ["a Sev1 path alert", arpMissingBlindSev1(), "BLIND Sev1"],
    [
      "a notice sent before events carried blindSince",
      sentBeforeBlindSince(arpMissingBlind()),
      "BLIND Sev0",
    ],
  ] as const)(
    "says first, for %s, that erwatch cannot see it since when, that it stands as last seen, and where to look",
    (_name, event, verdict) => {
      const message = buildTeamsMessage(event, { statusUrl: STATUS_URL });
      expect(teamsMessageProblems(message)).toEqual([]);
      expect(cardOf(message).body[0]).toMatchObject({
        items: [{ text: `${verdict} · er-ams-prod-01` }, { text: `Last seen: ${event.title}` }],
      });
      expect(blindBlock(message)).toEqual([
        `**Blind:** erwatch cannot see this circuit since ${SINCE} (15 min before this message).`,
        STANDS,
        `${LOOK_AT}; the erwatch status page (button below).`,
      ]);
      expect((cardOf(message).actions as Block[])[0]).toMatchObject({ title: "Status page" });
      const texts = textsOf(message);
      // Its change is the block above: no "Changed:" line says it again.
      expect(texts.filter((t) => t.startsWith("**Changed:**"))).toEqual([]);
      // The body is the last reading, not news; the table is the reading that failed.
      expect(texts).toContain(`Evidence as last seen, up to ${SINCE}`);
      expect(texts).not.toContain("Evidence");
      expect(texts).toContain(
        "Layers of AzurePrivatePeering as read now: UNKNOWN is what erwatch cannot read, not a recovery",
      );
      expect(texts).toContain("Carrier ticket as last seen — paste into a ticket with Equinix");
      expect(texts.filter((t) => t.includes(event.title))).toHaveLength(1);
    },
  );

  it("names the only path it cannot see when the rest still reads as paged", () => {
    expect(blindBlock(buildTeamsMessage(arpMissingBlindSecondary()))?.[0]).toBe(
      `**Blind:** erwatch cannot see all of this circuit since ${SINCE} (15 min before this message); when this was sent, the secondary path could not be read and the rest read as the alert says.`,
    );
  });

  // A traffic stop's partner that the sweep "could not tell whether it carries"
  // (its path may read) was "the secondary path could not be read" on the card.
  it.each([
    [trafficBlindSecondary(), "erwatch could not tell whether the secondary path carries"],
    [capacityBlindSecondary(), "the secondary path could not be read"],
  ])("says of the path it lost what the sweep says of it (%#)", (event, said) => {
    expect(event.change).toContain(`at this sweep ${said}`);
    expect(blindBlock(buildTeamsMessage(event))?.[0]).toBe(
      `**Blind:** erwatch has not had a reading behind this alert on every path since ${SINCE} (15 min before this message) (Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed); when this was sent, ${said} and the rest read as the alert says.`,
    );
  });

  it("says a flap alert's history cannot be read, and where that shows, not that the circuit cannot be seen", () => {
    const message = buildTeamsMessage(flapBlindHistory(), { statusUrl: STATUS_URL });
    expect(blindBlock(message)).toEqual([
      `**Blind:** erwatch cannot read this circuit's history since ${SINCE} (15 min before this message), which its flaps are counted from: the circuit itself still reads, but whether it still flaps cannot be told.`,
      STANDS,
      "**Look at:** erwatch's log (`history could not be read`) and the History table of its storage account; no monitoring-blind alert opens for storage; the erwatch status page (button below).",
    ]);
    // Its layers read: the table is no "UNKNOWN is what erwatch cannot read".
    const texts = textsOf(message);
    expect(texts.filter((t) => t.includes("UNKNOWN is what erwatch cannot read"))).toEqual([]);
    expect(
      texts.some((t) => t.endsWith("as read now (the layers read; their history does not)")),
    ).toBe(true);
  });

  // Log Analytics ingesting a workspace late holds an open e2e-fail as last
  // seen and tells its holder Blind:, but opens no monitoring-blind alert:
  // "erwatch cannot see this circuit … (see its monitoring-blind alert)" was
  // wrong twice, every other layer reading and no such alert to look at.
  it("says a data-plane alert has no reading behind it and where that shows, not that the circuit cannot be seen", () => {
    const message = buildTeamsMessage(e2eFailBlind());
    expect(teamsMessageProblems(message)).toEqual([]);
    expect(blindBlock(message)).toEqual([
      `**Blind:** erwatch has had no reading behind this alert since ${SINCE} (15 min before this message) (Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed).`,
      "**Stands:** as last seen, neither resolved nor changed: the title above and the evidence below are its last reading, not news.",
      "**Look at:** the end to end row of its layers as read now (layer table, status page, `erwatch diagnose`) for what is missing: a gap in Azure Monitor's metrics or Log Analytics ingesting late opens no monitoring-blind alert; a read that failed opens the monitoring-blind alert of this circuit or of its subscription, which names it.",
    ]);
  });

  it("names no status page when none is configured, and no time when the notice has none", () => {
    expect(blindBlock(buildTeamsMessage(arpMissingBlind()))?.[2]).toBe(`${LOOK_AT}.`);
    const untimed: AlertEvent = {
      ...sentBeforeBlindSince(arpMissingBlind()),
      change: "Blind: erwatch has lost sight of this alert.",
    };
    const message = buildTeamsMessage(untimed);
    expect(blindBlock(message)?.[0]).toBe("**Blind:** erwatch cannot see this circuit.");
    expect(textsOf(message)).toContain("Evidence as last seen");
  });

  it("says it is the circuits of a fleet outage it cannot see, not one circuit", () => {
    const fleet: AlertEvent = { ...arpMissingBlind(), family: "fleet", code: "fleet-outage" };
    expect(blindBlock(buildTeamsMessage(fleet))?.[0]).toBe(
      `**Blind:** erwatch cannot see the circuits of this outage since ${SINCE} (15 min before this message).`,
    );
  });

  /** The fleet outage as its blind notice: the same incident again, as last seen. */
  const fleetBlind = (owner: AlertEvent["owner"]): AlertEvent => {
    const open = fleetOutageOpen();
    return {
      ...open,
      owner,
      action: "repeat",
      sequence: 2,
      previousSeverity: "Sev0",
      change: blindChange(BLIND_SINCE, open.title),
      blindSince: BLIND_SINCE,
    };
  };

  // A fleet's notice sent its reader to "the monitoring-blind alert of this
  // circuit or of its subscription" (which circuit?) and, its breaks all
  // yours, named a ticket below that the card no longer shows.
  it.each([
    [
      "a fleet outage the carrier owns",
      fleetBlind("carrier"),
      "**Stands:** as last seen, neither resolved nor changed: the title above and the evidence and ticket below are its last reading, not news.",
      "**Look at:** the monitoring-blind alerts of the site's circuits or of their subscriptions (they name the reads that fail and what to do).",
    ],
    [
      "a fleet outage whose breaks are all yours",
      fleetBlind("you"),
      "**Stands:** as last seen, neither resolved nor changed: the title above and the evidence below are its last reading, not news.",
      "**Look at:** the monitoring-blind alerts of the site's circuits or of their subscriptions (they name the reads that fail and what to do).",
    ],
    ["a circuit, as it was", arpMissingBlind(), STANDS, `${LOOK_AT}.`],
  ] as const)(
    "says where to look for %s, and only what the card shows stands",
    (_name, event, stands, lookAt) => {
      const block = blindBlock(buildTeamsMessage(event));
      expect(block?.slice(1)).toEqual([stands, lookAt]);
      expect(block?.join("\n")).not.toMatch(event.family === "fleet" ? /this circuit/ : /site/);
    },
  );

  // The title is the header, over the notice: "the title … below" sent the
  // reader down the card looking for it.
  it("says the title stands above and only what the compact card shows below", () => {
    const block = blindBlock(buildTeamsMessage(arpMissingBlind(), { compact: true }));
    expect(block?.[1]).toBe(
      "**Stands:** as last seen, neither resolved nor changed: the title above is its last reading, not news.",
    );
  });

  it("keeps the notice whole when the evidence and ticket must be cut to fit 28 KB", () => {
    const huge = hugeArpMissing();
    const event: AlertEvent = {
      ...huge,
      action: "repeat",
      change: blindChange(BLIND_SINCE, huge.title),
      blindSince: BLIND_SINCE,
    };
    const message = buildTeamsMessage(event);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
    expect(blindBlock(message)?.[0]).toMatch(
      /^\*\*Blind:\*\* erwatch cannot see this circuit since /,
    );
    expect(allText(message)).toContain("truncated");
  });

  it.each([
    [
      "a normal repeat",
      arpMissingRepeat(),
      "STILL FIRING Sev0",
      "Still firing after 4 h 27 min (since 2026-03-14 01:52 UTC).",
    ],
    [
      "an escalation",
      arpMissingEscalated(),
      "ESCALATED Sev2 → Sev0",
      "Worse: Sev2 → Sev0; now also the primary path.",
    ],
  ] as const)("leaves %s card as it was", (_name, event, verdict, change) => {
    const message = buildTeamsMessage(event, { statusUrl: STATUS_URL });
    expect(cardOf(message).body[0]).toMatchObject({
      items: [{ text: `${verdict} · er-ams-prod-01` }, { text: event.title }],
    });
    expect(blindBlock(message)).toBeNull();
    const texts = textsOf(message);
    expect(texts).toContain(`**Changed:** ${change}`);
    expect(texts).toContain("Evidence");
    expect(texts).toContain("Layers of AzurePrivatePeering");
    expect(texts).toContain("Carrier ticket — paste into a ticket with Equinix");
    expect(allText(message)).not.toMatch(/last seen|erwatch cannot see/i);
  });
});

describe("Teams card and text from Azure", () => {
  const HOSTILE = {
    link: "[click](https://evil.example/x)",
    bold: "*bold* and __strong__",
    heading: "# h",
    list: "1. x",
    html: "<b>raw</b>",
    bullet: "- item",
    bare: "https://evil.example/bare and evil.com and www.evil.org",
    date: "{{DATE(2026-01-01T00:00:00Z, SHORT)}}",
    code: "`code` and _under_",
  };

  function hostileEvent(): AlertEvent {
    const event = arpMissingOpen();
    const peering = `AzurePrivatePeering ${HOSTILE.html}`;
    event.circuit = {
      ...event.circuit,
      name: HOSTILE.link,
      tags: { owner: HOSTILE.link, team: HOSTILE.bold },
      serviceKey: HOSTILE.code,
      serviceProviderName: HOSTILE.heading,
      peeringLocation: HOSTILE.list,
    };
    event.peering = peering;
    event.title = `Layer 2 down on ${peering}: ${HOSTILE.bare}`;
    event.nextAction = `Open a ticket with ${HOSTILE.heading} ${HOSTILE.date}`;
    event.ticket = [HOSTILE.list, HOSTILE.bullet, HOSTILE.heading, HOSTILE.link].join("\n");
    event.evidence = { connections: [{ name: HOSTILE.bold, status: HOSTILE.bare }] };
    event.layerTable = {
      ...event.layerTable!,
      name: peering,
      paths: {
        ...event.layerTable!.paths,
        primary: {
          ...event.layerTable!.paths.primary,
          gateway: { status: "down", detail: `${HOSTILE.link} ${HOSTILE.bullet}` },
        },
      },
    };
    return event;
  }

  it("renders every Azure string as the text it is: no link, emphasis, list, heading or HTML", () => {
    const message = buildTeamsMessage(hostileEvent());
    expect(teamsMessageProblems(message)).toEqual([]);
    const { root } = renderTeamsMessage(message);
    const live = Array.from(
      root!.querySelectorAll("a, em, ol, ul, li, h1, h2, h3, h4, h5, h6, code, b, img, blockquote"),
    ).map((e) => e.outerHTML);
    expect(live).toEqual([]);
    // Bold is only erwatch's own labels.
    const strong = Array.from(root!.querySelectorAll("strong")).map((e) => e.textContent);
    for (const label of strong)
      expect(["Where:", "Owner:", "Do:", "Since:", "Started:", "Changed:"]).toContain(label);
    // The text is still there to read, as written.
    const shown = root!.textContent ?? "";
    for (const value of [HOSTILE.link, HOSTILE.heading, HOSTILE.list, "<b>raw</b>", "*bold*"])
      expect(shown).toContain(value);
    // A date function from Azure is not expanded: only erwatch's own are.
    expect(shown).toContain("{{DATE(2026-01-01T00:00:00Z, SHORT)}}");
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
    return { server, config, receiver: createReceiver(config, { timeoutMs: 2_000 }) };
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

  it("links the status page and the portal of the configured cloud", async () => {
    server = await startRecordingReceiver();
    const receiver = createReceiver(
      { kind: "teams", name: "t", url: `${server.url}/hook` },
      { timeoutMs: 2_000, statusUrl: STATUS_URL, cloud: "AzureUSGovernment" },
    );
    await send(receiver);
    const body = JSON.stringify(server.requests[0]?.body);
    expect(body).toContain(`"url":"${STATUS_URL}"`);
    expect(body).toContain(`https://portal.azure.us/#resource${CIRCUIT_ID}`);
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
        reason: "Teams webhook timed out after 2000 ms",
      },
    ],
  ] as const)("%s", async (_name, response, expected) => {
    const { server, receiver } = await start();
    server.failNext(1, response);
    expect(await send(receiver)).toEqual(expected);
    await server.waitForRequests(1, 2_000);
  });

  // A legacy Office 365 connector URL answers 200 whatever happened (msteams-docs,
  // "Rate limiting for connectors"; issues #1810, #4145, #7425).
  it.each([
    [
      "throttled: retried",
      "Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deKpFa5DBEK5lCW8Qe3JNw.0..",
      {
        ok: false,
        retryable: true,
        status: 429,
        retryAfterMs: null,
        reason: expect.stringMatching(
          /^Teams webhook answered 429 Too Many Requests: in a 200 answer: Microsoft Teams endpoint returned HTTP error 429/,
        ),
      },
    ],
    [
      "too large: sent again as the compact card",
      "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId tcid=0,server=msgapi,cv=x.0..",
      {
        ok: true,
        status: 202,
        note: "the full card was refused as too large (413): sent compact",
      },
    ],
    ["taken: its body is 1", "1", { ok: true, status: 200 }],
    ["taken: an empty body", "", { ok: true, status: 200 }],
  ] as const)("a 200 whose body says %s", async (_name, body, expected) => {
    const { server, receiver } = await start();
    server.failNext(1, { status: 200, body });
    expect(await send(receiver)).toEqual(expected);
  });

  it("posts the compact card at once when Teams refuses the full one as too large", async () => {
    // The largest incidents are the ones refused: parked, the channel never saw them.
    const { server, receiver } = await start();
    server.failNext(1, { status: 413 });
    const outcome = await send(receiver, hugeArpMissing());
    expect(outcome).toEqual({
      ok: true,
      status: 202,
      note: "the full card was refused as too large (413): sent compact",
    });
    expect(server.requests).toHaveLength(2);
    const [full, compact] = server.requests.map((r) => r.body as object);
    expect(allText(full!)).toContain("Carrier ticket");
    expect(allText(compact!)).not.toContain("Carrier ticket");
    expect(allText(compact!)).toContain("the full card is too large for Teams");
    expect(Buffer.byteLength(JSON.stringify(compact))).toBeLessThan(8_000);
    expect(teamsMessageProblems(compact!)).toEqual([]);
  });

  it("parks a compact card refused too, saying it was the compact one", async () => {
    const { server, receiver } = await start();
    server.failNext(2, { status: 413 });
    const outcome = await send(receiver);
    expect(outcome).toEqual({
      ok: false,
      retryable: false,
      status: 413,
      retryAfterMs: null,
      reason:
        "Teams webhook answered 413 Payload Too Large (the compact card, after a 413 for the full one)",
    });
    expect(server.requests).toHaveLength(2);
  });

  it("does not post a second card for any other refusal", async () => {
    const { server, receiver } = await start();
    server.failNext(1, { status: 400 });
    expect(await send(receiver)).toMatchObject({ ok: false, status: 400 });
    expect(server.requests).toHaveLength(1);
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
    [
      "a legacy connector's 200 naming a 429 and echoing the URL",
      {
        status: 200,
        body: `Microsoft Teams endpoint returned HTTP error 429 for POST ${SECRET_PATH} (sig=${SIG})`,
      },
    ],
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
        createReceiver(config, { timeoutMs: 2_000 });
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
  const receiver = createReceiver(config, { timeoutMs: 2_000 });
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
