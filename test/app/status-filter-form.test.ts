// The status page's filter form shows the filters the page applied. A
// provider or location filter is applied in any case (?provider=equinix shows
// Equinix's circuits), but its list selected only the exact spelling: it said
// "all" over a filtered view, and changing another list (which submits the
// form) dropped the filter without a word. One no circuit has now said "all" too.

import { describe, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import type { StatusModel } from "../../src/app/status.js";

const page = (filters: Partial<NonNullable<StatusModel["filters"]>>) =>
  renderStatusHtml(
    {
      generatedAt: "2026-11-22T02:00:00.000Z",
      circuits: [],
      openAlerts: [],
      recent: [],
      filters: {
        severity: null,
        provider: null,
        location: null,
        circuit: null,
        providers: ["Equinix", "Megaport"],
        locations: ["Amsterdam", "Silicon Valley"],
        ...filters,
      },
    },
    { code: "k" },
  );

/** What a list submits as it is drawn: its selected option's value, "" for none ("all"). */
function submitted(html: string, name: string): string {
  const list = new RegExp(`<select name="${name}">(.*?)</select>`).exec(html)?.[1] ?? "";
  const selected = /<option value="([^"]*)" selected>/.exec(list);
  return selected?.[1] ?? "";
}

describe("status page filter form", () => {
  it("selects the provider and location the page filtered by, whatever their case and spacing", () => {
    const html = page({ provider: "equinix", location: "silicon  VALLEY" });
    expect(submitted(html, "provider")).toBe("Equinix");
    expect(submitted(html, "location")).toBe("Silicon Valley");
  });

  it("keeps a filter no circuit has now as the one selected, escaped", () => {
    const html = page({ provider: 'Zayo"><script>x</script>' });
    expect(submitted(html, "provider")).toBe("Zayo&quot;&gt;&lt;script&gt;x&lt;/script&gt;");
    expect(html).not.toContain("<script>x");
  });

  it("selects nothing but 'all' when not filtered", () => {
    const html = page({});
    expect(submitted(html, "provider")).toBe("");
    expect(submitted(html, "severity")).toBe("");
  });
});
