// The status page of an estate: 1,000 healthy circuits with two peerings each
// and four in trouble among them (test/support/status-estate.ts). The page
// reloads every minute, often on a phone at night; before, it was 10.9 MB, a
// cell of 300 bytes for each of a healthy circuit's 32 layers, and as much
// again whenever sweeps stopped (every reading stale, every circuit in full).
// Now a healthy circuit, or one ok when last read but read late, is one line,
// and what is in trouble is drawn as before, in full.
// `npx tsx scripts/status-size.ts` says where the bytes go.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import type { StatusModel } from "../../src/app/status.js";
import { encodeBody } from "../../src/functions/http/encoding.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { minute } from "../support/sweep-harness.js";
import {
  healthyName,
  PROVIDERS,
  statusEstate,
  TROUBLED,
  type StatusEstate,
} from "../support/status-estate.js";

const HEALTHY = 1000;
const KEY = "fn-key-0123456789abcdef";
/**
 * 230 KB drawn now (1,000 lines of about 200 bytes, three circuits in full at
 * 6 KB each, 5 KB of style), 290 KB once sweeps stop. Twice the first leaves
 * room for real names three times as long, or some 20 more circuits in
 * trouble, and is a twentieth of the 10.9 MB before.
 */
const CEILING = 512 * 1024;
/**
 * A circuit with two peerings in full: 6 KB drawn now (32 cells of about 145
 * bytes, a row head each), 10.9 KB before, when every cell also carried its
 * circuit, peering and label, and an ok cell its detail twice. A carrier's
 * outage draws all its circuits in full at once: 200 here.
 */
const FULL_CIRCUIT = 8 * 1024;
/** 200 circuits in full at most 8 KiB each, 800 lines: 1.3 MB now, 2.4 MB before. */
const CARRIER_DOWN_CEILING = 2 * 1024 * 1024;
/** A healthy circuit's line: its name three times (row, button, text), its place, its read ages. */
const HEALTHY_LINE = 300;

let azurite: Azurite;
let estate: StatusEstate;
let model: StatusModel;
let html: string;
beforeAll(async () => {
  azurite = await startAzurite();
  estate = await statusEstate(azurite.connectionString, HEALTHY);
  model = await estate.model();
  html = renderStatusHtml(model, { code: KEY });
}, 120_000);
afterAll(async () => {
  await azurite?.stop();
});

/** The `<tr>` lines of a table that name the circuit. */
const rowsOf = (page: string, table: string, name: string) => {
  const body = new RegExp(`<table id="${table}"[^>]*>[\\s\\S]*?</table>`).exec(page)?.[0] ?? "";
  return body
    .split("\n")
    .filter((l) => l.startsWith(`<tr `) && l.includes(`data-circuit="${name}"`));
};
const layerCells = (row: string) => row.match(/<td [^>]*data-layer="[^"]*"[^>]*>/g) ?? [];

it(`is under ${CEILING / 1024} KiB for ${HEALTHY} circuits with two peerings each`, () => {
  expect(model.circuits).toHaveLength(HEALTHY + 4);
  expect(model.circuits.every((c) => c.peerings.length === 2 || c.name === TROUBLED.empty)).toBe(
    true,
  );
  const size = Buffer.byteLength(html, "utf8");
  console.info(`[status-size] ${HEALTHY + 4} circuits: ${size} bytes`);
  expect(size).toBeLessThan(CEILING);
});

/**
 * What goes over the wire to a client that takes gzip (browsers, curl
 * --compressed, Invoke-RestMethod): 16 KB of page and 46 KB of JSON measured
 * now, where the JSON alone is 4.3 MB uncompressed. A fifth of a megabyte
 * leaves the JSON room for four times the estate's variety.
 */
const WIRE_CEILING = 256 * 1024;

it(`goes over the wire gzip-compressed: the page and its JSON each under ${WIRE_CEILING / 1024} KiB`, async () => {
  const json = JSON.stringify(model);
  for (const [name, text] of [
    ["page", html],
    ["JSON", json],
  ] as const) {
    const wire = await encodeBody(text, "gzip, deflate, br");
    expect(wire.headers).toEqual({ "content-encoding": "gzip" });
    const bytes = (wire.body as Uint8Array).length;
    console.info(`[status-size] ${name}: ${Buffer.byteLength(text)} bytes, ${bytes} gzip`);
    expect(bytes).toBeLessThan(WIRE_CEILING);
  }
  // The JSON is the whole model, every healthy circuit's every cell: large uncompressed.
  expect(Buffer.byteLength(json)).toBeGreaterThan(WIRE_CEILING * 8);
});

it(`draws a healthy circuit as one line of at most ${HEALTHY_LINE} bytes, each of the ${HEALTHY} listed`, () => {
  for (const i of [0, 499, 999]) {
    const name = healthyName(i);
    const lines = html.split("\n").filter((l) => l.includes(`"${name}"`));
    expect(lines).toHaveLength(1);
    expect(Buffer.byteLength(lines[0]!, "utf8")).toBeLessThanOrEqual(HEALTHY_LINE);
    expect(lines[0]).toMatch(
      /<td>(Equinix|Megaport|AT&amp;T|Colt|Zayo) @ [^<]+<\/td><td>2 peerings ok<\/td><td>read \d+ min ago<\/td><\/tr>$/,
    );
  }
  const table = /<table id="healthy-circuits"[\s\S]*?<\/table>/.exec(html)![0];
  const listed = [...table.matchAll(/<button name="circuit" value="([^"]*)">/g)].map((m) => m[1]);
  expect(listed).toEqual(Array.from({ length: HEALTHY }, (_, i) => healthyName(i)));
  expect(html).toMatch(/<h2 id="healthy">Healthy circuits \(1000\)<\/h2>/);
  expect(html).toContain(
    `<p id="lines-note" class="note" data-late="1" data-healthy="1000">3 circuits in trouble, drawn in full below. 1 read late`,
  );
});

describe("what is in trouble among them is drawn in full", () => {
  it("the circuit with both private paths down: its alert, and every layer of both peerings", () => {
    const alert = model.openAlerts.find((a) => a.circuitName === TROUBLED.down)!;
    expect(alert.severity).toBe("Sev0");
    const alertRow = html
      .split("\n")
      .find((l) => l.startsWith(`<tr class="sev-Sev0" data-alert="${alert.key}"`))!;
    expect(alertRow).toContain(alert.nextAction.replace(/&/g, "&amp;"));
    expect(alertRow).toContain(`data-owner="carrier"`);

    const rows = rowsOf(html, "circuits", TROUBLED.down);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(layerCells(row)).toHaveLength(16);
    const privateRow = rows.find((r) => r.includes(`data-peering="AzurePrivatePeering"`))!;
    for (const path of ["primary", "secondary"])
      for (const layer of ["provider", "bgp"])
        expect(privateRow).toMatch(
          new RegExp(`data-path="${path}" data-layer="${layer}" data-status="down"`),
        );
    expect(privateRow).toContain('<span class="d">ARP table empty</span>');
    expect(privateRow).toMatch(/<span class="name">er-circuit-prod<\/span>/);
    // Both sessions down: nothing received, not the counts they had.
    expect(privateRow).toContain('<span class="d">prefixes – / –</span>');
    const microsoftRow = rows.find((r) => r.includes(`data-peering="MicrosoftPeering"`))!;
    expect(microsoftRow).toMatch(/prefixes \d+ \/ \d+/);
    expect(rowsOf(html, "healthy-circuits", TROUBLED.down)).toEqual([]);
  });

  it("the stale reading (every layer ok when read): a line marked stale, right after the grid", () => {
    expect(rowsOf(html, "circuits", TROUBLED.stale)).toEqual([]);
    const [row, ...more] = rowsOf(html, "late-circuits", TROUBLED.stale);
    expect(more).toEqual([]);
    expect(row).toMatch(
      /<td>2 peerings ok<\/td><td><span class="read old" data-read-age="18\d">read 3 h \d+ min ago \(stale\)<\/span><\/td>/,
    );
    expect(html).toMatch(/<h2 id="late">Read late \(1\)<\/h2>/);
    expect(html.indexOf('id="late-circuits"')).toBeGreaterThan(html.indexOf('id="circuits"'));
    expect(html.indexOf('id="late-circuits"')).toBeLessThan(html.indexOf('id="recent"'));
  });

  it("a circuit whose subscription cannot be listed: a read-late line that says so", () => {
    const unlisted = structuredClone(model);
    const c = unlisted.circuits.find((x) => x.name === healthyName(3))!;
    c.stale = true;
    const page = renderStatusHtml(unlisted);
    const [row, ...more] = rowsOf(page, "late-circuits", c.name);
    expect(more).toEqual([]);
    expect(row).toMatch(/; <b>its subscription cannot be listed<\/b><\/td><\/tr>$/);
    expect(rowsOf(page, "healthy-circuits", c.name)).toEqual([]);
  });

  it("the layer that could not be read, with why", () => {
    const rows = rowsOf(html, "circuits", TROUBLED.unknown);
    expect(rows).toHaveLength(2);
    expect(rows.join("\n")).toMatch(
      /data-path="primary" data-layer="bgp" data-status="unknown"[^>]*><span class="w">unknown<\/span><span class="d">route table summary could not be read: 429 TooManyRequests<\/span>/,
    );
  });

  it("the circuit with no peering read yet", () => {
    const [row, ...more] = rowsOf(html, "circuits", TROUBLED.empty);
    expect(more).toEqual([]);
    expect(row).toContain("no peering read yet");
  });

  it("in trouble first: the grid holds these three and no other circuit", () => {
    const drawn = new Set(
      [
        ...(/<table id="circuits">[\s\S]*?<\/table>/.exec(html)?.[0] ?? "").matchAll(
          /<tr class="c-[^"]*" data-circuit="([^"]*)"/g,
        ),
      ].map((m) => m[1]),
    );
    expect([...drawn]).toEqual([TROUBLED.down, TROUBLED.empty, TROUBLED.unknown]);
    expect(html.indexOf('id="circuits"')).toBeLessThan(html.indexOf('id="healthy-circuits"'));
    expect(html.indexOf('id="recent"')).toBeLessThan(html.indexOf('id="healthy-circuits"'));
  });
});

it("sweeps stopped half an hour ago: every reading stale, each circuit a line marked so, still under the ceiling", async () => {
  // Before, every circuit whose reading went stale was drawn in full: 10.9 MB
  // again, when the timer stops.
  const stopped = await estate.model({}, minute(41));
  const page = renderStatusHtml(stopped, { code: KEY });
  const size = Buffer.byteLength(page, "utf8");
  console.info(`[status-size] sweeps stopped: ${size} bytes`);
  expect(size).toBeLessThan(CEILING);
  expect(page).toMatch(/<p id="stale" class="stale" role="alert"><b>Stale:<\/b>/);
  expect(page).toMatch(/<h2 id="late">Read late \(1001\)<\/h2>/);
  expect(page).not.toContain('id="healthy"');
  const late = rowsOf(page, "late-circuits", healthyName(500));
  expect(late).toHaveLength(1);
  expect(late[0]).toMatch(
    /<span class="read old" data-read-age="3\d">read 3\d min ago \(stale\)<\/span>/,
  );
  // What is in trouble besides is still in full.
  expect(rowsOf(page, "circuits", TROUBLED.down)).toHaveLength(2);
  expect(rowsOf(page, "circuits", TROUBLED.unknown)).toHaveLength(2);
});

describe("a healthy circuit is still found", () => {
  it("its name opens it: a form of its own that keeps the function key", () => {
    const form = /<form id="open-healthy" method="get" action="">(.*)/.exec(html)?.[1];
    expect(form).toBe(`<input type="hidden" name="code" value="${KEY}">`);
    expect(html).toContain(
      `<tr data-circuit="${healthyName(500)}"><th><button name="circuit" value="${healthyName(500)}">`,
    );
  });

  it("filtered by its name (any case, a part of it), drawn in full", async () => {
    const name = healthyName(500);
    const one = await estate.model({ circuit: name.toUpperCase() });
    expect(one.circuits.map((c) => c.name)).toEqual([name]);
    const page = renderStatusHtml(one, { code: KEY });
    const rows = rowsOf(page, "circuits", name);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(layerCells(row)).toHaveLength(16);
    expect(page).not.toContain('id="healthy-circuits"');
    expect(page).toContain(`<input name="circuit" value="${name.toUpperCase()}"`);
    expect(page).toContain("(filtered: 1 of 1004)");
    // The circuit's own alerts only; none is open on it.
    expect(one.openAlerts).toEqual([]);

    const some = await estate.model({ circuit: "estate-000" });
    expect(some.circuits).toHaveLength(10);
    expect(layerCells(renderStatusHtml(some))).toHaveLength(10 * 2 * 16);
  });

  it("filtered by its provider: the provider's circuits, those in trouble in full", async () => {
    const equinix = await estate.model({ provider: "equinix" });
    expect(equinix.circuits.length).toBe(HEALTHY / PROVIDERS.length + 1);
    expect(equinix.circuits.every((c) => c.provider === "Equinix")).toBe(true);
    const page = renderStatusHtml(equinix);
    expect(rowsOf(page, "circuits", TROUBLED.down)).toHaveLength(2);
    expect(page).toMatch(/<h2 id="healthy">Healthy circuits \(200\)<\/h2>/);
    expect(Buffer.byteLength(page, "utf8")).toBeLessThan(CEILING / 4);
  });

  it("escapes what it draws in the line", () => {
    const odd = structuredClone(model);
    const c = odd.circuits.find((x) => x.name === healthyName(7))!;
    c.name = `<img src=x onerror="alert(1)">`;
    c.provider = `"><script>alert(2)</script>`;
    const page = renderStatusHtml(odd, { code: `"><b>key` });
    expect(page).not.toMatch(/<img|<script>alert|<b>key/);
    expect(page).toContain(
      `<button name="circuit" value="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;">&lt;img`,
    );
    expect(page).toContain("<td>&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt; @ ");
  });

  it("escapes a cell's detail, shown or in its title", () => {
    const odd = structuredClone(model);
    const c = odd.circuits.find((x) => x.name === TROUBLED.unknown)!;
    const paths = c.peerings.find((p) => p.name === "MicrosoftPeering")!.paths;
    paths.primary.bgp.detail = `<img src=y onerror="alert(3)">`;
    paths.secondary.bgp.detail = `"><img src=z>`;
    paths.secondary.bgp.since = `"><img src=w>`;
    const page = renderStatusHtml(odd);
    expect(page).not.toMatch(/<img/);
    expect(page).toContain(`<span class="d">&lt;img src=y onerror=&quot;alert(3)&quot;&gt;</span>`);
    expect(page).toContain(
      `title="&quot;&gt;&lt;img src=z&gt; (since &quot;&gt;&lt;img src=w&gt;)">ok</td>`,
    );
  });
});

it(`a carrier down: its ${HEALTHY / PROVIDERS.length + 1} circuits in full, each at most ${FULL_CIRCUIT / 1024} KiB, the page under ${CARRIER_DOWN_CEILING / 1024 / 1024} MiB`, () => {
  // Layer 2 down on every Equinix circuit's private primary path, as the carrier's outage reads.
  const down = structuredClone(model);
  for (const c of down.circuits)
    if (c.provider === "Equinix" && c.peerings.length > 0) {
      c.peerings[0]!.paths.primary.provider = {
        status: "down",
        detail: "ARP table empty",
        since: down.generatedAt,
      };
      c.worstStatus = "down";
    }
  const page = renderStatusHtml(down, { code: KEY });
  const size = Buffer.byteLength(page, "utf8");
  console.info(`[status-size] Equinix down: ${size} bytes`);
  const inFull = down.circuits.filter((c) => c.provider === "Equinix");
  expect(inFull).toHaveLength(HEALTHY / PROVIDERS.length + 1);
  for (const c of inFull) {
    const rows = rowsOf(page, "circuits", c.name);
    expect(rows.map((r) => layerCells(r).length)).toEqual(
      c.peerings.length === 0 ? [0] : c.peerings.map(() => 16),
    );
    expect(rows.reduce((n, r) => n + Buffer.byteLength(r, "utf8"), 0)).toBeLessThanOrEqual(
      FULL_CIRCUIT,
    );
  }
  expect(size).toBeLessThan(CARRIER_DOWN_CEILING);
});
