// `erwatch sweep --state` at 80 columns, as an on-call engineer reads it: the
// findings table's WHAT and the events table's CHANGE go on under their row,
// in their own column with the others blank, rather than stopping at the
// column with "…" ("Layer 2 down on the primary and…") where what broke, and
// how far, was the part cut off. The notice under them fits the width too.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { carrierDown, estateOf, healthyCircuit } from "../support/estate/index.js";
import { estateAccess } from "../support/estate-access.js";
import { startWorld, type World } from "../support/world.js";

const WIDTH = 80;
const NOW = new Date("2026-11-22T02:07:00.000Z");

let azurite: Azurite;
let world: World;
beforeAll(async () => {
  azurite = await startAzurite();
  // A short name leaves the title room beside the row at 80 columns.
  const bundle = healthyCircuit({ name: "er-a" });
  carrierDown(bundle.circuit, "AzurePrivatePeering", "primary");
  carrierDown(bundle.circuit, "AzurePrivatePeering", "secondary");
  world = await startWorld({ estate: estateOf(bundle), azurite, now: () => NOW });
});
afterAll(async () => {
  await world?.close();
  await azurite?.stop();
});

/** A sweep of its own tables (`prefix`), so each run opens the same alert. */
async function sweep(prefix: string, json: boolean) {
  const access = estateAccess(world.estate);
  let stdout = "";
  let stderr = "";
  const code = await runCli(["sweep", "--state", ...(json ? ["-o", "json"] : [])], {
    env: {
      ...world.env,
      ServiceBusConnection: undefined,
      ERWATCH_TABLE_PREFIX: prefix,
      COLUMNS: String(WIDTH),
    },
    credential: access.credential,
    armClientOptions: access.armClientOptions,
    now: () => NOW,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/**
 * Each row's text in the column headed `column`, its lines under the row
 * joined: the table's first `rows` rows under the header matching `header`,
 * every line of them within the width.
 */
function columnText(stdout: string, header: RegExp, column: string, rows: number): string[] {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => header.test(l));
  expect(at, `no header ${header}`).toBeGreaterThanOrEqual(0);
  const offset = lines[at]!.indexOf(column);
  const blank = " ".repeat(offset);
  const texts: string[] = [];
  let i = at + 1;
  for (let row = 0; row < rows; row += 1) {
    const pieces = [lines[i]!.slice(offset)];
    // The lines under a row: every other column blank.
    for (i += 1; lines[i]?.startsWith(blank); i += 1) pieces.push(lines[i]!.slice(offset));
    texts.push(pieces.join(" "));
    for (const line of lines.slice(at, i))
      expect(Array.from(line).length, line).toBeLessThanOrEqual(WIDTH);
  }
  return texts;
}

describe("erwatch sweep --state at 80 columns", () => {
  it("prints a finding's title and an alert's change whole, wrapped in their column", async () => {
    const json = await sweep("wrapjson", true);
    expect(json.code, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout) as {
      circuits: { findings: { title: string }[] }[];
      events: { change: string }[];
    };
    const titles = report.circuits.flatMap((c) => c.findings.map((f) => f.title));
    const changes = report.events.map((e) => e.change);
    expect(titles.length).toBeGreaterThan(0);
    expect(changes.length).toBeGreaterThan(0);
    // Too long for what the column can have at 80 columns: the wrap is what is tested.
    expect(Math.max(...titles.map((t) => t.length))).toBeGreaterThan(40);
    expect(Math.max(...changes.map((c) => c.length))).toBeGreaterThan(40);

    const ran = await sweep("wraptable", false);
    expect(ran.code, ran.stderr).toBe(1);
    expect(ran.stdout).not.toContain("…");
    const spaced = (texts: string[]) => texts.map((t) => t.replace(/ +/g, " ").trim());
    expect(
      spaced(
        columnText(
          ran.stdout,
          /^SEV +CIRCUIT +PEERING +PATHS +OWNER +CODE +WHAT$/,
          "WHAT",
          titles.length,
        ),
      ),
    ).toEqual(spaced(titles));
    expect(
      spaced(
        columnText(
          ran.stdout,
          /^ALERT +SEV +CIRCUIT +PEERING +FAMILY +CHANGE$/,
          "CHANGE",
          changes.length,
        ),
      ),
    ).toEqual(spaced(changes));
  });

  it("wraps the outbox notice under the tables to the width", async () => {
    const ran = await sweep("wrapnotice", false);
    expect(ran.code, ran.stderr).toBe(1);
    // Every line fits; a resource id alone may not: it is copied whole.
    for (const line of ran.stdout.split("\n").filter((l) => !l.trim().startsWith("/")))
      expect(Array.from(line).length, line).toBeLessThanOrEqual(WIDTH);
    expect(ran.stdout.replace(/\s+/g, " ")).toContain(
      "1 alert event waits in the outbox: ServiceBusConnection is not set, so this run does not publish them.",
    );
  });
});
