// What a failed Connection Monitor query is said to read names its workspace
// as the end-to-end row does (core/dataplane/queried-workspace.ts): a
// workspace id ending in a slash, or blank, read "Connection Monitor results
// in workspace " with no name at all, on the failed read and on
// monitoring-blind's title.

import { describe, expect, it } from "vitest";
import { resultsTarget } from "../../src/adapters/monitor/logs.js";
import { WORKSPACE_ID } from "../support/estate/builders.js";

describe("the target of a workspace's query", () => {
  it.each<{ name: string; workspace: string; named: string }>([
    { name: "a resource id", workspace: WORKSPACE_ID, named: "law-network" },
    {
      name: "a resource id ending in a slash",
      workspace: `${WORKSPACE_ID}/`,
      named: "law-network",
    },
    {
      name: "a workspace GUID",
      workspace: "5b1c9a7e-2f6d-4c1a-9e3b-7d8f0a2b4c6e",
      named: "5b1c9a7e-2f6d-4c1a-9e3b-7d8f0a2b4c6e",
    },
    { name: "blank", workspace: "", named: "(blank id)" },
  ])("$name", ({ workspace, named }) => {
    expect(resultsTarget(workspace)).toBe(`Connection Monitor results in workspace ${named}`);
  });
});
