// The change sentence without the title every receiver already shows.

import { describe, expect, it } from "vitest";
import {
  blindLookAt,
  changeWithoutTitle,
  EARLY_IN_TITLE,
  namesEarly,
  providerAt,
} from "../../../src/adapters/receivers/alert-words.js";

const T = "Layer 2 down on the secondary path of AzurePrivatePeering: no ARP entry";

describe("changeWithoutTitle", () => {
  it.each([
    ["an open", `New since 2026-03-14 01:52 UTC: ${T}`, "New since 2026-03-14 01:52 UTC."],
    [
      "an escalation with a path change",
      `Worse: Sev2 → Sev0; now also the primary path. Now: ${T}`,
      "Worse: Sev2 → Sev0; now also the primary path.",
    ],
    ["an escalation without one", `Worse: Sev2 → Sev0; Now: ${T}`, "Worse: Sev2 → Sev0."],
    [
      "a de-escalation",
      `Better: Sev0 → Sev2; the primary path recovered. Still: ${T}`,
      "Better: Sev0 → Sev2; the primary path recovered.",
    ],
    [
      "a repeat",
      `Still firing after 4 h (since 2026-03-14 01:52 UTC): ${T}`,
      "Still firing after 4 h (since 2026-03-14 01:52 UTC).",
    ],
    ["a resolve", `Resolved after 1 h 12 min: ${T} has cleared.`, "Resolved after 1 h 12 min."],
    // Was "Resolved: circuit no longer exists. is no longer watched."
    [
      "a retired circuit's resolve",
      `Resolved: circuit no longer exists. ${T} is no longer watched.`,
      "Resolved: circuit no longer exists.",
    ],
    [
      "a change that does not quote the title",
      "Something else happened",
      "Something else happened",
    ],
    ["nothing but the title", T, ""],
  ])("shortens %s", (_name, change, expected) => {
    expect(changeWithoutTitle(change, T)).toBe(expected);
  });
});

describe("providerAt", () => {
  it.each([
    ["Equinix", "Amsterdam", "Equinix at Amsterdam"],
    ["Equinix", null, "Equinix"],
    [null, "Amsterdam", null],
  ])("%s / %s → %s", (serviceProviderName, peeringLocation, expected) => {
    expect(providerAt({ serviceProviderName, peeringLocation })).toBe(expected);
  });
});

describe("blindLookAt", () => {
  // A fleet's notice said "the monitoring-blind alert of this circuit or of its
  // subscription": a site is several circuits, perhaps in several subscriptions.
  it.each([
    [
      "circuit",
      "the monitoring-blind alert of this circuit or of its subscription (it names the read that fails and what to do)",
    ],
    [
      "site",
      "the monitoring-blind alerts of the site's circuits or of their subscriptions (they name the reads that fail and what to do)",
    ],
    ["subscription", "this alert's failed reads and next action"],
  ] as const)("sends the reader of a %s's blind notice where the reason is", (kind, expected) => {
    expect(blindLookAt({ kind })).toBe(expected);
  });
});

describe("namesEarly", () => {
  it.each([
    ["at the start", "er-ams-prod-01: something", true],
    [
      "early in the title",
      "End-to-end tests fail over er-ams-prod-01 while every layer reads healthy",
      true,
    ],
    [
      "at a sentence's end",
      "Connection Monitor reported nothing for ER-AMS-PROD-01. End-to-end is unwatched",
      true,
    ],
    ["inside a longer name", "End-to-end tests fail over er-ams-prod-01b while …", false],
    ["as the tail of a longer name", "End-to-end tests fail over x-er-ams-prod-01 while …", false],
    ["followed by more of a dotted name", "Tests fail over er-ams-prod-01.eu while …", false],
    [
      "only past what a notification shows",
      `${"x ".repeat(EARLY_IN_TITLE / 2)}er-ams-prod-01`,
      false,
    ],
    ["not at all", "Layer 2 down on the secondary path", false],
  ])("%s", (_name, title, expected) => {
    expect(namesEarly(title, "er-ams-prod-01")).toBe(expected);
  });
});
