export { createSocketPlugin, getSocketRegistry, injectSocketContext, SOCKET_CONTEXT_KEY } from './plugin'
export type { SocketContext, SocketPluginOptions } from './plugin'
export { useSocket } from './useSocket'
export type { UseSocketOptions, UseSocketReturn } from './useSocket'
export { useSocketEvent } from './useSocketEvent'
export { useSocketSubscription } from './useSocketSubscription'
export type { UseSocketSubscriptionOptions, UseSocketSubscriptionReturn } from './useSocketSubscription'
export { useSocketDiagnostics } from './useSocketDiagnostics'
export type { EventPayload, UseSocketEventOptions } from './useSocketEvent'
export { INITIAL_STATE, SocketError, isSocketError, createSubscription, fromConfig, inspectRegistry, inspectorCount, hintFor } from '@ssr-socket/core'
export type {
  InspectedClient,
  InspectorRecord,
  SocketInspector,
  DefaultEmitEvents,
  DefaultListenEvents,
  EventsMap,
  Register,
  SocketClient,
  SocketClientOptions,
  SocketErrorKind,
  SocketRegistry,
  SocketState,
  SocketStatus,
  SocketConfigOptions,
  Subscription,
  SubscriptionOptions,
} from '@ssr-socket/core'
