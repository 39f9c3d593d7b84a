// Key Vault for the receivers' secrets. RBAC authorization only (no access
// policies); the Function App reads secrets through Key Vault references with
// its user-assigned identity (Key Vault Secrets User). A secret is created only
// when its value is given, and the app setting that references it only then
// (an unresolved reference would reach the app as the literal text).

@description('Key Vault name (3-24 letters, digits, hyphens).')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object = {}

@description('Purge protection cannot be turned off again, and keeps the vault name taken for the retention period after `azd down`.')
param enablePurgeProtection bool = false

@secure()
param pagerDutyRoutingKey string = ''

@secure()
param teamsWebhookUrl string = ''

@secure()
param webhookUrl string = ''

var secretNames = {
  pagerDuty: 'pagerduty-routing-key'
  teams: 'teams-webhook-url'
  webhook: 'webhook-url'
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // The API rejects an explicit false: leave it out unless it is wanted.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource pagerDutySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(pagerDutyRoutingKey)) {
  parent: vault
  name: secretNames.pagerDuty
  properties: {
    value: pagerDutyRoutingKey
    contentType: 'text/plain'
  }
}

resource teamsSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(teamsWebhookUrl)) {
  parent: vault
  name: secretNames.teams
  properties: {
    value: teamsWebhookUrl
    contentType: 'text/plain'
  }
}

resource webhookSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(webhookUrl)) {
  parent: vault
  name: secretNames.webhook
  properties: {
    value: webhookUrl
    contentType: 'text/plain'
  }
}

output name string = vault.name
// Versionless secret URIs: a new secret version is picked up without a redeploy.
output pagerDutySecretUri string = '${vault.properties.vaultUri}secrets/${secretNames.pagerDuty}'
output teamsWebhookSecretUri string = '${vault.properties.vaultUri}secrets/${secretNames.teams}'
output webhookSecretUri string = '${vault.properties.vaultUri}secrets/${secretNames.webhook}'
