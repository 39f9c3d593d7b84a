import { describe, expect, it } from "vitest";
import {
  EntityTooLargeError,
  packJson,
  unpackJson,
} from "../../src/adapters/tables/json-columns.js";

const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("JSON across table properties", () => {
  it.each([29_998, 29_999, 30_000, 59_999])(
    "never splits a character across two properties (an emoji at %i)",
    (at) => {
      // JSON.stringify("…") opens with a quote: the emoji starts at `at`.
      const value = `${"a".repeat(at - 1)}😀${"b".repeat(40_000)}`;
      const packed = packJson(value, "a tag");
      const parts = Object.entries(packed).filter(
        ([k]) => k.startsWith("json") && k !== "jsonParts",
      );
      expect(parts.length).toBe(packed.jsonParts);
      for (const [, part] of parts) {
        expect(part).not.toMatch(lone);
        expect((part as string).length).toBeLessThanOrEqual(30_000);
      }
      expect(unpackJson<string>(packed, "a tag")).toBe(value);
    },
  );

  it("refuses, naming its size, what one entity cannot hold", () => {
    expect(() => packJson("x".repeat(460_000), "a snapshot")).toThrow(EntityTooLargeError);
    expect(() => packJson("x".repeat(460_000), "a snapshot")).toThrow(
      /a snapshot is 460002 characters of JSON/,
    );
  });

  it("packs small and empty documents in one property", () => {
    expect(packJson({}, "x")).toEqual({ jsonParts: 1, json: "{}" });
    expect(unpackJson(packJson([], "x"), "x")).toEqual([]);
  });
});
