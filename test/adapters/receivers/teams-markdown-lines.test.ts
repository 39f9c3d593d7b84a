// Azure text must "neither link nor format" on the Teams card (README,
// Microsoft Teams), whatever its line endings: CommonMark (and markdown-it,
// the processor these tests render with) also ends a line at a lone "\r",
// where block markers count again, and starts an indented code block at four
// leading spaces (an ARM message's indented continuation line). Found by a
// review: escapeMarkdown split lines on "\n" only.
import { describe, expect, it } from "vitest";
import { buildTeamsMessage } from "../../../src/adapters/receivers/teams/payload.js";
import { escapeMarkdown } from "../../../src/adapters/receivers/teams/markdown.js";
import type { AlertEvent } from "../../../src/core/alert-event.js";
import { renderTeamsMessage } from "../../support/adaptive-card.js";
import { arpMissingOpen } from "../../support/alert-event-fixture.js";

const LIVE = "a, em, ol, ul, li, h1, h2, h3, h4, h5, h6, code, pre, b, img, blockquote";

function liveElements(event: AlertEvent): string[] {
  const { root } = renderTeamsMessage(buildTeamsMessage(event));
  return Array.from(root!.querySelectorAll(LIVE)).map((e) => e.outerHTML);
}

describe("Teams card: Azure text with line endings other than \\n", () => {
  it.each([
    ["a bullet after a lone CR", "Connection cn-ams\r- item"],
    ["an ordered list after a lone CR", "Connection cn-ams\r1. x"],
    ["a setext heading after a lone CR", "Connection cn-ams\r==="],
  ])("renders %s as text, not as a block", (_name, value) => {
    const event = arpMissingOpen();
    event.title = `Layer 2 down: ${value}`;
    event.evidence = { note: value };
    expect(liveElements(event)).toEqual([]);
  });

  it("renders a line of evidence that starts with four spaces as text, not as code", () => {
    // An ARM message over several lines, its continuation indented: the card
    // splits evidence at "\n", so the indented line begins its own TextBlock.
    const event = arpMissingOpen();
    event.evidence = { message: "Operation failed:\n    inner error: quota exceeded" };
    expect(liveElements(event)).toEqual([]);
  });

  it.each(["x\r- y", "x\r\n- y"])(
    "escapes a block marker after any line ending as after a LF (%j)",
    (text) => {
      expect(escapeMarkdown(text)).toBe(escapeMarkdown("x\n- y"));
    },
  );

  it.each([
    ["four spaces", "    code?"],
    ["a tab", "\tcode?"],
    ["two spaces and a tab", "  \tcode?"],
  ])("keeps indentation by %s visible, never a code block", (_name, line) => {
    const escaped = escapeMarkdown(line);
    expect(escaped).not.toMatch(/^[ \t]/);
    expect(escaped.trimStart()).toBe("code?");
  });
});
