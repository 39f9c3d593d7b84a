// What each entry registers with the Functions host, from app settings alone.
// The host resolves a "%SETTING%" in a trigger itself, and one that is not set
// does not resolve: the function is not indexed ("'%X%' does not resolve to a
// value", Azure/azure-functions-host#10346) and never runs. So a setting the
// README gives a default must reach the host as a value.

import functions from "@azure/functions";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadSweepConfig } from "../../src/runtime/config.js";
import { bodyEntries, INFRA, loadBicep, ROOT } from "../infra/bicep.js";

const NAMES = [
  "SWEEP_SCHEDULE",
  "SERVICEBUS_ENTITY",
  "SERVICEBUS_SUBSCRIPTION",
  "SWEEP_WORK_QUEUE",
] as const;
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));

afterEach(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  vi.restoreAllMocks();
});

const ENTRIES = {
  "http-status": () => import("../../src/functions/http-status.js"),
  "http-sweep": () => import("../../src/functions/http-sweep.js"),
  "sweep-timer": () => import("../../src/functions/sweep-timer.js"),
  dispatch: () => import("../../src/functions/dispatch.js"),
  "sweep-worker": () => import("../../src/functions/sweep-worker.js"),
};

/** Imports `entry` afresh with exactly these settings; the options it registered, by trigger kind. */
async function registered(
  entry: keyof typeof ENTRIES,
  env: Partial<Record<(typeof NAMES)[number], string>>,
) {
  for (const name of NAMES) delete process.env[name];
  Object.assign(process.env, env);
  const calls: { kind: string; name: string; options: Record<string, unknown> }[] = [];
  for (const kind of ["timer", "serviceBusQueue", "serviceBusTopic", "http"] as const)
    vi.spyOn(functions.app, kind).mockImplementation(((name: string, options: object) => {
      calls.push({ kind, name, options: options as Record<string, unknown> });
    }) as never);
  vi.resetModules();
  await ENTRIES[entry]();
  return calls;
}

describe("trigger registration", () => {
  it("routes every method of /api/sweep to erwatch, so a GET hears 405 with Allow: POST, not the host's empty 404", async () => {
    const calls = await registered("http-sweep", {});
    const sweep = calls.find((c) => c.name === "sweep")!;
    expect(sweep.options).toMatchObject({ route: "sweep", authLevel: "function" });
    expect(sweep.options.methods).toEqual(
      expect.arrayContaining(["GET", "POST", "PUT", "DELETE", "OPTIONS"]),
    );
    expect(calls.find((c) => c.name === "sweepStatus")!.options.methods).toEqual(["GET", "HEAD"]);
  });

  it("routes HEAD of the status page to erwatch, as GET without its body: an uptime check heard the host's empty 404", async () => {
    const [status] = await registered("http-status", {});
    expect(status).toMatchObject({ kind: "http", name: "status" });
    expect(status!.options.methods).toEqual(["GET", "HEAD"]);
  });

  it("registers the timer with the default schedule when SWEEP_SCHEDULE is unset (it registered '%SWEEP_SCHEDULE%', which the host cannot resolve: no sweep ever ran)", async () => {
    const [timer] = await registered("sweep-timer", {});
    expect(timer).toMatchObject({ kind: "timer", name: "sweepTimer" });
    expect(timer!.options.schedule).toBe("0 */5 * * * *");
  });

  it("registers the timer with SWEEP_SCHEDULE's value, trimmed", async () => {
    const [timer] = await registered("sweep-timer", { SWEEP_SCHEDULE: " 0 */15 * * * * " });
    expect(timer!.options.schedule).toBe("0 */15 * * * *");
  });

  it("keeps the timer firing and sweeping on a schedule the host could not run, each sweep naming the setting", async () => {
    const [timer] = await registered("sweep-timer", { SWEEP_SCHEDULE: "0 61 * * * *" });
    expect(timer!.options.schedule).toBe("0 */5 * * * *");
    expect(
      loadSweepConfig(
        {
          ERWATCH_STORAGE: "UseDevelopmentStorage=true",
          ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
          ServiceBusConnection: "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=x",
          SWEEP_SCHEDULE: "0 61 * * * *",
        },
        { publish: "required", functions: true },
      ).ignoredSettings,
    ).toEqual([expect.stringMatching(/^SWEEP_SCHEDULE: "0 61 \* \* \* \*" cannot be scheduled/)]);
  });

  it("has the dispatcher read the entity the sweep publishes to when SERVICEBUS_ENTITY is unset (it registered '%SERVICEBUS_ENTITY%': events published, nobody paged)", async () => {
    const [dispatch] = await registered("dispatch", {});
    const publishedTo = loadSweepConfig(
      {
        ERWATCH_STORAGE: "UseDevelopmentStorage=true",
        ERWATCH_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000001",
        ServiceBusConnection: "Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k;SharedAccessKey=x",
      },
      { publish: "required" },
    ).publish!.entity;
    expect(dispatch).toMatchObject({ kind: "serviceBusQueue", name: "dispatch" });
    expect(dispatch!.options.queueName).toBe(publishedTo);
  });

  it("registers a topic's subscription, and the worker's queue, by value", async () => {
    const [topic] = await registered("dispatch", {
      SERVICEBUS_ENTITY: " alerts-topic ",
      SERVICEBUS_SUBSCRIPTION: "erwatch ",
    });
    expect(topic).toMatchObject({
      kind: "serviceBusTopic",
      options: { topicName: "alerts-topic", subscriptionName: "erwatch" },
    });
    const [worker] = await registered("sweep-worker", { SWEEP_WORK_QUEUE: " erwatch-sweep-work " });
    expect(worker).toMatchObject({
      kind: "serviceBusQueue",
      name: "sweepWorker",
      options: { queueName: "erwatch-sweep-work", isSessionsEnabled: true },
    });
    expect(await registered("sweep-worker", {})).toEqual([]);
  });

  it("registers exactly the functions the README names", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const paragraph =
      /^Functions \(Node v4 programming model[\s\S]*?(?=Triggers are registered)/m.exec(
        readme,
      )?.[0] ?? "";
    const named = [...paragraph.matchAll(/`([a-z][A-Za-z]*)`/g)].map((m) => m[1]!);
    const names: string[] = [];
    for (const entry of Object.keys(ENTRIES) as (keyof typeof ENTRIES)[])
      for (const call of await registered(entry, { SWEEP_WORK_QUEUE: "q" })) names.push(call.name);
    expect(names.length).toBeGreaterThan(4);
    expect([...named].sort()).toEqual([...names].sort());
  });

  it("reads with sessions exactly the queues infra/ creates with them: the worker's, not the dispatcher's", async () => {
    const sb = loadBicep(join(INFRA, "app", "servicebus.bicep"));
    const requiresSession = (resource: string) => {
      const d = sb.decls.find((x) => x.kind === "resource" && x.name === resource)!;
      return bodyEntries(sb.s, d).find((e) => e.key === "requiresSession")?.value === "true";
    };
    const [worker] = await registered("sweep-worker", { SWEEP_WORK_QUEUE: "erwatch-sweep-work" });
    const [dispatch] = await registered("dispatch", {});
    // main.bicep hands these queues to the app as SWEEP_WORK_QUEUE and SERVICEBUS_ENTITY.
    expect(worker!.options.isSessionsEnabled === true).toBe(requiresSession("sweepWorkQueue"));
    expect(dispatch!.options.isSessionsEnabled === true).toBe(requiresSession("alertsQueue"));
    expect(requiresSession("sweepWorkQueue")).toBe(true);
  });

  it("never hands the host a %SETTING% to resolve", async () => {
    for (const entry of Object.keys(ENTRIES) as (keyof typeof ENTRIES)[])
      for (const call of await registered(entry, { SWEEP_WORK_QUEUE: "q" }))
        for (const value of Object.values(call.options))
          if (typeof value === "string") expect(value, `${entry} ${call.name}`).not.toMatch(/%/);
  });
});
