// The CLI's partly blind summary as a terminal shows it: the reads that failed
// nest under "erwatch is partly blind:", each group under its count, and a
// line too long for the terminal goes on under its own start. The wrap
// dropped each line's leading spaces, so all of it printed flush left; and
// "erwatch read no circuit at all" printed flush left under the heading, as if
// it were a heading of its own. That line said "nothing below is known" as
// the output's last words, below "0 circuits read": it pointed at nothing.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEstate, wholeCatalog, type SimulatedEstate } from "../support/estate/index.js";
import { circuitId, cliOn } from "../support/estate-cli.js";
import { readerRoleActions } from "../support/reader-role.js";

let estate: SimulatedEstate;
beforeAll(async () => {
  estate = await startEstate(wholeCatalog());
});
afterAll(async () => {
  await estate.close();
});
afterEach(() => {
  estate.grant(undefined);
});

/** The summary's lines, from its heading to the output's end, as printed. */
const summaryOf = (stdout: string) => {
  const lines = stdout.split("\n");
  return lines.slice(lines.indexOf("erwatch is partly blind:")).filter((l) => l !== "");
};

const ARP = "Microsoft.Network/expressRouteCircuits/peerings/arpTables/read";
/** A subscription the estate does not hold: it lists, and holds no circuit. */
const WRONG = "11111111-2222-3333-4444-555555555555";
const REQUEST_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

describe("the partly blind summary keeps its indentation", () => {
  it.each([
    {
      columns: 60,
      summary: [
        "erwatch is partly blind:",
        "  2 reads failed on 1 circuit; those layers are UNKNOWN, not",
        "      healthy:",
        "    2 × forbidden",
        `        ${ARP}`,
        "        [x-ms-request-id",
        expect.stringMatching(new RegExp(`^ {8}${REQUEST_ID}\\]$`)),
      ],
    },
    {
      columns: 200,
      summary: [
        "erwatch is partly blind:",
        "  2 reads failed on 1 circuit; those layers are UNKNOWN, not healthy:",
        expect.stringMatching(
          new RegExp(`^ {4}2 × forbidden ${ARP} \\[x-ms-request-id ${REQUEST_ID}\\]$`),
        ),
      ],
    },
  ])("at $columns columns", async ({ columns, summary }) => {
    // Without the ARP action: the subscription's witness circuit reads ARP on both paths.
    estate.grant(readerRoleActions().filter((a) => !a.includes("arpTables")));
    const ran = await cliOn(estate, ["sweep", "--circuit", circuitId("healthy")], {
      env: { COLUMNS: String(columns) },
    });
    expect(ran.code).toBe(3);
    expect(summaryOf(ran.stdout)).toEqual(summary);
  });

  it.each([
    {
      columns: 80,
      summary: [
        "erwatch is partly blind:",
        "  erwatch read no circuit at all: nothing is known of the circuits in scope.",
        `  subscription ${WRONG} holds no ExpressRoute`,
        "      circuit this identity can see: check the id, and that the identity has the",
        "      erwatch reader role there.",
      ],
    },
    {
      columns: 200,
      summary: [
        "erwatch is partly blind:",
        "  erwatch read no circuit at all: nothing is known of the circuits in scope.",
        `  subscription ${WRONG} holds no ExpressRoute circuit this identity can see: check the id, and that the identity has the erwatch reader role there.`,
      ],
    },
  ])(
    "when nothing was read, at $columns columns: indented like its siblings",
    async ({ columns, summary }) => {
      const ran = await cliOn(estate, ["sweep", "--subscription", WRONG], {
        env: { COLUMNS: String(columns) },
      });
      expect(ran.code).toBe(3);
      expect(summaryOf(ran.stdout)).toEqual(summary);
      // The summary ends the output, after "0 circuits read": there is nothing below to point at.
      expect(ran.stdout.trimEnd().endsWith(summary.at(-1)!)).toBe(true);
      expect(ran.stdout).not.toMatch(/\bbelow\b/);
    },
  );
});
