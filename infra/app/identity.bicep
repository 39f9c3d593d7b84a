// The one identity erwatch runs as. The Function App carries it, and every
// call the app or the Functions host makes (ARM reads, Table and Blob storage,
// Service Bus, Key Vault references, Application Insights) authenticates as it.

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
