// The subscription's circuit listing, one page the SDK cannot take costing only
// its own circuits. The SDK turns a page into models in one go, and one item
// it cannot take (a null among a circuit's peerings, peerings sent as an
// object) throws a TypeError for the whole page: the listing failed, and with
// it every circuit of the subscription went unjudged for as long as one body
// stayed odd. Such a page is kept as ARM sent it: its circuits are read one
// GET each (only the odd one fails, and is blind on its own), and the listing
// goes on from the page's nextLink.

import type { NetworkManagementClient } from "@azure/arm-network";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { AsyncLocalStorage } from "node:async_hooks";

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

export interface CircuitListing {
  /** The circuits as the SDK made them. */
  items: unknown[];
  /** The items of pages the SDK could not take, as ARM sent them (`properties` not flattened). */
  untaken: unknown[];
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

export function listCircuits(
  circuits: NetworkManagementClient["expressRouteCircuits"],
  abortSignal: AbortSignal,
): Promise<CircuitListing> {
  let last: string | undefined;
  return sinks.run(
    (body) => (last = body),
    async () => {
      const out: CircuitListing = { items: [], untaken: [] };
      let from: string | undefined;
      for (;;) {
        try {
          const pages = circuits
            .listAll({ abortSignal })
            .byPage(from === undefined ? undefined : { continuationToken: from });
          for await (const page of pages) out.items.push(...page);
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
