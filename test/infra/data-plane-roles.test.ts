// The built-in roles erwatch's identity holds on its own resources
// (infra/app/rbac.bicep), held to what the code does there: it makes and
// writes its tables, sends to and receives from Service Bus, lets the Functions
// scale controller read the fan-out work queue's length, has the host resolve
// Key Vault references and sends its metrics with Entra ID. Each role is
// Microsoft's id for it, assigned to the identity on the one resource it is
// for. There is no Bicep compiler here: the templates are read as text.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bodyEntries, decl, expressionAt, INFRA, loadBicep, objectEntries, ROOT } from "./bicep.js";

/** Microsoft's built-in role ids (the same in every subscription and cloud), by name. */
const BUILT_IN: Record<string, string> = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
  "Azure Service Bus Data Owner": "090c5cfd-751d-490a-894a-3ce6f1109419",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
};

const rbac = loadBicep(join(INFRA, "app", "rbac.bicep"));
const main = loadBicep(join(INFRA, "main.bicep"));
const servicebus = loadBicep(join(INFRA, "app", "servicebus.bicep"));
const sources = (readdirSync(join(ROOT, "src"), { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(join(ROOT, "src", f), "utf8"))
  .join("\n");

/** builtInRoles' keys to the role names their ids are Microsoft's for. */
function builtInRoles(): Map<string, string> {
  const byId = new Map(Object.entries(BUILT_IN).map(([name, id]) => [id, name]));
  const object = expressionAt(rbac.s, decl(rbac, "var", "builtInRoles").valueAt);
  return new Map(
    [...object.matchAll(/^\s+(\w+): '([0-9a-f-]{36})'/gm)].map((m) => [
      m[1]!,
      byId.get(m[2]!) ?? `unknown role id ${m[2]}`,
    ]),
  );
}

/** Each role assignment loop: the resource it is scoped to and the role names it assigns. */
function assignments(): { name: string; scope: string; roles: string[]; text: string }[] {
  const roles = builtInRoles();
  return rbac.decls
    .filter(
      (d) => d.kind === "resource" && /^Microsoft\.Authorization\/roleAssignments@/.test(d.type),
    )
    .map((d) => {
      const text = expressionAt(rbac.s, d.valueAt);
      const list = /^\[for roleId in (\w+):/.exec(text)?.[1] ?? "";
      const ids = list ? expressionAt(rbac.s, decl(rbac, "var", list).valueAt) : "";
      return {
        name: d.name,
        scope: /^\s+scope: (\w+)$/m.exec(text)?.[1] ?? "(none)",
        roles: [...ids.matchAll(/builtInRoles\.(\w+)/g)].map((m) => roles.get(m[1]!) ?? m[1]!),
        text,
      };
    });
}

const on = (scope: string) =>
  assignments()
    .filter((a) => a.scope === scope)
    .flatMap((a) => a.roles)
    .sort();

describe("erwatch's data-plane roles on its own resources", () => {
  it("are Microsoft's ids for the roles they are named after", () => {
    const roles = builtInRoles();
    expect(roles.size).toBe(Object.keys(BUILT_IN).length);
    expect([...roles.values()].filter((name) => name.startsWith("unknown"))).toEqual([]);
  });

  it("let erwatch make and write its tables, and the host keep its blobs and queues", () => {
    // Tables are made by the app (createTable): a reader role would refuse it.
    expect(sources).toMatch(/\.createTable\(/);
    expect(on("storage")).toEqual([
      "Storage Blob Data Owner",
      "Storage Queue Data Contributor",
      "Storage Table Data Contributor",
    ]);
  });

  it("let erwatch send to and receive from Service Bus, as the code does, and manage nothing of the namespace", () => {
    expect(sources).toMatch(/\.createSender\(/); // events, fan-out work, rescheduled and parked copies
    expect(sources).toMatch(/\.(createReceiver|acceptNextSession)\(/); // erwatch dispatch, the worker
    expect(on("serviceBus")).toEqual([
      "Azure Service Bus Data Receiver",
      "Azure Service Bus Data Sender",
    ]);
  });

  it("let the scale controller read the fan-out work queue's length: Data Owner on that queue alone, while fan-out is on", () => {
    // sweepWorker is a session-enabled Service Bus trigger on SWEEP_WORK_QUEUE: target-based
    // scaling sizes it by the queue's active messages, which only Manage rights (Data Owner)
    // may read; with Receive only, Functions falls back to incremental scaling.
    const worker = readFileSync(join(ROOT, "src", "functions", "sweep-worker.ts"), "utf8");
    expect(worker).toMatch(
      /serviceBusQueue\("sweepWorker", \{\s+connection: "ServiceBusConnection",\s+queueName: queue,\s+isSessionsEnabled: true,/,
    );
    expect(on("sweepWorkQueue")).toEqual(["Azure Service Bus Data Owner"]);
    // Manage rights nowhere else: not on the namespace (every queue), not on the alerts queue.
    for (const a of assignments().filter((x) => x.scope !== "sweepWorkQueue"))
      expect(a.roles, a.name).not.toContain("Azure Service Bus Data Owner");

    // The scope is the work queue resource itself, a child of the namespace, named by the module's caller...
    const queue = decl(rbac, "resource", "sweepWorkQueue");
    expect(queue.type).toMatch(/^Microsoft\.ServiceBus\/namespaces\/queues@/);
    expect(queue.existing).toBe(true);
    const entries = Object.fromEntries(bodyEntries(rbac.s, queue, 1).map((e) => [e.key, e.value]));
    expect(entries).toEqual({ parent: "serviceBus", name: "sweepWorkQueueName" });
    // ...which passes the queue servicebus.bicep creates with sessions, the one the Function App reads,
    const rbacModule = Object.fromEntries(
      objectEntries(main.s, decl(main, "module", "rbac"), "params").map((e) => [e.key, e.value]),
    );
    expect(rbacModule.sweepWorkQueueName).toBe("serviceBus.outputs.sweepWorkQueueName");
    expect(
      expressionAt(servicebus.s, decl(servicebus, "output", "sweepWorkQueueName").valueAt),
    ).toBe("sweepWorkQueue.name");
    const workQueue = decl(servicebus, "resource", "sweepWorkQueue");
    expect(
      bodyEntries(servicebus.s, workQueue).find((e) => e.key === "requiresSession")?.value,
    ).toBe("true");
    const app = Object.fromEntries(
      objectEntries(main.s, decl(main, "module", "functionApp"), "params").map((e) => [
        e.key,
        e.value,
      ]),
    );
    expect(app.sweepWorkQueue).toBe("fanOut ? serviceBus.outputs.sweepWorkQueueName : ''");
    // ...and grants it only when SWEEP_WORK_QUEUE is set: with fan-out off nothing scales on it.
    expect(rbacModule.sweepFanOut).toBe("fanOut");
    expect(expressionAt(rbac.s, decl(rbac, "var", "sweepWorkQueueRoleIds").valueAt)).toMatch(
      /^sweepFanOut \? \[\s*builtInRoles\.serviceBusDataOwner\s*\] : \[\]$/,
    );
  });

  it("let the host resolve Key Vault references and erwatch send metrics with Entra ID", () => {
    expect(on("vault")).toEqual(["Key Vault Secrets User"]);
    expect(on("applicationInsights")).toEqual(["Monitoring Metrics Publisher"]);
  });

  it("go to erwatch's identity as a service principal, on the resource itself, never wider", () => {
    const all = assignments();
    expect(all.map((a) => a.scope).sort()).toEqual([
      "applicationInsights",
      "serviceBus",
      "storage",
      "sweepWorkQueue",
      "vault",
    ]);
    for (const a of all) {
      expect(a.text, a.name).toMatch(/^\s+principalId: principalId$/m);
      expect(a.text, a.name).toMatch(/^\s+principalType: 'ServicePrincipal'$/m);
    }
    expect(rbac.targetScope).toBe("resourceGroup");
  });
});
