// Service Bus between the sweep (publisher) and the dispatcher (receiver).
// Standard tier: duplicate detection (the sweep may publish an event twice
// after a crash; the queue drops the copy) and topics both need it.
//
// Every dead letter lands in one queue: the broker's own (expired, too many
// deliveries) are forwarded there by forwardDeadLetteredMessagesTo, and the
// Functions dispatcher parks the ones it gives up on there itself
// (SERVICEBUS_DEADLETTER_QUEUE), with DeadLetterReason / DeadLetterErrorDescription.

@description('Service Bus namespace name (6-50 letters, digits, hyphens).')
@minLength(6)
@maxLength(50)
param name string

param location string
param tags object = {}

@description('How long an alert event waits to be dispatched before it expires into the dead-letter queue (ISO 8601). A page days late is noise; open alerts repeat anyway.')
param alertTimeToLive string = 'P1D'

// The app's defaults: SERVICEBUS_ENTITY and <SERVICEBUS_ENTITY>-deadletter.
var alertsQueueName = 'erwatch-alerts'
var deadLetterQueueName = 'erwatch-alerts-deadletter'
// SWEEP_WORK_QUEUE: the timer's fan-out of deep reads to the sweepWorker function.
var sweepWorkQueueName = 'erwatch-sweep-work'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

// Parked events stay until someone reads them: no expiry, nothing forwarded on.
resource deadLetterQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: deadLetterQueueName
  properties: {
    maxDeliveryCount: 10
    deadLetteringOnMessageExpiration: false
  }
}

// requiresDuplicateDetection cannot be changed after the queue exists.
resource alertsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: alertsQueueName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'P1D'
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: alertTimeToLive
    deadLetteringOnMessageExpiration: true
    forwardDeadLetteredMessagesTo: deadLetterQueue.name
  }
}

// Deep reads fanned out by the timer. Sessions keyed by subscription: Service
// Bus hands each subscription to one worker at a time, so its ARM budget
// holds however far the Functions app scales out. Work is only worth doing
// within its sweep's interval: it expires after ten minutes (nothing is lost:
// the next sweep plans what was not read first), and the lock outlasts a
// batch's reads.
resource sweepWorkQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: sweepWorkQueueName
  properties: {
    requiresSession: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    maxDeliveryCount: 5
    lockDuration: 'PT5M'
    defaultMessageTimeToLive: 'PT10M'
    deadLetteringOnMessageExpiration: false
  }
}

output name string = namespace.name
output id string = namespace.id
@description('<namespace>.servicebus.windows.net (or the sovereign-cloud equivalent), for ServiceBusConnection__fullyQualifiedNamespace.')
output fullyQualifiedNamespace string = replace(split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0], '/', '')
output alertsQueueName string = alertsQueue.name
output deadLetterQueueName string = deadLetterQueue.name
output sweepWorkQueueName string = sweepWorkQueue.name
