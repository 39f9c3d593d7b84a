// Every SDK listing, one page the SDK cannot take costing only its own items.
// The SDK turns a page into models in one go, and one item it cannot take (a
// null among a circuit's peerings, among a connection's IPsec policies or a
// monitor's test configurations) throws a TypeError for the whole page: the
// listing failed, and with it every circuit that shares it (a subscription's
// circuits, a resource group's gateway connections, a region's Connection
// Monitors) went unjudged for as long as one body stayed odd. Such a page is
// kept as ARM sent it, for the caller to read item by item as it already
// reads that listing's items (a GET each, or its wire parser), and the
// listing goes on from the page's nextLink. A listing ARM answers in one
// response (a subscription's vWAN ExpressRoute gateways) is read as a pager of
// that one page.

import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { AsyncLocalStorage } from "node:async_hooks";
import { isRecord } from "../../core/record.js";
import { MalformedResponseError } from "./wire/fields.js";

export const PAGE_BODY_POLICY = "erwatchPageBody";

const sinks = new AsyncLocalStorage<(body: string | undefined) => void>();

/** Hands the text of each answer to the listing that asked for it (no one else keeps it). */
export function pageBodyPolicy(): PipelinePolicy {
  return {
    name: PAGE_BODY_POLICY,
    sendRequest: async (request, next) => {
      const response = await next(request);
      sinks.getStore()?.(response.bodyAsText ?? undefined);
      return response;
    },
  };
}

export interface Listing<T> {
  /** The items as the SDK made them. */
  items: T[];
  /**
   * Asked for (`keepSent`): beside each of `items`, the item as ARM sent it
   * (`properties` not flattened), or undefined when its page's text cannot
   * be matched to the SDK's page. The SDK's model hides an odd value inside
   * an item (a peering sent as "x" comes out as `{}`).
   */
  sent?: unknown[];
  /** The items of pages the SDK could not take, as ARM sent them (`properties` not flattened). */
  untaken: unknown[];
}

/** What every SDK list and listAll answers: pages, resumable from a page's nextLink. */
export interface Pager<T> {
  byPage(settings?: { continuationToken?: string }): AsyncIterable<T[]>;
}

/**
 * A listing the SDK answers in one response (`{ value }`, not a pager), as a
 * pager of its one page: a response without `value` says nothing of what is
 * there (not "nothing"), and there is no page after it.
 */
export function onePage<T>(read: () => Promise<{ value?: T[] }>): Pager<T> {
  return {
    async *byPage(settings) {
      if (settings?.continuationToken !== undefined) return;
      const answer = await read();
      if (!Array.isArray(answer.value)) throw new MalformedResponseError("value is missing");
      yield answer.value;
    },
  };
}

/** The page's items and next link as sent, or null when the text is no listing page at all. */
function rawPage(text: string | undefined): { value: unknown[]; nextLink: string | null } | null {
  if (text === undefined) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null) return null;
  const { value, nextLink } = body as { value?: unknown; nextLink?: unknown };
  if (!Array.isArray(value)) return null;
  return { value, nextLink: typeof nextLink === "string" && nextLink !== "" ? nextLink : null };
}

/** Every page of the listing `open` starts (called again to resume after a page the SDK could not take). */
export function listing<T>(
  open: () => Pager<T>,
  options: { keepSent?: boolean } = {},
): Promise<Listing<T>> {
  let last: string | undefined;
  return sinks.run(
    (body) => (last = body),
    async () => {
      const out: Listing<T> = { items: [], untaken: [], ...(options.keepSent ? { sent: [] } : {}) };
      let from: string | undefined;
      for (;;) {
        try {
          const pages = open().byPage(from === undefined ? undefined : { continuationToken: from });
          for await (const page of pages) {
            out.items.push(...page);
            // The pager asks for the next page only after this one is taken: `last` is its text.
            const sent = out.sent && rawPage(last)?.value;
            if (out.sent)
              out.sent.push(
                ...(sent && sent.length === page.length ? sent : page.map(() => undefined)),
              );
          }
          return out;
        } catch (error) {
          // A TypeError is the SDK's model code tripping on the body; an HTTP
          // error, or a page with no `value` at all, fails the listing as before.
          const page = (error as Error)?.name === "TypeError" ? rawPage(last) : null;
          if (!page) throw error;
          out.untaken.push(...page.value);
          if (page.nextLink === null) return out;
          from = page.nextLink;
        }
      }
    },
  );
}

/**
 * An untaken item shaped as the SDK's model of it at the top: ARM's
 * `properties` lifted beside id, name and tags, so the wire parsers that read
 * the SDK's models of a listing read its untaken items the same way. Only the
 * top level is lifted (see liftedWith): a parser that reads nested resources
 * needs a GET.
 */
export function lifted(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const { properties, ...rest } = raw;
  if (!isRecord(properties)) return rest;
  return { ...rest, ...properties };
}

/** lifted, and so is each item of its list `nested`, which the SDK's model has inline (a gateway's connections). */
export function liftedWith(nested: string): (raw: unknown) => unknown {
  return (raw) => {
    const top = lifted(raw);
    if (!isRecord(top)) return top;
    const items = top[nested];
    return Array.isArray(items) ? { ...top, [nested]: items.map(lifted) } : top;
  };
}
