// The readers a data-plane test reads a simulated estate with (the real SDK
// clients against the loopback ARM and Monitor endpoints), each estate closed
// after its test.

import { afterEach } from "vitest";
import { createReadSession, type DataPlaneReader } from "../../src/app/ports.js";
import { DEFAULT_CLASSIFY_OPTIONS } from "../../src/core/classify.js";
import { evaluateCircuit } from "../../src/core/evaluate.js";
import type { CircuitReading } from "../../src/core/model.js";
import { DEFAULT_ALERT_POLICY } from "../../src/core/policy.js";
import { loadReadConfig } from "../../src/runtime/config.js";
import { buildReaders, type ReadOverrides } from "../../src/runtime/read.js";
import { startEstate, type EstateState, type SimulatedEstate } from "./estate/index.js";
import { estateAccess } from "./estate-access.js";
import { circuitId } from "./estate/ids.js";

/** Call at a test file's top level: readers on estates started per test, at `now`. */
export function readersPerTest(now: Date) {
  const open: SimulatedEstate[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.close()));
  });

  async function readersOn(
    state: EstateState,
    env: Record<string, string> = {},
    overrides: Pick<ReadOverrides, "monitorTime" | "armTime"> = {},
  ) {
    const estate = await startEstate(state);
    open.push(estate);
    const access = estateAccess(estate, env);
    const config = loadReadConfig(access.env, { scope: false });
    const readers = buildReaders(config, {
      credential: access.credential,
      armClientOptions: access.armClientOptions,
      now: () => now,
      ...overrides,
    });
    return { estate, ...readers, dataPlane: readers.dataPlane as DataPlaneReader };
  }

  const options = () => ({
    abortSignal: AbortSignal.timeout(20_000),
    now,
    session: createReadSession(),
  });

  /** One circuit's metrics, read alone in westeurope (where the estate's circuits are). */
  async function metricsOf(dataPlane: DataPlaneReader, circuit: Parameters<typeof circuitId>[0]) {
    const id = circuitId(circuit);
    const read = await dataPlane.readMetrics(
      [{ id, subscriptionId: circuit.subscriptionId, region: "westeurope" }],
      options(),
    );
    return read.get(id.toLowerCase())!;
  }

  async function readingOf(
    reader: Awaited<ReturnType<typeof readersOn>>["reader"],
    id: string,
  ): Promise<CircuitReading> {
    const [, , subscriptionId, , resourceGroup, , , , name] = id.split("/");
    const result = await reader.read(
      { id, subscriptionId: subscriptionId!, resourceGroup: resourceGroup!, name: name! },
      { abortSignal: AbortSignal.timeout(20_000), session: createReadSession() },
    );
    if (result.kind !== "read") throw new Error("ignored");
    return result.reading;
  }

  /**
   * One circuit read through the real clients, its end to end read, and
   * judged as a first sweep would judge it at `now`.
   */
  async function judgedEndToEnd(state: EstateState, id: string) {
    const { reader, dataPlane } = await readersOn(state);
    const reading = await readingOf(reader, id);
    const got = await dataPlane.readEndToEnd(reading, options());
    const { verdict } = evaluateCircuit(
      { ...reading, dataPlane: { endToEnd: got! } },
      null,
      [],
      [],
      { classify: DEFAULT_CLASSIFY_OPTIONS, alerts: DEFAULT_ALERT_POLICY },
      now,
    );
    return { reading, got, verdict };
  }

  /** An estate a test started itself, closed after it too. */
  const closeAfter = (estate: SimulatedEstate) => void open.push(estate);

  return { readersOn, options, readingOf, metricsOf, closeAfter, judgedEndToEnd };
}
