import { describe, expect, it } from "vitest";
import type { ListedCircuit } from "../../src/app/ports.js";
import { parseWorkMessage } from "../../src/app/work-message.js";
import {
  MAX_WORK_BYTES,
  withPeerKeys,
  workMessages,
  type WorkMessage,
} from "../../src/app/work.js";
import type { PlanReason } from "../../src/core/sweep-plan.js";

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
    expect(parsed).toEqual({ ok: true, work: message, dropped: [] });
  });

  it("says whether it is the timer's tick, so the worker's hysteresis counts it as one", () => {
    const [tick] = workMessages("sweep-1", [{ target: target(1), reason: "rotation" }], {
      now: new Date("2026-12-01T05:00:00Z"),
      tick: true,
      deadline: new Date("2026-12-01T05:04:00Z"),
      batchSize: 10,
    }) as [WorkMessage];
    const parsed = parseWorkMessage(JSON.stringify(tick));
    expect(parsed.ok && parsed.work.tick).toBe(true);
    // Its occurrence, when the timer knows it: a repeat keeps the cadence from it.
    const [due] = workMessages("sweep-1", [{ target: target(1), reason: "rotation" }], {
      now: new Date("2026-12-01T05:03:00Z"),
      tick: true,
      tickDue: new Date("2026-12-01T05:00:00Z"),
      deadline: new Date("2026-12-01T05:04:00Z"),
      batchSize: 10,
    }) as [WorkMessage];
    const dueParsed = parseWorkMessage(JSON.stringify(due));
    expect(dueParsed.ok && dueParsed.work.tickDue).toBe("2026-12-01T05:00:00.000Z");
    expect(parsed.ok && parsed.work.tickDue).toBeUndefined();
    // On demand, or from an older planner: no tick, judged by time alone.
    const older = parseWorkMessage(JSON.stringify(message));
    expect(older.ok && older.work.tick).toBeUndefined();
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
      name: "a deadline that is no time",
      body: changed((m) => (m.deadline = "soon")),
      problem: /^deadline: not a date-time$/,
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

  it.each([
    {
      name: "a reason this erwatch does not plan (a newer timer's)",
      edit: (i: Record<string, unknown>) => (i.reason = "whim"),
      circuitId: message.items[0]!.target.id,
      problem: /^items\.0\.reason: /,
    },
    {
      name: "a listing body that is not an object",
      edit: (i: Record<string, unknown>) => ((i.target as Record<string, unknown>).listed = "body"),
      circuitId: message.items[0]!.target.id,
      problem: /^items\.0\.target\.listed: /,
    },
    {
      name: "a circuit without an id",
      edit: (i: Record<string, unknown>) => delete (i.target as Record<string, unknown>).id,
      circuitId: null,
      problem: /^items\.0\.target\.id: /,
    },
  ])(
    "reads the rest of the batch when one item is $name, naming it",
    ({ edit, circuitId, problem }) => {
      const parsed = parseWorkMessage(changed((m) => edit(item(m))));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.work.items).toEqual([message.items[1]]);
      expect(parsed.dropped).toEqual([
        { index: 0, circuitId, problem: expect.stringMatching(problem) },
      ]);
    },
  );

  it("carries the subscriptions whose ARP witness it reads, and from an older planner, which marks none, is read whole", () => {
    expect(message.arpWitness).toEqual([SUB]);
    const older = parseWorkMessage(changed((m) => delete m.arpWitness));
    expect(older.ok).toBe(true);
    if (older.ok) expect(older.work).not.toHaveProperty("arpWitness");
    const none = parseWorkMessage(changed((m) => (m.arpWitness = [])));
    expect(none.ok && none.work.arpWitness).toEqual([]);
    const odd = parseWorkMessage(changed((m) => (m.arpWitness = "all")));
    expect(odd.ok).toBe(false);
    if (!odd.ok) expect(odd.problem).toMatch(/^arpWitness: /);
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

describe("splitting a sweep's deep reads into work messages", () => {
  const OPTIONS = {
    now: new Date("2026-12-01T05:00:00Z"),
    deadline: new Date("2026-12-01T05:04:00Z"),
    batchSize: 2,
  };
  const circuit = (name: string, subscription: string, place: string | null) => ({
    id: `/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`,
    name,
    subscriptionId: subscription,
    resourceGroup: "rg",
    ...(place
      ? {
          listed: {
            facts: { serviceProviderName: "Equinix", peeringLocation: place },
          } as unknown as ListedCircuit,
        }
      : {}),
  });
  type Row = [name: string, subscription: string, place: string | null, reason: PlanReason];
  /** Each message as `session: circuit, circuit`, in the order sent. */
  const split = (rows: Row[]) =>
    workMessages(
      "sweep-1",
      rows.map(([name, sub, place, reason]) => ({ target: circuit(name, sub, place), reason })),
      OPTIONS,
    ).map(
      (m) =>
        `${m.subscriptionId} ${m.batch}/${m.batches}: ${m.items.map((i) => i.target.name).join(", ")}`,
    );

  it.each<{ case: string; rows: Row[]; messages: string[] }>([
    {
      case: "suspects at one site in two subscriptions travel together",
      rows: [
        ["a1", "sub-a", "Amsterdam", "trouble"],
        ["a2", "sub-a", null, "due"],
        ["b1", "sub-b", "Amsterdam", "signal"],
        ["b2", "sub-b", "London", "rotation"],
      ],
      messages: ["sub-a 1/2: a1, b1", "sub-a 2/2: a2", "sub-b 1/1: b2"],
    },
    {
      // Grouped whole, one message held three times SWEEP_WORK_BATCH against its 4-minute cap.
      // Read in turn in one session, the first message opens the fleet alert, the next join it.
      case: "more suspects at one site than SWEEP_WORK_BATCH: messages of SWEEP_WORK_BATCH in one session, the rotation's read after",
      rows: [
        ["b1", "sub-b", "Amsterdam", "changed"],
        ["a1", "sub-a", "Amsterdam", "trouble"],
        ["b2", "sub-b", "Amsterdam", "new"],
        ["a2", "sub-a", "Amsterdam", "trouble"],
        ["a3", "sub-a", "Amsterdam", "rotation"],
      ],
      messages: ["sub-b 1/3: b1, a1", "sub-b 2/3: b2, a2", "sub-b 3/3: a3"],
    },
    {
      // One site spelt with a doubled or a non-breaking space is still one site.
      case: "suspects at one site spelt with odd whitespace in two subscriptions travel together",
      rows: [
        ["a1", "sub-a", "Silicon Valley", "trouble"],
        ["a2", "sub-a", null, "due"],
        ["b1", "sub-b", "Silicon  Valley", "signal"],
        ["b2", "sub-b", "Silicon\u00a0Valley", "trouble"],
      ],
      messages: ["sub-a 1/2: a1, b1", "sub-a 2/2: b2, a2"],
    },
    {
      case: "a suspect alone at its site, or with no site, stays with its subscription",
      rows: [
        ["a1", "sub-a", "Amsterdam", "trouble"],
        ["b1", "sub-b", "London", "trouble"],
        ["b2", "sub-b", null, "trouble"],
        ["a2", "sub-a", null, "signal"],
      ],
      messages: ["sub-a 1/1: a1, a2", "sub-b 1/1: b1, b2"],
    },
    {
      // Only the rotation may find a site's outage (the metrics lag): its reads group too.
      case: "quiet reads at one site in two subscriptions travel together",
      rows: [
        ["a1", "sub-a", "Amsterdam", "due"],
        ["b1", "sub-b", "Amsterdam", "rotation"],
        ["a2", "sub-a", "London", "rotation"],
        ["b2", "sub-b", "London", "due"],
      ],
      messages: ["sub-a 1/2: a1, b1", "sub-a 2/2: a2, b2"],
    },
    {
      case: "a site's reads in one subscription share a message, not the plan's neighbours",
      rows: [
        ["a1", "sub-a", "Amsterdam", "due"],
        ["a2", "sub-a", "London", "rotation"],
        ["a3", "sub-a", "Amsterdam", "rotation"],
      ],
      messages: ["sub-a 1/2: a1, a3", "sub-a 2/2: a2"],
    },
    {
      // Read in turn by one worker, a large site's rotation would cost fan-out its parallelism.
      case: "a site with more reads than three messages hold: only its suspects travel together",
      rows: [
        ["b1", "sub-b", "Amsterdam", "signal"],
        ["a1", "sub-a", "Amsterdam", "trouble"],
        ["a2", "sub-a", "Amsterdam", "rotation"],
        ["b2", "sub-b", "Amsterdam", "rotation"],
        ["a3", "sub-a", "Amsterdam", "due"],
        ["b3", "sub-b", "Amsterdam", "rotation"],
        ["a4", "sub-a", "Amsterdam", "rotation"],
      ],
      messages: ["sub-b 1/2: b1, a1", "sub-b 2/2: b2, b3", "sub-a 1/2: a2, a3", "sub-a 2/2: a4"],
    },
    {
      case: "a site that fits in three messages travels together whole, its suspects and due reads first, its rotation's after, SWEEP_WORK_BATCH a message",
      rows: [
        ["b1", "sub-b", "Amsterdam", "signal"],
        ["a1", "sub-a", "Amsterdam", "rotation"],
        ["b2", "sub-b", "Amsterdam", "rotation"],
        ["a2", "sub-a", "Amsterdam", "due"],
        ["b3", "sub-b", "Amsterdam", "rotation"],
        ["a3", "sub-a", "Amsterdam", "rotation"],
      ],
      messages: ["sub-b 1/3: b1, a2", "sub-b 2/3: a1, b2", "sub-b 3/3: b3, a3"],
    },
    {
      // Found by a review: the whole site went at its first read's place, so a
      // deadline cut London's trouble and Paris's due read behind Amsterdam's
      // rotation, sweep after sweep. But its one suspect went alone: read with
      // the whole site down, it paged alone and the rotation's reads paged the
      // rest as a fleet. One rotation read travels with it.
      case: "a site over one message with a single suspect: one of its rotation reads beside it, the others after every site's trouble and due reads",
      rows: [
        ["ams-t", "sub-a", "Amsterdam", "trouble"],
        ["lon-t", "sub-a", "London", "trouble"],
        ["par-d", "sub-a", "Paris", "due"],
        ["ams-r1", "sub-a", "Amsterdam", "rotation"],
        ["ams-r2", "sub-a", "Amsterdam", "rotation"],
        ["ams-r3", "sub-a", "Amsterdam", "rotation"],
      ],
      messages: [
        "sub-a 1/3: ams-t, ams-r1",
        "sub-a 2/3: lon-t, par-d",
        "sub-a 3/3: ams-r2, ams-r3",
      ],
    },
    {
      case: "a site that fits in a message is not split over two",
      rows: [
        ["a1", "sub-a", null, "trouble"],
        ["a2", "sub-a", "Amsterdam", "rotation"],
        ["a3", "sub-a", "Amsterdam", "rotation"],
        ["a4", "sub-a", null, "rotation"],
      ],
      // Plan order holds (a4 is read after the site), at the cost of a half-full message.
      messages: ["sub-a 1/3: a1", "sub-a 2/3: a2, a3", "sub-a 3/3: a4"],
    },
  ])("$case", ({ rows, messages }) => {
    expect(split(rows)).toEqual(messages);
    // Nothing read twice, nothing left out.
    const names = split(rows).flatMap((m) => m.split(": ")[1]!.split(", "));
    expect(names.sort()).toEqual(rows.map((r) => r[0]).sort());
  });

  // A site's reads grouped whole went in one message of up to three times SWEEP_WORK_BATCH,
  // against the 4-minute cap a worker has for it.
  it.each([1, 2, 3, 5, 20])(
    "SWEEP_WORK_BATCH %i: no message past it (two for a site), every read once, each site's first message holding two of its reads",
    (batchSize) => {
      const places = ["Amsterdam", "London", "Paris", null];
      const reasons: PlanReason[] = ["trouble", "signal", "changed", "due", "rotation", "rotation"];
      // A fixed pseudo-random estate: sites of 1 to 70 reads, mixed reasons, two subscriptions.
      let seed = 7 + batchSize;
      const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      for (let round = 0; round < 40; round += 1) {
        const count = 1 + next(70);
        const rows = Array.from({ length: count }, (_, n) => {
          const reason = reasons[next(reasons.length)]!;
          return {
            target: circuit(`c${n}`, next(2) === 0 ? "sub-a" : "sub-b", places[next(4)]!),
            reason,
          };
        });
        // Plan order: suspects, then due, then the rotation.
        const rank = (r: PlanReason) => (r === "rotation" ? 2 : r === "due" ? 1 : 0);
        rows.sort((a, b) => rank(a.reason) - rank(b.reason));
        const sent = workMessages("sweep-1", rows, { ...OPTIONS, batchSize });
        for (const m of sent) expect(m.items.length).toBeLessThanOrEqual(Math.max(2, batchSize));
        for (const m of sent)
          if (m.items.length > batchSize)
            expect(new Set(m.items.map((i) => i.target.listed?.facts.peeringLocation)).size).toBe(
              1,
            );
        const names = sent.flatMap((m) => m.items.map((i) => i.target.name));
        expect([...names].sort()).toEqual(rows.map((r) => r.target.name).sort());
        for (const place of places.filter((p) => p !== null)) {
          const site = rows.filter((r) => r.target.listed?.facts.peeringLocation === place);
          const suspects = site.filter((r) => r.reason !== "due" && r.reason !== "rotation");
          // Past three messages only its suspects travel together; a site of one has nothing to wait for.
          const together = site.length > 3 * Math.max(2, batchSize) ? suspects : site;
          if (together.length === 0 || site.length < 2) continue;
          const first = sent.find((m) =>
            m.items.some((i) => together.some((r) => r.target.id === i.target.id)),
          )!;
          const here = first.items.filter((i) => i.target.listed?.facts.peeringLocation === place);
          expect(here.length).toBeGreaterThanOrEqual(2);
          // Every read of the site that travels together is in its session.
          const sessions = new Set(
            sent
              .filter((m) => m.items.some((i) => together.some((r) => r.target.id === i.target.id)))
              .map((m) => m.subscriptionId),
          );
          expect(sessions.size).toBe(1);
        }
      }
    },
  );

  // POST /api/sweep of named circuits has no listing: they were batched by subscription
  // alone, and a site's circuit in each of two subscriptions paged once each.
  it.each<{ case: string; rows: [string, string, string | null][]; messages: string[] }>([
    {
      case: "named circuits at one site in two subscriptions, by where they were last read, travel together",
      rows: [
        ["a1", "sub-a", "Amsterdam"],
        ["a2", "sub-a", "London"],
        ["b1", "sub-b", "Amsterdam"],
      ],
      messages: ["sub-a 1/2: a1, b1", "sub-a 2/2: a2"],
    },
    {
      case: "a named circuit never read (no place stored) stays with its subscription",
      rows: [
        ["a1", "sub-a", "Amsterdam"],
        ["a2", "sub-a", null],
        ["b1", "sub-b", null],
      ],
      messages: ["sub-a 1/1: a1, a2", "sub-b 1/1: b1"],
    },
  ])("$case", ({ rows, messages }) => {
    const named = rows.map(([name, sub]) => ({
      target: circuit(name, sub, null),
      reason: "unlisted" as const,
    }));
    const places = new Map(
      rows.flatMap(([name, sub, place]) =>
        place
          ? [[circuit(name, sub, null).id.toLowerCase(), { provider: " EQUINIX", location: place }]]
          : [],
      ),
    );
    const sent = workMessages("sweep-1", named, { ...OPTIONS, places }).map(
      (m) =>
        `${m.subscriptionId} ${m.batch}/${m.batches}: ${m.items.map((i) => i.target.name).join(", ")}`,
    );
    expect(sent).toEqual(messages);
    // Without them, by subscription alone: the site split over two sessions.
    expect(
      split(named.map(({ target }) => [target.name, target.subscriptionId, null, "unlisted"])),
    ).toEqual(["sub-a 1/1: a1, a2", "sub-b 1/1: b1"]);
  });

  it("a listed circuit goes by its listing, not by where it was last read", () => {
    const listed = circuit("a1", "sub-a", "Amsterdam");
    const other = circuit("b1", "sub-b", "Amsterdam");
    const sent = workMessages(
      "sweep-1",
      [
        { target: listed, reason: "due" },
        { target: other, reason: "due" },
      ],
      {
        ...OPTIONS,
        places: new Map([[listed.id.toLowerCase(), { provider: "Colt", location: "London" }]]),
      },
    );
    expect(sent.map((m) => m.items.map((i) => i.target.name))).toEqual([["a1", "b1"]]);
  });
});

describe("which work message reads each subscription's ARP witness", () => {
  const circuit = (name: string, subscription: string, place: string, peerings: string[]) => ({
    id: `/subscriptions/${subscription}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${name}`,
    name,
    subscriptionId: subscription,
    resourceGroup: "rg",
    listed: {
      facts: {
        serviceProviderName: "Equinix",
        peeringLocation: place,
        peerings: peerings.map((state) => ({ name: "AzurePrivatePeering", state })),
      },
    } as unknown as ListedCircuit,
  });
  const witnesses = (rows: [string, string, string, string[]][], batchSize = 2) =>
    workMessages(
      "sweep-1",
      rows.map(([name, sub, place, peerings]) => ({
        target: circuit(name, sub, place, peerings),
        reason: "rotation",
      })),
      {
        now: new Date("2026-12-01T05:00:00Z"),
        deadline: new Date("2026-12-01T05:04:00Z"),
        batchSize,
      },
    ).map((m) => `${m.subscriptionId} ${m.batch}: ${(m.arpWitness ?? ["(unmarked)"]).join(", ")}`);

  it("each subscription's in one message: its own session's first that reads a peering, whatever session its circuits travel in", () => {
    expect(
      witnesses([
        // Travels with a1 in sub-a's session: sub-b's witness stays in its own.
        ["a1", "sub-a", "Amsterdam", ["Enabled"]],
        ["b1", "sub-b", "Amsterdam", ["Enabled"]],
        ["a2", "sub-a", "London", ["Enabled"]],
        ["a3", "sub-a", "Paris", ["Enabled"]],
        ["b2", "sub-b", "Madrid", ["Enabled"]],
      ]),
    ).toEqual(["sub-a 1: sub-a", "sub-a 2: ", "sub-b 1: sub-b"]);
  });

  it("not in a message none of whose circuits of the subscription has an Enabled peering to read", () => {
    expect(
      witnesses([
        ["a1", "sub-a", "Amsterdam", ["Disabled"]],
        ["a2", "sub-a", "London", []],
        ["a3", "sub-a", "Paris", ["Disabled", "Enabled"]],
      ]),
    ).toEqual(["sub-a 1: ", "sub-a 2: sub-a"]);
  });
});

describe("the service keys of a batch's Global Reach peers", () => {
  const id = (n: string) =>
    `/subscriptions/${SUB}/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er-${n}`;
  const reaching = (n: number, ...peers: string[]) => ({
    ...target(n),
    listed: {
      facts: {
        serviceProviderName: "Equinix",
        peeringLocation: "Amsterdam",
        peerings: [
          {
            name: "AzurePrivatePeering",
            globalReach: peers.map((p) => ({
              name: `gr-${p}`,
              peerCircuitPeeringId: `${id(p).toUpperCase()}/peerings/AzurePrivatePeering`,
              status: "Connected",
            })),
          },
        ],
      },
    } as unknown as ListedCircuit,
  });
  const keys = new Map([
    [id("dr").toLowerCase(), "sk-dr"],
    [id("lon").toLowerCase(), "sk-lon"],
  ]);

  it.each<{ case: string; targets: ReturnType<typeof target>[]; peers: unknown }>([
    {
      case: "a peer the listing gave, in any case, is carried by its key",
      targets: [reaching(1, "dr")],
      peers: { [id("dr").toLowerCase()]: "sk-dr" },
    },
    {
      case: "only the peers of this batch, and none the listing did not give",
      targets: [reaching(1, "dr", "far"), target(2)],
      peers: { [id("dr").toLowerCase()]: "sk-dr" },
    },
    { case: "no Global Reach: nothing carried", targets: [target(1)], peers: undefined },
  ])("$case", ({ targets, peers }) => {
    const [m] = withPeerKeys(
      workMessages(
        "sweep-1",
        targets.map((t) => ({ target: t, reason: "due" as const })),
        { now: new Date(0), deadline: new Date(1), batchSize: 10 },
      ),
      keys,
    );
    expect(m!.peerServiceKeys).toEqual(peers);
    // Read back whole by the worker.
    const parsed = parseWorkMessage(JSON.stringify(m));
    expect(parsed.ok && parsed.work.peerServiceKeys).toEqual(peers ?? undefined);
  });
});

describe("work messages fit Service Bus, whatever the circuits carry", () => {
  /** A circuit whose listed body carries `tags` tags of Azure's longest (512 + 256 characters). */
  const heavy = (n: number, tags: number) => {
    const t = target(n);
    const many = Object.fromEntries(
      Array.from({ length: tags }, (_, i) => [`${n}-${i}-`.padEnd(512, "t"), "v".repeat(256)]),
    );
    return {
      ...t,
      location: `${n % 2 === 0 ? "west" : "north"}europe`,
      tags: many,
      listed: {
        ...t.listed,
        tags: many,
        facts: { serviceProviderName: null, peeringLocation: null },
      },
    } as unknown as ReturnType<typeof target>;
  };

  it.each([
    { case: "100 circuits with a dozen long tags, SWEEP_WORK_BATCH 100", tags: 12, batchSize: 100 },
    { case: "20 circuits with 50 tags each, SWEEP_WORK_BATCH 20", tags: 50, batchSize: 20 },
  ])(
    "$case: every message under 256 KB, every circuit once, in plan order",
    ({ tags, batchSize }) => {
      // Counted by circuits alone, such batches were 343 KB and 756 KB: the broker
      // refused the send, and with it the rest of the sweep's fan-out.
      const count = batchSize;
      const messages = workMessages(
        "sweep-1",
        Array.from({ length: count }, (_, n) => ({
          target: heavy(n, tags),
          reason: "due" as const,
        })),
        { now: new Date(0), deadline: new Date(1), batchSize },
      );
      expect(messages.length).toBeGreaterThan(1);
      for (const m of messages) {
        expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThan(256 * 1024 - 32 * 1024);
        expect(m.items.length).toBeLessThanOrEqual(batchSize);
      }
      expect(messages.flatMap((m) => m.items.map((i) => i.target.name))).toEqual(
        Array.from({ length: count }, (_, n) => `er-${n}`),
      );
      expect(messages.map((m) => `${m.batch}/${m.batches}`)).toEqual(
        messages.map((_, i) => `${i + 1}/${messages.length}`),
      );
    },
  );

  it("a site whose reads pass 192 KB, SWEEP_WORK_BATCH 1: as many of them to a message as fit, read in turn in one session", () => {
    // 50 of Azure's longest tags, carried twice: about 77 KB a circuit, so two to a message.
    const atSite = (n: number) => {
      const t = heavy(n, 50);
      return {
        ...t,
        listed: {
          ...t.listed,
          facts: { serviceProviderName: "Equinix", peeringLocation: "Amsterdam" },
        },
      } as unknown as ReturnType<typeof target>;
    };
    const messages = workMessages(
      "sweep-1",
      [0, 1, 2].map((n) => ({ target: atSite(n), reason: "trouble" as const })),
      { now: new Date(0), deadline: new Date(1), batchSize: 1 },
    );
    // The first message holds two of the outage, so it opens the fleet alert; the next joins it.
    expect(messages.map((m) => m.items.map((i) => i.target.name))).toEqual([
      ["er-0", "er-1"],
      ["er-2"],
    ]);
    expect(new Set(messages.map((m) => m.subscriptionId)).size).toBe(1);
    for (const m of messages)
      expect(Buffer.byteLength(JSON.stringify(m.items))).toBeLessThanOrEqual(MAX_WORK_BYTES);
  });
});
