// The types of useSocket() (its options, its result, the scope composables built on it take), in a module of their own
// so that the modules that build the result (useSocket.ts, methods.ts, ssr.ts) all point here, not at each other.
import type { AckArgs, AckResult, DefaultEmitEvents, DefaultListenEvents, EventNames, EventsMap, SocketClient, SocketClientOptions, SocketError, SocketState, SocketStatus } from '@ssr-socket/core'
import type { Socket } from 'socket.io-client'
import type { ComputedRef, MaybeRefOrGetter, ShallowRef } from 'vue'

/** The options that pick the connection: a ref or a getter makes the composable follow them. */
export type KeyOption = 'url' | 'path' | 'namespace'

export interface UseSocketOptions extends Omit<SocketClientOptions, KeyOption> {
  /** The server; a ref or getter switches connections when it changes. @default the plugin's */
  url?: MaybeRefOrGetter<string | undefined>
  /** socket.io's path; reactive like `url`. @default the plugin's, else '/socket.io' */
  path?: MaybeRefOrGetter<string | undefined>
  /** The namespace; reactive like `url` (a room-specific namespace follows the route). @default '/' */
  namespace?: MaybeRefOrGetter<string | undefined>
  /**
   * `false`: stay idle and hold no connection (connect after sign-in: `enabled: () => !!user.value`). Turning
   * true connects (after mount); turning false disconnects unless another caller still wants the connection.
   * @default true
   */
  enabled?: MaybeRefOrGetter<boolean>
  /** Connect after mount. @default the plugin's `autoConnect` (true) */
  autoConnect?: boolean
}

export interface UseSocketReturn<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents> {
  /** The whole state snapshot. The constant initial state during SSR and hydration. */
  state: Readonly<ShallowRef<SocketState>>
  status: ComputedRef<SocketStatus>
  isConnected: ComputedRef<boolean>
  error: ComputedRef<SocketError | null>
  attempt: ComputedRef<number>
  /** The raw socket.io Socket after the first connect, else `null`. */
  socket: Readonly<ShallowRef<Socket | null>>
  connect(): void
  disconnect(): void
  reconnect(): void
  emit<K extends EventNames<E>>(event: K, ...args: Parameters<E[K]>): void
  emitWithAck<K extends EventNames<E>>(event: K, ...args: AckArgs<E[K]>): Promise<AckResult<E[K]>>
  /** Dropped unless connected. */
  readonly volatile: { emit<K extends EventNames<E>>(event: K, ...args: Parameters<E[K]>): void }
  /**
   * Adds a handler, removed by the returned function or when the calling scope is disposed. It follows the
   * connection when reactive options switch it.
   */
  on<K extends EventNames<L>>(event: K, handler: L[K]): () => void
  /** `on` for the next event only. */
  once<K extends EventNames<L>>(event: K, handler: L[K]): () => void
  /** Removes handlers this caller added for `event` (only `handler`, when given); never other callers' handlers. */
  off<K extends EventNames<L>>(event: K, handler?: L[K]): void
  /** Called after a reconnect that socket.io could not recover (missed events are lost: refetch); removed on scope dispose. */
  onResync(handler: () => void): () => void
  /** The shared client behind this composable (another one after reactive options switch the connection). */
  readonly client: SocketClient<L, E>
}

/** Something this caller holds on its client (a handler, a subscription): moved when the client changes. */
export interface Binding {
  /** Puts it on a client; returns what takes it off again. */
  attach: (client: SocketClient<EventsMap, EventsMap>) => () => void
  off: () => void
  /** For `off(event, handler)`: what the caller passed to on/once. */
  event?: unknown
  original?: unknown
}

/** `useSocket`, and `track`: ties something to the caller's scope and to whichever client it has (internal). */
export interface SocketScope<L extends EventsMap, E extends EventsMap> {
  api: UseSocketReturn<L, E>
  track: (attach: Binding['attach']) => () => void
}

