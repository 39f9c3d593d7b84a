// Assigns the Connection Monitor results reader role to erwatch's identity on
// one Log Analytics workspace. main.bicep deploys this once per workspace
// named in connectionMonitorWorkspaceIds, scoped to its resource group.
targetScope = 'resourceGroup'

@description('Principal (object) id of erwatch\'s user-assigned identity.')
param principalId string

@description('Name (GUID) of the workspace reader role definition.')
param roleDefinitionGuid string

@description('Name of the Log Analytics workspace in this resource group.')
param workspaceName string

var roleDefinitionId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

resource workspaceAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, principalId, roleDefinitionId)
  scope: workspace
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: roleDefinitionId
    description: 'erwatch: read Connection Monitor results (NWConnectionMonitorTestResult)'
  }
}

output id string = workspaceAssignment.id
