// The scripted night the demo plays: each step changes the simulated estate
// (nothing else) and the real timer sweep then reads it over the wire: ARM,
// Azure Monitor's metrics and Log Analytics' Connection Monitor results.

import {
  carrierDown,
  restorePath,
  setPrefixes,
  setTestResults,
  setTraffic,
  type SimCircuit,
  type SimConnectionMonitor,
} from "../test/support/estate/index.js";

const PRIVATE = "AzurePrivatePeering";

export interface Step {
  /** Simulated wall-clock time of the sweep, UTC. */
  at: string;
  /** Printed before the sweep: what just happened in the world. */
  story: string;
  change?: (circuit: SimCircuit, scene: Scene) => void;
}

/** What else in the estate a step may change: the Connection Monitor testing the circuit. */
/** The carrier's announced maintenance in the timeline: a silence, as ERWATCH_SILENCES holds it. */
export function maintenanceSilence(circuitName: string): object {
  return {
    id: "carrier-maintenance",
    circuit: circuitName,
    peering: PRIVATE,
    path: "primary",
    start: "2026-11-22T03:00Z",
    end: "2026-11-22T03:45Z",
    comment: "carrier's announced maintenance, ticket CHG-20431",
  };
}

export interface Scene {
  monitor: SimConnectionMonitor;
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
    story: "An unannounced carrier fault on the secondary link: its ARP entries vanish.",
    change: (c) => carrierDown(c, PRIVATE, "secondary"),
  },
  {
    at: "2026-11-22T00:15:00Z",
    story: "Still down a second sweep in a row: erwatch opens a Sev2 (redundancy holding).",
  },
  {
    at: "2026-11-22T00:40:00Z",
    story: "The carrier fixes it: the secondary comes back.",
    change: (c) => restorePath(c, PRIVATE, "secondary"),
  },
  { at: "2026-11-22T00:45:00Z", story: "Clean twice in a row: resolved." },
  {
    at: "2026-11-22T02:00:00Z",
    story:
      "2 a.m.: a route-map change on-prem stops advertising. Both BGP sessions stay up with 0 prefixes, and the end-to-end tests fail.",
    // Nothing on-premises is reachable from the VNet with no routes to it, so
    // the Connection Monitor tests fail too (explained by the routes layer).
    change: (c, scene) => {
      both(c, 0);
      setTestResults(scene.monitor, "Fail");
    },
  },
  { at: "2026-11-22T02:05:00Z", story: "Still zero: no repeat before the interval, no noise." },
  {
    at: "2026-11-22T02:20:00Z",
    story: "The on-call engineer rolls back the route-map: prefixes return, the tests pass again.",
    change: (c, scene) => {
      both(c, 120);
      setTestResults(scene.monitor, "Pass");
    },
  },
  { at: "2026-11-22T02:25:00Z", story: "Clean twice in a row: resolved." },
  {
    at: "2026-11-22T03:00:00Z",
    story: `The carrier's announced maintenance on the primary link starts. Its window (03:00–03:45 UTC) is a silence in ERWATCH_SILENCES, as \`erwatch silence add\` would store it: ARP vanishes.`,
    change: (c) => carrierDown(c, PRIVATE, "primary"),
  },
  {
    at: "2026-11-22T03:05:00Z",
    story: "Still down: the Sev2 would open now, but the window holds it and nobody is told.",
  },
  {
    at: "2026-11-22T03:30:00Z",
    story: "The carrier finishes early, inside its window: the primary comes back.",
    change: (c) => restorePath(c, PRIVATE, "primary"),
  },
  {
    at: "2026-11-22T03:35:00Z",
    story: "Clean twice in a row: nobody was told of it, so there is nothing to resolve.",
  },
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
  {
    at: "2026-11-22T09:40:00Z",
    story: "The new site's routes are summarised: back to 120 prefixes on each path.",
    change: (c) => both(c, 120),
  },
  { at: "2026-11-22T09:45:00Z", story: "Clean twice in a row: resolved." },
  {
    at: "2026-11-22T10:05:00Z",
    story:
      "A backup job starts: the primary path runs at 86 % of the 1 Gbps inbound (Azure Monitor, 1–3 minutes late).",
    change: (c) => setTraffic(c, PRIVATE, "primary", { inBps: 860e6, outBps: 90e6 }),
  },
  { at: "2026-11-22T10:15:00Z", story: "Still busy, but not yet 15 minutes of it: nothing." },
  {
    at: "2026-11-22T10:25:00Z",
    story: "15 busy minutes have reached Azure Monitor: saturation seen, held one sweep.",
  },
  {
    at: "2026-11-22T10:30:00Z",
    story: "Saturation opens at Sev3: capacity planning, not an incident, so nobody is woken.",
  },
  {
    at: "2026-11-22T10:40:00Z",
    story: "The backup finishes; Azure Monitor's newest minutes still show it busy.",
    change: (c) => setTraffic(c, PRIVATE, "primary", { inBps: 240e6, outBps: 90e6 }),
  },
  { at: "2026-11-22T10:45:00Z", story: "Azure Monitor catches up: below the line." },
  { at: "2026-11-22T10:50:00Z", story: "Below the line twice in a row: resolved." },
  {
    at: "2026-11-22T11:00:00Z",
    story:
      "An NSG change in the application VNet blocks the test port: Connection Monitor fails while every layer of the circuit reads healthy.",
    change: (_c, scene) => setTestResults(scene.monitor, "Fail"),
  },
  {
    at: "2026-11-22T11:05:00Z",
    story:
      "Still failing: e2e-fail pages at Sev1 and points past the circuit (gateway, route table, NSG / firewall, DNS, asymmetric routing).",
  },
  {
    at: "2026-11-22T11:25:00Z",
    story: "The NSG rule is put back: the tests pass.",
    change: (_c, scene) => setTestResults(scene.monitor, "Pass"),
  },
  { at: "2026-11-22T11:30:00Z", story: "Passing twice in a row: resolved." },
];
