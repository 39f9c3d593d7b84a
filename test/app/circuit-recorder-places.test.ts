// Where a named circuit is (circuit-recorder.ts): POST /api/sweep names
// circuits without a listing, so the recorder could not tell two of them
// shared a carrier's site; nothing waited to group and each outage paged on
// its own. Where each was last read (its stored snapshot) now says where it
// is expected. A circuit whose reading puts it elsewhere leaves the place it
// was expected at (nothing there waits for it), and past the last call its
// outage is taken where its reading puts it, never held for the hard stop.

import { describe, expect, it, vi } from "vitest";

const prepared = new Map<string, unknown>();
vi.mock("../../src/app/record-circuit.js", async (orig) => {
  const actual = (await orig()) as Record<string, unknown>;
  return {
    ...actual,
    prepareCircuit: async (_d: unknown, reading: { ref: { id: string } }) =>
      prepared.get(reading.ref.id),
  };
});

import { alertKey, FAMILY_OF } from "../../src/core/alert-identity.js";
import { fleetCircuitId } from "../../src/core/fleet.js";
import type { AlertState } from "../../src/core/lifecycle.js";
import type { Finding } from "../../src/core/model.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { subjectVerdict } from "../../src/core/sight.js";
import type { CircuitTarget } from "../../src/app/ports.js";
import type { PreparedCircuit } from "../../src/app/record-circuit.js";
import type { Stored } from "../../src/app/state-store.js";
import type { CircuitPlace } from "../../src/app/sweep-plan.js";
import { CircuitRecorder } from "../../src/app/circuit-recorder.js";
import { memoryLogger } from "../support/test-logger.js";

const NOW = new Date("2026-11-22T02:05:00.000Z");
const BEFORE = new Date(NOW.getTime() - 5 * 60_000).toISOString();
const AMS: CircuitPlace = { provider: "Equinix", location: "Amsterdam" };
const LON: CircuitPlace = { provider: "Colt", location: "London" };
const FLEET_ID = fleetCircuitId(AMS.provider, AMS.location, "provider");
const FLEET_KEY = alertKey(FLEET_ID, null, "fleet");
const idOf = (n: string) =>
  `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/${n}`;

const down: Finding = {
  code: "provider-not-provisioned",
  layer: "provider",
  owner: "carrier",
  severity: "Sev0",
  peering: null,
  paths: [],
  title: "The provider de-provisioned the circuit",
  nextAction: "Call the carrier.",
  evidence: {},
};

/** A circuit as its reading puts it (`at`), down at the provider's side or well. */
function circuit(name: string, at: CircuitPlace, outage: boolean): PreparedCircuit {
  const id = idOf(name);
  const verdict = {
    ...subjectVerdict({ id, name, subscriptionId: "s", resourceGroup: "rg" }, NOW),
    serviceProviderName: at.provider,
    peeringLocation: at.location,
    serviceKey: `k-${name}`,
    circuitRead: true,
  };
  const key = alertKey(id, null, FAMILY_OF[down.code]);
  return {
    verdict: verdict as PreparedCircuit["verdict"],
    observations: [
      {
        key,
        family: FAMILY_OF[down.code],
        circuitId: id,
        peering: null,
        state: outage ? "firing" : "clean",
        finding: outage ? down : null,
        previousReadAt: BEFORE,
      },
    ],
    alerts: new Map(),
  };
}

/** Named: no listing, as POST /api/sweep gives them. */
const named = (n: string): CircuitTarget => ({
  id: idOf(n),
  name: n,
  subscriptionId: "s",
  resourceGroup: "rg",
});

function recorderOf(
  names: string[],
  stored: Record<string, CircuitPlace>,
  alerts: Stored<AlertState>[] = [],
  listAlerts: () => Promise<Stored<AlertState>[]> = async () => alerts,
  /** A fan-out worker's batch. */
  partial = false,
) {
  const commits: AlertState[] = [];
  const store = {
    listAlerts,
    getAlert: async (_p: string, key: string) => alerts.find((a) => a.value.key === key) ?? null,
    commitAlert: async (s: AlertState) => {
      commits.push(s);
    },
    appendHistory: async () => {},
    listCircuitIds: async () => names.map(idOf),
  };
  const recorder = new CircuitRecorder({
    deps: {
      store,
      policy: { alerts: DEFAULT_ALERT_POLICY, classify: DEFAULT_CLASSIFY_OPTIONS },
    } as never,
    silences: [],
    sweepId: "w",
    now: NOW,
    log: memoryLogger().logger,
    publisher: { kick() {}, settle: async () => ({ published: [], brokerError: null }) },
    baseline: new Set(),
    targets: names.map(named),
    places: new Map(Object.entries(stored).map(([n, p]) => [idOf(n).toLowerCase(), p])),
    group: true,
    ...(partial ? { partial: true } : {}),
    suspects: new Set(names.map((n) => idOf(n).toLowerCase())),
  });
  const record = (n: string) =>
    recorder.record(
      {
        reading: { ref: { id: idOf(n), name: n }, circuit: { ok: true }, paths: {} },
        pair: null,
      } as never,
      null,
    );
  const said = () =>
    recorder.result().events.map((e) => `${e.circuit.name} ${e.family} ${e.action}`);
  const waiting = () => recorder.result().waiting.map((w) => w.name);
  return { recorder, record, said, waiting, commits };
}

describe("a named circuit's outage waits to group", () => {
  it("when another circuit named with it was last read at its place: one fleet page once both are in", async () => {
    prepared.set(idOf("a"), circuit("a", AMS, true));
    prepared.set(idOf("b"), circuit("b", AMS, true));
    prepared.set(idOf("l"), circuit("l", LON, true));
    const { record, said, waiting } = recorderOf(["a", "l", "b"], { a: AMS, b: AMS, l: LON });
    await record("a");
    // Held for b, last read at its site; the circuit elsewhere pages at once.
    expect(waiting()).toEqual(["a"]);
    await record("l");
    expect(said()).toEqual(["l provider open"]);
    await record("b");
    expect(waiting()).toEqual([]);
    expect(said()).toEqual(["l provider open", `${"Equinix at Amsterdam (provider)"} fleet open`]);
  });

  it.each<{ case: string; stored: Record<string, CircuitPlace> }>([
    { case: "neither was ever read (no stored place)", stored: {} },
    { case: "only one was ever read", stored: { a: AMS } },
    { case: "they were last read at different places", stored: { a: AMS, b: LON } },
  ])("not when $case: each commits as it is recorded, as before", async ({ stored }) => {
    prepared.set(idOf("a"), circuit("a", AMS, true));
    prepared.set(idOf("b"), circuit("b", AMS, true));
    const { recorder, record, said, waiting } = recorderOf(["a", "b"], stored);
    await record("a");
    expect(waiting()).toEqual([]);
    expect(said()).toEqual(["a provider open"]);
    await record("b");
    await recorder.group();
    expect(said()).toEqual(["a provider open", "b provider open"]);
  });
});

describe("a named circuit whose reading puts it elsewhere than it was last read", () => {
  it("leaves its old place: the outage waiting there for it groups as soon as it is recorded", async () => {
    prepared.set(idOf("a"), circuit("a", AMS, true));
    // Last read in Amsterdam, now in London (re-provisioned through another carrier).
    prepared.set(idOf("b"), circuit("b", LON, false));
    const { record, said, waiting } = recorderOf(["a", "b"], { a: AMS, b: AMS });
    await record("a");
    expect(waiting()).toEqual(["a"]);
    await record("b");
    // Not held to the end of the reads: nothing at Amsterdam is left to wait for.
    expect(waiting()).toEqual([]);
    expect(said()).toEqual(["a provider open"]);
  });

  it("recorded after the last call, its outage is taken where its reading puts it, not left for the hard stop", async () => {
    prepared.set(idOf("a"), circuit("a", AMS, false));
    // Last read in Amsterdam, down in London now, where two others were last read.
    prepared.set(idOf("m"), circuit("m", LON, true));
    prepared.set(idOf("l1"), circuit("l1", LON, false));
    const { recorder, record, said, waiting } = recorderOf(["a", "m", "l1", "l2"], {
      a: AMS,
      m: AMS,
      l1: LON,
      l2: LON,
    });
    await record("a");
    await record("l1");
    await recorder.flush(true);
    await record("m");
    // l2 is never read (the hard stop comes first): m's outage must not wait for it.
    expect(waiting()).toEqual([]);
    expect(said()).toEqual(["m provider open"]);
  });

  // A fan-out worker's named circuits come without a place: an outage it
  // found after the last call waited for the end of the reads, which the
  // hard stop cuts, and went unrecorded for the sweep.
  it.each([
    { case: "in a sweep read in one process, never read before", partial: false },
    { case: "in a fan-out worker's batch", partial: true },
  ])(
    "recorded after the last call with no place known ($case), its outage is decided at once",
    async ({ partial }) => {
      prepared.set(idOf("n"), circuit("n", AMS, true));
      const { recorder, record, said, waiting } = recorderOf(
        ["n", "a", "b"],
        { a: AMS, b: AMS },
        [],
        undefined,
        partial,
      );
      await recorder.flush(true);
      await record("n");
      expect(waiting()).toEqual([]);
      expect(said()).toEqual(["n provider open"]);
    },
  );
});

describe("a fleet alert at named circuits' place while the Alerts table cannot be listed", () => {
  const fleet: AlertState = {
    key: FLEET_KEY,
    family: "fleet",
    circuitId: FLEET_ID,
    circuitName: "Equinix at Amsterdam (provider)",
    peering: null,
    phase: "firing",
    consecutiveFiring: 3,
    consecutiveClean: 0,
    firstSeen: BEFORE,
    condition: {
      code: "fleet-outage",
      severity: "Sev0",
      layer: "provider",
      owner: "carrier",
      paths: [],
      title: "2 circuits",
      nextAction: "",
      ticket: null,
      evidence: { circuits: ["a", "b"].map((n) => ({ id: idOf(n), name: n, severity: "Sev0" })) },
    },
    notified: {
      episode: 1,
      severity: "Sev0",
      peakSeverity: "Sev0",
      paths: [],
      title: "",
      at: BEFORE,
      sequence: 1,
      members: [idOf("a"), idOf("b")],
    },
    sequence: 1,
    lastEvaluatedAt: BEFORE,
    lastFiringAt: BEFORE,
    lastCleanAt: null,
  } as AlertState;

  it("is read from its own partition and judged: both members read well, it starts to resolve", async () => {
    prepared.set(idOf("a"), circuit("a", AMS, false));
    prepared.set(idOf("b"), circuit("b", AMS, false));
    const { recorder, record, commits } = recorderOf(
      ["a", "b"],
      { a: AMS, b: AMS },
      [{ value: fleet, etag: "f" }],
      async () => {
        throw Object.assign(new Error("scan timed out"), { statusCode: 503 });
      },
    );
    await record("a");
    await record("b");
    await recorder.group();
    const judged = commits.filter((c) => c.key === FLEET_KEY);
    expect(judged.map((c) => [c.consecutiveClean, c.lastCleanAt])).toEqual([
      [1, NOW.toISOString()],
    ]);
  });
});
