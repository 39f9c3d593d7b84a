// Assigns erwatch's reader role to its identity at one monitored subscription.
// main.bicep deploys this once per monitored subscription (scope: subscription(id)).
targetScope = 'subscription'

@description('Principal (object) id of erwatch\'s user-assigned identity.')
param principalId string

@description('Name (GUID) of the erwatch reader role definition.')
param roleDefinitionGuid string

var roleDefinitionId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)

resource readerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roleDefinitionId)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
    description: 'erwatch: read ExpressRoute circuits, ARP and route tables, connections and gateways, their metrics and connection monitors'
  }
}

output id string = readerAssignment.id
