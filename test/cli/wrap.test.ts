// wrap() lays out the CLI's prose: the partly blind summary nests its groups
// by indentation ("  2 reads failed…", "    2 × forbidden …"), and a wrap
// that dropped a line's leading spaces printed them all flush left.

import { describe, expect, it } from "vitest";
import { wrap } from "../../src/cli/terminal.js";

const ID =
  "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er-prod";
const FAILED = "3 reads failed on 2 circuits; those layers are UNKNOWN, not healthy:";

describe("wrap", () => {
  it.each([
    {
      name: "unindented, narrow: continuation lines take the indent",
      text: "erwatch read no circuit at all: nothing is known of the circuits in scope.",
      width: 20,
      indent: "    ",
      lines: [
        "erwatch read no",
        "    circuit at all:",
        "    nothing is known",
        "    of the circuits",
        "    in scope.",
      ],
    },
    {
      name: "unindented, wide: one line",
      text: "erwatch read no circuit at all: nothing is known of the circuits in scope.",
      width: 200,
      indent: "    ",
      lines: ["erwatch read no circuit at all: nothing is known of the circuits in scope."],
    },
    {
      name: "indented, narrow: the indent kept, continuations under it",
      text: `  ${FAILED}`,
      width: 30,
      indent: "    ",
      lines: [
        "  3 reads failed on 2",
        "      circuits; those layers",
        "      are UNKNOWN, not",
        "      healthy:",
      ],
    },
    {
      name: "indented, wide: the indent kept",
      text: "    1 × throttled Microsoft.Network/expressRouteCircuits/read",
      width: 200,
      indent: "    ",
      lines: ["    1 × throttled Microsoft.Network/expressRouteCircuits/read"],
    },
    {
      name: "indented, with no indent for continuations: they line up under it",
      text: `  ${FAILED}`,
      width: 40,
      indent: "",
      lines: ["  3 reads failed on 2 circuits; those", "  layers are UNKNOWN, not healthy:"],
    },
    {
      name: "a word longer than the width, indented: kept whole on a line of its own",
      text: `    2 × forbidden ${ID} [x-ms-request-id 1]`,
      width: 40,
      indent: "    ",
      lines: ["    2 × forbidden", `        ${ID}`, "        [x-ms-request-id 1]"],
    },
    {
      name: "a word longer than the width, first: kept whole",
      text: `${ID} is gone`,
      width: 20,
      indent: "  ",
      lines: [ID, "  is gone"],
    },
    {
      name: "lines of their own indents; a blank one stays blank",
      text: "Sev2 layer 2\n\n  next: read it again",
      width: 80,
      indent: "  ",
      lines: ["Sev2 layer 2", "", "    next: read it again"],
    },
  ])("$name", ({ text, width, indent, lines }) => {
    expect(wrap(text, width, indent)).toEqual(lines);
  });

  it.each([
    {
      name: "two spaces inside a line that fits: both kept",
      text: "peer AS 65010  VLAN 200",
      width: 80,
      indent: "",
      lines: ["peer AS 65010  VLAN 200"],
    },
    {
      name: "text aligned with runs of spaces: kept as aligned",
      text: "  10.1.0.0/16     via 192.168.10.17   path 65010",
      width: 80,
      indent: "    ",
      lines: ["  10.1.0.0/16     via 192.168.10.17   path 65010"],
    },
    {
      name: "the spaces where a line breaks: dropped, not carried to either line",
      text: "ARP resolves    both sides",
      width: 14,
      indent: "  ",
      lines: ["ARP resolves", "  both sides"],
    },
    {
      name: "spaces kept count toward the width",
      text: "Established  120",
      width: 15,
      indent: "",
      lines: ["Established", "120"],
    },
    {
      name: "inner spaces kept on a continuation line too",
      text: "Next: call the carrier  (ticket below)",
      width: 18,
      indent: "  ",
      lines: ["Next: call the", "  carrier  (ticket", "  below)"],
    },
    {
      name: "spaces ending a line: dropped",
      text: "up   ",
      width: 80,
      indent: "",
      lines: ["up"],
    },
  ])("keeps inner spaces: $name", ({ text, width, indent, lines }) => {
    expect(wrap(text, width, indent)).toEqual(lines);
  });

  it("fits every line that holds no over-long word to the width, at any width", () => {
    const text = `  ${FAILED} ${ID} and more words after it`;
    for (let width = 20; width <= 90; width += 1)
      for (const line of wrap(text, width, "    "))
        if (!line.includes(ID)) expect(Array.from(line).length).toBeLessThanOrEqual(width);
  });
});
