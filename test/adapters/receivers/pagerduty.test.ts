import type { AlertAction } from "../../../src/core/model.js";
import type { Logger } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import {
  createReceiver,
  describeReceiver,
  type ReceiverConfig,
} from "../../../src/adapters/receivers/index.js";
import { pagerDutyConfigSchema } from "../../../src/adapters/receivers/pagerduty/config.js";
import {
  buildPagerDutyEvent,
  PAGERDUTY_MAX_SUMMARY,
} from "../../../src/adapters/receivers/pagerduty/payload.js";
import { buildCommonAlert } from "../../../src/adapters/receivers/webhook/payload.js";
import type { AlertEvent } from "../../../src/core/alert-event.js";
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
  FLEET_MEMBERS,
  FLEET_SUBJECT,
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

const ROUTING_KEY = "R0ut1ngK3yR0ut1ngK3yR0ut1ngK3y12";
const STATUS_URL = "https://erwatch.example.net/api/status";

describe("buildPagerDutyEvent", () => {
  it.each([
    ["open, carrier-owned arp-missing", arpMissingOpen()],
    ["escalate Sev2 → Sev0", arpMissingEscalated()],
    ["resolve", arpMissingResolved()],
    ["open, you-owned no-prefixes Sev0", noPrefixesOpen()],
    ["repeat, still firing Sev0", arpMissingRepeat()],
  ] as const)("renders %s", (_name, event) => {
    expect(buildPagerDutyEvent(event, ROUTING_KEY, { statusUrl: STATUS_URL })).toMatchSnapshot();
  });

  it.each([
    ["Sev0", "critical"],
    ["Sev1", "error"],
    ["Sev2", "warning"],
    ["Sev3", "info"],
    ["Sev4", "info"],
  ] as const)("maps %s to %s, and says it in custom_details", (severity, expected) => {
    // PagerDuty has four levels for five: a Sev3 and a Sev4 were both "info",
    // while Teams' header and the webhook's essentials said which.
    expect(buildPagerDutyEvent({ ...arpMissingOpen(), severity }, ROUTING_KEY)).toMatchObject({
      payload: { severity: expected, custom_details: { severity } },
    });
  });

  it.each<[AlertAction, string]>([
    ["open", "trigger"],
    ["escalate", "trigger"],
    ["deescalate", "trigger"],
    ["repeat", "trigger"],
    ["resolve", "resolve"],
  ])("sends %s as %s on the alert key", (action, eventAction) => {
    const event = { ...arpMissingOpen(), action };
    expect(buildPagerDutyEvent(event, ROUTING_KEY)).toMatchObject({
      event_action: eventAction,
      dedup_key: event.key,
      routing_key: ROUTING_KEY,
    });
  });

  it("resolves with nothing but the key", () => {
    expect(buildPagerDutyEvent(arpMissingResolved(), ROUTING_KEY)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: "resolve",
      dedup_key: arpMissingResolved().key,
    });
  });

  it("keeps the summary within 1024 characters, marking the cut", () => {
    const event: AlertEvent = { ...arpMissingOpen(), title: "ARP missing ".repeat(500) };
    const trigger = buildPagerDutyEvent(event, ROUTING_KEY) as { payload: { summary: string } };
    expect(trigger.payload.summary).toHaveLength(PAGERDUTY_MAX_SUMMARY);
    expect(trigger.payload.summary.endsWith("…")).toBe(true);
    expect(trigger.payload.summary.startsWith("er-ams-prod-01: ARP missing")).toBe(true);
  });

  // The operator review: "er-circuit-prod: End-to-end tests fail over er-circuit-prod while …".
  it.each([
    [
      "said early",
      "End-to-end tests fail over er-ams-prod-01 while every layer of the circuit reads healthy: look past the circuit",
      false,
    ],
    ["at the start", "er-ams-prod-01 answers nothing", false],
    ["not said", "Layer 2 down on the secondary path of AzurePrivatePeering", true],
    [
      "said only inside a longer name",
      "End-to-end tests fail over er-ams-prod-01-dr while …",
      true,
    ],
  ])("names the circuit once in the summary when the title has it %s", (_name, title, prefixed) => {
    const trigger = buildPagerDutyEvent({ ...arpMissingOpen(), title }, ROUTING_KEY) as {
      payload: { summary: string };
    };
    expect(trigger.payload.summary).toBe(prefixed ? `er-ams-prod-01: ${title}` : title);
  });

  it("keeps a summary that names the circuit early within 1024 characters", () => {
    const title = `End-to-end tests fail over er-ams-prod-01 ${"while ".repeat(400)}`;
    const trigger = buildPagerDutyEvent({ ...arpMissingOpen(), title }, ROUTING_KEY) as {
      payload: { summary: string };
    };
    expect(trigger.payload.summary).toHaveLength(PAGERDUTY_MAX_SUMMARY);
    expect(trigger.payload.summary.startsWith("End-to-end tests fail over er-ams-prod-01 ")).toBe(
      true,
    );
  });

  // Machine fields carry the contract's values: a rule written against the
  // webhook's alertContext.layer ("endToEnd") must match PagerDuty's too.
  it.each(["provider", "bgp", "globalReach", "endToEnd", "capacity", "monitoring"] as const)(
    "details layer %s as the webhook's alertContext does",
    (layer) => {
      const event: AlertEvent = { ...arpMissingOpen(), layer };
      const trigger = buildPagerDutyEvent(event, ROUTING_KEY) as {
        payload: { custom_details: Record<string, unknown> };
      };
      expect(trigger.payload.custom_details["layer"]).toBe(layer);
      expect(trigger.payload.custom_details["layer"]).toBe(
        buildCommonAlert(event).data.alertContext["layer"],
      );
    },
  );

  it("does not split an emoji at the summary limit", () => {
    const event: AlertEvent = {
      ...arpMissingOpen(),
      title: `${"x".repeat(1006)}${"🔥".repeat(100)}`,
    };
    const { summary } = (
      buildPagerDutyEvent(event, ROUTING_KEY) as { payload: { summary: string } }
    ).payload;
    expect(summary.length).toBeLessThanOrEqual(PAGERDUTY_MAX_SUMMARY);
    expect(summary).not.toMatch(/[\ud800-\udbff]…$/);
  });

  it('names a circuit-wide finding\'s component "circuit"', () => {
    const event: AlertEvent = { ...arpMissingOpen(), peering: null };
    expect(buildPagerDutyEvent(event, ROUTING_KEY)).toMatchObject({
      payload: { component: "circuit", class: "arp-missing" },
    });
  });

  it("uses the circuit's resource id as source, so two circuits with one name stay apart", () => {
    const here = arpMissingOpen();
    const there: AlertEvent = {
      ...arpMissingOpen(),
      circuit: {
        ...here.circuit,
        id: here.circuit.id.replace(SUBSCRIPTION_ID, "0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b"),
      },
    };
    const source = (e: AlertEvent) =>
      (buildPagerDutyEvent(e, ROUTING_KEY) as { payload: { source: string } }).payload.source;
    expect(source(here)).toBe(CIRCUIT_ID);
    expect(source(there)).not.toBe(source(here));
  });

  it("groups by provider and peering location, what a carrier outage has in common", () => {
    const group = (circuit: Partial<AlertEvent["circuit"]>) =>
      (
        buildPagerDutyEvent(
          { ...arpMissingOpen(), circuit: { ...arpMissingOpen().circuit, ...circuit } },
          ROUTING_KEY,
        ) as { payload: { group: string } }
      ).payload.group;
    expect(group({})).toBe("Equinix at Amsterdam");
    expect(group({ peeringLocation: null })).toBe("Equinix");
    expect(group({ serviceProviderName: null })).toBe("provider unknown");
  });

  // A fleet outage's subject is a place key and a subscription's alert is about
  // no circuit: PagerDuty showed both as a circuit (component "circuit", group
  // "provider unknown", custom_details.circuit "Equinix at Amsterdam (provider)"),
  // the site outside the group its own members' alerts are in.
  it.each([
    [
      "a fleet outage",
      fleetOutageOpen(),
      {
        source: FLEET_SUBJECT,
        component: "Equinix at Amsterdam",
        group: "Equinix at Amsterdam",
        class: "fleet-outage",
        summary: fleetOutageOpen().title,
      },
      {
        site: "Equinix at Amsterdam",
        provider: "Equinix",
        peeringLocation: "Amsterdam",
        circuits: ["er-ams-a", "er-ams-b", "er-ams-c"],
        serviceKeys: FLEET_MEMBERS.map((m) => m.serviceKey),
      },
    ],
    [
      "a fleet outage erwatch lost sight of",
      {
        ...fleetOutageOpen(),
        action: "repeat",
        change: blindChange(BLIND_SINCE, "x"),
        blindSince: BLIND_SINCE,
      },
      {
        source: FLEET_SUBJECT,
        component: "Equinix at Amsterdam",
        group: "Equinix at Amsterdam",
        class: "fleet-outage",
        summary: expect.stringMatching(
          /^BLIND: erwatch cannot see the circuits of Equinix at Amsterdam since 2026-03-14 02:19 UTC;/,
        ),
      },
      { site: "Equinix at Amsterdam", blindSince: BLIND_SINCE },
    ],
    [
      "a subscription whose circuits cannot be listed",
      subscriptionBlindOpen(),
      {
        source: `/subscriptions/${SUBSCRIPTION_ID}`,
        component: `subscription ${SUBSCRIPTION_ID}`,
        group: `subscription ${SUBSCRIPTION_ID}`,
        class: "monitoring-blind",
        // The title names the subscription already: once is enough.
        summary: subscriptionBlindOpen().title,
      },
      { subscription: SUBSCRIPTION_ID },
    ],
  ] as const)(
    "names %s by what it is, not as a circuit",
    (_name, event: AlertEvent, payload: Record<string, unknown>, details) => {
      const trigger = buildPagerDutyEvent(event, ROUTING_KEY) as {
        dedup_key: string;
        payload: { custom_details: Record<string, unknown> };
      };
      expect(trigger.dedup_key).toBe(event.key);
      expect(trigger.payload).toMatchObject(payload);
      expect(trigger.payload.custom_details).toMatchObject(details);
      for (const field of ["circuit", "serviceKey"])
        expect(trigger.payload.custom_details).not.toHaveProperty(field);
    },
  );

  // A fleet outage's finding carries a ticket of its service keys whoever owns
  // its breaks: one whose breaks were all yours offered it beside a next
  // action saying "Not a carrier ticket". A circuit's is as the sweep attached it.
  it.each([
    ["a fleet outage the carrier owns", fleetOutageOpen(), true],
    ["a fleet outage you share with the carrier", { ...fleetOutageOpen(), owner: "shared" }, true],
    ["a fleet outage whose breaks are all yours", { ...fleetOutageOpen(), owner: "you" }, false],
    ["a circuit's carrier fault", arpMissingOpen(), true],
    ["a circuit's own break", noPrefixesOpen(), false],
  ] satisfies [string, AlertEvent, boolean][])(
    "details the carrier ticket of %s only when the carrier has a part in it",
    (_name, event, shown) => {
      const trigger = buildPagerDutyEvent(event, ROUTING_KEY) as {
        payload: { custom_details: Record<string, unknown> };
      };
      expect(trigger.payload.custom_details["ticket"]).toBe(shown ? event.ticket : null);
    },
  );

  it("names a subscription before a title that does not (a malformed answer's)", () => {
    const event = {
      ...subscriptionBlindOpen(),
      title: "erwatch cannot understand what Azure answered for the circuit listing",
    };
    const trigger = buildPagerDutyEvent(event, ROUTING_KEY) as { payload: { summary: string } };
    expect(trigger.payload.summary).toBe(`subscription ${SUBSCRIPTION_ID}: ${event.title}`);
  });

  it("resolves a fleet outage on the key it was triggered on", () => {
    expect(buildPagerDutyEvent(fleetOutageResolved(), ROUTING_KEY)).toEqual({
      routing_key: ROUTING_KEY,
      event_action: "resolve",
      dedup_key: buildPagerDutyEvent(fleetOutageOpen(), ROUTING_KEY).dedup_key,
    });
  });

  it("links the status page, the circuit in the portal and the runbook of the code", () => {
    const trigger = buildPagerDutyEvent(noPrefixesOpen(), ROUTING_KEY, {
      statusUrl: STATUS_URL,
    }) as { links: { href: string; text: string }[]; client_url?: string };
    expect(trigger.links).toEqual([
      { href: STATUS_URL, text: "erwatch status page" },
      {
        href: `https://portal.azure.com/#resource${CIRCUIT_ID}`,
        text: "er-ams-prod-01 in the Azure portal",
      },
      {
        href: "https://github.com/erwatch/erwatch/blob/main/docs/runbook.md#no-prefixes-received",
        text: "Runbook: no-prefixes-received",
      },
    ]);
    expect(trigger.client_url).toBe(STATUS_URL);
  });

  it.each([
    ["AzureCloud", "https://portal.azure.com/#resource/subscriptions/"],
    ["AzureUSGovernment", "https://portal.azure.us/#resource/subscriptions/"],
    ["AzureChinaCloud", "https://portal.azure.cn/#resource/subscriptions/"],
  ] as const)("opens the circuit in the %s portal", (cloud, prefix) => {
    const trigger = buildPagerDutyEvent(arpMissingOpen(), ROUTING_KEY, { cloud }) as {
      links: { href: string }[];
      client_url?: string;
    };
    expect(trigger.links.map((l) => l.href)).toContainEqual(expect.stringMatching(`^${prefix}`));
    // No status page configured: no status link and no client_url.
    expect(trigger.links).toHaveLength(2);
    expect(trigger).not.toHaveProperty("client_url");
  });

  it("refuses a key PagerDuty would reject as a dedup_key", () => {
    expect(() =>
      buildPagerDutyEvent({ ...arpMissingOpen(), key: "k".repeat(256) }, ROUTING_KEY),
    ).toThrow(RangeError);
    expect(() => buildPagerDutyEvent({ ...arpMissingOpen(), key: "" }, ROUTING_KEY)).toThrow(
      RangeError,
    );
    expect(() =>
      buildPagerDutyEvent({ ...arpMissingOpen(), key: "k".repeat(255) }, ROUTING_KEY),
    ).not.toThrow();
  });
});

describe("a blind notice at PagerDuty: the same incident, BLIND up front", () => {
  type Trigger = {
    event_action: string;
    dedup_key: string;
    payload: { summary: string; severity: string; custom_details: Record<string, unknown> };
  };
  const trigger = (event: AlertEvent) =>
    buildPagerDutyEvent(event, ROUTING_KEY, { statusUrl: STATUS_URL }) as Trigger;

  it.each([
    ["a Sev0 on both paths", arpMissingBlind(), "critical"],
    ["a Sev1 path alert", arpMissingBlindSev1(), "error"],
    [
      "a notice sent before events carried blindSince",
      sentBeforeBlindSince(arpMissingBlind()),
      "critical",
    ],
  ] as const)(
    "says for %s that erwatch cannot see it since when, and that it stands as last seen",
    (_name, event, severity) => {
      const sent = trigger(event);
      expect(sent).toMatchObject({
        event_action: "trigger",
        dedup_key: event.key,
        payload: { severity },
      });
      expect(sent.payload.summary).toBe(
        `BLIND: erwatch cannot see er-ams-prod-01 since 2026-03-14 02:19 UTC; the incident stands as last seen, not resolved: ${event.title}`,
      );
      expect(sent.payload.custom_details).toMatchObject({
        blindSince: BLIND_SINCE,
        blind:
          "erwatch cannot read the layers behind this incident since 2026-03-14 02:19 UTC; it stands as last seen, neither resolved nor changed, and its evidence is that last reading. Look at the monitoring-blind alert of this circuit or of its subscription (it names the read that fails and what to do).",
        action: "repeat",
        evidence: event.evidence,
      });
    },
  );

  // A fleet's notice sent its holder to "the monitoring-blind alert of this
  // circuit or of its subscription": a site is several circuits.
  it.each([
    [
      "a fleet outage",
      {
        ...fleetOutageOpen(),
        action: "repeat",
        change: blindChange(BLIND_SINCE, "x"),
        blindSince: BLIND_SINCE,
      },
      "Look at the monitoring-blind alerts of the site's circuits or of their subscriptions (they name the reads that fail and what to do).",
    ],
    [
      "a circuit",
      arpMissingBlind(),
      "Look at the monitoring-blind alert of this circuit or of its subscription (it names the read that fails and what to do).",
    ],
  ] satisfies [string, AlertEvent, string][])(
    "says where to look for the blind notice of %s",
    (_name, event, lookAt) => {
      const blind = String(trigger(event).payload.custom_details["blind"]);
      expect(blind.endsWith(lookAt)).toBe(true);
    },
  );

  // Blind for want of the secondary alone, the primary still read down: "cannot
  // see er-ams-prod-01" told the Sev0's holder erwatch saw none of it.
  it("names the only path it cannot see when the rest still reads as paged", () => {
    const event = arpMissingBlindSecondary();
    const sent = trigger(event);
    expect(sent.payload.summary).toBe(
      `BLIND: erwatch cannot see all of er-ams-prod-01 since 2026-03-14 02:19 UTC; the incident stands as last seen, not resolved: ${event.title}`,
    );
    expect(sent.payload.custom_details).toMatchObject({
      blindSince: BLIND_SINCE,
      blindPaths: ["secondary"],
    });
    expect(String(sent.payload.custom_details["blind"])).toMatch(
      /^erwatch cannot read all the layers behind this incident since 2026-03-14 02:19 UTC; when this was sent, the secondary path could not be read and the rest read as the alert says; it stands as last seen/,
    );
  });

  // A traffic stop's partner that the sweep "could not tell whether it carries"
  // (its path may read) was "the secondary path could not be read" in the incident.
  it.each([
    [trafficBlindSecondary(), "erwatch could not tell whether the secondary path carries"],
    [capacityBlindSecondary(), "the secondary path could not be read"],
  ])("says of the path it lost what the sweep says of it (%#)", (event, said) => {
    expect(event.change).toContain(`at this sweep ${said}`);
    expect(String(trigger(event).payload.custom_details["blind"])).toContain(
      `; when this was sent, ${said} and the rest read as the alert says; it stands as last seen`,
    );
  });

  // A traffic stop's partner whose throughput went unjudged opens no
  // monitoring-blind alert, yet the incident said "erwatch cannot read all the
  // layers behind this incident", as if ARM reads had failed.
  it.each([trafficBlindSecondary(), capacityBlindSecondary()])(
    "says a partly blind data-plane alert lacks a reading on a path, not its layers (%#)",
    (event) => {
      const sent = trigger(event);
      expect(sent.payload.summary).toBe(
        `BLIND: erwatch has not had a reading behind this incident on every path of er-ams-prod-01 since 2026-03-14 02:19 UTC; the incident stands as last seen, not resolved: ${event.title}`,
      );
      expect(String(sent.payload.custom_details["blind"])).toMatch(
        /^erwatch has not had a reading behind this incident on every path \(Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed\) since 2026-03-14 02:19 UTC; when this was sent, .* Look at the capacity row of its layers as read now /,
      );
    },
  );

  // Storage soak seed 937: only the flap alert's history could not be read, and the
  // pager heard "erwatch cannot see soak-ams-a", sent to a monitoring-blind alert
  // that storage never opens.
  it("says a flap alert's history cannot be read, not that the circuit cannot be seen", () => {
    const event = flapBlindHistory();
    const sent = trigger(event);
    expect(sent.payload.summary).toBe(
      `BLIND: erwatch cannot count the flaps of er-ams-prod-01 since 2026-03-14 02:19 UTC, its history cannot be read; the incident stands as last seen, not resolved: ${event.title}`,
    );
    expect(sent.payload.custom_details).toMatchObject({
      blindSince: BLIND_SINCE,
      blindCause: "history",
      blind:
        "erwatch cannot read the history this incident's flaps are counted from (its circuit still reads) since 2026-03-14 02:19 UTC; it stands as last seen, neither resolved nor changed, and its evidence is that last reading. Look at erwatch's log (`history could not be read`) and the History table of its storage account; no monitoring-blind alert opens for storage.",
    });
    expect(Object.keys(sent.payload.custom_details)).not.toContain("blindPaths");
  });

  // Log Analytics ingesting late: every layer of the circuit reads, and no
  // monitoring-blind alert opens, yet the pager heard "cannot see er-ams-prod-01".
  it("says a data-plane alert has no reading behind it, not that the circuit cannot be seen", () => {
    const event = e2eFailBlind();
    const sent = trigger(event);
    expect(sent.payload.summary).toBe(
      `BLIND: erwatch has had no reading behind this incident on er-ams-prod-01 since 2026-03-14 02:19 UTC; the incident stands as last seen, not resolved: ${event.title}`,
    );
    expect(sent.payload.custom_details).toMatchObject({
      blindSince: BLIND_SINCE,
      blind:
        "erwatch has had no reading behind this incident (Azure Monitor's metrics or Connection Monitor's results missing, or a read that failed) since 2026-03-14 02:19 UTC; it stands as last seen, neither resolved nor changed, and its evidence is that last reading. Look at the end to end row of its layers as read now (layer table, status page, `erwatch diagnose`) for what is missing: a gap in Azure Monitor's metrics or Log Analytics ingesting late opens no monitoring-blind alert; a read that failed opens the monitoring-blind alert of this circuit or of its subscription, which names it.",
    });
  });

  it("keeps a blind summary within 1,024 characters, BLIND and since when first", () => {
    const title = "Layer 2 down on every path there is ".repeat(60);
    const event: AlertEvent = {
      ...arpMissingBlind(),
      title,
      change: blindChange(BLIND_SINCE, title),
    };
    const { summary } = trigger(event).payload;
    expect(summary).toHaveLength(PAGERDUTY_MAX_SUMMARY);
    expect(summary.endsWith("…")).toBe(true);
    expect(
      summary.startsWith("BLIND: erwatch cannot see er-ams-prod-01 since 2026-03-14 02:19 UTC;"),
    ).toBe(true);
  });

  it("leaves a normal repeat as it was: the title, no blind fields", () => {
    const event = arpMissingRepeat();
    const sent = trigger(event);
    expect(sent.payload.summary).toBe(`er-ams-prod-01: ${event.title}`);
    expect(Object.keys(sent.payload.custom_details)).not.toContain("blindSince");
    expect(Object.keys(sent.payload.custom_details)).not.toContain("blind");
    expect(JSON.stringify(sent)).not.toContain("BLIND");
  });
});

describe("PagerDuty config", () => {
  it("defaults to the Events API v2 endpoint", () => {
    expect(
      pagerDutyConfigSchema.parse({ kind: "pagerduty", name: "pd", routingKey: ROUTING_KEY }).url,
    ).toBe("https://events.pagerduty.com/v2/enqueue");
  });

  it.each([
    ["an empty routing key", { kind: "pagerduty", name: "pd", routingKey: "  " }],
    [
      "plain http to a remote host",
      {
        kind: "pagerduty",
        name: "pd",
        routingKey: ROUTING_KEY,
        url: "http://events.pagerduty.com/v2/enqueue",
      },
    ],
  ])("refuses %s", (_name, config) => {
    expect(pagerDutyConfigSchema.safeParse(config).success).toBe(false);
  });

  it("allows plain http to loopback for tests", () => {
    for (const host of ["127.0.0.1:8080", "localhost", "[::1]:9"]) {
      expect(
        pagerDutyConfigSchema.safeParse({
          kind: "pagerduty",
          name: "pd",
          routingKey: ROUTING_KEY,
          url: `http://${host}/v2/enqueue`,
        }).success,
      ).toBe(true);
    }
  });

  it("describes itself without the key", () => {
    const description = describeReceiver({
      kind: "pagerduty",
      name: "oncall",
      routingKey: ROUTING_KEY,
    });
    expect(description).toEqual({
      name: "oncall",
      kind: "pagerduty",
      host: "events.pagerduty.com",
    });
  });
});

describe("PagerDuty sender", () => {
  let server: RecordingReceiver | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  const start = async () => {
    server = await startRecordingReceiver({ name: "pagerduty" });
    const config: ReceiverConfig = {
      kind: "pagerduty",
      name: "oncall",
      routingKey: ROUTING_KEY,
      url: `${server.url}/v2/enqueue`,
    };
    return { server, receiver: createReceiver(config, { timeoutMs: 2_000 }) };
  };
  const send = (
    receiver: ReturnType<typeof createReceiver>,
    event: AlertEvent = arpMissingOpen(),
  ) => receiver.send(event, { abortSignal: new AbortController().signal });

  it("enqueues the event as JSON and takes 202 as delivered", async () => {
    const { server, receiver } = await start();
    expect(await send(receiver)).toEqual({ ok: true, status: 202 });
    const request = server.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v2/enqueue");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body).toEqual(buildPagerDutyEvent(arpMissingOpen(), ROUTING_KEY));
  });

  it("links the status page and the portal of the configured cloud", async () => {
    server = await startRecordingReceiver();
    const receiver = createReceiver(
      {
        kind: "pagerduty",
        name: "oncall",
        routingKey: ROUTING_KEY,
        url: `${server.url}/v2/enqueue`,
      },
      { timeoutMs: 2_000, statusUrl: STATUS_URL, cloud: "AzureUSGovernment" },
    );
    await send(receiver);
    const body = server.requests[0]?.body as { links: { href: string }[]; client_url: string };
    expect(body.client_url).toBe(STATUS_URL);
    expect(body.links.map((l) => l.href)).toEqual([
      STATUS_URL,
      `https://portal.azure.us/#resource${CIRCUIT_ID}`,
      "https://github.com/erwatch/erwatch/blob/main/docs/runbook.md#arp-missing",
    ]);
  });

  it("resolves on the same dedup_key", async () => {
    const { server, receiver } = await start();
    await send(receiver, arpMissingOpen());
    await send(receiver, arpMissingResolved());
    expect(
      server.requests.map(
        (r) => (r.body as { event_action: string; dedup_key: string }).event_action,
      ),
    ).toEqual(["trigger", "resolve"]);
    expect(
      new Set(server.requests.map((r) => (r.body as { dedup_key: string }).dedup_key)).size,
    ).toBe(1);
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
        reason: "PagerDuty answered 500 Internal Server Error",
      },
    ],
    [
      "429 honours Retry-After",
      { status: 429, retryAfter: "Thu, 01 Jan 2037 00:00:30 GMT" },
      {
        ok: false,
        retryable: true,
        status: 429,
        retryAfterMs: 30_000,
        reason: "PagerDuty answered 429 Too Many Requests",
      },
    ],
    [
      "400 is permanent and carries PagerDuty's explanation",
      {
        status: 400,
        body: JSON.stringify({
          status: "invalid event",
          message: "Event object is invalid",
          errors: ["'payload.severity' is invalid"],
        }),
      },
      {
        ok: false,
        retryable: false,
        status: 400,
        retryAfterMs: null,
        reason:
          "PagerDuty answered 400 Bad Request: Event object is invalid; 'payload.severity' is invalid",
      },
    ],
    [
      "a slow answer is a timeout",
      { delayMs: 5_000 },
      {
        ok: false,
        retryable: true,
        status: null,
        retryAfterMs: null,
        reason: "PagerDuty timed out after 2000 ms",
      },
    ],
  ] as const)("%s", async (_name, response, expected) => {
    server = await startRecordingReceiver();
    const config: ReceiverConfig = {
      kind: "pagerduty",
      name: "oncall",
      routingKey: ROUTING_KEY,
      url: `${server.url}/v2/enqueue`,
    };
    // A clock pinned 30 s before the Retry-After date makes the date form exact.
    const receiver = createReceiver(config, {
      timeoutMs: 2_000,
      now: () => new Date("2037-01-01T00:00:00.000Z"),
    });
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
      /^network error \S+ reaching PagerDuty$/,
    );
  });

  it("tries once per send: retrying is the dispatcher's job", async () => {
    const { server, receiver } = await start();
    server.respondWith(503);
    await send(receiver);
    await send(receiver);
    expect(server.requests).toHaveLength(2);
  });
});

describe("PagerDuty secrets", () => {
  it.each([
    ["a 500", { status: 500 }],
    [
      "a 400 that echoes the routing key",
      {
        status: 400,
        body: JSON.stringify({
          status: "invalid event",
          message: "Event object is invalid",
          errors: [`routing_key ${ROUTING_KEY} is not a valid integration key`],
        }),
      },
    ],
    ["a 400 in plain text with the key", { status: 400, body: `bad key ${ROUTING_KEY}` }],
    ["a timeout", { delayMs: 5_000 }],
  ] as const)("leaks no routing key on %s", async (_name, response) => {
    const server = await startRecordingReceiver();
    try {
      server.failNext(1, response);
      await assertLeaksNoSecret(ROUTING_KEY, (log) =>
        runAndLog(
          {
            kind: "pagerduty",
            name: "oncall",
            routingKey: ROUTING_KEY,
            url: `${server.url}/v2/enqueue`,
          },
          log,
        ),
      );
    } finally {
      await server.close();
    }
  });

  it("leaks no routing key on a network error to a closed port", async () => {
    const server = await startRecordingReceiver();
    const url = `${server.url}/v2/enqueue`;
    await server.close();
    await assertLeaksNoSecret(ROUTING_KEY, (log) =>
      runAndLog({ kind: "pagerduty", name: "oncall", routingKey: ROUTING_KEY, url }, log),
    );
  });

  it("leaks no routing key when the config is refused", async () => {
    await assertLeaksNoSecret(ROUTING_KEY, async () =>
      createReceiver(
        {
          kind: "pagerduty",
          name: "oncall",
          routingKey: ROUTING_KEY,
          url: "http://events.pagerduty.com/v2/enqueue",
        },
        { timeoutMs: 2_000 },
      ),
    ).catch((error: unknown) => {
      // The refusal itself is expected; only a leak would be a failure.
      if (String(error).includes("secret leaked")) throw error;
    });
    expect(() =>
      createReceiver(
        {
          kind: "pagerduty",
          name: "oncall",
          routingKey: ROUTING_KEY,
          url: "http://events.pagerduty.com/v2/enqueue",
        },
        { timeoutMs: 2_000 },
      ),
    ).toThrow(/receiver "oncall" \(pagerduty\) is not valid: url: URL must be an https URL/);
  });
});

async function runAndLog(config: ReceiverConfig, log: Logger) {
  const receiver = createReceiver(config, { timeoutMs: 2_000 });
  const outcome = await receiver.send(arpMissingOpen(), {
    abortSignal: new AbortController().signal,
  });
  expect(outcome.ok).toBe(false);
  log.debug({ receiver: describeReceiver(config), outcome }, "receiver failed; retrying");
  log.error(
    { receiver: receiver.name, reason: outcome.ok ? null : outcome.reason },
    "dead-lettering",
  );
  log.info({ receiverObject: receiver }, "the receiver object itself");
  return outcome;
}
