// The status page in a real browser: state built by real sweeps (fake reader,
// Azurite, injected clock), served by the real status handler on a loopback
// HTTP server, opened in headless Chromium. Checks what an operator sees: the
// red cell on the broken path, green on the healthy one, and the open alert
// with its owner and next action. Leaves a screenshot in test-artifacts/.

import { mkdirSync, rmSync, statSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CircuitReader, CircuitTarget } from "../../src/app/ports.js";
import type { AlertEvent } from "../../src/core/alert-event.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { ensureChromium } from "../support/chromium.js";
import { functionDeps } from "../support/function-deps.js";
import { serveStatus as serve } from "../support/status-http.js";
import { circuitReading, CIRCUIT_ID, type CircuitSpec } from "../support/readings.js";
import { OWNER_WORDS } from "../../src/core/vocabulary.js";

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
const SCREENSHOT = `${ARTIFACTS}status-page.png`;
const WAIT_MS = 10_000;

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);

const BROKEN = "er-circuit-prod";
const HEALTHY = "er-circuit-dr";
const PEERING = "AzurePrivatePeering";
// No ARP entry from the customer edge on the secondary link, so no BGP session on it either.
const SECONDARY_DOWN: CircuitSpec = {
  paths: { [PEERING]: { secondary: { arp: "empty", bgp: "Idle" } } },
};
// The provider column is the layer-2 (ARP) layer of the page.
const BROKEN_LAYER = "provider";

/** Two circuits, each read from the domain builders with its own spec. */
class TwoCircuitReader implements CircuitReader {
  readonly targets: CircuitTarget[] = [
    { id: CIRCUIT_ID, subscriptionId: SUBSCRIPTION, resourceGroup: "rg-hybrid-core", name: BROKEN },
    {
      id: CIRCUIT_ID.replace(/er-circuit-prod$/, HEALTHY),
      subscriptionId: SUBSCRIPTION,
      resourceGroup: "rg-hybrid-core",
      name: HEALTHY,
    },
  ];
  readonly specs = new Map<string, CircuitSpec>();

  async discover() {
    return { targets: this.targets, failures: [] };
  }

  async read(target: CircuitTarget) {
    const reading = circuitReading(this.specs.get(target.name) ?? {});
    reading.ref = { ...reading.ref, id: target.id, name: target.name };
    return { kind: "read" as const, reading, settingProblems: [] };
  }
}

interface CellView {
  circuit: string;
  peering: string;
  path: string;
  layer: string;
  status: string;
  className: string;
  text: string;
  background: string;
}

// The project type-checks as Node code (no DOM lib), so the little of the
// browser these callbacks touch inside the page is declared here.
interface PageElement {
  dataset: Record<string, string | undefined>;
  className: string;
  firstChild: { textContent: string | null } | null;
  style: { backgroundColor: string };
  parentElement: { dataset: Record<string, string | undefined> } | null;
  remove(): void;
}
interface PageWindow {
  document: {
    styleSheets: ArrayLike<{
      cssRules: ArrayLike<{ selectorText?: string; style?: { backgroundColor: string } }>;
    }>;
    createElement(tag: string): PageElement;
    body: { append(child: PageElement): void };
  };
  getComputedStyle(element: PageElement): { backgroundColor: string };
}

/** Every status cell of the circuits table (its circuit and peering its row's), with its computed background. */
function cells(page: Page): Promise<CellView[]> {
  return page.$$eval("#circuits td[data-layer]", (tds) => {
    const win = globalThis as unknown as PageWindow;
    return tds.map((td) => {
      const el = td as unknown as PageElement;
      return {
        circuit: el.parentElement?.dataset.circuit ?? "",
        peering: el.parentElement?.dataset.peering ?? "",
        path: el.dataset.path ?? "",
        layer: el.dataset.layer ?? "",
        status: el.dataset.status ?? "",
        className: el.className,
        text: el.firstChild?.textContent ?? "",
        background: win.getComputedStyle(el).backgroundColor,
      };
    });
  });
}

/** The background a class selector gets from the page's own stylesheet, as the browser resolves it. */
function ruleBackground(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((wanted) => {
    const win = globalThis as unknown as PageWindow;
    for (const sheet of Array.from(win.document.styleSheets))
      for (const rule of Array.from(sheet.cssRules))
        if (rule.selectorText === wanted && rule.style) {
          const probe = win.document.createElement("div");
          probe.style.backgroundColor = rule.style.backgroundColor;
          win.document.body.append(probe);
          const resolved = win.getComputedStyle(probe).backgroundColor;
          probe.remove();
          return resolved;
        }
    return null;
  }, selector);
}

function rgb(colour: string): [number, number, number] {
  const m = /^rgba?\((\d+), (\d+), (\d+)/.exec(colour);
  if (!m) throw new Error(`not an rgb() colour: ${colour}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
const isRed = (colour: string) => {
  const [r, g, b] = rgb(colour);
  return r - g > 50 && r - b > 50;
};
const isGreen = (colour: string) => {
  const [r, g, b] = rgb(colour);
  return g - r > 20 && g - b > 20;
};

const browserCheck = await ensureChromium();
if ("skipReason" in browserCheck)
  console.warn(`[status-page.browser] skipped: ${browserCheck.skipReason}`);
else
  console.info(
    `[status-page.browser] ${browserCheck.installed ? "installed" : "found"} ${browserCheck.version} at ${browserCheck.executablePath} (${browserCheck.elapsedMs} ms)`,
  );

describe.skipIf("skipReason" in browserCheck)("status page in headless Chromium", () => {
  let azurite: Azurite | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  let opened: AlertEvent;

  beforeAll(async () => {
    if (!("executablePath" in browserCheck)) return;
    azurite = await startAzurite();
    const reader = new TwoCircuitReader();
    let clock = minute(0);
    const deps = await functionDeps(
      azurite.connectionString,
      reader,
      { ERWATCH_SUBSCRIPTIONS: SUBSCRIPTION },
      () => clock,
    );
    const sweeper = deps.runtime.sweeper;
    if (!sweeper) throw new Error("functionDeps built no sweeper");
    const sweep = async (m: number) => {
      clock = minute(m);
      await sweeper.sweep({
        targets: reader.targets,
        now: clock,
        abortSignal: AbortSignal.timeout(30_000),
      });
    };
    await sweep(0); // both healthy
    reader.specs.set(BROKEN, SECONDARY_DOWN);
    await sweep(5); // held by hysteresis
    await sweep(10); // opens
    await sweep(15);
    clock = minute(16);
    expect(deps.sink.published.map((e) => `${e.action}:${e.circuit.name}:${e.family}`)).toEqual([
      `open:${BROKEN}:path-down`,
    ]);
    opened = deps.sink.published[0]!;

    server = await serve(httpStatusHandler(async () => deps));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/status`;
    browser = await chromium.launch({
      executablePath: browserCheck.executablePath,
      headless: true,
      args: ["--no-sandbox"],
      timeout: 30_000,
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    page.setDefaultTimeout(WAIT_MS);
    const response = await page.goto(url, { waitUntil: "load", timeout: WAIT_MS });
    expect(response?.status()).toBe(200);
    // Chromium takes gzip: the page below was drawn from the compressed answer.
    expect((await response!.allHeaders())["content-encoding"]).toBe("gzip");
    await page.waitForSelector("#circuits td[data-layer]", { timeout: WAIT_MS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await azurite?.stop();
  }, 30_000);

  it("should take its colours from the page's stylesheet: red for down, green for up", async () => {
    const down = await ruleBackground(page, ".s-down");
    const up = await ruleBackground(page, ".s-up");
    expect(down).not.toBeNull();
    expect(up).not.toBeNull();
    expect(isRed(down!)).toBe(true);
    expect(isGreen(up!)).toBe(true);
  });

  it("should show the red cell on the broken path and layer, and green on the same layer of the healthy path", async () => {
    const all = await cells(page);
    const down = await ruleBackground(page, ".s-down");
    const up = await ruleBackground(page, ".s-up");
    const at = (circuit: string, path: string, layer: string) =>
      all.find(
        (c) =>
          c.circuit === circuit && c.peering === PEERING && c.path === path && c.layer === layer,
      );

    const broken = at(BROKEN, "secondary", BROKEN_LAYER);
    expect(broken).toMatchObject({ status: "down", className: "s-down", text: "DOWN" });
    expect(broken!.background).toBe(down);
    expect(isRed(broken!.background)).toBe(true);

    const sameLayerPrimary = at(BROKEN, "primary", BROKEN_LAYER);
    expect(sameLayerPrimary).toMatchObject({ status: "up", className: "s-up", text: "ok" });
    expect(sameLayerPrimary!.background).toBe(up);
    expect(isGreen(sameLayerPrimary!.background)).toBe(true);

    // Every red cell on the page is on the broken circuit's secondary path, and that path's
    // BGP session (which rides on ARP) is down with it; nothing on the primary path is red.
    const red = all.filter((c) => isRed(c.background));
    expect(red.length).toBeGreaterThan(0);
    for (const c of red) expect(c).toMatchObject({ circuit: BROKEN, path: "secondary" });
    expect(red.map((c) => c.layer)).toEqual(expect.arrayContaining([BROKEN_LAYER, "bgp"]));
    expect(all.filter((c) => c.status === "down")).toEqual(red);
  });

  it("should show no red cell on the healthy circuit", async () => {
    const healthy = (await cells(page)).filter((c) => c.circuit === HEALTHY);
    expect(healthy).toHaveLength(16); // one peering, two paths, eight layers (end to end, capacity)
    expect(healthy.filter((c) => isRed(c.background) || c.status === "down")).toEqual([]);
    for (const path of ["primary", "secondary"])
      expect(healthy.find((c) => c.path === path && c.layer === BROKEN_LAYER)?.status).toBe("up");
  });

  it("should list the open alert with its owner and next action", async () => {
    const rows = await page.$$eval("#alerts tbody tr[data-alert]", (trs) =>
      trs.map((tr) => {
        const row = tr as unknown as {
          dataset: Record<string, string | undefined>;
          querySelectorAll(selector: string): ArrayLike<PageElement>;
        };
        return {
          key: row.dataset.alert,
          severity: row.dataset.severity,
          cells: Array.from(row.querySelectorAll("td"), (td) => td.firstChild?.textContent ?? ""),
        };
      }),
    );
    const headers = await page.$$eval("#alerts thead th", (ths) =>
      ths.map((th) => (th as unknown as { textContent: string | null }).textContent),
    );
    expect(headers).toEqual([
      "Severity",
      "Age",
      "Circuit",
      "Peering",
      "Paths",
      "Owner",
      "What",
      "Next action",
    ]);
    expect(rows).toHaveLength(1);
    const row = Object.fromEntries(headers.map((h, i) => [h, rows[0]!.cells[i]]));
    expect(rows[0]!.key).toBe(opened.key);
    expect(row).toMatchObject({
      Circuit: BROKEN,
      Peering: PEERING,
      Paths: "secondary",
      Owner: OWNER_WORDS[opened.owner],
      "Next action": opened.nextAction,
    });
    expect(rows[0]!.severity).toBe(opened.severity);
    expect(row.Owner).toMatch(/\S/);
    expect(row["Next action"]).toMatch(/\S/);
    await expect
      .poll(() => page.locator(`#alerts tr[data-alert="${opened.key}"]`).isVisible(), {
        timeout: WAIT_MS,
      })
      .toBe(true);
  });

  it("should save a full-page screenshot as a test artifact", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rmSync(SCREENSHOT, { force: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: WAIT_MS });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(0);
  });
});

if ("skipReason" in browserCheck)
  describe("status page in headless Chromium", () => {
    it.skip(`skipped, no browser: ${browserCheck.skipReason}`, () => {});
  });
