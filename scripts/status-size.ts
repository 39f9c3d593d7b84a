// How big the status page is for an estate of 1,000 healthy circuits with two
// peerings each, and a few in trouble (test/support/status-estate.ts), and
// where its bytes go. Starts its own Azurite on loopback.
//
//   npx tsx scripts/status-size.ts [healthy circuits, default 1000] [write the page here]

import { writeFileSync } from "node:fs";
import { renderStatusHtml } from "../src/app/status-html.js";
import { startAzurite } from "../test/support/azurite.js";
import { healthyName, statusEstate, TROUBLED } from "../test/support/status-estate.js";

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const bytes = (s: string) => Buffer.byteLength(s, "utf8");
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)} %`;

const healthy = Number(process.argv[2] ?? 1000);
const azurite = await startAzurite();
try {
  const estate = await statusEstate(azurite.connectionString, healthy);
  const model = await estate.model();
  const started = performance.now();
  const html = renderStatusHtml(model, { code: "fn-key-0123456789" });
  const renderMs = performance.now() - started;
  const total = bytes(html);
  if (process.argv[3]) writeFileSync(process.argv[3], html);
  console.log(`circuits: ${model.circuits.length}, open alerts: ${model.openAlerts.length}`);
  console.log(`page: ${total} bytes (${kb(total)}), rendered in ${renderMs.toFixed(0)} ms`);
  console.log(`JSON model: ${kb(bytes(JSON.stringify(model)))}`);

  // The page's parts, by their ids.
  const part = (re: RegExp) => bytes(re.exec(html)?.[0] ?? "");
  const parts: [string, number][] = [
    ["<style>", part(/<style>[\s\S]*?<\/style>/)],
    ["banner", part(/<header id="banner">[\s\S]*?<\/header>/)],
    ["filter form", part(/<form id="filters"[\s\S]*?<\/form>/)],
    ["open alerts table", part(/<table id="alerts">[\s\S]*?<\/table>/)],
    ["circuits table", part(/<table id="circuits">[\s\S]*?<\/table>/)],
    ["recent changes", part(/<ul id="recent">[\s\S]*?<\/ul>/)],
  ];
  for (const [name, n] of parts)
    console.log(`  ${name.padEnd(20)} ${kb(n).padStart(12)}  ${pct(n, total)}`);

  // A healthy circuit, and one in trouble: every line that names it.
  const linesOf = (name: string) =>
    html.split("\n").filter((line) => line.includes(`"${name}"`) || line.includes(`>${name}<`));
  const name = healthyName(healthy >> 1);
  const own = linesOf(name);
  const per = own.reduce((n, line) => n + bytes(line) + 1, 0);
  console.log(`a healthy circuit (${name}): ${own.length} line(s), ${per} bytes`);
  console.log(`  × ${healthy} = ${kb(per * healthy)} (${pct(per * healthy, total)} of the page)`);
  const troubled = linesOf(TROUBLED.down).filter((l) => l.includes("data-layer"));
  const full = troubled.reduce((n, line) => n + bytes(line) + 1, 0);
  console.log(
    `a circuit in full (${TROUBLED.down}): ${troubled.length} peering row(s), ${full} bytes`,
  );
  const cells = troubled.flatMap((row) => row.match(/<td [^>]*data-layer[\s\S]*?<\/td>/g) ?? []);
  if (cells.length > 0)
    console.log(
      `  a layer cell: ${(cells.reduce((n, c) => n + bytes(c), 0) / cells.length).toFixed(0)} bytes on average, ${cells.length} of them; e.g.\n    ${cells.join("\n    ").split("\n").slice(0, 3).join("\n")}`,
    );

  // Attributes across the page (inside tags only): what repeats.
  const attrs = new Map<string, { count: number; bytes: number }>();
  for (const tag of html.match(/<[a-z][^>]*>/g) ?? [])
    for (const m of tag.matchAll(/ ([a-z-]+)(?:="[^"]*")?/g)) {
      const a = attrs.get(m[1]!) ?? { count: 0, bytes: 0 };
      a.count += 1;
      a.bytes += bytes(m[0]);
      attrs.set(m[1]!, a);
    }
  console.log("attributes, largest first:");
  for (const [a, { count, bytes: n }] of [...attrs]
    .sort((x, y) => y[1].bytes - x[1].bytes)
    .slice(0, 12))
    console.log(
      `  ${a.padEnd(20)} ${String(count).padStart(7)} × ${kb(n).padStart(12)}  ${pct(n, total)}`,
    );
  const text = html.replace(/<[^>]*>/g, "");
  console.log(`text outside tags: ${kb(bytes(text))} (${pct(bytes(text), total)})`);
} finally {
  await azurite.stop();
}
