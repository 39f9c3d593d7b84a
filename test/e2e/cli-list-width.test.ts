// `erwatch alerts` and `erwatch silence list` at a fixed width: the lines under
// each row (the next action, who silenced and why) fill the terminal. They
// were wrapped to the width less their indent and then indented once more, so
// every continuation line stopped 6 columns (alerts) or 4 (silences) short.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { carrierDown, estateOf, healthyCircuit } from "../support/estate/index.js";
import { circuitId } from "../support/estate/ids.js";
import { estateAccess } from "../support/estate-access.js";
import { startWorld, type World } from "../support/world.js";

const WIDTH = 80;
const NOW = new Date("2026-11-22T02:07:00.000Z");

let azurite: Azurite;
let world: World;
beforeAll(async () => {
  azurite = await startAzurite();
  const bundle = healthyCircuit();
  carrierDown(bundle.circuit, "AzurePrivatePeering", "primary");
  carrierDown(bundle.circuit, "AzurePrivatePeering", "secondary");
  world = await startWorld({ estate: estateOf(bundle), azurite, now: () => NOW });
});
afterAll(async () => {
  await world?.close();
  await azurite?.stop();
});

async function cli(argv: string[]) {
  const access = estateAccess(world.estate);
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env: { ...world.env, ServiceBusConnection: undefined, COLUMNS: String(WIDTH) },
    credential: access.credential,
    armClientOptions: access.armClientOptions,
    now: () => NOW,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const columns = (line: string) => Array.from(line).length;

/** The block opening with the line that matches `start`, and its lines indented `hanging` deep. */
function block(stdout: string, start: RegExp, hanging: number, until?: RegExp): string[] {
  const lines = stdout.split("\n");
  const first = lines.findIndex((l) => start.test(l));
  expect(first, `no line matches ${start}`).toBeGreaterThanOrEqual(0);
  const out = [lines[first]!];
  for (const line of lines.slice(first + 1)) {
    if (!line.startsWith(" ".repeat(hanging)) || until?.test(line)) break;
    out.push(line);
  }
  return out;
}

/** Every line but the last took each word that fit: the next word would not have. */
function expectFilled(lines: string[]) {
  expect(lines.length, lines.join("\n")).toBeGreaterThanOrEqual(3);
  lines.forEach((line, i) => {
    expect(columns(line), line).toBeLessThanOrEqual(WIDTH);
    const next = lines[i + 1]?.trimStart().split(" ")[0];
    if (next !== undefined) expect(columns(line) + 1 + columns(next), line).toBeGreaterThan(WIDTH);
  });
}

describe(`lists under a row fill ${WIDTH} columns`, () => {
  it("erwatch alerts: the next action", async () => {
    const swept = await cli(["sweep", "--state"]);
    expect(swept.code, swept.stderr).toBe(1);
    const ran = await cli(["alerts"]);
    expect(ran.code, ran.stderr).toBe(1);
    expectFilled(block(ran.stdout, /^ {6}Next: /, 12));
  });

  it("erwatch silence list: who silenced it and why", async () => {
    const reason =
      "Carrier maintenance CHG-4711 on the primary and secondary cross-connects at the Silicon Valley meet-me room, agreed with the NOC; call the carrier desk if it overruns";
    const added = await cli([
      "silence",
      "add",
      "--circuit",
      circuitId(world.estate.state.circuits[0]!),
      "--duration",
      "2h",
      "--reason",
      reason,
      "--author",
      "alice@example.com",
    ]);
    expect(added.code, added.stderr).toBe(0);
    const ran = await cli(["silence", "list"]);
    expect(ran.code, ran.stderr).toBe(0);
    const by = block(ran.stdout, /^ {4}by alice@example\.com: /, 4, /^ {4}\/subscriptions\//);
    expectFilled(by);
    expect(by.join(" ").replace(/ +/g, " ").trim()).toBe(`by alice@example.com: ${reason}`);
  });
});
