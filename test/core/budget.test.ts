import { describe, expect, it } from "vitest";
import {
  boundEvent,
  boundJson,
  cutText,
  deadLetterText,
  MAX_EVENT_BYTES,
  minimalEvent,
} from "../../src/core/budget.js";
import { noPrefixesOpen } from "../support/alert-event-fixture.js";

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;
const HUGE = "x".repeat(100_000);

describe("size budgets", () => {
  it("cuts a long string with a marker saying how much is hidden, never splitting a character", () => {
    const cut = cutText(`${"é".repeat(10)}${"😀".repeat(5_000)}`, 300);
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut).toMatch(/… \(truncated: \d+ more characters; see the erwatch status page\)$/);
    expect(() => encodeURIComponent(cut)).not.toThrow(); // no lone surrogate
    expect(cutText("short", 300)).toBe("short");
  });

  it("bounds strings, lists, keys and depth of JSON data", () => {
    const bounded = boundJson({
      [HUGE]: [HUGE],
      rows: Array.from({ length: 1_000 }, (_, i) => i),
    }) as Record<string, unknown>;
    expect(bytes(bounded)).toBeLessThan(20_000);
    const rows = bounded.rows as unknown[];
    expect(rows).toHaveLength(201);
    expect(rows.at(-1)).toBe("(truncated: 800 more entries)");
  });

  it.each([
    {
      name: "a 100 KB tag value",
      edit: (e: ReturnType<typeof noPrefixesOpen>) => ({
        ...e,
        circuit: { ...e.circuit, tags: { note: HUGE } },
      }),
    },
    {
      name: "a 100 KB evidence string",
      edit: (e: ReturnType<typeof noPrefixesOpen>) => ({ ...e, evidence: { detail: HUGE } }),
    },
    {
      name: "10,000 ARP rows of evidence",
      edit: (e: ReturnType<typeof noPrefixesOpen>) => ({
        ...e,
        evidence: {
          arp: Array.from({ length: 10_000 }, (_, i) => ({ ip: `10.0.${i}`, mac: "x".repeat(50) })),
        },
      }),
    },
    {
      name: "a 100 KB ticket",
      edit: (e: ReturnType<typeof noPrefixesOpen>) => ({ ...e, ticket: HUGE }),
    },
    {
      name: "everything huge at once, in multi-byte text",
      edit: (e: ReturnType<typeof noPrefixesOpen>) => ({
        ...e,
        title: "é".repeat(100_000),
        ticket: "😀".repeat(100_000),
        evidence: Object.fromEntries(
          Array.from({ length: 100 }, (_, i) => [`k${i}`, "€".repeat(3_900)]),
        ),
      }),
    },
  ])("keeps an event with $name under a Service Bus message, visibly truncated", ({ edit }) => {
    const event = boundEvent(edit(noPrefixesOpen()));
    expect(bytes(event)).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(JSON.stringify(event)).toMatch(/truncated/);
    expect(event.key).toBe(noPrefixesOpen().key);
    expect(event.nextAction.length).toBeGreaterThan(0);
  });

  it("leaves an ordinary event as it is", () => {
    expect(boundEvent(noPrefixesOpen())).toEqual(noPrefixesOpen());
  });

  it("keeps who, what and what to do in the minimal event", () => {
    const e = minimalEvent({ ...noPrefixesOpen(), ticket: HUGE, evidence: { x: HUGE } });
    expect(bytes(e)).toBeLessThan(8_000);
    expect(e).toMatchObject({
      key: noPrefixesOpen().key,
      severity: "Sev0",
      ticket: null,
      layerTable: null,
    });
  });
});

describe("dead-letter text", () => {
  it("cuts reason and description under Service Bus's 4,096 characters, never inside a character", () => {
    // The cut falls between the halves of an emoji: it is left out whole.
    const description = `${"d".repeat(3_998)}🚨${"d".repeat(5_000)}`;
    const text = deadLetterText(HUGE, description);
    expect(text.reason).toHaveLength(4_000);
    expect(text.reason.endsWith("…")).toBe(true);
    expect(text.description).toBe(`${"d".repeat(3_998)}…`);
    expect(deadLetterText("InvalidJson", "the message body is not JSON")).toEqual({
      reason: "InvalidJson",
      description: "the message body is not JSON",
    });
  });
});
