export { createSocketRegistry } from './registry.js'
export type { SocketRegistry, SocketRegistryOptions, SocketRegistryDiagnostics } from './registry.js'
export { createSocketClient } from './client.js'
export { createSubscription } from './subscription.js'
export { inspectRegistry, inspectorCount, markHolder } from './inspect.js'
export type { InspectedClient, InspectedError, InspectorListener, InspectorRecord, SocketInspector } from './inspect.js'
export { FIX_HINTS, hintFor } from './hints.js'
export { CONFIG_KEYS, OPTION_SCHEMA, fromConfig } from './schema.js'
export type { ConfigAuth, SocketConfigOptions } from './schema.js'
export type { Subscription, SubscriptionOptions } from './subscription.js'
export { SocketError, isSocketError } from './errors.js'
export type { SocketErrorKind } from './errors.js'
export { INITIAL_STATE } from './initialState.js'
// The state machine and the redacting logger are the engine's (loaded on the first connect): they are exported
// from '@ssr-socket/core/machine', not from here, because everything this entry reaches lands in the app's
// entry chunk (see ../README.md, "Entry chunk and lazy engine").
export type { SocketTransition } from './state.js'
export type { Transport, TransportAuth, TransportContext, TransportFactory, TransportOptions, TransportSink } from './transports/types.js'
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
} from './types.js'
