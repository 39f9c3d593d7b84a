// What `--help` adds under each command: the settings it reads and the exit
// codes. The settings are found by running the command's own settings loader
// (command-config.ts) against a recording environment, so help cannot drift
// from the code: a setting is listed when, and only when, the loader reads it.

import { ConfigError } from "../config/reader.js";
import { SETTINGS, type Env, type SettingName } from "../config/settings.js";
import type { ConfigLoad } from "./command-config.js";
import { EXIT_CODE_HELP, type ExitCodeHelp } from "./context.js";
import { wrap } from "./terminal.js";

const TERMINAL_SETTINGS =
  "Terminal: NO_COLOR (no colours), COLUMNS (width; default the terminal's, 80 when piped). Sign-in: DefaultAzureCredential (`az login`, AZURE_TOKEN_CREDENTIALS).";

/**
 * The environment a loader is run against: nothing set but Table Storage by
 * its last fallback. Every setting with a default is read; every form of a
 * connection is tried before the loader finds one (Table Storage) or reports
 * none (Service Bus); and optional Table Storage (`diagnose --routes`, read
 * only when a connection is configured) is read like the required.
 */
const PROBE: Env = { AzureWebJobsStorage__accountName: "erwatchprobe" };

/**
 * The settings `load` reads, in the settings table's order. A loader reads
 * every setting before it throws the problems it collected (here: what is
 * missing from the probe), so a ConfigError still leaves a full record.
 */
export function settingsRead(load: ConfigLoad): SettingName[] {
  const read = new Set<string>();
  const note = (name: string | symbol) => {
    if (typeof name === "string") read.add(name);
  };
  const env = new Proxy<Record<string, string | undefined>>(
    { ...PROBE },
    {
      get: (target, name) => {
        note(name);
        return Reflect.get(target, name) as string | undefined;
      },
      has: (target, name) => {
        note(name);
        return Reflect.has(target, name);
      },
    },
  );
  try {
    load(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  return (Object.keys(SETTINGS) as SettingName[]).filter((name) => read.has(name));
}

/**
 * One line per group: the settings its loader reads that no earlier line
 * listed (`sweep --state` adds to what `sweep` reads).
 */
export interface SettingsGroup {
  label: string;
  load: ConfigLoad;
}

export function commandHelp(
  groups: SettingsGroup[],
  width: number,
  exits: ExitCodeHelp = "report",
): string {
  const lines: string[] = ["", "Settings read (environment variables; see README, Settings):"];
  const listed = new Set<string>();
  for (const g of groups) {
    const names = settingsRead(g.load).filter((name) => !listed.has(name));
    if (names.length === 0) continue;
    for (const name of names) listed.add(name);
    lines.push(...wrap(`${g.label}: ${names.join(", ")}`, width - 2, "    ").map((l) => `  ${l}`));
  }
  lines.push(...wrap(TERMINAL_SETTINGS, width - 2, "    ").map((l) => `  ${l}`));
  lines.push("", EXIT_CODE_HELP[exits]);
  return lines.join("\n");
}
