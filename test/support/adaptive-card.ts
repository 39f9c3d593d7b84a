// Renders Teams messages the way a Teams-like host does, with Microsoft's own
// `adaptivecards` renderer: parsed and validated as Adaptive Cards 1.4, then
// rendered to a DOM (happy-dom) with the Teams host config of either theme and
// a Markdown processor (markdown-it, linkify on) for TextBlock text.
//
// Parsing and validating need no DOM; rendering does, and the renderer looks
// for the global `document`, so a happy-dom window is lent to it for the
// duration of one render and taken back afterwards.
//
// The package's `lib/` build is extensionless ESM that Node cannot load; its
// `dist/` UMD bundle is the same library in one CommonJS file.

import { createRequire } from "node:module";
import MarkdownIt from "markdown-it";
import { Window } from "happy-dom";
import { TEAMS_HOST_CONFIGS, type TeamsTheme } from "./teams-host-config.js";

export type { TeamsTheme };

/** The small part of the renderer's API these helpers use. */
interface AdaptiveCardsModule {
  AdaptiveCard: {
    new (): AdaptiveCardInstance;
    onProcessMarkdown?: (
      text: string,
      result: { didProcess: boolean; outputHtml?: string },
    ) => void;
  };
  HostConfig: new (json: unknown) => unknown;
  SerializationContext: new (version: unknown) => {
    eventCount: number;
    getEventAt(i: number): { message: string };
  };
  Versions: { v1_4: unknown };
}
interface AdaptiveCardInstance {
  hostConfig: unknown;
  parse(json: unknown, context: unknown): void;
  validateProperties(): { validationEvents: { message: string }[] };
  render(): RenderedElement | undefined;
}

/** What the tests read from a rendered card: happy-dom's elements, typed loosely. */
export interface RenderedElement {
  outerHTML: string;
  textContent: string | null;
  style: { color: string; backgroundColor: string };
  parentElement: RenderedElement | null;
  className: string;
  querySelectorAll(selector: string): ArrayLike<RenderedElement>;
}

const AC = createRequire(import.meta.url)(
  "adaptivecards/dist/adaptivecards.js",
) as AdaptiveCardsModule;

const markdown = new MarkdownIt({ linkify: true });
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.render(text);
  result.didProcess = true;
};

/** WCAG 2 AA for normal text: our card text is 12–18 px. */
export const MIN_CONTRAST = 4.5;

let window: Window | null = null;

export interface RenderResult {
  /** Envelope, parse, validation and render problems; empty when Teams would take the card as is. */
  problems: string[];
  /** The rendered card, when it rendered. */
  root: RenderedElement | null;
}

/** Parses, validates and renders the card inside a Teams Workflows message. */
export function renderTeamsMessage(message: unknown, theme: TeamsTheme = "light"): RenderResult {
  const problems = envelopeProblems(message);
  const card = cardOf(message);
  if (card === null) return { problems, root: null };
  if ((card as { version?: unknown }).version !== "1.4")
    problems.push(`card.version: must be "1.4" for Teams webhooks`);

  const instance = new AC.AdaptiveCard();
  instance.hostConfig = new AC.HostConfig(TEAMS_HOST_CONFIGS[theme]);
  const context = new AC.SerializationContext(AC.Versions.v1_4);
  instance.parse(card, context);
  for (let i = 0; i < context.eventCount; i += 1)
    problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const event of instance.validateProperties().validationEvents)
    problems.push(`validate: ${event.message}`);

  const root = withDocument(() => instance.render()) ?? null;
  if (root === null) problems.push("render: the renderer produced nothing");
  return { problems, root };
}

/**
 * Every problem a Teams host would have with the message, in both themes:
 * parse and validation warnings, and text whose colour has less than
 * MIN_CONTRAST against the background it is drawn on.
 */
export function teamsMessageProblems(message: unknown): string[] {
  const problems: string[] = [];
  for (const theme of ["light", "dark"] as const) {
    const { problems: found, root } = renderTeamsMessage(message, theme);
    problems.push(...found.map((p) => `${theme}: ${p}`));
    if (root) problems.push(...lowContrast(root).map((p) => `${theme}: ${p}`));
  }
  return [...new Set(problems)];
}

/** Text blocks drawn with less than MIN_CONTRAST against their background. */
export function lowContrast(root: RenderedElement): string[] {
  const out: string[] = [];
  for (const block of Array.from(root.querySelectorAll(".ac-textBlock"))) {
    const fg = parseColour(block.style.color);
    const bg = backgroundOf(block);
    if (!fg || !bg) {
      out.push(`no colour to check for "${excerpt(block)}"`);
      continue;
    }
    const ratio = contrast(over(fg, bg), bg);
    if (ratio < MIN_CONTRAST)
      out.push(`contrast ${ratio.toFixed(2)}:1 for "${excerpt(block)}" (${block.style.color})`);
  }
  return out;
}

/** The DOM globals the renderer reaches for while it renders (names found in its bundle). */
const DOM_GLOBALS = [
  "window",
  "document",
  "navigator",
  "Node",
  "Element",
  "HTMLElement",
  "HTMLButtonElement",
  "HTMLInputElement",
  "HTMLSelectElement",
  "getComputedStyle",
  "requestAnimationFrame",
  "matchMedia",
] as const;

function withDocument<T>(run: () => T): T {
  window ??= new Window();
  const dom = window as unknown as Record<string, unknown>;
  const globals = globalThis as Record<string, unknown>;
  const saved = DOM_GLOBALS.map(
    (name) => [name, Object.getOwnPropertyDescriptor(globals, name)] as const,
  );
  for (const name of DOM_GLOBALS)
    Object.defineProperty(globals, name, {
      value:
        name === "window"
          ? window
          : typeof dom[name] === "function" && /^[a-z]/.test(name)
            ? (dom[name] as (...a: unknown[]) => unknown).bind(window)
            : dom[name],
      configurable: true,
      writable: true,
    });
  try {
    return run();
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globals, name, descriptor);
      else delete globals[name];
    }
  }
}

function envelopeProblems(message: unknown): string[] {
  if (!isObject(message)) return ["message: must be an object"];
  const problems: string[] = [];
  if (message.type !== "message") problems.push(`message.type: must be "message"`);
  const attachments = message.attachments;
  if (!Array.isArray(attachments) || attachments.length !== 1)
    return [...problems, "message.attachments: must hold exactly one card"];
  const [attachment] = attachments as unknown[];
  if (!isObject(attachment) || attachment.contentType !== "application/vnd.microsoft.card.adaptive")
    problems.push(
      `message.attachments[0].contentType: must be "application/vnd.microsoft.card.adaptive"`,
    );
  return problems;
}

function cardOf(message: unknown): unknown {
  if (!isObject(message) || !Array.isArray(message.attachments)) return null;
  const [attachment] = message.attachments as unknown[];
  return isObject(attachment) && isObject(attachment.content) ? attachment.content : null;
}

type Rgba = [number, number, number, number];

/** "#RRGGBB", "#AARRGGBB" (the host config's form) or "rgb(a)(…)" (the renderer's). */
export function parseColour(value: string | undefined): Rgba | null {
  if (!value) return null;
  const hex = /^#([0-9a-f]{6}|[0-9a-f]{8})$/i.exec(value.trim());
  if (hex) {
    const h = hex[1]!;
    const n = (at: number) => parseInt(h.slice(at, at + 2), 16);
    return h.length === 6 ? [n(0), n(2), n(4), 1] : [n(2), n(4), n(6), n(0) / 255];
  }
  const rgb = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/i.exec(
    value.trim(),
  );
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), rgb[4] ? Number(rgb[4]) : 1];
  return null;
}

function backgroundOf(element: RenderedElement): Rgba | null {
  for (let e: RenderedElement | null = element; e; e = e.parentElement) {
    const bg = parseColour(e.style.backgroundColor);
    if (bg) return bg;
  }
  return null;
}

/** `fg` drawn over the opaque `bg`. */
function over(fg: Rgba, bg: Rgba): Rgba {
  const a = fg[3];
  return [0, 1, 2].map((i) => fg[i]! * a + bg[i]! * (1 - a)).concat(1) as Rgba;
}

/** WCAG 2 contrast ratio of two opaque colours. */
export function contrast(a: Rgba, b: Rgba): number {
  const luminance = ([r, g, b]: Rgba) => {
    const lin = (c: number) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function excerpt(element: RenderedElement): string {
  const text = (element.textContent ?? "").trim();
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
