/** What went wrong, in the terms an app can act on. */
export type SocketErrorKind =
  | 'network'
  | 'timeout'
  | 'unauthorized'
  | 'forbidden-origin'
  | 'upgrade-refused'
  | 'session-unknown'
  | 'server'
  | 'config'

/** A classified error. `cause` keeps the original error; `data` the server's `err.data`, if any. */
export class SocketError extends Error {
  readonly kind: SocketErrorKind
  /** What exactly happened, within the kind ('ping-timeout', 'ws-refused', ...): the key of its fix hint. */
  code?: string
  readonly data?: unknown
  override readonly cause?: unknown

  constructor(kind: SocketErrorKind, message: string, cause?: unknown, data?: unknown) {
    super(message)
    this.name = 'SocketError'
    this.kind = kind
    if (cause !== undefined) this.cause = cause
    if (data !== undefined) this.data = data
  }
}

export function isSocketError(value: unknown): value is SocketError {
  return value instanceof SocketError
}

/**
 * Messages by code. Development builds carry the full sentences that say what to do; production builds
 * carry the code and its detail only (this table is dropped when process.env.NODE_ENV is 'production').
 */
const TEXT: Record<string, (detail: string) => string> | null =
  process.env.NODE_ENV !== 'production'
    ? {
        'refused': (d) => `The server refused the handshake: ${d}`,
        'no-namespace': () => 'The server has no such namespace: check options.namespace, or create it on the server with io.of(name)',
        'handshake-timeout': () => 'The connection was not established within the handshake timeout (socketOptions.timeout)',
        'session-unknown': () => 'The server did not know this session id: requests reach different backends without sticky sessions',
        'forbidden-origin': () => 'The server answered 403: the Origin is not allowed (CORS / allowRequest)',
        'http-status': (d) => `The server answered HTTP ${d} to the handshake`,
        'unreachable': (d) => `The server could not be reached (${d})`,
        'server-disconnect': () => 'The server closed the connection (socket.disconnect() on the server); call reconnect() to connect again',
        'ping-timeout': () => 'No ping from the server within pingInterval + pingTimeout: the connection was half-open or a proxy held it',
        'parse-error': () => 'The server sent a packet that could not be parsed',
        'lost': (d) => `The connection was lost (${d})`,
        'upgrade-refused': () => 'The WebSocket upgrade was refused on the way (a proxy dropping Upgrade headers?); staying on HTTP long-polling',
        'get-token': (d) => `auth.getToken() failed: ${d}`,
        'no-io': () => 'socket.io-client could not be loaded. Install it next to @ssr-socket/core (npm i socket.io-client) or pass options.io.',
        'ssr-ack': () => 'emitWithAck() is not available during server-side rendering: there is no connection on the server. Call it in onMounted() or an event handler.',
        'disposed': (d) => `${d} on a disposed client. Acquire a new client.`,
        'bad-event': (d) => `${d} needs an event name (a non-empty string) and, for on(), a handler function.`,
        'ack-timeout': (d) => `No ack for "${d}" within the ack timeout (options.ackTimeoutMs)`,
        'ack-lost': (d) => `The connection dropped before "${d}" was acknowledged`,
        'queue-full': (d) => `"${d}" was dropped from the offline queue (options.buffer.max)`,
        'queue-expired': (d) => `"${d}" expired in the offline queue (options.buffer.ttlMs)`,
        'queue-off': (d) => `"${d}" was not sent: disconnected and buffering is off (options.buffer)`,
        'too-large': (d) => `${d} bytes is more than options.maxPayloadBytes: nothing was sent. Send less, or raise the limit with the server's maxHttpBufferSize.`,
        'bad-listener': () => 'subscribe(listener) needs a function.',
        'disconnected': () => 'disconnect() was called before this emit could be sent',
        'reserved': (d) => `${d} is a reserved event name (socket.io uses it for the connection itself): pick another name`,
        'unserialisable': (d) => `The arguments of ${d} cannot be sent: they must be JSON-serialisable (no BigInt, no circular objects) or binary`,
        'no-engine': () => 'The connection engine (a lazily loaded chunk of @ssr-socket/core) could not be loaded: check the network and that the app was deployed whole; reconnect() tries again',
        'registry-disposed': (d) => `acquire() on a disposed registry (${d}). Create a new registry (one per app: createSocketPlugin does it).`,
        'no-websocket': () => "transport 'websocket' needs a WebSocket: there is none here (Node 20). Pass one: websocket: { WebSocket } with import { WebSocket } from 'ws'.",
        'bad-url': (d) => `Cannot open a WebSocket to ${d}: check options.url and options.path`,
        'not-ssr-socket': (d) => `The server at this path does not speak the ssr-socket protocol (ssr-socket.v1; got ${d || 'no protocol'}): point options.path at an @ssr-socket/server handler, or use websocket: { framing: 'raw' } for another server`,
        'ws-refused': (d) => `${d} answers HTTP but refused the WebSocket upgrade: a proxy dropping the Upgrade headers, or no WebSocket handler at this path (check options.path; run npx ssr-socket-doctor)`,
        'ws-timeout': (d) => `The WebSocket was not open within ${d} ms (websocket.timeoutMs): the server or a proxy held the upgrade without answering; retrying`,
        'raw-ack': (d) => `emitWithAck("${d}") needs the events framing: a raw WebSocket has no acks`,
        'binary-websocket': () => "transport 'websocket' sends JSON only: binary arguments are not supported (encode them, e.g. base64)",
        'server-error': (d) => `The server could not handle the event: ${d}`,
        'protocol-error': () => 'The server sent a frame that is not ssr-socket.v1 (not JSON, or not the shape PROTOCOL.md gives its type): closed with 4400, retrying',
        'not-socket-server': (d) => `The server answered HTTP ${d} on the socket path but is not a socket.io server: check options.url and options.path (a page or an SPA fallback answered)`,
      }
    : null

export function text(code: string, detail = ''): string {
  return (process.env.NODE_ENV !== 'production' && TEXT?.[code]?.(detail)) || (detail ? `${code}: ${detail}` : code)
}

export function socketError(kind: SocketErrorKind, code: string, detail?: string, cause?: unknown, data?: unknown): SocketError {
  const error = new SocketError(kind, text(code, detail), cause, data)
  error.code = code
  return error
}

/** Thrown for bad options: the message says which option and what to write instead. */
export function configError(message: string): SocketError {
  return new SocketError('config', `[ssr-socket] ${message}`)
}
