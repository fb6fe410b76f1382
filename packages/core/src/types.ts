import type { ManagerOptions, SocketOptions, Socket } from 'socket.io-client'
import type { SocketError } from './errors.js'
import type { TransportFactory } from './transports/types.js'

/** The statuses of one logical connection. See `state.ts` for the transitions between them. */
export type SocketStatus =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  /** The browser reports it is offline: retries are paused; `online` retries at once. */
  | 'offline'
  | 'disconnected'
  | 'unauthorized'
  | 'failed'

/** An immutable snapshot of a client's connection. The initial value is identical on server and client. */
export interface SocketState {
  readonly status: SocketStatus
  /** Reconnection attempt in progress or scheduled; 0 when none. */
  readonly attempt: number
  /** Epoch ms of the next scheduled retry, or `null` when none is scheduled. */
  readonly nextRetryAt: number | null
  /** The last classified error, cleared on connect. */
  readonly error: SocketError | null
  /** socket.io's socket id while connected. */
  readonly id: string | null
  /** `'polling'` or `'websocket'` while connected. */
  readonly transport: string | null
  /** Whether socket.io's connection state recovery restored the session on the last connect. */
  readonly recovered: boolean
  /** Epoch ms of the last successful connect. */
  readonly connectedAt: number | null
}

/**
 * A map of event names to handler signatures, as in socket.io's own typings.
 * `any` is confined to this constraint: an index signature of `any` is what lets an `interface`
 * (which has no implicit index signature) satisfy it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventsMap = { [event: string]: any }

/**
 * Augment this interface once to type every client, composable and handler:
 *
 * ```ts
 * declare module '@ssr-socket/core' {
 *   interface Register {
 *     listenEvents: { message: (text: string) => void }
 *     emitEvents: { send: (text: string, ack: (ok: boolean) => void) => void }
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by apps (declaration merging)
export interface Register {}

/** Events the server sends, from `Register['listenEvents']`, else untyped. */
export type DefaultListenEvents = Register extends { listenEvents: infer L extends EventsMap } ? L : EventsMap
/** Events the client emits, from `Register['emitEvents']`, else untyped. */
export type DefaultEmitEvents = Register extends { emitEvents: infer E extends EventsMap } ? E : EventsMap

export type EventNames<M extends EventsMap> = keyof M & string
type Last<T extends unknown[]> = T extends [...unknown[], infer L] ? L : never
/** Untyped events have `any[]` parameters (not a tuple): every argument list is allowed then. */
type AllButLast<T extends unknown[]> = number extends T['length'] ? T : T extends [...infer H, unknown] ? H : never
type FirstArg<F> = F extends (arg: infer A, ...rest: never[]) => unknown ? A : never
/** Arguments of `emitWithAck(event, ...)`: the event's parameters without the trailing ack callback. */
export type AckArgs<F extends (...args: never[]) => unknown> = AllButLast<Parameters<F>>
/** What `emitWithAck` resolves with: the first argument of the event's ack callback. */
export type AckResult<F extends (...args: never[]) => unknown> = number extends Parameters<F>['length']
  ? unknown
  : FirstArg<Last<Parameters<F>>>

/** The socket.io-client module, or the part of it the core uses. */
export interface SocketIoModule {
  Manager: typeof import('socket.io-client').Manager
}

/** Loads socket.io-client. The default is `() => import('socket.io-client')`. */
export type SocketIoLoader = () => Promise<SocketIoModule> | SocketIoModule

/** A socket.io `auth` payload, or a function that produces one per handshake. */
export type RawAuth = Record<string, unknown> | ((cb: (data: object) => void) => void)

/** How the connection authenticates. */
export type AuthOption =
  | { mode: 'none' }
  /** Sends the browser's cookies with every request (`withCredentials`). Use it for same-origin session cookies. */
  | { mode: 'cookie' }
  | {
      mode: 'token'
      /** Called on every handshake; the token goes in the socket.io `auth` payload, never in the URL. */
      getToken: () => string | null | undefined | Promise<string | null | undefined>
      /**
       * Handshakes retried with a fresh token after the server's middleware rejects one.
       * @default 1
       */
      retries?: number
    }
  | RawAuth

export interface ReconnectionOptions {
  /** @default Infinity */
  attempts?: number
  /** First retry delay. @default 1000 */
  delayMs?: number
  /** Ceiling of the exponential backoff. @default 5000 */
  maxDelayMs?: number
  /** Randomisation factor, 0..1. @default 0.5 */
  jitter?: number
}

export interface BufferOptions {
  /** Emits kept while disconnected; the oldest are dropped beyond it. @default 100 */
  max?: number
  /** Age after which a kept emit is dropped instead of sent. @default 60000 */
  ttlMs?: number
}

/** A logger for `debug`. It receives already-redacted details. */
export type DebugLogger = (message: string, details?: Record<string, unknown>) => void

export interface SocketClientOptions {
  /** Server URL, `http(s)://` or `ws(s)://`, origin only. @default the page's origin */
  url?: string
  /** The server's socket.io path. @default '/socket.io' */
  path?: string
  /** The socket.io namespace. @default '/' */
  namespace?: string
  /** Overrides environment detection; on the server the client is inert. @default typeof window === 'undefined' */
  isServer?: boolean
  /** @default { mode: 'none' } */
  auth?: AuthOption
  /** `false` turns reconnection off. @default { attempts: Infinity, delayMs: 1000, maxDelayMs: 5000, jitter: 0.5 } */
  reconnection?: false | ReconnectionOptions
  /** Offline emit queue; `false` drops emits made while disconnected. @default { max: 100, ttlMs: 60000 } */
  buffer?: false | BufferOptions
  /** Default timeout of `emitWithAck`. @default 10000 */
  ackTimeoutMs?: number
  /** Reconnect after the server called `socket.disconnect()`. @default false */
  reconnectOnServerDisconnect?: boolean
  /** `true` logs to `console.debug`; a function receives each line. Tokens and cookies are redacted. @default false */
  debug?: boolean | DebugLogger
  /** Loads socket.io-client. @default () => import('socket.io-client') */
  io?: SocketIoLoader
  /**
   * Largest payload `emit`/`emitWithAck` accept (JSON size, binary by byte length); larger ones throw / reject
   * with a `config` error and nothing is sent. Match it to the server's `maxHttpBufferSize`. @default undefined (no check)
   */
  maxPayloadBytes?: number
  /**
   * The wire: socket.io (socket.io-client, loaded on the first connect), 'websocket' (one plain WebSocket speaking
   * @ssr-socket/server's protocol, or any server with `websocket: { framing: 'raw' }`), or a transport object, e.g.
   * `createMockTransport().transport` from `@ssr-socket/core/testing` in component tests. @default 'socket.io'
   */
  transport?: 'socket.io' | 'websocket' | TransportFactory
  /** With `transport: 'websocket'`: the framing, a WebSocket implementation for Node, an idle timeout for raw. */
  websocket?: WebSocketOptions
  /** Passed through to socket.io's Manager and Socket (e.g. `transports`, `timeout`, `extraHeaders`). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>
}

/** `transport: 'websocket'` options, under `websocket` in the client options. */
export interface WebSocketOptions {
  /** 'events' (our protocol, default) or 'raw' (each frame is a `message` event; `emit('message', data)` sends it). */
  framing?: 'events' | 'raw'
  /** A WebSocket implementation where there is no global one (Node 20: `ws`). @default globalThis.WebSocket */
  WebSocket?: unknown
  /** raw framing: close and reconnect when nothing arrived for this long. @default none */
  idleTimeoutMs?: number
  /** An attempt not open (events framing: welcomed) within this long is abandoned and retried. @default 10000 */
  timeoutMs?: number
}

export type StateListener = (state: SocketState, previous: SocketState) => void

export interface ClassifiedErrorRecord {
  readonly kind: SocketError['kind']
  /** What exactly happened within the kind, when the library classified it ('ping-timeout', 'ws-refused', ...). */
  readonly code?: string
  readonly message: string
  readonly at: number
}

export interface AttemptRecord {
  readonly at: number
  readonly event: 'connect' | 'connected' | 'attempt' | 'retry-scheduled' | 'failed' | 'rejected' | 'lost' | 'closed' | 'paused' | 'retry-now'
  readonly attempt: number
}

export interface SocketDiagnostics {
  /** Where the client object was created. */
  createdOn: 'client' | 'server'
  status: SocketStatus
  key: string
  hasSocket: boolean
  transport: string | null
  /** Handlers in the client's own table, by event. */
  handlers: Record<string, number>
  /** Listeners on the raw socket.io Socket, by event (one dispatcher per event name). */
  socketListeners: Record<string, number>
  pendingAcks: number
  queue: { size: number; dropped: number; expired: number }
  /** The last classified errors, newest last. */
  errors: ClassifiedErrorRecord[]
  /** The attempts timeline, newest last. */
  attempts: AttemptRecord[]
  /** Upgrades to WebSocket refused on the way (the transport stayed on polling). */
  upgradeErrors: number
}

/** One logical connection. */
export interface SocketClient<L extends EventsMap = DefaultListenEvents, E extends EventsMap = DefaultEmitEvents> {
  /** The registry key: url + path + namespace. */
  readonly key: string
  getState(): SocketState
  /** Calls `listener` on every state change; returns the unsubscribe function. */
  subscribe(listener: StateListener): () => void
  connect(): void
  disconnect(): void
  /** Retry now with the backoff reset (from `reconnecting`, `offline`, `failed`, `disconnected` or `unauthorized`). */
  reconnect(): void
  /** Disconnects, drops every handler, listener and queued emit. The client is unusable afterwards. */
  dispose(): void
  on<K extends EventNames<L>>(event: K, handler: L[K]): () => void
  once<K extends EventNames<L>>(event: K, handler: L[K]): () => void
  off<K extends EventNames<L>>(event: K, handler?: L[K]): void
  /** Sends now when connected, else keeps it in the bounded offline queue. */
  emit<K extends EventNames<E>>(event: K, ...args: Parameters<E[K]>): void
  /** Dropped unless connected. */
  readonly volatile: { emit<K extends EventNames<E>>(event: K, ...args: Parameters<E[K]>): void }
  /** Resolves with the server's ack; rejects with a `SocketError` (`timeout`, `network`, `config`). */
  emitWithAck<K extends EventNames<E>>(event: K, ...args: AckArgs<E[K]>): Promise<AckResult<E[K]>>
  /**
   * Calls `handler` when a reconnect completes without socket.io's connection state recovery
   * (`state.recovered` false): events sent while disconnected are lost, so refetch what the view shows.
   * Runs before the emits buffered while disconnected are sent, so that what a handler re-establishes (a room
   * joined again) is in place when they arrive. Not called on the first connect. Returns the unsubscribe function.
   */
  onResync(handler: () => void): () => void
  /**
   * Starts loading the connection engine and the transport library without connecting, so that `connect()`
   * does not wait for them (the Vue plugin calls it at install time). Never rejects. Does nothing on the server.
   */
  preload(): Promise<void>
  /** The raw socket.io Socket, an escape hatch; `null` on the server and before the first connect. */
  readonly socket: Socket | null
  getDiagnostics(): SocketDiagnostics
}
