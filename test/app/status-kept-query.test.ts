// A Log Analytics query that failed, on the status page: its end-to-end row
// names it in the words the CLI's partly blind summary and monitoring-blind
// use (dataplane/kept-query.ts), not by its bare kind. A kept 503 is Log
// Analytics unavailable until a time, not "server-error"; a kept 429 is
// throttled until a time; a timeout, which the next sweep asks again, is its
// kind alone. Stored by the real sweeper (FakeReader, Azurite).

import { afterAll, beforeAll, expect, it } from "vitest";
import { renderStatusHtml } from "../../src/app/status-html.js";
import { loadStatus } from "../../src/app/status.js";
import type { EndToEndFacts } from "../../src/core/dataplane/facts.js";
import type { ReadFailure } from "../../src/core/model.js";
import { startAzurite, type Azurite } from "../support/azurite.js";
import { failed } from "../support/readings.js";
import { minute, sweepHarness } from "../support/sweep-harness.js";

let azurite: Azurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const query = (failure: Partial<ReadFailure> & Pick<ReadFailure, "kind">): ReadFailure => ({
  call: "Microsoft.OperationalInsights/workspaces/query/read",
  target: "Connection Monitor results in workspace law-network",
  workspace: "law-network",
  message: "m",
  ...failure,
});

it.each([
  {
    name: "a kept 503: Log Analytics unavailable, until when",
    failure: query({
      kind: "server-error",
      statusCode: 503,
      message:
        "status 503 (Log Analytics was unavailable, not throttling erwatch: not asked again before 01:12 UTC, as its Retry-After asked)",
      notAskedBefore: minute(12).toISOString(),
    }),
    said: "Connection Monitor read failed in workspace law-network: Log Analytics unavailable, not asked again before 01:12 UTC",
  },
  {
    name: "a kept 429 whose wait ends on the next UTC day: throttled, dated",
    failure: query({
      kind: "throttled",
      statusCode: 429,
      notAskedBefore: "2026-11-23T00:40:00.000Z",
    }),
    said: "Connection Monitor read failed in workspace law-network: throttled, not asked again before 2026-11-23 00:40 UTC",
  },
  {
    name: "a timeout, asked again by the next sweep: its kind",
    failure: query({ kind: "timeout" }),
    said: "Connection Monitor read failed in workspace law-network: timeout",
  },
])("$name", async ({ failure, said }) => {
  const h = await sweepHarness(azurite.connectionString);
  h.reader.spec = { dataPlane: { endToEnd: failed<EndToEndFacts>(failure) } };
  await h.run(0);
  const model = await loadStatus(h.store, minute(1), { recentHours: 1, recentLimit: 10 });
  const circuit = model.circuits[0]!;
  // The circuit itself was read: only its end-to-end row is unknown.
  expect(circuit.readFailed).toBeNull();
  for (const path of ["primary", "secondary"] as const)
    expect(circuit.peerings[0]!.paths[path].endToEnd).toEqual({
      status: "unknown",
      detail: said,
      since: minute(0).toISOString(),
    });
  const html = renderStatusHtml(model);
  expect(html).toContain(`<span class="d">${said}</span>`);
  expect(html).not.toContain("server-error");
});
