// Every app setting erwatch reads, in one table. The parser, the README
// settings table, local.settings.sample.json and infra/ app settings are all
// checked against this list by tests, so a new setting cannot drift.

export type Section =
  "general" | "arm" | "data-plane" | "state" | "publish" | "dispatch" | "functions";

export interface SettingDoc {
  section: Section;
  /** What it does and its default, for the README. */
  doc: string;
  /** Safe placeholder for local.settings.sample.json ("" = leave empty). */
  sample: string;
  /** True when the value is a secret: never logged, a Key Vault reference in Azure. */
  secret?: boolean;
}

/**
 * Set by Azure on every Functions app, never by the operator: read (what the
 * README says erwatch makes of each), but no setting of erwatch's, so neither
 * in the settings table nor the sample, nor any command's --help.
 */
export const PLATFORM_NAMES: readonly string[] = ["WEBSITE_SKU"];

export const SETTINGS = {
  LOG_LEVEL: {
    section: "general",
    doc: "pino level: trace, debug, info (default), warn, error, fatal, silent (any case). Under the Functions host the lines the health alerts count are written at any level.",
    sample: "info",
  },
  APPLICATIONINSIGHTS_CONNECTION_STRING: {
    section: "general",
    doc: "Application Insights connection string: erwatch's own metrics (sweeps, ARM calls and 429s, failed reads, open alerts, event latencies, dead letters) are exported there through OpenTelemetry. Unset: no metrics leave the process. infra/ sets it.",
    sample: "",
  },
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: {
    section: "general",
    doc: "Authorization=AAD;ClientId=<identity client id>: send metrics with Entra ID (Application Insights with local authentication off, as infra/ creates it).",
    sample: "",
  },
  ERWATCH_SUBSCRIPTIONS: {
    section: "arm",
    doc: "Comma-separated subscription ids: every ExpressRoute circuit in them is watched.",
    sample: "00000000-0000-0000-0000-000000000000",
  },
  ERWATCH_CIRCUITS: {
    section: "arm",
    doc: "Comma-separated circuit resource ids, instead of or as well as whole subscriptions.",
    sample: "",
  },
  AZURE_CLOUD: {
    section: "arm",
    doc: "AzureCloud (default), AzureUSGovernment or AzureChinaCloud: picks the ARM endpoint, token scope and login host.",
    sample: "AzureCloud",
  },
  ARM_ENDPOINT: {
    section: "arm",
    doc: "Overrides the ARM endpoint (private clouds). The token scope (ARM's and the metrics batch's) follows unless ARM_TOKEN_SCOPE is set.",
    sample: "",
  },
  ARM_TOKEN_SCOPE: {
    section: "arm",
    doc: "Overrides the token scope for ARM and the Azure Monitor metrics batch, authorised by ARM (e.g. Azure Stack Hub audiences).",
    sample: "",
  },
  ARM_CONCURRENCY: {
    section: "arm",
    doc: "HTTP requests to ARM on the wire at once, across all subscriptions (default 16; range 1–64). The seconds a long-running ARP / route read spends between polls hold none.",
    sample: "16",
  },
  ARM_READS_PER_SECOND: {
    section: "arm",
    doc: "ARM's read budget per subscription: the refill rate erwatch spends GETs and polls at (default 25; range 1–10000). Lowered at run time by ARM's x-ms-ratelimit-remaining-subscription-reads.",
    sample: "25",
  },
  ARM_READ_BURST: {
    section: "arm",
    doc: "ARM's read budget per subscription: the bucket size (default 250; range 1–100000).",
    sample: "250",
  },
  ARM_WRITES_PER_SECOND: {
    section: "arm",
    doc: "ARM's budget per subscription for POST actions (the ARP and route reads): the refill rate (default 10; range 1–10000).",
    sample: "10",
  },
  ARM_WRITE_BURST: {
    section: "arm",
    doc: "ARM's budget per subscription for POST actions: the bucket size (default 200; range 1–100000).",
    sample: "200",
  },
  ARM_TIMEOUT_MS: {
    section: "arm",
    doc: "Deadline for one read including its long-running polls and retries, not counting the time it waits for its turn under the subscription's budget (default 30000; range 100–600000).",
    sample: "30000",
  },
  ARM_LRO_POLL_INTERVAL_MS: {
    section: "arm",
    doc: "First guess of how long an ARP / route read takes before its first poll; erwatch then learns it per kind, and ARM's Retry-After is a floor (default 5000; range 1–60000).",
    sample: "5000",
  },
  ARM_MAX_RETRIES: {
    section: "arm",
    doc: "SDK retries for 408/429/5xx within one read (default 2; range 0–10); a 429's or 503's Retry-After is waited only when it ends within the read's ARM_TIMEOUT_MS (else the read fails at once as throttled), and a 429 also pauses the subscription's budget for its Retry-After.",
    sample: "2",
  },
  ERWATCH_EXPECTED_PEERINGS: {
    section: "arm",
    doc: "Peerings every circuit must have unless its erwatch:peerings tag says otherwise: AzurePrivatePeering, MicrosoftPeering, AzurePublicPeering (comma-separated, any case) or none (default AzurePrivatePeering).",
    sample: "AzurePrivatePeering",
  },
  ERWATCH_CONNECTIVITY_MODEL: {
    section: "arm",
    doc: "own-edge (default) or provider-managed, for circuits without an erwatch:connectivity-model tag.",
    sample: "own-edge",
  },
  PREFIX_WARN_PERCENT: {
    section: "arm",
    doc: "Received prefixes at or above this share of the route limit: Sev3 (default 80; range 1–100).",
    sample: "80",
  },
  PREFIX_CRITICAL_PERCENT: {
    section: "arm",
    doc: "Received prefixes at or above this share of the route limit: Sev2 (default 95; range 1–100).",
    sample: "95",
  },
  PREFIX_CLEAR_MARGIN_PERCENT: {
    section: "arm",
    doc: "Points of the route limit a count that reached a line must fall under it to clear (default 2; range 0–50, under PREFIX_WARN_PERCENT): a count hovering at 80 % stays one warning.",
    sample: "2",
  },
  ROUTE_LIMIT_PRIVATE_STANDARD: {
    section: "arm",
    doc: "Private peering IPv4 route limit without Premium (default 4000; range 1–1000000).",
    sample: "4000",
  },
  ROUTE_LIMIT_PRIVATE_PREMIUM: {
    section: "arm",
    doc: "Private peering IPv4 route limit with Premium (default 10000; range 1–1000000).",
    sample: "10000",
  },
  ROUTE_LIMIT_PRIVATE_IPV6: {
    section: "arm",
    doc: "Private peering IPv6 route limit (default 100; range 1–1000000).",
    sample: "100",
  },
  ROUTE_LIMIT_MICROSOFT: {
    section: "arm",
    doc: "Microsoft peering route limit (default 200; range 1–1000000).",
    sample: "200",
  },
  ERWATCH_DATA_PLANE: {
    section: "data-plane",
    doc: "Data-plane reads: metrics (Azure Monitor), connection-monitor (Network Watcher + Log Analytics), comma-separated, or none (default `metrics,connection-monitor`: both).",
    sample: "metrics,connection-monitor",
  },
  METRICS_ENDPOINT: {
    section: "data-plane",
    doc: "Azure Monitor metrics batch endpoint, {region} standing for the circuit's region (default https://{region}.metrics.monitor.azure.com, .azure.us / .azure.cn after AZURE_CLOUD). The batch endpoint is regional: one without {region} is refused at start.",
    sample: "",
  },
  LOGS_ENDPOINT: {
    section: "data-plane",
    doc: "Log Analytics query endpoint including /v1 (default https://api.loganalytics.io/v1, .us / .azure.cn after AZURE_CLOUD).",
    sample: "",
  },
  SATURATION_PERCENT: {
    section: "data-plane",
    doc: "Throughput per path and direction at or above this share of the bandwidth, for SATURATION_MINUTES: saturation, Sev3 (default 80; range 1–100).",
    sample: "80",
  },
  SATURATION_MINUTES: {
    section: "data-plane",
    doc: "How long the throughput must hold before saturation (default 15; range 2–240).",
    sample: "15",
  },
  TRAFFIC_STOPPED_MINUTES: {
    section: "data-plane",
    doc: "How long an Established path must carry ~0 bits both ways, after carrying traffic, before traffic-stopped (default 15; range 2–240).",
    sample: "15",
  },
  TRAFFIC_FLOOR_BPS: {
    section: "data-plane",
    doc: "Bits per second at or under which a direction counts as carrying nothing (default 1000; range 0–1000000000: BGP keepalives and BFD stay under it).",
    sample: "1000",
  },
  PATH_ASYMMETRY_PERCENT: {
    section: "data-plane",
    doc: "Both paths Established with prefix counts this many percent apart: a note on the peering, not a page (default 20; range 1–100).",
    sample: "20",
  },
  CONNECTION_MONITOR_WINDOW_MINUTES: {
    section: "data-plane",
    doc: "Look-back of the NWConnectionMonitorTestResult query; the latest result per test in it counts (default 30; range 5–1440).",
    sample: "30",
  },
  ERWATCH_BASELINE: {
    section: "data-plane",
    doc: "JSON: the declared configuration per circuit (name or resource id, any case): skuTier, bandwidthInMbps, connectivityModel, gatewayConnections, and per peering (AzurePrivatePeering, MicrosoftPeering, AzurePublicPeering, or Private, Microsoft, Public; any case) peerASN, vlanId, primary/secondaryPeerAddressPrefix. Drift from it is config-drift. Circuits or peerings named twice (in another case, or spelling) are left out and named.",
    sample: "",
  },
  ERWATCH_BASELINE_FILE: {
    section: "data-plane",
    doc: "Path of a JSON file holding the baseline instead of ERWATCH_BASELINE (read and validated at start).",
    sample: "",
  },
  ERWATCH_STORAGE: {
    section: "state",
    doc: "Table Storage connection string. If unset, ERWATCH_STORAGE__tableServiceUri / __accountName (identity), then the same forms of AzureWebJobsStorage.",
    sample: "UseDevelopmentStorage=true",
    secret: true,
  },
  ERWATCH_STORAGE__tableServiceUri: {
    section: "state",
    doc: "Identity-based Table Storage: the table service URI.",
    sample: "",
  },
  ERWATCH_STORAGE__accountName: {
    section: "state",
    doc: "Identity-based Table Storage: the account name (URI derived from the cloud).",
    sample: "",
  },
  ERWATCH_STORAGE__clientId: {
    section: "state",
    doc: "Client id of the user-assigned identity for Table Storage; with ERWATCH_STORAGE__accountName or __tableServiceUri (alone it is refused, not left unused by the fallback to AzureWebJobsStorage).",
    sample: "",
  },
  AzureWebJobsStorage: {
    section: "state",
    doc: "The Functions host's storage; erwatch falls back to it when ERWATCH_STORAGE is unset.",
    sample: "UseDevelopmentStorage=true",
    secret: true,
  },
  AzureWebJobsStorage__accountName: {
    section: "state",
    doc: "Identity-based host storage account name (fallback for erwatch's tables). Global Azure only: the host infers core.windows.net from it, so infra/ sets AzureWebJobsStorage__blobServiceUri, __queueServiceUri and __tableServiceUri instead.",
    sample: "",
  },
  AzureWebJobsStorage__tableServiceUri: {
    section: "state",
    doc: "Identity-based host storage table URI (fallback for erwatch's tables).",
    sample: "",
  },
  AzureWebJobsStorage__clientId: {
    section: "state",
    doc: "Client id of the user-assigned identity for host storage.",
    sample: "",
  },
  ERWATCH_TABLE_PREFIX: {
    section: "state",
    doc: "Prefix of erwatch's table names: <prefix>Snapshots, <prefix>Alerts, <prefix>History, <prefix>Deliveries, <prefix>Silences, <prefix>Work (default erwatch).",
    sample: "erwatch",
  },
  STORAGE_TIMEOUT_MS: {
    section: "state",
    doc: "Deadline for one Table Storage call, retries included (default 10000; range 100–120000): storage that stops answering cannot hold a sweep.",
    sample: "10000",
  },
  HISTORY_RETENTION_DAYS: {
    section: "state",
    doc: "History older than this is pruned (default 30; range 1–3650); at least ERWATCH_ALERT_POLICY's trendWindowHours and flap.windowMinutes, which read it back: a shorter one is raised to the default, or to the days the longer window needs, and named.",
    sample: "30",
  },
  SWEEP_MAX_READ_AGE_MINUTES: {
    section: "state",
    doc: "No prefix count or ARP reading older than this: the tiered sweep reads quiet circuits deep in rotation to hold it, and the status page marks a circuit stale an interval past it (default 15; range 1–1440). Below SWEEP_SCHEDULE's interval plus a sweep's window (20 for every 10 minutes, 25 for every 15) it cannot be held and every circuit is read deep every sweep: said every sweep among the settings left out.",
    sample: "15",
  },
  ERWATCH_ALERT_POLICY: {
    section: "state",
    doc: "JSON: hysteresis (openAfter / resolveAfter per severity, openAfterMinutes / resolveAfterMinutes), repeatEveryMinutes, blindAfterSweeps, flap, trendWindowHours, prefixDrop, routeTables, per-circuit overrides. Defaults in README.",
    sample: "",
  },
  ERWATCH_SILENCES: {
    section: "state",
    doc: "JSON array of silences (one-off or recurring maintenance windows) per circuit, optionally per peering and path.",
    sample: "[]",
  },
  ServiceBusConnection: {
    section: "publish",
    doc: "Service Bus connection string (local runs). In Azure use ServiceBusConnection__fullyQualifiedNamespace with the managed identity.",
    sample: "",
    secret: true,
  },
  ServiceBusConnection__fullyQualifiedNamespace: {
    section: "publish",
    doc: "Identity-based Service Bus: <namespace>.servicebus.windows.net.",
    sample: "",
  },
  ServiceBusConnection__clientId: {
    section: "publish",
    doc: "Client id of the user-assigned identity for Service Bus.",
    sample: "",
  },
  SERVICEBUS_ENTITY: {
    section: "publish",
    doc: "Queue or topic alert events are published to (default erwatch-alerts).",
    sample: "erwatch-alerts",
  },
  SERVICEBUS_TIMEOUT_MS: {
    section: "publish",
    doc: "Deadline for one call to Service Bus (a sweep's alert events, the timer's fan-out work, the dispatcher's parked dead letters and rescheduled copies; erwatch dispatch's receives beyond their wait and its settlements), the SDK's retries included (default 30000; range 100–120000): a broker that stops answering cannot hold a sweep past its interval, nor erwatch dispatch for minutes.",
    sample: "30000",
  },
  SWEEP_WORK_QUEUE: {
    section: "publish",
    doc: "Service Bus queue (sessions on, keyed by subscription) the timer fans deep reads out on, and POST /api/sweep for the whole estate or more than HTTP_SWEEP_SYNC_CIRCUITS circuits, read by the sweepWorker function; not SERVICEBUS_ENTITY nor SERVICEBUS_DEADLETTER_QUEUE, in any case. Unset: the timer and POST /api/sweep read in their own process.",
    sample: "",
  },
  SWEEP_WORK_BATCH: {
    section: "publish",
    doc: "Circuits per work message on SWEEP_WORK_QUEUE (default 20; range 1–100), what a worker reads within its 4-minute cap; fewer when their listed bodies would pass 192 KB, so a message always fits Service Bus. The circuits read at one site (provider and peering location) go in one message when it holds them, never fewer than two to a message; a larger site goes in messages of it, read in turn, the first with at least two of the site's reads, so its outage is one fleet page.",
    sample: "20",
  },
  ERWATCH_ACTION_GROUPS: {
    section: "dispatch",
    doc: "JSON: receivers (secrets by app-setting name), action groups and routes. Unset: built from PAGERDUTY_ROUTING_KEY / TEAMS_WEBHOOK_URL / WEBHOOK_URL with the default routes.",
    sample: "",
  },
  PAGERDUTY_ROUTING_KEY: {
    section: "dispatch",
    doc: "PagerDuty Events API v2 integration (routing) key for the default on-call receiver.",
    sample: "",
    secret: true,
  },
  TEAMS_WEBHOOK_URL: {
    section: "dispatch",
    doc: "Microsoft Teams Workflows webhook URL for the default Teams receiver.",
    sample: "",
    secret: true,
  },
  WEBHOOK_URL: {
    section: "dispatch",
    doc: "Generic webhook (Azure Monitor common alert schema) for the default webhook receiver.",
    sample: "",
    secret: true,
  },
  RECEIVER_TIMEOUT_MS: {
    section: "dispatch",
    doc: "Deadline for one post to a receiver (default 10000; range 100–120000).",
    sample: "10000",
  },
  DISPATCH_ATTEMPTS: {
    section: "dispatch",
    doc: "Posts per receiver within one delivery of a message before giving it back to Service Bus (default 3; range 1–10). Under the Functions host the posts (RECEIVER_TIMEOUT_MS each), the waits between them (DISPATCH_RETRY_MAX_WAIT_MS each) and 30 s should fit the 4 minutes a delivery gets: settings that do not are kept and warned of where the sweep starts, the posts past 4 minutes made by the event's next delivery (late, not lost).",
    sample: "3",
  },
  DISPATCH_RETRY_BASE_MS: {
    section: "dispatch",
    doc: "First backoff between posts; doubles each time, Retry-After wins when longer (default 1000; range 1–60000; at most DISPATCH_RETRY_MAX_WAIT_MS, else the default applies, or that wait when shorter, named).",
    sample: "1000",
  },
  DISPATCH_RETRY_MAX_WAIT_MS: {
    section: "dispatch",
    doc: "Longest wait inside one delivery; a longer Retry-After hands the message back to Service Bus (default 60000; range 1–300000).",
    sample: "60000",
  },
  DISPATCH_MAX_DELIVERIES: {
    section: "dispatch",
    doc: "Deliveries of one message in a row (Service Bus redelivers at once); after them the event is rescheduled with a doubling pause (DISPATCH_RETRY_MAX_WAIT_MS, then twice that, at most 15 minutes; each copy gets one delivery) until DISPATCH_RETRY_HORIZON_MINUTES, then dead-lettered with the receiver and its last status (default 5; range 1–100; must be below SERVICEBUS_MAX_DELIVERY_COUNT, else it is lowered, to the default or one under that count, and named).",
    sample: "5",
  },
  DISPATCH_RETRY_HORIZON_MINUTES: {
    section: "dispatch",
    doc: "A receiver asking for a pause (Retry-After longer than DISPATCH_RETRY_MAX_WAIT_MS) or still failing after DISPATCH_MAX_DELIVERIES gets the event rescheduled, at most 15 minutes ahead each time, until this long after the event occurred; then it is dead-lettered (default 60; range 1–1440).",
    sample: "60",
  },
  SERVICEBUS_MAX_DELIVERY_COUNT: {
    section: "dispatch",
    doc: "The alerts entity's maxDeliveryCount (default 10; range 1–2000, as infra/app/servicebus.bicep creates it): checked at start so erwatch dead-letters with its reason before Service Bus does without one.",
    sample: "10",
  },
  SERVICEBUS_SUBSCRIPTION: {
    section: "dispatch",
    doc: "When SERVICEBUS_ENTITY is a topic: the subscription the dispatcher reads.",
    sample: "",
  },
  STATUS_PAGE_URL: {
    section: "dispatch",
    doc: "Public URL of the status page, linked from Teams cards and PagerDuty incidents (https; leave the function key out of it, everyone in the channel sees it).",
    sample: "",
  },
  SERVICEBUS_DEADLETTER_QUEUE: {
    section: "dispatch",
    doc: "Queue where the Functions dispatcher parks events it gives up on, with DeadLetterReason / DeadLetterErrorDescription (default <SERVICEBUS_ENTITY>-deadletter; not SERVICEBUS_ENTITY nor SWEEP_WORK_QUEUE, in any case).",
    sample: "erwatch-alerts-deadletter",
  },
  HTTP_SWEEP_SYNC_CIRCUITS: {
    section: "functions",
    doc: "POST /api/sweep naming at most this many circuits answers with their layer tables; more, or the whole estate, is answered 202 with a status URL, handed to the sweepWorker function when SWEEP_WORK_QUEUE is set (default 20; range 0–1000).",
    sample: "20",
  },
  SWEEP_SCHEDULE: {
    section: "functions",
    doc: "NCRONTAB schedule of the timer sweep, six fields (default `0 */5 * * * *`: every 5 minutes), or a TimeSpan hh:mm:ss (App Service plan only: refused on Flex and Consumption). Its interval also times hysteresis and the status page's stale warning: give erwatch sweep --state the same.",
    sample: "0 */5 * * * *",
  },
} as const satisfies Record<string, SettingDoc>;

export type SettingName = keyof typeof SETTINGS;
export type Env = Readonly<Record<string, string | undefined>>;
