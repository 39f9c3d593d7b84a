// erwatch on Azure: a Flex Consumption Function App that watches ExpressRoute
// circuits in the monitored subscriptions and pages through Service Bus.
// Deployed by `azd up` at subscription scope: one resource group for erwatch's
// own resources, plus a least-privilege reader role assigned at each monitored
// subscription. See infra/README.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds unique resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource; it must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Comma-separated ids of the subscriptions whose ExpressRoute circuits erwatch watches; empty: the deployment subscription. The reader role is created in the first and assigned at each.')
param monitoredSubscriptionIds string = ''

@description('Comma-separated resource ids of the Log Analytics workspaces Connection Monitor writes to; erwatch may query NWConnectionMonitorTestResult there, and nowhere else. Empty: erwatch has no query access, and the results of any Connection Monitor it finds testing a circuit are a monitoring-blind naming the missing Microsoft.OperationalInsights/workspaces/query/read (unless ERWATCH_DATA_PLANE leaves connection-monitor out).')
param connectionMonitorWorkspaceIds string = ''

@secure()
@description('PagerDuty Events API v2 routing key, stored in Key Vault. Empty: no PagerDuty receiver.')
param pagerDutyRoutingKey string = ''

@secure()
@description('Microsoft Teams Workflows webhook URL, stored in Key Vault. Empty: no Teams receiver.')
param teamsWebhookUrl string = ''

@secure()
@description('Generic webhook URL (Azure Monitor common alert schema), stored in Key Vault. Empty: no webhook receiver.')
param webhookUrl string = ''

@description('Comma-separated email addresses that hear about erwatch itself: no completed sweep, parked alert events, function failures, settings entries left out, alert events not leaving the outbox. Empty: the alerts fire without notifying anyone.')
param healthAlertEmails string = ''

@secure()
@description('Webhook (common alert schema) that hears about erwatch itself, e.g. a PagerDuty or Teams integration URL. Empty: none.')
param healthAlertWebhookUrl string = ''

@description('"true": fan the deep reads out to the sweepWorker function over the session-enabled work queue (estates too large for one instance). Off: one process sweeps, and outages of one provider and location are grouped into one page across the sweep (fan-out workers group per batch and join a fleet alert another batch sent).')
param sweepFanOut string = ''

// A string, so an unset azd variable (empty) means off.
var fanOut = toLower(trim(sweepFanOut)) == 'true'

@description('More app settings: a JSON object of setting name to string value (ERWATCH_ACTION_GROUPS, ERWATCH_SILENCES, ERWATCH_ALERT_POLICY, SWEEP_SCHEDULE, thresholds, LOG_LEVEL), base64-encoded, since azd pastes environment values into main.parameters.json as they are and quotes would break it. Each deployment replaces every app setting, so one set by hand in the portal is gone after the next azd provision: set them here. They win over the ones these templates set. Empty: none.')
param appSettings string = ''

@description('Turn on Key Vault purge protection (it cannot be turned off again).')
param keyVaultPurgeProtection bool = false

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
// A comma-separated string rather than an array: azd fills main.parameters.json
// from its environment, where every value is a string.
var monitoredSubscriptions = empty(trim(monitoredSubscriptionIds)) ? [subscription().subscriptionId] : filter(map(split(monitoredSubscriptionIds, ','), id => trim(id)), id => !empty(id))
var workspaceIds = filter(map(split(connectionMonitorWorkspaceIds, ','), id => trim(id)), id => !empty(id))
// /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>
var workspaceSubscriptions = union(map(workspaceIds, id => split(id, '/')[2]), [])
var tags = {
  'azd-env-name': environmentName
  app: 'erwatch'
}

resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-erwatch-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module serviceBus 'app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: 'sb-erwatch-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
    pagerDutyRoutingKey: pagerDutyRoutingKey
    teamsWebhookUrl: teamsWebhookUrl
    webhookUrl: webhookUrl
  }
}

// Built-in roles on erwatch's own resources.
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    sweepWorkQueueName: serviceBus.outputs.sweepWorkQueueName
    sweepFanOut: fanOut
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  // Roles first, so the host's first start finds its storage, queue and secrets readable.
  dependsOn: [
    rbac
  ]
  params: {
    name: 'func-erwatch-${resourceToken}'
    planName: 'plan-erwatch-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    serviceBusEntity: serviceBus.outputs.alertsQueueName
    serviceBusDeadLetterQueue: serviceBus.outputs.deadLetterQueueName
    sweepWorkQueue: fanOut ? serviceBus.outputs.sweepWorkQueueName : ''
    monitoredSubscriptionIds: monitoredSubscriptions
    pagerDutySecretUri: empty(pagerDutyRoutingKey) ? '' : keyVault.outputs.pagerDutySecretUri
    teamsWebhookSecretUri: empty(teamsWebhookUrl) ? '' : keyVault.outputs.teamsWebhookSecretUri
    webhookSecretUri: empty(webhookUrl) ? '' : keyVault.outputs.webhookSecretUri
    extraAppSettings: empty(trim(appSettings)) ? {} : json(base64ToString(trim(appSettings)))
  }
}

// erwatch's own health, through an Azure Monitor action group: its own
// dispatcher may be what broke.
module healthAlerts 'app/health-alerts.bicep' = {
  name: 'health-alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    serviceBusNamespaceId: serviceBus.outputs.id
    deadLetterQueueName: serviceBus.outputs.deadLetterQueueName
    workQueueName: serviceBus.outputs.sweepWorkQueueName
    emailAddresses: filter(map(split(healthAlertEmails, ','), address => trim(address)), address => !empty(address))
    webhookUrl: healthAlertWebhookUrl
  }
}

// Least privilege on the monitored subscriptions: a custom role holding exactly
// the reads erwatch makes, created once and assigned at each subscription.
module readerRole 'app/reader-role-definition.bicep' = {
  name: 'erwatch-reader-role-${uniqueString(environmentName)}'
  scope: subscription(monitoredSubscriptions[0])
  params: {
    environmentName: environmentName
    assignableSubscriptionIds: monitoredSubscriptions
  }
}

module readerAssignments 'app/reader-role-assignment.bicep' = [for subscriptionId in monitoredSubscriptions: {
  name: 'erwatch-reader-${uniqueString(environmentName, subscriptionId)}'
  scope: subscription(subscriptionId)
  params: {
    principalId: identity.outputs.principalId
    roleDefinitionGuid: readerRole.outputs.roleDefinitionGuid
  }
}]

// Connection Monitor results: query access on the named workspaces only.
module workspaceRole 'app/workspace-reader-role-definition.bicep' = if (!empty(workspaceIds)) {
  name: 'erwatch-workspace-role-${uniqueString(environmentName)}'
  scope: subscription(empty(workspaceIds) ? subscription().subscriptionId : workspaceSubscriptions[0])
  params: {
    environmentName: environmentName
    assignableSubscriptionIds: empty(workspaceIds) ? [subscription().subscriptionId] : workspaceSubscriptions
  }
}

module workspaceAssignments 'app/workspace-reader-role-assignment.bicep' = [for workspaceId in workspaceIds: {
  name: 'erwatch-workspace-${uniqueString(environmentName, workspaceId)}'
  scope: resourceGroup(split(workspaceId, '/')[2], split(workspaceId, '/')[4])
  params: {
    principalId: identity.outputs.principalId
    roleDefinitionGuid: workspaceRole.outputs.roleDefinitionGuid
    workspaceName: split(workspaceId, '/')[8]
  }
}]

// azd writes these to .azure/<env>/.env.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_SERVICEBUS_QUEUE string = serviceBus.outputs.alertsQueueName
output AZURE_SERVICEBUS_DEADLETTER_QUEUE string = serviceBus.outputs.deadLetterQueueName
output ERWATCH_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output ERWATCH_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output ERWATCH_READER_ROLE_ID string = readerRole.outputs.roleDefinitionId
output ERWATCH_MONITORED_SUBSCRIPTIONS string = join(monitoredSubscriptions, ',')
