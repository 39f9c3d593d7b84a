// Issue 11, "Honest words" and "What erwatch cannot see is an alert too",
// through the stateful sweep at the product's default cadence (a sweep every
// 5 minutes, injected clock): fake reads, real Table Storage (Azurite).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CircuitTarget } from "../../src/app/ports.js";
import type { StateStore } from "../../src/app/state-store.js";
import { loadStatus } from "../../src/app/status.js";
import { createSweeper } from "../../src/app/sweep.js";
import { alertKey } from "../../src/core/alert-identity.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import type { GatewayConnectionFacts, ReadFailure } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { FakeReader } from "../support/fake-reader.js";
import { InMemoryEventSink } from "../support/in-memory-sink.js";
import { CONNECTED_GATEWAY, failed, ok, type CircuitSpec } from "../support/readings.js";
import { freshStore } from "../support/state.js";
import { memoryLogger } from "../support/test-logger.js";

const T0 = Date.parse("2026-11-22T01:00:00.000Z");
const CADENCE = 5;
const at = (sweep: number) => new Date(T0 + sweep * CADENCE * 60_000);
const SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

async function harness(
  options: { reader?: FakeReader; store?: (store: StateStore) => StateStore } = {},
) {
  const { store: tables } = await freshStore(azurite.connectionString);
  const store = options.store?.(tables) ?? tables;
  const reader = options.reader ?? new FakeReader();
  const sink = new InMemoryEventSink();
  const { logger, records } = memoryLogger();
  let n = 0;
  const sweeper = createSweeper({
    reader,
    store,
    sink,
    policy: { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
    silences: [],
    historyRetentionDays: 30,
    logger,
    newId: () => `sweep-${++n}`,
  });
  /** The timer's sweep: the whole scope, listed. */
  const run = (sweep: number) => {
    reader.readAt = at(sweep).toISOString();
    return sweeper.sweep({
      scope: { subscriptions: [SUBSCRIPTION], circuitIds: [] },
      now: at(sweep),
      abortSignal: AbortSignal.timeout(30_000),
    });
  };
  /** An on-demand sweep of the circuit by name: lists nothing. */
  const runNamed = (sweep: number, target: CircuitTarget = reader.target) =>
    sweeper.sweep({
      targets: [target],
      now: at(sweep),
      abortSignal: AbortSignal.timeout(30_000),
    });
  const sent = () => sink.published.map((e) => `${e.action}:${e.code}:${e.severity}#${e.sequence}`);
  const status = (sweep: number) =>
    loadStatus(store, at(sweep), { recentHours: 24, recentLimit: 100 });
  return { store, reader, sink, run, runNamed, sent, status, records };
}

/** The fake's circuit and a second one in the same subscription, read the same. */
class TwoCircuits extends FakeReader {
  readonly other: CircuitTarget = {
    ...this.target,
    id: this.target.id.replace(/er-circuit-prod$/, "er-circuit-dr"),
    name: "er-circuit-dr",
  };
  override async discover(scope?: { subscriptions: string[]; circuitIds: string[] }) {
    const found = await super.discover(scope);
    return { ...found, targets: found.targets.length > 0 ? [this.target, this.other] : [] };
  }
  override async read(target?: CircuitTarget, options?: { routes?: boolean }) {
    const result = await super.read(target, options);
    if (target?.id !== this.other.id || result.kind !== "read") return result;
    const { reading } = result;
    return {
      ...result,
      reading: { ...reading, ref: { ...reading.ref, id: this.other.id, name: this.other.name } },
    };
  }
}

/** The fake's circuit, listed (and read) under whatever spelling of its id `spelling` says. */
class Respelled extends FakeReader {
  spelling = this.target.id;
  override async discover(scope?: { subscriptions: string[]; circuitIds: string[] }) {
    const found = await super.discover(scope);
    return { ...found, targets: found.targets.map((t) => ({ ...t, id: this.spelling })) };
  }
  override async read(target?: CircuitTarget, options?: { routes?: boolean }) {
    const result = await super.read(target, options);
    if (result.kind !== "read" || !target) return result;
    return {
      ...result,
      reading: { ...result.reading, ref: { ...result.reading.ref, id: target.id } },
    };
  }
}

const forbidden: ReadFailure = {
  kind: "forbidden",
  statusCode: 403,
  call: "Microsoft.Network/expressRouteCircuits/read",
  target: `circuits in subscription ${SUBSCRIPTION}`,
  message: "AuthorizationFailed",
  missingPermission: "Microsoft.Network/expressRouteCircuits/read",
};

const bothDown: CircuitSpec = {
  paths: {
    AzurePrivatePeering: {
      primary: { arp: "empty", bgp: "Idle" },
      secondary: { arp: "empty", bgp: "Idle" },
    },
  },
};

describe("honest words through the sweep (5-minute cadence)", () => {
  it("one path down while the other cannot be read: 'redundancy unverified' at Sev1, then 'holding' at Sev2 once it is read", async () => {
    const h = await harness();
    await h.run(0);
    const summaryTimeout = failed<never>({
      kind: "timeout",
      call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
      target: "route table summary AzurePrivatePeering/primary",
    });
    h.reader.spec = {
      paths: {
        AzurePrivatePeering: {
          primary: { bgp: summaryTimeout },
          secondary: { arp: "empty", bgp: "Idle" },
        },
      },
    };
    await h.run(1);
    // Said in the log the sweep it fails, with the circuit and the sweep: monitoring-blind waits three.
    const failedLines = h.records().filter((r) => String(r.msg).startsWith("reads failed"));
    expect(failedLines).toEqual([
      expect.objectContaining({
        level: 40,
        sweepId: "sweep-2",
        circuitId: h.reader.target.id,
        failedReads: [
          expect.objectContaining({
            kind: "timeout",
            call: "Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/read",
            target: "route table summary AzurePrivatePeering/primary",
          }),
        ],
      }),
    ]);
    await h.run(2);
    expect(h.sent()).toEqual(["open:arp-missing:Sev1#1"]);
    const open = h.sink.published[0]!;
    expect(open.title).toMatch(/redundancy unverified: the primary path could not be confirmed/);
    expect(open.title).not.toMatch(/holding/);
    // The other path is read again and carries routes: the words and the grade follow.
    h.reader.spec = {
      paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } },
    };
    await h.run(3);
    expect(h.sent()).toEqual(["open:arp-missing:Sev1#1", "deescalate:arp-missing:Sev2#2"]);
    expect(h.sink.published[1]!.title).toMatch(
      /redundancy holding \(primary Established, 120 prefixes\)/,
    );
  });

  it("the on-prem ARP row Incomplete: shared ownership, your VLAN and /30 first, ticket ready", async () => {
    const h = await harness();
    h.reader.spec = {
      paths: { AzurePrivatePeering: { secondary: { arp: "incomplete", bgp: "Idle" } } },
    };
    await h.run(0);
    await h.run(1);
    expect(h.sent()).toEqual(["open:arp-missing:Sev2#1"]);
    const open = h.sink.published[0]!;
    expect(open.owner).toBe("shared");
    expect(open.nextAction).toMatch(/^Your side first: .*VLAN 200.*secondary: 192\.168\.10\.21/);
    expect(open.ticket).toContain("Service key:");
  });

  it("an odd ARP table under a session that receives prefixes never pages, for hours", async () => {
    const h = await harness();
    h.reader.spec = {
      paths: {
        AzurePrivatePeering: {
          primary: { arp: "incomplete", bgp: "120" },
          secondary: { arp: "empty", bgp: "3000" },
        },
      },
    };
    for (let s = 0; s <= 36; s += 1) await h.run(s);
    expect(h.sent()).toEqual([]);
    const [circuit] = (await h.status(36)).circuits;
    expect(circuit!.peerings[0]!.paths.primary.provider).toMatchObject({ status: "warn" });
    expect(circuit!.peerings[0]!.paths.primary.provider.detail).toMatch(/L2 works/);
  });

  it("circuitProvisioningState Disabled: its own Sev1 finding, owner you, and it resolves when Enabled again", async () => {
    const h = await harness();
    await h.run(0);
    h.reader.spec = { circuitState: "Disabled" };
    await h.run(1);
    await h.run(2);
    expect(h.sent()).toEqual(["open:circuit-not-enabled:Sev1#1"]);
    expect(h.sink.published[0]!.owner).toBe("you");
    expect(h.sink.published[0]!.family).toBe("circuit-state");
    h.reader.spec = {};
    await h.run(3);
    await h.run(4);
    expect(h.sent()).toEqual([
      "open:circuit-not-enabled:Sev1#1",
      "resolve:circuit-not-enabled:Sev1#2",
    ]);
  });

  it("a gateway connection that was Connected and is not any more: Sev1, and it stays Sev1", async () => {
    const h = await harness();
    await h.run(0);
    const lost: GatewayConnectionFacts[] = [{ ...CONNECTED_GATEWAY[0]!, status: "NotConnected" }];
    h.reader.spec = { gateway: ok(lost) };
    for (let s = 1; s <= 12; s += 1) await h.run(s);
    expect(h.sent()).toEqual(["open:gateway-not-connected:Sev1#1"]);
    expect(h.sink.published[0]!.title).toMatch(
      /^VNet traffic stopped: gateway connection conn-er-prod is NotConnected/,
    );
    // Deleted outright a while later: still the same stopped traffic, still Sev1.
    h.reader.spec = { gateway: ok([]) };
    await h.run(13);
    expect(h.sent()).toEqual(["open:gateway-not-connected:Sev1#1"]);
  });

  it("wiring never seen Connected stays the configured Sev3", async () => {
    const h = await harness();
    h.reader.spec = { gateway: ok([]) };
    await h.run(0);
    await h.run(1);
    expect(h.sent()).toEqual(["open:gateway-not-connected:Sev3#1"]);
  });
});

describe("what erwatch cannot see is an alert too (5-minute cadence)", () => {
  it("a subscription that cannot be listed: monitoring-blind for it after 3 sweeps, its circuits' open alerts held and stale, then all resumes", async () => {
    const h = await harness();
    h.reader.spec = bothDown;
    await h.run(0);
    expect(h.sent()).toEqual(["open:arp-missing:Sev0#1"]);
    h.reader.listing = forbidden;
    const reads = h.reader.reads;
    // Five hours: past the Sev0 repeat interval (4 h) and far past any resolve.
    for (let s = 1; s <= 60; s += 1) await h.run(s);
    expect(h.reader.reads).toBe(reads);
    // Whoever holds the Sev0 hears once that erwatch lost sight of it, when
    // monitoring-blind opens; nothing more for five hours, not even its repeat.
    expect(h.sent()).toEqual([
      "open:arp-missing:Sev0#1",
      "open:monitoring-blind:Sev3#1",
      "repeat:arp-missing:Sev0#2",
    ]);
    expect(h.sink.published[2]!.change).toMatch(/^Blind: erwatch has not been able to read/);
    expect(h.sink.published[2]!.occurredAt).toBe(at(3).toISOString());
    // The notice names the circuit as the page did: its service key, provider and location as last read.
    const paged = h.sink.published[0]!.circuit;
    expect(h.sink.published[2]!.circuit).toMatchObject({
      serviceKey: paged.serviceKey,
      serviceProviderName: paged.serviceProviderName,
      peeringLocation: paged.peeringLocation,
    });
    expect(paged.serviceKey).not.toBeNull();
    const blind = h.sink.published[1]!;
    expect(blind.circuit.id).toBe(`/subscriptions/${SUBSCRIPTION}`);
    expect(blind.key).toBe(alertKey(`/subscriptions/${SUBSCRIPTION}`, null, "monitoring-blind"));
    expect(blind.title).toMatch(
      /erwatch cannot read circuits in subscription .*: forbidden \(missing Microsoft\.Network\/expressRouteCircuits\/read\)/,
    );
    // Opened at the third failed listing, 10 minutes after the first.
    expect(blind.occurredAt).toBe(at(3).toISOString());
    const stale = await h.status(60);
    const outage = stale.openAlerts.find((a) => a.code === "arp-missing")!;
    expect(outage).toMatchObject({ state: "firing", stale: true });
    expect(stale.circuits[0]!.stale).toBe(true);
    expect(stale.openAlerts.find((a) => a.code === "monitoring-blind")!.stale).toBe(false);
    // The listing works again: the circuit is read, its outage is fresh, and
    // the blind alert resolves after its second good listing.
    h.reader.listing = "listed";
    await h.run(61);
    expect(h.sent()).toEqual([
      "open:arp-missing:Sev0#1",
      "open:monitoring-blind:Sev3#1",
      "repeat:arp-missing:Sev0#2",
      "repeat:arp-missing:Sev0#3",
    ]);
    await h.run(62);
    expect(h.sent()).toEqual([
      "open:arp-missing:Sev0#1",
      "open:monitoring-blind:Sev3#1",
      "repeat:arp-missing:Sev0#2",
      "repeat:arp-missing:Sev0#3",
      "resolve:monitoring-blind:Sev3#2",
    ]);
    const fresh = await h.status(62);
    expect(fresh.openAlerts.map((a) => `${a.code}:${a.stale}`)).toEqual(["arp-missing:false"]);
  });

  it("a circuit listed under another spelling of its id than storage has: judged in the partition it has, not a new one", async () => {
    const reader = new Respelled();
    const h = await harness({ reader });
    h.reader.spec = bothDown;
    await h.run(0);
    expect(h.sent()).toEqual(["open:arp-missing:Sev0#1"]);
    reader.spelling = reader.target.id.replace(/er-circuit-prod$/, "ER-Circuit-Prod");
    h.reader.spec = {};
    const later = [await h.run(1), await h.run(2)];
    expect(later.map((r) => r.verdicts.map((v) => v.id))).toEqual([
      [reader.target.id],
      [reader.target.id],
    ]);
    // Its alert resolves where it was opened; storage knows one circuit.
    expect(h.sent()).toEqual(["open:arp-missing:Sev0#1", "resolve:arp-missing:Sev0#2"]);
    expect(await h.store.listCircuitIds()).toEqual([reader.target.id]);
    // Asked for by id in yet another spelling (POST /api/sweep): the same partition again.
    const named = await h.runNamed(3, { ...reader.target, id: reader.target.id.toUpperCase() });
    expect(named.verdicts.map((v) => v.id)).toEqual([reader.target.id]);
    expect(await h.store.listCircuitIds()).toEqual([reader.target.id]);
  });

  it("a listing that fails fewer sweeps than the blind count raises nothing", async () => {
    const h = await harness();
    await h.run(0);
    h.reader.listing = forbidden;
    await h.run(1);
    await h.run(2);
    h.reader.listing = "listed";
    await h.run(3);
    h.reader.listing = forbidden;
    await h.run(4);
    await h.run(5);
    expect(h.sent()).toEqual([]);
  });

  // Blind soak seed 772: the path alert had its Blind: notice, was read again
  // masked by the provider (a reading), then went blind anew. The provider's
  // Sev0 holds it and is as severe: its notice speaks for both (README "Blind":
  // "one as severe speaks for it"), so the pager hears one Blind:, not two.
  it("an outage masked by the provider's Sev0 when the listing fails again: one Blind:, the provider's, speaks for both", async () => {
    const h = await harness();
    h.reader.spec = bothDown;
    await h.run(0);
    h.reader.listing = forbidden;
    for (let s = 1; s <= 3; s += 1) await h.run(s);
    h.reader.listing = "listed";
    h.reader.spec = { providerState: "NotProvisioned" };
    await h.run(4);
    await h.run(5);
    const before = h.sent();
    expect(before).toEqual([
      "open:arp-missing:Sev0#1",
      "open:monitoring-blind:Sev3#1",
      "repeat:arp-missing:Sev0#2",
      expect.stringMatching(/^open:provider-[a-z-]+:Sev0#1$/),
      "resolve:monitoring-blind:Sev3#2",
    ]);
    const provider = before[3]!.split(":")[1];
    h.reader.listing = forbidden;
    for (let s = 6; s <= 12; s += 1) await h.run(s);
    const after = h.sink.published.slice(before.length);
    // Both in the sweep the listing has failed three times (their order within it is not the point).
    expect(after.map((e) => `${e.action}:${e.code}:${e.severity}#${e.sequence}`).sort()).toEqual([
      "open:monitoring-blind:Sev3#3",
      `repeat:${provider}:Sev0#2`,
    ]);
    const notice = after.find((e) => e.action === "repeat")!;
    expect(notice.occurredAt).toBe(at(8).toISOString());
    expect(notice.change).toMatch(/^Blind: /);
    // Its last reading is the masked sweep, not the one before the provider went down.
    expect(notice.blindSince).toBe(at(5).toISOString());
    // The path alert was held, and the log says by what.
    // The path alert had no notice of its own, and the log says who spoke for it.
    const path = h.records().filter((r) => r.family === "path-down" && r.sweepId === "sweep-9");
    expect(path).toEqual([
      expect.objectContaining({
        action: "none",
        reason: "blind",
        detail: expect.stringMatching(
          /; held by erw-[0-9a-f]{32} \(provider down holds everything on the circuit\), which speaks for it$/,
        ),
      }),
    ]);
  });
  it("an outage the provider's Sev0 masks, then the listing fails: the provider's Blind: alone reaches the pager", async () => {
    const h = await harness();
    h.reader.spec = bothDown;
    await h.run(0);
    h.reader.spec = { providerState: "NotProvisioned" };
    await h.run(1);
    const before = h.sent();
    expect(before).toEqual([
      "open:arp-missing:Sev0#1",
      expect.stringMatching(/^open:provider-[a-z-]+:Sev0#1$/),
    ]);
    h.reader.listing = forbidden;
    for (let s = 2; s <= 8; s += 1) await h.run(s);
    const after = h.sink.published.slice(before.length);
    expect(after.map((e) => `${e.action}:${e.code}:${e.severity}`).sort()).toEqual([
      "open:monitoring-blind:Sev3",
      `repeat:${before[1]!.split(":")[1]}:Sev0`,
    ]);
    expect(after.find((e) => e.action === "repeat")!.blindSince).toBe(at(1).toISOString());
  });

  it("a circuit that disappears while its alerts are open: resolved once, 'circuit no longer exists'; back later, it starts clean", async () => {
    const h = await harness();
    h.reader.spec = bothDown;
    await h.run(0);
    // Neither a failed listing nor an on-demand sweep of named circuits says it is gone.
    h.reader.listing = forbidden;
    await h.run(1);
    h.reader.listing = "listed";
    await h.runNamed(2);
    expect(h.sent()).toEqual(["open:arp-missing:Sev0#1"]);
    h.reader.listing = "absent";
    await h.run(3);
    await h.run(4);
    await h.run(5);
    expect(h.sent()).toEqual(["open:arp-missing:Sev0#1", "resolve:arp-missing:Sev0#2"]);
    const resolve = h.sink.published[1]!;
    expect(resolve.change).toMatch(/^Resolved: circuit no longer exists\./);
    expect((await h.status(5)).openAlerts).toEqual([]);
    expect((await h.status(5)).circuits).toEqual([]);
    // It comes back (say, moved back) healthy, then breaks: a new episode, nothing carried over.
    h.reader.listing = "listed";
    h.reader.spec = {};
    await h.run(6);
    expect(h.sent()).toHaveLength(2);
    h.reader.spec = bothDown;
    await h.run(7);
    expect(h.sent().slice(2)).toEqual(["open:arp-missing:Sev0#3"]);
    expect(h.sink.published[2]!.episodeId).toBe(`${h.sink.published[2]!.key}-3`);
    expect(h.sink.published[2]!.change).toMatch(/^New since/);
  });

  it("two circuits gone while Table Storage refuses to forget them: both resolved, neither holding the other up", async () => {
    let refusing = false;
    // Decided per call, and kept by the per-sweep store the sweep derives (withSignal).
    const refusingForget = (store: StateStore): StateStore =>
      new Proxy(store, {
        get(target, name, receiver) {
          const value: unknown = Reflect.get(target, name, receiver);
          if (typeof value !== "function") return value;
          const call = (...args: unknown[]): unknown =>
            (value as (...a: unknown[]) => unknown).apply(target, args);
          if (name === "withSignal")
            return (...args: unknown[]) => refusingForget(call(...args) as StateStore);
          if (name === "forgetCircuit")
            return (...args: unknown[]) =>
              refusing
                ? Promise.reject(new Error("deleting rows failed: 403 AuthorizationFailure"))
                : call(...args);
          return call;
        },
      });
    const h = await harness({ reader: new TwoCircuits(), store: refusingForget });
    h.reader.spec = bothDown;
    await h.run(0);
    expect(h.sent()).toEqual(["open:arp-missing:Sev0#1", "open:arp-missing:Sev0#1"]);
    refusing = true;
    h.reader.listing = "absent";
    for (const sweep of [1, 2, 3]) await h.run(sweep);
    expect(h.sent()).toEqual([
      "open:arp-missing:Sev0#1",
      "open:arp-missing:Sev0#1",
      "resolve:arp-missing:Sev0#2",
      "resolve:arp-missing:Sev0#2",
    ]);
    expect(new Set(h.sink.published.slice(2).map((e) => e.circuit.name))).toEqual(
      new Set(["er-circuit-prod", "er-circuit-dr"]),
    );
    // Said for each circuit, every sweep until it can be forgotten.
    const said = h
      .records()
      .filter(
        (r) => r.msg === "a circuit that is gone could not be forgotten; the next sweep tries",
      );
    expect(new Set(said.map((r) => r.circuitId))).toEqual(
      new Set([h.reader.target.id, (h.reader as TwoCircuits).other.id]),
    );
    // Storage takes deletes again: both are forgotten, nothing more is sent.
    refusing = false;
    await h.run(4);
    expect(h.sent()).toHaveLength(4);
    expect((await h.status(4)).circuits).toEqual([]);
  });

  it("a circuit tagged erwatch:ignore while its alerts are open: resolved once, 'circuit is ignored now'", async () => {
    const h = await harness();
    h.reader.spec = bothDown;
    await h.run(0);
    h.reader.ignored = true;
    await h.run(1);
    await h.run(2);
    expect(h.sent()).toEqual(["open:arp-missing:Sev0#1", "resolve:arp-missing:Sev0#2"]);
    expect(h.sink.published[1]!.change).toMatch(/^Resolved: circuit is ignored now\./);
  });

  it("Service Bus failing in the sweep that also resolves an ignored circuit: tried once, not again for the resolve; both go out next, in order", async () => {
    const h = await harness();
    h.reader.spec = bothDown;
    h.sink.failWith = new Error("publishing failed: Service Bus did not answer within 30000 ms");
    let tries = 0;
    const publish = h.sink.publish.bind(h.sink);
    h.sink.publish = (events) => ((tries += 1), publish(events));
    await h.run(0);
    expect(tries).toBe(1);
    // The open waits in the outbox; the circuit is tagged erwatch:ignore meanwhile.
    h.reader.ignored = true;
    const failing = await h.run(1);
    expect(failing.brokerError).toMatch(/did not answer/);
    // The open that waited failed to go out: the resolve the sweep then decided is not tried.
    expect(tries).toBe(2);
    h.sink.failWith = null;
    await h.run(2);
    expect(h.sent()).toEqual(["open:arp-missing:Sev0#1", "resolve:arp-missing:Sev0#2"]);
  });

  it("a circuit that disappears with only a pending condition: nothing is sent", async () => {
    const h = await harness();
    await h.run(0);
    h.reader.spec = {
      paths: { AzurePrivatePeering: { secondary: { arp: "empty", bgp: "Idle" } } },
    };
    await h.run(1);
    h.reader.listing = "absent";
    await h.run(2);
    await h.run(3);
    expect(h.sent()).toEqual([]);
  });
});
