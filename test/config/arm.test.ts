import { describe, expect, it } from "vitest";
import { readArmConfig, requireScope, type ArmConfig } from "../../src/config/arm.js";
import { ConfigError, SettingsReader } from "../../src/config/reader.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const CIRCUIT = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er1`;

function load(env: Record<string, string>) {
  const r = new SettingsReader(env);
  const config = readArmConfig(r);
  requireScope(r, config);
  r.throwIfProblems();
  return config;
}

describe("ARM configuration", () => {
  it("should use the documented defaults when only the scope is set", () => {
    const config = load({ ERWATCH_SUBSCRIPTIONS: SUB });
    expect(config).toMatchObject({
      cloud: "AzureCloud",
      endpoint: "https://management.azure.com",
      tokenScope: "https://management.azure.com/.default",
      subscriptions: [SUB],
      concurrency: 16,
      timeoutMs: 30000,
      maxRetries: 2,
      defaults: { connectivityModel: "own-edge", expectedPeerings: ["AzurePrivatePeering"] },
    });
    expect(config.classify.routeLimits).toMatchObject({
      privateStandardIpv4: 4000,
      privatePremiumIpv4: 10000,
      microsoft: 200,
      warnPercent: 80,
      criticalPercent: 95,
    });
  });

  it.each([
    [
      "AzureUSGovernment",
      "https://management.usgovcloudapi.net",
      "https://login.microsoftonline.us",
    ],
    ["AzureChinaCloud", "https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn"],
  ])(
    "should move endpoint, token scope and login host with AZURE_CLOUD=%s",
    (cloud, arm, login) => {
      const config = load({ ERWATCH_CIRCUITS: CIRCUIT, AZURE_CLOUD: cloud });
      expect([
        config.endpoint,
        config.tokenScope,
        config.dataPlane.metrics.scope,
        config.authorityHost,
      ]).toEqual([arm, `${arm}/.default`, `${arm}/.default`, login]);
    },
  );

  it("should let ARM_ENDPOINT override the endpoint and the scope follow it", () => {
    const config = load({
      ERWATCH_CIRCUITS: CIRCUIT,
      ARM_ENDPOINT: "https://management.contoso.local/",
    });
    expect([config.endpoint, config.tokenScope]).toEqual([
      "https://management.contoso.local",
      "https://management.contoso.local/.default",
    ]);
  });

  it.each([
    [
      { ARM_ENDPOINT: "https://management.contoso.local/" },
      "https://management.contoso.local/.default",
    ],
    [
      {
        ARM_ENDPOINT: "https://management.local.azurestack.external",
        ARM_TOKEN_SCOPE: "https://management.contoso.onmicrosoft.com/3f4f5e6a/.default",
      },
      "https://management.contoso.onmicrosoft.com/3f4f5e6a/.default",
    ],
    [
      { ARM_TOKEN_SCOPE: "https://management.core.windows.net//.default" },
      "https://management.core.windows.net//.default",
    ],
  ])(
    "should ask for the metrics batch token with ARM's scope (%j): Azure Monitor authorises it against ARM",
    (env, scope) => {
      const config = load({ ERWATCH_CIRCUITS: CIRCUIT, ...env });
      expect([config.tokenScope, config.dataPlane.metrics.scope]).toEqual([scope, scope]);
    },
  );

  it("should canonicalise circuit ids", () => {
    const config = load({
      ERWATCH_CIRCUITS: ` ${CIRCUIT.toUpperCase().replace("PROVIDERS/MICROSOFT.NETWORK/EXPRESSROUTECIRCUITS", "providers/Microsoft.Network/expressRouteCircuits")} `,
    });
    expect(config.circuitIds[0]).toMatch(
      /^\/subscriptions\/00000000-0000-0000-0000-000000000001\/resourceGroups\/RG\//,
    );
  });

  it.each([
    ["dashes moved", "000000000000-0000-0000-0000-00000000"],
    ["all dashes", "-".repeat(36)],
  ])(
    "should refuse a subscription id that is 36 characters but no GUID (%s), in both settings",
    (_name, id) => {
      const r = new SettingsReader({
        ERWATCH_SUBSCRIPTIONS: id,
        ERWATCH_CIRCUITS: `/subscriptions/${id}/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er1`,
      });
      readArmConfig(r);
      expect(r.problems.map((p) => p.split(":")[0])).toEqual([
        "ERWATCH_SUBSCRIPTIONS",
        "ERWATCH_CIRCUITS",
      ]);
    },
  );

  // At or over the warning line, a count that once warned would never clear.
  it.each([
    [
      "over the warning line",
      { PREFIX_WARN_PERCENT: "10", PREFIX_CLEAR_MARGIN_PERCENT: "20" },
      ["PREFIX_CLEAR_MARGIN_PERCENT"],
    ],
    [
      "at the warning line",
      { PREFIX_WARN_PERCENT: "5", PREFIX_CLEAR_MARGIN_PERCENT: "5" },
      ["PREFIX_CLEAR_MARGIN_PERCENT"],
    ],
    ["under it", { PREFIX_WARN_PERCENT: "10", PREFIX_CLEAR_MARGIN_PERCENT: "9" }, []],
  ])(
    "should leave out a clear margin %s, a margin under the line in its place",
    (_name, env, ignored) => {
      const r = new SettingsReader({ ERWATCH_SUBSCRIPTIONS: SUB, ...env });
      const config = readArmConfig(r);
      expect(r.problems).toEqual([]);
      expect(r.ignored.map((p) => p.split(":")[0])).toEqual(ignored);
      const { clearMarginPercent, warnPercent } = config.classify.routeLimits;
      expect(clearMarginPercent).toBeLessThan(warnPercent);
    },
  );

  it("should watch a subscription or circuit listed twice (in any case) once", () => {
    const config = load({
      ERWATCH_SUBSCRIPTIONS: `${SUB}, ${SUB.toUpperCase()},${SUB}`,
      ERWATCH_CIRCUITS: `${CIRCUIT},${CIRCUIT.toUpperCase().replace("PROVIDERS/MICROSOFT.NETWORK/EXPRESSROUTECIRCUITS", "providers/Microsoft.Network/expressRouteCircuits")}`,
    });
    expect(config.subscriptions).toEqual([SUB]);
    expect(config.circuitIds).toEqual([CIRCUIT]);
  });

  it("should refuse a misspelt ERWATCH_EXPECTED_PEERINGS at start (it paged peering-missing on every circuit), naming it with the rest", () => {
    const r = new SettingsReader({
      ERWATCH_SUBSCRIPTIONS: SUB,
      ERWATCH_EXPECTED_PEERINGS: "AzurePrivatePeering, AzurePrivatePeerng",
      ARM_CONCURRENCY: "0",
    });
    readArmConfig(r);
    expect(r.problems.map((p) => p.split(":")[0])).toEqual(["ERWATCH_EXPECTED_PEERINGS"]);
    expect(r.problems[0]).toContain('"AzurePrivatePeerng" is not a peering');
    expect(r.ignored.map((p) => p.split(":")[0])).toEqual(["ARM_CONCURRENCY"]);
  });

  it.each([
    [",", "names no peering"],
    [" , ,", "names no peering"],
    ["none, AzurePrivatePeering", "none cannot be combined with peerings"],
    ["none, none, AzurePrivatePeering", "none cannot be combined with peerings"],
  ])(
    "should refuse ERWATCH_EXPECTED_PEERINGS %j (it expected no peering, or said none was not allowed), naming it",
    (text, why) => {
      const r = new SettingsReader({ ERWATCH_SUBSCRIPTIONS: SUB, ERWATCH_EXPECTED_PEERINGS: text });
      readArmConfig(r);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatch(new RegExp(`^ERWATCH_EXPECTED_PEERINGS: .*${why}`));
    },
  );

  it("should take ERWATCH_EXPECTED_PEERINGS in any case, each once, spelt as ARM spells them", () => {
    expect(
      load({
        ERWATCH_SUBSCRIPTIONS: SUB,
        ERWATCH_EXPECTED_PEERINGS: "azureprivatepeering, MICROSOFTPEERING,AzurePrivatePeering,",
      }).defaults.expectedPeerings,
    ).toEqual(["AzurePrivatePeering", "MicrosoftPeering"]);
    expect(
      load({ ERWATCH_SUBSCRIPTIONS: SUB, ERWATCH_EXPECTED_PEERINGS: " None " }).defaults
        .expectedPeerings,
    ).toEqual([]);
  });

  // A trailing comma is nothing beside a peering ("AzurePrivatePeering,"
  // above) and beside ERWATCH_DATA_PLANE's none; beside this none it was
  // refused as "none cannot be combined with peerings", naming none.
  it.each(["none,", "None, ", "none, none"])(
    "should take ERWATCH_EXPECTED_PEERINGS %j as none",
    (text) => {
      expect(
        load({ ERWATCH_SUBSCRIPTIONS: SUB, ERWATCH_EXPECTED_PEERINGS: text }).defaults
          .expectedPeerings,
      ).toEqual([]);
    },
  );

  // A typo in a tuning number at 2 a.m. stopped every sweep, and so every
  // page: each falls back to the default the README gives it, named with the
  // value given and the default used.
  it.each([
    ["ARM_CONCURRENCY", "0x10", "1 to 64", 16, (c: ArmConfig) => c.concurrency],
    ["ARM_CONCURRENCY", "65", "1 to 64", 16, (c: ArmConfig) => c.concurrency],
    ["ARM_READS_PER_SECOND", "25/s", "1 to 10000", 25, (c: ArmConfig) => c.pacing.reads.perSecond],
    ["ARM_READ_BURST", "0", "1 to 100000", 250, (c: ArmConfig) => c.pacing.reads.capacity],
    [
      "ARM_WRITES_PER_SECOND",
      "10.5",
      "1 to 10000",
      10,
      (c: ArmConfig) => c.pacing.writes.perSecond,
    ],
    ["ARM_WRITE_BURST", "200000", "1 to 100000", 200, (c: ArmConfig) => c.pacing.writes.capacity],
    ["ARM_TIMEOUT_MS", "30s", "100 to 600000", 30_000, (c: ArmConfig) => c.timeoutMs],
    ["ARM_LRO_POLL_INTERVAL_MS", "-1", "1 to 60000", 5_000, (c: ArmConfig) => c.lroPollIntervalMs],
    ["ARM_MAX_RETRIES", "11", "0 to 10", 2, (c: ArmConfig) => c.maxRetries],
  ])(
    "should run %s = %j (range %s) on its default %d, named with the value given",
    (setting, value, range, fallback, pick) => {
      const r = new SettingsReader({ ERWATCH_SUBSCRIPTIONS: SUB, [setting]: value });
      const config = readArmConfig(r);
      expect(r.problems).toEqual([]);
      expect(pick(config)).toBe(fallback);
      expect(r.ignored).toEqual([
        `${setting}: expected a whole number in digits from ${range}, got "${value}" (left out: the default ${fallback} applies)`,
      ]);
    },
  );

  it("should report every problem at once, each naming its setting", () => {
    let error: unknown;
    try {
      load({
        ERWATCH_SUBSCRIPTIONS: "not-a-guid",
        ERWATCH_CIRCUITS:
          "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
        AZURE_CLOUD: "Mars",
        ARM_ENDPOINT: "http://insecure.example",
        ARM_CONCURRENCY: "0",
        ERWATCH_CONNECTIVITY_MODEL: "ipvpn",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "AZURE_CLOUD",
      "ARM_ENDPOINT",
      "ERWATCH_SUBSCRIPTIONS",
      "ERWATCH_CIRCUITS",
      "ERWATCH_CONNECTIVITY_MODEL",
      // Left out with its default, told with the problems that stop the start.
      "ARM_CONCURRENCY",
    ]);
    expect((error as Error).message).toContain(
      'AZURE_CLOUD: expected one of AzureCloud, AzureUSGovernment, AzureChinaCloud, got "Mars"',
    );
  });

  it.each([
    [
      "a circuit id",
      { ERWATCH_CIRCUITS: `${CIRCUIT},/subscriptions/${SUB}/resourceGroups/rg/er2` },
    ],
    [
      "a subscription id",
      { ERWATCH_SUBSCRIPTIONS: `${SUB},0000000-typo`, ERWATCH_CIRCUITS: CIRCUIT },
    ],
  ])(
    "should leave out one mistyped %s and watch the rest (it stopped the start: nothing was watched), naming it every sweep",
    (_what, env) => {
      const r = new SettingsReader(env);
      const config = readArmConfig(r);
      requireScope(r, config);
      expect(r.problems).toEqual([]);
      expect(config.circuitIds).toEqual([CIRCUIT]);
      expect(r.ignored).toHaveLength(1);
      expect(r.ignored[0]).toMatch(
        /^ERWATCH_(CIRCUITS|SUBSCRIPTIONS): ".*" is not an? .* \(this entry is left out; the rest apply\)$/,
      );
    },
  );

  it("should refuse to run with nothing to watch", () => {
    expect(() => load({})).toThrow(
      /ERWATCH_SUBSCRIPTIONS: set ERWATCH_SUBSCRIPTIONS and\/or ERWATCH_CIRCUITS/,
    );
  });
});
