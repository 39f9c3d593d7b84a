// The built-in roles erwatch's identity holds on its own resources
// (infra/app/rbac.bicep), held to what the code does there: it makes and
// writes its tables, sends to and receives from Service Bus, has the host
// resolve Key Vault references and sends its metrics with Entra ID. Each role
// is Microsoft's id for it, assigned to the identity on the one resource it is
// for. There is no Bicep compiler here: the template is read as text.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decl, expressionAt, INFRA, loadBicep, ROOT } from "./bicep.js";

/** Microsoft's built-in role ids (the same in every subscription and cloud), by name. */
const BUILT_IN: Record<string, string> = {
  "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  "Storage Queue Data Contributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
};

const rbac = loadBicep(join(INFRA, "app", "rbac.bicep"));
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

  it("let erwatch send to and receive from Service Bus, as the code does, and manage nothing", () => {
    expect(sources).toMatch(/\.createSender\(/); // events, fan-out work, rescheduled and parked copies
    expect(sources).toMatch(/\.(createReceiver|acceptNextSession)\(/); // erwatch dispatch, the worker
    expect(on("serviceBus")).toEqual([
      "Azure Service Bus Data Receiver",
      "Azure Service Bus Data Sender",
    ]);
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
      "vault",
    ]);
    for (const a of all) {
      expect(a.text, a.name).toMatch(/^\s+principalId: principalId$/m);
      expect(a.text, a.name).toMatch(/^\s+principalType: 'ServicePrincipal'$/m);
    }
    expect(rbac.targetScope).toBe("resourceGroup");
  });
});
