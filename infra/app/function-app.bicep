// erwatch's Function App on the Flex Consumption plan (Linux, Node 22).
// The user-assigned identity is used for everything: the deployment package,
// host storage, Service Bus, erwatch's tables, ARM, Key Vault references and
// Application Insights. No app setting holds a key or a connection string with
// a key; every name below is one src/config/settings.ts documents or a host
// setting (test/infra checks both).

param name string
param planName string
param location string
param tags object = {}

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

param storageAccountName string

@description('Blob container URL of the deployment package.')
param deploymentContainerUrl string

param applicationInsightsConnectionString string

@description('<namespace>.servicebus.windows.net')
param serviceBusFullyQualifiedNamespace string

@description('Queue alert events are published to and dispatched from.')
param serviceBusEntity string

@description('Queue every dead letter lands in.')
param serviceBusDeadLetterQueue string

@description('Session-enabled queue the timer fans deep reads out on; empty: the timer reads in its own process.')
param sweepWorkQueue string = ''

@description('Subscription ids whose ExpressRoute circuits are watched.')
param monitoredSubscriptionIds array

@description('NCRONTAB schedule (six fields) of the timer sweep; a TimeSpan (hh:mm:ss) runs only on an App Service plan, and erwatch refuses one on this Flex Consumption plan (WEBSITE_SKU).')
param sweepSchedule string = '0 */5 * * * *'

@description('Versionless Key Vault secret URIs; empty: the receiver is not configured.')
param pagerDutySecretUri string = ''
param teamsWebhookSecretUri string = ''
param webhookSecretUri string = ''

@description('The operator\'s own app settings (main.bicep appSettings): name to string value.')
param extraAppSettings object = {}

@description('Flex Consumption scale-out limit.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Read by the Functions host (and its Service Bus extension), identity-based.
// Host storage by the account's own endpoints, not AzureWebJobsStorage__accountName:
// from a name the host infers core.windows.net, which is wrong in the sovereign
// clouds AZURE_CLOUD follows (the Functions docs: valid only outside them).
// The table URI is also erwatch's fallback for its tables.
var hostSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // V8 grows the heap lazily: a cap makes it collect instead, and
  // --optimize-for-size makes it grow slowly and keep less spare. A
  // 1,000-circuit deep sweep (`npm run bench`, which runs erwatch with these
  // arguments) peaked at 177-183 MB resident with both, 209-230 MB with the cap
  // alone; the price is CPU (68 s instead of 35 s for that sweep, which ARM's
  // pace spreads over minutes).
  languageWorkers__node__arguments: '--max-old-space-size=256 --optimize-for-size'
}

// Read by erwatch (src/config/settings.ts); AZURE_CLIENT_ID by the Azure SDK's
// credential, so ARM, metrics and Log Analytics use the user-assigned identity.
var erwatchSettings = {
  AZURE_CLIENT_ID: identityClientId
  AZURE_CLOUD: environment().name
  ERWATCH_SUBSCRIPTIONS: join(monitoredSubscriptionIds, ',')
  ERWATCH_STORAGE__accountName: storageAccountName
  ERWATCH_STORAGE__clientId: identityClientId
  SERVICEBUS_ENTITY: serviceBusEntity
  SERVICEBUS_DEADLETTER_QUEUE: serviceBusDeadLetterQueue
  SWEEP_SCHEDULE: sweepSchedule
  SWEEP_WORK_QUEUE: sweepWorkQueue
}

// Receiver secrets: Key Vault references, present only when the secret exists.
var pagerDutySettings = empty(pagerDutySecretUri) ? {} : {
  PAGERDUTY_ROUTING_KEY: '@Microsoft.KeyVault(SecretUri=${pagerDutySecretUri})'
}
var teamsSettings = empty(teamsWebhookSecretUri) ? {} : {
  TEAMS_WEBHOOK_URL: '@Microsoft.KeyVault(SecretUri=${teamsWebhookSecretUri})'
}
var webhookSettings = empty(webhookSecretUri) ? {} : {
  WEBHOOK_URL: '@Microsoft.KeyVault(SecretUri=${webhookSecretUri})'
}

// The complete set: this resource replaces every app setting on each deployment,
// so the operator's own (main.bicep appSettings) are part of it, and win.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(hostSettings, erwatchSettings, pagerDutySettings, teamsSettings, webhookSettings, extraAppSettings)
}

output name string = functionApp.name
output uri string = 'https://${functionApp.properties.defaultHostName}'
