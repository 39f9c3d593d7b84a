// The layer table `erwatch diagnose` prints: a detail longer than its cell
// goes on under it, in its own column, rather than being cut at the column
// ("unknown Connection Monitor re…" hid which monitor failed and why).

import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/app/report.js";
import { renderCircuit } from "../../src/cli/render-table.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { EndToEndFacts } from "../../src/core/dataplane/facts.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { circuitReading, failed } from "../support/readings.js";

const NOW = new Date("2026-11-22T02:02:00.000Z");
/** The widest layer label ("gateway wiring") and its gap. */
const LABEL = 16;

/** A circuit whose Connection Monitor read is refused: a long end-to-end detail on both paths. */
function circuit() {
  const reading = circuitReading({
    dataPlane: {
      endToEnd: failed<EndToEndFacts>({
        kind: "forbidden",
        statusCode: 403,
        call: "Microsoft.OperationalInsights/workspaces/query/read",
        target: "Connection Monitor results in workspace law-network",
        workspace: "law-network",
        message: "The client does not have authorization to perform action",
      }),
    },
  });
  const { verdict } = evaluateCircuit(
    reading,
    null,
    [],
    [],
    { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    NOW,
  );
  return buildReport({ verdicts: [verdict], readings: [reading], generatedAt: NOW }).circuits[0]!;
}

/** The row labelled `label` and the lines under it that carry its cells on. */
function row(lines: string[], label: string, indent: number): string[] {
  const first = lines.findIndex((l) => l.startsWith(`${" ".repeat(indent)}${label} `));
  expect(first, label).toBeGreaterThanOrEqual(0);
  const out = [lines[first]!];
  for (const line of lines.slice(first + 1)) {
    if (!line.startsWith(" ".repeat(indent + LABEL)) || line.trim() === "") break;
    out.push(line);
  }
  return out;
}

/** A column's text across a row's lines, from `from` to `to`. */
const column = (lines: string[], from: number, to?: number) =>
  lines
    .map((l) => Array.from(l).slice(from, to).join("").trim())
    .filter((t) => t !== "")
    .join(" ");

describe("a long detail in the layer table", () => {
  const c = circuit();
  const { primary, secondary } = c.peerings[0]!.paths;
  const cellText = (cell: { detail: string }) => `unknown ${cell.detail}`;

  it("is the detail this table is about: longer than a cell at 80 columns", () => {
    expect(primary.endToEnd.status).toBe("unknown");
    expect(cellText(primary.endToEnd).length).toBeGreaterThan(40);
  });

  it.each([80, 100, 132])(
    "side by side at %i columns: each path's cell whole, in its own column",
    (width) => {
      const lines = renderCircuit(c, { colour: false, brief: true, width }).split("\n");
      const cell = Math.floor((width - 2 - LABEL - 1) / 2);
      const e2e = row(lines, "end to end", 2);
      for (const line of e2e) expect(Array.from(line).length).toBeLessThanOrEqual(width);
      expect(column(e2e, 2 + LABEL, 2 + LABEL + cell)).toBe(cellText(primary.endToEnd));
      expect(column(e2e, 2 + LABEL + cell + 1)).toBe(cellText(secondary.endToEnd));
      expect(lines.join("\n")).not.toContain("…");
    },
  );

  it("stacked at 50 columns: the cell whole under its label", () => {
    const lines = renderCircuit(c, { colour: false, brief: true, width: 50 }).split("\n");
    const e2e = row(lines, "end to end", 4);
    expect(e2e.length).toBeGreaterThan(1);
    for (const line of e2e) expect(Array.from(line).length).toBeLessThanOrEqual(50);
    expect(column(e2e, 4 + LABEL)).toBe(cellText(primary.endToEnd));
  });

  it("a word wider than the cell is broken at the column, the columns still aligned", () => {
    const long = { ...c, peerings: [{ ...c.peerings[0]! }] };
    const word = `law-${"x".repeat(60)}`;
    long.peerings[0] = {
      ...c.peerings[0]!,
      paths: {
        ...c.peerings[0]!.paths,
        primary: {
          ...primary,
          endToEnd: { status: "unknown", detail: `read failed in workspace ${word}` },
        },
      },
    };
    const lines = renderCircuit(long, { colour: false, brief: true, width: 80 }).split("\n");
    const cell = Math.floor((80 - 2 - LABEL - 1) / 2);
    const e2e = row(lines, "end to end", 2);
    for (const line of e2e) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    expect(column(e2e, 2 + LABEL, 2 + LABEL + cell).replace(/ /g, "")).toBe(
      `unknownreadfailedinworkspace${word}`,
    );
    expect(column(e2e, 2 + LABEL + cell + 1)).toBe(cellText(secondary.endToEnd));
  });
});
