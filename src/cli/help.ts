// What `--help` adds under each command: the settings it reads (from the one
// settings table, so help cannot drift from the code) and the exit codes.

import { SETTINGS, type Section } from "../config/settings.js";
import { EXIT_CODE_HELP } from "./context.js";
import { wrap } from "./terminal.js";

const TERMINAL_SETTINGS =
  "Terminal: NO_COLOR (no colours), COLUMNS (width; default the terminal's, 80 when piped). Sign-in: DefaultAzureCredential (`az login`, AZURE_TOKEN_CREDENTIALS).";

export function settingsOf(sections: Section[]): string[] {
  // The CLI never exports metrics: Application Insights is the Functions app's.
  return Object.entries(SETTINGS)
    .filter(
      ([name, doc]) => sections.includes(doc.section) && !name.startsWith("APPLICATIONINSIGHTS_"),
    )
    .map(([name]) => name);
}

export function commandHelp(
  groups: { label: string; sections: Section[] }[],
  width: number,
): string {
  const lines: string[] = ["", "Settings read (environment variables; see README, Settings):"];
  for (const g of groups)
    lines.push(
      ...wrap(`${g.label}: ${settingsOf(g.sections).join(", ")}`, width - 2, "    ").map(
        (l) => `  ${l}`,
      ),
    );
  lines.push(...wrap(TERMINAL_SETTINGS, width - 2, "    ").map((l) => `  ${l}`));
  lines.push("", EXIT_CODE_HELP);
  return lines.join("\n");
}
