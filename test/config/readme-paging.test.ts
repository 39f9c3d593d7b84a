// The README's "Severity and paging" section answers "who gets woken by what"
// in one place; this keeps it true: every finding code has a row, and the
// receivers column is what the default routing actually does.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDispatchConfig } from "../../src/config/dispatch.js";
import { SettingsReader } from "../../src/config/reader.js";
import { FINDING_CODES, SEVERITIES } from "../../src/core/model.js";
import { route } from "../../src/core/routing.js";
import { noPrefixesOpen } from "../support/alert-event-fixture.js";

const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
const section = /## Severity and paging\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";

const WORDS: Record<string, string> = {
  pagerduty: "PagerDuty",
  teams: "Teams",
  webhook: "webhook",
};

describe("README: Severity and paging", () => {
  it("grades every finding code", () => {
    const rows = [...section.matchAll(/^\| `([a-z0-9-]+)`\s*\| (Sev[0-4].*?)\s*\|$/gm)];
    expect(rows.map((m) => m[1]).sort()).toEqual([...FINDING_CODES].sort());
  });

  it("shows, for each severity, the receivers the default routing reaches", () => {
    const r = new SettingsReader({
      PAGERDUTY_ROUTING_KEY: "R0UT1NGKEY0123456789abcdefabcdef",
      TEAMS_WEBHOOK_URL: "https://example.webhook.office.com/workflows/x?sig=abc",
      WEBHOOK_URL: "https://itsm.example/alerts",
    });
    const { routing } = readDispatchConfig(r);
    r.throwIfProblems();
    const documented = Object.fromEntries(
      [...section.matchAll(/^\| (Sev[0-4])\s*\| ([^|]+?)\s*\|$/gm)].map((m) => [m[1], m[2]]),
    );
    for (const severity of SEVERITIES) {
      const event = { ...noPrefixesOpen(), severity, peakSeverity: severity };
      const receivers = route(routing, event).receivers.map((n) => WORDS[n] ?? n);
      expect(documented[severity], severity).toBe(
        receivers.length === 0 ? "nobody" : receivers.join(", "),
      );
    }
  });
});
