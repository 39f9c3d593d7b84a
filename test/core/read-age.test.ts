// Read ages kept with the snapshot: the age of what erwatch knows, path by
// path, with a failed read keeping the time of the last one that worked; and
// the fingerprint of the circuit body, which changes exactly when the body does.

import { describe, expect, it } from "vitest";
import {
  cheapFingerprint,
  lastDeepReadAt,
  oldestReadAgeMs,
  pathsUnread,
  readAgesOf,
  storedReadAges,
  type ReadAges,
} from "../../src/core/read-age.js";
import type { BgpNeighborRow, CircuitFacts, CircuitReading } from "../../src/core/model.js";
import { circuitReading, failed, microsoftPeering, peering } from "../support/readings.js";

const at = (minute: number) => `2026-11-22T02:${String(minute).padStart(2, "0")}:00.000Z`;

/** The reading with every read stamped `minute`. */
function stamped(reading: CircuitReading, minute: number): CircuitReading {
  const stamp = <R extends { readAt: string }>(r: R): R => ({ ...r, readAt: at(minute) });
  return {
    ...reading,
    circuit: stamp(reading.circuit),
    gateway: stamp(reading.gateway),
    paths: Object.fromEntries(
      Object.entries(reading.paths).map(([name, p]) => [
        name,
        {
          primary: { arp: stamp(p.primary.arp), summary: stamp(p.primary.summary) },
          secondary: { arp: stamp(p.secondary.arp), summary: stamp(p.secondary.summary) },
        },
      ]),
    ),
  };
}

describe("readAgesOf", () => {
  it("stamps every path read and the oldest of them", () => {
    const ages = readAgesOf(stamped(circuitReading(), 5), undefined, at(5));
    expect(ages.paths.AzurePrivatePeering).toEqual({
      primary: { arp: at(5), summary: at(5) },
      secondary: { arp: at(5), summary: at(5) },
    });
    expect(ages).toMatchObject({
      oldestPathAt: at(5),
      circuitAt: at(5),
      gatewayAt: at(5),
      incomplete: false,
      pathsFailed: false,
      pathsReadAt: at(5),
    });
  });

  it("keeps the time of the last read that worked when a read fails, and says the reading is incomplete", () => {
    const first = readAgesOf(stamped(circuitReading(), 1), undefined, at(1));
    const broken = stamped(
      circuitReading({
        paths: { AzurePrivatePeering: { secondary: { bgp: failed({ kind: "throttled" }) } } },
      }),
      6,
    );
    const ages = readAgesOf(broken, first, at(6));
    // And why it failed: a reading that always fails is never had, and the page says why.
    expect(ages.paths.AzurePrivatePeering!.secondary).toEqual({
      arp: at(6),
      summary: at(1),
      summaryFailed: { kind: "throttled" },
    });
    expect(ages.oldestPathAt).toBe(at(1));
    expect(ages.incomplete).toBe(true);
    // Its paths not read whole: a fleet alert naming it is not over on it (core/fleet.ts).
    expect(ages).toMatchObject({ pathsFailed: true, pathsReadAt: at(1) });
  });

  it("keeps why a reading's last try failed while it fails or is not tried, and drops it once it works", () => {
    const action = "Microsoft.Network/expressRouteCircuits/peerings/arpTables/action";
    const forbidden = stamped(
      circuitReading({
        paths: {
          AzurePrivatePeering: {
            primary: { arp: failed({ kind: "forbidden", missingPermission: action }) },
          },
        },
      }),
      1,
    );
    const first = readAgesOf(forbidden, undefined, at(1));
    const note = { kind: "forbidden", missingPermission: action };
    expect(first.paths.AzurePrivatePeering!.primary).toEqual({
      arp: null,
      summary: at(1),
      arpFailed: note,
    });
    // The circuit not read: no path was tried, what is kept stays.
    const unread = stamped(circuitReading({ circuit: failed({ kind: "timeout" }) }), 2);
    const kept = readAgesOf(unread, JSON.parse(JSON.stringify(first)), at(2));
    expect(kept.paths.AzurePrivatePeering!.primary.arpFailed).toEqual(note);
    // A kept failure that is not one erwatch writes is not kept.
    const odd = JSON.parse(JSON.stringify(first)) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    odd.paths.AzurePrivatePeering!.primary!.arpFailed = "forbidden";
    expect(readAgesOf(unread, odd, at(2)).paths.AzurePrivatePeering!.primary).toEqual({
      arp: null,
      summary: at(1),
    });
    // Read at last: nothing failed.
    const back = readAgesOf(stamped(circuitReading(), 3), kept, at(3));
    expect(back.paths.AzurePrivatePeering!.primary).toEqual({ arp: at(3), summary: at(3) });
  });

  it("says its paths were read whole when only the gateway wiring failed", () => {
    const ages = readAgesOf(
      stamped(circuitReading({ gateway: failed({ kind: "forbidden" }) }), 3),
      undefined,
      at(3),
    );
    expect(ages).toMatchObject({ incomplete: true, pathsFailed: false, pathsReadAt: at(3) });
  });

  it("keeps everything it knew when the circuit itself could not be read", () => {
    const first = readAgesOf(stamped(circuitReading(), 1), undefined, at(1));
    const ages = readAgesOf(
      stamped(circuitReading({ circuit: failed({ kind: "timeout" }) }), 6),
      first,
      at(6),
    );
    expect(ages).toMatchObject({
      paths: first.paths,
      oldestPathAt: at(1),
      circuitAt: at(1),
      fingerprint: first.fingerprint,
      incomplete: true,
      pathsFailed: true,
      pathsReadAt: at(1),
    });
  });

  it("is null (never read) for a path whose reads never worked, for what erwatch knows; the rotation ages a refused one from its try", () => {
    const ages = readAgesOf(
      stamped(
        circuitReading({
          paths: { AzurePrivatePeering: { primary: { arp: failed({ kind: "forbidden" }) } } },
        }),
        2,
      ),
      undefined,
      at(2),
    );
    expect(ages.oldestPathAt).toBeNull();
    // Its ARP table alone: the route summaries say whether it carries.
    expect(ages).toMatchObject({ pathsFailed: false, pathsReadAt: at(2), pathsFailedAt: null });
    // Refused for good (forbidden): tried at 2, so 7 min old for the rotation, not never read.
    expect(ages.oldestTriedAt).toBe(at(2));
    expect(oldestReadAgeMs(ages, new Date(at(9)))).toBe(7 * 60_000);
    expect(
      oldestReadAgeMs(readAgesOf(stamped(circuitReading(), 2), undefined, at(2)), new Date(at(9))),
    ).toBe(7 * 60_000);
  });
});

describe("pathsUnread (whether a reading leaves unknown if the circuit carries)", () => {
  const down = failed<BgpNeighborRow[]>({ kind: "server-error" });
  it.each<{ case: string; reading: CircuitReading; unread: boolean }>([
    { case: "every read worked", reading: circuitReading(), unread: false },
    {
      case: "a private path's route summary failed",
      reading: circuitReading({ paths: { AzurePrivatePeering: { secondary: { bgp: down } } } }),
      unread: true,
    },
    {
      case: "only ARP tables failed (an ARP witness without the ARP action): the summaries say",
      reading: circuitReading({
        paths: {
          AzurePrivatePeering: {
            primary: { arp: failed({ kind: "forbidden" }) },
            secondary: { arp: failed({ kind: "forbidden" }) },
          },
        },
      }),
      unread: false,
    },
    {
      case: "the body not read",
      reading: circuitReading({ circuit: failed({ kind: "timeout" }) }),
      unread: true,
    },
  ])("$case → $unread", ({ reading, unread }) => {
    expect(pathsUnread(reading)).toBe(unread);
  });

  it("judges the private peering's paths, not another peering's (else the first peering's)", () => {
    const reading = circuitReading();
    const privatePaths = reading.paths.AzurePrivatePeering!;
    const broken = circuitReading({
      paths: { AzurePrivatePeering: { primary: { bgp: failed({ kind: "server-error" }) } } },
    }).paths.AzurePrivatePeering!;
    const withMicrosoft = (microsoft: typeof privatePaths, priv: typeof privatePaths) => ({
      ...reading,
      paths: { MicrosoftPeering: microsoft, AzurePrivatePeering: priv },
    });
    expect(pathsUnread(withMicrosoft(broken, privatePaths))).toBe(false);
    expect(pathsUnread(withMicrosoft(privatePaths, broken))).toBe(true);
    expect(pathsUnread({ ...reading, paths: { MicrosoftPeering: broken } })).toBe(true);
    expect(pathsUnread({ ...reading, paths: {} })).toBe(false);
  });

  it("keeps the latest evaluation that read them and the latest that did not", () => {
    const first = readAgesOf(stamped(circuitReading(), 1), undefined, at(1));
    const broken = stamped(
      circuitReading({ paths: { AzurePrivatePeering: { primary: { bgp: down } } } }),
      6,
    );
    const second = readAgesOf(broken, first, at(6));
    expect(second).toMatchObject({ pathsFailed: true, pathsReadAt: at(1), pathsFailedAt: at(6) });
    const third = readAgesOf(stamped(circuitReading(), 11), second, at(11));
    expect(third).toMatchObject({ pathsFailed: false, pathsReadAt: at(11), pathsFailedAt: at(6) });
  });

  it("keeps the latest deep read's instant whatever of it failed: a refused route summary moves it, not pathsReadAt", () => {
    const refused = failed<BgpNeighborRow[]>({ kind: "forbidden" });
    const first = readAgesOf(
      stamped(
        circuitReading({
          paths: {
            AzurePrivatePeering: { primary: { bgp: refused }, secondary: { bgp: refused } },
          },
        }),
        1,
      ),
      undefined,
      at(1),
    );
    expect(first).toMatchObject({ pathsReadAt: null, deepReadAt: at(1), retryFirst: false });
    const second = readAgesOf(stamped(circuitReading(), 6), first, at(6));
    expect(second).toMatchObject({ pathsReadAt: at(6), deepReadAt: at(6) });
    const unread = stamped(circuitReading({ circuit: failed({ kind: "timeout" }) }), 11);
    expect(readAgesOf(unread, second, at(11))).toMatchObject({
      pathsReadAt: at(6),
      deepReadAt: at(11),
      retryFirst: true,
    });
  });
});

describe("lastDeepReadAt (from when an availability dip is news)", () => {
  const reads = (over: Partial<ReadAges>): ReadAges => ({
    circuitAt: at(5),
    fingerprint: "f",
    paths: {},
    gatewayAt: at(5),
    oldestPathAt: at(5),
    incomplete: false,
    pathsReadAt: at(5),
    deepReadAt: at(5),
    ...over,
  });
  it.each<{ name: string; r: ReadAges | undefined; want: string | null }>([
    { name: "every read worked", r: reads({}), want: at(5) },
    {
      name: "every read worked, kept before deepReadAt was",
      r: reads({ deepReadAt: undefined }),
      want: at(5),
    },
    {
      name: "a read refused for good (the route summary): the instant it tried",
      r: reads({ incomplete: true, retryFirst: false, pathsReadAt: null, pathsFailed: true }),
      want: at(5),
    },
    {
      name: "a read refused for good, kept before deepReadAt was: none known",
      r: reads({ incomplete: true, retryFirst: false, pathsReadAt: null, deepReadAt: undefined }),
      want: null,
    },
    {
      name: "a read a later try may mend (throttled): none, it did not see",
      r: reads({ incomplete: true, retryFirst: true, pathsReadAt: at(1) }),
      want: null,
    },
    {
      name: "failed, kept before retryFirst was (incomplete alone): none",
      r: reads({ incomplete: true }),
      want: null,
    },
    {
      name: "refused for good, the kept instant not a time",
      r: reads({ incomplete: true, retryFirst: false, deepReadAt: "yesterday" }),
      want: null,
    },
    { name: "never read deep", r: undefined, want: null },
  ])("$name", ({ r, want }) => {
    expect(lastDeepReadAt(r)).toBe(want === null ? null : Date.parse(want));
  });

  it("is kept as written; absent stays absent (older snapshots), and one that is not text is none", () => {
    const ages = readAgesOf(stamped(circuitReading(), 5), undefined, at(5));
    expect(storedReadAges(JSON.parse(JSON.stringify(ages)))).toEqual(ages);
    const { deepReadAt: _, ...older } = ages;
    expect(storedReadAges(older)).not.toHaveProperty("deepReadAt");
    expect(storedReadAges({ ...ages, deepReadAt: 42 })?.deepReadAt).toBeNull();
  });
});

describe("cheapFingerprint", () => {
  const facts = (over: Partial<CircuitFacts> = {}): CircuitFacts => ({
    circuitProvisioningState: "Enabled",
    serviceProviderProvisioningState: "Provisioned",
    skuTier: "Standard",
    skuFamily: "MeteredData",
    bandwidthInMbps: 1000,
    serviceKey: "k",
    serviceProviderName: "Equinix",
    peeringLocation: "Amsterdam",
    peerings: [peering(), microsoftPeering("Configured")],
    ...over,
  });

  it("is the same for the same body, whatever the key order", () => {
    const a = facts();
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as unknown as CircuitFacts;
    expect(cheapFingerprint(reordered, { b: "1", a: "2" })).toBe(
      cheapFingerprint(a, { a: "2", b: "1" }),
    );
  });

  it.each([
    {
      name: "provider state",
      change: facts({ serviceProviderProvisioningState: "NotProvisioned" }),
      tags: {},
    },
    {
      name: "a peering disabled",
      change: facts({ peerings: [peering({ state: "Disabled" })] }),
      tags: {},
    },
    {
      name: "public prefix validation",
      change: facts({ peerings: [peering(), microsoftPeering("ValidationNeeded")] }),
      tags: {},
    },
    { name: "a tag", change: facts(), tags: { "erwatch:criticality": "high" } },
  ] as { name: string; change: CircuitFacts; tags: Record<string, string> }[])(
    "changes with $name",
    ({ change, tags }) => {
      expect(cheapFingerprint(change, tags)).not.toBe(cheapFingerprint(facts(), {}));
    },
  );

  // A field erwatch cannot read is null in the facts whatever Azure sent: its
  // words tell one unreadable value from another, so a circuit waiting in its
  // turn on one is read at once when Azure sends another.
  describe("with a field of the body erwatch cannot read", () => {
    const field = (message: string, call = "Microsoft.Network/expressRouteCircuits/read") =>
      ({ kind: "malformed", call, target: "circuit x", message }) as const;
    const asZero = field("circuit x: peerings[0].peerASN is 0, not an AS number (1–4294967295)");
    const asMinus = field("circuit x: peerings[0].peerASN is -1, not an AS number (1–4294967295)");
    const unread = facts({ peerings: [peering({ peerASN: null })] });

    it("is the same while Azure sends the same value", () => {
      expect(cheapFingerprint(unread, {}, [asZero])).toBe(
        cheapFingerprint(structuredClone(unread), {}, [{ ...asZero }]),
      );
    });

    it("changes when Azure sends another unreadable value", () => {
      expect(cheapFingerprint(unread, {}, [asMinus])).not.toBe(
        cheapFingerprint(unread, {}, [asZero]),
      );
    });

    it("changes when the same facts come without it (the value mended to one that reads as null)", () => {
      expect(cheapFingerprint(unread, {}, [])).not.toBe(cheapFingerprint(unread, {}, [asZero]));
    });

    it("is kept with the snapshot as the planner takes it from the listing", () => {
      const wiring = field(
        "connection c: virtualNetworkGateway1 is missing",
        "Microsoft.Network/connections/read",
      );
      const reading = circuitReading();
      reading.circuit = { ...reading.circuit, value: unread } as CircuitReading["circuit"];
      reading.fieldFailures = [asZero, wiring];
      expect(readAgesOf(stamped(reading, 2), undefined, at(2)).fingerprint).toBe(
        cheapFingerprint(unread, reading.ref.tags, [asZero]),
      );
    });

    it("hashes as before when none is named, and leaves out the gateway wiring's (not the cheap tier's)", () => {
      const wiring = field(
        "connection c: virtualNetworkGateway1 is missing",
        "Microsoft.Network/connections/read",
      );
      const refused = { ...asZero, kind: "forbidden" } as const;
      expect(cheapFingerprint(unread, {}, [wiring, refused])).toBe(cheapFingerprint(unread, {}));
      expect(cheapFingerprint(unread, {}, [])).toBe(cheapFingerprint(unread, {}));
    });
  });

  // What each peering entry not read was is in its words already: kept in
  // the fingerprint too, a circuit with a null peering, whose words did not
  // change, was read deep at the first sweep after the upgrade that kept it.
  describe("with a peering entry not read", () => {
    const said = (what: string) =>
      ({
        kind: "malformed",
        call: "Microsoft.Network/expressRouteCircuits/read",
        target: "circuit x",
        message: `circuit x: peerings[1] ${what}: 1 of the 2 peerings listed cannot be read`,
      }) as const;
    const isNull = said("is null");
    const isText = said('is "x", not an object');
    const partly = (kinds?: ("null" | "text")[]) =>
      facts({
        peerings: null,
        peeringsUnread: { listed: 2, unreadable: 1, entries: [1], ...(kinds ? { kinds } : {}) },
        peeringsRead: [peering()],
      });

    it("is the one the erwatch before kept, which did not keep what the entry was", () => {
      expect(cheapFingerprint(partly(["null"]), {}, [isNull])).toBe(
        cheapFingerprint(partly(), {}, [isNull]),
      );
    });

    it("changes when Azure sends another entry in its place", () => {
      expect(cheapFingerprint(partly(["text"]), {}, [isText])).not.toBe(
        cheapFingerprint(partly(["null"]), {}, [isNull]),
      );
    });
  });
});

describe("a kept reading time that is not a time (a hand edit, a cut-off write)", () => {
  const now = new Date(at(9));
  // Kept before oldestTriedAt was: the rotation ages it by oldestPathAt.
  const keptAt = (oldestPathAt: unknown): ReturnType<typeof readAgesOf> => ({
    ...readAgesOf(stamped(circuitReading(), 2), undefined, at(2)),
    oldestPathAt: oldestPathAt as string,
    oldestTriedAt: undefined,
  });

  it.each<{ name: string; kept: unknown; age: number | null }>([
    { name: "an instant", kept: at(2), age: 7 * 60_000 },
    { name: "an instant with an offset", kept: "2026-11-22T03:02:00+01:00", age: 7 * 60_000 },
    { name: "never read", kept: null, age: null },
    // Date.parse gave NaN for these: an age no limit is passed by.
    { name: "empty", kept: "", age: null },
    { name: "a word", kept: "yesterday", age: null },
    { name: "a number", kept: 42, age: null },
    // And the year 2042 for this: an age of 0, fresh until then.
    { name: "a number as text", kept: "42", age: null },
    // And the host's own zone for this: 0 min old on a UTC host, whatever it was.
    { name: "a time without its zone", kept: "2026-11-22T02:09:00", age: null },
  ])("$name → $age", ({ kept, age }) => {
    expect(oldestReadAgeMs(keptAt(kept), now)).toBe(age);
  });

  it.each(["", "yesterday", "42", "2026-11-22T02:09:00"])(
    "a path still read at %j, its read failing: the oldest reading is of unknown age, not the fresh one",
    (odd) => {
      const first = readAgesOf(stamped(circuitReading(), 1), undefined, at(1));
      const kept = structuredClone(first);
      kept.paths.AzurePrivatePeering!.secondary.summary = odd;
      const broken = stamped(
        circuitReading({
          paths: { AzurePrivatePeering: { secondary: { bgp: failed({ kind: "throttled" }) } } },
        }),
        6,
      );
      const ages = readAgesOf(broken, kept, at(6));
      expect(ages.paths.AzurePrivatePeering!.secondary.summary).toBe(odd);
      expect(ages.oldestPathAt).toBe(odd);
      expect(oldestReadAgeMs(ages, new Date(at(9)))).toBeNull();
    },
  );
});

describe("a kept `reads` that is not what erwatch writes (a hand edit, a cut-off write, an older erwatch)", () => {
  // Not checked with the snapshot row (adapters/tables/row-schemas.ts): it
  // reaches readAgesOf as stored, for every circuit at every sweep.
  const first = readAgesOf(stamped(circuitReading(), 1), undefined, at(1));
  const edited = (edit: (reads: Record<string, unknown>) => void): unknown => {
    const reads = structuredClone(first) as unknown as Record<string, unknown>;
    edit(reads);
    return reads;
  };
  const peeringOf = (reads: Record<string, unknown>) =>
    (reads.paths as Record<string, Record<string, unknown>>).AzurePrivatePeering!;
  const NOT_KEPT = { arp: null, summary: null };
  const KEPT = { arp: at(1), summary: at(1) };
  // The circuit not read keeps every time it had; its secondary's summary failing keeps that one.
  const unread = stamped(circuitReading({ circuit: failed({ kind: "timeout" }) }), 6);
  const summaryFailed = stamped(
    circuitReading({
      paths: { AzurePrivatePeering: { secondary: { bgp: failed({ kind: "throttled" }) } } },
    }),
    6,
  );

  it.each<{ name: string; stored: unknown; primary: object; secondary: object }>([
    {
      name: "a path missing",
      stored: edited((r) => delete peeringOf(r).primary),
      primary: NOT_KEPT,
      secondary: KEPT,
    },
    {
      name: "a path null",
      stored: edited((r) => (peeringOf(r).secondary = null)),
      primary: KEPT,
      secondary: NOT_KEPT,
    },
    {
      name: "a path text",
      stored: edited((r) => (peeringOf(r).primary = "primary")),
      primary: NOT_KEPT,
      secondary: KEPT,
    },
    {
      name: "a path a number",
      stored: edited((r) => (peeringOf(r).secondary = 5)),
      primary: KEPT,
      secondary: NOT_KEPT,
    },
    {
      name: "a path a list",
      stored: edited((r) => (peeringOf(r).primary = [at(1)])),
      primary: NOT_KEPT,
      secondary: KEPT,
    },
    {
      name: "times that are not text",
      stored: edited((r) => (peeringOf(r).secondary = { arp: 42, summary: { at: at(1) } })),
      primary: KEPT,
      secondary: NOT_KEPT,
    },
    {
      name: "the peering null",
      stored: edited((r) => ((r.paths as Record<string, unknown>).AzurePrivatePeering = null)),
      primary: NOT_KEPT,
      secondary: NOT_KEPT,
    },
    {
      name: "the peering text",
      stored: edited((r) => ((r.paths as Record<string, unknown>).AzurePrivatePeering = "x")),
      primary: NOT_KEPT,
      secondary: NOT_KEPT,
    },
    {
      name: "paths missing",
      stored: edited((r) => delete r.paths),
      primary: NOT_KEPT,
      secondary: NOT_KEPT,
    },
    {
      name: "paths null",
      stored: edited((r) => (r.paths = null)),
      primary: NOT_KEPT,
      secondary: NOT_KEPT,
    },
    {
      name: "paths text",
      stored: edited((r) => (r.paths = "AzurePrivatePeering")),
      primary: NOT_KEPT,
      secondary: NOT_KEPT,
    },
    {
      name: "paths a list",
      stored: edited((r) => (r.paths = [{ primary: KEPT }])),
      primary: NOT_KEPT,
      secondary: NOT_KEPT,
    },
    { name: "reads null", stored: null, primary: NOT_KEPT, secondary: NOT_KEPT },
    { name: "reads text", stored: "reads", primary: NOT_KEPT, secondary: NOT_KEPT },
    { name: "reads a number", stored: 5, primary: NOT_KEPT, secondary: NOT_KEPT },
    { name: "reads a list", stored: [first], primary: NOT_KEPT, secondary: NOT_KEPT },
    { name: "reads empty", stored: {}, primary: NOT_KEPT, secondary: NOT_KEPT },
  ])("$name: what is odd is not kept, the rest is", ({ stored, primary, secondary }) => {
    const ages = readAgesOf(summaryFailed, stored, at(6));
    // Read now: its own time. Failed now: the kept one, when there is one that is text.
    expect(ages.paths.AzurePrivatePeering).toEqual({
      primary: { arp: at(6), summary: at(6) },
      secondary: {
        arp: at(6),
        summary: (secondary as typeof KEPT).summary,
        summaryFailed: { kind: "throttled" },
      },
    });
    const kept = readAgesOf(unread, stored, at(6)).paths.AzurePrivatePeering;
    if (kept !== undefined) expect(kept).toEqual({ primary, secondary });
    else expect([primary, secondary]).toEqual([NOT_KEPT, NOT_KEPT]);
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["text", "x"],
    ["a number", 5],
    ["a list", []],
  ])("its other times %s: not kept, and never written back as they were", (_, odd) => {
    const stored = edited((r) => {
      for (const k of ["circuitAt", "fingerprint", "gatewayAt", "oldestPathAt"]) r[k] = odd;
      r.pathsReadAt = odd;
      r.pathsFailedAt = odd;
    });
    const nothingRead = stamped(
      circuitReading({
        circuit: failed({ kind: "timeout" }),
        gateway: failed({ kind: "timeout" }),
      }),
      6,
    );
    const ages = readAgesOf(nothingRead, stored, at(6));
    // Text that is not an instant is kept, of unknown age (oldestReadAt); anything else is not.
    const text = typeof odd === "string" ? odd : null;
    expect(ages).toMatchObject({
      circuitAt: text,
      fingerprint: text,
      gatewayAt: text,
      oldestPathAt: at(1),
      pathsReadAt: text,
      pathsFailedAt: at(6),
    });
    expect(readAgesOf(summaryFailed, stored, at(6))).toMatchObject({
      circuitAt: at(6),
      pathsReadAt: text,
      pathsFailedAt: at(6),
    });
  });
});
