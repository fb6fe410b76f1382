export { createSocketRegistry } from './registry'
export type { SocketRegistry, SocketRegistryOptions, SocketRegistryDiagnostics } from './registry'
export { createSocketClient } from './client'
export { SocketError, isSocketError } from './errors'
export type { SocketErrorKind } from './errors'
export { INITIAL_STATE, transition, canTransition, TRANSITIONS } from './state'
export type { SocketTransition } from './state'
export { redact } from './logger'
export type {
  AckArgs,
  AckResult,
  AttemptRecord,
  AuthOption,
  BufferOptions,
  ClassifiedErrorRecord,
  DebugLogger,
  DefaultEmitEvents,
  DefaultListenEvents,
  EventNames,
  EventsMap,
  RawAuth,
  ReconnectionOptions,
  Register,
  SocketClient,
  SocketClientOptions,
  SocketDiagnostics,
  SocketIoLoader,
  SocketIoModule,
  SocketState,
  SocketStatus,
  StateListener,
} from './types'
