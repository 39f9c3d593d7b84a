import { describe, expect, it } from "vitest";
import type { ListedCircuit } from "../../src/app/ports.js";
import { parseWorkMessage } from "../../src/app/work-message.js";
import { workMessages, type WorkMessage } from "../../src/app/work.js";

const SUB = "00000000-0000-0000-0000-00000000000a";
const target = (n: number) => ({
  id: `/subscriptions/${SUB}/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er-${n}`,
  name: `er-${n}`,
  subscriptionId: SUB,
  resourceGroup: "rg-er",
  tags: { "erwatch:pair": "ams" },
  location: "westeurope",
  listed: {
    facts: { serviceProviderName: "Equinix", peeringLocation: "Amsterdam" },
  } as unknown as ListedCircuit,
});

const [message] = workMessages(
  "sweep-1",
  [
    { target: target(1), reason: "trouble" },
    { target: target(2), reason: "due" },
  ],
  {
    now: new Date("2026-12-01T05:00:00Z"),
    deadline: new Date("2026-12-01T05:04:00Z"),
    batchSize: 10,
  },
) as [WorkMessage];

/** The message with one field changed, as a broker would deliver it. */
function changed(edit: (m: Record<string, unknown>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
  edit(copy);
  return copy;
}
const item = (m: Record<string, unknown>) => (m.items as Record<string, unknown>[])[0]!;

describe("a work message as it arrives", () => {
  it.each([
    { name: "as sent", body: message },
    { name: "as JSON text", body: JSON.stringify(message) },
    { name: "as bytes", body: Buffer.from(JSON.stringify(message)) },
  ])("is read whole $name", ({ body }) => {
    const parsed = parseWorkMessage(body);
    expect(parsed).toEqual({ ok: true, work: message });
  });

  it.each([
    { name: "not JSON", body: "{nope", problem: /^the body is not JSON$/ },
    { name: "null", body: null, problem: /^body: / },
    {
      name: "another erwatch's version",
      body: changed((m) => (m.version = 2)),
      problem: /^version: /,
    },
    {
      name: "a circuit without an id",
      body: changed((m) => delete (item(m).target as Record<string, unknown>).id),
      problem: /^items\.0\.target\.id: /,
    },
    {
      name: "a deadline that is no time",
      body: changed((m) => (m.deadline = "soon")),
      problem: /^deadline: not a date-time$/,
    },
    {
      name: "a reason this erwatch does not plan",
      body: changed((m) => (item(m).reason = "whim")),
      problem: /^items\.0\.reason: /,
    },
    {
      name: "a listing body that is not an object",
      body: changed((m) => ((item(m).target as Record<string, unknown>).listed = "body")),
      problem: /^items\.0\.target\.listed: /,
    },
    {
      name: "batch numbers that are not counts",
      body: changed((m) => (m.batch = 0)),
      problem: /^batch: /,
    },
  ])("is refused when $name, saying what is wrong", ({ body, problem }) => {
    const parsed = parseWorkMessage(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });

  it("carries an odd tag value as text rather than dropping the batch", () => {
    const parsed = parseWorkMessage(
      changed((m) => {
        (item(m).target as Record<string, unknown>).tags = { owner: null, tier: 2 };
      }),
    );
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.work.items[0]!.target.tags).toEqual({ owner: "", tier: "2" });
  });
});
