// ERWATCH_ACTION_GROUPS is read leniently for the app settings its receivers
// name (a name it gives is no one's typo), before the setting itself is
// validated: only a map of header to setting names settings; a list kept
// where the map belongs names none, as a list is no headers.

import { describe, expect, it } from "vitest";
import { settingsNamedBy } from "../../src/config/dispatch.js";
import { misspeltSettings } from "../../src/config/misspelt.js";
import { SETTINGS } from "../../src/config/settings.js";

const webhook = (headerSettings: unknown) =>
  JSON.stringify({
    receivers: [{ kind: "webhook", name: "itsm", urlSetting: "ITSM_URL", headerSettings }],
  });

describe("the settings ERWATCH_ACTION_GROUPS names", () => {
  it.each([
    ["a map of header to setting", { Authorization: "ITSM_TOKEN" }, ["ITSM_URL", "ITSM_TOKEN"]],
    ["a list", ["ITSM_TOKEN"], ["ITSM_URL"]],
    ["a list of pairs", [["Authorization", "ITSM_TOKEN"]], ["ITSM_URL"]],
    ["text", "ITSM_TOKEN", ["ITSM_URL"]],
    ["a number", 7, ["ITSM_URL"]],
    ["null", null, ["ITSM_URL"]],
    ["a map whose setting is no text", { Authorization: 7 }, ["ITSM_URL"]],
  ])("headerSettings that are %s", (_name, headerSettings, named) => {
    expect(settingsNamedBy(webhook(headerSettings))).toEqual(named);
  });

  it.each([
    [
      "receivers that are a map",
      JSON.stringify({ receivers: { itsm: { urlSetting: "ITSM_URL" } } }),
    ],
    ["a receiver that is a list", JSON.stringify({ receivers: [["ITSM_URL"]] })],
    ["a receiver that is text", JSON.stringify({ receivers: ["ITSM_URL"] })],
    ["the setting a list", JSON.stringify([{ receivers: [{ urlSetting: "ITSM_URL" }] }])],
    ["the setting not JSON", "{receivers:"],
    ["the setting unset", undefined],
  ])("%s names none", (_name, text) => {
    expect(settingsNamedBy(text)).toEqual([]);
  });

  it("a setting named only in a list of headers is still told as a likely typo", () => {
    const env = { WEBHOOK_URL2: "https://127.0.0.1:1/hook" };
    const named = () => settingsNamedBy(webhook(["WEBHOOK_URL2"]));
    expect(misspeltSettings(env, Object.keys(SETTINGS), named)).toEqual([
      "WEBHOOK_URL2 is not a setting erwatch reads; did you mean WEBHOOK_URL?",
    ]);
  });
});
