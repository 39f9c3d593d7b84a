// Every alert links to the runbook section of its finding code: each code in
// the public list must have one, under the anchor the link uses.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUNBOOK_URL, runbookUrl } from "../../../src/adapters/receivers/links.js";
import { FINDING_CODES } from "../../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../../src/core/policy.js";

const runbook = readFileSync(
  join(import.meta.dirname, "..", "..", "..", "docs", "runbook.md"),
  "utf8",
);
const sections = [...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());

/** GitHub's heading anchor: lower case, punctuation but "-" dropped, spaces as "-". */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");

describe("docs/runbook.md", () => {
  it("has one section per finding code, and none for a code that does not exist", () => {
    expect([...sections].sort()).toEqual([...FINDING_CODES].sort());
  });

  it.each(FINDING_CODES.map((code) => [code]))(
    "links %s to its own section, which says what it means, whose it is and what to check",
    (code) => {
      expect(runbookUrl(code)).toBe(`${RUNBOOK_URL}#${anchorOf(code)}`);
      const body = runbook.split(`\n## ${code}\n`)[1]?.split("\n## ")[0] ?? "";
      for (const part of ["**What it means.**", "**Who owns it.**", "**Check first.**"])
        expect(body, `${code}: ${part}`).toContain(part);
      expect(body).toContain("**For the carrier ticket.**");
    },
  );

  // Over the route limit Microsoft shuts the session: Idle (PfxCt) is where
  // the limit is the cause, never a session Established with 0 prefixes.
  it("names the route limit where the session is shut for it, not where it receives nothing", () => {
    const section = (code: string) =>
      (runbook.split(`\n## ${code}\n`)[1]?.split("\n## ")[0] ?? "").replace(/\s+/g, " ");
    expect(section("bgp-down")).toContain("`Idle (PfxCt)` is the route limit");
    expect(section("no-prefixes-received")).not.toMatch(/limit reset the session/);
    expect(section("no-prefixes-received")).toContain("it does not leave it Established with zero");
  });

  it("lives where the links point: the project's public home", () => {
    expect(RUNBOOK_URL).toBe("https://github.com/erwatch/erwatch/blob/main/docs/runbook.md");
  });

  it("states the flap threshold erwatch applies by default", () => {
    // The person paged compares the alert's counts with this sentence.
    const { transitions, windowMinutes } = DEFAULT_ALERT_POLICY.flap;
    const body = runbook.split("\n## session-flapping\n")[1] ?? "";
    expect(body.replace(/\s+/g, " ")).toContain(
      `by default more than ${transitions} changes in ${windowMinutes} minutes`,
    );
  });
});
