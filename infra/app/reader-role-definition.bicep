// The least-privilege custom role erwatch reads ExpressRoute with. Its actions
// are exactly ROLE_ACTIONS in src/adapters/arm/operations.ts (the ARM calls the
// reader makes, as RBAC actions): test/infra fails the build when the two
// differ, so a new read cannot ship without its permission. The ARP and route
// tables are each their table's wildcard: Azure names those reads `/read`,
// older clouds `/action`, and nothing else exists under them.
//
// A role definition is a tenant-wide object; it is created in the first
// monitored subscription and is assignable in every monitored subscription.
targetScope = 'subscription'

@description('azd environment name: keeps the role name unique in the tenant.')
param environmentName string

@description('Subscriptions the role can be assigned in: the monitored ones.')
@minLength(1)
param assignableSubscriptionIds array

resource readerRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, 'erwatch-expressroute-reader', environmentName)
  properties: {
    roleName: 'erwatch ExpressRoute reader (${environmentName})'
    description: 'Read ExpressRoute circuits, their ARP and route tables (and the status and result of those long-running reads), connections and ExpressRoute gateways, and query Resource Graph for those connections; their Azure Monitor metrics; Network Watcher connection monitors, and the VNet gateways wired to the circuits with what they learned. Nothing else.'
    type: 'CustomRole'
    permissions: [
      {
        // One action per line, sorted: test/infra compares this list to REQUIRED_ACTIONS.
        actions: [
          'Microsoft.Insights/metrics/read'
          'Microsoft.Network/connections/read'
          'Microsoft.Network/expressRouteCircuits/peerings/arpTables/*'
          'Microsoft.Network/expressRouteCircuits/peerings/routeTables/*'
          'Microsoft.Network/expressRouteCircuits/peerings/routeTablesSummary/*'
          'Microsoft.Network/expressRouteCircuits/read'
          'Microsoft.Network/expressRouteGateways/read'
          'Microsoft.Network/locations/operationResults/read'
          'Microsoft.Network/locations/operations/read'
          'Microsoft.Network/networkWatchers/connectionMonitors/read'
          'Microsoft.Network/networkWatchers/read'
          'Microsoft.Network/virtualNetworkGateways/getLearnedRoutes/action'
          'Microsoft.Network/virtualNetworkGateways/read'
          'Microsoft.ResourceGraph/resources/read'
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
output roleDefinitionGuid string = readerRole.name
output roleDefinitionId string = readerRole.id
output roleName string = readerRole.properties.roleName
