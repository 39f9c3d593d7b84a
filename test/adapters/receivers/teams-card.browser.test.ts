// The Teams card on a phone: rendered by Microsoft's adaptivecards renderer
// with the Teams host config in headless Chromium at 360 px, where a real
// layout engine decides line breaks. No word of a layer name, a path heading
// or a status cell may break in the middle ("provide r", "gatewa y"), and no
// text may be cut off. Leaves screenshots in test-artifacts/ (Markdown is not
// processed here, so labels show their ** marks; Teams renders them bold).

import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTeamsMessage } from "../../../src/adapters/receivers/teams/payload.js";
import type { AlertEvent } from "../../../src/core/alert-event.js";
import { LAYER_ROWS } from "../../../src/core/vocabulary.js";
import {
  arpMissingBlind,
  arpMissingEscalated,
  arpMissingOpen,
  noPrefixesOpen,
  prefixLimitOpen,
} from "../../support/alert-event-fixture.js";
import { ensureChromium } from "../../support/chromium.js";
import { TEAMS_HOST_CONFIGS } from "../../support/teams-host-config.js";

const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));
const WAIT_MS = 10_000;
const PHONE = { width: 360, height: 800 };
const BUNDLE = createRequire(import.meta.url).resolve("adaptivecards/dist/adaptivecards.js");

/** Lines a text block was laid out in, and the words that were split across two of them. */
interface Layout {
  text: string;
  brokenWords: string[];
  clipped: boolean;
}

// The project type-checks as Node code (no DOM lib): the little of the
// browser the page callback touches is declared here.
interface PageNode {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<PageNode>;
}
interface PageElement extends PageNode {
  scrollWidth: number;
  clientWidth: number;
  appendChild(child: unknown): void;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
interface PageWindow {
  AdaptiveCards: {
    AdaptiveCard: new () => {
      hostConfig: unknown;
      parse(json: unknown): void;
      render(): unknown;
    };
    HostConfig: new (json: unknown) => unknown;
  };
  document: {
    body: PageElement;
    createRange(): {
      setStart(node: PageNode, offset: number): void;
      setEnd(node: PageNode, offset: number): void;
      getClientRects(): ArrayLike<{ top: number }>;
    };
  };
}

/** Renders `card` into the page and measures every text block. */
function renderAndMeasure(page: Page, card: unknown, hostConfig: unknown): Promise<Layout[]> {
  return page.evaluate(
    ([card, hostConfig]) => {
      const win = globalThis as unknown as PageWindow;
      const body = win.document.body;
      body.textContent = "";
      const adaptive = new win.AdaptiveCards.AdaptiveCard();
      adaptive.hostConfig = new win.AdaptiveCards.HostConfig(hostConfig);
      adaptive.parse(card);
      body.appendChild(adaptive.render());
      const texts: PageNode[] = [];
      const collect = (node: PageNode) => {
        if (node.nodeType === 3) texts.push(node);
        Array.from(node.childNodes).forEach(collect);
      };
      return Array.from(body.querySelectorAll(".ac-textBlock")).map((block) => {
        texts.length = 0;
        collect(block);
        const brokenWords: string[] = [];
        for (const node of texts) {
          const value = node.textContent ?? "";
          // A word: letters and digits between spaces, hyphens or slashes, where
          // a browser may legitimately wrap.
          for (const m of value.matchAll(/[^\s\-/·]+/g)) {
            const range = win.document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
            if (tops.size > 1) brokenWords.push(m[0]);
          }
        }
        return {
          text: block.textContent ?? "",
          brokenWords,
          clipped: block.scrollWidth > block.clientWidth + 1,
        };
      });
    },
    [card, hostConfig] as const,
  );
}

const browserCheck = await ensureChromium();
if ("skipReason" in browserCheck)
  console.warn(`[teams-card.browser] skipped: ${browserCheck.skipReason}`);

describe.skipIf("skipReason" in browserCheck)("the Teams card at phone width (360 px)", () => {
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!("executablePath" in browserCheck)) return;
    browser = await chromium.launch({
      executablePath: browserCheck.executablePath,
      headless: true,
      args: ["--no-sandbox"],
      timeout: 30_000,
    });
    page = await browser.newPage({ viewport: PHONE });
    page.setDefaultTimeout(WAIT_MS);
    await page.setContent("<!doctype html><html><body style='margin:0'></body></html>");
    await page.addScriptTag({ path: BUNDLE });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
  }, 30_000);

  it("notices a word broken mid-way: a code name in a narrow label column, as the card had", async () => {
    const row = (label: string) => ({
      type: "ColumnSet",
      columns: [
        { type: "Column", width: 2, items: [{ type: "TextBlock", text: label, wrap: true }] },
        {
          type: "Column",
          width: 4,
          items: [{ type: "TextBlock", text: "ok · Established 3d 4h", wrap: true }],
        },
        {
          type: "Column",
          width: 4,
          items: [{ type: "TextBlock", text: "DOWN · no ARP entry", wrap: true }],
        },
      ],
    });
    const card = {
      type: "AdaptiveCard",
      version: "1.4",
      body: [row("globalReach"), row("provider")],
    };
    const layout = await renderAndMeasure(page, card, TEAMS_HOST_CONFIGS.light);
    expect(layout.find((b) => b.text === "globalReach")?.brokenWords).toEqual(["globalReach"]);
  });

  const cards: [string, AlertEvent][] = [
    ["open-arp-missing", arpMissingOpen()],
    ["escalated-arp-missing", arpMissingEscalated()],
    ["open-no-prefixes", noPrefixesOpen()],
    ["open-prefix-limit", prefixLimitOpen()],
    ["blind-arp-missing", arpMissingBlind()],
  ];

  it.each(cards)(
    "lays out %s without a word broken mid-way in the layer table",
    async (name, event) => {
      const message = buildTeamsMessage(event, { statusUrl: "https://erwatch.example.net/status" });
      const card = (message as { attachments: { content: unknown }[] }).attachments[0]!.content;
      for (const theme of ["light", "dark"] as const) {
        const layout = await renderAndMeasure(page, card, TEAMS_HOST_CONFIGS[theme]);
        await page.screenshot({
          path: `${ARTIFACTS}teams-card-${name}-${theme}-360.png`,
          fullPage: true,
        });

        const labels = LAYER_ROWS.map((l) => l.label);
        const table = layout.filter(
          (b) =>
            labels.includes(b.text) ||
            /^(primary|secondary) path/.test(b.text) ||
            /^(ok|WARN|DOWN|unknown|n\/a)( · |$)/.test(b.text),
        );
        expect(table.map((b) => b.text)).toEqual(expect.arrayContaining(labels));
        expect(table.filter((b) => b.brokenWords.length > 0)).toEqual([]);
        expect(table.filter((b) => b.clipped)).toEqual([]);
        // The facts first: wrapped at spaces, never cut off.
        expect(
          layout.filter(
            (b) => /^(Blind|Stands|Look at|Where|Owner|Do|Since):/.test(b.text) && b.clipped,
          ),
        ).toEqual([]);
      }
    },
  );
});
