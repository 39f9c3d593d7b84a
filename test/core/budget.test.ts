import { describe, expect, it } from "vitest";
import {
  boundEvent,
  boundJson,
  cutText,
  deadLetterText,
  MAX_EVENT_BYTES,
  MAX_TICKET,
  minimalEvent,
} from "../../src/core/budget.js";
import { noPrefixesOpen } from "../support/alert-event-fixture.js";

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;
const HUGE = "x".repeat(100_000);

describe("size budgets", () => {
  it("cuts a long string with a marker saying how much is hidden, never splitting a character", () => {
    const cut = cutText(`${"é".repeat(10)}${"😀".repeat(5_000)}`, 300);
    expect(cut.length).toBeLessThanOrEqual(300);
    expect(cut).toMatch(/… \(truncated: \d+ more characters\)$/);
    expect(() => encodeURIComponent(cut)).not.toThrow(); // no lone surrogate
    expect(cutText("short", 300)).toBe("short");
    // Where the count of what was left out gains a digit, still within the limit.
    for (const length of [16_001, 16_009, 16_010, 16_100, 26_000])
      expect(cutText("k".repeat(length), 16_000).length).toBeLessThanOrEqual(16_000);
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

  it("gives up the circuit's tags, which no card shows, before the evidence", () => {
    // 50 tags at Azure's longest (512-character name, 256-character value)
    // and 190 failed reads of evidence: the evidence is what a responder reads.
    const tags = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`${i}`.padEnd(512, "t"), "v".repeat(256)]),
    );
    const reads = Array.from({ length: 190 }, (_, i) => ({
      call: `listArpTable ${i}`,
      why: "x".repeat(300),
    }));
    const base = noPrefixesOpen();
    const event = boundEvent(
      { ...base, circuit: { ...base.circuit, tags }, evidence: { reads } },
      100_000,
    );
    expect(bytes(event)).toBeLessThanOrEqual(100_000);
    expect(event.evidence).toEqual({ reads });
    expect(event.circuit.tags).toEqual({});
  });

  it("keeps a carrier ticket longer than other strings, up to its own budget", () => {
    const ticket = `line\n${"k".repeat(MAX_TICKET)}`;
    const event = boundEvent({ ...noPrefixesOpen(), ticket });
    expect(event.ticket!.length).toBeLessThanOrEqual(MAX_TICKET);
    expect(event.ticket!.length).toBeGreaterThan(MAX_TICKET - 100);
    expect(event.ticket).toMatch(/… \(truncated: \d+ more characters\)$/);
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

  it("keeps a resolve's reading now in the least event, cut short", () => {
    const resolve = { ...noPrefixesOpen(), action: "resolve" as const, resolution: HUGE };
    const e = minimalEvent(resolve);
    expect(bytes(e)).toBeLessThan(8_000);
    expect(e.resolution?.length).toBeLessThanOrEqual(500);
    expect(e.resolution?.startsWith("xxx")).toBe(true);
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
