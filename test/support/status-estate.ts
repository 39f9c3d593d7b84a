// The status page for a large estate: 1,000 healthy circuits with two
// peerings each (private and Microsoft), and a few in trouble among them. The
// readings are real (the harness's sweeps, Azurite); the healthy circuit's
// stored snapshot is copied under other names, places and read times, so the
// page is drawn from what erwatch stores, at the size an estate makes it.
//
// In trouble: one with both private paths down (a Sev0 alert, opened by the
// sweeps), one whose reading is stale, one with a layer erwatch could not
// read (unknown), one with no peering read yet.

import { loadStatus, type StatusFilters, type StatusModel } from "../../src/app/status.js";
import type { StateStore } from "../../src/app/state-store.js";
import type { Snapshot } from "../../src/core/snapshot.js";
import { microsoftPeering, peering } from "./readings.js";
import { minute, sweepHarness } from "./sweep-harness.js";

export const PROVIDERS = ["Equinix", "Megaport", "AT&T", "Colt", "Zayo"];
export const LOCATIONS = [
  "Amsterdam",
  "London",
  "Frankfurt",
  "Silicon Valley",
  "Singapore",
  "Tokyo",
];

export const TROUBLED = {
  /** Both private paths down: a Sev0 alert, opened by the sweeps. */
  down: "er-circuit-prod",
  /** Read 3 hours ago: its reading is stale. */
  stale: "er-zz-stale",
  /** Its Microsoft peering's primary BGP session could not be read. */
  unknown: "er-zz-unknown",
  /** No peering read yet. */
  empty: "er-zz-empty",
} as const;

export const healthyName = (i: number) => `er-estate-${String(i).padStart(4, "0")}`;

export interface StatusEstate {
  /** When the page is drawn: a minute after the last sweep. */
  now: Date;
  /** The page's data, at `at` (default `now`): later, every reading is stale. */
  model(filters?: Partial<StatusFilters>, at?: Date): Promise<StatusModel>;
}

/** Read at `at`: its evaluation and every reading it keeps (the page ages a circuit by its readings). */
function readAt(s: Snapshot, at: string): void {
  s.takenAt = at;
  if (!s.reads) return;
  for (const paths of Object.values(s.reads.paths))
    for (const times of Object.values(paths)) {
      times.arp = at;
      times.summary = at;
    }
  Object.assign(s.reads, {
    circuitAt: at,
    gatewayAt: at,
    oldestPathAt: at,
    oldestTriedAt: at,
    pathsReadAt: at,
  });
}

export async function statusEstate(
  connectionString: string,
  healthy = 1000,
): Promise<StatusEstate> {
  const h = await sweepHarness(connectionString);
  const peerings = [peering(), microsoftPeering("Configured")];
  const settings = { expectedPeerings: ["AzurePrivatePeering", "MicrosoftPeering"] };
  h.reader.spec = { peerings, settings };
  await h.run(0);
  await h.run(5);
  const [template] = await h.store.listSnapshots();
  if (!template) throw new Error("the harness stored no snapshot");
  h.reader.spec = {
    peerings,
    settings,
    paths: {
      AzurePrivatePeering: {
        primary: { arp: "empty", bgp: "Idle" },
        secondary: { arp: "empty", bgp: "Idle" },
      },
    },
  };
  await h.run(10);
  // What a whole-estate sweep records when it completes (the harness sweeps named targets).
  await h.store.recordSweep({
    sweepId: "sweep-estate",
    startedAt: minute(10).toISOString(),
    finishedAt: minute(10).toISOString(),
    circuits: healthy + 4,
    ignored: 0,
    partlyBlind: 0,
    errors: 0,
  });
  const now = minute(11);

  const copy = (
    name: string,
    i: number,
    edit: (s: Snapshot) => void = () => undefined,
  ): Snapshot => {
    const s = structuredClone(template);
    s.circuitId = template.circuitId.replace(/er-circuit-prod$/, name);
    s.circuitName = name;
    s.provider = PROVIDERS[i % PROVIDERS.length]!;
    s.peeringLocation = LOCATIONS[i % LOCATIONS.length]!;
    edit(s);
    return s;
  };
  const copies: Snapshot[] = Array.from({ length: healthy }, (_, i) => copy(healthyName(i), i));
  copies.push(
    copy(TROUBLED.stale, 1, (s) => readAt(s, minute(-170).toISOString())),
    copy(TROUBLED.unknown, 2, (s) => {
      s.peerings.MicrosoftPeering!.paths.primary.bgp = {
        status: "unknown",
        detail: "route table summary could not be read: 429 TooManyRequests",
        since: minute(10).toISOString(),
      };
    }),
    copy(TROUBLED.empty, 3, (s) => {
      s.peerings = {};
    }),
  );
  const store = Object.create(h.store) as StateStore;
  store.listSnapshots = async () => [...(await h.store.listSnapshots()), ...copies];
  return {
    now,
    model: (filters = {}, at = now) =>
      loadStatus(store, at, {
        recentHours: 24,
        recentLimit: 50,
        sweepIntervalMinutes: 5,
        filters,
      }),
  };
}
