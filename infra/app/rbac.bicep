// Built-in roles for erwatch's identity on erwatch's own resources, each at the
// narrowest scope that works: the storage account, the Service Bus namespace
// (and, with fan-out, the work queue alone), the vault, the Application
// Insights component. Nothing at resource group or subscription scope (the
// ExpressRoute reads are the custom role's job).

@description('Principal (object) id of erwatch\'s user-assigned identity.')
param principalId string

param storageAccountName string
param serviceBusNamespaceName string
@description('The fan-out work queue sweepWorker is triggered by (servicebus.bicep creates it).')
param sweepWorkQueueName string
@description('Whether the deep reads fan out to sweepWorker (SWEEP_WORK_QUEUE set): only then does anything scale on the work queue.')
param sweepFanOut bool
param keyVaultName string
param applicationInsightsName string

// Every built-in role erwatch uses, by role definition id (the same GUID in
// every subscription and cloud). Names as listed in
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var builtInRoles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39' // Azure Service Bus Data Sender
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0' // Azure Service Bus Data Receiver
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419' // Azure Service Bus Data Owner
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
}

// Host storage (blob: deployment package, timer leases, function keys; queue:
// host internals) and erwatch's tables (the app creates them, so account scope).
var storageRoleIds = [
  builtInRoles.storageBlobDataOwner
  builtInRoles.storageQueueDataContributor
  builtInRoles.storageTableDataContributor
]

// The sweep publishes to the alerts queue; the dispatcher receives from it and
// parks what it gives up on in the dead-letter queue.
var serviceBusRoleIds = [
  builtInRoles.serviceBusDataSender
  builtInRoles.serviceBusDataReceiver
]

// The Functions scale controller sizes sweepWorker by the work queue's length
// (target-based scaling: active messages / maxConcurrentSessions), which it
// reads with the identity's connection from Service Bus's management API:
// Manage rights, which no built-in role short of Data Owner holds. With
// Receive only the count is refused, and Functions falls back to incremental
// scaling (one instance at a time, judged from the age of the first message)
// just when fan-out is meant to spread an estate's reads wide. On the work
// queue alone, never the namespace: Manage there covers this queue and none
// of the alerts or parking queues. The alerts queue keeps Receive only: the
// dispatcher is paced by its receivers' throttling, not by instances, and a
// sweep's few alert events never need a second one.
// https://learn.microsoft.com/azure/azure-functions/functions-target-based-scaling#service-bus-queues-and-topics
var sweepWorkQueueRoleIds = sweepFanOut ? [
  builtInRoles.serviceBusDataOwner
] : []

// Key Vault references in app settings.
var keyVaultRoleIds = [
  builtInRoles.keyVaultSecretsUser
]

// Telemetry with an Entra ID token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
var applicationInsightsRoleIds = [
  builtInRoles.monitoringMetricsPublisher
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource sweepWorkQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: serviceBus
  name: sweepWorkQueueName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoleIds: {
  name: guid(storage.id, principalId, roleId)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource serviceBusAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in serviceBusRoleIds: {
  name: guid(serviceBus.id, principalId, roleId)
  scope: serviceBus
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource sweepWorkQueueAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in sweepWorkQueueRoleIds: {
  name: guid(sweepWorkQueue.id, principalId, roleId)
  scope: sweepWorkQueue
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource keyVaultAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in keyVaultRoleIds: {
  name: guid(vault.id, principalId, roleId)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]

resource applicationInsightsAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in applicationInsightsRoleIds: {
  name: guid(applicationInsights.id, principalId, roleId)
  scope: applicationInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]
