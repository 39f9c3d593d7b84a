// A carrier's site (provider and peering location) keyed as a table: one site
// spelt in any case or with any run of whitespace is one key, and a place
// already spelt with single spaces keys as it always did.

import { describe, expect, it } from "vitest";
import { distinctPlaceWords, placeKey, placeWord } from "../../src/core/place.js";

describe("placeWord", () => {
  it.each([
    { text: "Silicon Valley", word: "silicon valley" },
    { text: "Silicon  Valley", word: "silicon valley" },
    { text: "Silicon\u00a0Valley", word: "silicon valley" },
    { text: "Silicon\tValley", word: "silicon valley" },
    { text: " \u00a0Equinix\u00a0 ", word: "equinix" },
    { text: "AT&T Netbond", word: "at&t netbond" },
  ])("$text → $word", ({ text, word }) => {
    expect(placeWord(text)).toBe(word);
  });
});

describe("placeKey", () => {
  it.each([
    { provider: "Equinix", location: "Amsterdam", key: "equinix|amsterdam" },
    {
      provider: "Equinix\u00a0Metal",
      location: "Silicon  Valley",
      key: "equinix metal|silicon valley",
    },
    { provider: "Equinix", location: " \u00a0", key: null },
    { provider: null, location: "Amsterdam", key: null },
    { provider: "Equinix", location: undefined, key: null },
  ])("$provider at $location → $key", ({ provider, location, key }) => {
    expect(placeKey(provider, location)).toBe(key);
  });
});

describe("distinctPlaceWords (the status page's provider and location choices)", () => {
  it.each([
    {
      case: "one site spelt in two cases and with a doubled space",
      values: ["Silicon Valley", "SILICON VALLEY", "Silicon  Valley", "Amsterdam"],
      words: ["Amsterdam", "Silicon Valley"],
    },
    {
      case: "a non-breaking space, padding, none and blank",
      values: [" Equinix\u00a0Inc.", "Equinix Inc.", null, " ", "Colt"],
      words: ["Colt", "Equinix Inc."],
    },
  ])("$case", ({ values, words }) => {
    expect(distinctPlaceWords(values)).toEqual(words);
  });
});
