// Alerts on erwatch itself. They go to an Azure Monitor action group, not
// through erwatch's own Service Bus and dispatcher: those may be what broke.
//
// - No completed sweep for 15 minutes: a dead-man's switch. erwatch silent is
//   erwatch blind, and a blind watcher pages nobody about a down circuit.
// - Any alert event parked in the dead-letter queue: a notification did not
//   reach its receivers.
// - Function invocations that failed.
// - Entries of settings left out as invalid (one circuit's baseline, one
//   silence, one route, a whole optional setting that is not JSON):
//   erwatch runs on without them, so someone must hear.
// - Alert events that cannot leave the outbox (Service Bus down, or not
//   answering): sweeps finish, nothing is parked, no function fails, and yet
//   no page goes out. Only this rule hears it.
// - A circuit erwatch could not read through or record in three sweeps (its
//   state refused by Table Storage, a bug on its data): the sweep goes on for
//   the others and finishes, so the dead-man's switch stays quiet, while that
//   circuit's alerts are not decided at all and its outage pages nobody.
// - A circuit whose history (Table Storage) could not be read in three
//   sweeps: it is judged and its outages page, but its flaps are not
//   counted, so a flap alert neither opens nor resolves, and the Blind:
//   notice reaches only an open Sev0/Sev1 one's holder.
// - History (Table Storage) that could not be written in two sweeps within
//   the flap window: the changes of those sweeps are lost for good, so a
//   flap in them is never counted, and nothing pages.
// - Log Analytics ingesting a workspace's Connection Monitor results late in
//   three sweeps: end to end is UNKNOWN on every circuit whose monitors write
//   there and no end-to-end alert opens, by design (the endpoints are not to
//   blame), so sweep after sweep nothing else tells that it is blind.
// - A workspace's Log Analytics query failing (refused, throttled, rejected,
//   a 5xx, the workspace gone) in three sweeps: end to end is UNKNOWN on every
//   circuit whose monitors write there, one workspace's problem said once to
//   whoever looks after erwatch, not a monitoring-blind page per circuit.
// - With ERWATCH_SWEEP_FAN_OUT, work the timer sent that no worker finished:
//   the timer's "sweep finished" keeps the dead-man's switch quiet while the
//   workers cannot take the queue (their trigger does not start, the work
//   expires): nothing is read, nothing pages, no function fails.

param location string
param tags object = {}

@description('Resource id of the Application Insights component the Function App logs to.')
param applicationInsightsId string

@description('Resource id of the Service Bus namespace.')
param serviceBusNamespaceId string

@description('Queue every dead letter lands in (SERVICEBUS_DEADLETTER_QUEUE).')
param deadLetterQueueName string

@description('The fan-out work queue, whose dead letters are deep reads no worker could do.')
param workQueueName string

@description('Email addresses of the people who look after erwatch.')
param emailAddresses array = []

@secure()
@description('Webhook that receives the alerts in the common alert schema (a PagerDuty or Teams integration URL, say). Empty: none.')
param webhookUrl string = ''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-erwatch-health'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'erwatch'
    enabled: true
    emailReceivers: [for (address, i) in emailAddresses: {
      name: 'email-${i}'
      emailAddress: address
      useCommonAlertSchema: true
    }]
    webhookReceivers: empty(webhookUrl) ? [] : [
      {
        name: 'webhook'
        serviceUri: webhookUrl
        useCommonAlertSchema: true
      }
    ]
  }
}

// The sweep's last act is the info line "sweep finished" (src/app/sweep.ts);
// under the Functions host each JSON log line becomes an Application Insights
// trace, and host.json keeps traces out of sampling, so every completed sweep
// (timer or on demand; a fanned-out timer once its work is sent) leaves exactly
// one. Only a whole-estate sweep counts ("scope":"estate"): on-demand sweeps of
// named circuits, a script's every few minutes, would keep the switch quiet
// while the timer is dead. A log query rather than a metric:
// the Functions execution metrics count invocations, and a sweep that starts,
// hangs or fails half way is an invocation too; this line proves the whole
// sweep ran. Fifteen minutes is three missed 5-minute timer ticks.
var sweepFinishedQuery = '''
traces
| where message contains '"msg":"sweep finished"' and message contains '"scope":"estate"'
| summarize completed = count()
'''

resource noCompletedSweep 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-no-completed-sweep'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: no completed sweep for 15 minutes'
    description: 'No sweep has finished for 15 minutes: erwatch is not watching the circuits. Look at the Function App (stopped, failing to start, a configuration error on every invocation) and at the function failures alert.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: sweepFinishedQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'completed'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Parked events are ordinary (active) messages of the parking queue, whether
// the dispatcher parked them or the alerts queue forwarded its dead letters.
// They stay until someone reads them, so the alert holds until then.
resource parkedAlertEvents 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'erwatch-parked-alert-events'
  location: 'global'
  tags: tags
  properties: {
    description: 'An alert event is parked in ${deadLetterQueueName}: a notification did not reach its receivers. DeadLetterReason / DeadLetterErrorDescription on the message say which receiver and why.'
    severity: 1
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'parked'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ActiveMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                deadLetterQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// A work message dead-lettered after its deliveries (a worker failing the
// same batch every time, a bug on its data): its circuits are planned again
// next sweep, but the failure repeats unseen and the dead letters fill the
// queue's quota. Dead letters stay until someone reads them, so the alert
// holds until then.
resource workDeadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'erwatch-work-dead-lettered'
  location: 'global'
  tags: tags
  properties: {
    description: 'A fan-out work message is dead-lettered in ${workQueueName}: a sweepWorker failed the same batch of deep reads every delivery. DeadLetterReason on the message and the sweepWorker failures say why; its circuits are planned again each sweep.'
    severity: 2
    enabled: true
    scopes: [
      serviceBusNamespaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'deadLettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                workQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// One alert per function that failed. A 4xx answer is the caller's mistake
// (a malformed sweep request), not erwatch failing. A dispatch that asks
// Service Bus to redeliver counts: a receiver failed every retry of a delivery.
var failedInvocationsQuery = '''
requests
| where success == false
| extend httpStatus = toint(resultCode)
| where isempty(httpStatus) or httpStatus !between (400 .. 499)
| summarize failures = count() by operation_Name
'''

resource functionFailures 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-function-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: function failures'
    description: 'An erwatch function invocation failed. The exceptions and traces of the same operation say why.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: failedInvocationsQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'failures'
          dimensions: [
            {
              name: 'operation_Name'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id

// The sweep says it every sweep, the dispatcher when it starts; both lines
// begin alike. Fixed and redeployed, the line stops and the alert resolves.
var settingsLeftOutQuery = '''
traces
| where message contains '"msg":"entries of settings are invalid and left out'
| summarize leftOut = count()
'''

resource settingsLeftOut 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-settings-left-out'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: settings entries left out'
    description: 'An entry of ERWATCH_BASELINE, ERWATCH_ALERT_POLICY, ERWATCH_SILENCES or ERWATCH_ACTION_GROUPS, or a whole optional setting (one of those that is not JSON, LOG_LEVEL, APPLICATIONINSIGHTS_*), is invalid and was left out, or the dispatcher cannot use a receiver (dispatcher: lines): erwatch watches and pages without it. The status page lists them too. The trace\'s ignored list names each entry, its field and why.'
    severity: 3
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: settingsLeftOutQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'leftOut'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// A sweep (or a fan-out worker's batch) that cannot publish says so once, at
// warn, with its sweepId (src/app/outbox.ts); the events wait in the outbox
// and go out with the next sweep that can. One such sweep is a page late by
// an interval; two in 15 minutes is Service Bus down or hung for longer, and
// every page decided meanwhile waits.
var unpublishedQuery = '''
traces
| where message contains '"msg":"could not publish '
| extend sweepId = tostring(parse_json(message).sweepId)
| summarize sweeps = dcount(sweepId)
'''

resource alertEventsNotPublished 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-alert-events-not-published'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: alert events not leaving the outbox'
    description: 'Sweeps could not publish their alert events to Service Bus (down, or not answering within SERVICEBUS_TIMEOUT_MS): erwatch decides alerts but pages nobody. The events wait in the outbox and go out, once, with the first sweep that can send. The trace says what Service Bus answered.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: unpublishedQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'sweeps'
          operator: 'GreaterThanOrEqual'
          threshold: 2
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Said at error, once per circuit per sweep, with circuitId and sweepId
// (src/app/scan.ts, src/app/circuit-recorder.ts). One sweep is storage having
// a bad minute; the same circuit in three sweeps is a circuit erwatch no
// longer watches. Twenty minutes holds three ticks of the 5-minute timer
// whatever the alignment.
var circuitNotRecordedQuery = '''
traces
| where message contains '"msg":"the circuit could not be recorded"'
| extend line = parse_json(message)
| summarize sweeps = dcount(tostring(line.sweepId)) by circuitId = tostring(line.circuitId)
| where sweeps >= 3
| summarize circuits = count()
'''

resource circuitNotRecorded 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-circuit-not-recorded'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: a circuit is not being watched'
    description: 'erwatch could not read through or record the same circuit in three sweeps: its alerts are not decided, so an outage on it pages nobody, while every other circuit is watched and the sweeps finish. The error traces "the circuit could not be recorded" name the circuit (circuitId) and the error (a Table Storage refusal names its status and code).'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT20M'
    criteria: {
      allOf: [
        {
          query: circuitNotRecordedQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'circuits'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Said at error, once per circuit per sweep, with circuitId and sweepId
// (src/app/record-circuit.ts readHistory): the circuit is judged and pages,
// but without its history, so its flaps are not counted. Three sweeps of the
// same circuit, as the not-recorded rule counts: one sweep is storage having
// a bad minute, three are flap alerts no sweep can open or resolve, which
// nothing else tells (a flap alert below Sev1, or not yet told, hears no
// Blind: notice). Not three in 20 minutes, as not-recorded counts: only a
// sweep that reads the circuit deep reads its history, and a history that
// cannot be read is no trouble for the plan (no ARM read mends it), so the
// circuit is read in its turn, at least every SWEEP_MAX_READ_AGE_MINUTES (15):
// every other sweep in an estate of a few circuits with the defaults, and
// three in 20 minutes was never reached, not even with the whole History
// table refusing reads. (A circuit not recorded keeps its old readings, is
// due and read every sweep: three in 20 fits.) As connection-monitor-lagging
// counts: three reads 15 minutes apart always fit 45 minutes; the latest
// within the last 20 (the age limit and a sweep) keeps it open while the
// reads fail and resolves it about 20 minutes after they read again. A
// SWEEP_MAX_READ_AGE_MINUTES raised past 15 needs a window three times it.
var historyUnreadableQuery = '''
traces
| where message contains '"msg":"history could not be read'
| extend line = parse_json(message)
| summarize sweeps = dcount(tostring(line.sweepId)), last = max(timestamp) by circuitId = tostring(line.circuitId)
| where sweeps >= 3 and last > ago(20m)
| summarize circuits = count()
'''

resource historyUnreadable 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-history-unreadable'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: a circuit\'s history cannot be read'
    description: 'erwatch could not read the same circuit\'s history (the History table of its storage account) in three sweeps within 45 minutes, the latest in the last 20 (a circuit\'s history is read when the circuit is read deep, in its turn at least every SWEEP_MAX_READ_AGE_MINUTES): its flaps are not counted, so its flap alerts neither open nor resolve (one already open stays open, a flapping session pages nobody) and its prefix trend is not judged; its outages still page. It resolves about 20 minutes after the history reads again. The error traces "history could not be read" name the circuit (circuitId) and what Table Storage answered. Look at the <prefix>History table (ERWATCH_TABLE_PREFIX, default erwatchHistory), at the storage account\'s availability, and that erwatch\'s user-assigned identity (the Function App\'s) still holds Storage Table Data Contributor on the account.'
    // Sev2, not the not-recorded rule's Sev1: the circuit's outages still page;
    // what is lost is its flap alerts and prefix trend.
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT45M'
    criteria: {
      allOf: [
        {
          query: historyUnreadableQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'circuits'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Said at error by every write that failed, with the sweep's sweepId and the
// circuit (src/app/record-circuit.ts appendHistory), at any LOG_LEVEL under
// the host. Not counted as the unreadable rule counts: history is written
// only when something changed (a transition, an alert decision), and a
// flapping session changes in a few sweeps an hour (more than 3 changes in 60
// minutes open its flap alert), not in three sweeps running, so "the same
// circuit in three sweeps in 20 minutes" would seldom fire for the very flap whose
// changes were lost. A failed write is lost for good, unlike a read the next
// sweep makes again: two sweeps in the flap window's 60 minutes (any
// circuits; one sweep is storage having a bad minute) fire it.
var historyNotWrittenQuery = '''
traces
| where message contains '"msg":"history could not be written'
| extend sweepId = tostring(parse_json(message).sweepId)
| summarize sweeps = dcount(sweepId)
'''

resource historyNotWritten 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-history-not-written'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: history is not being kept'
    description: 'erwatch could not write circuits\' history (the History table of its storage account) in two sweeps within an hour: the changes of those sweeps (path transitions, session resets, alert decisions) are lost for good, not written later. Flaps in them are never counted, so a flapping session\'s flap alert does not open (or one open resolves while the session still flaps) and pages nobody; the status page\'s recent changes and the audit trail miss them. Outages still page. The error traces "history could not be written" name the circuit (circuitId) and what Table Storage answered. Look at the <prefix>History table (ERWATCH_TABLE_PREFIX, default erwatchHistory), at the storage account\'s availability, and that erwatch\'s user-assigned identity (the Function App\'s) still holds Storage Table Data Contributor on the account (a role that reads but cannot write, such as Storage Table Data Reader, lets history be read and not kept).'
    // Sev2, as history-unreadable: the circuits' outages still page; what is
    // lost is their flap alerts and their record.
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: historyNotWrittenQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'sweeps'
          operator: 'GreaterThanOrEqual'
          threshold: 2
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// With fan-out the timer's "sweep finished" carries how many work messages it
// sent (src/app/work.ts fanOut); each worker ends every batch with "work done"
// (processWork). Two sweeps that sent work and not one batch finished in 15
// minutes is workers that are not reading (one sweep may still be in hand).
// Without fan-out no sweep sends work and the rule stays quiet.
var fanOutUnreadQuery = '''
traces
| where message contains '"msg":"sweep finished"' or message contains '"msg":"work done"'
| extend line = parse_json(message)
| summarize sent = countif(tostring(line.msg) == 'sweep finished' and toint(line.messages) > 0), done = countif(tostring(line.msg) == 'work done')
| project unread = iff(sent >= 2 and done == 0, 1, 0)
'''

resource fanOutWorkUnread 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-fan-out-work-unread'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: fan-out work sent and not read'
    description: 'The timer sent the deep reads to the work queue in two sweeps and no worker finished a batch in 15 minutes: the sweeps finish, so the dead-man\'s switch stays quiet, but no circuit is read and no outage pages. Look at the sweepWorker function (does its Service Bus trigger start; may the identity receive from the work queue) and at the work queue\'s messages.'
    severity: 1
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: fanOutUnreadQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'unread'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Said at warn once per circuit per sweep for each workspace whose newest row
// of any monitor is older than a test's frequency plus Log Analytics'
// ingestion allowance, or that holds no row in the look-back though it held
// some the day before (src/app/ingestion-lag.ts), with sweepId and workspace,
// at any LOG_LEVEL under the host. Counted per workspace, not per circuit:
// the circuits writing there lag as one, and one alert each workspace says
// where to look (its id in lower case: each monitor's settings spell it their
// own way, "resourceGroups" or "resourcegroups", and each spelling was an
// alert of its own). Three sweeps, as the per-circuit rules count and as long as
// monitoring-blind waits on a read that fails (blindAfterSweeps): a delay of
// one or two sweeps is Azure catching up. Not three in 20 minutes: end to end
// UNKNOWN for Log Analytics alone is no trouble for the plan (an end to end
// read up before stays up, as ever), so the circuits writing there are read
// deep in their turn, each at least every SWEEP_MAX_READ_AGE_MINUTES (15),
// and a workspace that one or two of a larger estate's circuits write to is
// read in some sweeps only (every other one with the defaults), and three
// in 20 minutes was never reached. In 45 minutes, three reads 15 apart always
// fit; the latest within the last 20 (the age limit and a sweep) keeps it
// open while the lag lasts and resolves it about 20 minutes after fresh
// rows arrive, not 45. A SWEEP_MAX_READ_AGE_MINUTES raised past 15 needs a
// window three times it.
var connectionMonitorLaggingQuery = '''
traces
| where message contains '"msg":"Log Analytics is ingesting Connection Monitor results late'
| extend line = parse_json(message)
| summarize sweeps = dcount(tostring(line.sweepId)), last = max(timestamp) by workspace = tolower(tostring(line.workspace))
| where last > ago(20m)
| project workspace, sweeps
'''

resource connectionMonitorLagging 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-connection-monitor-lagging'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: Connection Monitor results are late in Log Analytics'
    description: 'Log Analytics has ingested no Connection Monitor result in this workspace (the alert\'s workspace dimension) for longer than a test\'s frequency plus 10 minutes, in three sweeps within 45 minutes, the latest in the last 20: end to end is UNKNOWN on every circuit whose monitors write there ("Log Analytics has ingested nothing in workspace … since HH:MM UTC"), and no e2e-fail, e2e-warning or e2e-indeterminate opens, so a fault only end to end sees (a firewall, a route table, an NSG past the circuit) pages nobody while the circuit\'s other layers page as ever; an alert already open is held, neither resolved nor changed. It resolves about 20 minutes after fresh rows arrive. The warn traces "Log Analytics is ingesting Connection Monitor results late" name the workspace, its newest row (newest) and how far behind it is (minutes). Look at Azure Service Health for a Log Analytics ingestion incident in the workspace\'s region, and in the workspace run NWConnectionMonitorTestResult | summarize max(TimeGenerated), max(ingestion_time()) by ConnectionMonitorResourceId: rows arriving with ingestion_time() far past TimeGenerated are Azure\'s delay. A workspace that one agent alone writes to (one monitor, one on-premises source) reads the same when that agent stops: look at the agent and the Network Watcher extension too.'
    // Sev2, as history-unreadable: the circuits' other layers still page;
    // what is lost is end to end.
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT45M'
    criteria: {
      allOf: [
        {
          query: connectionMonitorLaggingQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'sweeps'
          dimensions: [
            {
              name: 'workspace'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThanOrEqual'
          threshold: 3
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// Said at warn once per circuit per sweep for each workspace whose Connection
// Monitor results query failed (src/app/query-failing.ts), with sweepId,
// workspace, the failure's kind, statusCode, message, requestId and the
// nextAction for it, at any LOG_LEVEL under the host. It is no circuit's
// monitoring-blind: one workspace refusing erwatch (403), throttling it (429),
// rejecting its query (400), failing (5xx) or gone (404) paged once per
// circuit writing there, and each open alert read its circuit deep every
// sweep on ARM, which mends nothing in Log Analytics. Counted per workspace
// (its id in lower case) as connectionMonitorLaggingQuery counts, and for the
// same reasons: the circuits writing there are read deep in their turn only,
// so three sweeps in 45 minutes, the latest in the last 20.
var connectionMonitorQueryFailingQuery = '''
traces
| where message contains '"msg":"Log Analytics cannot be queried for Connection Monitor results'
| extend line = parse_json(message)
| summarize sweeps = dcount(tostring(line.sweepId)), last = max(timestamp) by workspace = tolower(tostring(line.workspace))
| where last > ago(20m)
| project workspace, sweeps
'''

resource connectionMonitorQueryFailing 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'erwatch-connection-monitor-query-failing'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'erwatch: Log Analytics cannot be queried for Connection Monitor results'
    description: 'erwatch\'s query of Connection Monitor results in this workspace (the alert\'s workspace dimension) failed in three sweeps within 45 minutes, the latest in the last 20: end to end is UNKNOWN on every circuit whose monitors write there ("Connection Monitor cm-a read failed in workspace law-network: forbidden, missing Microsoft.OperationalInsights/workspaces/query/read"; with every workspace of the circuit failing, each named: "Connection Monitor read failed: cm-a in workspace law-network (forbidden, missing Microsoft.OperationalInsights/workspaces/query/read); cm-b in workspace law-dr (timeout)"; beside monitors read elsewhere, "cm-a not read in workspace law-network (forbidden, missing Microsoft.OperationalInsights/workspaces/query/read)"), and no e2e-fail, e2e-warning or e2e-indeterminate opens or resolves, so a fault only end to end sees pages nobody while the circuits\' other layers page as ever; an end-to-end alert already open is held. No monitoring-blind opens for it on each circuit: this alert is the one notice for the workspace. It resolves about 20 minutes after the query answers again. The warn traces "Log Analytics cannot be queried for Connection Monitor results" name the workspace, the circuit (circuitId), what the query got (kind, statusCode, message, requestId) and what to do (nextAction): forbidden, grant erwatch\'s identity the \'erwatch Connection Monitor results reader\' role on the workspace (connectionMonitorWorkspaceIds in infra/); throttled, erwatch asks the workspace no more that sweep nor before its Retry-After has passed, and if it persists lengthen SWEEP_SCHEDULE or have fewer circuits\' monitors write there; not-found, point the monitors\' output (or the erwatch:workspace tag) at a workspace that exists; malformed (a 400, a query rejected), report it with the requestId; a server-error or timeout, look at Azure Service Health for Log Analytics in the workspace\'s region (a 503 whose Retry-After was kept, notAskedBefore set, is Log Analytics unavailable: the end-to-end row and the CLI\'s partly blind summary say "Log Analytics unavailable, not asked again before 02:12 UTC", the time dated on another UTC day, and no setting of erwatch\'s mends it).'
    // Sev2, as connection-monitor-lagging: the circuits' other layers still
    // page; what is lost is end to end.
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT45M'
    criteria: {
      allOf: [
        {
          query: connectionMonitorQueryFailingQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'sweeps'
          dimensions: [
            {
              name: 'workspace'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThanOrEqual'
          threshold: 3
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}
