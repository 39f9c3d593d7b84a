/* eslint-disable no-control-regex -- these tests are about control characters on a terminal */
// What reaches a terminal: control characters from data shown, never obeyed;
// erwatch's own colours kept; tables and prose fitted to the width.

import { describe, expect, it } from "vitest";
import {
  fit,
  neutralise,
  renderTable,
  shortPeering,
  terminalJson,
  terminalOf,
  terminalSafe,
  wrap,
} from "../../src/cli/terminal.js";

const ESC = "\u001b";

describe("neutralise", () => {
  it.each([
    // [what, input, shown]
    ["plain text is untouched", "er-circuit-prod", "er-circuit-prod"],
    ["a colour sequence is shown, not obeyed", `${ESC}[31mred`, "\\x1b[31mred"],
    ["clear screen", `${ESC}[2J${ESC}[H`, "\\x1b[2J\\x1b[H"],
    ["an OSC 8 hyperlink", `${ESC}]8;;http://x${ESC}\\link`, "\\x1b]8;;http://x\\x1b\\link"],
    ["a window title ended by BEL", `${ESC}]0;pwned\u0007`, "\\x1b]0;pwned\\x07"],
    ["carriage return cannot overwrite the line", "ok\rDOWN", "ok\\x0dDOWN"],
    ["backspace", "ab\bc", "ab\\x08c"],
    ["NUL", "a\u0000b", "a\\x00b"],
    ["DEL", "a\u007fb", "a\\x7fb"],
    ["C1 CSI (8-bit escape)", "a\u009b31mb", "a\\x9b31mb"],
    ["C1 NEL", "a\u0085b", "a\\x85b"],
    ["right-to-left override (Trojan Source)", "abc\u202edef", "abc\\u202edef"],
    ["bidi isolate", "a\u2066b\u2069", "a\\u2066b\\u2069"],
    ["tab becomes a space", "a\tb", "a b"],
    ["newline becomes a space in a cell", "a\nb", "a b"],
    ["non-ASCII letters are fine", "Zürich — 東京", "Zürich — 東京"],
  ])("%s", (_what, input, shown) => {
    expect(neutralise(input)).toBe(shown);
  });

  it("keeps newlines when the caller prints several lines", () => {
    expect(neutralise(`a\nb${ESC}c`, { multiline: true })).toBe("a\nb\\x1bc");
  });

  it("turns null and numbers into text", () => {
    expect(neutralise(null)).toBe("");
    expect(neutralise(42)).toBe("42");
  });
});

describe("terminalSafe (the last check on every write)", () => {
  it.each([
    ["keeps erwatch's colours", `${ESC}[31mDOWN${ESC}[0m\n`, `${ESC}[31mDOWN${ESC}[0m\n`],
    ["keeps the progress line clear", `\r${ESC}[2Kread 1/2`, `\r${ESC}[2Kread 1/2`],
    ["escapes any other sequence", `${ESC}]0;x\u0007`, "\\x1b]0;x\\x07"],
    ["escapes a bare carriage return", "a\rb", "a\\x0db"],
    ["escapes C1 and bidi controls", "\u009b\u202e", "\\x9b\\u202e"],
  ])("%s", (_what, input, out) => {
    expect(terminalSafe(input)).toBe(out);
  });
});

describe("terminalJson", () => {
  it("is the same document to a parser, with nothing raw for a terminal", () => {
    const value = { name: `x${ESC}[2J\u009b\u202e\u2028y`, n: 1 };
    const text = terminalJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/[\u001b\u009b\u202e\u2028]/);
    expect(text).toContain("\\u001b[2J\\u009b\\u202e\\u2028y");
  });
});

describe("terminalOf", () => {
  it.each([
    // [what, stream, env, width, colour]
    ["a terminal: its width, colour", { isTTY: true, columns: 132 }, {}, 132, true],
    ["piped: 80 columns, no colour", { isTTY: false }, {}, 80, false],
    ["COLUMNS wins", { isTTY: true, columns: 132 }, { COLUMNS: "100" }, 100, true],
    ["NO_COLOR set: no colour", { isTTY: true, columns: 90 }, { NO_COLOR: "1" }, 90, false],
    [
      "NO_COLOR empty: colour (no-color.org)",
      { isTTY: true, columns: 90 },
      { NO_COLOR: "" },
      90,
      true,
    ],
    ["TERM=dumb: no colour", { isTTY: true, columns: 90 }, { TERM: "dumb" }, 90, false],
    ["never narrower than 40", { isTTY: true, columns: 10 }, {}, 40, true],
  ])("%s", (_what, stream, env, width, colour) => {
    expect(terminalOf({ write: () => true, ...stream }, env)).toEqual({ width, colour });
  });
});

describe("fitting text", () => {
  it("cuts with an ellipsis and pads", () => {
    expect(fit("AzurePrivatePeering", 8)).toBe("AzurePr…");
    expect(fit("ok", 4, true)).toBe("ok  ");
    expect(fit("ok", 4)).toBe("ok");
  });

  it("wraps prose with a hanging indent and keeps a long id whole", () => {
    const id =
      "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/x";
    const lines = wrap(`Next: open a carrier ticket for ${id} today`, 30, "  ");
    expect(lines[0]).toBe("Next: open a carrier ticket");
    expect(lines).toContain(`  ${id}`);
    for (const l of lines.filter((l) => !l.includes(id))) expect(l.length).toBeLessThanOrEqual(30);
  });

  it("shortens peering names for narrow columns", () => {
    expect(shortPeering("AzurePrivatePeering")).toBe("Private");
    expect(shortPeering("MicrosoftPeering")).toBe("Microsoft");
    expect(shortPeering("custom")).toBe("custom");
  });

  it("fits a table to the width, prose columns giving way first", () => {
    const lines = renderTable(
      [
        { header: "SEV", min: 4 },
        { header: "CIRCUIT", min: 8 },
        { header: "WHAT", min: 10, flex: true },
      ],
      [
        [
          "Sev0",
          "er-circuit-prod",
          "Layer 2 down on both paths of AzurePrivatePeering: traffic stopped",
        ],
      ],
      40,
    );
    expect(lines[0]).toMatch(/^SEV +CIRCUIT +WHAT$/);
    expect(lines[1]).toMatch(/^Sev0 +er-circuit-prod +Layer 2 down.*…$/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
  });

  it("a flex column gives way before a wider column that is not flex, down to its min first", () => {
    const key = "erw-er-circuit-prod-westeurope-AzurePrivatePeering-path-down";
    const lines = renderTable(
      [
        { header: "KEY", min: 8 },
        { header: "WHAT", min: 12, flex: true },
      ],
      [[key, "Layer 2 down on both paths: traffic stopped"]],
      76,
    );
    // The key whole; the prose cut to fit (76 - 60 - 2 = 14 columns).
    expect(lines[1]).toBe(`${key}  Layer 2 down …`);
    // Narrower still: the flex column stops at its min, then the key gives way.
    const narrow = renderTable(
      [
        { header: "KEY", min: 8 },
        { header: "WHAT", min: 12, flex: true },
      ],
      [[key, "Layer 2 down on both paths: traffic stopped"]],
      60,
    );
    expect(narrow[1]).toBe(`${key.slice(0, 45)}…  Layer 2 dow…`);
    for (const l of narrow) expect(l.length).toBeLessThanOrEqual(60);
  });

  it("wraps a wrap column's cell under its row, each piece painted, the other columns blank and unpainted", () => {
    const lines = renderTable(
      [
        { header: "SEV", min: 4 },
        { header: "CIRCUIT", min: 8 },
        { header: "WHAT", min: 10, flex: true, wrap: true },
      ],
      [
        ["Sev0", "er-a", "Layer 2 down on both paths of AzurePrivatePeering: traffic stopped"],
        ["Sev3", "er-b", "ok"],
      ],
      40,
      // Painted blanks would show as underscores.
      (_row, _column, text) => text.replace(/ /g, "_"),
    );
    expect(lines).toEqual([
      "SEV   CIRCUIT  WHAT",
      "Sev0  er-a___  Layer_2_down_on_both",
      "               paths_of",
      "               AzurePrivatePeering:",
      "               traffic_stopped",
      "Sev3  er-b___  ok",
    ]);
  });
});
