// The status page for a fleet, in headless Chromium at a desktop and a phone
// width: 29 circuits (the count that today put the first alert 2,800 px down,
// alphabetically), the broken ones named to sort last. The banner, the open
// alerts worst first and the grid worst circuit first must come first; Sev0
// must not look like Sev2; filters keep the function key; the phone layout
// reflows instead of shrinking the page. Screenshots at both widths are kept
// in test-artifacts/, and the page heights printed.

import { mkdirSync, rmSync, statSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CircuitReader, CircuitTarget } from "../../src/app/ports.js";
import { httpStatusHandler } from "../../src/functions/http-status.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { ensureChromium } from "../support/chromium.js";
import { functionDeps } from "../support/function-deps.js";
import { circuitReading, CIRCUIT_ID, type CircuitSpec } from "../support/readings.js";
import { serveStatus } from "../support/status-http.js";

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
const WAIT_MS = 10_000;
const KEY = "fn-key-123";
const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const minute = (m: number) => new Date(T0 + m * 60_000);

const PEERING = "AzurePrivatePeering";
const SEV0 = "zz-branch-both-down";
const SEV2 = "yy-branch-one-down";
const BOTH_DOWN: CircuitSpec = {
  paths: {
    [PEERING]: {
      primary: { arp: "empty", bgp: "Idle" },
      secondary: { arp: "empty", bgp: "Idle" },
    },
  },
};
const SECONDARY_DOWN: CircuitSpec = {
  paths: { [PEERING]: { secondary: { arp: "empty", bgp: "Idle" } } },
};
const CARRIERS = [
  { provider: "Equinix", location: "Amsterdam" },
  { provider: "Megaport", location: "London" },
  { provider: "Equinix", location: "Frankfurt" },
];

class FleetReader implements CircuitReader {
  readonly targets: CircuitTarget[] = [
    ...Array.from({ length: 27 }, (_, i) => `er-site-${String(i + 1).padStart(2, "0")}`),
    SEV2,
    SEV0,
  ].map((name) => ({
    id: CIRCUIT_ID.replace(/er-circuit-prod$/, name),
    subscriptionId: SUBSCRIPTION,
    resourceGroup: "rg-hybrid-core",
    name,
  }));
  readonly specs = new Map<string, CircuitSpec>();
  /** When its reads happen: the sweep's clock (the page ages a circuit by its readings). */
  readAt: string | undefined;

  async discover() {
    return { targets: this.targets, failures: [] };
  }

  async read(target: CircuitTarget) {
    const spec = this.specs.get(target.name) ?? {};
    const reading = circuitReading(this.readAt ? { ...spec, readAt: this.readAt } : spec);
    reading.ref = { ...reading.ref, id: target.id, name: target.name };
    const carrier = CARRIERS[this.targets.indexOf(target) % CARRIERS.length]!;
    if (reading.circuit.ok)
      reading.circuit.value = {
        ...reading.circuit.value,
        serviceProviderName: carrier.provider,
        peeringLocation: carrier.location,
      };
    return { kind: "read" as const, reading, settingProblems: [] };
  }
}

interface Layout {
  innerWidth: number;
  scrollWidth: number;
  height: number;
  firstAlertTop: number | null;
  circuitsTop: number;
  alertOrder: string[];
  circuitOrder: string[];
  badge: Record<string, { background: string; text: string }>;
}

interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getBoundingClientRect(): { top: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
interface PageWindow {
  innerWidth: number;
  scrollY: number;
  document: {
    documentElement: { scrollWidth: number; scrollHeight: number };
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
  getComputedStyle(element: PageElement): { backgroundColor: string };
}

function layout(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const win = globalThis as unknown as PageWindow;
    const doc = win.document;
    const top = (el: PageElement | null) =>
      el ? el.getBoundingClientRect().top + win.scrollY : null;
    const badge: Layout["badge"] = {};
    for (const el of Array.from(doc.querySelectorAll("#alerts .badge[data-severity]")))
      badge[el.dataset.severity ?? ""] = {
        background: win.getComputedStyle(el).backgroundColor,
        text: el.textContent ?? "",
      };
    const circuits: string[] = [];
    // The grid, then the circuits drawn a line each (read late, healthy), in the page's order.
    const rows = "#circuits tbody tr[data-circuit], table.lines tbody tr[data-circuit]";
    for (const tr of Array.from(doc.querySelectorAll(rows)))
      if (circuits.at(-1) !== tr.dataset.circuit) circuits.push(tr.dataset.circuit ?? "");
    return {
      innerWidth: win.innerWidth,
      scrollWidth: doc.documentElement.scrollWidth,
      height: doc.documentElement.scrollHeight,
      firstAlertTop: top(doc.querySelector("#alerts tr[data-alert]")),
      circuitsTop: top(doc.querySelector("#circuits tbody tr")) ?? -1,
      alertOrder: Array.from(doc.querySelectorAll("#alerts tr[data-alert]")).map(
        (tr) => `${tr.dataset.severity} ${tr.dataset.circuit}`,
      ),
      circuitOrder: circuits,
      badge,
    };
  });
}

const browserCheck = await ensureChromium();

describe.skipIf("skipReason" in browserCheck)("status page for a fleet, desktop and phone", () => {
  let azurite: Azurite | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let url: string;
  let clock = minute(0);

  beforeAll(async () => {
    if (!("executablePath" in browserCheck)) return;
    azurite = await startAzurite();
    const reader = new FleetReader();
    const deps = await functionDeps(
      azurite.connectionString,
      reader,
      { ERWATCH_SUBSCRIPTIONS: SUBSCRIPTION, SWEEP_SCHEDULE: "0 */5 * * * *" },
      () => clock,
    );
    const sweep = async (m: number) => {
      clock = minute(m);
      reader.readAt = clock.toISOString();
      await deps.runtime.sweeper.sweep({
        scope: { subscriptions: [SUBSCRIPTION], circuitIds: [] },
        now: clock,
        abortSignal: AbortSignal.timeout(30_000),
      });
    };
    await sweep(0);
    reader.specs.set(SEV0, BOTH_DOWN);
    reader.specs.set(SEV2, SECONDARY_DOWN);
    await sweep(5); // Sev0 opens at once
    await sweep(10); // Sev2 opens on its second sweep
    clock = minute(35);
    expect(deps.sink.published.map((e) => `${e.action} ${e.severity} ${e.circuit.name}`)).toEqual([
      `open Sev0 ${SEV0}`,
      `open Sev2 ${SEV2}`,
    ]);
    server = await serveStatus(httpStatusHandler(async () => deps.status));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/status?code=${KEY}`;
    browser = await chromium.launch({
      executablePath: browserCheck.executablePath,
      headless: true,
      args: ["--no-sandbox"],
      timeout: 30_000,
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await azurite?.stop();
  }, 30_000);

  async function open(
    viewport: { width: number; height: number },
    mobile: boolean,
    at = url,
  ): Promise<Page> {
    const context = await browser!.newContext({
      viewport,
      isMobile: mobile,
      hasTouch: mobile,
      deviceScaleFactor: mobile ? 2 : 1,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const response = await page.goto(at, { waitUntil: "load", timeout: WAIT_MS });
    expect(response?.status()).toBe(200);
    return page;
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    const path = `${ARTIFACTS}${name}`;
    rmSync(path, { force: true });
    await page.screenshot({ path, fullPage: true, timeout: WAIT_MS });
    expect(statSync(path).size).toBeGreaterThan(0);
  }

  it("desktop (1280 px): the banner, then alerts worst first in the first screen, then circuits worst first", async () => {
    const page = await open({ width: 1280, height: 800 }, false);
    const l = await layout(page);
    console.info(
      `[status-fleet] desktop 1280 px: page ${l.height} px high, first alert at ${Math.round(l.firstAlertTop ?? -1)} px`,
    );
    expect(l.firstAlertTop).not.toBeNull();
    expect(l.firstAlertTop!).toBeLessThan(400);
    expect(l.circuitsTop).toBeGreaterThan(l.firstAlertTop!);
    expect(l.alertOrder).toEqual([`Sev0 ${SEV0}`, `Sev2 ${SEV2}`]);
    expect(l.circuitOrder.slice(0, 2)).toEqual([SEV0, SEV2]);
    expect(l.circuitOrder).toHaveLength(29);
    expect(l.scrollWidth).toBeLessThanOrEqual(1280);

    // Sev0 and Sev2 differ in colour and in words.
    expect(l.badge.Sev0!.background).not.toBe(l.badge.Sev2!.background);
    expect(l.badge.Sev0!.text).toMatch(/Sev0\s*critical/);
    expect(l.badge.Sev2!.text).toMatch(/Sev2\s*warning/);

    const banner = await page.locator("#banner").innerText();
    expect(banner).toMatch(/1\s*Sev0/);
    expect(banner).toMatch(/1\s*Sev2/);
    // The last sweep finished at 01:10 and a little (its own duration); the page is at 01:35.
    expect(banner).toMatch(
      /Last completed sweep 2[45] min ago \(2026-11-22 01:10:\d\dZ\): 29 circuits/,
    );
    expect(banner).toMatch(/Oldest reading: .+, 25 min ago/);
    // Three 5-minute intervals without a completed sweep: stale.
    await expect.poll(() => page.locator("#stale").isVisible(), { timeout: WAIT_MS }).toBe(true);
    // Every layer ok when last read, but read 25 min ago: a line each, marked stale, after the grid.
    const late = page.locator("#late-circuits tbody tr[data-circuit]");
    expect(await late.count()).toBe(27);
    expect(await late.first().locator(".read.old").innerText()).toMatch(
      /^read 2[45] min ago \(stale\)$/,
    );
    expect(await page.locator("#alerts tr[data-alert]").first().innerText()).toMatch(/down 30 min/);
    await screenshot(page, "status-page-desktop.png");
    await page.context().close();
  });

  it("phone (390 px): laid out for the phone, nothing wider than the screen, the first alert in the first screen", async () => {
    const page = await open({ width: 390, height: 844 }, true);
    const l = await layout(page);
    console.info(
      `[status-fleet] phone 390 px: page ${l.height} px high, first alert at ${Math.round(l.firstAlertTop ?? -1)} px`,
    );
    // The viewport meta: CSS pixels of the phone, not a 980 px page shrunk to fit.
    expect(l.innerWidth).toBe(390);
    expect(l.scrollWidth).toBeLessThanOrEqual(390);
    expect(l.firstAlertTop!).toBeLessThan(844);
    expect(l.circuitOrder.slice(0, 2)).toEqual([SEV0, SEV2]);
    // The grid became cards: a circuit's cells sit in rows of three, each saying its layer.
    const cell = page.locator(
      `#circuits tr[data-circuit="${SEV0}"] td[data-path="secondary"][data-layer="provider"]`,
    );
    expect(await cell.innerText()).toMatch(/^DOWN/);
    const shape = await cell.evaluate((td) => {
      const win = globalThis as unknown as {
        getComputedStyle(e: unknown, pseudo?: string): { content: string; display: string };
      };
      const row = (td as unknown as { parentElement: unknown }).parentElement;
      return {
        label: win.getComputedStyle(td, "::before").content,
        row: win.getComputedStyle(row).display,
      };
    });
    expect(shape).toEqual({ label: '"L2"', row: "grid" });
    await screenshot(page, "status-page-phone.png");
    await page.context().close();
  });

  it("filters by severity, provider and location, keeping the function key", async () => {
    const page = await open({ width: 1280, height: 800 }, false);
    await Promise.all([
      page.waitForURL(/severity=Sev0/, { timeout: WAIT_MS }),
      page.selectOption("#filters select[name=severity]", "Sev0"),
    ]);
    expect(new URL(page.url()).searchParams.get("code")).toBe(KEY);
    let l = await layout(page);
    expect(l.circuitOrder).toEqual([SEV0]);
    expect(l.alertOrder).toEqual([`Sev0 ${SEV0}`]);

    await page.goto(`${url}&provider=Megaport`, { waitUntil: "load", timeout: WAIT_MS });
    l = await layout(page);
    expect(l.circuitOrder.length).toBeGreaterThan(0);
    for (const name of l.circuitOrder)
      expect(
        await page.locator(`#circuits tr[data-circuit="${name}"] th`).first().innerText(),
      ).toMatch(/Megaport @ London/);

    await page.goto(`${url}&location=Frankfurt&severity=Sev2`, {
      waitUntil: "load",
      timeout: WAIT_MS,
    });
    l = await layout(page);
    // The Sev0 circuit is in Frankfurt (index 28 % 3 = 1 → London); the filter is an intersection.
    for (const name of l.circuitOrder)
      expect(
        await page.locator(`#circuits tr[data-circuit="${name}"] th`).first().innerText(),
      ).toMatch(/@ Frankfurt/);
    const clear = page.locator("#clear-filters");
    expect(await clear.getAttribute("href")).toBe(`?code=${KEY}`);
    await page.context().close();
  });

  it("draws a healthy circuit a line each once the view is large, and its name opens its layers, keeping the function key", async () => {
    // Read on time: at 35 every reading is stale, so the healthy ones are listed as read late.
    clock = minute(12);
    const page = await open({ width: 390, height: 844 }, true);
    try {
      expect(await page.locator("#healthy-circuits tbody tr[data-circuit]").count()).toBe(27);
      expect(await page.locator("#lines-note").innerText()).toMatch(
        /2 circuits in trouble, drawn in full below\. The other 27 are healthy/,
      );
      for (const name of [SEV0, SEV2])
        expect(
          await page.locator(`#circuits tr[data-circuit="${name}"] td[data-layer]`).count(),
        ).toBe(16);
      const row = page.locator('#healthy-circuits tr[data-circuit="er-site-02"]');
      expect(await row.innerText()).toMatch(
        /^er-site-02\s*Megaport @ London\s*1 peering ok\s*read \d+ min ago/,
      );
      const l = await layout(page);
      expect(l.scrollWidth).toBeLessThanOrEqual(390);
      await screenshot(page, "status-page-phone-healthy.png");
      await Promise.all([
        page.waitForURL(/circuit=er-site-02/, { timeout: WAIT_MS }),
        row.locator("button").click(),
      ]);
      const opened = new URL(page.url()).searchParams;
      expect([opened.get("circuit"), opened.get("code")]).toEqual(["er-site-02", KEY]);
      expect(
        await page.locator('#circuits tr[data-circuit="er-site-02"] td[data-layer]').count(),
      ).toBe(16);
      expect(await page.locator("#healthy-circuits").count()).toBe(0);
      expect(await page.locator("#filters input[name=circuit]").inputValue()).toBe("er-site-02");
    } finally {
      clock = minute(35);
      await page.context().close();
    }
  });

  it("is not stale while sweeps complete", async () => {
    clock = minute(12);
    const page = await open({ width: 1280, height: 800 }, false);
    expect(await page.locator("#stale").count()).toBe(0);
    expect(await page.locator("#last-sweep").getAttribute("data-stale")).toBe("false");
    clock = minute(35);
    await page.context().close();
  });
});

if ("skipReason" in browserCheck)
  describe("status page for a fleet, desktop and phone", () => {
    it.skip(`skipped, no browser: ${browserCheck.skipReason}`, () => {});
  });
