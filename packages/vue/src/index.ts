export { createSocketPlugin, getSocketRegistry, injectSocketContext, SOCKET_CONTEXT_KEY } from './plugin'
export type { SocketContext, SocketPluginOptions } from './plugin'
export { useSocket } from './useSocket'
export type { UseSocketOptions, UseSocketReturn } from './useSocket'
export { useSocketEvent } from './useSocketEvent'
export type { EventPayload, UseSocketEventOptions } from './useSocketEvent'
export { INITIAL_STATE, SocketError, isSocketError } from '@ssr-socket/core'
export type {
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
} from '@ssr-socket/core'
