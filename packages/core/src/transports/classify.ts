// Classifies what socket.io-client reports (Engine.IO transport errors, middleware refusals, disconnect reasons)
// into the transport-agnostic error kinds the engine and the app act on.
import type { SocketError } from '../errors.js'
import type { TransportContext } from './types.js'

/** The error factory, from the transport's context: a chunk of its own imports nothing of the entry's. */
type Make = TransportContext['error']

interface TransportErrorLike {
  message?: string
  type?: string
  description?: unknown
  context?: { responseText?: unknown }
  code?: string
  data?: unknown
}

/**
 * Classifies an error seen on `connect_error`.
 * `middleware` is true when the server's namespace middleware refused the handshake (socket.io
 * deactivates the socket then, see socket.io-client lib/socket.ts `onpacket` CONNECT_ERROR).
 */
export function classifyConnectError(socketError: Make, raw: unknown, middleware: boolean): SocketError {
  const err = (raw ?? {}) as TransportErrorLike
  const message = String(err.message ?? raw)
  if (middleware) {
    return message === 'Invalid namespace'
      ? socketError('config', 'no-namespace', '', raw)
      : socketError('unauthorized', 'refused', message, raw, err.data)
  }
  if (message === 'timeout') return socketError('timeout', 'handshake-timeout', '', raw)
  if (/Session ID unknown/i.test(`${message} ${String(err.context?.responseText ?? '')}`)) return socketError('session-unknown', 'session-unknown', '', raw)
  // The HTTP status (polling). With transports ['websocket'] the handshake is the upgrade itself: Node's `ws` (and
  // engine.io-client on it) reports the HTTP answer only in its message ("Unexpected server response: 403");
  // browsers report nothing.
  const d = err.description as number | { message?: unknown; error?: { message?: unknown } } | null | undefined
  const answered = typeof d == 'number' ? d : Number(/Unexpected server response: (\d+)/.exec(String(d?.message ?? d?.error?.message ?? ''))?.[1] ?? 0)
  if (answered === 403) return socketError('forbidden-origin', 'forbidden-origin', '', raw)
  if (answered >= 400) return socketError('server', 'http-status', String(answered), raw)
  // Any other answer (a page with 200, a redirect) came from a server that is not Engine.IO.
  if (answered) return socketError('server', 'not-socket-server', String(answered), raw)
  return socketError('network', 'unreachable', message, raw)
}

/** Classifies a `disconnect` reason from socket.io. */
export function classifyDisconnect(socketError: Make, reason: string): SocketError {
  return reason === 'io server disconnect'
    ? socketError('server', 'server-disconnect')
    : reason === 'ping timeout'
      ? socketError('timeout', 'ping-timeout')
      : reason === 'parse error'
        ? socketError('server', 'parse-error')
        : socketError('network', 'lost', reason)
}
