// The end-to-end row of a failed Connection Monitor read said "Connection
// Monitor read failed: timeout", the workspace only on the log line: with
// several workspaces the on-call could not tell from the status which one
// to look at. The row names the workspace (by its name) and the monitors
// asked there, for every way a query fails; the words of the failure's kind
// stay as every surface gives them. A read of the monitors over ARM is named
// as well (the monitors, the Network Watcher), and a read failing in several
// places names each, not the first alone.

import { describe, expect, it } from "vitest";
import { workspaceName } from "../../../src/core/dataplane/queried-workspace.js";
import type { EndToEndFacts } from "../../../src/core/dataplane/facts.js";
import type { ReadFailure } from "../../../src/core/model.js";
import { failed, ok } from "../../support/readings.js";
import { e2e, test } from "./builders.js";
import { endToEndDetail } from "./end-to-end-detail.js";

const LAW =
  "/subscriptions/s/resourceGroups/rg-obs/providers/Microsoft.OperationalInsights/workspaces/law-network-weu";
const UNTIL = "2026-11-22T02:12:00.000Z";
/** UNTIL as the row says it, on the sweep's own UTC day (NOW). */
const UNTIL_WORDS = "02:12 UTC";
const QUERY_ACTION = "Microsoft.OperationalInsights/workspaces/query/read";

const query = (over: Partial<ReadFailure> & Pick<ReadFailure, "kind">): ReadFailure => ({
  call: QUERY_ACTION,
  target: "Connection Monitor results in workspace law-network-weu",
  message: "m",
  workspace: LAW,
  ...over,
});

const VARIANTS: { name: string; failure: ReadFailure; how: string }[] = [
  { name: "a timeout", failure: query({ kind: "timeout" }), how: "timeout" },
  {
    name: "a 429 waited out",
    failure: query({ kind: "throttled", statusCode: 429 }),
    how: "throttled",
  },
  {
    name: "a 429 kept",
    failure: query({ kind: "throttled", statusCode: 429, notAskedBefore: UNTIL }),
    how: `throttled, not asked again before ${UNTIL_WORDS}`,
  },
  {
    name: "a 503 kept",
    failure: query({ kind: "server-error", statusCode: 503, notAskedBefore: UNTIL }),
    how: `Log Analytics unavailable, not asked again before ${UNTIL_WORDS}`,
  },
  {
    name: "a 403 naming the missing action",
    failure: query({ kind: "forbidden", statusCode: 403, missingPermission: QUERY_ACTION }),
    how: `forbidden, missing ${QUERY_ACTION}`,
  },
  {
    name: "a 403 naming none",
    failure: query({ kind: "forbidden", statusCode: 403 }),
    how: "forbidden",
  },
  {
    name: "a 500",
    failure: query({ kind: "server-error", statusCode: 500 }),
    how: "server-error",
  },
];

describe("the end-to-end row of a failed Log Analytics query names the workspace", () => {
  it.each(VARIANTS)("$name: every query failed, the monitor asked named", ({ failure, how }) => {
    expect(endToEndDetail(failed({ ...failure, monitors: ["cm-er-prod"] }))).toBe(
      `Connection Monitor cm-er-prod read failed in workspace law-network-weu: ${how}`,
    );
  });

  it.each(VARIANTS)("$name: every query failed, no monitor known", ({ failure, how }) => {
    expect(endToEndDetail(failed(failure))).toBe(
      `Connection Monitor read failed in workspace law-network-weu: ${how}`,
    );
  });

  it.each(VARIANTS)("$name: one monitor not read beside another read", ({ failure, how }) => {
    const read = ok({
      ...e2e([test("Pass")], 1),
      unread: [{ monitor: "cm-er-dr", monitorId: null, failure, readElsewhere: false }],
    });
    expect(endToEndDetail(read)).toBe(
      `cm-er-dr not read in workspace law-network-weu (${how}); 1 test passes (RTT ≤ 12 ms)`,
    );
  });

  it.each<{ name: string; monitors: string[]; words: string }>([
    { name: "two", monitors: ["cm-a", "cm-b"], words: "Connection Monitors cm-a, cm-b" },
    {
      name: "five: three named, the rest counted",
      monitors: ["cm-a", "cm-b", "cm-c", "cm-d", "cm-e"],
      words: "Connection Monitors cm-a, cm-b, cm-c and 2 more",
    },
  ])("$name monitors asked there", ({ monitors, words }) => {
    expect(endToEndDetail(failed({ ...query({ kind: "timeout" }), monitors }))).toBe(
      `${words} read failed in workspace law-network-weu: timeout`,
    );
  });

  it("a failure that kept no workspace id is named by its target", () => {
    const { workspace: _id, ...bare } = query({ kind: "not-found", statusCode: 404 });
    expect(endToEndDetail(failed(bare))).toBe(
      "Connection Monitor read failed in workspace law-network-weu: not-found",
    );
  });
});

const MONITORS_ACTION = "Microsoft.Network/networkWatchers/connectionMonitors/read";

/** An ARM read of the monitors' Network Watcher that failed. */
const arm = (over: Partial<ReadFailure> & Pick<ReadFailure, "kind">): ReadFailure => ({
  call: MONITORS_ACTION,
  target: "connection monitors of NetworkWatcher_westeurope",
  message: "m",
  ...over,
});

describe("the end-to-end row of a failed ARM read of the monitors names them and the Network Watcher", () => {
  it("a Network Watcher refusing erwatch: the monitors the tag names, the watcher, the action lacking", () => {
    const refused = arm({
      kind: "forbidden",
      statusCode: 403,
      missingPermission: MONITORS_ACTION,
      monitors: ["cm-er-prod"],
      networkWatchers: ["NetworkWatcher_westeurope"],
    });
    expect(endToEndDetail(failed(refused))).toBe(
      `Connection Monitor cm-er-prod read failed in Network Watcher NetworkWatcher_westeurope: forbidden, missing ${MONITORS_ACTION}`,
    );
  });

  it("a tagged monitor not there: it, and the Network Watchers it was looked for in", () => {
    const gone = arm({
      kind: "not-found",
      target: "connection monitor cm-er-prod named by the circuit's erwatch:connection-monitor tag",
      monitors: ["cm-er-prod"],
      networkWatchers: ["NetworkWatcher_westeurope", "NetworkWatcher_northeurope"],
    });
    expect(endToEndDetail(failed(gone))).toBe(
      "Connection Monitor cm-er-prod read failed in Network Watchers NetworkWatcher_westeurope, NetworkWatcher_northeurope: not-found",
    );
    const beside = ok({
      ...e2e([test("Pass")], 1),
      unread: [{ monitor: "cm-er-prod", monitorId: null, failure: gone, readElsewhere: false }],
    });
    expect(endToEndDetail(beside)).toBe(
      "cm-er-prod not read in Network Watchers NetworkWatcher_westeurope, NetworkWatcher_northeurope (not-found); 1 test passes (RTT ≤ 12 ms)",
    );
  });

  it("a read of neither (the discovered monitors' gateway): what it read, not the kind alone", () => {
    const gateway = arm({
      kind: "forbidden",
      call: "Microsoft.Network/virtualNetworkGateways/read",
      target: "virtual network gateway vgw-er-weu",
      missingPermission: "Microsoft.Network/virtualNetworkGateways/read",
    });
    expect(endToEndDetail(failed(gateway))).toBe(
      "Connection Monitor read failed on virtual network gateway vgw-er-weu: forbidden, missing Microsoft.Network/virtualNetworkGateways/read",
    );
  });

  it("the subscription's Network Watchers refusing erwatch: the listing, not 'read failed reading'", () => {
    const refused = arm({
      kind: "forbidden",
      statusCode: 403,
      call: "Microsoft.Network/networkWatchers/read",
      target: "Network Watchers of subscription sub-1",
      missingPermission: "Microsoft.Network/networkWatchers/read",
      monitors: ["cm-er-prod"],
    });
    expect(endToEndDetail(failed(refused))).toBe(
      "Connection Monitor cm-er-prod read failed on Network Watchers of subscription sub-1: forbidden, missing Microsoft.Network/networkWatchers/read",
    );
  });

  describe("a tagged monitor not there because its region has no Network Watcher: said so, the monitor named once", () => {
    const absent = arm({
      kind: "not-found",
      target: "connection monitor cm-er-prod named by the circuit's erwatch:connection-monitor tag",
      monitors: ["cm-er-prod"],
      noNetworkWatcherIn: ["westeurope"],
    });

    it("alone", () => {
      expect(endToEndDetail(failed(absent))).toBe(
        "Connection Monitor cm-er-prod read failed: no Network Watcher in westeurope (not-found)",
      );
    });

    it("beside a monitor read", () => {
      const beside = ok({
        ...e2e([test("Pass")], 1),
        unread: [{ monitor: "cm-er-prod", monitorId: null, failure: absent, readElsewhere: false }],
      });
      expect(endToEndDetail(beside)).toBe(
        "cm-er-prod not read: no Network Watcher in westeurope (not-found); 1 test passes (RTT ≤ 12 ms)",
      );
    });

    it("beside a workspace failing", () => {
      const read = failed<EndToEndFacts>({
        ...query({ kind: "timeout", monitors: ["cm-a"] }),
        alsoFailed: [absent],
      });
      expect(endToEndDetail(read)).toBe(
        "Connection Monitor read failed: cm-a in workspace law-network-weu (timeout); cm-er-prod: no Network Watcher in westeurope (not-found)",
      );
    });
  });
});

describe("a read failing in several places names each", () => {
  it("every workspace failing: each with its monitors and how, not the first alone", () => {
    const first = query({ kind: "timeout", monitors: ["cm-a"] });
    const second: ReadFailure = {
      ...query({ kind: "forbidden", statusCode: 403, missingPermission: QUERY_ACTION }),
      target: "Connection Monitor results in workspace law-dr",
      workspace: LAW.replace(/law-network-weu$/, "law-dr"),
      monitors: ["cm-b", "cm-c", "cm-d", "cm-e"],
    };
    expect(endToEndDetail(failed({ ...first, alsoFailed: [second] }))).toBe(
      `Connection Monitor read failed: cm-a in workspace law-network-weu (timeout); cm-b, cm-c, cm-d and 1 more in workspace law-dr (forbidden, missing ${QUERY_ACTION})`,
    );
  });

  it("a workspace failing beside a tagged monitor not there: both", () => {
    const missing = arm({
      kind: "not-found",
      monitors: ["cm-old"],
      networkWatchers: ["NetworkWatcher_westeurope"],
    });
    const read = failed<EndToEndFacts>({
      ...query({ kind: "timeout", monitors: ["cm-a"] }),
      alsoFailed: [missing],
    });
    expect(endToEndDetail(read)).toBe(
      "Connection Monitor read failed: cm-a in workspace law-network-weu (timeout); cm-old in Network Watcher NetworkWatcher_westeurope (not-found)",
    );
  });
});

describe("a workspace by its name", () => {
  it.each<{ name: string; id: string; shown: string }>([
    { name: "a resource id: its last segment", id: LAW, shown: "law-network-weu" },
    { name: "a resource id ending in a slash", id: `${LAW}/`, shown: "law-network-weu" },
    {
      name: "a workspace GUID: itself",
      id: "5b1c9a7e-2f6d-4c1a-9e3b-7d8f0a2b4c6e",
      shown: "5b1c9a7e-2f6d-4c1a-9e3b-7d8f0a2b4c6e",
    },
    {
      name: "an id ending in no workspace name: whole",
      id: "/subscriptions/s/resourceGroups/rg-obs/providers/Microsoft.OperationalInsights/workspaces",
      shown:
        "/subscriptions/s/resourceGroups/rg-obs/providers/Microsoft.OperationalInsights/workspaces",
    },
    {
      name: "an id with more after the name: whole",
      id: `${LAW}/tables/x`,
      shown: `${LAW}/tables/x`,
    },
    { name: "blank", id: "  ", shown: "(blank id)" },
  ])("$name", ({ id, shown }) => {
    expect(workspaceName(id)).toBe(shown);
    expect(endToEndDetail(failed(query({ kind: "timeout", workspace: id })))).toBe(
      `Connection Monitor read failed in workspace ${shown}: timeout`,
    );
  });
});
