// The data-plane settings: endpoints that follow AZURE_CLOUD, thresholds, and
// the declared baseline, with every problem reported at once and naming where.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readDataPlaneConfig } from "../../src/config/data-plane.js";
import { ConfigError, SettingsReader } from "../../src/config/reader.js";
import type { Env } from "../../src/config/settings.js";
import { loadReadConfig } from "../../src/runtime/config.js";

/** The ARM scope readArmConfig hands over; which one it is, is arm.test.ts's business. */
const ARM_SCOPE = "https://management.example/.default";

function read(
  env: Env,
  cloud: "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud" = "AzureCloud",
) {
  const r = new SettingsReader(env);
  const config = readDataPlaneConfig(r, cloud, ARM_SCOPE);
  return { config, problems: r.problems, ignored: r.ignored };
}

const BASELINE = {
  "er-circuit-prod": {
    skuTier: "Standard",
    bandwidthInMbps: 1000,
    gatewayConnections: ["conn-er-circuit-prod"],
    peerings: {
      AzurePrivatePeering: {
        peerASN: 65010,
        vlanId: 200,
        secondaryPeerAddressPrefix: "192.168.10.20/30",
      },
    },
  },
};

// Each baseline file in a directory of its own, all removed at the end.
const baselineDirs: string[] = [];
function baselineDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "erwatch-baseline-"));
  baselineDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of baselineDirs) rmSync(dir, { recursive: true, force: true });
});

describe("data-plane settings", () => {
  it.each([
    ["AzureCloud", "https://{region}.metrics.monitor.azure.com", "https://api.loganalytics.io/v1"],
    [
      "AzureUSGovernment",
      "https://{region}.metrics.monitor.azure.us",
      "https://api.loganalytics.us/v1",
    ],
    [
      "AzureChinaCloud",
      "https://{region}.metrics.monitor.azure.cn",
      "https://api.loganalytics.azure.cn/v1",
    ],
  ] as const)(
    "%s: the regional metrics endpoint and Log Analytics follow the cloud",
    (cloud, metrics, logs) => {
      const { config, problems } = read({}, cloud);
      expect(problems).toEqual([]);
      expect(config.metrics).toMatchObject({
        endpoint: metrics,
        scope: ARM_SCOPE,
        lookbackMinutes: 45,
      });
      expect(config.logs).toMatchObject({ endpoint: logs, windowMinutes: 30 });
      expect(config.logs.scope).toBe(`${logs.replace(/\/v1$/, "")}/.default`);
      expect(config.reads).toEqual(["metrics", "connection-monitor"]);
      expect(config.policy.saturation).toEqual({ percent: 80, minutes: 15 });
    },
  );

  it("takes thresholds, endpoints and the baseline (keys lower-cased) from settings", () => {
    const { config, problems } = read({
      ERWATCH_DATA_PLANE: "metrics",
      METRICS_ENDPOINT: "https://127.0.0.1:8443/{region}/",
      LOGS_ENDPOINT: "https://127.0.0.1:8443/v1",
      SATURATION_PERCENT: "70",
      SATURATION_MINUTES: "30",
      TRAFFIC_STOPPED_MINUTES: "10",
      TRAFFIC_FLOOR_BPS: "500",
      CONNECTION_MONITOR_WINDOW_MINUTES: "15",
      ERWATCH_BASELINE: JSON.stringify({ "ER-Circuit-Prod": BASELINE["er-circuit-prod"] }),
    });
    expect(problems).toEqual([]);
    expect(config.reads).toEqual(["metrics"]);
    expect(config.metrics).toMatchObject({
      endpoint: "https://127.0.0.1:8443/{region}",
      lookbackMinutes: 60,
    });
    expect(config.logs.endpoint).toBe("https://127.0.0.1:8443/v1");
    expect(config.policy).toMatchObject({
      saturation: { percent: 70, minutes: 30 },
      trafficStopped: { minutes: 10, floorBps: 500 },
    });
    expect(Object.keys(config.policy.baseline)).toEqual(["er-circuit-prod"]);
  });

  it("reads the baseline from a file", () => {
    const dir = baselineDir();
    const file = join(dir, "baseline.json");
    writeFileSync(file, JSON.stringify(BASELINE));
    const { config, problems } = read({ ERWATCH_BASELINE_FILE: file });
    expect(problems).toEqual([]);
    expect(config.policy.baseline["er-circuit-prod"]?.peerings?.AzurePrivatePeering?.vlanId).toBe(
      200,
    );
  });

  it("reports every problem at once, each naming its setting and, in the baseline, the field", () => {
    const { problems, ignored } = read({
      ERWATCH_DATA_PLANE: "metrics,flows",
      METRICS_ENDPOINT: "http://{region}.metrics.example",
      LOGS_ENDPOINT: "https://api.loganalytics.io",
      SATURATION_PERCENT: "120",
      TRAFFIC_STOPPED_MINUTES: "0",
      ERWATCH_BASELINE: JSON.stringify({
        "er-circuit-prod": {
          skuTier: "Gold",
          peerings: {
            AzurePrivatePeering: {
              vlanId: 5000,
              primaryPeerAddressPrefix: "192.168.10.17/30",
              peerAsn: 65010,
            },
          },
        },
      }),
    });
    expect(problems).toEqual([
      "LOGS_ENDPOINT: must end with /v1 (e.g. https://api.loganalytics.io/v1): the client adds /workspaces/<id>/query after it",
      "METRICS_ENDPOINT: must be an https URL",
    ]);
    // One circuit's entry: left out, every issue named, the rest of the setting applies.
    const leftOut = " (this entry is left out; the rest apply)";
    expect(ignored).toEqual([
      'ERWATCH_DATA_PLANE: "flows" is not one of metrics, connection-monitor or none (left out: both reads run, as by default)',
      'SATURATION_PERCENT: expected a whole number in digits from 1 to 100, got "120" (left out: the default 80 applies)',
      'TRAFFIC_STOPPED_MINUTES: expected a whole number in digits from 2 to 240, got "0" (left out: the default 15 applies)',
      expect.stringMatching(
        /^ERWATCH_BASELINE\.er-circuit-prod\.skuTier: .+ \(this entry is left out; the rest apply\)$/,
      ),
      `ERWATCH_BASELINE.er-circuit-prod.peerings.AzurePrivatePeering.vlanId: Too big: expected number to be <=4094${leftOut}`,
      `ERWATCH_BASELINE.er-circuit-prod.peerings.AzurePrivatePeering.primaryPeerAddressPrefix: is not an IPv4 /30 on a /30 boundary (e.g. 192.168.10.16/30)${leftOut}`,
      `ERWATCH_BASELINE.er-circuit-prod.peerings.AzurePrivatePeering: Unrecognized key: "peerAsn"${leftOut}`,
    ]);
  });

  it.each([
    { setting: "ERWATCH_BASELINE", file: false },
    { setting: "ERWATCH_BASELINE_FILE", file: true },
  ])(
    "a typo in one circuit's $setting entry leaves that entry out; every other circuit's applies and nothing stops the start",
    ({ setting, file }) => {
      const text = JSON.stringify({
        "er-ams-a": { peerings: { AzurePrivatePeering: { vlanId: 0 } } },
        "er-ams-b": { bandwidthInMbps: 1000, peerings: { AzurePrivatePeering: { vlanId: 200 } } },
      });
      const path = join(baselineDir(), "baseline.json");
      writeFileSync(path, text);
      const { config, problems, ignored } = read(
        file ? { ERWATCH_BASELINE_FILE: path } : { ERWATCH_BASELINE: text },
      );
      expect(problems).toEqual([]);
      expect(ignored).toEqual([
        expect.stringMatching(
          new RegExp(`^${setting}\\.er-ams-a\\.peerings\\.AzurePrivatePeering\\.vlanId: `),
        ),
      ]);
      expect(config.policy.baseline).toEqual({
        "er-ams-b": { bandwidthInMbps: 1000, peerings: { AzurePrivatePeering: { vlanId: 200 } } },
      });
      expect(() =>
        loadReadConfig(file ? { ERWATCH_BASELINE_FILE: path } : { ERWATCH_BASELINE: text }, {
          scope: false,
        }),
      ).not.toThrow();
      expect(
        loadReadConfig(file ? { ERWATCH_BASELINE_FILE: path } : { ERWATCH_BASELINE: text }, {
          scope: false,
        }).ignoredSettings,
      ).toEqual(ignored);
    },
  );

  it("leaves out baseline entries that differ only in case (the last one won, unsaid); the others apply", () => {
    const { config, problems, ignored } = read({
      ERWATCH_BASELINE: JSON.stringify({
        "ER-A": { bandwidthInMbps: 1000 },
        "er-a": { bandwidthInMbps: 2000 },
        "er-b": { bandwidthInMbps: 500 },
      }),
    });
    expect(problems).toEqual([]);
    expect(ignored).toEqual([
      'ERWATCH_BASELINE: "ER-A", "er-a" name one circuit (names match in any case) (these entries are left out; the rest apply)',
    ]);
    expect(config.policy.baseline).toEqual({ "er-b": { bandwidthInMbps: 500 } });
  });

  // "Private" matched no running peering: drift of its own, its fields never compared.
  it.each([
    ["AzurePrivatePeering", "AzurePrivatePeering", []],
    ["azureprivatepeering", "AzurePrivatePeering", []],
    ["Private", "AzurePrivatePeering", []],
    ["microsoft", "MicrosoftPeering", []],
    [
      "Privat",
      null,
      [
        'ERWATCH_BASELINE.er-a.peerings.Privat: "Privat" is not a peering (AzurePrivatePeering or Private, MicrosoftPeering or Microsoft, AzurePublicPeering or Public) (this entry is left out; the rest apply)',
      ],
    ],
  ])("takes the baseline peering %j as %j", (key, name, ignored) => {
    const read1 = read({
      ERWATCH_BASELINE: JSON.stringify({ "er-a": { peerings: { [key]: { vlanId: 100 } } } }),
    });
    expect(read1.ignored).toEqual(ignored);
    expect(read1.config.policy.baseline).toEqual(
      name === null ? {} : { "er-a": { peerings: { [name]: { vlanId: 100 } } } },
    );
  });

  it("leaves out a circuit's baseline naming one peering twice", () => {
    const { config, ignored } = read({
      ERWATCH_BASELINE: JSON.stringify({
        "er-a": { peerings: { Private: { vlanId: 100 }, AzurePrivatePeering: { vlanId: 200 } } },
        "er-b": { peerings: { Private: { vlanId: 300 } } },
      }),
    });
    expect(ignored).toEqual([
      'ERWATCH_BASELINE.er-a.peerings: "Private", "AzurePrivatePeering" name one peering (this entry is left out; the rest apply)',
    ]);
    expect(config.policy.baseline).toEqual({
      "er-b": { peerings: { AzurePrivatePeering: { vlanId: 300 } } },
    });
  });

  // The batch endpoint is regional: a fixed one was asked every region's circuits.
  it.each([
    ["https://{region}.metrics.example", []],
    ["https://metrics.example/{region}/", []],
    [
      "https://westeurope.metrics.monitor.azure.com",
      [
        "METRICS_ENDPOINT: has no {region}: the metrics batch endpoint is regional, and each circuit's metrics must be asked of its own region (e.g. https://{region}.metrics.monitor.azure.com)",
      ],
    ],
  ])("METRICS_ENDPOINT %j", (endpoint, problems) => {
    expect(read({ METRICS_ENDPOINT: endpoint }).problems).toEqual(problems);
  });

  it("leaves out both baseline settings, and a file it cannot read, by name, without stopping the start", () => {
    const none = " (left out: no circuit's configuration is compared with a baseline)";
    const both = read({ ERWATCH_BASELINE: "{}", ERWATCH_BASELINE_FILE: "/x.json" });
    expect(both.problems).toEqual([]);
    expect(both.ignored).toEqual([
      `ERWATCH_BASELINE_FILE: set ERWATCH_BASELINE or ERWATCH_BASELINE_FILE, not both${none}`,
    ]);
    expect(read({ ERWATCH_BASELINE_FILE: "/nonexistent/baseline.json" }).ignored).toEqual([
      `ERWATCH_BASELINE_FILE: cannot read /nonexistent/baseline.json (ENOENT)${none}`,
    ]);
    const bad = join(baselineDir(), "bad.json");
    writeFileSync(bad, '{"er-circuit-prod": {');
    const broken = read({ ERWATCH_BASELINE_FILE: bad });
    expect(broken.problems).toEqual([]);
    expect(broken.ignored).toEqual([
      `ERWATCH_BASELINE_FILE: is not valid JSON (at character 22)${none}`,
    ]);
    expect(broken.config.policy.baseline).toEqual({});
  });

  it("stops the runtime at start with the baseline problems among the others", () => {
    expect(() =>
      loadReadConfig(
        {
          ERWATCH_BASELINE: '{"c":{"peerings":{"AzurePrivatePeering":{"vlanId":0}}}}',
          ARM_ENDPOINT: "http://management.example",
        },
        { scope: false },
      ),
    ).toThrow(ConfigError);
    try {
      loadReadConfig(
        {
          ERWATCH_BASELINE: '{"c":{"peerings":{"AzurePrivatePeering":{"vlanId":0}}}}',
          ARM_ENDPOINT: "http://management.example",
        },
        { scope: false },
      );
    } catch (error) {
      // The start fails for another reason: the entry's problem is told with it.
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^ARM_ENDPOINT: /),
        expect.stringMatching(/^ERWATCH_BASELINE\.c\.peerings\.AzurePrivatePeering\.vlanId: /),
      ]);
    }
  });
});

describe("ERWATCH_BASELINE_FILE as editors save it", () => {
  it("reads a file saved with a byte-order mark and CRLF line ends (Notepad, PowerShell's Set-Content -Encoding UTF8)", () => {
    const path = join(baselineDir(), "bom.json");
    writeFileSync(path, '\uFEFF{\r\n  "er-ams-a": { "bandwidthInMbps": 1000 }\r\n}\r\n');
    const { config, problems, ignored } = read({ ERWATCH_BASELINE_FILE: path });
    expect(problems).toEqual([]);
    expect(ignored).toEqual([]);
    expect(config.policy.baseline).toEqual({ "er-ams-a": { bandwidthInMbps: 1000 } });
  });
});
