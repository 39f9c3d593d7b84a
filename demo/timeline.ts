// The scripted night the demo plays: each step changes the simulated estate
// (nothing else) and the real timer sweep then reads it over the ARM wire.

import {
  carrierDown,
  restorePath,
  setPrefixes,
  type SimCircuit,
} from "../test/support/estate/index.js";

const PRIVATE = "AzurePrivatePeering";

export interface Step {
  /** Simulated wall-clock time of the sweep, UTC. */
  at: string;
  /** Printed before the sweep: what just happened in the world. */
  story: string;
  change?: (circuit: SimCircuit) => void;
}

const both = (circuit: SimCircuit, count: number) => {
  setPrefixes(circuit, PRIVATE, "primary", count);
  setPrefixes(circuit, PRIVATE, "secondary", count);
};

export const TIMELINE: Step[] = [
  { at: "2026-11-22T00:00:00Z", story: "All quiet: both paths up, 120 prefixes each." },
  { at: "2026-11-22T00:05:00Z", story: "Still quiet: nothing changes, nothing is sent." },
  {
    at: "2026-11-22T00:10:00Z",
    story:
      "The carrier starts announced maintenance on the secondary link: its ARP entries vanish.",
    change: (c) => carrierDown(c, PRIVATE, "secondary"),
  },
  {
    at: "2026-11-22T00:15:00Z",
    story: "Still down a second sweep in a row: erwatch opens a Sev2 (redundancy holding).",
  },
  {
    at: "2026-11-22T00:40:00Z",
    story: "Maintenance over: the secondary comes back.",
    change: (c) => restorePath(c, PRIVATE, "secondary"),
  },
  { at: "2026-11-22T00:45:00Z", story: "Clean twice in a row: resolved." },
  {
    at: "2026-11-22T02:00:00Z",
    story:
      "2 a.m.: a route-map change on-prem stops advertising. Both BGP sessions stay up with 0 prefixes.",
    change: (c) => both(c, 0),
  },
  { at: "2026-11-22T02:05:00Z", story: "Still zero: no repeat before the interval, no noise." },
  {
    at: "2026-11-22T02:20:00Z",
    story: "The on-call engineer rolls back the route-map: prefixes return.",
    change: (c) => both(c, 120),
  },
  { at: "2026-11-22T02:25:00Z", story: "Clean twice in a row: resolved." },
  {
    at: "2026-11-22T09:00:00Z",
    story: "Morning: a new site's routes push the count to 3,000 of the Standard SKU's 4,000.",
    change: (c) => both(c, 3000),
  },
  {
    at: "2026-11-22T09:05:00Z",
    story: "3,250 (81 %): over the 80 % warning line.",
    change: (c) => both(c, 3250),
  },
  {
    at: "2026-11-22T09:10:00Z",
    story: "3,400 (85 %): a warning opens, with the trend and the time left.",
    change: (c) => both(c, 3400),
  },
  {
    at: "2026-11-22T09:15:00Z",
    story: "3,820 (95.5 %): the same alert escalates to Sev2 before it becomes an outage.",
    change: (c) => both(c, 3820),
  },
];
