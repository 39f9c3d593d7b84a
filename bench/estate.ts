// The estates the bench sweeps: N circuits in one subscription, each with
// private and Microsoft peering (two peerings, four paths: four route summaries
// for a deep read of a healthy circuit, whose sessions prove layer 2, eight
// long-running reads with the ARP tables the seed reads) and a VNet gateway
// connection, as a large enterprise estate looks.

import {
  DEFAULT_SUBSCRIPTION,
  estateOf,
  healthyCircuit,
  type EstateState,
} from "../test/support/estate/index.js";

export const BENCH_SUBSCRIPTION = DEFAULT_SUBSCRIPTION;
export const PEERINGS = 2;
export const PATHS = 2;
/** ARP and route summary, per path: what the seed (and the naive baseline) reads. */
export const READS_PER_PATH = 2;
/** The route summary, per path: all a healthy path needs (its sessions prove layer 2). */
export const PROVING_READS_PER_PATH = 1;

export const circuitName = (i: number) => `er-${String(i).padStart(4, "0")}`;

/**
 * Each estate in its own resource group: circuit ids (and so alert keys and
 * event ids) must differ between the sizes of one run, or the broker's
 * duplicate detection would drop one size's page as a repeat of another's.
 */
export function benchEstate(circuits: number, resourceGroup = `rg-bench-${circuits}`): EstateState {
  return estateOf(
    ...Array.from({ length: circuits }, (_, i) =>
      healthyCircuit({ name: circuitName(i), microsoftPeering: true, resourceGroup }),
    ),
  );
}
