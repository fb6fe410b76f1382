// The seam between the engine (state machine, reconnection policy, auth lifecycle, queue, acks, browser signals,
// diagnostics: all transport-agnostic) and a wire library. A transport only translates its wire: it is told to
// open, close and send, and it reports what happened through its sink. Modelled on engine.io-client's
// lib/transport.ts, one level up.
import type { ManagerOptions, SocketOptions } from 'socket.io-client'
import type { SocketError } from '../errors.js'

/** What a transport reports to the engine. Each call is news: a transport reports nothing it was told to do. */
export interface TransportSink {
  /** The connection is open and the handshake accepted. */
  opened(info: { id: string | null; transport: string | null; recovered: boolean }): void
  /** The live connection switched wire (socket.io: polling upgraded to WebSocket). */
  upgraded(transport: string): void
  /** An upgrade was refused on the way (a proxy dropping the Upgrade headers); the connection stays up. */
  upgradeFailed(cause: unknown): void
  /**
   * The live connection ended: `'lost'` (network, ping timeout: retry), `'server'` (the server closed it on
   * purpose), `'client'` (closed through the raw escape hatch).
   */
  closed(error: SocketError | null, by: 'lost' | 'server' | 'client'): void
  /**
   * An attempt to open failed. `'rejected'`: the server refused the credentials (the engine may retry with
   * fresh ones); `'fatal'`: retrying cannot help (a bad namespace). Otherwise a retryable failure.
   */
  failed(error: SocketError, why?: 'rejected' | 'fatal'): void
  /** Optional: an error that ends nothing (the server could not handle an emit that asked no ack): recorded. */
  notice?(error: SocketError): void
  /** A named event from the server, with its arguments (an ack callback last, when the server asked for one). */
  message(event: string, args: unknown[]): void
  // Reported only by transports that reconnect by themselves (`reconnects: true`):
  retryScheduled(attempt: number, delayMs: number): void
  attempting(attempt: number): void
  exhausted(): void
}

/** One logical connection over a wire library, driven by the engine. */
export interface Transport {
  /**
   * True when the wire library has its own backoff (socket.io's Manager): the engine configures and observes it.
   * False: the engine schedules retries itself and calls `open()` for each.
   */
  readonly reconnects: boolean
  /** Open state of the wire. */
  readonly connected: boolean
  /** The current wire ('polling', 'websocket', ...) or null. */
  readonly wire: string | null
  /** The raw object behind it (socket.io's Socket), the `client.socket` escape hatch. */
  readonly raw: unknown
  /** Starts a handshake (or restarts one) with fresh credentials from `auth`. */
  open(): void
  /** Closes and stops the transport's own retries; reports nothing. */
  close(): void
  /** Sends now (call only while `connected`); throws when the arguments cannot be encoded. */
  send(event: string, args: readonly unknown[], volatile?: boolean): void
  /** Sends and calls `done` once with the answer, or with a `timeout` / `network` error. */
  sendWithAck(event: string, args: readonly unknown[], timeoutMs: number, done: (error: SocketError | null, value?: unknown) => void): void
  /** The engine has handlers for `event` (transports that subscribe per event name bind here). */
  listen(event: string): void
  unlisten(event: string): void
  /**
   * Optional: shows an inspector every event from the server, handled or not (`null` stops). Without it the engine
   * shows the events it has handlers for.
   */
  watch?(listener: ((event: string, args: unknown[]) => void) | null): void
  /** Listener counts on the raw object, for diagnostics. */
  listenerCounts(events: Iterable<string>): Record<string, number>
  /** Releases everything; the transport is not used afterwards. */
  dispose(): void
}

/** How a connection authenticates, as the engine hands it to a transport. */
export interface TransportAuth {
  /** Send the browser's cookies (cookie mode). */
  readonly withCredentials: boolean
  /** A payload sent in the handshake (never in a URL): an object, or a function called on every handshake. */
  readonly payload: Record<string, unknown> | ((cb: (data: object) => void) => void) | undefined
}

/** The options a transport reads: where to connect and how to retry (the engine's resolved options satisfy it). */
export interface TransportOptions {
  /** The server's origin (`undefined` only on a server, where nothing connects). */
  readonly url: string | undefined
  readonly path: string
  readonly namespace: string
  /** url + path: transports that multiplex share one connection per endpoint. */
  readonly endpoint: string
  readonly reconnection: false | { readonly attempts: number; readonly delayMs: number; readonly maxDelayMs: number; readonly jitter: number }
  /** Passed through to the wire library (socket.io's Manager and Socket). */
  readonly socketOptions: Partial<ManagerOptions & SocketOptions>
  /** The WebSocket transport's options (`options.websocket`). */
  readonly websocket?: unknown
}

/** What a transport is created with. */
export interface TransportContext {
  readonly options: TransportOptions
  readonly auth: TransportAuth
  readonly sink: TransportSink
  /** What `load()` resolved to (socket.io: the socket.io-client module). */
  readonly lib: unknown
  /** Shared by the clients of one registry (socket.io: the Manager pool), created on first use. */
  readonly shared: Record<string, unknown>
  /** The registry's (or standalone client's) name, for warnings. */
  readonly owner: string
  /**
   * Makes a classified error (kind, code, detail, cause) with the library's messages: transports in chunks of their
   * own use it instead of importing the error module (which would split it into a chunk of its own).
   */
  readonly error: (kind: SocketError['kind'], code: string, detail?: string, cause?: unknown, data?: unknown) => SocketError
}

/** A transport implementation: `options.transport` accepts one (tests pass `createMockTransport().transport`). */
export interface TransportFactory {
  /** Shown in diagnostics and in conflict warnings. */
  readonly name: string
  /** Loads the wire library; started in parallel with the engine chunk on the first connect(). */
  load?(): unknown
  create(context: TransportContext): Transport
}
