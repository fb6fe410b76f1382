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
  readonly data?: unknown
  override readonly cause?: unknown

  constructor(kind: SocketErrorKind, message: string, extra: { cause?: unknown; data?: unknown } = {}) {
    super(message)
    this.name = 'SocketError'
    this.kind = kind
    if (extra.cause !== undefined) this.cause = extra.cause
    if (extra.data !== undefined) this.data = extra.data
  }
}

export function isSocketError(value: unknown): value is SocketError {
  return value instanceof SocketError
}

/** Thrown for bad options: the message says which option and what to write instead. */
export function configError(message: string): SocketError {
  return new SocketError('config', `[ssr-socket] ${message}`)
}

interface TransportErrorLike {
  message?: string
  type?: string
  description?: unknown
  context?: unknown
  code?: string
}

function responseTextOf(context: unknown): string {
  if (context && typeof context === 'object' && 'responseText' in context) {
    const text = (context as { responseText?: unknown }).responseText
    return typeof text === 'string' ? text : ''
  }
  return ''
}

function statusOf(description: unknown): number | null {
  if (typeof description === 'number') return description
  return null
}

/**
 * Classifies an error seen on `connect_error`.
 * `middleware` is true when the server's namespace middleware refused the handshake (socket.io
 * deactivates the socket then, see socket.io-client lib/socket.ts `onpacket` CONNECT_ERROR).
 */
export function classifyConnectError(raw: unknown, middleware: boolean): SocketError {
  const err = (raw ?? {}) as TransportErrorLike & { data?: unknown }
  const message = typeof err.message === 'string' ? err.message : String(raw)
  if (middleware && message === 'Invalid namespace') {
    return new SocketError('config', 'The server has no such namespace: check options.namespace, or create it on the server with io.of(name)', { cause: raw })
  }
  if (middleware) {
    return new SocketError('unauthorized', `The server refused the handshake: ${message}`, { cause: raw, data: err.data })
  }
  if (message === 'timeout') {
    return new SocketError('timeout', 'The connection was not established within the handshake timeout', { cause: raw })
  }
  const status = statusOf(err.description)
  const body = responseTextOf(err.context)
  if (/Session ID unknown/i.test(body) || /Session ID unknown/i.test(message)) {
    return new SocketError(
      'session-unknown',
      'The server did not know this session id: requests reach different backends without sticky sessions',
      { cause: raw },
    )
  }
  if (status === 403) {
    return new SocketError('forbidden-origin', 'The server answered 403: the Origin is not allowed (CORS / allowRequest)', { cause: raw })
  }
  if (status !== null && status >= 400) {
    return new SocketError('server', `The server answered HTTP ${status} to the handshake`, { cause: raw })
  }
  if (err.type === 'TransportError' || err.type === 'TransportTimeout' || /ECONNREFUSED|ENOTFOUND|ECONNRESET|EHOSTUNREACH/.test(String(err.code ?? (err.description as TransportErrorLike | undefined)?.code ?? message))) {
    return new SocketError('network', `The server could not be reached (${message})`, { cause: raw })
  }
  if (/parse error/i.test(message)) {
    return new SocketError('server', `The server sent something that is not socket.io (${message})`, { cause: raw })
  }
  return new SocketError('network', message, { cause: raw })
}

/** Classifies a `disconnect` reason from socket.io. */
export function classifyDisconnect(reason: string): SocketError {
  switch (reason) {
    case 'io server disconnect':
      return new SocketError('server', 'The server closed the connection (socket.disconnect() on the server); call reconnect() to connect again')
    case 'ping timeout':
      return new SocketError('timeout', 'No ping from the server within pingInterval + pingTimeout: the connection was half-open or a proxy held it')
    case 'parse error':
      return new SocketError('server', 'The server sent a packet that could not be parsed')
    default:
      return new SocketError('network', `The connection was lost (${reason})`)
  }
}
