// Log Analytics query access for Connection Monitor results, and nothing else:
// its actions are exactly WORKSPACE_ACTIONS in src/adapters/arm/operations.ts
// (test/infra compares them). The table-level action keeps the grant to
// NWConnectionMonitorTestResult; it is assigned only on the workspaces named
// in connectionMonitorWorkspaceIds (workspace-reader-role-assignment.bicep),
// never on a whole subscription.
targetScope = 'subscription'

@description('azd environment name: keeps the role name unique in the tenant.')
param environmentName string

@description('Subscriptions holding the named workspaces: where the role can be assigned.')
@minLength(1)
param assignableSubscriptionIds array

resource workspaceRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'erwatch-connection-monitor-reader', environmentName)
  properties: {
    roleName: 'erwatch Connection Monitor results reader (${environmentName})'
    description: 'Query NWConnectionMonitorTestResult in the Log Analytics workspaces it is assigned on. Nothing else.'
    type: 'CustomRole'
    permissions: [
      {
        // One action per line, sorted: test/infra compares this list to WORKSPACE_ACTIONS.
        actions: [
          'Microsoft.OperationalInsights/workspaces/query/NWConnectionMonitorTestResult/read'
          'Microsoft.OperationalInsights/workspaces/query/read'
          'Microsoft.OperationalInsights/workspaces/read'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [for subscriptionId in assignableSubscriptionIds: '/subscriptions/${subscriptionId}']
  }
}

@description('Role definition name (a GUID), the same in every subscription it is assignable in.')
output roleDefinitionGuid string = workspaceRole.name
output roleDefinitionId string = workspaceRole.id
