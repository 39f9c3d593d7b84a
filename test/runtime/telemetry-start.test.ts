// erwatch's own metrics are not worth a sweep or a page: an exporter that
// refuses to start leaves erwatch running without them, and says why.

import { describe, expect, it, vi } from "vitest";
import { NO_TELEMETRY } from "../../src/app/telemetry.js";
import { loadStatusConfig } from "../../src/runtime/config.js";
import { startTelemetry } from "../../src/runtime/telemetry.js";

vi.mock("../../src/adapters/telemetry/azure-monitor.js", () => ({
  startAzureMonitor: () => {
    throw new Error("Invalid instrumentation key");
  },
}));

describe("startTelemetry", () => {
  it("an exporter that refuses to start: no metrics, the reason handed back, nothing thrown", async () => {
    const config = loadStatusConfig({
      ERWATCH_STORAGE: "UseDevelopmentStorage=true",
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
    });
    const started = await startTelemetry(config);
    expect(started.telemetry).toBe(NO_TELEMETRY);
    expect(started.failure?.message).toBe("Invalid instrumentation key");
  });
});
